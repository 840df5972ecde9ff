"""Writes the reference files of the model-file tests with PyTorch and safetensors.

The homework notebook's CouplingLayer / CouplingFlow (forward and inverse completed from the formulas of the
coupling-flow issue), random weights from torch.manual_seed(0), then:
  notebook_flow_f32.safetensors   safetensors.torch.save_file(model.state_dict(), ...)           (float32)
  notebook_flow_f64.safetensors   the same after model.double()                                    (float64)
  log_prob.csv                    x0,x1,log_prob_f32,log_prob_f64 for 64 points: model.log_probability(x)
Run: python make_reference.py   (torch 2.13.0+cpu, safetensors 0.8.0 made the committed files)
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import MultivariateNormal
from safetensors.torch import save_file, load_file


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
        self.layers = nn.ModuleList([CouplingLayer(mask) for mask in masks])
        self.prior = MultivariateNormal(torch.zeros(2), torch.eye(2))

    def log_probability(self, x):
        log_det = torch.zeros(x.shape[0], dtype=x.dtype)
        for layer in reversed(self.layers):
            x, ld = layer.inverse(x)
            log_det = log_det + ld
        prior = MultivariateNormal(torch.zeros(2, dtype=x.dtype), torch.eye(2, dtype=x.dtype))
        return prior.log_prob(x) + log_det


def main():
    torch.manual_seed(0)
    model = CouplingFlow(4)
    with torch.no_grad():
        for layer in model.layers:  # trained models have non-zero scale factors
            layer.scale_factor.copy_(0.5 * torch.randn(2))
    x = 1.5 * torch.randn(64, 2)
    with torch.no_grad():
        lp32 = model.log_probability(x.clone())
    save_file(model.state_dict(), "notebook_flow_f32.safetensors")
    model64 = CouplingFlow(4)
    model64.load_state_dict(load_file("notebook_flow_f32.safetensors"))
    model64.double()
    with torch.no_grad():
        lp64 = model64.log_probability(x.double())
    save_file(model64.state_dict(), "notebook_flow_f64.safetensors")
    with open("log_prob.csv", "w") as f:
        f.write("x0,x1,log_prob_f32,log_prob_f64\n")
        for i in range(x.shape[0]):
            f.write("%r,%r,%r,%r\n" % (float(x[i, 0]), float(x[i, 1]), float(lp32[i]), float(lp64[i])))


if __name__ == "__main__":
    main()
