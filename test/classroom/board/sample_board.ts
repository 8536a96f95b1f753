/**
 * A class's worth of sample results, and a still render of the board page from them, for the page
 * tests and for looking at the page in Debian's headless chromium:
 *
 *   node --import tsx test/classroom/board/sample_board.ts /tmp/board.png [students]
 *
 * writes the page to a temp folder (plotly loaded from node_modules by file URL), takes a
 * 1600x900 screenshot and prints where it is. Test-only: the real page needs a hub login.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderBoardPage } from '../../../src/classroom/board/page';
import { ClassResult } from '../../../src/classroom/board/results';
import { boardView } from '../../../src/classroom/board/view';
import { setTheme } from '../../../src/viz/theme';

const NAMES = ['student01', '张伟', 'student03', '李娜', 'student05', '王芳', 'student07', 'student08', '刘洋',
  'student10', 'student11', '陈静', 'student13', 'student14', '杨磊', 'student16', 'student17', 'student18',
  '赵敏', 'student20', 'student21', 'student22', '黄晓明', 'student24', 'student25', 'student26', '周杰',
  'student28', 'student29', 'student30', '吴桐', 'student32', 'student33', 'student34', '郑爽', 'student36',
  'student37', 'student38', '孙悦', 'student40'];

/**
 * Deterministic results for `students` students: everyone posts ants/bees feature extraction and
 * fine-tuning; every third also posts flowers12; accuracies spread like a real class's.
 */
export function sampleResults(students: number): ClassResult[] {
  const out: ClassResult[] = [];
  const start = Date.parse('2026-12-03T10:30:00Z');
  for (let i = 0; i < students; i++) {
    const student = NAMES[i % NAMES.length];
    const wobble = ((i * 37) % 11) / 100; // 0 .. 0.10
    const at = (k: number): string => new Date(start + (i * 3 + k) * 20_000).toISOString();
    out.push({ student, dataset: 'ants/bees', strategy: 'feature extraction', valAccuracy: 0.86 + wobble,
      seconds: 30 + i, backend: 'wasm', postedAt: at(0) });
    out.push({ student, dataset: 'ants/bees', strategy: 'fine-tuning', valAccuracy: 0.88 + wobble * 0.9,
      seconds: 55 + i, backend: 'wasm', postedAt: at(1) });
    if (i % 3 === 0) {
      out.push({ student, dataset: 'flowers12', strategy: 'fine-tuning', valAccuracy: 0.62 + wobble * 2,
        seconds: 120 + 2 * i, backend: 'wasm', postedAt: at(2) });
    }
  }
  return out;
}

/** The board page as a still file (no polling), plotly from node_modules by file URL. */
export function renderSamplePage(results: ClassResult[]): string {
  setTheme('projector');
  try {
    const plotly = pathToFileURL(require.resolve('plotly.js-dist-min/plotly.min.js')).toString();
    return renderBoardPage(boardView(results, results.length), { plotlyUrl: plotly, viewUrl: null, viewer: 'teacher' });
  } finally {
    setTheme('default');
  }
}

/** Screenshots a page file with Debian's headless chromium; returns the PNG path. */
export function screenshot(htmlFile: string, png: string, size = '1600,900'): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-board-chromium-'));
  try {
    const run = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      `--window-size=${size}`, '--virtual-time-budget=5000', `--screenshot=${png}`, pathToFileURL(htmlFile).toString()],
    { encoding: 'utf8', timeout: 120_000 });
    if (!fs.existsSync(png)) throw new Error(`chromium wrote no screenshot (${run.status}): ${run.stderr.slice(-800)}`);
    return png;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const png = path.resolve(process.argv[2] ?? '/tmp/board.png');
  const students = Number(process.argv[3] ?? 40);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-board-page-'));
  const html = path.join(dir, 'board.html');
  fs.writeFileSync(html, renderSamplePage(sampleResults(students)));
  console.log(`page: ${html}\nscreenshot: ${screenshot(html, png)}`);
}
