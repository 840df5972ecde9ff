#!/usr/bin/env python3
"""scipy's gaussian_kde on kdeflow's homework panel, for the side-by-side figures in docs/kde.md.

Run by hand from the repository root (needs numpy and scipy; kdeflow built with `mvn -q -B -o package -DskipTests`):

    python3 bench/scipy_kde.py [--reps 5] [--workdir /tmp/kde-scipy]

1. Draws the panel's data: N = 10^4 points of the homework mixture (sigma = 1/2, centres (0,0), (0,2), (2,0),
   (2,2)) from numpy's legacy RandomState(0): component indices by choice(4, N), then centre + 0.5 * standard normal,
   row by row — the same order as kdeflow's GaussianMixture.sample, so the same points.
2. Times gaussian_kde(data)(grid) on the 100 x 100 grid over [-3, 5]^2 (median of --reps runs). The cost of
   gaussian_kde does not depend on the bandwidth, so this is the panel's cost in scipy.
3. Checks the values: `kdeflow kde --data data.csv --bandwidth scott --at grid.csv --out values.csv` (a full H,
   the Cholesky factor of Scott's factor^2 x covariance, which is scipy's kernel covariance) against scipy's numbers.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy.stats import gaussian_kde


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--workdir", default="/tmp/kde-scipy")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    n = 10_000
    rng = np.random.RandomState(0)
    centres = np.array([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0]])
    idx = rng.choice(4, n, p=[0.25] * 4)
    data = np.empty((n, 2))
    for i in range(n):
        data[i, 0] = centres[idx[i], 0] + 0.5 * rng.standard_normal()
        data[i, 1] = centres[idx[i], 1] + 0.5 * rng.standard_normal()
    xs = np.linspace(-3, 5, 100)
    gx, gy = np.meshgrid(xs, xs)
    grid = np.vstack([gx.ravel(), gy.ravel()])

    kde = gaussian_kde(data.T)
    kde(grid)  # warm-up
    times = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        values = kde(grid)
        times.append(time.perf_counter() - t0)
    print(f"scipy {__import__('scipy').__version__} gaussian_kde, N={n}, 100x100 grid: median "
          f"{1e3 * statistics.median(times):.0f} ms (min {1e3 * min(times):.0f}, max {1e3 * max(times):.0f}, "
          f"{args.reps} runs)")

    data_csv = os.path.join(args.workdir, "data.csv")
    grid_csv = os.path.join(args.workdir, "grid.csv")
    out_csv = os.path.join(args.workdir, "values.csv")
    np.savetxt(data_csv, data, delimiter=",", header="x,y", comments="", fmt="%.17g")
    np.savetxt(grid_csv, grid.T, delimiter=",", header="x,y", comments="", fmt="%.17g")
    launcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kdeflow")
    t0 = time.perf_counter()
    subprocess.run([launcher, "kde", "--data", data_csv, "--bandwidth", "scott", "--at", grid_csv,
                    "--out", out_csv], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    ours = np.loadtxt(out_csv, delimiter=",", skiprows=1)
    rel = np.abs(ours[:, 2] - values) / values
    print(f"kdeflow kde --bandwidth scott --at (whole command incl. JVM start and CSV I/O): {1e3 * wall:.0f} ms; "
          f"max relative difference to scipy {rel.max():.2e}")
    return 0 if rel.max() < 1e-10 else 1


if __name__ == "__main__":
    sys.exit(main())
