"""Retention: leaver rates (headcount, FTE), joiners, stability, early-career leaving, leaving
reasons and time to leaving, by any equality grouping.

Every figure comes from three engine queries over row-level joins built in
:mod:`equity.cube._history` (start cohort against the end snapshot, end cohort against the
start snapshot, leavers against their last snapshot), counted by raw equality codes in the
engine and grouped on the small tables (:func:`equity.measures._common.grouped_counts`).

Period conventions (docs/methodology.md "Retention", NHS Data Dictionary turnover): for the
financial year "2024/25" the start headcount is the 31 March 2024 snapshot, the end headcount
the 31 March 2025 snapshot, leavers are those whose leave date is 1 April 2024 to 31 March 2025
inclusive, and a leaver's group, directorate and staff group come from their last snapshot row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from equity import cube, stats
from equity.codes import LEAVING_REASONS, Period
from equity.cube._history import PAIR_CARRY
from equity.errors import InputError, PeriodError, check_choice
from equity.io import Dataset
from equity.measures._common import (
    Grouping,
    and_all,
    as_groupings,
    band_rank_expr,
    check_reference,
    check_within,
    group_var_name,
    grouped_counts,
    is_bank,
    not_computed,
    rate_rows,
    record_exclusion,
    resolve_period,
    scope_filter,
    snapshot_dates,
    uncovered,
)
from equity.result import concat_results
from equity.validation import gated

Level = Literal["organisation", "nhs", "staff_group"]
LEVELS: tuple[str, ...] = ("organisation", "nhs", "staff_group")

#: NHS England analysis of 2023 ESR data: 11% of AHPs leave the NHS in their first year.
NATIONAL_AHP_FIRST_YEAR_LEAVER_RATE: float = 0.11
NATIONAL_AHP_FIRST_YEAR_SOURCE = (
    "NHS England, analysis of ESR data (2023): 11% of allied health professionals leave the NHS "
    "within their first year"
)
#: The label every unrecognised or blank leaving reason is reported under (kept visible).
OTHER_REASON = "Other / not known"

_LEVEL_VARIANT = {"organisation": None, "nhs": "leaving the NHS", "staff_group": "leaving the staff group"}
MOVERS_VARIANT = "directorate movers"


def reason_shown(reasons: pd.Series) -> pd.Series:
    """Leaving reasons as reported (``object``): one of :data:`LEAVING_REASONS`, anything
    else (blank, unrecognised) :data:`OTHER_REASON`."""
    return reasons.astype(object).where(reasons.isin(LEAVING_REASONS), OTHER_REASON)


# --------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """Everything a retention or progression figure is computed over."""

    dataset: Dataset
    period: Period
    gs: tuple[Grouping, ...]
    within: tuple[str, ...]
    where: nw.Expr | None  # scope and bank exclusion, on staff columns
    labels: dict[str, str]  # scope values, written into the tidy tables (leaving reasons, transitions, curves)
    exclude_bank: bool
    key: tuple[Any, ...] = ()  # what determines `where` and the period: shares count queries

    def share(self, name: str, *extra: Any) -> tuple[Any, tuple[Any, ...]]:
        """``share=`` for :func:`grouped_counts`: the query ``name`` of this scope, counted once
        for every grouping."""
        return (self.dataset.staff, (name, *self.key, *extra))


def periods_with_both(dataset: Dataset) -> list[Period]:
    """Financial years whose opening and closing 31 March snapshots are both in ``staff``."""
    dates = set(snapshot_dates(dataset))
    return [Period.ending_at(d) for d in sorted(dates)
            if d.month == 3 and d.day == 31 and Period.ending_at(d).start_snapshot in dates]


def make_scope(
    dataset: Dataset, *, period: str | Period, by: str | Sequence[str], within: Sequence[str],
    staff_group: str | None, directorate: str | None, profession: str | None = None,
    exclude_bank: bool = True, need_start: bool = True, check_period: bool = True,
    reference: str | None = None,
) -> Scope:
    """Resolve and check a period, grouping and scope (errors list what the data holds).

    ``check_period=False`` takes ``period`` as a label only (survival curves censor at any
    date, not only at a 31 March snapshot)."""
    p = resolve_period(dataset, period) if check_period else Period.parse(period)
    if need_start and p.start_snapshot not in snapshot_dates(dataset):
        have = ", ".join(str(q) for q in periods_with_both(dataset))
        raise PeriodError(
            f"The staff table has no snapshot at {p.start_snapshot:%d %B %Y}, which opens "
            f"period {p} (its start headcount). Periods with both an opening and a closing "
            f"31 March snapshot: {have or 'none'}. Choose one of those, or add that snapshot."
        )
    gs = as_groupings(by)
    check_reference(gs, reference)
    w = check_within(within)
    where = scope_filter(dataset.staff, table="staff", staff_group=staff_group,
                         directorate=directorate, profession=profession)
    if exclude_bank and "contract_type" in cube.columns(dataset.staff):
        where = and_all(where, ~is_bank(dataset.staff))
    labels = {k: v for k, v in {"staff_group": staff_group, "directorate": directorate,
                                "profession": profession}.items()
              if v is not None and v != "all" and k not in w}
    key = (str(p), w, staff_group, directorate, profession, exclude_bank)
    return Scope(dataset, p, gs, w, where, labels, exclude_bank, key)


def _merge(*tables: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    out = tables[0]
    for t in tables[1:]:
        out = out.merge(t, on=list(keys), how="outer")
    value_cols = [c for c in out.columns if c not in keys]
    return out.fillna({c: 0.0 for c in value_cols})


def _flag(expr: nw.Expr) -> nw.Expr:
    """0/1 integer flag, so the engine can sum it."""
    return expr.fill_null(False).cast(nw.Int64())


def _same(col: str) -> nw.Expr:
    return nw.col(f"{col}_other").fill_null("\x00") == nw.col(col).fill_null("\x00")


def _started_in(p: Period, col: str = "org_start_date") -> nw.Expr:
    """The date in ``col`` falls on or after the period's first day (false when null).

    On the closing snapshot's row of someone also in post at the opening snapshot, an
    ``org_start_date`` in the year means they left and re-joined: a new employment spell.
    """
    return (nw.col(col) >= dt.datetime(p.start.year, p.start.month, p.start.day)).fill_null(False)


# --------------------------------------------------------------------------- count tables


def start_counts(scope: Scope) -> pd.DataFrame:
    """Start cohort by group: ``n``, ``sum_fte`` and who is still in post at the end.

    Columns ``sum_stay_<level>``, ``sum_moved_dir`` (in post at the end in another
    directorate), ``sum_moved_sg`` / ``sum_fte_moved_sg`` (in post in another staff group).

    In post at both snapshots is stable, also after leaving and re-joining within the year
    (NHS Digital's stability index compares the two dates). A re-joiner is not a mover
    (their leaving is already a leavers row): ``moved_*`` need the same employment spell
    (no ``org_start_date`` within the year at the closing snapshot).

    Promotion (:func:`equity.measures.progression.progression`) comes from the same
    query: ``sum_on_ladder`` (opening band on the ladder), ``sum_stay_on_ladder`` (and in
    post at the end) and ``sum_promoted`` (a higher band at the end).
    """
    ds, p = scope.dataset, scope.period
    has_leavers = ds.leavers is not None
    def frame() -> Any:
        # the band ranks once each, as columns (in the flags below, each use of a rank
        # expression was evaluated again: on pandas a chain of when/then per band)
        return cube.snapshot_pair(
            ds.staff, first=p.start_snapshot, other=p.snapshot,
            carry=(*PAIR_CARRY, "org_start_date"),
            leavers=ds.leavers if has_leavers else None,
            leave_window=(p.start, p.end) if has_leavers else None,
        ).with_columns(_rank=band_rank_expr(ds.staff, "band"),
                       _rank_other=band_rank_expr(ds.staff, "band_other"))

    in_other = nw.col("in_other")
    same_spell = in_other & ~_started_in(p, "org_start_date_other")
    left_nhs = nw.col("left_to_nhs") if has_leavers else nw.lit(False)
    moved_sg = same_spell & ~_same("staff_group")
    derive = {
        "stay_organisation": _flag(in_other),
        "stay_staff_group": _flag(in_other & _same("staff_group")),
        "stay_nhs": _flag(in_other | left_nhs),
        "moved_dir": _flag(same_spell & ~_same("directorate")),
        "moved_sg": _flag(moved_sg),
        "fte_moved_sg": nw.when(moved_sg).then(nw.col("fte")).otherwise(nw.lit(0.0)),
    }
    on_ladder = ~nw.col("_rank").is_null()
    derive |= {
        "on_ladder": _flag(on_ladder),
        "stay_on_ladder": _flag(on_ladder & in_other),
        "promoted": _flag(on_ladder & in_other & (nw.col("_rank_other") > nw.col("_rank"))),
    }
    c = grouped_counts(frame, scope.gs, within=scope.within, where=scope.where, derive=derive,
                       sums=["fte", *derive], share=scope.share("start"))
    return c.rename(columns={"n": "start_n", "sum_fte": "start_fte"})


def end_counts(scope: Scope) -> pd.DataFrame:
    """End cohort by group: ``end_n``, ``end_fte`` and joiners (``sum_new_<level>``).

    A joiner is in post at the closing snapshot and either not in post at the opening one
    or in a new employment spell (``org_start_date`` within the year): someone who leaves
    and re-joins in the year is a leaver (their leavers row) and a joiner.
    """
    ds, p = scope.dataset, scope.period
    def frame() -> Any:
        return cube.snapshot_pair(ds.staff, first=p.snapshot, other=p.start_snapshot)

    new_org = ~nw.col("in_other") | _started_in(p)
    derive = {
        "new_organisation": _flag(new_org),
        "new_staff_group": _flag(new_org | ~_same("staff_group")),
    }
    if "nhs_start_date" in cube.columns(ds.staff):
        derive["new_nhs"] = _flag(new_org & (nw.col("nhs_start_date") >= dt.datetime(
            p.start.year, p.start.month, p.start.day)))
    c = grouped_counts(frame, scope.gs, within=scope.within, where=scope.where, derive=derive,
                       sums=["fte", *derive], share=scope.share("end"))
    return c.rename(columns={"n": "end_n", "sum_fte": "end_fte"})


def leaver_counts(scope: Scope, *, extra_keys: Sequence[str] = ()) -> pd.DataFrame:
    """Leavers in the period by group (from their last snapshot): ``leavers``, ``leavers_fte``,
    ``sum_not_nhs`` and ``sum_fte_not_nhs`` (destination not NHS)."""
    ds, p = scope.dataset, scope.period
    def frame() -> Any:
        return cube.leaver_spells(ds.staff, ds.leavers, start=p.start, end=p.end)

    not_nhs = ~nw.col("to_nhs")
    derive = {
        "not_nhs": _flag(not_nhs),
        "fte_not_nhs": nw.when(not_nhs).then(nw.col("fte_leaving")).otherwise(nw.lit(0.0)),
    }
    if "leaving_reason" in extra_keys:
        derive["leaving_reason"] = nw.col("leaving_reason")
    c = grouped_counts(frame, scope.gs, within=scope.within,
                       where=and_all(nw.col("matched"), scope.where), derive=derive,
                       sums=["fte_leaving", "not_nhs", "fte_not_nhs"], extra_keys=extra_keys,
                       share=scope.share("leavers"))
    return c.rename(columns={"n": "leavers", "sum_fte_leaving": "leavers_fte"})


def _exclusions(result: pd.DataFrame, scope: Scope, indicators: Sequence[str], *,
                leavers: bool) -> pd.DataFrame:
    """Record bank staff and unplaceable leavers left out of the figures."""
    ds, p = scope.dataset, scope.period
    if scope.exclude_bank and "contract_type" in cube.columns(ds.staff):
        sc = scope_filter(ds.staff, table="staff", staff_group=scope.labels.get("staff_group"),
                          directorate=scope.labels.get("directorate"),
                          profession=scope.labels.get("profession"))
        snaps = nw.col("snapshot_date").is_in([
            dt.datetime(d.year, d.month, d.day) for d in (p.start_snapshot, p.snapshot)])
        n = cube.shared(ds.staff, ("bank rows", *scope.key), lambda: cube.count(
            ds.staff, [], where=and_all(snaps, sc, is_bank(ds.staff)))["n"].sum())
        for ind in indicators:
            record_exclusion(result, indicator=ind, table="staff", count=n,
                             reason="bank staff rows at the opening and closing snapshots")
    if leavers and ds.leavers is not None:
        n = cube.shared(ds.staff, ("unmatched leavers", *scope.key), lambda: cube.count(
            cube.leaver_spells(ds.staff, ds.leavers, start=p.start, end=p.end), [],
            where=~nw.col("matched"))["n"].sum())
        for ind in ("leaver_rate", "leaver_rate_fte"):
            if ind in indicators:
                record_exclusion(
                    result, indicator=ind, table="leavers", count=n,
                    reason="leavers with no staff snapshot on or before their leave date "
                           "(group and directorate unknown)")
    return result


# --------------------------------------------------------------------------- indicators


@gated
def retention(
    dataset: Dataset,
    *,
    period: str | Period,
    by: str | Sequence[str] = "ethnicity",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    level: Level = "organisation",
    reference: str | None = None,
    exclude_bank: bool = True,
    min_n: int = stats.MIN_N,
    non_adverse_range: tuple[float, float] = stats.NON_ADVERSE_RANGE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Leaver rate (headcount, FTE), joiner rate, stability index and early-career leaving.

    Parameters
    ----------
    dataset
        The canonical bundle; ``staff`` is needed, ``leavers`` for leaver figures.
    period
        Financial year, e.g. ``"2024/25"``: both its opening and closing 31 March snapshots
        must be in ``staff``.
    by
        Equality grouping, or a tuple of them for an intersection.
    within
        Strata to split by (``"directorate"``, ``"profession"``, ...).
    staff_group, directorate, profession
        Restrict to one value (``staff_group="all"`` means every staff group).
    level
        ``"organisation"`` (leaving the organisation, the default), ``"nhs"`` (leaving for a
        destination other than the NHS) or ``"staff_group"`` (leaving the organisation or
        moving to another staff group). Recorded in ``variant``.
    reference
        Reference group for relative likelihoods (default: the grouping's, e.g. White).
    exclude_bank
        Leave bank staff out of every headcount (counted in ``attrs["exclusions"]``).

    Returns
    -------
    pandas.DataFrame
        The shared result schema: ``leaver_rate`` (with relative likelihood of leaving vs the
        reference group; at organisation level also the ``"directorate movers"`` variant),
        ``leaver_rate_fte``, ``joiner_rate``, ``stability_index`` and
        ``early_career_leaver_rate`` (variants ``"within 12 months"``, ``"within 24 months"``).
        Indicators the data cannot support are listed in ``attrs["not_computed"]``.

    Notes
    -----
    NHS Data Dictionary / NHS Digital turnover: leaver rate = leavers in the year /
    ((headcount at start + headcount at end) / 2); the FTE rate uses leavers' FTE (the
    leavers row's ``fte``, else the last snapshot's) over the average FTE in post. Stability
    index = staff in post at the start still in post at the end (at the same level) / staff
    in post at the start. Joiner rate = staff in post at the end who were not at the start,
    or who are in a new employment spell (``org_start_date`` within the year; at the same
    level; at NHS level also ``nhs_start_date`` within the year) / average headcount.
    Directorate movers (in post at both snapshots in different directorates, same spell) are
    not organisation leavers; they are shown as their own variant over the average headcount.

    Re-joiners (same ``staff_id``, a new ``org_start_date``): each leavers row dated in the
    year is a leaving (a person who leaves twice in the year counts twice), placed in the
    group of the person's last snapshot before that leave date. Someone who leaves and
    re-joins within the year is a leaver and a joiner, and - in post at both dates, as NHS
    Digital's stability index counts - stable; they are not a directorate or staff-group
    mover (the leaving is already counted).
    Early-career leaving (library method) is in :func:`early_career`. Intervals are Wilson,
    relative likelihoods Koopman (see :func:`equity.measures._common.rate_rows`).

    Examples
    --------
    >>> import equity as eq                                            # doctest: +SKIP
    >>> eq.retention(data, period="2024/25", within=("directorate",))  # doctest: +SKIP
    """
    check_choice("level", level, list(LEVELS))
    if level == "nhs" and dataset.leavers is not None \
            and "destination" not in cube.columns(dataset.leavers):
        raise InputError(
            "level='nhs' needs to know where leavers went, but the leavers table has no "
            "destination column. Add it (NHS / Non-NHS / Unknown) or use "
            "level='organisation'.", table="leavers", column="destination")
    scope = make_scope(dataset, period=period, by=by, within=within, staff_group=staff_group,
                       directorate=directorate, profession=profession, exclude_bank=exclude_bank,
                       reference=reference)
    opts: dict[str, Any] = dict(period=scope.period, gs=scope.gs, within=scope.within, reference=reference,
                min_n=min_n, non_adverse_range=non_adverse_range, confidence=confidence)
    keys = [*scope.within, "group"]
    start, end = start_counts(scope), end_counts(scope)
    base = _merge(start, end, keys=keys)
    base["avg_n"] = (base["start_n"] + base["end_n"]) / 2
    base["avg_fte"] = (base["start_fte"] + base["end_fte"]) / 2
    variant = _LEVEL_VARIANT[level]
    parts: list[pd.DataFrame] = []
    done: list[str] = []

    reason = ("the dataset has no leavers table" if dataset.leavers is None
              else uncovered(dataset, "leavers", scope.period))
    if reason:
        parts += [not_computed("leaver_rate", reason), not_computed("leaver_rate_fte", reason)]
    else:
        c = _merge(base, leaver_counts(scope), keys=keys)
        if level == "organisation":
            c["num"], c["num_fte"] = c["leavers"], c["leavers_fte"]
        elif level == "nhs":
            c["num"], c["num_fte"] = c["sum_not_nhs"], c["sum_fte_not_nhs"]
        else:
            c["num"] = c["leavers"] + c["sum_moved_sg"]
            c["num_fte"] = c["leavers_fte"] + c["sum_fte_moved_sg"]
        parts.append(rate_rows(c, indicator="leaver_rate", numerator="num",
                               denominator="avg_n", variant=variant, **opts))
        if level == "organisation":
            parts.append(rate_rows(c, indicator="leaver_rate", numerator="sum_moved_dir",
                                   denominator="avg_n", variant=MOVERS_VARIANT, **opts))
        parts.append(rate_rows(c, indicator="leaver_rate_fte", numerator="num_fte",
                               denominator="avg_fte", variant=variant, **opts))
        done += ["leaver_rate", "leaver_rate_fte"]

    new_col = f"sum_new_{level}"
    if new_col in base:
        parts.append(rate_rows(base, indicator="joiner_rate", numerator=new_col,
                               denominator="avg_n", variant=variant, **opts))
        done.append("joiner_rate")
    else:
        parts.append(not_computed(
            "joiner_rate", "joiners to the NHS need the nhs_start_date column in staff"))
    if level == "nhs" and dataset.leavers is None:
        parts.append(not_computed(
            "stability_index", "stability at NHS level needs leavers' destinations (no "
            "leavers table)"))
    else:
        parts.append(rate_rows(base, indicator="stability_index",
                               numerator=f"sum_stay_{level}", denominator="start_n",
                               variant=variant, **opts))
        done.append("stability_index")
    parts.append(early_career(
        dataset, period=scope.period, by=by, within=scope.within, staff_group=staff_group,
        directorate=directorate, profession=profession, level=level, reference=reference,
        exclude_bank=exclude_bank, min_n=min_n, non_adverse_range=non_adverse_range,
        confidence=confidence))
    out = concat_results(parts)
    return _exclusions(out, scope, done, leavers=True)


def early_career(
    dataset: Dataset,
    *,
    period: str | Period,
    by: str | Sequence[str] = "ethnicity",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    level: Level = "organisation",
    months: Sequence[int] = (12, 24),
    reference: str | None = None,
    exclude_bank: bool = True,
    min_n: int = stats.MIN_N,
    non_adverse_range: tuple[float, float] = stats.NON_ADVERSE_RANGE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Early-career leaver rate: share of joiners who left within 12 (and 24) months.

    For period P and a window of m months the cohort is the staff whose ``org_start_date``
    falls in the financial year m/12 years before P (2023/24 for 12 months in 2024/25), so
    every joiner's window closes within P; group and scope are those of the joiner's first
    snapshot after starting.

    Returns
    -------
    pandas.DataFrame
        Result rows of ``early_career_leaver_rate``, variant ``"within <m> months"`` (plus
        the level, e.g. ``"within 12 months, leaving the NHS"``), with relative likelihood vs
        the reference group. ``attrs["reference_line"]`` holds the national AHP first-year
        figure (:data:`NATIONAL_AHP_FIRST_YEAR_LEAVER_RATE`) and its source.

    Notes
    -----
    Library method (docs/methodology.md "Retention"). The staff table shows a joiner
    only from their first 31 March snapshot: people who joined and left between two snapshots
    are not in the cohort, so the rate is a lower bound (all groups alike). At
    ``level="nhs"`` a leaver whose every leaving row in the window has destination NHS does
    not count; ``level="staff_group"`` counts leaving the organisation (moves between staff
    groups are not dated). Months are calendar months (``2024-05-31`` + 12 months =
    ``2025-05-31``); a leave date on the anniversary is outside the window.
    """
    check_choice("level", level, list(LEVELS))
    scope = make_scope(dataset, period=period, by=by, within=within, staff_group=staff_group,
                       directorate=directorate, profession=profession,
                       exclude_bank=exclude_bank, need_start=False, reference=reference)
    ind = "early_career_leaver_rate"
    if dataset.leavers is None:
        return not_computed(ind, "the dataset has no leavers table")
    dates = set(snapshot_dates(dataset))
    parts = []
    missing: dict[str, list[str]] = {}  # reason -> the variants it stops
    for m in months:
        cohort = Period(scope.period.start_year - max(1, int(np.ceil(m / 12))))
        label = f"within {m} months" + (f", {_LEVEL_VARIANT[level]}" if level == "nhs" else "")
        # the cohort's leavers fall from its year to the report's
        why = (f"no {cohort.snapshot:%d %B %Y} snapshot to find the {cohort} joiners"
               if cohort.snapshot not in dates
               else uncovered(dataset, "leavers", cohort)
               or uncovered(dataset, "leavers", scope.period))
        if why:
            missing.setdefault(why, []).append(label)
            continue
        def frame(cohort: Period = cohort, m: int = m) -> Any:
            return cube.early_leaving(dataset.staff, dataset.leavers, start=cohort.start,
                                      end=cohort.end, within_months=(m,))

        left = nw.col(f"left_within_{m}")
        if level == "nhs":
            left = left & ~nw.col(f"to_nhs_within_{m}")
        c = grouped_counts(frame, scope.gs, within=scope.within, where=scope.where,
                           derive={"left": _flag(left)}, sums=["left"],
                           share=scope.share("early career", m, level))
        parts.append(rate_rows(c, indicator=ind, period=scope.period, numerator="sum_left",
                               denominator="n", gs=scope.gs, within=scope.within,
                               variant=label, reference=reference, min_n=min_n,
                               non_adverse_range=non_adverse_range, confidence=confidence))
    # one reason for every variant it stops, said once
    reasons = (next(iter(missing)) if len(missing) == 1 and not parts
               else "; ".join(f"{' and '.join(labels)}: {why}" for why, labels in missing.items()))
    out = concat_results(parts) if parts else not_computed(ind, reasons)
    if parts and missing:
        out.attrs["not_computed"][ind] = reasons
    out.attrs["reference_line"] = {
        "indicator": ind, "variant": "within 12 months",
        "value": NATIONAL_AHP_FIRST_YEAR_LEAVER_RATE, "source": NATIONAL_AHP_FIRST_YEAR_SOURCE,
    }
    return out


@gated
def leaving_reasons(
    dataset: Dataset,
    *,
    period: str | Period,
    by: str | Sequence[str] = "ethnicity",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    exclude_bank: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Leavers in the period by leaving reason and group: counts and shares.

    Returns
    -------
    pandas.DataFrame
        A tidy table of its own (not the result schema: a share of leavers by reason is a
        composition, with no rate or ratio to compare): ``period``, the ``within`` strata,
        ``group_var``, ``group``, ``leaving_reason``, ``count``, ``leavers`` (the group's
        total), ``share``, ``ci_low``, ``ci_high`` (Wilson). Every reason of
        :data:`equity.codes.LEAVING_REASONS` appears for every group, with zero counts;
        blank and unrecognised reasons are reported as ``"Other / not known"``, never
        dropped.
    """
    scope = make_scope(dataset, period=period, by=by, within=within, staff_group=staff_group,
                       directorate=directorate, profession=profession,
                       exclude_bank=exclude_bank, need_start=False)
    dataset.require("leavers")
    why = uncovered(dataset, "leavers", scope.period)
    if why:
        raise PeriodError(why[0].upper() + why[1:] + ".")
    c = leaver_counts(scope, extra_keys=["leaving_reason"])
    keys = [*scope.within, "group"]
    c = (c.assign(leaving_reason=reason_shown(c["leaving_reason"]))
         .groupby([*keys, "leaving_reason"], dropna=False, sort=False)["leavers"].sum()
         .reset_index())
    levels: dict[str, Any] = {k: sorted(c[k].dropna().unique().tolist()) for k in scope.within}
    levels["group"] = list(dict.fromkeys(c["group"]))
    levels["leaving_reason"] = list(LEAVING_REASONS)
    c = cube.complete(c, levels).rename(columns={"leavers": "count"})
    c["leavers"] = c.groupby(keys, dropna=False)["count"].transform("sum")
    shares = stats.proportion(c["count"], c["leavers"], confidence=confidence)
    out = pd.concat([c.reset_index(drop=True), shares.rename(columns={"value": "share"})], axis=1)
    out.insert(0, "period", str(scope.period))
    out.insert(1 + len(scope.within), "group_var", group_var_name(scope.gs))
    for k, v in scope.labels.items():
        out[k] = v
    order = ["period", *scope.within, *scope.labels, "group_var", "group", "leaving_reason",
             "count", "leavers", "share", "ci_low", "ci_high"]
    return out.loc[:, order].reset_index(drop=True)


def survival_counts(scope: Scope, *, window_start: dt.date | None = None,
                    end: dt.date | None = None, frame: nw.LazyFrame | None = None,
                    extra_keys: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count tables for Kaplan-Meier time to leaving, by group.

    ``end`` (default: the period's end) is the censoring date; ``frame`` replaces the
    :func:`equity.cube.tenure_spells` frame by another with ``entry_days``, ``exit_days`` and
    ``event`` (e.g. :func:`equity.cube._history.promotion_spells`); ``extra_keys`` split the
    exits further (e.g. ``leaving_reason``). Spells with a missing date, or leaving before
    they are first seen, are left out (count them with the same filter negated).

    Returns
    -------
    (entries, exits)
        ``entries``: ``within``, ``group``, ``time`` (tenure in days when first observed),
        ``n``; ``exits``: ``within``, ``group``, ``time`` (tenure at leaving or censoring),
        ``events``, ``censored``.
    """
    ds, p = scope.dataset, scope.period
    first = window_start or snapshot_dates(ds)[0]
    if frame is None:
        frame = cube.tenure_spells(ds.staff, ds.leavers, window_start=first, end=end or p.end)
    where = and_all(scope.where, valid_spell())
    entries = grouped_counts(frame, scope.gs, within=scope.within, where=where,
                             derive={"time": nw.col("entry_days")}, extra_keys=["time"])
    exits = grouped_counts(frame, scope.gs, within=scope.within, where=where,
                           derive={"time": nw.col("exit_days"), "ev": _flag(nw.col("event"))},
                           sums=["ev"], extra_keys=[*extra_keys, "time"])
    # Count keys come back as objects (cube.complete): times are numbers for the estimators.
    entries = entries.assign(time=pd.to_numeric(entries["time"]).astype("float64"))
    exits = exits.assign(time=pd.to_numeric(exits["time"]).astype("float64"),
                         events=exits["sum_ev"], censored=exits["n"] - exits["sum_ev"])
    keys = [*scope.within, "group", "time"]
    return (entries.loc[entries["n"] > 0, [*keys, "n"]].reset_index(drop=True),
            exits.loc[exits["n"] > 0, [*scope.within, "group", *extra_keys, "time", "events",
                                       "censored"]].reset_index(drop=True))


def valid_spell() -> nw.Expr:
    """A spell with both tenures known and an exit not before its entry."""
    return (~nw.col("entry_days").is_null() & ~nw.col("exit_days").is_null()
            & (nw.col("exit_days") >= nw.col("entry_days")))


__all__ = [
    "LEVELS", "MOVERS_VARIANT", "NATIONAL_AHP_FIRST_YEAR_LEAVER_RATE", "OTHER_REASON",
    "early_career", "end_counts", "leaver_counts", "leaving_reasons", "make_scope",
    "periods_with_both", "retention", "start_counts", "survival_counts", "valid_spell",
]
