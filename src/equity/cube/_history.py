"""Row-level joins between snapshots and leavers, on any engine (narwhals).

Besides :mod:`equity.cube._core`, this is the only module that reads rows. Each function here
builds a *lazy* per-person frame in the data's own engine (pandas, Polars, DuckDB, PySpark)
by joining the staff table with itself (one 31 March snapshot against another) or with the
leavers table. Nothing is collected here: the indicator modules hand these frames to
:func:`equity.cube.count` (through ``grouped_counts``), which pushes the group-by into the
same engine and returns a small pandas count table. :func:`history_counts` is the one-call
form for scripts and tests.

Person key: ``("organisation", "staff_id")`` when both tables carry ``organisation`` (national
data: moving between trusts is leaving one organisation and joining another), else
``("staff_id",)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import narwhals as nw
import pandas as pd

from equity.cube._core import columns, count, distinct_rows, lazy, shared, text_is

#: Columns carried from the "other" snapshot by :func:`snapshot_pair` (suffix ``_other``).
PAIR_CARRY: tuple[str, ...] = ("directorate", "staff_group", "band", "fte")


def _dt(d: dt.date) -> dt.datetime:
    # Dates are stored as midnight datetimes on every engine (equity.io).
    return dt.datetime(d.year, d.month, d.day)


def person_key(*frames: Any) -> list[str]:
    """The person key shared by ``frames``: organisation + staff_id when all carry organisation."""
    names = [set(lazy(f).collect_schema().names()) for f in frames]
    return ["organisation", "staff_id"] if all("organisation" in n for n in names) else ["staff_id"]


def snapshot_dates(staff: Any) -> list[dt.date]:
    """Distinct snapshot dates in ``staff`` (sorted), from one small engine query."""
    c = count(staff, ["snapshot_date"])
    return sorted(pd.to_datetime(c["snapshot_date"].dropna()).dt.date.unique().tolist())


def snapshot_rows(staff: Any, *dates: dt.date) -> nw.LazyFrame:
    """The rows of ``staff`` at one or more snapshot dates (inside a
    :func:`~equity.cube.sharing` block built once per frame and dates: on pandas the filter
    copies the rows, and several indicators start from the same snapshots). Several dates are
    one filter, so SQL engines scan the table once."""
    when = (nw.col("snapshot_date") == _dt(dates[0]) if len(dates) == 1 else
            nw.col("snapshot_date").is_in([_dt(d) for d in dates]))
    return shared(staff, ("snapshot_rows", dates), lambda: lazy(staff).filter(when))


def rows_of(people: nw.LazyFrame, rows: Any, key: Sequence[str], *,
            how: Literal["inner", "left"] = "inner") -> nw.LazyFrame:
    """The ``rows`` of ``people`` (distinct ``key`` values): a join on ``key``, inner or
    left (a person with no row kept once, with nulls).

    Every join of a few people (with an event, leavers) onto staff rows goes through here. On
    pandas a merge hashes every row's key (about 3 s for the 3 million staff rows of two
    national snapshots, however few the people); the rows are first narrowed to the people's
    staff ids with one ``isin``, so the merge is of the rows left (leaver spells over all
    national snapshots: 11.9 -> 7.2 s). A missing staff_id matches nothing, as on the SQL
    engines.
    """
    rows = lazy(rows)
    if rows.implementation is nw.Implementation.PANDAS:
        ids = people.select("staff_id").collect().to_native()["staff_id"]
        rows = rows.filter(nw.col("staff_id").is_in(ids.dropna().unique().tolist()))
    return people.join(rows, on=list(key), how=how)


def snapshot_pair(
    staff: Any,
    *,
    first: dt.date,
    other: dt.date,
    carry: Sequence[str] = PAIR_CARRY,
    leavers: Any = None,
    leave_window: tuple[dt.date, dt.date] | None = None,
) -> nw.LazyFrame:
    """Rows of the ``first`` snapshot, each with the same person's row at ``other``.

    Parameters
    ----------
    staff
        Native staff frame (one row per person per snapshot).
    first
        Snapshot whose rows are kept (the cohort), with all their columns.
    other
        Snapshot looked up for each person (the start or end of a period).
    carry
        Columns of the ``other`` row added as ``<column>_other`` (null when absent there).
    leavers, leave_window
        When given, add ``left_to_nhs``: the person has a leavers row dated within
        ``leave_window`` (inclusive) whose destination is ``"NHS"`` (leaving the organisation
        for another NHS employer, still "in post" at NHS level).

    Returns
    -------
    narwhals.LazyFrame
        The ``first`` rows plus ``in_other`` (bool) and ``<column>_other``.

    Notes
    -----
    A left join on the person key; a person appears once per snapshot, so the frame keeps
    exactly the cohort's rows. Used forwards (start -> end: stability, movers, promotion,
    band transitions) and backwards (end -> start: joiners).
    """
    lf = lazy(staff)
    key = person_key(staff) if leavers is None else person_key(staff, leavers)
    names = lf.collect_schema().names()
    carry = [c for c in carry if c in names and c not in key]
    cohort = snapshot_rows(staff, first)
    looked = (
        snapshot_rows(staff, other)
        .select(*key, *(nw.col(c).alias(f"{c}_other") for c in carry))
        .with_columns(_present=nw.lit(True))
    )
    out = cohort.join(looked, on=key, how="left").with_columns(
        in_other=nw.col("_present").fill_null(False).cast(nw.Boolean())
    ).drop("_present")
    if leavers is not None:
        if leave_window is None:
            raise ValueError("`leave_window` is needed with `leavers`.")
        start, end = leave_window
        if "destination" not in columns(leavers):
            # without a destination column no leaver is known to have gone to the NHS
            out = out.with_columns(left_to_nhs=nw.lit(False, nw.Boolean()))
        else:
            to_nhs = (
                lazy(leavers)
                .filter((nw.col("leave_date") >= _dt(start)) & (nw.col("leave_date") <= _dt(end)))
                .filter(_is_nhs_destination())
                .pipe(distinct_rows, key)
                .with_columns(left_to_nhs=nw.lit(True))
            )
            out = out.join(to_nhs, on=key, how="left").with_columns(
                left_to_nhs=nw.col("left_to_nhs").fill_null(False).cast(nw.Boolean())
            )
    return out


def _is_nhs_destination() -> nw.Expr:
    # "NHS" in any case; blank and "Unknown" are not known to stay in the NHS.
    return text_is("destination", "nhs")


def leaver_spells(staff: Any, leavers: Any, *, start: dt.date, end: dt.date) -> nw.LazyFrame:
    """Leavers dated ``start``..``end`` (inclusive), each with their last snapshot row.

    Returns
    -------
    narwhals.LazyFrame
        One row per leavers row in the window: the staff columns of the person's last snapshot
        on or before the leave date (null when there is none), plus ``leave_date``,
        ``leaving_reason``, ``to_nhs`` (destination is NHS), ``matched`` (a snapshot row was
        found) and ``fte_leaving`` (the leavers row's ``fte``, else the last snapshot's).

    Notes
    -----
    NHS Data Dictionary turnover: a leaver's group, directorate and staff group are those of
    their last record in post; their FTE is the FTE at leaving. Leavers with no snapshot row
    (joined and left between two 31 March snapshots) cannot be placed in a group: the
    indicators count them and report them as excluded.
    """
    # Built once per window inside a sharing() block, and held there: the leaver figures and
    # their exclusions both count it, and only count it (a year's leavers, 165,000 rows
    # nationally; on DuckDB each count of the lazy join took 0.5 s, of the held rows 0.03 s).
    return shared(staff, ("leaver_spells", id(leavers), start, end),
                  lambda: _leaver_spells(staff, leavers, start=start, end=end), hold=True)


def _leaver_spells(staff: Any, leavers: Any, *, start: dt.date, end: dt.date) -> nw.LazyFrame:
    key = person_key(staff, leavers)
    lv = lazy(leavers)
    lnames = lv.collect_schema().names()
    lv = lv.filter((nw.col("leave_date") >= _dt(start)) & (nw.col("leave_date") <= _dt(end)))
    keep = [*key, "leave_date"]
    extra = {
        "leaving_reason": nw.col("leaving_reason") if "leaving_reason" in lnames else nw.lit(None, nw.String()),
        "destination": nw.col("destination") if "destination" in lnames else nw.lit(None, nw.String()),
        "fte_at_leaving": nw.col("fte") if "fte" in lnames else nw.lit(None, nw.Float64()),
    }
    lv = lv.select(*keep, **extra).with_columns(to_nhs=_is_nhs_destination()).drop("destination")
    # One join with the staff table: each leaving's snapshot rows on or before its date,
    # then the last of them (a person has one row per snapshot).
    candidates = (rows_of(distinct_rows(lv, keep), staff, key)
                  .filter(nw.col("snapshot_date") <= nw.col("leave_date")))
    last = candidates.group_by(keep).agg(nw.col("snapshot_date").max().alias("last_snapshot"))
    rows = (candidates.join(last, on=keep, how="inner")
            .filter(nw.col("snapshot_date") == nw.col("last_snapshot"))
            .drop("snapshot_date"))
    out = (
        lv.join(rows, on=keep, how="left")
        .with_columns(
            matched=~nw.col("last_snapshot").is_null(),
            fte_leaving=nw.col("fte_at_leaving").fill_null(nw.col("fte")),
        )
        .drop("fte_at_leaving")
    )
    return out


def joiner_cohort(staff: Any, *, start: dt.date, end: dt.date) -> nw.LazyFrame:
    """Staff whose ``org_start_date`` falls in ``start``..``end``, at their first snapshot after joining.

    One row per person (the row of their earliest snapshot on or after ``org_start_date``),
    with the staff columns. Used for early-career leaving.
    """
    key = person_key(staff)
    st = lazy(staff).filter(
        (nw.col("org_start_date") >= _dt(start)) & (nw.col("org_start_date") <= _dt(end))
        & (nw.col("snapshot_date") >= nw.col("org_start_date"))
    )
    first = st.group_by([*key, "org_start_date"]).agg(
        nw.col("snapshot_date").min().alias("snapshot_date")
    )
    return st.join(first, on=[*key, "org_start_date", "snapshot_date"], how="inner")


def early_leaving(staff: Any, leavers: Any, *, start: dt.date, end: dt.date,
                  within_months: Sequence[int] = (12, 24)) -> nw.LazyFrame:
    """The :func:`joiner_cohort` of ``start``..``end`` with ``left_within_<m>`` flags.

    ``left_within_<m>``: the person has a leavers row dated on or after their
    ``org_start_date`` and before the same day ``m`` months later; ``to_nhs_within_<m>``:
    that leavers row's destination is NHS (so not a leaver at NHS level).
    """
    key = person_key(staff, leavers)
    cohort = joiner_cohort(staff, start=start, end=end)
    lv = lazy(leavers)
    lnames = lv.collect_schema().names()
    dest = _is_nhs_destination() if "destination" in lnames else nw.lit(False)
    # Integer, not bool: "all leaving rows were to the NHS" is a min() every engine supports.
    lv = lv.select(*key, "leave_date", _to_nhs=dest.cast(nw.Int64()))
    pairs = cohort.select(*key, "org_start_date").join(lv, on=key, how="inner").filter(
        nw.col("leave_date") >= nw.col("org_start_date")
    )
    out = cohort
    for m in within_months:
        hit = (
            pairs.filter(nw.col("leave_date") < nw.col("org_start_date").dt.offset_by(f"{int(m)}mo"))
            .group_by(key)
            .agg(
                nw.len().alias(f"_n{m}"),
                nw.col("_to_nhs").min().alias(f"to_nhs_within_{m}"),
            )
        )
        out = out.join(hit, on=key, how="left").with_columns(
            **{f"left_within_{m}": ~nw.col(f"_n{m}").is_null(),
               f"to_nhs_within_{m}": nw.col(f"to_nhs_within_{m}").fill_null(0) == 1}
        ).drop(f"_n{m}")
    return out


def tenure_spells(staff: Any, leavers: Any | None, *, window_start: dt.date, end: dt.date
                  ) -> nw.LazyFrame:
    """One row per employment spell seen in snapshots ``window_start``..``end``: entry, exit,
    event.

    Columns: the staff columns of the spell's last snapshot in the window, ``entry_days``
    (tenure in days at the spell's first snapshot in the window: left truncation),
    ``exit_days`` (tenure at leaving, or at censoring) and ``event`` (left in the window).

    Notes
    -----
    A spell is a person and an ``org_start_date``: someone who leaves and re-joins (same
    ``staff_id``, a new ``org_start_date``) has one record per spell, each entering at its
    own first snapshot, so the first leaving is an event of the first spell. Tenure counts
    from the spell's ``org_start_date``. Spells that began and ended between two snapshots
    are never observed, so entering the risk set at the first snapshot (left truncation)
    keeps the Kaplan-Meier estimate unbiased.

    The event is the earliest leavers row on or after the spell's last snapshot in the
    window, on or before ``end`` and before the person's next ``org_start_date`` (a leave
    dated after a re-join ends the later spell). A spell with no such row is censored at
    ``end``; when the person re-joined on or before ``end`` the earlier spell has ended on an
    unrecorded date, so it is censored at its last snapshot, the last day it is known to be
    in post. A re-joiner whose ``org_start_date`` was not reset is one spell (their leaving
    between snapshots is then not seen).

    Built once per window inside a :func:`~equity.cube.sharing` block (the frame does not
    depend on the scope counted from it: a report's curves at two levels of its ladder read
    the same spells).
    """
    return shared(staff, ("tenure_spells", id(leavers), window_start, end),
                  lambda: _tenure_spells(staff, leavers, window_start=window_start, end=end),
                  hold=True)


def _tenure_spells(staff: Any, leavers: Any | None, *, window_start: dt.date, end: dt.date
                   ) -> nw.LazyFrame:
    key = person_key(staff) if leavers is None else person_key(staff, leavers)
    # Null start dates still form a spell (their days are null, counted as excluded):
    # engines do not match null join keys alike, so join on a filled copy.
    spell = [*key, "_spell"]
    st = (lazy(staff)
          .filter((nw.col("snapshot_date") >= _dt(window_start))
                  & (nw.col("snapshot_date") <= _dt(end)))
          .with_columns(_spell=nw.col("org_start_date").fill_null(nw.lit(dt.datetime(1, 1, 1)))))
    span = st.group_by(spell).agg(
        nw.col("snapshot_date").min().alias("first_snapshot"),
        nw.col("snapshot_date").max().alias("snapshot_date"),
    )
    out = span.join(st, on=[*spell, "snapshot_date"], how="inner")
    # The person's next spell, from every snapshot (it may first be seen after `end`).
    starts = distinct_rows(lazy(staff).filter(~nw.col("org_start_date").is_null())
                           .select(*key, _start=nw.col("org_start_date")), [*key, "_start"])
    following = (out.select(*spell).join(starts, on=key, how="inner")
                 .filter(nw.col("_start") > nw.col("_spell"))
                 .group_by(spell).agg(nw.col("_start").min().alias("_next")))
    out = out.join(following, on=spell, how="left")
    if leavers is not None:
        lv = lazy(leavers).filter(nw.col("leave_date") <= _dt(end)).select(*key, "leave_date")
        first_leave = (
            out.select(*spell, "snapshot_date", "_next").join(lv, on=key, how="inner")
            .filter((nw.col("leave_date") >= nw.col("snapshot_date"))
                    & (nw.col("_next").is_null() | (nw.col("leave_date") < nw.col("_next"))))
            .group_by(spell).agg(nw.col("leave_date").min().alias("leave_date"))
        )
        out = out.join(first_leave, on=spell, how="left")
    else:
        out = out.with_columns(leave_date=nw.lit(None, nw.Datetime()))
    day = 86_400
    entry = nw.max_horizontal(nw.col("first_snapshot"), nw.col("org_start_date"))
    rejoined = ~nw.col("_next").is_null() & (nw.col("_next") <= _dt(end))
    censor = nw.when(rejoined).then(nw.col("snapshot_date")).otherwise(nw.lit(_dt(end)))
    exit_date = nw.col("leave_date").fill_null(censor)
    return out.with_columns(
        event=~nw.col("leave_date").is_null(),
        entry_days=(entry - nw.col("org_start_date")).dt.total_seconds() // day,
        exit_days=(exit_date - nw.col("org_start_date")).dt.total_seconds() // day,
    ).drop("first_snapshot", "_spell", "_next")


def leaving_reason_of(frame: nw.LazyFrame, leavers: Any) -> nw.LazyFrame:
    """Add ``leaving_reason`` to a :func:`tenure_spells` frame: the reason on the leavers row
    of the person's ``leave_date`` (the smallest, when one day carries several rows)."""
    key = [k for k in ("organisation", "staff_id") if k in frame.collect_schema().names()
           and k in lazy(leavers).collect_schema().names()]
    lv = lazy(leavers)
    if "leaving_reason" not in lv.collect_schema().names():
        return frame.with_columns(leaving_reason=nw.lit(None, nw.String()))
    reason = lv.group_by([*key, "leave_date"]).agg(nw.col("leaving_reason").min())
    return frame.join(reason, on=[*key, "leave_date"], how="left")


def promotion_spells(staff: Any, *, window_start: dt.date, end: dt.date, rank: nw.Expr
                     ) -> nw.LazyFrame:
    """One row per employment spell seen in snapshots ``window_start``..``end``: entry, exit,
    first band rise.

    Parameters
    ----------
    staff
        Native staff frame.
    rank
        Expression giving each row's position on the band ladder (null off the ladder).

    Returns
    -------
    narwhals.LazyFrame
        The staff columns of the spell's first snapshot in the window, plus ``entry_rank``,
        ``entry_days`` (tenure in days at that snapshot: delayed entry), ``exit_days`` (tenure
        at the first snapshot showing a higher band than an earlier one of the spell, else at
        the spell's last snapshot in the window: censored) and ``event`` (promoted).

    Notes
    -----
    A spell is a person and an ``org_start_date`` (a re-joiner starts a new spell). A band
    rise is only seen at a snapshot, so the event is dated at the first snapshot showing it
    (interval censoring, read at the interval's end) and a spell not promoted is censored at
    its last snapshot, not at ``end``. The first snapshot whose rank exceeds the running
    minimum of the earlier ones is the first rise over the previous snapshot (before it the
    ranks never rise), so one self-join with an inequality finds it on every engine.
    """
    key = person_key(staff)
    # Null start dates still form a spell (their days are null, counted as excluded):
    # engines do not match null join keys alike, so join on a filled copy.
    spell = [*key, "_spell"]
    st = (lazy(staff)
          .filter((nw.col("snapshot_date") >= _dt(window_start))
                  & (nw.col("snapshot_date") <= _dt(end)))
          .with_columns(_spell=nw.col("org_start_date").fill_null(nw.lit(dt.datetime(1, 1, 1))),
                        entry_rank=rank))
    span = st.group_by(spell).agg(
        nw.col("snapshot_date").min().alias("snapshot_date"),
        nw.col("snapshot_date").max().alias("_last"),
    )
    a = st.select(*spell, _a_date=nw.col("snapshot_date"), _a_rank=nw.col("entry_rank"))
    b = st.select(*spell, _b_date=nw.col("snapshot_date"), _b_rank=nw.col("entry_rank"))
    rises = (a.join(b, on=spell, how="inner")
             .filter((nw.col("_b_date") > nw.col("_a_date")) & (nw.col("_b_rank") > nw.col("_a_rank")))
             .group_by(spell).agg(nw.col("_b_date").min().alias("_promoted")))
    out = (span.join(st, on=[*spell, "snapshot_date"], how="inner")
           .join(rises, on=spell, how="left"))
    day = 86_400
    entry = nw.max_horizontal(nw.col("snapshot_date"), nw.col("org_start_date"))
    exit_date = nw.col("_promoted").fill_null(nw.col("_last"))
    return out.with_columns(
        event=~nw.col("_promoted").is_null(),
        entry_days=(entry - nw.col("org_start_date")).dt.total_seconds() // day,
        exit_days=(exit_date - nw.col("org_start_date")).dt.total_seconds() // day,
    ).drop("_spell", "_last", "_promoted")


def training_takeup(staff: Any, training: Any, *, snapshot: dt.date, start: dt.date,
                    end: dt.date) -> nw.LazyFrame:
    """Rows of the ``snapshot`` staff, each with ``trained``: any non-mandatory training dated
    ``start``..``end`` (inclusive). Unique people, however many courses (WRES 4).
    """
    key = person_key(staff, training)
    took = (
        lazy(training)
        .filter((nw.col("date") >= _dt(start))
                & (nw.col("date") <= _dt(end)) & ~nw.col("mandatory").fill_null(True))
        .pipe(distinct_rows, key).with_columns(_took=nw.lit(1))
    )
    return (
        snapshot_rows(staff, snapshot)
        .join(took, on=key, how="left")
        .with_columns(trained=nw.col("_took").fill_null(0) == 1).drop("_took")
    )


def history_counts(frame: nw.LazyFrame, by: Sequence[str], *,
                   where: nw.Expr | None = None, derive: Mapping[str, nw.Expr] | None = None,
                   sums: Sequence[str] = ()) -> pd.DataFrame:
    """Count one of the frames above by ``by`` in its engine (see :func:`equity.cube.count`)."""
    return count(frame, by, where=where, derive=derive, sums=sums)


__all__ = [
    "PAIR_CARRY", "early_leaving", "history_counts", "joiner_cohort", "leaver_spells",
    "leaving_reason_of", "person_key", "promotion_spells", "snapshot_dates", "snapshot_pair",
    "snapshot_rows",
    "tenure_spells", "training_takeup",
]
