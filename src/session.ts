/**
 * The one explicit setup every notebook's first cell calls. Importing the library changes nothing;
 * `setupLab()` picks the backend, sets the plot theme and says whether this is a quick run.
 * @see notebooks/00-setup-check.ipynb
 */
import { setupBackend, type BackendName, type BackendReport } from './backend';
import { setTheme, type ThemeName } from './viz';

export interface SetupLabOptions {
  /** Plot and table theme; 'projector' for a classroom screen. Defaults to 'default'. */
  theme?: ThemeName;
  /** Backend to try first. Defaults to env TRANSFER_LAB_BACKEND, else the fastest available. */
  backend?: BackendName;
  /** Seed for shuffling and augmentation in the lessons. Defaults to 42. */
  seed?: number;
  /** Print the status lines. Defaults to true. */
  verbose?: boolean;
}

export interface LabSession {
  backend: BackendReport;
  /** True when env TRANSFER_LAB_QUICK=1: lessons shrink images and epochs (never skip steps). */
  quick: boolean;
  seed: number;
  theme: ThemeName;
}

/** True when the notebook runner (or the learner) asked for the short version of a lesson. */
export function isQuickMode(): boolean {
  return process.env.TRANSFER_LAB_QUICK === '1';
}

/**
 * Chooses between a full-mode and a quick-mode value, so a lesson's knobs read as one line:
 * `const EPOCHS = quickOr(2, 10);`
 */
export function quickOr<T>(quickValue: T, fullValue: T): T {
  return isQuickMode() ? quickValue : fullValue;
}

/**
 * The setup report's mode line, with how to switch: the mode is read from the environment
 * Jupyter was started with, so switching means restarting Jupyter (a kernel restart is not enough).
 */
export function modeReport(quick: boolean = isQuickMode()): string {
  return quick
    ? 'Mode: quick (smaller images and fewer epochs, every step still runs). Full lesson: quit Jupyter, run npm start'
    : 'Mode: full. Short version: quit Jupyter, run TRANSFER_LAB_QUICK=1 npm start';
}

/**
 * Sets up a lesson: backend, theme, seed. Prints which backend runs and what that means for speed.
 *
 * @example
 * import * as lab from '../dist/index';
 * const session = await lab.setupLab({ theme: 'projector' });
 */
export async function setupLab(options: SetupLabOptions = {}): Promise<LabSession> {
  const verbose = options.verbose ?? true;
  const backend = await setupBackend({ prefer: options.backend, quiet: !verbose });
  const theme = options.theme ?? 'default';
  setTheme(theme);
  const session: LabSession = { backend, quick: isQuickMode(), seed: options.seed ?? 42, theme };
  if (verbose) {
    for (const note of backend.notes) console.log(`  note: ${note}`);
    console.log(modeReport(session.quick));
  }
  return session;
}

/** Switches plots and tables to large fonts and high contrast for a projector (one call). */
export function useProjectorTheme(on = true): void {
  setTheme(on ? 'projector' : 'default');
}
