export { ASSETS, findAsset, type AssetEntry, type AssetName, type AssetSource, type Digest, type KerasWeightsModel } from './registry';
export { cacheDir, mirrorDir, manifestsDir, packageRoot, type AssetLocationOptions } from './locations';
export { fileDigest, verifyDigest, parseManifest, checkManifest, type ManifestEntry, type ManifestCheck } from './checksum';
export { downloadFile, textProgress, type DownloadOptions, type ProgressListener } from './download';
export { extractArchive, safeJoin } from './extract';
export { resolveAsset, locateAsset, verifyAsset, assetEntry, downloadAsset, type ResolveOptions, type AssetStatus, type AssetOrigin } from './resolve';
export { loadLayersModelFromDir, localModelHandler } from './local_model';
export { checkModelFiles, expectedModelFiles, isModelAsset, damagedFileFix, type ExpectedModelFile, type ModelFilesReport, type ModelFileOrigin } from './model_files';
export { memoizedDigests, VERIFIED_MEMO_FILE, type MemoDigest } from './verified';
