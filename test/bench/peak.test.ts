import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpuPeak } from '../../src/bench/peak';

const cpu = (flags: string, mhz = '2596.122') =>
  ['processor\t: 0', 'model name\t: AMD EPYC', `cpu MHz\t\t: ${mhz}`, `flags\t\t: fpu sse2 ${flags}`, '',
    'processor\t: 1', 'model name\t: AMD EPYC', `cpu MHz\t\t: ${mhz}`, `flags\t\t: fpu sse2 ${flags}`].join('\n');

describe('cpuPeak', () => {
  it('2 cores x AVX2-FMA: 32 flop/cycle/core at the cpu MHz clock', () => {
    const p = cpuPeak({ cpuinfo: cpu('avx avx2 fma avx512f'), maxKhz: 0, cores: 2 });
    assert.equal(p.model, 'AMD EPYC');
    assert.equal(p.flopsPerCycle, 32);
    assert.ok(Math.abs(p.peakGflops - 2 * 2.596122 * 32) < 1e-9);
    assert.deepEqual(p.vectorFlags, ['sse2', 'avx', 'avx2', 'fma', 'avx512f']);
    assert.match(p.assumption, /2 cores x 2\.60 GHz .*32 flop\/cycle/);
    assert.match(p.assumption, /AVX-512 is present/);
  });

  it('prefers the cpufreq maximum, and falls back to narrower vector units', () => {
    const p = cpuPeak({ cpuinfo: cpu('avx', '1200'), maxKhz: 3_500_000, cores: 4 });
    assert.equal(p.ghz, 3.5);
    assert.equal(p.flopsPerCycle, 16);
    assert.equal(p.peakGflops, 4 * 3.5 * 16);
    assert.equal(cpuPeak({ cpuinfo: cpu(''), maxKhz: 0, cores: 1 }).flopsPerCycle, 8);
  });
});
