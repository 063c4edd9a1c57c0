"""The canonical tables and columns (docs/data-dictionary.md): names are the contract.

Each table is a :class:`Table` of :class:`Column` specs. ``kind`` is the logical type that
:mod:`equity.io` coerces to and :mod:`equity.validation` checks:

- ``"id"``: identifier, kept as a string;
- ``"str"``: free text or a code (kept as given; groupings are derived by :mod:`equity.codes`);
- ``"date"``: a calendar date (ISO ``YYYY-MM-DD`` on disk);
- ``"float"``: a number;
- ``"bool"``: true/false, 1/0, Y/N, Yes/No.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "str", "date", "float", "bool"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: Kind, required: bool, description: str) -> Column:
    return Column(name, kind, required, description)


ORGANISATION = _c("organisation", "str", False, "Organisation code or name (national / regional data)")

_EQUALITY = (
    _c("ethnic_category", "str", False, "NHS Data Dictionary ETHNIC CATEGORY code (A-S, Z, 99; local detail after the first character)"),
    _c("sex", "str", False, "Female / Male as recorded on payroll"),
    _c("disability", "str", False, "Yes / No / Not declared / Unspecified"),
    _c("sexual_orientation", "str", False, "Data Dictionary SEXUAL ORIENTATION CODE (1-4, U, Z, 9)"),
    _c("religion", "str", False, "Religion or belief as recorded"),
    _c("age_band", "str", False, "Age band (<25, 25-34, 35-44, 45-54, 55-64, 65+)"),
)
EQUALITY_FIELDS: tuple[str, ...] = tuple(c.name for c in _EQUALITY)

STAFF = Table(
    "staff",
    "Staff in post: one row per person per snapshot date (31 March each year).",
    (
        _c("staff_id", "id", True, "Pseudonymous person identifier, stable across snapshots"),
        _c("snapshot_date", "date", True, "Snapshot date (31 March)"),
        ORGANISATION,
        _c("directorate", "str", True, "Directorate (or care group)"),
        _c("staff_group", "str", True, "NHS staff group (e.g. Allied Health Professionals)"),
        _c("profession", "str", False, "Profession (the 14 AHPs by name; others as recorded)"),
        _c("band", "str", True, "Agenda for Change band (Band 1-9, 8a-8d), VSM or medical grade"),
        _c("fte", "float", True, "Full-time equivalent, in (0, 1.5]"),
        _c("contract_type", "str", True, "Substantive / Fixed term / Bank"),
        *_EQUALITY[:3],
        *_EQUALITY[3:],
        _c("org_start_date", "date", True, "Date the person started with the organisation"),
        _c("nhs_start_date", "date", False, "Date the person started in the NHS"),
        _c("hourly_pay", "float", False, "Ordinary hourly pay in the pay period containing the snapshot (GBP)"),
        _c("bonus_pay", "float", False, "Bonus pay in the 12 months to the snapshot (GBP)"),
        _c("full_pay", "bool", False, "Full-pay relevant employee at the snapshot (gender pay gap regulations)"),
    ),
    key=("staff_id", "snapshot_date"),
    required=True,
)

LEAVERS = Table(
    "leavers",
    "One row per leaving event.",
    (
        _c("staff_id", "id", True, "Person identifier (as in staff)"),
        ORGANISATION,
        _c("leave_date", "date", True, "Last day of employment"),
        _c("leaving_reason", "str", False, "ESR leaving reason"),
        _c("destination", "str", False, "Destination: NHS / non-NHS / unknown (for leaving-the-NHS rates)"),
        _c("fte", "float", False, "FTE at leaving (else the FTE of the last snapshot is used)"),
    ),
    key=("staff_id", "leave_date"),
)

RECRUITMENT = Table(
    "recruitment",
    "One row per job application.",
    (
        _c("application_id", "id", True, "Application identifier"),
        _c("vacancy_id", "id", True, "Vacancy identifier"),
        ORGANISATION,
        _c("closing_date", "date", True, "Vacancy closing date (places the application in a period)"),
        _c("directorate", "str", False, "Directorate of the vacancy"),
        _c("staff_group", "str", False, "Staff group of the vacancy"),
        _c("profession", "str", False, "Profession of the vacancy"),
        _c("band", "str", False, "Band of the vacancy"),
        *_EQUALITY,
        _c("shortlisted", "bool", True, "Applicant shortlisted"),
        _c("appointed", "bool", True, "Applicant appointed"),
        _c("internal", "bool", False, "Applicant already employed by the organisation"),
        _c("international", "bool", False, "International recruit"),
    ),
    key=("application_id",),
)

CASEWORK = Table(
    "casework",
    "One row per employee relations case.",
    (
        _c("case_id", "id", True, "Case identifier"),
        _c("staff_id", "id", True, "Person identifier (as in staff)"),
        ORGANISATION,
        _c("start_date", "date", True, "Date the case started"),
        _c("process", "str", True, "disciplinary / capability"),
        _c("formal", "bool", True, "Formal process (WRES 3 / WDES 3 count formal cases only)"),
        _c("capability_reason", "str", False, "performance / ill health (WDES 3 counts performance only)"),
    ),
    key=("case_id",),
)

TRAINING = Table(
    "training",
    "One row per training or CPD event attended.",
    (
        _c("staff_id", "id", True, "Person identifier (as in staff)"),
        ORGANISATION,
        _c("date", "date", True, "Date attended"),
        _c("course", "str", True, "Course name"),
        _c("mandatory", "bool", True, "Mandatory / statutory training (WRES 4 counts non-mandatory only)"),
    ),
)

BOARD = Table(
    "board",
    "Board members at each snapshot date.",
    (
        _c("member_id", "id", True, "Board member identifier"),
        _c("snapshot_date", "date", True, "Snapshot date (31 March)"),
        ORGANISATION,
        _c("executive", "bool", True, "Executive director"),
        _c("voting", "bool", True, "Voting member"),
        *_EQUALITY,
    ),
    key=("member_id", "snapshot_date"),
)

SURVEY = Table(
    "survey",
    "Aggregated staff survey results (WRES 5-8, WDES 4-9), one row per question, group and year.",
    (
        _c("period", "str", True, "Financial year of the survey (e.g. 2024/25)"),
        ORGANISATION,
        _c("directorate", "str", False, "Directorate, or blank for the whole organisation"),
        _c("indicator", "str", True, "wres_5 ... wres_8, wdes_4 ... wdes_9"),
        _c("group_var", "str", True, "ethnicity or disability"),
        _c("group", "str", True, "White / BME, Disabled / Non-disabled"),
        _c("respondents", "float", True, "Respondents answering the question"),
        _c("positive", "float", True, "Respondents giving the reported answer"),
    ),
    # (directorate blank: the whole organisation's row, one per question and group too)
    key=("period", "directorate", "indicator", "group_var", "group"),
)

BENCHMARKS = Table(
    "benchmarks",
    "Population shares for an area (e.g. Census 2021 ethnic group), with the source named.",
    (
        _c("area", "str", True, "Area name (county, ICS, region)"),
        _c("group_var", "str", True, "e.g. ethnicity"),
        _c("group", "str", True, "e.g. White / BME / Unknown"),
        _c("count", "float", True, "Population count"),
        _c("share", "float", False, "Population share (0-1) of the area, for the same group_var: "
           "optional (the comparison uses the counts); one that is not the count's share is "
           "an error"),
        _c("source", "str", True, "Source of the figures (publisher, table, date)"),
    ),
    key=("area", "group_var", "group"),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (STAFF, LEAVERS, RECRUITMENT, CASEWORK, TRAINING, BOARD, SURVEY, BENCHMARKS)
}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

#: The tables of dated events and the date that places each row in a financial year.
EVENT_DATES: dict[str, str] = {"leavers": "leave_date", "recruitment": "closing_date",
                               "casework": "start_date", "training": "date"}

#: Columns whose values identify a person or a record: never allowed in any output.
IDENTIFIER_COLUMNS: tuple[str, ...] = ("staff_id", "application_id", "case_id", "member_id", "vacancy_id")
