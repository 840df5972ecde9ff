"""log p(x) and x = T(z) of a version-2 flow in 40-digit arithmetic (mpmath), one point at a time.

A second evaluation of the same formulas, written apart from reference_flows.py: scalar loops instead of batched
tensors, a linear scan for the spline's bin, and the forward direction of the spline found by bisection on g instead
of the quadratic root. It reads a Flow's spec() and float64 tensors, so its result is (to ~1e-35) the exact value of
the file's model at the float64 input: the distance of a float64 evaluation from it is that evaluation's rounding.

    mpf = MPFlow(flow)
    mpf.log_prob([x0, x1, ...])      # mpmath number
    mpf.forward([z0, z1, ...])       # (x as mpmath numbers, log p(x))
"""
from mpmath import mp, mpf

DIGITS = 40


class MPFlow:
    def __init__(self, flow):
        self.spec = flow.spec()
        self.tensors = {name: t.detach().double().tolist() for name, t in flow.state_dict().items()}

    def _t(self, name):
        def convert(v):
            return [convert(e) for e in v] if isinstance(v, list) else mpf(v)
        return convert(self.tensors[name])

    # ------------------------------------------------------------------ pieces
    def _net(self, prefix, inputs):
        h = list(inputs)
        layers = sorted({int(n[len(prefix):].split(".")[0]) for n in self.tensors if n.startswith(prefix)})
        for i, l in enumerate(layers):
            if i > 0:
                h = [v if v >= 0 else mpf("0.01") * v for v in h]
            W, b = self._t(f"{prefix}{l}.weight"), self._t(f"{prefix}{l}.bias")
            h = [b[o] + sum(W[o][j] * h[j] for j in range(len(h))) for o in range(len(b))]
        return h

    @staticmethod
    def _knots(a, minimum, bound):
        K = len(a)
        top = max(a)
        e = [mp.exp(v - top) for v in a]
        total = sum(e)
        w = [minimum + (1 - minimum * K) * v / total for v in e]
        knots = [-bound]
        for k in range(1, K):
            knots.append(-bound + 2 * bound * sum(w[:k]))
        knots.append(bound)
        return knots

    def _spline(self, entry, h):
        K, B = entry["bins"], mpf(entry["bound"])
        xs = self._knots(h[:K], mpf(entry["min_width"]), B)
        ys = self._knots(h[K:2 * K], mpf(entry["min_height"]), B)
        ds = [mpf(1)] + [mpf(entry["min_derivative"]) + mp.log(1 + mp.exp(c)) for c in h[2 * K:]] + [mpf(1)]
        return xs, ys, ds, B

    @staticmethod
    def _g(spline, v):
        """(g(v), g'(v)), NSF eqs. 4-5; identity outside [-B, B]."""
        xs, ys, ds, B = spline
        if v < -B or v > B:
            return v, mpf(1)
        K = len(xs) - 1
        k = max(i for i in range(K) if xs[i] <= v)
        W, H = xs[k + 1] - xs[k], ys[k + 1] - ys[k]
        s = H / W
        xi = (v - xs[k]) / W
        den = s + (ds[k + 1] + ds[k] - 2 * s) * xi * (1 - xi)
        g = ys[k] + H * (s * xi ** 2 + ds[k] * xi * (1 - xi)) / den
        dg = s ** 2 * (ds[k + 1] * xi ** 2 + 2 * s * xi * (1 - xi) + ds[k] * (1 - xi) ** 2) / den ** 2
        return g, dg

    def _g_inverse(self, spline, w):
        """v with g(v) = w by bisection on [-B, B] (g is increasing), to the working precision."""
        B = spline[3]
        if w < -B or w > B:
            return w
        lo, hi = -B, B
        for _ in range(4 * DIGITS):
            mid = (lo + hi) / 2
            if self._g(spline, mid)[0] < w:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    @staticmethod
    def _log_normal(z, loc, log_scale):
        r = (z - loc) / mp.exp(log_scale)
        return -r ** 2 / 2 - log_scale - mp.log(2 * mp.pi) / 2

    def _base_log_prob(self, z):
        base = self.spec["base"]
        d = len(z)
        if base["type"] == "normal":
            return sum(self._log_normal(v, 0, 0) for v in z)
        if base["type"] == "diag_normal":
            loc, ls = self._t("base.loc"), self._t("base.log_scale")
            return sum(self._log_normal(z[j], loc[j], ls[j]) for j in range(d))
        logits, loc, ls = self._t("base.logits"), self._t("base.loc"), self._t("base.log_scale")
        log_norm = mp.log(sum(mp.exp(a) for a in logits))
        terms = [logits[m] - log_norm + sum(self._log_normal(z[j], loc[m][j], ls[m][j]) for j in range(d))
                 for m in range(len(logits))]
        return mp.log(sum(mp.exp(t) for t in terms))

    def _lu(self, k):
        p = f"transforms.{k}."
        lower, upper = self._t(p + "lower"), self._t(p + "upper")
        log_diag, bias = self._t(p + "log_diag"), self._t(p + "bias")
        d = len(bias)
        L = [[mpf(1) if i == j else (lower[i][j] if j < i else mpf(0)) for j in range(d)] for i in range(d)]
        U = [[mp.exp(log_diag[i]) if i == j else (upper[i][j] if j > i else mpf(0)) for j in range(d)]
             for i in range(d)]
        return L, U, log_diag, bias

    # ------------------------------------------------------------------ one transform, one direction
    def _inverse(self, k, entry, y):
        """(u = T^-1(y), log|det du/dy|)."""
        p, d, kind = f"transforms.{k}.", len(y), entry["type"]
        if kind == "standardize":
            shift, scale = [mpf(v) for v in entry["shift"]], [mpf(v) for v in entry["scale"]]
            return [(y[j] - shift[j]) / scale[j] for j in range(d)], -sum(mp.log(s) for s in scale)
        if kind == "actnorm":
            shift, ls = self._t(p + "shift"), self._t(p + "log_scale")
            return [(y[j] - shift[j]) * mp.exp(-ls[j]) for j in range(d)], -sum(ls)
        if kind == "permutation":
            u = [None] * d
            for j, i in enumerate(entry["perm"]):
                u[i] = y[j]
            return u, mpf(0)
        if kind == "lu_linear":
            L, U, log_diag, bias = self._lu(k)
            v = [None] * d
            for j, i in enumerate(entry["perm"]):
                v[i] = y[j] - bias[j]
            w = []
            for i in range(d):
                w.append(v[i] - sum(L[i][j] * w[j] for j in range(i)))
            u = [mpf(0)] * d
            for i in reversed(range(d)):
                u[i] = (w[i] - sum(U[i][j] * u[j] for j in range(i + 1, d))) / U[i][i]
            return u, -sum(log_diag)
        return self._coupling(k, entry, y, inverse=True)

    def _forward(self, k, entry, u):
        """(y = T(u), log|det dy/du|)."""
        p, d, kind = f"transforms.{k}.", len(u), entry["type"]
        if kind == "standardize":
            shift, scale = [mpf(v) for v in entry["shift"]], [mpf(v) for v in entry["scale"]]
            return [shift[j] + scale[j] * u[j] for j in range(d)], sum(mp.log(s) for s in scale)
        if kind == "actnorm":
            shift, ls = self._t(p + "shift"), self._t(p + "log_scale")
            return [u[j] * mp.exp(ls[j]) + shift[j] for j in range(d)], sum(ls)
        if kind == "permutation":
            return [u[i] for i in entry["perm"]], mpf(0)
        if kind == "lu_linear":
            L, U, log_diag, bias = self._lu(k)
            Uu = [sum(U[i][j] * u[j] for j in range(d)) for i in range(d)]
            LUu = [sum(L[i][j] * Uu[j] for j in range(d)) for i in range(d)]
            return [LUu[i] + bias[j] for j, i in enumerate(entry["perm"])], sum(log_diag)
        return self._coupling(k, entry, u, inverse=False)

    def _coupling(self, k, entry, x, inverse):
        A, Bs = entry["identity"], entry["transformed"]
        h = self._net(f"transforms.{k}.net.", [x[i] for i in A])
        out, log_det = list(x), mpf(0)
        if entry["type"] == "affine_coupling":
            c = mpf(entry["clamp"])
            for q, i in enumerate(Bs):
                s, t = c * mp.tanh(h[2 * q] / c), h[2 * q + 1]
                out[i] = (x[i] - t) * mp.exp(-s) if inverse else x[i] * mp.exp(s) + t
                log_det += -s if inverse else s
            return out, log_det
        P = 3 * entry["bins"] - 1
        for q, i in enumerate(Bs):
            spline = self._spline(entry, h[q * P:(q + 1) * P])
            if inverse:
                out[i], dg = self._g(spline, x[i])
                log_det += mp.log(dg)
            else:
                out[i] = self._g_inverse(spline, x[i])
                log_det -= mp.log(self._g(spline, out[i])[1])
        return out, log_det

    # ------------------------------------------------------------------ the flow
    def log_prob(self, x):
        with mp.workdps(DIGITS):
            u, total = [mpf(float(v)) for v in x], mpf(0)
            for k in reversed(range(len(self.spec["transforms"]))):
                u, ld = self._inverse(k, self.spec["transforms"][k], u)
                total += ld
            return self._base_log_prob(u) + total

    def forward(self, z):
        with mp.workdps(DIGITS):
            u, total = [mpf(float(v)) for v in z], mpf(0)
            base = self._base_log_prob(u)
            for k, entry in enumerate(self.spec["transforms"]):
                u, ld = self._forward(k, entry, u)
                total += ld
            return u, base - total
