import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LAB_NOTEBOOK, QUICK_SUBSETS } from '../../src/classroom/warm';

test("warm's quick-mode subsets are the ones notebook 05 asks for (else students would miss the shared cache)", () => {
  const nb = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'notebooks', LAB_NOTEBOOK), 'utf8')) as { cells: { source: string[] | string }[] };
  const code = nb.cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source)).join('\n');
  const quick = (constant: string) => Number(new RegExp(`const ${constant} = lab\\.quickOr<number \\| undefined>\\((\\d+), undefined\\)`).exec(code)?.[1]);
  const [ants, flowers] = QUICK_SUBSETS;
  assert.equal(quick('PER_CLASS'), ants.perClass);
  assert.equal(quick('FLOWERS_PER_CLASS'), flowers.perClass);
  assert.match(code, /lab\.subsetPerClass\(antsRoot, \{ splits: \['train', 'val'\], perClass: PER_CLASS \}\)/);
  assert.match(code, /lab\.subsetPerClass\(flowersRoot, \{ splits: \['train', 'test'\], perClass: FLOWERS_PER_CLASS \}\)/);
  assert.deepEqual([...ants.splits], ['train', 'val']);
  assert.deepEqual([...flowers.splits], ['train', 'test']);
});
