/**
 * Writes small Keras-layout .h5 weight files for the loader tests (not a test file itself):
 * root (or `model_weights`) attrs `layer_names`, per layer a group with attr `weight_names`
 * and datasets at `<layer>/<weight name>` (e.g. 'conv2d_1/conv2d_1/kernel:0').
 */
import type * as H5 from 'h5wasm';

export interface FixtureLayer {
  name: string;
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

/** Same trick as the loader: h5wasm is ESM-only and the project compiles to CommonJS. */
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<typeof H5>;

export async function writeKerasH5(file: string, layers: FixtureLayer[], opts: { fullModel?: boolean } = {}): Promise<void> {
  const h5 = await dynamicImport('h5wasm/node');
  await h5.ready;
  const f = new h5.File(file, 'w');
  try {
    const root: H5.Group = opts.fullModel ? f.create_group('model_weights') : f;
    root.create_attribute('layer_names', layers.map((l) => l.name));
    root.create_attribute('keras_version', '2.0.8');
    root.create_attribute('backend', 'tensorflow');
    for (const layer of layers) {
      const g = root.create_group(layer.name);
      g.create_attribute('weight_names', layer.weights.map((w) => w.name));
      for (const w of layer.weights) {
        // Keras stores 'conv2d_1/kernel:0' as a subgroup 'conv2d_1' holding the dataset 'kernel:0'.
        const parts = w.name.split('/');
        let parent = g;
        for (const part of parts.slice(0, -1)) {
          const existing = parent.get(part);
          parent = existing instanceof h5.Group ? existing : parent.create_group(part);
        }
        parent.create_dataset({ name: parts[parts.length - 1], data: w.values, shape: w.shape, dtype: '<f' });
      }
    }
  } finally {
    f.close();
  }
}
