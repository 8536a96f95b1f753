// The pure logic behind the student copies (no file I/O, so tests drive it with hand-made
// notebook objects): strip solution regions, clear outputs, drop cells tagged `solution`, and
// check that a student copy is still in sync with its full notebook. Used by
// scripts/student-copies.mjs; in the spirit of fastbook's tools/clean.py.

/** The line that replaces a code cell's solution region (at the marker's indentation). */
export const CODE_PLACEHOLDER = '// YOUR CODE HERE';
/** The line that replaces a markdown cell's solution region. */
export const MARKDOWN_PLACEHOLDER = '*Your answer here.*';
/** Cells with this tag in `metadata.tags` are left out of the student copy entirely. */
export const SOLUTION_TAG = 'solution';

// Per cell type: whole-line `begin` / `end` markers (any indentation, captured) and `mention`,
// a marker anywhere in a line. A marker that is not alone on its line would silently leak a
// solution, so it is an error.
const MARKERS = {
  code: {
    begin: /^(\s*)\/\/\s*BEGIN SOLUTION\s*$/,
    end: /^(\s*)\/\/\s*END SOLUTION\s*$/,
    mention: /\/\/\s*(BEGIN|END) SOLUTION/,
    begins: '// BEGIN SOLUTION',
    ends: '// END SOLUTION',
    placeholder: CODE_PLACEHOLDER,
  },
  markdown: {
    begin: /^(\s*)<!--\s*BEGIN SOLUTION\s*-->\s*$/,
    end: /^(\s*)<!--\s*END SOLUTION\s*-->\s*$/,
    mention: /<!--\s*(BEGIN|END) SOLUTION/,
    begins: '<!-- BEGIN SOLUTION -->',
    ends: '<!-- END SOLUTION -->',
    placeholder: MARKDOWN_PLACEHOLDER,
  },
};

/** A cell's source as one string (nbformat allows a string or a list of lines). */
export function cellText(cell) {
  return Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
}

/** Sets a cell's source from lines, in the same form (string or list) the original used. */
function withLines(cell, lines) {
  const text = lines.join('\n');
  if (!Array.isArray(cell.source)) return text;
  return text === '' ? [] : text.split(/(?<=\n)/);
}

/** Whether a cell carries the `solution` tag. */
export function isSolutionCell(cell) {
  return Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes(SOLUTION_TAG);
}

/** Code cells that run an exercise check (`checkExercise(`): one per exercise. */
export function countExercises(nb) {
  return nb.cells.filter((c) => c.cell_type === 'code' && cellText(c).includes('checkExercise(')).length;
}

function where(name, index, cell) {
  return `${name} cell ${index}${cell.id ? ` (id ${cell.id})` : ''}, a ${cell.cell_type} cell`;
}

/**
 * Splits a cell's lines into segments: `{ kind: 'keep', line }` and
 * `{ kind: 'solution', indent, lines }` (marker lines excluded). Throws on unbalanced, nested or
 * inline markers, naming the notebook, the cell index (0-based, as in the .ipynb) and the line.
 */
export function segments(cell, { name = 'notebook', index = 0 } = {}) {
  const lines = cellText(cell).split('\n');
  const m = MARKERS[cell.cell_type];
  if (!m) return lines.map((line) => ({ kind: 'keep', line }));
  const out = [];
  let open; // the solution segment being filled, with the line number of its BEGIN
  lines.forEach((line, i) => {
    const at = `${where(name, index, cell)}, line ${i + 1}`;
    const begin = m.begin.exec(line);
    const end = m.end.exec(line);
    if (begin) {
      if (open) throw new Error(`studentNotebook: ${at}: nested '${m.begins}' (the region opened on line ${open.from} is not closed). Close it with '${m.ends}' first.`);
      open = { kind: 'solution', indent: begin[1], lines: [], from: i + 1 };
    } else if (end) {
      if (!open) throw new Error(`studentNotebook: ${at}: '${m.ends}' has no matching '${m.begins}' above it. Add the BEGIN marker or remove this line.`);
      out.push({ kind: 'solution', indent: open.indent, lines: open.lines });
      open = undefined;
    } else if (m.mention.test(line)) {
      throw new Error(`studentNotebook: ${at}: a solution marker must be alone on its line (found ${JSON.stringify(line.trim())}). Put '${m.begins}' / '${m.ends}' on lines of their own.`);
    } else if (open) {
      open.lines.push(line);
    } else {
      out.push({ kind: 'keep', line });
    }
  });
  if (open) throw new Error(`studentNotebook: ${where(name, index, cell)}, line ${open.from}: '${m.begins}' is never closed. Add '${m.ends}' after the solution lines.`);
  return out;
}

/**
 * Makes `../` path literals in code work from a folder `upLevels` deeper than notebooks/:
 * `'../dist/index'` becomes `'../../dist/index'` for upLevels 1. Only string literals that
 * start with `../` change.
 */
export function relocateLine(line, upLevels = 0) {
  if (!upLevels) return line;
  return line.replace(/(['"`])\.\.\//g, `$1${'../'.repeat(upLevels)}../`);
}

/** The student lines of one cell, given its segments. */
function studentLines(cell, segs, upLevels) {
  const m = MARKERS[cell.cell_type];
  return segs.map((s) => {
    if (s.kind === 'solution') return `${s.indent}${m.placeholder}`;
    return cell.cell_type === 'code' ? relocateLine(s.line, upLevels) : s.line;
  });
}

/**
 * The student copy of a notebook and what was stripped. Options:
 * - `name`: the notebook's file name, used in error messages (default 'notebook').
 * - `upLevels`: extra `../` added to relative path literals in code cells, for a copy that
 *   lives that many folders deeper than notebooks/ (default 0: no change).
 * Returns `{ notebook, stats: { cells, exercises, codeRegions, markdownRegions, solutionCells } }`.
 */
export function studentCopy(nb, { name = 'notebook', upLevels = 0 } = {}) {
  const notebook = structuredClone(nb);
  const stats = { cells: 0, exercises: countExercises(nb), codeRegions: 0, markdownRegions: 0, solutionCells: 0 };
  const cells = [];
  notebook.cells.forEach((cell, index) => {
    if (isSolutionCell(cell)) {
      stats.solutionCells += 1;
      return;
    }
    const segs = segments(cell, { name, index });
    const regions = segs.filter((s) => s.kind === 'solution').length;
    if (cell.cell_type === 'code') stats.codeRegions += regions;
    if (cell.cell_type === 'markdown') stats.markdownRegions += regions;
    if (regions || (cell.cell_type === 'code' && upLevels)) cell.source = withLines(cell, studentLines(cell, segs, upLevels));
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
    cells.push(cell);
  });
  notebook.cells = cells;
  stats.cells = cells.length;
  return { notebook, stats };
}

/**
 * The student copy of a notebook (a new object; `nb` is not changed): each code cell's lines from
 * `// BEGIN SOLUTION` to `// END SOLUTION` (inclusive, any indentation, several regions per cell)
 * become one `// YOUR CODE HERE` at the marker's indentation; a markdown region between
 * `<!-- BEGIN SOLUTION -->` and `<!-- END SOLUTION -->` becomes `*Your answer here.*`; outputs and
 * execution counts are cleared, metadata kept, cells tagged `solution` removed. Throws an Error
 * naming the notebook and cell index on unbalanced, nested or inline markers.
 * Options as in {@link studentCopy}.
 */
export function studentNotebook(nb, opts = {}) {
  return studentCopy(nb, opts).notebook;
}

/**
 * Compares a student copy with its full notebook and lists every problem (empty when in sync):
 * cell count, order (ids) or type differing; a line outside the solution regions differing; a
 * solution line leaked into the copy; a marker left in the copy; a code cell with outputs or an
 * execution count. `upLevels` as in {@link studentCopy}. Problems in the full notebook itself
 * (bad markers) are reported as one problem rather than thrown.
 */
export function checkStudentSync(full, student, { name = 'notebook', upLevels = 0 } = {}) {
  const problems = [];
  const expected = [];
  full.cells.forEach((cell, index) => {
    if (!isSolutionCell(cell)) expected.push({ cell, index });
  });
  const got = student.cells ?? [];
  if (got.length !== expected.length) {
    const tagged = full.cells.length - expected.length;
    problems.push(`${name}: cell count differs: the full notebook has ${expected.length} cells${tagged ? ` once ${tagged} solution-tagged cell(s) are removed` : ''}, the student copy has ${got.length}.`);
    return problems;
  }
  expected.forEach(({ cell, index }, i) => {
    const copy = got[i];
    const label = `${name}: student cell ${i} (full cell ${index}${cell.id ? `, id ${cell.id}` : ''})`;
    if (copy.cell_type !== cell.cell_type) {
      problems.push(`${label}: type differs: full ${cell.cell_type}, student ${copy.cell_type}.`);
      return;
    }
    if (cell.id && copy.id && cell.id !== copy.id) problems.push(`${label}: order differs: expected id ${cell.id}, found id ${copy.id}.`);
    if (cell.cell_type === 'code' && ((copy.outputs?.length ?? 0) > 0 || (copy.execution_count ?? null) !== null)) {
      problems.push(`${label}: the student copy has outputs or an execution count; copies must be clean.`);
    }
    let segs;
    try {
      segs = segments(cell, { name, index });
    } catch (err) {
      problems.push(err.message);
      return;
    }
    const want = studentLines(cell, segs, upLevels);
    const have = cellText(copy).split('\n');
    const kept = new Set(segs.filter((s) => s.kind === 'keep').map((s) => s.line.trim()));
    const secret = new Set(segs.flatMap((s) => (s.kind === 'solution' ? s.lines.map((l) => l.trim()) : [])).filter((l) => l !== '' && !kept.has(l)));
    have.forEach((line, j) => {
      if (secret.has(line.trim())) problems.push(`${label}, line ${j + 1}: solution line leaked into the student copy: ${JSON.stringify(line.trim())}.`);
      else if (MARKERS[cell.cell_type]?.mention.test(line)) problems.push(`${label}, line ${j + 1}: solution marker left in the student copy: ${JSON.stringify(line.trim())}.`);
    });
    const n = Math.max(want.length, have.length);
    for (let j = 0; j < n; j++) {
      if (want[j] === have[j]) continue;
      if (have[j] !== undefined && secret.has(have[j].trim())) continue; // already reported as a leak
      problems.push(`${label}, line ${j + 1}: differs from the full notebook: expected ${JSON.stringify(want[j] ?? '<no line>')}, found ${JSON.stringify(have[j] ?? '<no line>')}.`);
      break; // one line shift would repeat for every line below; the first is what to fix
    }
  });
  return problems;
}
