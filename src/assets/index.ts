export { ASSETS, findAsset, type AssetEntry, type AssetName, type AssetSource, type Digest } from './registry';
export { cacheDir, mirrorDir, manifestsDir, packageRoot, type AssetLocationOptions } from './locations';
export { fileDigest, verifyDigest, parseManifest, checkManifest, type ManifestEntry, type ManifestCheck } from './checksum';
export { downloadFile, textProgress, type DownloadOptions, type ProgressListener } from './download';
export { extractArchive, safeJoin } from './extract';
export { resolveAsset, locateAsset, verifyAsset, assetEntry, type ResolveOptions, type AssetStatus, type AssetOrigin } from './resolve';
export { loadLayersModelFromDir, localModelHandler } from './local_model';
export { assetComesFrom, comesFromText, type AssetComesFrom } from './plan';
export { BUILD_RECORD } from './build';
