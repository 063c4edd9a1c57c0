"""Workforce Disability Equality Standard (WDES) metrics 1-10.

NHS England, *Workforce Disability Equality Standard: technical guidance* (2024), as
summarised in docs/methodology.md "Indicators". Built from the same blocks as WRES
(:mod:`equity.measures.wres`), grouped by disability: Disabled ("Yes"), Non-disabled ("No"),
Unknown ("Not declared", "Unspecified", blank), which is excluded from ratios and reported as
the declaration rate beside every WDES figure.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd

from equity import cube, stats
from equity.codes import Period
from equity.io import Dataset
from equity.measures._common import and_all, as_groupings, selected
from equity.measures.representation import (
    By,
    _check_by,
    _context,
    _flag,
    declaration_rate,
)
from equity.measures.wres import (
    appointment,
    board_gap,
    event_likelihood,
    survey_rows,
    workforce_by_band,
)
from equity.validation import gated


@gated
def wdes(
    dataset: Dataset, *, period: str | Period, by: By = "disability", within: Sequence[str] = (),
    staff_group: str | None = None, directorate: str | None = None,
    profession: str | None = None, min_n: int = stats.MIN_N,
    indicators: Collection[str] | None = None,
) -> pd.DataFrame:
    """The Workforce Disability Equality Standard metrics for one financial year.

    Parameters
    ----------
    dataset, period, within, staff_group, directorate, profession, min_n
        As :func:`equity.measures.wres.wres`.
    indicators
        Only these metrics (``("wdes_2", "wdes_3")``; ``declaration_rate`` is one too);
        default every one.
    by
        ``"disability"`` or an intersection such as ``("disability", "sex")``; ratios then
        compare with "Non-disabled × Male".

    Returns
    -------
    pandas.DataFrame
        The shared result schema:

        - ``wdes_1``: shares of Disabled / Non-disabled / Unknown staff by band within clinical
          and non-clinical, per clinical split and whole workforce; bank staff excluded.
        - ``wdes_2``: appointment rate among shortlisted applicants; ``ratio`` on the
          Disabled row = Non-disabled rate ÷ Disabled rate (> 1 favours non-disabled).
        - ``wdes_3``: share of staff entering the formal capability process on grounds of
          performance (casework ``process`` "capability", ``formal``, ``capability_reason`` not
          "ill health"); ``ratio`` = Disabled ÷ Non-disabled (> 1: disabled staff more likely).
        - ``wdes_4`` ... ``wdes_9``: survey percentages from the ``survey`` table.
        - ``wdes_10``: board voting members' Disabled share minus the workforce share
          (percentage points).
        - ``declaration_rate`` (``group_var`` "disability"): the share of staff with a
          recorded disability status, beside every WDES figure.

    Notes
    -----
    NHS England, *Workforce Disability Equality Standard: technical guidance* (2024). Unknown
    disability stays in metric 1 denominators and is excluded from metrics 2-3 (counted in
    ``attrs["exclusions"]``). Intervals and status as WRES (Koopman score interval, Fisher
    exact p-value, four-fifths range on the point estimate).
    """
    ctx = _context(dataset, period=period, within=within, staff_group=staff_group,
                   directorate=directorate, profession=profession, min_n=min_n)
    gs = as_groupings(by)
    _check_by(dataset, "staff", dataset.staff, gs)
    capability = and_all(
        cube.text_is("process", "capability"), _flag("formal"),
        # Performance grounds only: a missing reason is not ill health.
        ~cube.text_is("capability_reason", "ill health") if _has(dataset.casework, "capability_reason")
        else None,
    )
    return selected([
        (("wdes_1",), lambda _: workforce_by_band(ctx, gs, indicator="wdes_1")),
        (("declaration_rate",), lambda _: declaration_rate(
            dataset, period=ctx.period, fields=("disability",), within=ctx.within,
            staff_group=staff_group, directorate=directorate, profession=profession,
            min_n=min_n)),
        (("wdes_2",), lambda _: appointment(ctx, gs, indicator="wdes_2",
                                            orientation="reference_over_group")),
        (("wdes_3",), lambda _: event_likelihood(
            ctx, gs, indicator="wdes_3", table="casework", events_where=capability,
            date_column="start_date", describe="formal capability cases (performance)",
            orientation="group_over_reference")),
        (tuple(f"wdes_{i}" for i in range(4, 10)), lambda ids: survey_rows(
            ctx, as_groupings("disability"), ids=ids, group_var="disability")),
        (("wdes_10",), lambda _: board_gap(ctx, gs, indicator="wdes_10")),
    ], indicators, family="wdes")


def _has(frame: object, column: str) -> bool:
    from equity import cube

    return frame is not None and column in cube.columns(frame)


__all__ = ["wdes"]
