/**
 * Test fixtures for the data tests, generated at test time in a temp folder: small images in
 * every format and flavour the decoder must handle, plus a BMP writer (sharp cannot write BMP).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp, { type Sharp } from 'sharp';

/** A temp folder removed by `cleanup()`. */
export function tempDir(prefix = 'tl-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A deterministic RGB pattern `[height, width, 3]` whose pixels all differ. */
export function pattern(width: number, height: number, seed = 0): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      buf[o] = (x * 37 + seed * 11) % 256;
      buf[o + 1] = (y * 53 + seed * 7) % 256;
      buf[o + 2] = (x * 13 + y * 29 + seed * 3) % 256;
    }
  }
  return buf;
}

/** sharp pipeline over an RGB pattern. */
export function rgb(width: number, height: number, seed = 0): Sharp {
  return sharp(pattern(width, height, seed), { raw: { width, height, channels: 3 } });
}

/** A solid-colour image. */
export function solid(width: number, height: number, colour: [number, number, number]): Sharp {
  return sharp({ create: { width, height, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } });
}

/** Encodes RGB pixels as an uncompressed bottom-up BMP (24-bit BGR, or 32-bit BGRX with alpha 255). */
export function encodeBmp(pixels: Uint8Array, width: number, height: number, bpp: 24 | 32 = 24): Buffer {
  const rowSize = Math.floor((bpp * width + 31) / 32) * 4;
  const dataSize = rowSize * height;
  const buf = Buffer.alloc(54 + dataSize);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(54 + dataSize, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bpp, 28);
  buf.writeUInt32LE(0, 30);
  buf.writeUInt32LE(dataSize, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + rowSize * (height - 1 - y);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const o = row + x * (bpp / 8);
      buf[o] = pixels[i + 2];
      buf[o + 1] = pixels[i + 1];
      buf[o + 2] = pixels[i];
      if (bpp === 32) buf[o + 3] = 255;
    }
  }
  return buf;
}

/** Writes a file, creating its folder. */
export function write(file: string, data: Buffer | string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

/**
 * Builds a dataset folder: `counts` maps class name -> number of small PNGs to create
 * (named 000.jpg, 001.jpg ...), each a solid colour: R = 40 * class index, G = 255 - R, B = file number (so a batch can be checked against its labels).
 */
export async function makeDataset(root: string, counts: Record<string, number>, size = 8): Promise<string> {
  const names = Object.keys(counts);
  for (const [ci, name] of names.entries()) {
    mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < counts[name]; i++) {
      const png = await solid(size, size, [ci * 40, 255 - ci * 40, i % 256]).png().toBuffer();
      writeFileSync(path.join(root, name, `${String(i).padStart(3, '0')}.png`), png);
    }
  }
  return root;
}

/** Path of a dataset in the offline mirror (test-only: src code goes through resolveAsset). */
export function mirrorDataset(name: string): string {
  const mirror = process.env.TRANSFER_LAB_MIRROR ?? '/work/shared/assets';
  return path.join(mirror, 'datasets', name);
}
