"""Time to leaving and time to first promotion: Kaplan-Meier curves by group.

One engine query builds a per-person spell frame (:func:`equity.cube.tenure_spells` for
leaving, :func:`equity.cube._history.promotion_spells` for promotion), two more count it into
entries and exits by tenure in days (:func:`equity.measures.retention.survival_counts`), and
:mod:`equity.stats` turns those small count tables into curves, log-rank tests, medians,
at-risk tables and cumulative incidence. No row-level data leaves the engine.

Curves have their own tidy shape (not the result schema): ``event``, the ``within`` strata,
the scope labels, ``group_var``, ``group``, ``time``, ``survival``, ``ci_low``, ``ci_high``,
``at_risk``, ``events``, ``censored``, ``entries``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from equity import cube, stats
from equity.codes import Period
from equity.cube._history import leaving_reason_of, promotion_spells
from equity.errors import ParameterError, PeriodError, check_choice
from equity.io import Dataset
from equity.measures._common import (
    and_all,
    band_rank_expr,
    group_var_name,
    record_exclusion,
    snapshot_dates,
    unknown_mask,
    unreached_years,
)
from equity.measures.retention import (
    Scope,
    make_scope,
    reason_shown,
    survival_counts,
    valid_spell,
)
from equity.validation import gated

Event = Literal["leaving", "promotion"]
TimeUnit = Literal["days", "months", "years"]
EVENTS: tuple[str, ...] = ("leaving", "promotion")
#: Days in one unit of ``time_unit`` (Julian year, as lifelines and the ONS use).
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "months": 365.25 / 12, "years": 365.25}
#: Default smallest risk set shown on a curve: docs/methodology.md suppresses counts 1-7 and
#: means and medians from fewer than 8 people; a Kaplan-Meier step is an estimate from the
#: risk set, so the same 8 applies.
MIN_AT_RISK: int = 8
#: Entries are recorded half a day early so that someone first seen on a snapshot date is in
#: the risk set on that day (the stats convention puts an entry at t at risk only after t).
_ENTRY_SHIFT_DAYS = 0.5

CURVE_COLUMNS: tuple[str, ...] = ("time", "survival", "ci_low", "ci_high", "at_risk", "events",
                                  "censored", "entries")
INCIDENCE_COLUMNS: tuple[str, ...] = ("leaving_reason", "time", "cumulative_incidence",
                                      "at_risk", "events")


def _as_date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as err:
        raise ParameterError(
            f"`{name}` must be a date or an ISO date string 'YYYY-MM-DD'; got {value!r}."
        ) from err


def _window(dataset: Dataset, period_start: Any, period_end: Any,
            period: str | Period | None) -> tuple[dt.date, dt.date]:
    """Observation window: first snapshot watched and censoring date."""
    dates = snapshot_dates(dataset)
    if not dates:
        raise PeriodError("The staff table has no snapshot dates, so no one can be followed.")
    if period is not None and period_end is not None:
        raise ParameterError("Give `period` (a financial year, censoring at its 31 March) or "
                             "`period_end` (a date), not both.")
    start = _as_date(period_start, "period_start") if period_start is not None else dates[0]
    if period is not None:
        end = Period.parse(period).end
    else:
        end = _as_date(period_end, "period_end") if period_end is not None else dates[-1]
    inside = [d for d in dates if start <= d <= end]
    if end < start or not inside:
        raise PeriodError(
            f"No staff snapshot between {start:%d %B %Y} and {end:%d %B %Y}, so no one is "
            f"observed in that window. The staff table holds snapshots at: "
            f"{', '.join(f'{d:%d %B %Y}' for d in dates)}. Choose a window holding one.")
    if end <= start:
        raise PeriodError(
            f"No time passes between the first snapshot watched ({start:%d %B %Y}) and the "
            f"end of the window ({end:%d %B %Y}), so no one can be followed over time. Choose "
            "a later period (or an earlier first snapshot).")
    return start, end


def _leavers_missing(dataset: Dataset, start: dt.date, end: dt.date) -> str | None:
    """Why the leavers table cannot date the leaving of people followed from ``start`` to
    ``end`` (a year of the window it does not reach, or reaches only in part: those who left
    then would be followed as staying), or None (:func:`~equity.measures._common.unreached_years`)."""
    first, last = Period.containing(start + dt.timedelta(days=1)), Period.containing(end)
    years = [Period(y) for y in range(first.start_year, last.start_year + 1)]
    missed = unreached_years(dataset, "leavers", years)
    return missed[0][1] if missed else None


def _count_tables(scope: Scope, *, start: dt.date, end: dt.date, event: str, competing: bool,
                  result_attrs: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Entries and exits (days) for the event, with spells left out recorded in attrs."""
    ds = scope.dataset
    name = f"time_to_{event}"
    if event == "leaving":
        frame = cube.tenure_spells(ds.staff, ds.leavers, window_start=start, end=end)
        if competing:
            frame = leaving_reason_of(frame, ds.leavers)
        off_ladder = None
    else:
        # the spells do not depend on the scope counted from them: joined once per window
        # inside a sharing() block (the band ladder is the staff table's own)
        frame = cube.shared(ds.staff, ("promotion_spells", start, end),
                            lambda: promotion_spells(ds.staff, window_start=start, end=end,
                                                     rank=band_rank_expr(ds.staff)), hold=True)
        off_ladder = nw.col("entry_rank").is_null()
        n = cube.count(frame, [], where=and_all(scope.where, off_ladder))["n"].sum()
        scope = dataclasses.replace(scope, where=and_all(scope.where, ~off_ladder))
    holder = pd.DataFrame()
    bad = cube.count(frame, [], where=and_all(scope.where, ~valid_spell()))["n"].sum()
    record_exclusion(holder, indicator=name, table="staff", count=bad,
                     reason="employment spells with a missing org_start_date, or a start date "
                            "after the date they end or are last seen")
    if off_ladder is not None:
        record_exclusion(holder, indicator=name, table="staff", count=n,
                         reason="staff whose band when first seen is not on the band ladder")
    result_attrs["exclusions"] = holder.attrs.get("exclusions", [])
    return survival_counts(scope, window_start=start, end=end, frame=frame,
                           extra_keys=["leaving_reason"] if competing else [])


def _km_counts(entries: pd.DataFrame, exits: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One count table (days): entries shifted half a day early, exits summed over causes."""
    ent = entries.assign(time=entries["time"] - _ENTRY_SHIFT_DAYS, events=0.0, censored=0.0)
    ent = ent.rename(columns={"n": "entries"})
    ex = (exits.groupby([*keys, "time"], dropna=False, sort=False)[["events", "censored"]].sum()
          .reset_index().assign(entries=0.0))
    cols = [*keys, "time", "events", "censored", "entries"]
    parts = [p.loc[:, cols] for p in (ent, ex) if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in keys else float) for c in cols})
    out = pd.concat(parts, ignore_index=True)
    return (out.groupby([*keys, "time"], dropna=False, sort=True)[cols[len(keys) + 1:]].sum()
            .reset_index())


def _shown_range(km: pd.DataFrame, keys: list[str], min_at_risk: int) -> pd.DataFrame:
    """Per curve: the stretch of time around its largest risk set in which at least
    ``min_at_risk`` are at risk throughout: its first time (``t_lo``) and the first later
    time with fewer (``t_hi``, NaN when the risk set never falls below it again).

    With late entry the risk set can reach ``min_at_risk``, dip under it and grow well past
    it (8 at risk at 2 months, 7 just after, 29 a year later): the stretch is the one around
    the largest risk set, not the first, which would leave one point of the curve."""
    g = [km[k] for k in keys]
    ok = km["at_risk"] >= min_at_risk
    largest = km["at_risk"].groupby(g, dropna=False).transform("max")
    peak = (km["time"].where(ok & (km["at_risk"] == largest))
            .groupby(g, dropna=False).transform("min"))
    # the last time before the peak with too few at risk: the stretch starts after it
    gap = (km["time"].where(~ok & (km["time"] < peak))
           .groupby(g, dropna=False).transform("max"))
    t_lo = (km["time"].where(ok & (km["time"] <= peak) & ((km["time"] > gap) | gap.isna()))
            .groupby(g, dropna=False).transform("min"))
    t_hi = (km["time"].where((km["time"] > peak) & ~ok)
            .groupby(g, dropna=False).transform("min"))
    return (km.loc[:, keys].assign(t_lo=t_lo.to_numpy(), t_hi=t_hi.to_numpy())
            .drop_duplicates(keys).reset_index(drop=True))


def _conditional(counts: pd.DataFrame, rng: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Events before a curve's first shown time become censorings: the curve is then
    conditional on being in post (not yet promoted) at that time, and no step from a small
    risk set is carried into the values shown."""
    c = counts.merge(rng, on=keys, how="left")
    early = (c["time"] < c["t_lo"]).to_numpy() | c["t_lo"].isna().to_numpy()
    c["censored"] = np.where(early, c["censored"] + c["events"], c["censored"])
    c["events"] = np.where(early, 0.0, c["events"])
    return c.drop(columns=["t_lo", "t_hi"])


def _in_range(t: pd.DataFrame, rng: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    m = t.merge(rng, on=keys, how="left")
    keep = ((m["time"] >= m["t_lo"]) & ((m["time"] < m["t_hi"]) | m["t_hi"].isna())
            & (m["time"] >= 0)).to_numpy()
    return t.loc[keep].reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    # Plain records, not frames, in attrs: pandas compares attrs on concat and deep-copies
    # them on every operation.
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


@gated
def survival_curves(
    dataset: Dataset,
    *,
    period_start: dt.date | str | None = None,
    period_end: dt.date | str | None = None,
    period: str | Period | None = None,
    by: str | Sequence[str] = "ethnicity",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    event: Event = "leaving",
    time_unit: TimeUnit = "months",
    competing: bool = False,
    min_at_risk: int = MIN_AT_RISK,
    exclude_bank: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Kaplan-Meier curves of time to leaving (or to first promotion) by group.

    Parameters
    ----------
    dataset
        The canonical bundle: ``staff``; ``leavers`` for time to leaving.
    period_start
        First snapshot watched (default: the first snapshot in the data). Staff in post then
        enter the risk set at their tenure on that date (left truncation, delayed entry).
    period_end, period
        Censoring date: a date, or a financial year (censoring at its 31 March). Default:
        the last snapshot in the data.
    by, within, staff_group, directorate, profession, exclude_bank
        As :func:`equity.measures.retention.retention`; ``within=("profession",)`` gives
        one curve per group and profession.
    event
        ``"leaving"`` (leaving the organisation) or ``"promotion"`` (first band rise seen
        between snapshots).
    time_unit
        Unit of ``time``: ``"months"`` (default), ``"years"`` or ``"days"``.
    competing
        Time to leaving only: return the cumulative incidence of each leaving reason
        (competing risks) instead of the survival curve.
    min_at_risk
        Smallest risk set shown (default 8, see :data:`MIN_AT_RISK`); 0 shows everything.
    confidence
        Level of the pointwise intervals.

    Returns
    -------
    pandas.DataFrame
        One row per curve and distinct time: ``event``, the ``within`` strata, scope labels,
        ``group_var``, ``group``, ``time`` (tenure since ``org_start_date``), ``survival``,
        ``ci_low``, ``ci_high``, ``at_risk``, ``events``, ``censored``, ``entries`` (people
        first observed then). With ``competing=True`` instead ``leaving_reason``, ``time``,
        ``cumulative_incidence``, ``at_risk``, ``events``, one row per reason seen and time.
        ``attrs``: ``logrank`` (records: strata, ``groups``, ``chi2``, ``df``, ``p_value``;
        known groups only), ``median`` (records: strata, group, ``median``, ``ci_low``,
        ``ci_high``, from the curve shown), ``truncation`` (records: strata, group,
        ``shown_from``, ``truncated_at``), ``min_at_risk``, ``disclosure`` (what was hidden
        and why), ``time_unit``, ``window``, ``exclusions``, and ``not_computed`` when time to
        leaving has no leavers table.

    Notes
    -----
    Time to leaving: one record per employment spell (a person and an ``org_start_date``, so
    a re-joiner has one per spell; :func:`equity.cube.tenure_spells`), tenure from the
    spell's ``org_start_date`` to its leave date (the first on or after its last snapshot
    seen and before the person's next start date), censored at the period end (or, for a
    spell followed by a re-join with no leave recorded, at its last snapshot); a spell
    enters observation at its tenure on its first snapshot in the window (left truncation:
    spells that began and ended between snapshots are never seen). Time to first promotion:
    tenure to the first snapshot
    showing a higher band than an earlier snapshot of the same employment spell, censored at
    the spell's last snapshot in the window; staff who joined before the window may have been
    promoted before it, so this is the first promotion *seen*. Kaplan-Meier with the
    Tsai-Jewell-Wang risk sets for delayed entry, Greenwood log-log intervals, Mantel
    log-rank test across the known groups per stratum, Brookmeyer-Crowley median interval,
    Aalen-Johansen cumulative incidence (see :mod:`equity.stats`).

    Disclosure: each curve is shown over the stretch of time around its largest risk set in
    which at least ``min_at_risk`` are at risk throughout: from the stretch's first time
    (events before it are treated as censored, so the curve is conditional on being in post
    then and no step from a smaller risk set is visible), truncated at the first later time
    the risk set falls below it. The log-rank test uses every spell.

    Examples
    --------
    >>> import equity as eq                                            # doctest: +SKIP
    >>> km = eq.survival_curves(data, period="2024/25", within=("profession",))  # doctest: +SKIP
    >>> km.attrs["logrank"]                                            # doctest: +SKIP
    """
    check_choice("event", event, list(EVENTS))
    check_choice("time_unit", time_unit, list(DAYS_PER_UNIT))
    if competing and event != "leaving":
        raise ParameterError("Competing risks (by leaving reason) apply to event='leaving' "
                             f"only; got event={event!r}.")
    if min_at_risk < 0:
        raise ParameterError(f"`min_at_risk` must be 0 or more; got {min_at_risk!r}.")
    dataset.require("staff")
    start, end = _window(dataset, period_start, period_end, period)
    scope = make_scope(dataset, period=Period.containing(end), by=by, within=within,
                       staff_group=staff_group, directorate=directorate, profession=profession,
                       exclude_bank=exclude_bank, need_start=False, check_period=False)
    keys = [*scope.within, "group"]
    unit = DAYS_PER_UNIT[time_unit]
    attrs: dict[str, Any] = {"event": event, "time_unit": time_unit, "min_at_risk": min_at_risk,
                             "window": {"start": start.isoformat(), "end": end.isoformat()}}
    value_cols = INCIDENCE_COLUMNS if competing else CURVE_COLUMNS
    why = (None if event != "leaving" else "the dataset has no leavers table"
           if dataset.leavers is None else _leavers_missing(dataset, start, end))
    if why:
        out = _shape(pd.DataFrame({c: [] for c in [*keys, *value_cols]}), scope, event,
                     value_cols)
        out.attrs.update(attrs, logrank=[], median=[], truncation=[], exclusions=[],
                         not_computed={"time_to_leaving": why})
        return out
    entries, exits = _count_tables(scope, start=start, end=end, event=event,
                                   competing=competing, result_attrs=attrs)
    counts = _km_counts(entries, exits, keys)
    opts: dict[str, Any] = dict(time="time", events="events", censored="censored",
                                entries="entries")
    km = stats.kaplan_meier(counts, by=keys, confidence=confidence, **opts)
    rng = _shown_range(km, keys, min_at_risk)
    cond = _conditional(counts, rng, keys)

    known = counts.loc[~unknown_mask(counts["group"], scope.gs).to_numpy()]
    lr = (stats.logrank(known, group="group", by=scope.within, **opts) if len(known)
          else pd.DataFrame())
    attrs["logrank"] = _records(lr.assign(group_var=group_var_name(scope.gs))) if len(lr) else []

    curve = _in_range(stats.kaplan_meier(cond, by=keys, confidence=confidence, **opts),
                      rng, keys)
    med = stats.median_survival(curve, by=keys) if len(curve) else pd.DataFrame()
    for c in ("median", "ci_low", "ci_high"):
        if c in med:
            med[c] = med[c] / unit
    attrs["median"] = _records(med)

    if competing:
        out = _competing(cond, exits, rng, keys)
    else:
        out = curve.drop(columns="std_err")
    out = out.assign(time=out["time"] / unit)
    shown = out.groupby(keys, dropna=False)["time"].max().rename("shown_until").reset_index()
    trunc = rng.merge(shown, on=keys, how="left")
    trunc = trunc.assign(shown_from=trunc["t_lo"].clip(lower=0) / unit,
                         truncated_at=trunc["t_hi"] / unit).drop(columns=["t_lo", "t_hi"])
    attrs["truncation"] = _records(trunc)
    hidden = int(trunc["shown_from"].isna().sum() + trunc["truncated_at"].notna().sum())
    attrs["disclosure"] = (
        f"Curves are shown only where at least {min_at_risk} people are at risk: each over the "
        "stretch around its largest risk set in which at least that many are at risk "
        "throughout (conditional on being in post at its start), stopping when the risk set "
        "falls below that size. "
        + (f"{hidden} curve start(s) or end(s) were hidden; see attrs['truncation']."
           if hidden else "Nothing was hidden."))
    out = _shape(out, scope, event, value_cols)
    out.attrs.update(attrs)
    return out


def _competing(cond: pd.DataFrame, exits: pd.DataFrame, rng: pd.DataFrame,
               keys: list[str]) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of each leaving reason, over the shown range."""
    ex = exits.merge(rng, on=keys, how="left")
    early = ((ex["time"] < ex["t_lo"]) | ex["t_lo"].isna()).to_numpy()
    reason = reason_shown(ex["leaving_reason"])
    events = ex.loc[~early].assign(leaving_reason=reason[~early], n=ex["events"][~early])
    cens = ex.assign(leaving_reason=None,
                     n=np.where(early, ex["events"] + ex["censored"], ex["censored"]))
    ent = cond.loc[cond["entries"] > 0].assign(leaving_reason=None, n=0.0)
    cols = [*keys, "time", "leaving_reason", "n", "entries"]
    table = pd.concat([events.assign(entries=0.0).loc[:, cols],
                       cens.assign(entries=0.0).loc[:, cols], ent.loc[:, cols]],
                      ignore_index=True)
    table = table.assign(leaving_reason=table["leaving_reason"].astype(object))
    ci = stats.cumulative_incidence(table, cause="leaving_reason", by=keys, time="time", n="n",
                                    entries="entries")
    return _in_range(ci, rng, keys)


def _shape(out: pd.DataFrame, scope: Scope, event: str, value_cols: Sequence[str]
           ) -> pd.DataFrame:
    out = out.assign(event=event, group_var=group_var_name(scope.gs))
    for k, v in scope.labels.items():
        out[k] = v
    order = ["event", *scope.within, *scope.labels, "group_var", "group", *value_cols]
    return out.loc[:, order].reset_index(drop=True)


def at_risk(curve_or_dataset: pd.DataFrame | Dataset, *, times: Sequence[float],
            **options: Any) -> pd.DataFrame:
    """Numbers at risk at chosen times, per curve: the table printed under a Kaplan-Meier plot.

    Parameters
    ----------
    curve_or_dataset
        A table returned by :func:`survival_curves`, or a dataset (then ``options`` are
        passed to :func:`survival_curves` first).
    times
        Times in the curve's ``time_unit``.

    Returns
    -------
    pandas.DataFrame
        ``event``, strata, scope labels, ``group_var``, ``group``, ``time``, ``at_risk``
        (people at risk just before ``time``), ``events`` and ``censored`` (cumulative over
        the curve shown, strictly before ``time``). NaN where the curve is hidden
        (``min_at_risk``): before it starts, and after it was truncated.

    Notes
    -----
    :func:`equity.stats.at_risk_table` on the curve's own rows, which hold every time at
    which someone enters or exits within the shown range; the risk set at the first shown
    time seeds it.
    """
    if isinstance(curve_or_dataset, Dataset):
        curve = survival_curves(curve_or_dataset, **options)
    elif options:
        raise ParameterError(f"Options {sorted(options)} apply only when at_risk() is given a "
                             "dataset; a curve already fixes them.")
    else:
        curve = curve_or_dataset
    if "truncation" not in curve.attrs:
        raise ParameterError("at_risk() needs a table returned by survival_curves() (its "
                             "attrs['truncation'] says which part of each curve is shown).")
    if "entries" not in curve:
        raise ParameterError("at_risk() reads a survival curve (competing=False); the "
                             "cumulative-incidence table has the same risk sets, so pass the "
                             "curve of the same call with competing=False.")
    cols = list(curve.columns)
    keys = cols[1:cols.index("group") + 1]  # strata, scope labels, group_var, group
    rows = curve.loc[:, [*keys, "time", "at_risk", "events", "censored", "entries"]]
    # Seed each curve with its risk set at the first time shown, entering before any time
    # asked for (times before the curve starts are hidden below).
    first = rows.groupby(keys, dropna=False, sort=False).head(1)
    seed = first.assign(time=np.minimum(first["time"].to_numpy(float), 0.0) - 1.0,
                        entries=first["at_risk"], events=0.0, censored=0.0)
    table = pd.concat([seed, rows], ignore_index=True)
    out = stats.at_risk_table(table, times=times, by=keys, time="time", events="events",
                              censored="censored", entries="entries")
    trunc = pd.DataFrame(curve.attrs["truncation"])
    info = trunc.loc[:, [c for c in trunc.columns if c in keys or c in
                         ("shown_from", "shown_until", "truncated_at")]]
    m = out.merge(info, on=[k for k in keys if k in info.columns], how="left")
    hidden = ((m["time"] < m["shown_from"].astype(float))
              | ((m["time"] > m["shown_until"].astype(float)) & m["truncated_at"].notna()))
    out.loc[hidden.to_numpy(), ["at_risk", "events", "censored"]] = np.nan
    out.insert(0, "event", curve.attrs.get("event"))
    return out


__all__ = ["DAYS_PER_UNIT", "EVENTS", "MIN_AT_RISK", "at_risk", "survival_curves"]
