"""Monthly series for trend charts: leavers by month of leaving and rolling leaver rates.

Annual figures give three to five points, too few for a Making Data Count chart (12 at least);
leave dates give a point per month. :func:`monthly_leavers` returns a tidy frame ready for
:func:`equity.stats.xmr`.
"""

from __future__ import annotations

import narwhals.stable.v1 as nw
import numpy as np
import pandas as pd

from equity import cube
from equity.codes import Period
from equity.errors import ParameterError, PeriodError
from equity.io import Dataset
from equity.measures._common import (
    and_all,
    event_dates,
    event_reach,
    is_bank,
    resolve_period,
    scope_filter,
    snapshot_dates,
)
from equity.validation import gated

#: ``basis`` values: where a month's denominator comes from.
BASIS_TEXT: dict[str, str] = {
    "month_end": "average of the headcounts at the month-end snapshots opening and closing "
                 "the window",
    "annual": "average of the 31 March headcounts opening and closing the financial year "
              "that holds the month (the staff table has no month-end snapshots for it)",
}


@gated
def monthly_leavers(
    dataset: Dataset,
    *,
    period: str | Period,
    window: int = 12,
    staff_group: str | None = None,
    directorate: str | None = None,
    exclude_bank: bool = True,
) -> pd.DataFrame:
    """Leavers by month and the leaver rate over the ``window`` months to each month end.

    Parameters
    ----------
    dataset
        The canonical bundle; ``staff`` and ``leavers`` are needed.
    period
        Financial year whose closing 31 March is the last month end, e.g. ``"2024/25"``.
    window
        Months each rate covers: 12 (default) for the rolling 12-month leaver rate that
        matches the annual figure at each 31 March; 1 for a monthly leaver rate.
    staff_group, directorate
        Restrict to one value, as the indicators do (on the leaver's last snapshot).
    exclude_bank
        Leave bank staff out of leavers and headcounts.

    Returns
    -------
    pandas.DataFrame
        One row per month end, oldest first, from the first whose whole window follows the
        earliest snapshot: ``month`` (the month-end date), ``leavers`` (leave dates in the
        month), ``numerator`` (leavers in the window), ``denominator`` (average headcount),
        ``value`` (numerator / denominator) and ``basis`` (``"month_end"`` or ``"annual"``,
        see :data:`BASIS_TEXT`). ``attrs``: ``window``, ``scope``, ``denominator`` (how the
        denominators were found, in words) and ``unmatched_leavers`` (leavers in the months
        shown with no snapshot row to place them, left out).

    Notes
    -----
    NHS Digital turnover: leavers in the period / average of the headcounts at its start and
    end. For a window of ``window`` months to month end m the denominator is the mean of the
    headcounts at the month-end snapshots m - ``window`` and m when the staff table holds both
    (``"month_end"``; a window from 31 March to 31 March counts as ``"annual"``);
    otherwise (31 March snapshots only) the mean of the two 31 March headcounts of the
    financial year holding m, so each March point equals the annual leaver rate. A leaver
    is placed by their last snapshot on or before the leave date (as
    :func:`equity.measures.retention.retention`).

    Making Data Count advises against SPC charts of rolling figures: consecutive 12-month
    windows share 11 months, so runs and trends appear by construction. Chart ``window=1``
    (monthly rates) with :func:`equity.stats.xmr`; show the rolling rate as context.

    Examples
    --------
    >>> import equity as eq                                                  # doctest: +SKIP
    >>> m = eq.indicators.monthly_leavers(data, period="2024/25", window=1)  # doctest: +SKIP
    >>> eq.stats.xmr(m, x="month", improvement="decrease")                   # doctest: +SKIP
    """
    if not isinstance(window, int) or window < 1:
        raise ParameterError(f"`window` must be a whole number of months, 1 or more; got {window!r}.")
    dataset.require("staff", "leavers")
    p = resolve_period(dataset, period)
    dates = snapshot_dates(dataset)
    first = dates[0]
    months = pd.period_range(pd.Period(first, "M") + window, pd.Period(p.end, "M"), freq="M")
    if not len(months):
        raise PeriodError(
            f"The staff table's first snapshot is {first:%d %B %Y}: no {window}-month window "
            f"ending by {p.end:%d %B %Y} follows it. Choose a later period or a shorter window.")
    # Only windows the leavers table reaches (:func:`event_reach`): a leavers extract may
    # start later than the snapshots, and the months before it would count as months nobody
    # left.
    reach = event_reach(dataset, "leavers")
    if reach is not None:
        opens = (months - (window - 1)).start_time.date
        months = months[(opens >= reach[0]) & (months.end_time.date <= reach[1])]
        if not len(months):
            span = event_dates(dataset, "leavers") or reach
            raise PeriodError(
                f"The leavers table's leave dates run from {span[0]:%d %B %Y} to "
                f"{span[1]:%d %B %Y}: no {window}-month window ending by {p.end:%d %B %Y} "
                "lies within them. Choose a period they cover, or add the leavers of the "
                "years before.")
    where = scope_filter(dataset.staff, table="staff", staff_group=staff_group,
                         directorate=directorate)
    if exclude_bank and "contract_type" in cube.columns(dataset.staff):
        where = and_all(where, ~is_bank(dataset.staff))
    start = (months[0] - (window - 1)).start_time.date()
    spells = cube.leaver_spells(dataset.staff, dataset.leavers, start=start, end=p.end)
    by_month = cube.count(
        spells, ["year", "month"], where=and_all(nw.col("matched"), where),
        derive={"year": nw.col("leave_date").dt.year(), "month": nw.col("leave_date").dt.month()},
        numeric=["year", "month"])
    unmatched = cube.count(spells, [], where=~nw.col("matched"))["n"].sum()
    all_months = pd.period_range(months[0] - (window - 1), months[-1], freq="M")
    leavers = pd.Series(0.0, index=all_months)
    for y, m, n in by_month[["year", "month", "n"]].itertuples(index=False):
        leavers[pd.Period(year=int(y), month=int(m), freq="M")] += n
    in_window = leavers.rolling(window).sum().loc[months]
    heads = cube.count(dataset.staff, ["snapshot_date"], where=where)
    headcount = {pd.Timestamp(d).date(): n for d, n in heads[["snapshot_date", "n"]].itertuples(
        index=False)}
    have = set(dates)
    rows = []
    for m in months:
        end_d, open_d = m.end_time.date(), (m - window).end_time.date()
        fy = Period.containing(end_d)
        if {end_d, open_d} <= have and (open_d, end_d) != (fy.start_snapshot, fy.snapshot):
            pair, basis = (open_d, end_d), "month_end"
        elif {fy.start_snapshot, fy.snapshot} <= have:
            pair, basis = (fy.start_snapshot, fy.snapshot), "annual"
        else:
            continue
        den = (headcount.get(pair[0], 0.0) + headcount.get(pair[1], 0.0)) / 2
        rows.append({"month": pd.Timestamp(end_d), "leavers": float(leavers[m]),
                     "numerator": float(in_window[m]), "denominator": float(den),
                     "basis": basis})
    out = pd.DataFrame(rows, columns=["month", "leavers", "numerator", "denominator", "basis"])
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(out["denominator"] > 0, out["numerator"] / out["denominator"], np.nan)
    out = out.assign(value=value)[["month", "leavers", "numerator", "denominator", "value",
                                   "basis"]]
    used = list(dict.fromkeys(out["basis"]))
    out.attrs = {
        "window": window,
        "scope": {"period": str(p), "staff_group": staff_group, "directorate": directorate,
                  "exclude_bank": exclude_bank},
        "denominator": "; ".join(f"{b}: {BASIS_TEXT[b]}" for b in used),
        "unmatched_leavers": int(unmatched),
    }
    return out


__all__ = ["BASIS_TEXT", "monthly_leavers"]
