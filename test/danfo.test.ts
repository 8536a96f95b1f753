// `import lab` must stay fast: danfojs-node (~40 modules, about a second to load) is required only
// when a DataFrame is built (src/danfo.ts). Checked in fresh child processes, because this test
// process may already have danfojs in its module cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const distIndex = path.join(root, 'dist', 'index.js');

/** Runs `script` in a fresh node (cwd = project root) and returns its stdout parsed as JSON. */
function runChild(script: string, nodeArgs: string[] = []): unknown {
  const child = spawnSync(process.execPath, [...nodeArgs, '-e', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.status, 0, `child node failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? 'null');
}

/** JS that prints the danfojs-node modules in require.cache, as a JSON array. */
const LOADED_DANFO = `Object.keys(require.cache).filter((k) => k.includes('${path.sep}danfojs-node${path.sep}'))`;

test('requiring dist/index loads no danfojs-node module; building a DataFrame then loads it', () => {
  assert.ok(existsSync(distIndex), `${distIndex} is missing: run \`npm run build\` first (npm test does).`);
  const result = runChild(
    `const lab = require(${JSON.stringify(distIndex)});
     const atImport = ${LOADED_DANFO};
     const s = lab.datasetSummary({ train: { classNames: ['a', 'b'], classes: [0, 1, 1], skipped: [] } });
     const afterTable = ${LOADED_DANFO};
     const columns = s.frame.columns;
     console.log(JSON.stringify({ atImport, afterTable: afterTable.length, afterFrame: ${LOADED_DANFO}.length, columns }));`,
  ) as { atImport: string[]; afterTable: number; afterFrame: number; columns: string[] };
  assert.deepEqual(result.atImport, [], 'importing the library must not load danfojs');
  assert.equal(result.afterTable, 0, 'a summary read only as a table must not load danfojs');
  assert.ok(result.afterFrame > 0, 'reading summary.frame loads danfojs');
  assert.deepEqual(result.columns, ['class', 'train', 'total']);
});

test('the TypeScript sources (src/index.ts through tsx) import without danfojs too', () => {
  const loaded = runChild(`require('./src/index'); console.log(JSON.stringify(${LOADED_DANFO}));`, ['--import', 'tsx']);
  assert.deepEqual(loaded, []);
});
