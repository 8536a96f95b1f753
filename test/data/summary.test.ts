import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { datasetSummary, SummarySource } from '../../src/data/summary';

function source(classNames: string[], counts: number[], skipped: SummarySource['skipped'] = []): SummarySource {
  return { classNames, classes: counts.flatMap((n, c) => new Array<number>(n).fill(c)), skipped };
}

describe('datasetSummary', () => {
  it('counts images per class and split, with totals, as plain data and as a DataFrame', () => {
    const s = datasetSummary({ train: source(['ants', 'bees'], [124, 121]), val: source(['ants', 'bees'], [70, 83]) });
    assert.deepEqual(s.table.columns, ['class', 'train', 'val', 'total']);
    assert.deepEqual(s.table.values, [['ants', 124, 70, 194], ['bees', 121, 83, 204], ['total', 245, 153, 398]]);
    assert.deepEqual(s.rows[0], { class: 'ants', train: 124, val: 70, total: 194 });
    assert.deepEqual(s.counts.val, { ants: 70, bees: 83 });
    assert.deepEqual(s.frame.columns, s.table.columns);
    assert.deepEqual(s.frame.values, s.table.values);
    assert.deepEqual(s.warnings, [], '124/121 and 83/70 are under the 1.5 ratio');
    assert.ok(Math.abs(s.imbalance.val - 83 / 70) < 1e-12);
  });

  it('warns about imbalance, missing classes and skipped files', () => {
    const s = datasetSummary(
      {
        train: source(['a', 'b', 'c'], [60, 20, 40], [{ path: 'train/a/x.jpg', reason: 'truncated', detail: 'premature end' }]),
        test: source(['a', 'b'], [5, 5]),
      },
      { imbalanceRatio: 2 },
    );
    assert.deepEqual(s.classNames, ['a', 'b', 'c']);
    assert.deepEqual(s.table.values.at(-1), ['total', 120, 10, 130]);
    assert.deepEqual(s.skipped, [{ path: 'train/a/x.jpg', reason: 'truncated', detail: 'premature end', split: 'train' }]);
    assert.equal(s.warnings.length, 3);
    assert.match(s.warnings[0], /^train: classes are unbalanced: 'a' has 60 images, 'b' only 20 \(3\.0x\)/);
    assert.match(s.warnings[1], /^test: no folder for class 'c'\./);
    assert.match(s.warnings[2], /^1 file was skipped \(truncated\): see \.skipped\./);
  });
});
