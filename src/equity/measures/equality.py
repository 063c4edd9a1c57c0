"""The equality-standard family: representation, leadership, WRES and WDES in one place.

:func:`equality_indicators` is the family entry point that
:func:`equity.measures._all.indicators` combines with retention and pay. The indicators
themselves live in :mod:`~equity.measures.representation`, :mod:`~equity.measures.wres`
and :mod:`~equity.measures.wdes`; this module re-exports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd

from equity import cube, stats
from equity.codes import Period
from equity.io import Dataset
from equity.measures.representation import (
    declaration_rate,
    diversity_index,
    model_employer_gap,
    pipeline_disparity,
    representation,
    representation_vs_benchmark,
    senior_representation,
)
from equity.measures.wdes import wdes
from equity.measures.wres import wres
from equity.result import concat_results
from equity.validation import gated


@gated
@cube.sharing()  # counts shared by the indicators computed here
def equality_indicators(
    dataset: Dataset, *, period: str | Period, within: Sequence[str] = (),
    staff_group: str | None = None, directorate: str | None = None,
    baseline_period: str | Period | None = None, goal_period: str | Period | None = None,
    min_n: int = stats.MIN_N,
) -> pd.DataFrame:
    """Every equality-standard indicator the data allows, as one long result table.

    Parameters
    ----------
    dataset, period, within, staff_group, directorate
        As :func:`equity.measures.wres.wres`.
    baseline_period, goal_period
        The Model Employer ladder (:func:`model_employer_gap`). Default baseline: the
        earliest 31 March snapshot in the staff table; default goal: five years after the
        baseline (library default; the 2019 Model Employer strategy set a ten-year goal, to
        2028). With only one snapshot the ladder is not computed (listed in
        ``attrs["not_computed"]``).

    Returns
    -------
    pandas.DataFrame
        The shared result schema: ``representation`` (ethnicity), ``senior_representation``,
        ``representation_vs_benchmark``, ``diversity_index``, ``declaration_rate``,
        ``model_employer_gap``, ``pipeline_disparity``, ``wres_1`` ... ``wres_9``,
        ``wdes_1`` ... ``wdes_10``. ``attrs["not_computed"]`` names every indicator the data
        did not allow and why; ``attrs["exclusions"]`` the rows left out of denominators.
    """
    from equity.measures._common import attempt, family_ids, not_computed, snapshot_dates

    scope: dict[str, Any] = {"period": period, "within": tuple(within), "staff_group": staff_group,
             "directorate": directorate, "min_n": min_n}
    # each indicator on its own: one the data cannot support is listed as not computed
    parts = [
        attempt(partial(representation, dataset, **scope), "representation"),
        attempt(partial(senior_representation, dataset, **scope), "senior_representation"),
        attempt(partial(representation_vs_benchmark, dataset, **scope),
                "representation_vs_benchmark"),
        attempt(partial(diversity_index, dataset, **scope), "diversity_index"),
        # the disability declaration rate comes with the WDES rows below, beside every metric
        attempt(partial(declaration_rate, dataset, fields=("ethnicity", "sexual_orientation"),
                        **scope), "declaration_rate"),
        attempt(partial(pipeline_disparity, dataset, **scope), "pipeline_disparity"),
    ]
    p = Period.parse(period)
    if baseline_period is None:
        earlier = [Period.ending_at(d) for d in snapshot_dates(dataset)
                   if d.month == 3 and d.day == 31 and Period.ending_at(d) < p]
        baseline_period = min(earlier) if earlier else None
    if baseline_period is None:
        parts.append(not_computed("model_employer_gap",
                                  f"needs a baseline snapshot before {p}; the staff table has "
                                  "none"))
    else:
        base = Period.parse(baseline_period)
        goal = Period.parse(goal_period) if goal_period is not None else Period(base.start_year + 5)
        parts.append(attempt(partial(model_employer_gap, dataset, baseline_period=base,
                                     goal_period=goal, **scope), "model_employer_gap"))
    parts += [attempt(partial(wres, dataset, **scope), *family_ids("wres")),
              attempt(partial(wdes, dataset, **scope), *family_ids("wdes"))]
    return concat_results(parts)

__all__ = [
    "declaration_rate", "diversity_index", "equality_indicators", "model_employer_gap",
    "pipeline_disparity", "representation", "representation_vs_benchmark",
    "senior_representation", "wdes", "wres",
]
