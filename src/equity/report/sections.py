"""Report section builders: everything a report notebook shows, one call per cell.

The report notebooks hold no logic (README.md "Layout"): each cell calls one function here,
which returns a :class:`~equity.report.display.Section` (sentences, tables and charts) that
displays in JupyterLab and exports to accessible HTML. Builders read figures through the
report's :class:`~equity.report.context.ReportContext` (every family computed once) and
:mod:`equity.report.findings` (each headline at the finest level that can be published);
every figure shown has been through :func:`equity.disclosure.apply_disclosure`, and no
builder decides anything about disclosure itself.

A report opens with what it can say, then gives each theme a few sentences and at most one
compact table and one chart; a table with nothing publishable becomes one sentence; rows
whose every figure is withheld are rolled up into a note.

Builders that return a :class:`~equity.report.display.Section` are named ``<topic>_section``
(``retention_section``), so none shares its name with the indicator function whose figures
it shows (:func:`equity.retention`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from equity import codes, plots, stats
from equity.disclosure import MIN_PEOPLE_FOR_AVERAGE
from equity.errors import EquityError
from equity.measures._common import grouping, uncovered
from equity.narration import (
    PAY_SCALE_WORDS,
    PHRASES,
    Narrative,
    format_value,
    represented,
    sentence,
    upper_first,
)
from equity.registry import REGISTRY
from equity.report.context import (
    OVERVIEW_FUNCTIONS,
    SURVEY_FAMILY,
    SURVEY_INDICATORS,
    ReportContext,
    all_staff,
    family_kind,
    load,
    people_of,
)
from equity.report.display import Note, Section
from equity.report.findings import (
    FOCUS,
    HEADLINES,
    RATE_TITLES,
    RUNGS,
    Finding,
    comparison_row,
    findings,
    ladder,
    level_rows,
    rest_of_trust_sentence,
    withheld_because,
    withheld_chance,
)
from equity.result import ADVERSE, FAVOURABLE, INSUFFICIENT, WITHIN, bare, is_finite
from equity.validation import WHOLE_TABLE_RULES

#: What a withheld figure looks like in every table.
WITHHELD = "*"

#: The groups whose pay gaps a report shows: women, ethnic minority staff together, disabled
#: staff (each against its reference group).
PAY_GROUPS: tuple[str, ...] = ("Female", "Ethnic minority", "Disabled")

_TOP = ["organisation", "directorate", "staff_group", "profession", "band", "clinical"]

#: Report sections and the headline indicators each one states.
SECTION_INDICATORS: dict[str, tuple[str, ...]] = {
    "workforce": ("senior_representation",),
    "recruitment": ("wres_2", "wdes_2"),
    "formal_processes": ("wres_3", "wdes_3"),
    "development": ("wres_4",),
    "retention": ("leaver_rate", "early_career_leaver_rate", "stability_index"),
    "progression": ("promotion_rate", "pipeline_disparity"),
    "pay": ("pay_gap_median", "pay_gap_mean"),
}


# --------------------------------------------------------------------------- helpers


def _rows(result: pd.DataFrame, indicators: Iterable[str]) -> pd.DataFrame:
    """The indicators' rows, without the table's attrs (:func:`bare`)."""
    result = bare(result)
    return result.loc[result["indicator"].isin(list(indicators))]


def _top(result: pd.DataFrame) -> pd.DataFrame:
    """Rows not split by any stratum (the report's own scope)."""
    return result.loc[result[_TOP].isna().all(axis=1)]


def _count(v: Any) -> str:
    return format_value(v, "count") if is_finite(v) else WITHHELD


def _figure(row: dict[str, Any], unit: str | None = None) -> str:
    """A published figure with its interval (in ``unit``, else the indicator's), or ``*``."""
    if unit is None:
        unit = REGISTRY[row["indicator"]].unit if row["indicator"] in REGISTRY else "ratio"
    if not is_finite(row["value"]):
        return WITHHELD
    fig = format_value(row["value"], unit)
    if is_finite(row["ci_low"]) and is_finite(row["ci_high"]):
        fig += f" ({format_value(row['ci_low'], unit)} to {format_value(row['ci_high'], unit)})"
    return fig


def _status(s: Any) -> str:
    return {INSUFFICIENT: "too few people to tell"}.get(str(s), str(s).replace("_", " "))


def _disclosure_line(ctx: ReportContext) -> str:
    from equity.disclosure import table_note

    return table_note(ctx.disclosure)


def _scopes(ctx: ReportContext) -> list[tuple[str | None, str | None]]:
    """(directorate, staff group) a section's own chart or table climbs, finest first, where
    too few people at the report's scope leave nothing to publish: the report's scope, all
    staff of the directorate, the trust's staff group, all staff trust-wide (the ladder of
    :mod:`equity.report.findings` without its pooled years)."""
    d, sg = ctx.directorate, ctx.staff_group
    return list(dict.fromkeys([(d, sg), (d, None), (None, sg), (None, None)]))


def _population(ctx: ReportContext, noun: str) -> str:
    """Whom a figure counts, for a caption: "AHPs", "Staff", "AHP shortlisted applicants",
    "Shortlisted applicants (all staff groups)" (``noun``: the indicator's own, from
    :data:`equity.narration.PHRASES`)."""
    if noun == "staff":
        who = ctx.people
    elif ctx.staff_group in (None, "all"):
        who = f"{noun} (all staff groups)"
    else:
        who = f"{ctx.group_label} {noun}"
    return who[:1].upper() + who[1:]


def _scope_name(directorate: str | None, staff_group: str | None) -> str:
    """"AHPs in Older People", "all staff trust-wide"."""
    who = "all staff" if staff_group is None else people_of(staff_group)
    return f"{who} {f'in {directorate}' if directorate else 'trust-wide'}"


def _not_computed(ctx: ReportContext, indicators: Sequence[str]) -> str | None:
    """Why the section's indicators are not computed, in one paragraph
    (:func:`_why_not_computed`); None when nothing is missing."""
    why = _why_not_computed(ctx, indicators)
    return "Not computed from these data: " + "; ".join(why) + "." if why else None


def _why_not_computed(ctx: ReportContext, indicators: Sequence[str]) -> list[str]:
    """Each reason once, with the indicators it stops ("WRES 2 and WDES 2: the recruitment
    table holds no rows dated in 2019/20 ..."), and why an indicator family could not be
    computed at all (no snapshot opening the year), for the families of ``indicators``."""
    reasons = ctx.results().attrs.get("not_computed", {})
    by_reason: dict[str, list[str]] = {}
    for i in indicators:
        if i in reasons:
            by_reason.setdefault(str(reasons[i]).rstrip("."), []).append(REGISTRY[i].short)
    said = [f"{_and(names)}: {why}" for why, names in by_reason.items()]
    # A family that failed as a whole (no snapshot opening the year): its reason once, for
    # the section's indicators of that family, without the error's class name. (Recorded in
    # the context, or, for a family the batch computed, under the family's name.)
    have = set(ctx.results()["indicator"])
    failed: dict[str, set[str]] = {}
    families = {**{k: str(v) for k, v in reasons.items() if family_kind(k)}, **ctx.missing}
    for name, reason in families.items():
        why = (reason.partition(": ")[2] or reason).rstrip(".")
        why = why[0].lower() + why[1:] if why.startswith("The ") else why
        failed.setdefault(why, set()).add(_family_kind(name))
    for why, kinds in failed.items():
        names = [REGISTRY[i].short for i in dict.fromkeys(indicators)
                 if i not in reasons and i not in have and _indicator_kind(i) in kinds]
        if names:
            said.append(f"{_and(names)}: {why}")
    return said


def _indicator_kind(indicator: str) -> str:
    """The kind of family that computes an indicator (see :func:`_family_kind`)."""
    return _family_kind(REGISTRY[indicator].family)


def _family_kind(name: str) -> str:
    """"retention" for the family "retention:ethnicity@all" (or the registry family
    "retention"); "equality" for every equality family (representation, WRES, WDES)."""
    kind = family_kind(name) or name
    return kind if kind in ("retention", "progression", "pay") else "equality"


def _and(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _section_findings(ctx: ReportContext, indicators: Sequence[str]) -> list[Finding]:
    return [f for f in findings(ctx) if f.indicator in indicators]


def _findings_block(ctx: ReportContext, indicators: Sequence[str], *,
                    rest: Sequence[str] = (), heading: str = "What the figures say"
                    ) -> Narrative | None:
    """The section's headline findings (each at its level) and the directorate against the
    rest of the trust."""
    said = [f.text for f in _section_findings(ctx, indicators)]
    said += [s for s in (rest_of_trust_sentence(ctx, i) for i in rest) if s]
    return Narrative(tuple(said), heading=heading) if said else None


def groups_table(ctx: ReportContext, indicators: Sequence[str], *, caption: str,
                 group_vars: Sequence[str] = ("ethnicity", "disability")) -> plots.Table | Note | None:
    """The report's own figures by group for some indicators (no stratum, the main
    measure): rows whose every figure is withheld are rolled up into a note; ``None`` when
    nothing at all can be shown (the section's sentences then say so)."""
    res = _top(_rows(ctx.results(), indicators))
    res = res.loc[res["variant"].isna() & res["group_var"].isin(list(group_vars))]
    if res.empty:
        return None
    # A label two groupings share ("Unknown" ethnicity and disability) names its grouping.
    kinds = res.groupby("group", sort=False)["group_var"].nunique()
    shared = set(kinds[kinds > 1].index)
    names = pd.Series([f"{g} ({v})" if g in shared else str(g)
                       for g, v in zip(res["group"], res["group_var"], strict=True)],
                      index=res.index)
    shown = res.loc[res["value"].map(is_finite)]
    # A group with no one in it (no shortlisted BME applicant) has no rate, and nothing of it
    # is withheld: it is named as empty, not counted among the withheld.
    nobody = res.loc[~res["value"].map(is_finite) & ~res["suppressed"].astype(bool)
                     & (res["denominator"] == 0)]
    hidden = len(res) - len(shown) - len(nobody)
    empty = ("Groups with no one in them (no rate, not listed): " + ", ".join(
        f"{n} for {REGISTRY[i].short}"
        for n, i in zip(names[nobody.index], nobody["indicator"], strict=True)) + "."
        if len(nobody) else "")
    if shown.empty and not hidden:
        return Note(f"{caption}, {ctx.scope_label}: {empty[0].lower()}{empty[1:]}")
    if shown.empty:
        return Note(f"{caption}: every figure for {ctx.scope_label} is withheld (small "
                    "numbers); the findings above give each at the level it can be published."
                    + (f" {empty}" if empty else ""))
    table = pd.DataFrame({
        "Measure": [REGISTRY[i].short for i in shown["indicator"]],
        "Group": names[shown.index].tolist(),
        "Number": [_count(v) for v in shown["numerator"]],
        "Out of": [_count(v) for v in shown["denominator"]],
        "Rate (95% CI)": [_figure(r, "proportion") for r in shown.to_dict("records")],
    })
    notes = [_disclosure_line(ctx)]
    # whom each rate counts, which is not the staff table's headcount (an average of two
    # snapshots can end in .5)
    notes += list(dict.fromkeys(_OUT_OF[i] for i in shown["indicator"] if i in _OUT_OF))
    if hidden:
        notes.append(f"{hidden} further group figure(s) withheld entirely (small numbers) are "
                     "not listed.")
    if empty:
        notes.append(empty)
    return plots.Table(table, caption=f"{caption} ({ctx.scope_label})", notes=notes)


#: What "Number" and "Out of" count in :func:`groups_table`, per indicator.
_OUT_OF: dict[str, str] = {
    "wres_2": "Number: shortlisted applicants appointed; out of: those shortlisted for posts "
              "closing in the year.",
    "training_access": "Number: staff who accessed non-mandatory training or CPD in the "
                       "year; out of: staff in post at its closing 31 March (bank staff "
                       "excluded).",
    "leaver_rate": "Number: leavers in the year; out of: the average of the staff in post at "
                   "its opening and closing 31 March (bank staff excluded), so it can end in "
                   ".5.",
    "promotion_rate": "Number: staff in a higher band at the year's closing 31 March than at "
                      "its opening one; out of: staff in post at the opening 31 March (bank "
                      "staff excluded).",
}
_OUT_OF["wdes_2"] = _OUT_OF["wres_2"]


def _section(ctx: ReportContext, key: str, *, rest: Sequence[str] = (),
             table_indicators: Sequence[str] = (), caption: str = "") -> Section:
    ids = SECTION_INDICATORS[key]
    sec = Section()
    block = _findings_block(ctx, ids, rest=rest)
    if block is None:
        why = _not_computed(ctx, ids)
        return sec.add(Note(why or f"No figures: the data hold nobody in this scope "
                                   f"({ctx.scope_label}) for these indicators."))
    sec.add(block)
    if table_indicators:
        sec.add(groups_table(ctx, table_indicators, caption=caption))
    return sec


# --------------------------------------------------------------------------- opening


def title_section(ctx: ReportContext) -> Section:
    """Report title line: scope, period and disclosure mode (with a banner when internal)."""
    from equity.disclosure import disclosure_banner

    banner = disclosure_banner(ctx.disclosure)
    return Section().add(Note(f"Workforce equity report: {ctx.scope_label}."),
                         Note(banner, kind="warning") if banner else None)


def _grouped(found: list[Finding]) -> dict[str, list[Finding]]:
    """Findings by status; within a status the finest rung first (the directorate's own
    figures before the trust's), in the headline order within a rung."""
    out: dict[str, list[Finding]] = {ADVERSE: [], FAVOURABLE: [], WITHIN: [], INSUFFICIENT: []}
    rank = {k: i for i, k in enumerate(RUNGS)}
    for f in sorted(found, key=lambda f: rank.get(f.level_key, len(rank))):
        out.setdefault(f.status, []).append(f)
    return out


def _rungs(ctx: ReportContext) -> list[str]:
    """The rungs of the ladder this report's poolable figures climb
    (:func:`equity.report.findings.ladder`)."""
    return [lv.key for lv in ladder(ctx, "leaver_rate")]


def _ladder_words(ctx: ReportContext) -> str:
    """The ladder of levels this report's figures climb (:func:`_rungs`), in words, and why
    nothing is pooled where it cannot be."""
    group = "staff group" if ctx.staff_group else "staff"
    own = "this directorate's" if ctx.directorate else "the trust's"
    words = {"year": f"{own} {group} this year", "pooled": "the same over three years",
             "all_staff": ("all staff of the directorate" if ctx.directorate
                           else "all staff trust-wide"),
             "trust": f"the trust's {group} this year",
             "trust_pooled": "the same over three years",
             "trust_all_staff": "all staff trust-wide",
             "all_staff_pooled": "the same over three years",
             "trust_all_staff_pooled": "the same over three years"}
    rungs = _rungs(ctx)
    said = ("Each figure is given at the finest level that can be published: "
            f"{', else '.join(words[k] for k in rungs)}.")
    if "pooled" not in rungs:
        said += (" No figure is pooled over three years: the data hold fewer than two years "
                 f"before {ctx.period}.")
    return said


def summary_section(ctx: ReportContext) -> Section:
    """"What this report can say": every headline finding in plain English with its level
    and interval, adverse first; then what could not be settled."""
    found = findings(ctx)
    by = _grouped(found)
    # For the index: the findings settled within the report's own scope (a directorate's
    # first three rungs) apart from those only the trust's figures settle, which every
    # directorate report shares.
    own = _grouped([f for f in found
                    if not f.level_key.startswith("trust") or f.status == INSUFFICIENT])
    sec = Section(summary={
        "scope": ctx.scope_label,
        "adverse": len(own[ADVERSE]), "favourable": len(own[FAVOURABLE]),
        "within_range": len(own[WITHIN]),
        "trust_wide": sum(len(by[s]) - len(own[s]) for s in (ADVERSE, FAVOURABLE, WITHIN)),
        "unsettled": len(by[INSUFFICIENT]),
        # headline comparisons the data cannot give at all (a year no event table reaches)
        "not_computed": len(HEADLINES) - len(found),
        "headlines": headlines(ctx)[["Indicator", "Level", "Figure", "Status"]].to_dict(
            "records"),
    })
    sec.add(Note(
        f"{_ladder_words(ctx)} The level is named in each sentence. Relative likelihoods are "
        "judged against NHS England's non-adverse range 0.80-1.25; pay gaps above 5% are "
        "called adverse (a library threshold)."))
    labels = {ADVERSE: "Adverse findings", FAVOURABLE: "Favourable findings",
              WITHIN: "Within the non-adverse range"}
    for status, heading in labels.items():
        if by[status]:
            sec.add(Narrative(tuple(f.short for f in by[status]), heading=heading))
    if not any(by[s] for s in labels):
        sec.add(Note("No comparison could be settled at any level for this scope."))
    if by[INSUFFICIENT]:
        # (each says why: a count withheld at every level, or too few people)
        sec.add(Narrative(tuple(f.short for f in by[INSUFFICIENT]),
                          heading="Could not be settled at any level"))
    # A headline these data cannot give at all (a year the leavers table does not reach, no
    # snapshot opening the year) is said here, not left out of the summary in silence.
    found_ids = {f.indicator for f in found}
    absent = list(dict.fromkeys(h[0] for h in HEADLINES if h[0] not in found_ids))
    why = _why_not_computed(ctx, absent) if absent else []
    if why:
        sec.add(Narrative(tuple(f"{w}." for w in why), heading="Not computed from these data"))
    return sec


def headlines(ctx: ReportContext) -> pd.DataFrame:
    """The headline scorecard as a DataFrame: one row per headline comparison with its
    level, figure (95% CI), status and the trust-wide figure for the same staff group."""
    recs = []
    for f in findings(ctx):
        row = f.row
        fig = _headline_figure(row) if row is not None else WITHHELD
        level, status = (f.level, _status(f.status)) if row is not None else _UNSETTLED[
            f.unsettled]
        recs.append({"Indicator": f.title, "Comparison": f.comparison, "Level": upper_first(level),
                     "Figure": fig, "Status": status})
    return pd.DataFrame(recs, columns=["Indicator", "Comparison", "Level", "Figure", "Status"])


#: The scorecard's level and status of a comparison no rung settles, by why
#: (:attr:`equity.report.findings.Finding.unsettled`).
_UNSETTLED: dict[str, tuple[str, str]] = {
    "withheld": ("Withheld (small numbers) at every level", "withheld (small numbers)"),
    "few": ("Too few people at every level", _status(INSUFFICIENT)),
}


def _headline_figure(row: dict[str, Any]) -> str:
    from equity.narration import group_ratio

    meta = REGISTRY[row["indicator"]]
    if meta.unit == "percent":
        return format_value(row["value"], "percent") if is_finite(row["value"]) else WITHHELD
    r, lo, hi = group_ratio(row, meta)
    if not is_finite(r):
        return WITHHELD
    ci = f" ({lo:.2f} to {hi:.2f})" if is_finite(lo) and is_finite(hi) else ""
    return f"{r:.2f}{ci}"


def scorecard_section(ctx: ReportContext) -> Section:
    """Headline scorecard: each comparison at its level, as the group's likelihood relative
    to the reference group (1 = equal) or the pay gap."""
    table = headlines(ctx)
    pipeline = table["Indicator"].str.startswith(REGISTRY["pipeline_disparity"].title).any()
    odds = ("; for the pipeline, the first group's odds of being in the higher band group "
            "(people in it for each one in the lower) as a multiple of the second group's"
            if pipeline else "")
    notes = ["Figure: how many times as likely the first group was as the second (1 = equal), "
             f"with its 95% interval{odds}; for pay, the gap in % of the second group's pay "
             "(positive: the first group paid less).", _disclosure_line(ctx)]
    unsettled = table["Status"].isin([_status(INSUFFICIENT), *(v for _, v in _UNSETTLED.values())])
    if ((table["Figure"] == WITHHELD) & ~unsettled).any():
        notes.insert(1, f"{WITHHELD} as the Figure beside a judgement (adverse, within range, "
                        "favourable): the figure is withheld (worked out "
                        "from the rounded counts, it would point the other way or show no "
                        "difference, be judged otherwise or change whether its interval "
                        "includes 1) and the status "
                        "is the exact figure's; 'What this report can say' says which, and "
                        "whether chance could explain it.")
    return Section().add(plots.Table(table, caption=f"Headline scorecard ({ctx.scope_label})",
                                     notes=notes))


# --------------------------------------------------------------------------- themes


def _benchmark_withheld(ctx: ReportContext, level: Any, row: dict[str, Any]) -> str:
    """The Census comparison of a share whose ratio disclosure control withholds, keeping
    the exact status: the judgement from the exact counts, and what the ratio worked out
    from the rounded share shown would have got wrong (:func:`withheld_because`, the
    population share standing for the reference group's rate)."""
    exact = comparison_row(level_rows(ctx, level, row["indicator"], "ethnicity",
                                      row["variant"], exact=True), "ethnicity", row["variant"])
    why = "state a different conclusion"
    if exact is not None and is_finite(exact["ratio"]) and exact["ratio"] > 0:
        population = {"value": exact["value"] / exact["ratio"], "numerator": math.nan,
                      "denominator": math.inf}
        why = withheld_because({**row, "_ref_row": population},
                               {**exact, "_ref_row": population})
    # (below the population's share is adverse, above it favourable)
    judged = represented(row["status"], above=row["status"] == FAVOURABLE) + {
        ADVERSE: ", an adverse finding", FAVOURABLE: ", a favourable finding"}.get(
        str(row["status"]), "")
    return (f"{upper_first(level.label)}: BME staff were {format_value(row['value'], 'proportion')} of "
            f"staff whose ethnicity is recorded (from rounded counts); against the local "
            f"population in {row['variant']} (Census 2021) they were {judged}, from the exact "
            "counts. The ratio itself is withheld: worked out from the rounded share shown, "
            f"it would {why}.{withheld_chance(exact)}")


def workforce_profile_section(ctx: ReportContext) -> Section:
    """Who works here: the staff group by WRES band cluster and ethnic group, the senior
    representation finding and the local-population comparison."""
    from equity.disclosure import apply_disclosure

    sec = Section()
    block = _findings_block(ctx, SECTION_INDICATORS["workforce"])
    if block is not None:
        sec.add(block)
    bench = _top(_rows(ctx.results(), ["representation_vs_benchmark"]))
    bench = bench.loc[bench["group"] == "BME"]
    # whose share it is, as every finding says it ("AHPs in Older People, 2024/25: ...")
    level = ladder(ctx, "representation_vs_benchmark")[0]
    said = [f"{upper_first(level.label)}: {sentence(r, caveats=True)}" if is_finite(r["ratio"])
            else _benchmark_withheld(ctx, level, r) for r in bench.to_dict("records")
            if is_finite(r["ratio"]) or r["status"] in (ADVERSE, FAVOURABLE, WITHIN)]
    if len(bench) and not said:
        sec.add(Note(f"Against the local population: the BME share of {ctx.people} in "
                     f"{ctx.directorate or 'the trust'} is withheld (small numbers), so it is "
                     "not compared with the Census; the trust overview compares the trust's "
                     f"{ctx.people} with it."))
    if said:
        sec.add(Narrative(tuple(said), heading="Against the local population"))
    raw = ctx.family("representation", within=("band",))
    rows = raw.loc[(raw["indicator"] == "representation") & (raw["group_var"] == "ethnicity")
                   & raw["band"].notna()]
    if rows.empty:
        return sec.add(Note(_not_computed(ctx, ["representation"]) or
                            "No staff in this scope at the 31 March snapshot."))
    band_of = {b: c for c, bands in codes.WRES_CLUSTERS for b in bands}
    # Staff on other pay scales (medical grades) are in no cluster: named, not counted
    # silently out (their number is a count the disclosure rules would have to control).
    other = sorted(set(rows.loc[~rows["band"].isin(list(band_of)) & (rows["numerator"] > 0),
                                "band"]))
    rows = rows.assign(band=rows["band"].map(band_of)).dropna(subset=["band"])
    if not (rows["numerator"] > 0).any():
        return sec.add(Note(f"Staff in post by band cluster: the WRES groups Agenda for Change "
                            f"bands into clusters, and no {ctx.people} in "
                            f"{ctx.directorate or 'the trust'} are on them"
                            + (f" (their grades: {', '.join(other)})." if other else ".")))
    summed = rows.groupby(["band", "group"], as_index=False, sort=False)[
        ["numerator"]].sum()
    totals = summed.groupby("band")["numerator"].transform("sum")
    from equity.result import make_result

    clustered = make_result(summed.assign(
        group_var="ethnicity", denominator=totals, value=summed["numerator"] / totals.where(
            totals > 0), status="not_applicable"), indicator="representation",
        period=ctx.period)
    pub = apply_disclosure(clustered, mode=ctx.disclosure)
    order = [c for c, _ in codes.WRES_CLUSTERS if c in set(pub["band"])]
    cells = {}
    for r in pub.to_dict("records"):
        cells[(r["band"], r["group"])] = (
            f"{_count(r['numerator'])} ({format_value(r['value'], 'proportion', digits=0)})"
            if is_finite(r["value"]) else WITHHELD if not is_finite(r["numerator"])
            # nobody in the cluster: no share to withhold
            else "0" if r["numerator"] == 0 and r["denominator"] == 0
            else f"{_count(r['numerator'])} ({WITHHELD})")  # the share alone is withheld
    groups = [g for g in ("White", "BME", "Unknown") if any((c, g) in cells for c in order)]
    table = pd.DataFrame({"Bands": order, **{g: [cells.get((c, g), "0") for c in order]
                                             for g in groups},
                          "All": [_count(pub.loc[pub["band"] == c, "denominator"].iloc[0])
                                  for c in order]})
    return sec.add(plots.Table(
        table, caption=f"Staff in post at 31 March by band cluster and ethnic group "
                       f"({ctx.scope_label})",
        notes=["Number (share of the cluster). Bands grouped as the WRES groups them."
               + (f" Staff on pay scales other than Agenda for Change ({', '.join(other)}) "
                  "are in no cluster and not in the table." if other else ""),
               _disclosure_line(ctx)]))


def representation_section(ctx: ReportContext) -> Section:
    """Board representation (WRES 9, WDES 10): a trust-level figure, shown in the trust
    overview only."""
    sec = Section()
    if ctx.directorate is not None:
        return sec
    every = _top(_rows(ctx.results(), ["wres_9", "wdes_10"]))
    rows = every.loc[every["group"].isin(["BME", "Disabled"]) & every["variant"].isna()]
    if rows.empty:
        return sec.add(Note(_not_computed(ctx, ["wres_9", "wdes_10"]) or
                            "The data hold no board table."))
    said = [sentence(r, caveats=True) + _board_scale(r, every) for r in rows.to_dict("records")]
    return sec.add(Narrative(tuple(said), heading="Board representation"))


def _board_scale(row: dict[str, Any], rows: pd.DataFrame) -> str:
    """For a board share withheld (small numbers), what the published figures can say: the
    board's size (rounded, as published) and what one member weighs in its composition,
    beside the workforce share it is compared with; empty when the figure is published."""
    board = row["denominator"]
    workforce = rows.loc[(rows["indicator"] == row["indicator"])
                         & (rows["group"] == row["group"]) & (rows["variant"] == "workforce")]
    if is_finite(row["value"]) or not is_finite(board) or board <= 0 or workforce.empty \
            or not is_finite(workforce["value"].iloc[0]):
        return ""
    return (f" The board has about {_count(board)} voting members, so each member is about "
            f"{100 / board:.0f} percentage points of its composition; {row['group']} staff "
            f"are {float(workforce['value'].iloc[0]):.1f}% of the whole workforce.")


def recruitment_section(ctx: ReportContext) -> Section:
    """Recruitment: WRES 2 and WDES 2 (appointment from shortlisting)."""
    return _section(ctx, "recruitment", rest=("wres_2",), table_indicators=("wres_2", "wdes_2"),
                    caption="Shortlisted applicants appointed, by group")


def formal_processes_section(ctx: ReportContext) -> Section:
    """Formal processes: WRES 3 (disciplinary) and WDES 3 (capability)."""
    return _section(ctx, "formal_processes", rest=("wres_3",))


def development_section(ctx: ReportContext) -> Section:
    """Development: WRES 4 and access to non-mandatory training against the rest of the
    trust."""
    return _section(ctx, "development", rest=("training_access",),
                    table_indicators=("training_access",),
                    caption="Staff accessing non-mandatory training or CPD, by group")


def retention_section(ctx: ReportContext) -> Section:
    """Retention: leaver rate, early-career leaving and stability (each at its level), the
    directorate against the rest of the trust, time to leaving and leaving reasons."""
    sec = _section(ctx, "retention", rest=("leaver_rate", "stability_index"),
                   table_indicators=("leaver_rate",), caption="Leavers by group")
    sec.parts += survival_section(ctx, event="leaving").parts
    sec.parts += leaving_reasons_section(ctx).parts
    return sec


def progression_section(ctx: ReportContext) -> Section:
    """Progression: promotion and the pipeline up the band ladder (each at its level), the
    directorate against the rest of the trust, and time to first promotion."""
    sec = _section(ctx, "progression", rest=("promotion_rate",),
                   table_indicators=("promotion_rate",), caption="Promotions by group")
    sec.parts += survival_section(ctx, event="promotion").parts
    return sec


def _pay_scale(ctx: ReportContext) -> str:
    """What the scope's staff are paid on, as :func:`equity.narration.sentence`'s ``band``:
    "band" (Agenda for Change), "grade" (medical grades only: Medical and Dental staff) or
    "band or grade" (both: all staff groups), from the bands of the staff in post."""
    raw = ctx.family("representation", within=("band",))
    held = set(raw.loc[raw["band"].notna() & (raw["numerator"] > 0), "band"])
    medical = held & set(codes.MEDICAL_GRADES)
    return "band" if not medical else "grade" if medical == held else "band or grade"


def pay_gaps_section(ctx: ReportContext) -> Section:
    """Pay gaps: the gender pay gap (each at its level), its band-mix parts, the ethnicity
    and disability gaps, and women and men in each pay quarter."""
    sec = _section(ctx, "pay")
    res = _top(_rows(ctx.results(), ["pay_gap_mean", "pay_gap_median"]))
    gaps = res.loc[res["reference_group"].notna() & (res["group"] != res["reference_group"])
                   & res["value"].map(is_finite)]
    if res.empty:
        return sec
    # The gender gap and the combined groups' gaps (each ethnic minority group's own gap
    # is in the analysts' table, not the page).
    gaps = gaps.loc[gaps["group"].isin(list(PAY_GROUPS))]
    parts = gaps.loc[gaps["variant"].isin(["explained by band mix", "within bands"])]
    if len(parts):
        scale = _pay_scale(ctx)
        one, many = PAY_SCALE_WORDS[scale]
        sec.add(Narrative(tuple(sentence(r, band=scale) for r in parts.to_dict("records")),
                          heading=f"Why the mean gap arises: {one} mix and within {many}"))
    whole = gaps.loc[gaps["variant"].isna()]
    table = pd.DataFrame({
        "Measure": [REGISTRY[i].title for i in whole["indicator"]],
        "Groups": [f"{r['group']} vs {r['reference_group']}" for r in whole.to_dict("records")],
        "Gap": [format_value(v, "percent") for v in whole["value"]],
        "People": [f"{r['group']} {_count(r['numerator'])}, {r['reference_group']} "
                   f"{_count(r['denominator'])}" for r in whole.to_dict("records")],
        "Status": [_status(s) for s in whole["status"]],
    })
    # comparisons whose every gap is withheld here: said, not silently left out of the table
    held = res.loc[res["group"].isin(list(PAY_GROUPS)) & res["variant"].isna()
                   & res["reference_group"].notna()]
    shown = set(zip(whole["group"], whole["reference_group"], strict=True))
    # (the headline pay gaps climb the ladder in the findings above; the others do not)
    headline = {FOCUS[gv] for ind, gv, _ in HEADLINES if ind.startswith("pay_gap")}
    # (the regulations' gender gaps are computed for any number and withheld from fewer than
    # 8 people; ethnicity and disability gaps are reported only for 10 or more in each group)
    withheld = [f"{g} vs {r}: " + (f"withheld (fewer than {MIN_PEOPLE_FOR_AVERAGE} people in a "
                                   "group)" if g == "Female" else
                                   f"not reported (fewer than {stats.MIN_N} people in a group, "
                                   "the least an ethnicity or disability pay gap is reported "
                                   "for)")
                + (" (the findings above give it at the level it can be published)"
                   if g in headline else "")
                for g, r in dict.fromkeys(zip(held["group"], held["reference_group"],
                                              strict=True)) if (g, r) not in shown]
    if whole.empty:
        # every comparison withheld here: said (Older People's AHPs, 2021/22: 7 men, 9 ethnic
        # minority staff), and the pay quarters below still climb to a level they can show
        if withheld:
            sec.add(Note(f"Hourly pay gaps ({ctx.scope_label}): no gap can be shown here. "
                         f"{'; '.join(withheld)}."))
        return _pay_quarters_part(ctx, sec)
    notes = [f"Not in the table: {'; '.join(withheld)}."] if withheld else []
    if (whole["group"] == "Ethnic minority").any():
        # not the WRES's BME group of the tables above: White Irish and Other White are in it
        notes.append("Ethnic minority: everyone whose ethnic group is recorded and is not "
                     "White British (White Irish and other White groups included, unlike "
                     "BME elsewhere in this report), as ethnicity pay gap reporting compares.")
    sec.add(plots.Table(table, caption=f"Hourly pay gaps ({ctx.scope_label})", notes=[
        "Gap: (second group's mean or median hourly pay - first group's) / second group's x "
        "100; positive: the first group is paid less. Adverse: a gap above 5% (a library "
        f"threshold); a group of fewer than {stats.MIN_N} people: too few people to tell. "
        + (f"Gaps from fewer than {MIN_PEOPLE_FOR_AVERAGE} people are withheld."
           if ctx.disclosure == "publication" else
           f"Gaps from fewer than {MIN_PEOPLE_FOR_AVERAGE} people are shown here; a published "
           "report withholds them."), _disclosure_line(ctx),
        *notes]))
    return _pay_quarters_part(ctx, sec)


def _pay_quarters_part(ctx: ReportContext, sec: Section) -> Section:
    """Women and men in each pay quarter, at the first level whose quarters mostly say
    something, added to ``sec``."""
    first: tuple[int, int] | None = None  # (quarters withheld, quarters) at the report's scope
    for d, sg in _scopes(ctx):
        q = _pay_quarters(ctx, d, sg)
        # A quarter says something when some group's published share in it is above 0 (a
        # group with nobody anywhere, often Unknown, publishes 0% in every quarter).
        said = q.groupby("variant")["value"].agg(lambda v: bool(v.fillna(0).gt(0).any()))
        if not len(said):
            continue
        if 2 * int(said.sum()) > len(said):
            where = _scope_name(d, sg)
            # (the level named as every chart names it, whether or not it climbed)
            title = f"Women and men in each pay quarter, {where}, {ctx.period}"
            if first is not None:
                sec.add(Note(f"Women and men in each pay quarter: the shares in {first[0]} of "
                             f"the {first[1]} quarters for {_scope_name(*_scopes(ctx)[0])} are "
                             f"withheld (small numbers), so the chart is for {where}, "
                             f"{ctx.period}."))
            note = (_quarters_reordered(ctx, d, sg, q) if ctx.disclosure == "publication"
                    else None)
            sec.add(plots.pay_quarters(q, title=title))
            return sec.add(Note(note)) if note else sec
        if first is None:
            first = (len(said) - int(said.sum()), len(said))
    if first is not None:
        sec.add(Note(f"Women and men in each pay quarter: the shares in {first[0]} of the "
                     f"{first[1]} quarters for {ctx.scope_label} are withheld (small numbers), "
                     f"even for {_scope_name(*_scopes(ctx)[-1])}, so there is no chart; the "
                     "findings above give each gap at the level it can be published."))
    return sec


def _pay_quarters(ctx: ReportContext, directorate: str | None, staff_group: str | None, *,
                  exact: bool = False) -> pd.DataFrame:
    """The published shares of women and men in each pay quarter for one scope of
    :func:`_scopes`: the report's own table at its scope, else the pay family of that
    scope, disclosure-controlled on its own; ``exact``: before disclosure control (never
    shown: what a note on their order rests on)."""
    own = (directorate, staff_group) == _scopes(ctx)[0]
    # pay by sex alone away from the report's scope (the scope's other pay rows are not shown)
    fam = ("pay" if own else "pay:sex" if staff_group == ctx.staff_group
           else all_staff("pay:sex"))
    if exact:
        res = bare(ctx.family(fam, directorate=directorate))
    elif own:
        res = ctx.results()
    else:
        res = ctx.results(directorate=directorate, families=(fam,))
    q = _top(_rows(res, ["pay_quartile"]))
    return q.loc[q["group_var"] == "sex"]


def _quarters_reordered(ctx: ReportContext, directorate: str | None, staff_group: str | None,
                        published: pd.DataFrame) -> str | None:
    """A note where the published shares of women, worked out from counts rounded to 5, put
    the pay quarters in another order than the exact shares (Children and Young People's
    AHPs, 2024/25: 15, 17, 16 and 17 women of 20, 20, 19 and 19, 75% to 89%, all published
    as 15 of 20, 75%, beside a mean gap of women paid 11.2% more), with the exact order
    (which gives no count away)."""
    exact = _pay_quarters(ctx, directorate, staff_group, exact=True)
    pub = published.loc[published["group"] == "Female"].set_index("variant")["value"]
    ex = exact.loc[exact["group"] == "Female"].set_index("variant")["value"]
    quarters = [v for v in pub.index if v in ex.index and is_finite(pub[v]) and is_finite(ex[v])]
    if not any(np.sign(pub[a] - pub[b]) != np.sign(ex[a] - ex[b])
               for i, a in enumerate(quarters) for b in quarters[i + 1:]):
        return None
    order = sorted(quarters, key=lambda v: -ex[v])
    shown = "" if len(quarters) == len(pub) else ", of the quarters shown"
    return (f"Women and men in each pay quarter, {_scope_name(directorate, staff_group)}: the "
            "shares are worked out from counts rounded to 5, which put the quarters in another "
            f"order than the exact shares do; exactly{shown}, women's share is highest in "
            f"{order[0]}, "
            + (f"then {', '.join(order[1:-1])}, " if len(order) > 2 else "")
            + f"and lowest in {order[-1]}.")


def survey_section(ctx: ReportContext) -> Section:
    """Staff survey (WRES 5-8, WDES 4-9): the survey is reported for all staff of the
    directorate (it carries no staff group), and said so."""
    sec = Section()
    if getattr(ctx.dataset, "survey", None) is None:
        return sec.add(Note("The dataset has no staff survey table, so WRES 5-8 and WDES 4-9 "
                            "are not shown."))
    ids = [*SURVEY_INDICATORS["wres"], *SURVEY_INDICATORS["wdes"]]
    res = _top(_rows(ctx.results(), ids))
    who = f"all staff in {ctx.directorate}" if ctx.directorate else "all staff of the trust"
    if res.empty:
        return sec.add(Note(_not_computed(ctx, ids) or f"No survey results for {who}."))
    # A directorate's answers beside the whole trust's: the level above, where a group's
    # share is withheld here (small numbers), and the comparison a reader looks for.
    trust = (_top(_rows(ctx.results(directorate=None, families=(SURVEY_FAMILY,)), ids))
             if ctx.directorate is not None else res.iloc[:0])
    here = f"Share answering ({ctx.directorate})" if ctx.directorate else "Share answering"
    recs = []
    for ind, rows in res.groupby("indicator", sort=False):
        by = {r["group"]: r for r in rows.to_dict("records")}
        # A question asked of one group only (WDES 8) has that group's figure alone.
        pair = REGISTRY[ind].asked_of or (
            ("BME", "White") if ind.startswith("wres") else ("Disabled", "Non-disabled"))
        if not any(g in by for g in pair):
            continue
        asked = "" if len(pair) > 1 else f" (asked of {pair[0]} staff only)"
        rec = {"Question": REGISTRY[ind].title, "Group": " / ".join(pair) + asked,
               here: " / ".join(_answered(by.get(g)) for g in pair)}
        if ctx.directorate is not None:
            whole = {r["group"]: r for r in trust.loc[trust["indicator"] == ind]
                     .to_dict("records")}
            rec["Whole trust"] = " / ".join(_answered(whole.get(g)) for g in pair)
        recs.append(rec)
    reordered = _reordered_survey(ctx, res, directorate=ctx.directorate)
    if ctx.directorate is not None:
        reordered += _reordered_survey(ctx, trust, directorate=None)
    published = sum(1 for r in recs if WITHHELD not in r[here])
    said = (f"The staff survey is reported for {who}, not for one staff group (the survey "
            f"table carries no staff group). {published} of {len(recs)} questions can be "
            "published for every group asked")
    said += ("; the whole trust's answers are beside them." if ctx.directorate is not None
             else ".")
    sec.add(Note(said))
    return sec.add(plots.Table(pd.DataFrame(recs), caption=f"Staff survey, {who}, {ctx.period}",
                               notes=["Share of respondents answering positively (for WRES 5, 6 "
                                      "and 8 and WDES 4 and 6, experiencing the harm asked about)"
                                      ", with 95% interval.", *reordered,
                                      _disclosure_line(ctx)]))


def _reordered_survey(ctx: ReportContext, published: pd.DataFrame, *,
                      directorate: str | None) -> list[str]:
    """A note per survey question whose two shares disclosure control withheld because,
    worked out from the rounded counts, they would be ordered the other way round
    (:data:`equity.disclosure.SIDE_BY_SIDE`: both counts published, both shares withheld),
    with the order of the exact shares (which gives no count away). ``published``: the
    survey rows of ``directorate`` (None: the whole trust's)."""
    from equity.disclosure import SIDE_BY_SIDE

    here = ("this directorate" if directorate is not None else
            "the whole trust" if ctx.directorate is not None else "the trust")

    rows = published.loc[published["indicator"].isin(SIDE_BY_SIDE)
                         & published["suppressed"].astype(bool)
                         & ~published["value"].map(is_finite)
                         & published["numerator"].map(is_finite)
                         & published["denominator"].map(is_finite)]
    notes = []
    for ind in dict.fromkeys(rows["indicator"]):
        exact = bare(ctx.family(_survey_family(ctx, directorate), directorate=directorate))
        exact = exact.loc[(exact["indicator"] == ind) & exact["group"].isin(
            rows.loc[rows["indicator"] == ind, "group"])]
        if len(exact) != 2:
            continue
        (g1, v1), (g2, v2) = exact[["group", "value"]].itertuples(index=False)
        shown = rows.loc[rows["indicator"] == ind]
        rounded = [float(r["numerator"]) / float(r["denominator"]) for _, r in shown.iterrows()
                   if float(r["denominator"]) > 0]
        # (under a percentage point apart: "slightly", so a near tie is not read as a gap)
        order = (f"the {g1} and {g2} shares are the same" if v1 == v2 else
                 f"the {g1 if v1 > v2 else g2} share is "
                 f"{'slightly ' if abs(v1 - v2) < 0.01 else ''}higher")
        they = (_rounded_order(*rounded) if len(rounded) == 2
                else "would be ordered otherwise")
        notes.append(f"{REGISTRY[ind].short} ({here}): both shares withheld: worked out from "
                     f"the rounded counts they {they}; exactly, {order}.")
    return notes


def _survey_family(ctx: ReportContext, directorate: str | None) -> str:
    """The family holding a scope's survey answers: the report's main equality family at its
    own scope, the survey family for the whole trust beside a directorate's."""
    return "equality" if directorate == ctx.directorate else SURVEY_FAMILY


def _answered(row: dict[str, Any] | None) -> str:
    """A survey share, ``*`` where withheld, or "no answers" where the table holds no
    respondent of the group (nothing is withheld there)."""
    if row is None or (not row["suppressed"] and row["denominator"] == 0):
        return "no answers"
    return _figure(row)


def _drawn(curves: pd.DataFrame, *, compared: bool = True) -> list[str]:
    """The groups whose curve is drawn (two points at least: see :func:`equity.plots.survival`);
    with ``compared``, only those the log-rank test compares (an unknown ethnic group is
    drawn, never compared)."""
    if curves.empty:
        return []
    points = curves.groupby("group", sort=False)["survival"].count()
    return [str(g) for g, n in points.items()
            if n >= 2 and not (compared and g == _UNKNOWN)]


#: The ethnic group of staff whose ethnicity is not known: drawn, but not compared.
_UNKNOWN = str(grouping("ethnicity").unknown)


def _logrank_sentence(curves: pd.DataFrame, what: str) -> str:
    tests = curves.attrs.get("logrank") or []
    if not tests or tests[0].get("p_value") is None:
        return (f"Too few people to compare {what} between groups with a log-rank test "
                "(curves are shown only while at least 8 people are at risk).")
    t = tests[0]
    p = float(t["p_value"])
    ptxt = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    drawn = _drawn(curves)
    n = int(t.get("groups") or 0)
    who = f"{' and '.join(drawn)} staff" if len(drawn) == n == 2 else "the groups"
    verdict = (f"the curves of {who} differ by more than chance would readily explain"
               if p < 0.05 else f"the data are consistent with no difference between {who}")
    notes = ""
    if len(drawn) < n:
        notes += (f" Only {len(drawn)} of the {n} groups' curves are drawn: the others never "
                  "had 8 or more people at risk at any one length of service, so their curves "
                  "cannot be published, though "
                  "the test uses them.")
    if _UNKNOWN in _drawn(curves, compared=False):
        notes += (f" The {_UNKNOWN} curve (ethnicity not recorded) is shown for completeness "
                  "and is not part of the test.")
    return (f"Log-rank test of {what} across {n} groups: chi-squared {float(t['chi2']):.2f} "
            f"on {int(t['df'])} df, {ptxt}: {verdict}. It does not show why any difference "
            f"arises.{notes}")


def _medians_sentence(curves: pd.DataFrame, what: str) -> str | None:
    """Each drawn group's median time, or that its curve never fell to half (a group left
    out of the sentence would read as having no figure).

    A median is read from the curve as shown, so "not reached" of a curve cut short (fewer
    than 8 still at risk) says where it stops and where every other curve stands then: a
    group followed for 53 months is not one that stays longer than a group whose median is
    91 months."""
    drawn = set(_drawn(curves))
    meds = [m for m in curves.attrs.get("median") or [] if m.get("group") in drawn]
    if not any(m.get("median") is not None for m in meds):
        return None
    state = "still in post" if curves.attrs.get("event", "leaving") == "leaving" else (
        "not yet promoted")
    cut = {t["group"]: t for t in curves.attrs.get("truncation") or []
           if t.get("truncated_at") is not None and t.get("shown_until") is not None}
    parts = []
    for m in meds:
        g = m["group"]
        if m.get("median") is not None:
            parts.append(f"{g} {float(m['median']):.0f} months")
        elif g not in cut:
            parts.append(f"{g} not reached (its curve stays above half)")
        else:
            t = float(cut[g]["shown_until"])
            then = {h: _survival_at(curves, h, t) for h in sorted(drawn)}
            at = ", ".join(f"{h} {v:.0%}" for h, v in then.items()
                           if h != g and not math.isnan(v))
            parts.append(f"{g} not reached by {t:.0f} months, where its curve stops (fewer "
                         f"than 8 still at risk after that), {then[g]:.0%} {state} then"
                         + (f" (at the same length of service: {at})" if at else ""))
    return f"Median time to {what}: " + "; ".join(parts) + "."


def _survival_at(curves: pd.DataFrame, group: str, t: float) -> float:
    """A drawn curve's value at time ``t`` (the last step at or before it); NaN where the
    curve is not shown at ``t``."""
    c = curves.loc[curves["group"] == group]
    before = c.loc[c["time"] <= t]
    if before.empty or float(c["time"].max()) < t:
        return math.nan
    return float(before["survival"].iloc[-1])


def _window(curves: pd.DataFrame) -> str:
    """The stretch of time a survival chart follows, in words: "followed from 31 March 2020
    to 31 March 2024" (:func:`equity.survival_curves`' window: every snapshot to the report
    year's end, not the report year alone)."""
    w = curves.attrs.get("window") or {}
    if not w.get("start") or not w.get("end"):
        return ""
    start, end = pd.Timestamp(w["start"]), pd.Timestamp(w["end"])
    return f"followed from {start:%d %B %Y} to {end:%d %B %Y}"


def survival_section(ctx: ReportContext, *, event: Literal["leaving", "promotion"] = "leaving"
             ) -> Section:
    """Kaplan-Meier curve of time to leaving (or to first promotion) by ethnic group, with the
    log-rank test in a sentence (:func:`equity.survival_curves`). With fewer than two groups
    to draw, the chart is left out and the sentence says why."""
    from equity.measures.survival import survival_curves

    what = "leaving" if event == "leaving" else "first promotion"
    sec = Section()
    scopes = _scopes(ctx)
    for d, sg in scopes:
        try:
            curves = ctx.measure(survival_curves, period=ctx.period, by="ethnicity",
                                 directorate=d, staff_group=sg, event=event,
                                 time_unit="months", min_at_risk=8)
        except EquityError as err:
            return sec.add(Note(f"Time to {what}: not computed. {err}"))
        missing = curves.attrs.get("not_computed") or {}
        if missing:  # (no leavers table: the same at every level)
            why = "; ".join(str(v) for v in missing.values())
            return sec.add(Note(f"Time to {what}: not computed: {why}."))
        # two compared groups with a curve to draw (an Unknown curve compares nothing)
        if len(_drawn(curves)) >= 2:
            break
    else:
        return sec.add(Note(
            f"Time to {what}: fewer than two ethnic groups (not counting {_UNKNOWN}) had 8 or "
            f"more people at risk at any one length of service, even for "
            f"{_scope_name(*scopes[-1])}, so no curves can be compared."))
    where = f"{_scope_name(d, sg)}, {_window(curves) or ctx.period}"
    if (d, sg) != scopes[0]:
        # (at risk: in post and of the same length of service, the curves' time axis; a
        # group of 11 can have fewer than 8 at every length of service)
        sec.add(Note(f"Time to {what}: fewer than two ethnic groups (not counting {_UNKNOWN}) "
                     f"had 8 or more people at risk at any one length of service among "
                     f"{_scope_name(*scopes[0])}, so the curves are for {where}."))
    title = ("Staying in post over time (Kaplan-Meier)" if event == "leaving"
             else "Not yet promoted over time (Kaplan-Meier)")
    sec.add(plots.survival(curves, title=f"{title}, {where}",
                           state="still in post" if event == "leaving" else "not yet promoted"))
    said = [_logrank_sentence(curves, f"time to {what} ({where})")]
    med = _medians_sentence(curves, what)
    if med:
        said.append(med)
    if event == "promotion" and (curves.attrs.get("window") or {}).get("start"):
        # staff in post at the first snapshot may have been promoted before it, unseen
        start = pd.Timestamp(curves.attrs["window"]["start"])
        said.append(f"A first promotion is the first one seen since {start:%d %B %Y}: staff "
                    "in post then may have been promoted before, so for long-serving staff the "
                    "times run long.")
    return sec.add(Narrative(tuple(said), heading=f"Time to {what}"))


def leaving_reasons_section(ctx: ReportContext) -> Section:
    """The most common leaving reasons (every group together), counts disclosure-controlled;
    reasons whose count is withheld are rolled up into one line."""
    from equity.disclosure import apply_disclosure
    from equity.measures.retention import leaving_reasons as reasons_of
    from equity.result import make_result

    sec = Section()
    scopes = _scopes(ctx)
    for d, sg in scopes:
        try:
            r = ctx.measure(reasons_of, period=ctx.period, by="ethnicity", staff_group=sg,
                            directorate=d)
        except EquityError as err:
            return sec.add(Note(f"Leaving reasons: not computed. {err}"))
        per = r.groupby("leaving_reason", as_index=False, sort=False)["count"].sum()
        total = float(per["count"].sum())
        if total == 0 and (d, sg) == scopes[0]:
            return sec.add(Note(f"Leaving reasons: none of the {_scope_name(d, sg)} left "
                                f"during {ctx.period}."))
        if total == 0:
            continue
        table = make_result(pd.DataFrame({
            "group_var": "leaving_reason", "group": per["leaving_reason"].to_numpy(),
            "numerator": per["count"].to_numpy(float), "denominator": total,
            "value": per["count"].to_numpy(float) / total, "status": "not_applicable"}),
            indicator="leaving_reasons", period=ctx.period)
        pub = apply_disclosure(table, mode=ctx.disclosure)
        shown = pub.loc[pub["numerator"].map(is_finite) & (pub["numerator"] > 0)].sort_values(
            "numerator", ascending=False, kind="stable")
        if not shown.empty:
            break
    else:
        return sec.add(Note(f"Leaving reasons: every reason was given by fewer than 8 leavers, "
                            f"even among {_scope_name(*scopes[-1])}, so none can be published."))
    where = f"{_scope_name(d, sg)}, {ctx.period}"
    if (d, sg) != scopes[0]:
        sec.add(Note(f"Leaving reasons: every reason was given by fewer than 8 leavers among "
                     f"{_scope_name(*scopes[0])}, so the table is for {where}."))
    rest = int((~pub["numerator"].map(is_finite)).sum())
    frame = pd.DataFrame({"Leaving reason": shown["group"].to_numpy(),
                          "Leavers": [_count(v) for v in shown["numerator"]],
                          "Share of leavers": [format_value(v, "proportion", digits=0)
                                               for v in shown["value"]]})
    notes = [_disclosure_line(ctx)]
    if rest:
        notes.append(f"{rest} other reason(s), each given by fewer than 8 leavers, not listed.")
    return sec.add(plots.Table(frame, caption=f"Leaving reasons, all leavers ({where})",
                               notes=notes))


def _leaver_series(ctx: ReportContext, *, window: int, months: Sequence[int],
                   directorate: str | None, staff_group: str | None) -> pd.DataFrame | None:
    """Leaver rates over ``window`` months to the month ends of the given calendar
    ``months`` (:func:`equity.monthly_leavers`), from disclosure-controlled counts: ``label``
    (``YYYY-MM``, so labels sort in time order) and ``value``, NaN where the count is
    withheld (a point with nobody in post is left out). None when the data allow no
    series."""
    from equity.disclosure import apply_disclosure
    from equity.measures.monthly import monthly_leavers
    from equity.result import make_result

    key = ("leaver_series", window, tuple(months), directorate, staff_group)
    if key not in ctx._cache:
        try:
            m = ctx.measure(monthly_leavers, period=ctx.period, window=window,
                            staff_group=staff_group, directorate=directorate)
        except EquityError as err:  # the data allow no series: why, for the section to say
            ctx._cache[key] = None
            ctx._cache[("leaver_series_error", window)] = str(err)
            return None
        q = m.loc[pd.to_datetime(m["month"]).dt.month.isin(list(months))].reset_index(
            drop=True)
        label = pd.to_datetime(q["month"]).dt.strftime("%Y-%m")
        table = make_result(pd.DataFrame({
            "variant": label.to_numpy(object), "group_var": "all", "group": "all",
            "numerator": q["numerator"].to_numpy(float),
            "denominator": q["denominator"].to_numpy(float),
            "value": q["value"].to_numpy(float), "status": "not_applicable"}),
            indicator="leaver_rate", period=ctx.period)
        pub = apply_disclosure(table, mode=ctx.disclosure)
        pub = pub.loc[pub["value"].map(is_finite) | pub["suppressed"].astype(bool)]
        exact = dict(zip(table["variant"], table["value"], strict=True))
        ctx._cache[key] = pd.DataFrame({"label": pub["variant"].to_numpy(),
                                        "value": pub["value"].to_numpy(float),
                                        "exact": pub["variant"].map(exact).to_numpy(float)})
    return ctx._cache[key]


def trend_series(ctx: ReportContext, *, directorate: str | None | Literal["self"] = "self",
                 staff_group: str | None | Literal["self"] = "self") -> pd.DataFrame:
    """The leaver rate (headcount, bank staff excluded) of each financial year the data hold
    up to the report's, from disclosure-controlled counts (NaN for a year whose leavers are
    withheld): ``period`` and ``value``. The same figures as :func:`equity.retention`'s
    (the rolling 12 months to each 31 March). ``directorate`` and ``staff_group`` default to
    the report's.

    Two years next to each other whose published rates, worked out from the rounded counts,
    would be ordered the other way round from the exact ones are both withheld, and
    ``attrs["notes"]`` says which way the rate exactly went (Trust AHPs: 29 leavers over an
    average 335.5 in 2020/21, 8.6%, and 32 over 348, 9.2%, in 2021/22, published 9.0% and
    8.6%: a rise read as a fall)."""
    d = ctx.directorate if directorate == "self" else directorate
    sg = ctx.staff_group if staff_group == "self" else staff_group
    s = _leaver_series(ctx, window=12, months=(3,), directorate=d, staff_group=sg)
    if s is None or s.empty:
        return pd.DataFrame({"period": [], "value": []})
    years = s["label"].str[:4].astype(int)
    periods = [f"{y - 1}/{str(y)[2:]}" for y in years]
    value, exact = s["value"].to_numpy(float).copy(), s["exact"].to_numpy(float)
    notes = []
    for i in range(len(value) - 1):
        a, b = s["value"].iloc[i], s["value"].iloc[i + 1]
        if (is_finite(a) and is_finite(b)
                and np.sign(b - a) != np.sign(exact[i + 1] - exact[i])):
            value[i] = value[i + 1] = np.nan
            change = exact[i + 1] - exact[i]
            went = ("was the same" if change == 0 else
                    f"{'rose' if change > 0 else 'fell'}"
                    f"{' slightly (under a percentage point)' if abs(change) < 0.01 else ''}")
            notes.append(f"{periods[i]} and {periods[i + 1]} both withheld: worked out from the "
                         f"rounded counts they {_rounded_order(a, b)}; exactly, "
                         f"the rate {went} from {periods[i]} to {periods[i + 1]}.")
    out = pd.DataFrame({"period": periods, "value": value})
    out.attrs["notes"] = notes
    return out


def _rounded_order(a: float, b: float) -> str:
    """How two figures worked out from rounded counts misorder the exact ones: equal where
    they differ, or the other way round (the withheld pairs of trends and survey shares).

    >>> _rounded_order(0.1, 0.1), _rounded_order(0.2, 0.1)
    ('would be equal', 'would be ordered the other way round')
    """
    return "would be equal" if a == b else "would be ordered the other way round"


def quarterly_leaver_rate(ctx: ReportContext, *, directorate: str | None,
                          staff_group: str | None) -> pd.DataFrame | None:
    """Leaver rate by quarter (leavers in the quarter over the average headcount, bank staff
    excluded) for the years the data hold, from disclosure-controlled counts: ``quarter``
    (``YYYY-MM``, the quarter's last month) and ``value``; None when any quarter's leavers
    are withheld (a series with gaps would mislead). Quarters, not rolling 12-month
    windows: consecutive windows share 11 months, so a chart of them shows runs and trends
    by construction (Making Data Count)."""
    s = _leaver_series(ctx, window=3, months=(3, 6, 9, 12), directorate=directorate,
                       staff_group=staff_group)
    full = _leaver_series(ctx, window=3, months=(3, 6, 9, 12), directorate=None,
                          staff_group=None)
    if s is None or full is None:
        return None
    s, full = s.dropna(subset=["value"]), full.dropna(subset=["value"])
    if len(s) < len(full):
        return None
    return s[["label", "value"]].rename(columns={"label": "quarter"}).reset_index(drop=True)


def trends_section(ctx: ReportContext) -> Section:
    """The leaver rate over time: by quarter as a Making Data Count XmR chart (at the finest
    level whose every quarter can be published), and by year as a table."""
    from equity.stats import xmr

    sec = Section()
    scopes = _scopes(ctx)
    for d, sg in scopes:
        series = quarterly_leaver_rate(ctx, directorate=d, staff_group=sg)
        if series is None:
            continue
        if (d, sg) != scopes[0]:
            sec.add(Note(f"Some quarters' leavers among {_scope_name(*scopes[0])} are too few "
                         f"to publish, so the quarterly chart shows {_scope_name(d, sg)}."))
        frame = xmr(series, value="value", x="quarter", improvement="decrease")
        sec.add(plots.spc(frame, x="quarter", title=f"Leaver rate by quarter, "
                                                     f"{_scope_name(d, sg)} (quarters ending "
                                                     "in the month shown; bank staff "
                                                     "excluded)"))
        break
    else:
        error = ctx._cache.get(("leaver_series_error", 3))
        sec.add(Note(f"Leaver rate by quarter: not computed. {error}" if error else
                     "Leaver rate by quarter: some quarters' leavers are too few to publish at "
                     "every level, so there is no quarterly chart."))
    return sec.add(*_yearly_leaver_rate(ctx))


def _yearly_leaver_rate(ctx: ReportContext) -> list[Any]:
    """The leaver rate by year for the report's scope; where fewer than three of its years
    can be published, beside it the first scope up the ladder (:func:`_scopes`) with three
    or more, and a note saying so. Withheld years are shown as withheld, not dropped."""
    meta = REGISTRY["leaver_rate"]
    scopes = _scopes(ctx)
    columns = {_scope_name(*scopes[0]): trend_series(ctx)}
    held = len(columns[_scope_name(*scopes[0])])
    # the data may hold fewer than three years (each needs both its 31 March snapshots)
    held_note = (f"the data hold {held} year{'s' if held != 1 else ''} to {ctx.period}"
                 if held < 3 else "")
    if not held:
        from equity.measures.retention import periods_with_both

        error = ctx._cache.get(("leaver_series_error", 12))
        first = periods_with_both(ctx.dataset)
        # years with both snapshots, but no leavers table (or one that does not reach them)
        years_held = bool(first) and codes.Period.parse(ctx.period) >= first[0]
        if error and (ctx.dataset.leavers is None or years_held):
            return [Note(f"{meta.title} by year: not computed. {error}")]
        return [Note(f"{meta.title} by year: a year's leaver rate needs the staff snapshots "
                     f"at its start and its end, and the data hold no such year up to "
                     f"{ctx.period}" + (f" (the first is {first[0]})." if first else "."))]
    need = min(3, held)
    shown = int(columns[_scope_name(*scopes[0])]["value"].map(is_finite).sum())
    parts: list[Any] = []
    if shown < need:
        years = ("No year" if not shown else "Only 1 year" if shown == 1
                 else f"Only {shown} years")
        for d, sg in scopes[1:]:
            other = trend_series(ctx, directorate=d, staff_group=sg)
            if int(other["value"].map(is_finite).sum()) >= need:
                columns[_scope_name(d, sg)] = other
                why = ("small numbers, or rounding that would misorder two years: see the table's notes"
                       if columns[_scope_name(*scopes[0])].attrs.get("notes")
                       else "small numbers")
                why = f"{why}; {held_note}" if held_note else why
                parts.append(Note(f"{years} of the leaver rate can be published for "
                                  f"{_scope_name(*scopes[0])} ({why}), so the table sets "
                                  f"{_scope_name(d, sg)} beside them."))
                break
    periods = sorted({p for t in columns.values() for p in t["period"]})
    if ctx.period not in periods:  # a leavers table that stops before the year ends
        gap = uncovered(ctx.dataset, "leavers", codes.Period.parse(ctx.period))
        if gap:
            parts.append(Note(f"{ctx.period} is not in the table: {gap}."))
    if not any(t["value"].map(is_finite).any() for t in columns.values()):
        return [Note(f"{meta.title} by year: no year's figure can be published for "
                     f"{_scope_name(*scopes[0])} or any level above it"
                     f"{' (' + held_note + ')' if held_note else ''}.")]

    def cell(t: pd.DataFrame, period: str) -> str:
        v = t.loc[t["period"] == period, "value"]
        if v.empty:
            return ""
        return format_value(v.iloc[0], meta.unit) if is_finite(v.iloc[0]) else WITHHELD

    frame = pd.DataFrame({"Year": periods, **{name: [cell(t, p) for p in periods]
                                              for name, t in columns.items()}})
    reordered = [f"{upper_first(name)}: {n}" for name, t in columns.items()
                 for n in t.attrs.get("notes", [])]
    return [*parts, plots.Table(frame, caption=f"{meta.title} by year, {ctx.period} and before",
                                notes=[_disclosure_line(ctx), *reordered])]


def validation_table(ctx: ReportContext) -> pd.DataFrame:
    """Validation findings as where, which rule and how many rows (counts
    disclosure-controlled like any count); never examples or messages, which can quote
    ids."""
    if "validation" in ctx.shared:
        return pd.DataFrame.from_records(
            ctx.shared["validation"], columns=["severity", "table", "column", "rule", "rows"])
    from equity.disclosure import apply_disclosure
    from equity.result import make_result
    from equity.validation import require_valid

    # The report the context's load already made (kept on the dataset), not a second run.
    frame = require_valid(ctx.dataset).to_frame().reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=["severity", "table", "column", "rule", "rows"])
    # Each finding its own one-row table (no totals link them), controlled as any count.
    counts = make_result(pd.DataFrame({
        "variant": [f"{i}" for i in range(len(frame))], "group_var": "rows",
        "group": "rows", "numerator": frame["count"].astype("float64").to_numpy(),
        "status": "not_applicable"}), indicator="validation", period=ctx.period)
    shown = apply_disclosure(counts, mode=ctx.disclosure)["numerator"]
    return frame[["severity", "table", "column", "rule"]].assign(
        rows=[_count(v) for v in shown])


def _declaration_sentence(ctx: ReportContext, grouping: str, row: dict[str, Any]) -> str:
    """"Ethnicity recorded for 85.7% (...) of AHPs in ...". A share withheld because,
    worked out from the rounded counts, it would read 100% says the exact conclusion
    instead: all but a few, as many as the rounding can hide (two counts rounded to the same
    multiple of 5 differ by at most 4; 38 of 42 is 90.5%, not "almost all"). (None can read
    0% falsely: a count of 1-7 is withheld, not rounded to 0.)"""
    from equity.disclosure import ROUNDING

    what = f"{grouping.replace('_', ' ').capitalize()} recorded for"
    whom = f"{ctx.people} in {ctx.directorate or 'the trust'}, {ctx.period}"
    if is_finite(row["value"]):
        return f"{what} {_figure(row)} of {whom}."
    if row["denominator"] > 0 and row["numerator"] == row["denominator"]:  # (NaN: False)
        return (f"{what} all but a few {whom} (fewer than {ROUNDING} not recorded; the share "
                "is withheld: worked out from the rounded counts it would read 100%).")
    return f"{what} {whom}: the share is withheld (small numbers)."


def data_quality_section(ctx: ReportContext) -> Section:
    """Declaration rates (one sentence) and validation findings (counts only)."""
    sec = Section()
    decl = _top(_rows(ctx.results(), ["declaration_rate"]))
    decl = decl.loc[decl["group"].isin(["Declared", "declared"]) | decl["group"].notna()]
    said = []
    for gv, rows in decl.groupby("group_var", sort=False):
        said.append(_declaration_sentence(ctx, str(gv), rows.iloc[0].to_dict()))
    if said:
        sec.add(Narrative(tuple(said), heading="Declaration rates"))
    table = validation_table(ctx)
    if table.empty:
        return sec.add(Note("Validation found no problems in the data."))
    errors = int((table["severity"] == "error").sum())
    return sec.add(Note(
        f"Validation (whole dataset) found {len(table)} problem(s), {errors} of them errors: "
        + "; ".join(f"{r['table']}.{r['column']} {r['rule']}"
                    + ("" if r["rule"] in WHOLE_TABLE_RULES else f" ({r['rows']} rows)")
                    for r in table.head(6).to_dict("records"))
        + ("; ..." if len(table) > 6 else "") + ". Run `equity validate` for the full list."))


def methods_section(ctx: ReportContext) -> Section:
    """How the figures are worked out, in short, with where the full definitions are."""
    refs = ", ".join(f"{k}: {v}" for k, v in ctx.reference_groups.items())
    return Section().add(Note(
        "Rates have Wilson 95% intervals; relative likelihoods have Koopman 95% intervals and "
        "Fisher exact p-values, and are judged on the point estimate against NHS England's "
        "non-adverse range 0.80-1.25 (the four-fifths rule), in the direction of harm each "
        "standard defines; a pay gap above 5% of the reference group's pay is called adverse "
        "(a library threshold: the regulations set none). 'Too few people to tell' means fewer "
        "than 10 people in a group, or counts so small that no figure could be published at "
        "any level of the ladder. "
        + ("Figures pooled over three years add up each year's events and people. "
           if "pooled" in _rungs(ctx) else "")
        + f"Reference groups: {refs}. Every indicator's definition and source: "
        "docs/methodology.md in the equity repository."))


def disclosure_section(ctx: ReportContext) -> Section:
    """The disclosure note for the mode applied."""
    from equity.disclosure import disclosure_banner, disclosure_note

    return Section().add(Note(disclosure_note(ctx.disclosure),
                              kind="warning" if disclosure_banner(ctx.disclosure) else "note"))


def provenance_section(ctx: ReportContext) -> Section:
    """Data fingerprint, parameters and library version of this report."""
    from equity import __version__
    from equity.report.context import data_fingerprint

    table = pd.DataFrame({
        "Item": ["Data fingerprint (SHA-256)", "Scope", "Disclosure", "equity version"],
        "Value": [ctx.shared.get("fingerprint") or data_fingerprint(ctx.data_path),
                  ctx.scope_label, ctx.disclosure, __version__],
    })
    return Section().add(plots.Table(table, caption="How this report was produced"))


# --------------------------------------------------------------------------- trust overview


def by_directorate(ctx: ReportContext, indicator: str, *, pooled: bool = False,
                   exact: bool = False) -> pd.DataFrame:
    """One published row per directorate for an indicator: every group together (the
    staff group's rate in that directorate), plus the trust's own row (``directorate``
    None), disclosure-controlled as one table; built once per report (the comparison table
    and the funnel plots both show it). ``pooled``: the report's year and the two before it
    added up (events and people), as the findings pool them; empty without both earlier
    years. ``exact``: the same before disclosure control (never shown: what a published
    figure's verdict is checked against)."""
    key = ("by_directorate", indicator, pooled)
    if key not in ctx._cache:
        periods = [ctx.period]
        if pooled:
            earlier = ctx.earlier_periods(2)
            periods = [ctx.period, *earlier] if len(earlier) == 2 else []
        ctx._cache[key] = _by_directorate(ctx, indicator, periods)
    published, table = ctx._cache[key]
    return table if exact else published


def _by_directorate(ctx: ReportContext, indicator: str, periods: Sequence[str]
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    from equity.disclosure import apply_disclosure
    from equity.report.context import EARLIER_FAMILIES
    from equity.result import make_result

    parts = []
    for p in periods:
        fam = OVERVIEW_FUNCTIONS[indicator]
        if p != ctx.period and fam not in EARLIER_FAMILIES:
            fam = "equality_rates"  # the years before: WRES 2-4 and WDES 2-3 alone
        split = bare(ctx.family(fam, period=p, directorate=None, within=("directorate",)))
        rows = split.loc[(split["indicator"] == indicator) & split["variant"].isna()
                         & (split["group_var"] == "ethnicity") & split["directorate"].notna()]
        if indicator == "wres_2":  # appointment rate: appointed / shortlisted
            rows = rows.loc[rows["group"].isin(["White", "BME", "Unknown"])]
        parts.append(rows)
    # A year the indicator is not computed for (no rows: a leavers extract that does not
    # reach it) leaves no figure "over three years" (the years that are would be summed
    # under a label naming all three).
    if not parts or any(p.empty for p in parts):
        return pd.DataFrame(), pd.DataFrame()
    rows = pd.concat(parts, ignore_index=True)
    per = rows.groupby("directorate", as_index=False)[["numerator", "denominator"]].sum()
    per = per.loc[per["denominator"] > 0]
    if per.empty:
        return per, per
    total = per[["numerator", "denominator"]].sum()
    label = periods[0] if len(periods) == 1 else f"{periods[-1]} to {periods[0]}"
    num = np.array([*per["numerator"], total["numerator"]], dtype=float)
    den = np.array([*per["denominator"], total["denominator"]], dtype=float)
    # Each rate with its Wilson interval (in publication mode worked out again from the
    # rounded counts; internal mode shows these).
    rates = stats.proportion(num, den)
    table = make_result(pd.DataFrame({
        "directorate": [*per["directorate"], None], "group_var": "all", "group": "all",
        "numerator": num, "denominator": den, "value": rates["value"].to_numpy(),
        "ci_low": rates["ci_low"].to_numpy(), "ci_high": rates["ci_high"].to_numpy(),
        "status": "not_applicable"}), indicator=indicator, period=label)
    return apply_disclosure(table, mode=ctx.disclosure), table


def directorate_comparison_section(ctx: ReportContext) -> Section:
    """Each directorate's rate (every group together) with its interval, against the trust;
    beside it the same over three years together, which a directorate too small for this
    year's rate can often publish."""
    sec = Section()
    recs = []
    three = ""
    for ind in OVERVIEW_FUNCTIONS:
        pub = by_directorate(ctx, ind)
        pooled = by_directorate(ctx, ind, pooled=True)
        if len(pooled):
            three = f"{pooled['period'].iloc[0]} together: rate (95% CI)"
        over = {r["directorate"]: r for r in pooled.to_dict("records")}
        for r in pub.to_dict("records"):
            rec = {"Measure": _rate_title(ind),
                   "Directorate": r["directorate"] or "Whole trust",
                   "Number": _count(r["numerator"]), "Out of": _count(r["denominator"]),
                   "Rate (95% CI)": _figure(r, "proportion")}
            if three:
                o = over.get(r["directorate"])
                rec[three] = _figure(o, "proportion") if o is not None else ""
            recs.append(rec)
    if not recs:
        return sec.add(Note(_not_computed(ctx, list(OVERVIEW_FUNCTIONS)) or
                            "No directorate figures for this scope."))
    notes = [_disclosure_line(ctx)]
    if three:
        notes.insert(0, "Three years together: each year's events and people added up"
                     + (", so a directorate whose rate this year is withheld (small numbers) "
                        "can often be compared over three." if ctx.disclosure == "publication"
                        else ", a steadier rate where one year's numbers are small."))
    return sec.add(plots.Table(pd.DataFrame(recs).fillna(""),
                               caption=f"Directorates compared ({ctx.scope_label})",
                               notes=notes))


def _rate_title(indicator: str) -> str:
    return RATE_TITLES.get(indicator, REGISTRY[indicator].title)


def profession_comparison_section(ctx: ReportContext) -> Section:
    """Professions compared: the staff group's professions by ethnic group (published
    counts and shares); the professions too small to publish alone rolled up into one row."""
    res = ctx.results(families=("representation",), within=("profession",))
    every = res.loc[(res["indicator"] == "representation") & (res["group_var"] == "ethnicity")
                    & res["profession"].notna() & (res["group"] == "BME")]
    rows = every.loc[every["value"].map(is_finite)]
    hidden = sorted(set(every["profession"]) - set(rows["profession"]))
    together = _professions_together(ctx, hidden) if len(hidden) > 1 else None
    if together is not None:
        rows = pd.concat([rows, together], ignore_index=True)
    if rows.empty:
        return Section().add(Note("No profession's ethnic mix can be published for this "
                                  "scope (small numbers)."))
    notes = [_disclosure_line(ctx)]
    if together is not None:
        notes.append("Each one's BME share withheld alone (a count of 1 to 7 in it, however "
                     f"many staff the profession has), so counted together: {', '.join(hidden)}.")
    elif hidden:
        notes.append(f"Not listed, their BME share withheld (small numbers): "
                     f"{', '.join(hidden)}.")
    frame = pd.DataFrame({"Profession": rows["profession"].to_numpy(),
                          "BME staff": [_count(v) for v in rows["numerator"]],
                          "All staff": [_count(v) for v in rows["denominator"]],
                          "BME share (95% CI)": [_figure(r) for r in rows.to_dict("records")]})
    return Section().add(plots.Table(frame, caption=f"BME share by profession "
                                                    f"({ctx.scope_label})", notes=notes))


def _professions_together(ctx: ReportContext, professions: Sequence[str]
                          ) -> pd.DataFrame | None:
    """The BME row of ``professions`` counted as one (each group's staff and all staff added
    up, share and interval as the representation indicator works them out),
    disclosure-controlled; None when it cannot be published either."""
    from equity.disclosure import apply_disclosure
    from equity.measures._common import as_groupings, rate_rows

    raw = bare(ctx.family("representation", within=("profession",)))
    sel = raw.loc[(raw["indicator"] == "representation") & (raw["group_var"] == "ethnicity")
                  & raw["variant"].isna() & raw["profession"].isin(list(professions))]
    if sel.empty:
        return None
    sums = sel.groupby("group", sort=False, as_index=False)[["numerator", "denominator"]].sum()
    label = f"{len(professions)} professions together"
    rows = rate_rows(sums.assign(profession=label), indicator="representation",
                     period=ctx.period, numerator="numerator", denominator="denominator",
                     gs=as_groupings("ethnicity"), within=["profession"], compare=False)
    pub = apply_disclosure(rows, mode=ctx.disclosure)
    bme = pub.loc[(pub["group"] == "BME") & pub["value"].map(is_finite)]
    return bme if len(bme) else None


def _published(table: pd.DataFrame) -> int:
    """How many directorates' rates ``table`` (:func:`by_directorate`) publishes."""
    if table.empty:
        return 0
    return int((table["directorate"].notna() & table["value"].map(is_finite)).sum())


def _funnel_rows(ctx: ReportContext, indicator: str) -> tuple[pd.DataFrame, str]:
    """The rows a funnel plot shows, and their period: this year's, unless small numbers
    withhold some directorate's rate and the three years together publish more of them (a
    funnel of two directorates out of five says little)."""
    year = by_directorate(ctx, indicator)
    hidden = (int(year["directorate"].notna().sum()) - _published(year)) if len(year) else 0
    if hidden:
        pooled = by_directorate(ctx, indicator, pooled=True)
        if _published(pooled) > _published(year):
            return pooled, f"{pooled['period'].iloc[0]} together"
    return year, ctx.period


def _funnel_limits(rows: pd.DataFrame, target: float, dispersed: bool) -> pd.DataFrame:
    """Each unit's funnel limits around ``target``: OHID Fingertips' method, with an
    over-dispersion adjustment where ``dispersed`` (many units to estimate it from)."""
    return stats.funnel_limits(rows["numerator"], rows["denominator"], target=target,
                               method="wilson",
                               overdispersion="additive" if dispersed else False)


def _funnel_misplaced(ctx: ReportContext, indicator: str, units: pd.DataFrame,
                      target: float, when: str, dispersed: bool) -> dict[str, str]:
    """Directorates whose published (rounded) rate a funnel plot would place on the other
    side of a control limit than the exact one, with where the exact rate lies ("within the
    limits", "above the 95% limit"): rounding must not make a directorate stand out, or hide
    one that does (the overview's promotion funnel put Oxfordshire Community Services above
    the 95% limit from 10 of 150 against 2.7%; exactly 8 of 152 against 3.0% is within)."""
    if ctx.disclosure != "publication" or units.empty:
        return {}
    exact = by_directorate(ctx, indicator, pooled=when != ctx.period, exact=True)
    ex_trust = exact.loc[exact["directorate"].isna(), "value"]
    ex_units = exact.set_index("directorate").loc[units["directorate"]].reset_index()
    if ex_trust.empty:
        return {}

    def verdicts(lim: pd.DataFrame) -> list[str]:
        # the widest limit a rate is outside of, as the chart labels it
        return [next((f"{r[f'signal_{lv}']} the {lv}% limit" for lv in ("99.8", "95")
                      if r[f"signal_{lv}"] != "within"), "within the limits")
                for r in lim.to_dict("records")]

    shown = verdicts(_funnel_limits(units, target, dispersed))
    truth = verdicts(_funnel_limits(ex_units, float(ex_trust.iloc[0]), dispersed))
    return {str(d): t for d, s_, t in zip(units["directorate"], shown, truth, strict=True)
            if s_ != t}


def _funnel_grid(sizes: pd.Series) -> pd.Series:
    """The sizes a funnel plot draws its limits over: from half the smallest unit's to a
    tenth past the largest. From one person up, the limits span 0-100% and squash the
    points into a strip."""
    lo = max(1, int(sizes.min() * 0.5))
    return pd.Series(range(lo, int(sizes.max() * 1.1) + 2), dtype=float)


def funnels_section(ctx: ReportContext, *, indicators: Sequence[str] = tuple(OVERVIEW_FUNCTIONS)
            ) -> Section:
    """Funnel plots of each directorate's rate (every group together) against the trust's
    rate for the same indicator, population and period, from published counts."""
    from equity.stats import funnel_curve

    sec = Section()
    for ind in indicators:
        pub, when = _funnel_rows(ctx, ind)
        title = _rate_title(ind)
        units = pub.loc[pub["directorate"].notna() & pub["value"].map(is_finite)] if len(
            pub) else pub
        trust = pub.loc[pub["directorate"].isna()] if len(pub) else pub
        if pub.empty:  # not computed for these data: why, not "small numbers"
            why = _why_not_computed(ctx, [ind])
            if why:
                sec.add(Note(f"{title}: no funnel plot. Not computed from these data: "
                             f"{'; '.join(why)}."))
                continue
        if units.empty or trust.empty or not is_finite(trust["value"].iloc[0]):
            sec.add(Note(f"{title}: no directorate's figure can be published (small numbers), "
                         "so there is no funnel plot."))
            continue
        target = float(trust["value"].iloc[0])
        named = pub.loc[pub["directorate"].notna(), "directorate"]
        hidden = sorted(set(named) - set(units["directorate"]))
        not_shown = ([f"their figures withheld (small numbers): {', '.join(hidden)}"]
                     if hidden else [])
        # an over-dispersion adjustment only where many units can estimate it
        dispersed = len(units) >= 10
        moved = _funnel_misplaced(ctx, ind, units, target, when, dispersed)
        if moved:
            units = units.loc[~units["directorate"].isin(moved)]
            not_shown.append("worked out from the rounded counts they would sit on the other "
                             "side of a limit than exactly: "
                             + ", ".join(f"{d} (exactly {w})" for d, w in moved.items()))
        left_out = "".join(f"; not shown, {n}" for n in not_shown)
        if units.empty:
            sec.add(Note(f"{title}: no directorate's figure can be placed on a funnel plot as "
                         f"published (not shown, {'; '.join(not_shown)})."))
            continue
        grid = _funnel_grid(units["denominator"])
        unit_limits = _funnel_limits(units, target, dispersed)
        sec.add(plots.funnel(
            units.assign(suppressed=False), funnel_curve(unit_limits, grid),
            title=f"{title} by directorate, {ctx.group_label} ({when})", target=target,
            population=f"{_population(ctx, PHRASES.get(ind, ('staff',))[0])} in each "
                       f"directorate, {when}, from "
                       f"{'published (rounded)' if ctx.disclosure == 'publication' else 'exact'}"
                       f" counts{left_out}",
            method="Wilson score 95% and 99.8% limits (OHID Fingertips)"))
    return sec


__all__ = [
    "by_directorate", "data_quality_section", "development_section",
    "directorate_comparison_section", "disclosure_section", "formal_processes_section",
    "funnels_section", "groups_table", "headlines", "leaving_reasons_section", "load",
    "methods_section", "pay_gaps_section", "profession_comparison_section",
    "progression_section", "provenance_section", "quarterly_leaver_rate",
    "recruitment_section", "representation_section", "retention_section", "scorecard_section",
    "summary_section", "survey_section", "survival_section", "title_section", "trend_series",
    "trends_section", "validation_table", "workforce_profile_section",
]
