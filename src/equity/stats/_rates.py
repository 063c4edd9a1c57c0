"""Rates, relative likelihoods, exact tests and the status rule, vectorised over groups.

Every function takes arrays of counts (one element per group) and returns arrays or a
DataFrame with one row per group. Undefined results are NaN, never infinity or an exception.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from equity.errors import check_choice
from equity.result import ADVERSE, FAVOURABLE, INSUFFICIENT, NOT_APPLICABLE, WITHIN, text_where

ArrayLike = npt.ArrayLike

#: NHS England "A fair experience for all": the four-fifths non-adverse range.
NON_ADVERSE_RANGE: tuple[float, float] = (0.80, 1.25)
#: Fewer people than this in either group's denominator: too few to tell.
MIN_N: int = 10


def _f(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype="float64")


def z_value(confidence: float) -> float:
    """The standard normal quantile of a two-sided ``confidence`` interval (1.96 for 0.95).

    Examples
    --------
    >>> round(z_value(0.95), 4)
    1.96
    """
    if not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be between 0 and 1; got {confidence!r}.")
    from scipy import special  # imported here: scipy costs a tenth of a second at import

    return float(special.ndtri(0.5 + confidence / 2))


def wilson_interval(numerator: ArrayLike, denominator: ArrayLike, *, confidence: float = 0.95
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (NaN where the denominator is 0).

    Notes
    -----
    Wilson (1927); the same as ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
    Counts may be non-integer (FTE), as in the NHS FTE leaver rate.

    Examples
    --------
    >>> lo, hi = wilson_interval([5], [10])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.2366, 0.7634)
    """
    x, n = _f(numerator), _f(denominator)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        lo, hi = centre - half, centre + half
    bad = ~(n > 0)
    lo, hi = np.where(bad, np.nan, np.clip(lo, 0, 1)), np.where(bad, np.nan, np.clip(hi, 0, 1))
    # Floating error must not put the point estimate outside its own interval.
    with np.errstate(invalid="ignore"):
        lo = np.where(~bad, np.minimum(lo, p), lo)
        hi = np.where(~bad, np.maximum(hi, p), hi)
    return lo, hi


def proportion(numerator: ArrayLike, denominator: ArrayLike, *, confidence: float = 0.95
               ) -> pd.DataFrame:
    """Rate with its Wilson interval: columns ``value``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> proportion([90], [100]).round(4).to_dict("records")
    [{'value': 0.9, 'ci_low': 0.8256, 'ci_high': 0.9448}]
    """
    x, n = _f(numerator), _f(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, x / n, np.nan)
    lo, hi = wilson_interval(x, n, confidence=confidence)
    return pd.DataFrame({"value": value, "ci_low": lo, "ci_high": hi})


def _koopman_stat(theta: np.ndarray, x1: np.ndarray, n1: np.ndarray, x2: np.ndarray,
                  n2: np.ndarray) -> np.ndarray:
    """Score statistic for H0: p1 / p2 = theta (Koopman 1984; Miettinen-Nurminen without correction)."""
    a = (n1 + n2) * theta
    b = -(n1 * theta + x1 + n2 + x2 * theta)
    c = x1 + x2
    with np.errstate(invalid="ignore", divide="ignore"):
        p2_0 = (-b - np.sqrt(np.maximum(b**2 - 4 * a * c, 0))) / (2 * a)
        p1_0 = p2_0 * theta
        var = p1_0 * (1 - p1_0) / n1 + theta**2 * p2_0 * (1 - p2_0) / n2
        return (x1 / n1 - theta * x2 / n2) / np.sqrt(var)


def _koopman_solve(target: float, x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray
                   ) -> np.ndarray:
    """Root of statistic = target by bracketed search (the general, slower route)."""
    # The statistic decreases in theta. Bisection on log(theta) brackets the root (robust
    # where the statistic is flat or undefined), then Illinois false position refines it:
    # about 30 vectorised evaluations instead of 90 for the same 1e-12 precision.
    lo = np.full(x1.shape, -30.0)
    hi = np.full(x1.shape, 30.0)
    for _ in range(16):
        mid = (lo + hi) / 2
        above = _koopman_stat(np.exp(mid), x1, n1, x2, n2) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    f_lo = _koopman_stat(np.exp(lo), x1, n1, x2, n2) - target
    f_hi = _koopman_stat(np.exp(hi), x1, n1, x2, n2) - target
    usable = np.isfinite(f_lo) & np.isfinite(f_hi) & (f_lo > 0) & (f_hi <= 0)
    side = np.zeros(x1.shape, dtype=np.int8)
    for _ in range(14):
        with np.errstate(invalid="ignore", divide="ignore"):
            mid = np.where(usable, hi - f_hi * (hi - lo) / (f_hi - f_lo), (lo + hi) / 2)
        mid = np.where(np.isfinite(mid) & (mid > lo) & (mid < hi), mid, (lo + hi) / 2)
        f_mid = _koopman_stat(np.exp(mid), x1, n1, x2, n2) - target
        above = f_mid > 0
        # Illinois step: halve the stale end's value when the same end is kept twice.
        f_hi = np.where(above & (side == 1), f_hi / 2, f_hi)
        f_lo = np.where(~above & (side == -1), f_lo / 2, f_lo)
        lo, f_lo = np.where(above, mid, lo), np.where(above, f_mid, f_lo)
        hi, f_hi = np.where(above, hi, mid), np.where(above, f_hi, f_mid)
        side = np.where(above, 1, -1).astype(np.int8)
        usable = usable & np.isfinite(f_mid)
    return np.exp((lo + hi) / 2)


#: Half-width, in log(theta), of the bracket that must confirm a closed-form Koopman limit.
_KOOPMAN_CHECK = 1e-9


def _koopman_cubic(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, z: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Koopman limits from Nam's (1995) cubic, solved in closed form (trigonometric method).

    The squared score equation is a cubic in the restricted proportion of group B; its two
    smallest roots give the lower and upper limits (Nam 1995, eq. 5-6, as statsmodels'
    ``_confint_riskratio_koopman``). NaN where the cubic has no three real roots.
    """
    x0, n0, z2 = x2, n2, z * z
    x, n = x0 + x1, n0 + n1
    a1 = n0 * (n0 * n * x1 + n1 * (n0 + x1) * z2)
    a2 = -n0 * (n0 * n1 * x + 2 * n * x0 * x1 + n1 * (n0 + x0 + 2 * x1) * z2)
    a3 = 2 * n0 * n1 * x0 * x + n * x0 * x0 * x1 + n0 * n1 * x * z2
    a4 = -n1 * x0 * x0 * x
    with np.errstate(invalid="ignore", divide="ignore"):
        b, c, d = a2 / a1, a3 / a1, a4 / a1
        # Depressed cubic t^3 + P t + Q = 0 with p = t - b / 3; three real roots need P < 0.
        P = c - b * b / 3
        Q = 2 * b**3 / 27 - b * c / 3 + d
        m = 2 * np.sqrt(-P / 3)
        phi = np.arccos(np.clip(3 * Q / (P * m), -1, 1)) / 3
        # phi is in [0, pi / 3]: k = 0, 1, 2 in cos(phi - 2 pi k / 3) give the largest, middle
        # and smallest roots.
        middle = m * np.cos(phi - 2 * np.pi / 3) - b / 3
        smallest = m * np.cos(phi - 4 * np.pi / 3) - b / 3

        def ratio(p: np.ndarray) -> np.ndarray:
            return (1 - (n1 - x1) * (1 - p) / (x0 + n1 - n * p)) / p

        return ratio(middle), ratio(smallest)


def _koopman_interval(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, z: float
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Koopman score interval: closed form where it can be confirmed, else bracketed search.

    A closed-form limit is kept only where the statistic minus its target changes sign
    across log(theta) +/- 1e-9 (so the true root is within a relative 1e-9 of it); one
    false-position step inside that bracket then gives the root to machine precision. The
    other groups (in practice those where one group has all events, at the edge of the
    cubic's domain) are solved by the bracketed search, as before.
    """
    shape = x1.shape
    x1, n1, x2, n2 = (np.ravel(v) for v in np.broadcast_arrays(x1, n1, x2, n2))
    guess_lo, guess_hi = _koopman_cubic(x1, n1, x2, n2, z)

    # Neither limit is used where both groups have all events (NaN, see relative_likelihood).
    all_events = (x1 == n1) & (x2 == n2)

    def confirm(guess: np.ndarray, target: float, used: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.log(guess)
            lo, hi = centre - _KOOPMAN_CHECK, centre + _KOOPMAN_CHECK
            f_lo = _koopman_stat(np.exp(lo), x1, n1, x2, n2) - target
            f_hi = _koopman_stat(np.exp(hi), x1, n1, x2, n2) - target
            root = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        good = (np.isfinite(f_lo) & np.isfinite(f_hi) & (f_lo > 0) & (f_hi <= 0)
                & np.isfinite(root))
        out = np.exp(np.clip(root, lo, hi))
        redo = np.flatnonzero(~good & used & ~all_events)
        if len(redo):
            out[redo] = _koopman_solve(target, x1[redo], n1[redo], x2[redo], n2[redo])
        return out

    lower = np.where(x1 > 0, confirm(guess_lo, z, x1 > 0), 0.0)
    upper = np.where(x2 > 0, confirm(guess_hi, -z, x2 > 0), np.nan)
    return lower.reshape(shape), upper.reshape(shape)


#: Fisher: tables whose probability is within this relative tolerance of the observed one
#: count as "as extreme" (R's ``fisher.test`` uses 1e-7; scipy 1e-14 on its own pmf).
_FISHER_REL_TOL = 1e-7
#: Cells evaluated per chunk: small enough that a chunk's arrays stay in the CPU cache.
_FISHER_CHUNK_CELLS = 262_144


def _fisher_two_sided(a: np.ndarray, r1: np.ndarray, r2: np.ndarray, c1: np.ndarray) -> np.ndarray:
    """Two-sided Fisher p-values for integer tables, vectorised over tables.

    ``a`` is the top-left cell, ``r1``/``r2`` the row totals and ``c1`` the first column total.
    The hypergeometric probabilities of every table in a window around the mode are built from
    the ratio of successive terms (cumulative sum of log ratios, no factorials), normalised over
    the window, and those no more likely than the observed table are summed. The window spans
    at least 9 standard deviations plus 25 on each side of the mode (and 25 beyond the
    observed value), so the probability mass left outside is below 1e-17: p-values are exact
    to that absolute precision.

    The log ratio from x to x + 1 is log(c1 - x) + log(r1 - x) - log(x + 1) - log(r2 - c1 + x + 1).
    Each term, along a window, is a run of consecutive entries of one table of log k (forwards
    or backwards), so it is copied from a sliding-window view of that table instead of taking
    a logarithm per cell: same values, several times faster.
    """
    n_tot = r1 + r2
    lo_sup = np.maximum(0, c1 - r2)
    hi_sup = np.minimum(c1, r1)
    mode = (c1 + 1) * (r1 + 1) // (n_tot + 2)
    var = c1 * (r1 / n_tot) * (r2 / n_tot) * (n_tot - c1) / np.maximum(n_tot - 1, 1)
    reach = np.ceil(9 * np.sqrt(var)).astype(np.int64) + 25
    w_lo = np.maximum(lo_sup, np.minimum(mode - reach, a - 25))
    w_hi = np.minimum(hi_sup, np.maximum(mode + reach, a + 25))
    width = w_hi - w_lo + 1
    # log k for k = 1..max N at positions pad + k. Steps past a window's end (padding up to
    # the chunk's widest window) may read the zeros around it; those cells are masked below.
    pad = int(width.max()) + 1
    top = int(n_tot.max()) + 1
    log_k = np.zeros(top + 2 * pad)
    log_k[pad + 1 : pad + top] = np.log(np.arange(1, top))
    log_k_rev = log_k[::-1].copy()  # log_k_rev[j] = log_k[len - 1 - j]
    last = len(log_k) - 1
    out = np.empty(len(a))
    order = np.argsort(width, kind="stable")
    sorted_width = width[order]
    start = 0
    while start < len(order):
        # Chunks of tables with similar window widths keep padding (and memory) small.
        cells = sorted_width[start:] * np.arange(1, len(order) - start + 1)
        stop = start + max(1, int(np.searchsorted(cells, _FISHER_CHUNK_CELLS, side="right")))
        idx = order[start:stop]
        w = int(sorted_width[stop - 1])
        start = stop
        fwd = np.lib.stride_tricks.sliding_window_view(log_k, max(w - 1, 1))
        rev = np.lib.stride_tricks.sliding_window_view(log_k_rev, max(w - 1, 1))
        # Step k goes from x = w_lo + k to x + 1; log v sits at log_k[pad + v], and at
        # log_k_rev[last - pad - v] for runs of decreasing v.
        x0 = w_lo[idx]
        step = (rev[last - pad - (c1[idx] - x0)] + rev[last - pad - (r1[idx] - x0)]
                - fwd[pad + x0 + 1] - fwd[pad + r2[idx] - c1[idx] + x0 + 1])
        logp = np.empty((len(idx), w))
        logp[:, 0] = 0.0
        np.cumsum(step[:, : w - 1], axis=1, out=logp[:, 1:])
        k = np.arange(w)[None, :]
        logp = np.where(k < width[idx, None], logp, -np.inf)
        rows = np.arange(len(idx))
        at_mode = logp[rows, mode[idx] - w_lo[idx]][:, None]
        at_obs = logp[rows, a[idx] - w_lo[idx]][:, None]
        prob = np.exp(logp - at_mode)
        extreme = logp <= at_obs + _FISHER_REL_TOL
        out[idx] = np.einsum("ij,ij->i", prob, extreme) / prob.sum(axis=1)
    return np.minimum(out, 1.0)


def fisher_exact_p(x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike) -> np.ndarray:
    """Two-sided Fisher exact p-value per group (NaN where a denominator is 0 or counts are not whole).

    Notes
    -----
    As ``scipy.stats.fisher_exact`` on the table [[x1, n1 - x1], [x2, n2 - x2]] (Fisher, 1935):
    the probability, under the hypergeometric null, of a table no more likely than the one
    observed, tables within a relative 1e-7 of the observed probability counting as equally
    likely (as R's ``fisher.test``). Vectorised over the distinct tables; exact to 1e-17
    absolute (see ``_fisher_two_sided``). A table whose events (or non-events) are all zero has
    p = 1, as in scipy.

    Examples
    --------
    >>> fisher_exact_p([6], [8], [1], [5]).round(4).tolist()
    [0.1026]
    """
    x1a, n1a, x2a, n2a = np.broadcast_arrays(_f(x1), _f(n1), _f(x2), _f(n2))
    t = np.column_stack([x1a.ravel(), n1a.ravel(), x2a.ravel(), n2a.ravel()])
    out = np.full(len(t), np.nan)
    with np.errstate(invalid="ignore"):
        ok = (t[:, 1] > 0) & (t[:, 3] > 0) & np.all(np.isfinite(t), axis=1)
        ok &= np.all(t == np.round(t), axis=1)
        ok &= (t[:, 0] <= t[:, 1]) & (t[:, 2] <= t[:, 3]) & (t[:, 0] >= 0) & (t[:, 2] >= 0)
    if ok.any():
        # Tables numbered in order of first appearance, one hashed column at a time (ten
        # times faster than np.unique(axis=0) at scale; a group-by on the four columns cost
        # a few milliseconds a call for a trust's few tables).
        ti = t[ok].astype(np.int64)
        inverse = np.zeros(len(ti), dtype=np.int64)
        for j in range(ti.shape[1]):
            col, seen = pd.factorize(ti[:, j])
            inverse, _ = pd.factorize(inverse * len(seen) + col)  # renumbered: no overflow
        first = np.unique(inverse, return_index=True)[1]
        uniq = ti[first]
        a, r1, c, r2 = uniq.T
        c1 = a + c
        pv = np.ones(len(uniq))
        # scipy: a zero column total (no events, or all events) gives p = 1.
        inner = (c1 > 0) & (c1 < r1 + r2)
        if inner.any():
            pv[inner] = _fisher_two_sided(a[inner], r1[inner], r2[inner], c1[inner])
        out[ok] = pv[inverse.ravel()]
    return out.reshape(x1a.shape) if x1a.ndim else out


def binomial_test_p(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> np.ndarray:
    """Two-sided exact binomial test p-value of ``k`` events in ``n`` trials against
    probability ``p``, per element (NaN where ``n`` is 0, ``p`` is not strictly between 0 and
    1, or ``k`` is not a whole number from 0 to ``n``).

    Notes
    -----
    As ``scipy.stats.binomtest(k, n, p).pvalue``: the probability of an outcome no more likely
    than the one observed, outcomes within a relative 1e-7 of its probability counting as
    equally likely; the same steps on the same binomial functions (those ``scipy.stats.binom``
    evaluates), so the same figures to the last bit, without importing ``scipy.stats`` (about
    a second on a small machine, more than the indicators of a trust take).

    Examples
    --------
    >>> binomial_test_p([3, 10, 0], [10, 10, 0], [0.5, 0.5, 0.5]).round(4).tolist()
    [0.3438, 0.002, nan]
    """
    try:  # the binomial distribution functions of scipy.stats.binom
        from scipy.special._ufuncs import _binom_cdf, _binom_pmf, _binom_sf
    except ImportError:  # pragma: no cover - a scipy that moved them: its own test
        from scipy import stats as sps

        def _binom_cdf(x: float, n: float, p: float) -> float:
            return float(sps.binom.cdf(x, n, p))

        def _binom_sf(x: float, n: float, p: float) -> float:
            return float(sps.binom.sf(x, n, p))

        def _binom_pmf(x: float, n: float, p: float) -> float:
            return float(sps.binom.pmf(x, n, p))

    def cdf(x: float, n: int, p: float) -> float:  # scipy.stats.binom.cdf's bounds
        return 0.0 if x < 0 else 1.0 if x >= n else min(max(float(_binom_cdf(np.floor(x), n, p)), 0.0), 1.0)

    def sf(x: float, n: int, p: float) -> float:
        return 1.0 if x < 0 else 0.0 if x >= n else min(max(float(_binom_sf(np.floor(x), n, p)), 0.0), 1.0)

    def pmf(x: float, n: int, p: float) -> float:
        return float(_binom_pmf(x, n, p)) if 0 <= x <= n else 0.0

    def search(a: Any, d: float, lo: float, hi: float) -> float:
        # scipy's _binary_search_for_binom_tst: i in [lo, hi] with a(i) <= d < a(i + 1)
        while lo < hi:
            mid = lo + (hi - lo) // 2
            midval = a(mid)
            if midval < d:
                lo = mid + 1
            elif midval > d:
                hi = mid - 1
            else:
                return mid
        return lo if a(lo) <= d else lo - 1

    def two_sided(k: int, n: int, p: float) -> float:
        d = pmf(k, n, p)
        rerr = 1 + 1e-7
        if k == p * n:
            return 1.0
        if k < p * n:
            ix = search(lambda x1: -pmf(x1, n, p), -d * rerr, np.ceil(p * n), n)
            y = n - ix + int(d * rerr == pmf(ix, n, p))
            pval = cdf(k, n, p) + sf(n - y, n, p)
        else:
            ix = search(lambda x1: pmf(x1, n, p), d * rerr, 0, np.floor(p * n))
            pval = cdf(ix, n, p) + sf(k - 1, n, p)
        return min(1.0, pval)

    ka, na, pa = np.broadcast_arrays(_f(k), _f(n), _f(p))
    out = np.full(ka.shape, np.nan)
    for i in np.ndindex(ka.shape):
        ki, ni, pi = float(ka[i]), float(na[i]), float(pa[i])
        if ni > 0 and 0 < pi < 1 and ki.is_integer() and ni.is_integer() and 0 <= ki <= ni:
            out[i] = two_sided(int(ki), int(ni), pi)
    return out


def relative_likelihood(
    num_a: ArrayLike, den_a: ArrayLike, num_b: ArrayLike, den_b: ArrayLike, *,
    method: Literal["koopman", "katz"] = "koopman", confidence: float = 0.95,
    exact: bool = True,
) -> pd.DataFrame:
    """Relative likelihood rate(A) / rate(B) with a confidence interval and Fisher p-value.

    Parameters
    ----------
    num_a, den_a, num_b, den_b
        Events and people in group A (numerator of the ratio) and group B (the divisor).
    method
        ``"koopman"`` (default): Koopman's (1984) score interval, which stays defined when A has
        no events and behaves well with small counts; ``"katz"``: the log (Katz et al., 1978)
        interval, undefined (NaN) when either group has no events.
    exact
        Add Fisher's exact two-sided p-value (else ``p_value`` is NaN).

    Returns
    -------
    pandas.DataFrame
        ``ratio``, ``ratio_ci_low``, ``ratio_ci_high``, ``p_value``. NaN where undefined (a zero
        denominator, or no events in group B).

    Examples
    --------
    >>> relative_likelihood([30], [100], [15], [100], method="katz").round(3).to_dict("records")
    [{'ratio': 2.0, 'ratio_ci_low': 1.149, 'ratio_ci_high': 3.482, 'p_value': 0.017}]
    """
    check_choice("method", method, ["koopman", "katz"])
    x1, n1, x2, n2 = _f(num_a), _f(den_a), _f(num_b), _f(den_b)
    z = z_value(confidence)
    defined = (n1 > 0) & (n2 > 0) & (x2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(defined, (x1 / n1) / (x2 / n2), np.nan)
        if method == "katz":
            se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
            ok = defined & (x1 > 0)
            lo = np.where(ok, ratio * np.exp(-z * se), np.nan)
            hi = np.where(ok, ratio * np.exp(z * se), np.nan)
        else:
            safe = lambda v: np.where(defined, v, 1.0)  # noqa: E731 - keep bisection finite
            lo, hi = _koopman_interval(safe(x1), safe(n1), safe(x2), safe(n2), z)
            lo, hi = np.where(defined, lo, np.nan), np.where(defined, hi, np.nan)
            all_events = defined & (x1 == n1) & (x2 == n2)
            lo, hi = np.where(all_events, np.nan, lo), np.where(all_events, np.nan, hi)
    # Interval must contain the estimate despite bisection tolerance.
    lo = np.where(np.isfinite(lo), np.minimum(lo, ratio), np.nan)
    hi = np.where(np.isfinite(hi), np.maximum(hi, ratio), np.nan)
    p = fisher_exact_p(x1, n1, x2, n2) if exact else np.full(x1.shape, np.nan)
    return pd.DataFrame({"ratio": ratio, "ratio_ci_low": lo, "ratio_ci_high": hi, "p_value": p})


def classify(
    ratio: ArrayLike, den_a: ArrayLike, den_b: ArrayLike, *,
    harm: Literal["above", "below"] | None,
    non_adverse_range: tuple[float, float] = NON_ADVERSE_RANGE,
    min_n: int = MIN_N,
) -> np.ndarray:
    """Status of each ratio (docs/methodology.md "Statuses"): on the point estimate, significance kept apart.

    ``insufficient_evidence`` when either denominator is below ``min_n`` or the ratio is
    undefined; else ``adverse`` / ``favourable`` outside the range in the harm / benefit
    direction, ``within_range`` inside it; ``not_applicable`` when ``harm`` is None.

    Examples
    --------
    >>> classify([1.6, 1.0, 0.5, np.nan, 2.0], [50] * 5, [50, 50, 50, 50, 5], harm="above").tolist()
    ['adverse', 'within_range', 'favourable', 'insufficient_evidence', 'insufficient_evidence']
    """
    r, a, b = _f(ratio), _f(den_a), _f(den_b)
    low, high = non_adverse_range
    few = ~_reaches(a, min_n) | ~_reaches(b, min_n) | ~np.isfinite(r)
    if harm is None:
        return text_where(few, INSUFFICIENT, NOT_APPLICABLE)
    check_choice("harm", harm, ["above", "below", None])
    hi_status, lo_status = (ADVERSE, FAVOURABLE) if harm == "above" else (FAVOURABLE, ADVERSE)
    return text_where(few, INSUFFICIENT,
                      text_where(r > high, hi_status, text_where(r < low, lo_status, WITHIN)))


def share_status(denominator: ArrayLike, *, min_n: int = MIN_N) -> np.ndarray:
    """Status for a plain share with no comparison: too few people, else ``not_applicable``."""
    n = _f(denominator)
    return text_where(~_reaches(n, min_n), INSUFFICIENT, NOT_APPLICABLE)


def _reaches(n: np.ndarray, min_n: float) -> np.ndarray:
    """``n >= min_n``, a total within 1e-9 of ``min_n`` counting as reaching it: FTE totals
    are sums of fractions whose last bit depends on the order an engine added them in (ten
    people's 10.0 FTE can come out as 9.999999999999998), and a status must not."""
    return n >= min_n - 1e-9


def average_headcount(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Average of the headcount (or FTE) at the start and at the end of a period.

    Notes
    -----
    NHS Data Dictionary, "Turnover": the denominator of the leaver rate is
    (staff in post at the start + staff in post at the end) / 2.

    Examples
    --------
    >>> average_headcount([150, 65.3], [120, 59.16]).round(2).tolist()
    [135.0, 62.23]
    """
    return (_f(start) + _f(end)) / 2
