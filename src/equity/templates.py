"""WRES and WDES figures laid out like NHS England's annual data-collection returns.

Trusts submit their Workforce Race Equality Standard (WRES) indicators and Workforce
Disability Equality Standard (WDES) metrics to NHS England each year (the WDES through the
Data Collection Framework, DCF). :func:`standard_template` lays out figures equity has
*already computed and put through disclosure control* in that shape: one sheet per group of
indicators, each indicator under its published wording, the groups as columns, the AfC
bands as rows, in the standard's order, withheld figures as ``*``. Nothing is recomputed:
every cell is a cell of the result table (counts from ``numerator`` / ``denominator``,
percentages from ``value``, relative likelihoods from ``ratio``). :func:`write_template`
writes it as a workbook.

Sources of the headings (docs/methodology.md "WRES and WDES data-collection layout" quotes
them). NHS England's template files themselves (the Excel returns behind the WRES and WDES
collections) were not available to us, so the layout follows the published wording of each
indicator, not a copy of the file:

- NHS England, *Workforce Race Equality Standard (WRES) indicators* (publication page),
  https://www.england.nhs.uk/publication/workforce-race-equality-standard-wres-indicators/ :
  nine indicators, "Four of the indicators focus on workforce data, four are based on data
  from the national NHS Staff Survey questions, and one indicator focuses upon BME
  representation on Boards" (the four sheets of the WRES layout).
- NHS England, *Medical Workforce Race Equality Standard (MWRES): WRES indicators for the
  medical workforce 2020* (July 2021), whose contents list the WRES indicators' wording
  (WRES 1-4 and 6-9 headings here).
- NHS England, *NHS Workforce Disability Equality Standard (WDES) 2023: Metrics*
  (publication reference B1710-ii), https://www.england.nhs.uk/long-read/nhs-wdes-2023-metrics/
  (WDES 1 heading) and *NHS WDES 2023: quick guide to implementation* (B1710-iv): metrics 1
  and 10 from the Electronic Staff Record, 2 from recruitment data, 3 from HR data, 4 to 9a
  from the NHS Staff Survey, 9b narrative.
- NHS England South East, *Advancing disability equality* (WDES metrics 2, 3, 6 and 8
  wording), https://www.england.nhs.uk/south-east/health-equalities/workforce-equality-and-diversity/advancing-race-disability-and-lgbtq-equality/advancing-disability-equality/
- Trusts' published returns, where NHS England's pages were silent: North Cumbria Integrated
  Care NHS Foundation Trust, *WRES report 2025* and *WDES report 2025* (WRES 5, WDES 4 and 5
  wording); Countess of Chester Hospital NHS Foundation Trust, *WDES metrics and action plan
  2024-2025* (the metric 1 column headings "% Disabled", "% Non-disabled", "% Disability
  Unknown/Null" and section headings "Total Workforce", "1a) Non Clinical Staff").

Every heading's source is in :data:`HEADINGS`; headings no source gave are equity's
own wording, and the workbook's About sheet says which.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from equity import codes
from equity.errors import InputError, OutputError, check_choice
from equity.export import (
    WITHHELD,
    atomic_write,
    check_out,
    guard_outputs,
    latest_period,
    neutralise,
    print_warnings,
    read_input,
    record_outputs,
    withheld,
)
from equity.registry import REGISTRY

Standard = Literal["wres", "wdes"]
STANDARDS: tuple[str, ...] = ("wres", "wdes")

_WRES_PAGE = ("NHS England, Workforce Race Equality Standard (WRES) indicators, "
              "https://www.england.nhs.uk/publication/workforce-race-equality-standard-wres-indicators/")
_MWRES = ("NHS England, Medical Workforce Race Equality Standard (MWRES): WRES indicators for "
          "the medical workforce 2020 (July 2021), contents")
_WDES_METRICS = ("NHS England, NHS Workforce Disability Equality Standard (WDES) 2023: Metrics "
                 "(B1710-ii), https://www.england.nhs.uk/long-read/nhs-wdes-2023-metrics/")
_WDES_SE = ("NHS England South East, Advancing disability equality, https://www.england.nhs.uk/"
            "south-east/health-equalities/workforce-equality-and-diversity/"
            "advancing-race-disability-and-lgbtq-equality/advancing-disability-equality/")
_NCIC_WRES = ("North Cumbria Integrated Care NHS FT, Workforce Race Equality Standard (WRES) "
              "report 2025, https://www.ncic.nhs.uk/trust/equality-diversity-and-inclusion/"
              "workforce-race-equality-standard-wres-report-2025")
_NCIC_WDES = ("North Cumbria Integrated Care NHS FT, Workforce Disability Equality Standard "
              "(WDES) report 2025, https://www.ncic.nhs.uk/trust/equality-diversity-and-inclusion/"
              "workforce-disability-equality-standard-wdes-report-2025")
_COCH = ("Countess of Chester Hospital NHS FT, Workforce Disability Equality Standard (WDES) "
         "Metrics and Action Plan 2024-2025, https://coch.nhs.uk/corporate-information/"
         "corporate-documents/workforce-disability-equality-standard-(wdes)-metrics-and-action-"
         "plan-2024-2025.aspx")
EQUITY_WORDING = "equity's wording: no published wording found"

#: Each indicator's heading in the layout: (id, heading, source). Published wording is
#: quoted exactly (the sources' spelling and capitals); equity's own titles are marked
#: :data:`EQUITY_WORDING`.
HEADINGS: dict[str, tuple[str, str]] = {
    "wres_1": ("Percentage of staff in each of the Agenda for Change (AfC) Bands 1–9 and VSM "
               "(including executive board members) compared with the percentage of staff in "
               "the overall workforce", _MWRES),
    "wres_2": ("Relative likelihood of white applicants being appointed from shortlisting "
               "compared to BME applicants", _MWRES),
    "wres_3": ("Relative likelihood of BME staff entering the formal disciplinary process "
               "compared to white staff", _MWRES),
    "wres_4": ("Relative likelihood of white staff accessing non-mandatory training and "
               "continuous professional development (CPD) compared to BME staff", _MWRES),
    "wres_5": ("Percentage of staff experiencing harassment, bullying or abuse from patients, "
               "relatives, or the public in last 12 months", _NCIC_WRES),
    "wres_6": ("Percentage of staff experiencing harassment, bullying or abuse from staff in "
               "the last 12 months", _MWRES),
    "wres_7": ("Percentage of staff believing that their trust provides equal opportunities "
               "for career progression or promotion", _MWRES),
    "wres_8": ("In the last 12 months have you personally experienced discrimination at work "
               "from a manager, team leader or other colleagues?", _MWRES),
    "wres_9": ("Percentage difference between the organisation’s board voting membership and "
               "its overall workforce", _MWRES),
    "wdes_1": ("Percentage of staff in Agenda for Change (AfC) pay-bands or medical and dental "
               "subgroups and very senior managers (including Executive Board members) "
               "compared with the percentage of staff in the overall workforce", _WDES_METRICS),
    "wdes_2": ("Relative likelihood of non-Disabled staff compared to Disabled staff being "
               "appointed from shortlisting across all posts", _WDES_SE),
    "wdes_3": ("Relative likelihood of Disabled staff entering the formal capability process, "
               "as measured by entry into the formal capability procedure", _WDES_SE),
    "wdes_4": (REGISTRY["wdes_4"].title.split(": ", 1)[1].capitalize(), EQUITY_WORDING),
    "wdes_5": ("Percentage of Disabled staff compared to non-Disabled staff believing that the "
               "Trust provides equal opportunities for career progression or promotion",
               _NCIC_WDES),
    "wdes_6": ("Percentage of Disabled staff compared to non-Disabled staff saying that they "
               "have felt pressure from their manager to come to work, despite not feeling "
               "well enough to perform their duties", _WDES_SE),
    "wdes_7": (REGISTRY["wdes_7"].title.split(": ", 1)[1].capitalize(), EQUITY_WORDING),
    "wdes_8": ("Percentage of Disabled staff saying that their employer has made adequate "
               "adjustment(s) to enable them to carry out their work", _WDES_SE),
    "wdes_9": (REGISTRY["wdes_9"].title.split(": ", 1)[1].capitalize(), EQUITY_WORDING),
    "wdes_10": (REGISTRY["wdes_10"].title.split(": ", 1)[1].capitalize(), EQUITY_WORDING),
}


@dataclass(frozen=True)
class _Spec:
    """What differs between the two standards' layouts."""

    name: str
    group_var: str
    #: Result groups in the template's column order, with their column headings (WDES as
    #: the Countess of Chester table: Disabled, Non-disabled, Disability Unknown/Null).
    groups: tuple[tuple[str, str], ...]
    workforce: str  # metric 1
    likelihoods: tuple[str, ...]  # 2-4 / 2-3
    survey: tuple[str, ...]
    board: str
    sheets: tuple[str, str, str, str]
    word: str  # "Indicator" / "Metric"


_SPECS: dict[str, _Spec] = {
    "wres": _Spec("WRES", "ethnicity",
                  (("White", "White"), ("BME", "BME"), ("Unknown", "Unknown/Null")),
                  "wres_1", ("wres_2", "wres_3", "wres_4"),
                  ("wres_5", "wres_6", "wres_7", "wres_8"), "wres_9",
                  ("Indicator 1", "Indicators 2-4", "Indicators 5-8", "Indicator 9"),
                  "Indicator"),
    "wdes": _Spec("WDES", "disability",
                  (("Disabled", "Disabled"), ("Non-disabled", "Non-disabled"),
                   ("Unknown", "Disability Unknown/Null")),
                  "wdes_1", ("wdes_2", "wdes_3"),
                  tuple(f"wdes_{i}" for i in range(4, 10)), "wdes_10",
                  ("Metric 1", "Metrics 2-3", "Metrics 4-9", "Metric 10"), "Metric"),
}

#: Rows of the likelihood indicators: (column, label) per indicator, in order.
_LIKELIHOOD_ROWS: dict[str, tuple[tuple[str, str], ...]] = {
    "appointment": (("denominator", "Number of shortlisted applicants"),
                    ("numerator", "Number appointed from shortlisting"),
                    ("value", "Likelihood of being appointed from shortlisting")),
    "wres_3": (("denominator", "Number of staff in workforce"),
               ("numerator", "Number of staff entering the formal disciplinary process"),
               ("value", "Likelihood of staff entering the formal disciplinary process")),
    "wres_4": (("denominator", "Number of staff in workforce"),
               ("numerator", "Number of staff accessing non-mandatory training and CPD"),
               ("value", "Likelihood of staff accessing non-mandatory training and CPD")),
    "wdes_3": (("denominator", "Number of staff in workforce"),
               ("numerator", "Number of staff entering the formal capability process"),
               ("value", "Likelihood of staff entering the formal capability process")),
}
RELATIVE_LIKELIHOOD = "Relative likelihood"

#: Section headings of metric / indicator 1 (the Countess of Chester table's "Total
#: Workforce" and "1a) Non Clinical Staff"; the others by analogy, equity's wording).
SECTION_TOTAL = "Total Workforce"
SECTION_NON_CLINICAL = "1a) Non Clinical Staff"
SECTION_CLINICAL = "1b) Clinical Staff"
SECTION_MEDICAL = "Medical and dental subgroups (clinical)"

_PERCENT = "0.0%"
_COUNT = "#,##0"


@dataclass
class TemplateRow:
    """One row of a sheet: ``kind`` is ``"title"``, ``"heading"``, ``"columns"``,
    ``"data"`` or ``"note"``; ``formats`` the number format of each cell (None: as is)."""

    kind: str
    cells: list[Any]
    formats: list[str | None] = field(default_factory=list)


@dataclass
class TemplateSheet:
    """One sheet of the layout: its name and rows, top to bottom."""

    name: str
    rows: list[TemplateRow]

    def grid(self) -> list[list[Any]]:
        """The cell values, row by row (as the workbook holds them)."""
        return [r.cells for r in self.rows]


class _Cells:
    """Figures of one standard's result rows, looked up by indicator, strata and group;
    withheld figures as ``*`` (:func:`equity.export.withheld`), whole counts as ``int``."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.mask = withheld(table)
        self.index: dict[tuple[Any, ...], Any] = {}
        for idx, r in zip(table.index, table.itertuples(index=False), strict=True):
            key = (r.indicator, _key(r.clinical), _key(r.band), _key(r.variant), r.group)
            self.index[key] = idx

    def get(self, indicator: str, group: str, col: str, *, clinical: str | None = None,
            band: str | None = None, variant: str | None = None) -> Any:
        idx = self.index.get((indicator, clinical, band, variant, group))
        if idx is None:
            return None
        if col in self.mask and self.mask.at[idx, col]:
            return WITHHELD
        value = self.table.at[idx, col]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        value = float(value)
        if col in ("numerator", "denominator") and value == round(value):
            return int(value)
        return value

    def has(self, indicator: str) -> bool:
        return any(k[0] == indicator for k in self.index)


def _key(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else str(value)


# --------------------------------------------------------------------------- the layout


def _select(table: pd.DataFrame, spec: _Spec, period: str | None) -> tuple[pd.DataFrame, str]:
    """The standard's whole-organisation rows for one period."""
    if "disclosure" not in table.attrs:
        raise InputError(
            "The result table has not been through disclosure control (attrs['disclosure'] "
            "is missing): the template export lays out published figures only. Pass the "
            "table equity.indicators() returns, or equity.disclosure.apply_disclosure(table).")
    ids = {spec.workforce, *spec.likelihoods, *spec.survey, spec.board}
    whole = pd.Series(True, index=table.index)
    for col in ("organisation", "directorate", "staff_group", "profession"):
        if col in table:
            whole &= table[col].isna()
    rows = table.loc[table["indicator"].isin(ids) & (table["group_var"] == spec.group_var)
                     & whole]
    periods = sorted(rows["period"].dropna().astype(str).unique())
    if period is not None:
        rows = rows.loc[rows["period"].astype(str) == str(period)]
        periods = [str(period)] if len(rows) else []
    if not periods:
        raise InputError(
            f"The result table holds no whole-organisation {spec.name} rows"
            f"{f' for {period}' if period else ''} grouped by {spec.group_var} (the layout "
            f"needs {spec.name} computed for the whole organisation, not split by "
            "directorate or another field, and not by an intersection). Compute them with "
            f"equity.indicators() or equity.{spec.name.lower()}() and apply disclosure control.")
    if len(periods) > 1:
        raise InputError(f"The result table holds {spec.name} rows for {len(periods)} periods "
                         f"({', '.join(periods)}); give period= to choose one.")
    return rows, periods[0]


def _title(spec: _Spec, sheet: str, period: str) -> TemplateRow:
    return TemplateRow("title", [f"{spec.name} {period}: {sheet}"])


def _heading(spec: _Spec, indicator: str) -> TemplateRow:
    number = indicator.split("_")[1]
    return TemplateRow("heading", [f"{spec.word} {number}: {HEADINGS[indicator][0]}"])


def _not_computed(indicator: str, reasons: Mapping[str, str]) -> TemplateRow:
    reason = next((v for k, v in reasons.items() if k == indicator or k.startswith(indicator + " ")),
                  "no rows in the result table")
    return TemplateRow("note", [f"Not computed: {reason}"])


def _opening(cells: _Cells, spec: _Spec, sheet: int, ind: str, period: str,
             reasons: Mapping[str, str]) -> tuple[list[TemplateRow], bool]:
    """A one-indicator sheet's title and heading rows, and whether the indicator has rows in
    the result (if not, a "Not computed" line follows the heading)."""
    rows = [_title(spec, spec.sheets[sheet], period), _heading(spec, ind)]
    if cells.has(ind):
        return rows, True
    return [*rows, _not_computed(ind, reasons)], False


def _workforce_sheet(cells: _Cells, spec: _Spec, period: str,
                     reasons: Mapping[str, str]) -> TemplateSheet:
    ind = spec.workforce
    labels = [label for _, label in spec.groups]
    rows, computed = _opening(cells, spec, 0, ind, period, reasons)
    if not computed:
        return TemplateSheet(spec.sheets[0], rows)
    columns = ["", *labels, "Total", *(f"% {label}" for label in labels)]
    formats = [None, *[_COUNT] * (len(labels) + 1), *[_PERCENT] * len(labels)]

    def line(label: str, clinical: str | None, band: str | None) -> TemplateRow:
        got = [(cells.get(ind, g, "numerator", clinical=clinical, band=band),
                cells.get(ind, g, "value", clinical=clinical, band=band))
               for g, _ in spec.groups]
        total = next((v for v in (cells.get(ind, g, "denominator", clinical=clinical, band=band)
                                  for g, _ in spec.groups) if v is not None), None)
        return TemplateRow("data", [label, *(n for n, _ in got), total, *(v for _, v in got)],
                           formats)

    rows += [TemplateRow("heading", [SECTION_TOTAL]), TemplateRow("columns", columns),
             line("Overall workforce", None, None),
             line("Non-clinical staff", "Non-clinical", None),
             line("Clinical staff", "Clinical", None)]
    for section, clinical, bands in (
            (SECTION_NON_CLINICAL, "Non-clinical", codes.AFC_BANDS),
            (SECTION_CLINICAL, "Clinical", codes.AFC_BANDS),
            (SECTION_MEDICAL, "Clinical", codes.MEDICAL_GRADES)):
        present = [b for b in bands if any(
            (ind, clinical, b, None, g) in cells.index for g, _ in spec.groups)]
        if not present:
            continue
        rows += [TemplateRow("heading", [section]), TemplateRow("columns", columns)]
        rows += [line(b.removeprefix("Medical: "), clinical, b) for b in present]
    return TemplateSheet(spec.sheets[0], rows)


def _likelihood_sheet(cells: _Cells, spec: _Spec, period: str,
                      reasons: Mapping[str, str]) -> TemplateSheet:
    from equity.measures.wres import EXCLUDING_INTERNATIONAL

    compared = [(g, label) for g, label in spec.groups if g != "Unknown"]
    columns = ["", *(label for _, label in compared), RELATIVE_LIKELIHOOD]
    rows = [_title(spec, spec.sheets[1], period)]
    for ind in spec.likelihoods:
        variants: list[str | None] = [None]
        if ind == "wres_2":
            variants.append(EXCLUDING_INTERNATIONAL)
        for variant in variants:
            heading = _heading(spec, ind)
            if variant:
                heading.cells[0] += f" ({variant})"
            rows.append(heading)
            if not any(k[0] == ind and k[3] == variant for k in cells.index):
                rows.append(_not_computed(f"{ind} ({variant})" if variant else ind, reasons))
                continue
            rows.append(TemplateRow("columns", columns))
            spec_rows = _LIKELIHOOD_ROWS["appointment" if ind.endswith("_2") else ind]
            for col, label in spec_rows:
                fmt = _PERCENT if col == "value" else _COUNT
                ratio = None
                if col == "value":  # the relative likelihood sits on the compared group's row
                    ratio = next((r for r in (cells.get(ind, g, "ratio", variant=variant)
                                              for g, _ in compared) if r is not None), None)
                rows.append(TemplateRow(
                    "data", [label, *(cells.get(ind, g, col, variant=variant) for g, _ in compared),
                             ratio if col == "value" else None],
                    [None, *[fmt] * len(compared), "0.00"]))
    return TemplateSheet(spec.sheets[1], rows)


def _survey_sheet(cells: _Cells, spec: _Spec, period: str,
                  reasons: Mapping[str, str]) -> TemplateSheet:
    compared = [(g, label) for g, label in spec.groups if g != "Unknown"]
    columns = ["", *(f"% {label}" for _, label in compared),
               *(f"{label} respondents" for _, label in compared)]
    rows = [_title(spec, spec.sheets[2], period)]
    for ind in spec.survey:
        rows.append(_heading(spec, ind))
        if not cells.has(ind):
            rows.append(_not_computed(ind, reasons))
            continue
        rows += [TemplateRow("columns", columns), TemplateRow(
            "data", ["Staff Survey result",
                     *(cells.get(ind, g, "value") for g, _ in compared),
                     *(cells.get(ind, g, "denominator") for g, _ in compared)],
            [None, *[_PERCENT] * len(compared), *[_COUNT] * len(compared)])]
    return TemplateSheet(spec.sheets[2], rows)


def _board_sheet(cells: _Cells, spec: _Spec, period: str,
                 reasons: Mapping[str, str]) -> TemplateSheet:
    from equity.result import WORKFORCE_VARIANT

    ind = spec.board
    labels = [label for _, label in spec.groups]
    rows, computed = _opening(cells, spec, 3, ind, period, reasons)
    if not computed:
        return TemplateSheet(spec.sheets[3], rows)
    pct, pp = '0.0"%"', '0.0" pp"'
    rows += [
        TemplateRow("columns", ["", *labels, "Total"]),
        TemplateRow("data", ["Board voting members (headcount)",
                             *(cells.get(ind, g, "numerator") for g, _ in spec.groups),
                             cells.get(ind, spec.groups[0][0], "denominator")],
                    [None, *[_COUNT] * (len(labels) + 1)]),
        TemplateRow("data", ["Overall workforce (headcount)",
                             *(cells.get(ind, g, "numerator", variant=WORKFORCE_VARIANT)
                               for g, _ in spec.groups),
                             cells.get(ind, spec.groups[0][0], "denominator",
                                       variant=WORKFORCE_VARIANT)],
                    [None, *[_COUNT] * (len(labels) + 1)]),
        TemplateRow("data", ["Percentage of the overall workforce",
                             *(cells.get(ind, g, "value", variant=WORKFORCE_VARIANT)
                               for g, _ in spec.groups), None],
                    [None, *[pct] * len(labels), None]),
        TemplateRow("data", ["Difference: board voting membership minus overall workforce "
                             "(percentage points)",
                             *(cells.get(ind, g, "value") for g, _ in spec.groups), None],
                    [None, *[pp] * len(labels), None]),
    ]
    return TemplateSheet(spec.sheets[3], rows)


def _about_sheet(spec: _Spec, period: str, table: pd.DataFrame,
                 parameters: Mapping[str, object]) -> TemplateSheet:
    ids = [spec.workforce, *spec.likelihoods, *spec.survey, spec.board]
    rows = [TemplateRow("title", [f"{spec.name} {period}: about this workbook"]),
            TemplateRow("columns", ["Item", "Value"]),
            TemplateRow("data", ["Standard", spec.name]),
            TemplateRow("data", ["Period", period]),
            TemplateRow("data", ["Disclosure", str(table.attrs.get("disclosure", ""))]),
            *(TemplateRow("data", [str(k), "" if v is None else str(v)])
              for k, v in parameters.items() if k not in ("period", "disclosure")),
            TemplateRow("heading", ["Layout"]),
            TemplateRow("note", [
                "Laid out after NHS England's annual WRES / WDES data collection: one sheet "
                "per group of indicators, each under its published wording, groups as "
                "columns, AfC bands as rows. NHS England's template file itself was not "
                "available to equity: the headings follow the published wording below, not "
                "a copy of the file. Check against the current year's template before "
                "submitting."]),
            TemplateRow("note", [
                f"Figures are the {spec.name} rows of equity's result table, after disclosure "
                f"control; '{WITHHELD}' marks a withheld figure, a blank cell a figure that "
                "is undefined (no one in the group) or not in the result."]),
            TemplateRow("heading", ["Headings and their sources"]),
            TemplateRow("columns", ["Heading", "Source"])]
    rows += [TemplateRow("data", [f"{spec.word} {i.split('_')[1]}: {HEADINGS[i][0]}",
                                  HEADINGS[i][1]]) for i in ids]
    rows += [TemplateRow("data", [h, src]) for h, src in (
        ("% Disabled, % Non-disabled, % Disability Unknown/Null; Total Workforce; "
         "1a) Non Clinical Staff", _COCH),
        (f"{SECTION_CLINICAL}; {SECTION_MEDICAL}; the WRES column headings; row labels of "
         "the likelihood, survey and board tables", EQUITY_WORDING),
    )]
    reasons = table.attrs.get("not_computed", {})
    notes = [f"{k}: {v}" for k, v in reasons.items() if k.split(" ")[0] in ids]
    if notes:
        rows += [TemplateRow("heading", ["Not computed"]),
                 *(TemplateRow("note", [n]) for n in notes)]
    return TemplateSheet("About", rows)


def standard_template(table: pd.DataFrame, *, standard: Standard, period: str | None = None,
                      parameters: Mapping[str, object] | None = None) -> list[TemplateSheet]:
    """Lay out a result table's WRES or WDES figures like NHS England's data collection.

    Parameters
    ----------
    table
        A result table after disclosure control (``attrs["disclosure"]`` set), such as
        :func:`equity.indicators` returns or :func:`equity.disclosure.apply_disclosure` of
        :func:`equity.wres` / :func:`equity.wdes`. Only its whole-organisation rows grouped by
        ethnicity (WRES) or disability (WDES) are used.
    standard
        ``"wres"`` or ``"wdes"``.
    period
        The financial year to lay out; needed only when the table holds several.
    parameters
        Extra lines for the About sheet (data, version...).

    Returns
    -------
    list of TemplateSheet
        WRES: "Indicator 1" (headcount and percentage of White, BME and Unknown/Null staff,
        overall, by AfC band within non-clinical and clinical staff, and by medical grade),
        "Indicators 2-4" (counts, likelihoods and the relative likelihood), "Indicators 5-8"
        (Staff Survey percentages), "Indicator 9" (board against workforce), "About"
        (sources, disclosure, what was not computed). WDES: "Metric 1", "Metrics 2-3",
        "Metrics 4-9", "Metric 10", "About", with Non-disabled, Disabled and Disability
        Unknown/Null columns.

    Raises
    ------
    InputError
        The table has not been through disclosure control, holds no whole-organisation rows
        of the standard, or holds several periods and ``period`` is not given.

    Notes
    -----
    Nothing is recomputed: counts are the result's ``numerator`` / ``denominator``,
    percentages its ``value``, relative likelihoods its ``ratio``; withheld figures (missing
    in a suppressed row, :func:`equity.export.withheld`) are ``*``. So the AfC bands are not
    summed into the national report's clusters (sums of rounded counts would be a new
    figure), and the board's own percentage is not shown (only the published difference).
    Sources of every heading: :data:`HEADINGS` and the module docstring.

    Examples
    --------
    >>> table = eq.indicators(eq.read_dataset("data/sample"), period="2024/25",
    ...                       staff_group="all")  # doctest: +SKIP
    >>> [s.name for s in standard_template(table, standard="wres")]  # doctest: +SKIP
    ['Indicator 1', 'Indicators 2-4', 'Indicators 5-8', 'Indicator 9', 'About']
    """
    check_choice("standard", standard, list(STANDARDS))
    spec = _SPECS[standard]
    rows, chosen = _select(table, spec, period)
    cells = _Cells(rows)
    reasons = table.attrs.get("not_computed", {})
    return [
        _workforce_sheet(cells, spec, chosen, reasons),
        _likelihood_sheet(cells, spec, chosen, reasons),
        _survey_sheet(cells, spec, chosen, reasons),
        _board_sheet(cells, spec, chosen, reasons),
        _about_sheet(spec, chosen, table, parameters or {}),
    ]


# --------------------------------------------------------------------------- the workbook


def _write_xlsx(path: Path, sheets: Sequence[TemplateSheet]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    grey = PatternFill("solid", fgColor="D9D9D9")
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for i, row in enumerate(sheet.rows, start=1):
            for j, value in enumerate(row.cells, start=1):
                cell = ws.cell(row=i, column=j, value=neutralise(value))
                fmt = row.formats[j - 1] if j - 1 < len(row.formats) else None
                if fmt and isinstance(value, int | float):
                    cell.number_format = fmt
                if isinstance(value, str) and value == WITHHELD:
                    cell.alignment = Alignment(horizontal="right")
                if row.kind == "title":
                    cell.font = Font(bold=True, size=13)
                elif row.kind == "heading":
                    cell.font = Font(bold=True)
                elif row.kind == "columns":
                    cell.font = Font(bold=True)
                    cell.fill = grey
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["A"].width = 62 if sheet.name != "About" else 90
        for letter in "BCDEFGHIJ":
            ws.column_dimensions[letter].width = 16 if sheet.name != "About" else 60
    wb.save(path)


def _xlsx(out: str | os.PathLike[str]) -> Path:
    """``out`` as a path, refused unless it names an ``.xlsx`` workbook."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"Cannot write {path.name!r}: the template export is a workbook; "
                          "the file name must end in .xlsx (e.g. --out wres.xlsx).")
    return path


def write_template(table: pd.DataFrame, out: str | os.PathLike[str], *, standard: Standard,
                   period: str | None = None, parameters: Mapping[str, object] | None = None,
                   force: bool = False) -> Path:
    """Write :func:`standard_template` as an ``.xlsx`` workbook (atomically, under the
    manifest rules of :func:`equity.export.write_table`).

    Raises
    ------
    OutputError
        ``out`` does not end in ``.xlsx``, is an existing file equity did not write (unless
        ``force``), or cannot be written.
    InputError
        As :func:`standard_template`.
    """
    path = _xlsx(out)
    sheets = standard_template(table, standard=standard, period=period, parameters=parameters)
    guard_outputs(path.parent, [path.name], force=force)
    atomic_write(path, lambda p: _write_xlsx(p, sheets))
    record_outputs(path.parent, [path.name])
    return path


def template_command(
    data: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    standard: Standard,
    period: str | None = None,
    disclosure: Literal["publication", "internal"] = "publication",
    engine: Literal["pandas", "polars", "duckdb", "spark"] = "pandas",
    mapping: str | None = None,
    force: bool = False,
) -> int:
    """The ``equity template`` command: compute the standard for the whole organisation,
    apply disclosure control, write the workbook; returns the exit code (0).

    ``period=None`` takes the latest complete financial year in the data
    (:func:`equity.export.latest_period`) and says so.
    """
    from equity import __version__
    from equity.disclosure import apply_disclosure
    from equity.measures.wdes import wdes
    from equity.measures.wres import wres
    from equity.report.context import data_fingerprint

    check_choice("standard", standard, list(STANDARDS))
    check_choice("disclosure", disclosure, ["publication", "internal"])
    _xlsx(out)
    target = check_out(out, inputs=[data, mapping], folder=False)
    guard_outputs(target.parent, [target.name], force=force)
    dataset = read_input(data, mapping=mapping, engine=engine)
    chosen = period or latest_period(dataset)
    compute = wres if standard == "wres" else wdes
    table = apply_disclosure(compute(dataset, period=chosen), mode=disclosure)
    params = {"data": str(Path(data).resolve()), "scope": "whole organisation, every staff group",
              "engine": engine, "mapping": mapping or "", "equity version": __version__,
              "data fingerprint (SHA-256 of input files)": data_fingerprint(Path(data))}
    written = write_template(table, target, standard=standard, period=chosen,
                             parameters=params, force=force)
    how = "" if period else " (the latest complete financial year in the data)"
    print(f"Period {chosen}{how}; whole organisation, every staff group; {disclosure} "
          "disclosure.")
    print(f"Wrote the {standard.upper()} data-collection layout to {written}")
    for k, v in table.attrs.get("not_computed", {}).items():
        print(f"  not computed: {k}: {v}")
    print_warnings(table.attrs.get("warnings", []), command="template")
    return 0


__all__ = ["HEADINGS", "STANDARDS", "TemplateRow", "TemplateSheet", "standard_template",
           "template_command", "write_template"]
