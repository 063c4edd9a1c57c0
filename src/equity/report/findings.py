"""What a report can say: each headline figure at the finest level that can be published.

A directorate's staff group is often too small for a figure to survive disclosure control or
to carry evidence, so each headline climbs one fixed ladder (``docs/methodology.md``,
"Small numbers in reports: the ladder") and stops at the first rung where the comparison
can be published and judged:

1. the directorate's staff group, this year;
2. the same people pooled over three years (events and people added up over the years:
   only for figures counted afresh each year, such as leaving, appointment or promotion;
   never for snapshots of the same people, which pooling would count three times);
3. all staff of the directorate, this year;
4. the trust's staff group, this year;
5. the same pooled over three years;
6. all staff trust-wide, this year (the trust's own WRES and WDES figures);
7. the same pooled over three years (the last resort before a figure is withheld).

Rungs 4-7 are the trust overview's own, so a directorate report states a trust-wide figure
as the overview does.

The trust overview climbs the trust's rungs (this year, three years pooled, all staff, all
staff over three years).
Every figure is disclosure-controlled by :func:`equity.disclosure.apply_disclosure` at its own
rung, and the rung is named beside it. Where no rung can settle a comparison, the finding
says what the counts could have shown: the smallest relative likelihood whose 95% interval
would have excluded 1 (:func:`detectable_ratio`). A directorate's rates are also compared
with the rest of the trust's staff group (:func:`rest_of_trust`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from equity import stats
from equity.disclosure import THRESHOLD
from equity.measures._common import grouping
from equity.narration import (
    CHANCE_WORDS,
    chance_clause,
    chance_of,
    group_ratio,
    joined_in,
    sentence,
    upper_first,
    variant_text,
)
from equity.registry import REGISTRY
from equity.report.context import ReportContext, all_staff
from equity.result import (
    ADVERSE,
    FAVOURABLE,
    INSUFFICIENT,
    STRATA,
    WITHIN,
    bare,
    concat_results,
    is_finite,
    make_result,
)

#: Headline comparisons, in the order the strategy lists them: (indicator, group_var,
#: variant or None).
HEADLINES: tuple[tuple[str, str, str | None], ...] = (
    ("senior_representation", "ethnicity", "likelihood of being senior"),
    ("pipeline_disparity", "ethnicity", "lower to middle"),
    ("pipeline_disparity", "ethnicity", "middle to upper"),
    ("wres_2", "ethnicity", None),
    ("wdes_2", "disability", None),
    ("wres_3", "ethnicity", None),
    ("wdes_3", "disability", None),
    ("wres_4", "ethnicity", None),
    ("leaver_rate", "ethnicity", None),
    ("leaver_rate", "disability", None),
    ("early_career_leaver_rate", "ethnicity", "within 12 months"),
    ("stability_index", "ethnicity", None),
    ("promotion_rate", "ethnicity", None),
    ("pay_gap_median", "sex", None),
    ("pay_gap_mean", "sex", None),
    ("pay_gap_median", "white_british", None),
    ("pay_gap_mean", "white_british", None),
)

#: Figures counted afresh each year, which three years can pool (events and people added).
POOLABLE: frozenset[str] = frozenset({
    "wres_2", "wdes_2", "wres_3", "wdes_3", "wres_4", "leaver_rate",
    "early_career_leaver_rate", "stability_index", "promotion_rate",
})

#: Comparisons that are ratios of two rates (events over people in each group), for which
#: :func:`detectable_ratio` says what the counts could have shown.
RATE_RATIOS: frozenset[str] = POOLABLE | {"senior_representation"}

#: The group a comparison is about (the other is the reference), by grouping.
FOCUS: dict[str, str] = {"ethnicity": "BME", "disability": "Disabled", "sex": "Female",
                         "white_british": "Ethnic minority"}

#: Rates a directorate report compares with the rest of the trust's staff group (every
#: group together), with the rate's name where the indicator's title names a ratio.
REST_OF_TRUST: tuple[str, ...] = ("wres_2", "wres_3", "leaver_rate", "stability_index",
                                  "promotion_rate", "training_access")
#: (WRES 2 and 3 count the groups they compare, BME and White: their rates every group
#: together leave out people whose ethnicity is not recorded, and say so.)
RATE_TITLES: dict[str, str] = {
    "wres_2": "Appointment rate from shortlisting (applicants whose ethnicity is recorded)",
    "wres_3": "Rate of entering the formal disciplinary process (staff whose ethnicity is "
              "recorded)",
    "training_access": "Access to non-mandatory training and CPD",
}

_SETTLED = (ADVERSE, FAVOURABLE, WITHIN)
_TOP = [c for c in STRATA if c != "variant"]


def family_of(indicator: str, group_var: str, *, main: bool, earlier: bool = False) -> str:
    """The report family an indicator comes from: the report's main families at its own
    period and staff group (``main``), else the smaller headline families; for a year
    before the report's (``earlier``, pooled), the rate figures alone.

    Examples
    --------
    >>> family_of("wres_3", "ethnicity", main=False), family_of("pipeline_disparity", "ethnicity", main=False)
    ('equality_rates', 'leadership')
    """
    fam = REGISTRY[indicator].family
    if indicator == "training_access" or fam == "progression":
        return f"progression:{group_var}"
    if fam == "retention":
        return f"retention:{group_var}"
    if fam == "pay":
        # pay_gap(by="ethnicity") gives the white_british rows (every ethnic minority group
        # together against White British) and the detailed groups'
        by = "ethnicity" if group_var == "white_british" else group_var
        return "pay" if main else f"pay:{by}"
    if main and not earlier:
        return "equality"
    # the rate figures (added up over years and directorates) apart from senior
    # representation and the pipeline, which the whole trust's own rungs compute
    return "equality_rates" if earlier or indicator in POOLABLE else "leadership"


#: The ladder's rungs (:attr:`Level.key`), finest first: a directorate's own three, then the
#: trust's, whose keys start "trust" (the overview's own rungs are the first three and
#: "all_staff_pooled", all for the whole trust).
RUNGS: tuple[str, ...] = ("year", "pooled", "all_staff", "all_staff_pooled", "trust",
                          "trust_pooled", "trust_all_staff", "trust_all_staff_pooled")


@dataclass(frozen=True)
class Level:
    """One rung of the ladder: which directorate (None: the trust), which staff group
    (``every_group``: all of them) and which periods (several: pooled)."""

    key: str
    label: str
    directorate: str | None
    every_group: bool
    periods: tuple[str, ...]


def ladder(ctx: ReportContext, indicator: str) -> list[Level]:
    """The rungs an indicator climbs in this report (see the module docstring)."""
    who = ctx.people
    per = ctx.period
    earlier = ctx.earlier_periods(2)
    d = ctx.directorate
    where = f"in {d}" if d else "trust-wide"
    pooled = indicator in POOLABLE and len(earlier) == 2
    out = [Level("year", f"{who} {where}, {per}", d, False, (per,))]
    if pooled:
        out.append(Level("pooled", f"{who} {where}, {earlier[-1]} to {per} together", d, False,
                         (per, *earlier)))
    if ctx.staff_group is not None:
        out.append(Level("all_staff", f"all staff {where}, {per}", d, True, (per,)))
    if d is None and ctx.staff_group is not None and pooled:
        out.append(Level("all_staff_pooled", f"all staff trust-wide, {earlier[-1]} to {per} "
                         "together", None, True, (per, *earlier)))
    if d is not None:
        # the trust overview's own rungs (so a directorate report gives a trust-wide figure
        # as the overview does)
        out.append(Level("trust", f"{who} trust-wide, {per}", None, False, (per,)))
        if pooled:
            out.append(Level("trust_pooled", f"{who} trust-wide, {earlier[-1]} to {per} "
                             "together", None, False, (per, *earlier)))
        if ctx.staff_group is not None:
            out.append(Level("trust_all_staff", f"all staff trust-wide, {per}", None, True,
                             (per,)))
            if pooled:
                out.append(Level("trust_all_staff_pooled", f"all staff trust-wide, "
                                 f"{earlier[-1]} to {per} together", None, True,
                                 (per, *earlier)))
    return out


# --------------------------------------------------------------------------- rows at a level


def _select(table: pd.DataFrame, indicator: str, group_var: str | None = None,
            variant: str | None | bool = False) -> pd.DataFrame:
    """Rows of one indicator with no stratum (optionally one grouping / variant), without
    the table's attrs (:func:`~equity.result.bare`: they describe the whole table)."""
    # Masks on the columns' arrays: a report selects rows about a hundred times, mostly from
    # small tables, where building a frame of the strata columns cost more than the rows.
    table = bare(table)
    keep = table["indicator"].to_numpy() == indicator
    for c in _TOP:
        keep &= table[c].isna().to_numpy()
    if group_var is not None:
        keep &= table["group_var"].to_numpy() == group_var
    if variant is not False:
        keep &= (table["variant"].isna().to_numpy() if variant is None
                 else table["variant"].to_numpy() == variant)
    return table.loc[keep]


def pool(parts: list[pd.DataFrame], indicator: str, *, period: str) -> pd.DataFrame:
    """Several years' rows of one indicator, grouping and variant added up into one result
    table: numerators and denominators summed by group, then the rates and the relative
    likelihoods against the reference group worked out from the sums as the indicators do
    (:func:`equity.measures._common.rate_rows`, in the standard's orientation). Empty when
    any year has no rows."""
    from equity.measures._common import as_groupings, rate_rows

    rows = concat_results(parts)
    if rows.empty or any(p.empty for p in parts):
        # A year the indicator is not computed for (a leavers extract that does not reach
        # it): the years that are would be summed under a label naming all of them.
        return rows.iloc[:0]
    sums = rows.groupby("group", sort=False, as_index=False)[["numerator", "denominator"]].sum()
    refs = rows["reference_group"].dropna()
    variant = rows["variant"].iloc[0]
    orientation = ("reference_over_group" if REGISTRY[indicator].reference_on_top
                   else "group_over_reference")
    return rate_rows(sums, indicator=indicator, period=period, numerator="numerator",
                     denominator="denominator", gs=as_groupings(str(rows["group_var"].iloc[0])),
                     variant=variant if isinstance(variant, str) else None,
                     reference=str(refs.iloc[0]) if len(refs) else None,
                     orientation=orientation)  # type: ignore[arg-type]


def _family_at(ctx: ReportContext, level: Level, indicator: str, group_var: str,
               period: str) -> str:
    """The family a rung reads for one period: the report's main families for its own
    period (already computed for its tables, and split by directorate for the rate figures
    a trust-wide rung adds up), else the headline families (for every staff group on the
    "all staff" rung; the whole trust's other figures on a directorate report's trust-wide
    rungs, a fraction of the main families' cost)."""
    if level.every_group:
        return all_staff(family_of(indicator, group_var, main=False,
                                   earlier=period != ctx.period))
    own = level.directorate == ctx.directorate or indicator in POOLABLE
    return family_of(indicator, group_var, main=period == ctx.period and own,
                     earlier=period != ctx.period)


def level_rows(ctx: ReportContext, level: Level, indicator: str, group_var: str,
               variant: str | None, *, exact: bool = False) -> pd.DataFrame:
    """The indicator's rows at one rung, disclosure-controlled in the report's mode (the
    report's own table at the first rung, so a finding and its section agree); ``exact``:
    before disclosure control (never shown: what a withheld figure's verdict rests on)."""
    from equity.disclosure import apply_disclosure

    def control(rows: pd.DataFrame) -> pd.DataFrame:
        return rows if exact or rows.empty else apply_disclosure(rows, mode=ctx.disclosure)

    if level.key == "year" and level.directorate == ctx.directorate and not exact:
        return _select(ctx.results(), indicator, group_var)
    families = [_family_at(ctx, level, indicator, group_var, p) for p in level.periods]
    # A trust-wide rung's rate figures are added up from the families split by directorate
    # that every report reads anyway (a directorate against the rest of the trust, the
    # overview's directorates over three years): events and people add up across
    # directorates as across years, exactly, so the trust's own families of those rates
    # are never computed for them (tested against them).
    summed = level.directorate is None and indicator in POOLABLE
    if len(families) == 1 and not summed:
        # The indicator's rows of one family (every grouping and variant), controlled once
        # per rung however many headlines read them (the pipeline's two steps).
        key = ("rung rows", families[0], level.periods[0], level.directorate, indicator, exact)
        if key not in ctx._cache:
            ctx._cache[key] = control(_select(ctx.family(families[0], period=level.periods[0],
                                                         directorate=level.directorate),
                                              indicator))
        published = ctx._cache[key]
        return published if published.empty else _select(published, indicator, group_var)
    if summed:
        tables = [bare(ctx.family(f, period=p, directorate=None, within=("directorate",)))
                  .assign(directorate=None)
                  for f, p in zip(families, level.periods, strict=True)]
    else:
        tables = [ctx.family(f, period=p, directorate=level.directorate)
                  for f, p in zip(families, level.periods, strict=True)]
    label = (level.periods[0] if len(level.periods) == 1
             else f"{level.periods[-1]} to {level.periods[0]}")
    rows = pool([_select(t, indicator, group_var, variant) for t in tables], indicator,
                period=label)
    return rows if rows.empty else _select(control(rows), indicator, group_var)


def comparison_row(rows: pd.DataFrame, group_var: str, variant: str | None
                   ) -> dict[str, Any] | None:
    """The row comparing the focus group (BME, Disabled, Female) with its reference, with
    the reference group's own row under ``"_ref_row"``."""
    # A few rows: picked as records, not by masks on the frame.
    recs = [r for r in rows.to_dict("records")
            if (pd.isna(r["variant"]) if variant is None else r["variant"] == variant)]
    focus = FOCUS.get(group_var, "")
    row = next((r for r in recs if r["group"] == focus and pd.notna(r["reference_group"])),
               None)
    if row is None:
        return None
    ref = next((r for r in recs if r["group"] == row["reference_group"]), None)
    return {**row, "_ref_row": ref}


def _settled(row: dict[str, Any] | None) -> bool:
    if row is None or row["status"] not in _SETTLED:
        return False
    unit = REGISTRY[row["indicator"]].unit
    return is_finite(row["value"]) if unit == "percent" else True


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One headline comparison at the rung where it could be published and judged.

    ``row`` is the published comparison row (``None`` when no rung had one), ``level`` the
    rung's label, ``status`` the row's status (``insufficient_evidence`` when no rung could
    settle it) and ``text`` the sentence a report shows."""

    indicator: str
    group_var: str
    variant: str | None
    level: str
    level_key: str
    status: str
    text: str
    row: dict[str, Any] | None = None
    short: str = ""
    reference: str = ""
    #: Why no rung settles it: "withheld" (a count of 1 to 7 at the last rung, which
    #: disclosure control never publishes), "few" (too few people to judge), or "".
    unsettled: str = ""

    @property
    def comparison(self) -> str:
        """"BME vs White": the groups compared (from the published row when there is one)."""
        if self.row is not None:
            return f"{self.row['group']} vs {self.row['reference_group']}"
        return f"{FOCUS.get(self.group_var, '')} vs {self.reference}"

    @property
    def title(self) -> str:
        t = REGISTRY[self.indicator].title
        return f"{t} ({self.variant})" if self.variant else t


def _climb(ctx: ReportContext, levels: list[Level], indicator: str, group_var: str,
           variant: str | None) -> Iterator[tuple[int, Level, dict[str, Any]]]:
    """Each rung's comparison row (with its place on the ladder), skipping rungs that have
    none. A pooled rung whose earliest year the indicator is not computed for (the
    early-career leaver rate of joiners the leavers table does not follow for a year) pools
    the years that are, named as such ("2021/22 to 2022/23 together"), rather than none."""
    for i, level in enumerate(levels):
        rows = level_rows(ctx, level, indicator, group_var, variant)
        while rows.empty and len(level.periods) > 2:
            first = level.periods[-2]
            level = replace(level, periods=level.periods[:-1], label=level.label.replace(
                f"{level.periods[-1]} to ", f"{first} to "))
            rows = level_rows(ctx, level, indicator, group_var, variant)
        row = comparison_row(rows, group_var, variant)
        if row is not None:
            yield i, level, row


def finding(ctx: ReportContext, indicator: str, group_var: str,
            variant: str | None = None) -> Finding:
    """Climb the ladder for one headline comparison (see the module docstring)."""
    levels = ladder(ctx, indicator)
    last: tuple[Level, dict[str, Any]] | None = None
    for i, level, row in _climb(ctx, levels, indicator, group_var, variant):
        if _settled(row):
            text = _finding_text(row, level)
            short = _finding_text(row, level, caveats=False) + chance_clause(row)
            if not _has_figure(row):
                # The status stands, its number is withheld: what rounding would have got
                # wrong, whether chance could explain it (its exact interval includes 1, as
                # a shown figure would say), and the figure of the next rung that can
                # publish one beside it.
                exact = comparison_row(level_rows(ctx, level, indicator, group_var, variant,
                                                  exact=True), group_var, variant)
                chance = withheld_chance(exact)
                more = _next_figure(ctx, levels[i + 1:], indicator, group_var, variant,
                                    status=str(row["status"]))
                text = f"{_finding_text(row, level, exact=exact)}{chance} {more}".rstrip()
                short = (f"{_finding_text(row, level, caveats=False, exact=exact)}{chance} "
                         f"{more}").rstrip()
            return Finding(indicator, group_var, variant, level.label, level.key,
                           str(row["status"]), text, row, short, str(row["reference_group"]))
        last = (level, row)
    ref = ctx.reference_groups.get(group_var) or str(grouping(group_var).reference or "")
    # A count of 1 to 7 (the events of a group, mostly) is never published: that is not
    # "too few people", of whom there may be thousands.
    withheld = last is not None and _withheld_count(last[1])
    why = (f"withheld to protect small numbers (a count of 1 to {THRESHOLD} is never "
           "published)" if withheld else "too few people to tell")
    # (the last rung that has the comparison: its numbers are those could_have_shown gives)
    top = last[0] if last is not None else levels[-1]
    text = (f"{REGISTRY[indicator].title}{f' ({variant})' if variant else ''}, "
            f"{FOCUS.get(group_var, '')} vs {ref}: {why}, even for {top.label}.")
    if last is not None:
        could = could_have_shown(*last)
        if could:
            text += " " + could
    return Finding(indicator, group_var, variant, top.label, "none", INSUFFICIENT, text,
                   None, text, ref, unsettled="withheld" if withheld else "few")


def withheld_chance(exact: dict[str, Any] | None) -> str:
    """What a shown figure's :func:`~equity.narration.chance_clause` says, for a status whose
    figure is withheld (``exact``: its row before disclosure control)."""
    kind = None if exact is None else chance_of(exact)
    return f" Its 95% interval, withheld with it, {CHANCE_WORDS[kind]}" if kind else ""


def _withheld_count(row: dict[str, Any]) -> bool:
    """A published comparison row whose group's or reference's count disclosure control
    suppressed (1 to 7): the counts exist, they cannot be shown."""
    ref = row.get("_ref_row") or {}
    return bool(row.get("suppressed")) and not all(
        is_finite(r.get(k)) for r in (row, ref) for k in ("numerator", "denominator"))


def _has_figure(row: dict[str, Any]) -> bool:
    return is_finite(row["value"] if REGISTRY[row["indicator"]].unit == "percent"
                   else row.get("ratio"))


def _next_figure(ctx: ReportContext, levels: list[Level], indicator: str, group_var: str,
                 variant: str | None, *, status: str) -> str:
    for _, level, row in _climb(ctx, levels, indicator, group_var, variant):
        if _settled(row) and _has_figure(row):
            # It states its own verdict (adverse where the finding is within range), so
            # it says, as every finding does, when its interval leaves that to chance; a
            # verdict other than the finding's is flagged as such, not left to read as a
            # contradiction (2022/23 AHPs' training: adverse this year, 0.81 over three).
            other = (" judges otherwise, over more people or years than the finding"
                     if str(row["status"]) != status else "")
            return (f"The nearest figure that can be published{other}: "
                    f"{_finding_text(row, level, caveats=False)}{chance_clause(row)}")
    return ""


def findings(ctx: ReportContext, headlines: tuple[tuple[str, str, str | None], ...] = HEADLINES
             ) -> list[Finding]:
    """Every headline comparison the report's data hold, each at its rung; cached."""
    key = ("findings", headlines)
    if key not in ctx._cache:
        res = ctx.results()
        have = set(res["indicator"])
        ctx._cache[key] = [finding(ctx, *h) for h in headlines if h[0] in have]
    return ctx._cache[key]


def _finding_text(row: dict[str, Any], level: Level, *, caveats: bool = True,
                  exact: dict[str, Any] | None = None) -> str:
    meta = REGISTRY[row["indicator"]]
    if meta.unit != "percent" and not is_finite(row.get("ratio")):
        # Withheld because rounding would have changed its conclusion: the exact status,
        # without the distorted number (docs/methodology.md "Disclosure control").
        return (f"{upper_first(level.label)}: {_withheld_direction(row)} The figure itself is "
                f"withheld: rounded to protect small numbers, it would "
                f"{withheld_because(row, exact)}.")
    return f"{upper_first(level.label)}: {sentence(row, caveats=caveats)}"


#: What a withheld ratio, worked out from the rounded counts, would state differently.
_OTHERWISE = {ADVERSE: "be judged adverse", FAVOURABLE: "be judged favourable",
              WITHIN: "be judged within the non-adverse range"}


def withheld_because(shown: dict[str, Any], exact: dict[str, Any] | None) -> str:
    """What the ratio of a published comparison row (``shown``, its reference's row under
    ``"_ref_row"``), withheld by disclosure control, would have stated differently from the
    exact one (``exact``, the same comparison before disclosure control), as a verb phrase:
    "point the other way" (or "show no difference" where the rounded rates are equal),
    "be judged within the non-adverse range" (adverse, favourable),
    "have a 95% interval that excludes 1, where the exact one includes 1" (and the other
    way round, saying that chance alone is then an unlikely explanation), "rest on a rate of
    100%, which only rounding gives (the exact rate is lower)" (0%), or "state a different
    conclusion" where the published figures cannot tell. Disclosure control withholds a
    ratio whose direction, status or "interval excludes 1", worked out from the rounded
    counts, is not the exact one, and a ratio beside a rate that rounding alone takes to 0%
    or 100% (:func:`equity.disclosure.apply_disclosure`); this works the reason out again
    from the published rows, as the result schema has no place for it.

    The ratio is worked out again from the two rates as the indicator forms it: their ratio
    (relative likelihoods) or the ratio of their odds (the pipeline disparity ratio),
    whichever gives the exact ratio from the exact rates."""
    meta = REGISTRY[shown["indicator"]]
    generic = "state a different conclusion"
    ref, exact_ref = shown.get("_ref_row"), (exact or {}).get("_ref_row")
    if exact is None or ref is None or exact_ref is None:
        return generic
    for row in (shown, ref):  # a rate that rounding alone takes to 0% or 100%
        num, den = (float(row[k]) if is_finite(row.get(k)) else math.nan
                    for k in ("numerator", "denominator"))
        if not is_finite(row["value"]) and den > 0 and num in (0, den):
            return (f"rest on a rate of {'100' if num else '0'}%, which only rounding gives "
                    f"(the exact rate is {'lower' if num else 'higher'})")
    rates = [float(x) if is_finite(x) else math.nan for x in
             (shown["value"], ref["value"], exact["value"], exact_ref["value"])]
    if not all(0 < x < 1 for x in rates) or not is_finite(exact.get("ratio")):
        return generic
    g, r, eg, er = rates

    def odds(x: float) -> float:
        return x / (1 - x)

    def ratio_of(a: float, b: float, form: Any) -> float:
        a, b = form(a), form(b)
        return b / a if meta.reference_on_top else a / b

    form = next((f for f in (float, odds)
                 if math.isclose(float(exact["ratio"]), ratio_of(eg, er, f), rel_tol=1e-9)),
                None)
    if form is None:
        return generic
    if np.sign(g - r) != np.sign(eg - er):
        # (rounded rates that are equal read as no difference, not as the other way)
        return ("show no difference (the rounded rates are equal)" if g == r
                else "show a difference where exactly there is none" if eg == er
                else "point the other way")
    status = stats.classify([ratio_of(g, r, form)], [shown["denominator"]],
                            [ref["denominator"]], harm=meta.harm)[0]
    if status != shown["status"] and status in _OTHERWISE:
        return _OTHERWISE[status]
    lo, hi = (float(exact[k]) if is_finite(exact.get(k)) else math.nan
              for k in ("ratio_ci_low", "ratio_ci_high"))
    if math.isfinite(lo) and math.isfinite(hi):
        # An adverse or favourable finding says whether chance could explain it: its exact
        # interval's side of 1 is said once (the finding adds "this could be chance").
        judged = shown["status"] in (ADVERSE, FAVOURABLE)
        if lo <= 1 <= hi:
            return ("have a 95% interval that excludes 1" if judged
                    else "have a 95% interval that excludes 1, where the exact one includes 1")
        return ("have a 95% interval that includes 1, where the exact one excludes 1"
                + (", so chance alone is an unlikely explanation" if judged else ""))
    return generic


def _withheld_direction(row: dict[str, Any]) -> str:
    from equity.narration import PHRASES

    meta = REGISTRY[row["indicator"]]
    who, verb = PHRASES.get(meta.id, ("people", "to be counted"))
    g, ref, st = row["group"], row["reference_group"], row["status"]
    if isinstance(row.get("variant"), str):
        verb = f"{verb} ({variant_text(row)})"
    if st == WITHIN:
        return f"{g} and {ref} {who} were about as likely {verb} (within the non-adverse range)."
    group_harm_higher = (meta.harm == "above") != meta.reference_on_top
    higher = group_harm_higher == (st == ADVERSE)
    word = "more" if higher else "less"
    label = "an adverse" if st == ADVERSE else "a favourable"
    return f"{g} {who} were {word} likely {verb} than {ref} {who}: {label} finding."


# --------------------------------------------------------------------------- what counts could show


def detectable_ratio(n_group: float, n_ref: float, ref_rate: float, *, higher: bool,
                     confidence: float = 0.95) -> float:
    """The relative likelihood rate(group) / rate(reference) that these numbers of people
    could just have told apart from 1: the smallest (``higher``) or largest ratio whose
    Koopman interval excludes 1, with the reference group at ``ref_rate`` and the group's
    count at its expected value. NaN when no rate (up to 100% or down to 0%) would.

    Examples
    --------
    >>> round(detectable_ratio(45, 313, 29 / 313, higher=True), 2)
    2.03
    >>> math.isnan(detectable_ratio(2, 30, 0.6, higher=True))  # even both leaving: 1.67 times
    True
    """
    if not (n_group > 0 and n_ref > 0 and 0 < ref_rate < 1):
        return math.nan
    x_ref = ref_rate * n_ref

    def excludes(r: float) -> bool:
        x = min(r * ref_rate, 1.0) * n_group
        ci = stats.relative_likelihood([x], [n_group], [x_ref], [n_ref], exact=False,
                                       confidence=confidence)
        lo, hi = float(ci["ratio_ci_low"][0]), float(ci["ratio_ci_high"][0])
        return lo > 1 if higher else hi < 1

    lo_r, hi_r = (1.0, 1.0 / ref_rate) if higher else (0.0, 1.0)
    if not excludes(hi_r if higher else lo_r):
        return math.nan
    for _ in range(50):  # bisection to well below the two decimals shown
        mid = (lo_r + hi_r) / 2
        if excludes(mid) == higher:
            hi_r = mid
        else:
            lo_r = mid
    return hi_r if higher else lo_r


def could_have_shown(level: Level, row: dict[str, Any]) -> str:
    """A sentence saying which difference the published numbers of one rung could have
    shown (empty when they are withheld)."""
    from equity.narration import PHRASES

    meta = REGISTRY[row["indicator"]]
    ref = row["reference_group"]
    rows = row.get("_ref_row")
    if row["indicator"] not in RATE_RATIOS or rows is None:
        return ""  # pay gaps and the pipeline's ratio of shares are not rate ratios
    n_g, n_ref = float(row["denominator"]), float(rows["denominator"])
    p_ref = float(rows["value"]) if is_finite(rows["value"]) else math.nan
    if not (is_finite(n_g) and is_finite(n_ref) and is_finite(p_ref)):
        return ""
    harm_higher = (meta.harm == "above") != meta.reference_on_top
    r = detectable_ratio(n_g, n_ref, p_ref, higher=harm_higher)
    who, verb = PHRASES.get(meta.id, ("people", "to be counted"))
    joined = joined_in(row)
    if joined is not None:  # the joiners followed are not the period's
        who = f"{who} who joined in {joined}"
    g = row["group"]
    base = f"With about {n_g:,.0f} {g} and {n_ref:,.0f} {ref} {who} there"
    if len(level.periods) > 1:  # people added up over the years: not a headcount
        years = {2: "two", 3: "three"}.get(len(level.periods), str(len(level.periods)))
        base = (f"With about {n_g:,.0f} {g} and {n_ref:,.0f} {ref} {who} over the {years} "
                "years together (each counted once a year)")
    if not math.isfinite(r):
        return f"{base}, no difference in the likelihood {verb} could have stood out from chance."
    bound = "at least" if harm_higher else "at most"
    return (f"{base}, only a {g} likelihood {verb} {bound} {r:.1f} times the {ref} one would "
            "have stood out from chance.")


# --------------------------------------------------------------------------- rest of the trust


def rest_of_trust(ctx: ReportContext, indicator: str) -> dict[str, Any] | None:
    """The directorate's rate (every group together) against the rest of the trust's staff
    group, as one published comparison row (group: the directorate; reference: "rest of the
    trust"; the reference's row under ``"_ref_row"``), this year or, when this year's figure
    is withheld, over three years together; None for the trust overview or when either side
    has nobody."""
    d = ctx.directorate
    if d is None:
        return None
    earlier = ctx.earlier_periods(2)
    tries: list[tuple[str, ...]] = [(ctx.period,)]
    if indicator in POOLABLE and len(earlier) == 2:
        tries.append((ctx.period, *earlier))
    row = first = None
    for periods in tries:
        row = _rest_of_trust_at(ctx, indicator, periods)
        if row is None or is_finite(row["ratio"]):
            return row
        first = first or row
    if row is not None and first is not row:
        row["_year"] = first  # this year's, whose own figure may be published
    return row


def _rest_of_trust_at(ctx: ReportContext, indicator: str, periods: tuple[str, ...]
                      ) -> dict[str, Any] | None:
    from equity.disclosure import apply_disclosure

    d = ctx.directorate
    meta = REGISTRY[indicator]
    num, den = np.zeros(2), np.zeros(2)
    for p in periods:
        fam = family_of(indicator, "ethnicity", main=p == ctx.period, earlier=p != ctx.period)
        split = bare(ctx.family(fam, period=p, directorate=None, within=("directorate",)))
        rows = split.loc[(split["indicator"] == indicator) & split["variant"].isna()
                         & (split["group_var"] == "ethnicity") & split["directorate"].notna()]
        mine = rows["directorate"] == d
        num += [rows.loc[mine, "numerator"].sum(), rows.loc[~mine, "numerator"].sum()]
        den += [rows.loc[mine, "denominator"].sum(), rows.loc[~mine, "denominator"].sum()]
    if not (den > 0).all():
        return None
    ci = stats.proportion(num, den)
    # The standard's orientation (the rest of the trust as the reference group), so the
    # registry's direction of harm applies, here and when disclosure control re-derives it.
    a, b = (slice(1, 2), slice(0, 1)) if meta.reference_on_top else (slice(0, 1), slice(1, 2))
    rl = stats.relative_likelihood(num[a], den[a], num[b], den[b])
    status = stats.classify(rl["ratio"], den[:1], den[1:], harm=meta.harm)[0]
    label = periods[0] if len(periods) == 1 else f"{periods[-1]} to {periods[0]}"
    table = make_result(pd.DataFrame({
        "group_var": ["directorate"] * 2, "group": [d, "rest of the trust"],
        "numerator": num, "denominator": den, "value": num / den,
        "ci_low": ci["ci_low"].to_numpy(), "ci_high": ci["ci_high"].to_numpy(),
        "reference_group": ["rest of the trust"] * 2,
        "ratio": [float(rl["ratio"][0]), np.nan],
        "ratio_ci_low": [float(rl["ratio_ci_low"][0]), np.nan],
        "ratio_ci_high": [float(rl["ratio_ci_high"][0]), np.nan],
        "p_value": [float(rl["p_value"][0]), np.nan],
        "status": [status, "not_applicable"],
    }), indicator=indicator, period=label)
    pub = apply_disclosure(table, mode=ctx.disclosure)
    me, rest = pub.iloc[0].to_dict(), pub.iloc[1].to_dict()
    exact = {**table.iloc[0].to_dict(), "_ref_row": table.iloc[1].to_dict()}
    return {**me, "_ref_row": rest, "_exact": exact}


def rest_of_trust_sentence(ctx: ReportContext, indicator: str) -> str | None:
    """"Leaver rate: 11.7% of AHPs in Older People (95% CI ...) against 10.3% in the rest of
    the trust (...): 1.13 times as likely, within the non-adverse range." (None when there
    is nothing to compare.)"""
    row = rest_of_trust(ctx, indicator)
    if row is None:
        return None
    meta = REGISTRY[indicator]
    who = ctx.people
    rest = row["_ref_row"]
    fig = _rate_text(row, "proportion")
    other = _rate_text(rest, "proportion")
    when = "" if row["period"] == ctx.period else f", {row['period']} together"
    if not is_finite(row["value"]) or not is_finite(rest["value"]):
        return _rest_withheld(ctx, indicator, row)
    head = (f"{RATE_TITLES.get(indicator, meta.title)}{when}: {fig} among {who} in "
            f"{ctx.directorate} against {other} among {who} in the rest of the trust")
    judged = {ADVERSE: "outside the non-adverse range, adverse",
              FAVOURABLE: "outside the non-adverse range, favourable",
              WITHIN: "within the non-adverse range 0.80-1.25"}
    if not is_finite(row["ratio"]):
        if row["status"] in judged:  # withheld because rounding would change its conclusion
            exact = row.get("_exact")
            why = withheld_because(row, exact)
            chance = withheld_chance(exact)
            return (f"{head}: {judged[str(row['status'])]}, from the exact counts. The ratio "
                    f"itself is withheld: worked out from the rounded rates shown, it would "
                    f"{why}.{chance}")
        return f"{head}; too few people to compare."
    r, lo, hi = group_ratio(row, meta)
    d = 2
    ci = f" (95% CI {lo:.{d}f} to {hi:.{d}f})" if is_finite(lo) else ""
    said = judged.get(str(row["status"]), "too few people to judge")
    return f"{head}: {r:.{d}f} times{ci}, {said}.{chance_clause(row)}"


def _rest_withheld(ctx: ReportContext, indicator: str, row: dict[str, Any]) -> str:
    """A comparison with the rest of the trust that small numbers stop: which side is
    withheld (the directorate's own rate, often 0 of 70, can be published when the rest of
    the trust's cannot), this year and over three years together where those were tried,
    with this year's own rate where it can be published."""
    who, d = ctx.people, ctx.directorate
    title = RATE_TITLES.get(indicator, REGISTRY[indicator].title)

    def gone(r: dict[str, Any]) -> str:
        sides = [side for side, x in ((f"the figure for {who} in {d}", r),
                                      ("the rest of the trust's figure", r["_ref_row"]))
                 if not is_finite(x["value"])]
        verb = "are" if len(sides) > 1 else "is"
        return f"{' and '.join(sides)} {verb}" if sides else ""

    year = row.get("_year") or row  # (no "_year": this year was the only try)
    own = (f"{_rate_text(year, 'proportion')} among {who} in {d}; "
           if is_finite(year["value"]) else "")
    later = gone(row) if year is not row else ""
    pooled = (", even over three years together" if later == gone(year)
              else f", and over three years together {later} withheld") if later else ""
    return (f"{title}, {ctx.period}: {own}{gone(year)} withheld to protect small numbers"
            f"{pooled}, so the directorate is not compared with the rest of the trust.")


def _rate_text(row: dict[str, Any], unit: str) -> str:
    from equity.narration import format_value

    if not is_finite(row["value"]):
        return "a withheld figure"
    ci = ""
    if is_finite(row["ci_low"]) and is_finite(row["ci_high"]):
        ci = f" (95% CI {format_value(row['ci_low'], unit)} to {format_value(row['ci_high'], unit)})"
    return f"{format_value(row['value'], unit)}{ci}"


__all__ = [
    "FOCUS", "HEADLINES", "POOLABLE", "REST_OF_TRUST", "RUNGS", "Finding", "Level",
    "comparison_row", "could_have_shown", "detectable_ratio", "family_of", "finding", "findings", "ladder",
    "level_rows", "pool", "rest_of_trust", "rest_of_trust_sentence", "withheld_because",
    "withheld_chance",
]
