import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { extractArchive, safeJoin } from '../../src/assets';

/** A minimal stored (uncompressed) zip with the given entries. */
function makeZip(entries: { name: string; data: string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name);
    const body = Buffer.from(data);
    const crc = zlib.crc32(body);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, body);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A minimal gzipped ustar archive. */
function makeTarGz(entries: { name: string; data: string; type?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { name, data, type = '0' } of entries) {
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write('0000644\0', 100);
    header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write(type, 156);
    header.write('ustar\0', 257);
    blocks.push(header);
    const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
    body.write(data);
    blocks.push(body);
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tl-extract-'));
}

test('a zip extracts into the target folder', async () => {
  const dir = await tempDir();
  const archive = path.join(dir, 'a.zip');
  await fs.writeFile(archive, makeZip([{ name: 'data/train/ants/a.txt', data: 'ant' }, { name: 'data/val/b.txt', data: 'bee' }]));
  const count = await extractArchive(archive, path.join(dir, 'out'), 'zip');
  assert.equal(count, 2);
  assert.equal(await fs.readFile(path.join(dir, 'out', 'data', 'train', 'ants', 'a.txt'), 'utf8'), 'ant');
});

test('a zip with a ../ entry is refused before anything is written', async () => {
  const dir = await tempDir();
  const archive = path.join(dir, 'evil.zip');
  await fs.writeFile(archive, makeZip([{ name: 'ok.txt', data: 'fine' }, { name: '../escaped.txt', data: 'pwned' }]));
  await assert.rejects(extractArchive(archive, path.join(dir, 'out'), 'zip'), /holds the entry '\.\.\/escaped\.txt', which would be written outside/);
  assert.equal(existsSync(path.join(dir, 'escaped.txt')), false);
  assert.equal(existsSync(path.join(dir, 'out', 'ok.txt')), false, 'nothing is written when one entry is bad');
});

test('a tar.gz extracts, and absolute paths or links are refused', async () => {
  const dir = await tempDir();
  const good = path.join(dir, 'good.tar.gz');
  await fs.writeFile(good, makeTarGz([{ name: 'flowers/iris/1.jpg', data: 'x'.repeat(700) }]));
  assert.equal(await extractArchive(good, path.join(dir, 'out'), 'tar.gz'), 1);
  assert.equal((await fs.readFile(path.join(dir, 'out', 'flowers', 'iris', '1.jpg'))).length, 700);

  const absolute = path.join(dir, 'abs.tar.gz');
  await fs.writeFile(absolute, makeTarGz([{ name: '/etc/evil', data: 'x' }]));
  await assert.rejects(extractArchive(absolute, path.join(dir, 'out2'), 'tar.gz'), /would be written outside/);

  const link = path.join(dir, 'link.tar.gz');
  await fs.writeFile(link, makeTarGz([{ name: 'innocent', data: '', type: '2' }]));
  await assert.rejects(extractArchive(link, path.join(dir, 'out3'), 'tar.gz'), /links are refused/);
});

test('safeJoin keeps ordinary names and refuses escapes', () => {
  assert.equal(safeJoin('/tmp/x', 'a/b.txt', 'z'), path.resolve('/tmp/x/a/b.txt'));
  assert.throws(() => safeJoin('/tmp/x', 'a/../../b', 'z'), /outside/);
  assert.throws(() => safeJoin('/tmp/x', 'C:\\windows\\x', 'z'), /outside/);
});
