"""Reference values for kdeflow's KernelDensity from scipy (gaussian_kde, special.ndtr, special.owens_t).

Run from this folder:  python3 make_reference.py   (writes reference.json)

Cases (data drawn with numpy's legacy RandomState, written into the file, so nothing depends on the stream here):
  d1  weighted 1-D gaussian_kde (Scott): pdf at points, integrate_box_1d, resample(size, RandomState(s))
  d2  weighted 2-D gaussian_kde (Scott): pdf, marginal([1]) and marginal([1, 0]) pdf, box probabilities exactly
      (each kernel's rectangle probability through Owen's T, scipy.special.owens_t) and scipy's own integrate_box
      (exact in 2-D: scipy's _bvn), the samples resample(size, RandomState(s)) picks
  d3  3-D gaussian_kde (Scott): marginal([0, 2]) pdf, box probability by quad over x1 of the exact bivariate
      conditional probability (scipy.integrate.quad, epsabs 1e-14)
Normal functions: ndtr, ndtri and the bivariate normal CDF on a list of arguments, the latter by quad over x of
phi(x) ndtr((k - r x)/sqrt(1 - r^2)) (more accurate than Owen's T where the result is far below its terms; both
agree to 5e-16 absolute, which the script checks).
"""
import json
import numpy as np
import scipy
from scipy import integrate, special, stats


def phi2(h, k, r):
    """P(X <= h, Y <= k), standard normals with correlation r, by Owen (1956): T(h, a) terms."""
    if np.isneginf(h) or np.isneginf(k):
        return 0.0
    if np.isposinf(h):
        return special.ndtr(k)
    if np.isposinf(k):
        return special.ndtr(h)
    s = np.sqrt((1 - r) * (1 + r))
    if h == 0 and k == 0:
        return 0.25 + np.arcsin(r) / (2 * np.pi)
    ah = (k - r * h) / (h * s) if h != 0 else np.copysign(np.inf, k - r * h)
    ak = (h - r * k) / (k * s) if k != 0 else np.copysign(np.inf, h - r * k)
    beta = 0.0 if (h * k > 0 or (h * k == 0 and h + k >= 0)) else 0.5
    th = special.owens_t(h, ah) if h != 0 else 0.25 * np.sign(ah) if np.isinf(ah) else 0.0
    tk = special.owens_t(k, ak) if k != 0 else 0.25 * np.sign(ak) if np.isinf(ak) else 0.0
    if h == 0:
        th = np.arctan(ah) / (2 * np.pi) if np.isfinite(ah) else 0.25 * np.sign(ah)
    if k == 0:
        tk = np.arctan(ak) / (2 * np.pi) if np.isfinite(ak) else 0.25 * np.sign(ak)
    return 0.5 * (special.ndtr(h) + special.ndtr(k)) - th - tk - beta


def phi2_quad(h, k, r):
    """P(X <= h, Y <= k) as the integral of phi(x) ndtr((k - r x) / s) over x <= h (quad, split at the step)."""
    s = np.sqrt((1 - r) * (1 + r))
    f = lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * special.ndtr((k - r * x) / s)
    cut = k / r if r != 0 else h
    parts = sorted({-40.0, min(max(cut, -40.0), h), h})
    return sum(integrate.quad(f, a, b, epsabs=1e-18, epsrel=1e-14, limit=500)[0] for a, b in zip(parts, parts[1:]))


def rect(l1, u1, l2, u2, r):
    return phi2(u1, u2, r) - phi2(l1, u2, r) - phi2(u1, l2, r) + phi2(l1, l2, r)


def box2(kde, lo, hi):
    cov = kde.covariance
    s1, s2 = np.sqrt(cov[0, 0]), np.sqrt(cov[1, 1])
    r = cov[0, 1] / (s1 * s2)
    total = 0.0
    for i in range(kde.n):
        m = kde.dataset[:, i]
        total += kde.weights[i] * rect((lo[0] - m[0]) / s1, (hi[0] - m[0]) / s1,
                                       (lo[1] - m[1]) / s2, (hi[1] - m[1]) / s2, r)
    return total


def box3(kde, lo, hi):
    cov = kde.covariance
    s11 = cov[0, 0]
    b = cov[1:, 0] / s11
    c = cov[1:, 1:] - np.outer(cov[1:, 0], cov[0, 1:]) / s11
    s2, s3 = np.sqrt(c[0, 0]), np.sqrt(c[1, 1])
    r = c[0, 1] / (s2 * s3)
    total = 0.0
    for i in range(kde.n):
        m = kde.dataset[:, i]

        def f(t):
            mu = m[1:] + b * (t - m[0])
            return (np.exp(-0.5 * (t - m[0]) ** 2 / s11) / np.sqrt(2 * np.pi * s11)
                    * rect((lo[1] - mu[0]) / s2, (hi[1] - mu[0]) / s2, (lo[2] - mu[1]) / s3, (hi[2] - mu[1]) / s3, r))
        v, _ = integrate.quad(f, lo[0], hi[0], epsabs=1e-14, epsrel=1e-13, limit=200)
        total += kde.weights[i] * v
    return total


def picks(kde, size, seed):
    """The samples resample(size, RandomState(seed)) adds noise to: numpy's choice after the normals."""
    rs = np.random.RandomState(seed)
    rs.standard_normal(size * kde.d)
    idx = rs.choice(kde.n, size=size, p=kde.weights)
    # check the reconstruction against scipy itself
    rs2 = np.random.RandomState(seed)
    norm = rs2.multivariate_normal(np.zeros(kde.d), kde.covariance, size=size).T
    assert np.array_equal(kde.resample(size, seed=np.random.RandomState(seed)), kde.dataset[:, idx] + norm)
    return idx


def rows(a):
    return [list(map(float, r)) for r in a]


out = {"scipy": scipy.__version__, "numpy": np.__version__}
rs = np.random.RandomState(7)

# d1
x1 = np.concatenate([rs.normal(0, 1, 120), rs.normal(3, 0.5, 80)])
w1 = rs.uniform(0.5, 1.5, x1.size)
k1 = stats.gaussian_kde(x1, weights=w1)
q1 = np.linspace(-4, 6, 41)
boxes1 = [[-1.0, 0.5], [2.5, 3.5], [-10.0, 10.0], [4.0, 9.0], [-np.inf, 0.0], [5.5, np.inf]]
out["d1"] = {
    "data": x1.tolist(), "weights": w1.tolist(), "queries": q1.tolist(), "pdf": k1(q1).tolist(),
    "boxes": [[float(a), float(b)] for a, b in boxes1],
    "box": [float(k1.integrate_box_1d(a, b)) for a, b in boxes1],
    "resample_seed": 5, "resample": k1.resample(25, seed=np.random.RandomState(5))[0].tolist(),
}

# d2
c = np.array([[1.0, 0.6], [0.6, 0.8]])
x2 = np.concatenate([rs.multivariate_normal([0, 0], c, 200), rs.multivariate_normal([2.5, -1], 0.3 * np.eye(2), 100)])
w2 = rs.uniform(0.2, 2.0, 300)
k2 = stats.gaussian_kde(x2.T, weights=w2)
q2 = rs.uniform(-3, 4, (30, 2))
m1 = k2.marginal([1])
m10 = k2.marginal([1, 0])
lo2 = [[-0.5, -1.0], [1.5, -2.0], [-9.0, -9.0], [3.0, 0.5], [-np.inf, -np.inf], [0.0, -np.inf]]
hi2 = [[0.7, 0.4], [3.5, 0.0], [9.0, 9.0], [5.0, 3.0], [0.0, 0.0], [np.inf, 0.3]]
out["d2"] = {
    "data": rows(x2), "weights": w2.tolist(), "queries": rows(q2), "pdf": k2(q2.T).tolist(),
    "marginal1_queries": q2[:, 1].tolist(), "marginal1_pdf": m1(q2[:, 1]).tolist(),
    "marginal10_queries": rows(q2[:, [1, 0]]), "marginal10_pdf": m10(q2[:, [1, 0]].T).tolist(),
    "box_lo": rows(lo2), "box_hi": rows(hi2),
    "box_exact": [float(box2(k2, a, b)) for a, b in zip(lo2, hi2)],
    "box_scipy_qmc": [float(k2.integrate_box(np.array(a), np.array(b), rng=np.random.default_rng(0)))
                      for a, b in zip(lo2[:4], hi2[:4])],
    "resample_seed": 11, "resample_picks": picks(k2, 40, 11).tolist(),
}

# d3
x3 = rs.multivariate_normal([0, 1, -1], [[1, 0.5, 0.2], [0.5, 1.5, -0.4], [0.2, -0.4, 0.7]], 40)
k3 = stats.gaussian_kde(x3.T)
q3 = rs.uniform(-2, 2, (10, 3))
m02 = k3.marginal([0, 2])
lo3 = [[-0.5, 0.0, -1.5], [-1.0, -1.0, -3.0]]
hi3 = [[1.0, 2.0, -0.2], [0.2, 3.0, 0.5]]
out["d3"] = {
    "data": rows(x3), "queries": rows(q3), "pdf": k3(q3.T).tolist(),
    "marginal02_queries": rows(q3[:, [0, 2]]), "marginal02_pdf": m02(q3[:, [0, 2]].T).tolist(),
    "box_lo": rows(lo3), "box_hi": rows(hi3), "box": [float(box3(k3, a, b)) for a, b in zip(lo3, hi3)],
}

# normal functions
z = [-37.5, -20.0, -8.5, -5.0, -3.2, -3.0, -2.9, -1.3, -0.6, -0.25, 0.0, 0.1, 0.7, 1.9, 2.6, 3.1, 6.0, 8.2]
p = [1e-300, 1e-20, 1e-5, 0.01, 0.3, 0.5, 0.77, 0.999, 1 - 1e-12]
b = [[0.3, -0.2, 0.5], [1.2, 0.4, -0.7], [-2.0, -1.5, 0.95], [0.5, 0.5, 0.99], [0.5, 0.51, 0.9999],
     [-1.0, 2.0, -0.97], [0.2, 0.1, 0.9249], [0.2, 0.1, 0.9251], [-6.0, -6.0, 0.96], [-0.7, 1.3, -0.3],
     [2.0, 2.5, 0.1], [-3.0, -2.0, -0.5], [1.5, -0.4, 0.98], [0.0, 0.0, 0.7]]
for r in b:
    assert abs(phi2_quad(*r) - phi2(*r)) < 5e-16, r
out["normal"] = {
    "z": z, "cdf": [float(special.ndtr(v)) for v in z],
    "p": p, "inverse": [float(special.ndtri(v)) for v in p],
    "bivariate": b, "bivariate_cdf": [float(phi2_quad(*r)) for r in b],
}


def clean(o):
    if isinstance(o, float):
        return "inf" if o == np.inf else "-inf" if o == -np.inf else o
    if isinstance(o, list):
        return [clean(v) for v in o]
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items()}
    return o


with open("reference.json", "w") as f:
    json.dump(clean(out), f, indent=1)
print("wrote reference.json with scipy", scipy.__version__)
