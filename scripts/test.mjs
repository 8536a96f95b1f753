#!/usr/bin/env zx
// npm test — type-check, unit tests (node:test), then every notebook through tslab in quick mode.
// npm test -- --unit   runs only the unit tests.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { $, argv, chalk } from 'zx';
import { buildLibrary, defaultMirror, root } from './lib/setup-steps.mjs';

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : testFiles(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const env = { ...process.env };
const mirror = defaultMirror();
if (mirror) env.TRANSFER_LAB_MIRROR = mirror;
// Tests never write to the user's real cache.
env.TRANSFER_LAB_CACHE = env.TRANSFER_LAB_CACHE ?? path.join(root, 'build', 'test-cache');

await buildLibrary({ force: true });
console.log(chalk.bold('Type-checking src/ and test/ ...'));
await $({ cwd: root, stdio: 'inherit' })`npx tsc -p tsconfig.json --noEmit`;

const files = testFiles(path.join(root, 'test')).sort().map((f) => path.relative(root, f));
console.log(chalk.bold(`Unit tests (${files.length} files) ...`));
await $({ cwd: root, env, stdio: 'inherit' })`node --import tsx --test --test-reporter=spec ${files}`;

if (!argv.unit) {
  console.log(chalk.bold('Notebooks (quick mode) ...'));
  await $({ cwd: root, env, stdio: 'inherit' })`npx zx scripts/run-notebooks.mjs --quick`;
}
