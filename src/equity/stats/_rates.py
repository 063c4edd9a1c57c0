"""Rates, relative likelihoods, exact tests and the status rule, vectorised over groups.

Every function takes arrays of counts (one element per group) and returns arrays or a
DataFrame with one row per group. Undefined results are NaN, never infinity or an exception.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from equity.errors import check_choice
from equity.result import ADVERSE, FAVOURABLE, INSUFFICIENT, NOT_APPLICABLE, WITHIN

ArrayLike = npt.ArrayLike

#: NHS England "A fair experience for all": the four-fifths non-adverse range.
NON_ADVERSE_RANGE: tuple[float, float] = (0.80, 1.25)
#: Fewer people than this in either group's denominator: too few to tell.
MIN_N: int = 10


def _f(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype="float64")


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be between 0 and 1; got {confidence!r}.")
    return float(sps.norm.ppf(0.5 + confidence / 2))


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
    z = _z(confidence)
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


def _koopman_interval(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, z: float
                      ) -> tuple[np.ndarray, np.ndarray]:
    def solve(target: float) -> np.ndarray:
        # The statistic decreases in theta: bisect on log(theta).
        lo = np.full(x1.shape, -30.0)
        hi = np.full(x1.shape, 30.0)
        for _ in range(90):
            mid = (lo + hi) / 2
            s = _koopman_stat(np.exp(mid), x1, n1, x2, n2)
            above = s > target
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
        return np.exp((lo + hi) / 2)

    lower = np.where(x1 > 0, solve(z), 0.0)
    upper = np.where(x2 > 0, solve(-z), np.nan)
    return lower, upper


def fisher_exact_p(x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike) -> np.ndarray:
    """Two-sided Fisher exact p-value per group (NaN where a denominator is 0 or counts are not whole).

    Notes
    -----
    As ``scipy.stats.fisher_exact`` on the table [[x1, n1 - x1], [x2, n2 - x2]]; evaluated once
    per distinct table.
    """
    t = np.column_stack([_f(x1), _f(n1), _f(x2), _f(n2)]) if np.size(x1) else np.zeros((0, 4))
    out = np.full(len(t), np.nan)
    ok = (t[:, 1] > 0) & (t[:, 3] > 0) & np.all(np.isfinite(t), axis=1) & np.all(t == np.round(t), axis=1)
    ok &= (t[:, 0] <= t[:, 1]) & (t[:, 2] <= t[:, 3]) & (t[:, 0] >= 0) & (t[:, 2] >= 0)
    if ok.any():
        uniq, inverse = np.unique(t[ok].astype(np.int64), axis=0, return_inverse=True)
        pv = np.array([
            sps.fisher_exact([[a, b - a], [c, d - c]]).pvalue for a, b, c, d in uniq
        ])
        out[ok] = pv[inverse.ravel()]
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
    z = _z(confidence)
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
    """Status of each ratio (METHODOLOGY.md): on the point estimate, significance kept apart.

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
    few = ~(a >= min_n) | ~(b >= min_n) | ~np.isfinite(r)
    if harm is None:
        out = np.where(few, INSUFFICIENT, NOT_APPLICABLE)
    else:
        check_choice("harm", harm, ["above", "below", None])
        hi_status, lo_status = (ADVERSE, FAVOURABLE) if harm == "above" else (FAVOURABLE, ADVERSE)
        out = np.where(r > high, hi_status, np.where(r < low, lo_status, WITHIN))
        out = np.where(few, INSUFFICIENT, out)
    return out.astype(object)


def share_status(denominator: ArrayLike, *, min_n: int = MIN_N) -> np.ndarray:
    """Status for a plain share with no comparison: too few people, else ``not_applicable``."""
    n = _f(denominator)
    return np.where(~(n >= min_n), INSUFFICIENT, NOT_APPLICABLE).astype(object)
