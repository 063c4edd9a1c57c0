"""Pay gaps: the six statutory gender pay gap measures, and the same engine for ethnicity and
disability, by band, profession and directorate, with a band-mix decomposition.

Every figure is computed from value-count cubes (:func:`equity.cube.value_counts`: how many
people are paid each hourly rate, per group), so means, medians and quarters are exact on every
engine. Pay values of individuals never appear in a result: only gaps (percentages), shares and
counts of people do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from equity import codes, cube, stats
from equity.codes import Period
from equity.errors import check_choice
from equity.io import Dataset
from equity.measures._common import (
    Grouping,
    and_all,
    at,
    attempt,
    check_within,
    family_ids,
    group_labels,
    grouping,
    record_exclusion,
    resolve_period,
    scope_filter,
    with_reference,
)
from equity.result import (
    INSUFFICIENT,
    NOT_APPLICABLE,
    concat_results,
    empty_result,
    make_result,
    text_where,
)
from equity.validation import gated

PayBy = Literal["sex", "ethnicity", "disability"]

#: The comparisons each ``by`` makes: (grouping, reference group).
COMPARISONS: dict[str, tuple[tuple[str, str], ...]] = {
    "sex": (("sex", "Male"),),
    # Default White British vs all ethnic minority groups combined, then each detailed group
    # vs White British (docs/methodology.md "Pay gaps").
    "ethnicity": (("white_british", "White British"), ("ethnicity_detailed", "White - British")),
    "disability": (("disability", "Non-disabled"),),
}

_BYS: tuple[PayBy, ...] = ("sex", "ethnicity", "disability")

#: Quarter labels, lowest paid first (GOV.UK: lower, lower middle, upper middle, top).
QUARTERS: tuple[str, ...] = ("Q1 (lower)", "Q2 (lower middle)", "Q3 (upper middle)", "Q4 (upper)")
#: ``variant`` of the rows giving the share of people whose group is not known.
UNKNOWN_SHARE = "share not disclosed"
#: ``variant`` of the two parts of the band-mix decomposition of the mean gap.
EXPLAINED = "explained by band mix"
WITHIN_BANDS = "within bands"
#: Library threshold for a pay gap's status, in percent (see :func:`pay_gap`, Notes).
GAP_RANGE: float = 5.0

HOURLY, BONUS = "hourly_pay", "bonus_pay"


# --------------------------------------------------------------------------- statistics adapter
# The pay statistics themselves (exact mean and median from value counts, the regulation's
# quarters with tie blocks split pro rata) live in equity.stats; this section only applies them
# per stratum and group of a value-count table.


def _summaries(vc: pd.DataFrame, keys: Sequence[str], value: str) -> pd.DataFrame:
    """Per combination of ``keys`` (the last one ``group``): people ``n``, exact ``mean`` and
    ``median`` of ``value``. ``vc`` is a value-count table with no missing values."""
    keys = list(keys)
    if not len(vc):
        return pd.DataFrame({**{k: [] for k in keys}, "n": [], "mean": [], "median": []})
    return stats.pay_summary(vc, by=keys[:-1], group=keys[-1], value=value)


def _quarters(vc: pd.DataFrame, within: Sequence[str], value: str) -> pd.DataFrame:
    """People of each group in each quarter, per stratum: ``within``, ``quarter``, ``group``,
    ``n``. Strata are passed to :func:`equity.stats.pay_quartiles` as one integer code, so a
    missing stratum value (kept as a stratum of its own) survives the computation."""
    within = list(within)
    vc = vc.loc[vc["n"] > 0]
    if not within:
        q = stats.pay_quartiles(vc, value=value)
        return q.rename(columns={"count": "n"}).drop(columns="share")
    codes, strata = cube.key_codes(vc, within)
    q = stats.pay_quartiles(vc.assign(_stratum=codes), by=["_stratum"], value=value)
    q = pd.concat([strata.iloc[q["_stratum"].to_numpy()].reset_index(drop=True),
                   q.drop(columns=["_stratum", "share"]).reset_index(drop=True)], axis=1)
    return q.rename(columns={"count": "n"})


# --------------------------------------------------------------------------- result rows


def _complete_groups(table: pd.DataFrame, levels: Mapping[str, Sequence[Any]], g: Grouping
                     ) -> pd.DataFrame:
    """Every stratum (``levels``) x every group of ``g``, zero people where absent."""
    return cube.complete(table, {**levels, "group": g.levels},
                         fill={"mean": np.nan, "median": np.nan})


def _status(value: np.ndarray, n: np.ndarray, n_ref: np.ndarray, *, min_n: int,
            gap_range: float) -> np.ndarray:
    # A gap is a difference in percent, so the non-adverse range is symmetric around 0.
    return stats.classify(value, n, n_ref, harm="above", non_adverse_range=(-gap_range, gap_range),
                          min_n=min_n)


def _gap_rows(summ: pd.DataFrame, *, prefix: Literal["pay_gap", "bonus_gap"], period: str,
              g: Grouping, reference: str, within: Sequence[str], min_n: int, min_report: int,
              gap_range: float) -> list[pd.DataFrame]:
    """Rows of ``<prefix>_mean`` and ``<prefix>_median``: one per comparison group and
    stratum, plus the unknown-share row of each stratum."""
    within = list(within)
    joined = with_reference(summ, within, reference, ["n", "mean", "median"])
    comp = joined.loc[(joined["group"] != reference) & (joined["group"] != g.unknown)]
    n, n_ref = comp["n"].to_numpy(float), comp["n_ref"].to_numpy(float)
    unknown = _unknown_rows(summ, g=g, within=within)
    keys = {c: comp[c] for c in [*within, "group"]}
    frames = []
    for stat in ("mean", "median"):
        s, s_ref = comp[stat].to_numpy(float), comp[f"{stat}_ref"].to_numpy(float)
        ok = (n >= max(min_report, 1)) & (n_ref >= max(min_report, 1))
        value = np.where(ok, stats.gap_percent(s_ref, s), np.nan)
        rows = {**keys, "numerator": n, "denominator": n_ref, "value": value,
                "reference_group": reference, "group_var": g.name,
                "status": _status(value, n, n_ref, min_n=min_n, gap_range=gap_range)}
        frames += [make_result(part, indicator=f"{prefix}_{stat}", period=period)
                   for part in (rows, {**unknown, "group_var": g.name})]
    return frames


def _unknown_rows(summ: pd.DataFrame, *, g: Grouping, within: Sequence[str]) -> dict[str, Any]:
    """Share of people whose group is not known (percent), per stratum: always shown (result
    columns, for :func:`~equity.result.make_result`)."""
    within = list(within)
    totals = (cube.regroup(summ, within, ["n"]) if within
              else pd.DataFrame({"n": [summ["n"].sum()]}))
    unknown = summ.loc[summ["group"] == g.unknown, [*within, "n"]]
    if within:
        t = totals.merge(unknown, on=within, how="left", suffixes=("", "_unknown"))
    else:
        t = totals.assign(n_unknown=unknown["n"].sum())
    num, den = t["n_unknown"].fillna(0).to_numpy(float), t["n"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / den * 100, np.nan)
    return {**{c: t[c] for c in within}, "group": g.unknown, "variant": UNKNOWN_SHARE,
            "numerator": num, "denominator": den, "value": value, "status": NOT_APPLICABLE}


def _decomposition_rows(band_summ: pd.DataFrame, *, levels: Mapping[str, Sequence[Any]],
                        indicator: str, period: str, g: Grouping, reference: str,
                        within: Sequence[str], min_n: int, min_report: int,
                        gap_range: float) -> list[pd.DataFrame]:
    """The mean gap split into the part explained by band mix and the part within bands.

    ``band_summ`` holds ``within``, ``band``, ``group``, ``n``, ``mean`` for the bands each
    group has people in; ``levels`` are the strata. See :func:`pay_gap`, Notes, for the
    formula. A band adds to "within bands" only where both groups have people (elsewhere
    :math:`W_b = 0` or :math:`m_b = M_b`), so only those bands are joined: with
    :math:`N, N_{ref}` the groups' sizes, within bands is
    :math:`\\sum_b n^{ref}_b (M_b - m_b) / N_{ref}` and band mix is the rest of the mean gap,
    :math:`(M - \\bar m) -` within bands.
    """
    within = list(within)
    by = [*within, "group"]
    ref = band_summ.loc[band_summ["group"] == reference, [*within, "band", "n", "mean"]]
    comp = band_summ.loc[(band_summ["group"] != reference) & (band_summ["group"] != g.unknown)]
    comp = comp.merge(ref, on=[*within, "band"], how="left", suffixes=("", "_ref"))
    n_ref_b = comp["n_ref"].fillna(0.0)
    gap_b = (n_ref_b * (comp["mean_ref"] - comp["mean"])).where(n_ref_b > 0, 0.0)
    comp = comp.assign(pay=comp["n"] * comp["mean"], within_bands=gap_b)
    parts = cube.regroup(comp, by, ["n", "pay", "within_bands"])
    compared = [v for v in g.levels if v not in (reference, g.unknown)]
    parts = cube.complete(parts, {**levels, "group": compared})
    ref = ref.assign(pay=ref["n"] * ref["mean"])
    if within:
        totals = cube.regroup(ref, within, ["n", "pay"])
        parts = parts.merge(totals.rename(columns={"n": "n_ref", "pay": "pay_ref"}), on=within,
                            how="left")
    else:
        parts = parts.assign(n_ref=ref["n"].sum(), pay_ref=ref["pay"].sum())
    n, n_ref = parts["n"].to_numpy(float), parts["n_ref"].fillna(0.0).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m, m_ref = parts["pay"].to_numpy(float) / n, parts["pay_ref"].to_numpy(float) / n_ref
        within_bands = parts["within_bands"].to_numpy(float) / n_ref
    ok = (n >= max(min_report, 1)) & (n_ref >= max(min_report, 1)) & (m_ref > 0)
    out = []
    for variant, part in ((EXPLAINED, (m_ref - m) - within_bands), (WITHIN_BANDS, within_bands)):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(ok, part / m_ref * 100, np.nan)
        out.append(make_result({
            **{c: parts[c] for c in by}, "variant": variant, "numerator": n,
            "denominator": n_ref, "value": value, "reference_group": reference,
            "group_var": g.name,
            "status": _status(value, n, n_ref, min_n=min_n, gap_range=gap_range),
        }, indicator=indicator, period=period))
    return out


def _quarter_rows(vc: pd.DataFrame, *, period: str, g: Grouping, within: Sequence[str],
                  min_n: int, min_report: int) -> pd.DataFrame:
    """Share of each group in each quarter of the hourly pay ranking, per stratum.

    ``vc`` holds ``within``, ``group``, hourly pay and ``n``.
    """
    within = list(within)
    if not (vc["n"] > 0).any():
        return pd.DataFrame()
    q = _quarters(vc, within, HOURLY)  # one row per stratum, quarter and group
    levels: dict[str, Sequence[Any]] = {c: _levels(vc[c]) for c in within}
    levels |= {"quarter": range(1, 5), "group": g.levels}
    q = cube.complete(q, levels)
    q["total"] = cube.group_totals(q, [*within, "quarter"], "n")
    # The group's size in the stratum decides whether it is reported at all.
    size = cube.regroup(vc, [*within, "group"], ["n"]).rename(columns={"n": "size"})
    q = q.merge(size, on=[*within, "group"], how="left")
    # Ethnicity / disability: a group under the reporting threshold is not reported; for sex
    # (min_report 1) an absent group's zero shares are real figures.
    small = (q["size"].fillna(0).to_numpy() < min_report) & (min_report > 1)
    return make_result({
        **{c: q[c] for c in [*within, "group"]},
        **_shares_shown(q["n"], q["total"], small, min_n=min_n),
        "variant": np.asarray(QUARTERS, dtype=object)[q["quarter"].to_numpy(dtype=np.int64) - 1],
        "group_var": g.name,
    }, indicator="pay_quartile", period=period)


def _shares_shown(numerator: pd.Series, denominator: pd.Series, small: np.ndarray, *,
                  min_n: int) -> dict[str, np.ndarray]:
    """Result columns of a share with its Wilson interval; ``small`` rows (a group under
    the reporting threshold) keep their counts but no share, status insufficient."""
    rates = stats.proportion(numerator, denominator)
    out = {c: np.where(small, np.nan, rates[c].to_numpy()) for c in ("value", "ci_low", "ci_high")}
    out["status"] = text_where(small, INSUFFICIENT, stats.share_status(denominator, min_n=min_n))
    return {"numerator": numerator.to_numpy(), "denominator": denominator.to_numpy(), **out}


def _proportion_rows(gv: pd.DataFrame, *, period: str, g: Grouping, within: Sequence[str],
                     levels: Mapping[str, Sequence[Any]], min_n: int, min_report: int
                     ) -> pd.DataFrame:
    """Share of each group's relevant employees who received a bonus (Wilson interval)."""
    within = list(within)
    counts = gv.assign(recipients=np.where(gv[BONUS] > 0, gv["n"], 0.0))
    counts = cube.regroup(counts, [*within, "group"], ["n", "recipients"])
    counts = cube.complete(counts, {**levels, "group": g.levels})
    small = (counts["n"].to_numpy() < min_report) & (min_report > 1)
    return make_result({
        **{c: counts[c] for c in [*within, "group"]},
        **_shares_shown(counts["recipients"], counts["n"], small, min_n=min_n),
        "group_var": g.name,
    }, indicator="bonus_proportion", period=period)


def _levels(s: pd.Series) -> list[Any]:
    """Observed levels of a stratum column, missing last (kept as a level of its own)."""
    s = s.drop_duplicates()
    vals = s.astype(object).where(s.notna(), None).unique().tolist()
    return sorted((v for v in vals if v is not None), key=str) + ([None] if None in vals else [])


# --------------------------------------------------------------------------- data access


@dataclass(frozen=True)
class _Scope:
    period: Period
    where: nw.Expr | None
    within: tuple[str, ...]
    decompose_within: tuple[str, ...]
    band_key: tuple[str, ...]


def _scope(dataset: Dataset, *, period: str | Period, within: Sequence[str],
           staff_group: str | None, directorate: str | None, profession: str | None,
           decompose: bool) -> _Scope:
    p = resolve_period(dataset, period)
    within = check_within(within)
    where = and_all(at(p.snapshot), scope_filter(
        dataset.staff, table="staff", staff_group=staff_group, directorate=directorate,
        profession=profession))
    has_band = "band" in cube.columns(dataset.staff)
    band_key = ("band",) if decompose and has_band and "band" not in within else ()
    dec_within = tuple(w for w in within if w != "band")
    return _Scope(p, where, within, dec_within, band_key)


def _hourly_counts(dataset: Dataset, sc: _Scope, column: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """Value counts of hourly pay for full-pay relevant employees, and the excluded counts."""
    vc = cube.value_counts(dataset.staff, [*sc.within, *sc.band_key, column, "full_pay"], HOURLY,
                           where=sc.where)
    # True / False as Python, numpy or pandas booleans; missing is neither
    flag = vc["full_pay"].astype(object)
    full = codes.per_value(flag, lambda v: v is not None and bool(v == True), dtype=bool)  # noqa: E712
    not_full = codes.per_value(flag, lambda v: v is not None and bool(v == False), dtype=bool)  # noqa: E712
    missing_pay = full & vc[HOURLY].isna()
    excluded = {
        "not a full-pay relevant employee (full_pay false)": vc.loc[not_full, "n"].sum(),
        "full_pay not recorded": vc.loc[~full & ~not_full, "n"].sum(),
        "full-pay employee with no hourly pay recorded": vc.loc[missing_pay, "n"].sum(),
    }
    kept = vc.loc[full & ~missing_pay].drop(columns="full_pay")
    return kept.reset_index(drop=True), excluded


def _bonus_counts(dataset: Dataset, sc: _Scope, column: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """Value counts of bonus pay for all relevant employees, and the excluded counts."""
    vc = cube.value_counts(dataset.staff, [*sc.within, *sc.band_key, column], BONUS,
                           where=sc.where)
    missing = vc[BONUS].isna()
    excluded = {"bonus pay not recorded": vc.loc[missing, "n"].sum()}
    return vc.loc[~missing].reset_index(drop=True), excluded


def _grouped(vc: pd.DataFrame, column: str, g: Grouping, keys: Sequence[str], value: str
             ) -> pd.DataFrame:
    """Map raw codes to ``g``'s groups and sum the counts: ``keys``, ``group``, value, ``n``."""
    labels = group_labels(vc, [g])  # maps the distinct codes; summed on its integer codes
    return cube.regroup(vc.assign(group=pd.Series(labels, index=vc.index)), [*keys, "group", value])


# --------------------------------------------------------------------------- public API


@gated
def pay_gap(
    dataset: Dataset,
    *,
    period: str | Period,
    by: PayBy = "sex",
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    profession: str | None = None,
    decompose: bool = True,
    min_n: int = stats.MIN_N,
    gap_range: float = GAP_RANGE,
) -> pd.DataFrame:
    """Pay gaps at the 31 March snapshot: hourly pay, bonus pay, bonus proportions, quarters.

    Parameters
    ----------
    dataset
        A :class:`~equity.io.Dataset`; uses ``staff`` (``hourly_pay``, ``full_pay``,
        ``bonus_pay`` and the equality column of ``by``).
    period
        NHS financial year (``"2024/25"``); the snapshot is its closing 31 March.
    by
        ``"sex"`` (women compared with men: the statutory gender pay gap), ``"ethnicity"``
        (all ethnic minority groups combined, group_var ``white_british``, and each detailed
        group, group_var ``ethnicity_detailed``, compared with White British) or
        ``"disability"`` (disabled compared with non-disabled).
    within
        Strata to split by (``"band"``, ``"profession"``, ``"directorate"``, ...): the gap
        within band separates unequal pay in the same band from an unequal band mix.
    staff_group, directorate, profession
        Restrict to one staff group (``None`` or ``"all"``: every group), directorate or
        profession; a value the data does not hold raises :class:`~equity.ParameterError`
        listing those it does hold.
    decompose
        Add the band-mix decomposition of the mean hourly gap (needs a ``band`` column).
    min_n
        Fewer people than this in either group: status ``insufficient_evidence``. For
        ethnicity and disability, a group below it is also not reported (value NaN, the row
        kept).
    gap_range
        Gaps within plus or minus this many percent are ``within_range``; above it
        ``adverse`` (the comparison group is paid less), below it ``favourable``.

    Returns
    -------
    pandas.DataFrame
        The shared result schema, with rows for the indicators

        - ``pay_gap_mean``, ``pay_gap_median``: ``value`` = (reference statistic - comparison
          statistic) / reference statistic x 100 over full-pay relevant employees' hourly
          pay; ``numerator`` = people in the comparison group (``group``), ``denominator`` =
          people in the reference group (``reference_group``). Positive: the comparison group
          is paid less. The mean gap also has ``variant`` rows ``"explained by band mix"`` and
          ``"within bands"`` that add up to it.
        - ``bonus_gap_mean``, ``bonus_gap_median``: the same over bonus recipients (bonus pay
          above 0 in the 12 months to the snapshot) among all relevant employees.
        - ``bonus_proportion``: per group, ``numerator`` recipients over ``denominator`` all
          relevant employees (full-pay or not), ``value`` a proportion with a Wilson interval.
        - ``pay_quartile``: per quarter (``variant`` ``"Q1 (lower)"`` ... ``"Q4 (upper)"``) and
          group, people of the group in the quarter over the quarter's size.

        Each gap indicator also has, per stratum, a row for the group ``"Unknown"`` with
        ``variant`` ``"share not disclosed"``: people whose group is not recorded
        (numerator) over everyone (denominator), ``value`` in percent, so a gap is never read
        without knowing how many are missing from it. Rows left out (not full-pay, pay not
        recorded) are counted in ``attrs["exclusions"]``; an indicator the data cannot give
        (no ``hourly_pay`` column, say) is listed in ``attrs["not_computed"]`` with the
        reason, and the others are still computed.

    Notes
    -----
    Equality Act 2010 (Specific Duties and Public Authorities) Regulations 2017, Schedule 1,
    and the GOV.UK gender pay gap guidance: hourly pay of full-pay relevant employees at the
    snapshot date; bonus pay in the 12 months to it; medians exact (even count: the mean of
    the two middle values); quarters of the ranking as equal in size as possible, a tie block
    spanning a boundary split so each quarter keeps its sex mix (:mod:`equity.stats`). All of
    them come from value-count cubes, so the figures are identical on every engine. Ethnicity
    and disability gaps reuse the same engine (docs/methodology.md "Pay gaps"), reporting a group
    only with at least ``min_n`` people. The regulations publish every gender figure however
    few people there are, so for ``by="sex"`` a gap is computed whenever both sexes are
    present (its status says when there are too few to tell).

    Band-mix decomposition (library method, an Oaxaca-Blinder split over bands with the
    reference group's band weights). With :math:`w_b, m_b` the share of the comparison
    group in band :math:`b` and its mean pay there, and :math:`W_b, M_b` the same for the
    reference group, whose overall mean is :math:`M = \\sum_b W_b M_b`,

    .. math::

        \\frac{M - \\sum_b w_b m_b}{M} \\times 100
        = \\underbrace{\\frac{\\sum_b (W_b - w_b)\\, m_b}{M} \\times 100}_{\\text{explained by band mix}}
        + \\underbrace{\\frac{\\sum_b W_b (M_b - m_b)}{M} \\times 100}_{\\text{within bands}}.

    "Within bands" is the gap that would remain if the comparison group had the reference
    group's band mix; "explained by band mix" is the rest. A band holding none of the
    comparison group takes :math:`m_b = M_b` (it adds nothing within bands). The two parts
    add up to the mean gap exactly.

    The status threshold ``gap_range`` (default 5%) is a library choice: the Equality and
    Human Rights Commission's equal pay audit guidance treats a gap of 5% or more as
    significant enough to investigate.

    Examples
    --------
    >>> staff = pd.DataFrame({
    ...     "staff_id": list("abcde"), "snapshot_date": "2025-03-31",
    ...     "directorate": "Adult", "staff_group": "Allied Health Professionals",
    ...     "band": "Band 5", "fte": 1.0, "contract_type": "Substantive",
    ...     "org_start_date": "2020-01-01", "sex": ["Male"] * 3 + ["Female"] * 2,
    ...     "hourly_pay": [10.0, 20.0, 30.0, 10.0, 20.0], "bonus_pay": 0.0, "full_pay": True})
    >>> r = pay_gap(Dataset.from_frames(staff=staff), period="2024/25")
    >>> r.loc[r["variant"].isna() & r["indicator"].str.startswith("pay_gap"),
    ...       ["indicator", "group", "value"]].to_dict("records")
    [{'indicator': 'pay_gap_mean', 'group': 'Female', 'value': 25.0}, {'indicator': 'pay_gap_median', 'group': 'Female', 'value': 25.0}]
    """
    check_choice("by", by, list(COMPARISONS))
    sc = _scope(dataset, period=period, within=within, staff_group=staff_group,
                directorate=directorate, profession=profession, decompose=decompose)
    label = str(sc.period)
    comparisons = [(grouping(name), ref) for name, ref in COMPARISONS[by]]
    column = comparisons[0][0].column
    opts: dict[str, Any] = {"period": label, "within": list(sc.within), "min_n": min_n,
                            "min_report": 1 if by == "sex" else min_n, "gap_range": gap_range}
    have = set(cube.columns(dataset.staff))
    hourly_ids = ("pay_gap_mean", "pay_gap_median", "pay_quartile")
    bonus_ids = ("bonus_gap_mean", "bonus_gap_median", "bonus_proportion")
    rows: list[pd.DataFrame] = []
    skipped: dict[str, str] = {}
    exclusions: list[tuple[tuple[str, ...], dict[str, float]]] = []

    if column not in have:
        skipped |= dict.fromkeys((*hourly_ids, *bonus_ids),
                                 f"the staff table has no {column} column")
    else:
        missing = [c for c in (HOURLY, "full_pay") if c not in have]
        if missing:
            skipped |= dict.fromkeys(hourly_ids,
                                     f"the staff table has no {' or '.join(missing)} column")
        else:
            vc, excluded = _hourly_counts(dataset, sc, column)
            for i, (g, ref) in enumerate(comparisons):
                gv = _grouped(vc, column, g, [*sc.within, *sc.band_key], HOURLY)
                rows += _hourly_rows(gv, g=g, ref=ref, sc=sc, **opts)
                # Exclusions are noted once, with the first (default) comparison.
                if i == 0:
                    exclusions += [(("pay_gap_mean", "pay_gap_median"),
                                    {**excluded, **_unknown_excluded(gv, g)}),
                                   (("pay_quartile",), excluded)]
        if BONUS not in have:
            skipped |= dict.fromkeys(bonus_ids, "the staff table has no bonus_pay column")
        else:
            vc, excluded = _bonus_counts(dataset, sc, column)
            for i, (g, ref) in enumerate(comparisons):
                gv = _grouped(vc, column, g, list(sc.within), BONUS)
                rows += _bonus_rows(gv, g=g, ref=ref, **opts)
                if i == 0:
                    paid = gv.loc[gv[BONUS] > 0]
                    exclusions += [(("bonus_gap_mean", "bonus_gap_median"),
                                    {**excluded, **_unknown_excluded(paid, g)}),
                                   (("bonus_proportion",), excluded)]

    rows = [r for r in rows if len(r)]
    out = concat_results(rows) if rows else empty_result()
    out.attrs = {"not_computed": skipped, "exclusions": []}
    for indicators, reasons in exclusions:
        for ind in indicators:
            for reason, count in reasons.items():
                record_exclusion(out, indicator=ind, table="staff", reason=reason, count=count)
    return out


def _unknown_excluded(gv: pd.DataFrame, g: Grouping) -> dict[str, float]:
    n = float(gv.loc[gv["group"] == g.unknown, "n"].sum())
    return {f"{g.column} not recorded (left out of the gap; see the share not disclosed)": n}


def _hourly_rows(gv: pd.DataFrame, *, g: Grouping, ref: str, sc: _Scope, period: str,
                 within: list[str], min_n: int, min_report: int, gap_range: float
                 ) -> list[pd.DataFrame]:
    """Mean and median gaps, the band-mix decomposition and the quarters (raw rows)."""
    levels = {c: _levels(gv[c]) for c in within}
    summ = _complete_groups(_summaries(gv, [*within, "group"], HOURLY), levels, g)
    common: dict[str, Any] = {"period": period, "g": g, "min_n": min_n,
                              "min_report": min_report}
    out = _gap_rows(summ, prefix="pay_gap", reference=ref, gap_range=gap_range,
                    within=within, **common)
    if sc.band_key or "band" in within:
        dec_within = list(sc.decompose_within)
        band_summ = _summaries(gv, [*dec_within, "band", "group"], HOURLY)
        out += _decomposition_rows(
            band_summ, levels={c: levels[c] for c in dec_within}, indicator="pay_gap_mean",
            reference=ref, gap_range=gap_range, within=dec_within, **common)
    out.append(_quarter_rows(cube.regroup(gv, [*within, "group", HOURLY]), within=within,
                             **common))
    return out


def _bonus_rows(gv: pd.DataFrame, *, g: Grouping, ref: str, period: str, within: list[str],
                min_n: int, min_report: int, gap_range: float) -> list[pd.DataFrame]:
    """Mean and median bonus gaps over recipients, and the bonus proportions (raw rows)."""
    levels = {c: _levels(gv[c]) for c in within}
    paid = gv.loc[gv[BONUS] > 0]
    summ = _complete_groups(_summaries(paid, [*within, "group"], BONUS), levels, g)
    common: dict[str, Any] = {"period": period, "g": g, "within": within, "min_n": min_n,
                              "min_report": min_report}
    out = _gap_rows(summ, prefix="bonus_gap", reference=ref, gap_range=gap_range, **common)
    out.append(_proportion_rows(gv, levels=levels, **common))
    return out


@gated
@cube.sharing()  # counts shared by the indicators computed here
def pay_indicators(
    dataset: Dataset,
    *,
    period: str | Period,
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
) -> pd.DataFrame:
    """Every pay row: :func:`pay_gap` by sex, ethnicity and disability, concatenated.

    The entry point :func:`equity.measures.indicators` uses for the pay family. An
    equality column the staff table lacks (no ``disability``, say) leaves out that
    comparison's rows; an indicator with no rows at all is listed in
    ``attrs["not_computed"]`` with the reason.

    Notes
    -----
    See :func:`pay_gap`.
    """
    parts = [attempt(partial(pay_gap, dataset, period=period, by=by, within=within,
                             staff_group=staff_group, directorate=directorate),
                     *family_ids("pay")) for by in _BYS]
    out = concat_results(parts)
    computed = set(out["indicator"])
    reasons: dict[str, list[str]] = {}
    for part in parts:
        for ind, reason in part.attrs.get("not_computed", {}).items():
            reasons.setdefault(ind, []).append(reason)
    out.attrs["not_computed"] = {ind: "; ".join(dict.fromkeys(r))
                                 for ind, r in reasons.items() if ind not in computed}
    return out


#: The statutory figures, in the order of the GOV.UK gender pay gap service, with the column
#: names of its published data (field) and plain labels (measure).
STATUTORY_FIELDS: tuple[tuple[str, str], ...] = (
    ("DiffMeanHourlyPercent", "Mean gender pay gap in hourly pay (%)"),
    ("DiffMedianHourlyPercent", "Median gender pay gap in hourly pay (%)"),
    ("DiffMeanBonusPercent", "Mean gender pay gap in bonus pay (%)"),
    ("DiffMedianBonusPercent", "Median gender pay gap in bonus pay (%)"),
    ("MaleBonusPercent", "Men receiving bonus pay (%)"),
    ("FemaleBonusPercent", "Women receiving bonus pay (%)"),
    ("MaleLowerQuartile", "Men in the lower hourly pay quarter (%)"),
    ("FemaleLowerQuartile", "Women in the lower hourly pay quarter (%)"),
    ("MaleLowerMiddleQuartile", "Men in the lower middle hourly pay quarter (%)"),
    ("FemaleLowerMiddleQuartile", "Women in the lower middle hourly pay quarter (%)"),
    ("MaleUpperMiddleQuartile", "Men in the upper middle hourly pay quarter (%)"),
    ("FemaleUpperMiddleQuartile", "Women in the upper middle hourly pay quarter (%)"),
    ("MaleTopQuartile", "Men in the top hourly pay quarter (%)"),
    ("FemaleTopQuartile", "Women in the top hourly pay quarter (%)"),
)


@gated
def statutory_summary(
    dataset: Dataset,
    *,
    period: str | Period,
    staff_group: str | None = None,
    directorate: str | None = None,
    decimals: int = 1,
) -> pd.DataFrame:
    """The six gender pay gap figures as employers submit them on the GOV.UK service.

    Parameters
    ----------
    dataset, period, staff_group, directorate
        As :func:`pay_gap` (the statutory return covers the whole employer: leave the filters
        at None).
    decimals
        Rounding of the percentages (GOV.UK asks for one decimal place).

    Returns
    -------
    pandas.DataFrame
        Fourteen rows, columns ``period``, ``field`` (the column name in GOV.UK's published
        data, e.g. ``DiffMeanHourlyPercent``), ``measure`` (plain English) and ``value``
        (percent): the mean and median hourly pay gaps, the mean and median bonus gaps, the
        percentage of men and of women receiving bonus pay, and the percentage of men and of
        women in each hourly pay quarter. A figure the data cannot give is NaN.

    Notes
    -----
    Equality Act 2010 (Specific Duties and Public Authorities) Regulations 2017, Schedule 1
    (regulations 2 to 6 of the figures); computed by :func:`pay_gap` with ``by="sex"``. The
    quarter percentages are men's and women's shares of the men and women in each quarter,
    so each pair adds up to 100 (staff whose sex is not recorded still take their place in
    the ranking). No disclosure control is applied: the regulations publish these figures
    however small the employer.
    """
    r = pay_gap(dataset, period=period, by="sex", staff_group=staff_group,
                directorate=directorate, decompose=False)
    main = r.loc[r["variant"].isna()]

    def pick(indicator: str, group: str, variant: str | None = None) -> float:
        rows = r if variant is not None else main
        sel = rows.loc[(rows["indicator"] == indicator) & (rows["group"] == group)]
        if variant is not None:
            sel = sel.loc[sel["variant"] == variant]
        return float(sel["value"].iloc[0]) if len(sel) else float("nan")

    def quarter_share(variant: str, group: str) -> float:
        q = r.loc[(r["indicator"] == "pay_quartile") & (r["variant"] == variant)]
        n = q.set_index("group")["numerator"]
        both = n.get("Male", 0.0) + n.get("Female", 0.0)
        return float(n.get(group, 0.0) / both * 100) if both > 0 else float("nan")

    values = [
        pick("pay_gap_mean", "Female"), pick("pay_gap_median", "Female"),
        pick("bonus_gap_mean", "Female"), pick("bonus_gap_median", "Female"),
        pick("bonus_proportion", "Male") * 100, pick("bonus_proportion", "Female") * 100,
    ]
    for q in QUARTERS:
        values += [quarter_share(q, "Male"), quarter_share(q, "Female")]
    out = pd.DataFrame({
        "period": str(Period.parse(period)),
        "field": [f for f, _ in STATUTORY_FIELDS],
        "measure": [m for _, m in STATUTORY_FIELDS],
        "value": np.round(np.asarray(values, dtype=float), decimals),
    })
    out.attrs = {k: v for k, v in r.attrs.items() if k in ("exclusions", "not_computed")}
    return out


__all__ = ["COMPARISONS", "QUARTERS", "STATUTORY_FIELDS", "pay_gap", "pay_indicators",
           "statutory_summary"]
