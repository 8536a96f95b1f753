/**
 * `Identity` for the wasm backend, sharing data instead of copying it. tfjs runs Identity for every
 * tensor a gradient saves (`clone` in the tape) and for `tf.clone`; the wasm kernel copies each one,
 * ~250 copies of activations per MobileNetV2 top-block step (~3% of it). Tensors are immutable in
 * tfjs, so the cpu and webgl backends already share the data and count a reference, as wasm's own
 * Reshape does; this does the same. transfer-lab's kernels that need a private copy (a fresh id
 * for XNNPACK's packed-weights cache) use `WasmKernelScope.copy`.
 */
import * as tf from '@tensorflow/tfjs';
import { TransferLabError } from '../../errors';
import { WASM } from './scope';

function identity(args: { inputs: tf.NamedTensorInfoMap; backend: {} }): tf.TensorInfo {
  const x = args.inputs.x;
  if (x == null) throw new TransferLabError("Identity (transfer-lab wasm kernel): input 'x' is missing.");
  const backend = args.backend as { incRef(dataId: object): void };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Kernel config that `registerWasmGradientKernels` puts in place of wasm's copying Identity. */
export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: WASM,
  kernelFunc: identity as unknown as tf.KernelFunc,
};
