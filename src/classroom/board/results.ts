/**
 * What one class result is, and how a posted body becomes one. The student's name never comes
 * from the body: the board fills it in from the hub's answer about the poster's token.
 */
import { BoardError } from './errors';

/** What a notebook sends: one run of one strategy on one dataset. */
export interface ClassResultInput {
  /** Dataset name as the lesson says it, e.g. 'ants/bees' or 'flowers12' (1..80 characters). */
  dataset: string;
  /** Strategy name, e.g. 'feature extraction' or 'fine-tuning' (1..80 characters). */
  strategy: string;
  /** Validation accuracy as a fraction in [0, 1]. */
  valAccuracy: number;
  /** Wall-clock seconds the run took (>= 0). */
  seconds: number;
  /** tfjs backend that ran it: 'wasm', 'tensorflow', 'cpu' (1..40 characters). */
  backend: string;
}

/** A stored result: the input plus who posted it (from the hub) and when (board's clock). */
export interface ClassResult extends ClassResultInput {
  /** Hub user name of the poster. */
  student: string;
  /** ISO 8601 time the board stored it. */
  postedAt: string;
}

const TEXT_LIMITS: Record<'dataset' | 'strategy' | 'backend', number> = { dataset: 80, strategy: 80, backend: 40 };

/**
 * Checks a posted JSON body and returns the fields of a result. `student`, when present, must be
 * the poster's own hub name (a student cannot post as someone else); any other unknown field is
 * refused so a typo does not silently lose data.
 * @throws BoardError (status 400 for a malformed body, 403 for a body naming another student).
 */
export function parseResultInput(body: unknown, poster: string): ClassResultInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BoardError(400, `results-board: the body must be a JSON object like {"dataset": "ants/bees", ` +
      `"strategy": "fine-tuning", "valAccuracy": 0.93, "seconds": 41, "backend": "wasm"}; got ${describe(body)}.`);
  }
  const fields = body as Record<string, unknown>;
  if ('student' in fields && fields.student !== poster) {
    throw new BoardError(403, `results-board: you are signed in to the hub as ${JSON.stringify(poster)}; ` +
      `a result can only be posted as yourself, but the body names student ${describe(fields.student)}. ` +
      `Leave "student" out: the board takes it from the hub.`);
  }
  const known = new Set(['student', 'dataset', 'strategy', 'valAccuracy', 'seconds', 'backend']);
  const unknown = Object.keys(fields).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new BoardError(400, `results-board: unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ` +
      `a result has dataset, strategy, valAccuracy, seconds and backend.`);
  }
  const text = (key: keyof typeof TEXT_LIMITS): string => {
    const v = fields[key];
    if (typeof v !== 'string' || v.trim().length === 0 || v.length > TEXT_LIMITS[key]) {
      throw new BoardError(400, `results-board: "${key}" must be a non-empty string of at most ` +
        `${TEXT_LIMITS[key]} characters; got ${describe(v)}.`);
    }
    return v.trim();
  };
  const valAccuracy = fields.valAccuracy;
  if (typeof valAccuracy !== 'number' || !(valAccuracy >= 0 && valAccuracy <= 1)) {
    throw new BoardError(400, `results-board: "valAccuracy" must be a fraction between 0 and 1 (0.93 for 93%); ` +
      `got ${describe(valAccuracy)}.`);
  }
  const seconds = fields.seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new BoardError(400, `results-board: "seconds" must be a number >= 0; got ${describe(seconds)}.`);
  }
  return { dataset: text('dataset'), strategy: text('strategy'), valAccuracy, seconds, backend: text('backend') };
}

/** The key under which the board keeps only the latest result. */
export function resultKey(r: Pick<ClassResult, 'student' | 'dataset' | 'strategy'>): string {
  return JSON.stringify([r.student, r.dataset, r.strategy]);
}

/** True when a stored line has every field of a ClassResult with the right type. */
export function isClassResult(v: unknown): v is ClassResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return ['student', 'dataset', 'strategy', 'backend', 'postedAt'].every((k) => typeof r[k] === 'string') &&
    typeof r.valAccuracy === 'number' && typeof r.seconds === 'number';
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const json = JSON.stringify(v);
  return json === undefined ? String(v) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
