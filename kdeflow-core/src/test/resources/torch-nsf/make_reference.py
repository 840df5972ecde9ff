"""Writes the reference files of kdeflow's version-2 flows with reference_flows.py (PyTorch, float64).

For each model NAME below:
  NAME.safetensors   the flow, F64 tensors, spec in __metadata__ (reference_flows.save)
  NAME_log_prob.csv  x0..x{d-1}, log_prob (PyTorch float64), log_prob_mp (40-digit mpmath, rounded to double), kind
  NAME_forward.csv   z0..z{d-1}, x0..x{d-1} = T(z), log_prob (of x, from the forward pass), log_prob_mp, kind
and nsf2d_f32.safetensors (model nsf2d's tensors rounded to F32) with nsf2d_f32_log_prob.csv (its log p, float64).

Weights: torch.manual_seed(seed) per model, then every tensor in state_dict order drawn N(0, 0.5^2), except the
conditioners' weights and biases, N(0, sigma^2) with the model's sigma, and a mixture's component means, N(0, 1.5^2).
Points of kind: bulk (samples of the flow), box (uniform over the samples' range), tail (a coordinate beyond the
bound of the first spline the density direction meets), bound (exactly +-bound, and one ulp either side), knot
(exactly on a knot of that spline, as this module computes it), far (|x| from 50 to 1e3).

Run: python3 make_reference.py   (in this folder; 2-3 minutes, most of it mpmath)
     python3 make_reference.py --sweep NAME SIGMA...   how far from the identity, and how well float64 holds log p,
                                                       model NAME is with the conditioners' tensors N(0, SIGMA^2)
"""
import csv
import math
import sys

import torch

from mp_reference import MPFlow
from reference_flows import Flow, RQCoupling, Standardize, load, save


def rq(identity, transformed, hidden, bins, bound, mw=1e-3, mh=1e-3, md=1e-3):
    return {"type": "rq_coupling", "identity": identity, "transformed": transformed, "hidden": hidden, "bins": bins,
            "bound": bound, "min_width": mw, "min_height": mh, "min_derivative": md}


def affine(identity, transformed, hidden, clamp=3.0):
    return {"type": "affine_coupling", "identity": identity, "transformed": transformed, "hidden": hidden,
            "clamp": clamp}


# name: (spec, seed, sigma of the conditioners' tensors)
MODELS = {
    # (a) three spline couplings, alternating, and a standardize last (x = shift + scale * u)
    "nsf2d": ({"dim": 2, "base": {"type": "normal"},
               "transforms": [rq([0], [1], [64, 64], 8, 5.0), rq([1], [0], [64, 64], 8, 5.0),
                              rq([0], [1], [64, 64], 8, 5.0),
                              {"type": "standardize", "shift": [0.5, 0.25], "scale": [0.875, 0.5]}]},
              1, 0.2),
    # (b) d = 5: spline couplings at both ends (index lists out of order), actnorm, permutation, LU, mixture base
    "nsf5d": ({"dim": 5, "base": {"type": "mixture", "components": 3},
               "transforms": [rq([0, 1], [2, 3, 4], [32, 32], 6, 3.0),
                              {"type": "actnorm"},
                              {"type": "permutation", "perm": [3, 0, 4, 1, 2]},
                              {"type": "lu_linear", "perm": [1, 4, 0, 2, 3]},
                              rq([4, 2, 0], [3, 1], [32, 32], 6, 3.0, mw=2e-2, mh=1e-2, md=1e-2)]},
              2, 0.22),
    # (c) d = 3: bounded affine couplings over a diagonal normal
    "affine3d": ({"dim": 3, "base": {"type": "diag_normal"},
                  "transforms": [affine([0], [1, 2], [16, 16]), affine([2, 1], [0], [16, 16]),
                                 affine([1], [2, 0], [16, 16])]},
                 3, 0.5),
    # (d) small: 2 bins, one hidden layer of 8
    "small2d": ({"dim": 2, "base": {"type": "normal"},
                 "transforms": [rq([1], [0], [8], 2, 2.0, mw=1e-2, mh=1e-2, md=1e-2), rq([0], [1], [8], 2, 2.0)]},
                4, 1.0),
}


def randomize(flow, seed, sigma):
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in flow.state_dict(keep_vars=True).items():
            if ".net." in name:
                p.normal_(0.0, sigma)
            elif name == "base.loc" and p.dim() == 2:
                p.normal_(0.0, 1.5)
            else:
                p.normal_(0.0, 0.5)


def build(name):
    spec, seed, sigma = MODELS[name]
    flow = Flow(spec)
    randomize(flow, seed, sigma)
    return flow


# ---------------------------------------------------------------------------------------------------------- points

def _exact_preimage(u, shift, scale):
    """x with (x - shift) / scale == u in float64 (x = shift + scale * u, moved by up to 8 ulps), or None."""
    x = shift + scale * u
    for step in range(17):
        candidate = x
        for _ in range((step + 1) // 2):
            candidate = math.nextafter(candidate, math.inf if step % 2 else -math.inf)
        if (candidate - shift) / scale == u:
            return candidate
    return None


def _outer(flow):
    """(the first rq_coupling the density direction meets, the standardize before it or None), if that is all."""
    last = flow.transforms[-1]
    if isinstance(last, Standardize) and len(flow.transforms) > 1 and isinstance(flow.transforms[-2], RQCoupling):
        return flow.transforms[-2], last
    return (last, None) if isinstance(last, RQCoupling) else (None, None)


def _to_x(u, standardize, exact):
    """x for the coupling's input u (if exact, preimages that the standardize maps to u exactly), or None."""
    if standardize is None:
        return list(u)
    if not exact:
        return [standardize._shift[j] + standardize._scale[j] * u[j] for j in range(len(u))]
    x = [_exact_preimage(u[j], standardize._shift[j], standardize._scale[j]) for j in range(len(u))]
    return None if any(v is None for v in x) else x


def _u_of(x, standardize):
    if standardize is None:
        return x.clone()
    return (x - standardize.shift) / standardize.scale


def special_points(coupling, standardize, bulk_x, knot_side, gen):
    """Points at +-bound, one ulp either side, and on the knots of `coupling`'s spline for a bulk u_A.

    knot_side "x": knots of the density direction (g's arguments); "y": of the forward direction (g^-1's arguments).
    """
    out = []
    B = coupling.bound
    u_bulk = _u_of(bulk_x, standardize)
    d = u_bulk.shape[1]
    for i, row in enumerate(u_bulk[:6]):
        q = i % len(coupling.transformed)
        j = coupling.transformed[q]
        for v in (B, -B, math.nextafter(B, 0), math.nextafter(-B, 0), math.nextafter(B, math.inf),
                  math.nextafter(-B, -math.inf)):
            u = row.tolist()
            u[j] = v
            out.append((u, "bound"))
    corner = [B if k % 2 == 0 else -B for k in range(d)]
    out.append((corner, "bound"))
    for i, row in enumerate(u_bulk[6:12]):
        h = coupling._params(row.unsqueeze(0))
        spline = coupling.spline(h)
        knots = (spline.xk if knot_side == "x" else spline.yk)[0]  # [|B|, K + 1]
        for q, j in enumerate(coupling.transformed):
            for k in range(1, coupling.bins):
                u = row.tolist()
                u[j] = float(knots[q, k])
                out.append((u, "knot"))
    for i, row in enumerate(u_bulk[12:20]):
        u = row.tolist()
        js = coupling.transformed if i % 2 else [coupling.transformed[i % len(coupling.transformed)]]
        for j in js:
            u[j] = float((1.05 + 2 * torch.rand(1, generator=gen, dtype=torch.float64)) * B) * (1 if i % 3 else -1)
        out.append((u, "tail"))
    points = []
    for u, kind in out:
        x = _to_x(u, standardize, kind != "tail")
        if x is not None:
            points.append((x, kind))
    return points


def far_points(d, gen):
    points = []
    for j in range(d):
        e = [0.0] * d
        e[j] = 1e3 if j % 2 == 0 else -1e3
        points.append((e, "far"))
    points.append(([1e3 if j % 2 else -1e3 for j in range(d)], "far"))
    radii = [50.0, 100.0, 200.0, 400.0, 700.0, 1000.0]
    for r in radii:
        direction = torch.randn(d, generator=gen, dtype=torch.float64)
        points.append(((r * direction / direction.norm()).tolist(), "far"))
    return points


def log_prob_points(flow, gen):
    with torch.no_grad():
        bulk = flow.sample(40, gen)
        lo, hi = bulk.min(0).values, bulk.max(0).values
        box = lo + (hi - lo) * torch.rand(20, flow.dim, generator=gen, dtype=torch.float64)
        points = [(x.tolist(), "bulk") for x in bulk] + [(x.tolist(), "box") for x in box]
        coupling, standardize = _outer(flow)
        if coupling is not None:
            points += special_points(coupling, standardize, bulk, "x", gen)
        else:
            wide = 10 * torch.randn(16, flow.dim, generator=gen, dtype=torch.float64)
            points += [(x.tolist(), "tail") for x in wide]
        return points + far_points(flow.dim, gen)


def forward_points(flow, gen):
    with torch.no_grad():
        bulk = flow.base.sample(40, gen)
        points = [(z.tolist(), "bulk") for z in bulk]
        first = flow.transforms[0]
        if isinstance(first, RQCoupling):
            points += special_points(first, None, bulk, "y", gen)
        else:
            points += [(z.tolist(), "tail") for z in 10 * torch.randn(16, flow.dim, generator=gen,
                                                                       dtype=torch.float64)]
        return points + far_points(flow.dim, gen)


# ---------------------------------------------------------------------------------------------------------- files

def _write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([repr(v) if isinstance(v, float) else v for v in row])


class Error:
    """The largest |float64 - 40-digit| where |log p| < 100, and the largest |float64 - 40-digit| / |log p| elsewhere."""

    def __init__(self):
        self.near, self.far = 0.0, 0.0

    def add(self, value, exact):
        if abs(exact) < 100:
            self.near = max(self.near, abs(value - exact))
        else:
            self.far = max(self.far, abs(value - exact) / abs(exact))

    def __str__(self):
        return f"{self.near:.1e} (|log p| < 100), {self.far:.1e} relative (elsewhere)"


def _relative(a, b):
    return abs(a - b) / max(1.0, abs(b))


def write_log_prob(flow, points, path):
    x = torch.tensor([p for p, _ in points], dtype=torch.float64)
    with torch.no_grad():
        lp = flow.log_prob(x)
    mpf = MPFlow(flow)
    rows, worst = [], Error()
    for i, (p, kind) in enumerate(points):
        exact = float(mpf.log_prob(p))
        worst.add(float(lp[i]), exact)
        rows.append(list(map(float, x[i].tolist())) + [float(lp[i]), exact, kind])
    d = flow.dim
    _write(path, [f"x{j}" for j in range(d)] + ["log_prob", "log_prob_mp", "kind"], rows)
    return worst, lp


def write_forward(flow, points, path):
    z = torch.tensor([p for p, _ in points], dtype=torch.float64)
    with torch.no_grad():
        x, lp = flow.forward_log_prob(z)
    mpf = MPFlow(flow)
    rows, worst_lp, worst_x = [], Error(), 0.0
    for i, (p, kind) in enumerate(points):
        x_mp, lp_mp = mpf.forward(p)
        worst_lp.add(float(lp[i]), float(lp_mp))
        worst_x = max(worst_x, max(_relative(float(x[i, j]), float(x_mp[j])) for j in range(flow.dim)))
        rows.append(z[i].tolist() + x[i].tolist() + [float(lp[i]), float(lp_mp), kind])
    d = flow.dim
    _write(path, [f"z{j}" for j in range(d)] + [f"x{j}" for j in range(d)] + ["log_prob", "log_prob_mp", "kind"],
           rows)
    return worst_lp, worst_x


def sweep(name, sigmas):
    """For 30 samples: the float64 log p's distance from the 40-digit value, and per spline coupling (density
    direction, last first) the logits' spread, the inner derivatives, max |g(v) - v| and g' over v in [-B, B]."""
    spec, seed, _ = MODELS[name]
    for sigma in sigmas:
        flow = Flow(spec)
        randomize(flow, seed, sigma)
        with torch.no_grad():
            x = flow.sample(30, torch.Generator().manual_seed(5))
            lp = flow.log_prob(x)
            u, splines = x, []
            for t in reversed(flow.transforms):
                if isinstance(t, RQCoupling):
                    h = t._params(u)
                    spline = t.spline(h)
                    v = torch.linspace(-t.bound, t.bound, 101, dtype=torch.float64)
                    grid = t.spline(h.unsqueeze(1).expand(-1, 101, -1, -1))
                    g, log_slope = grid(v.view(1, 101, 1).expand(h.shape[0], 101, h.shape[1]))
                    splines.append(f"logit sd {h[..., :t.bins].std(-1).mean():.2f}, "
                                   f"delta [{spline.delta.min():.2g}, {spline.delta.max():.2g}], "
                                   f"max |g(v) - v| {(g - v.view(1, 101, 1)).abs().max():.2f}, "
                                   f"g' [{log_slope.exp().min():.2g}, {log_slope.exp().max():.3g}]")
                u, _ = t.inverse(u)
        mpf = MPFlow(flow)
        err = max(abs(float(lp[i]) - float(mpf.log_prob(x[i].tolist()))) for i in range(x.shape[0]))
        print(f"{name} sigma {sigma}: log p of the samples [{lp.min():.2f}, {lp.max():.2f}], "
              f"max |log p - mp| {err:.1e}")
        for line in splines:
            print(f"    {line}")
    return 0


def main():
    if sys.argv[1:2] == ["--sweep"]:
        return sweep(sys.argv[2], [float(s) for s in sys.argv[3:]])
    for n, (name, _) in enumerate(MODELS.items()):
        flow = build(name)
        save(flow, f"{name}.safetensors")
        gen = torch.Generator().manual_seed(100 + n)
        points = log_prob_points(flow, gen)
        worst, lp = write_log_prob(flow, points, f"{name}_log_prob.csv")
        loaded = load(f"{name}.safetensors")
        with torch.no_grad():
            same = torch.equal(loaded.log_prob(torch.tensor([p for p, _ in points], dtype=torch.float64)), lp)
        fpoints = forward_points(flow, gen)
        worst_lp, worst_x = write_forward(flow, fpoints, f"{name}_forward.csv")
        kinds = {k: sum(1 for _, kk in points if kk == k) for k in dict.fromkeys(kk for _, kk in points)}
        print(f"{name}: {len(points)} log-prob points {kinds}, {len(fpoints)} forward points; "
              f"max |log p - mp|: {worst}; forward: log p {worst_lp}, x {worst_x:.1e} relative to max(1, |x|); "
              f"reloaded file gives the same bits: {same}")
        if name == "nsf2d":
            save(flow, "nsf2d_f32.safetensors", torch.float32)
            flow32 = load("nsf2d_f32.safetensors")
            worst32, _ = write_log_prob(flow32, points, "nsf2d_f32_log_prob.csv")
            print(f"nsf2d_f32: max |log p - mp|: {worst32}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
