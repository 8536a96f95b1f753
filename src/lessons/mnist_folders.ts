/**
 * MNIST as class folders (`train/0 .. train/9`, `test/0 .. test/9`, one PNG per digit image), so
 * the folder-based recipe (`trainClassifier`, `transfer-lab train`) can run on the course's target
 * that is furthest from ImageNet's photos.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { loadMnist } from '../data';
import { DataError } from '../errors';
import { privateTmpDir, SHARED_SUBSETS_ENV } from './05_lab';

/** Options of {@link mnistFolders}. */
export interface MnistFoldersOptions {
  /** Images per digit in `train`. Required. */
  trainPerDigit: number;
  /** Images per digit in `test`. Required. */
  testPerDigit: number;
  /**
   * Parent folder. Defaults to a complete copy in env TRANSFER_LAB_SHARED_SUBSETS (a classroom's
   * warm-up makes one) when there is one, else this user's folder of os.tmpdir().
   */
  into?: string;
}

const MARKER = '.transfer-lab-mnist-folders';

/**
 * Writes `trainPerDigit` training and `testPerDigit` test images of every digit as 28x28 PNG
 * files (the first ones of MNIST's seeded shuffle, so the same every time) and returns the folder.
 * A complete earlier copy with the same counts is reused as it is, so its files keep their
 * dates and features cached from them are found again.
 *
 * @example
 * const dir = await mnistFolders({ trainPerDigit: 50, testPerDigit: 20 });
 * await trainClassifier({ data: `${dir}/train`, val: `${dir}/test`, strategy: 'fineTune' });
 */
export async function mnistFolders(options: MnistFoldersOptions): Promise<string> {
  const { trainPerDigit, testPerDigit } = options;
  for (const [name, n] of [['trainPerDigit', trainPerDigit], ['testPerDigit', testPerDigit]] as const) {
    if (!(Number.isInteger(n) && n >= 1)) throw new DataError(`mnistFolders(): ${name} must be a whole number >= 1, received ${JSON.stringify(n)}.`);
  }
  const name = `transfer-lab-mnist-folders-${trainPerDigit}-${testPerDigit}`;
  const shared = process.env[SHARED_SUBSETS_ENV]?.trim();
  if (shared && options.into === undefined && existsSync(path.join(shared, name, MARKER))) return path.join(shared, name);
  const dir = path.join(options.into ?? privateTmpDir(), name);
  if (existsSync(path.join(dir, MARKER))) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const [split, perDigit] of [['train', trainPerDigit], ['test', testPerDigit]] as const) {
    const data = await loadMnist({ split, seed: 0 });
    const pixels = await data.xs.data();
    data.xs.dispose();
    data.ys.dispose();
    const written = new Array<number>(10).fill(0);
    for (let i = 0; i < data.labels.length && written.some((w) => w < perDigit); i++) {
      const digit = data.labels[i];
      if (written[digit] >= perDigit) continue;
      const folder = path.join(dir, split, String(digit));
      mkdirSync(folder, { recursive: true });
      const gray = Buffer.from(Array.from(pixels.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)));
      await sharp(gray, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path.join(folder, `${split}_${i}.png`));
      written[digit]++;
    }
  }
  writeFileSync(path.join(dir, MARKER), `MNIST, ${trainPerDigit} training and ${testPerDigit} test images per digit\n`);
  return dir;
}
