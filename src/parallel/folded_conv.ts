/**
 * The layer `foldForInference` puts in place of Conv -> BatchNormalization -> ReLU chains: one
 * fused convolution (tf.fused.conv2d / tf.fused.depthwiseConv2d) with the BatchNormalization
 * folded into its kernel and bias, the activation applied inside the kernel, and an explicit
 * padding that replaces a ZeroPadding2D in front of it. On the wasm backend this is one XNNPACK
 * call instead of four passes over a large activation tensor.
 * @see src/parallel/fold.ts
 */
import * as tf from '@tensorflow/tfjs';

/** Activations the fused kernels apply themselves (every backend supports these three). */
export type FusedActivation = 'linear' | 'relu' | 'relu6';

/** Padding of a folded convolution: Keras' two modes, or explicit [[top, bottom], [left, right]]. */
export type FoldedPadding = 'same' | 'valid' | [[number, number], [number, number]];

/** Constructor arguments of {@link FoldedConv2D}. */
export interface FoldedConv2DArgs {
  /** Layer name. Defaults to an automatic unique name. */
  name?: string;
  /** 'conv' (Conv2D) or 'depthwise' (DepthwiseConv2D). */
  kind: 'conv' | 'depthwise';
  /** Kernel shape: [kh, kw, inChannels, filters] for 'conv', [kh, kw, inChannels, depthMultiplier] for 'depthwise'. */
  kernelShape: [number, number, number, number];
  /** Strides [sh, sw]. */
  strides: [number, number];
  /** Dilation rate [dh, dw]. Defaults to [1, 1]. */
  dilationRate?: [number, number];
  /** Padding, see {@link FoldedPadding}. */
  padding: FoldedPadding;
  /** Activation applied by the fused kernel. Defaults to 'linear'. */
  activation?: FusedActivation;
}

/** Number of output channels of a folded conv. */
function outChannels(kind: 'conv' | 'depthwise', kernelShape: number[]): number {
  return kind === 'conv' ? kernelShape[3] : kernelShape[2] * kernelShape[3];
}

/** TF's 'same' padding [before, after] along one axis of size `size`. */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * A frozen convolution with a bias and a fused activation, for inference only: its weights are
 * not trainable. Weights are `[kernel, bias]` (set them with `setWeights` after the layer is
 * built). Saving works; loading needs the class registered (`foldForInference` registers it).
 */
export class FoldedConv2D extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'TransferLabFoldedConv2D';
  readonly kind: 'conv' | 'depthwise';
  readonly kernelShape: [number, number, number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: FoldedPadding;
  readonly activation: FusedActivation;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: FoldedConv2DArgs) {
    super({ name: args.name, trainable: false });
    this.kind = args.kind;
    this.kernelShape = args.kernelShape;
    this.strides = args.strides;
    this.dilationRate = args.dilationRate ?? [1, 1];
    this.padding = args.padding;
    this.activation = args.activation ?? 'linear';
  }

  override build(): void {
    const zeros = tf.initializers.zeros();
    this.kernel = this.addWeight('kernel', this.kernelShape, 'float32', zeros, undefined, false);
    this.bias = this.addWeight('bias', [outChannels(this.kind, this.kernelShape)], 'float32', zeros, undefined, false);
    this.built = true;
  }

  /** The explicit padding as tfjs' [[0,0],[t,b],[l,r],[0,0]] (NHWC). */
  private explicitPad(p: [[number, number], [number, number]]): [[number, number], [number, number], [number, number], [number, number]] {
    return [[0, 0], p[0], p[1], [0, 0]];
  }

  /**
   * Padding for an input of `h` x `w`. Explicit padding that equals TF's 'same' for this size
   * (Keras' `correct_pad` before a stride-2 conv always does at even sizes) becomes 'same', which
   * every fused kernel takes; tfjs' depthwise op has no explicit padding, so otherwise it pads first.
   */
  private padFor(h: number, w: number): { pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]; prePad?: [[number, number], [number, number]] } {
    if (typeof this.padding === 'string') return { pad: this.padding };
    const [kh, kw] = this.kernelShape;
    const same = [samePads(h, kh, this.strides[0], this.dilationRate[0]), samePads(w, kw, this.strides[1], this.dilationRate[1])];
    const p = this.padding;
    if (p[0][0] === same[0][0] && p[0][1] === same[0][1] && p[1][0] === same[1][0] && p[1][1] === same[1][1]) return { pad: 'same' };
    if (this.kind === 'conv') return { pad: this.explicitPad(p) };
    return { pad: 'valid', prePad: p };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [batch, h, w] = shape;
    const channels = outChannels(this.kind, this.kernelShape);
    if (h == null || w == null) return [batch, h == null ? null : h, w == null ? null : w, channels];
    const { pad, prePad } = this.padFor(h, w);
    const [ph, pw] = prePad === undefined ? [0, 0] : [prePad[0][0] + prePad[0][1], prePad[1][0] + prePad[1][1]];
    const info = tf.backend_util.computeConv2DInfo(
      [1, h + ph, w + pw, this.kernelShape[2]],
      this.kernelShape,
      this.strides,
      this.dilationRate,
      pad,
      undefined,
      this.kind === 'depthwise',
    );
    return [batch, info.outHeight, info.outWidth, channels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const filter = this.kernel!.read() as tf.Tensor4D;
      const bias = this.bias!.read();
      const { pad, prePad } = this.padFor(x.shape[1], x.shape[2]);
      const common = { filter, bias, strides: this.strides, dilations: this.dilationRate, dataFormat: 'NHWC' as const, activation: this.activation };
      if (this.kind === 'conv') return tf.fused.conv2d({ ...common, x, pad });
      if (prePad !== undefined) x = tf.pad(x, [[0, 0], prePad[0], prePad[1], [0, 0]]);
      return tf.fused.depthwiseConv2d({ ...common, x, pad: pad as 'same' | 'valid' });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      kind: this.kind,
      kernelShape: this.kernelShape,
      strides: this.strides,
      dilationRate: this.dilationRate,
      padding: this.padding,
      activation: this.activation,
    };
  }
}
