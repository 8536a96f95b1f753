/**
 * cats_dogs_100 from the TensorFlow transfer-learning tutorial's cats_and_dogs_filtered.zip (a
 * public, login-free subset of the Kaggle/Microsoft Dogs vs Cats photos). The recipe, chosen to
 * give the course mirror's counts (train 999 + 1000, test 100 + 100):
 *   train/cats  <- train/cats/cat.0.jpg ... cat.998.jpg        (999)
 *   train/dogs  <- train/dogs/dog.0.jpg ... dog.999.jpg        (1000)
 *   test/cats   <- validation/cats/cat.2000.jpg ... cat.2099.jpg (100)
 *   test/dogs   <- validation/dogs/dog.2000.jpg ... dog.2099.jpg (100)
 * each resized to 100x100 by {@link resizeToSquareJpeg}, under its source file name. The mirror's
 * copy came from the Kaggle download (renamed, other photos), so a build has the same counts
 * and classes but other photos, names and bytes. Its file list is datasets/manifests/cats_dogs_100.built.list.
 */
import * as path from 'node:path';
import { AssetError } from '../../errors';
import { extractArchive } from '../extract';
import { checkBuiltImages, forEachLimited, readListFile, requireSourceFiles, resizeToSquareJpeg, type BuildContext } from './common';

/** Side of the built images. */
export const CATS_DOGS_SIZE = 100;

/** The list file (in datasets/manifests/) that a build must produce exactly. */
export const CATS_DOGS_LIST_FILE = 'cats_dogs_100.built.list';

/** The folder at the top of cats_and_dogs_filtered.zip. */
const ZIP_ROOT = 'cats_and_dogs_filtered';

const FN = 'buildCatsDogs100';

/** One output file and the archive member it is made from. */
export interface CatsDogsPick {
  /** Path in the built asset, e.g. 'test/cats/cat.2000.jpg'. */
  out: string;
  /** Path inside the zip's root folder, e.g. 'validation/cats/cat.2000.jpg'. */
  source: string;
}

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** The recipe as a list of picks (see the module comment). */
export function catsDogsRecipe(): CatsDogsPick[] {
  const picks: CatsDogsPick[] = [];
  const add = (split: 'train' | 'test', from: 'train' | 'validation', cls: 'cat' | 'dog', numbers: number[]) => {
    for (const n of numbers) picks.push({ out: `${split}/${cls}s/${cls}.${n}.jpg`, source: `${from}/${cls}s/${cls}.${n}.jpg` });
  };
  add('train', 'train', 'cat', range(0, 999));
  add('train', 'train', 'dog', range(0, 1000));
  add('test', 'validation', 'cat', range(2000, 100));
  add('test', 'validation', 'dog', range(2000, 100));
  return picks;
}

/** Builds cats_dogs_100 from cats_and_dogs_filtered.zip (see the module comment for the recipe). */
export async function buildCatsDogs100(context: BuildContext): Promise<void> {
  const picks = catsDogsRecipe();
  const expected = await readListFile(CATS_DOGS_LIST_FILE);
  const recipeList = picks.map((p) => p.out).sort();
  if (recipeList.join('\n') !== [...expected].sort().join('\n')) {
    throw new AssetError(`${FN}: the recipe's ${recipeList.length} files differ from ${CATS_DOGS_LIST_FILE} (${expected.length} lines); update them together.`);
  }
  const extracted = path.join(context.workDir, 'cats_and_dogs_filtered');
  await extractArchive(context.input, extracted, 'zip');
  const root = path.join(extracted, ZIP_ROOT);
  await requireSourceFiles(FN, path.basename(context.input), root, picks.map((p) => p.source));
  await forEachLimited(picks, 4, (pick) =>
    resizeToSquareJpeg(path.join(root, ...pick.source.split('/')), path.join(context.outDir, ...pick.out.split('/')), CATS_DOGS_SIZE),
  );
  await checkBuiltImages(FN, context.outDir, expected, CATS_DOGS_SIZE);
}
