/**
 * What a pipeline run leaves on disk, so a teacher can open it later: the model (TF.js layers
 * format), the facts needed to use it (classes, input size, preprocessing), metrics, history and
 * two self-contained plots (training curves, confusion matrix).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadLayersModelFromDir } from '../assets';
import { ImageDataGenerator } from '../data';
import { TrainError } from '../errors';
import { preprocessInput, type PreprocessMode } from '../models';
import { figurePage } from '../notebook/html';
import { fineTuneEpoch, saveModelToDir } from '../train';
import { confusionMatrixFigure, trainingCurvesFigure } from '../viz';
import { evaluateProbabilities, type Evaluation } from './evaluation';
import type { TrainClassifierResult } from './train_classifier';

/** `transfer_lab.json`: how to feed images to a saved model. */
export interface RunManifest {
  model: string;
  strategy: string;
  classNames: string[];
  inputSize: number;
  preprocess: PreprocessMode;
  keepAspectRatio: boolean;
  backend: string;
  createdAt: string;
}

/** Saves a run into `outDir` (model/, transfer_lab.json, metrics.json, history.json, curves.html, confusion.html). */
export async function saveRun(run: TrainClassifierResult, outDir: string): Promise<string[]> {
  await fs.mkdir(outDir, { recursive: true });
  await saveModelToDir(run.model, path.join(outDir, 'model'));
  const manifest: RunManifest = {
    model: run.base.name,
    strategy: run.strategy,
    classNames: run.classNames,
    inputSize: run.base.inputSize,
    preprocess: run.base.preprocess,
    keepAspectRatio: true,
    backend: run.backend,
    createdAt: new Date().toISOString(),
  };
  const metrics = {
    valAccuracy: run.evaluation.accuracy,
    featureExtractionAccuracy: run.featureExtraction.accuracy,
    fineTuneAccuracy: run.fineTune?.accuracy ?? null,
    // Which phase's best epoch the saved model is, by which metric, and why.
    kept: run.kept,
    trainImages: run.trainImages,
    valImages: run.valImages,
    report: run.evaluation.report.rows,
    confusion: run.evaluation.confusion,
    seconds: run.seconds,
    resumed: run.resumed,
    ignoredValClasses: run.ignoredValClasses,
    skipped: run.skipped.map((f) => ({ path: f.path, reason: f.reason, detail: f.detail })),
  };
  const files: [string, string][] = [
    ['transfer_lab.json', JSON.stringify(manifest, null, 2)],
    ['metrics.json', JSON.stringify(metrics, null, 2)],
    ['history.json', JSON.stringify(run.history)],
    ['curves.html', figurePage(trainingCurvesFigure(run.history, { fineTuneEpoch: fineTuneEpoch(run.history), title: `${run.base.name}: ${run.strategy}` }))],
    ['confusion.html', figurePage(confusionMatrixFigure(run.evaluation.confusion, run.classNames, { title: 'Validation confusion matrix' }))],
  ];
  for (const [name, text] of files) await fs.writeFile(path.join(outDir, name), text);
  return ['model/', ...files.map(([name]) => name)];
}

/** Loads a saved run's model and manifest. */
export async function loadRun(runDir: string) {
  let manifest: RunManifest;
  const file = path.join(runDir, 'transfer_lab.json');
  try {
    manifest = JSON.parse(await fs.readFile(file, 'utf8')) as RunManifest;
  } catch {
    throw new TrainError(`loadRun: ${file} is missing or unreadable; pass the --out folder of a 'transfer-lab train' run.`);
  }
  const model = await loadLayersModelFromDir(path.join(runDir, 'model'));
  return { model, manifest };
}

/** Evaluates a saved run on a folder of class sub-folders (the same class names as in training). */
export async function evaluateRun(runDir: string, dataDir: string): Promise<{ manifest: RunManifest; evaluation: Evaluation; images: number }> {
  const { model, manifest } = await loadRun(runDir);
  const generator = new ImageDataGenerator({ preprocessingFunction: (x) => preprocessInput(x, manifest.preprocess) });
  const it = await generator.flowFromDirectory(dataDir, {
    targetSize: [manifest.inputSize, manifest.inputSize],
    keepAspectRatio: manifest.keepAspectRatio,
    interpolation: 'lanczos',
    classMode: 'categorical',
    shuffle: false,
    classes: manifest.classNames,
  });
  const evaluation = await evaluateProbabilities(model, it, manifest.classNames);
  model.dispose();
  return { manifest, evaluation, images: it.samples };
}
