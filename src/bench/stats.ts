/**
 * Timing helpers for benchmarks: defined once in src/stats.ts (the lessons' speed table and the
 * classroom board use them too) and re-exported here for the bench.
 * @see scripts/bench.mjs
 */
export { median, timeRepeated, type Timing, type TimingOptions } from '../stats';
