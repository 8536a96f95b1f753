#!/usr/bin/env node
/**
 * The class results board as a JupyterHub-managed service. The hub starts it as
 *   node <installDir>/dist/classroom/board/main.js --data <dataDir> --port <port> [--ip 127.0.0.1]
 * with JUPYTERHUB_API_TOKEN, JUPYTERHUB_API_URL, JUPYTERHUB_SERVICE_PREFIX, JUPYTERHUB_CLIENT_ID,
 * JUPYTERHUB_OAUTH_CALLBACK_URL ... in its environment (see boardServiceConfig), and restarts it
 * when it exits. Results live in <dataDir>/results.jsonl.
 */
import { setTheme } from '../../viz/theme';
import { BoardError } from './errors';
import { HubAuth } from './hub_auth';
import { createBoardServer } from './server';
import { ResultStore } from './store';

/** Command-line options of the board. */
export interface BoardArgs {
  /** Folder of results.jsonl (created when missing). Required. */
  data: string;
  /** Port to listen on. Required. */
  port: number;
  /** Address to listen on; default 127.0.0.1 (the hub's proxy and the kernels are on this machine). */
  ip: string;
}

/** Parses `--data DIR --port N [--ip ADDR]`. @throws BoardError naming the bad or missing option. */
export function parseBoardArgs(argv: string[]): BoardArgs {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const usage = 'usage: node dist/classroom/board/main.js --data DIR --port N [--ip 127.0.0.1]';
  const data = value('--data');
  if (!data || data.startsWith('--')) throw new BoardError(2, `results-board: --data DIR is required. ${usage}`);
  const port = Number(value('--port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BoardError(2, `results-board: --port must be a port number 1..65535; got ${JSON.stringify(value('--port'))}. ${usage}`);
  }
  return { data, port, ip: value('--ip') ?? '127.0.0.1' };
}

async function main(): Promise<void> {
  const args = parseBoardArgs(process.argv.slice(2));
  setTheme('projector');
  const auth = HubAuth.fromEnv();
  const store = await ResultStore.open(args.data);
  const prefix = process.env.JUPYTERHUB_SERVICE_PREFIX || `/services/${auth.serviceName}/`;
  const server = createBoardServer({ store, auth, prefix });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.port, args.ip, resolve);
  });
  console.log(`results-board: ${store.version} results loaded from ${store.file}; ` +
    `listening on http://${args.ip}:${args.port}${prefix}`);
  const stop = (signal: string): void => {
    console.log(`results-board: ${signal}, closing`);
    server.close();
    server.closeAllConnections();
    store.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(e instanceof BoardError && e.status === 2 ? 2 : 1);
  });
}
