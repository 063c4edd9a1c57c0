"""Representation and leadership: who works where, at which level, against which population.

Indicators (ids and definitions in docs/methodology.md "Indicators",
"Representation and leadership"): ``representation``, ``senior_representation``, ``representation_vs_benchmark``,
``diversity_index``, ``declaration_rate``, ``model_employer_gap``, ``pipeline_disparity``.

Every function reads the staff table through :mod:`equity.cube` (one or two count calls) and
builds the shared result schema with :mod:`equity.measures._common`. ``by`` names an
equality grouping (``"ethnicity"``, ``"disability"``, ``"sex"``, ...) or a tuple of them for an
intersection (``("ethnicity", "sex")``); small intersections are kept and marked
``insufficient_evidence``, never hidden.

This module also holds the private scope helpers that :mod:`equity.measures.wres` and
:mod:`equity.measures.wdes` share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from equity import codes, cube, stats
from equity.codes import Period
from equity.errors import InputError, ParameterError
from equity.io import Dataset
from equity.measures._common import (
    Grouping,
    and_all,
    as_groupings,
    at,
    check_within,
    group_var_name,
    grouped_counts,
    is_bank,
    not_computed,
    rate_rows,
    record_exclusion,
    reference_of,
    resolve_period,
    scope_filter,
    unknown_mask,
    with_reference,
)
from equity.result import NOT_APPLICABLE, concat_results, make_result
from equity.validation import gated

By = str | Sequence[str]

# --------------------------------------------------------------------------- shared scope


@dataclass(frozen=True)
class _Ctx:
    """A resolved period and scope: what every equality indicator starts from."""

    dataset: Dataset
    period: Period
    within: tuple[str, ...]
    staff_group: str | None
    directorate: str | None
    profession: str | None
    staff_scope: nw.Expr | None
    min_n: int
    confidence: float

    def without(self, *keys: str) -> tuple[str, ...]:
        """``within`` minus keys an indicator already splits by (e.g. band for WRES 1)."""
        return tuple(w for w in self.within if w not in keys)

    def share(self, owner: Any, name: str, *extra: Any) -> tuple[Any, tuple[Any, ...]]:
        """``share=`` for :func:`grouped_counts`: the query ``name`` (with ``extra``) of this
        period and scope on the table ``owner``, counted once for every grouping."""
        return (owner, (name, str(self.period), self.within, self.staff_group,
                        self.directorate, self.profession, *extra))


def _context(
    dataset: Dataset, *, period: str | Period, within: Sequence[str], staff_group: str | None,
    directorate: str | None, profession: str | None = None, min_n: int = stats.MIN_N,
    confidence: float = 0.95,
) -> _Ctx:
    """Resolve the period (clear error if no snapshot) and the staff scope (clear error if the
    directorate / staff group / profession is not in the data)."""
    p = resolve_period(dataset, period)
    within = check_within(within)
    _require_columns(dataset.staff, "staff", [_raw(w) for w in within])
    scope = scope_filter(dataset.staff, table="staff", staff_group=staff_group,
                         directorate=directorate, profession=profession)
    return _Ctx(dataset, p, within, staff_group, directorate, profession, scope, min_n, confidence)


def _raw(stratum: str) -> str:
    """The data column a stratum is read from (``clinical`` is derived from staff_group)."""
    return "staff_group" if stratum == "clinical" else stratum


def _missing_columns(frame: Any, needed: Sequence[str]) -> list[str]:
    have = set(cube.columns(frame))
    return [c for c in dict.fromkeys(needed) if c not in have]


def _require_columns(frame: Any, table: str, needed: Sequence[str]) -> None:
    missing = _missing_columns(frame, needed)
    if missing:
        raise InputError(
            f"The {table} table has no {', '.join(missing)} column(s), which this needs. "
            f"Add the column(s) to {table}, or leave them out of `within` / `by`.",
            table=table, column=missing[0],
        )


def _flag(column: str) -> nw.Expr:
    """A boolean column as a strict filter: missing counts as False."""
    return nw.col(column).fill_null(False)


def _staff_where(ctx: _Ctx, snapshot: Any = None, *, exclude_bank: bool = False,
                 scoped: bool = True) -> nw.Expr | None:
    return and_all(at(snapshot or ctx.period.snapshot), ctx.staff_scope if scoped else None,
                   ~is_bank(ctx.dataset.staff) if exclude_bank else None)


def _in_post(ctx: _Ctx, gs: Sequence[Grouping], *, within: Sequence[str],
             snapshot: Any = None, exclude_bank: bool = False, scoped: bool = True,
             **kwargs: Any) -> pd.DataFrame:
    """Staff in post at ``snapshot`` (default: the period's closing one) counted by group
    (:func:`grouped_counts`; ``kwargs`` as there). One engine query per snapshot, scope,
    strata and sums, shared by every grouping and indicator that asks for it."""
    snap = snapshot or ctx.period.snapshot
    return grouped_counts(
        lambda: cube.snapshot_rows(ctx.dataset.staff, snap), gs, within=within,
        where=and_all(ctx.staff_scope if scoped else None,
                      ~is_bank(ctx.dataset.staff) if exclude_bank else None),
        share=ctx.share(ctx.dataset.staff, "in post", str(snap), exclude_bank, scoped),
        **kwargs)


def _bank_count(ctx: _Ctx, snapshot: Any = None) -> float:
    owner, key = ctx.share(ctx.dataset.staff, "bank", str(snapshot or ctx.period.snapshot))
    c = cube.shared(owner, key, lambda: cube.count(
        ctx.dataset.staff, [], where=and_all(_staff_where(ctx, snapshot), is_bank(ctx.dataset.staff))))
    return float(c["n"].sum())


def _known_in_post(ctx: _Ctx, gs: Sequence[Grouping]) -> tuple[pd.DataFrame, float]:
    """Staff in post whose group is known, counted as WRES 1 counts them (bank staff out),
    with each stratum's total (``total``), and how many were of an unknown group."""
    counts = _in_post(ctx, gs, within=ctx.within, exclude_bank=True)
    unknown = float(counts.loc[unknown_mask(counts["group"], gs).to_numpy(), "n"].sum())
    return _with_totals(_drop_unknown(counts, gs), ctx.within), unknown


def _with_totals(counts: pd.DataFrame, keys: Sequence[str], *, value: str = "n",
                 total: str = "total") -> pd.DataFrame:
    """Add the total of ``value`` over every group within each stratum (unknowns included)."""
    return counts.assign(**{total: cube.group_totals(counts, list(keys), value)})


def _drop_unknown(counts: pd.DataFrame, gs: Sequence[Grouping]) -> pd.DataFrame:
    return counts.loc[~unknown_mask(counts["group"], gs).to_numpy()].reset_index(drop=True)


def _check_by(dataset: Dataset, table: str, frame: Any, gs: Sequence[Grouping]) -> None:
    _require_columns(frame, table, [g.column for g in gs])


# --------------------------------------------------------------------------- representation


@gated
def representation(
    dataset: Dataset, *, period: str | Period, by: By = "ethnicity", within: Sequence[str] = (),
    staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, exclude_bank: bool = False, min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Share of staff in post at 31 March in each group, by the strata asked for.

    Parameters
    ----------
    dataset
        The canonical bundle (:class:`equity.io.Dataset`).
    period
        NHS financial year ("2024/25"); its closing 31 March snapshot is used.
    by
        Equality grouping, or a tuple of groupings for an intersection.
    within
        Strata to split by: ``organisation``, ``directorate``, ``staff_group``,
        ``profession``, ``band``, ``clinical``.
    staff_group, directorate, profession
        Restrict to one value (``staff_group="all"`` or None: every staff group).
    exclude_bank
        Leave bank staff out (as WRES 1 does); counted in ``attrs["exclusions"]``.
    min_n
        Strata with fewer people are marked ``insufficient_evidence``.

    Returns
    -------
    pandas.DataFrame
        Shared result schema, indicator ``representation``: ``numerator`` people in the group,
        ``denominator`` people in the stratum (Unknown included), ``value`` the share with a
        Wilson 95% interval. Every group level appears, with zero counts.

    Notes
    -----
    Unknown stays in the denominator (NHS England WRES technical guidance, indicator 1), so the
    shares of a stratum sum to 1. Interval: Wilson (1927) score interval.

    Examples
    --------
    >>> staff = pd.DataFrame({"staff_id": list("abcd"), "snapshot_date": ["2025-03-31"] * 4,
    ...     "directorate": ["D"] * 4, "staff_group": ["AHP"] * 4, "band": ["Band 5"] * 4,
    ...     "fte": [1.0] * 4, "contract_type": ["Substantive"] * 4,
    ...     "ethnic_category": ["A", "A", "N", "Z"], "org_start_date": ["2020-01-01"] * 4})
    >>> r = representation(Dataset.from_frames(staff=staff), period="2024/25")
    >>> r[["group", "numerator", "denominator", "value"]].to_dict("list")
    {'group': ['White', 'BME', 'Unknown'], 'numerator': [2.0, 1.0, 1.0], 'denominator': [4.0, 4.0, 4.0], 'value': [0.5, 0.25, 0.25]}
    """
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    gs = as_groupings(by)
    _check_by(dataset, "staff", dataset.staff, gs)
    return _shares(ctx, gs, indicator="representation", exclude_bank=exclude_bank)


def _shares(ctx: _Ctx, gs: Sequence[Grouping], *, indicator: str, exclude_bank: bool,
            extra_keys: Sequence[str] = (), snapshot: Any = None, variant: str | None = None,
            scoped: bool = True, rollups: Sequence[Sequence[str]] = ()) -> pd.DataFrame:
    """Shares of each group among staff in post within each stratum (Unknown in the total).

    ``rollups``: coarser subsets of ``extra_keys`` also reported (e.g. WRES 1's clinical split
    and whole workforce beside band x clinical), summed from the same count table.
    """
    within = ctx.without(*extra_keys)
    levels: dict[str, list[Any]] = {}
    if "band" in extra_keys:
        # Every AfC band is shown; other recorded bands (medical grades) are kept by complete.
        levels["band"] = list(codes.AFC_BANDS)
    if "clinical" in extra_keys:
        levels["clinical"] = ["Clinical", "Non-clinical"]
    counts = _in_post(ctx, gs, within=within, extra_keys=extra_keys, snapshot=snapshot,
                      exclude_bank=exclude_bank, scoped=scoped, complete_levels=levels)
    tables = []
    for extra in (tuple(extra_keys), *map(tuple, rollups)):
        keys = [*within, *extra]
        c = counts if extra == tuple(extra_keys) else cube.regroup(counts, [*keys, "group"])
        # Rolled-up keys are blank (None) in the result, as strata not split by.
        tables.append(_with_totals(c, keys).assign(**{k: None for k in extra_keys
                                                       if k not in extra}))
    out = rate_rows(pd.concat(tables, ignore_index=True), indicator=indicator,
                    period=ctx.period, numerator="n", denominator="total", gs=gs,
                    within=[*within, *extra_keys], compare=False, variant=variant,
                    min_n=ctx.min_n, confidence=ctx.confidence)
    if exclude_bank:
        record_exclusion(out, indicator=indicator, table="staff", reason="bank staff",
                         count=_bank_count(ctx, snapshot))
    return out


@gated
def senior_representation(
    dataset: Dataset, *, period: str | Period, by: By = "ethnicity", within: Sequence[str] = (),
    staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Senior leadership (Band 8a and above, including Band 9 and VSM) by group.

    Returns
    -------
    pandas.DataFrame
        Indicator ``senior_representation``, two variants per stratum:

        - ``"share of senior staff"``: each group's share of staff at 8a and above
          (``numerator`` group's senior staff, ``denominator`` all senior staff, Unknown
          included) - the figure to set against the whole-workforce share of
          :func:`representation`;
        - ``"likelihood of being senior"``: the share of each group's Agenda for Change
          staff who are at 8a and above (``numerator`` senior, ``denominator`` the group's
          staff on the AfC ladder), with the relative likelihood against the reference group
          (``ratio`` = group ÷ White: below 0.80 is adverse). Staff on medical grades (or a
          band off the ladder) are neither senior nor not senior by the ladder: they are
          left out, counted in ``attrs["exclusions"]``.

    Notes
    -----
    Senior bands: :data:`equity.codes.SENIOR_BANDS`. NHS England, *A Model Employer* (2019):
    senior representation should match the workforce. Relative likelihood and Koopman score
    interval as :func:`equity.stats.relative_likelihood`; status by the four-fifths rule
    (NHS England, *A fair experience for all*). Bank staff are left out, as from WRES 1, the
    pipeline and the Model Employer ladder (counted in ``attrs["exclusions"]``).
    """
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    gs = as_groupings(by)
    _check_by(dataset, "staff", dataset.staff, gs)
    within_ = ctx.without("band")
    senior = nw.col("band").is_in(list(codes.SENIOR_BANDS)).fill_null(False)
    # Agenda for Change staff, the ladder "Band 8a and above" is the top of: staff on
    # medical grades (a consultant included) are neither senior nor not senior by it
    afc = nw.col("band").is_in(list(codes.BAND_GROUPS)).fill_null(False)
    counts = _in_post(ctx, gs, within=within_,
                      derive={"senior": senior.cast(nw.Float64()), "afc": afc.cast(nw.Float64())},
                      sums=["senior", "afc"], exclude_bank=True)
    share = _with_totals(counts, within_, value="sum_senior", total="senior_total")
    a = rate_rows(share, indicator="senior_representation", period=ctx.period,
                  numerator="sum_senior", denominator="senior_total", gs=gs, within=within_,
                  compare=False, variant="share of senior staff", min_n=ctx.min_n)
    b = rate_rows(counts, indicator="senior_representation", period=ctx.period,
                  numerator="sum_senior", denominator="sum_afc", gs=gs, within=within_,
                  variant="likelihood of being senior", orientation="group_over_reference",
                  min_n=ctx.min_n)
    out = record_exclusion(concat_results([a, b]), indicator="senior_representation",
                           table="staff", reason="bank staff", count=_bank_count(ctx))
    return record_exclusion(
        out, indicator="senior_representation", table="staff",
        reason="band outside the AfC ladder (medical grades, unrecognised): left out of the "
               "likelihood of being senior", count=float((counts["n"] - counts["sum_afc"]).sum()))


def _benchmark_group(values: pd.Series, g: Grouping) -> pd.Series:
    """Benchmark group labels -> the grouping's levels: labels already in the grouping are kept,
    2021 census labels and NHS codes are mapped (:data:`equity.codes.CENSUS_2021_TO_NHS`)."""
    s = values.astype(object)
    keep = s.isin(list(g.levels))
    as_code = s.map(lambda v: codes.CENSUS_2021_TO_NHS.get(str(v).strip(), v))
    mapped = g.mapper(pd.Series(as_code, index=s.index))
    return mapped.where(~keep, s)


@gated
def representation_vs_benchmark(
    dataset: Dataset, *, period: str | Period, by: str = "ethnicity",
    within: Sequence[str] = (), staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, area: str | None = None, min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Workforce share of each group against its share of the local population.

    Parameters
    ----------
    by
        ``"ethnicity"`` (White / BME): the benchmarks table's ethnicity rows (White / BME
        labels, NHS ethnic category codes or 2021 census labels, mapped by meaning) are used.
    area
        One area of the benchmarks table; default every area (one ``variant`` each).

    Returns
    -------
    pandas.DataFrame
        Indicator ``representation_vs_benchmark``, one row per area (``variant``) and known
        group: ``numerator`` staff in the group, ``denominator`` staff with a known ethnicity,
        ``value`` their share (Wilson interval); ``ratio`` = workforce share ÷ population share
        (interval: the Wilson limits over the population share), ``p_value`` an exact binomial
        test of the workforce count against the population share; below 0.80 is adverse.
        ``reference_group`` holds the population share's source.

    Notes
    -----
    Staff with unknown ethnicity are left out (the census has no "unknown"), and so are bank
    staff (as from WRES 1), each counted in ``attrs["exclusions"]``. The population share is
    treated as fixed (a census count).
    Source: ONS Census 2021 table TS021 (ethnic group), as named in the benchmarks table.
    Library method for the ratio and its status (four-fifths rule, NHS England).
    """
    ind = "representation_vs_benchmark"
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    gs = as_groupings(by)
    if len(gs) != 1 or gs[0].name != "ethnicity":
        # Broad groups are not offered: Census 2021 puts Chinese under Asian, the NHS
        # classification keeps it apart, so broad shares would not compare like with like.
        raise ParameterError(
            f"`by` for {ind} must be 'ethnicity' (White / BME); got {by!r}. Population "
            "benchmarks are compared on the WRES two-group view only."
        )
    g = gs[0]
    if dataset.benchmarks is None:
        return not_computed(ind, "no benchmarks table in the dataset")
    missing = _missing_columns(dataset.benchmarks, ["area", "group_var", "group", "count"])
    if missing:
        return not_computed(ind, f"benchmarks table lacks column(s) {', '.join(missing)}")
    has_source = "source" in cube.columns(dataset.benchmarks)
    bench = cube.count(dataset.benchmarks, ["area", "group_var", "group",
                                            *(["source"] if has_source else [])], sums=["count"])
    bench = bench.loc[bench["group_var"].astype(str).str.lower().str.startswith("ethnic")]
    if area is not None:
        if area not in set(bench["area"]):
            raise ParameterError(
                f"No area {area!r} in the benchmarks table. It holds: "
                f"{', '.join(sorted(map(str, bench['area'].dropna().unique())))}."
            )
        bench = bench.loc[bench["area"] == area]
    if bench.empty:
        return not_computed(ind, "benchmarks table has no ethnicity rows")
    bench = bench.assign(group=_benchmark_group(bench["group"], g).to_numpy())
    if not has_source:
        bench["source"] = "benchmarks table (source not named)"
    pop = (bench.loc[bench["group"] != g.unknown]
           .groupby(["area", "group"], sort=False)
           .agg(pop=("sum_count", "sum"), source=("source", "first")).reset_index())
    pop["pop_share"] = pop["pop"] / pop.groupby("area")["pop"].transform("sum")

    known, unknown = _known_in_post(ctx, gs)
    rows = []
    for (area_name, source), p_area in pop.groupby(["area", "source"], sort=False):
        m = known.merge(p_area[["group", "pop_share"]], on="group", how="left")
        r = rate_rows(m, indicator=ind, period=ctx.period, numerator="n", denominator="total",
                      gs=gs, within=ctx.within, compare=False, variant=str(area_name),
                      min_n=ctx.min_n, confidence=ctx.confidence)
        share = m["pop_share"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            r["ratio"] = r["value"].to_numpy() / share
            r["ratio_ci_low"] = r["ci_low"].to_numpy() / share
            r["ratio_ci_high"] = r["ci_high"].to_numpy() / share
        r["p_value"] = stats.binomial_test_p(m["n"], m["total"], share)
        # The population denominator is a census count: only the workforce side can be small.
        r["status"] = stats.classify(r["ratio"], m["total"], np.full(len(m), np.inf), harm="below",
                                     min_n=ctx.min_n)
        r["reference_group"] = f"population share ({source})"
        rows.append(r)
    out = concat_results(rows)
    record_exclusion(out, indicator=ind, table="staff", reason="bank staff",
                     count=_bank_count(ctx))
    return record_exclusion(out, indicator=ind, table="staff", reason="unknown ethnicity",
                            count=unknown)


@gated
def diversity_index(
    dataset: Dataset, *, period: str | Period, by: str = "ethnicity_detailed",
    within: Sequence[str] = (), staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Simpson diversity index 1 − Σ p² over the known groups of ``by``, per stratum.

    Returns
    -------
    pandas.DataFrame
        Indicator ``diversity_index``, one row per stratum, ``group`` "all known groups":
        ``numerator`` the number of groups present, ``denominator`` staff with a known value,
        ``value`` the index (0 = everyone in one group; NaN with no known staff). No interval.

    Notes
    -----
    Simpson (1949), in the form 1 − Σ p² (Gini–Simpson: the chance that two staff drawn at
    random, with replacement, belong to different groups). Library method. Staff with an
    unknown value, and bank staff (as from WRES 1), are left out of p and counted in
    ``attrs["exclusions"]``.

    Examples
    --------
    Two groups of equal size give 1 − (0.5² + 0.5²) = 0.5.
    """
    ind = "diversity_index"
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    gs = as_groupings(by)
    _check_by(dataset, "staff", dataset.staff, gs)
    known, unknown = _known_in_post(ctx, gs)
    known = known.assign(
        p2=np.where(known["total"] > 0, (known["n"] / known["total"].where(known["total"] > 0)) ** 2, 0.0),
        present=(known["n"] > 0).astype(float),
    )
    keys = list(ctx.within)
    if keys:
        agg = known.groupby(keys, dropna=False, sort=False).agg(
            p2=("p2", "sum"), present=("present", "sum"), total=("total", "first")).reset_index()
    else:
        agg = pd.DataFrame({"p2": [known["p2"].sum()], "present": [known["present"].sum()],
                            "total": [known["total"].iloc[0] if len(known) else 0.0]})
    value = np.where(agg["total"] > 0, 1 - agg["p2"], np.nan)
    out = make_result(
        agg[keys].assign(group_var=group_var_name(gs), group="all known groups",
                         numerator=agg["present"], denominator=agg["total"], value=value,
                         status=stats.share_status(agg["total"], min_n=ctx.min_n)),
        indicator=ind, period=str(ctx.period))
    record_exclusion(out, indicator=ind, table="staff", reason="bank staff",
                     count=_bank_count(ctx))
    return record_exclusion(out, indicator=ind, table="staff", reason=f"unknown {by}",
                            count=unknown)


#: Fields of :func:`declaration_rate` and the grouping that decides "declared".
DECLARATION_FIELDS: tuple[str, ...] = ("ethnicity", "disability", "sexual_orientation")


@gated
def declaration_rate(
    dataset: Dataset, *, period: str | Period, fields: Sequence[str] = DECLARATION_FIELDS,
    within: Sequence[str] = (), staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Share of staff whose ethnicity / disability / sexual orientation is recorded.

    Returns
    -------
    pandas.DataFrame
        Indicator ``declaration_rate``: one row per field (``group_var``) and stratum,
        ``group`` "Declared", ``numerator`` staff with a declared value, ``denominator`` staff in
        post, ``value`` the share (Wilson interval). A field whose column the staff table lacks
        is listed in ``attrs["not_computed"]`` as ``"declaration_rate (<field>)"``.

    Notes
    -----
    Not declared: ethnicity Z (not stated), 99 (not known), blank or unrecognised (NHS Data
    Dictionary ETHNIC CATEGORY); disability "Not declared", "Unspecified" or blank (NHS
    England WDES technical guidance, which reports this rate beside every WDES metric); sexual
    orientation U, Z, 9 or blank (NHS Data Dictionary SEXUAL ORIENTATION CODE).
    """
    ind = "declaration_rate"
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    parts = []
    for name in fields:
        (g,) = as_groupings(name)
        if _missing_columns(dataset.staff, [g.column]):
            parts.append(not_computed(f"{ind} ({name})",
                                      f"the staff table has no {g.column} column"))
            continue
        counts = _in_post(ctx, (g,), within=ctx.within)
        counts = _with_totals(counts.assign(declared=np.where(counts["group"] != g.unknown,
                                                              counts["n"], 0.0)), ctx.within)
        keys = list(ctx.within)
        agg = (counts.groupby(keys, dropna=False, sort=False)
               .agg(declared=("declared", "sum"), total=("total", "first")).reset_index()
               if keys else pd.DataFrame({"declared": [counts["declared"].sum()],
                                          "total": [counts["n"].sum()]}))
        agg["group"] = "Declared"
        r = rate_rows(agg, indicator=ind, period=ctx.period, numerator="declared",
                      denominator="total", gs=(g,), within=keys, compare=False, min_n=ctx.min_n,
                      confidence=ctx.confidence)
        parts.append(r)
    return concat_results(parts)


# --------------------------------------------------------------------------- leadership


@gated
def model_employer_gap(
    dataset: Dataset, *, period: str | Period, baseline_period: str | Period,
    goal_period: str | Period, goal_share: float | None = None, within: Sequence[str] = (),
    staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, bme_label: str = "BME", min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Model Employer ladder: per senior band, BME share now, this year's target, staff needed.

    Parameters
    ----------
    period
        The year assessed (its 31 March snapshot gives the current shares and headcounts).
    baseline_period
        The year the ladder starts from; its 31 March snapshot gives each band's starting BME
        share (must be in the staff table).
    goal_period
        The year by which each senior band should match the goal share.
    goal_share
        Goal BME share; default the whole-workforce BME share at ``period`` (same strata,
        bank staff excluded, Unknown in the denominator).

    Returns
    -------
    pandas.DataFrame
        Indicator ``model_employer_gap``, ``group`` BME, one block per senior band (``band``:
        each of :data:`equity.codes.SENIOR_BANDS` and ``"Band 8a and above"``) and stratum,
        with three ``variant`` rows:

        - ``"current"``: ``numerator`` BME staff, ``denominator`` band headcount, ``value``
          BME share (Wilson interval);
        - ``"target"``: ``value`` the target share for ``period``, ``numerator`` the BME
          headcount that meets it (ceil(target × headcount)), ``denominator`` band headcount,
          ``ratio`` current share ÷ target share;
        - ``"additional needed"``: ``numerator`` the additional BME staff needed at today's
          band headcount (max(0, target count − current)), ``denominator`` band headcount,
          ``value`` numerator ÷ denominator.

    Notes
    -----
    Library method after NHS England, *A Model Employer: increasing black and minority ethnic
    representation at senior levels across the NHS* (2019): the target moves linearly from
    the band's share at the baseline year to the goal share at the goal year (and stays at
    the goal after it): target = base + (goal − base) × (years since baseline ÷ years from
    baseline to goal). Bank staff excluded; Unknown ethnicity kept in denominators, as in
    WRES 1. A band with nobody at the baseline has no target (NaN).
    """
    ind = "model_employer_gap"
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    base = resolve_period(dataset, baseline_period)
    goal = Period.parse(goal_period)
    if goal <= base:
        raise ParameterError(
            f"`goal_period` ({goal}) must come after `baseline_period` ({base})."
        )
    g = as_groupings("ethnicity")[0]
    keys = list(ctx.without("band"))
    senior_all = "Band 8a and above"

    def band_counts(snapshot: Any) -> pd.DataFrame:
        c = _in_post(ctx, (g,), within=keys, extra_keys=("band",), snapshot=snapshot,
                     exclude_bank=True, complete_levels={"band": list(codes.SENIOR_BANDS)})
        c = c.loc[c["band"].isin(codes.SENIOR_BANDS)]
        c = pd.concat([c, cube.regroup(c, [*keys, "group"]).assign(band=senior_all)],
                      ignore_index=True)
        c = _with_totals(c, [*keys, "band"])
        return c.loc[c["group"] == "BME", [*keys, "band", "n", "total"]]

    now = band_counts(ctx.period.snapshot)
    then = band_counts(base.snapshot).rename(columns={"n": "n_base", "total": "total_base"})
    m = now.merge(then, on=[*keys, "band"], how="left")
    if goal_share is None:
        wf = _in_post(ctx, (g,), within=keys, exclude_bank=True)
        wf = _with_totals(wf, keys)
        wf = wf.loc[wf["group"] == "BME", [*keys, "n", "total"]]
        wf = wf.assign(goal=wf["n"] / wf["total"].where(wf["total"] > 0))[[*keys, "goal"]]
        m = m.merge(wf, on=keys, how="left") if keys else m.assign(goal=wf["goal"].iloc[0])
    else:
        if not 0 <= goal_share <= 1:
            raise ParameterError(f"`goal_share` must be a proportion in [0, 1]; got {goal_share!r}.")
        m["goal"] = goal_share
    frac = min(max((ctx.period.start_year - base.start_year) / (goal.start_year - base.start_year),
                   0.0), 1.0)
    base_share = m["n_base"] / m["total_base"].where(m["total_base"] > 0)
    target = base_share + (m["goal"] - base_share) * frac
    target_count = np.ceil(np.round(target * m["total"], 9))
    additional = np.maximum(target_count - m["n"], 0)
    current_share = m["n"] / m["total"].where(m["total"] > 0)
    common = m[[*keys, "band"]].assign(group_var="ethnicity", group=bme_label)
    cur = rate_rows(m.assign(group=bme_label), indicator=ind, period=ctx.period, numerator="n",
                    denominator="total", gs=(g,), within=[*keys, "band"], compare=False,
                    variant="current", min_n=ctx.min_n)
    tgt = make_result(common.assign(
        variant="target", numerator=target_count, denominator=m["total"], value=target,
        ratio=current_share / target.where(target > 0), status=NOT_APPLICABLE),
        indicator=ind, period=str(ctx.period))
    add = make_result(common.assign(
        variant="additional needed", numerator=additional, denominator=m["total"],
        value=additional / m["total"].where(m["total"] > 0), status=NOT_APPLICABLE),
        indicator=ind, period=str(ctx.period))
    out = concat_results([cur, tgt, add])
    return record_exclusion(out, indicator=ind, table="staff", reason="bank staff",
                            count=_bank_count(ctx))


#: Pipeline steps: (variant label, lower band group, upper band group).
PIPELINE_STEPS: tuple[tuple[str, str, str], ...] = (
    ("lower to middle", "lower", "middle"),
    ("middle to upper", "middle", "upper"),
)


@gated
def pipeline_disparity(
    dataset: Dataset, *, period: str | Period, by: By = "ethnicity", within: Sequence[str] = (),
    staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Pipeline disparity ratio for each step up the band ladder.

    Returns
    -------
    pandas.DataFrame
        Indicator ``pipeline_disparity``, ``variant`` "lower to middle" (Band 1-5 to 6-7) or
        "middle to upper" (6-7 to 8a and above). One row per known group and stratum:
        ``numerator`` the group's staff in the higher band group, ``denominator`` its staff in
        both band groups of the step, ``value`` their share (Wilson interval). For each group
        other than the reference (White), ``ratio`` = (reference upper ÷ reference lower) ÷
        (group upper ÷ group lower), with a Woolf (log) 95% interval and Fisher's exact
        p-value; above 1.25 is adverse (the reference group climbs more).

    Notes
    -----
    Library method (docs/methodology.md): (White share in upper bands ÷ White share in lower bands)
    ÷ (BME same). Whether "share" is read as the group's share of each band group or the
    band group's share of the group, the ratio reduces to the odds ratio
    (W_up × B_low) ÷ (W_low × B_up); interval Woolf (1955), undefined (NaN) with a zero
    cell. Staff with an unknown group, and staff outside the AfC ladder (medical grades,
    unrecognised bands), are left out and counted in ``attrs["exclusions"]``. Bank staff
    excluded, as in WRES 1.
    """
    ind = "pipeline_disparity"
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    gs = as_groupings(by)
    _check_by(dataset, "staff", dataset.staff, gs)
    keys = list(ctx.without("band"))
    counts = _in_post(ctx, gs, within=keys, extra_keys=("band",), exclude_bank=True)
    counts["band_group"] = counts["band"].map(codes.BAND_GROUPS)
    off_ladder = counts.loc[counts["band_group"].isna(), "n"].sum()
    unknown = counts.loc[counts["band_group"].notna()
                         & unknown_mask(counts["group"], gs).to_numpy(), "n"].sum()
    counts = _drop_unknown(counts.loc[counts["band_group"].notna()], gs)
    ref = reference_of(gs)
    wide = (counts.pivot_table(index=[*keys, "group"], columns="band_group", values="n",
                               aggfunc="sum", fill_value=0.0, dropna=False, observed=True)
            .reindex(columns=["lower", "middle", "upper"], fill_value=0.0).reset_index())
    wide.columns.name = None
    # Every known group level appears, even with nobody on the ladder.
    grid_levels = {k: sorted(wide[k].dropna().unique().tolist()) for k in keys}
    grid_levels["group"] = [lv for lv in _known_levels(gs)]
    wide = cube.complete(wide, grid_levels)
    rows = []
    for label, lo, hi in PIPELINE_STEPS:
        step = wide.assign(up=wide[hi], both=wide[lo] + wide[hi], low=wide[lo])
        r = rate_rows(step, indicator=ind, period=ctx.period, numerator="up", denominator="both",
                      gs=gs, within=keys, compare=False, variant=label, min_n=ctx.min_n,
                      confidence=ctx.confidence)
        if ref is not None:
            j = with_reference(step, keys, ref, ["up", "low", "both"])
            ratio, lo_ci, hi_ci = _odds_ratio(j["up_ref"], j["low_ref"], j["up"], j["low"],
                                              confidence=ctx.confidence)
            pv = stats.fisher_exact_p(j["up_ref"], j["both_ref"], j["up"], j["both"])
            status = stats.classify(ratio, j["both_ref"], j["both"], harm="above",
                                    min_n=ctx.min_n)
            eligible = (j["group"] != ref).to_numpy()
            r["ratio"] = np.where(eligible, ratio, np.nan)
            r["ratio_ci_low"] = np.where(eligible, lo_ci, np.nan)
            r["ratio_ci_high"] = np.where(eligible, hi_ci, np.nan)
            r["p_value"] = np.where(eligible, pv, np.nan)
            r["status"] = np.where(eligible, status, r["status"])
            r["reference_group"] = ref
        rows.append(r)
    out = concat_results(rows)
    record_exclusion(out, indicator=ind, table="staff", reason="unknown group", count=unknown)
    record_exclusion(out, indicator=ind, table="staff",
                     reason="band outside the AfC ladder (medical grades, unrecognised)",
                     count=off_ladder)
    return record_exclusion(out, indicator=ind, table="staff", reason="bank staff",
                            count=_bank_count(ctx))


def _known_levels(gs: Sequence[Grouping]) -> list[str]:
    from equity.measures._common import levels_of

    lv = pd.Series(levels_of(gs))
    return lv.loc[~unknown_mask(lv, gs).to_numpy()].tolist()


def _odds_ratio(a: Any, b: Any, c: Any, d: Any, *, confidence: float = 0.95
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a / b) ÷ (c / d) with a Woolf log interval; NaN when undefined or a cell is zero."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    z = stats.z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (b > 0) & (c > 0)
        ratio = np.where(ok, (a * d) / (b * c), np.nan)
        cells = (a > 0) & (b > 0) & (c > 0) & (d > 0)
        se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        lo = np.where(cells, ratio * np.exp(-z * se), np.nan)
        hi = np.where(cells, ratio * np.exp(z * se), np.nan)
    return ratio, lo, hi


__all__ = [
    "DECLARATION_FIELDS", "PIPELINE_STEPS", "declaration_rate", "diversity_index",
    "model_employer_gap", "pipeline_disparity", "representation",
    "representation_vs_benchmark", "senior_representation",
]
