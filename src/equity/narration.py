"""Plain-English sentences from result rows (README.md "What a report says").

Each sentence states the figure, its 95% interval, the comparison and the status, and what the
figure does and does not show. Wording is driven by the indicator registry (title, unit,
direction of harm) plus a short phrase table below for the relative likelihoods, so that
reports, the index page and analysts' notebooks all say the same thing about the same row.

>>> import pandas as pd
>>> from equity.result import make_result
>>> row = make_result({"group_var": ["ethnicity"], "group": ["BME"], "reference_group": ["White"],
...                    "ratio": [1.6], "ratio_ci_low": [1.2], "ratio_ci_high": [2.1],
...                    "status": ["adverse"]}, indicator="wres_2", period="2024/25").iloc[0]
>>> print(sentence(row))
BME shortlisted applicants were less likely to be appointed than White shortlisted applicants: 0.62 times as likely (95% CI 0.48 to 0.83) (WRES 2 is stated as White / BME: 1.60), outside the non-adverse range 0.80-1.25. By the NHS convention this is an adverse finding.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from equity.codes import Period
from equity.errors import check_choice
from equity.registry import REGISTRY, IndicatorMeta
from equity.result import ADVERSE, FAVOURABLE, INSUFFICIENT, NOT_APPLICABLE, WITHIN
from equity.stats import NON_ADVERSE_RANGE

#: (who, "to <verb>") for relative likelihoods, so sentences read naturally (also the
#: population a report names under its charts: "shortlisted applicants").
PHRASES: dict[str, tuple[str, str]] = {
    "wres_2": ("shortlisted applicants", "to be appointed"),
    "wdes_2": ("shortlisted applicants", "to be appointed"),
    "wres_3": ("staff", "to enter the formal disciplinary process"),
    "wdes_3": ("staff", "to enter the formal capability process"),
    "wres_4": ("staff", "to access non-mandatory training or CPD"),
    "training_access": ("staff", "to access non-mandatory training or CPD"),
    "senior_representation": ("staff", "to be at Band 8a or above"),
    "leaver_rate": ("staff", "to leave"),
    "early_career_leaver_rate": ("new starters", "to leave early in their career"),
    "stability_index": ("staff", "to stay in post through the year"),
    "promotion_rate": ("staff", "to be promoted"),
    # a snapshot's ratio of shares (the odds of the higher of two band groups), not a flow
    # of people up the ladder (that is promotion)
    "pipeline_disparity": ("staff", "to be in the higher band group"),
    "representation_vs_benchmark": ("people", "to be represented in the workforce"),
}

SUPPRESSED_TEXT = "figure suppressed to protect confidentiality (small numbers)"
INSUFFICIENT_TEXT = "too few people to draw a conclusion"


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _ok(x: Any) -> bool:
    return not math.isnan(_num(x))


def format_value(value: Any, unit: str, *, digits: int | None = None) -> str:
    """Format one figure in its unit: proportions as percentages, gaps with their unit.

    Examples
    --------
    >>> format_value(0.2345, "proportion"), format_value(8.25, "percent")
    ('23.4%', '8.2%')
    >>> format_value(-5.0, "percentage_points"), format_value(1.234, "ratio")
    ('-5.0 pp', '1.23')
    >>> format_value(float("nan"), "ratio"), format_value(39.5, "count")
    ('n/a', '39.5')
    """
    v = _num(value)
    if math.isnan(v):
        return "n/a"
    if unit == "proportion":
        return f"{v * 100:.{1 if digits is None else digits}f}%"
    if unit == "percent":
        return f"{v:.{1 if digits is None else digits}f}%"
    if unit == "percentage_points":
        return f"{v:.{1 if digits is None else digits}f} pp"
    if unit == "count":
        # whole, or to one decimal where it is not (an average headcount of 39.5: "40"
        # beside a rate of 20.3% for 8 leavers would not add up)
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"
    return f"{v:.{2 if digits is None else digits}f}"


def _digits(r: float) -> int:
    # One decimal reads best for likelihoods ("1.6 times"); two near the range edges, where
    # 0.8 vs 0.84 decides the status.
    return 1 if abs(r - 1) >= 0.3 else 2


def _ratio(v: Any, digits: int) -> str:
    return f"{_num(v):.{digits}f}"


def _ci_text(lo: Any, hi: Any, digits: int) -> str:
    """" (95% CI lo to hi)" with ``digits`` decimals, more where a bound other than 1 would
    print as 1 ("0.77 to 1.00" beside "the interval excludes 1" reads as a contradiction:
    "0.77 to 0.995"); empty without both bounds.

    >>> _ci_text(0.771, 0.9951, 2), _ci_text(1.0004, 1.3, 2)
    (' (95% CI 0.77 to 0.995)', ' (95% CI 1.0004 to 1.30)')
    """
    def shown(x: float) -> str:
        d = digits
        while x != 1 and round(x, d) == 1 and d < 4:
            d += 1
        return _ratio(x, d)

    return f" (95% CI {shown(_num(lo))} to {shown(_num(hi))})" if _ok(lo) and _ok(hi) else ""


def _range_text(rng: tuple[float, float]) -> str:
    return f"{rng[0]:.2f}-{rng[1]:.2f}"


def _where(row: Mapping[str, Any]) -> str:
    values = [row.get(c) for c in ("directorate", "profession", "band")]
    parts = [str(v) for v in values
             if v not in (None, "") and not (isinstance(v, float) and math.isnan(v))]
    variant = variant_text(row)
    return f" ({', '.join([*parts, variant] if variant else parts)})" if parts or variant else ""


#: Variants said in other words than their name: the pipeline disparity ratio's two steps,
#: in bands; the likelihood of being senior, which leaves doctors out (an "all staff" figure
#: reads as everyone's).
VARIANT_WORDS: dict[tuple[str, str], str] = {
    ("pipeline_disparity", "lower to middle"): "Bands 6-7 rather than Bands 1-5",
    ("pipeline_disparity", "middle to upper"): "Band 8a and above rather than Bands 6-7",
    ("senior_representation", "likelihood of being senior"):
        "of staff on Agenda for Change bands, medical grades left out",
}


def variant_text(row: Mapping[str, Any]) -> str:
    """The row's variant in words ("" without one); an early-career leaver rate names the
    joiners it follows, which are not the period's: "within 12 months of joining, of those
    who joined in 2023/24" for 2024/25 (:func:`joined_in`)."""
    v = row.get("variant")
    if v in (None, "") or (isinstance(v, float) and math.isnan(v)):
        return ""
    if (str(row.get("indicator")), str(v)) in VARIANT_WORDS:
        return VARIANT_WORDS[(str(row.get("indicator")), str(v))]
    joined = joined_in(row)
    if joined is None:
        return str(v)
    months, rest = str(v).removeprefix("within ").split(" months", 1)
    return f"within {months} months of joining{rest}, of those who joined in {joined}"


def joined_in(row: Mapping[str, Any]) -> str | None:
    """The financial year(s) whose joiners an early-career leaver rate row follows: for
    2024/25 and "within 12 months", "2023/24"; for "2022/23 to 2024/25", "2021/22 to
    2023/24" (:func:`equity.measures.retention.early_career`: each joiner's window closes
    within the period). None for any other row."""
    months = re.fullmatch(r"within (\d+) months.*", str(row.get("variant")))
    if row.get("indicator") != "early_career_leaver_rate" or months is None:
        return None
    try:
        years = [Period.parse(p.strip()) for p in str(row.get("period")).split(" to ")]
    except Exception:  # a period this cannot read: nothing said of the joiners
        return None
    for _ in range(int(months.group(1)) // 12):
        years = [y.previous() for y in years]
    return " to ".join(y.label for y in years)


def _meta(row: Mapping[str, Any]) -> IndicatorMeta | None:
    return REGISTRY.get(str(row.get("indicator")))


def group_ratio(row: Mapping[str, Any], meta: IndicatorMeta) -> tuple[float, float, float]:
    """The row's ratio as rate(group) / rate(reference), with its interval.

    The standards state some ratios with the reference group on top (WRES 2 = White / BME;
    the registry's ``reference_on_top``); a sentence about the group always reads the other
    way round, so it never has to choose the direction again.
    """
    r, lo, hi = _num(row.get("ratio")), _num(row.get("ratio_ci_low")), _num(row.get("ratio_ci_high"))
    if not meta.reference_on_top:
        return r, lo, hi
    inv = lambda v: 1 / v if v > 0 else math.nan  # noqa: E731
    return inv(r), inv(hi), inv(lo)


def _ratio_sentence(row: Mapping[str, Any], meta: IndicatorMeta,
                    rng: tuple[float, float]) -> str:
    who, verb = PHRASES.get(meta.id, ("people", "to be counted"))
    group, ref = str(row.get("group")), str(row.get("reference_group"))
    if meta.id == "representation_vs_benchmark":
        return _benchmark_sentence(row)
    r = _num(row["ratio"])
    rg, lo, hi = group_ratio(row, meta)
    if row.get("status") == WITHIN:
        lead = f"{group} and {ref} {who} were about as likely {verb}"
    elif rg > 1:
        lead = f"{group} {who} were more likely {verb} than {ref} {who}"
    else:
        lead = f"{group} {who} were less likely {verb} than {ref} {who}"
    d = 2 if rg < 1 else _digits(rg)
    if any(_ok(x) and x != 1 and round(x, d) == 1 for x in (lo, hi)):
        d = 2  # "1.0 to 5.6" beside "the interval excludes 1" reads as a contradiction
    ci = _ci_text(lo, hi, d)
    where = "within" if rng[0] <= r <= rng[1] else "outside"
    stated = ""
    if meta.reference_on_top:
        # to two decimals, as NHS England publish it (and as the ratio read the other way
        # round beside it, "0.62 times ... stated as White / BME: 1.60", not 1.6)
        stated = f" ({meta.short} is stated as {ref} / {group}: {_ratio(r, 2)})"
    times = f"{_ratio(rg, d)} times as likely"
    if rg == 0 and _num(row.get("numerator")) == 0 and _num(row.get("denominator")) > 0:
        # "0.00 times as likely" alone hides that nobody in the group was counted doing it
        pooled = " to " in str(row.get("period"))  # people added up over the years
        times += (f" ({group} {who}: 0 of {_num(row['denominator']):,.0f}"
                  f"{', each counted once a year' if pooled else ''})")
    if meta.id == "pipeline_disparity":
        # an odds ratio, not a ratio of likelihoods: 60% against 70% in the higher band
        # group is 0.86 times as likely but odds 0.64 times (1.5 against 2.3 for each one
        # in the lower group)
        times = (f"{group} {who}'s odds of being in the higher group (people in it for each "
                 f"one in the lower) were {_ratio(rg, d)} times {ref} {who}'s")
    return (f"{lead}{_where(row)}: {times}{ci}{stated}, {where} the "
            f"non-adverse range {_range_text(rng)}.")


def _benchmark_sentence(row: Mapping[str, Any]) -> str:
    """Workforce share against the local population's share (the area in ``variant``)."""
    area = row.get("variant")
    at = f" in {area}" if isinstance(area, str) and area else ""
    share = format_value(row.get("value"), "proportion")
    r = _num(row.get("ratio"))
    ci = _ci_text(row.get("ratio_ci_low"), row.get("ratio_ci_high"), 2)
    so = represented(row.get("status"), above=r > 1)
    # (of staff whose ethnicity is recorded: the census has no "unknown", so the share
    # leaves them out, unlike the workforce shares elsewhere, which keep them in)
    return (f"{row.get('group')} staff were {share} of staff whose ethnicity is recorded: "
            f"{_ratio(r, 2)} times their share of the local population{at} (Census 2021)"
            f"{ci}, so {so}.")


def represented(status: Any, *, above: bool) -> str:
    """A workforce share against the local population's, in words: "about as represented
    ... (within the non-adverse range 0.80-1.25)" within the range (0.97 times is not "less
    represented"), else more or less represented (``above``: the share is the larger)."""
    if status == WITHIN:
        return ("about as represented in the workforce as in the population (within the "
                f"non-adverse range {_range_text(NON_ADVERSE_RANGE)})")
    return f"{'more' if above else 'less'} represented in the workforce than in the population"


#: Pay-gap variants that are parts of the whole gap (band-mix decomposition), with what the
#: part means.
GAP_PARTS: dict[str, str] = {
    "explained by band mix": "the part of the gap explained by {group} and {ref} staff being "
                             "in different {bands}",
    "within bands": "the part of the gap that remains between {group} and {ref} staff in the "
                    "same {band}",
}

#: What the staff table's ``band`` holds, in words (singular, plural), for :func:`sentence`'s
#: ``band``: Agenda for Change bands, medical grades (``equity.codes.MEDICAL_GRADES``), or both.
PAY_SCALE_WORDS: dict[str, tuple[str, str]] = {
    "band": ("band", "bands"), "grade": ("grade", "grades"),
    "band or grade": ("band or grade", "bands and grades"),
}


def _reads_zero(v: float) -> bool:
    """A gap (or a part of one) that reads 0.0 to the one decimal the sentences give."""
    return round(abs(v), 1) == 0


def _part_meaning(variant: str, v: float, group: Any, ref: Any, band: str = "band") -> str:
    """What the sign of a part of the mean gap says (the band-mix split of
    :func:`equity.pay_gap`): a positive band-mix part, that the group is more often in
    lower-paid bands; a positive within-bands part, that the group is paid less within the
    same band (weighted by the reference group's bands); "slightly" under one point.
    ``band``: a key of :data:`PAY_SCALE_WORDS` (medical staff are on grades)."""
    one, many = PAY_SCALE_WORDS[band]
    if _reads_zero(v):
        return (f": {one} mix makes no difference" if variant == "explained by band mix"
                else f": within the same {one} they are paid about the same")
    little = "slightly " if abs(v) < 1 else ""  # under a point of the reference's pay
    if variant == "explained by band mix":
        return (f": {group} staff are {little}more often in "
                f"{'lower' if v > 0 else 'higher'}-paid {many}")
    return (f": within the same {one}, {group} staff are paid {little}"
            f"{'less' if v > 0 else 'more'} than {ref} staff on average")


def _gap_sentence(row: Mapping[str, Any], meta: IndicatorMeta, band: str = "band") -> str:
    v = _num(row["value"])
    group, ref = row.get("group"), row.get("reference_group")
    fig = format_value(v, meta.unit)
    variant = row.get("variant")
    if meta.unit == "percent" and group and ref and group != ref:
        kind = "median" if "median" in meta.id else "mean"
        what = "bonus pay" if "bonus" in meta.id else "hourly pay"
        if isinstance(variant, str) and variant in GAP_PARTS:
            one, many = PAY_SCALE_WORDS[band]
            part = GAP_PARTS[variant].format(group=group, ref=ref, band=one, bands=many)
            return (f"{meta.title}, {part}: {v:.1f} points of the whole gap"
                    f"{_part_meaning(variant, v, group, ref, band)} (the two parts add up to the "
                    "whole gap, in % of the reference group's pay).")
        direction = "lower" if v > 0 else "higher"
        if v == 0:
            return f"{meta.title}{_where(row)}: 0.0%: {group} and {ref} {kind} {what} were the same."
        if _reads_zero(v):  # "0.0% lower" would read as no gap and a gap at once
            return (f"{meta.title}{_where(row)}: {fig}: {group} and {ref} {kind} {what} were "
                    f"almost the same ({group} {abs(v):.2f}% {direction}).")
        return (f"{meta.title}{_where(row)}: {fig}: {group} {kind} {what} was "
                f"{abs(v):.1f}% {direction} than {ref} {kind} {what}.")
    if meta.unit == "percentage_points":
        if _reads_zero(v):
            return (f"{meta.title}{_where(row)}: {fig}: the {group or 'group'} share of the "
                    "board is the same as its share of the workforce.")
        direction = "below" if v < 0 else "above"
        board = (100 * _num(row["numerator"]) / _num(row["denominator"])
                 if _ok(row.get("numerator")) and _ok(row.get("denominator"))
                 and _num(row["denominator"]) > 0 else float("nan"))
        shares = ((f" ({board:.1f}%)", f" ({board - v:.1f}%)") if _ok(board) else ("", ""))
        return (f"{meta.title}{_where(row)}: {fig}: the {group or 'group'} share of the board"
                f"{shares[0]} is {abs(v):.1f} percentage points {direction} its share of the "
                f"workforce{shares[1]}{_board_ratio(row)}.")
    return f"{meta.title}{_where(row)}: {fig}."


def _board_ratio(row: Mapping[str, Any]) -> str:
    """": 1.69 times its workforce share (95% CI 0.70 to 3.00)" for a board row compared
    with the workforce (WRES 9, WDES 10); empty without a ratio."""
    r = _num(row.get("ratio"))
    if not _ok(r):
        return ""
    ci = _ci_text(row.get("ratio_ci_low"), row.get("ratio_ci_high"), 2)
    return f": {_ratio(r, 2)} times its workforce share{ci}"


def sentence(row: Mapping[str, Any] | pd.Series, *,
             non_adverse_range: tuple[float, float] = NON_ADVERSE_RANGE,
             caveats: bool = False, band: str = "band") -> str:
    """One plain-English sentence for one result row.

    Parameters
    ----------
    row
        A row of a result table (:data:`equity.result.RESULT_COLUMNS`).
    non_adverse_range
        The range the status was judged against (NHS England default 0.80-1.25).
    caveats
        Add what the figure does not show (significance, cause).
    band
        What the staff's ``band`` holds, for the parts of a pay gap: ``"band"`` (Agenda
        for Change), ``"grade"`` (medical grades) or ``"band or grade"`` (both).

    Returns
    -------
    str

    Notes
    -----
    The status follows the NHS convention on the point estimate (docs/methodology.md "Statuses:
    what can be said"); whether the 95% interval includes 1 is said beside it, never folded
    into it. Suppressed figures and groups below the minimum size are said as such, never
    given a number.
    """
    check_choice("band", band, list(PAY_SCALE_WORDS))
    r = dict(row)
    meta = _meta(r)
    title = meta.title if meta else str(r.get("indicator"))
    group = r.get("group")
    label = f"{title}{_where(r)}" + (f", {group}" if group else "")
    if bool(r.get("suppressed")):
        return f"{label}: {SUPPRESSED_TEXT}."
    status = r.get("status")
    if status == INSUFFICIENT:
        ref = r.get("reference_group")
        vs = f" comparing {group} with {ref}" if ref and ref != group else ""
        return f"{label}: {INSUFFICIENT_TEXT}{vs}."
    if meta is None:
        return f"{label}: {format_value(r.get('value'), 'ratio')}."
    # The board against the workforce (WRES 9, WDES 10): the standard's difference in
    # points, its ratio beside it, the status judged on the ratio; else a ratio's sentence.
    board = meta.unit == "percentage_points" and _ok(r.get("value"))
    judged = _ok(r.get("ratio"))
    if board or (status in (ADVERSE, FAVOURABLE, WITHIN) and judged):
        text = _gap_sentence(r, meta) if board else _ratio_sentence(r, meta, non_adverse_range)
        if judged and status in (ADVERSE, FAVOURABLE):  # on the point estimate, as NHS England
            verdict = "an adverse" if status == ADVERSE else "a favourable"
            # (the NHS range is set for likelihoods: on the pipeline's odds ratio it is this
            # library's rule, and said so)
            by = ("Judged by the same range on the odds (a library method), this"
                  if meta.id == "pipeline_disparity" else "By the NHS convention this")
            text += f" {by} is {verdict} finding."
        if caveats and judged:
            text += " " + _caveat(r)
        return text
    if meta.unit == "percent" and _ok(r.get("value")):
        text = _gap_sentence(r, meta, band)
        # No gap, nothing to explain: "why the difference arises" would assert one.
        return text + (" " + _caveat(r) if caveats and not _reads_zero(_num(r["value"])) else "")
    if not _ok(r.get("value")):
        return f"{label}: no figure (the data hold nobody in this group)."
    ci = ""
    if _ok(r.get("ci_low")) and _ok(r.get("ci_high")):
        ci = (f" (95% CI {format_value(r['ci_low'], meta.unit)} to "
              f"{format_value(r['ci_high'], meta.unit)})")
    text = f"{label}: {format_value(r['value'], meta.unit)}{ci}."
    if status == NOT_APPLICABLE and caveats:
        text += " This is a description, not a comparison between groups."
    return text


def _includes_one(r: Mapping[str, Any]) -> bool | None:
    """Whether the ratio's 95% interval includes 1 (None when it has none)."""
    lo, hi = _num(r.get("ratio_ci_low")), _num(r.get("ratio_ci_high"))
    if math.isnan(lo) or math.isnan(hi):
        return None
    return lo <= 1 <= hi


def _caveat(r: Mapping[str, Any]) -> str:
    includes = _includes_one(r)
    if includes is None:
        return "It does not show why the difference arises."
    if not includes:
        sig = "The 95% interval excludes 1, so chance alone is an unlikely explanation"
    else:
        sig = "The 95% interval includes 1, so the data are also consistent with no difference"
    return f"{sig}; the figure does not show why the difference arises."


#: What a judged ratio's 95% interval says beyond its status (:func:`chance_of`), after "The
#: 95% interval" (a figure shown) or "Its 95% interval, withheld with it," (a status kept
#: where disclosure control withholds the figure).
CHANCE_WORDS: dict[str, str] = {
    "includes": "includes 1, so this could be chance.",
    "excludes": "excludes 1: a difference within the non-adverse range, but unlikely to be "
                "chance alone.",
}


def chance_clause(row: Mapping[str, Any] | pd.Series) -> str:
    """" The 95% interval includes 1, so this could be chance." beside an adverse or
    favourable status stated without :func:`sentence`'s longer caveats (a report's summary,
    a comparison with the rest of the trust): the NHS convention judges the point estimate,
    so "0.00 times as likely (95% CI 0.00 to 2.45) ... an adverse finding" must not read as
    settled beyond chance. Beside "within the non-adverse range", an interval that excludes
    1 is said too ("about as likely ... 0.89 times (95% CI 0.81 to 0.95)" is a small
    difference, not none). Empty otherwise."""
    kind = chance_of(row)
    return f" The 95% interval {CHANCE_WORDS[kind]}" if kind else ""


def chance_of(row: Mapping[str, Any] | pd.Series) -> str | None:
    """What :func:`chance_clause` says of a row: ``"includes"`` (an adverse or favourable
    status whose interval includes 1), ``"excludes"`` (a status within the range whose
    interval excludes 1) or None."""
    r = dict(row)
    if not _ok(r.get("ratio")) or _includes_one(r) is None:
        return None
    if r.get("status") in (ADVERSE, FAVOURABLE) and _includes_one(r):
        return "includes"
    if r.get("status") == WITHIN and not _includes_one(r):
        return "excludes"
    return None


def describe(result: pd.DataFrame, *, indicator: str | None = None,
             statuses: Iterable[str] | None = None, caveats: bool = False,
             non_adverse_range: tuple[float, float] = NON_ADVERSE_RANGE) -> list[str]:
    """Sentences for the rows of a result table (optionally one indicator / some statuses).

    Reference-group rows of a comparison (they carry no ratio of their own) are left out, so
    each comparison is said once.
    """
    df = result
    if indicator is not None:
        df = df.loc[df["indicator"] == indicator]
    if statuses is not None:
        df = df.loc[df["status"].isin(list(statuses))]
    out = []
    for row in df.to_dict("records"):
        is_reference_row = (row.get("reference_group") is not None
                            and row.get("group") == row.get("reference_group"))
        if is_reference_row:
            continue
        out.append(sentence(row, caveats=caveats, non_adverse_range=non_adverse_range))
    return out


@dataclass(frozen=True)
class Narrative:
    """A list of sentences that displays as a bulleted list in notebooks and HTML."""

    sentences: tuple[str, ...]
    heading: str | None = None

    def _repr_html_(self) -> str:
        head = f"<p><strong>{html.escape(self.heading)}</strong></p>" if self.heading else ""
        if not self.sentences:
            return head + "<p>Nothing to report for this section.</p>"
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        return f'{head}<ul class="equity-narrative">{items}</ul>'

    def _repr_markdown_(self) -> str:
        head = f"**{self.heading}**\n\n" if self.heading else ""
        return head + "\n".join(f"- {s}" for s in self.sentences)

    def __str__(self) -> str:
        return "\n".join(self.sentences)


def narrative(result: pd.DataFrame, *, indicator: str | None = None, heading: str | None = None,
              caveats: bool = True, max_sentences: int | None = 12) -> Narrative:
    """A :class:`Narrative` for a result table: adverse findings first, then the rest."""
    order = {ADVERSE: 0, FAVOURABLE: 1, WITHIN: 2, INSUFFICIENT: 3, NOT_APPLICABLE: 4}
    df = result
    if indicator is not None:
        df = df.loc[df["indicator"] == indicator]
    df = df.assign(_o=df["status"].map(order).fillna(9)).sort_values("_o", kind="stable")
    sents = describe(df.drop(columns="_o"), caveats=caveats)
    if max_sentences is not None:
        sents = sents[:max_sentences]
    return Narrative(tuple(sents), heading)


def upper_first(text: str) -> str:
    """``text`` with its first letter a capital, the rest as written (a level label that
    opens a sentence: "all staff trust-wide, 2024/25" -> "All staff trust-wide, 2024/25";
    :meth:`str.capitalize` would lower "AHPs" and "BME").

    >>> upper_first("all staff in Older People, 2024/25: BME staff ...")
    'All staff in Older People, 2024/25: BME staff ...'
    """
    return text[:1].upper() + text[1:]


def not_available(section: str, reason: str | None = None) -> Narrative:
    """The note a report shows when a section's indicators are not there (yet)."""
    why = f" {reason}" if reason else ""
    return Narrative((f"{section}: not yet available.{why}",))


__all__ = [
    "CHANCE_WORDS", "INSUFFICIENT_TEXT", "PHRASES", "SUPPRESSED_TEXT", "VARIANT_WORDS",
    "Narrative", "chance_clause", "chance_of", "describe", "represented",
    "format_value", "narrative", "not_available", "sentence", "upper_first",
]
