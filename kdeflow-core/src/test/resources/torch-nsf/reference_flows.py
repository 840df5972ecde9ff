"""An independent PyTorch implementation of kdeflow's version-2 flow files, written from the specification.

A flow is a base density and transforms [T_1, ..., T_K]; a sample is x = T_K(...T_1(z)), z ~ base, and

    log p(x) = log p_base(z) + sum_k log|det dT_k^-1/du_k|,   u_K = x,  u_{k-1} = T_k^-1(u_k),  z = u_0.

Every transform here has forward(u) -> (y, log|det dy/du|) and inverse(y) -> (u, log|det du/dy|), per row of a batch
[n, d]. The rational-quadratic spline is Durkan, Bekasov, Murray & Papamakarios (2019), "Neural Spline Flows",
eqs. 4-8 (the spline and its derivative) and appendix A (its inverse as the root of a quadratic); the LU-linear and
ActNorm layers are those of Kingma & Dhariwal (2018), "Glow", section 3; the affine coupling is Dinh, Sohl-Dickstein
& Bengio (2017), "Density estimation using Real NVP", eqs. 6-9, with its log-scale bounded by c*tanh(s/c).

The file: safetensors, tensors named as this module's state_dict() (`transforms.{k}.…`, `base.…`), and
`__metadata__` = {format: pt, kdeflow.format_version: 2, kdeflow.model: flow, kdeflow.spec: compact JSON}.

    flow = Flow(spec)                 # spec: {"dim": d, "base": {...}, "transforms": [{...}, ...]}
    flow = load("model.safetensors")  # float64 by default, whatever the file's dtype (F32 or F64)
    logp = flow.log_prob(x)           # x: [n, d] float64 tensor
    x = flow.sample(n, generator)     # forward direction, the spline inverted by its quadratic root
    save(flow, "copy.safetensors")    # F64; save(flow, path, torch.float32) for F32

Self-check (round trips, log-determinants against autograd Jacobians, files, high-precision log p):

    python3 reference_flows.py --selftest
"""
import json
import math
import sys

import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import load_file, save_file

FORMAT_VERSION = "2"
MODEL = "flow"
LEAKY_SLOPE = 0.01
LOG_2PI = math.log(2.0 * math.pi)


# ----------------------------------------------------------------------------------------------------------------
# specification checks: one ValueError naming the field and the value

def _fail(where, message):
    raise ValueError(f"{where}: {message}")


def _keys(entry, where, required):
    if not isinstance(entry, dict):
        _fail(where, f"must be a JSON object, found {entry!r}")
    missing = [k for k in required if k not in entry]
    extra = sorted(set(entry) - set(required))
    if missing:
        _fail(where, f"missing {missing[0]!r}")
    if extra:
        _fail(where, f"unknown key {extra[0]!r}")


def _int(value, where, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        _fail(where, f"must be an integer >= {low}, found {value!r}")
    return value


def _real(value, where, positive=False, nonnegative=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(where, f"must be a finite number, found {value!r}")
    if positive and not value > 0:
        _fail(where, f"must be > 0, found {value!r}")
    if nonnegative and not value >= 0:
        _fail(where, f"must be >= 0, found {value!r}")
    return float(value)


def _reals(value, where, d, positive=False):
    if not isinstance(value, list) or len(value) != d:
        _fail(where, f"must be a list of {d} numbers, found {value!r}")
    return [_real(v, f"{where}[{j}]", positive=positive) for j, v in enumerate(value)]


def _indices(value, where, d):
    if not isinstance(value, list) or not value:
        _fail(where, f"must be a non-empty list of indices, found {value!r}")
    for j, i in enumerate(value):
        _int(i, f"{where}[{j}]", 0)
        if i >= d:
            _fail(f"{where}[{j}]", f"must be < dim {d}, found {i}")
    if len(set(value)) != len(value):
        _fail(where, f"repeats an index: {value!r}")
    return list(value)


def _permutation(value, where, d):
    perm = _indices(value, where, d)
    if len(perm) != d:
        _fail(where, f"must be a permutation of 0..{d - 1}, found {value!r}")
    return perm


# ----------------------------------------------------------------------------------------------------------------
# numerics

def softplus(x):
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x, full precision for very negative x."""
    return torch.clamp(x, min=0) + torch.log1p(torch.exp(-torch.abs(x)))


def log_normal(z, loc, log_scale):
    """log N(z; loc, exp(log_scale)^2) elementwise: -((z - loc) / sigma)^2 / 2 - log sigma - log(2 pi) / 2."""
    r = (z - loc) * torch.exp(-log_scale)
    return -0.5 * r * r - log_scale - 0.5 * LOG_2PI


def conditioner(n_in, hidden, n_out, dtype):
    """nn.Sequential(Linear, LeakyReLU(0.01), ..., Linear): tensors net.{2l}.weight [out, in], net.{2l}.bias."""
    sizes = [n_in] + list(hidden) + [n_out]
    layers = []
    for l in range(len(sizes) - 1):
        if l > 0:
            layers.append(nn.LeakyReLU(LEAKY_SLOPE))
        layers.append(nn.Linear(sizes[l], sizes[l + 1], dtype=dtype))
    return nn.Sequential(*layers)


# ----------------------------------------------------------------------------------------------------------------
# bases: log_prob(z) [n], sample(n, generator) [n, d]

class NormalBase(nn.Module):
    """N(0, I_d): log p(z) = -|z|^2 / 2 - (d/2) log(2 pi)."""

    def __init__(self, d, dtype):
        super().__init__()
        self.d, self.dtype = d, dtype

    def spec(self):
        return {"type": "normal"}

    def log_prob(self, z):
        return -0.5 * (z * z).sum(-1) - 0.5 * self.d * LOG_2PI

    def sample(self, n, generator=None):
        return torch.randn(n, self.d, generator=generator, dtype=self.dtype)


class DiagNormalBase(nn.Module):
    """N(loc, diag(exp(2 log_scale))), tensors base.loc [d], base.log_scale [d]."""

    def __init__(self, d, dtype):
        super().__init__()
        self.loc = nn.Parameter(torch.zeros(d, dtype=dtype))
        self.log_scale = nn.Parameter(torch.zeros(d, dtype=dtype))

    def spec(self):
        return {"type": "diag_normal"}

    def log_prob(self, z):
        return log_normal(z, self.loc, self.log_scale).sum(-1)

    def sample(self, n, generator=None):
        eps = torch.randn(n, self.loc.shape[0], generator=generator, dtype=self.loc.dtype)
        return self.loc + torch.exp(self.log_scale) * eps


class MixtureBase(nn.Module):
    """p(z) = sum_m softmax(logits)_m prod_j N(z_j; loc_mj, exp(log_scale_mj)^2), by log-sum-exp over m."""

    def __init__(self, d, components, dtype):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(components, dtype=dtype))
        self.loc = nn.Parameter(torch.zeros(components, d, dtype=dtype))
        self.log_scale = nn.Parameter(torch.zeros(components, d, dtype=dtype))

    def spec(self):
        return {"type": "mixture", "components": self.logits.shape[0]}

    def log_prob(self, z):
        per_component = log_normal(z.unsqueeze(-2), self.loc, self.log_scale).sum(-1)  # [n, M]
        return torch.logsumexp(torch.log_softmax(self.logits, -1) + per_component, -1)

    def sample(self, n, generator=None):
        m = torch.multinomial(torch.softmax(self.logits, -1), n, replacement=True, generator=generator)
        eps = torch.randn(n, self.loc.shape[1], generator=generator, dtype=self.loc.dtype)
        return self.loc[m] + torch.exp(self.log_scale[m]) * eps


def make_base(entry, d, dtype):
    where = "base"
    if not isinstance(entry, dict) or "type" not in entry:
        _fail(where, f"must be an object with a 'type', found {entry!r}")
    kind = entry["type"]
    if kind == "normal":
        _keys(entry, where, ["type"])
        return NormalBase(d, dtype)
    if kind == "diag_normal":
        _keys(entry, where, ["type"])
        return DiagNormalBase(d, dtype)
    if kind == "mixture":
        _keys(entry, where, ["type", "components"])
        return MixtureBase(d, _int(entry["components"], f"{where}.components", 1), dtype)
    _fail(f"{where}.type", f"unknown base {kind!r} (normal, diag_normal, mixture)")


# ----------------------------------------------------------------------------------------------------------------
# transforms: forward(u) -> (y, log|det dy/du|), inverse(y) -> (u, log|det du/dy|), rows of [n, d]

class Standardize(nn.Module):
    """y = shift + scale * u; u = (y - shift) / scale; log|det dT^-1/dy| = -sum_j log scale_j (scale > 0)."""

    def __init__(self, shift, scale, dtype):
        super().__init__()
        self.register_buffer("shift", torch.tensor(shift, dtype=dtype), persistent=False)
        self.register_buffer("scale", torch.tensor(scale, dtype=dtype), persistent=False)
        self._shift, self._scale = list(shift), list(scale)

    def spec(self):
        return {"type": "standardize", "shift": self._shift, "scale": self._scale}

    def _log_det(self, y):
        return (-torch.log(self.scale).sum()).expand(y.shape[0])

    def forward(self, u):
        return self.shift + self.scale * u, -self._log_det(u)

    def inverse(self, y):
        return (y - self.shift) / self.scale, self._log_det(y)


class ActNorm(nn.Module):
    """y = u * exp(log_scale) + shift; u = (y - shift) * exp(-log_scale); log|det dT^-1/dy| = -sum log_scale."""

    def __init__(self, d, dtype):
        super().__init__()
        self.shift = nn.Parameter(torch.zeros(d, dtype=dtype))
        self.log_scale = nn.Parameter(torch.zeros(d, dtype=dtype))

    def spec(self):
        return {"type": "actnorm"}

    def forward(self, u):
        return u * torch.exp(self.log_scale) + self.shift, self.log_scale.sum().expand(u.shape[0])

    def inverse(self, y):
        return (y - self.shift) * torch.exp(-self.log_scale), (-self.log_scale.sum()).expand(y.shape[0])


class Permutation(nn.Module):
    """y_j = u_perm[j]; u_perm[j] = y_j; log-det 0."""

    def __init__(self, perm):
        super().__init__()
        self.perm = list(perm)
        self.register_buffer("_perm", torch.tensor(perm), persistent=False)
        self.register_buffer("_inv", torch.argsort(torch.tensor(perm)), persistent=False)

    def spec(self):
        return {"type": "permutation", "perm": self.perm}

    def forward(self, u):
        return u[:, self._perm], u.new_zeros(u.shape[0])

    def inverse(self, y):
        return y[:, self._inv], y.new_zeros(y.shape[0])


class LULinear(nn.Module):
    """y = P L U u + bias, L = I + strict_lower(lower), U = strict_upper(upper) + diag(exp(log_diag)), (Pv)_j = v_perm[j].

    Inverse: v_perm[j] = (y - bias)_j, then L w = v by forward and U u = w by back substitution;
    log|det dT^-1/dy| = -sum log_diag (Glow, section 3.2, LU-decomposed 1x1 convolution).
    """

    def __init__(self, d, perm, dtype):
        super().__init__()
        self.perm = list(perm)
        self.register_buffer("_perm", torch.tensor(perm), persistent=False)
        self.register_buffer("_inv", torch.argsort(torch.tensor(perm)), persistent=False)
        self.lower = nn.Parameter(torch.zeros(d, d, dtype=dtype))
        self.upper = nn.Parameter(torch.zeros(d, d, dtype=dtype))
        self.log_diag = nn.Parameter(torch.zeros(d, dtype=dtype))
        self.bias = nn.Parameter(torch.zeros(d, dtype=dtype))

    def spec(self):
        return {"type": "lu_linear", "perm": self.perm}

    def factors(self):
        eye = torch.eye(self.log_diag.shape[0], dtype=self.log_diag.dtype)
        lower = eye + torch.tril(self.lower, -1)
        upper = torch.triu(self.upper, 1) + torch.diag(torch.exp(self.log_diag))
        return lower, upper

    def forward(self, u):
        lower, upper = self.factors()
        v = (u @ upper.T) @ lower.T  # rows: L (U u)
        return v[:, self._perm] + self.bias, self.log_diag.sum().expand(u.shape[0])

    def inverse(self, y):
        lower, upper = self.factors()
        v = (y - self.bias)[:, self._inv]
        w = torch.linalg.solve_triangular(lower, v.T, upper=False, unitriangular=True)
        u = torch.linalg.solve_triangular(upper, w, upper=True).T
        return u, (-self.log_diag.sum()).expand(y.shape[0])


class Coupling(nn.Module):
    """h = net(u_A), block q of h (P numbers) parameterises coordinate B[q]; u_A passes unchanged."""

    def __init__(self, identity, transformed, hidden, per_coordinate, dtype):
        super().__init__()
        self.identity, self.transformed, self.hidden = list(identity), list(transformed), list(hidden)
        self.P = per_coordinate
        self.net = conditioner(len(identity), hidden, len(transformed) * per_coordinate, dtype)
        self.register_buffer("_a", torch.tensor(identity), persistent=False)
        self.register_buffer("_b", torch.tensor(transformed), persistent=False)

    def _params(self, x):
        h = self.net(x[:, self._a])
        return h.reshape(x.shape[0], len(self.transformed), self.P)

    def _assemble(self, x, values_b):
        out = x.clone()
        out[:, self._b] = values_b
        return out

    def forward(self, u):
        y_b, log_det = self.forward_b(u[:, self._b], self._params(u))
        return self._assemble(u, y_b), log_det

    def inverse(self, y):
        u_b, log_det = self.inverse_b(y[:, self._b], self._params(y))
        return self._assemble(y, u_b), log_det


class AffineCoupling(Coupling):
    """s = c tanh(s~/c), t from h; y_B = u_B exp(s) + t; u_B = (y_B - t) exp(-s); log|det dT^-1/dy| = -sum_q s_q."""

    def __init__(self, identity, transformed, hidden, clamp, dtype):
        super().__init__(identity, transformed, hidden, 2, dtype)
        self.clamp = clamp

    def spec(self):
        return {"type": "affine_coupling", "identity": self.identity, "transformed": self.transformed,
                "hidden": self.hidden, "clamp": self.clamp}

    def _scale_shift(self, h):
        return self.clamp * torch.tanh(h[..., 0] / self.clamp), h[..., 1]

    def forward_b(self, u_b, h):
        s, t = self._scale_shift(h)
        return u_b * torch.exp(s) + t, s.sum(-1)

    def inverse_b(self, y_b, h):
        s, t = self._scale_shift(h)
        return (y_b - t) * torch.exp(-s), -s.sum(-1)


def spline_knots(unnormalized, minimum, bound):
    """Knots of a monotone spline on [-B, B]: w = m + (1 - m K) softmax(a); k_0 = -B, k_i = -B + 2B sum_{j<i} w_j, k_K = B.

    unnormalized [..., K] -> knots [..., K + 1], the end knots exactly -B and B.
    """
    K = unnormalized.shape[-1]
    w = minimum + (1.0 - minimum * K) * torch.softmax(unnormalized, -1)
    inner = -bound + 2.0 * bound * torch.cumsum(w, -1)[..., :-1]
    ends = torch.full_like(unnormalized[..., :1], bound)
    return torch.cat([-ends, inner, ends], -1)


def _bin(knots, v):
    """The largest k <= K-1 with knots_k <= v, for v in [knots_0, knots_K] (shape [..., 1])."""
    K = knots.shape[-1] - 1
    k = torch.searchsorted(knots.contiguous(), v.contiguous(), right=True) - 1
    return k.clamp(0, K - 1)


def _log_slope(s, d0, d1, xi):
    """log g' = log[s^2 (d1 xi^2 + 2 s xi(1-xi) + d0 (1-xi)^2)] - 2 log[s + (d1 + d0 - 2s) xi(1-xi)] (NSF eq. 5)."""
    theta = xi * (1 - xi)
    numerator = d1 * xi * xi + 2 * s * theta + d0 * (1 - xi) * (1 - xi)
    denominator = s + (d1 + d0 - 2 * s) * theta
    return 2 * torch.log(s) + torch.log(numerator) - 2 * torch.log(denominator)


class RQSpline:
    """The rational-quadratic spline g of one batch of coordinates: knots (x_k, y_k), derivatives delta_k.

    h [..., 3K-1] = [a_0..a_{K-1} (widths), b_0..b_{K-1} (heights), c_1..c_{K-1} (inner derivatives)];
    delta_0 = delta_K = 1, delta_k = md + softplus(c_k). g is the identity outside [-B, B].
    """

    def __init__(self, h, bins, bound, min_width, min_height, min_derivative):
        K = bins
        self.bound = bound
        self.xk = spline_knots(h[..., :K], min_width, bound)
        self.yk = spline_knots(h[..., K:2 * K], min_height, bound)
        one = torch.ones_like(h[..., :1])
        self.delta = torch.cat([one, min_derivative + softplus(h[..., 2 * K:]), one], -1)

    def _bin_values(self, k):
        def at(t):
            return t.gather(-1, k), t.gather(-1, k + 1)
        (x0, x1), (y0, y1), (d0, d1) = at(self.xk), at(self.yk), at(self.delta)
        return x0, x1 - x0, y0, y1 - y0, d0, d1

    def _inside(self, v):
        return (v >= -self.bound) & (v <= self.bound)

    def __call__(self, v):
        """u = g(v), log g'(v) (NSF eqs. 4-5): xi = (v - x_k)/W_k, s_k = H_k/W_k,
        g = y_k + H_k (s_k xi^2 + delta_k xi(1-xi)) / (s_k + (delta_{k+1} + delta_k - 2 s_k) xi(1-xi))."""
        v = v.unsqueeze(-1)
        inside = self._inside(v)
        vc = v.clamp(-self.bound, self.bound)  # keeps the unused branch finite (and its gradient)
        x0, W, y0, H, d0, d1 = self._bin_values(_bin(self.xk, vc))
        s = H / W
        xi = (vc - x0) / W
        theta = xi * (1 - xi)
        g = y0 + H * (s * xi * xi + d0 * theta) / (s + (d1 + d0 - 2 * s) * theta)
        log_slope = _log_slope(s, d0, d1, xi)
        u = torch.where(inside, g, v)
        return u.squeeze(-1), torch.where(inside, log_slope, torch.zeros_like(log_slope)).squeeze(-1)

    def inverse(self, w):
        """v = g^-1(w), log g'(v) (NSF appendix A): with a = H_k (s_k - delta_k) + (w - y_k) D,
        b = H_k delta_k - (w - y_k) D, c = -s_k (w - y_k), D = delta_{k+1} + delta_k - 2 s_k:
        xi = 2c / (-b - sqrt(b^2 - 4ac)) (the root in [0, 1], without cancellation; discriminant clamped at 0;
        xi = 0 where w = y_k and delta_k = 0 make that 0/0)."""
        w = w.unsqueeze(-1)
        inside = self._inside(w)
        wc = w.clamp(-self.bound, self.bound)
        x0, W, y0, H, d0, d1 = self._bin_values(_bin(self.yk, wc))
        s = H / W
        dw = wc - y0
        D = d1 + d0 - 2 * s
        a = H * (s - d0) + dw * D
        b = H * d0 - dw * D
        c = -s * dw
        disc = torch.clamp(b * b - 4 * a * c, min=0)
        root = -b - torch.sqrt(disc)
        # root = 0 only where w = y_k and delta_k = 0 (min_derivative 0, softplus underflowing): there c = 0 and
        # 2c / root is 0/0, while the root of the quadratic is xi = 0; any non-zero divisor gives that
        xi = 2 * c / torch.where(root == 0, -torch.ones_like(root), root)
        v = x0 + xi * W
        log_slope = _log_slope(s, d0, d1, xi)
        out = torch.where(inside, v, w)
        return out.squeeze(-1), torch.where(inside, log_slope, torch.zeros_like(log_slope)).squeeze(-1)


class RQCoupling(Coupling):
    """Rational-quadratic spline coupling: u_B = g(y_B) (density direction), y_B = g^-1(u_B) (forward);
    log|det dT^-1/dy| = sum_q log g'(y_B[q])."""

    def __init__(self, identity, transformed, hidden, bins, bound, min_width, min_height, min_derivative, dtype):
        super().__init__(identity, transformed, hidden, 3 * bins - 1, dtype)
        self.bins, self.bound = bins, bound
        self.min_width, self.min_height, self.min_derivative = min_width, min_height, min_derivative

    def spec(self):
        return {"type": "rq_coupling", "identity": self.identity, "transformed": self.transformed,
                "hidden": self.hidden, "bins": self.bins, "bound": self.bound, "min_width": self.min_width,
                "min_height": self.min_height, "min_derivative": self.min_derivative}

    def spline(self, h):
        return RQSpline(h, self.bins, self.bound, self.min_width, self.min_height, self.min_derivative)

    def forward_b(self, u_b, h):
        y_b, log_slope = self.spline(h).inverse(u_b)
        return y_b, -log_slope.sum(-1)

    def inverse_b(self, y_b, h):
        u_b, log_slope = self.spline(h)(y_b)
        return u_b, log_slope.sum(-1)


def _coupling_sets(entry, where, d):
    identity = _indices(entry["identity"], f"{where}.identity", d)
    transformed = _indices(entry["transformed"], f"{where}.transformed", d)
    if set(identity) & set(transformed) or len(identity) + len(transformed) != d:
        _fail(where, f"identity {identity} and transformed {transformed} must split 0..{d - 1}")
    hidden = entry["hidden"]
    if not isinstance(hidden, list):
        _fail(f"{where}.hidden", f"must be a list of layer widths, found {hidden!r}")
    hidden = [_int(n, f"{where}.hidden[{l}]", 1) for l, n in enumerate(hidden)]
    return identity, transformed, hidden


def make_transform(entry, k, d, dtype):
    where = f"transforms[{k}]"
    if not isinstance(entry, dict) or "type" not in entry:
        _fail(where, f"must be an object with a 'type', found {entry!r}")
    kind = entry["type"]
    if kind == "standardize":
        _keys(entry, where, ["type", "shift", "scale"])
        return Standardize(_reals(entry["shift"], f"{where}.shift", d),
                           _reals(entry["scale"], f"{where}.scale", d, positive=True), dtype)
    if kind == "actnorm":
        _keys(entry, where, ["type"])
        return ActNorm(d, dtype)
    if kind == "permutation":
        _keys(entry, where, ["type", "perm"])
        return Permutation(_permutation(entry["perm"], f"{where}.perm", d))
    if kind == "lu_linear":
        _keys(entry, where, ["type", "perm"])
        return LULinear(d, _permutation(entry["perm"], f"{where}.perm", d), dtype)
    if kind == "affine_coupling":
        _keys(entry, where, ["type", "identity", "transformed", "hidden", "clamp"])
        identity, transformed, hidden = _coupling_sets(entry, where, d)
        return AffineCoupling(identity, transformed, hidden, _real(entry["clamp"], f"{where}.clamp", positive=True),
                              dtype)
    if kind == "rq_coupling":
        _keys(entry, where, ["type", "identity", "transformed", "hidden", "bins", "bound", "min_width",
                             "min_height", "min_derivative"])
        identity, transformed, hidden = _coupling_sets(entry, where, d)
        bins = _int(entry["bins"], f"{where}.bins", 1)
        bound = _real(entry["bound"], f"{where}.bound", positive=True)
        mins = []
        for key in ("min_width", "min_height"):
            m = _real(entry[key], f"{where}.{key}", nonnegative=True)
            if not m * bins < 1:
                _fail(f"{where}.{key}", f"times bins {bins} must be < 1, found {m!r}")
            mins.append(m)
        md = _real(entry["min_derivative"], f"{where}.min_derivative", nonnegative=True)
        return RQCoupling(identity, transformed, hidden, bins, bound, mins[0], mins[1], md, dtype)
    _fail(f"{where}.type", f"unknown transform {kind!r} (standardize, actnorm, permutation, lu_linear, "
                           "affine_coupling, rq_coupling)")


# ----------------------------------------------------------------------------------------------------------------
# the flow

class Flow(nn.Module):
    """base + [T_1 ... T_K], built from a spec dict; state_dict() names are the file's tensor names."""

    def __init__(self, spec, dtype=torch.float64):
        super().__init__()
        _keys(spec, "spec", ["dim", "base", "transforms"])
        d = _int(spec["dim"], "spec.dim", 1)
        if not isinstance(spec["transforms"], list):
            _fail("spec.transforms", f"must be a list, found {spec['transforms']!r}")
        self.dim = d
        self.base = make_base(spec["base"], d, dtype)
        self.transforms = nn.ModuleList([make_transform(t, k, d, dtype) for k, t in enumerate(spec["transforms"])])

    def spec(self):
        return {"dim": self.dim, "base": self.base.spec(), "transforms": [t.spec() for t in self.transforms]}

    def _check(self, x):
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"points must be [n, {self.dim}], found {list(x.shape)}")

    def inverse(self, x):
        """z = T_1^-1(...T_K^-1(x)) and sum_k log|det dT_k^-1/du_k| per row."""
        self._check(x)
        log_det = x.new_zeros(x.shape[0])
        for t in reversed(self.transforms):
            x, ld = t.inverse(x)
            log_det = log_det + ld
        return x, log_det

    def forward(self, z):
        """x = T_K(...T_1(z)) and sum_k log|det dT_k/du| per row."""
        self._check(z)
        log_det = z.new_zeros(z.shape[0])
        for t in self.transforms:
            z, ld = t.forward(z)
            log_det = log_det + ld
        return z, log_det

    def log_prob(self, x):
        z, log_det = self.inverse(x)
        return self.base.log_prob(z) + log_det

    def forward_log_prob(self, z):
        """x = T(z) and log p(x) = log p_base(z) - sum_k log|det dT_k/du| (the sampling direction's log p)."""
        x, log_det = self.forward(z)
        return x, self.base.log_prob(z) - log_det

    def sample(self, n, generator=None):
        return self.forward(self.base.sample(n, generator))[0]


# ----------------------------------------------------------------------------------------------------------------
# files

def spec_json(flow):
    return json.dumps(flow.spec(), separators=(",", ":"), allow_nan=False)


def save(flow, path, dtype=torch.float64):
    """Writes the flow's tensors (F64, or F32 for dtype=torch.float32) and the metadata of format version 2."""
    tensors = {name: t.detach().to(dtype).contiguous() for name, t in flow.state_dict().items()}
    metadata = {"format": "pt", "kdeflow.format_version": FORMAT_VERSION, "kdeflow.model": MODEL,
                "kdeflow.spec": spec_json(flow)}
    save_file(tensors, str(path), metadata=metadata)


def load(path, dtype=torch.float64):
    """Reads a version-2 flow file into a Flow of the given dtype (F32 tensors are widened exactly)."""
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata() or {}
    for key, want in (("kdeflow.format_version", FORMAT_VERSION), ("kdeflow.model", MODEL)):
        if metadata.get(key) != want:
            raise ValueError(f"{path}: metadata {key!r} must be {want!r}, found {metadata.get(key)!r}")
    if "kdeflow.spec" not in metadata:
        raise ValueError(f"{path}: metadata has no 'kdeflow.spec'")
    try:
        spec = json.loads(metadata["kdeflow.spec"])
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: 'kdeflow.spec' is not JSON: {e}") from None
    flow = Flow(spec, dtype)
    tensors = load_file(str(path))
    expected = flow.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise ValueError(f"{path}: tensor {(missing or extra)[0]!r} is {'missing' if missing else 'not in the spec'}")
    for name, t in tensors.items():
        if t.dtype not in (torch.float32, torch.float64):
            raise ValueError(f"{path}: tensor {name!r} must be F32 or F64, found {t.dtype}")
        if tuple(t.shape) != tuple(expected[name].shape):
            raise ValueError(f"{path}: tensor {name!r} must have shape {list(expected[name].shape)}, "
                             f"found {list(t.shape)}")
        if not torch.isfinite(t).all():
            raise ValueError(f"{path}: tensor {name!r} holds a non-finite value")
    flow.load_state_dict({name: t.to(dtype) for name, t in tensors.items()})
    return flow


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        import selftest
        sys.exit(selftest.main())
    print(__doc__)
    sys.exit(2)
