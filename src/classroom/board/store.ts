/**
 * Durable storage of class results: one append-only JSON-lines file, each line written and
 * fsync'ed before the board answers the poster, so a board or hub restart mid-class loses no
 * result the board acknowledged. Nothing is ever rewritten: a re-post is a new line, the board
 * shows the latest per student + dataset + strategy, and the file is the history.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BoardError } from './errors';
import { ClassResult, isClassResult, resultKey } from './results';

/** File name of the results inside the board's data folder. */
export const RESULTS_FILE = 'results.jsonl';

/** Options of {@link ResultStore.open}. */
export interface ResultStoreOptions {
  /** Where to report lines that were skipped while loading; default `console.warn`. */
  warn?: (message: string) => void;
}

/** The board's results, loaded from and appended to `<dataDir>/results.jsonl`. */
export class ResultStore {
  private readonly all: ClassResult[];
  private readonly latestByKey = new Map<string, ClassResult>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    /** Path of the JSON-lines file. */
    readonly file: string,
    private readonly handle: fs.promises.FileHandle,
    loaded: ClassResult[],
  ) {
    this.all = loaded;
    for (const r of loaded) this.latestByKey.set(resultKey(r), r);
  }

  /**
   * Opens (creating when missing) the results of a board. A last line cut short by a crash was
   * never acknowledged to its poster, so it is dropped (the file is truncated to the last full
   * line); any other unreadable line is skipped with a warning, keeping every other result.
   * @example const store = await ResultStore.open('/var/lib/transfer-lab/board');
   */
  static async open(dataDir: string, opts: ResultStoreOptions = {}): Promise<ResultStore> {
    const warn = opts.warn ?? ((m: string) => console.warn(m));
    try {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o750 });
    } catch (e) {
      throw new BoardError(500, `ResultStore.open: cannot create the data folder ${dataDir}: ${(e as Error).message}. ` +
        `Give the board a writable --data folder.`);
    }
    const file = path.join(dataDir, RESULTS_FILE);
    const created = !fs.existsSync(file);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'a+', 0o640);
    } catch (e) {
      throw new BoardError(500, `ResultStore.open: cannot open ${file}: ${(e as Error).message}. ` +
        `The board needs read and write access to its --data folder.`);
    }
    if (created) await syncDirectory(dataDir);
    const text = await handle.readFile({ encoding: 'utf8' });
    let complete = text;
    if (text.length > 0 && !text.endsWith('\n')) {
      const cut = text.lastIndexOf('\n') + 1;
      complete = text.slice(0, cut);
      warn(`results-board: ${file} ended in a line cut short (${text.length - cut} bytes, written during a crash ` +
        `and never acknowledged); dropping it.`);
      await handle.truncate(Buffer.byteLength(complete, 'utf8'));
      await handle.sync();
    }
    const loaded: ClassResult[] = [];
    complete.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      if (isClassResult(parsed)) loaded.push(parsed);
      else warn(`results-board: ${file} line ${i + 1} is not a result; skipping it: ${line.slice(0, 80)}`);
    });
    return new ResultStore(file, handle, loaded);
  }

  /**
   * Appends a result and resolves once it is on disk (written and fsync'ed). Appends are
   * serialised, so concurrent posts never interleave inside a line.
   */
  append(result: ClassResult): Promise<ClassResult> {
    if (this.closed) {
      return Promise.reject(new BoardError(503, `ResultStore.append: ${this.file} is closed; the board is shutting down.`));
    }
    const line = `${JSON.stringify(result)}\n`;
    const done = this.queue.then(async () => {
      await this.handle.write(line);
      await this.handle.datasync();
      this.all.push(result);
      this.latestByKey.set(resultKey(result), result);
      return result;
    });
    // A failed write must not block the ones after it; the caller still sees its own failure.
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Every result ever posted, oldest first. */
  history(): ClassResult[] {
    return [...this.all];
  }

  /** The latest result per student + dataset + strategy, oldest post first. */
  latest(): ClassResult[] {
    return [...this.latestByKey.values()].sort((a, b) => a.postedAt.localeCompare(b.postedAt));
  }

  /** Number of results ever posted: changes exactly when the board has something new to show. */
  get version(): number {
    return this.all.length;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.handle.close();
  }
}

/** fsync a directory so a newly created file's entry survives a power cut. */
async function syncDirectory(dir: string): Promise<void> {
  const dh = await fs.promises.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
