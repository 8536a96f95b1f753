/**
 * Posting a notebook's result to the class results board. Inside a JupyterHub single-user
 * server the kernel inherits the server's environment: JUPYTERHUB_API_TOKEN (the server's token,
 * whose scopes the classroom config extends with access to the board), JUPYTERHUB_API_URL and
 * JUPYTERHUB_USER. The board's address comes from the hub (`GET /hub/api/services/results-board`)
 * unless TRANSFER_LAB_BOARD_URL names it. Anywhere else (a laptop, CI) nothing is posted.
 * @see notebooks/05-build-and-fine-tune.ipynb (last cell)
 */
import { BoardError } from './errors';
import { ClassResult, ClassResultInput, parseResultInput } from './results';
import { BOARD_SERVICE_NAME } from './service';

export type { ClassResult, ClassResultInput } from './results';
export { BoardError } from './errors';

/** Options of {@link postClassResult}. */
export interface PostClassResultOptions {
  /** Environment to read the hub settings from; default `process.env` (the kernel's). */
  env?: NodeJS.ProcessEnv;
  /** Board URL ending in /services/results-board/; default env TRANSFER_LAB_BOARD_URL, else asked from the hub. */
  boardUrl?: string;
  /** Where the one line saying what happened goes; default `console.log`. */
  log?: (line: string) => void;
  /** Milliseconds to wait for the hub or the board; default 10000. */
  timeoutMs?: number;
}

/** What {@link postClassResult} did. */
export interface PostClassResultOutcome {
  /** The results as the board stored them (with the student name from the hub); empty when nothing was posted. */
  posted: ClassResult[];
  /** The board posted to, or null outside a JupyterHub server. */
  board: string | null;
}

/**
 * Posts one or more results to the class results board, as the hub user running this kernel,
 * and prints one line saying what it did. Outside a JupyterHub server it prints that there is no
 * class board here and does nothing.
 * @throws BoardError when a result is malformed, or the hub or the board refuses or cannot be reached.
 * @example
 * await lab.postClassResult({ dataset: 'ants/bees', strategy: 'fine-tuning', valAccuracy: 0.935,
 *   seconds: 48, backend: 'wasm' });
 */
export async function postClassResult(
  result: ClassResultInput | ClassResultInput[],
  opts: PostClassResultOptions = {},
): Promise<PostClassResultOutcome> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.log(line));
  const results = Array.isArray(result) ? result : [result];
  const token = env.JUPYTERHUB_API_TOKEN;
  const apiUrl = env.JUPYTERHUB_API_URL;
  if (!token || !apiUrl) {
    log('No class results board here (not running inside a JupyterHub classroom server): nothing posted.');
    return { posted: [], board: null };
  }
  const user = env.JUPYTERHUB_USER ?? '';
  const inputs = results.map((r) => parseResultInput(r, user));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const board = opts.boardUrl ?? env.TRANSFER_LAB_BOARD_URL ?? (await boardUrlFromHub(apiUrl, token, timeoutMs));
  const endpoint = `${board.replace(/\/?$/, '/')}api/results`;
  const posted: ClassResult[] = [];
  for (const input of inputs) {
    const res = await request(endpoint, {
      method: 'POST',
      headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    }, timeoutMs, 'the class results board');
    const text = await res.text();
    if (res.status !== 201) {
      const why = errorText(text);
      throw new BoardError(res.status, `postClassResult: the board at ${endpoint} refused the result (${res.status}): ` +
        `${why}${res.status === 403 && /scope|access/.test(why) ? ' Ask the teacher to check the hub roles (boardServiceConfig).' : ''}`);
    }
    posted.push(JSON.parse(text) as ClassResult);
  }
  const what = posted.map((r) => `${r.dataset} · ${r.strategy} ${(r.valAccuracy * 100).toFixed(1)}%`).join(', ');
  log(`Posted to the class results board as ${posted[0]?.student ?? user}: ${what}.`);
  return { posted, board };
}

/** Asks the hub where the board listens (its url + prefix), with the kernel's own token. */
async function boardUrlFromHub(apiUrl: string, token: string, timeoutMs: number): Promise<string> {
  const url = `${apiUrl.replace(/\/$/, '')}/services/${BOARD_SERVICE_NAME}`;
  const res = await request(url, { headers: { Authorization: `token ${token}` } }, timeoutMs, 'the hub API');
  const text = await res.text();
  if (res.status === 404) {
    throw new BoardError(404, `postClassResult: this hub has no ${BOARD_SERVICE_NAME} service (${url}); ` +
      'the teacher adds it with `transfer-lab classroom setup`, or set TRANSFER_LAB_BOARD_URL.');
  }
  if (!res.ok) {
    throw new BoardError(res.status, `postClassResult: the hub would not say where the board is (${url}, ${res.status}: ` +
      `${errorText(text)}). The server's token needs scope read:services!service=${BOARD_SERVICE_NAME} ` +
      '(boardServiceConfig grants it); a server started before the change must be restarted.');
  }
  const model = JSON.parse(text) as { url?: string; prefix?: string };
  if (!model.url || !model.prefix) {
    throw new BoardError(502, `postClassResult: the hub's model of ${BOARD_SERVICE_NAME} has no url or prefix ` +
      `(${text.slice(0, 200)}); the token lacks read:services!service=${BOARD_SERVICE_NAME}, or set TRANSFER_LAB_BOARD_URL.`);
  }
  return `${model.url.replace(/\/$/, '')}${model.prefix}`;
}

async function request(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new BoardError(502, `postClassResult: cannot reach ${what} at ${url}: ${(e as Error).message}. ` +
      'Is the hub (and its results-board service) running?');
  }
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    return String(parsed.error ?? parsed.message ?? body).slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}
