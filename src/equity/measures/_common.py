"""Shared machinery of the indicator modules: scope, groupings, rate and ratio rows.

Each indicator is one (or a few) :func:`equity.cube.count` calls followed by the functions
here, which turn small count tables into the shared result schema. Nothing here touches
row-level data.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from equity import codes, cube, stats
from equity.codes import Period
from equity.errors import (
    EquityError,
    InputError,
    ParameterError,
    PeriodError,
    ValidationError,
    check_choice,
)
from equity.io import Dataset
from equity.registry import REGISTRY
from equity.registry import get as get_meta
from equity.result import (
    NOT_APPLICABLE,
    SPLITTABLE,
    add_exclusion,
    concat_results,
    make_result,
    text_where,
)

# --------------------------------------------------------------------------- groupings


@dataclass(frozen=True)
class Grouping:
    """How one equality field is grouped for reporting."""

    name: str  # group_var in results
    column: str  # raw column in the data
    mapper: Callable[[pd.Series], pd.Series]
    levels: tuple[str, ...]  # always shown, even with zero counts
    reference: str | None  # default reference group for ratios
    unknown: str | None = "Unknown"  # excluded from ratios, kept in shares


def _identity_levels(values: Sequence[str]) -> Callable[[pd.Series], pd.Series]:
    def mapper(s: pd.Series) -> pd.Series:
        out = s.astype(object)
        return out.where(out.isin(list(values)), "Unknown")

    return mapper


GROUPINGS: dict[str, Grouping] = {
    "ethnicity": Grouping("ethnicity", "ethnic_category", codes.ethnicity_group,
                          codes.WRES_GROUPS, "White"),
    "ethnicity_broad": Grouping(
        "ethnicity_broad", "ethnic_category",
        lambda s: codes.ethnicity_group(s, grouping="broad"), codes.BROAD_ETHNIC_GROUPS, "White"),
    "ethnicity_detailed": Grouping(
        "ethnicity_detailed", "ethnic_category",
        lambda s: codes.ethnicity_group(s, grouping="detailed"),
        tuple(v[0] for k, v in codes.ETHNIC_CATEGORIES.items() if k not in ("Z", "99")) + ("Unknown",),
        "White - British"),
    "white_british": Grouping(
        "white_british", "ethnic_category",
        lambda s: codes.ethnicity_group(s, grouping="white_british"),
        ("White British", "Ethnic minority", "Unknown"), "White British"),
    "disability": Grouping("disability", "disability", codes.disability_group,
                           codes.WDES_GROUPS, "Non-disabled"),
    "sex": Grouping("sex", "sex", codes.sex_group, (*codes.SEX_GROUPS, "Unknown"), "Male"),
    "sexual_orientation": Grouping(
        "sexual_orientation", "sexual_orientation", codes.sexual_orientation_group,
        tuple(v for k, v in codes.SEXUAL_ORIENTATION_CODES.items()
              if k not in codes.SEXUAL_ORIENTATION_UNDECLARED) + ("Unknown",),
        "Heterosexual or Straight"),
    "age_band": Grouping("age_band", "age_band", _identity_levels(codes.AGE_BANDS),
                         (*codes.AGE_BANDS, "Unknown"), None),
}
INTERSECTION = " × "
#: Raw equality columns counted together when counts are shared (see :func:`grouped_counts`).
SHARED_CODES: tuple[str, ...] = ("ethnic_category", "disability")


def grouping(name: str) -> Grouping:
    if name not in GROUPINGS:
        raise ParameterError(
            f"Unknown grouping {name!r}; choose from {', '.join(GROUPINGS)} "
            f"(or a tuple of them for an intersection, e.g. ('ethnicity', 'sex'))."
        )
    return GROUPINGS[name]


def as_groupings(by: str | Sequence[str]) -> tuple[Grouping, ...]:
    names = (by,) if isinstance(by, str) else tuple(by)
    if not names:
        raise ParameterError("`by` needs at least one grouping.")
    return tuple(grouping(n) for n in names)


def group_var_name(gs: Sequence[Grouping]) -> str:
    return INTERSECTION.join(g.name for g in gs)


def reference_of(gs: Sequence[Grouping], reference: str | None = None) -> str | None:
    """Default reference: the reference of each field joined (e.g. "White × Male")."""
    if reference is not None:
        return reference
    refs = [g.reference for g in gs]
    return None if any(r is None for r in refs) else INTERSECTION.join(refs)  # type: ignore[arg-type]


def check_reference(gs: Sequence[Grouping], reference: str | None) -> None:
    """Raise :class:`~equity.errors.ParameterError` unless ``reference`` (when given) is one
    of the grouping's known groups: an unknown one ("Purple", "white") has no rows, and
    every comparison would read as too few people to tell."""
    if reference is None:
        return
    known = [lv for lv in levels_of(gs) if not unknown_mask(pd.Series([lv]), gs).iloc[0]]
    if reference not in known:
        raise ParameterError(
            f"Reference group {reference!r} is not a group of {group_var_name(gs)!r}; its "
            f"groups are {', '.join(map(repr, known))}. Compare with one of those.")


def levels_of(gs: Sequence[Grouping]) -> list[str]:
    """Every group label of ``gs``, the first grouping varying slowest."""
    return [INTERSECTION.join(c) for c in itertools.product(*(g.levels for g in gs))]


def unknown_mask(groups: pd.Series, gs: Sequence[Grouping]) -> pd.Series:
    """True where any part of an (intersectional) group is unknown."""
    unknowns = [g.unknown for g in gs]
    return codes.per_value(groups.astype(str), lambda v: any(
        u is not None and x == u
        for x, u in zip(str(v).split(INTERSECTION), unknowns, strict=False)), dtype=bool)


def group_labels(counted: pd.DataFrame, gs: Sequence[Grouping]) -> pd.Categorical:
    """Each count row's group label (``"BME"``, ``"BME × Female"``...), as a categorical
    with sorted categories, like a count table's text keys (:func:`equity.cube.count`).

    Count tables reach millions of rows at national scale with a handful of codes: each
    grouping maps the distinct codes, not the rows, and the labels stay integer codes.
    """
    codes_ = np.zeros(len(counted), dtype=np.int64)
    per_grouping = []
    for g in gs:
        raw, uniq = cube.factorize(counted[g.column])
        lab_codes, lab = pd.factorize(g.mapper(pd.Series(uniq)).astype(str).to_numpy(dtype=object))
        codes_ = codes_ * len(lab) + lab_codes[raw]  # the first grouping varies slowest
        per_grouping.append(lab)
    labels = pd.Index([INTERSECTION.join(c) for c in itertools.product(*per_grouping)], dtype=object)
    return cube.sorted_categorical(pd.Series(pd.Categorical.from_codes(codes_, categories=labels))).array


def code_columns(gs: Sequence[Grouping]) -> list[str]:
    """The raw equality-code columns ``gs`` group (each once, in order)."""
    return list(dict.fromkeys(g.column for g in gs))


def count_derive(keys: Sequence[str], derive: Mapping[str, nw.Expr] | None = None
                 ) -> dict[str, nw.Expr]:
    """``derive`` plus the derived strata among ``keys`` (``clinical``, from staff_group)."""
    derive = dict(derive or {})
    if "clinical" in keys and "clinical" not in derive:
        derive["clinical"] = clinical_expr()
    return derive


def group_counted(counted: pd.DataFrame, gs: Sequence[Grouping], keys: Sequence[str], *,
                  complete_levels: Mapping[str, Sequence[Any]] | None = None) -> pd.DataFrame:
    """The pandas half of :func:`grouped_counts`: an engine count table by ``keys`` and raw
    equality codes, grouped into ``gs``'s groups with every level present, zero-filled."""
    keys = list(keys)
    labels = group_labels(counted, gs)
    if keys:
        # A shared count table is grouped once per grouping: its strata are coded once (text
        # keys hashed once), and each grouping sums on the integer codes.
        codes_, strata = cube.shared(counted, ("strata codes", tuple(keys)),
                                     lambda: cube.key_codes(counted, keys))
        summed = cube.regroup(counted.assign(_stratum=codes_, group=labels), ["_stratum", "group"])
        out = pd.concat([strata.iloc[summed["_stratum"].to_numpy()].reset_index(drop=True),
                         summed.drop(columns="_stratum")], axis=1)
    else:
        out = cube.regroup(counted.assign(group=labels), ["group"])
    levels: dict[str, Sequence[Any]] = {}
    for k in keys:
        levels[k] = (complete_levels or {}).get(k, sorted(out[k].dropna().unique().tolist()))
    levels["group"] = levels_of(gs)
    if len(out) == 0 and not keys:
        return cube.complete(pd.DataFrame(
            {"group": [], **{c: [] for c in out.columns if c != "group"}}), levels)
    return cube.complete(out, levels)


def grouped_counts(
    frame: Any,
    gs: Sequence[Grouping],
    *,
    within: Sequence[str] = (),
    where: nw.Expr | None = None,
    derive: Mapping[str, nw.Expr] | None = None,
    sums: Sequence[str] = (),
    distinct: str | None = None,
    extra_keys: Sequence[str] = (),
    complete_levels: Mapping[str, Sequence[Any]] | None = None,
    share: tuple[Any, Hashable] | None = None,
) -> pd.DataFrame:
    """Count by raw equality codes in the engine, then group on the small table.

    Returns ``within`` + ``extra_keys`` columns, ``group`` and the count columns, with every
    level of the grouping (and of ``complete_levels``) present, zero-filled.

    ``share=(owner, key)`` says that ``frame``, ``where`` and ``derive`` are fully determined
    by ``key`` for the native frame ``owner`` (e.g. the dataset's staff table): the engine
    query then counts by every code in :data:`SHARED_CODES` at once and, inside a
    :func:`equity.cube.sharing` block, is run once per owner and key, so the same figure by
    ethnicity and by disability costs one query.
    ``frame`` may be a function returning the frame, called only when the count is not
    shared already (on pandas, building a join is itself the work).
    """
    raw_cols = code_columns(gs)
    keys = [*within, *extra_keys]
    derive = count_derive(keys, derive)
    if share is not None and distinct is not None:
        raise ValueError("`share` counts rows; it cannot be combined with `distinct`.")

    def build() -> Any:
        return frame() if callable(frame) else frame

    def grouped() -> pd.DataFrame:
        if share is None:
            built = build()
            _require(cube.columns(built), raw_cols)
            counted = cube.count(built, [*keys, *raw_cols], where=where, derive=derive,
                                 sums=sums, distinct=distinct)
        else:
            owner, key = share
            have = set(cube.columns(owner))
            _require(have, raw_cols)
            cols = list(dict.fromkeys([*(c for c in SHARED_CODES if c in have), *raw_cols]))
            counted = cube.shared(
                owner, ("grouped_counts", key, tuple(keys), tuple(cols), tuple(sums)),
                lambda: cube.count(build(), [*keys, *cols], where=where, derive=derive,
                                   sums=sums))
        return group_counted(counted, gs, keys, complete_levels=complete_levels)

    if share is None:
        return grouped()
    # The grouped table too is shared: indicators asking the same question (staff in post
    # by ethnicity for WRES 1, representation and the Model Employer ladder) group the shared
    # count once. A copy is returned, so a caller may change its own.
    asked = (share[1], tuple(keys), tuple(sums),
             tuple((g.name, g.column, tuple(g.levels), g.mapper) for g in gs),
             tuple((k, tuple(v)) for k, v in (complete_levels or {}).items()))
    return cube.shared(share[0], ("grouped", *asked), grouped).copy()


def _require(have: Any, columns: Sequence[str]) -> None:
    """An :class:`~equity.errors.InputError` naming the equality columns a grouping needs that
    the data do not hold (an optional column left out of the extract, or a mapping entry whose
    local column is not in the file), so the indicator is listed as not computed, with this
    reason, instead of failing with a KeyError."""
    missing = [c for c in columns if c not in set(have)]
    if missing:
        raise InputError(
            f"The data have no {', '.join(missing)} column, which this grouping needs (an "
            "optional column: add it to the extract, or map the local column to it under "
            "columns: in the mapping file).", column=missing[0])


def is_bank(staff: Any) -> nw.Expr:
    """Bank staff: ``contract_type`` "Bank" in any case or padding (missing is not bank).

    The distinct recorded spellings are few: they are matched here and the test is pushed to
    the engine as one ``is_in``, not a string operation on every row.
    """
    spellings = [v for v in _column_values(staff, "contract_type")
                 if str(v).strip().lower() == "bank"]
    return nw.col("contract_type").is_in(spellings).fill_null(False)


def band_rank_expr(staff: Any, column: str = "band") -> nw.Expr:
    """Engine expression for the position of ``column`` on the band ladder (null off it).

    ``staff``'s distinct raw bands are few: they are ranked here with
    :func:`equity.codes.band_rank` (one definition of the ladder) and the lookup is pushed to
    the engine as a when/then chain. ``column`` may be a copy of ``band`` (``band_other``).
    """
    raw = pd.Series(_column_values(staff, "band"), dtype=object)
    ranks = codes.band_rank(codes.normalise_band(raw)).to_numpy()
    expr: nw.Expr = nw.lit(None, nw.Float64())
    for r in sorted(set(ranks[~np.isnan(ranks)].tolist())):
        values = raw[ranks == r].tolist()
        expr = nw.when(nw.col(column).is_in(values)).then(nw.lit(float(r))).otherwise(expr)
    return expr


def clinical_expr() -> nw.Expr:
    """'Clinical' / 'Non-clinical' from staff_group (WRES 1 split)."""
    return (
        nw.when(nw.col("staff_group").is_in(list(codes.NON_CLINICAL_STAFF_GROUPS)))
        .then(nw.lit("Non-clinical"))
        .otherwise(nw.lit("Clinical"))
    )


# --------------------------------------------------------------------------- scope


def check_within(within: Sequence[str]) -> tuple[str, ...]:
    within = (within,) if isinstance(within, str) else tuple(within)
    bad = [w for w in within if w not in SPLITTABLE]
    if bad:
        raise ParameterError(
            f"`within` may name {', '.join(SPLITTABLE)}; got {bad}."
        )
    return within


def snapshot_dates(dataset: Dataset) -> list[dt.date]:
    """Distinct snapshot dates in the staff table, sorted."""
    def compute() -> tuple[dt.date, ...]:
        c = cube.count(dataset.staff, ["snapshot_date"])
        return tuple(sorted(pd.to_datetime(c["snapshot_date"].dropna()).dt.date.unique().tolist()))

    return list(cube.memo(dataset.staff, "snapshot_dates", compute))


def resolve_period(dataset: Dataset, period: str | Period) -> Period:
    """Parse ``period`` and check the staff table holds its closing 31 March snapshot."""
    p = Period.parse(period)
    dataset.require("staff")
    dates = snapshot_dates(dataset)
    if p.snapshot not in dates:
        have = ", ".join(str(Period.ending_at(d)) for d in dates if d.month == 3 and d.day == 31)
        raise PeriodError(
            f"The staff table has no snapshot at {p.snapshot:%d %B %Y}, which closes period "
            f"{p}. Periods the data holds: {have or 'none (no 31 March snapshots)'}. "
            "Choose one of those, or add that snapshot to staff."
        )
    return p


def event_dates(dataset: Dataset, table: str) -> tuple[dt.date, dt.date, int] | None:
    """The first and last date of the event table ``table`` (its date column,
    :data:`equity.schema.EVENT_DATES`) and on how many distinct days it has rows, or None
    when it is absent or has no dated rows; read once per table."""
    from equity.schema import EVENT_DATES

    frame, col = getattr(dataset, table, None), EVENT_DATES[table]
    if frame is None or col not in cube.columns(frame):
        return None

    def compute() -> tuple[dt.date, dt.date, int] | None:
        r = cube.collect(cube.lazy(frame).filter(~nw.col(col).is_null()).select(
            nw.col(col).min().alias("first"), nw.col(col).max().alias("last"),
            nw.col(col).n_unique().alias("n")))
        first, last = r["first"].iloc[0], r["last"].iloc[0]
        return (None if pd.isna(first) or pd.isna(last)
                else (pd.Timestamp(first).date(), pd.Timestamp(last).date(), int(r["n"].iloc[0])))

    return cube.memo(frame, ("date range", col), compute)


#: How many average gaps between an event table's dates before its first (or after its last)
#: a year or window may reach and still count its days without an event as such.
REACH_GAPS = 10
#: ... and at least this many days: events fall on working days, so a long weekend at
#: Easter passes without a closing date in a trust that has one every few hours.
REACH_MIN_DAYS = 14


def event_reach(dataset: Dataset, table: str) -> tuple[dt.date, dt.date] | None:
    """The days the event table ``table`` reaches: from its first date to its last, widened
    by :data:`REACH_GAPS` average gaps between the days it has rows on, and by at least
    :data:`REACH_MIN_DAYS` (a whole trust's leavers, a leaver every day or two: a fortnight
    or so). A table may start later than the staff snapshots (a leavers extract of recent
    years), or end before the year does: the days beyond it are not days nobody left. A
    spell of ten average gaps without an event happens by chance about once in 20,000, so a
    small organisation's quiet months stay reached. None when the table is absent or has
    no dated rows."""
    span = event_dates(dataset, table)
    if span is None:
        return None
    first, last, n = span
    gaps = REACH_GAPS * (last - first).days / (n - 1) if n > 1 else 0.0
    slack = dt.timedelta(days=max(gaps, REACH_MIN_DAYS))
    return first - slack, last + slack


#: Rows on fewer distinct dates than this in an event table, and the gaps between them say too
#: little about how far it reaches (a hand-built table of rows on one date): only a year it
#: does not reach at all is refused (:func:`uncovered`).
REACH_MIN_DATES = 20


def uncovered(dataset: Dataset, table: str, period: Period) -> str | None:
    """Why the event table ``table`` cannot give figures for ``period``, or None.

    An extract that does not reach the year (every leave date after it, or before it) holds
    no events in it; counted as it stands, it would say that nobody left, was appointed or
    entered a formal process that year. One that reaches only part of it (a leavers extract
    from October; one taken in January) would count part of the year's events as the
    year's, a rate that reads lower than it is. Such a year is not computed, and the reason
    names the dates the table holds and the days it misses. A part is missed when it lies
    beyond the table's reach (:func:`event_reach`: its dates widened by ten average gaps
    between them, and at least a fortnight), so a sparse table's quiet weeks are not. A table
    with no rows (a header-only file) gives no year. None when the table is absent or reaches
    the whole year; of a table with rows on fewer than
    :data:`REACH_MIN_DATES` distinct dates, only a year it does not reach at all is
    refused.
    """
    from equity.schema import EVENT_DATES

    span, reach = event_dates(dataset, table), event_reach(dataset, table)
    if span is None or reach is None:
        frame = getattr(dataset, table, None)
        if frame is not None and EVENT_DATES[table] in cube.columns(frame):
            # a header-only file: not a year in which nothing happened (0% for every group)
            return (f"the {table} table has no rows: counted as it stands, the year would "
                    f"show no {table} at all. Add the rows, or leave the file out")
        return None
    first, last, n = span
    dates = f"its {EVENT_DATES[table]} runs from {first:%d %B %Y} to {last:%d %B %Y}"
    if first > period.end or last < period.start:
        return (f"the {table} table holds no rows dated in {period} ({dates}): counted as it "
                f"stands, the year would show no {table} at all. Choose a period it covers, "
                "or add that year's rows")
    if n < REACH_MIN_DATES or (reach[0] <= period.start and reach[1] >= period.end):
        return None
    missed = [f"{a:%d %B %Y} to {b:%d %B %Y}" for a, b in (
        (period.start, first - dt.timedelta(days=1)), (last + dt.timedelta(days=1), period.end))
        if a <= b and (a < reach[0] or b > reach[1])]
    return (f"the {table} table reaches only part of {period} ({dates}; none from "
            f"{' or from '.join(missed)}): counted as it stands, the year's figures would count "
            f"only the {table} of the days it holds. Choose a period it covers, or add the "
            "missing rows")


def unreached_years(dataset: Dataset, table: str, years: Sequence[Period]
                    ) -> list[tuple[Period, str]]:
    """Each of ``years`` the event table ``table`` does not reach whole, with the reason
    (:func:`uncovered`), for a figure that spans several years (time to leaving follows staff
    from the first snapshot) or a check of every year at once (``equity validate``). Empty
    for a table with rows on fewer than :data:`REACH_MIN_DATES` dates: over several years, so
    few dates (a hand-built table) say too little of the years they cover."""
    span = event_dates(dataset, table)
    if span is None or span[2] < REACH_MIN_DATES:
        return []
    return [(y, why) for y in years if (why := uncovered(dataset, table, y))]


def at(date: dt.date, column: str = "snapshot_date") -> nw.Expr:
    """Filter expression: ``column`` equals ``date`` (dates are stored as midnight datetimes)."""
    return nw.col(column) == dt.datetime(date.year, date.month, date.day)


def between(start: dt.date, end: dt.date, column: str) -> nw.Expr:
    """Filter expression: ``start <= column <= end`` (inclusive)."""
    return (nw.col(column) >= dt.datetime(start.year, start.month, start.day)) & (
        nw.col(column) <= dt.datetime(end.year, end.month, end.day)
    )


def and_all(*exprs: nw.Expr | None) -> nw.Expr | None:
    out = None
    for e in exprs:
        if e is not None:
            out = e if out is None else out & e
    return out


def _column_values(frame: Any, col: str) -> list[Any]:
    """The distinct non-missing values of ``col`` (remembered per frame)."""

    def compute() -> tuple[Any, ...]:
        return tuple(cube.count(frame, [col])[col].dropna().tolist())

    return list(cube.memo(frame, ("values", col), compute))


def scope_filter(
    frame: Any, *, table: str, staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, check_values: bool = True,
) -> nw.Expr | None:
    """Filter expression for a staff-group / directorate / profession scope.

    ``staff_group=None`` or ``"all"`` means every staff group. A value the table does not
    hold raises :class:`ParameterError` listing the values it does hold, unless
    ``check_values=False`` (for event tables such as recruitment, where a directorate with no
    vacancies in the year is a zero count, not a mistake).
    """
    wanted = {"staff_group": staff_group, "directorate": directorate, "profession": profession}
    exprs = []
    have_cols = set(cube.columns(frame))
    for col, value in wanted.items():
        if value is None or (col == "staff_group" and value == "all"):
            continue
        if col not in have_cols:
            raise InputError(
                f"Cannot select {col} {value!r}: the {table} table has no {col} column.",
                table=table, column=col,
            )
        values = _column_values(frame, col) if check_values else []
        if check_values and value not in values:
            near = [str(v) for v in values if codes.name_key(v) == codes.name_key(value)]
            hint = (f" The data hold {near[0]!r}, the same name in another case or spacing: "
                    "write it one way in the data and in what you ask for (or map the data's "
                    "spelling under values: in the mapping file)." if near else "")
            raise ParameterError(
                f"No {col.replace('_', ' ')} {value!r} in the {table} table. It holds: "
                f"{', '.join(sorted(map(str, values)))}.{hint}"
            )
        exprs.append(nw.col(col) == value)
    return and_all(*exprs)


# --------------------------------------------------------------------------- result rows


def with_reference(table: pd.DataFrame, within: Sequence[str], reference: object,
                   columns: Sequence[str]) -> pd.DataFrame:
    """``table`` with a ``<column>_ref`` column for each of ``columns``: the values of the
    row of the same stratum (``within``) whose ``group`` is ``reference``, NaN where the
    stratum has none (a left join of the reference rows on the strata, through their
    integer codes rather than a merge on text keys; the first reference row if several).

    Examples
    --------
    >>> t = pd.DataFrame({"s": ["a", "a", "b"], "group": ["W", "B", "B"], "n": [4, 2, 3]})
    >>> with_reference(t, ["s"], "W", ["n"])["n_ref"].tolist()
    [4.0, 4.0, nan]
    """
    hits = np.flatnonzero((table["group"] == reference).to_numpy(dtype=bool))
    if within:
        codes_, keys = cube.key_codes(table, within)
        first = np.full(len(keys), len(table), dtype=np.int64)
        np.minimum.at(first, codes_[hits], hits)
        at = first[codes_]
    else:
        at = np.full(len(table), hits[0] if len(hits) else len(table), dtype=np.int64)
    found = at < len(table)
    at = np.where(found, at, 0)
    return table.assign(**{f"{c}_ref": np.where(found, table[c].to_numpy(dtype="float64")[at],
                                                np.nan) for c in columns})


def rate_rows(
    counts: pd.DataFrame,
    *,
    indicator: str,
    period: Period | str,
    numerator: str,
    denominator: str,
    gs: Sequence[Grouping],
    within: Sequence[str] = (),
    variant: str | None = None,
    reference: str | None = None,
    compare: bool = True,
    orientation: Literal["group_over_reference", "reference_over_group"] = "group_over_reference",
    min_n: int = stats.MIN_N,
    non_adverse_range: tuple[float, float] = stats.NON_ADVERSE_RANGE,
    confidence: float = 0.95,
    method: Literal["koopman", "katz"] = "koopman",
) -> pd.DataFrame:
    """Result rows for a rate per group (Wilson interval) and, when ``compare``, the relative
    likelihood of each known group against the reference group within each stratum.

    ``orientation`` keeps the standard's direction: WRES 3 is BME / White
    (``"group_over_reference"``, reference White); WRES 2 is White / BME
    (``"reference_over_group"``, reference White). Groups with an unknown part get no ratio
    (status ``not_applicable``); so does the reference row itself. Status of ratios follows
    :func:`equity.stats.classify` with the indicator's registered direction of harm.
    """
    meta = get_meta(indicator)
    within = list(within)
    df = counts.rename(columns={numerator: "numerator", denominator: "denominator"})
    df = df.loc[:, [*within, "group", "numerator", "denominator"]].reset_index(drop=True)
    # Result columns as arrays, handed to make_result as they are (assigned to a pandas 3
    # frame, each text array would become its str dtype, to be turned back).
    out: dict[str, Any] = {c: df[c] for c in df.columns}
    rates = stats.proportion(df["numerator"], df["denominator"], confidence=confidence)
    out |= {c: rates[c].to_numpy() for c in rates.columns}
    out["status"] = stats.share_status(df["denominator"], min_n=min_n)
    if compare and meta.harm is not None:
        ref = reference_of(gs, reference)
        if ref is not None:
            joined = with_reference(df, within, ref, ["numerator", "denominator"])
            is_ref = (joined["group"] == ref).to_numpy()
            eligible = ~is_ref & ~unknown_mask(joined["group"], gs).to_numpy()
            if orientation == "group_over_reference":
                a = joined[["numerator", "denominator"]].to_numpy().T
                b = joined[["numerator_ref", "denominator_ref"]].to_numpy().T
            else:
                a = joined[["numerator_ref", "denominator_ref"]].to_numpy().T
                b = joined[["numerator", "denominator"]].to_numpy().T
            rl = stats.relative_likelihood(a[0], a[1], b[0], b[1], method=method,
                                           confidence=confidence)
            status = stats.classify(rl["ratio"], a[1], b[1], harm=meta.harm,
                                    non_adverse_range=non_adverse_range, min_n=min_n)
            out |= {c: np.where(eligible, rl[c], np.nan) for c in rl.columns}
            out["status"] = np.where(eligible, status, out["status"])
            out["reference_group"] = text_where(eligible | is_ref, ref, None)
    out["group_var"] = group_var_name(gs)
    if variant is not None:
        out["variant"] = variant
    return make_result(out, indicator=indicator, period=str(period))


def not_computed(indicator: str, reason: str) -> pd.DataFrame:
    """An empty result recording that ``indicator`` could not be computed, and why."""
    out = make_result(pd.DataFrame({"group_var": []}), indicator=indicator)
    out.attrs["not_computed"] = {indicator: reason}
    return out


def family_ids(family: str) -> tuple[str, ...]:
    """The indicator ids of a registry family (``"wres"``, ``"retention"``, ``"pay"``...)."""
    return tuple(m.id for m in REGISTRY.values() if m.family == family)


def attempt(compute: Callable[[], pd.DataFrame], *indicators: str) -> pd.DataFrame:
    """Run one indicator function; if the data cannot support it, list it as not computed.

    An :class:`~equity.errors.EquityError` (no opening snapshot, a missing table...) becomes an
    empty result whose ``attrs["not_computed"]`` gives each of ``indicators`` the error's
    message as the reason, so the other indicators of a run are still computed. A
    :class:`~equity.errors.ValidationError` still stops: no figure comes from bad data.

    Examples
    --------
    >>> def fails() -> pd.DataFrame:
    ...     raise PeriodError("no opening snapshot")
    >>> attempt(fails, "leaver_rate").attrs["not_computed"]
    {'leaver_rate': 'no opening snapshot'}
    """
    try:
        return compute()
    except ValidationError:
        raise
    except EquityError as err:
        out = make_result(pd.DataFrame({"group_var": []}), indicator=indicators[0])
        out.attrs["not_computed"] = {i: str(err) for i in indicators}
        return out


def selected(parts: Sequence[tuple[tuple[str, ...], Callable[[tuple[str, ...]], pd.DataFrame]]],
             indicators: Collection[str] | None, *, family: str) -> pd.DataFrame:
    """A family's result from its parts, each ``(ids, compute)`` run only when one of its
    indicator ``ids`` is asked for (``indicators=None``: every part); ``compute`` gets the
    ids asked for. An id outside the family is a :class:`~equity.errors.ParameterError`.

    Examples
    --------
    >>> parts = [(("a",), lambda ids: not_computed("wres_1", "x")),
    ...          (("b", "c"), lambda ids: not_computed("wres_2", ",".join(ids)))]
    >>> selected(parts, ["c"], family="test").attrs["not_computed"]
    {'wres_2': 'c'}
    """
    known = [i for ids, _ in parts for i in ids]
    wanted = known if indicators is None else list(indicators)
    for i in wanted:
        check_choice(f"indicators ({family})", i, known)
    return concat_results([compute(tuple(i for i in ids if i in wanted))
                           for ids, compute in parts if set(ids) & set(wanted)])


def record_exclusion(result: pd.DataFrame, *, indicator: str, table: str, reason: str,
                     count: float) -> pd.DataFrame:
    """Note rows left out of a denominator (e.g. unknown ethnicity in WRES 2); returns result."""
    add_exclusion(result, indicator=indicator, table=table, reason=reason, count=int(count))
    return result


__all__ = [
    "GROUPINGS", "INTERSECTION", "NOT_APPLICABLE", "SHARED_CODES", "Grouping", "and_all",
    "as_groupings", "at", "attempt", "check_reference", "family_ids", "band_rank_expr", "between", "is_bank", "check_within", "clinical_expr", "group_var_name", "grouped_counts", "grouping",
    "levels_of", "not_computed", "rate_rows", "record_exclusion", "reference_of",
    "REACH_MIN_DAYS", "REACH_MIN_DATES", "resolve_period", "scope_filter", "selected", "snapshot_dates", "uncovered", "unknown_mask", "unreached_years", "event_dates", "event_reach",
]
