/**
 * The board's HTTP server (plain node:http). Every route sits under the service prefix the hub's
 * proxy forwards (`/services/results-board/`), and every route but the OAuth callback needs a hub
 * token whose scopes grant access to this service:
 *
 *   GET  <prefix>                      the projector page (browser: hub OAuth, then a cookie)
 *   GET  <prefix>api/results           latest result per student + dataset + strategy; ?history=1 adds all posts
 *   GET  <prefix>api/view?since=N      the page's table + figure, 204 when nothing is newer than N
 *   POST <prefix>api/results           a student posts a result (Authorization: token <hub token> only)
 *   GET  <prefix>static/plotly.min.js  the plotly bundle from the course's node_modules
 *   GET  <prefix>oauth_callback        last step of the hub's OAuth login
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { BoardError } from './errors';
import { HubAuth, HubIdentity } from './hub_auth';
import { renderBoardPage } from './page';
import { parseResultInput } from './results';
import { ResultStore } from './store';
import { boardView } from './view';

/** What {@link createBoardServer} needs. */
export interface BoardServerOptions {
  store: ResultStore;
  auth: HubAuth;
  /** URL prefix the proxy forwards, with the trailing slash; default '/services/results-board/'. */
  prefix?: string;
  /** The plotly bundle file; default `require.resolve('plotly.js-dist-min/plotly.min.js')`. */
  plotlyFile?: string;
  /** Where to log one line per post and refusal; default `console.log`. */
  log?: (line: string) => void;
}

/** Largest request body accepted (a result is ~200 bytes). */
const MAX_BODY_BYTES = 16 * 1024;

/** Builds the board's server (not listening yet). */
export function createBoardServer(opts: BoardServerOptions): http.Server {
  const prefix = opts.prefix ?? '/services/results-board/';
  const plotlyFile = opts.plotlyFile ?? require.resolve('plotly.js-dist-min/plotly.min.js');
  const log = opts.log ?? ((line: string) => console.log(line));
  const { store, auth } = opts;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://board.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === prefix.replace(/\/$/, '')) return redirect(res, prefix);
    if (!url.pathname.startsWith(prefix)) return sendJson(res, 404, { error: `results-board: no page at ${url.pathname}` });
    const route = url.pathname.slice(prefix.length);

    if (route === 'oauth_callback' && method === 'GET') return oauthCallback(req, res, url);

    const headerToken = tokenFromHeader(req);
    const cookieToken = parseCookies(req.headers.cookie)[auth.cookieName];
    const isPage = route === '' && method === 'GET';
    if (method === 'POST' && route === 'api/results') {
      // Only a token header may post: a browser cookie alone would let any page the teacher opens post.
      if (!headerToken) {
        throw new BoardError(401, 'results-board: posting needs the header "Authorization: token <your hub token>"; ' +
          'inside a classroom notebook, lab.postClassResult() does this for you.');
      }
      const who = await allowed(headerToken);
      if (who.kind !== 'user') {
        throw new BoardError(403, `results-board: only hub users post results; ${who.kind} ${who.name} cannot.`);
      }
      const input = parseResultInput(await readJson(req), who.name);
      const stored = await store.append({ student: who.name, ...input, postedAt: new Date().toISOString() });
      log(`results-board: ${who.name} posted ${stored.dataset} / ${stored.strategy}: ` +
        `${(stored.valAccuracy * 100).toFixed(1)}% in ${stored.seconds.toFixed(0)} s (${stored.backend})`);
      return sendJson(res, 201, stored);
    }
    if (method !== 'GET') {
      throw new BoardError(405, `results-board: ${method} ${url.pathname} is not supported; results are posted ` +
        `to ${prefix}api/results.`);
    }

    const token = headerToken ?? cookieToken;
    if (!token) {
      if (isPage) return startOAuth(res, url);
      throw new BoardError(401, 'results-board: sign in through the hub first (no hub token in the request).');
    }
    let who: HubIdentity;
    try {
      who = await allowed(token);
    } catch (e) {
      // A browser whose cookie expired logs in again instead of seeing an error page.
      if (isPage && !headerToken && e instanceof BoardError && e.status === 401) return startOAuth(res, url);
      throw e;
    }

    if (isPage) {
      const page = renderBoardPage(boardView(store.latest(), store.version), {
        plotlyUrl: `${prefix}static/plotly.min.js`,
        viewUrl: `${prefix}api/view`,
        viewer: who.name,
      });
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(page);
      return;
    }
    if (route === 'api/results') {
      const body: Record<string, unknown> = { version: store.version, results: store.latest() };
      if (url.searchParams.get('history') === '1') body.history = store.history();
      return sendJson(res, 200, body);
    }
    if (route === 'api/view') {
      const since = Number(url.searchParams.get('since'));
      if (url.searchParams.has('since') && since === store.version) {
        res.writeHead(204, { 'Cache-Control': 'no-store' });
        res.end();
        return;
      }
      return sendJson(res, 200, boardView(store.latest(), store.version));
    }
    if (route === 'static/plotly.min.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'private, max-age=86400' });
      fs.createReadStream(plotlyFile).on('error', () => res.destroy()).pipe(res);
      return;
    }
    sendJson(res, 404, { error: `results-board: no page at ${url.pathname}` });
  };

  /** The identity of a token that may use the board. @throws BoardError 401 (unknown token) or 403 (no access). */
  const allowed = async (token: string): Promise<HubIdentity> => {
    const who = await auth.identify(token);
    if (!who) throw new BoardError(401, 'results-board: the hub does not know this token (expired or wrong); sign in again.');
    if (!auth.mayAccess(who)) {
      throw new BoardError(403, `results-board: hub ${who.kind} ${who.name} has no access to this service ` +
        `(needs scope access:services!service=${auth.serviceName}); the teacher grants it in jupyterhub_config.py.`);
    }
    return who;
  };

  const startOAuth = (res: http.ServerResponse, url: URL): void => {
    const state = auth.newState();
    const next = url.pathname + url.search;
    res.setHeader('Set-Cookie', cookie(`${auth.cookieName}-oauth-state`, `${state}|${encodeURIComponent(next)}`,
      { path: prefix, maxAge: 600 }));
    redirect(res, auth.authorizeUrl(state));
  };

  const oauthCallback = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const error = url.searchParams.get('error');
    if (error) throw new BoardError(400, `results-board: the hub's OAuth login failed: ${url.searchParams.get('error_description') ?? error}`);
    const code = url.searchParams.get('code');
    const state = url.searchParams.get('state');
    const [savedState, savedNext] = (parseCookies(req.headers.cookie)[`${auth.cookieName}-oauth-state`] ?? '').split('|');
    if (!code || !state || state !== savedState) {
      throw new BoardError(403, 'results-board: OAuth state does not match (an old or foreign login link); ' +
        `open ${prefix} again to log in.`);
    }
    const token = await auth.tokenForCode(code);
    const next = decodeURIComponent(savedNext ?? '');
    res.setHeader('Set-Cookie', [
      cookie(`${auth.cookieName}-oauth-state`, '', { path: prefix, maxAge: 0 }),
      cookie(auth.cookieName, token, { path: prefix }),
    ]);
    redirect(res, next.startsWith(prefix) ? next : prefix);
  };

  return http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof BoardError ? e.status : 500;
      const message = e instanceof Error ? e.message : String(e);
      if (status >= 500 || status === 403) log(message);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.destroy();
    });
  });
}

/** The token of an `Authorization: token <t>` (or `bearer <t>`) header, as jupyterhub reads it. */
export function tokenFromHeader(req: http.IncomingMessage): string | undefined {
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? m[1] : undefined;
}

/** Cookie header -> name/value map (values URI-decoded). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

function cookie(name: string, value: string, o: { path: string; maxAge?: number }): string {
  const age = o.maxAge === undefined ? '' : `; Max-Age=${o.maxAge}`;
  return `${name}=${encodeURIComponent(value)}; Path=${o.path}; HttpOnly; SameSite=Lax${age}`;
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BoardError(413, `results-board: body larger than ${MAX_BODY_BYTES} bytes; a result is a few hundred.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new BoardError(400, `results-board: the body is not JSON: ${text.slice(0, 80)}`);
  }
}
