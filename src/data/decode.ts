/**
 * Decodes one image file into 8-bit RGB pixels, the way Keras' `load_img(color_mode='rgb')`
 * does, with sharp (libvips) doing the work.
 *
 * Conversions, all to 8-bit sRGB with 3 channels:
 * - grayscale -> RGB (the grey value copied to R, G and B);
 * - alpha (RGBA, grey+alpha, GIF/WebP transparency) -> dropped, NOT laid over white: this is what
 *   PIL's `convert('RGB')` does in Keras' `load_img`, so transparent pixels show whatever colour
 *   they store, resized or not. (The alpha is dropped BEFORE resizing: libvips resizes with
 *   premultiplied alpha, which would turn fully transparent pixels black only when resized.)
 * - CMYK -> sRGB through libvips' colour management;
 * - 16-bit PNG/TIFF -> 8 bits (scaled, not clipped);
 * - GIF and other multi-page files -> first frame only;
 * - EXIF orientation is honoured (a phone photo tagged "rotate 90" comes out upright). Keras
 *   does not do this (PIL ignores the tag); we do because learners' own photos often carry it.
 * BMP and PPM, which sharp's prebuilt libvips does not read, go through `bmp.ts` / `ppm.ts`.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { DataError } from '../errors';
import { decodeBmp, isBmp } from './bmp';
import { decodePnm, isPnm } from './ppm';
import {
  DecodeReason,
  FileIssue,
  ImageDecodeError,
  INTERPOLATIONS,
  Interpolation,
  RasterFormatError,
  RgbImage,
} from './types';

/**
 * File extensions read as images (lower case, no dot): Keras' list (png, jpg, jpeg, bmp, ppm,
 * tif, tiff) plus gif and webp, which tf.keras' `image_dataset_from_directory` also accepts.
 */
export const IMAGE_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff', 'gif', 'webp'];

/** The content format each extension promises, to spot a PNG saved as .jpg. */
const EXTENSION_FORMAT: Record<string, string> = {
  png: 'png', jpg: 'jpeg', jpeg: 'jpeg', bmp: 'bmp', ppm: 'ppm', tif: 'tiff', tiff: 'tiff', gif: 'gif', webp: 'webp',
};

/** Raster formats we decode (what sharp reports, plus our own 'bmp' and 'ppm'). */
const RASTER_FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'tiff', 'heif', 'bmp', 'ppm']);

/** Keras interpolation names -> sharp resize kernels. */
const KERNELS: Record<Interpolation, 'nearest' | 'linear' | 'cubic' | 'lanczos3'> = {
  nearest: 'nearest',
  bilinear: 'linear',
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

/** Options of decodeImage. */
export interface DecodeImageOptions {
  /**
   * `[height, width]` to resize to, ignoring the aspect ratio (Keras' `target_size`: the image is
   * stretched, not cropped). Defaults to undefined: keep the image's own size.
   */
  targetSize?: [number, number];
  /**
   * Resampling filter for the resize. Defaults to 'nearest', Keras' default in `load_img` and
   * `flow_from_directory`; 'bilinear' gives smoother downscaled photos.
   */
  interpolation?: Interpolation;
  /**
   * Keras' `keep_aspect_ratio`: crop the centre to the target's aspect ratio before resizing, so
   * objects are not stretched. Defaults to false (stretch, Keras' default).
   */
  keepAspectRatio?: boolean;
}

/** A decoded image. */
export interface DecodedImage {
  /** Pixels, row-major `[height, width, 3]`, 8-bit RGB. */
  data: Uint8Array;
  height: number;
  width: number;
  channels: 3;
  /** The content format found: 'jpeg', 'png', 'gif', 'webp', 'tiff', 'heif', 'bmp' or 'ppm'. */
  format: string;
  /** Things worth knowing that did not stop decoding, e.g. a 'wrong extension'. */
  warnings: FileIssue[];
}

/** Looks at the first bytes: which format the file claims to be, if any. */
export function sniffFormat(buf: Uint8Array): string | undefined {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => buf[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && buf[8] === 0x57 && buf[9] === 0x45 && buf[10] === 0x42 && buf[11] === 0x50) return 'webp';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (isBmp(buf)) return 'bmp';
  if (isPnm(buf)) return 'ppm';
  return undefined;
}

/** True when a file of a known format visibly ends early (its end marker is missing). */
function endsEarly(buf: Uint8Array, format: string | undefined): boolean {
  const tail = Buffer.from(buf.subarray(Math.max(0, buf.length - 64)));
  switch (format) {
    case 'jpeg':
      return !tail.includes(Buffer.from([0xff, 0xd9]));
    case 'png':
      return !tail.includes(Buffer.from('IEND', 'latin1'));
    case 'gif':
      return buf[buf.length - 1] !== 0x3b;
    case 'webp':
      return buf.length >= 8 && Buffer.from(buf).readUInt32LE(4) + 8 > buf.length;
    default:
      return false;
  }
}

/** Sorts a decoder's error message into a reason category. */
function classify(message: string, buf: Uint8Array): DecodeReason {
  if (/unsupported image format/i.test(message)) return 'not an image';
  if (/exceeds pixel limit/i.test(message)) return 'unsupported';
  if (/premature end|unexpected end|truncat|end of (file|data|input)|not enough (image )?data/i.test(message)) {
    return 'truncated';
  }
  return endsEarly(buf, sniffFormat(buf)) ? 'truncated' : 'corrupt';
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

function validateTargetSize(fn: string, targetSize: [number, number] | undefined): void {
  if (targetSize === undefined) return;
  const ok = Array.isArray(targetSize) && targetSize.length === 2 &&
    targetSize.every((v) => Number.isInteger(v) && v > 0);
  if (!ok) {
    throw new DataError(`${fn}: targetSize must be [height, width] with two positive integers; received ${JSON.stringify(targetSize)}.`);
  }
}

/** Checks an interpolation name, with the list of valid ones in the message. */
export function validateInterpolation(fn: string, interpolation: string): Interpolation {
  if (!(INTERPOLATIONS as readonly string[]).includes(interpolation)) {
    throw new DataError(
      `${fn}: interpolation '${interpolation}' is not supported; use one of ${INTERPOLATIONS.map((i) => `'${i}'`).join(', ')}.`,
    );
  }
  return interpolation as Interpolation;
}

/** Runs a sharp pipeline to raw 8-bit pixels; decoder failures become an ImageDecodeError with a reason. */
async function toRawRgb(pipeline: Sharp, fn: string, label: string, buf: Uint8Array): Promise<{ data: Buffer; info: OutputInfo }> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    const message = firstLine((err as Error).message);
    throw new ImageDecodeError(fn, label, classify(message, buf), message);
  }
  if (out.info.channels !== 3) {
    throw new ImageDecodeError(fn, label, 'unsupported', `decoded to ${out.info.channels} channels, expected 3`);
  }
  return out;
}

/**
 * Decodes an image file (or its bytes) into 8-bit RGB, optionally resized to `targetSize`.
 * Undecodable input throws an ImageDecodeError (a DataError) naming the file and a reason:
 * 'unreadable', 'zero bytes', 'truncated', 'not an image', 'corrupt' or 'unsupported'. A file whose content
 * differs from its extension (a PNG named .jpg) is decoded anyway, as Keras would, and gets a
 * 'wrong extension' entry in `warnings`.
 *
 * @example
 * const img = await decodeImage('ants/0013035.jpg', { targetSize: [224, 224] });
 * const x = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
 * @see curriculum 7.4 (the dataset notebook)
 */
export async function decodeImage(
  pathOrBuffer: string | Uint8Array,
  opts: DecodeImageOptions = {},
): Promise<DecodedImage> {
  const fn = 'decodeImage';
  const { targetSize } = opts;
  validateTargetSize(fn, targetSize);
  const interpolation = validateInterpolation(fn, opts.interpolation ?? 'nearest');
  const label = typeof pathOrBuffer === 'string' ? pathOrBuffer : '<buffer>';

  let buf: Uint8Array;
  if (typeof pathOrBuffer === 'string') {
    try {
      buf = await readFile(pathOrBuffer);
    } catch (err) {
      throw new ImageDecodeError(fn, pathOrBuffer, 'unreadable', firstLine((err as Error).message));
    }
  } else {
    buf = pathOrBuffer;
  }
  if (buf.length === 0) throw new ImageDecodeError(fn, label, 'zero bytes', '0 bytes');

  let pipeline: Sharp;
  let format: string;
  let hasAlpha = false;
  const ownFormat = isBmp(buf) ? 'bmp' : isPnm(buf) ? 'ppm' : undefined;
  if (ownFormat !== undefined) {
    let rgb: RgbImage;
    try {
      rgb = ownFormat === 'bmp' ? decodeBmp(buf) : decodePnm(buf);
    } catch (err) {
      if (err instanceof RasterFormatError) throw new ImageDecodeError(fn, label, err.reason, err.message);
      throw err;
    }
    format = ownFormat;
    pipeline = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  } else {
    try {
      const meta = await sharp(buf).metadata();
      format = meta.format ?? 'unknown';
      hasAlpha = meta.hasAlpha === true;
    } catch (err) {
      const message = firstLine((err as Error).message);
      throw new ImageDecodeError(fn, label, classify(message, buf), message);
    }
    if (!RASTER_FORMATS.has(format)) {
      throw new ImageDecodeError(fn, label, 'not an image', `content is ${format.toUpperCase()}, not a raster image`);
    }
    // failOn 'error': truncated or broken data throws; mere warnings (extra bytes after the
    // image, which PIL accepts too) do not. pages 1: the first frame of a GIF / multi-page TIFF.
    pipeline = sharp(buf, { failOn: 'error', pages: 1 }).rotate();
  }
  pipeline = pipeline.toColourspace('srgb').removeAlpha();
  if (targetSize !== undefined && hasAlpha) {
    // sharp runs removeAlpha after resize whatever the call order: drop the alpha in a pass of its own.
    const rgb = await toRawRgb(pipeline, fn, label, buf);
    pipeline = sharp(rgb.data, { raw: { width: rgb.info.width, height: rgb.info.height, channels: 3 } });
  }
  if (targetSize !== undefined) {
    pipeline = pipeline.resize(targetSize[1], targetSize[0], {
      fit: opts.keepAspectRatio ? 'cover' : 'fill',
      position: 'centre',
      kernel: KERNELS[interpolation],
    });
  }

  const out = await toRawRgb(pipeline, fn, label, buf);

  const warnings: FileIssue[] = [];
  if (typeof pathOrBuffer === 'string') {
    const ext = path.extname(pathOrBuffer).slice(1).toLowerCase();
    const expected = EXTENSION_FORMAT[ext];
    if (expected !== undefined && expected !== format) {
      warnings.push({ path: pathOrBuffer, reason: 'wrong extension', detail: `content is ${format.toUpperCase()}, extension is .${ext}` });
    }
  }
  return {
    data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength),
    height: out.info.height,
    width: out.info.width,
    channels: 3,
    format,
    warnings,
  };
}
