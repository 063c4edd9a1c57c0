"""Survival from count tables: Kaplan-Meier, at-risk tables, log-rank, cumulative incidence.

Input is a count table, one row per group and time (the count cube's output), never row-level
data: ``time`` (e.g. months since joining), ``events`` (people leaving at that time),
``censored`` (people last seen at that time, still in post) and optionally ``entries`` (people
entering observation at that time: left truncation / delayed entry, for staff who joined
before the data window). Work is vectorised over groups with grouped cumulative sums.

Risk-set convention (counting process, as R ``survival``, lifelines and statsmodels): a person
entering at time e is at risk for events at times strictly after e; a person with an event or
censored at time t is at risk at t; censoring at t happens after the events at t. Without an
``entries`` column everybody is at risk from the start.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from equity.errors import InputError
from equity.stats._rates import z_value


def _prepare(counts: pd.DataFrame, keys: list[str], time: str, cols: list[str | None],
             table: str = "survival counts") -> pd.DataFrame:
    """Sum duplicate (keys, time) rows, sort, and check the counts."""
    need = [*keys, time, *[c for c in cols if c is not None]]
    missing = [c for c in need if c not in counts.columns]
    if missing:
        raise InputError(
            f"The {table} table has no column(s) {missing}; it has {list(counts.columns)}. "
            "Name the columns with by=, time=, events=, censored=, entries=.",
            table=table, column=missing[0], rule="required_column")
    t = counts.loc[:, need].copy()
    for c in [time, *[c for c in cols if c is not None]]:
        t[c] = pd.to_numeric(t[c], errors="coerce").astype("float64")
        bad = ~np.isfinite(t[c].to_numpy()) | ((t[c].to_numpy() < 0) & (c != time))
        if bad.any():
            rows = list(np.flatnonzero(bad)[:5])
            raise InputError(
                f"Column `{c}` of the {table} table has {int(bad.sum())} missing, non-numeric "
                f"or negative value(s) (rows {rows}); counts and times must be numbers >= 0.",
                table=table, column=c, rule="numeric", count=int(bad.sum()), examples=rows)
    sums = [c for c in cols if c is not None]
    return (t.groupby([*keys, time], sort=True, dropna=False, observed=True)[sums].sum()
            .reset_index())


def _risk(t: pd.DataFrame, keys: list[str], d: str, c: str, e: str | None) -> np.ndarray:
    """Number at risk at each row's time (rows sorted by keys then time)."""
    exits = t[d] + t[c]
    if keys:
        exited_before = exits.groupby([t[k] for k in keys], sort=False, dropna=False).cumsum() - exits
    else:
        exited_before = exits.cumsum() - exits
    if e is None:
        base = (exits.groupby([t[k] for k in keys], dropna=False).transform("sum") if keys
                else pd.Series(exits.sum(), index=t.index))
        return (base - exited_before).to_numpy(float)
    # Entries at t are at risk only after t: count entries strictly before this time.
    entered_before = (t[e].groupby([t[k] for k in keys], sort=False, dropna=False).cumsum()
                      if keys else t[e].cumsum()) - t[e]
    return (entered_before - exited_before).to_numpy(float)


def kaplan_meier(counts: pd.DataFrame, *, by: Sequence[str] = (), time: str = "time",
                 events: str = "events", censored: str = "censored",
                 entries: str | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival curves from a count table, with Greenwood log-log intervals.

    Parameters
    ----------
    counts
        One row per group and time: ``by`` columns, ``time``, ``events``, ``censored`` and
        optionally ``entries`` (delayed entry). Duplicate rows are summed.
    by
        Group columns; one curve per combination.
    entries
        Column of people entering observation at ``time`` (left truncation); None: everyone
        is at risk from the start.
    confidence
        Level of the pointwise interval.

    Returns
    -------
    pandas.DataFrame
        Tidy curve, one row per group and time in the table: ``by`` columns, ``time``,
        ``at_risk``, ``events``, ``censored`` (and ``entries``), ``survival``, ``std_err``
        (Greenwood), ``ci_low``, ``ci_high``.

    Notes
    -----
    Product-limit estimator S(t) = prod(1 - d_i / n_i) (Kaplan and Meier, 1958); with delayed
    entry the risk set n_i holds only people who entered before t_i (the conditional
    estimator of Tsai, Jewell and Wang, 1987). Greenwood (1926) variance
    Var S = S^2 sum d/(n(n-d)). The interval is the "exponential Greenwood" log-log interval
    (Kalbfleisch and Prentice, 2002): S^exp(+-z se), with
    se^2 = sum d/(n(n-d)) / (log S)^2, as ``scipy.stats.ecdf(...).sf.confidence_interval(
    method="log-log")``. It is NaN where undefined: before the first event (S = 1) and where
    S = 0.

    Examples
    --------
    >>> t = pd.DataFrame({"time": [1, 2, 3], "events": [1, 1, 0], "censored": [0, 1, 1]})
    >>> kaplan_meier(t)["survival"].round(4).tolist()
    [0.75, 0.5, 0.5]
    """
    keys = list(by)
    t = _prepare(counts, keys, time, [events, censored, entries])
    z = z_value(confidence)
    n = _risk(t, keys, events, censored, entries)
    d = t[events].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1 - d / n, 1.0)
        green = np.where(d > 0, d / (n * (n - d)), 0.0)
    gkeys = [t[k] for k in keys]
    with np.errstate(divide="ignore"):
        logf = pd.Series(np.log(np.maximum(factor, 0)), index=t.index)
    green_s = pd.Series(green, index=t.index)
    with np.errstate(divide="ignore"):
        log_s = (logf.groupby(gkeys, sort=False, dropna=False).cumsum() if keys else logf.cumsum())
    cum_green = (green_s.groupby(gkeys, sort=False, dropna=False).cumsum() if keys
                 else green_s.cumsum()).to_numpy()
    fac = pd.Series(np.maximum(factor, 0), index=t.index)
    # Product (not exp of summed logs) so that e.g. 0.75 x 2/3 gives 0.5 to the last digit.
    surv = (fac.groupby(gkeys, sort=False, dropna=False).cumprod() if keys
            else fac.cumprod()).to_numpy()
    ls = log_s.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        se_loglog = np.sqrt(cum_green) / np.abs(ls)
        lnl = np.log(-ls)
        low = np.exp(-np.exp(lnl + z * se_loglog))
        high = np.exp(-np.exp(lnl - z * se_loglog))
        std_err = surv * np.sqrt(cum_green)
    undefined = ~np.isfinite(se_loglog) | ~np.isfinite(lnl) | (surv <= 0) | (surv >= 1)
    low = np.where(undefined, np.nan, low)
    high = np.where(undefined, np.nan, high)
    out = t.loc[:, [*keys, time]].assign(at_risk=n, events=d, censored=t[censored].to_numpy(float))
    if entries is not None:
        out["entries"] = t[entries].to_numpy(float)
    return out.assign(survival=surv, std_err=np.where(np.isfinite(std_err), std_err, np.nan),
                      ci_low=low, ci_high=high).reset_index(drop=True)


def median_survival(curve: pd.DataFrame, *, by: Sequence[str] = (), time: str = "time"
                    ) -> pd.DataFrame:
    """Median survival time per group, with its interval, from a :func:`kaplan_meier` curve.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``median``, ``ci_low``, ``ci_high``; NaN where the curve (or the
        interval's bound) never falls to 0.5.

    Notes
    -----
    The median is the first time with S(t) <= 0.5 (as lifelines). Its interval
    (Brookmeyer and Crowley, 1982) is read off the pointwise log-log band: the lower limit is
    the first time the band's lower edge is <= 0.5, the upper limit the first time its upper
    edge is <= 0.5.

    Examples
    --------
    >>> t = pd.DataFrame({"time": [1, 2, 3], "events": [1, 1, 0], "censored": [0, 1, 1]})
    >>> median_survival(kaplan_meier(t))["median"].tolist()
    [2.0]
    """
    keys = list(by)

    def first_below(col: str) -> pd.Series:
        # Tolerance: a product of factors that is 0.5 in exact arithmetic must count as 0.5.
        hit = curve[col].to_numpy(float) <= 0.5 + 1e-12
        times = curve[time].where(hit)
        return times.groupby([curve[k] for k in keys], sort=True, dropna=False).min() if keys \
            else pd.Series([times.min()])

    out = pd.DataFrame({"median": first_below("survival"), "ci_low": first_below("ci_low"),
                        "ci_high": first_below("ci_high")})
    return out.reset_index() if keys else out.reset_index(drop=True)


def at_risk_table(counts: pd.DataFrame, *, times: Sequence[float], by: Sequence[str] = (),
                  time: str = "time", events: str = "events", censored: str = "censored",
                  entries: str | None = None) -> pd.DataFrame:
    """Numbers at risk (and cumulative events and censored) at chosen times, per group.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``time`` (each of ``times``), ``at_risk`` (people at risk at that time,
        i.e. just before it), ``events`` and ``censored`` (cumulative, strictly before it), the
        table printed under a Kaplan-Meier plot.

    Examples
    --------
    >>> t = pd.DataFrame({"time": [1, 2, 3], "events": [1, 1, 0], "censored": [0, 1, 1]})
    >>> at_risk_table(t, times=[0, 2, 4])["at_risk"].tolist()
    [4.0, 3.0, 0.0]
    """
    keys = list(by)
    t = _prepare(counts, keys, time, [events, censored, entries])
    ev = t[events].to_numpy(float)
    ce = t[censored].to_numpy(float)
    en = t[entries].to_numpy(float) if entries is not None else np.zeros(len(t))
    gid = (t.groupby(keys, sort=True, dropna=False, observed=True).ngroup().to_numpy() if keys
           else np.zeros(len(t), int))
    groups = (t.loc[:, keys].drop_duplicates().reset_index(drop=True) if keys
              else pd.DataFrame(index=[0]))
    ng = len(groups)
    grid = np.asarray(sorted(times), dtype=float)
    # Position of each requested time in each group's sorted times: sums over rows strictly
    # before it. Rows are sorted by group then time, so offset the times by group.
    tv = t[time].to_numpy(float)
    span = (np.nanmax(np.abs(tv)) if len(tv) else 0) + np.max(np.abs(grid), initial=0) + 1
    key = gid * 2 * span + tv
    qkey = (np.arange(ng)[:, None] * 2 * span + grid[None, :]).ravel()
    pos = np.searchsorted(key, qkey, side="left")
    starts = np.searchsorted(key, np.arange(ng)[:, None].repeat(len(grid), 1).ravel() * 2 * span
                             - span, side="left")

    def before(x: np.ndarray) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(x)])
        return c[pos] - c[starts]

    ev_b, ce_b, en_b = before(ev), before(ce), before(en)
    total = np.bincount(gid, weights=ev + ce, minlength=ng)[np.repeat(np.arange(ng), len(grid))]
    at_risk = en_b - ev_b - ce_b if entries is not None else total - ev_b - ce_b
    out = groups.loc[np.repeat(np.arange(ng), len(grid))].reset_index(drop=True) if keys \
        else pd.DataFrame(index=range(len(grid)))
    return out.assign(time=np.tile(grid, ng), at_risk=at_risk, events=ev_b, censored=ce_b)


def logrank(counts: pd.DataFrame, *, group: str, by: Sequence[str] = (), time: str = "time",
            events: str = "events", censored: str = "censored", entries: str | None = None
            ) -> pd.DataFrame:
    """Log-rank test of equal survival across the groups in ``group``, per stratum of ``by``.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``groups`` (number compared), ``chi2``, ``df``, ``p_value``; NaN when
        fewer than two groups or no events.

    Notes
    -----
    Mantel (1966) log-rank statistic: at each distinct time, observed minus expected events
    per group under a common hazard, with the hypergeometric covariance; the quadratic form
    over K - 1 groups is chi-square with K - 1 degrees of freedom (a generalised inverse is
    used when the covariance is singular). With two groups it equals ``scipy.stats.logrank``
    (whose statistic is the signed square root). Delayed entry changes only the risk sets.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["a", "a", "b", "b"], "time": [1, 2, 1, 3],
    ...                   "events": [2, 1, 0, 1], "censored": [0, 0, 1, 1]})
    >>> round(float(logrank(t, group="g")["chi2"].iloc[0]), 4)
    4.4643
    """
    keys = list(by)
    cols = [events, censored] + ([entries] if entries is not None else [])
    t = _prepare(counts, [*keys, group], time, [events, censored, entries])
    levels = sorted(pd.unique(t[group]).tolist(), key=str)
    wide = (t.pivot_table(index=[*keys, time], columns=group, values=cols, aggfunc="sum",
                          fill_value=0.0, observed=True)
            .reindex(columns=pd.MultiIndex.from_product([cols, levels]), fill_value=0.0)
            .sort_index())
    k = len(levels)
    d = wide[events].to_numpy(float)
    c = wide[censored].to_numpy(float)
    idx = wide.index.to_frame(index=False)
    sid = (idx.groupby(keys, sort=True, dropna=False).ngroup().to_numpy() if keys
           else np.zeros(len(idx), int))
    ns = int(sid.max()) + 1 if len(sid) else 0
    exits = d + c

    def grouped_cumsum_before(x: np.ndarray) -> np.ndarray:
        cs = np.cumsum(x, axis=0)
        start = np.searchsorted(sid, np.arange(ns))
        offset = np.vstack([np.zeros((1, k)), cs])[start]  # sums before each stratum
        return cs - offset[sid] - x

    if entries is None:
        totals = np.zeros((ns, k))
        np.add.at(totals, sid, exits)
        n = totals[sid] - grouped_cumsum_before(exits)
    else:
        n = grouped_cumsum_before(wide[entries].to_numpy(float)) - grouped_cumsum_before(exits)
    nt = n.sum(axis=1)
    dt = d.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(nt[:, None] > 0, n / nt[:, None], 0.0)
        expected = dt[:, None] * frac
        scale = np.where(nt > 1, dt * (nt - dt) / (nt - 1), 0.0)
    cov_t = scale[:, None, None] * (np.einsum("ij,jk->ijk", frac, np.eye(k))
                                    - frac[:, :, None] * frac[:, None, :])
    o_e = np.zeros((ns, k))
    np.add.at(o_e, sid, d - expected)
    cov = np.zeros((ns, k, k))
    np.add.at(cov, sid, cov_t)
    present = np.zeros((ns, k), bool)
    np.add.at(present, sid, exits + (wide[entries].to_numpy(float) if entries else 0) > 0)
    m = present.sum(axis=1)
    # Drop the last group (the covariance of all K sums is singular) and absent groups.
    chi2 = np.full(ns, np.nan)
    for kk in np.unique(m):
        pick = m == kk
        if kk < 2:
            continue
        u = o_e[pick][:, :-1] if kk == k else None
        if u is None:
            # Uncommon: some strata lack a group; use a generalised inverse on all K groups.
            v = np.linalg.pinv(cov[pick], hermitian=True)
            chi2[pick] = np.einsum("si,sij,sj->s", o_e[pick], v, o_e[pick])
        else:
            v = cov[pick][:, :-1, :-1]
            ok = np.abs(np.linalg.det(v)) > 1e-12
            res = np.full(int(pick.sum()), np.nan)
            if ok.any():
                res[ok] = np.einsum("si,si->s", u[ok], np.linalg.solve(v[ok], u[ok][..., None])[..., 0])
            if (~ok).any():
                pv = np.linalg.pinv(cov[pick][~ok], hermitian=True)
                res[~ok] = np.einsum("si,sij,sj->s", o_e[pick][~ok], pv, o_e[pick][~ok])
            chi2[pick] = res
    df = np.maximum(m - 1, 0).astype(float)
    no_events = np.bincount(sid, weights=dt, minlength=ns) == 0
    chi2 = np.where((m < 2) | no_events, np.nan, chi2)
    df = np.where(np.isnan(chi2), np.nan, df)
    from scipy import special  # imported here: scipy costs a tenth of a second at import

    # special.chdtrc is what scipy.stats.chi2.sf evaluates, without its per-call checks.
    p = np.where(np.isnan(chi2), np.nan, special.chdtrc(np.where(np.isnan(df), 1, df),
                                                         np.where(np.isnan(chi2), 0, chi2)))
    base = (idx.loc[:, keys].drop_duplicates().reset_index(drop=True) if keys
            else pd.DataFrame(index=[0]))
    return base.assign(groups=m.astype(float), chi2=chi2, df=df, p_value=p)


def cumulative_incidence(counts: pd.DataFrame, *, cause: str, by: Sequence[str] = (),
                         time: str = "time", n: str = "n", censored_label: object = None,
                         entries: str | None = None) -> pd.DataFrame:
    """Cumulative incidence of each competing cause (Aalen-Johansen), from a count table.

    Parameters
    ----------
    counts
        One row per group, time and cause: ``by`` columns, ``time``, ``cause`` (e.g. the
        leaving reason) and ``n`` (people). Rows whose cause is ``censored_label`` (default:
        missing) are censored observations.
    entries
        Column of people entering observation at ``time`` (delayed entry, as
        :func:`kaplan_meier`); give entry-only rows the censored label and ``n`` 0.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``time``, ``cause``, ``at_risk``, ``events`` (of that cause at that
        time), ``cumulative_incidence``; one row per group, distinct time and cause.

    Notes
    -----
    Aalen and Johansen (1978): F_k(t) = sum over t_i <= t of S(t_i-) d_ki / n_i, where S is
    the all-cause Kaplan-Meier survival; the causes' incidences and S add to one. With
    ``entries`` the risk sets n_i are those of the left-truncated :func:`kaplan_meier` (the
    Aalen-Johansen estimator is defined on the counting process, so delayed entry only changes
    n_i). No interval.

    Examples
    --------
    >>> t = pd.DataFrame({"time": [1, 1, 2, 3], "cause": ["a", "b", "a", None], "n": [1, 1, 1, 1]})
    >>> cumulative_incidence(t, cause="cause").query("time == 3")["cumulative_incidence"].tolist()
    [0.5, 0.25]
    """
    keys = list(by)
    for col in [*keys, time, cause, n, *([entries] if entries is not None else [])]:
        if col not in counts.columns:
            raise InputError(f"The cumulative-incidence table has no column `{col}`; it has "
                             f"{list(counts.columns)}.", table="survival counts", column=col,
                             rule="required_column")
    is_cens = (counts[cause].isna() if censored_label is None
               else counts[cause] == censored_label)
    t = counts.assign(_cens=np.where(is_cens, counts[n], 0.0),
                      _ev=np.where(is_cens, 0.0, counts[n]))
    causes = sorted(pd.unique(counts.loc[~is_cens, cause]).tolist(), key=str)
    all_cause = kaplan_meier(t, by=keys, time=time, events="_ev", censored="_cens",
                             entries=entries)
    s_before = (all_cause.groupby(keys, sort=False, dropna=False)["survival"].shift(1, fill_value=1.0)
                if keys else all_cause["survival"].shift(1, fill_value=1.0))
    base = all_cause.loc[:, [*keys, time, "at_risk"]].assign(_s=s_before.to_numpy())
    ev = (t.loc[~is_cens].groupby([*keys, time, cause], dropna=False, observed=True)[n].sum()
          .rename("events").reset_index())
    grid = base.merge(pd.DataFrame({cause: causes}), how="cross")
    # Rows stay in (keys, time, cause) order, time ascending within each group and cause,
    # which is all the cumulative sum per (group, cause) below needs.
    out = grid.merge(ev, on=[*keys, time, cause], how="left").fillna({"events": 0.0})
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = np.where(out["at_risk"] > 0, out["_s"] * out["events"] / out["at_risk"], 0.0)
    out["cumulative_incidence"] = pd.Series(inc).groupby([out[k] for k in [*keys, cause]],
                                                         sort=False, dropna=False).cumsum()
    return (out.drop(columns="_s").sort_values([*keys, time, cause], kind="stable")
            .reset_index(drop=True)
            .loc[:, [*keys, time, cause, "at_risk", "events", "cumulative_incidence"]])
