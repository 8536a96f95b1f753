/**
 * transfer-lab: the public API the notebooks import (`import * as lab from '../dist/index'`).
 * Re-exports only; importing changes nothing until a lesson calls `setupLab()`.
 *
 * Data flows one way: assets → data → models → transfer → train → evaluate → viz → notebook.
 */
export * from './errors';
export * from './backend';
export { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from './backend/kernels/register';
export * from './assets';
export * from './data';
export * from './models';
export { classifyImage, type ClassifyImageOptions } from './models/classify';
export * from './transfer';
export * from './train';
export * from './evaluate';
export * from './viz';
export * from './notebook';
export * from './session';
export * from './pipeline';
export * from './lessons/04_dataset';
export * from './lessons/03_zoo';
export * from './lessons/01_mnist_transfer';
export * from './lessons/02_strategies';
export * from './lessons/05_lab';
export * from './parallel';
export * from './bench';
export { postClassResult, BoardError, type ClassResult, type ClassResultInput, type PostClassResultOptions, type PostClassResultOutcome } from './classroom/board/client';
