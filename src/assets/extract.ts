/**
 * Safe archive extraction (.zip and .tar.gz) with no native dependency. Every entry's path is
 * checked before anything is written: absolute paths, `..` segments and links are refused, so a
 * hostile archive cannot write outside the target folder ("zip slip").
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { AssetError } from '../errors';

/** An archive member: its path inside the archive and its bytes (undefined for a folder). */
interface Member {
  name: string;
  data?: Buffer;
}

/**
 * Resolves `name` under `targetDir` and refuses it when it would land outside.
 * Returns the absolute destination path.
 */
export function safeJoin(targetDir: string, name: string, archive: string): string {
  const normalised = name.replace(/\\/g, '/');
  const root = path.resolve(targetDir);
  const dest = path.resolve(root, normalised);
  if (
    normalised.startsWith('/') ||
    /^[a-zA-Z]:/.test(normalised) ||
    normalised.split('/').includes('..') ||
    (dest !== root && !dest.startsWith(root + path.sep))
  ) {
    throw new AssetError(
      `extractArchive: ${archive} holds the entry '${name}', which would be written outside ${root}; ` +
        'the archive was refused and nothing was extracted.',
    );
  }
  return dest;
}

/** Extracts `archive` into `targetDir` (created). Paths are all checked before any file is written. */
export async function extractArchive(archive: string, targetDir: string, format: 'zip' | 'tar.gz'): Promise<number> {
  const bytes = await fs.readFile(archive);
  const members = format === 'zip' ? readZip(bytes, archive) : readTar(zlib.gunzipSync(bytes), archive);
  const planned = members.map((member) => ({ member, dest: safeJoin(targetDir, member.name, archive) }));
  await fs.mkdir(targetDir, { recursive: true });
  let files = 0;
  for (const { member, dest } of planned) {
    if (member.data === undefined) {
      await fs.mkdir(dest, { recursive: true });
    } else {
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, member.data);
      files += 1;
    }
  }
  return files;
}

/** Reads a zip through its central directory (stored and deflated entries). */
function readZip(buf: Buffer, archive: string): Member[] {
  const fail = (what: string) => new AssetError(`extractArchive: ${archive} is not a readable zip (${what}).`);
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail('no end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const members: Member[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(offset) !== 0x02014b50) throw fail(`bad central directory entry ${i}`);
    const method = buf.readUInt16LE(offset + 10);
    const compressedSize = buf.readUInt32LE(offset + 20);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    const externalAttrs = buf.readUInt32LE(offset + 38);
    const localOffset = buf.readUInt32LE(offset + 42);
    const name = buf.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    const unixMode = externalAttrs >>> 16;
    if ((unixMode & 0o170000) === 0o120000) {
      throw new AssetError(`extractArchive: ${archive} holds a symbolic link '${name}'; links are refused.`);
    }
    if (name.endsWith('/')) {
      members.push({ name });
      continue;
    }
    if (buf.readUInt32LE(localOffset) !== 0x04034b50) throw fail(`bad local header for '${name}'`);
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    const raw = buf.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) members.push({ name, data: Buffer.from(raw) });
    else if (method === 8) members.push({ name, data: zlib.inflateRawSync(raw) });
    else throw fail(`entry '${name}' uses compression method ${method}`);
  }
  return members;
}

/** Reads a (ustar or GNU) tar stream: regular files and folders; links are refused. */
function readTar(buf: Buffer, archive: string): Member[] {
  const members: Member[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const dataStart = offset + 512;
    const data = buf.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === '1' || type === '2') {
      throw new AssetError(`extractArchive: ${archive} holds a link '${name}'; links are refused.`);
    }
    if (type === '5') members.push({ name: name.endsWith('/') ? name : `${name}/` });
    else if (type === '0' || type === '7') members.push({ name, data: Buffer.from(data) });
    // pax headers ('x', 'g') and other metadata entries carry no file content.
    name = '';
  }
  return members;
}
