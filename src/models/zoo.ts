/**
 * Parameter counts of the whole zoo, measured by building each model (random weights) with and
 * without its top: the numbers `transfer-lab models --json` prints and the notebook compares with
 * the Keras applications table.
 * @see notebooks/03-pretrained-models.ipynb
 */
import { ModelError } from '../errors';
import { FAMILY_NAMES, FamilyName, MODEL_FAMILIES } from './families';

/** One measured row of {@link zooParamTable}. */
export interface ZooParamRow {
  name: FamilyName;
  includeTop: boolean;
  /** Input shape the model was built with (the family's default size). */
  inputShape: [number, number, number];
  /** Parameters of the built model (trainable + non-trainable). */
  params: number;
  /** Keras' published count for the same variant. */
  kerasParams: number;
  /** Milliseconds to build the model (mostly random initialisation of the weights). */
  buildMs: number;
}

/** Options of {@link zooParamTable}. */
export interface ZooParamTableOptions {
  /** Families to build, in this order. Defaults to all six (VGG19 with top allocates ~575 MB). */
  families?: FamilyName[];
}

/**
 * The zoo families to build, checked: every name must be a known family.
 * @throws ModelError naming the caller, the unknown names and the known ones.
 */
export function checkFamilies(caller: string, families: readonly string[] = FAMILY_NAMES): FamilyName[] {
  const unknown = families.filter((f) => !(f in MODEL_FAMILIES));
  if (unknown.length > 0) {
    throw new ModelError(`${caller}: unknown families ${JSON.stringify(unknown)}; known: ${FAMILY_NAMES.join(', ')}.`);
  }
  return [...families] as FamilyName[];
}

/**
 * Builds every zoo model with `weights: null`, with and without the top at its default input
 * size, counts its parameters and disposes it before building the next one.
 *
 * @example
 * const rows = await zooParamTable(); // [{name: 'VGG16', includeTop: true, params: 138357544, ...}, ...]
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function zooParamTable(opts: ZooParamTableOptions = {}): Promise<ZooParamRow[]> {
  const families = checkFamilies('zooParamTable', opts.families);
  const rows: ZooParamRow[] = [];
  for (const name of families) {
    const fam = MODEL_FAMILIES[name];
    const size = fam.defaultInputSize;
    for (const includeTop of [true, false]) {
      const inputShape: [number, number, number] = [size, size, 3];
      const start = Date.now();
      const model = await fam.builder({ includeTop, weights: null, inputShape });
      const buildMs = Date.now() - start;
      try {
        rows.push({
          name,
          includeTop,
          inputShape,
          params: model.countParams(),
          kerasParams: includeTop ? fam.params.withTop : fam.params.noTop,
          buildMs,
        });
      } finally {
        model.dispose();
      }
    }
  }
  return rows;
}
