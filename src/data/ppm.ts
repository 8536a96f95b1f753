/**
 * A small PNM (PBM / PGM / PPM, formats P1-P6) decoder. Keras lists .ppm among its image
 * extensions, and sharp's prebuilt libvips does not load PPM, so we read it here. Grey and
 * bitmap files become RGB; 16-bit samples (maxval > 255) are scaled to 8 bits.
 */
import { RasterFormatError, RgbImage } from './types';

/** True when the bytes start with a PNM magic number ('P1' ... 'P6') followed by white space. */
export function isPnm(buf: Uint8Array): boolean {
  return buf.length >= 3 && buf[0] === 0x50 && buf[1] >= 0x31 && buf[1] <= 0x36 && isSpace(buf[2]);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Reads white-space separated ASCII tokens, skipping '#' comments. */
class TokenReader {
  pos: number;
  constructor(private readonly buf: Uint8Array, start: number) {
    this.pos = start;
  }

  next(what: string): number {
    const { buf } = this;
    for (;;) {
      while (this.pos < buf.length && isSpace(buf[this.pos])) this.pos++;
      if (this.pos < buf.length && buf[this.pos] === 0x23) {
        while (this.pos < buf.length && buf[this.pos] !== 0x0a && buf[this.pos] !== 0x0d) this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    while (this.pos < buf.length && buf[this.pos] >= 0x30 && buf[this.pos] <= 0x39) this.pos++;
    if (this.pos === start) {
      if (this.pos >= buf.length) throw new RasterFormatError('truncated', `PNM ends before its ${what}`);
      throw new RasterFormatError('corrupt', `PNM ${what} is not a number`);
    }
    return Number(Buffer.from(buf.subarray(start, this.pos)).toString('latin1'));
  }

  /** For P1: single '0'/'1' digits may be written without separators. */
  nextBit(): number {
    const { buf } = this;
    while (this.pos < buf.length && (isSpace(buf[this.pos]) || buf[this.pos] === 0x23)) {
      if (buf[this.pos] === 0x23) {
        while (this.pos < buf.length && buf[this.pos] !== 0x0a) this.pos++;
      } else {
        this.pos++;
      }
    }
    if (this.pos >= buf.length) throw new RasterFormatError('truncated', 'PBM pixel data ends early');
    return buf[this.pos++] === 0x31 ? 1 : 0;
  }
}

/**
 * Decodes a PNM file into 8-bit RGB. Throws RasterFormatError ('truncated', 'corrupt') when
 * the file cannot be read.
 */
export function decodePnm(buf: Uint8Array): RgbImage {
  if (!isPnm(buf)) throw new RasterFormatError('not an image', 'no PNM signature');
  const kind = buf[1] - 0x30; // 1..6
  const reader = new TokenReader(buf, 2);
  const width = reader.next('width');
  const height = reader.next('height');
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : reader.next('maxval');
  if (width <= 0 || height <= 0 || maxval <= 0 || maxval > 65535) {
    throw new RasterFormatError('corrupt', `PNM header ${width}x${height} maxval ${maxval} is invalid`);
  }
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const n = width * height;
  const samples = new Float64Array(n * channels);

  if (kind <= 3) {
    for (let i = 0; i < samples.length; i++) {
      samples[i] = kind === 1 ? 1 - reader.nextBit() : reader.next('pixel data');
    }
  } else {
    const start = reader.pos + 1; // exactly one white-space byte ends the header
    if (kind === 4) {
      const rowBytes = Math.ceil(width / 8);
      if (buf.length < start + rowBytes * height) throw new RasterFormatError('truncated', 'PBM pixel data ends early');
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const byte = buf[start + y * rowBytes + (x >> 3)];
          samples[y * width + x] = 1 - ((byte >> (7 - (x & 7))) & 1); // 1 means black in PBM
        }
      }
    } else {
      const bytesPer = maxval > 255 ? 2 : 1;
      const needed = start + samples.length * bytesPer;
      if (buf.length < needed) {
        throw new RasterFormatError('truncated', `PNM pixel data needs ${needed} bytes, file has ${buf.length}`);
      }
      for (let i = 0; i < samples.length; i++) {
        samples[i] = bytesPer === 2 ? (buf[start + 2 * i] << 8) | buf[start + 2 * i + 1] : buf[start + i];
      }
    }
  }

  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = samples[channels === 3 ? i * 3 + c : i];
      out[i * 3 + c] = Math.min(255, Math.round((v * 255) / maxval));
    }
  }
  return { data: out, width, height };
}
