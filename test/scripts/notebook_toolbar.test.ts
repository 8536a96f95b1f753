// Students open the notebooks in Jupyter: notebook metadata `celltoolbar: "Slideshow"` makes
// Notebook 6 show a "Slide Type" bar on every cell. Slides need only each cell's
// `metadata.slideshow`, so no notebook, and no student copy made from one, may carry it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Notebook {
  cells: { metadata?: { slideshow?: { slide_type?: string } } }[];
  metadata: Record<string, unknown>;
}
interface StudentLib {
  studentNotebook(nb: Notebook, opts?: { name?: string; upLevels?: number }): Notebook;
}

const root = path.resolve(__dirname, '..', '..');
const notebooksDir = path.join(root, 'notebooks');
const names = readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();
const read = (name: string): Notebook => JSON.parse(readFileSync(path.join(notebooksDir, name), 'utf8')) as Notebook;

test('no notebook sets metadata.celltoolbar (the per-cell "Slide Type" bar)', () => {
  assert.ok(names.length > 0, `no .ipynb in ${notebooksDir}`);
  const withBar = names.filter((name) => 'celltoolbar' in read(name).metadata);
  assert.deepEqual(withBar, [], `remove "celltoolbar" from the metadata of: ${withBar.join(', ')}`);
});

test('the notebooks still carry their slide metadata, and student copies add no toolbar', async () => {
  const lib = (await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'student.mjs')).href)) as StudentLib;
  for (const name of names) {
    const nb = read(name);
    const slides = nb.cells.filter((c) => c.metadata?.slideshow?.slide_type === 'slide').length;
    assert.ok(slides > 0, `${name}: no cell starts a slide, so \`npm run slides\` would make one long slide`);
    const copy = lib.studentNotebook(nb, { name, upLevels: 1 });
    assert.equal('celltoolbar' in copy.metadata, false, `${name}: the student copy has metadata.celltoolbar`);
  }
});
