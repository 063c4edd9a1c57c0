"""Statistical process control: funnel-plot limits and Making Data Count XmR charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from equity.errors import check_choice

#: NHS England "Making Data Count": XmR limits are the mean +/- 2.66 mean moving ranges.
XMR_CONSTANT = 2.66
#: Run and trend length that signals special-cause variation (Making Data Count).
RUN_LENGTH = 7


def _f(x: npt.ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype="float64")


def funnel_limits(numerator: npt.ArrayLike, denominator: npt.ArrayLike, *,
                  target: float | None = None, levels: Sequence[float] = (0.95, 0.998),
                  method: Literal["exact", "normal"] = "exact",
                  overdispersion: bool = False) -> pd.DataFrame:
    """Funnel-plot control limits for proportions, one row per unit.

    Parameters
    ----------
    numerator, denominator
        Events and people per unit (e.g. leavers and average headcount per directorate).
    target
        Centre line; default the pooled proportion sum(numerator) / sum(denominator).
    levels
        Two-sided coverage of each pair of limits (default 95% and 99.8%).
    method
        ``"exact"`` (default): binomial limits with Spiegelhalter's interpolation;
        ``"normal"``: target +/- z sqrt(target (1 - target) / n). With ``overdispersion`` the
        limits are always normal, with the variance inflated by phi.
    overdispersion
        Estimate a multiplicative over-dispersion factor phi and widen the limits by sqrt(phi)
        when phi > 1.

    Returns
    -------
    pandas.DataFrame
        ``numerator``, ``denominator``, ``value``, ``target``, ``z`` (standardised, before any
        over-dispersion), ``phi``, then ``lower_<level>`` / ``upper_<level>`` (level in
        percent, e.g. ``lower_95``, ``upper_99.8``) and ``signal_<level>`` (``"above"``,
        ``"below"`` or ``"within"``; NaN denominators give ``"within"`` and NaN limits).

    Notes
    -----
    Spiegelhalter (2005) "Funnel plots for comparing institutional performance", Statistics
    in Medicine 24:1185-1202. Exact limits (his Appendix A.1.1): with r_p the p-quantile of
    Binomial(n, target), alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)) and the limit is
    (r_p - alpha) / n, which interpolates the discrete quantile. Over-dispersion (his
    section 3.2.2): phi = mean of the squared z-scores after Winsorising them at the 10th and
    90th percentiles; limits target +/- z sqrt(phi target (1 - target) / n); phi <= 1 leaves
    the limits unchanged.

    Examples
    --------
    >>> f = funnel_limits([10, 30], [100, 100], method="normal")
    >>> f[["target", "lower_95", "upper_95"]].round(4).to_dict("records")[0]
    {'target': 0.2, 'lower_95': 0.1216, 'upper_95': 0.2784}
    """
    check_choice("method", method, ["exact", "normal"])
    x, n = np.broadcast_arrays(_f(numerator), _f(denominator))
    valid = np.isfinite(n) & (n > 0) & np.isfinite(x)
    theta = float(x[valid].sum() / n[valid].sum()) if target is None and valid.any() else target
    theta = np.nan if theta is None else float(theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(valid, x / n, np.nan)
        sd = np.sqrt(theta * (1 - theta) / n)
        z = np.where(valid, (value - theta) / sd, np.nan)
    phi = 1.0
    if overdispersion and np.isfinite(z).sum() > 1:
        zf = z[np.isfinite(z)]
        lo, hi = np.quantile(zf, [0.1, 0.9])
        phi = max(1.0, float(np.mean(np.clip(zf, lo, hi) ** 2)))
    out = pd.DataFrame({"numerator": x, "denominator": n, "value": value, "target": theta,
                        "z": z, "phi": phi})
    for level in levels:
        name = f"{level * 100:g}"
        zq = float(special.ndtri(0.5 + level / 2))
        if method == "normal" or overdispersion:
            with np.errstate(invalid="ignore"):
                lower = theta - zq * sd * np.sqrt(phi)
                upper = theta + zq * sd * np.sqrt(phi)
        else:
            lower, upper = (_exact_limit(n, theta, p) for p in ((1 - level) / 2, (1 + level) / 2))
        lower = np.where(valid, np.clip(lower, 0, 1), np.nan)
        upper = np.where(valid, np.clip(upper, 0, 1), np.nan)
        out[f"lower_{name}"] = lower
        out[f"upper_{name}"] = upper
        with np.errstate(invalid="ignore"):
            out[f"signal_{name}"] = np.where(value > upper, "above",
                                             np.where(value < lower, "below", "within")).astype(object)
    return out


def _exact_limit(n: np.ndarray, theta: float, p: float) -> np.ndarray:
    nn = np.where(np.isfinite(n) & (n > 0), np.round(n), 1)
    # The limit depends only on the rounded denominator (theta and p are shared): compute it
    # once per distinct denominator, a few thousand at most where there are 100,000 units.
    uniq, inverse = np.unique(nn, return_inverse=True)
    return _exact_limit_distinct(uniq, theta, p)[inverse.reshape(nn.shape)]


def _exact_limit_distinct(nn: np.ndarray, theta: float, p: float) -> np.ndarray:
    from scipy import stats as sps  # imported here: scipy.stats costs seconds at import

    r = sps.binom.ppf(p, nn, theta)
    f_r = sps.binom.cdf(r, nn, theta)
    f_r1 = sps.binom.cdf(r - 1, nn, theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_r1, (f_r - p) / (f_r - f_r1), 0.0)
    return (r - alpha) / nn


def _runs(flag: np.ndarray, series: np.ndarray) -> np.ndarray:
    """Length of the run of True values each element belongs to (runs stop at series ends)."""
    change = np.ones(len(flag), bool)
    change[1:] = (flag[1:] != flag[:-1]) | (series[1:] != series[:-1])
    run_id = np.cumsum(change) - 1
    lengths = np.bincount(run_id)
    return np.where(flag, lengths[run_id], 0)


def xmr(data: pd.DataFrame, *, value: str = "value", x: str = "x", by: Sequence[str] = (),
        improvement: Literal["increase", "decrease"] | None = None,
        baseline: int | None = None) -> pd.DataFrame:
    """NHS "Making Data Count" XmR chart: limits, the four signal rules and a variation label.

    Parameters
    ----------
    data
        One row per point: ``x`` (order, e.g. month), ``value`` and any ``by`` columns (one
        chart per combination, all computed at once).
    improvement
        Which direction is better: ``"increase"``, ``"decrease"`` or None (special causes are
        then labelled ``special_cause_neither``).
    baseline
        Compute the mean and limits from the first ``baseline`` points only (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``by``, ``x``, ``value``, ``mean``, ``moving_range``, ``lcl``,
        ``ucl``, ``lower_two_sigma``, ``upper_two_sigma``, flags ``outside_limits``,
        ``run``, ``trend``, ``two_of_three``, ``special_cause``, ``direction``
        (``"high"``, ``"low"``, ``"both"`` or None) and ``variation`` (``common_cause``,
        ``special_cause_improvement``, ``special_cause_concern`` or
        ``special_cause_neither``).

    Notes
    -----
    NHS England / NHS Improvement "Making Data Count" (2019) and "Making Data Count: Strengthening
    your decisions": mean of the values; moving range |x_i - x_{i-1}|; limits mean +/- 2.66 x
    mean moving range (3 sigma, sigma = MR-bar / 1.128). Special-cause rules: (1) a point
    outside a limit; (2) a run of 7 or more consecutive points above, or below, the mean (a
    point on the mean breaks the run); (3) a trend of 7 or more consecutive points all
    increasing or all decreasing (equal neighbours break the trend); (4) two out of three
    consecutive points beyond the 2-sigma line (two thirds of the way to a limit) on the same
    side. Every point in a run, trend or two-of-three window is flagged (for rule 4 only the
    points beyond the line). A point flagged both high and low is labelled a concern when an
    improvement direction is given (the cautious reading).

    Examples
    --------
    >>> d = pd.DataFrame({"x": range(5), "value": [10, 12, 11, 13, 12]})
    >>> xmr(d)[["mean", "lcl", "ucl"]].iloc[0].round(3).tolist()
    [11.6, 7.61, 15.59]
    """
    check_choice("improvement", improvement, ["increase", "decrease", None])
    keys = list(by)
    d = data.sort_values([*keys, x], kind="stable").reset_index(drop=True)
    v = pd.to_numeric(d[value], errors="coerce").to_numpy(float)
    sid = (d.groupby(keys, sort=False, dropna=False).ngroup().to_numpy() if keys
           else np.zeros(len(d), int))
    pos = (d.groupby(keys, sort=False, dropna=False).cumcount().to_numpy() if keys
           else np.arange(len(d)))
    ns = int(sid.max()) + 1 if len(d) else 0
    mr = np.full(len(d), np.nan)
    mr[1:] = np.where(sid[1:] == sid[:-1], np.abs(v[1:] - v[:-1]), np.nan)
    in_base = pos < baseline if baseline is not None else np.ones(len(d), bool)
    use_v = in_base & np.isfinite(v)
    use_mr = in_base & np.isfinite(mr)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_s = (np.bincount(sid, weights=np.where(use_v, v, 0), minlength=ns)
                  / np.bincount(sid, weights=use_v.astype(float), minlength=ns))
        mr_s = (np.bincount(sid, weights=np.where(use_mr, mr, 0), minlength=ns)
                / np.bincount(sid, weights=use_mr.astype(float), minlength=ns))
    mean = mean_s[sid]
    spread = XMR_CONSTANT * mr_s[sid]
    lcl, ucl = mean - spread, mean + spread
    two_lo, two_hi = mean - spread * 2 / 3, mean + spread * 2 / 3
    with np.errstate(invalid="ignore"):
        out_hi, out_lo = v > ucl, v < lcl
        above, below = v > mean, v < mean
        run_hi = _runs(above, sid) >= RUN_LENGTH
        run_lo = _runs(below, sid) >= RUN_LENGTH
        # Trend: steps i-1 -> i all up (or down); a trend of 7 points is 6 consecutive steps.
        up = np.zeros(len(d), bool)
        down = np.zeros(len(d), bool)
        same = sid[1:] == sid[:-1]
        up[1:] = same & (v[1:] > v[:-1])
        down[1:] = same & (v[1:] < v[:-1])
        trend_hi = _trend_points(up, sid)
        trend_lo = _trend_points(down, sid)
        beyond_hi, beyond_lo = v > two_hi, v < two_lo
    tt_hi = _two_of_three(beyond_hi, sid)
    tt_lo = _two_of_three(beyond_lo, sid)
    high = out_hi | run_hi | trend_hi | tt_hi
    low = out_lo | run_lo | trend_lo | tt_lo
    special = high | low
    direction = np.where(high & low, "both", np.where(high, "high", np.where(low, "low", np.array(None, dtype=object))))
    if improvement is None:
        variation = np.where(special, "special_cause_neither", "common_cause")
    else:
        good, bad = (high, low) if improvement == "increase" else (low, high)
        variation = np.where(bad, "special_cause_concern",
                             np.where(good, "special_cause_improvement", "common_cause"))
    return d.loc[:, [*keys, x]].assign(
        value=v, mean=mean, moving_range=mr, lcl=lcl, ucl=ucl,
        lower_two_sigma=two_lo, upper_two_sigma=two_hi,
        outside_limits=out_hi | out_lo, run=run_hi | run_lo, trend=trend_hi | trend_lo,
        two_of_three=tt_hi | tt_lo, special_cause=special,
        direction=direction.astype(object), variation=variation.astype(object))


def _trend_points(step: np.ndarray, sid: np.ndarray) -> np.ndarray:
    """Points in a monotone stretch of RUN_LENGTH or more points (RUN_LENGTH - 1 steps)."""
    steps = _runs(step, sid)  # length of the stretch of consecutive steps each point ends
    long = steps >= RUN_LENGTH - 1
    # A point belongs to a trend when it ends a qualifying step or starts one (the point
    # before the first step).
    starts = np.zeros(len(step), bool)
    starts[:-1] = long[1:] & ~step[:-1] & (sid[1:] == sid[:-1])
    return long | starts


def _two_of_three(beyond: np.ndarray, sid: np.ndarray) -> np.ndarray:
    """Flag points beyond the 2-sigma line in any window of 3 consecutive points with >= 2."""
    n = len(beyond)
    flag = np.zeros(n, bool)
    if n < 3:
        return flag
    b = beyond.astype(int)
    win = b[:-2] + b[1:-1] + b[2:]
    same = (sid[:-2] == sid[2:])
    hit = (win >= 2) & same
    for offset in range(3):
        idx = np.flatnonzero(hit) + offset
        flag[idx] |= beyond[idx]
    return flag
