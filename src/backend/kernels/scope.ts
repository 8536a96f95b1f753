/**
 * Plumbing shared by transfer-lab's composite wasm kernels: run other wasm kernels from inside a
 * kernelFunc and free every intermediate result, so a composite kernel leaks no backend memory,
 * whether it returns or throws.
 */
import * as tf from '@tensorflow/tfjs';
import { TransferLabError } from '../../errors';

/** The backend every kernel in this folder is registered for. */
export const WASM = 'wasm';

/** The wasm backend's heap access used by transfer-lab's kernels (public in tfjs-backend-wasm 4.x). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** True when `backend` has the wasm heap access (tfjs-backend-wasm 4.x does; another backend does not). */
export function hasWasmHeap(backend: object): backend is WasmHeapBackend {
  const heap = backend as Partial<WasmHeapBackend>;
  return typeof heap.makeOutput === 'function' && typeof heap.typedArrayFromHeap === 'function';
}

/** Inputs of a kernel: named tensors, or a list for list-input kernels such as `Concat`. */
export type KernelInputs = tf.NamedTensorInfoMap | tf.TensorInfo[];

/**
 * Tracks the tensors a composite kernel creates through wasm kernels and disposes them.
 * Use it through {@link withWasmScope}, which keeps only the kernel's result.
 */
export class WasmKernelScope {
  private readonly temps: tf.TensorInfo[] = [];

  /**
   * @param kernelName the composite kernel running (named in error messages)
   * @param backend the wasm backend the kernelFunc received
   */
  constructor(
    readonly kernelName: string,
    readonly backend: tf.KernelBackend,
  ) {}

  /** Runs the wasm kernel `name` and tracks its output for disposal. */
  run(name: string, inputs: KernelInputs, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(name, WASM);
    if (kernel == null) {
      throw new TransferLabError(
        `${this.kernelName} (transfer-lab wasm kernel): it needs the wasm kernel '${name}', which is ` +
          `not registered; load '@tensorflow/tfjs-backend-wasm' 4.x before training on 'wasm'.`,
      );
    }
    // tfjs hands list-input kernels (Concat, AddN) an array in place of a name map.
    const named = inputs as tf.NamedTensorInfoMap;
    const out = kernel.kernelFunc({ inputs: named, backend: this.backend, attrs });
    if (Array.isArray(out)) {
      out.forEach((t) => this.temps.push(t));
      throw new TransferLabError(
        `${this.kernelName} (transfer-lab wasm kernel): kernel '${name}' returned ${out.length} ` +
          'tensors where one was expected; this tfjs version is not supported.',
      );
    }
    this.temps.push(out);
    return out;
  }

  /** Reshape without copying (the wasm `Reshape` shares the data and counts a reference). */
  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Transpose with the wasm (XNNPACK-style) kernel. */
  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** `a @ b` on the wasm backend (no transposes: that is its XNNPACK fast path when batch is 1). */
  matMul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }

  /**
   * A private copy of `x` (own data, own id): XNNPACK caches packed right-hand matrices by tensor
   * id without their shape, so a matrix packed under a shared id could be reused for another view.
   */
  copy(x: tf.TensorInfo): tf.TensorInfo {
    const backend = this.backend;
    if (!hasWasmHeap(backend)) {
      throw new TransferLabError(
        `${this.kernelName} (transfer-lab wasm kernel): backend '${tf.getBackend()}' has no wasm heap access ` +
          `(makeOutput, typedArrayFromHeap); run it on '@tensorflow/tfjs-backend-wasm' 4.x.`,
      );
    }
    const out = backend.makeOutput(x.shape, x.dtype);
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x)); // views after allocating
    this.temps.push(out);
    return out;
  }

  /** Frees an intermediate now (to keep peak memory low inside loops). */
  free(t: tf.TensorInfo): void {
    const i = this.temps.indexOf(t);
    if (i >= 0) this.temps.splice(i, 1);
    this.backend.disposeData(t.dataId);
  }

  /** Stops tracking `t`: the caller owns it (the kernel's result). */
  keep(t: tf.TensorInfo): tf.TensorInfo {
    const i = this.temps.indexOf(t);
    if (i >= 0) this.temps.splice(i, 1);
    return t;
  }

  /** Frees every tracked intermediate. */
  dispose(): void {
    for (const t of this.temps.splice(0)) this.backend.disposeData(t.dataId);
  }
}

/**
 * Runs `body` with a fresh {@link WasmKernelScope}, returns its result and frees everything else
 * it created, also when it throws.
 */
export function withWasmScope(
  kernelName: string,
  backend: tf.KernelBackend,
  body: (scope: WasmKernelScope) => tf.TensorInfo,
): tf.TensorInfo {
  const scope = new WasmKernelScope(kernelName, backend);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}

/** Returns the named input or throws an error naming the kernel and the missing input. */
export function requireInput(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  name: string,
): tf.TensorInfo {
  const t = inputs[name];
  if (t == null) {
    throw new TransferLabError(`${kernelName} (transfer-lab wasm kernel): input '${name}' is missing.`);
  }
  if (t.shape.length !== 4 || t.dtype !== 'float32') {
    throw new TransferLabError(
      `${kernelName} (transfer-lab wasm kernel): input '${name}' must be a float32 rank-4 tensor, ` +
        `got ${t.dtype} of shape [${t.shape.join(', ')}].`,
    );
  }
  return t;
}

/** Returns the named float32 input of any rank, or throws an error naming the kernel and the input. */
export function requireFloat32(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  name: string,
): tf.TensorInfo {
  const t = inputs[name];
  if (t == null || t.dtype !== 'float32') {
    throw new TransferLabError(
      `${kernelName} (transfer-lab wasm kernel): input '${name}' must be a float32 tensor, got ` +
        `${t == null ? 'nothing' : t.dtype}.`,
    );
  }
  return t;
}
