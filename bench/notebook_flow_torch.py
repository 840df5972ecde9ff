"""Times the homework notebook's PyTorch training loop, for a side-by-side comparison with `kdeflow bench flow`.

The model and train() are the notebook's (forward/inverse completed from the coupling-flow formulas); the data is
read from a CSV written by `kdeflow sample` (the same points as scikit-learn's make_moons), so scikit-learn is not
needed. Run by hand, one thread, on a quiet machine:

    ./kdeflow sample --dist moons --n 1500 --out /tmp/moons1500.csv
    python3 bench/notebook_flow_torch.py /tmp/moons1500.csv 1000

Prints the wall time of train() and the held-out NLL on a CSV of fresh points if a third argument names one.
"""
import copy
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions.multivariate_normal import MultivariateNormal
from torch.optim import Adam
from torch.utils.data import DataLoader, Dataset, random_split

torch.set_num_threads(1)


class CouplingLayer(nn.Module):
    def __init__(self, mask):
        super().__init__()
        self.mask = nn.Parameter(mask, requires_grad=False)
        self.s_func = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 32), nn.LeakyReLU(),
                                    nn.Linear(32, 2))
        self.scale_factor = nn.Parameter(torch.Tensor(2).fill_(0.0))
        self.t_func = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 32), nn.LeakyReLU(),
                                    nn.Linear(32, 2))

    def forward(self, x):
        xm = self.mask * x
        s = self.scale_factor * self.s_func(xm)
        t = self.t_func(xm)
        y = xm + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, ((1 - self.mask) * s).sum(-1)

    def inverse(self, y):
        ym = self.mask * y
        s = self.scale_factor * self.s_func(ym)
        t = self.t_func(ym)
        x = ym + (1 - self.mask) * ((y - t) * torch.exp(-s))
        return x, -((1 - self.mask) * s).sum(-1)


class CouplingFlow(nn.Module):
    def __init__(self, num_layers):
        super().__init__()
        masks = F.one_hot(torch.tensor([i % 2 for i in range(num_layers)])).float()
        self.layers = nn.ModuleList([CouplingLayer(m) for m in masks])
        self.prior = MultivariateNormal(torch.zeros(2), torch.eye(2))

    def log_probability(self, x):
        log_det = torch.zeros(x.shape[0])
        for layer in reversed(self.layers):
            x, ld = layer.inverse(x)
            log_det = log_det + ld
        return self.prior.log_prob(x) + log_det


class Points(Dataset):
    def __init__(self, data):
        self.data = data

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return torch.from_numpy(self.data[i]).type(torch.FloatTensor)


def train(model, data, epochs=100, batch_size=64):
    lengths = [int(len(data) * 0.9), len(data) - int(len(data) * 0.9)]
    train_set, valid_set = random_split(data, lengths)
    train_loader = DataLoader(train_set, batch_size=batch_size)
    valid_loader = DataLoader(valid_set, batch_size=batch_size)
    optimizer = Adam(model.parameters(), lr=1e-3)
    min_valid = np.inf
    best = model
    for epoch in range(epochs):
        model.train(True)
        for batch in train_loader:
            loss = -model.log_probability(batch).mean(0)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.train(False)
        valid = 0
        for batch in valid_loader:
            valid += -model.log_probability(batch).mean(0)
        valid /= len(valid_loader)
        if valid < min_valid:
            best = copy.deepcopy(model)
            min_valid = valid
    return model if lengths[1] < 500 else best


def main():
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    torch.manual_seed(8)
    np.random.seed(0)
    model = CouplingFlow(4)
    t0 = time.perf_counter()
    model = train(model, Points(data), epochs=epochs)
    print(f"train(): {time.perf_counter() - t0:.2f} s for {epochs} epochs on {len(data)} points, 1 thread")
    if len(sys.argv) > 3:
        test = torch.from_numpy(np.loadtxt(sys.argv[3], delimiter=",", skiprows=1)).float()
        with torch.no_grad():
            print(f"held-out NLL: {-model.log_probability(test).mean().item():.4f} nats on {len(test)} points")


if __name__ == "__main__":
    main()
