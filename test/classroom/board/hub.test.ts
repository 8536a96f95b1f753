/**
 * The board under a real JupyterHub 3 on 127.0.0.1 (ports 28000..28999): real system users
 * logging in with PAM passwords, tokens requested through the hub's REST API as a student would,
 * a real single-user server whose inherited token a kernel would use, the hub's OAuth login for
 * the projector page, and real restarts of the board and of the hub. Needs root, jupyterhub,
 * configurable-http-proxy (Debian packages) and a built dist/ (npm run build); skipped otherwise.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CookieJar, createUsers, freePorts, HubSettings, isAlive, killLeftovers, removeUsers, RunningHub, startHub, stopHub,
  tail, TestUser, userExists, waitFor, writeHubConfig, hubUnavailableReason,
} from './hub_fixture';
import { HeadlessChromium } from '../chromium_cdp';

const root = path.resolve(__dirname, '../../..');
const boardMain = path.join(root, 'dist/classroom/board/main.js');
const STUDENTS = ['tlbrd1', 'tlbrd2'];
const TEACHER = 'tlbrdteach';

function skipReason(): string | null {
  const hub = hubUnavailableReason();
  if (hub) return hub;
  if (!fs.existsSync(boardMain)) return `${boardMain} is missing: run npm run build first`;
  const newestSource = Math.max(...fs.readdirSync(path.join(root, 'src/classroom/board'))
    .map((f) => fs.statSync(path.join(root, 'src/classroom/board', f)).mtimeMs));
  if (fs.statSync(boardMain).mtimeMs < newestSource) return `${boardMain} is older than src/classroom/board: run npm run build`;
  return null;
}

const reason = skipReason();
if (reason) console.log(`# board hub test skipped: ${reason}`);

describe('class results board under a real JupyterHub', { skip: reason ?? false, timeout: 600_000 }, () => {
  let settings: HubSettings;
  let configFile: string;
  let hub: RunningHub | undefined;
  let users: TestUser[] = [];
  const tokens: Record<string, string> = {};
  const pids = new Set<number>();
  let boardPrefix = '';
  let boardDirect = '';

  const hubApi = async (route: string, token: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${hub!.apiUrl}${route}`, { ...init, headers: { Authorization: `token ${token}`, ...(init.headers ?? {}) } });
  const boardPid = async (): Promise<number> => {
    const model = (await (await hubApi('/services/results-board', settings.adminToken)).json()) as { pid: number };
    return model.pid;
  };
  const post = (base: string, body: unknown, token?: string, extra: Record<string, string> = {}): Promise<Response> =>
    fetch(`${base}api/results`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `token ${token}` } : {}), ...extra },
      body: JSON.stringify(body),
    });
  const latest = async (token: string, history = false): Promise<{ version: number; results: any[]; history?: any[] }> => {
    const res: Response = await fetch(`${boardDirect}api/results${history ? '?history=1' : ''}`, { headers: { Authorization: `token ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json() as Promise<{ version: number; results: any[]; history?: any[] }>;
  };
  const result = (valAccuracy: number, strategy = 'fine-tuning') =>
    ({ dataset: 'ants/bees', strategy, valAccuracy, seconds: 42, backend: 'wasm' });

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlbrd-hub-'));
    fs.chmodSync(dir, 0o755);
    settings = {
      dir, installDir: root, dataDir: path.join(dir, 'board-data'), ports: await freePorts(),
      students: STUDENTS, teacher: TEACHER, adminToken: randomBytes(24).toString('hex'),
    };
    users = createUsers([...STUDENTS, TEACHER]);
    configFile = writeHubConfig(settings);
    hub = await startHub(settings, configFile);
    pids.add(hub.pid);
    pids.add(Number(fs.readFileSync(path.join(dir, 'proxy.pid'), 'utf8')));
    pids.add(await boardPid());
    boardPrefix = `${hub.url}/services/results-board/`;
    boardDirect = `http://127.0.0.1:${settings.ports[3]}/services/results-board/`;
    // Each person asks the hub for a token with their own password, as a student would from a terminal.
    for (const u of users) {
      const res: Response = await fetch(`${hub.apiUrl}/users/${u.name}/tokens`, {
        method: 'POST',
        body: JSON.stringify({ auth: { username: u.name, password: u.password }, note: 'board test' }),
      });
      assert.equal(res.status, 201, `token for ${u.name}: ${await res.clone().text()}`);
      tokens[u.name] = ((await res.json()) as { token: string }).token;
    }
  });

  after(async () => {
    try {
      if (hub) {
        for (const s of STUDENTS) await hubApi(`/users/${s}/server`, settings.adminToken, { method: 'DELETE' }).catch(() => undefined);
        await stopHub(hub);
      }
    } finally {
      const leftovers = await killLeftovers([...pids]);
      const removed = removeUsers([...STUDENTS, TEACHER]);
      const stillAlive = [...pids].filter(isAlive);
      const ps = spawnSync('ps', ['-eo', 'pid,user,args'], { encoding: 'utf8' }).stdout;
      console.log(`# stopped hub, proxy, board and servers (pids ${[...pids].join(', ')}); ` +
        `killed leftovers: ${leftovers.join(', ') || 'none'}; removed users: ${removed.join(', ')}`);
      if (settings && process.exitCode) console.log(tail(path.join(settings.dir, 'hub.log'), 60));
      if (settings) fs.rmSync(settings.dir, { recursive: true, force: true });
      assert.deepEqual(stillAlive, [], `processes still alive: ${stillAlive}`);
      assert.ok(!/tlbrd/.test(ps), `processes of the test users remain:\n${ps.split('\n').filter((l) => /tlbrd/.test(l)).join('\n')}`);
      assert.ok(![...STUDENTS, TEACHER].some(userExists), 'test users remain');
    }
  });

  it('a student posts with their own hub token (through the proxy) and the result appears under their name', async () => {
    const res = await post(boardPrefix, result(0.9), tokens.tlbrd1);
    assert.equal(res.status, 201, await res.clone().text());
    const stored = (await res.json()) as { student: string; postedAt: string };
    assert.equal(stored.student, 'tlbrd1');
    assert.ok(Date.now() - Date.parse(stored.postedAt) < 60_000);
    // Another student (and the teacher) see it under tlbrd1's name.
    for (const viewer of ['tlbrd2', TEACHER]) {
      const { results } = await latest(tokens[viewer]);
      assert.deepEqual(results.map((r) => [r.student, r.valAccuracy]), [['tlbrd1', 0.9]]);
    }
  });

  it('a student cannot post as another student', async () => {
    const res = await post(boardPrefix, { ...result(1.0), student: 'tlbrd2' }, tokens.tlbrd1);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error,
      /signed in to the hub as "tlbrd1"; a result can only be posted as yourself, but the body names student "tlbrd2"/);
    const { results } = await latest(tokens.tlbrd2);
    assert.ok(!results.some((r) => r.student === 'tlbrd2'), JSON.stringify(results));
  });

  it('no token, an invalid token, or a browser cookie alone can neither post nor read', async () => {
    const none = await post(boardPrefix, result(0.5));
    assert.equal(none.status, 401);
    assert.match(((await none.json()) as { error: string }).error, /posting needs the header "Authorization: token <your hub token>"/);
    const forged = await post(boardPrefix, result(0.5), 'not-a-real-token');
    assert.equal(forged.status, 401);
    assert.match(((await forged.json()) as { error: string }).error, /the hub does not know this token/);
    const cookieOnly = await post(boardPrefix, result(0.5), undefined, { Cookie: `service-results-board=${tokens.tlbrd1}` });
    assert.equal(cookieOnly.status, 401);
    for (const route of ['api/results', 'api/view', 'static/plotly.min.js']) {
      assert.equal((await fetch(`${boardPrefix}${route}`)).status, 401, route);
      assert.equal((await fetch(`${boardPrefix}${route}`, { headers: { Authorization: 'token nope' } })).status, 401, route);
    }
    // The page sends a browser without a login to the hub's OAuth, not to the results.
    const page = await fetch(boardPrefix, { redirect: 'manual' });
    assert.equal(page.status, 302);
    assert.match(page.headers.get('location')!, /^\/hub\/api\/oauth2\/authorize\?client_id=service-results-board&/);
    const { results } = await latest(tokens.tlbrd1);
    assert.equal(results.length, 1);
  });

  it("a kernel in the student's single-user server posts with the token it inherits", async () => {
    const start = await hubApi('/users/tlbrd2/server', settings.adminToken, { method: 'POST' });
    assert.ok([201, 202].includes(start.status), await start.text());
    const pid = await waitFor('tlbrd2 server ready', async () => {
      const user = (await (await hubApi('/users/tlbrd2', settings.adminToken)).json()) as
        { servers?: Record<string, { ready: boolean; state?: { pid?: number } }> };
      const server = user.servers?.[''];
      return server?.ready && server.state?.pid ? server.state.pid : undefined;
    }, 120_000, 1000);
    pids.add(pid);
    // A kernel inherits its server's environment: read it from the running server process.
    const serverEnv = Object.fromEntries(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
      .filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    assert.equal(serverEnv.JUPYTERHUB_USER, 'tlbrd2');
    const kernelEnv = {
      PATH: process.env.PATH,
      ...Object.fromEntries(Object.entries(serverEnv).filter(([k]) => k.startsWith('JUPYTERHUB_'))),
    };
    const script = `require(${JSON.stringify(path.join(root, 'dist/classroom/board/client.js'))})
      .postClassResult(${JSON.stringify([result(0.85, 'feature extraction'), result(0.875)])})
      .then((o) => console.log(JSON.stringify(o.posted.map((r) => r.student))), (e) => { console.error(e.message); process.exit(1); });`;
    // Run as the student, with only what the kernel would have.
    const uid = Number(execFileSync('id', ['-u', 'tlbrd2'], { encoding: 'utf8' }));
    const run = spawnSync(process.execPath, ['-e', script], { env: kernelEnv, uid, gid: uid, cwd: '/tmp', encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Posted to the class results board as tlbrd2: ants\/bees · feature extraction 85\.0%, ants\/bees · fine-tuning 87\.5%\./);
    const { results } = await latest(tokens[TEACHER]);
    assert.deepEqual(results.filter((r) => r.student === 'tlbrd2').map((r) => [r.strategy, r.valAccuracy]),
      [['feature extraction', 0.85], ['fine-tuning', 0.875]]);
    // Outside a hub the same call posts nothing and says so in one line.
    const outside = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    assert.equal(outside.status, 0, outside.stderr);
    assert.match(outside.stdout, /^No class results board here \(not running inside a JupyterHub classroom server\): nothing posted\.\n\[\]\n$/);
  });

  it("the teacher's browser logs in through the hub's OAuth and gets the page", async () => {
    const jar = new CookieJar();
    const teacher = users.find((u) => u.name === TEACHER)!;
    const login = await fetch(`${hub!.url}/hub/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: teacher.name, password: teacher.password }),
    });
    assert.equal(login.status, 302, await login.text());
    jar.store(login);
    let url = boardPrefix;
    let res: Response | undefined;
    for (let hop = 0; hop < 6; hop++) {
      res = await fetch(url, { redirect: 'manual', headers: { Cookie: jar.header() } });
      jar.store(res);
      if (res.status !== 302) break;
      url = new URL(res.headers.get('location')!, hub!.url).toString();
    }
    assert.equal(res!.status, 200, `${url}: ${await res!.clone().text()}`);
    assert.ok(jar.has('service-results-board'));
    const html = await res!.text();
    assert.match(html, /signed in as tlbrdteach/);
    assert.match(html, /<script src="\/services\/results-board\/static\/plotly\.min\.js">/);
    const plotly = await fetch(`${boardPrefix}static/plotly.min.js`, { headers: { Cookie: jar.header() } });
    assert.equal(plotly.status, 200);
    assert.ok((await plotly.text()).length > 1_000_000);
    const view = await fetch(`${boardPrefix}api/view`, { headers: { Cookie: jar.header() } });
    const body = (await view.json()) as { students: number; results: number; tableHtml: string };
    assert.deepEqual([body.students, body.results], [2, 3]);
    assert.match(body.tableHtml, /tlbrd2/);
    // The cookie reads but never posts.
    assert.equal((await post(boardPrefix, result(0.1), undefined, { Cookie: jar.header() })).status, 401);
  });

  it('a re-post becomes the latest and the history keeps both', async () => {
    assert.equal((await post(boardPrefix, result(0.95), tokens.tlbrd1)).status, 201);
    const { results, history } = await latest(tokens.tlbrd1, true);
    assert.deepEqual(results.filter((r) => r.student === 'tlbrd1').map((r) => r.valAccuracy), [0.95]);
    assert.deepEqual(history!.filter((r) => r.student === 'tlbrd1').map((r) => r.valAccuracy), [0.9, 0.95]);
  });

  it('in a real browser the teacher logs in, sees the page, and a new post appears without a reload', async (t) => {
    if (spawnSync('chromium', ['--version']).status !== 0) {
      t.skip('Debian chromium is not installed');
      return;
    }
    const browser = await HeadlessChromium.launch();
    pids.add(browser.proc.pid!);
    try {
      const teacher = users.find((u) => u.name === TEACHER)!;
      await browser.goto(`${hub!.url}/hub/login`);
      await browser.loaded(() => browser.evaluate(`(() => {
        document.querySelector('#username_input').value = ${JSON.stringify(teacher.name)};
        document.querySelector('#password_input').value = ${JSON.stringify(teacher.password)};
        document.querySelector('form').submit();
      })()`));
      await browser.goto(boardPrefix); // the hub's OAuth redirects happen inside the browser
      assert.equal(await browser.evaluate<string>('location.pathname'), '/services/results-board/');
      await waitFor('plotly to draw', async () =>
        (await browser.evaluate<boolean>("!!document.querySelector('#plot .main-svg')")) || undefined, 20_000);
      const text = await browser.evaluate<string>('document.body.innerText');
      assert.match(text, /2 students, 3 results, all on wasm/);
      assert.match(text, /signed in as tlbrdteach/);
      // A student posts; the page polls every 3 s and redraws by itself.
      assert.equal((await post(boardPrefix, { ...result(0.66), dataset: 'flowers12' }, tokens.tlbrd2)).status, 201);
      await waitFor('the new result on the page', async () =>
        /2 students, 4 results/.test(await browser.evaluate<string>('document.body.innerText')) || undefined, 15_000);
      assert.match(await browser.evaluate<string>("document.querySelector('#table tbody tr').innerText"), /^tlbrd2\b/);
      const png = process.env.BOARD_SCREENSHOT ?? path.join(settings.dir, 'board.png');
      await browser.screenshot(png);
      assert.ok(fs.statSync(png).size > 20_000, 'a real screenshot, not a blank page');
      console.log(`# screenshot of the logged-in board: ${png}`);
    } finally {
      await browser.close();
    }
  });

  it('the board killed mid-class is restarted by the hub and has every result', async () => {
    const before = await latest(tokens[TEACHER], true);
    const oldPid = await boardPid();
    process.kill(oldPid, 'SIGKILL');
    // The hub polls its managed services (every 30 s by default) and starts a dead one again.
    const newPid = await waitFor('the hub to restart the board', async () => {
      const pid = await boardPid();
      if (pid === oldPid || !pid) return undefined;
      const res = await fetch(`${boardDirect}api/results`, { headers: { Authorization: `token ${tokens.tlbrd1}` } });
      return res.ok ? pid : undefined;
    }, 90_000, 1000);
    pids.add(newPid);
    assert.deepEqual(await latest(tokens[TEACHER], true), before);
  });

  it('a hub restart keeps every result', async () => {
    const before = await latest(tokens[TEACHER], true);
    await stopHub(hub!);
    hub = await startHub(settings, configFile);
    pids.add(hub.pid);
    pids.add(Number(fs.readFileSync(path.join(settings.dir, 'proxy.pid'), 'utf8')));
    pids.add(await boardPid());
    assert.deepEqual(await latest(tokens[TEACHER], true), before);
    assert.equal(before.history!.length, 5);
    // ... and posting goes on.
    assert.equal((await post(boardPrefix, result(0.7, 'feature extraction'), tokens.tlbrd1)).status, 201);
    assert.equal((await latest(tokens.tlbrd2)).results.length, 5);
  });
});
