"""Loads a version-2 flow file written by kdeflow into reference_flows.Flow and compares log-probabilities.

Usage: python3 check_kdeflow_file.py MODEL.safetensors SCORED.csv
  MODEL.safetensors  a flow file (kdeflow.format_version 2; F64 or F32 tensors, evaluated in float64)
  SCORED.csv         a header row, the d input columns, then log_prob (as 'kdeflow score' writes it); columns after
                     log_prob are ignored, so this folder's NAME_log_prob.csv files check too
Prints the largest |log p_torch - log p_csv| and the worst point, and exits 1 when any point differs by more than
1e-10 + 1e-14 |log p_csv|: 1e-10 as such wherever |log p| < 100, but far from the data |log p| reaches 1e6 and more,
where one ulp of a double is already 1e-10 (at |log p| = 1e6 the bound is 1e-8, about 90 ulps). Exit 2 for
unreadable input.
"""
import csv
import math
import sys

import torch

from reference_flows import load

ABSOLUTE = 1e-10
RELATIVE = 1e-14


def difference(a, b):
    if math.isinf(a) or math.isinf(b):
        return 0.0 if a == b else math.inf
    return abs(a - b)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        flow = load(argv[0])
        with open(argv[1], newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        if "log_prob" not in header or header.index("log_prob") != flow.dim:
            raise ValueError(f"{argv[1]}: want {flow.dim} input columns then 'log_prob', found header {header}")
        x = torch.tensor([[float(v) for v in r[:flow.dim]] for r in rows[1:]], dtype=torch.float64)
        expected = [float(r[flow.dim]) for r in rows[1:]]
    except (OSError, ValueError, IndexError) as e:
        print(f"check_kdeflow_file: {e}", file=sys.stderr)
        return 2
    with torch.no_grad():
        got = flow.log_prob(x).tolist()
    absolute = [difference(g, e) for g, e in zip(got, expected)]
    ratio = [a / (ABSOLUTE + RELATIVE * abs(e)) if math.isfinite(e) else a for a, e in zip(absolute, expected)]
    worst = max(range(len(ratio)), key=ratio.__getitem__)
    print(f"{len(got)} points, {sum(1 for e in expected if math.isinf(e))} of them -inf in the CSV; "
          f"max |diff| = {max(absolute):.3e}; worst |diff| / (1e-10 + 1e-14 |log p|) = {ratio[worst]:.3g} "
          f"at line {worst + 2} (torch {got[worst]!r}, csv {expected[worst]!r})")
    return 0 if ratio[worst] <= 1 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
