/**
 * Stand-ins for the official hosts, made at test time from the course mirror: archives in the
 * official layouts (17flowers.tgz, cats_and_dogs_filtered.zip, a Keras-layout .h5, ...) under
 * `<root>/<host>/<path>`, served by a real HTTP server on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { loadLayersModelFromDir } from '../../src/assets';
import type { AssetSource } from '../../src/assets';

export const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? '/work/shared/assets';

/** A file server on 127.0.0.1 over `root`; `requests` lists the paths asked for. */
export interface FixtureServer {
  base: string;
  requests: string[];
  close: () => Promise<void>;
}

export async function serveFolder(root: string): Promise<FixtureServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    requests.push(urlPath);
    const file = path.resolve(root, `.${urlPath}`);
    if (!file.startsWith(path.resolve(root) + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.stat(file).then(
      (stat) => {
        if (!stat.isFile()) throw new Error('not a file');
        res.writeHead(200, { 'content-length': String(stat.size), 'content-type': 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `https://host/a/b` as served by the fixture server: `<base>/host/a/b`. */
export function localUrl(base: string, official: string): string {
  const url = new URL(official);
  return `${base}/${url.host}${url.pathname}`;
}

/** Where the fixture of `official` goes under the served root. */
export function fixturePath(root: string, official: string): string {
  const url = new URL(official);
  return path.join(root, url.host, ...url.pathname.split('/').filter(Boolean));
}

async function link(target: string, at: string): Promise<void> {
  await fs.mkdir(path.dirname(at), { recursive: true });
  await fs.symlink(target, at);
}

/** Mirror files of one flowers12 folder, as 'split/class/file' paths. */
async function mirrorFlowers(): Promise<string[]> {
  const root = path.join(MIRROR, 'datasets', 'flowers12');
  const out: string[] = [];
  for (const split of ['train', 'test']) {
    for (const cls of await fs.readdir(path.join(root, split))) {
      for (const file of await fs.readdir(path.join(root, split, cls))) out.push(`${split}/${cls}/${file}`);
    }
  }
  return out.sort();
}

export interface FlowersTgzOptions {
  /** Leave these image files (e.g. 'image_0801.jpg') out of the archive. Defaults to none. */
  omit?: string[];
}

/**
 * A 17flowers.tgz-shaped archive: jpg/image_NNNN.jpg holding the mirror's flowers12 images under
 * their original names, plus images of classes flowers12 leaves out (daffodil image_0001..0003,
 * tulip image_0561..0562, cowslip image_1041, made from mirror images) and jpg/files.txt.
 */
export async function makeFlowersTgz(dest: string, work: string, options: FlowersTgzOptions = {}): Promise<void> {
  const jpg = path.join(work, 'jpg');
  await fs.mkdir(jpg, { recursive: true });
  const files = await mirrorFlowers();
  const omit = new Set(options.omit ?? []);
  const names: string[] = [];
  for (const rel of files) {
    const name = path.basename(rel);
    if (omit.has(name)) continue;
    await fs.symlink(path.join(MIRROR, 'datasets', 'flowers12', rel), path.join(jpg, name));
    names.push(name);
  }
  const others = ['image_0001.jpg', 'image_0002.jpg', 'image_0003.jpg', 'image_0561.jpg', 'image_0562.jpg', 'image_1041.jpg'];
  for (const [i, name] of others.entries()) {
    await fs.symlink(path.join(MIRROR, 'datasets', 'flowers12', files[i]), path.join(jpg, name));
    names.push(name);
  }
  await fs.writeFile(path.join(jpg, 'files.txt'), `${names.sort().join('\n')}\n`);
  await fs.mkdir(path.dirname(dest), { recursive: true });
  // --hard-dereference: images used twice must be stored twice (the official archive has no links).
  execFileSync('tar', ['-czhf', dest, '--hard-dereference', '-C', work, 'jpg']);
}

/**
 * A cats_and_dogs_filtered.zip-shaped archive: cats_and_dogs_filtered/train/{cats,dogs}/cat.0 ...
 * cat.999 (1000 each) and validation/{cats,dogs}/cat.2000 ... (`validationPerClass` each, the
 * official zip has 500), made from the mirror's cats_dogs_100 photos.
 */
export async function makeCatsDogsZip(dest: string, work: string, validationPerClass = 101): Promise<void> {
  const src = path.join(MIRROR, 'datasets', 'cats_dogs_100');
  const root = path.join(work, 'cats_and_dogs_filtered');
  for (const cls of ['cat', 'dog'] as const) {
    const train = (await fs.readdir(path.join(src, 'train', `${cls}s`))).sort();
    const test = (await fs.readdir(path.join(src, 'test', `${cls}s`))).sort();
    for (let i = 0; i < 1000; i++) {
      await link(path.join(src, 'train', `${cls}s`, train[i % train.length]), path.join(root, 'train', `${cls}s`, `${cls}.${i}.jpg`));
    }
    for (let i = 0; i < validationPerClass; i++) {
      await link(path.join(src, 'test', `${cls}s`, test[i % test.length]), path.join(root, 'validation', `${cls}s`, `${cls}.${2000 + i}.jpg`));
    }
  }
  await fs.mkdir(path.dirname(dest), { recursive: true });
  execFileSync('zip', ['-q', '-r', '-0', dest, 'cats_and_dogs_filtered'], { cwd: work });
}

/** A zip of a mirror dataset folder with that folder at its top (hymenoptera_data.zip). */
export async function zipMirrorFolder(mirrorRel: string, dest: string): Promise<void> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  execFileSync('zip', ['-q', '-r', '-0', dest, path.basename(mirrorRel)], { cwd: path.join(MIRROR, path.dirname(mirrorRel)) });
}

type H5Module = typeof import('h5wasm');

async function h5wasm(): Promise<H5Module> {
  const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<H5Module>;
  const mod = await dynamicImport('h5wasm/node');
  await mod.ready;
  return mod;
}

/**
 * Writes the mirror's TF.js MobileNetV2 0.35 no-top weights as a Keras weights .h5 in the
 * layout of keras' save_weights (what the official keras-applications files have): root attrs
 * layer_names (every layer, weights or not), backend, keras_version; one group per layer with a
 * weight_names attr ('Conv1/kernel:0', ...) and each dataset at '<layer>/<layer>/<weight>:0'.
 */
export async function writeKerasH5FromTfjs(tfjsDir: string, dest: string): Promise<void> {
  const h5 = await h5wasm();
  const model = await loadLayersModelFromDir(tfjsDir);
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const file = new h5.File(dest, 'w');
  try {
    file.create_attribute('layer_names', model.layers.map((l) => l.name));
    file.create_attribute('backend', 'tensorflow');
    file.create_attribute('keras_version', '2.1.6');
    for (const layer of model.layers) {
      const group = file.create_group(layer.name);
      const names = layer.weights.map((w) => `${w.originalName}:0`);
      group.create_attribute('weight_names', names.length > 0 ? names : []);
      if (layer.weights.length === 0) continue;
      const inner = group.create_group(layer.name);
      for (const w of layer.weights) {
        const values = w.read().dataSync() as Float32Array;
        inner.create_dataset({ name: `${w.originalName.split('/').pop()}:0`, data: Float32Array.from(values), shape: w.shape as number[], dtype: '<f' });
      }
    }
  } finally {
    file.close();
    model.dispose();
  }
}

/** Every asset's official source with its URL(s) moved to the fixture server; `digest` replaces the digest where given. */
export function localSource(source: AssetSource, base: string, digest?: { sha256?: string; md5?: string } | null): AssetSource {
  const pick = <T>(original: T): T | undefined => (digest === null ? undefined : ((digest ?? original) as T));
  switch (source.kind) {
    case 'file':
      return { ...source, url: localUrl(base, source.url), digest: pick(source.digest) };
    case 'tfjs-model':
      return { ...source, url: localUrl(base, source.url) };
    case 'archive':
      return { ...source, url: localUrl(base, source.url), digest: pick(source.digest) };
    case 'files':
      return { ...source, files: source.files.map((f) => ({ ...f, url: localUrl(base, f.url) })) };
    case 'built':
      return { ...source, from: { ...source.from, url: localUrl(base, source.from.url), digest: pick(source.from.digest) } };
    default:
      return source;
  }
}
