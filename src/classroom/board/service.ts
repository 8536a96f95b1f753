/**
 * The board's entries for jupyterhub_config.py: the hub-managed service and the role changes that
 * let students (in the browser and from their kernels) and the teacher reach it. Plain JSON-able
 * objects; the classroom setup serialises them into python.
 *
 * Why the roles: in JupyterHub 3.0 the default `user` role is only `self`, which does not include
 * access to any service, and the token a single-user server (so its kernels) gets from the hub
 * has the `server` role only (`users:activity!user`, `access:servers!user`; jupyterhub/roles.py).
 * Both are overridden here to add `access:services!service=results-board` (post and view) and
 * `read:services!service=results-board` (a kernel asks the hub where the board is). A token's
 * scopes are the intersection of its own and its owner's, so the `user` role needs both too.
 * The hub admin (the teacher) already has `access:services`.
 */

/** The service's name: its URL is /services/results-board/ behind the hub's proxy. */
export const BOARD_SERVICE_NAME = 'results-board';

/** Scopes a token needs to post to and view the board. */
export const BOARD_ACCESS_SCOPE = `access:services!service=${BOARD_SERVICE_NAME}`;
/** Scope a kernel's token needs to look up the board's address through the hub API. */
export const BOARD_READ_SCOPE = `read:services!service=${BOARD_SERVICE_NAME}`;

/** Options of {@link boardServiceConfig}. */
export interface BoardServiceOptions {
  /** Where the course is installed (holds dist/ and node_modules/), e.g. /opt/transfer-lab. */
  installDir: string;
  /** Folder for results.jsonl, writable by the hub's user, e.g. /var/lib/transfer-lab/board. */
  dataDir: string;
  /** Port the board listens on at 127.0.0.1 (the proxy forwards /services/results-board/ to it). */
  port: number;
  /** Node executable the hub runs; default 'node' (found on the hub's PATH). */
  nodeCommand?: string;
}

/** A JupyterHub role as `c.JupyterHub.load_roles` takes it. */
export interface HubRoleSpec {
  name: string;
  description: string;
  scopes: string[];
}

/**
 * The `c.JupyterHub.services` and `c.JupyterHub.load_roles` entries for the board. If the
 * config defines its own `user` or `server` role, merge the scopes by role name (the hub refuses
 * a role defined twice).
 * @example
 * const { services, roles } = boardServiceConfig({ installDir: '/opt/transfer-lab',
 *   dataDir: '/var/lib/transfer-lab/board', port: 28100 });
 */
export function boardServiceConfig(opts: BoardServiceOptions): { services: object[]; roles: object[] } {
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new RangeError(`boardServiceConfig: port must be 1..65535; got ${JSON.stringify(opts.port)}.`);
  }
  const install = opts.installDir.replace(/\/+$/, '');
  const service = {
    name: BOARD_SERVICE_NAME,
    url: `http://127.0.0.1:${opts.port}`,
    command: [opts.nodeCommand ?? 'node', `${install}/dist/classroom/board/main.js`,
      '--data', opts.dataDir, '--port', String(opts.port)],
    // Part of the classroom, set up by the teacher: no "authorize this service?" page for students.
    oauth_no_confirm: true,
    display: true,
    info: { description: 'Class results board: every notebook 05 result, live, for the projector.' },
  };
  const roles: HubRoleSpec[] = [
    {
      name: 'user',
      description: 'Standard user privileges, plus the class results board',
      scopes: ['self', BOARD_ACCESS_SCOPE, BOARD_READ_SCOPE],
    },
    {
      name: 'server',
      description: "A user's server (and its kernels): post activity, and post to the class results board",
      scopes: ['users:activity!user', 'access:servers!user', BOARD_ACCESS_SCOPE, BOARD_READ_SCOPE],
    },
  ];
  return { services: [service], roles };
}
