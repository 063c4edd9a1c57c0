"""Workforce Race Equality Standard (WRES) indicators 1-9.

Definitions and directions follow NHS England, *Workforce Race Equality Standard: technical
guidance* (2024), as summarised in docs/methodology.md "Indicators". The building blocks here are
written once for any equality grouping, and :mod:`equity.measures.wdes` reuses them for the
Workforce Disability Equality Standard.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

import narwhals as nw
import numpy as np
import pandas as pd

from equity import cube, stats
from equity.codes import Period
from equity.errors import PeriodError
from equity.io import Dataset
from equity.measures._common import (
    Grouping,
    and_all,
    as_groupings,
    at,
    between,
    code_columns,
    count_derive,
    group_counted,
    grouped_counts,
    is_bank,
    not_computed,
    rate_rows,
    record_exclusion,
    reference_of,
    scope_filter,
    selected,
    snapshot_dates,
    uncovered,
    unknown_mask,
)
from equity.measures.representation import (
    By,
    _bank_count,
    _check_by,
    _context,
    _Ctx,
    _drop_unknown,
    _flag,
    _in_post,
    _missing_columns,
    _raw,
    _shares,
    _with_totals,
)
from equity.registry import get as get_meta
from equity.result import (
    NOT_APPLICABLE,
    WORKFORCE_VARIANT,
    concat_results,
    empty_result,
    make_result,
)
from equity.validation import gated

Average = Literal["snapshot", "two_year"]

#: Variant label of WRES 2 without international recruits.
EXCLUDING_INTERNATIONAL = "excluding international recruits"

# --------------------------------------------------------------------------- metric 1


def workforce_by_band(ctx: _Ctx, gs: Sequence[Grouping], *, indicator: str) -> pd.DataFrame:
    """WRES 1 / WDES 1: shares by band within clinical / non-clinical, per clinical split, and
    for the whole workforce; Unknown in the denominator; bank staff excluded (counted)."""
    return _shares(ctx, gs, indicator=indicator, exclude_bank=True,
                   extra_keys=("clinical", "band"), rollups=(("clinical",), ()))


# --------------------------------------------------------------------------- appointment (2)


def appointment(
    ctx: _Ctx, gs: Sequence[Grouping], *, indicator: str,
    orientation: Literal["group_over_reference", "reference_over_group"],
    exclude_international: bool = False,
) -> pd.DataFrame:
    """Relative likelihood of appointment from shortlisting (WRES 2 / WDES 2).

    Rows: recruitment applications whose ``closing_date`` falls in the financial year and
    that were shortlisted; numerator the appointed among them. Unknown groups excluded and
    counted; applications with no closing date counted as excluded.
    """
    ds = ctx.dataset
    label = f"{indicator} ({EXCLUDING_INTERNATIONAL})" if exclude_international else indicator
    if ds.recruitment is None:
        return not_computed(label, "no recruitment table in the dataset")
    need = ["closing_date", "shortlisted", "appointed", *(g.column for g in gs),
            *(_raw(w) for w in ctx.within),
            *(c for c, v in (("staff_group", ctx.staff_group), ("directorate", ctx.directorate),
                             ("profession", ctx.profession)) if v not in (None, "all")),
            *(["international"] if exclude_international else [])]
    missing = _missing_columns(ds.recruitment, need)
    if missing:
        return not_computed(label, f"the recruitment table has no {', '.join(missing)} column(s)")
    p = ctx.period
    why = uncovered(ds, "recruitment", p)
    if why:
        return not_computed(label, why)
    scope = scope_filter(ds.recruitment, table="recruitment", staff_group=ctx.staff_group,
                         directorate=ctx.directorate, profession=ctx.profession,
                         check_values=False)
    in_year = between(p.start, p.end, "closing_date")
    where = and_all(in_year, _flag("shortlisted"), scope,
                    ~_flag("international") if exclude_international else None)
    counts = grouped_counts(ds.recruitment, gs, within=ctx.within, where=where,
                            derive={"appt": _flag("appointed").cast(nw.Float64())}, sums=["appt"],
                            share=ctx.share(ds.recruitment, "appointment", exclude_international))
    unknown = counts.loc[unknown_mask(counts["group"], gs).to_numpy(), "n"].sum()
    counts = _drop_unknown(counts, gs)
    out = rate_rows(counts, indicator=indicator, period=p, numerator="sum_appt",
                    denominator="n", gs=gs, within=ctx.within, orientation=orientation,
                    variant=EXCLUDING_INTERNATIONAL if exclude_international else None,
                    min_n=ctx.min_n, confidence=ctx.confidence)
    record_exclusion(out, indicator=label, table="recruitment",
                     reason="shortlisted applicants with unknown group", count=unknown)
    no_date = cube.count(ds.recruitment, [], where=and_all(nw.col("closing_date").is_null(),
                                                           scope))["n"].sum()
    return record_exclusion(out, indicator=label, table="recruitment",
                            reason="applications with no closing date", count=no_date)


# --------------------------------------------------------------------------- events (3, 4)

# Whether a person with an event is counted: matched to a staff record in scope, matched out
# of scope, not matched at either snapshot (counted as excluded), or matched to a bank
# record in scope (counted as excluded).
_IN_SCOPE, _OUT_OF_SCOPE, _UNMATCHED, _BANK = 1, 2, 3, 4


def _people_counts(ctx: _Ctx, gs: Sequence[Grouping], events: nw.LazyFrame, year: Period
                   ) -> tuple[pd.DataFrame, float, float]:
    """Count unique people with an event in ``year`` by the strata and group of their staff
    record at the year's closing snapshot or, for those who left during it, its opening one.

    Returns the counts (column ``events``), the number of people with no staff record at
    either snapshot and the number whose record in scope is a bank one (both excluded,
    reported). One engine query: every person once, with their record or none, counted by
    strata, codes and whether they are matched, in scope and on bank.
    """
    # a person is a staff_id within an organisation when both tables carry one
    key = cube.person_key(ctx.dataset.staff, events)
    people = cube.distinct_rows(events, key)
    # the people (few) joined to the two snapshots' rows, then each person's closing
    # record, or their opening one when they left during the year, or none (one row of
    # nulls). The people are read once: a SQL engine would otherwise find them twice.
    joined = cube.rows_of(
        people, cube.snapshot_rows(ctx.dataset.staff, year.snapshot, year.start_snapshot), key,
        how="left")
    date = nw.col("snapshot_date")
    latest = joined.filter(date.is_null() | (date == date.max().over(*key)))
    scope = ctx.staff_scope if ctx.staff_scope is not None else nw.lit(True)
    status = (nw.when(date.is_null()).then(nw.lit(_UNMATCHED))
              .when(~scope.fill_null(False)).then(nw.lit(_OUT_OF_SCOPE))
              .when(is_bank(ctx.dataset.staff)).then(nw.lit(_BANK))
              .otherwise(nw.lit(_IN_SCOPE)))
    keys = list(ctx.within)
    raw_cols = code_columns(gs)
    counted = cube.count(latest, [*keys, *raw_cols, "_status"],
                         derive=count_derive(keys, {"_status": status}))
    unmatched = counted.loc[counted["_status"] == _UNMATCHED, "n"].sum()
    bank = counted.loc[counted["_status"] == _BANK, "n"].sum()
    counted = counted.loc[counted["_status"] == _IN_SCOPE].drop(columns="_status")
    grouped = group_counted(counted.reset_index(drop=True), gs, keys)
    return grouped.rename(columns={"n": "events"}), float(unmatched), float(bank)


def event_likelihood(
    ctx: _Ctx, gs: Sequence[Grouping], *, indicator: str, table: str,
    events_where: nw.Expr | None,
    date_column: str, describe: str,
    orientation: Literal["group_over_reference", "reference_over_group"],
    average: Average = "snapshot",
) -> pd.DataFrame:
    """Relative likelihood of an event among staff in post (WRES 3, WRES 4, WDES 3).

    Numerator: unique people with an event (``events_where`` on ``table``) dated in the
    financial year; denominator: headcount at the closing 31 March snapshot. Bank staff are
    left out of both, as from WRES 1 (the bank-only workforce has a standard of its own,
    NHS England's Bank WRES), and counted in ``attrs["exclusions"]``.
    With ``average="two_year"`` both are summed over this year and the previous one (a
    two-year rolling average: the ratio of the sums equals the ratio of the averages).
    """
    ds = ctx.dataset
    frame = getattr(ds, table)
    if frame is None:
        return not_computed(indicator, f"no {table} table in the dataset")
    missing = _missing_columns(frame, ["staff_id", date_column])
    if missing:
        return not_computed(indicator, f"the {table} table has no {', '.join(missing)} column(s)")
    years = [ctx.period]
    if average == "two_year":
        prev = ctx.period.previous()
        if prev.snapshot not in snapshot_dates(ds):
            raise PeriodError(
                f"A two-year average for {ctx.period} needs the staff snapshot at "
                f"{prev.snapshot:%d %B %Y} (closing {prev}), which the staff table does not "
                "have. Use average='snapshot', or add that snapshot."
            )
        years.append(prev)
    for year in years:
        why = uncovered(ds, table, year)
        if why:
            return not_computed(indicator, why)
    keys = [*ctx.within, "group"]
    num_parts, den_parts, unmatched, bank_events, bank_staff = [], [], 0.0, 0.0, 0.0
    for year in years:
        ev = cube.lazy(frame).filter(between(year.start, year.end, date_column))
        if events_where is not None:
            ev = ev.filter(events_where)
        n, u, b = _people_counts(ctx, gs, ev, year)
        num_parts.append(n)
        unmatched += u
        bank_events += b
        den_parts.append(_in_post(ctx, gs, within=ctx.within, snapshot=year.snapshot,
                                  exclude_bank=True))
        bank_staff += _bank_count(ctx, year.snapshot)
    den = cube.regroup(pd.concat(den_parts, ignore_index=True), keys)
    nums = [n for n in num_parts if len(n)]
    if nums:
        num = cube.regroup(pd.concat(nums, ignore_index=True).rename(columns={"events": "n"}),
                           keys).rename(columns={"n": "events"})
        counts = den.merge(num, on=keys, how="left")
        # A person matched only to a stratum absent from the headcount still counts.
        extra = num.merge(den[keys], on=keys, how="left", indicator=True)
        extra = extra.loc[extra["_merge"] == "left_only", [*keys, "events"]]
        counts = pd.concat([counts, extra.assign(n=0.0)], ignore_index=True)
    else:
        counts = den.assign(events=0.0)
    counts["events"] = counts["events"].fillna(0.0)
    unknown = counts.loc[unknown_mask(counts["group"], gs).to_numpy(), ["n", "events"]].sum()
    counts = _drop_unknown(counts, gs)
    out = rate_rows(counts, indicator=indicator, period=ctx.period, numerator="events",
                    denominator="n", gs=gs, within=ctx.within, orientation=orientation,
                    variant="two-year average" if average == "two_year" else None,
                    min_n=ctx.min_n, confidence=ctx.confidence)
    record_exclusion(out, indicator=indicator, table="staff",
                     reason="staff with unknown group (headcount)", count=unknown["n"])
    record_exclusion(out, indicator=indicator, table="staff", reason="bank staff (headcount)",
                     count=bank_staff)
    record_exclusion(out, indicator=indicator, table=table,
                     reason=f"{describe} by bank staff", count=bank_events)
    record_exclusion(out, indicator=indicator, table=table,
                     reason=f"{describe} by staff with unknown group", count=unknown["events"])
    no_date = cube.count(frame, [], where=and_all(events_where,
                                                  nw.col(date_column).is_null()))["n"].sum()
    record_exclusion(out, indicator=indicator, table=table,
                     reason=f"{describe} with no {date_column}", count=no_date)
    return record_exclusion(
        out, indicator=indicator, table=table,
        reason=f"{describe} by people with no staff record at either 31 March snapshot",
        count=unmatched)


# --------------------------------------------------------------------------- board (9)


def board_gap(ctx: _Ctx, gs: Sequence[Grouping], *, indicator: str) -> pd.DataFrame:
    """Board voting members' share minus the workforce share, in percentage points (WRES 9 /
    WDES 10), for every group level.

    ``numerator`` / ``denominator``: board voting members in the group / all voting members;
    ``value`` (board share − workforce share) × 100 with the board's Wilson interval shifted
    by the workforce share; ``ratio`` board share ÷ workforce share (status by the
    four-fifths rule for groups other than the reference; library method).

    A second row per group, ``variant`` ``"workforce"`` (:data:`WORKFORCE_VARIANT`), carries
    the comparison: ``numerator`` / ``denominator`` the group's / whole workforce's headcount,
    ``value`` the workforce share in percent (Wilson interval). Disclosure control recomputes
    the difference from the published counts of both rows (docs/methodology.md "Disclosure
    control": no figure from exact counts beside rounded ones).
    """
    ds = ctx.dataset
    if ds.board is None:
        return not_computed(indicator, "no board table in the dataset")
    keys = [w for w in ctx.within if w == "organisation"]
    missing = _missing_columns(ds.board, ["snapshot_date", "voting", *keys,
                                          *(g.column for g in gs)])
    if missing:
        return not_computed(indicator, f"the board table has no {', '.join(missing)} column(s)")
    where = and_all(at(ctx.period.snapshot), _flag("voting"))
    board = _with_totals(grouped_counts(ds.board, gs, within=keys, where=where,
                                        share=ctx.share(ds.board, "voting")), keys)
    if board["n"].sum() == 0:
        return not_computed(indicator, f"the board table has no voting members at "
                                       f"{ctx.period.snapshot:%d %B %Y}")
    # The board governs the whole organisation: compare with its whole workforce (bank
    # staff excluded as in WRES 1), whatever directorate / staff-group scope was asked for.
    wf = _in_post(ctx, gs, within=keys, exclude_bank=True, scoped=False)
    wf = _with_totals(wf, keys).rename(columns={"n": "wf_n", "total": "wf_total"})
    m = board.merge(wf, on=[*keys, "group"], how="left")
    wf_share = (m["wf_n"] / m["wf_total"].where(m["wf_total"] > 0)).to_numpy(dtype=float)
    r = rate_rows(m, indicator=indicator, period=ctx.period, numerator="n", denominator="total",
                  gs=gs, within=keys, compare=False, min_n=ctx.min_n, confidence=ctx.confidence)
    share, lo, hi = (r[c].to_numpy(dtype=float) for c in ("value", "ci_low", "ci_high"))
    r["value"], r["ci_low"], r["ci_high"] = ((x - wf_share) * 100 for x in (share, lo, hi))
    ref = reference_of(gs)
    eligible = ((m["group"] != ref) & ~unknown_mask(m["group"], gs)).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(wf_share > 0, share / wf_share, np.nan)
        r["ratio"] = np.where(eligible, ratio, np.nan)
        r["ratio_ci_low"] = np.where(eligible, lo / wf_share, np.nan)
        r["ratio_ci_high"] = np.where(eligible, hi / wf_share, np.nan)
    status = stats.classify(ratio, m["total"], m["wf_total"], harm=get_meta(indicator).harm,
                            min_n=ctx.min_n)
    r["status"] = np.where(eligible, status, r["status"])
    r["reference_group"] = ["workforce" if e else None for e in eligible]
    wf_rows = rate_rows(m, indicator=indicator, period=ctx.period, numerator="wf_n",
                        denominator="wf_total", gs=gs, within=keys, compare=False,
                        variant=WORKFORCE_VARIANT, min_n=ctx.min_n, confidence=ctx.confidence)
    for c in ("value", "ci_low", "ci_high"):
        wf_rows[c] = wf_rows[c] * 100
    wf_rows["status"] = NOT_APPLICABLE
    return concat_results([make_result(r, indicator=indicator), wf_rows])


# --------------------------------------------------------------------------- survey (5-8)


def survey_rows(ctx: _Ctx, gs: Sequence[Grouping], *, ids: Sequence[str], group_var: str
                ) -> pd.DataFrame:
    """Staff-survey percentages by group from the aggregated ``survey`` table.

    Rows for the period and ``group_var``; whole-organisation rows (blank directorate) unless a
    directorate scope or ``within=("directorate",)`` is asked for; when only directorate rows
    exist they are summed (respondents and positive answers add up). Other strata cannot be
    split from an aggregated table and are not applied.
    """
    ds = ctx.dataset
    if ds.survey is None:
        return _not_computed_all({i: "no survey table in the dataset" for i in ids})
    missing = _missing_columns(ds.survey, ["period", "indicator", "group_var", "group",
                                           "respondents", "positive"])
    if missing:
        return _not_computed_all({i: f"the survey table has no {', '.join(missing)} column(s)"
                                  for i in ids})
    cols = set(cube.columns(ds.survey))
    keys = [k for k in ("organisation", "directorate") if k in cols]
    # one query for WRES and WDES rows alike
    s = cube.shared(ds.survey, ("survey", tuple(keys)), lambda: cube.count(
        ds.survey, ["period", "indicator", "group_var", "group", *keys],
        sums=["respondents", "positive"]))
    s = s.loc[(s["period"].astype(str) == str(ctx.period)) & (s["group_var"] == group_var)]
    g = gs[0]
    s = s.assign(group=np.where(s["group"].isin(g.levels), s["group"],
                                g.mapper(s["group"]).to_numpy()))
    split = [k for k in ("organisation", "directorate") if k in ctx.within and k in keys]
    if "directorate" in keys:
        if ctx.directorate is not None:
            s = s.loc[s["directorate"] == ctx.directorate]
        elif "directorate" not in split and s["directorate"].isna().any():
            s = s.loc[s["directorate"].isna()]
        elif "directorate" in split:
            s = s.loc[s["directorate"].notna()]
    tables, absent = [], {}
    for i in ids:
        si = s.loc[s["indicator"] == i]
        if si.empty:
            absent[i] = f"no {group_var} rows of the survey table for {ctx.period}"
            continue
        c = si.groupby([*split, "group"], dropna=False, sort=False)[
            ["sum_respondents", "sum_positive"]].sum().reset_index()
        # The survey reports known groups only: no Unknown row to fill; a question asked of
        # some groups only (WDES 8, of Disabled staff) gets no row for the others.
        asked = get_meta(i).asked_of or [lv for lv in g.levels if lv != g.unknown]
        c = cube.complete(c, {**{k: sorted(c[k].dropna().unique()) for k in split},
                              "group": list(asked)})
        tables.append(c.assign(indicator=i))
    if not tables:
        return _not_computed_all(absent)
    # One rate_rows call for every survey indicator (plain shares: rows stay in order).
    c = pd.concat(tables, ignore_index=True)
    out = rate_rows(c, indicator=ids[0], period=ctx.period, numerator="sum_positive",
                    denominator="sum_respondents", gs=(g,), within=split, compare=False,
                    min_n=ctx.min_n, confidence=ctx.confidence)
    out["indicator"] = c["indicator"].to_numpy()
    if absent:
        out.attrs["not_computed"] = absent
    return out


def _not_computed_all(reasons: dict[str, str]) -> pd.DataFrame:
    """One empty result recording several indicators as not computed (cheaper than one each)."""
    out = not_computed(next(iter(reasons)), "") if reasons else empty_result()
    out.attrs["not_computed"] = dict(reasons)
    return out


# --------------------------------------------------------------------------- WRES


@gated
def wres(
    dataset: Dataset, *, period: str | Period, by: By = "ethnicity", within: Sequence[str] = (),
    staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, wres3_average: Average = "snapshot",
    min_n: int = stats.MIN_N, indicators: Collection[str] | None = None,
) -> pd.DataFrame:
    """The Workforce Race Equality Standard indicators 1-9 for one financial year.

    Parameters
    ----------
    dataset
        The canonical bundle; recruitment, casework, training, board and survey are used
        when present (an absent table leaves its indicator in ``attrs["not_computed"]``).
    period
        NHS financial year ("2024/25"): snapshot 31 March 2025, events 1 April 2024 to
        31 March 2025.
    by
        ``"ethnicity"`` (White / BME / Unknown) or an intersection such as
        ``("ethnicity", "sex")``; ratios then compare each group with "White × Male".
    within
        Strata (``directorate``, ``profession``, ...). WRES 1 is always split by band and
        clinical / non-clinical; WRES 9 is organisation-level; WRES 5-8 split by directorate
        only (aggregated survey table).
    staff_group, directorate, profession
        Restrict to one value (``staff_group="all"`` or None: every group).
    wres3_average
        ``"snapshot"`` (default): headcount at 31 March; ``"two_year"``: a two-year rolling
        average of cases and headcounts (this year and the previous one).
    min_n
        Fewer people than this in either group: ``insufficient_evidence``.
    indicators
        Only these indicators (``("wres_2", "wres_3")``); default every one.

    Returns
    -------
    pandas.DataFrame
        The shared result schema, indicators ``wres_1`` ... ``wres_9``:

        - ``wres_1``: shares of White / BME / Unknown by band within clinical and
          non-clinical, per clinical split (band blank) and whole workforce (both blank);
          Unknown in the denominator; bank staff excluded (counted in ``attrs["exclusions"]``).
        - ``wres_2``: appointment rate among shortlisted applicants (closing date in the
          year); ``ratio`` on the BME row = White rate ÷ BME rate (> 1 favours White); a second
          block with ``variant`` "excluding international recruits".
        - ``wres_3``: share of staff entering the formal disciplinary process (unique people
          with a formal disciplinary case started in the year ÷ headcount at 31 March);
          ``ratio`` = BME ÷ White (> 1: BME more likely).
        - ``wres_4``: share of staff accessing non-mandatory training or CPD (unique people
          with a non-mandatory training record in the year ÷ headcount); ``ratio`` =
          White ÷ BME (> 1 favours White).
        - ``wres_5`` ... ``wres_8``: survey percentages from the ``survey`` table.
        - ``wres_9``: board voting members' share minus the workforce share, percentage
          points (``value``; BME row < 0: board less diverse); ``numerator`` /
          ``denominator`` the board counts; ``ratio`` board ÷ workforce share.

    Notes
    -----
    NHS England, *Workforce Race Equality Standard: technical guidance* (2024). Unknown
    ethnicity stays in WRES 1 denominators and is excluded from WRES 2-4 (counted in
    ``attrs["exclusions"]``). For WRES 3 and 4 a person is classified by their staff record at
    the closing 31 March snapshot, or at the opening one if they left during the year; a
    person in neither is excluded and counted. Relative likelihoods: Koopman score interval,
    Fisher exact p-value; status on the point estimate against 0.80-1.25 (NHS England,
    *A fair experience for all*).
    """
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    gs = as_groupings(by)
    _check_by(dataset, "staff", dataset.staff, gs)
    return selected([
        (("wres_1",), lambda _: workforce_by_band(ctx, gs, indicator="wres_1")),
        (("wres_2",), lambda _: concat_results([
            appointment(ctx, gs, indicator="wres_2", orientation="reference_over_group"),
            appointment(ctx, gs, indicator="wres_2", orientation="reference_over_group",
                        exclude_international=True)])),
        (("wres_3",), lambda _: event_likelihood(
            ctx, gs, indicator="wres_3", table="casework",
            events_where=and_all(cube.text_is("process", "disciplinary"), _flag("formal")),
            date_column="start_date", describe="formal disciplinary cases",
            orientation="group_over_reference", average=wres3_average)),
        (("wres_4",), lambda _: event_likelihood(
            ctx, gs, indicator="wres_4", table="training", events_where=(~nw.col("mandatory")).fill_null(False),
            date_column="date", describe="non-mandatory training records",
            orientation="reference_over_group")),
        (("wres_5", "wres_6", "wres_7", "wres_8"), lambda ids: survey_rows(
            ctx, as_groupings("ethnicity"), ids=ids, group_var="ethnicity")),
        (("wres_9",), lambda _: board_gap(ctx, gs, indicator="wres_9")),
    ], indicators, family="wres")


__all__ = ["EXCLUDING_INTERNATIONAL", "wres"]
