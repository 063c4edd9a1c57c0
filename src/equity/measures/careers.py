"""The retention and progression family: "train, work and stay" and "be the AHP you want to be".

:func:`retention_indicators` is the family entry point that
:func:`equity.measures._all.indicators` combines with equality and pay; :func:`trends`
follows its headline rates over every financial year the data hold. The indicators
themselves live in :mod:`~equity.measures.retention` (leavers, joiners, stability,
early-career leaving, leaving reasons) and :mod:`~equity.measures.progression` (promotion,
band transitions, training access).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd

from equity import cube
from equity.codes import Period
from equity.errors import ParameterError, PeriodError
from equity.io import Dataset
from equity.measures._common import attempt, family_ids
from equity.measures.progression import progression
from equity.measures.retention import Level, periods_with_both, retention
from equity.result import concat_results
from equity.validation import gated

#: Indicators :func:`trends` can follow, and the function computing each.
TREND_INDICATORS: tuple[str, ...] = (
    "leaver_rate", "leaver_rate_fte", "joiner_rate", "stability_index",
    "early_career_leaver_rate", "promotion_rate", "training_access",
)
#: Those :func:`~equity.measures.retention.retention` computes; the rest come from
#: :func:`~equity.measures.progression.progression`.
RETENTION_TRENDS: tuple[str, ...] = TREND_INDICATORS[:5]


@gated
@cube.sharing()  # counts shared by the indicators computed here
def retention_indicators(
    dataset: Dataset,
    *,
    period: str | Period,
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    by: Sequence[str] = ("ethnicity", "disability"),
) -> pd.DataFrame:
    """Every retention and progression indicator in the result schema, for each grouping in
    ``by``, concatenated (the retention part of the combined long table).

    A missing ``leavers`` or ``training`` table, or no opening snapshot, makes those
    indicators "not computed" (with the reason in ``attrs["not_computed"]``); the others are
    still computed.
    """
    parts = []
    for b in by:
        opts: dict[str, Any] = dict(period=period, by=b, within=within, staff_group=staff_group,
                    directorate=directorate)
        # each on its own: one the data cannot support is listed as not computed
        parts += [attempt(partial(retention, dataset, **opts), *family_ids("retention")),
                  attempt(partial(progression, dataset, **opts), *family_ids("progression"))]
    return concat_results(parts)


@gated
@cube.sharing()  # counts shared by the indicators computed here
def trends(
    dataset: Dataset,
    *,
    indicators: Sequence[str] = TREND_INDICATORS,
    by: str | Sequence[str] = "ethnicity",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    level: Level = "organisation",
    exclude_bank: bool = True,
) -> pd.DataFrame:
    """Each indicator for every financial year the data allows, as one result table.

    A year is included when the staff table holds both its opening and closing 31 March
    snapshots. The ``period`` column orders the series (ready for SPC charts); everything
    else is as :func:`~equity.measures.retention.retention` and :func:`progression`.
    """
    bad = [i for i in indicators if i not in TREND_INDICATORS]
    if bad:
        raise ParameterError(
            f"trends() follows {', '.join(TREND_INDICATORS)}; got {bad}.")
    periods = periods_with_both(dataset)
    if not periods:
        raise PeriodError("The staff table holds no two consecutive 31 March snapshots, so no "
                          "financial year can be followed. Add the snapshots.")
    opts: dict[str, Any] = dict(by=by, within=within, staff_group=staff_group, directorate=directorate,
                profession=profession, exclude_bank=exclude_bank)
    parts = []
    for p in periods:
        if any(i in RETENTION_TRENDS for i in indicators):
            parts.append(retention(dataset, period=p, level=level, **opts))
        if any(i not in RETENTION_TRENDS for i in indicators):
            parts.append(progression(dataset, period=p, **opts))
    out = concat_results(parts)
    keep = out["indicator"].isin(list(indicators)).to_numpy()
    attrs = out.attrs
    out = out.loc[keep].reset_index(drop=True)
    out.attrs = attrs
    return out


__all__ = ["RETENTION_TRENDS", "TREND_INDICATORS", "retention_indicators", "trends"]
