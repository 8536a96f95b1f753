/**
 * Typed errors for the whole library. Every message says which function raised it,
 * which argument or file was at fault, the value received, and what to do next.
 */

/** Base class: catch this to handle any error the library raises on purpose. */
export class TransferLabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model file or dataset could not be found, downloaded, verified or unpacked. */
export class AssetError extends TransferLabError {}

/** A dataset folder, image file or array does not have the expected shape or content. */
export class DataError extends TransferLabError {}

/** A model could not be built, or weights do not fit the architecture. */
export class ModelError extends TransferLabError {}

/** Training could not start or continue (bad options, missing metric, broken checkpoint). */
export class TrainError extends TransferLabError {}

/**
 * A file on disk differs from what it must be: its checksum or its size is not the known one
 * (a damaged copy, a truncated download, or not the official file). `file` is its path.
 */
export class DamagedFileError extends AssetError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** A classroom server could not be set up, started, stopped or warmed (bad option, missing tool, not root). */
export class ClassroomError extends TransferLabError {}

/**
 * A tensor would not fit where it must live: the wasm backend keeps every tensor in one
 * WebAssembly heap of at most 4 GiB, and a failed allocation there surfaces as an unrelated
 * RangeError deep in tfjs. Raised before allocating, with the size and what to do instead.
 */
export class MemoryLimitError extends TransferLabError {}
