/**
 * Keras' `model.summary()` as data: the layer table (Layer (type), Output Shape, Param #, and
 * Connected to for branching models) plus Total / Trainable / Non-trainable params, as plain
 * text and as an HTML table. Nothing is printed here; the caller shows it (`show(summary(m).html)`).
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { escapeHtml } from '../html';

/** One row of the summary table. */
export interface SummaryRow {
  /** Layer name, e.g. 'block1_conv1'. */
  name: string;
  /** Layer class, e.g. 'Conv2D'. */
  className: string;
  /** Output shape as Keras prints it, e.g. '(None, 224, 224, 64)'. */
  outputShape: string;
  /** Number of weights of the layer (trainable or not). */
  params: number;
  /** Whether the layer is trainable (frozen layers count as non-trainable params). */
  trainable: boolean;
  /** Inbound layers as 'name[node][tensor]' (empty for inputs). */
  connectedTo: string[];
}

/** Result of {@link summary}. */
export interface ModelSummary {
  /** The Keras-style table as monospace text. */
  text: string;
  /** The same table as an HTML `<table>` (for notebooks). */
  html: string;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  rows: SummaryRow[];
}

function shapeText(shape: tf.Shape | tf.Shape[]): string {
  const one = (s: tf.Shape) => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;
  return Array.isArray(shape[0]) ? `[${(shape as tf.Shape[]).map(one).join(', ')}]` : one(shape as tf.Shape);
}

/** A layer used at several places with different shapes has no single output shape: Keras prints 'multiple'. */
function outputShapeText(layer: tf.layers.Layer): string {
  try {
    return shapeText(layer.outputShape);
  } catch {
    return 'multiple';
  }
}

function countWeights(weights: tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 0), 1), 0);
}

function connections(layer: tf.layers.Layer): string[] {
  const out: string[] = [];
  for (const node of layer.inboundNodes) {
    node.inboundLayers.forEach((inbound, i) => {
      out.push(`${inbound.name}[${node.nodeIndices[i]}][${node.tensorIndices[i]}]`);
    });
  }
  return out;
}

/** 1234567 -> '1,234,567' (Keras prints counts with thousands separators). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}


/**
 * Summarises a model as Keras does. The "Connected to" column appears when the model branches
 * (some layer has several inputs, as in ResNet or Inception).
 *
 * @example
 * const s = summary(model);
 * console.log(s.text); // or show(s.html) in a notebook
 * @see notebooks/03-pretrained-models.ipynb
 */
export function summary(model: tf.LayersModel): ModelSummary {
  const rows: SummaryRow[] = model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    outputShape: outputShapeText(layer),
    params: layer.countParams(),
    trainable: layer.trainable,
    connectedTo: connections(layer),
  }));
  const trainableParams = countWeights(model.trainableWeights);
  const nonTrainableParams = countWeights(model.nonTrainableWeights);
  const totalParams = trainableParams + nonTrainableParams;
  const branching = rows.some((r) => r.connectedTo.length > 1);

  const headers = ['Layer (type)', 'Output Shape', 'Param #', ...(branching ? ['Connected to'] : [])];
  const cells = rows.map((r) => [`${r.name} (${r.className})`, r.outputShape, formatCount(r.params), ...(branching ? [r.connectedTo[0] ?? ''] : [])]);
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length), ...(c === 3 ? rows.flatMap((r) => r.connectedTo.map((s) => s.length)) : [])) + 2);
  const line = (values: string[]) => values.map((v, c) => (c === values.length - 1 ? v : v.padEnd(widths[c]))).join('').trimEnd();
  const width = widths.reduce((a, b) => a + b, 0);
  const totals = [
    `Total params: ${formatCount(totalParams)}`,
    `Trainable params: ${formatCount(trainableParams)}`,
    `Non-trainable params: ${formatCount(nonTrainableParams)}`,
  ];

  const text: string[] = [`Model: "${model.name}"`, '_'.repeat(width), line(headers), '='.repeat(width)];
  rows.forEach((r, i) => {
    text.push(line(cells[i]));
    for (const extra of r.connectedTo.slice(1)) text.push(line(['', '', '', extra]));
    text.push(i === rows.length - 1 ? '='.repeat(width) : '_'.repeat(width));
  });
  text.push(...totals, '_'.repeat(width));

  const th = headers.map((h) => `<th style="text-align:left">${escapeHtml(h)}</th>`).join('');
  const trs = rows.map((r, i) => {
    const tds = cells[i].map((v, c) => {
      const content = c === 3 ? r.connectedTo.map(escapeHtml).join('<br>') : escapeHtml(v);
      return `<td style="text-align:${c === 2 ? 'right' : 'left'};font-family:monospace">${content}</td>`;
    });
    return `<tr${r.trainable ? '' : ' style="color:#888"'}>${tds.join('')}</tr>`;
  });
  const html = [
    `<table class="transfer-lab-summary">`,
    `<caption style="text-align:left">Model: "${escapeHtml(model.name)}"</caption>`,
    `<thead><tr>${th}</tr></thead>`,
    `<tbody>${trs.join('')}</tbody>`,
    `<tfoot>${totals.map((t) => `<tr><td colspan="${headers.length}"><b>${escapeHtml(t)}</b></td></tr>`).join('')}</tfoot>`,
    `</table>`,
  ].join('\n');

  return { text: text.join('\n'), html, totalParams, trainableParams, nonTrainableParams, rows };
}

/**
 * A model's input and output shapes on one line, e.g. `[null,224,224,3] -> [null,7,7,768]`
 * (the first input and output; `null` is the batch dimension).
 */
export function modelShapes(model: tf.LayersModel): string {
  return `${JSON.stringify(model.inputs[0].shape)} -> ${JSON.stringify(model.outputs[0].shape)}`;
}
