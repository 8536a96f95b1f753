/**
 * Types shared by the data modules: label modes, file problems, batches, and the error raised
 * for an image that cannot be decoded.
 */
import type * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';

/**
 * How labels are yielded (Keras `class_mode`):
 * - 'categorical': one-hot float32 `[n, numClasses]` (for softmax + categorical cross-entropy);
 * - 'binary': float32 0/1 `[n, 1]` (for a Dense(1, sigmoid) head; Keras yields `[n]`, but tfjs'
 *   `fitDataset` does not reshape targets, and `[n]` against `[n, 1]` predictions would broadcast);
 * - 'sparse': float32 class indices `[n]` (for sparse categorical cross-entropy);
 * - null: no labels (for `predict`); `ys` is then an empty float32 `[n, 0]` tensor.
 */
export type ClassMode = 'categorical' | 'binary' | 'sparse' | null;

/** Resampling filter used when resizing to `targetSize` (Keras `interpolation`). */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';

/** Every interpolation name accepted, for validation messages. */
export const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear', 'bicubic', 'lanczos'];

/**
 * Why a file could not be used (or, for 'wrong extension', why it deserves a look):
 * - 'unreadable': the file cannot be read (missing, no permission, broken link);
 * - 'zero bytes': the file is empty;
 * - 'truncated': the data ends early (interrupted download or copy);
 * - 'not an image': the content is no known image format (a text or HTML file named .jpg);
 * - 'corrupt': a known format whose data is damaged;
 * - 'unsupported': a valid file in a variant we do not read (e.g. RLE-compressed BMP);
 * - 'wrong extension': decodes fine, but the content format differs from the extension (a warning).
 */
export type DecodeReason =
  | 'unreadable'
  | 'zero bytes'
  | 'truncated'
  | 'not an image'
  | 'corrupt'
  | 'unsupported'
  | 'wrong extension';

/** A file that was skipped or deserves a warning. */
export interface FileIssue {
  /** The file's path as listed (directory joined with its relative path, like Keras `filepaths`). */
  path: string;
  /** The category of the problem. */
  reason: DecodeReason;
  /** Details from the decoder, e.g. "VipsJpeg: premature end of JPEG image" or "content is PNG". */
  detail: string;
}

/** A file left out of an iterator because it cannot be decoded (APIS.md `SkippedFile`). */
export type SkippedFile = FileIssue;

/** One batch from a DirectoryIterator. The caller disposes `xs` and `ys`. */
export interface Batch {
  /** Images `[n, height, width, 3]`, float32 in [0, 255] unless `rescale` / `preprocessingFunction` change them. */
  xs: tf.Tensor4D;
  /** Labels, shaped by the iterator's `classMode`. */
  ys: tf.Tensor;
  /** The image files in this batch, in batch order. */
  paths: string[];
}

const ADVICE: Record<DecodeReason, string> = {
  unreadable: 'Check that the file exists and can be read (a broken link, or missing permission?).',
  'zero bytes': 'The file is empty: re-download it or delete it.',
  truncated: 'The file ends early (an interrupted download or copy): re-download it or delete it.',
  'not an image':
    'Its content is no image format we know (a text or HTML page saved under an image name?): delete it or move it out of the dataset.',
  corrupt: 'The image data is damaged: re-save it with an image editor or delete it.',
  unsupported: 'This variant of the format is not supported: convert the file to PNG or JPEG.',
  'wrong extension': 'Rename the file to match its content.',
};

/**
 * Raised when an image cannot be decoded. It is a DataError that also carries the file and the
 * reason category, so callers (and the directory scan) can sort problems without parsing text.
 */
export class ImageDecodeError extends DataError {
  /** The file (or '<buffer>' for in-memory input). */
  readonly path: string;
  /** Why it failed. */
  readonly reason: DecodeReason;
  /** The decoder's own words. */
  readonly detail: string;

  constructor(fn: string, path: string, reason: DecodeReason, detail: string) {
    super(`${fn}: cannot decode image '${path}': ${reason} (${detail}). ${ADVICE[reason]}`);
    this.path = path;
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * Thrown by the small BMP / PNM decoders, which do not know the file name; decodeImage turns it
 * into an ImageDecodeError naming the file.
 */
export class RasterFormatError extends Error {
  readonly reason: DecodeReason;
  constructor(reason: DecodeReason, message: string) {
    super(message);
    this.name = 'RasterFormatError';
    this.reason = reason;
  }
}

/** Pixels decoded by one of our own small decoders: 8-bit RGB, row-major, top row first. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}
