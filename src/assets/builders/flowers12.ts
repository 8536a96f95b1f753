/**
 * flowers12 from the official Oxford 17 Category Flower archive (17flowers.tgz): the course's 12
 * classes, the course mirror's file names and train/test split (datasets/manifests/flowers12.split),
 * each image resized to 224x224 by {@link resizeToSquareJpeg}.
 *
 * 17flowers.tgz holds jpg/image_0001.jpg ... jpg/image_1360.jpg (and jpg/files.txt): 80 images per
 * class, the classes in the order of {@link OXFORD17_CLASSES}. The mirror's originals were resized
 * by an unrecorded recipe, so a build has the mirror's files and split but not its JPEG bytes.
 */
import * as path from 'node:path';
import { AssetError } from '../../errors';
import { extractArchive } from '../extract';
import { checkBuiltImages, forEachLimited, readListFile, requireSourceFiles, resizeToSquareJpeg, type BuildContext } from './common';

/** The 17 classes of 17flowers.tgz in archive order (class k holds image_{80k+1} ... image_{80k+80}). */
export const OXFORD17_CLASSES = [
  'daffodil', 'snowdrop', 'lily-valley', 'bluebell', 'crocus', 'iris', 'tigerlily', 'tulip', 'fritillary',
  'sunflower', 'daisy', 'colts-foot', 'dandelion', 'cowslip', 'buttercup', 'windflower', 'pansy',
] as const;

/** Images per class in 17flowers.tgz. */
export const IMAGES_PER_CLASS = 80;

/** Side of the built images. */
export const FLOWERS12_SIZE = 224;

/** The list file (in datasets/manifests/) that fixes flowers12's files and split. */
export const FLOWERS12_SPLIT_FILE = 'flowers12.split';

const FN = 'buildFlowers12';

/** The 17flowers class of `image_NNNN.jpg` (1-based number), or undefined when out of range. */
export function oxford17ClassOf(file: string): string | undefined {
  const match = /^image_(\d{4})\.jpg$/.exec(file);
  if (!match) return undefined;
  const index = Math.floor((Number(match[1]) - 1) / IMAGES_PER_CLASS);
  return OXFORD17_CLASSES[index];
}

/**
 * Reads flowers12.split and checks each line against the archive's class order, so a wrong list
 * cannot put an image under the wrong class.
 */
export async function flowers12Split(): Promise<string[]> {
  const lines = await readListFile(FLOWERS12_SPLIT_FILE);
  for (const line of lines) {
    const [split, folder, file, ...rest] = line.split('/');
    if (rest.length > 0 || (split !== 'train' && split !== 'test') || !file) {
      throw new AssetError(`${FN}: ${FLOWERS12_SPLIT_FILE} has the line '${line}'; expected 'train|test/<class>/image_NNNN.jpg'.`);
    }
    const cls = oxford17ClassOf(file);
    if (cls !== folder) {
      throw new AssetError(`${FN}: ${FLOWERS12_SPLIT_FILE} puts ${file} under '${folder}', but in 17flowers.tgz it is a ${cls ?? 'unknown'} image.`);
    }
  }
  return lines;
}

/** Builds flowers12 from 17flowers.tgz (see the module comment for the recipe). */
export async function buildFlowers12(context: BuildContext): Promise<void> {
  const lines = await flowers12Split();
  const extracted = path.join(context.workDir, '17flowers');
  await extractArchive(context.input, extracted, 'tar.gz');
  const sources = lines.map((line) => path.posix.join('jpg', path.posix.basename(line)));
  await requireSourceFiles(FN, path.basename(context.input), extracted, sources);
  await forEachLimited(lines, 4, (line) =>
    resizeToSquareJpeg(path.join(extracted, 'jpg', path.posix.basename(line)), path.join(context.outDir, ...line.split('/')), FLOWERS12_SIZE),
  );
  await checkBuiltImages(FN, context.outDir, lines, FLOWERS12_SIZE);
}
