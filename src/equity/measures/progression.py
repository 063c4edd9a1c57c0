"""Progression and development: promotion, band transitions, access to training.

Promotion compares each person's band at two consecutive 31 March snapshots (a row-level join
built in :mod:`equity.cube._history`), counted in the engine by origin band, destination band
(or ``"left"``) and raw equality codes. Promotion rates, the band transition matrix and the
"by band of origin" view all come from that one small table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import pandas as pd

from equity import codes, cube, stats
from equity.codes import Period
from equity.io import Dataset
from equity.measures._common import (
    group_var_name,
    grouped_counts,
    not_computed,
    rate_rows,
    record_exclusion,
    uncovered,
)
from equity.measures.retention import (
    Scope,
    make_scope,
    start_counts,
)
from equity.result import concat_results
from equity.validation import gated

#: Destination of a person not in post at the second snapshot.
LEFT = "left"
STAYERS_VARIANT = "in post at both snapshots"


def transition_counts(scope: Scope) -> pd.DataFrame:
    """People in post at the period's opening snapshot by ``from_band`` and ``to_band``.

    ``to_band`` is the band at the closing snapshot, or ``"left"``. Bands are normalised
    (``"5"`` -> ``"Band 5"``) after counting. Columns: ``within``, ``group``, ``from_band``,
    ``to_band``, ``n``.
    """
    ds, p = scope.dataset, scope.period
    frame = cube.snapshot_pair(ds.staff, first=p.start_snapshot, other=p.snapshot,
                               carry=("band",))
    to_band = nw.when(nw.col("in_other")).then(nw.col("band_other")).otherwise(nw.lit(LEFT))
    extra = [k for k in ("band",) if k not in scope.within]
    c = grouped_counts(frame, scope.gs, within=scope.within, where=scope.where,
                       derive={"to_band": to_band}, extra_keys=[*extra, "to_band"])
    c = c.assign(from_band=codes.normalise_band(c["band"]).to_numpy(),
                 to_band=codes.normalise_band(c["to_band"]).to_numpy())
    if "band" in scope.within:
        c["band"] = c["from_band"]
    keys = [*scope.within, "group", "from_band", "to_band"]
    out = c.groupby(keys, dropna=False, sort=False)["n"].sum().reset_index()
    return out


def _promotion_table(scope: Scope) -> pd.DataFrame:
    """People in post at the opening snapshot on the band ladder (``at_start``), of them still
    in post at the closing one (``stayers``) and on a higher band there (``promoted``), and
    those whose opening band is off the ladder (``unknown_band``), by group (one engine query,
    shared with :func:`~equity.measures.retention.start_counts`)."""
    c = start_counts(scope)
    keys = [*scope.within, "group"]
    t = pd.DataFrame({k: c[k] for k in keys}).assign(
        at_start=c["sum_on_ladder"], stayers=c["sum_stay_on_ladder"],
        promoted=c["sum_promoted"], unknown_band=c["start_n"] - c["sum_on_ladder"])
    if "band" in scope.within:  # by band of origin: "5" and "Band 5" are one band
        t["band"] = codes.normalise_band(t["band"]).to_numpy()
        t = t.groupby(keys, dropna=False, sort=False).sum().reset_index()
    return t


@gated
def progression(
    dataset: Dataset,
    *,
    period: str | Period,
    by: str | Sequence[str] = "ethnicity",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    reference: str | None = None,
    exclude_bank: bool = True,
    min_n: int = stats.MIN_N,
    non_adverse_range: tuple[float, float] = stats.NON_ADVERSE_RANGE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Promotion rate (with relative likelihood) and access to non-mandatory training.

    Parameters
    ----------
    dataset, period, by, within, staff_group, directorate, profession, reference, exclude_bank
        As :func:`equity.measures.retention.retention`. ``within=("band",)`` gives promotion
        by band of origin (the band at the opening snapshot).

    Returns
    -------
    pandas.DataFrame
        The shared result schema: ``promotion_rate`` (people in post at the opening 31 March
        snapshot whose band is higher at the closing one, over everyone in post at the
        opening snapshot; variant ``"in post at both snapshots"`` over those still in post),
        and ``training_access`` (``attrs["not_computed"]`` says why when there is no
        training table).

    Notes
    -----
    Library method (docs/methodology.md "Indicators"): the band ladder is
    :data:`equity.codes.BAND_ORDER` (AfC Band 1 to 9, then VSM; medical grades form their own
    ladder). Staff whose opening band is not on the ladder are excluded and counted in
    ``attrs["exclusions"]``. A person promoted in two successive years counts once in each.
    Relative likelihood = group rate / reference rate (Koopman interval); below the
    non-adverse range is adverse. ``training_access`` (WRES 4 generalised to any grouping):
    unique people with non-mandatory training dated in the year who are in post at the
    closing snapshot / headcount at the closing snapshot, the ratio oriented group /
    reference (below the range adverse), as the registry records.
    """
    scope = make_scope(dataset, period=period, by=by, within=within, staff_group=staff_group,
                       directorate=directorate, profession=profession, exclude_bank=exclude_bank,
                       reference=reference)
    opts: dict[str, Any] = dict(period=scope.period, gs=scope.gs, within=scope.within, reference=reference,
                min_n=min_n, non_adverse_range=non_adverse_range, confidence=confidence)
    t = _promotion_table(scope)
    promo = concat_results([
        rate_rows(t, indicator="promotion_rate", numerator="promoted", denominator="at_start",
                  **opts),
        rate_rows(t, indicator="promotion_rate", numerator="promoted", denominator="stayers",
                  variant=STAYERS_VARIANT, **opts),
    ])
    record_exclusion(promo, indicator="promotion_rate", table="staff",
                     count=t["unknown_band"].sum(),
                     reason="staff whose band at the opening snapshot is not on the band ladder")
    out = concat_results([promo, training_access(
        dataset, period=scope.period, by=by, within=scope.within, staff_group=staff_group,
        directorate=directorate, profession=profession, reference=reference,
        exclude_bank=exclude_bank, min_n=min_n, non_adverse_range=non_adverse_range,
        confidence=confidence)])
    return out


def training_access(
    dataset: Dataset,
    *,
    period: str | Period,
    by: str | Sequence[str] = "ethnicity",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    reference: str | None = None,
    exclude_bank: bool = True,
    min_n: int = stats.MIN_N,
    non_adverse_range: tuple[float, float] = stats.NON_ADVERSE_RANGE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Access to non-mandatory training or CPD by group (WRES 4 generalised): see
    :func:`progression`. Needs the ``training`` table, else reported as not computed."""
    ind = "training_access"
    if dataset.training is None:
        return not_computed(ind, "the dataset has no training table")
    scope = make_scope(dataset, period=period, by=by, within=within, staff_group=staff_group,
                       directorate=directorate, profession=profession,
                       exclude_bank=exclude_bank, need_start=False, reference=reference)
    p = scope.period
    why = uncovered(dataset, "training", p)
    if why:
        return not_computed(ind, why)

    def frame() -> Any:
        return cube.training_takeup(dataset.staff, dataset.training, snapshot=p.snapshot,
                                    start=p.start, end=p.end)

    c = grouped_counts(frame, scope.gs, within=scope.within, where=scope.where,
                       derive={"took": nw.col("trained").cast(nw.Int64())}, sums=["took"],
                       share=scope.share("training"))
    out = rate_rows(c, indicator=ind, period=p, numerator="sum_took", denominator="n",
                    gs=scope.gs, within=scope.within, reference=reference, min_n=min_n,
                    non_adverse_range=non_adverse_range, confidence=confidence)
    return out


@gated
def band_transitions(
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
    """Band transition matrix between the period's opening and closing 31 March snapshots.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per group and pair of bands: ``period``, the ``within`` strata,
        ``group_var``, ``group``, ``from_band``, ``to_band`` (a band, or ``"left"``),
        ``count``, ``share`` (of the group's people in ``from_band`` at the opening
        snapshot), ``ci_low``, ``ci_high`` (Wilson). Every band on the ladder that occurs in
        the data appears as origin and destination for every group, with zero counts.
    """
    scope = make_scope(dataset, period=period, by=by, within=within, staff_group=staff_group,
                       directorate=directorate, profession=profession, exclude_bank=exclude_bank)
    t = transition_counts(scope)
    seen = set(t["from_band"].dropna()) | set(t["to_band"].dropna())
    ladder = sorted((b for b in seen if b in codes.BAND_ORDER), key=lambda b: codes.BAND_ORDER[b])
    off_ladder = sorted(b for b in seen if b not in codes.BAND_ORDER and b != LEFT)
    bands = [*ladder, *off_ladder]
    levels: dict[str, Any] = {k: sorted(t[k].dropna().unique().tolist()) for k in scope.within}
    levels["group"] = list(dict.fromkeys(t["group"]))
    levels["from_band"] = bands
    levels["to_band"] = [*bands, LEFT]
    t = cube.complete(t, levels).rename(columns={"n": "count"})
    keys = [*scope.within, "group", "from_band"]
    total = t.groupby(keys, dropna=False)["count"].transform("sum")
    shares = stats.proportion(t["count"], total, confidence=confidence)
    out = pd.concat([t.reset_index(drop=True), shares.rename(columns={"value": "share"})], axis=1)
    out.insert(0, "period", str(scope.period))
    out["group_var"] = group_var_name(scope.gs)
    for k, v in scope.labels.items():
        out[k] = v
    order = ["period", *scope.within, *scope.labels, "group_var", "group", "from_band",
             "to_band", "count", "share", "ci_low", "ci_high"]
    rank = {b: i for i, b in enumerate(levels["to_band"])}
    out = out.assign(_f=out["from_band"].map(rank), _t=out["to_band"].map(rank))
    out = out.sort_values([*scope.within, "_f", "_t"], kind="stable")
    return out.loc[:, order].reset_index(drop=True)




# --------------------------------------------------------------------------- combined, trends

__all__ = ["LEFT", "STAYERS_VARIANT", "band_transitions", "progression", "training_access",
           "transition_counts"]
