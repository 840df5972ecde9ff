"""Times maximum-likelihood training of a neural spline flow in PyTorch, for a side-by-side comparison with kdeflow.

The flow is reference flow (a) of kdeflow-core/src/test/resources/torch-nsf without its standardize: three
rational-quadratic spline couplings on d = 2 (identity [0] / transformed [1], then [1] / [0], then [0] / [1]),
conditioners Linear(1, 64), LeakyReLU(0.01), Linear(64, 64), LeakyReLU(0.01), Linear(64, 23), 8 bins, bound 5,
minimum width, height and derivative 1e-3, over N(0, I). PyTorch's default initialisation after
torch.manual_seed(seed). Training: Adam (lr 1e-3), mini-batches of 64 over the first 1350 rows of the CSV, in the
file's order (as the notebook's DataLoader without shuffle), loss = -mean log p; one step = log p, backward, Adam.
One thread (torch.set_num_threads(1)). Prints the median wall-clock seconds per epoch over --epochs epochs after
--warmup epochs, the median seconds per step, the median CPU seconds per epoch (time.process_time, less disturbed
when other processes share the core), and the mean loss of the first and last timed epochs.

Run it pinned to one core on a quiet machine, each dtype in turn:

    ./kdeflow sample --dist moons --n 1500 --seed 0 --out moons.csv
    taskset -c 1 python3 bench/nsf_torch.py moons.csv --dtype f32
    taskset -c 1 python3 bench/nsf_torch.py moons.csv --dtype f64
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kdeflow-core", "src", "test",
                                "resources", "torch-nsf"))
from reference_flows import Flow  # noqa: E402

N_TRAIN = 1350
BATCH = 64


def spline(identity, transformed):
    return {"type": "rq_coupling", "identity": identity, "transformed": transformed, "hidden": [64, 64], "bins": 8,
            "bound": 5.0, "min_width": 1e-3, "min_height": 1e-3, "min_derivative": 1e-3}


SPEC = {"dim": 2, "base": {"type": "normal"}, "transforms": [spline([0], [1]), spline([1], [0]), spline([0], [1])]}


def epoch(flow, optimizer, data, step_times):
    losses = []
    for start in range(0, data.shape[0], BATCH):
        t0 = time.perf_counter()
        loss = -flow.log_prob(data[start:start + BATCH]).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step_times.append(time.perf_counter() - t0)
        losses.append(loss.item())
    return sum(losses) / len(losses)


def run(path, dtype, epochs, warmup, seed):
    torch.manual_seed(seed)
    flow = Flow(SPEC, dtype)
    data = np.loadtxt(path, delimiter=",", skiprows=1)[:N_TRAIN, :2]
    if data.shape[0] < N_TRAIN:
        sys.exit(f"nsf_torch: {path} has {data.shape[0]} rows, want at least {N_TRAIN}")
    data = torch.tensor(data, dtype=dtype)
    optimizer = torch.optim.Adam(flow.parameters(), lr=1e-3)
    steps = []
    for _ in range(warmup):
        epoch(flow, optimizer, data, steps)
    epoch_times, cpu_times, losses = [], [], []
    steps = []
    for _ in range(epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        losses.append(epoch(flow, optimizer, data, steps))
        epoch_times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    n_params = sum(p.numel() for p in flow.parameters())
    name = {torch.float32: "f32", torch.float64: "f64"}[dtype]
    print(f"{name}: {n_params} parameters, {N_TRAIN} points, batch {BATCH} ({len(steps) // epochs} steps/epoch), "
          f"{warmup} warm-up + {epochs} timed epochs, torch {torch.__version__}, {torch.get_num_threads()} thread")
    print(f"{name}: median {statistics.median(epoch_times):.4f} s/epoch "
          f"(min {min(epoch_times):.4f}, max {max(epoch_times):.4f}), "
          f"median {statistics.median(steps) * 1e3:.3f} ms/step, median CPU {statistics.median(cpu_times):.4f} s/epoch; "
          f"mean loss {losses[0]:.4f} (first timed epoch) -> {losses[-1]:.4f} (last)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="x,y columns with a header; the first 1350 rows are used")
    parser.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    run(args.csv, {"f32": torch.float32, "f64": torch.float64}[args.dtype], args.epochs, args.warmup, args.seed)


if __name__ == "__main__":
    main()
