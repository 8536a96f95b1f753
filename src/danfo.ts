/**
 * danfojs-node, loaded on first use. Loading it pulls in tfjs, xlsx, papaparse and friends (~40
 * modules, about a second), and only the DataFrame helpers need it, so `import lab` must not pay
 * for it: every module that builds a DataFrame calls {@link loadDanfo} inside the function and
 * imports danfojs' types with `import type` (erased at compile time).
 */
import type * as Danfo from 'danfojs-node';

/** The danfojs-node module, required on the first call (Node caches it after that). */
export function loadDanfo(): typeof Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('danfojs-node') as typeof Danfo;
}
