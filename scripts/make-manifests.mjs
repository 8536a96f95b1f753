#!/usr/bin/env zx
// Regenerates datasets/manifests/*.sha256 (checksums only, never the files) from a course
// mirror's SHA256SUMS. Usage: npx zx scripts/make-manifests.mjs [MIRROR]   (default ../shared/assets)
import { promises as fs } from 'node:fs';
import path from 'node:path';

const mirror = path.resolve(argv._[0] ?? process.env.TRANSFER_LAB_MIRROR ?? '../shared/assets');
const sums = (await fs.readFile(path.join(mirror, 'SHA256SUMS'), 'utf8')).split('\n').filter(Boolean);
// asset name -> its folder (or file) inside the mirror
const assets = {
  'mobilenet_v1_0.25_224': 'models/mobilenet_v1_0.25_224/',
  'mobilenet_v1_0.75_224': 'models/mobilenet_v1_0.75_224/',
  'mobilenet_v2_0.35_224_no_top': 'models/mobilenet_v2_0.35_224_no_top/',
  hymenoptera_data: 'datasets/hymenoptera_data/',
  flowers12: 'datasets/flowers12/',
  cats_dogs_100: 'datasets/cats_dogs_100/',
  mnist: 'datasets/mnist/',
};
await fs.mkdir('datasets/manifests', { recursive: true });
for (const [name, prefix] of Object.entries(assets)) {
  const lines = sums
    .map((line) => line.match(/^([0-9a-f]{64})\s+\.\/(.+)$/))
    .filter((m) => m && m[2].startsWith(prefix))
    .map((m) => `${m[1]}  ./${m[2].slice(prefix.length)}`)
    .sort();
  await fs.writeFile(`datasets/manifests/${name}.sha256`, lines.join('\n') + '\n');
  console.log(`${name}: ${lines.length} files`);
}
