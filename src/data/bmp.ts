/**
 * A small BMP decoder. sharp's prebuilt libvips has no BMP loader (its `magick` loader is not
 * built in), and Keras lists .bmp among the allowed extensions, so we read the common
 * uncompressed variants ourselves: 1/4/8-bit palette, 16-bit (5-5-5 or bit fields), 24-bit BGR,
 * and 32-bit BGRX / bit fields. The alpha channel of 32-bit files is dropped, as PIL's
 * `convert('RGB')` does in Keras. RLE, JPEG- or PNG-compressed BMPs are rejected as 'unsupported'.
 */
import { RasterFormatError, RgbImage } from './types';

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG' };

/** True when the bytes start like a Windows bitmap ('BM' and a plausible header size). */
export function isBmp(buf: Uint8Array): boolean {
  if (buf.length < 18 || buf[0] !== 0x42 || buf[1] !== 0x4d) return false;
  const dibSize = buf[14] | (buf[15] << 8) | (buf[16] << 16) | (buf[17] << 24);
  return dibSize === 12 || dibSize === 40 || dibSize === 52 || dibSize === 56 || dibSize === 64 ||
    dibSize === 108 || dibSize === 124;
}

/** Where a bit field sits in a pixel word and how to scale it to 0..255. */
interface Channel {
  shift: number;
  max: number;
}

function channelFromMask(mask: number): Channel {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

function readChannel(word: number, ch: Channel): number {
  if (ch.max === 0) return 0;
  return Math.round((((word >>> ch.shift) & ch.max) * 255) / ch.max);
}

/**
 * Decodes a BMP file into 8-bit RGB. Throws RasterFormatError ('truncated', 'corrupt' or
 * 'unsupported') when the file cannot be read.
 */
export function decodeBmp(input: Uint8Array): RgbImage {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (!isBmp(buf)) throw new RasterFormatError('not an image', 'no BMP signature');
  const dataOffset = buf.readUInt32LE(10);
  const dibSize = buf.readUInt32LE(14);
  if (buf.length < 14 + dibSize) throw new RasterFormatError('truncated', 'BMP header is cut short');

  let width: number;
  let rawHeight: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  if (dibSize === 12) {
    width = buf.readUInt16LE(18);
    rawHeight = buf.readInt16LE(20);
    bpp = buf.readUInt16LE(24);
  } else {
    width = buf.readInt32LE(18);
    rawHeight = buf.readInt32LE(22);
    bpp = buf.readUInt16LE(28);
    compression = buf.readUInt32LE(30);
    colorsUsed = buf.readUInt32LE(46);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0 || width > 65535 || height > 65535) {
    throw new RasterFormatError('corrupt', `BMP size ${width}x${rawHeight} is invalid`);
  }
  if (COMPRESSION_NAMES[compression] !== undefined) {
    throw new RasterFormatError('unsupported', `${COMPRESSION_NAMES[compression]}-compressed BMP`);
  }
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new RasterFormatError('corrupt', `unknown BMP compression ${compression}`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) {
    throw new RasterFormatError('unsupported', `${bpp}-bit BMP`);
  }

  // Colour masks for 16/32-bit: inside a V2+ header, or just after a 40-byte header.
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0x00ff0000, 0x0000ff00, 0x000000ff];
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    if (buf.length < 14 + 40 + 12) throw new RasterFormatError('truncated', 'BMP colour masks are cut short');
    masks = [buf.readUInt32LE(54), buf.readUInt32LE(58), buf.readUInt32LE(62)];
  }
  const [red, green, blue] = masks.map(channelFromMask);

  // Palette for 1/4/8-bit images: BGRX quads (BGR triples in the old 12-byte header).
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entrySize = dibSize === 12 ? 3 : 4;
    const count = colorsUsed > 0 ? Math.min(colorsUsed, 1 << bpp) : 1 << bpp;
    const start = 14 + dibSize + (compression === BI_BITFIELDS && dibSize === 40 ? 12 : 0);
    if (buf.length < start + count * entrySize) throw new RasterFormatError('truncated', 'BMP palette is cut short');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < count; i++) {
      palette[i * 3] = buf[start + i * entrySize + 2];
      palette[i * 3 + 1] = buf[start + i * entrySize + 1];
      palette[i * 3 + 2] = buf[start + i * entrySize];
    }
  }

  const rowSize = Math.floor((bpp * width + 31) / 32) * 4; // rows are padded to 4 bytes
  const needed = dataOffset + rowSize * height;
  if (buf.length < needed) {
    throw new RasterFormatError('truncated', `BMP pixel data needs ${needed} bytes, file has ${buf.length}`);
  }

  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + rowSize * (topDown ? y : height - 1 - y);
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette !== undefined) {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)];
        const index = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[index * 3];
        out[o + 1] = palette[index * 3 + 1];
        out[o + 2] = palette[index * 3 + 2];
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = buf[p + 2];
        out[o + 1] = buf[p + 1];
        out[o + 2] = buf[p];
      } else {
        const word = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        out[o] = readChannel(word, red);
        out[o + 1] = readChannel(word, green);
        out[o + 2] = readChannel(word, blue);
      }
    }
  }
  return { data: out, width, height };
}
