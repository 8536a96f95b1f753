/**
 * The SIMD heap kernels' module: committed bytes in step with their AssemblyScript source, and
 * instantiated on the wasm backend's own memory (cpu has none). Their values are checked against
 * the cpu kernels in kernels.test.ts (depthwise filter gradient, ReLU6 gradient).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { heapKernelsFor, heapOffset } from '../../src/backend/simd/heap_kernels';
import { TransferLabError } from '../../src/errors';

const root = path.resolve(__dirname, '..', '..');

test('the committed wasm module is what its AssemblyScript source compiles to', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'node_modules', 'zx', 'build', 'cli.js'), 'scripts/build-simd.mjs', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.match(out, /is up to date/);
});

test('wasm gets the heap kernels on its own memory, once; cpu gets none', async () => {
  await tf.setBackend('wasm');
  const wasm = tf.backend();
  const kernels = heapKernelsFor(wasm);
  assert.ok(kernels !== null, 'Node 20 has WebAssembly SIMD');
  assert.equal(heapKernelsFor(wasm), kernels, 'instantiated once per backend');
  assert.equal(typeof kernels!.depthwiseFilterGrad, 'function');
  await tf.setBackend('cpu');
  assert.equal(heapKernelsFor(tf.backend()), null);
});

test('clipByValueGrad writes only its output, in place on the heap', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const kernels = heapKernelsFor(backend)!;
  const x = tf.tensor1d([-1, 0, 3, 6, 7, 2, 5]);
  const dy = tf.tensor1d([1, 2, 3, 4, 5, 6, 7]);
  const guard = tf.fill([7], 42);
  const out = tf.zeros([7]);
  const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  kernels.clipByValueGrad(heapOffset(backend, info(x)), heapOffset(backend, info(dy)), heapOffset(backend, info(out)), 7, 0, 6);
  assert.deepEqual(Array.from(await out.data()), [0, 2, 3, 4, 0, 6, 7]);
  assert.deepEqual(Array.from(await guard.data()), Array(7).fill(42));
  assert.throws(() => heapOffset(backend, { dataId: {}, shape: [1], dtype: 'float32' }), TransferLabError);
  tf.dispose([x, dy, guard, out]);
});
