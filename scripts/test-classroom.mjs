#!/usr/bin/env zx
// npm run test:classroom [-- --students 4] [--no-warm] [--port 18000] [--keep-on-failure]
//
// The classroom server end to end, on this machine, as root (Debian): sets up a classroom with
// real student accounts (tlstud01..), in temporary folders so a real setup is never touched, warms
// the shared feature cache, starts the hub on 127.0.0.1, logs every student in through the hub
// (PAM: POST /hub/login, then a token from the hub's REST API with their password), starts their
// servers, and runs the student copy of notebook 05 in quick mode for ALL students AT THE SAME
// TIME through their Jupyter servers' kernel API with @jupyterlab/services. It asserts every
// notebook finished with no error, the shared feature cache was hit (each kernel's own count, and
// nothing written to the students' own caches), that no student can read another's folder (through
// the hub and on disk), that each student's three results are on the class results board under
// their own name with the accuracies their kernel computed, and that nobody can post as another
// (nor read or post without a hub token). Everything it started is stopped by PID and the accounts are
// removed, also on failure or Ctrl-C. Prints a table (wall time, peak memory, CPU seconds per
// student) and ends with `classroom: N students passed, M failed`.
//
// Then, in a real browser (Debian's headless chromium over the DevTools protocol), the first
// student logs in through the hub's login form, opens their copy of notebook 00 in the classic
// Notebook UI, runs all cells from the page and the test asserts every code cell ran without an
// error output; the screenshot is kept (default /tmp/transfer-lab-classroom-00-setup-check.png,
// or --screenshot PATH) and its path printed in the summary.
//
// --no-warm skips the warm-up (and the cache-hit assertion): the capacity table's "without the
// warm cache" column.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $, argv, chalk } from 'zx';
import WebSocket from 'ws';
import { ContentsManager, KernelManager, ServerConnection, SessionManager } from '@jupyterlab/services';
import { tsImport } from 'tsx/esm/api';
import { buildLibrary, defaultMirror, root } from './lib/setup-steps.mjs';

const STUDENTS = Number(argv.students ?? 4);
const PREFIX = 'tlstud';
const TEACHER = 'tlteach';
const PORT = Number(argv.port ?? 18000);
const WARM = argv.warm !== false;
const NOTEBOOK = '05-build-and-fine-tune.ipynb';
const HUB = `http://127.0.0.1:${PORT}`;
const BROWSER_NOTEBOOK = '00-setup-check.ipynb';
const SCREENSHOT = path.resolve(argv.screenshot ?? path.join(os.tmpdir(), 'transfer-lab-classroom-00-setup-check.png'));

if (process.getuid() !== 0 || !existsSync('/etc/debian_version')) {
  console.error(chalk.red('test:classroom: run as root on Debian/Ubuntu (it creates real accounts and installs JupyterHub with apt).'));
  process.exit(2);
}
const mirror = defaultMirror();
if (!mirror) {
  console.error(chalk.red('test:classroom: needs the course mirror (TRANSFER_LAB_MIRROR, or ../shared/assets beside the project).'));
  process.exit(2);
}

await buildLibrary();
const cli = path.join(root, 'dist', 'cli', 'main.js');
const { removeStudentAccount, readPasswordsFile, lookupAccount } = await import(path.join(root, 'dist', 'classroom', 'accounts.js'));
const { pidAlive, stopPid } = await import(path.join(root, 'dist', 'classroom', 'hub.js'));

// Everything lives under one temporary folder: the install, config, state, kernelspec prefix.
const base = mkdtempSync('/tmp/transfer-lab-classroom-test-');
chmodSync(base, 0o755); // students must reach the install folder inside it
const dirs = { install: `${base}/opt`, config: `${base}/etc`, state: `${base}/var`, kernels: `${base}/kernels` };
const folderArgs = ['--install-dir', dirs.install, '--config-dir', dirs.config, '--state-dir', dirs.state, '--kernel-prefix', dirs.kernels];
const names = Array.from({ length: STUDENTS }, (_, i) => `${PREFIX}${String(i + 1).padStart(2, '0')}`);
const timings = {};
const t = async (label, fn) => {
  const t0 = Date.now();
  const out = await fn();
  timings[label] = (Date.now() - t0) / 1000;
  console.log(chalk.dim(`  ${label}: ${timings[label].toFixed(1)} s`));
  return out;
};

// ---- clean-up: by PID, also on failure and on Ctrl-C / SIGTERM --------------------------------
let cleaned = false;
let browserProc; // the headless chromium of the browser phase, stopped by PID if the test is interrupted
/** PIDs of every process owned by a user, from /proc (so leftovers are stopped by PID, never by name). */
function pidsOfUid(uid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const real = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (real === uid) pids.push(Number(entry));
    } catch { /* the process ended meanwhile */ }
  }
  return pids;
}
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  console.log(chalk.dim('Cleaning up: hub (by PID), leftover processes of the test users (by PID), accounts, temporary folders ...'));
  if (browserProc?.pid && browserProc.exitCode === null && pidAlive(browserProc.pid)) await stopPid(browserProc.pid, 5000);
  try {
    await $({ nothrow: true, quiet: true })`node ${cli} classroom stop ${folderArgs}`;
  } catch { /* reported below through ps */ }
  for (const name of [...names, TEACHER]) {
    const account = lookupAccount(name);
    if (!account) continue;
    for (const pid of pidsOfUid(account.uid)) if (pidAlive(pid)) await stopPid(pid, 5000);
    try {
      removeStudentAccount(name);
    } catch (err) {
      console.error(chalk.red(`  could not remove ${name}: ${err.message}`));
    }
  }
  rmSync(base, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(chalk.red(`\n${signal}: cleaning up before exiting`));
    cleanup().finally(() => process.exit(130));
  });
}

// ---- per-student measurement: peak memory (RSS of all their processes) and CPU seconds ----------
const CLOCK_TICKS = 100; // USER_HZ on Linux
function sampleUser(uid, acc) {
  let rss = 0;
  for (const pid of pidsOfUid(uid)) {
    try {
      rss += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime, stime are fields 14 and 15 of stat (index 11, 12 after the command name)
      const ticks = Number(fields[11]) + Number(fields[12]);
      acc.cpu.set(pid, Math.max(acc.cpu.get(pid) ?? 0, ticks));
    } catch { /* ended */ }
  }
  acc.peakRss = Math.max(acc.peakRss, rss);
}

// ---- hub REST helpers -------------------------------------------------------------------------
async function hubJson(method, url, { token, body } = {}) {
  const res = await fetch(`${HUB}${url}`, {
    method,
    headers: { ...(token ? { Authorization: `token ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    redirect: 'manual',
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers };
}

/** A student logs in as a browser does (PAM via POST /hub/login), then gets an API token with their password. */
async function logIn(name, password) {
  const form = await fetch(`${HUB}/hub/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: name, password }),
    redirect: 'manual',
  });
  const cookie = form.headers.get('set-cookie') ?? '';
  if (form.status !== 302 || !cookie.includes('jupyterhub-hub-login')) throw new Error(`${name}: POST /hub/login answered ${form.status} without a login cookie`);
  const wrong = await fetch(`${HUB}/hub/login`, { method: 'POST', body: new URLSearchParams({ username: name, password: `${password}x` }), redirect: 'manual' });
  if (wrong.status === 302) throw new Error(`${name}: a wrong password was accepted by POST /hub/login`);
  const token = await hubJson('POST', `/hub/api/users/${name}/tokens`, { body: { auth: { username: name, password }, note: 'test:classroom' } });
  if (![200, 201].includes(token.status) || !token.json?.token) throw new Error(`${name}: token request answered ${token.status}: ${token.text.slice(0, 300)}`);
  return token.json.token;
}

async function startServer(name, token) {
  const r = await hubJson('POST', `/hub/api/users/${name}/server`, { token });
  if (![201, 202, 400].includes(r.status)) throw new Error(`${name}: starting the server answered ${r.status}: ${r.text.slice(0, 300)}`);
  const end = Date.now() + 180_000;
  for (;;) {
    const user = await hubJson('GET', `/hub/api/users/${name}`, { token });
    if (user.json?.servers?.['']?.ready) return;
    if (Date.now() > end) throw new Error(`${name}: the server was not ready after 180 s (hub log ${dirs.state}/jupyterhub.log)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The settings @jupyterlab/services needs to reach a student's server through the hub's proxy. */
function serverSettings(name, token) {
  return ServerConnection.makeSettings({ baseUrl: `${HUB}/user/${name}/`, wsUrl: `ws://127.0.0.1:${PORT}/user/${name}/`, token, appendToken: true, WebSocket });
}

/** Runs code in a kernel; returns { status, outputs (text), error }. */
async function execute(kernel, code) {
  const outputs = [];
  let error;
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg) => {
    const c = msg.content;
    if (msg.header.msg_type === 'stream') outputs.push(c.text);
    else if (msg.header.msg_type === 'error') error = `${c.ename}: ${c.evalue}\n${(c.traceback ?? []).join('\n')}`;
    else if (c?.data?.['text/plain']) outputs.push(String(c.data['text/plain']));
  };
  const reply = await future.done;
  return { status: reply.content.status, outputs: outputs.join(''), error: error ?? (reply.content.status === 'error' ? `${reply.content.ename}: ${reply.content.evalue}` : undefined) };
}

/** One student's lab: notebook 05 (their own copy, read through the contents API), cell by cell. */
async function runStudentLab(student, others) {
  const settings = serverSettings(student.name, student.token);
  const contents = new ContentsManager({ serverSettings: settings });
  const nb = await contents.get(`notebooks/${NOTEBOOK}`, { content: true });
  const cells = nb.content.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
  if (!cells.some((c) => c.includes('YOUR CODE HERE'))) throw new Error(`${student.name}: ${NOTEBOOK} in their folder is not the student copy (no 'YOUR CODE HERE')`);
  const kernelManager = new KernelManager({ serverSettings: settings });
  const sessions = new SessionManager({ kernelManager, serverSettings: settings });
  const session = await sessions.startNew({ path: `notebooks/${NOTEBOOK}`, type: 'notebook', name: NOTEBOOK, kernel: { name: 'tslab' } });
  const t0 = Date.now();
  const log = [];
  try {
    for (const [i, code] of cells.entries()) {
      const r = await execute(session.kernel, code);
      log.push(r.outputs);
      if (r.status !== 'ok') throw new Error(`${student.name}: code cell ${i + 1} of ${cells.length} failed: ${r.error}`);
    }
    student.seconds = (Date.now() - t0) / 1000;
    const counts = await execute(session.kernel, "import * as labCounts from '../dist/transfer';\nconsole.log('LOOKUPS ' + JSON.stringify(labCounts.featureCacheLookups()));");
    student.lookups = JSON.parse(/LOOKUPS (\{.*\})/.exec(counts.outputs)?.[1] ?? 'null');
    student.cachedLines = log.join('').match(/from the disk cache/g)?.length ?? 0;
    // What the kernel computed, to compare with what the board stored under this student.
    const acc = await execute(session.kernel, "console.log('ACCURACY ' + JSON.stringify({ fe: headAccuracy, ft: ftAccuracy, flowers: run.evaluation.accuracy }));");
    student.accuracy = JSON.parse(/ACCURACY (\{.*\})/.exec(acc.outputs)?.[1] ?? 'null');
    student.postedLine = /Posted to the class results board as [^\n]*/.exec(log.join(''))?.[0];
    // On disk: this student's kernel (their own Linux user) may not list another's folder.
    const other = others[0];
    const probe = await execute(session.kernel, `import * as fsProbe from 'fs';\ntry { fsProbe.readdirSync('/home/${other.name}/transfer-lab/notebooks'); console.log('PROBE read'); } catch (e) { console.log('PROBE ' + (e as NodeJS.ErrnoException).code); }`);
    student.diskProbe = /PROBE (\S+)/.exec(probe.outputs)?.[1];
  } finally {
    await session.shutdown().catch(() => undefined);
    session.dispose();
    sessions.dispose();
    kernelManager.dispose();
  }
}

/** Polls `check` (an expression evaluated in the page) until it is truthy; returns its value. */
async function pageWaitFor(browser, what, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await browser.evaluate(check);
    if (value) return value;
    if (Date.now() > end) throw new Error(`browser: timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A student in a real browser: logs in through the hub's login form, opens their copy of notebook
 * 00 in the classic Notebook UI, runs all cells from the page, waits until the kernel is idle and
 * every code cell has an execution count, and saves a screenshot. Returns what the page showed.
 */
async function browserLab(name, password) {
  const { HeadlessChromium } = await tsImport(path.join(root, 'test', 'classroom', 'chromium_cdp.ts'), import.meta.url);
  // A tall window: the classic UI scrolls inside the page, so the screenshot is the viewport.
  const browser = await HeadlessChromium.launch('1280,2300');
  browserProc = browser.proc;
  try {
    await browser.goto(`${HUB}/hub/login`);
    await browser.loaded(() => browser.evaluate(`(() => {
      document.querySelector('#username_input').value = ${JSON.stringify(name)};
      document.querySelector('#password_input').value = ${JSON.stringify(password)};
      document.querySelector('form').submit();
    })()`));
    const landed = await browser.evaluate('location.pathname');
    if (landed.startsWith('/hub/login')) throw new Error(`browser: the hub's login form did not accept ${name} (still on ${landed})`);
    const notebookPath = `/user/${name}/notebooks/notebooks/${BROWSER_NOTEBOOK}`;
    await browser.goto(`${HUB}${notebookPath}`); // the single-user server's OAuth redirects happen in the browser
    const opened = await browser.evaluate('location.pathname');
    if (opened !== notebookPath) throw new Error(`browser: opening ${notebookPath} ended on ${opened}`);
    await pageWaitFor(browser, 'the notebook and its tslab kernel', `!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded
      && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.name === 'tslab')`, 120_000);
    const t0 = Date.now();
    await browser.evaluate('Jupyter.notebook.execute_all_cells(), true');
    // Done: the kernel indicator says idle and every code cell has a number (not '*', not empty).
    await pageWaitFor(browser, 'every code cell to run', `(() => {
      const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      const idle = document.querySelector('#kernel_indicator_icon').classList.contains('kernel_idle_icon');
      return idle && cells.every((c) => typeof c.input_prompt_number === 'number');
    })()`, 180_000);
    const seconds = (Date.now() - t0) / 1000;
    const cells = await browser.evaluate(`Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').map((c) => ({
      count: c.input_prompt_number,
      errors: c.output_area.outputs.filter((o) => o.output_type === 'error').map((o) => o.ename + ': ' + o.evalue),
      text: c.output_area.element[0].innerText,
      pictures: c.output_area.element[0].querySelectorAll('img, svg, canvas').length,
    }))`);
    // Scroll to the top, so the screenshot starts at the backend line.
    await browser.evaluate("document.querySelector('#site').scrollTop = 0, true");
    await browser.screenshot(SCREENSHOT);
    return { cells, seconds, png: SCREENSHOT };
  } finally {
    await browser.close();
  }
}

// ---- the test ---------------------------------------------------------------------------------
const results = names.map((name) => ({ name, ok: false, problems: [], peakRss: 0, cpu: new Map() }));
let browserRun; // what the browser phase saw: { name, cells, errors, seconds, png, problems }
let exitCode = 1;
try {
  console.log(chalk.bold(`Classroom test: ${STUDENTS} students (${names[0]}..${names.at(-1)}), hub on ${HUB}, temporary folders in ${base}`));
  await t('setup', () => $({ stdio: 'inherit' })`node ${cli} classroom setup --students ${STUDENTS} --student-prefix ${PREFIX} --teacher ${TEACHER} --bind 127.0.0.1 --port ${PORT} --mirror ${mirror} --quick ${folderArgs}`);
  if (WARM) await t('warm (notebook 05 quick)', () => $({ stdio: 'inherit' })`node ${cli} classroom warm --mode quick --datasets none ${folderArgs}`);
  await t('start', () => $({ stdio: 'inherit' })`node ${cli} classroom start --background ${folderArgs}`);
  const passwords = readPasswordsFile(`${dirs.config}/passwords.txt`);
  const students = await t('log in + start servers', () => Promise.all(names.map(async (name) => {
    const token = await logIn(name, passwords.get(name));
    await startServer(name, token);
    return { name, token, uid: lookupAccount(name).uid };
  })));

  // Through the hub: a student's token opens only their own server.
  for (const [i, s] of students.entries()) {
    const other = students[(i + 1) % students.length];
    const res = await fetch(`${HUB}/user/${other.name}/api/contents/notebooks`, { headers: { Authorization: `token ${s.token}` }, redirect: 'manual' });
    const body = await res.text();
    if (res.status < 300 || body.includes(NOTEBOOK)) results[i].problems.push(`${s.name} read ${other.name}'s notebooks folder through the hub (HTTP ${res.status})`);
    else results[i].hubProbe = res.status;
  }

  // Every student's lab at the same time, sampled every 500 ms for memory and CPU.
  const sampler = setInterval(() => students.forEach((s, i) => sampleUser(s.uid, results[i])), 500);
  await t('notebook 05 (quick), all students at once', () => Promise.all(students.map(async (s, i) => {
    const r = results[i];
    try {
      await runStudentLab(s, students.filter((o) => o.name !== s.name));
      r.seconds = s.seconds;
      r.lookups = s.lookups;
      if (s.diskProbe !== 'EACCES') r.problems.push(`${s.name}'s kernel reading another student's folder gave '${s.diskProbe}', expected EACCES`);
      if (WARM) {
        if (!(s.lookups?.shared > 0) || s.lookups?.computed !== 0) r.problems.push(`${s.name}: feature lookups ${JSON.stringify(s.lookups)}: expected shared-cache hits and nothing computed`);
        const own = `/home/${s.name}/.cache/transfer-lab/features`;
        const written = existsSync(own) ? readdirSync(own).length : 0;
        if (written !== 0) r.problems.push(`${s.name}: ${written} files written to their own feature cache although the shared one was warm`);
      }
    } catch (err) {
      r.problems.push(err.message);
    }
  })));
  clearInterval(sampler);
  students.forEach((s, i) => sampleUser(s.uid, results[i]));

  // In a real browser: the first student logs in with the form and runs notebook 00 from the page.
  browserRun = await t(`browser: ${BROWSER_NOTEBOOK} in chromium`, async () => {
    const r = { name: students[0].name, problems: [] };
    try {
      Object.assign(r, await browserLab(r.name, passwords.get(r.name)));
      const failed = r.cells.flatMap((c, i) => c.errors.map((e) => `code cell ${i + 1}: ${e}`));
      r.errors = failed.length;
      if (failed.length) r.problems.push(`browser: ${BROWSER_NOTEBOOK} had error outputs: ${failed.join('; ').slice(0, 500)}`);
      if (!/Backend: \w+/.test(r.cells[0]?.text ?? '')) r.problems.push(`browser: the first cell did not print the backend line (it showed ${JSON.stringify((r.cells[0]?.text ?? '').slice(0, 200))})`);
      if (!r.cells.some((c) => c.pictures > 0)) r.problems.push('browser: no cell output shows a picture (the photo of notebook 00)');
      if (statSync(r.png).size < 20_000) r.problems.push(`browser: the screenshot ${r.png} is too small to show the notebook`);
    } catch (err) {
      r.problems.push(err.message);
    }
    results[0].problems.push(...r.problems);
    return r;
  });

  // The class results board: each student's three results under their own name, equal to what
  // their kernel computed; nobody posts as someone else; no hub token, no access.
  const BOARD = '/services/results-board/api/results';
  const board = await hubJson('GET', BOARD, { token: students[0].token });
  if (board.status !== 200) results.forEach((r) => r.problems.push(`GET ${BOARD} answered ${board.status}: ${board.text.slice(0, 200)}`));
  const rows = board.json?.results ?? [];
  for (const [i, s] of students.entries()) {
    const r = results[i];
    if (!s.accuracy) continue; // the notebook failed: already reported
    const want = [['ants/bees', 'feature extraction', s.accuracy.fe], ['ants/bees', 'fine-tuning', s.accuracy.ft], ['flowers12', 'fine-tuning', s.accuracy.flowers]];
    for (const [dataset, strategy, acc] of want) {
      const row = rows.find((x) => x.student === s.name && x.dataset === dataset && x.strategy === strategy);
      if (!row) r.problems.push(`board: no ${dataset} / ${strategy} result under ${s.name} (kernel said: ${s.postedLine ?? 'nothing posted'})`);
      else if (Math.abs(row.valAccuracy - acc) > 1e-9) r.problems.push(`board: ${s.name}'s ${dataset} / ${strategy} is ${row.valAccuracy}, their kernel computed ${acc}`);
    }
    r.boardRows = rows.filter((x) => x.student === s.name).length;
    const other = students[(i + 1) % students.length];
    const forged = await hubJson('POST', BOARD, { token: s.token, body: { student: other.name, dataset: 'forged', strategy: 'forged', valAccuracy: 1, seconds: 1, backend: 'wasm' } });
    if (forged.status !== 403) r.problems.push(`board: ${s.name} posting as ${other.name} answered ${forged.status}, expected 403`);
    else r.forgeRefused = true;
  }
  const anonymous = await hubJson('GET', BOARD);
  const anonymousPost = await hubJson('POST', BOARD, { body: { dataset: 'anon', strategy: 'anon', valAccuracy: 1, seconds: 1, backend: 'wasm' } });
  const afterForgery = await hubJson('GET', BOARD, { token: students[0].token });
  const forgedRows = (afterForgery.json?.results ?? []).filter((x) => x.dataset === 'forged' || x.dataset === 'anon').length;
  if (anonymous.status < 300 || anonymousPost.status < 300 || forgedRows > 0) {
    results.forEach((r) => r.problems.push(`board: without a hub token GET answered ${anonymous.status}, POST ${anonymousPost.status}; forged rows stored: ${forgedRows}`));
  }
  console.log(chalk.dim(`  board: ${rows.length} results; without a token GET ${anonymous.status}, POST ${anonymousPost.status}; forged rows stored: ${forgedRows}`));

  const status = await $({ nothrow: true })`node ${cli} classroom status ${folderArgs}`;
  if (!/hub\s+up/.test(status.stdout)) results.forEach((r) => r.problems.push('classroom status does not report the hub up'));

  for (const s of students) {
    const stop = await hubJson('DELETE', `/hub/api/users/${s.name}/server`, { token: s.token });
    if (![202, 204].includes(stop.status)) results.find((r) => r.name === s.name).problems.push(`stopping ${s.name}'s server answered ${stop.status}`);
  }
  for (const r of results) r.ok = r.problems.length === 0 && r.seconds !== undefined;
  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (err) {
  console.error(chalk.red(`test:classroom: ${err.stack ?? err}`));
  const log = `${dirs.state}/jupyterhub.log`;
  if (existsSync(log)) console.error(chalk.dim(readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')));
} finally {
  await cleanup();
}

// ---- report -----------------------------------------------------------------------------------
const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('student', 10)}${pad('wall s', 9)}${pad('peak MB', 9)}${pad('CPU s', 8)}${pad('features (shared/own/computed)', 32)}${pad('hub probe', 11)}${pad('board rows', 12)}${pad('forgery', 10)}result`);
for (const r of results) {
  const cpu = [...r.cpu.values()].reduce((a, b) => a + b, 0) / CLOCK_TICKS;
  const l = r.lookups ? `${r.lookups.shared}/${r.lookups.own}/${r.lookups.computed}` : '-';
  console.log(`${pad(r.name, 10)}${pad(r.seconds?.toFixed(1) ?? '-', 9)}${pad((r.peakRss / 1e6).toFixed(0), 9)}${pad(cpu.toFixed(1), 8)}${pad(l, 32)}${pad(r.hubProbe ?? '-', 11)}${pad(r.boardRows ?? '-', 12)}${pad(r.forgeRefused ? 'refused' : '-', 10)}${r.ok ? chalk.green('pass') : chalk.red('FAIL')}`);
  for (const p of r.problems) console.log(chalk.red(`    ${p}`));
}
console.log(chalk.dim(`phases: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}; warm cache: ${WARM ? 'yes' : 'no'}`));
if (browserRun) {
  const ok = browserRun.problems.length === 0;
  console.log(`browser: ${browserRun.name} ran ${BROWSER_NOTEBOOK.replace('.ipynb', '')} in chromium: ${browserRun.cells?.length ?? '-'} code cells, ${browserRun.errors ?? '-'} errors`
    + `${browserRun.seconds !== undefined ? ` in ${browserRun.seconds.toFixed(1)} s` : ''}, screenshot ${browserRun.png ?? '-'} ${ok ? chalk.green('pass') : chalk.red('FAIL')}`);
} else console.log(chalk.red('browser: not run (the test stopped before the browser phase)'));
const passed = results.filter((r) => r.ok).length;
console.log(`classroom: ${passed} students passed, ${results.length - passed} failed`);
process.exit(exitCode);
