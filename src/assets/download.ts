/** Downloads one URL to a file: retries, progress, checksum, atomic rename. */
import { promises as fs, createWriteStream } from 'node:fs';
import * as path from 'node:path';
import { AssetError } from '../errors';
import { ProgressBar } from '../notebook/progress';
import { verifyDigest } from './checksum';
import type { Digest } from './registry';

/** Bytes received so far and the total when the server says it. */
export type ProgressListener = (received: number, total: number | undefined) => void;

export interface DownloadOptions {
  /** Expected digest; a mismatch deletes the file and counts as a failed attempt. */
  digest?: Digest;
  /**
   * Expected byte length, the check for a file whose publisher gives no digest: without it (and
   * without a Content-Length header) a connection cut short would look like a whole file. A
   * different length deletes the file and counts as a failed attempt. Defaults to no check.
   */
  size?: number;
  /** Attempts before giving up. Defaults to 3. */
  retries?: number;
  /** Called as bytes arrive. Defaults to a text progress line on stderr. */
  onProgress?: ProgressListener;
  /** The fetch function (tests pass a fake). Defaults to the global fetch. */
  fetchImpl?: typeof fetch;
  /** Milliseconds before the first retry; doubles each time. Defaults to 1000. */
  backoffMs?: number;
}

/**
 * A download's progress on stderr, drawn by the library's one progress renderer
 * (notebook/progress.ts: a line rewritten in place on a terminal, a line each 10% in logs, an
 * HTML bar in a notebook), counted in MB. Without a known size, a terminal sees the MB so far.
 */
export function textProgress(label: string): ProgressListener {
  let bar: ProgressBar | undefined;
  return (received, total) => {
    if (!total) {
      if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${megabytes(received)}`);
      return;
    }
    bar ??= new ProgressBar({ total, label, stream: process.stderr, formatCount: megabytes });
    if (received >= total) bar.done();
    else bar.update(received);
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Downloads `url` to `dest`. The bytes go to `dest.partial` first and are renamed only once
 * complete and verified, so an interrupted or corrupt download never looks like a good file.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const retries = options.retries ?? 3;
  const fetchImpl = options.fetchImpl ?? fetch;
  const onProgress = options.onProgress ?? textProgress(path.basename(dest));
  const partial = `${dest}.partial`;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  let lastError: unknown;
  for (let attempt = 1; attempt <= retries; attempt++) {
    try {
      const received = await fetchToFile(fetchImpl, url, partial, onProgress, options.size);
      if (options.size !== undefined && received !== options.size) {
        throw new AssetError(
          `downloadFile(${url}): received ${received} bytes, but the file is known to have ${options.size} ` +
            '(the connection was cut short, or the server sent another file); it was not kept.',
        );
      }
      await verifyDigest(partial, options.digest, `downloadFile(${url})`);
      await fs.rename(partial, dest);
      return;
    } catch (err) {
      lastError = err;
      await fs.rm(partial, { force: true });
      if (attempt < retries) await sleep((options.backoffMs ?? 1000) * 2 ** (attempt - 1));
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new AssetError(
    `downloadFile: could not download ${url} after ${retries} attempts (${reason}). ` +
      'Check the network, or point TRANSFER_LAB_MIRROR (or --mirror) at a folder that holds the course assets.',
  );
}

/** Streams the response body into `file`; returns the number of bytes received. */
async function fetchToFile(fetchImpl: typeof fetch, url: string, file: string, onProgress: ProgressListener, knownSize?: number): Promise<number> {
  const response = await fetchImpl(url);
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  const lengthHeader = response.headers.get('content-length');
  const total = lengthHeader ? Number(lengthHeader) : knownSize;
  const out = createWriteStream(file);
  let received = 0;
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (!out.write(value)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      onProgress(received, total);
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  if (lengthHeader && received !== Number(lengthHeader)) {
    throw new Error(`connection closed after ${received} of ${lengthHeader} bytes`);
  }
  return received;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
