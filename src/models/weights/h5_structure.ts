/**
 * Whether a Keras .h5 weight file holds every layer a model needs: the check that stands in for a
 * checksum when the publisher gives none (Keras' MobileNet files). It builds the model without
 * weights and loads the file into it strictly, which checks every weighted layer's presence and
 * shapes and reads every value, so a cut-off or foreign file fails here, before it is kept.
 */
import type { KerasWeightsModel } from '../../assets/registry';
import { DamagedFileError, ModelError } from '../../errors';
import { MobileNet } from '../mobilenet';
import { MobileNetV2 } from '../mobilenet_v2';
import { loadKerasH5Weights } from './keras_h5';

/**
 * Throws a DamagedFileError when `file` does not hold the weights of `spec`'s model (a layer is
 * missing, a shape differs, or the file is not readable HDF5). Returns the number of layers checked.
 *
 * @example
 * await checkKerasH5Structure('mobilenet_1_0_224_tf_no_top.h5', { family: 'mobilenet', alpha: 1, includeTop: false });
 */
export async function checkKerasH5Structure(file: string, spec: KerasWeightsModel): Promise<number> {
  const options = { alpha: spec.alpha, includeTop: spec.includeTop, weights: null, inputShape: [224, 224, 3] as [number, number, number] };
  const model = spec.family === 'mobilenet' ? await MobileNet(options) : await MobileNetV2(options);
  const what = `${spec.family === 'mobilenet' ? 'MobileNet' : 'MobileNetV2'} alpha ${spec.alpha}${spec.includeTop ? ' with top' : ', no top'}`;
  try {
    // Assigning reads every weight value, so a file cut short fails here too.
    const report = await loadKerasH5Weights(model, file);
    return report.loaded.length;
  } catch (err) {
    if (err instanceof ModelError) {
      throw new DamagedFileError(`checkKerasH5Structure: ${file} is not the ${what} weight file: ${err.message}`, file);
    }
    throw err;
  } finally {
    model.dispose();
  }
}
