#!/usr/bin/env zx
// npm run slides -- 05            slides of one lesson (a number or a notebook name), with outputs
// npm run slides -- all           slides of every notebook
// Options: --full   execute in full mode (default quick) when an executed copy must be made
//          --rerun  execute again even when build/notebooks/<name>.ipynb is fresh
//
// Slides show the executed notebook (build/notebooks/<name>.ipynb), so a notebook is executed
// first (scripts/run-notebooks.mjs --only <name>) when that copy is missing or older than the
// source. Then `jupyter nbconvert --to slides` writes build/slides/<name>.slides.html.
//
// Offline: nbconvert's reveal template loads reveal.js from unpkg and, through require.js, from
// cdnjs unless the distribution patches it (Debian points require.js and jQuery at
// /usr/share/javascript). Here the deck needs no network and no Debian path: the `reveal.js`
// npm package (4.x, the major nbconvert's template is written for) is copied to
// build/slides/reveal.js/, and a small template (written by this script into
// build/slides/.template/, extending nbconvert's `reveal`) loads it with plain <script> tags, so
// neither require.js nor jQuery is needed. The `white` theme uses reveal's bundled fonts (the
// default `simple` theme imports Google Fonts). Plotly figures carry plotly.js inline (see
// src/notebook/html.ts). Only LaTeX math still uses the MathJax URL of the installed nbconvert
// (a local file on Debian). build/slides/ can be copied as a whole to the presenting machine.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { $, argv, chalk } from 'zx';
import { ensureJupyter, root } from './lib/setup-steps.mjs';

const notebooksDir = path.join(root, 'notebooks');
const executedDir = path.join(root, 'build', 'notebooks');
const slidesDir = path.join(root, 'build', 'slides');
const templateBase = path.join(slidesDir, '.template');
const TEMPLATE = 'transfer-lab-reveal';
const REVEAL_MAJOR = 4;

/** The notebooks named on the command line: `05`, `05-fine-tuning`, `05-fine-tuning.ipynb` or `all`. */
function selectNotebooks() {
  const all = readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();
  // zx parses `05` as the number 5: restore the two-digit lesson prefix.
  const raw = argv._[0] ?? argv.only;
  if (raw === undefined) {
    console.error(chalk.red('Which notebook? Usage: npm run slides -- 05   (a number or name; `all` for every notebook)'));
    process.exit(1);
  }
  const want = typeof raw === 'number' ? String(raw).padStart(2, '0') : String(raw).replace(/^notebooks\//, '');
  if (want === 'all') return all;
  const picked = all.filter((f) => f === want || f === `${want}.ipynb` || f.startsWith(want));
  if (picked.length === 0) {
    console.error(chalk.red(`No notebook in notebooks/ matches '${want}'. Available: ${all.join(', ')}`));
    process.exit(1);
  }
  return picked;
}

/** The installed reveal.js package folder (the project's npm dependency), checked for the major version. */
function revealPackage() {
  let pkgJson;
  try {
    pkgJson = createRequire(path.join(root, 'package.json')).resolve('reveal.js/package.json');
  } catch {
    console.error(chalk.red(`reveal.js is not installed: the offline slides need it. Run \`npm install\` in ${root}.`));
    process.exit(1);
  }
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  if (Number(version.split('.')[0]) !== REVEAL_MAJOR) {
    console.error(chalk.red(`reveal.js ${version} is installed, but nbconvert's slides are written for reveal.js ${REVEAL_MAJOR}.x. Run \`npm install\` to get the pinned version.`));
    process.exit(1);
  }
  return { dir: path.dirname(pkgJson), version };
}

/** Copies what the deck loads (dist without source maps, the notes plugin) to build/slides/reveal.js/. */
function copyReveal(reveal) {
  const target = path.join(slidesDir, 'reveal.js');
  const stamp = path.join(target, 'VERSION');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === reveal.version) return;
  rmSync(target, { recursive: true, force: true });
  const skip = (src) => !/\.(map|esm\.js)$/.test(src);
  cpSync(path.join(reveal.dir, 'dist'), path.join(target, 'dist'), { recursive: true, filter: skip });
  cpSync(path.join(reveal.dir, 'plugin', 'notes'), path.join(target, 'plugin', 'notes'), { recursive: true, filter: skip });
  copyFileSync(path.join(reveal.dir, 'LICENSE'), path.join(target, 'LICENSE'));
  writeFileSync(stamp, `${reveal.version}\n`);
}

// Extends nbconvert's reveal template: no jQuery / require.js in the head; reveal.js and its
// notes plugin as plain scripts (both are UMD bundles that define globals). The tall-slide
// scrolling of nbconvert's footer is kept, without jQuery. A smaller code font than nbconvert's
// 19px, so that the course's code lines fit the slide width.
const TEMPLATE_INDEX = `{%- extends 'reveal/index.html.j2' -%}
{#- transfer-lab: reveal.js from a local copy, no require.js / jQuery / CDN (scripts/slides.mjs). -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block notebook_css %}
{{ super() }}
<style type="text/css">
/* Course cells run to ~100 characters: a smaller code font keeps them on the slide; longer lines scroll. */
:root { --jp-code-font-size: 14px; }
.jp-InputArea-editor pre, .jp-OutputArea-output pre { overflow-x: auto; }
</style>
{% endblock notebook_css %}
{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true,
  progress: true,
  history: true,
  transition: "{{ resources.reveal.transition }}",
  slideNumber: "{{ resources.reveal.number }}",
  plugins: [RevealNotes]
});
// A slide taller than the screen scrolls instead of being cut off.
var scroll = {{ resources.reveal.scroll | json_dumps }};
function setScrollingSlide() {
  if (!scroll) return;
  var h = document.querySelector('.reveal').clientHeight * 0.95;
  document.querySelectorAll('section.present > section').forEach(function (s) {
    if (s.scrollHeight > h) { s.style.height = 'calc(95vh)'; s.style.overflowY = 'auto'; s.style.marginTop = '20px'; }
  });
}
Reveal.on('ready', setScrollingSlide);
Reveal.on('slidechanged', setScrollingSlide);
Reveal.on('slidechanged', function () {
  if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(['Rerender', MathJax.Hub, Reveal.getCurrentSlide()]);
});
</script>
{% endblock footer_js %}
`;

function writeTemplate() {
  const dir = path.join(templateBase, TEMPLATE);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'conf.json'), `${JSON.stringify({ base_template: 'reveal', mimetypes: { 'text/html': true } }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'index.html.j2'), TEMPLATE_INDEX);
}

/** Executes the notebook when its executed copy is missing or older than the source (or --rerun). */
async function ensureExecuted(name) {
  const executed = path.join(executedDir, name);
  const fresh = existsSync(executed) && statSync(executed).mtimeMs >= statSync(path.join(notebooksDir, name)).mtimeMs;
  if (fresh && !argv.rerun) {
    console.log(chalk.dim(`  ${name}: using the executed copy build/notebooks/${name}`));
    return executed;
  }
  console.log(chalk.bold(`  ${name}: executing it first (${argv.full ? 'full' : 'quick'} mode) ...`));
  const mode = argv.full ? [] : ['--quick'];
  const run = await $({ cwd: root, stdio: 'inherit', nothrow: true })`npx zx scripts/run-notebooks.mjs --only ${name} ${mode}`;
  if (run.exitCode !== 0) {
    console.error(chalk.red(`  ${name} did not run cleanly (see above): no slides made from a failing notebook.`));
    return undefined;
  }
  return executed;
}

const names = selectNotebooks();
const reveal = revealPackage();
const jupyter = await ensureJupyter({ needNotebook: false });
mkdirSync(slidesDir, { recursive: true });
copyReveal(reveal);
writeTemplate();

const made = [];
let failed = 0;
for (const name of names) {
  const executed = await ensureExecuted(name);
  if (!executed) {
    failed += 1;
    continue;
  }
  const stem = path.basename(name, '.ipynb');
  const convert = await $({ cwd: root, nothrow: true, quiet: true })`${jupyter.python} -m nbconvert --to slides ${executed} --output-dir ${slidesDir} --output ${stem} --template ${TEMPLATE} --TemplateExporter.extra_template_basedirs=${templateBase} --SlidesExporter.reveal_url_prefix=reveal.js --SlidesExporter.reveal_theme=white --SlidesExporter.reveal_scroll=True --SlidesExporter.reveal_number=c/t`;
  if (convert.exitCode !== 0) {
    console.error(chalk.red(`  ${name}: nbconvert failed:\n${convert.stderr.slice(-3000)}`));
    failed += 1;
    continue;
  }
  made.push(path.join(slidesDir, `${stem}.slides.html`));
}

if (made.length) {
  console.log(chalk.green(`\nSlides (reveal.js ${reveal.version}, offline) in ${path.relative(root, slidesDir)}/:`));
  for (const file of made) console.log(`  ${pathToFileURL(file).href}`);
  console.log(chalk.dim('Open one in a browser: arrow keys move, Esc shows the overview, S opens the speaker notes.'));
}
process.exit(failed ? 1 : 0);
