/**
 * A stand-in for a running tslab kernel, for tests: sets `globalThis.__tslab__` and puts a fake
 * tslab/dist/public.js + jupyter.js into require's cache, recording every display message.
 */
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SentMessage {
  data: Record<string, unknown>;
  displayId?: string;
  update: boolean;
}

export interface FakeTslab {
  sent: SentMessage[];
  /** Calls to the public single-MIME API (`display.html` / `text`). */
  simple: { mime: string; value: string }[];
  jupyter: { lastWriteDisplayData: ((msg: never, update: boolean) => void) | null };
  uninstall(): void;
}

let counter = 0;

/** Installs the fake; `withInternals` false leaves jupyter.js out (tslab layout changed). */
export function installFakeTslab(withInternals = true): FakeTslab {
  const dir = path.join(os.tmpdir(), `fake-tslab-${process.pid}-${++counter}`, 'dist');
  const sent: SentMessage[] = [];
  const simple: { mime: string; value: string }[] = [];
  const display = {
    html: (s: string) => simple.push({ mime: 'text/html', value: s }),
    text: (s: string) => simple.push({ mime: 'text/plain', value: s }),
  };
  const pub = { display, newDisplay: () => display };
  const jupyter = {
    lastWriteDisplayData: ((msg: { data: Record<string, unknown>; transient: { display_id?: string } }, update: boolean) => {
      sent.push({ data: msg.data, displayId: msg.transient.display_id, update });
    }) as FakeTslab['jupyter']['lastWriteDisplayData'],
  };
  const files: string[] = [];
  const register = (file: string, exports: unknown): void => {
    const mod = new Module(file);
    mod.filename = file;
    mod.exports = exports;
    mod.loaded = true;
    require.cache[file] = mod;
    files.push(file);
  };
  register(path.join(dir, 'public.js'), pub);
  if (withInternals) register(path.join(dir, 'jupyter.js'), jupyter);
  const g = globalThis as { __tslab__?: unknown };
  g.__tslab__ = { require: (id: string) => (id === 'tslab' ? pub : require(id)) };
  return {
    sent,
    simple,
    jupyter,
    uninstall() {
      delete g.__tslab__;
      for (const f of files) delete require.cache[f];
    },
  };
}
