/**
 * Shows image files as a titled grid: the quick look at data that every lesson needs
 * (a photo to classify, a sample of a class folder, misclassified images).
 * @see notebooks/00-setup-check.ipynb
 */
import { decodeImage } from '../data';
import { imageGridFigure, type GridImage, type ImageGridOptions } from '../viz';
import { show } from './display';

export interface ShowImagesOptions extends ImageGridOptions {
  /** One title per file; defaults to each file's name. */
  titles?: string[];
  /** Frame per file ('ok' / 'bad'), e.g. for right and wrong predictions. */
  borders?: ('ok' | 'bad' | undefined)[];
}

/** Decodes image files (keeping their aspect ratio, at most 256 px a side) into grid tiles. */
export async function loadGridImages(files: string[], options: Pick<ShowImagesOptions, 'titles' | 'borders'> = {}): Promise<GridImage[]> {
  return Promise.all(
    files.map(async (file, i) => {
      const full = await decodeImage(file);
      const scale = Math.min(1, 256 / Math.max(full.height, full.width));
      const image = scale < 1
        ? await decodeImage(file, { targetSize: [Math.round(full.height * scale), Math.round(full.width * scale)], interpolation: 'bilinear' })
        : full;
      return {
        data: image.data,
        height: image.height,
        width: image.width,
        channels: 3,
        title: options.titles?.[i] ?? file.split('/').pop(),
        border: options.borders?.[i],
      };
    }),
  );
}

/**
 * Shows image files as one grid figure (in a terminal: writes an HTML file).
 * @example await showImages([photo], { titles: ['an ant'] });
 */
export async function showImages(files: string[], options: ShowImagesOptions = {}): Promise<void> {
  show(await imageGridFigure(await loadGridImages(files, options), options));
}
