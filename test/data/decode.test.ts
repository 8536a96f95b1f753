import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeImage, sniffFormat } from '../../src/data/decode';
import { decodeBmp } from '../../src/data/bmp';
import { decodePnm } from '../../src/data/ppm';
import { ImageDecodeError } from '../../src/data/types';
import { DataError } from '../../src/errors';
import { encodeBmp, pattern, rgb, tempDir, write } from './fixtures';

const W = 6;
const H = 4;

/** Pixel (x, y) of a decoded RGB buffer. */
function px(data: Uint8Array, width: number, x: number, y: number): number[] {
  const o = (y * width + x) * 3;
  return [data[o], data[o + 1], data[o + 2]];
}

describe('decodeImage', () => {
  const tmp = tempDir();
  let dir: string;
  before(() => {
    dir = tmp.dir;
  });
  after(() => tmp.cleanup());

  it('decodes a lossless PNG exactly and reports its format', async () => {
    const file = write(path.join(dir, 'a.png'), await rgb(W, H).png().toBuffer());
    const img = await decodeImage(file);
    assert.equal(img.format, 'png');
    assert.deepEqual([img.height, img.width, img.channels], [H, W, 3]);
    assert.deepEqual(Buffer.from(img.data), pattern(W, H));
    assert.deepEqual(img.warnings, []);
  });

  it('accepts a Buffer and resizes to [height, width] ignoring aspect ratio', async () => {
    const buf = await rgb(40, 20).jpeg().toBuffer();
    const img = await decodeImage(buf, { targetSize: [10, 30] });
    assert.deepEqual([img.height, img.width], [10, 30]);
    assert.equal(img.data.length, 10 * 30 * 3);
    const smooth = await decodeImage(buf, { targetSize: [10, 30], interpolation: 'bilinear' });
    assert.equal(smooth.data.length, 10 * 30 * 3);
  });

  it("nearest resize picks source pixels (Keras' default interpolation)", async () => {
    const buf = await rgb(8, 8).png().toBuffer();
    const img = await decodeImage(buf, { targetSize: [4, 4] });
    const source = pattern(8, 8);
    const sourcePixels = new Set<string>();
    for (let i = 0; i < 64; i++) sourcePixels.add([...source.subarray(i * 3, i * 3 + 3)].join(','));
    for (let i = 0; i < 16; i++) assert.ok(sourcePixels.has([...img.data.subarray(i * 3, i * 3 + 3)].join(',')));
  });

  it('converts grayscale, RGBA and 16-bit PNG to 8-bit RGB', async () => {
    const grey = await sharp(Buffer.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1);
    const g = await decodeImage(grey);
    assert.deepEqual([...g.data], [0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);

    // Alpha is dropped like PIL's convert('RGB'): a fully transparent red pixel stays red.
    const rgba = await sharp(Buffer.from([255, 0, 0, 0, 0, 0, 255, 255]), { raw: { width: 2, height: 1, channels: 4 } })
      .png().toBuffer();
    assert.equal((await sharp(rgba).metadata()).hasAlpha, true);
    assert.deepEqual([...(await decodeImage(rgba)).data], [255, 0, 0, 0, 0, 255]);

    const deep = await rgb(W, H).toColourspace('rgb16').png().toBuffer();
    assert.equal((await sharp(deep).metadata()).depth, 'ushort');
    const d = await decodeImage(deep);
    assert.deepEqual(Buffer.from(d.data), pattern(W, H), '16-bit samples are scaled back to the same 8-bit values');
  });

  it('drops alpha the same way whether or not the image is resized: transparent pixels keep their stored colour', async () => {
    // A real RGBA PNG on disk: the left half fully transparent blue [0, 0, 255, alpha 0], the right half opaque red.
    const w = 16;
    const h = 8;
    const pixels = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        pixels.set(x < w / 2 ? [0, 0, 255, 0] : [255, 0, 0, 255], (y * w + x) * 4);
      }
    }
    const file = path.join(dir, 'transparent-left.png');
    write(file, await sharp(pixels, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer());
    assert.equal((await sharp(file).metadata()).hasAlpha, true);
    const full = await decodeImage(file);
    assert.deepEqual(px(full.data, w, 0, 0), [0, 0, 255], 'not resized: stored colour');
    // Before the fix, the resized transparent half came out [0, 0, 0] (libvips premultiplies alpha to resize).
    for (const interpolation of ['nearest', 'bilinear', 'bicubic', 'lanczos'] as const) {
      const small = await decodeImage(file, { targetSize: [4, 8], interpolation });
      assert.deepEqual(px(small.data, 8, 0, 0), [0, 0, 255], `resized (${interpolation}): stored colour, not black`);
      assert.deepEqual(px(small.data, 8, 7, 3), [255, 0, 0], `resized (${interpolation}): the opaque half unchanged`);
      const cropped = await decodeImage(file, { targetSize: [8, 8], interpolation, keepAspectRatio: true });
      assert.deepEqual(px(cropped.data, 8, 0, 0), [0, 0, 255], `centre-cropped (${interpolation}): stored colour`);
    }
  });

  it('converts a CMYK JPEG to RGB', async () => {
    const cmyk = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .toColourspace('cmyk').jpeg().toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    const img = await decodeImage(cmyk);
    assert.equal(img.channels, 3);
    const [r, g, b] = px(img.data, 8, 4, 4);
    assert.ok(r > 150 && g < 90 && b < 90, `reddish after CMYK round trip, got ${[r, g, b]}`);
  });

  it('honours EXIF orientation (6 = rotate 90 degrees clockwise)', async () => {
    // Left half black, right half white, 8 wide x 4 high, tagged orientation 6.
    const raw = Buffer.alloc(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 4; x < 8; x++) raw.fill(255, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
    const jpg = await sharp(raw, { raw: { width: 8, height: 4, channels: 3 } }).jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpg);
    assert.deepEqual([img.height, img.width], [8, 4], 'upright image is 4 wide, 8 high');
    // Rotating clockwise puts the old left (black) side on top.
    assert.ok(px(img.data, 4, 1, 1)[0] < 60, 'top is dark');
    assert.ok(px(img.data, 4, 1, 6)[0] > 200, 'bottom is light');
  });

  it('reads the first frame of a GIF, WebP and TIFF', async () => {
    for (const [fmt, buf] of [
      ['gif', await rgb(W, H).gif().toBuffer()],
      ['webp', await rgb(W, H).webp({ lossless: true }).toBuffer()],
      ['tiff', await rgb(W, H).tiff({ compression: 'lzw' }).toBuffer()],
    ] as const) {
      const img = await decodeImage(buf);
      assert.equal(img.format, fmt);
      assert.deepEqual([img.height, img.width], [H, W]);
    }
    const webp = await decodeImage(await rgb(W, H).webp({ lossless: true }).toBuffer());
    assert.deepEqual(Buffer.from(webp.data), pattern(W, H));
  });

  it('reads 24- and 32-bit BMP (which sharp cannot) and resizes it', async () => {
    for (const bpp of [24, 32] as const) {
      const file = write(path.join(dir, `p${bpp}.bmp`), encodeBmp(pattern(5, 3), 5, 3, bpp));
      const img = await decodeImage(file);
      assert.equal(img.format, 'bmp');
      assert.deepEqual(Buffer.from(img.data), pattern(5, 3));
      const small = await decodeImage(file, { targetSize: [2, 2] });
      assert.equal(small.data.length, 12);
    }
  });

  it('decodes a hand-written 2x2 24-bit BMP byte for byte (bottom-up rows, BGR, 4-byte row padding)', () => {
    const header = Buffer.alloc(54);
    header.write('BM', 0, 'latin1');
    header.writeUInt32LE(54 + 16, 2);
    header.writeUInt32LE(54, 10);
    header.writeUInt32LE(40, 14);
    header.writeInt32LE(2, 18);
    header.writeInt32LE(2, 22);
    header.writeUInt16LE(1, 26);
    header.writeUInt16LE(24, 28);
    // Bottom row first: blue, white; then top row: red, green. Each row padded to 8 bytes.
    const pixels = Buffer.from([255, 0, 0, 255, 255, 255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0]);
    const img = decodeBmp(Buffer.concat([header, pixels]));
    assert.deepEqual([...img.data], [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  });

  it('reads 8-bit palette BMPs and reports RLE ones as unsupported', () => {
    const header = Buffer.alloc(54 + 8);
    header.write('BM', 0, 'latin1');
    header.writeUInt32LE(54 + 8, 10);
    header.writeUInt32LE(40, 14);
    header.writeInt32LE(3, 18);
    header.writeInt32LE(-1, 22); // top-down
    header.writeUInt16LE(1, 26);
    header.writeUInt16LE(8, 28);
    header.writeUInt32LE(2, 46); // two palette entries
    Buffer.from([0, 0, 255, 0, 255, 0, 0, 0]).copy(header, 54); // red, blue (BGRX)
    const img = decodeBmp(Buffer.concat([header, Buffer.from([1, 0, 1, 0])]));
    assert.deepEqual([...img.data], [0, 0, 255, 255, 0, 0, 0, 0, 255]);
    header.writeUInt32LE(1, 30);
    assert.throws(() => decodeBmp(Buffer.concat([header, Buffer.from([1, 0, 1, 0])])), /RLE8/);
  });

  it('reads binary and ASCII PPM / PGM', async () => {
    const p6 = Buffer.concat([Buffer.from('P6\n# comment\n2 1\n255\n', 'latin1'), Buffer.from([1, 2, 3, 4, 5, 6])]);
    assert.deepEqual([...decodePnm(p6).data], [1, 2, 3, 4, 5, 6]);
    const p2 = Buffer.from('P2 2 1 15 0 15\n', 'latin1');
    assert.deepEqual([...decodePnm(p2).data], [0, 0, 0, 255, 255, 255]);
    const img = await decodeImage(write(path.join(dir, 'x.ppm'), p6));
    assert.equal(img.format, 'ppm');
  });

  it('throws ImageDecodeError with a reason category for bad files', async () => {
    const jpg = await rgb(64, 48).jpeg().toBuffer();
    const cases: [string, Buffer | string, string][] = [
      ['empty.jpg', Buffer.alloc(0), 'zero bytes'],
      ['text.jpg', 'this is not a picture\n', 'not an image'],
      ['cut.jpg', jpg.subarray(0, Math.floor(jpg.length * 0.6)), 'truncated'],
      ['cut.png', (await rgb(64, 48).png().toBuffer()).subarray(0, 400), 'truncated'],
      ['cut.bmp', encodeBmp(pattern(5, 3), 5, 3).subarray(0, 60), 'truncated'],
    ];
    for (const [name, content, reason] of cases) {
      const file = write(path.join(dir, name), content);
      await assert.rejects(decodeImage(file), (err: unknown) => {
        assert.ok(err instanceof ImageDecodeError, `${name}: ImageDecodeError`);
        assert.ok(err instanceof DataError, `${name}: is a DataError`);
        assert.equal(err.reason, reason, `${name}: ${err.message}`);
        assert.equal(err.path, file);
        assert.match(err.message, new RegExp(`decodeImage: cannot decode image '.*${name}': ${reason}`));
        return true;
      });
    }
  });

  it("decodes a PNG named .jpg and warns 'wrong extension'", async () => {
    const file = write(path.join(dir, 'really-png.jpg'), await rgb(W, H).png().toBuffer());
    const img = await decodeImage(file);
    assert.equal(img.format, 'png');
    assert.deepEqual(img.warnings, [{ path: file, reason: 'wrong extension', detail: 'content is PNG, extension is .jpg' }]);
  });

  it('names a missing file, and rejects bad options with the value received', async () => {
    await assert.rejects(
      decodeImage(path.join(dir, 'nope.jpg')),
      /decodeImage: cannot decode image '.*nope\.jpg': unreadable \(ENOENT: no such file or directory.*\)\. Check that the file exists/,
    );
    await assert.rejects(decodeImage(Buffer.from([1]), { targetSize: [0, 3] }), /targetSize must be \[height, width\].*\[0,3\]/);
    await assert.rejects(
      decodeImage(Buffer.from([1]), { interpolation: 'box' as never }),
      /interpolation 'box' is not supported; use one of 'nearest'/,
    );
  });

  it('sniffs formats from magic bytes', async () => {
    assert.equal(sniffFormat(await rgb(2, 2).jpeg().toBuffer()), 'jpeg');
    assert.equal(sniffFormat(encodeBmp(pattern(1, 1), 1, 1)), 'bmp');
    assert.equal(sniffFormat(Buffer.from('hello')), undefined);
  });
});

it('keepAspectRatio crops the centre instead of stretching (Keras keep_aspect_ratio)', async () => {
  // 30x10: red | green | blue thirds. Stretched to 10x10 all three survive; cropped only green does.
  const raw = Buffer.alloc(30 * 10 * 3);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 30; x++) raw[(y * 30 + x) * 3 + Math.floor(x / 10)] = 255;
  const png = await sharp(raw, { raw: { width: 30, height: 10, channels: 3 } }).png().toBuffer();
  const cropped = await decodeImage(png, { targetSize: [10, 10], keepAspectRatio: true });
  const stretched = await decodeImage(png, { targetSize: [10, 10] });
  const pixel = (img: { data: Uint8Array }, x: number) => Array.from(img.data.subarray((5 * 10 + x) * 3, (5 * 10 + x) * 3 + 3));
  assert.deepEqual(pixel(cropped, 0), [0, 255, 0]);
  assert.deepEqual(pixel(cropped, 9), [0, 255, 0]);
  assert.deepEqual(pixel(stretched, 0), [255, 0, 0]);
  assert.deepEqual(pixel(stretched, 9), [0, 0, 255]);
});
