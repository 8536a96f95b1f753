#!/usr/bin/env python3
"""PyTorch half of `npm run bench` (scripts/bench.mjs runs it after the tfjs half).

Times, on the SAME seeded input batch the tfjs side wrote (raw little-endian float32, NHWC):
  mobilenet_v2_extract          torchvision mobilenet_v2 features + global average pool, eval, no_grad
  mobilenet_v2_finetune_step    one SGD step, features[:14] frozen (Keras' block_0..block_12 + Conv1),
                                features[14:] (block_13..block_16 + Conv_1) and a Linear head trained,
                                BatchNorm kept frozen in eval mode (the Keras fine-tuning recipe)
  mobilenet_v2_finetune_cached  the same step from cached features[:14] activations
  resnet50_extract              torchvision resnet50 without fc, eval, no_grad
Random weights (weights=None): timing only. Warm-up, then repetitions, median reported.
Writes one JSON object to --out (see src/bench/report.ts TorchResult).
"""
import argparse
import json
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--input', required=True, help='raw float32 NHWC batch written by the tfjs side')
    p.add_argument('--labels', required=True, help='raw int32 labels written by the tfjs side')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--classes', type=int, default=10)
    p.add_argument('--threads', type=int, default=2, help='torch.set_num_threads (default 2, the cores here)')
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--tasks', default='mobilenet_v2_extract,mobilenet_v2_finetune,resnet50_extract')
    p.add_argument('--out', required=True)
    return p.parse_args()


def timed(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), seconds


def main():
    args = parse_args()
    try:
        import numpy as np
        import torch
        import torchvision
    except ImportError as err:  # bench.mjs checks first; this is for direct runs
        print(f'bench_torch.py: PyTorch is not importable ({err}); install python3-torch python3-torchvision', file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    n, s = args.batch, args.size
    nhwc = np.fromfile(args.input, dtype='<f4')
    if nhwc.size != n * s * s * 3:
        print(f'bench_torch.py: {args.input} holds {nhwc.size} floats, expected {n}x{s}x{s}x3', file=sys.stderr)
        return 2
    # Same numbers as the tfjs batch, in PyTorch's NCHW layout (contiguous, as a DataLoader gives).
    x = torch.from_numpy(nhwc.reshape(n, s, s, 3)).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.fromfile(args.labels, dtype='<i4').astype('int64'))
    tasks = set(args.tasks.split(','))
    results = {}

    def per_second(units, timing):
        med, seconds = timing
        return {'perSecond': units / med, 'seconds': seconds}

    def log(line):
        print(line, file=sys.stderr, flush=True)

    if 'mobilenet_v2_extract' in tasks or 'mobilenet_v2_finetune' in tasks:
        from torchvision.models import mobilenet_v2
    if 'mobilenet_v2_extract' in tasks:
        features = mobilenet_v2(weights=None).features.eval()

        def extract():
            with torch.no_grad():
                features(x).mean((2, 3))

        results['mobilenet_v2_extract'] = per_second(n, timed(extract, args.warmup, args.reps))
        log(f"  PyTorch MobileNetV2 features: {results['mobilenet_v2_extract']['perSecond']:.2f} img/s")

    if 'mobilenet_v2_finetune' in tasks:
        model = mobilenet_v2(weights=None)
        model.classifier = torch.nn.Linear(model.last_channel, args.classes)
        bottom, top = model.features[:14], model.features[14:]
        for p in bottom.parameters():
            p.requires_grad = False
        for m in model.modules():  # BatchNorm frozen: no statistics update, no gamma/beta training
            if isinstance(m, torch.nn.BatchNorm2d):
                for p in m.parameters():
                    p.requires_grad = False
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.SGD(trainable, lr=1e-3, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()

        def set_modes():
            model.train()
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.eval()

        def head(h):
            return model.classifier(top(h).mean((2, 3)))

        def step(inputs, through_bottom):
            optimizer.zero_grad()
            h = bottom(inputs) if through_bottom else inputs
            loss = loss_fn(head(h), y)
            loss.backward()
            optimizer.step()
            return loss.item()

        set_modes()
        results['mobilenet_v2_finetune_step'] = per_second(1, timed(lambda: step(x, True), args.warmup, args.reps))
        log(f"  PyTorch fine-tune step: {results['mobilenet_v2_finetune_step']['perSecond']:.3f} steps/s")
        with torch.no_grad():
            cached = bottom(x)
        results['mobilenet_v2_finetune_cached'] = per_second(1, timed(lambda: step(cached, False), args.warmup, args.reps))
        log(f"  PyTorch fine-tune step from cached activations: {results['mobilenet_v2_finetune_cached']['perSecond']:.3f} steps/s")

    if 'resnet50_extract' in tasks:
        from torchvision.models import resnet50
        net = resnet50(weights=None).eval()
        net.fc = torch.nn.Identity()

        def extract_resnet():
            with torch.no_grad():
                net(x)

        results['resnet50_extract'] = per_second(n, timed(extract_resnet, args.warmup, args.reps))
        log(f"  PyTorch ResNet50 features: {results['resnet50_extract']['perSecond']:.2f} img/s")

    with open(args.out, 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__,
                   'threads': torch.get_num_threads(), 'tasks': results}, f)
    return 0


if __name__ == '__main__':
    sys.exit(main())
