"""Loads a kdeflow model file into the notebook's PyTorch CouplingFlow and compares log-probabilities.

Usage: python check_kdeflow_file.py MODEL.safetensors SCORED.csv
  MODEL.safetensors  from 'kdeflow train --save' (F64 or F32)
  SCORED.csv         from 'kdeflow score --model MODEL.safetensors --data ... --out SCORED.csv' (x,y,log_prob)
Prints the largest |log p_torch - log p_kdeflow| in float32 (the notebook's dtype) and in float64 (model.double()).
"""
import sys
import numpy as np
import torch
from safetensors.torch import load_file
from make_reference import CouplingFlow  # the notebook's classes

state = load_file(sys.argv[1])
k = 1 + max(int(name.split(".")[1]) for name in state)
xs = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
for dtype in (torch.float32, torch.float64):
    model = CouplingFlow(k)
    if dtype == torch.float64:
        model.double()
    model.load_state_dict(state)  # copies into the model's parameters, converting to their dtype
    with torch.no_grad():
        lp = model.log_probability(torch.tensor(xs[:, :2], dtype=dtype)).double().numpy()
    print(dtype, "tensors", sorted({str(t.dtype) for t in state.values()}),
          "max |diff| =", float(np.max(np.abs(lp - xs[:, 2]))))
