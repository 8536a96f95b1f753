/**
 * transfer-lab's SIMD heap kernels: a small WebAssembly module (source in ./assembly, compiled by
 * `npm run build:simd`) that shares the wasm backend's memory and works on tensors in place.
 * They cover gradients that XNNPACK has no good kernel for: the depthwise filter gradient (tfjs
 * composes it into one depthwise convolution with a huge filter, 1 GFLOP/s) and the ReLU6 gradient
 * (one pass instead of five). On a MobileNetV2 top-block step they cut ~20% of the time.
 * Where WebAssembly SIMD or the backend's memory is unavailable, callers fall back to composites.
 */
import * as tf from '@tensorflow/tfjs';
import { TransferLabError } from '../../errors';
import { HEAP_KERNELS_WASM_BASE64 } from './heap_kernels_wasm';

/** The module's exports; pointers are byte offsets of float32 tensors on the backend's heap. */
export interface HeapKernels {
  depthwiseFilterGrad(
    x: number, dy: number, out: number,
    batch: number, inHeight: number, inWidth: number, channels: number,
    outHeight: number, outWidth: number, filterHeight: number, filterWidth: number,
    strideHeight: number, strideWidth: number, dilationHeight: number, dilationWidth: number,
    padTop: number, padLeft: number,
  ): void;
  clipByValueGrad(x: number, dy: number, out: number, size: number, lo: number, hi: number): void;
}

/** What transfer-lab reads of @tensorflow/tfjs-backend-wasm 4.x's backend object. */
interface WasmBackendInternals {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap?: { has(dataId: object): boolean; get(dataId: object): { memoryOffset: number } };
}

const modules = new WeakMap<object, HeapKernels | null>();
let compiled: WebAssembly.Module | null | undefined;

function compile(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(HEAP_KERNELS_WASM_BASE64, 'base64');
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null; // no SIMD: null
  }
  return compiled;
}

/**
 * The heap kernels instantiated on `backend`'s memory (once per backend), or null when this
 * runtime lacks WebAssembly SIMD or the backend does not expose its memory (not wasm 4.x).
 */
export function heapKernelsFor(backend: object): HeapKernels | null {
  if (modules.has(backend)) return modules.get(backend)!;
  const memory = (backend as WasmBackendInternals).wasm?.asm?.memory;
  const module = memory instanceof WebAssembly.Memory ? compile() : null;
  const kernels =
    module === null ? null : (new WebAssembly.Instance(module, { env: { memory: memory as WebAssembly.Memory } }).exports as unknown as HeapKernels);
  modules.set(backend, kernels);
  return kernels;
}

/** Byte offset of a tensor's data on the wasm backend's heap. */
export function heapOffset(backend: object, t: tf.TensorInfo): number {
  const map = (backend as WasmBackendInternals).dataIdMap;
  if (map === undefined || !map.has(t.dataId)) throw new TransferLabError(`heapOffset (transfer-lab wasm kernel): tensor of shape [${t.shape.join(', ')}] is not on this wasm backend.`);
  return map.get(t.dataId).memoryOffset;
}
