// Issue 12 item 3: a download is kept only when it is whole, checked by a real HTTP server on
// 127.0.0.1 serving archives and weight files built at test time from the mirror's real files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadAsset, type AssetEntry } from '../../src/assets';
import { setupBackend } from '../../src/backend';
import { AssetError, DamagedFileError } from '../../src/errors';

const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? path.resolve(__dirname, '../../../shared/assets');
const MODEL = 'mobilenet_v1_0.25_224';
const H5 = path.join(MIRROR, 'models', 'keras', 'mobilenet_2_5_224_tf_no_top.h5');

/** What the server sends for a path: the bytes, and whether to announce their length. */
interface Served {
  body: Buffer;
  /** false: no Content-Length header (chunked), so only the receiver's own checks can tell a cut. */
  contentLength: boolean;
}

let tmp: string;
let server: http.Server;
let base: string;
const served = new Map<string, Served>();
const quiet = { onProgress: () => {}, retries: 1, backoffMs: 0 };

/** An archive of the mirror's MobileNet 0.25 folder (`format` by the system's zip / tar), without `omit`. */
function archiveOfModel(format: 'zip' | 'tar.gz', omit: string[] = []): Buffer {
  const work = fs.mkdtempSync(path.join(tmp, 'src-'));
  const root = path.join(work, MODEL);
  fs.mkdirSync(root);
  for (const f of fs.readdirSync(path.join(MIRROR, 'models', MODEL))) {
    if (!omit.includes(f)) fs.copyFileSync(path.join(MIRROR, 'models', MODEL, f), path.join(root, f));
  }
  const out = path.join(work, `a.${format}`);
  if (format === 'zip') execFileSync('zip', ['-qr', out, MODEL], { cwd: work });
  else execFileSync('tar', ['czf', out, MODEL], { cwd: work });
  return fs.readFileSync(out);
}

function archiveEntry(url: string, format: 'zip' | 'tar.gz'): AssetEntry {
  return {
    name: MODEL,
    kind: 'model',
    description: 'test: the MobileNet 0.25 folder as an archive',
    mirrorPath: `models/${MODEL}`,
    layout: 'folder',
    source: { kind: 'archive', url, format, root: MODEL },
    manifest: `${MODEL}.sha256`,
    sizeMB: 2,
  };
}

function h5Entry(url: string, size: number | undefined, alpha: number): AssetEntry {
  return {
    name: 'keras_mobilenet_1_0_224_no_top',
    kind: 'weights',
    description: 'test: a Keras MobileNet .h5 with no published hash',
    mirrorPath: 'models/keras/test.h5',
    layout: 'file',
    source: { kind: 'file', url, file: 'test.h5', size, kerasModel: { family: 'mobilenet', alpha, includeTop: false } },
    sizeMB: 2,
  };
}

function serve(name: string, body: Buffer, contentLength: boolean): string {
  served.set(`/${name}`, { body, contentLength });
  return `${base}/${name}`;
}

function cacheDir(): string {
  return fs.mkdtempSync(path.join(tmp, 'cache-'));
}

describe('downloads are kept only when whole (real server on 127.0.0.1)', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-download-'));
    server = http.createServer((req, res) => {
      const item = served.get(req.url ?? '');
      if (!item) {
        res.writeHead(404).end();
        return;
      }
      if (item.contentLength) res.setHeader('content-length', String(item.body.length));
      res.writeHead(200);
      // Two writes: without Content-Length, Node sends this chunked, and a cut body ends "normally".
      res.write(item.body.subarray(0, item.body.length >> 1));
      res.end(item.body.subarray(item.body.length >> 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an archive that lacks a manifest file is refused, naming the file (check.missing was ignored)', async () => {
    const url = serve('missing.zip', archiveOfModel('zip', ['group12-shard1of1']), true);
    const cache = cacheDir();
    const err = await downloadAsset(archiveEntry(url, 'zip'), { cacheDir: cache, download: quiet }).then(
      () => assert.fail('an incomplete archive was accepted'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DamagedFileError);
    assert.equal(
      err.message,
      `resolveAsset: the archive of '${MODEL}' from ${url} lacks 1 of the 57 file(s) of datasets/manifests/${MODEL}.sha256 ` +
        '(first: group12-shard1of1): an incomplete or cut-off archive; nothing was kept. ' +
        'Run the fetch again; if it keeps failing, use the course mirror (TRANSFER_LAB_MIRROR).',
    );
    assert.deepEqual(fs.readdirSync(path.join(cache, 'models')), [], 'nothing in the cache, not even the staging folder');
  });

  it('an archive cut short with no Content-Length is refused (zip and tar.gz)', async () => {
    for (const format of ['zip', 'tar.gz'] as const) {
      const whole = archiveOfModel(format);
      const url = serve(`cut.${format}`, whole.subarray(0, Math.floor(whole.length * 0.6)), false);
      const cache = cacheDir();
      await assert.rejects(
        downloadAsset(archiveEntry(url, format), { cacheDir: cache, download: quiet }),
        (e: unknown) =>
          e instanceof DamagedFileError &&
          e.message.startsWith(`resolveAsset: the archive of '${MODEL}' from ${url} `) &&
          /(cannot be extracted \(.+\): it was cut off or damaged in transfer|lacks \d+ of the 57 file\(s\))/.test(e.message),
      );
      assert.equal(fs.existsSync(path.join(cache, 'models', MODEL)), false, format);
    }
  });

  it('a whole archive with no Content-Length is accepted once every manifest file matches', async () => {
    const url = serve('whole.tar.gz', archiveOfModel('tar.gz'), false);
    const cache = cacheDir();
    const where = await downloadAsset(archiveEntry(url, 'tar.gz'), { cacheDir: cache, download: quiet });
    assert.equal(where, path.join(cache, 'models', MODEL));
    assert.equal(fs.readdirSync(where).filter((f) => f.startsWith('group')).length, 55);
    assert.ok(fs.existsSync(path.join(where, '.transfer-lab-complete')));
  });

  it('an unhashed .h5 cut short with no Content-Length is refused by its known size', async (t) => {
    if (!fs.existsSync(H5)) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
    const whole = fs.readFileSync(H5);
    const url = serve('cut.h5', whole.subarray(0, 1_500_000), false);
    const cache = cacheDir();
    await assert.rejects(
      downloadAsset(h5Entry(url, whole.length, 0.25), { cacheDir: cache, download: quiet }),
      new RegExp(`could not download ${url} after 1 attempts \\(downloadFile\\(${url}\\): received 1500000 bytes, but the file is known to have ${whole.length} `),
    );
    assert.equal(fs.existsSync(path.join(cache, 'models', 'keras', 'test.h5')), false);
  });

  it('an unhashed .h5 of the right length is kept only if every layer the model needs is in it', async (t) => {
    if (!fs.existsSync(H5)) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
    const whole = fs.readFileSync(H5);
    const url = serve('whole.h5', whole, false);
    // The real alpha 0.25 file offered as the alpha 1.0 weights: right length by construction, wrong structure.
    const cache = cacheDir();
    await assert.rejects(
      downloadAsset(h5Entry(url, whole.length, 1.0), { cacheDir: cache, download: quiet }),
      (e: unknown) =>
        e instanceof DamagedFileError &&
        e.message.startsWith(`resolveAsset: 'keras_mobilenet_1_0_224_no_top' downloaded from ${url} was not kept: checkKerasH5Structure: `) &&
        e.message.includes('is not the MobileNet alpha 1, no top weight file: loadKerasH5Weights: layer \'conv1\' weight'),
    );
    assert.equal(fs.existsSync(path.join(cache, 'models', 'keras', 'test.h5')), false);
    // The same bytes as the alpha 0.25 weights they are: kept.
    const where = await downloadAsset(h5Entry(url, whole.length, 0.25), { cacheDir: cache, download: quiet });
    assert.equal(fs.statSync(where).size, whole.length);
  });

  it('a file with neither a checksum nor a known size is not downloaded at all', async () => {
    const url = serve('unknown.h5', Buffer.from('whatever'), false);
    await assert.rejects(
      downloadAsset(h5Entry(url, undefined, 0.25), { cacheDir: cacheDir(), download: quiet }),
      (e: unknown) => e instanceof AssetError && /has neither a published checksum nor a known size/.test(e.message),
    );
  });
});
