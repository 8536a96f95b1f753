/**
 * Who is asking, according to JupyterHub. The board never trusts a name in a request: it sends
 * the request's hub token to the hub's `GET /hub/api/user` ("whoami", answered for any valid
 * token) and lets the request in only when the token's scopes include access to this service,
 * as jupyterhub's own `HubAuth.check_scopes` does (jupyterhub/services/auth.py, 3.0). The browser
 * page gets its token through the hub's OAuth flow (the same steps as `HubOAuth`).
 */
import { randomBytes } from 'node:crypto';
import { BoardError } from './errors';

/** The part of the hub's user model the board uses. */
export interface HubIdentity {
  /** 'user' for a person, 'service' for another hub service's token. */
  kind: 'user' | 'service';
  name: string;
  /** True for hub admins (the teacher). */
  admin: boolean;
  /** The token's expanded scopes, as the hub lists them. */
  scopes: string[];
}

/** Settings of {@link HubAuth}; `fromEnv` reads the ones the hub gives a managed service. */
export interface HubAuthOptions {
  /** Hub REST API, e.g. 'http://127.0.0.1:8081/hub/api' (env JUPYTERHUB_API_URL). */
  apiUrl: string;
  /** The service's own token: OAuth client secret (env JUPYTERHUB_API_TOKEN). */
  apiToken: string;
  /** Service name, used for the required scope (env JUPYTERHUB_SERVICE_NAME); default 'results-board'. */
  serviceName?: string;
  /** OAuth client id (env JUPYTERHUB_CLIENT_ID); default `service-<serviceName>`. */
  clientId?: string;
  /** Where the hub sends the browser back with a code (env JUPYTERHUB_OAUTH_CALLBACK_URL). */
  oauthCallbackUrl: string;
  /** Hub URL prefix seen by browsers, e.g. '/hub/' (env JUPYTERHUB_BASE_URL + 'hub/'). */
  hubPrefix: string;
  /** Hub host seen by browsers when the hub uses subdomains (env JUPYTERHUB_HOST); default ''. */
  hubHost?: string;
  /** Seconds a token's answer is reused before asking the hub again; default 30. */
  cacheSeconds?: number;
}

/** Identifies hub tokens and runs the OAuth steps for the board's browser page. */
export class HubAuth {
  readonly serviceName: string;
  readonly clientId: string;
  /** Scopes any one of which lets a token use the board. */
  readonly accessScopes: readonly string[];
  private readonly cache = new Map<string, { at: number; identity: HubIdentity | null }>();

  constructor(private readonly opts: HubAuthOptions) {
    this.serviceName = opts.serviceName ?? 'results-board';
    this.clientId = opts.clientId ?? `service-${this.serviceName}`;
    this.accessScopes = ['access:services', `access:services!service=${this.serviceName}`];
  }

  /**
   * Reads the settings a hub-managed service gets in its environment.
   * @throws BoardError when JUPYTERHUB_API_TOKEN or JUPYTERHUB_API_URL is missing (not started by the hub).
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): HubAuth {
    const missing = ['JUPYTERHUB_API_TOKEN', 'JUPYTERHUB_API_URL'].filter((k) => !env[k]);
    if (missing.length > 0) {
      throw new BoardError(500, `results-board: ${missing.join(' and ')} not set: the board must be started by ` +
        `JupyterHub as a managed service (see boardServiceConfig in src/classroom/board/service.ts).`);
    }
    const serviceName = env.JUPYTERHUB_SERVICE_NAME || 'results-board';
    const prefix = env.JUPYTERHUB_SERVICE_PREFIX || `/services/${serviceName}/`;
    return new HubAuth({
      apiUrl: env.JUPYTERHUB_API_URL!,
      apiToken: env.JUPYTERHUB_API_TOKEN!,
      serviceName,
      clientId: env.JUPYTERHUB_CLIENT_ID || undefined,
      oauthCallbackUrl: env.JUPYTERHUB_OAUTH_CALLBACK_URL || `${prefix}oauth_callback`,
      hubPrefix: `${(env.JUPYTERHUB_BASE_URL || '/').replace(/\/?$/, '/')}hub/`,
      hubHost: env.JUPYTERHUB_HOST || '',
    });
  }

  /**
   * Asks the hub whose token this is. Resolves null for a token the hub does not know (or that
   * has expired); answers are cached for `cacheSeconds`.
   * @throws BoardError(502) when the hub cannot be reached or answers with an error.
   */
  async identify(token: string): Promise<HubIdentity | null> {
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && now - hit.at < (this.opts.cacheSeconds ?? 30) * 1000) return hit.identity;
    let res: Response;
    try {
      res = await fetch(`${this.opts.apiUrl.replace(/\/$/, '')}/user`, { headers: { Authorization: `token ${token}` } });
    } catch (e) {
      throw new BoardError(502, `results-board: cannot reach the hub API at ${this.opts.apiUrl} to check a token: ` +
        `${(e as Error).message}. Is the hub running?`);
    }
    let identity: HubIdentity | null = null;
    if (res.status === 401 || res.status === 403) {
      identity = null;
    } else if (!res.ok) {
      throw new BoardError(502, `results-board: the hub answered ${res.status} when asked who a token belongs to ` +
        `(${this.opts.apiUrl}/user): ${(await res.text()).slice(0, 200)}`);
    } else {
      const model = (await res.json()) as Partial<HubIdentity>;
      identity = {
        kind: model.kind === 'service' ? 'service' : 'user',
        name: String(model.name),
        admin: model.admin === true,
        scopes: Array.isArray(model.scopes) ? model.scopes.map(String) : [],
      };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, { at: now, identity });
    return identity;
  }

  /** True when the identity's token may use this service (the teacher's and every student's may). */
  mayAccess(identity: HubIdentity): boolean {
    return identity.scopes.some((s) => this.accessScopes.includes(s));
  }

  /** A fresh random OAuth state value (also stored in a cookie to check the callback). */
  newState(): string {
    return randomBytes(18).toString('base64url');
  }

  /** Where to send a browser that has no valid board cookie: the hub's OAuth authorize page. */
  authorizeUrl(state: string): string {
    const q = new URLSearchParams({
      client_id: this.clientId,
      redirect_uri: this.opts.oauthCallbackUrl,
      response_type: 'code',
      state,
    });
    return `${this.opts.hubHost ?? ''}${this.opts.hubPrefix}api/oauth2/authorize?${q}`;
  }

  /**
   * Trades the code the hub gave the browser for the user's OAuth token (the last OAuth step).
   * @throws BoardError(502) when the hub refuses the code.
   */
  async tokenForCode(code: string): Promise<string> {
    const body = new URLSearchParams({
      client_id: this.clientId,
      client_secret: this.opts.apiToken,
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.opts.oauthCallbackUrl,
    });
    const url = `${this.opts.apiUrl.replace(/\/$/, '')}/oauth2/token`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await res.text();
    if (!res.ok) {
      throw new BoardError(502, `results-board: the hub refused the OAuth code at ${url} (${res.status}): ` +
        `${text.slice(0, 200)}. Open the board's page again to log in anew.`);
    }
    const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string') {
      throw new BoardError(502, `results-board: the hub's OAuth answer at ${url} has no access_token: ${text.slice(0, 200)}`);
    }
    return token;
  }

  /** Name of the cookie holding the browser's OAuth token (the client id, as HubOAuth names it). */
  get cookieName(): string {
    return this.clientId;
  }
}
