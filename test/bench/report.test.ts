import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { benchJson, benchRows, formatBenchTable, TorchResult } from '../../src/bench/report';
import { parseArgs } from '../../src/bench/main';
import type { OursResult } from '../../src/bench/run';

const ours: OursResult = {
  backend: 'wasm', backendSummary: 'Backend: wasm', batch: 32, imageSize: 224, seed: 42, workers: 2, warmup: 1, reps: 5,
  machine: { model: 'Test CPU', cores: 2, ghz: 2.5, flopsPerCycle: 32, peakGflops: 160, vectorFlags: ['avx2', 'fma'], assumption: 'peak = test' },
  tasks: [
    {
      id: 'mobilenet_v2_extract', label: 'MobileNetV2-1.0 features', unit: 'img/s',
      variants: [
        { variant: '1 thread', perSecond: 20, seconds: [1.6], unitsPerRep: 32, gflopPerUnit: 0.6, torchKey: 'mobilenet_v2_extract' },
        { variant: '2 workers, folded', perSecond: 80, seconds: [0.8], unitsPerRep: 64, gflopPerUnit: 0.6, torchKey: 'mobilenet_v2_extract' },
      ],
    },
    {
      id: 'mobilenet_v2_finetune', label: 'MobileNetV2-1.0 fine-tune step', unit: 'steps/s',
      variants: [{ variant: 'trainOnBatch, whole model', perSecond: null, skipped: 'not run: too big', seconds: [], unitsPerRep: 1, gflopPerUnit: 30, torchKey: 'mobilenet_v2_finetune_step' }],
    },
  ],
};
const torch: TorchResult = { torch: '1.13', torchvision: '0.14', threads: 2, tasks: { mobilenet_v2_extract: { perSecond: 40, seconds: [0.8] } } };

describe('benchRows', () => {
  it('pairs each variant with its PyTorch figure: ratio, GFLOP/s, % of peak', () => {
    const rows = benchRows(ours, torch);
    assert.equal(rows.length, 3);
    assert.equal(rows[1].ratio, 2);
    assert.ok(Math.abs(rows[1].oursGflops! - 48) < 1e-9);
    assert.ok(Math.abs(rows[1].torchGflops! - 24) < 1e-9);
    assert.ok(Math.abs(rows[1].oursPeakPercent! - 30) < 1e-9);
    assert.equal(rows[2].ours, null);
    assert.equal(rows[2].ratio, null);
    assert.equal(rows[2].note, 'not run: too big');
  });
  it('has no ratios without PyTorch', () => {
    assert.ok(benchRows(ours, null).every((r) => r.torch === null && r.ratio === null));
  });
});

describe('formatBenchTable / benchJson', () => {
  it('prints the backend, the PyTorch version, the peak assumption and one line per variant', () => {
    const text = formatBenchTable(ours, torch);
    assert.match(text, /tfjs backend 'wasm'/);
    assert.match(text, /torch 1\.13, torchvision 0\.14, 2 threads/);
    assert.match(text, /peak = test = 160 GFLOP\/s/);
    assert.match(text, /2 workers, folded\s+img\/s\s+80\.0\s+40\.0\s+2\.00x/);
    assert.match(text, /not run/);
    assert.match(text, /note: .*not run: too big/);
  });
  it('says why PyTorch is missing', () => {
    assert.match(formatBenchTable(ours, null, 'python3 cannot import torch'), /PyTorch: not measured \(python3 cannot import torch\)/);
    const json = JSON.parse(JSON.stringify(benchJson(ours, null, 'absent'))) as { torchNote: string; rows: unknown[] };
    assert.equal(json.torchNote, 'absent');
    assert.equal(json.rows.length, 3);
  });
});

describe('parseArgs', () => {
  it('reads a command, --name value pairs and --flags', () => {
    const { command, values, flags } = parseArgs(['ours', '--out', 'x.json', '--quick', '--reps', '3']);
    assert.equal(command, 'ours');
    assert.equal(values.get('out'), 'x.json');
    assert.equal(values.get('reps'), '3');
    assert.ok(flags.has('quick'));
  });
});
