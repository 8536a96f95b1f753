/**
 * The MobileNetV2 alpha 0.35 no-top base from the official Keras weight file
 * (mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5): our MobileNetV2 builder
 * (the Keras layer names) takes the file's weights by layer name, strictly, and is saved as a
 * TF.js layers model folder (model.json + weights.bin), the form the course mirror has. The
 * weights are the same as the mirror's copy; model.json's bytes differ (tfjs re-saved the
 * mirror's from a Teachable Machine export).
 *
 * The models and training modules are loaded when the build runs: they import the asset module
 * themselves, so a static import here would be circular.
 */
import * as tf from '@tensorflow/tfjs';
import { AssetError } from '../../errors';
import type { BuildContext } from './common';

const FN = 'buildMobileNetV2035';

/** Builds the TF.js folder from the official .h5 (see the module comment). */
export async function buildMobileNetV2035(context: BuildContext): Promise<void> {
  const { MobileNetV2 } = await import('../../models/mobilenet_v2');
  const { loadKerasH5Weights } = await import('../../models/weights/keras_h5');
  const { saveModelToDir } = await import('../../train/save');
  const model = await MobileNetV2({ alpha: 0.35, includeTop: false, weights: null, inputShape: [224, 224, 3] });
  try {
    try {
      await loadKerasH5Weights(model, context.input);
    } catch (err) {
      throw new AssetError(
        `${FN}: ${context.input} does not load into MobileNetV2 alpha 0.35 without top ` +
          `(${err instanceof Error ? err.message : String(err)}); it is not the official file. Nothing was kept.`,
      );
    }
    // A file whose values are garbage (NaN, inf) still has the right shapes: one forward pass tells.
    const finite = tf.tidy(() => {
      const out = model.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor;
      return out.isFinite().all().dataSync()[0] === 1;
    });
    if (!finite) throw new AssetError(`${FN}: the weights of ${context.input} give non-finite outputs; nothing was kept.`);
    await saveModelToDir(model, context.outDir);
  } finally {
    model.dispose();
  }
}
