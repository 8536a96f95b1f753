import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, backendReport, NATIVE_INSTALL_HINT } from '../../src/backend';

test('without tfjs-node the fallback is wasm, and the report says why and how to get native', async () => {
  const report = await setupBackend({ quiet: true });
  // On machines where libtensorflow is installed this test still holds for the name check below.
  if (!report.native) {
    assert.equal(report.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(report.notes.join('\n'), /tfjs-node/);
    assert.ok(report.notes.some((n) => n.includes(NATIVE_INSTALL_HINT)));
  } else {
    assert.equal(report.name, 'tensorflow');
  }
  assert.match(report.summary, new RegExp(`^Backend: ${report.name} — `));
  assert.deepEqual(backendReport(), report);
});

test('prefer cpu selects the pure-JS backend and says it is slow', async () => {
  const report = await setupBackend({ prefer: 'cpu', quiet: true });
  assert.equal(report.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(report.summary, /slow/);
});

test('TRANSFER_LAB_BACKEND picks the backend and a bad value is a clear error', async () => {
  process.env.TRANSFER_LAB_BACKEND = 'cpu';
  try {
    assert.equal((await setupBackend({ quiet: true })).name, 'cpu');
    process.env.TRANSFER_LAB_BACKEND = 'gpu';
    await assert.rejects(setupBackend({ quiet: true }), /TRANSFER_LAB_BACKEND='gpu' is not a backend; use one of tensorflow, wasm, cpu/);
  } finally {
    delete process.env.TRANSFER_LAB_BACKEND;
  }
});

test('conv training works on the selected backend (no "kernel not registered")', async () => {
  await setupBackend({ prefer: 'wasm', quiet: true });
  const x = tf.randomNormal([2, 8, 8, 3]);
  const w = tf.randomNormal([3, 3, 3, 4]);
  const dw = tf.randomNormal([3, 3, 4, 1]);
  const grads = tf.grads((w: tf.Tensor, dw: tf.Tensor) =>
    tf.depthwiseConv2d(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), dw as tf.Tensor4D, 1, 'same').sum(),
  )([w, dw]);
  assert.deepEqual(grads[0].shape, [3, 3, 3, 4]);
  assert.deepEqual(grads[1].shape, [3, 3, 4, 1]);
  tf.dispose([x, w, dw, ...grads]);
});

test('a tfjs-node whose native binding is missing falls back with a note, not a crash', async () => {
  const { loadNativeBackend } = await import('../../src/backend');
  const notes: string[] = [];
  const loaded = loadNativeBackend(notes, () => {
    throw new Error("Cannot find module '.../lib/napi-v8/tfjs_binding.node'");
  });
  assert.equal(loaded, false);
  assert.match(notes[0], /^tfjs-node did not load \(Cannot find module .*tfjs_binding\.node'\); for native speed run: npm run setup -- --native$/);

  const aliasNotes: string[] = [];
  // The danfojs alias: the module loads (it is plain tfjs) but registers no 'tensorflow' backend.
  assert.equal(loadNativeBackend(aliasNotes, () => ({})), false);
  assert.match(aliasNotes[0], /tfjs-node is not installed/);
});
