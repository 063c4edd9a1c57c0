"""Statistical process control: funnel-plot limits (exact binomial, OHID Fingertips' Wilson,
over-dispersion) and NHS England Making Data Count XmR charts (as NHSRplotthedots)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from equity.errors import ParameterError, check_choice
from equity.stats._rates import z_value

#: NHS England "Making Data Count": XmR limits are the mean +/- 2.66 mean moving ranges.
XMR_CONSTANT = 2.66
#: Run and trend length that signals special-cause variation (Making Data Count).
RUN_LENGTH = 7


def _f(x: npt.ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype="float64")


def funnel_limits(numerator: npt.ArrayLike, denominator: npt.ArrayLike, *,
                  target: float | None = None, levels: Sequence[float] = (0.95, 0.998),
                  method: Literal["exact", "wilson"] = "exact",
                  overdispersion: bool | Literal["multiplicative", "additive"] = False
                  ) -> pd.DataFrame:
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
        ``"wilson"``: OHID Fingertips' limits, the proportions whose Wilson score interval
        just reaches the target (which is target +/- z sqrt(target (1 - target) / n)).
    overdispersion
        Widen the limits for over-dispersion when many units are compared (the limits are then
        normal whatever ``method``): ``"multiplicative"`` (or True) scales the variance by phi,
        ``"additive"`` adds a between-unit variance tau^2 (random effects); nothing happens
        when the units vary no more than chance allows (phi <= 1).

    Returns
    -------
    pandas.DataFrame
        ``numerator``, ``denominator``, ``value``, ``target``, ``z`` (standardised, before any
        over-dispersion), ``phi``, ``tau2``, then ``lower_<level>`` / ``upper_<level>`` (level
        in percent, e.g. ``lower_95``, ``upper_99.8``) and ``signal_<level>`` (``"above"``,
        ``"below"`` or ``"within"``; NaN denominators give ``"within"`` and NaN limits).
        ``attrs`` keep ``method``, ``overdispersion`` and ``levels`` for :func:`funnel_curve`,
        which evaluates the same funnel over a grid of denominators for drawing.

    Notes
    -----
    Spiegelhalter (2005) "Funnel plots for comparing institutional performance", Statistics
    in Medicine 24:1185-1202. Exact limits (his Appendix A.1.1): with r_p the p-quantile of
    Binomial(n, target), alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)) and the limit is
    (r_p - alpha) / n, which interpolates the discrete quantile.

    Wilson: OHID (PHE) Fingertips technical guide "Funnel plots" and its implementation
    PHEindicatormethods ``sigma_adjustment``: the limit for population n is the solution X / n
    of the quadratic whose Wilson score interval for X out of n has the target as an end point,
    at p = 0.975 and 0.999; it equals target +/- z sqrt(target (1 - target) / n). Limits are
    clipped to 0-1 and a unit is outside when strictly beyond a limit.

    Over-dispersion (Spiegelhalter 2005, section 3.2.2): z-scores Winsorised at their 10th
    and 90th percentiles, phi = mean of their squares over the I units. Multiplicative:
    limits target +/- z sqrt(phi s_i^2), s_i^2 = target (1 - target) / n_i. Additive random
    effects: tau^2 = (I phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i), w_i = 1 / s_i^2
    (0 when negative), limits target +/- z sqrt(s_i^2 + tau^2).

    Examples
    --------
    >>> f = funnel_limits([10, 30], [100, 100], method="wilson")
    >>> f[["target", "lower_95", "upper_95"]].round(4).to_dict("records")[0]
    {'target': 0.2, 'lower_95': 0.1216, 'upper_95': 0.2784}
    """
    check_choice("method", method, ["exact", "wilson"])
    check_choice("overdispersion", overdispersion, [False, True, "multiplicative", "additive"])
    x, n = np.broadcast_arrays(_f(numerator), _f(denominator))
    valid = np.isfinite(n) & (n > 0) & np.isfinite(x)
    theta = float(x[valid].sum() / n[valid].sum()) if target is None and valid.any() else target
    theta = np.nan if theta is None else float(theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(valid, x / n, np.nan)
        var = theta * (1 - theta) / n
        z = np.where(valid, (value - theta) / np.sqrt(var), np.nan)
    phi, tau2 = 1.0, 0.0
    zf = z[np.isfinite(z)]
    if overdispersion and zf.size > 1:
        lo, hi = np.quantile(zf, [0.1, 0.9])
        phi = max(1.0, float(np.mean(np.clip(zf, lo, hi) ** 2)))
        if overdispersion == "additive":
            w = 1 / var[np.isfinite(z)]
            tau2 = max(0.0, (zf.size * phi - (zf.size - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    out = pd.DataFrame({"numerator": x, "denominator": n, "value": value, "target": theta,
                        "z": z, "phi": phi, "tau2": tau2})
    limits = _limits(n, valid, theta, phi, tau2, method=method, overdispersion=overdispersion,
                     levels=levels)
    for name, (lower, upper) in limits.items():
        out[f"lower_{name}"] = lower
        out[f"upper_{name}"] = upper
        with np.errstate(invalid="ignore"):
            out[f"signal_{name}"] = np.where(value > upper, "above",
                                             np.where(value < lower, "below", "within")).astype(object)
    out.attrs = {"method": method, "overdispersion": overdispersion, "levels": tuple(levels)}
    return out


def funnel_curve(limits: pd.DataFrame, denominator: npt.ArrayLike) -> pd.DataFrame:
    """The funnel of :func:`funnel_limits`' units at other denominators, to draw it as curves.

    The target, phi and tau^2 come from the units (``limits``), so an over-dispersion
    adjustment estimated from them widens the curves too; the method and levels are those
    ``limits`` was computed with (kept in its ``attrs``).

    Parameters
    ----------
    limits
        :func:`funnel_limits`' output for the units.
    denominator
        Denominators to evaluate the limits at (e.g. 1 to the largest unit's).

    Returns
    -------
    pandas.DataFrame
        ``denominator``, ``target``, then ``lower_<level>`` / ``upper_<level>`` as in
        :func:`funnel_limits` (the input :func:`equity.plots.funnel` draws).

    Examples
    --------
    >>> units = funnel_limits([10, 30], [100, 100], method="wilson")
    >>> funnel_curve(units, [100])[["lower_95", "upper_95"]].round(4).to_dict("records")
    [{'lower_95': 0.1216, 'upper_95': 0.2784}]
    """
    missing = [k for k in ("method", "overdispersion", "levels") if k not in limits.attrs]
    if missing or not len(limits):
        raise ParameterError(
            "`limits` must be funnel_limits()' output for at least one unit, with its attrs "
            f"(method, overdispersion, levels); missing: {missing or 'rows'}. Pass the frame "
            "funnel_limits() returned, not a copy rebuilt from its columns.")
    a = limits.attrs
    n = _f(denominator)
    valid = np.isfinite(n) & (n > 0)
    theta, phi, tau2 = (float(limits[c].iloc[0]) for c in ("target", "phi", "tau2"))
    out = pd.DataFrame({"denominator": n, "target": theta})
    for name, (lower, upper) in _limits(n, valid, theta, phi, tau2, method=a["method"],
                                        overdispersion=a["overdispersion"],
                                        levels=a["levels"]).items():
        out[f"lower_{name}"] = lower
        out[f"upper_{name}"] = upper
    return out


def _limits(n: np.ndarray, valid: np.ndarray, theta: float, phi: float, tau2: float, *,
            method: str, overdispersion: bool | str, levels: Sequence[float]
            ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper limits at each level (named in percent), clipped to 0-1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        var = theta * (1 - theta) / n
    spread = var + tau2 if overdispersion == "additive" else var * phi
    out = {}
    for level in levels:
        zq = z_value(level)
        if method == "wilson" or overdispersion:
            with np.errstate(invalid="ignore"):
                lower, upper = theta - zq * np.sqrt(spread), theta + zq * np.sqrt(spread)
        else:
            lower, upper = (_exact_limit(n, theta, p) for p in ((1 - level) / 2, (1 + level) / 2))
        out[f"{level * 100:g}"] = (np.where(valid, np.clip(lower, 0, 1), np.nan),
                                  np.where(valid, np.clip(upper, 0, 1), np.nan))
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


# --------------------------------------------------------------------------- XmR charts

#: Moving ranges at or above this multiple of the mean moving range are screened out before
#: the limits are set (NHSRplotthedots ``screen_outliers``; 3.267 = D4 for n = 2).
SCREEN_CONSTANT = 3.267
#: Fewer points than this in a chart (or a rebased part of one) give a run chart: no limits.
MIN_POINTS = 12

#: Plain-language text for each variation type (the Making Data Count icons' meaning).
VARIATION_TEXT: dict[str, str] = {
    "common_cause": "common cause variation: no significant change",
    "special_cause_improvement": "special cause variation: improvement",
    "special_cause_concern": "special cause variation: concern",
    "special_cause_neutral_high": "special cause variation: unusually high (neither better nor worse)",
    "special_cause_neutral_low": "special cause variation: unusually low (neither better nor worse)",
}
#: Plain-language text for each assurance type.
ASSURANCE_TEXT: dict[str, str] = {
    "consistent_pass": "the target will consistently be met (the process limits are on the "
                       "passing side of it)",
    "consistent_fail": "the target will consistently be missed (the process limits are on the "
                       "failing side of it)",
    "inconsistent": "the target will be hit and missed at random (it lies between the process "
                    "limits)",
}

Improvement = Literal["increase", "decrease"] | None


def _runs(flag: np.ndarray, series: np.ndarray) -> np.ndarray:
    """Length of the run of True values each element belongs to (runs stop at series ends)."""
    change = np.ones(len(flag), bool)
    change[1:] = (flag[1:] != flag[:-1]) | (series[1:] != series[:-1])
    run_id = np.cumsum(change) - 1
    lengths = np.bincount(run_id)
    return np.where(flag, lengths[run_id], 0)


def _r_mean(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Mean of each contiguous group (NaN left out) as R's ``mean()`` computes it.

    R sums in long double, divides, then adds the mean residual (``summary.c``, ``real_mean``);
    a plain double sum can land one ulp off (0.8908915564349237 for R's ...236 on the A&E
    performance series), enough to put a point that lies on the mean above it.
    """
    ok = np.isfinite(values)
    ld = np.where(ok, values, 0).astype(np.longdouble)
    n = np.add.reduceat(ok.astype(np.int64), starts) if len(values) else np.zeros(0, np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.add.reduceat(ld, starts) / n if len(values) else np.zeros(0, np.longdouble)
        seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(values))))
        t = np.add.reduceat(np.where(ok, ld - s[seg], 0), starts) if len(values) else s
        return np.asarray(s + t / n, dtype=float)


def xmr(data: pd.DataFrame, *, value: str = "value", x: str = "x", by: Sequence[str] = (),
        improvement: Improvement = None, baseline: int | None = None,
        rebase: Sequence[Any] | Mapping[Any, Sequence[Any]] = (),
        target: float | Mapping[Any, float] | None = None, screen_outliers: bool = True,
        min_points: int = MIN_POINTS) -> pd.DataFrame:
    """NHS England "Making Data Count" XmR chart, as NHSRplotthedots ``ptd_spc`` computes it.

    Parameters
    ----------
    data
        One row per point: ``x`` (order, e.g. month), ``value`` and any ``by`` columns (one
        chart per combination, all computed at once).
    improvement
        Which direction is better: ``"increase"``, ``"decrease"`` or None (neutral: special
        causes are ``special_cause_neutral_high`` / ``_low``).
    baseline
        Fix the mean and limits on the first ``baseline`` points of each chart (or rebased
        part) (NHSRplotthedots ``fix_after_n_points``); default all points.
    rebase
        ``x`` values at which the process is recalculated (a new mean and limits from that
        point on), for every chart; or a mapping from a chart's ``by`` key (a tuple when
        ``by`` has several columns) to its own ``x`` values.
    target
        A target value (or a mapping from ``by`` key to target) for the assurance icon.
    screen_outliers
        Leave moving ranges of 3.267 mean moving ranges or more out of the mean moving range
        (default True, as NHSRplotthedots).
    min_points
        A chart (or rebased part) with fewer points is a run chart: no process limits, so only
        the run and trend rules can signal (Making Data Count asks for 12 points).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``by``, ``x``, ``value``, ``rebase_group`` (0, 1, ...),
        ``short_group`` (fewer than ``min_points``), ``mean``, ``moving_range``,
        ``mean_moving_range`` (after screening), ``lcl``, ``ucl``, ``lower_two_sigma``,
        ``upper_two_sigma``, ``relative_to_mean`` (-1, 0, 1), ``close_to_limits``, flags
        ``outside_limits``, ``run``, ``trend``, ``two_of_three``, ``special_cause``,
        ``special_cause_type`` (NHSRplotthedots' text: ``"Above UCL"``, ``"7 Point Trend
        (Increasing)"``, ``"2 in 3 Below CL"``, ``"7 Points Above CL"``, ``"Common Cause"``),
        ``direction`` (``"high"``, ``"low"`` or None), ``variation`` (``common_cause``,
        ``special_cause_improvement``, ``special_cause_concern``,
        ``special_cause_neutral_high``, ``special_cause_neutral_low``), ``target`` and
        ``assurance`` (the chart's, on each of its rows: ``consistent_pass``,
        ``consistent_fail``, ``inconsistent`` or None). :func:`xmr_summary` gives one row per
        chart with the icons and a sentence.

    Notes
    -----
    NHS England "Making Data Count" and its reference implementation NHSRplotthedots
    (``ptd_spc_standard``, ``ptd_calculate_point_type``, ``ptd_calculate_assurance_type``):

    - mean of the values (R's two-pass mean); moving ranges |x_i - x_{i-1}| within each
      rebased part; moving ranges >= 3.267 x their mean are screened out and the mean moving
      range recomputed; process limits mean +/- 2.66 MR-bar, the 2-sigma lines mean +/-
      (2/3) 2.66 MR-bar;
    - a point above the upper or below the lower limit;
    - 7 points in a row on the same side of the mean (a point on the mean breaks the run);
    - 7 points in a row each higher (or lower) than the one before (ties break it);
    - 2 of 3 consecutive points between a 2-sigma line and the limit beyond it, with all
      3 on the same side of the mean (points beyond the limit do not count);
    - a point in several patterns takes the first of: outside the limits, trend, 2 of 3,
      run; its direction (trend: of the step after it when the next point is in the trend
      too, else of the step before) decides improvement or concern;
    - assurance from the chart's last point: with improvement ``"increase"``, a target
      below the lower limit is consistently met, above the upper consistently missed,
      between them hit and missed (reversed for ``"decrease"``); None without limits.

    Examples
    --------
    >>> d = pd.DataFrame({"x": range(5), "value": [10, 12, 11, 13, 12]})
    >>> xmr(d, min_points=1)[["mean", "lcl", "ucl"]].iloc[0].round(3).tolist()
    [11.6, 7.61, 15.59]
    """
    check_choice("improvement", improvement, ["increase", "decrease", None])
    keys = list(by)
    d = data.sort_values([*keys, x], kind="stable").reset_index(drop=True)
    v = pd.to_numeric(d[value], errors="coerce").to_numpy(float)
    n = len(d)
    if keys:
        grouped = d.groupby(keys, sort=False, dropna=False)
        sid, spos = grouped.ngroup().to_numpy(), grouped.cumcount().to_numpy()
        skey = [k[0] if len(keys) == 1 else k for k in
                d.loc[spos == 0, keys].itertuples(index=False, name=None)]
    else:
        sid, spos, skey = np.zeros(n, int), np.arange(n), [None]
    # Rebased parts: a part starts at a series' first point and at each rebase date.
    starts_part = np.zeros(n, bool)
    starts_part[spos == 0] = True
    if rebase:
        xs = d[x].to_numpy()
        if isinstance(rebase, Mapping):
            per = np.array([set(rebase.get(k, ())) for k in skey], dtype=object)
            starts_part |= np.array([xi in per[s] for xi, s in zip(xs, sid, strict=True)], bool)
        else:
            starts_part |= pd.Series(xs).isin(list(rebase)).to_numpy()
    gid = np.cumsum(starts_part) - 1
    rebase_group = gid - gid[np.flatnonzero(spos == 0)][sid] if n else gid
    gstart = np.flatnonzero(starts_part)
    gsize = np.diff(np.append(gstart, n))
    gpos = np.arange(n) - gstart[gid] if n else gid
    fix = np.where(gpos < baseline, v, np.nan) if baseline is not None else v
    mean = _r_mean(fix, gstart)[gid] if n else np.zeros(0)
    mr = np.full(n, np.nan)
    same = np.zeros(n, bool)
    same[1:] = gid[1:] == gid[:-1]
    mr[1:] = np.where(same[1:], np.abs(v[1:] - v[:-1]), np.nan)
    fix_mr = np.full(n, np.nan)
    fix_mr[1:] = np.where(same[1:], np.abs(fix[1:] - fix[:-1]), np.nan)
    amr = _r_mean(fix_mr, gstart)[gid] if n else np.zeros(0)
    if screen_outliers and n:
        with np.errstate(invalid="ignore"):
            fix_mr = np.where(fix_mr < SCREEN_CONSTANT * amr, fix_mr, np.nan)
        amr = _r_mean(fix_mr, gstart)[gid]
    short = gsize[gid] < min_points if n else np.zeros(0, bool)
    amr_lim = np.where(short, np.nan, amr)
    lcl, ucl = mean - XMR_CONSTANT * amr_lim, mean + XMR_CONSTANT * amr_lim
    two_lo, two_hi = (mean - 2 * XMR_CONSTANT / 3 * amr_lim,
                      mean + 2 * XMR_CONSTANT / 3 * amr_lim)
    with np.errstate(invalid="ignore"):
        outside = (v > ucl) | (v < lcl)
        rtm = np.where(np.isfinite(v), np.sign(v - mean), 0).astype(int)
        close = ~outside & ((v < two_lo) | (v > two_hi))
        run = (_runs(rtm > 0, gid) >= RUN_LENGTH) | (_runs(rtm < 0, gid) >= RUN_LENGTH)
        step = np.zeros(n, int)
        step[1:] = np.where(same[1:], np.sign(v[1:] - v[:-1]), 0)
    step = np.nan_to_num(step).astype(int)
    trend = _trend_points(step > 0, gid) | _trend_points(step < 0, gid)
    two = _two_of_three(close, rtm, gid)
    # Direction of each special cause, in NHSRplotthedots' order of precedence.
    nxt_in_trend = np.zeros(n, bool)
    nxt_in_trend[:-1] = trend[1:] & same[1:]
    step_after = np.zeros(n, int)
    step_after[:-1] = np.where(same[1:], step[1:], 0)
    trend_dir = np.where(nxt_in_trend & trend, step_after, step)
    side = np.where(rtm > 0, 1, -1)
    # NHSRplotthedots names a trend point "Increasing" when its step is up (sdy == 1), else
    # "Decreasing".
    sign = np.select([outside, trend, two, run], [side, np.where(trend_dir > 0, 1, -1), side,
                                                  side], 0)
    kind = np.select(
        [outside & (rtm > 0), outside, trend & (trend_dir > 0), trend, two & (rtm > 0), two,
         run & (rtm > 0), run],
        ["Above UCL", "Below LCL", "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)",
         "2 in 3 Above CL", "2 in 3 Below CL", "7 Points Above CL", "7 Points Below CL"],
        "Common Cause").astype(object)
    special = outside | trend | two | run
    direction = np.where(sign > 0, "high", "low").astype(object)
    direction[sign == 0] = None
    if improvement is None:
        variation = np.where(sign > 0, "special_cause_neutral_high",
                             np.where(sign < 0, "special_cause_neutral_low", "common_cause"))
    else:
        good = sign * (1 if improvement == "increase" else -1)
        variation = np.where(good > 0, "special_cause_improvement",
                             np.where(good < 0, "special_cause_concern", "common_cause"))
    tgt = _series_target(target, skey, sid, n)
    out = d.loc[:, [*keys, x]].assign(
        value=v, rebase_group=rebase_group, short_group=short, mean=mean, moving_range=mr,
        mean_moving_range=amr, lcl=lcl, ucl=ucl, lower_two_sigma=two_lo,
        upper_two_sigma=two_hi, relative_to_mean=rtm, close_to_limits=close,
        outside_limits=outside, run=run, trend=trend, two_of_three=two,
        special_cause=special, special_cause_type=kind, direction=direction,
        variation=variation.astype(object), target=tgt)
    return out.assign(assurance=_assurance(out, sid, improvement))


def _series_target(target: float | Mapping[Any, float] | None, skey: list[Any],
                   sid: np.ndarray, n: int) -> np.ndarray:
    if target is None:
        return np.full(n, np.nan)
    if isinstance(target, Mapping):
        per = np.array([target.get(k, np.nan) for k in skey], dtype=float)
        return per[sid] if n else np.zeros(0)
    return np.full(n, float(target))


def _assurance(out: pd.DataFrame, sid: np.ndarray, improvement: Improvement) -> np.ndarray:
    """Each chart's assurance from its last point's limits (``ptd_calculate_assurance_type``)."""
    n = len(out)
    if improvement is None or not n:
        return np.full(n, None, dtype=object)
    last = np.flatnonzero(np.append(sid[1:] != sid[:-1], True))
    t, lo, hi = (out[c].to_numpy(float)[last] for c in ("target", "lcl", "ucl"))
    above, below = ("consistent_fail", "consistent_pass") if improvement == "increase" else (
        "consistent_pass", "consistent_fail")
    with np.errstate(invalid="ignore"):
        kind = np.where(t > hi, above, np.where(t < lo, below, "inconsistent")).astype(object)
    kind[~(np.isfinite(t) & np.isfinite(lo) & np.isfinite(hi))] = None
    return kind[sid]


def _trend_points(step: np.ndarray, gid: np.ndarray) -> np.ndarray:
    """Points in a monotone stretch of RUN_LENGTH or more points (RUN_LENGTH - 1 steps)."""
    steps = _runs(step, gid)  # length of the stretch of consecutive steps each point ends
    long = steps >= RUN_LENGTH - 1
    # A point belongs to a trend when it ends a qualifying step or starts one (the point
    # before the first step).
    starts = np.zeros(len(step), bool)
    starts[:-1] = long[1:] & ~step[:-1] & (gid[1:] == gid[:-1])
    return long | starts


def _two_of_three(close: np.ndarray, rtm: np.ndarray, gid: np.ndarray) -> np.ndarray:
    """Points close to a limit in a window of 3 consecutive points with at least 2 close
    to a limit and all 3 on the same side of the mean (``ptd_two_in_three``)."""
    n = len(close)
    flag = np.zeros(n, bool)
    if n < 3:
        return flag
    c = close.astype(int)
    hit = ((c[:-2] + c[1:-1] + c[2:]) >= 2) & (np.abs(rtm[:-2] + rtm[1:-1] + rtm[2:]) == 3) & (
        gid[:-2] == gid[2:])
    for offset in range(3):
        idx = np.flatnonzero(hit) + offset
        flag[idx] |= close[idx]
    return flag


def xmr_summary(points: pd.DataFrame, *, by: Sequence[str] = (), x: str = "x",
                unit: Literal["number", "proportion"] = "number") -> pd.DataFrame:
    """One row per chart from :func:`xmr`'s points: icons and a sentence saying what they mean.

    Parameters
    ----------
    points
        :func:`xmr`'s output.
    by, x
        As given to :func:`xmr`.
    unit
        How values read in the sentence: ``"proportion"`` as percentages.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``points``, ``last_x``, ``mean``, ``lcl``, ``ucl`` (of the last rebased part),
        ``short_group``, ``variation`` (the last point's, as Making Data Count's variation
        icon), ``variation_icon`` (``common_cause``, ``improvement_high``,
        ``improvement_low``, ``concern_high``, ``concern_low``, ``neutral_high``,
        ``neutral_low``), ``assurance`` and ``sentence``.

    Examples
    --------
    >>> p = xmr(pd.DataFrame({"x": range(3), "value": [1.0, 2.0, 3.0]}))
    >>> print(xmr_summary(p)["sentence"].iloc[0])
    Only 3 points: fewer than the 12 Making Data Count needs for process limits, so this is a run chart; latest 3, mean 2.
    """
    check_choice("unit", unit, ["number", "proportion"])
    keys = list(by)
    last = points.groupby(keys, sort=False, dropna=False).tail(1) if keys else points.tail(1)
    count = (points.groupby(keys, sort=False, dropna=False).size().to_numpy() if keys
             else np.array([len(points)] if len(points) else [], int))
    rows = []
    for (_, r), npts in zip(last.iterrows(), count, strict=True):
        var = str(r["variation"])
        icon = _variation_icon(var, str(r["direction"]))
        fmt = (lambda a: f"{a:.1%}") if unit == "proportion" else (lambda a: f"{a:,.4g}")
        if bool(r["short_group"]):
            text = (f"Only {npts} points: fewer than the {MIN_POINTS} Making Data Count needs for"
                    f" process limits, so this is a run chart; latest {fmt(r['value'])}, mean "
                    f"{fmt(r['mean'])}.")
        else:
            # a rate cannot fall below 0: a lower limit under it reads as 0 (Making Data
            # Count's charts of proportions show no negative limit either)
            low = max(float(r["lcl"]), 0.0) if unit == "proportion" else r["lcl"]
            text = (f"{npts} points; latest {fmt(r['value'])}, mean {fmt(r['mean'])}, process "
                    f"limits {fmt(low)} to {fmt(r['ucl'])}. Latest point: "
                    f"{VARIATION_TEXT[var]}.")
        if r["assurance"] is not None and r["assurance"] in ASSURANCE_TEXT:
            text += f" Against the target {fmt(r['target'])}: {ASSURANCE_TEXT[r['assurance']]}."
        rows.append({**{k: r[k] for k in keys}, "points": int(npts), "last_x": r[x],
                     "mean": r["mean"], "lcl": r["lcl"], "ucl": r["ucl"],
                     "short_group": bool(r["short_group"]), "variation": var,
                     "variation_icon": icon, "assurance": r["assurance"], "sentence": text})
    return pd.DataFrame(rows, columns=[*keys, "points", "last_x", "mean", "lcl", "ucl",
                                       "short_group", "variation", "variation_icon",
                                       "assurance", "sentence"])


def _variation_icon(variation: str, direction: str) -> str:
    if variation == "common_cause":
        return "common_cause"
    kind = variation.removeprefix("special_cause_").removesuffix("_high").removesuffix("_low")
    return f"{kind}_{direction}"
