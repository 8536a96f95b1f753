import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { AssetError, ClassroomError, DamagedFileError, DataError, ModelError, TrainError } from '../../src/errors';
import { rebuildError } from '../../src/parallel/worker_start';
import { describeError, ERROR_FAMILIES, errorFamily, errorOfFamily } from '../../src/parallel/worker_errors';

test('errorFamily names the library class an error belongs to; subclasses travel as their family', () => {
  assert.equal(errorFamily(new DataError('x')), 'DataError');
  assert.equal(errorFamily(new ModelError('x')), 'ModelError');
  assert.equal(errorFamily(new TrainError('x')), 'TrainError');
  assert.equal(errorFamily(new DamagedFileError('x', '/tmp/f')), 'AssetError');
  assert.equal(errorFamily(new ClassroomError('x')), 'Error');
  assert.equal(errorFamily(new RangeError('x')), 'Error');
  assert.equal(errorFamily('a string'), 'Error');
});

test('errorOfFamily rebuilds the same class for every family in the one list', () => {
  for (const [name, cls] of Object.entries(ERROR_FAMILIES)) {
    const err = errorOfFamily(name as keyof typeof ERROR_FAMILIES, 'bad image');
    assert.ok(err instanceof cls, `${name} rebuilt as ${err.constructor.name}`);
    assert.equal(err.message, 'bad image');
  }
  assert.equal(errorOfFamily('Error', 'plain').constructor, Error);
});

test('a worker error survives the round trip describeError -> rebuildError with its class and message', () => {
  const back = rebuildError(describeError(3, new AssetError("loadModel: file 'w.bin' is missing")));
  assert.ok(back instanceof AssetError);
  assert.equal(back.message, "loadModel: file 'w.bin' is missing");
  const plain = rebuildError(describeError(null, new RangeError('offset out of range')));
  assert.equal(plain.name, 'RangeError');
  assert.equal(plain.message, 'offset out of range');
});
