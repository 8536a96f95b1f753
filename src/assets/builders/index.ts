/** The asset builders by name (the `build` of a registry source of kind 'built'). */
import type { BuilderName } from '../registry';
import { buildCatsDogs100 } from './cats_dogs_100';
import type { AssetBuilder } from './common';
import { buildFlowers12 } from './flowers12';
import { buildMobileNetV2035 } from './mobilenet_v2_035';

export const BUILDERS: Record<BuilderName, AssetBuilder> = {
  flowers12: buildFlowers12,
  cats_dogs_100: buildCatsDogs100,
  'mobilenet_v2_0.35_224_no_top': buildMobileNetV2035,
};

export type { AssetBuilder, BuildContext } from './common';
export { listFiles } from './common';
