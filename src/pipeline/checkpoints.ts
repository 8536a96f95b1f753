/**
 * The checkpoint folder of a pipeline run, so an interrupted `transfer-lab train` can go on
 * where it stopped (`--resume`). Layout, per phase ('feature-extraction', 'fine-tune'):
 *   run.json              the settings the run started with (a resume must use the same)
 *   PHASE/last/           weights + optimizer state + history after the last completed epoch
 *   PHASE/best/           weights of the phase's best epoch by the monitored metric
 *   PHASE/done.json       written when the phase has finished: its history and best epoch
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TrainError } from '../errors';
import { toTrainingHistory, type TrainingHistory } from '../train';

/** The two phases of a pipeline run, as folder names. */
export type PhaseKey = 'feature-extraction' | 'fine-tune';

/** The best epoch of a phase by the monitored metric. */
export interface PhaseBest {
  /** 0-based epoch index (messages count from 1). */
  epoch: number;
  /** The monitored value at that epoch. */
  value: number;
}

/** What a finished phase leaves in done.json. */
export interface PhaseRecord {
  history: TrainingHistory;
  best: PhaseBest | null;
}

/** Settings that must match for a resume to give the run an uninterrupted one would. */
export type RunSettings = Record<string, string | number | boolean | null>;

const RUN_JSON = 'run.json';

export class RunCheckpoints {
  constructor(readonly dir: string) {}

  /** Folder of the last completed epoch of `phase`. */
  last(phase: PhaseKey): string {
    return path.join(this.dir, phase, 'last');
  }

  /** Folder of the best epoch of `phase`. */
  best(phase: PhaseKey): string {
    return path.join(this.dir, phase, 'best');
  }

  /** True when the folder holds a trained epoch of some phase (an unfinished run; run.json alone is not one). */
  async hasAny(): Promise<boolean> {
    try {
      const entries = await fs.readdir(this.dir);
      return entries.includes('feature-extraction') || entries.includes('fine-tune');
    } catch {
      return false;
    }
  }

  /**
   * Records the settings of a new run, or, when resuming, checks that they are the ones the run
   * started with (another seed or epoch count would not continue the same run).
   * @throws TrainError naming each setting that differs.
   */
  async startOrCheck(settings: RunSettings, resume: boolean): Promise<void> {
    const file = path.join(this.dir, RUN_JSON);
    if (resume) {
      let saved: RunSettings | undefined;
      try {
        saved = JSON.parse(await fs.readFile(file, 'utf8')) as RunSettings;
      } catch {
        saved = undefined;
      }
      if (saved !== undefined) {
        const differ = Object.keys({ ...saved, ...settings }).filter((k) => (saved![k] ?? null) !== (settings[k] ?? null));
        if (differ.length > 0) {
          throw new TrainError(
            `trainClassifier: cannot resume the run in '${this.dir}': it was started with ` +
              differ.map((k) => `${k} ${JSON.stringify(saved![k] ?? null)} (now ${JSON.stringify(settings[k] ?? null)})`).join(', ') +
              '; resume with the same settings, or delete that folder to start over.',
          );
        }
        return;
      }
    }
    await fs.mkdir(this.dir, { recursive: true });
    await fs.writeFile(file, JSON.stringify(settings, null, 1));
  }

  /** Marks `phase` as finished. */
  async markDone(phase: PhaseKey, record: PhaseRecord): Promise<void> {
    await fs.mkdir(path.join(this.dir, phase), { recursive: true });
    const file = path.join(this.dir, phase, 'done.json');
    await fs.writeFile(`${file}.tmp`, JSON.stringify(record));
    await fs.rename(`${file}.tmp`, file);
  }

  /** The record of a finished phase, or undefined when it has not finished. */
  async readDone(phase: PhaseKey): Promise<PhaseRecord | undefined> {
    let raw: { history?: TrainingHistory; best?: PhaseBest | null };
    try {
      raw = JSON.parse(await fs.readFile(path.join(this.dir, phase, 'done.json'), 'utf8')) as typeof raw;
    } catch {
      return undefined;
    }
    if (raw.history == null) return undefined;
    return { history: toTrainingHistory(raw.history), best: raw.best ?? null };
  }

  /** Removes the folder (after the run was saved). */
  async remove(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
