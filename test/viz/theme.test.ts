import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { CJK_FONT_FAMILIES, fontStack, getTheme, setTheme } from '../../src/viz/theme';
import { escapeHtml } from '../../src/html';
import { toHtmlTable } from '../../src/viz/tables';
import { figurePage } from '../../src/notebook/html';
import { trainingCurvesFigure } from '../../src/viz/training';

afterEach(() => setTheme('default'));

const history = { epoch: [0, 1], history: { loss: [1, 0.5], acc: [0.5, 0.8] } };
type Font = { size: number };

test('projector theme has larger fonts, thicker lines and its own palette', () => {
  const def = getTheme();
  setTheme('projector');
  const proj = getTheme();
  assert.equal(proj.name, 'projector');
  assert.ok(proj.fontSize >= 20 && proj.tickFontSize >= 20 && proj.annotationFontSize >= 20);
  assert.ok(proj.fontSize > def.fontSize && proj.titleFontSize > def.titleFontSize);
  assert.ok(proj.lineWidth > def.lineWidth);
  assert.notDeepEqual(proj.palette, def.palette);
});

test('figures built after setTheme use its font sizes and line widths', () => {
  const before = trainingCurvesFigure(history);
  setTheme('projector');
  const after = trainingCurvesFigure(history);
  const size = (f: typeof before): number => (f.layout.font as Font).size;
  const tick = (f: typeof before): number => ((f.layout.xaxis as { tickfont: Font }).tickfont).size;
  const line = (f: typeof before): number => (f.data[0].line as { width: number }).width;
  assert.equal(size(before), 13);
  assert.ok(size(after) >= 20);
  assert.ok(tick(after) >= 20 && tick(after) > tick(before));
  assert.ok(line(after) > line(before));
  setTheme('default');
  assert.equal(size(trainingCurvesFigure(history)), 13);
});

test('setTheme rejects unknown names and lists the valid ones', () => {
  assert.throws(() => setTheme('dark' as 'default'), /setTheme: unknown theme "dark"; use one of default, projector/);
  assert.equal(getTheme().name, 'default');
});

test('both themes use a font stack with CJK families after the Latin ones, ending in sans-serif', () => {
  for (const name of ['default', 'projector'] as const) {
    setTheme(name);
    const stack = getTheme().fontFamily;
    const families = stack.split(',').map((f) => f.trim().replace(/^"|"$/g, ''));
    assert.equal(families.at(-1), 'sans-serif', stack);
    assert.ok(families.indexOf('Arial') >= 0 && families.indexOf('Arial') < families.indexOf('Noto Sans CJK SC'), stack);
    for (const cjk of ['Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC']) assert.ok(families.includes(cjk), `${name}: ${cjk} missing from ${stack}`);
    assert.ok(stack.includes('"Noto Sans CJK SC"'), 'family names with spaces are quoted');
  }
});

test('figures, HTML tables and figure pages carry the CJK-capable stack', () => {
  const stack = getTheme().fontFamily;
  const fig = trainingCurvesFigure(history, { title: '迁移学习' });
  assert.equal((fig.layout.font as { family: string }).family, stack);
  const table = toHtmlTable([{ 术语: '迁移学习', term: 'transfer learning' }]);
  assert.ok(table.html.includes(`font-family:${escapeHtml(stack)}`), table.html.slice(0, 200));
  assert.ok(figurePage(fig).includes(`<body style="margin:16px;font-family:${escapeHtml(stack)}">`));
  assert.equal(fontStack(['Arial']), `Arial, ${CJK_FONT_FAMILIES.map((f) => `"${f}"`).join(', ')}, sans-serif`);
});
