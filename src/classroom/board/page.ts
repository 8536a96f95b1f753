/**
 * The board's one HTML page for the projector: big fonts, the plot on the left, the table on the
 * right, redrawn in place whenever a new result arrives. Plotly comes from the board itself (the
 * course's node_modules), never a CDN, so the page works in a room without internet.
 */
import { escapeHtml } from '../../html';
import { getTheme } from '../../viz/theme';
import { BoardView } from './view';

/** Options of {@link renderBoardPage}. */
export interface BoardPageOptions {
  /** URL the page loads plotly from (the board serves `<prefix>static/plotly.min.js`). */
  plotlyUrl: string;
  /** URL polled for a fresh {@link BoardView}; null renders a still page (test renders, print). */
  viewUrl: string | null;
  /** Seconds between polls; default 3. */
  pollSeconds?: number;
  /** Heading; default 'Class results'. */
  title?: string;
  /** Hub name of the person looking (shown small in the corner); default none. */
  viewer?: string;
}

// Fonts with Chinese glyphs on Debian/Ubuntu (Noto, WenQuanYi), Windows (YaHei) and macOS (PingFang).
const CJK_FALLBACKS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", ' +
  '"Microsoft YaHei", "PingFang SC", sans-serif';

/** The complete page, with the current view embedded so it draws without waiting for a poll. */
export function renderBoardPage(view: BoardView, opts: BoardPageOptions): string {
  const theme = getTheme();
  const title = opts.title ?? 'Class results';
  const fontFamily = `${theme.fontFamily.replace(/,?\s*sans-serif\s*$/, '')}, ${CJK_FALLBACKS}`;
  // JSON inside <script>: escape '<' so a student name like "</script>" cannot end the element.
  const data = JSON.stringify({ view, viewUrl: opts.viewUrl, pollMs: (opts.pollSeconds ?? 3) * 1000 })
    .replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  html, body { margin: 0; background: ${theme.backgroundColor}; color: ${theme.textColor}; }
  body { font-family: ${fontFamily}; font-size: ${theme.fontSize}px; padding: 16px 28px; box-sizing: border-box;
    height: 100vh; display: flex; flex-direction: column; }
  header { display: flex; align-items: baseline; gap: 32px; border-bottom: 4px solid ${theme.textColor};
    padding-bottom: 8px; }
  h1 { font-size: ${Math.round(theme.titleFontSize * 1.4)}px; margin: 0; }
  #counts { font-size: ${theme.titleFontSize}px; font-weight: bold; }
  #status { margin-left: auto; font-size: ${theme.tickFontSize}px; color: #444; }
  #status.stale { color: ${theme.badColor}; font-weight: bold; }
  main { flex: 1; display: flex; gap: 28px; min-height: 0; padding-top: 12px; }
  #plot { flex: 5; min-width: 0; }
  #table { flex: 4; min-width: 0; overflow: auto; }
  #table td { white-space: nowrap; }
  #table table { width: 100%; font-family: ${fontFamily} !important; }
  #table th { position: sticky; top: 0; background: ${theme.backgroundColor}; }
  #table tbody tr:first-child td { background: #fff3c4; font-weight: bold; }
  .empty { font-size: ${theme.titleFontSize}px; color: #444; margin-top: 2em; }
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <span id="counts"></span>
  <span id="status">${opts.viewer ? `signed in as ${escapeHtml(opts.viewer)}` : ''}</span>
</header>
<main>
  <div id="plot"></div>
  <div id="table"></div>
</main>
<script src="${escapeHtml(opts.plotlyUrl)}"></script>
<script id="board-data" type="application/json">${data}</script>
<script>
(function () {
  var boot = JSON.parse(document.getElementById('board-data').textContent);
  var version = -1;
  var statusEl = document.getElementById('status');
  var viewer = statusEl.textContent;
  function draw(view) {
    version = view.version;
    document.getElementById('counts').textContent =
      view.students + (view.students === 1 ? ' student, ' : ' students, ') +
      view.results + (view.results === 1 ? ' result' : ' results') +
      (view.backends.length === 1 ? ', all on ' + view.backends[0] : '');
    document.getElementById('table').innerHTML = view.tableHtml ||
      '<p class="empty">No results yet. They appear here when a notebook 05 finishes.</p>';
    var plot = document.getElementById('plot');
    if (view.figure && window.Plotly) {
      // Fill the space under the header: the figure's own height is only a minimum.
      var layout = Object.assign({}, view.figure.layout);
      var room = document.querySelector('main').clientHeight - 16;
      if (room > layout.height) layout.height = room;
      Plotly.react(plot, view.figure.data, layout, { displayModeBar: false, responsive: true });
    } else if (window.Plotly) {
      Plotly.purge(plot);
    }
  }
  function clock() { return new Date().toTimeString().slice(0, 8); }
  draw(boot.view);
  if (!boot.viewUrl) return;
  function poll() {
    fetch(boot.viewUrl + '?since=' + version, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) throw new Error('signed out: reload the page to sign in again');
        if (!res.ok && res.status !== 204) throw new Error('board answered ' + res.status);
        statusEl.className = '';
        statusEl.textContent = (viewer ? viewer + ' · ' : '') + 'updated ' + clock();
        return res.status === 204 ? null : res.json();
      })
      .then(function (view) { if (view && view.version !== version) draw(view); })
      .catch(function (e) { statusEl.className = 'stale'; statusEl.textContent = 'not updating: ' + e.message; })
      .then(function () { setTimeout(poll, boot.pollMs); });
  }
  setTimeout(poll, boot.pollMs);
})();
</script>
</body>
</html>
`;
}
