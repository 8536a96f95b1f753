/**
 * The tensor side of augmentation: Keras' `apply_affine_transform` + flips + channel shift +
 * brightness, on a batch of images with one set of parameters per image.
 *
 * Geometry follows Keras exactly: in (row, col) coordinates the matrix
 * `rotation . shift . shear . zoom` maps an OUTPUT pixel to the INPUT point it samples (as
 * scipy's affine_transform does), centred on the image, with bilinear sampling (Keras'
 * interpolation_order=1). One change: Keras centres on `size / 2 + 0.5`, half a pixel off
 * (fixed in later Keras versions); we centre on the true middle, `(size - 1) / 2`, so a
 * 180-degree rotation maps the image onto itself. Flips are folded into the same matrix (they
 * are exact pixel moves), so each image needs one tf.image.transform call.
 */
import * as tf from '@tensorflow/tfjs';

/** How points outside the image are filled (Keras `fill_mode`). */
export type FillMode = 'nearest' | 'constant' | 'reflect' | 'wrap';

/** One image's random transformation (Keras `get_random_transform` result). */
export interface TransformParams {
  /** Rotation in degrees. */
  theta: number;
  /** Shift along rows in pixels (Keras' `tx`, drawn from heightShiftRange): +2 moves content up 2 rows. */
  tx: number;
  /** Shift along columns in pixels (Keras' `ty`, drawn from widthShiftRange): +2 moves content left. */
  ty: number;
  /** Shear angle in degrees. */
  shear: number;
  /** Zoom factor along rows: < 1 zooms in (enlarges), > 1 zooms out (Keras' convention). */
  zx: number;
  /** Zoom factor along columns. */
  zy: number;
  /** Mirror left-right. */
  flipHorizontal: boolean;
  /** Mirror top-bottom. */
  flipVertical: boolean;
  /** Value added to every channel, clipped to the image's own min..max; null for none. */
  channelShiftIntensity: number | null;
  /** Brightness factor (1 = unchanged), result clipped to [0, 255]; null for none. */
  brightness: number | null;
}

/** Parameters that change nothing. */
export const IDENTITY_TRANSFORM: Readonly<TransformParams> = Object.freeze({
  theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1,
  flipHorizontal: false, flipVertical: false, channelShiftIntensity: null, brightness: null,
});

type Mat3 = [number, number, number, number, number, number, number, number, number];

function mul(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9) as Mat3;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[r * 3 + c] = a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c];
  }
  return out;
}

/**
 * The 8-number tf.image.transform vector for one image, or null when the geometry is the
 * identity. tf's vector maps output (x=col, y=row) to input; ours is built in (row, col).
 */
export function transformVector(p: TransformParams, height: number, width: number): number[] | null {
  const geometric = p.theta !== 0 || p.tx !== 0 || p.ty !== 0 || p.shear !== 0 || p.zx !== 1 || p.zy !== 1;
  if (!geometric && !p.flipHorizontal && !p.flipVertical) return null;
  let m: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  if (geometric) {
    const t = (p.theta * Math.PI) / 180;
    const s = (p.shear * Math.PI) / 180;
    const rotation: Mat3 = [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1];
    const shift: Mat3 = [1, 0, p.tx, 0, 1, p.ty, 0, 0, 1];
    const shear: Mat3 = [1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1];
    const zoom: Mat3 = [p.zx, 0, 0, 0, p.zy, 0, 0, 0, 1];
    const oR = (height - 1) / 2;
    const oC = (width - 1) / 2;
    const toCentre: Mat3 = [1, 0, oR, 0, 1, oC, 0, 0, 1];
    const fromCentre: Mat3 = [1, 0, -oR, 0, 1, -oC, 0, 0, 1];
    m = mul(mul(toCentre, mul(mul(mul(rotation, shift), shear), zoom)), fromCentre);
  }
  // Keras flips the transformed image; sampling the transform at the mirrored pixel is the same.
  if (p.flipHorizontal) m = mul(m, [1, 0, 0, 0, -1, width - 1, 0, 0, 1]);
  if (p.flipVertical) m = mul(m, [-1, 0, height - 1, 0, 1, 0, 0, 0, 1]);
  // Row-col matrix [m0 m1 m2; m3 m4 m5] -> tf (x, y): x_in = m4 x + m3 y + m5, y_in = m1 x + m0 y + m2.
  return [m[4], m[3], m[5], m[1], m[0], m[2], 0, 0];
}

/** The identity as a tf.image.transform vector. */
const IDENTITY_VECTOR = [1, 0, 0, 0, 1, 0, 0, 0];

/**
 * Applies one TransformParams per image to a batch `[n, h, w, c]`; returns a new float32 tensor.
 * The whole batch goes through one tf.image.transform call, except on the cpu backend: its
 * Transform kernel (tfjs 4.22) returns after the first image when each image has its own
 * matrix, leaving the others blank, so there we transform one image at a time.
 */
/**
 * 'reflect' fill on the wasm backend. tfjs-backend-wasm 4.22's Transform kernel mirrors wrongly
 * past the bottom and right edges (an unsigned comparison in map_coord_reflect), so we mirror-pad
 * the image ourselves ('symmetric' = scipy's 'reflect', what Keras uses) and sample the padded
 * image with 'nearest' fill, shifting the transform by the padding.
 */
function reflectTransformWasm(x: tf.Tensor4D, vectors: number[][]): tf.Tensor4D {
  const [n, h, w] = x.shape;
  // One full mirror image on each side ('symmetric' allows a pad up to the dimension itself).
  const padded = tf.mirrorPad(x, [[0, 0], [h, h], [w, w], [0, 0]], 'symmetric');
  // Input column x' = (a0 x + a1 y + a2) / k, row y' = (b0 x + b1 y + b2) / k, k = c0 x + c1 y + 1:
  // adding pad·k to a numerator moves the sample point into the padded image.
  const shifted = vectors.map(([a0, a1, a2, b0, b1, b2, c0, c1]) => [a0 + w * c0, a1 + w * c1, a2 + w, b0 + h * c0, b1 + h * c1, b2 + h, c0, c1]);
  return tf.image.transform(padded, tf.tensor2d(shifted, [n, 8]), 'bilinear', 'nearest', 0, [h, w]);
}

export function applyTransforms(
  x: tf.Tensor4D,
  params: TransformParams[],
  fillMode: FillMode,
  cval: number,
): tf.Tensor4D {
  const n = x.shape[0];
  if (params.length !== n) {
    throw new Error(`applyTransforms: ${params.length} parameter sets for a batch of ${n} images`);
  }
  return tf.tidy(() => {
    let out: tf.Tensor4D = x.dtype === 'float32' ? tf.clone(x) : tf.cast(x, 'float32');
    const [, h, w] = x.shape;
    const vectors = params.map((p) => transformVector(p, h, w));
    if (vectors.some((v) => v !== null)) {
      if (tf.getBackend() === 'cpu' && n > 1) {
        const images = tf.split<tf.Tensor4D>(out, n, 0).map((img, i) => {
          const v = vectors[i];
          return v === null ? img : tf.image.transform(img, tf.tensor2d([v], [1, 8]), 'bilinear', fillMode, cval);
        });
        out = tf.concat<tf.Tensor4D>(images, 0);
      } else if (fillMode === 'reflect' && tf.getBackend() === 'wasm') {
        out = reflectTransformWasm(out, vectors.map((v) => v ?? IDENTITY_VECTOR));
      } else {
        const rows = vectors.map((v) => v ?? IDENTITY_VECTOR);
        out = tf.image.transform(out, tf.tensor2d(rows, [n, 8]), 'bilinear', fillMode, cval);
      }
    }
    // Per-image scalars as [n, 1, 1, 1] tensors; `use` masks images that have no such step.
    const perImage = (values: number[]): tf.Tensor4D => tf.tensor4d(values, [n, 1, 1, 1]);
    if (params.some((p) => p.channelShiftIntensity !== null)) {
      const shift = perImage(params.map((p) => p.channelShiftIntensity ?? 0));
      const lo = tf.min(out, [1, 2, 3], true);
      const hi = tf.max(out, [1, 2, 3], true);
      out = tf.minimum(tf.maximum(tf.add(out, shift), lo), hi);
    }
    if (params.some((p) => p.brightness !== null)) {
      const factor = perImage(params.map((p) => p.brightness ?? 1));
      const use = perImage(params.map((p) => (p.brightness === null ? 0 : 1)));
      const bright = tf.clipByValue(tf.mul<tf.Tensor4D>(out, factor), 0, 255);
      out = tf.add(tf.mul(bright, use), tf.mul(out, tf.sub(1, use)));
    }
    return out;
  });
}
