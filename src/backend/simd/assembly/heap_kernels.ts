// AssemblyScript source of transfer-lab's SIMD heap kernels (compiled by `npm run build:simd` into
// ../heap_kernels_wasm.ts; not part of the TypeScript build). The module imports the wasm backend's
// own memory: every argument named like a tensor is a byte offset of float32 data on that heap.
// It has no data segments and no allocator, so it never writes outside the output it is given.

// The filter gradient of a depthwise convolution with channel multiplier 1, NHWC:
// out[p, q, c] = sum over b, i, j of x[b, i*sh + p*dh - padTop, j*sw + q*dw - padLeft, c] * dy[b, i, j, c]
// (taps that fall in the padding contribute nothing). Channels are contiguous in x, dy and out, so
// the inner loop is four channels per SIMD multiply-add; the kh*kw*c accumulators stay in cache.
export function depthwiseFilterGrad(
  x: usize, dy: usize, out: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32,
  outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, dilationHeight: i32, dilationWidth: i32,
  padTop: i32, padLeft: i32,
): void {
  memory.fill(out, 0, <usize>(filterHeight * filterWidth * channels) << 2);
  const vectorEnd = channels & ~3;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        const g = dy + (<usize>(((b * outHeight + i) * outWidth + j) * channels) << 2);
        for (let p = 0; p < filterHeight; p++) {
          const row = i * strideHeight + p * dilationHeight - padTop;
          if (row < 0 || row >= inHeight) continue;
          for (let q = 0; q < filterWidth; q++) {
            const col = j * strideWidth + q * dilationWidth - padLeft;
            if (col < 0 || col >= inWidth) continue;
            const src = x + (<usize>(((b * inHeight + row) * inWidth + col) * channels) << 2);
            const acc = out + (<usize>((p * filterWidth + q) * channels) << 2);
            let c = 0;
            for (; c < vectorEnd; c += 4) {
              const o = <usize>c << 2;
              v128.store(acc + o, f32x4.add(v128.load(acc + o), f32x4.mul(v128.load(src + o), v128.load(g + o))));
            }
            for (; c < channels; c++) {
              const o = <usize>c << 2;
              store<f32>(acc + o, load<f32>(acc + o) + load<f32>(src + o) * load<f32>(g + o));
            }
          }
        }
      }
    }
  }
}

// The gradient of clipByValue (ReLU6): out = dy where lo <= x <= hi, else 0. One pass, four at a time.
export function clipByValueGrad(x: usize, dy: usize, out: usize, size: i32, lo: f32, hi: f32): void {
  const low = f32x4.splat(lo);
  const high = f32x4.splat(hi);
  const vectorEnd = size & ~3;
  let k = 0;
  for (; k < vectorEnd; k += 4) {
    const o = <usize>k << 2;
    const v = v128.load(x + o);
    const inside = v128.and(f32x4.ge(v, low), f32x4.le(v, high));
    v128.store(out + o, v128.and(v128.load(dy + o), inside));
  }
  for (; k < size; k++) {
    const o = <usize>k << 2;
    const v = load<f32>(x + o);
    store<f32>(out + o, v >= lo && v <= hi ? load<f32>(dy + o) : 0);
  }
}
