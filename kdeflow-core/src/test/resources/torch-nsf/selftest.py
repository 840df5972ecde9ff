"""Self-check of reference_flows.py: python3 reference_flows.py --selftest  (or python3 selftest.py).

Every transform, on bulk points, tails, exactly +-bound and exactly on knots:
  round trips u -> T(u) -> T^-1(T(u)) and y -> T^-1(y) -> T(T^-1(y)) within 1e-10 (relative to max(1, |value|));
  forward and inverse log-determinants summing to 0 within 1e-10;
  log|det| against the autograd Jacobian (torch.autograd.functional.jacobian, slogdet) within 1e-9.
The bases against torch.distributions; a 2-d flow's density integrating to 1; files written, read and refused;
the spline's quadratic root where the discriminant vanishes; the committed reference files against a fresh
computation and against the 40-digit evaluation (mp_reference.py).
Ends with 'N passed, M failed'; exits 1 if any check failed.
"""
import json
import math
import os
import sys
import tempfile

import torch
from torch.autograd.functional import jacobian

import make_reference
import reference_flows as rf
from mp_reference import MPFlow

ROUND_TRIP = 1e-10   # the project's bound for x -> z -> x
LOG_DET = 1e-9       # autograd's Jacobian is exact up to rounding; slogdet of a 5x5 adds a few ulps of log terms
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    if not ok:
        print(f"FAIL {name} {detail}")


def relative(a, b):
    return ((a - b).abs() / torch.clamp(b.abs(), min=1.0)).max().item()


def randomized(module, seed, sigma=0.5):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0.0, sigma)
    return module


# ---------------------------------------------------------------------------------------------------- transforms

def transforms_under_test():
    """(name, transform, whether the density-then-forward round trip is well conditioned).

    The spline's slope g' goes down to about s^2 / delta inside a bin, far below min_height / 1: where g' = 1e-7
    (rq_coupling_sharp) y -> u = g(y) -> g^-1(u) loses 7 digits to the flat g, by conditioning, not by a fault; there
    only u -> g^-1(u) -> u is held to 1e-10. And where s_k >> delta_{k+1} the root's b^2 - 4ac cancels (relative
    error ~ ulp s_k / delta_{k+1}), so g^-1(B) is B only to ~1e-15 and log g' there only to ~1e-10: its forward and
    inverse log-determinants are held to 1e-9.
    """
    f64 = torch.float64

    def rq():
        return rf.RQCoupling([2, 0], [3, 1], [12, 12], 5, 2.5, 1e-3, 1e-3, 1e-3, f64)
    return [
        ("standardize", rf.Standardize([0.5, -1.0, 2.0, 0.0], [0.875, 2.5, 0.1, 1.0], f64), True),
        ("actnorm", randomized(rf.ActNorm(4, f64), 1), True),
        ("permutation", rf.Permutation([2, 0, 3, 1]), True),
        ("lu_linear", randomized(rf.LULinear(4, [3, 1, 0, 2], f64), 2), True),
        ("affine_coupling", randomized(rf.AffineCoupling([1], [0, 3, 2], [10], 1.5, f64), 3, 1.0), True),
        ("rq_coupling", randomized(rq(), 4, 0.3), True),
        ("rq_coupling_sharp", randomized(rq(), 4, 0.7), False),
        ("rq_coupling_1bin", randomized(rf.RQCoupling([0, 1], [2, 3], [6], 1, 1.0, 0.0, 0.0, 0.0, f64), 5), True),
        ("rq_coupling_2bins", randomized(rf.RQCoupling([3], [0, 1, 2], [], 2, 4.0, 0.1, 0.2, 0.05, f64), 6, 1.0),
         True),
    ]


def special_points(t, gen):
    """Bulk, tails, far; for a spline coupling also +-bound and the knots of both directions."""
    bulk = 1.5 * torch.randn(24, 4, generator=gen, dtype=torch.float64)
    points = [bulk, 8.0 * torch.randn(8, 4, generator=gen, dtype=torch.float64),
              torch.tensor([[1e3, -1e3, 500.0, -250.0]], dtype=torch.float64)]
    if isinstance(t, rf.RQCoupling):
        B = t.bound
        for v in (B, -B, math.nextafter(B, 0), math.nextafter(-B, math.inf), math.nextafter(B, math.inf)):
            p = bulk[:2].clone()
            p[:, t.transformed] = v
            points.append(p)
        with torch.no_grad():
            spline = t.spline(t._params(bulk[:4]))
        for knots in (spline.xk, spline.yk):  # [4, |B|, K + 1]
            for k in range(knots.shape[-1]):
                p = bulk[:4].clone()
                p[:, t.transformed] = knots[:, :, k]
                points.append(p)
    return torch.cat(points)


def jacobian_log_det(f, x):
    J = jacobian(lambda v: f(v.unsqueeze(0))[0][0], x)
    return torch.linalg.slogdet(J)[1]


def test_transforms():
    gen = torch.Generator().manual_seed(0)
    for name, t, both_ways in transforms_under_test():
        points = special_points(t, gen)
        with torch.no_grad():
            y, ld_forward = t.forward(points)
            back, ld_back = t.inverse(y)
            u, ld_inverse = t.inverse(points)
            again, ld_again = t.forward(u)
        check(f"{name}: u -> T(u) -> u", relative(back, points) <= ROUND_TRIP, relative(back, points))
        check(f"{name}: forward + inverse log-det = 0",
              (ld_forward + ld_back).abs().max().item() <= (ROUND_TRIP if both_ways else LOG_DET))
        if both_ways:
            check(f"{name}: y -> T^-1(y) -> y", relative(again, points) <= ROUND_TRIP, relative(again, points))
            check(f"{name}: inverse + forward log-det = 0", (ld_inverse + ld_again).abs().max().item() <= ROUND_TRIP)
        check(f"{name}: finite", bool(torch.isfinite(torch.cat([y, u, ld_forward[:, None], ld_inverse[:, None]], 1)).all()))
        worst = 0.0
        for i in range(0, points.shape[0], 3):  # every third point: bulk, tails, far, bound, knots
            worst = max(worst, abs(jacobian_log_det(t.forward, points[i]).item() - ld_forward[i].item()),
                        abs(jacobian_log_det(t.inverse, points[i]).item() - ld_inverse[i].item()))
        check(f"{name}: log|det| = autograd Jacobian's", worst <= LOG_DET, worst)


def test_spline_at_zero_discriminant():
    """delta_1 = 0 (min_derivative 0, softplus underflowing): at the inner knot b^2 - 4ac rounds about 0."""
    h = torch.tensor([[[0.3, -0.2, -0.4, 0.9, -800.0]]], dtype=torch.float64)
    spline = rf.RQSpline(h, 2, 1.0, 0.0, 0.0, 0.0)
    knot = spline.yk[0, 0, 1].item()
    w = torch.tensor([[knot + e for e in (-1e-9, -1e-15, 0.0, 1e-15, 1e-9)]], dtype=torch.float64).T
    w = w.reshape(5, 1)
    s5 = rf.RQSpline(h.expand(5, 1, 5), 2, 1.0, 0.0, 0.0, 0.0)
    v, _ = s5.inverse(w)
    g, _ = s5(v)
    check("spline inverse finite at a zero derivative", bool(torch.isfinite(v).all()), v)
    check("spline inverse at a zero derivative round-trips", (g - w).abs().max().item() <= 1e-12,
          (g - w).abs().max().item())


# ---------------------------------------------------------------------------------------------------- bases, flows

def test_bases():
    d, M = 3, 4
    z = 2.0 * torch.randn(50, d, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    D = torch.distributions
    normal = rf.NormalBase(d, torch.float64)
    want = D.MultivariateNormal(torch.zeros(d, dtype=torch.float64), torch.eye(d, dtype=torch.float64)).log_prob(z)
    check("normal base = torch.distributions", relative(normal.log_prob(z), want) <= 1e-14)
    diag = randomized(rf.DiagNormalBase(d, torch.float64), 7)
    want = D.Independent(D.Normal(diag.loc, diag.log_scale.exp()), 1).log_prob(z)
    check("diag_normal base = torch.distributions", relative(diag.log_prob(z), want) <= 1e-14)
    mix = randomized(rf.MixtureBase(d, M, torch.float64), 8, 1.0)
    want = D.MixtureSameFamily(D.Categorical(logits=mix.logits),
                               D.Independent(D.Normal(mix.loc, mix.log_scale.exp()), 1)).log_prob(z)
    check("mixture base = torch.distributions", relative(mix.log_prob(z), want) <= 1e-13)
    far = torch.full((1, d), 1e4, dtype=torch.float64)
    check("mixture base finite far away (log-sum-exp)", bool(torch.isfinite(mix.log_prob(far)).all()))
    samples = mix.sample(20000, torch.Generator().manual_seed(2))
    weights = torch.softmax(mix.logits, -1)
    check("mixture base samples have the mixture's mean",
          (samples.mean(0) - weights @ mix.loc).abs().max().item() < 0.1)


def test_reference_flows():
    for name in make_reference.MODELS:
        flow = make_reference.build(name)
        gen = torch.Generator().manual_seed(3)
        x = torch.cat([flow.sample(64, gen), 20.0 * torch.randn(16, flow.dim, generator=gen, dtype=torch.float64)])
        with torch.no_grad():
            z, _ = flow.inverse(x)
            x_back, lp_forward = flow.forward_log_prob(z)
            lp = flow.log_prob(x)
        check(f"{name}: x -> z -> x", relative(x_back, x) <= ROUND_TRIP, relative(x_back, x))
        check(f"{name}: log p from the forward pass = log p", relative(lp_forward, lp) <= ROUND_TRIP)
        if flow.dim <= 3:
            worst = 0.0
            for i in range(0, x.shape[0], 8):
                J = jacobian(lambda v: flow.inverse(v.unsqueeze(0))[0][0], x[i])
                want = flow.base.log_prob(z[i:i + 1])[0] + torch.linalg.slogdet(J)[1]
                worst = max(worst, abs(want.item() - lp[i].item()))
            check(f"{name}: log p = log p_base(z) + log|det autograd Jacobian|", worst <= LOG_DET, worst)


def test_normalised():
    """small2d on [-12, 12]^2 (the tails are the identity, so the density there is the base's): trapezoid rule."""
    flow = make_reference.build("small2d")
    t = torch.linspace(-12.0, 12.0, 2401, dtype=torch.float64)
    X, Y = torch.meshgrid(t, t, indexing="ij")
    with torch.no_grad():
        p = flow.log_prob(torch.stack([X.reshape(-1), Y.reshape(-1)], 1)).exp().reshape(2401, 2401)
    mass = torch.trapezoid(torch.trapezoid(p, t), t).item()
    check("small2d integrates to 1", abs(mass - 1.0) < 1e-4, mass)


# ---------------------------------------------------------------------------------------------------- files

def test_files():
    flow = make_reference.build("nsf5d")
    x = torch.randn(30, 5, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    with torch.no_grad():
        lp = flow.log_prob(x)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.safetensors")
        rf.save(flow, path)
        loaded = rf.load(path)
        with torch.no_grad():
            check("F64 file: same log p bits", torch.equal(loaded.log_prob(x), lp))
        check("F64 file: same spec", loaded.spec() == flow.spec())
        from safetensors import safe_open
        with safe_open(path, "pt") as f:
            meta = f.metadata()
            names = set(f.keys())
        check("metadata keys", set(meta) == {"format", "kdeflow.format_version", "kdeflow.model", "kdeflow.spec"}
              and meta["format"] == "pt" and meta["kdeflow.format_version"] == "2" and meta["kdeflow.model"] == "flow",
              meta)
        check("spec is compact JSON", json.dumps(json.loads(meta["kdeflow.spec"]), separators=(",", ":"))
              == meta["kdeflow.spec"])
        check("tensor names", {"transforms.0.net.0.weight", "transforms.0.net.4.bias", "transforms.1.shift",
                               "transforms.3.lower", "transforms.3.log_diag", "base.logits", "base.loc",
                               "base.log_scale"} <= names and not any(n.startswith("transforms.2.") for n in names))
        rf.save(flow, path, torch.float32)
        loaded = rf.load(path)
        rounded = all(torch.equal(loaded.state_dict()[k], v.float().double()) for k, v in flow.state_dict().items())
        check("F32 file: tensors rounded to float", rounded)
        with torch.no_grad():
            check("F32 file: log p close", relative(loaded.log_prob(x), lp) < 1e-4, relative(loaded.log_prob(x), lp))
        from safetensors.torch import save_file
        tensors = {k: v.detach() for k, v in flow.state_dict().items()}
        good = {"format": "pt", "kdeflow.format_version": "2", "kdeflow.model": "flow",
                "kdeflow.spec": rf.spec_json(flow)}
        bad_files = [
            ("newer version", tensors, dict(good, **{"kdeflow.format_version": "3"}), "format_version"),
            ("other model", tensors, dict(good, **{"kdeflow.model": "CouplingFlow"}), "kdeflow.model"),
            ("no spec", tensors, {k: v for k, v in good.items() if k != "kdeflow.spec"}, "kdeflow.spec"),
            ("spec not JSON", tensors, dict(good, **{"kdeflow.spec": "{dim"}), "not JSON"),
            ("missing tensor", {k: v for k, v in tensors.items() if k != "base.loc"}, good, "'base.loc' is missing"),
            ("extra tensor", dict(tensors, **{"transforms.2.shift": torch.zeros(5, dtype=torch.float64)}), good,
             "not in the spec"),
            ("wrong shape", dict(tensors, **{"base.loc": torch.zeros(3, 4, dtype=torch.float64)}), good,
             "shape [3, 5]"),
            ("non-finite", dict(tensors, **{"base.logits": torch.tensor([0.0, math.nan, 1.0],
                                                                         dtype=torch.float64)}), good, "non-finite"),
        ]
        for what, ts, meta, message in bad_files:
            save_file(ts, path, metadata=meta)
            try:
                rf.load(path)
                check(f"refuses a file: {what}", False, "loaded")
            except ValueError as e:
                check(f"refuses a file: {what}", message in str(e), str(e))


def test_bad_specs():
    rq = make_reference.rq([0], [1], [4], 3, 2.0)
    good = {"dim": 2, "base": {"type": "normal"}, "transforms": [rq]}
    cases = [
        ("dim", dict(good, dim=0), "spec.dim"),
        ("unknown base", dict(good, base={"type": "uniform"}), "unknown base"),
        ("unknown key", dict(good, transforms=[dict(rq, bin=3)]), "unknown key 'bin'"),
        ("missing key", dict(good, transforms=[{k: v for k, v in rq.items() if k != "bound"}]), "missing 'bound'"),
        ("overlap", dict(good, transforms=[dict(rq, transformed=[0])]), "must split"),
        ("index", dict(good, transforms=[dict(rq, transformed=[2])]), "must be < dim 2"),
        ("bins", dict(good, transforms=[dict(rq, bins=0)]), "bins"),
        ("min_width", dict(good, transforms=[dict(rq, min_width=0.4)]), "min_width"),
        ("bound", dict(good, transforms=[dict(rq, bound=-1.0)]), "bound"),
        ("perm", dict(good, transforms=[{"type": "permutation", "perm": [0, 0]}]), "repeats"),
        ("scale", dict(good, transforms=[{"type": "standardize", "shift": [0, 0], "scale": [1, 0]}]), "scale[1]"),
        ("clamp", dict(good, transforms=[make_reference.affine([0], [1], [3], clamp=0.0)]), "clamp"),
    ]
    for what, spec, message in cases:
        try:
            rf.Flow(spec)
            check(f"refuses a spec: {what}", False, "built")
        except ValueError as e:
            check(f"refuses a spec: {what}", message in str(e), str(e))


# ---------------------------------------------------------------------------------------------------- committed files

def read_csv(path):
    import csv
    with open(path) as f:
        return list(csv.DictReader(f))


def test_committed_files():
    """The files in this folder: reloaded and recomputed, and agreeing with the 40-digit evaluation."""
    here = os.path.dirname(os.path.abspath(__file__))
    for name in list(make_reference.MODELS) + ["nsf2d_f32"]:
        path = os.path.join(here, f"{name}.safetensors")
        flow = rf.load(path)
        if name in make_reference.MODELS:
            check(f"{name}: file = make_reference's model", all(
                torch.equal(flow.state_dict()[k], v) for k, v in make_reference.build(name).state_dict().items()))
        d = flow.dim
        rows = read_csv(os.path.join(here, f"{name}_log_prob.csv"))
        x = torch.tensor([[float(r[f"x{j}"]) for j in range(d)] for r in rows], dtype=torch.float64)
        want = torch.tensor([float(r["log_prob"]) for r in rows], dtype=torch.float64)
        exact = torch.tensor([float(r["log_prob_mp"]) for r in rows], dtype=torch.float64)
        with torch.no_grad():
            check(f"{name}: log p as committed", relative(flow.log_prob(x), want) <= 1e-12)
        check(f"{name}: committed log p within 1e-12 of the 40-digit value", relative(want, exact) <= 1e-12,
              relative(want, exact))
        mp_flow = MPFlow(flow)
        sample = range(0, len(rows), 25)
        worst = max(abs(float(mp_flow.log_prob(x[i].tolist())) - exact[i].item()) / max(1.0, abs(exact[i].item()))
                    for i in sample)
        check(f"{name}: log_prob_mp recomputed", worst <= 1e-15, worst)
        if name == "nsf2d_f32":
            continue
        rows = read_csv(os.path.join(here, f"{name}_forward.csv"))
        z = torch.tensor([[float(r[f"z{j}"]) for j in range(d)] for r in rows], dtype=torch.float64)
        xs = torch.tensor([[float(r[f"x{j}"]) for j in range(d)] for r in rows], dtype=torch.float64)
        lp = torch.tensor([float(r["log_prob"]) for r in rows], dtype=torch.float64)
        exact = torch.tensor([float(r["log_prob_mp"]) for r in rows], dtype=torch.float64)
        with torch.no_grad():
            x_now, lp_now = flow.forward_log_prob(z)
            z_back, _ = flow.inverse(xs)
        check(f"{name}: forward x as committed", relative(x_now, xs) <= 1e-12)
        check(f"{name}: forward log p as committed", relative(lp_now, lp) <= 1e-12)
        check(f"{name}: forward log p within 1e-12 of the 40-digit value", relative(lp, exact) <= 1e-12,
              relative(lp, exact))
        far = torch.tensor([r["kind"] == "far" for r in rows])
        check(f"{name}: committed x maps back to z", relative(z_back[~far], z[~far]) <= ROUND_TRIP,
              relative(z_back[~far], z[~far]))
        # |z| = 1e3 drives the conditioners to extreme splines (g' up to ~1e4 in nsf5d): a looser, measured bound
        check(f"{name}: committed far x maps back to z", relative(z_back[far], z[far]) <= 1e-8,
              relative(z_back[far], z[far]))


def main():
    torch.set_num_threads(1)
    for test in (test_transforms, test_spline_at_zero_discriminant, test_bases, test_reference_flows,
                 test_normalised, test_files, test_bad_specs, test_committed_files):
        before = results["failed"]
        test()
        print(f"{test.__name__}: {'ok' if results['failed'] == before else 'FAILED'}")
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
