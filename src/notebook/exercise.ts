/**
 * Automatic checks for lesson exercises: a check cell tells the learner "pass" or exactly what is
 * wrong. In the notebook runner (TRANSFER_LAB_STRICT_CHECKS=1) a failed check throws, so the full
 * versions of the notebooks, which hold the solutions, prove that every check can pass.
 * @see notebooks/01-what-is-transfer-learning.ipynb (first exercise)
 */
import { TransferLabError } from '../errors';
import { escapeHtml } from '../html';
import { show } from './display';

/** One condition of an exercise and the hint shown when it does not hold. */
export type ExerciseCondition = [ok: boolean, hint: string];

/** What a check cell found. */
export interface ExerciseResult {
  title: string;
  passed: boolean;
  /** Hints of the conditions that failed, in order. */
  problems: string[];
}

/** Raised by a failed check under TRANSFER_LAB_STRICT_CHECKS=1 (the notebook runner). */
export class ExerciseCheckError extends TransferLabError {}

/**
 * True when an exercise variable still holds its "not answered" value (undefined, null, NaN or an
 * empty string / array): the student copy leaves these for the learner to fill in.
 */
export function isUnanswered(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'number' && Number.isNaN(value)) ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** The verdict on an exercise without showing it (what `checkExercise` shows). */
export function evaluateExercise(title: string, conditions: ExerciseCondition[]): ExerciseResult {
  // Later hints only make sense once the earlier ones hold ("answer first", then "answer right").
  const firstFailure = conditions.findIndex(([ok]) => !ok);
  const problems = firstFailure < 0 ? [] : [conditions[firstFailure][1]];
  return { title, passed: problems.length === 0, problems };
}

/**
 * Checks an exercise and shows the verdict. Returns nothing, so tslab prints nothing after it.
 *
 * @example
 * checkExercise('Exercise 1: count the parameters', [
 *   [!isUnanswered(answer), 'Set `answer` in the cell above first.'],
 *   [answer === 3_228_864, `Not quite: ${answer}. Hint: includeTop: false drops the classifier.`],
 * ]);
 */
export function checkExercise(title: string, conditions: ExerciseCondition[]): void {
  const { passed, problems } = evaluateExercise(title, conditions);
  if (passed) {
    show({ html: `<div style="padding:6px 10px;border-left:5px solid #228833;background:#eef7ee"><b>✔ ${escapeHtml(title)}</b>: pass</div>`, text: `PASS ${title}` });
  } else {
    const hint = escapeHtml(problems[0]);
    show({ html: `<div style="padding:6px 10px;border-left:5px solid #cc3311;background:#fbeeee"><b>✘ ${escapeHtml(title)}</b>: ${hint}</div>`, text: `NOT YET ${title}: ${problems[0]}` });
    if (process.env.TRANSFER_LAB_STRICT_CHECKS === '1') {
      throw new ExerciseCheckError(`checkExercise: '${title}' failed: ${problems[0]}`);
    }
  }
}
