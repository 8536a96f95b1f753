/**
 * Progress of feature extraction (`extractFeatures`, `cacheAugmentedFeatures`,
 * `bottleneckFeatures`) drawn as {@link ProgressBar}s, the library's one progress renderer: an
 * HTML bar in a notebook, one line on a terminal, a few lines in logs. Notebook 02
 * (`textProgressBar`), notebook 05 (`featureProgressBars`) and `transfer-lab train` all come here,
 * so the same call looks the same everywhere.
 */
import { DataError } from '../errors';
import type { FeatureProgress } from '../transfer/features';
import { ProgressBar, type ProgressBarOptions, type ProgressStream } from './progress';

/** Options of {@link featureProgress}. */
export interface FeatureProgressOptions {
  /** Images per pass (the iterator's `samples`). Default: the `total` of the first report. */
  samples?: number;
  /**
   * Passes over the data drawn as ONE bar: 1 for `extractFeatures`, `copies` for
   * `cacheAugmentedFeatures`. Default: one bar per pass (copy), each made when its pass starts.
   */
  passes?: number;
  /** Text before the bar. Defaults to 'features'. */
  label?: string;
  /** Stream for the terminal renderings (outside a notebook). Defaults to process.stdout. */
  stream?: ProgressStream;
  /** Width of the text bar in characters. Defaults to 30. */
  width?: number;
  /** Where the bar goes; see {@link ProgressBarOptions.mode}. Defaults to 'auto'. */
  mode?: ProgressBarOptions['mode'];
}

/** The pass of `bottleneckFeatures` a report belongs to. */
export type BottleneckPass = 'train' | 'augmented' | 'val';

/**
 * A `progress` callback for `extractFeatures` / `cacheAugmentedFeatures` that draws a bar (updated
 * in place in a notebook) and says which passes came from the disk cache. With `passes`, one bar
 * covers all of them; without, each copy gets its own bar ('features', 'features copy 1', ...).
 *
 * @example
 * await cacheAugmentedFeatures(model, it, { copies: 2, augmentation, progress: featureProgress({ samples: it.samples, passes: 2 }) });
 */
export function featureProgress(options: FeatureProgressOptions = {}): (p: FeatureProgress) => void {
  const { samples, passes } = options;
  if ((samples !== undefined && !(Number.isInteger(samples) && samples >= 0)) || (passes !== undefined && !(Number.isInteger(passes) && passes >= 1))) {
    throw new DataError(
      `featureProgress(): samples must be a whole number >= 0 and passes >= 1, received samples ${JSON.stringify(samples)}, passes ${JSON.stringify(passes)}.`,
    );
  }
  const label = options.label ?? 'features';
  const bars = new Map<number, { bar: ProgressBar; cached: number[] }>();
  return (p) => {
    // One bar over all passes when `passes` is given, else one bar per copy.
    const key = passes === undefined ? p.copy : 0;
    const perPass = samples ?? p.total;
    const passesInBar = passes ?? 1;
    let entry = bars.get(key);
    if (entry === undefined) {
      const name = passes === undefined && p.copy > 0 ? `${label} copy ${p.copy}` : label;
      const bar = new ProgressBar({ total: perPass * passesInBar, label: name, stream: options.stream, width: options.width, mode: options.mode });
      entry = { bar, cached: [] };
      bars.set(key, entry);
    }
    const { bar, cached } = entry;
    if (p.phase === 'cached') cached.push(p.copy);
    const passIndex = passes === undefined ? 0 : p.copy;
    const done = passIndex * perPass + (p.phase === 'cached' ? perPass : p.done);
    const info = cached.length === 0 ? 'images' : `images (${cached.length === passesInBar ? 'all' : cached.length} from the disk cache)`;
    if (done >= bar.total) bar.done(info);
    else bar.update(done, info);
  };
}

/**
 * The older name of {@link featureProgress} (notebook 02 calls it): one bar per pass labelled
 * `label`, the text view `width` characters wide on stderr outside a notebook.
 * @example await extractFeatures(base, it, { preprocessing: 'tf|bilinear', progress: textProgressBar('pretrained features') });
 */
export function textProgressBar(label = 'features', width = 30): (p: FeatureProgress) => void {
  return featureProgress({ label, width, stream: process.stderr });
}

/**
 * One progress bar per pass of `bottleneckFeatures` ('train', 'augmented' with all its copies,
 * 'val'), each made when its pass starts; give it the same options as the call. `label`, when
 * given, comes before each pass' name (e.g. the model, as `transfer-lab train` does).
 * @example
 * const pooledOptions = { train: trainIt, augmented: augIt, val: valIt, copies: 2, preprocess: 'tf' as const };
 * await lab.bottleneckFeatures(featureModel, { ...pooledOptions, progress: lab.featureProgressBars(pooledOptions) });
 */
export function featureProgressBars(
  options: { train: { samples: number }; val: { samples: number }; copies?: number; label?: string },
  stream?: ProgressStream,
): (pass: BottleneckPass, p: FeatureProgress) => void {
  const bars = new Map<BottleneckPass, (p: FeatureProgress) => void>();
  return (pass, p) => {
    let bar = bars.get(pass);
    if (bar === undefined) {
      const samples = pass === 'val' ? options.val.samples : options.train.samples;
      const passes = pass === 'augmented' ? options.copies ?? 1 : 1;
      const label = options.label === undefined ? pass : `${options.label} ${pass}`;
      bar = featureProgress({ samples, passes, label, stream });
      bars.set(pass, bar);
    }
    bar(p);
  };
}
