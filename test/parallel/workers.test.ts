import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { defaultWorkerCount } from '../../src/parallel/workers';

test('defaultWorkerCount is the core count without TRANSFER_LAB_WORKERS, and the variable when set', () => {
  assert.equal(defaultWorkerCount({}), availableParallelism());
  assert.equal(defaultWorkerCount({ TRANSFER_LAB_WORKERS: '' }), availableParallelism());
  assert.equal(defaultWorkerCount({ TRANSFER_LAB_WORKERS: '1' }), 1);
  assert.equal(defaultWorkerCount({ TRANSFER_LAB_WORKERS: ' 3 ' }), 3);
});

test('defaultWorkerCount rejects a TRANSFER_LAB_WORKERS that is not a whole number >= 1, naming it', () => {
  for (const bad of ['0', '-2', '1.5', 'two']) {
    assert.throws(() => defaultWorkerCount({ TRANSFER_LAB_WORKERS: bad }), {
      name: 'ModelError',
      message: new RegExp(`^defaultWorkerCount\\(\\): env TRANSFER_LAB_WORKERS must be a whole number >= 1, received "${bad.replace('.', '\\.')}"\\. Unset it`),
    });
  }
});
