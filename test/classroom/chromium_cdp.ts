/**
 * Debian's headless chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
 * JSON messages separated by NUL on file descriptors 3 and 4), so a test can log in through real
 * pages, read the DOM and take a screenshot as a person would see it. Started and stopped by PID.
 * Used by the board's hub test and by scripts/test-classroom.mjs (imported there through tsx).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

/** One headless chromium with one page attached. */
export class HeadlessChromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((method: string, params: Record<string, unknown>) => void)[] = [];
  private sessionId = '';

  private constructor(readonly proc: ChildProcess, private readonly profile: string) {
    let buffer = '';
    (proc.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(buffer.slice(0, end)) as {
          id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>;
        };
        buffer = buffer.slice(end + 1);
        if (message.id !== undefined) {
          const p = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) p?.reject(new Error(`chromium: ${message.error.message}`));
          else p?.resolve(message.result ?? {});
        } else if (message.method) {
          for (const l of this.listeners) l(message.method, message.params ?? {});
        }
      }
    });
  }

  /** Starts chromium (window 1600x900 unless given) and attaches to its first page. */
  static async launch(windowSize = '1600,900'): Promise<HeadlessChromium> {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-chromium-'));
    const proc = spawn('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      `--window-size=${windowSize}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const browser = new HeadlessChromium(proc, profile);
    const { targetInfos } = (await browser.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string }[] };
    const page = targetInfos.find((t) => t.type === 'page');
    if (!page) throw new Error('chromium: no page target');
    const { sessionId } = (await browser.send('Target.attachToTarget', { targetId: page.targetId, flatten: true })) as { sessionId: string };
    browser.sessionId = sessionId;
    await browser.send('Page.enable');
    return browser;
  }

  /** Sends one protocol command to the page (or the browser, before attaching). */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = { id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.proc.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Navigates (or runs `action`) and waits for the page's load event. */
  async loaded(action: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('chromium: page did not load in time')), timeoutMs);
      this.listeners.push((method) => {
        if (method === 'Page.loadEventFired') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await action();
    await done;
    this.listeners.length = 0;
  }

  goto(url: string): Promise<void> {
    return this.loaded(() => this.send('Page.navigate', { url }));
  }

  /** Evaluates an expression in the page and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as
      { result: { value: T }; exceptionDetails?: { text: string } };
    if (r.exceptionDetails) throw new Error(`chromium: ${r.exceptionDetails.text}`);
    return r.result.value;
  }

  /** Writes a PNG of the viewport. */
  async screenshot(file: string): Promise<string> {
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
    fs.writeFileSync(file, Buffer.from(data, 'base64'));
    return file;
  }

  /** Closes chromium (by its PID) and removes its profile. */
  async close(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}
