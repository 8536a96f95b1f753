/** The one worker start-up: a WorkerLink over a real worker thread that answers, fails a request, and dies. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { DataError, ModelError } from '../../src/errors';
import { WorkerLink } from '../../src/parallel/worker_start';

/** Echoes 'echo', answers 'bad' with a DataError message, exits with code 3 on anything else. */
const WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type === 'echo') parentPort.postMessage({ type: 'echoed', id: m.id, value: m.value });
  else if (m.type === 'bad') parentPort.postMessage({ type: 'error', id: m.id, name: 'DataError', family: 'DataError', message: 'x.jpg is not an image' });
  else process.exit(3);
});`;

type Reply = { type: 'echoed'; id: number; value: number } | { type: 'error'; id: number | null };

describe('WorkerLink', () => {
  it('matches replies by id, rethrows a worker error as its class, and fails every request once the worker dies', async () => {
    let settled = 0;
    const link = new WorkerLink<Reply>(new Worker(WORKER, { eval: true }), 'TestOwner', () => settled++);
    const replies = await Promise.all([link.send({ type: 'echo', value: 1 } as never), link.send({ type: 'echo', value: 2 } as never)]);
    assert.deepEqual(replies, [{ type: 'echoed', id: 0, value: 1 }, { type: 'echoed', id: 1, value: 2 }]);
    await assert.rejects(link.send({ type: 'bad' }), (e: unknown) => e instanceof DataError && e.message === 'x.jpg is not an image');
    assert.equal(link.inFlight, 0);
    const stopped = /TestOwner: a worker stopped \(exit code 3\)\.$/;
    await assert.rejects(link.send({ type: 'die' }), (e: unknown) => e instanceof ModelError && stopped.test(e.message));
    await assert.rejects(link.send({ type: 'echo' }), stopped, 'later requests fail with the same cause');
    assert.ok(settled >= 4, `onSettled ran after each reply and the failure (${settled})`);
    await link.close(new ModelError('done'));
    await assert.rejects(link.send({ type: 'echo' }), /TestOwner: closed; create a new one\./);
  });
});
