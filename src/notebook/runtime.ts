/**
 * The one place that talks to tslab. Inside a tslab kernel the executor sets
 * `globalThis.__tslab__` (with a `require` that resolves 'tslab' to the running kernel's own
 * copy, whichever node_modules the library was loaded from). tslab's public `Display.raw`
 * sends one MIME type per output; to send a bundle (plotly JSON + HTML fallback + text) we call
 * the kernel's `lastWriteDisplayData` from tslab/dist/jupyter.js (tslab 1.0.x), and fall back
 * to `Display.html/text` if that internal is not found.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

/** MIME type -> payload (a string, or a JSON value for `+json` types). */
export type MimeBundle = Record<string, unknown>;

/** The subset of tslab's `Display` we use. */
interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
}

/** The subset of tslab's public module we use. */
interface TslabPublic {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

type WriteDisplayData = (
  data: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
}

/** One output slot: the first `publish` creates it, later ones replace it in place (if live). */
export interface OutputChannel {
  publish(bundle: MimeBundle): void;
}

/** What the notebook adapters need from the kernel. */
export interface NotebookRuntime {
  /** A one-shot output (`live` false) or an output that later publishes replace in place. */
  channel(live: boolean): OutputChannel;
}

let cachedPublic: TslabPublic | undefined;
let cachedJupyter: TslabJupyterModule | null = null;

function tslabPublic(): TslabPublic | undefined {
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (!hook || typeof hook.require !== 'function') return undefined;
  try {
    const pub = hook.require('tslab') as TslabPublic;
    return pub && typeof pub.newDisplay === 'function' ? pub : undefined;
  } catch {
    return undefined;
  }
}

/** tslab/dist/jupyter.js of the running kernel, found beside its public.js in require's cache. */
function tslabJupyter(pub: TslabPublic): TslabJupyterModule | null {
  if (cachedPublic === pub) return cachedJupyter;
  cachedPublic = pub;
  cachedJupyter = null;
  for (const mod of Object.values(require.cache)) {
    if (mod?.exports !== pub) continue;
    const jupyter = require.cache[path.join(path.dirname(mod.filename), 'jupyter.js')]?.exports as
      | TslabJupyterModule
      | undefined;
    if (jupyter && 'lastWriteDisplayData' in jupyter) cachedJupyter = jupyter;
    break;
  }
  return cachedJupyter;
}

/** Picks the richest single MIME type tslab's public API can send. */
function fallbackPublish(display: TslabDisplay, bundle: MimeBundle): void {
  if (typeof bundle['text/html'] === 'string') display.html(bundle['text/html']);
  else display.text(String(bundle['text/plain'] ?? ''));
}

/**
 * The running tslab kernel, or undefined outside one (plain node, tsx, tests, tslab's REPL
 * before any cell ran).
 */
export function notebookRuntime(): NotebookRuntime | undefined {
  const pub = tslabPublic();
  if (!pub) return undefined;
  const jupyter = tslabJupyter(pub);
  // Found the internals but no cell has run: tslab's console REPL, not a notebook.
  if (jupyter && typeof jupyter.lastWriteDisplayData !== 'function') return undefined;
  return {
    channel(live: boolean): OutputChannel {
      const displayId = live ? randomBytes(8).toString('hex') : undefined;
      let published = false;
      const fallback = live ? pub.newDisplay() : pub.display;
      return {
        publish(bundle: MimeBundle): void {
          const write = jupyter?.lastWriteDisplayData;
          if (typeof write === 'function') {
            write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, published && live);
          } else {
            fallbackPublish(fallback, bundle);
          }
          published = true;
        },
      };
    },
  };
}
