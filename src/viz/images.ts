/**
 * Image grids: a batch of training images, an augmentation preview, misclassified examples.
 * Each image travels as a PNG data URL inside the figure, so the figure is self-contained.
 */
import { DataError } from '../errors';
import { Figure, textWidth, Trace } from './figure';
import { defaultColumns, maxTitleWidth, tileGrid, tileTitle, wrapTitle } from './grid';
import { getTheme } from './theme';

/** One image of a grid, HWC pixel data as decoded by `decodeImage` or read from a tensor. */
export interface GridImage {
  /**
   * Pixels, row-major HWC. Uint8Array: 0..255. Float32Array: [0,1] is scaled by 255, [0,255]
   * is used as is, anything with negatives (e.g. after `preprocessInput`) is min-max rescaled.
   */
  data: Uint8Array | Float32Array;
  height: number;
  width: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: number;
  /** Short label shown above the tile when there is no `title`. */
  label?: string;
  /** Title shown above the tile; '\n' breaks lines (see {@link predictionTitle}). */
  title?: string;
  /** Frame the tile: 'ok' (correct) or 'bad' (misclassified), in colour-blind-safe colours. */
  border?: 'ok' | 'bad';
}

/** Options of {@link imageGridFigure}. */
export interface ImageGridOptions {
  /** Tiles per row; default roughly square, 3 to 8 wide. */
  columns?: number;
  /** Figure title; default none. */
  title?: string;
  /** Tile edge in px; default the theme's `tileSize` (tiles shrink to fit ~1150 px width). */
  tileSize?: number;
  /**
   * Larger images are scaled down to fit this many pixels per side before encoding, which
   * keeps notebooks small; default 256 (sharp enough for a 2x display of a 128px tile).
   */
  maxSide?: number;
}

/**
 * Tile title for a prediction: true label, predicted label and confidence on separate lines.
 * @example predictionTitle('ants', 'bees', 0.87) // 'true: ants\npred: bees (87%)'
 */
export function predictionTitle(trueLabel: string, predictedLabel: string, confidence?: number): string {
  const conf = confidence === undefined ? '' : ` (${Math.round(confidence * 100)}%)`;
  return `true: ${trueLabel}\npred: ${predictedLabel}${conf}`;
}

/** Converts pixel data to bytes 0..255 following the rules documented on {@link GridImage}. */
export function toUint8Pixels(data: Uint8Array | Float32Array): Uint8Array {
  if (data instanceof Uint8Array) return data;
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return new Uint8Array(data.length);
  let scale = 1;
  let offset = 0;
  if (min >= 0 && max <= 1) scale = 255;
  else if (min < 0 || max > 255) {
    offset = -min;
    scale = max > min ? 255 / (max - min) : 0;
  }
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] + offset) * scale;
    out[i] = Number.isFinite(v) ? Math.min(255, Math.max(0, Math.round(v))) : 0;
  }
  return out;
}

/**
 * Encodes HWC pixels as a `data:image/png;base64,...` URL (sharp), scaled down to fit
 * `maxSide` pixels per side if larger; returns the URL and the encoded size.
 */
export async function pngDataUrl(
  image: Pick<GridImage, 'data' | 'height' | 'width' | 'channels'>,
  maxSide = Infinity,
): Promise<{ url: string; width: number; height: number }> {
  const { height, width, channels } = image;
  if (![1, 3, 4].includes(channels) || !(height > 0) || !(width > 0)) {
    throw new DataError(
      `imageGridFigure: image must have height, width > 0 and 1, 3 or 4 channels, got ${height}x${width}x${channels}.`,
    );
  }
  if (image.data.length !== height * width * channels) {
    throw new DataError(
      `imageGridFigure: image data has ${image.data.length} values but ${height}x${width}x${channels} needs ` +
        `${height * width * channels}; pass HWC data of one image (e.g. await tensor.data() of a 3-D tensor).`,
    );
  }
  const { default: sharp } = await import('sharp');
  const bytes = toUint8Pixels(image.data);
  let pipeline = sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    raw: { width, height, channels: channels as 1 | 3 | 4 },
  });
  if (Math.max(width, height) > maxSide) {
    pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside' });
  }
  const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
  return { url: `data:image/png;base64,${data.toString('base64')}`, width: info.width, height: info.height };
}

/**
 * A grid of images, each titled and optionally framed ('ok' / 'bad'); async because the
 * pixels are PNG-encoded.
 * @example show(await imageGridFigure(images.map((im, i) => ({ ...im, label: names[i] }))));
 */
export async function imageGridFigure(images: GridImage[], opts: ImageGridOptions = {}): Promise<Figure> {
  if (!Array.isArray(images) || images.length === 0) {
    throw new DataError('imageGridFigure: images is empty; pass at least one {data, height, width, channels}.');
  }
  const theme = getTheme();
  const columns = opts.columns ?? defaultColumns(images.length);
  const fontSize = theme.annotationFontSize;
  const titles = images.map((im) => wrapTitle(im.title ?? im.label ?? '', maxTitleWidth(theme, columns), fontSize));
  const lines = titles.flatMap((t) => (t ? t.split('\n') : []));
  const titleLines = Math.max(0, ...titles.map((t) => (t ? t.split('\n').length : 0)));
  const { layout, tiles } = tileGrid(theme, {
    count: images.length,
    columns,
    tileSize: opts.tileSize ?? theme.tileSize,
    titleLines,
    titleWidth: Math.max(0, ...lines.map((l) => textWidth(l, fontSize))),
    title: opts.title,
  });
  const encoded = await Promise.all(images.map((im) => pngDataUrl(im, opts.maxSide ?? 256)));
  const data: Trace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  images.forEach((im, i) => {
    const tile = tiles[i];
    data.push({
      type: 'image',
      source: encoded[i].url,
      xaxis: tile.xaxis,
      yaxis: tile.yaxis,
      name: titles[i],
      hoverinfo: 'skip',
    });
    const color = im.border === 'bad' ? theme.badColor : im.border === 'ok' ? theme.okColor : undefined;
    if (titles[i]) annotations.push(tileTitle(theme, tile, titles[i], color));
    if (color) {
      // Data coordinates of the pixel edges, so the frame hugs the image whatever its aspect.
      shapes.push({
        type: 'rect',
        xref: tile.xaxis,
        yref: tile.yaxis,
        x0: -0.5,
        x1: encoded[i].width - 0.5,
        y0: -0.5,
        y1: encoded[i].height - 0.5,
        line: { color, width: Math.max(3, theme.lineWidth + 1) },
      });
    }
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout };
}
