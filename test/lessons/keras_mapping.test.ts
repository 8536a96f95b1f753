// The Keras ↔ transfer-lab mapping (lessons/keras-mapping*.md) must not rot: every `lab.` name in
// its tables is a runtime export of src/index.ts, every option key written inside a `lab.` call is
// declared somewhere in src/, and every "NN § heading" names a real section of a real notebook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as lab from '../../src/index';

const root = path.resolve(__dirname, '..', '..');
const DOCS = ['lessons/keras-mapping.md', 'lessons/keras-mapping.zh-CN.md'];

interface Row {
  doc: string;
  line: number;
  code: string;
  taughtIn: string;
}

/** The body rows of every three-column table: [Keras, transfer-lab, taught in]. */
function rows(doc: string): Row[] {
  const out: Row[] = [];
  readFileSync(path.join(root, doc), 'utf8').split('\n').forEach((text, i) => {
    if (!text.startsWith('|') || /^\|[-\s|:]+\|$/.test(text)) return;
    // Cells are split on ' | ' (code spans in the tables never contain a pipe).
    const cells = text.slice(1, -1).split(' | ').map((c) => c.trim());
    if (cells.length !== 3) throw new Error(`${doc}:${i + 1}: expected 3 cells, found ${cells.length}: ${text}`);
    if (cells[1] === 'transfer-lab') return; // the header row (both languages)
    out.push({ doc, line: i + 1, code: cells[1], taughtIn: cells[2] });
  });
  return out;
}

const allRows = DOCS.flatMap(rows);
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

test('both mapping documents have tables, with the same code and notebook references', () => {
  const [en, zh] = DOCS.map((d) => allRows.filter((r) => r.doc === d));
  assert.ok(en.length >= 40, `only ${en.length} rows in ${DOCS[0]}`);
  assert.deepEqual(
    zh.map((r) => r.taughtIn.replace(/（.*?）|\(.*?\)/g, '').trim()),
    en.map((r) => r.taughtIn.replace(/（.*?）|\(.*?\)/g, '').trim()),
    'the zh-CN tables must reference the same sections, row for row',
  );
  assert.deepEqual(zh.map((r) => codeSpans(r.code).filter((c) => c.includes('lab.'))), en.map((r) => codeSpans(r.code).filter((c) => c.includes('lab.'))));
});

test('every lab.name in the tables is exported by src/index.ts', () => {
  const exported = new Set(Object.keys(lab));
  const missing: string[] = [];
  for (const row of allRows) {
    for (const m of row.code.matchAll(/\blab\.([A-Za-z_$][\w$]*)/g)) {
      if (!exported.has(m[1])) missing.push(`${row.doc}:${row.line}: lab.${m[1]}`);
    }
  }
  assert.deepEqual(missing, [], 'names the library does not export (only runtime values: functions, classes, constants)');
});

/** Every `name:` or `name?:` declared in a src/ .ts file. */
function declaredKeys(): Set<string> {
  const keys = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/([A-Za-z_]\w*)\??:\s/g)) keys.add(m[1]);
    }
  };
  walk(path.join(root, 'src'));
  return keys;
}

test('every option key inside a lab. call or a lab option object is declared in src/', () => {
  const keys = declaredKeys();
  const unknown: string[] = [];
  for (const row of allRows) {
    // Spans that call the library, and bare option spans such as `horizontalFlip: true`.
    const spans = codeSpans(row.code).filter((c) => c.includes('lab.') || /^\{?[a-z]\w*: /.test(c));
    for (const span of spans) {
      const withoutStrings = span.replace(/'[^']*'/g, "''");
      for (const m of withoutStrings.matchAll(/([A-Za-z_]\w*)\??:\s/g)) {
        if (!keys.has(m[1])) unknown.push(`${row.doc}:${row.line}: ${m[1]} (in \`${span}\`)`);
      }
    }
  }
  assert.deepEqual(unknown, [], 'option names no options interface in src/ declares');
});

/** Markdown headings per notebook number: '05' -> ['05 · Build a network ...', '1. Setup', ...]. */
function notebookHeadings(): Map<string, { file: string; headings: Set<string> }> {
  const dir = path.join(root, 'notebooks');
  const out = new Map<string, { file: string; headings: Set<string> }>();
  for (const file of readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f))) {
    const nb = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
    const headings = new Set<string>();
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'markdown') continue;
      const text = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) headings.add(m[1]);
    }
    out.set(file.slice(0, 2), { file, headings });
  }
  return out;
}

test('every "NN § heading" reference names an existing notebook section; "—" marks the rest', () => {
  const notebooks = notebookHeadings();
  const problems: string[] = [];
  let references = 0;
  for (const row of allRows) {
    if (row.taughtIn.startsWith('—')) continue;
    for (const item of row.taughtIn.split('<br>').map((s) => s.trim())) {
      const m = /^(\d\d) § (.+)$/.exec(item);
      if (!m) {
        problems.push(`${row.doc}:${row.line}: "${item}" is not of the form "05 § heading" (or "—")`);
        continue;
      }
      references++;
      const nb = notebooks.get(m[1]);
      if (!nb) problems.push(`${row.doc}:${row.line}: no notebook ${m[1]}-*.ipynb`);
      else if (!nb.headings.has(m[2])) problems.push(`${row.doc}:${row.line}: ${nb.file} has no heading "${m[2]}"`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(references >= 40, `only ${references} section references`);
});

test('the materials\' calls named in issue 13 each have a row', () => {
  const en = readFileSync(path.join(root, DOCS[0]), 'utf8');
  const required = [
    'ImageDataGenerator(', 'flow_from_directory', 'applications.VGG19', 'applications.VGG16', 'applications.ResNet50',
    'applications.InceptionV3', 'applications.MobileNet', 'include_top', "weights='imagenet'", 'input_shape',
    'preprocess_input', 'decode_predictions', 'layer.trainable', 'model.compile', 'model.fit(', 'fit_generator',
    'ModelCheckpoint(', 'EarlyStopping(', 'load_weights', 'h5py', 'model.predict(', 'model.evaluate', 'Flatten()',
    'Dense(256', 'Dropout(0.5)', 'GlobalAveragePooling2D', 'SGD(', 'RMSprop(', 'Adam(', 'rescale=1./255', 'horizontal_flip',
    'zoom_range', 'width_shift_range', 'height_shift_range', 'rotation_range', "fill_mode='nearest'",
  ];
  const tableText = en.split('\n').filter((l) => l.startsWith('|')).join('\n');
  assert.deepEqual(required.filter((s) => !tableText.includes(s)), []);
});
