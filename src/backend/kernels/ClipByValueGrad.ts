/**
 * The gradient of `clipByValue` (ReLU6 in MobileNet, MobileNetV2; Keras `ReLU(max_value=6)`) as
 * one pass over memory. tfjs computes it as `where(x >= min && x <= max, dy, 0)`: five wasm
 * kernels (GreaterEqual, LessEqual, LogicalAnd, ZerosLike, Select), each a full pass, which took
 * ~20% of a MobileNetV2 top-block fine-tuning step. Here one SIMD pass (transfer-lab's heap
 * kernel; a plain JS loop where WebAssembly SIMD is missing) reads x and dy straight from the wasm
 * heap and writes the result there.
 *
 * The gradient is registered for every backend (tfjs keeps one per op); on backends without the
 * `TransferLabClipByValueGrad` kernel (cpu, tensorflow, webgl) it falls back to tfjs' own formula.
 */
import * as tf from '@tensorflow/tfjs';
import { heapKernelsFor, heapOffset } from '../simd/heap_kernels';
import { requireFloat32, WASM, WasmHeapBackend } from './scope';

/** Name of the kernel (not a tfjs kernel: transfer-lab's own). */
export const CLIP_BY_VALUE_GRAD = 'TransferLabClipByValueGrad';

function clipByValueGrad(args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const dy = requireFloat32(CLIP_BY_VALUE_GRAD, args.inputs, 'dy');
  const x = requireFloat32(CLIP_BY_VALUE_GRAD, args.inputs, 'x');
  const min = Number(args.attrs?.clipValueMin);
  const max = Number(args.attrs?.clipValueMax);
  const backend = args.backend as WasmHeapBackend;
  const out = backend.makeOutput(x.shape, 'float32');
  const simd = heapKernelsFor(backend);
  if (simd !== null) {
    simd.clipByValueGrad(heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out), tf.util.sizeFromShape(x.shape), min, max);
    return out;
  }
  // Views only after allocating: a heap that grows gets a new buffer.
  const xs = backend.typedArrayFromHeap(x);
  const dys = backend.typedArrayFromHeap(dy);
  const result = backend.typedArrayFromHeap(out);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    result[i] = v >= min && v <= max ? dys[i] : 0;
  }
  return out;
}

/** Kernel config registered for backend 'wasm' by `registerWasmGradientKernels`. */
export const clipByValueGradConfig: tf.KernelConfig = {
  kernelName: CLIP_BY_VALUE_GRAD,
  backendName: WASM,
  kernelFunc: clipByValueGrad,
};

/**
 * The gradient of ClipByValue, same values as tfjs' own (the gradient passes where
 * min <= x <= max), through the one-pass kernel where the active backend has it.
 */
export const clipByValueGradientConfig: tf.GradConfig = {
  kernelName: tf.ClipByValue,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const clipValueMin = Number(attrs.clipValueMin);
    const clipValueMax = Number(attrs.clipValueMax);
    const single = Array.isArray(dy) ? dy[0] : dy;
    return {
      x: () =>
        tf.getKernel(CLIP_BY_VALUE_GRAD, tf.getBackend()) != null && single.dtype === 'float32' && x.dtype === 'float32'
          ? (tf.engine().runKernel(CLIP_BY_VALUE_GRAD, { dy: single, x }, { clipValueMin, clipValueMax }) as tf.Tensor)
          : tf.where(tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax)), single, tf.zerosLike(single)),
    };
  },
};
