import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isQuickMode, modeReport } from '../src/session';

test('the setup report names the mode and the command that switches to the other one', () => {
  assert.match(modeReport(false), /^Mode: full\. Short version: quit Jupyter, run TRANSFER_LAB_QUICK=1 npm start$/);
  assert.match(modeReport(true), /^Mode: quick .*Full lesson: quit Jupyter, run npm start$/);
});

test('modeReport() without an argument follows TRANSFER_LAB_QUICK', () => {
  const saved = process.env.TRANSFER_LAB_QUICK;
  try {
    process.env.TRANSFER_LAB_QUICK = '1';
    assert.equal(isQuickMode(), true);
    assert.match(modeReport(), /^Mode: quick/);
    process.env.TRANSFER_LAB_QUICK = '0';
    assert.match(modeReport(), /^Mode: full/);
  } finally {
    if (saved === undefined) delete process.env.TRANSFER_LAB_QUICK;
    else process.env.TRANSFER_LAB_QUICK = saved;
  }
});
