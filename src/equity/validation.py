"""Validation: every rule checked at once, every problem listed (``equity validate DATA``).

:func:`validate` runs all the rules of :data:`RULES` over a :class:`~equity.io.Dataset` and
returns a :class:`ValidationReport`: one :class:`Finding` per problem, naming the table,
column, rule, severity, number of rows and up to five example rows or ids, with a message
that says how to fix it. Errors make figures wrong or impossible; warnings are kept in the
analysis (unknown codes are grouped as Unknown) and reported so the data owner can decide.

The row-level work goes through :mod:`equity.cube` and narwhals, so the rules run on every
engine :func:`equity.read_dataset` offers (pandas, Polars, DuckDB, Spark) and only small
tables come back to Python. Example rows name row numbers (spreadsheet numbering: the header
is row 1) on in-memory pandas data and ids on every engine; they never show pay or any other
value of a person beyond their id.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import html
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, ParamSpec, TypeVar

import narwhals as nw
import pandas as pd

from equity import codes, cube
from equity.errors import InputError, ValidationError
from equity.io import Dataset, ReadIssue
from equity.schema import EVENT_DATES, TABLES, Table

Severity = Literal["error", "warning"]

#: Every rule: name -> (severity, what it checks). Documentation and tests use this list.
RULES: dict[str, tuple[Severity, str]] = {
    "unknown_file": ("warning", "a file (or DuckDB table) that looks like data but is not named after a table"),
    "unknown_table": ("warning", "a table in a DuckDB file that is not a canonical table"),
    "empty_table": ("error", "a table with no rows (an error for staff and leavers; for the others a warning, and the indicators that need them not computed)"),
    "missing_column": ("error", "a required column (equity.schema) is absent"),
    "missing_value": ("error", "a required column is blank in some rows"),
    "unparseable_date": ("error", "a date that is not ISO YYYY-MM-DD (or the mapping's date_format)"),
    "unparseable_number": ("error", "a number that cannot be read (text, currency signs, commas)"),
    "unparseable_boolean": ("error", "a yes/no field that is not true/false, 1/0, Y/N or Yes/No"),
    "ethnic_label_as_code": ("warning", "an ethnic category written as its full text label instead of its code (read by meaning)"),
    "unknown_code": ("warning", "a code outside the code list; kept and grouped as Unknown (an error when most of an equality or band column's recorded values are, for a capability reason, and for casework processes without disciplinary or capability rows)"),
    "duplicate_key": ("error", "more than one row for the same key, e.g. (staff_id, snapshot_date)"),
    "start_after_snapshot": ("error", "org_start_date after the snapshot_date"),
    "leave_before_start": ("error", "leave_date before every org_start_date of the person (no employment spell in force)"),
    "event_before_start": ("warning", "a casework or training row dated before every org_start_date of the person (a date or id wrong, or time as bank staff): counted in the year its date says"),
    "leaver_twice": ("warning", "two or more leavers rows of a person with no re-join seen between them (no later org_start_date in staff): each counts as a leaving"),
    "leaver_in_post": ("error", "a leavers row whose person is in post at a later snapshot in the same employment (org_start_date on or before the leave date): an assignment ended, not the employment"),
    "fte_out_of_range": ("error", "fte outside (0, 1.5]"),
    "negative_pay": ("error", "negative hourly_pay or bonus_pay"),
    "survey_percentages": ("error", "a survey year whose every row has 100 respondents: percentages given as counts out of 100 (the intervals and small-number rules need the real counts)"),
    "all_appointed": ("warning", "a year in which every shortlisted applicant (20 or more) is appointed: appointed holding the shortlisting or the offer"),
    "appointed_not_shortlisted": ("error", "an application appointed but not shortlisted"),
    "staff_id_case": ("error", "a leavers / casework / training staff_id that matches a staff id only when case and spaces are ignored ('s0001213' for 'S0001213'): not linked to the person"),
    "unknown_staff_id": ("warning", "a leavers / casework / training row whose staff_id is in no staff snapshot"),
    "snapshot_not_31_march": ("warning", "a snapshot_date that is not 31 March"),
    "time_of_day": ("warning", "dates holding a time of day (2025-03-31 09:30:00): read as the day"),
    "header_renamed": ("warning", "headers in another case or spacing (Staff ID) read as the canonical names"),
    "mapped_column_not_found": ("error", "a mapping file's columns: entry naming a local column the file does not have (nor the canonical one): the column it should fill would be missing"),
    "sheet_chosen": ("warning", "an Excel workbook with no sheet named after the table: the sheet read is named"),
    "formula_cell": ("error", "Excel formula cells without a calculated value (read as blank)"),
    "future_date": ("error", "a date more than a year after the latest staff snapshot"),
    "blank_column": ("error", "a column blank in every row (an error when an indicator needs it, else a warning)"),
    "pay_out_of_range": ("error", "hourly_pay above 250 or bonus_pay above 5,000,000 (or infinite)"),
    "full_pay_unpaid": ("error", "a full-pay relevant employee (full_pay true) with hourly_pay 0"),
    "unknown_label": ("error", "a survey or benchmarks row whose period, indicator, group_var or group is not one the figures read ('BAME' for 'BME', 'WRES_5', '2024-25'), or benchmarks whose areas' ethnicity rows are read twice or lack White or BME: left out or counted as Unknown, the shares change"),
    "blank_at_snapshot": ("error", "an equality column (ethnic_category, disability, sex) of staff or board blank in every row of a snapshot but recorded at others: an extract fault, read as nobody declaring"),
    "survey_inconsistent": ("error", "a survey row whose positive answers exceed its respondents, or a count negative or not a whole number (a share or percentage)"),
    "no_matching_ids": ("error", "a table none of whose staff_id values appear in staff (ids written differently)"),
    "benchmark_out_of_range": ("error", "a benchmarks population count below 0, or a share outside 0-1 or not the count's share of its area"),
    "event_table_short": ("warning", "an event table (leavers, recruitment, casework, training) that does not reach the whole of a year the staff snapshots open and close: that year's figures from it are not computed"),
    "band_spelling": ("error", "a band written otherwise than the NHS names it ('Band 8A', '8a', '5', ESR's 'Band 8 - Range A' and 'Review Body Band 5' for 'Band 8a', 'Band 5'): the indicators compare bands by name and would leave such rows out"),
    "bank_spelling": ("error", "a contract_type naming bank work otherwise than 'Bank' ('Bank Staff', 'Bank worker'): bank staff are left out of the WRES and retention figures by that name and would be counted as staff in post"),
    "label_variants": ("warning", "one directorate, staff group, profession, organisation or leaving reason written in more than one case or spacing (counted as different ones)"),
}

#: Optional columns an indicator needs: blank in every row is an error (required ones too).
_NEEDED = frozenset({"ethnic_category", "disability", "sex", "hourly_pay", "bonus_pay",
                     # (blank: WRES 2's variant without international recruits counted
                     # nobody as one)
                     "international"})
#: Equality columns that must not be blank at every row of one snapshot (an extract
#: fault) while recorded at others: WRES 9 read a board with nobody's ethnicity recorded as
#: every member of Unknown ethnicity.
_SNAPSHOT_RECORDED = ("ethnic_category", "disability", "sex")
#: Largest plausible pay (GBP): above it a value is a unit or export error (or infinite).
#: £250 an hour is about £490,000 a year full time, above any NHS salary; weekly pay read
#: as hourly (£453 for a Band 5 week) lies above it.
_PAY_LIMITS = {"hourly_pay": 250, "bonus_pay": 5_000_000}
#: Date columns checked against the latest staff snapshot (future_date).
_EVENT_DATES = {**EVENT_DATES, "board": "snapshot_date"}


@dataclass(frozen=True)
class Finding:
    """One problem: where, which rule, how bad, how many rows, examples and how to fix it."""

    table: str
    column: str
    rule: str
    severity: Severity
    count: int
    examples: tuple[str, ...]
    message: str
    #: Where the table was read from (``staff.xlsx, sheet 'Data'``), when read from files.
    source: str = ""

    def paragraph(self, width: int = 100) -> str:
        """The finding as one plain-text paragraph."""
        where = self.table + (f".{self.column}" if self.column else "")
        where += f" ({self.source})" if self.source else ""
        unit = {"unknown_file": "file", "unknown_table": "table",
                "mapped_column_not_found": "mapping entry"}.get(self.rule, "row")
        count = ("" if self.rule in WHOLE_TABLE_RULES
                 else f" {self.count:,} {unit}{'' if self.count == 1 else 's'}")
        text = f"{self.severity.upper()} {where} [{self.rule}]{count}: {self.message}"
        if self.examples:
            text += f" Examples: {', '.join(map(str, self.examples))}."
        return textwrap.fill(text, width=width, subsequent_indent="    ")


_COLUMNS = ["severity", "table", "column", "rule", "count", "examples", "message"]
#: Rules about a table as a whole, whose count of rows means nothing (0).
WHOLE_TABLE_RULES = frozenset({"event_table_short", "blank_column"})


class ValidationReport:
    """The outcome of :func:`validate`: findings split into errors and warnings.

    Examples
    --------
    >>> from equity.io import Dataset
    >>> staff = pd.DataFrame({"staff_id": ["a"], "snapshot_date": ["2025-03-31"]})
    >>> report = validate(Dataset.from_frames(staff=staff))
    >>> report.ok, sorted({f.rule for f in report.errors})
    (False, ['missing_column'])
    """

    def __init__(self, findings: Iterable[Finding], *, source: str = "<memory>") -> None:
        found = list(findings)
        self.findings: list[Finding] = [f for f in found if f.severity == "error"] + [
            f for f in found if f.severity == "warning"
        ]
        self.source = source

    @property
    def errors(self) -> list[Finding]:
        """Findings that make figures wrong or impossible (exit status 1 on the CLI)."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings kept in the analysis and reported (unknown codes, unmatched ids...)."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def headline(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return (f"{e} error{'' if e == 1 else 's'}, {w} warning{'' if w == 1 else 's'} "
                f"in {self.source}")

    def to_frame(self) -> pd.DataFrame:
        """One row per finding (errors first); ``examples`` joined with "; "."""
        rows = [
            {"severity": f.severity, "table": f.table, "column": f.column, "rule": f.rule,
             "count": f.count, "examples": "; ".join(map(str, f.examples)), "message": f.message}
            for f in self.findings
        ]
        return pd.DataFrame(rows, columns=_COLUMNS).astype({"count": "int64"})

    def format(self, width: int = 100) -> str:
        """Plain text for the command line: a headline, then one paragraph per finding."""
        lines = [self.headline() + ("." if self.findings else ": every check passed.")]
        for title, group in (("Errors", self.errors), ("Warnings", self.warnings)):
            if group:
                lines += ["", f"{title}:"]
                lines += [f.paragraph(width) for f in group]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"<ValidationReport: {self.headline()}>"

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{c}</th>' for c in _COLUMNS)
        body = []
        for row in self.to_frame().itertuples(index=False):
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            body.append(f'<tr class="{html.escape(row.severity)}">{cells}</tr>')
        if not body:
            return f"<p><strong>{html.escape(self.headline())}</strong>: every check passed.</p>"
        return (
            f"<table><caption>{html.escape(self.headline())}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )

    def warning_records(self) -> list[dict[str, Any]]:
        """The warnings as plain records (table, column, rule, count, message), for ``attrs``."""
        return [{"table": f.table, "column": f.column, "rule": f.rule, "count": f.count,
                 "message": f.message} for f in self.warnings]

    def raise_for_errors(self) -> ValidationReport:
        """Raise :class:`~equity.errors.ValidationError` if there are errors; else return self.

        The error's message is the whole report (:meth:`format`): every error, then every
        warning, each with its table, column, rule, count, examples and fix.
        """
        if self.errors:
            raise ValidationError(
                f"the data has errors; nothing was computed. Fix these and validate again.\n"
                f"{self.format()}", report=self,
            )
        return self


# --------------------------------------------------------------------------- helpers


def _finding(table: str, column: str, rule: str, count: int, examples: Sequence[Any],
             message: str, severity: Severity | None = None) -> Finding:
    return Finding(table, column, rule, severity or RULES[rule][0], int(count),
                   tuple(str(e) for e in list(examples)[:5]), message)


def _id_column(table: Table, cols: set[str]) -> str | None:
    for k in (*table.key, "staff_id"):
        if k.endswith("_id") and k in cols:
            return k
    return None


def _with_rows(frame: Any) -> tuple[nw.LazyFrame, bool]:
    """Lazy frame with a ``__row`` position column when the data is eager (row numbers)."""
    nat = nw.from_native(frame)
    if isinstance(nat, nw.DataFrame):
        return nat.with_row_index("__row").lazy(), True
    return cube.lazy(frame), False


def _count(frame: Any, where: nw.Expr | None = None) -> int:
    out = cube.count(frame, [], where=where)
    return int(out["n"].sum()) if len(out) else 0


def _row_examples(lf: nw.LazyFrame, has_row: bool, id_col: str | None) -> tuple[str, ...]:
    cols = (["__row"] if has_row else []) + ([id_col] if id_col else [])
    if not cols:
        return ()
    small = cube.collect(lf.select(cols).head(5))
    out = []
    for rec in small.to_dict("records"):
        ident = f"{id_col}={rec[id_col]}" if id_col else ""
        if has_row:
            out.append(f"row {int(rec['__row']) + 2}" + (f" ({ident})" if ident else ""))
        else:
            out.append(ident)
    return tuple(out)


def _rows_where(frame: Any, where: nw.Expr, id_col: str | None,
                n: int | None = None) -> tuple[int, tuple[str, ...]]:
    """Rows matching ``where``: count (unless known) and up to five examples."""
    if n is None:
        n = _count(frame, where)
    if n == 0:
        return 0, ()
    lf, has_row = _with_rows(frame)
    return n, _row_examples(lf.filter(where), has_row, id_col)


@dataclass(frozen=True)
class _RowRule:
    column: str
    rule: str
    where: nw.Expr
    message: str
    discount: int = 0  # rows already reported by another rule (unparseable -> missing)


def _row_rule_findings(name: str, frame: Any, candidates: Sequence[_RowRule],
                       id_col: str | None) -> list[Finding]:
    """Count every row-level rule of a table in one query; examples only for those that fail."""
    if not candidates:
        return []
    totals = cube.collect(cube.lazy(frame).select(
        *(r.where.cast(nw.Int64).sum().alias(f"r{i}") for i, r in enumerate(candidates))
    ))
    out = []
    for i, r in enumerate(candidates):
        n = int(pd.to_numeric(totals[f"r{i}"]).fillna(0).iloc[0]) - r.discount
        if n > 0:
            _, ex = _rows_where(frame, r.where, id_col, n)
            out.append(_finding(name, r.column, r.rule, n, ex, r.message))
    return out


def _true(col: str) -> nw.Expr:
    return (nw.col(col) == True).fill_null(False)  # noqa: E712 - a narwhals expression


def _false(col: str) -> nw.Expr:
    return (nw.col(col) == False).fill_null(False)  # noqa: E712 - a narwhals expression


# --------------------------------------------------------------------------- rules


_READ_MESSAGES = {
    "unparseable date": (
        "values are not dates in ISO form (YYYY-MM-DD{fmt}) and are read as missing. Correct "
        "them in the source, or give the local format as date_format in the mapping file."
    ),
    "unparseable number": (
        "values are not numbers and are read as missing. Write plain numbers (0.8, 12.34): no "
        "currency signs, thousands separators, decimal commas or words."
    ),
    "unparseable boolean": (
        "values are not true/false, 1/0, Y/N or Yes/No and are read as missing. Correct them, "
        "or recode the local values under values: in the mapping file."
    ),
}


def _read_findings(issues: Sequence[ReadIssue]) -> list[Finding]:
    out = []
    for i in issues:
        rule = i.rule.replace(" ", "_")
        template = _READ_MESSAGES.get(i.rule)
        message = i.message or (template.format(fmt="") if template else i.rule)
        message += f" {i.hint}" if i.hint else ""
        severity: Severity = "warning" if i.severity == "warning" else "error"
        out.append(Finding(i.table, i.column, rule, severity, int(i.count),
                           tuple(str(e) for e in i.examples[:5]), message))
    return out


#: Code columns checked against their code lists: column -> (is-known function, list shown).
def _known_in(values: Iterable[str]) -> Callable[[pd.Series], pd.Series]:
    allowed = set(values)
    return lambda s: s.isin(allowed)


def _known_text(values: Iterable[str]) -> Callable[[pd.Series], pd.Series]:
    allowed = {v.lower() for v in values}
    return lambda s: s.astype(str).str.strip().str.lower().isin(allowed)


_CODE_LISTS: dict[str, tuple[Callable[[pd.Series], pd.Series], str]] = {
    "ethnic_category": (codes.is_known_ethnic_code,
                        "NHS ethnic category codes A-H, J-N, P, R, S, Z, 99 (local detail after "
                        "the first character)"),
    "disability": (_known_in(codes.DISABILITY_CODES), ", ".join(codes.DISABILITY_CODES)),
    "sex": (_known_in(codes.SEX_CODES), ", ".join(codes.SEX_CODES)),
    "sexual_orientation": (_known_in(codes.SEXUAL_ORIENTATION_CODES),
                           ", ".join(codes.SEXUAL_ORIENTATION_CODES)),
    "age_band": (_known_in(codes.AGE_BANDS), ", ".join(codes.AGE_BANDS)),
    "band": (lambda s: codes.normalise_band(s).isin(codes.BANDS),
             "Band 1-9, Band 8a-8d, VSM, " + ", ".join(codes.MEDICAL_GRADES)),
    "contract_type": (_known_in(codes.CONTRACT_TYPES), ", ".join(codes.CONTRACT_TYPES)),
    # (read as the indicators read them: in any case, surrounding spaces ignored)
    "process": (_known_text(codes.CASEWORK_PROCESSES), ", ".join(codes.CASEWORK_PROCESSES)),
    "capability_reason": (_known_text(codes.CAPABILITY_REASONS),
                          ", ".join(codes.CAPABILITY_REASONS)),
}
#: What rows with another code become, where that is not "grouped as Unknown".
_UNKNOWN_MEANS = {
    "process": ("left out of WRES 3 and WDES 3, which count the disciplinary and capability "
                "processes only (other processes, such as grievances, may be left so)"),
    "capability_reason": ("counted as performance by WDES 3, which leaves out ill-health "
                          "capability cases only by that name"),
}


#: The survey's groups, per group_var, as the WRES and WDES name them.
_SURVEY_GROUPS: dict[str, tuple[Callable[[pd.Series], pd.Series], tuple[str, ...]]] = {
    "ethnicity": (codes.ethnicity_group, codes.WRES_GROUPS[:2]),
    "disability": (codes.disability_group, codes.WDES_GROUPS[:2]),
}


def _label_findings(name: str, frame: Any, cols: set[str]) -> list[Finding]:
    """Labels of the aggregated survey and benchmarks tables that the figures cannot read:
    each such row would be left out of its question or area, or counted as Unknown, and the
    shares change with no word (survey "BAME" for "BME": WRES 5's BME 34.3% became 0 of 0;
    benchmarks "BAME": White 100% of the population, an adverse status)."""
    if name == "survey" and {"period", "indicator", "group_var", "group"} <= cols:
        return _survey_labels(frame)
    if name == "benchmarks" and {"area", "group_var", "group"} <= cols:
        return _benchmark_labels(frame)
    return []


def _survey_labels(frame: Any) -> list[Finding]:
    from equity.registry import REGISTRY

    ids = sorted(i for i, m in REGISTRY.items() if "survey" in m.needs)
    c = cube.count(frame, ["period", "indicator", "group_var", "group"])
    text = {k: c[k].astype(str).str.strip() for k in ("period", "indicator", "group_var", "group")}
    bad: dict[str, pd.Series] = {
        "period": ~text["period"].str.fullmatch(r"\d{4}/\d{2}"),
        "indicator": ~text["indicator"].isin(ids),
        "group_var": ~text["group_var"].isin(list(_SURVEY_GROUPS)),
    }
    known = pd.Series(False, index=c.index)
    for gv, (mapper, levels) in _SURVEY_GROUPS.items():
        here = text["group_var"] == gv
        if here.any():
            g = text["group"][here]
            # (an Unknown row is read as such: no figure compares it)
            known[here] = g.isin([*levels, "Unknown"]) | mapper(g).isin(levels)
    bad["group"] = ~bad["group_var"] & ~known
    fixes = {"period": "a financial year as YYYY/YY (2024/25)",
             "indicator": f"one of {', '.join(ids)}",
             "group_var": "ethnicity or disability",
             "group": "White or BME (ethnicity), Disabled or Non-disabled (disability)"}
    out = []
    for col, mask in bad.items():
        if not mask.any():
            continue
        odd = c.loc[mask.to_numpy()].groupby(col, dropna=False)["n"].sum().sort_values(
            ascending=False)
        shown = ", ".join(f"{v!r} ({int(k):,} rows)" for v, k in odd.head(5).items())
        out.append(_finding(
            "survey", col, "unknown_label", int(odd.sum()), (),
            f"{col} values the survey figures cannot read: {shown}"
            f"{f' and {len(odd) - 5} more' if len(odd) > 5 else ''}. Such rows are left out of their question, or "
            f"counted as Unknown, and the published shares change. Write {col} as {fixes[col]}, "
            f"or map the local values under values: in the mapping file (survey: values: "
            f"{col}: {{{', '.join(f'{v!r}: ...' for v in odd.index[:3])}}}).",
        ))
    return out


#: Fewest shortlisted applicants in a year for "every one appointed" to be implausible.
_MANY_SHORTLISTED = 20


def _all_appointed(frame: Any) -> list[Finding]:
    """Years in which every shortlisted applicant (20 or more) is appointed: a flag holding
    the shortlisting or the offer, not the appointment (WRES 2 then reads 1.00 for every
    group: the sample's 1.37, adverse, became 1.00, within range)."""
    year = nw.col("closing_date").dt.year() - (nw.col("closing_date").dt.month() < 4).cast(
        nw.Int32())
    per = cube.collect(cube.lazy(frame).filter(_true("shortlisted"))
                       .with_columns(__fy=year, __a=_true("appointed").cast(nw.Int64()))
                       .group_by("__fy")
                       .agg(nw.len().alias("n"), nw.col("__a").sum().alias("appointed")))
    per = per.loc[(per["n"] >= _MANY_SHORTLISTED) & (per["appointed"] == per["n"])]
    if per.empty:
        return []
    years = [f"{int(y)}/{(int(y) + 1) % 100:02d} ({int(n):,} of {int(n):,})"
             for y, n in sorted(zip(per["__fy"], per["n"], strict=True))]
    return [_finding(
        "recruitment", "appointed", "all_appointed", int(per["n"].sum()), tuple(years),
        "every shortlisted applicant is appointed in the year(s) shown, which no recruitment "
        "round does: appointed looks like it holds the shortlisting or the offer, and WRES 2 "
        "would read 1.00 for every group. Check what the column holds in the export.",
    )]


def _survey_percentages(frame: Any) -> list[Finding]:
    """Survey years whose every row (two or more) has exactly 100 respondents: the published
    percentages written as counts out of 100. Whole numbers, so the counts' own rule passes;
    every interval, status and small-number rule would then rest on 100 invented people (a
    group of 12 respondents read as 100, so its share published and judged)."""
    per = cube.collect(cube.lazy(frame).with_columns(
        __hundred=(nw.col("respondents") == 100).fill_null(False).cast(nw.Int64()))
        .group_by("period", drop_null_keys=False)
        .agg(nw.len().alias("n"), nw.col("__hundred").sum().alias("hundred")))
    per = per.loc[(per["n"] >= 2) & (per["hundred"] == per["n"])]
    if per.empty:
        return []
    years = [f"{p} ({int(n):,} rows)" for p, n in sorted(
        zip(per["period"].astype(str), per["n"], strict=True))]
    return [_finding(
        "survey", "respondents", "survey_percentages", int(per["n"].sum()), tuple(years),
        "respondents is 100 in every row of the year(s) shown: the survey's percentages "
        "written as counts out of 100, which no survey's answers are. The intervals and the "
        "small-number rules need the real counts: give each group's number of respondents "
        "and of those giving the answer (the survey's benchmark reports list both).",
    )]


def _survey_directorates(frame: Any, staff: Any) -> list[Finding]:
    """Survey directorates no staff snapshot has ("Trust total", "Older people"): no report
    reads their rows, and where the survey has no whole-organisation rows (directorate
    blank) the trust's figure adds every directorate's up, such a total among them (every
    survey count doubled)."""
    have = set(cube.collect(cube.lazy(staff).select("directorate").unique())["directorate"]
               .dropna().astype(str))
    c = cube.count(frame, ["directorate"])
    given = c.loc[c["directorate"].notna().to_numpy()]
    odd = given.loc[~given["directorate"].astype(str).isin(have).to_numpy()]
    if odd.empty:
        return []
    whole = bool(c["directorate"].isna().any())
    shown = ", ".join(f"{v!r} ({int(k):,} rows)" for v, k in zip(odd["directorate"][:5],
                                                                   odd["n"][:5], strict=True))
    return [_finding(
        "survey", "directorate", "unknown_label", int(odd["n"].sum()), (),
        f"directorates no staff snapshot has: {shown}. No directorate report reads their rows"
        + ("." if whole else
           ", and with no whole-organisation rows (directorate blank) the trust's survey "
           "figures add every directorate's rows up, these among them (a total written as a "
           "directorate counts everyone twice).")
        + " Leave directorate blank on the whole organisation's rows, and write directorates "
        "as staff does (or map them under values: in the mapping file).",
        severity="warning" if whole else "error",
    )]


def _benchmark_labels(frame: Any) -> list[Finding]:
    c = cube.count(frame, ["area", "group_var", "group"])
    read = c.loc[c["group_var"].astype(str).str.strip().str.lower().str.startswith("ethnic")]
    if read.empty:
        return []
    label = read["group"].astype(str).str.strip()
    as_code = label.map(lambda v: codes.CENSUS_2021_TO_NHS.get(v, v))
    mapped = codes.ethnicity_group(as_code).where(~label.isin(codes.WRES_GROUPS[:2]), label)
    read = read.assign(mapped=mapped.to_numpy())
    out = []
    odd = read.loc[read["mapped"] == "Unknown"].groupby("group")["n"].sum()
    if len(odd):
        shown = ", ".join(f"{v!r}" for v in odd.index[:5])
        out.append(_finding(
            "benchmarks", "group", "unknown_label", int(odd.sum()), (),
            f"ethnicity groups the comparison with the local population cannot read: {shown}. "
            "Their people would be left out of the area's population and every other group's "
            "share would rise. Write them as White and BME, as Census 2021 names them "
            "('Asian, Asian British or Asian Welsh'), or as NHS ethnic codes.",
        ))
    per_area = read.groupby("area")
    twice = [str(a) for a, g in per_area if g["group_var"].nunique() > 1]
    if twice:
        out.append(_finding(
            "benchmarks", "group_var", "unknown_label",
            int(read.loc[read["area"].isin(twice), "n"].sum()), tuple(twice[:5]),
            f"{len(twice)} area(s) have ethnicity rows under more than one group_var beginning "
            "'ethnic', which the comparison adds together (each person counted twice). Keep "
            "one (ethnicity: White and BME), or name the others otherwise (census_ethnic_group).",
        ))
    lacking = [str(a) for a, g in per_area
               if not {"White", "BME"} <= set(g["mapped"]) and not g["mapped"].eq("Unknown").any()]
    if lacking:
        out.append(_finding(
            "benchmarks", "group", "unknown_label",
            int(read.loc[read["area"].isin(lacking), "n"].sum()), tuple(lacking[:5]),
            f"{len(lacking)} area(s) have no White or no BME ethnicity row: the other group "
            "would be the whole population. Give both (their counts, from Census 2021 TS021).",
        ))
    return out


def _looks_like_label(values: pd.Series) -> pd.Series:
    """Ethnic values such as "Asian or Asian British - Indian": a known first letter followed by
    more letters, which the first-character rule would misread (here as A, White British).

    ESR's "A White - British" (code, space, label) and local codes like "CA" are fine.
    """
    s = values.astype(str)
    return s.str.len().gt(2) & s.str.match(r"^[A-Za-z][A-Za-z]") & codes.is_known_ethnic_code(values)


def _code_findings(name: str, frame: Any, cols: set[str], id_col: str | None) -> list[Finding]:
    out = []
    for col, (is_known, listed) in _CODE_LISTS.items():
        if col not in cols:
            continue
        counts = cube.count(frame, [col])
        vals = counts[col]
        given = vals.notna() & vals.astype(str).str.strip().ne("")
        counts = counts[given.to_numpy()]
        if counts.empty:
            continue
        if col == "ethnic_category":
            label = _looks_like_label(counts[col]).to_numpy()
            if label.any():
                bad = counts[label].sort_values("n", ascending=False)
                n, ex = _rows_where(frame, nw.col(col).is_in(bad[col].tolist()), id_col,
                                    int(bad["n"].sum()))
                shown = ", ".join(f"{v!r} ({int(k)})" for v, k in zip(bad[col][:5], bad["n"][:5], strict=True))
                out.append(_finding(
                    name, col, "ethnic_label_as_code", n, ex,
                    f"values are full category labels, not NHS codes: {shown}. They are read by "
                    "meaning (e.g. 'Asian or Asian British - Indian' as H); recode them to codes "
                    "under values: in the mapping file to make the extract unambiguous.",
                ))
                counts = counts[~label]
        if col == "band":
            out += _band_spellings(name, frame, counts, id_col)
        if col == "contract_type":
            out += _bank_spellings(name, frame, counts, id_col)
            counts = counts.loc[~_bank_like(counts[col]).to_numpy()]  # said once, above
        unknown = counts[~is_known(counts[col].astype(str)).to_numpy()].sort_values("n", ascending=False)
        if unknown.empty:
            continue
        n, ex = _rows_where(frame, nw.col(col).is_in(unknown[col].tolist()), id_col,
                            int(unknown["n"].sum()))
        shown = ", ".join(f"{v!r} ({int(k)})" for v, k in zip(unknown[col][:5], unknown["n"][:5], strict=True))
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        recorded = int(counts["n"].sum())
        if col in _GROUPING_CODES and 2 * n >= recorded and n >= _MANY_UNKNOWN:
            # Most of the column coded otherwise ("Y" / "N" for disability): every figure by
            # it would count them as Unknown ("disability recorded for 0.0%"), not a few
            # stray codes (nor half of a board of two).
            out.append(_finding(
                name, col, "unknown_code", n, ex,
                f"most recorded values ({n:,} of {recorded:,}) are not in the code list: "
                f"{shown}{more}. Every figure by {col.replace('_', ' ')} would count them as "
                f"Unknown (its declaration rate near 0%). Allowed: {listed}. Recode them "
                f"under values: in the mapping file ({name}: values: {col}: "
                f"{{{', '.join(f'{v!r}: ...' for v in unknown[col][:5])}}}).",
                severity="error",
            ))
            continue
        if col in _UNKNOWN_MEANS:
            out.append(_casework_codes(col, counts, str(unknown[col].iloc[0]), n, ex, shown,
                                       more, listed))
            continue
        out.append(_finding(
            name, col, "unknown_code", n, ex,
            f"{len(unknown)} value(s) are not in the code list: {shown}{more}. They are kept and "
            f"grouped as Unknown. Allowed: {listed}. Recode local values under values: in the "
            "mapping file.",
        ))
    return out


def _casework_codes(col: str, counts: pd.DataFrame, commonest: str, n: int,
                    ex: tuple[str, ...], shown: str, more: str, listed: str) -> Finding:
    """Casework codes outside the list: what they become; an error where they change a
    figure surely: a capability reason (counted as performance), or a process list without
    one of the two processes the standards count ("Conduct" for disciplinary: WRES 3 became
    0 of every group)."""
    text = counts[col].astype(str).str.strip().str.lower()
    # (a few other codes beside no disciplinary case at all: a small organisation's
    # grievances, perhaps; many: the missing process written another way)
    absent = [p for p in codes.CASEWORK_PROCESSES if not text.eq(p).any()]
    absent = absent if n >= _MANY_UNKNOWN else []
    error = col == "capability_reason" or bool(absent)
    why = (f" The table has no {' or '.join(absent)} rows, so every group's rate of entering "
           f"that process would be 0%." if col == "process" and absent else "")
    return _finding(
        "casework", col, "unknown_code", n, ex,
        f"value(s) not in the code list: {shown}{more}: {_UNKNOWN_MEANS[col]}.{why} Allowed: "
        f"{listed} (in any case). Recode local values under values: in the mapping file "
        f"(casework: values: {col}: {{{commonest!r}: ...}}).",
        severity="error" if error else "warning")


#: Code columns that define the groups every equality figure compares: most of one coded
#: otherwise is an error (``unknown_code``), not a warning.
_GROUPING_CODES = frozenset({"ethnic_category", "disability", "sex", "sexual_orientation",
                             "band"})
#: Fewest rows with such codes for the error: a handful in a small table stays a warning.
_MANY_UNKNOWN = 20


def _band_spellings(name: str, frame: Any, counts: pd.DataFrame, id_col: str | None
                    ) -> list[Finding]:
    """Bands written otherwise than the NHS names them ("Band 8A", "8a", "5"): recognisable,
    but the indicators compare bands by name (senior staff are "Band 8a" and above, the
    WRES band tables list "Band 5"...), so their rows would be miscounted (with "Band 8A"
    and "Band 8B" the sample's senior staff counted 39 instead of 275)."""
    canonical = codes.normalise_band(counts["band"]).to_numpy(dtype=object)
    odd = counts.assign(canonical=canonical)
    odd = odd.loc[odd["canonical"].isin(codes.BANDS) & (odd["band"] != odd["canonical"])]
    if odd.empty:
        return []
    odd = odd.sort_values("n", ascending=False)
    n, ex = _rows_where(frame, nw.col("band").is_in(odd["band"].tolist()), id_col,
                        int(odd["n"].sum()))
    shown = ", ".join(f"{v!r} ({int(k):,} rows)" for v, k in zip(odd["band"][:5], odd["n"][:5],
                                                              strict=True))
    more = f" and {len(odd) - 5} more" if len(odd) > 5 else ""
    recode = ", ".join(f"{v!r}: {c!r}" for v, c in zip(odd["band"][:3], odd["canonical"][:3],
                                                      strict=True))
    return [_finding(
        name, "band", "band_spelling", n, ex,
        f"bands are written otherwise than the NHS names them: {shown}{more}. The indicators "
        "compare bands by their NHS names (senior staff are 'Band 8a' and above; the WRES band "
        "tables list 'Band 1' to 'VSM'), so these rows would be left out of them. Write them "
        "as 'Band 5', 'Band 8a', 'VSM', or map them in the mapping file: "
        f"{name}: values: band: {{{recode}}}.",
    )]


def _bank_like(values: pd.Series) -> pd.Series:
    """Contract types naming bank work otherwise than "Bank" (in any case or padding, which
    :func:`equity.measures._common.is_bank` reads as bank)."""
    text = values.astype(str)
    return (text.str.contains(r"\bbank\b", case=False, regex=True)
            & (text.str.strip().str.lower() != "bank"))


def _bank_spellings(name: str, frame: Any, counts: pd.DataFrame, id_col: str | None
                    ) -> list[Finding]:
    """Bank work written otherwise than "Bank" ("Bank Staff", "NHSP Bank worker"): the
    indicators leave bank staff out by that name (WRES 1, the retention figures...), so these
    rows would be counted as staff in post (1,324 sample rows as "Bank Staff": the BME leaver
    ratio's denominator grew from 492 to 543.5 people with no exclusion said)."""
    odd = counts.loc[_bank_like(counts["contract_type"]).to_numpy()]
    if odd.empty:
        return []
    odd = odd.sort_values("n", ascending=False)
    n, ex = _rows_where(frame, nw.col("contract_type").is_in(odd["contract_type"].tolist()),
                        id_col, int(odd["n"].sum()))
    shown = ", ".join(f"{v!r} ({int(k):,} rows)" for v, k in zip(odd["contract_type"][:5],
                                                              odd["n"][:5], strict=True))
    recode = ", ".join(f"{v!r}: 'Bank'" for v in odd["contract_type"][:3])
    return [_finding(
        name, "contract_type", "bank_spelling", n, ex,
        f"contract types name bank work otherwise than 'Bank': {shown}. Bank staff are left "
        "out of the WRES, representation and retention figures by the name 'Bank', so these "
        "rows would be counted as staff in post. Write them as 'Bank', or map them in the "
        f"mapping file: {name}: values: contract_type: {{{recode}}}.",
    )]


#: Free-text columns whose values name the groups reports are split by: a name written two
#: ways is two directorates (two reports), two professions or two staff groups.
_LABEL_COLUMNS = ("organisation", "directorate", "staff_group", "profession", "leaving_reason")


def _label_variant_findings(name: str, frame: Any, cols: set[str],
                            id_col: str | None) -> list[Finding]:
    """Names that differ only in case or spacing ('mental health adults' beside 'Mental
    Health Adults'): equity counts each spelling as a group of its own, so a report would
    leave the other spelling's rows out. A staff group is also compared with the NHS staff
    group names (:data:`equity.codes.STAFF_GROUPS`): 'Allied health professionals' alone
    would leave every AHP report empty."""
    out = []
    for col in _LABEL_COLUMNS:
        if col not in cols:
            continue
        counts = cube.count(frame, [col])
        counts = counts[counts[col].notna().to_numpy()]
        spellings: dict[str, dict[str, int]] = {}
        for v, n in zip(counts[col].astype(str), counts["n"], strict=True):
            spellings.setdefault(codes.name_key(v), {})[v] = int(n)
        standard = set(codes.STAFF_GROUPS) if col == "staff_group" else set()
        for known in standard:
            spellings.get(codes.name_key(known), {}).setdefault(known, 0)
        groups = [g for g in spellings.values() if len(g) > 1]
        if not groups:
            continue
        others: list[str] = []
        n_others = 0
        said = []
        for g in sorted(groups, key=lambda g: -sum(g.values())):
            # the NHS name where there is one, else the most common spelling
            main = next((v for v in g if v in standard), max(g, key=lambda v: (g[v], v)))
            rest = sorted((v for v in g if v != main), key=lambda v: -g[v])
            others += rest
            n_others += sum(g[v] for v in rest)
            said.append(" beside ".join(
                [*(f"{v!r} ({g[v]:,} rows)" for v in rest),
                 f"{main!r} ({f'{g[main]:,} rows' if g[main] else 'the NHS name, no rows'})"]))
        n, ex = _rows_where(frame, nw.col(col).is_in(others), id_col, n_others)
        what = col.replace("_", " ")
        out.append(_finding(
            name, col, "label_variants", n, ex,
            f"{len(groups)} {what} name(s) are written in more than one case or spacing, and "
            f"each spelling is counted as a different {what}: {'; '.join(said[:5])}"
            f"{' ...' if len(said) > 5 else ''}. Write each name one way in the source, or map "
            "the other spellings to it under values: in the mapping file.",
        ))
    return out


def _duplicate_findings(name: str, table: Table, frame: Any, cols: set[str]) -> list[Finding]:
    required = set(table.required_columns)
    # an optional key column (the survey's directorate) keys by its value where present;
    # blank is a value too (the survey's whole-organisation rows)
    key = [k for k in table.key if k in cols or k in required]
    blank = [k for k in key if k not in required]
    if not key or not set(key) <= cols:
        return []
    if "organisation" in cols and name in ("staff", "leavers", "board", "survey"):
        # person ids are unique within an organisation only (national data); a survey
        # answers for one organisation
        key = ["organisation", *key]
        blank.append("organisation")
    lazy = cube.lazy(frame)
    if blank:
        lazy = lazy.with_columns(*(nw.col(k).fill_null("") for k in blank))
    dup = cube.collect(
        lazy.drop_nulls(subset=key)
        .group_by(key).agg(nw.len().alias("n"))
        .filter(nw.col("n") > 1)
    )
    if dup.empty:
        return []
    dup = dup.sort_values(key).reset_index(drop=True)
    ex = []
    for rec in dup.head(5).to_dict("records"):
        parts = [f"{k}={_show(rec[k])}" for k in key]
        ex.append(f"{', '.join(parts)} ({int(rec['n'])} rows)")
    return [_finding(
        name, ", ".join(key), "duplicate_key", int(dup["n"].sum()), ex,
        f"{len(dup):,} key(s) appear on more than one row; each ({', '.join(key)}) must be unique "
        "or people are counted twice. Remove the repeated rows (or correct the key) in the source.",
    )]


def _show(v: Any) -> str:
    if isinstance(v, dt.date):  # datetimes (and Timestamps) too
        return f"{v:%Y-%m-%d}"
    return str(v)


def _range_rules(name: str, cols: set[str]) -> list[_RowRule]:
    out = []
    if "fte" in cols and name in ("staff", "leavers"):
        out.append(_RowRule(
            "fte", "fte_out_of_range", ((nw.col("fte") <= 0) | (nw.col("fte") > 1.5)).fill_null(False),
            "fte must be greater than 0 and at most 1.5 (full time is 1.0). Values in hours "
            "or percent (37.5, 80) must be converted; zero-hours bank staff need their "
            "contracted fte or removal from the snapshot.",
        ))
    if name == "staff":
        for col in ("hourly_pay", "bonus_pay"):
            if col in cols:
                out.append(_RowRule(
                    col, "negative_pay", (nw.col(col) < 0).fill_null(False),
                    f"{col} is negative. Pay gaps need the ordinary pay actually received "
                    "(zero, not negative, when nothing was paid); correct the extract.",
                ))
        if {"hourly_pay", "full_pay"} <= cols:
            out.append(_RowRule(
                "hourly_pay", "full_pay_unpaid",
                ((nw.col("hourly_pay") == 0) & nw.col("full_pay")).fill_null(False),
                "hourly_pay is 0 for a full-pay relevant employee (full_pay true): the pay "
                "gaps count only staff paid their full ordinary pay in the pay period. Set "
                "full_pay to false for staff on reduced or no pay (leave, a zero-hours month), "
                "or give the hourly pay actually received.",
            ))
        if {"org_start_date", "snapshot_date"} <= cols:
            out.append(_RowRule(
                "org_start_date", "start_after_snapshot",
                (nw.col("org_start_date") > nw.col("snapshot_date")).fill_null(False),
                "org_start_date is after the snapshot_date, so the person could not be in "
                "post at the snapshot. Check the start date, or the snapshot the row belongs to.",
            ))
    if name == "staff":
        for col, limit in _PAY_LIMITS.items():
            if col in cols:
                out.append(_RowRule(
                    col, "pay_out_of_range", (nw.col(col) > limit).fill_null(False),
                    f"{col} is above {limit:,} (or infinite), which no NHS pay is: a value in "
                    "pence, weekly or annual pay, a unit or export error, or a placeholder. Give pay in "
                    "pounds" + (" per hour" if col == "hourly_pay" else "") + " and correct "
                    "the values.",
                ))
    if name == "survey" and {"positive", "respondents"} <= cols:
        out.append(_RowRule(
            "positive", "survey_inconsistent",
            ((nw.col("positive") > nw.col("respondents")) | (nw.col("positive") < 0)
             | (nw.col("respondents") < 0) | (nw.col("positive") % 1 != 0)
             | (nw.col("respondents") % 1 != 0)).fill_null(False),
            "positive is greater than respondents, or a count is negative or not a whole "
            "number (a share such as 0.34 or a percentage given for a count), so the share "
            "would be wrong. positive counts the respondents giving the reported answer, out "
            "of respondents; give both as counts from the survey's results.",
        ))
    if name == "benchmarks" and "count" in cols:
        out.append(_RowRule(
            "count", "benchmark_out_of_range", (nw.col("count") < 0).fill_null(False),
            "a population count is negative. The comparison with the local population "
            "divides the workforce share by each group's share of its area's count: correct "
            "the benchmarks table.",
        ))
    if name == "benchmarks" and "share" in cols:
        out.append(_RowRule(
            "share", "benchmark_out_of_range",
            ((nw.col("share") < 0) | (nw.col("share") > 1)).fill_null(False),
            "a population share is outside 0-1: write a share as a fraction (18.6% as "
            "0.186), or leave the share column out (the counts give the shares).",
        ))
    if name == "recruitment" and {"appointed", "shortlisted"} <= cols:
        out.append(_RowRule(
            "appointed", "appointed_not_shortlisted", _true("appointed") & _false("shortlisted"),
            "applicants are appointed but not shortlisted; WRES 2 counts appointments from "
            "shortlisting. Set shortlisted to true for them (or correct appointed).",
        ))
    return out


#: Event tables whose rows must fall after the person's first start: the rule and message.
_BEFORE_START = {
    "leavers": ("leave_before_start",
                "leave_date is before every org_start_date of the person in staff, so it ends "
                "no employment spell (a re-joiner's earlier leave date before a later start is "
                "fine). Check both dates (day and month swapped is a common cause)."),
    "casework": ("event_before_start",
                 "start_date is before every org_start_date of the person in staff: a case "
                 "opened before they first joined, so a date or an id is wrong; the case is "
                 "counted in the year its date says. Check both dates, and that the id is the "
                 "person's."),
    "training": ("event_before_start",
                 "date is before every org_start_date of the person in staff: training before "
                 "they first joined (time as bank staff before a substantive start date can "
                 "look like this), counted in the year its date says. Check both dates, and "
                 "that the id is the person's."),
}


def _before_start(name: str, frame: Any, staff: Any) -> list[Finding]:
    # A leavers row ends the employment spell in force at leaving: the person's latest
    # org_start_date on or before the leave date. A re-joiner's earlier leave date precedes
    # their later start legitimately, so the row is only wrong when no spell had started by
    # then, i.e. the leave date is before the person's earliest start; a case or a course
    # likewise. Person key as everywhere (organisation + staff_id in national data): a
    # staff_id is only unique within its organisation.
    col = EVENT_DATES[name]
    key = cube.person_key(staff, frame)
    starts = (
        cube.lazy(staff).select(*key, "org_start_date").drop_nulls()
        .group_by(key).agg(nw.col("org_start_date").min().alias("__start"))
    )
    lf, has_row = _with_rows(frame)
    bad = lf.join(starts, on=key, how="inner").filter(
        (nw.col(col) < nw.col("__start")).fill_null(False)
    )
    n = int(cube.collect(bad.select(nw.len().alias("n")))["n"].sum())
    if not n:
        return []
    rule, message = _BEFORE_START[name]
    return [_finding(name, col, rule, n, _row_examples(bad, has_row, "staff_id"), message)]


def _leaver_in_post(leavers: Any, staff: Any) -> list[Finding]:
    # A leavers row ends an employment spell: the person cannot be in post at a later
    # snapshot in that spell (org_start_date on or before the leave date; a re-joiner's
    # later rows carry the new, later start). ESR's assignment-level leavers (one of two
    # posts ended) look exactly like this, and would count as leaving the organisation.
    key = cube.person_key(staff, leavers)
    later = cube.lazy(staff).select(*key, nw.col("snapshot_date").alias("__snap"),
                                    nw.col("org_start_date").alias("__start"))
    lf, has_row = _with_rows(leavers)
    bad = lf.join(later, on=key, how="inner").filter(
        ((nw.col("__snap") > nw.col("leave_date"))
         & (nw.col("__start") <= nw.col("leave_date"))).fill_null(False))
    cols = [c for c in ("__row", *key, "leave_date") if c != "__row" or has_row]
    bad = bad.select(cols).unique(cols)
    n = int(cube.collect(bad.select(nw.len().alias("n")))["n"].sum())
    if not n:
        return []
    return [_finding(
        "leavers", "leave_date", "leaver_in_post", n,
        _row_examples(bad.sort(cols), has_row, "staff_id"),
        "the person is in post at a later staff snapshot with the same org_start_date, so "
        "this row did not end their employment (an assignment-level leaver: one of several "
        "posts ended, or a change of post). Leaver figures count people leaving the "
        "organisation: keep only rows that end the employment, or correct the later "
        "snapshot's org_start_date if they left and re-joined.",
    )]


def _leaver_twice(leavers: Any, staff: Any) -> list[Finding]:
    # Each leavers row ends the spell in force at its date (the person's latest
    # org_start_date on or before it); two rows ending the same spell count one leaving
    # twice (ESR's leavers by assignment: a person's posts ending on different days).
    key = cube.person_key(staff, leavers)
    starts = cube.lazy(staff).select(*key, nw.col("org_start_date").alias("__start")).unique()
    lf, has_row = _with_rows(leavers)
    row = ["__row"] if has_row else []
    spell = (lf.select(*row, *key, "leave_date").join(starts, on=key, how="inner")
             .filter((nw.col("__start") <= nw.col("leave_date")).fill_null(False))
             .group_by([*row, *key, "leave_date"])
             .agg(nw.col("__start").max().alias("__spell")))
    twice = (spell.group_by([*key, "__spell"]).agg(nw.len().alias("__n"))
             .filter(nw.col("__n") > 1))
    bad = spell.join(twice, on=[*key, "__spell"], how="inner")
    n = int(cube.collect(bad.select(nw.len().alias("n")))["n"].sum())
    if not n:
        return []
    return [_finding(
        "leavers", "leave_date", "leaver_twice", n,
        _row_examples(bad.sort([*key, "leave_date"]), has_row, "staff_id"),
        "the same person has more than one leavers row with no re-join seen between them "
        "(no later org_start_date in staff). Each row counts as a leaving: right for someone "
        "who left, re-joined and left again between two snapshots, but an extract by "
        "assignment lists each post that ended, counting one leaving more than once. If so, "
        "keep one row per leaving (the one that ended the employment).",
    )]


def _benchmark_shares(frame: Any) -> list[Finding]:
    """Population shares that are not their count's share of the area (within each
    ``group_var``): the comparison uses the counts, so a share written beside them that
    disagrees says one of the two is wrong (counts in another unit, a row from another area)."""
    t = cube.collect(cube.lazy(frame).select("area", "group_var", "group", "count", "share"))
    t = t.loc[t["count"].notna()]
    total = t.groupby(["area", "group_var"], dropna=False)["count"].transform("sum")
    # (a share outside 0-1 is named on its own row by the range rule)
    off = t.loc[t["share"].between(0, 1) & (total > 0)
                & ((t["count"] / total.where(total > 0) - t["share"]).abs() > 0.005)]
    if off.empty:
        return []
    ex = [f"{r['area']} / {r['group_var']} / {r['group']}: share {_show(r['share'])}, count "
          f"{_show(r['count'])} of {_show(total[i])} = {r['count'] / total[i]:.3f}"
          for i, r in off.head(5).iterrows()]
    return [_finding(
        "benchmarks", "share", "benchmark_out_of_range", len(off), ex,
        "the share is not the row's count divided by its area's total count (for the same "
        "group_var), by more than 0.005. The comparison with the local population uses the "
        "counts: correct whichever is wrong (counts in one unit for every group of an area, "
        "every group of the area present once), or leave the share column out.",
    )]


def _unknown_staff(name: str, frame: Any, staff: Any) -> list[Finding]:
    key = cube.person_key(staff, frame)  # organisation + staff_id in national data
    ids = cube.distinct_rows(cube.lazy(staff).select(*key).drop_nulls(), key)
    lf, has_row = _with_rows(frame)
    orphans = lf.filter(~nw.col("staff_id").is_null()).join(ids, on=key, how="anti")
    n = int(cube.collect(orphans.select(nw.len().alias("n")))["n"].sum())
    if not n:
        return []
    if n >= 5 and n == _count(frame, ~nw.col("staff_id").is_null()):
        staff_ex = cube.collect(cube.lazy(staff).select("staff_id").drop_nulls().head(3))
        shown = ", ".join(repr(str(v)) for v in staff_ex["staff_id"])
        return [_finding(
            name, "staff_id", "no_matching_ids", n, _row_examples(orphans, has_row, "staff_id"),
            f"not one staff_id of {name} appears in staff (staff has ids like {shown}), so "
            f"every {name} row is unlinked and its indicators would be empty or zero. The ids are "
            "written differently in the two tables: numbers in one and text in the other "
            "(leading zeros or a prefix lost), or another identifier. Export both with the same "
            "id, as text.",
        )]
    # ids that match staff once case and spaces are ignored ("s0001213" for "S0001213"):
    # written differently, not people who joined and left between snapshots (40 such
    # casework rows moved WRES 3 from 2.59 to 4.93 under a warning)
    def norm(f: Any) -> Any:
        return f.with_columns(__k=nw.col("staff_id").cast(nw.String()).str.strip_chars()
                              .str.to_uppercase())

    others = [k for k in key if k != "staff_id"]
    alike = norm(orphans).join(norm(ids).select(*others, "__k"), on=[*others, "__k"],
                               how="semi")
    k = int(cube.collect(alike.select(nw.len().alias("n")))["n"].sum())
    out = []
    if k:
        out.append(_finding(
            name, "staff_id", "staff_id_case", k, _row_examples(alike, has_row, "staff_id"),
            "staff_id matches a staff id only when case and spaces are ignored, so these rows "
            "are not linked to the person and are left out of the indicators that need their "
            "equality group. Write the ids exactly as staff does (the same case, no spaces).",
        ))
    if n > k:
        out.append(_finding(
            name, "staff_id", "unknown_staff_id", n - k,
            _row_examples(orphans.join(alike.select(*key), on=key, how="anti"), has_row,
                          "staff_id"),
            "staff_id never appears in any staff snapshot, so these rows cannot be linked to an "
            "equality group and are left out of the indicators that need one. Expected for "
            "people who joined and left between two snapshots; otherwise check the ids match "
            "staff.",
        ))
    return out


def _snapshot_findings(name: str, frame: Any) -> list[Finding]:
    counts = cube.count(frame, ["snapshot_date"])
    dates = pd.to_datetime(counts["snapshot_date"])
    off = counts[(dates.notna() & ~((dates.dt.month == 3) & (dates.dt.day == 31))).to_numpy()]
    if off.empty:
        return []
    off = off.assign(d=pd.to_datetime(off["snapshot_date"])).sort_values("d")
    ex = [f"{d:%Y-%m-%d} ({int(k):,} row{'' if int(k) == 1 else 's'})" for d, k in zip(off["d"], off["n"], strict=True)]
    return [_finding(
        name, "snapshot_date", "snapshot_not_31_march", int(off["n"].sum()), ex,
        "snapshot dates are not 31 March. Indicators for an NHS financial year use the 31 March "
        "snapshots that open and close it; other snapshots are kept but not used for them.",
    )]


def _blank_columns(name: str, table: Table, frame: Any, cols: set[str],
                   unparsed: dict[tuple[str, str], int]) -> list[Finding]:
    """Schema columns blank in every row of a table that has rows: one query for all (columns
    whose values could not be read are reported as such, not as blank)."""
    present = [c.name for c in table.columns if c.name in cols and (name, c.name) not in unparsed]
    if not present:
        return []
    given = cube.collect(cube.lazy(frame).select(
        *(nw.col(c).count().alias(c) for c in present)))
    out = []
    for c in present:
        if int(pd.to_numeric(given[c]).fillna(0).iloc[0]) > 0:
            continue
        needed = c in table.required_columns or c in _NEEDED
        out.append(_finding(
            name, c, "blank_column", 0, (),
            f"the {c} column is blank in every row"
            + (f", and indicators need it ({table.column(c).description}). Fill it in the "
               "export, or remove the column to have those indicators listed as not computed."
               if needed else ". It is kept, and every row reads as not recorded; fill it in "
               "or remove it."),
            severity="error" if needed else "warning",
        ))
    return out


def _blank_at_snapshot(name: str, frame: Any, cols: set[str]) -> list[Finding]:
    """Equality columns blank in every row of a snapshot but recorded at another: one query
    (the board's 11 members of 31 March 2025 with no ethnicity: WRES 9 went from +14.8
    points, favourable, to -21.6, adverse, with "every check passed")."""
    present = [c for c in _SNAPSHOT_RECORDED if c in cols]
    if "snapshot_date" not in cols or not present:
        return []
    per = cube.collect(cube.lazy(frame).filter(~nw.col("snapshot_date").is_null())
                       .group_by("snapshot_date")
                       .agg(nw.len().alias("__n"), *(nw.col(c).count().alias(c) for c in present)))
    out = []
    for c in present:
        given = pd.to_numeric(per[c]).fillna(0)
        blank = per.loc[(given == 0).to_numpy()]
        if blank.empty or not (given > 0).any():
            continue  # (blank everywhere: blank_column)
        dates = sorted(pd.Timestamp(d).date() for d in blank["snapshot_date"])
        out.append(_finding(
            name, c, "blank_at_snapshot", int(blank["__n"].sum()),
            tuple(f"{d:%Y-%m-%d}" for d in dates),
            f"{c} is blank in every row of {len(dates)} snapshot(s) but recorded at the "
            f"others: an extract that left the column out, not {len(dates)} snapshot(s) of "
            f"people who did not declare. Every figure by it would count them all as not "
            f"recorded. Export the snapshot again with the {c} column filled.",
        ))
    return out


def _future_dates(name: str, frame: Any, staff: Any, id_col: str | None) -> list[Finding]:
    """Event dates more than a year after the latest staff snapshot (never compared with today)."""
    col = _EVENT_DATES[name]
    latest = cube.collect(cube.lazy(staff).select(nw.col("snapshot_date").max()))["snapshot_date"]
    if not len(latest) or pd.isna(latest.iloc[0]):
        return []
    last = pd.Timestamp(latest.iloc[0])
    limit = (last + pd.DateOffset(years=1)).to_pydatetime()
    where = (nw.col(col) > nw.lit(limit)).fill_null(False)
    n, ex = _rows_where(frame, where, id_col)
    if not n:
        return []
    return [_finding(
        name, col, "future_date", n, ex,
        f"{col} is more than a year after the latest staff snapshot ({last:%d %B %Y}), "
        "so it is almost surely mistyped (2205 for 2025, or day and month swapped) and the "
        "row would fall outside every period. Correct the dates (or add the later snapshots).",
    )]


def _short_event_table(dataset: Dataset, name: str) -> list[Finding]:
    """The years with both staff snapshots that the event table ``name`` does not reach
    whole (:func:`equity.measures._common.uncovered`): a leavers extract from October 2021
    beside snapshots from 2020 would give 2020/21 and 2021/22 leaver rates of none or half
    the leavers; the indicators leave those years out, and this says so before any is
    asked for (:func:`equity.measures._common.unreached_years`)."""
    from equity.measures._common import event_dates, unreached_years
    from equity.measures.retention import periods_with_both

    short = [y for y, _ in unreached_years(dataset, name, periods_with_both(dataset))]
    span = event_dates(dataset, name)
    if not short or span is None:
        return []
    col = _EVENT_DATES[name]
    years = ", ".join(map(str, short))
    return [_finding(
        name, col, "event_table_short", 0, (),
        f"{col} runs from {span[0]:%d %B %Y} to {span[1]:%d %B %Y}, which does not reach the "
        f"whole of {years} (years the staff snapshots open and close): the figures these "
        f"years would take from the {name} table are not computed, where they would count "
        f"only part of the year's {name}. Add the missing rows, or report on the years it "
        "covers.",
    )]


def _missing_rules(name: str, table: Table, cols: set[str],
                   unparsed: dict[tuple[str, str], int]) -> list[_RowRule]:
    return [
        _RowRule(
            col, "missing_value", nw.col(col).is_null(),
            f"{col} is blank, but it is required in {name}. Fill it in at the source (or drop "
            "the rows there if they should not be in the extract).",
            # unparseable values are read as missing too, and already reported as such
            discount=unparsed.get((name, col), 0),
        )
        for col in table.required_columns if col in cols
    ]


def _check_coerced(dataset: Dataset) -> None:
    """An :class:`~equity.errors.InputError` for pandas tables whose date columns are not
    dates: a :class:`~equity.io.Dataset` built directly from frames as read
    (``Dataset(staff=pd.read_csv(...))``) holds text where the rules and indicators compare
    dates (it failed with "TypeError: Invalid comparison between dtype=str and Timestamp")."""
    if dataset.engine != "pandas":
        return
    for name, frame in dataset.tables().items():
        if not isinstance(frame, pd.DataFrame):
            continue
        text = [c.name for c in TABLES[name].columns
                if c.kind == "date" and c.name in frame.columns
                and not pd.api.types.is_datetime64_any_dtype(frame[c.name])]
        if text:
            raise InputError(
                f"The {name} table's {', '.join(text)} column(s) hold {frame[text[0]].dtype} "
                "values, not dates: the dataset was built from frames as read. Build it with "
                "equity.Dataset.from_frames(staff=..., leavers=...) or equity.read_dataset(...), "
                "which read each column as its type and report what they cannot read.",
                table=name, column=text[0])


def validate(dataset: Dataset) -> ValidationReport:
    """Check a dataset against every rule in :data:`RULES` and list every problem.

    Parameters
    ----------
    dataset
        A :class:`~equity.io.Dataset` from :func:`~equity.io.read_dataset` or
        :meth:`~equity.io.Dataset.from_frames`, on any engine.

    Returns
    -------
    ValidationReport
        Errors and warnings, each a :class:`Finding` with table, column, rule, count of rows,
        up to five example rows or ids and a fix. ``report.ok`` is True without errors.

    Notes
    -----
    The data are checked afresh at each call, and the report is kept on the dataset: the
    entry points that compute (:func:`require_valid`) use it while the tables are unchanged.
    Nothing is changed or dropped: the report only describes the data. Unknown codes stay in
    the data and are grouped as Unknown by :mod:`equity.codes`; rows whose staff_id is in no
    staff snapshot are counted here because indicators needing an equality group leave them
    out. The rules follow the issue "Foundation" (validation) and the canonical schema in
    :mod:`equity.schema`.

    Examples
    --------
    >>> staff = pd.DataFrame({"staff_id": ["a", "a"], "snapshot_date": ["2025-03-31"] * 2})
    >>> report = validate(Dataset.from_frames(staff=staff))
    >>> "duplicate_key" in {f.rule for f in report.errors}
    True
    """
    key = _tables_of(dataset)
    for table, _ in key:  # what the indicators remembered of a table changed in place goes
        cube.forget(table)
    report = _validate(dataset)
    dataset._validation = (key, report)  # type: ignore[attr-defined]
    return report


def _validate(dataset: Dataset) -> ValidationReport:
    _check_coerced(dataset)
    findings = _read_findings(dataset.issues)
    unparsed = {(i.table, i.column): int(i.count) for i in dataset.issues if i.severity == "error"}
    present = dataset.tables()
    staff = present.get("staff")
    # Linking other tables to staff only makes sense when staff has rows.
    staff_cols = set(cube.columns(staff)) if staff is not None and _count(staff) else set()
    for name, frame in present.items():
        table = TABLES[name]
        cols = set(cube.columns(frame))
        n_rows = _count(frame)
        if n_rows == 0:
            findings.append(_finding(
                name, "", "empty_table", 0, (),
                f"the {name} table has no rows (a header only). "
                + ("Nothing can be computed without staff: check the export." if name == "staff"
                   else "Every leaver rate would be 0%: check the export, or remove the file "
                        "to have the retention indicators listed as not computed."
                   if name == "leavers"
                   else f"Indicators that need {name} are not computed (they would read 0% "
                        "for every group); add the data or remove the empty file."),
                severity="error" if name in ("staff", "leavers") else "warning",
            ))
            continue
        id_col = _id_column(table, cols)
        missing = [c for c in table.required_columns if c not in cols]
        if missing:
            titled = sum(str(x).startswith("Unnamed: ") for x in cols) * 2 >= len(cols)
            for c in missing:
                close = [x for x in cols if x.strip().lower().replace(" ", "_") == c]
                hint = f" The file has {close[0]!r}; rename it." if close else ""
                if titled:
                    hint += (" Most columns have no header: the first row looks like a title "
                             "(or is blank); delete it so the column names are in row 1.")
                findings.append(_finding(
                    name, c, "missing_column", n_rows, (),
                    f"the required column {c!r} is absent ({table.column(c).description})."
                    f"{hint} Add it, or map the local column name to it under columns: in the "
                    "mapping file.",
                ))
        # (in a one-row table a blank is a missing value)
        blank = _blank_columns(name, table, frame, cols, unparsed) if n_rows > 1 else []
        findings += blank
        if name in ("staff", "board"):
            findings += _blank_at_snapshot(name, frame, cols - {f.column for f in blank})
        blank_cols = {f.column for f in blank}
        row_rules = _missing_rules(name, table, cols - blank_cols, unparsed) + _range_rules(name, cols)
        found = _row_rule_findings(name, frame, row_rules, id_col)
        findings += [f for f in found if f.rule == "missing_value"]
        findings += _code_findings(name, frame, cols, id_col)
        findings += _label_findings(name, frame, cols)
        findings += _label_variant_findings(name, frame, cols, id_col)
        findings += _duplicate_findings(name, table, frame, cols)
        findings += [f for f in found if f.rule != "missing_value"]
        if name == "leavers" and "staff_id" in cols and {"staff_id", "org_start_date"} <= staff_cols \
                and "leave_date" in cols:
            findings += _before_start(name, frame, staff)
            findings += _leaver_twice(frame, staff)
            if "snapshot_date" in staff_cols:
                findings += _leaver_in_post(frame, staff)
        if name == "recruitment" and {"closing_date", "shortlisted", "appointed"} <= cols:
            findings += _all_appointed(frame)
        if name == "survey" and {"period", "respondents"} <= cols:
            findings += _survey_percentages(frame)
        if name == "survey" and "directorate" in cols and "directorate" in staff_cols:
            findings += _survey_directorates(frame, staff)
        if name in ("casework", "training") and {"staff_id", EVENT_DATES[name]} <= cols \
                and {"staff_id", "org_start_date"} <= staff_cols:
            findings += _before_start(name, frame, staff)
        if name in ("leavers", "casework", "training") and "staff_id" in cols and "staff_id" in staff_cols:
            findings += _unknown_staff(name, frame, staff)
        if name == "benchmarks" and {"area", "group_var", "count", "share"} <= cols:
            findings += _benchmark_shares(frame)
        if name in ("staff", "board") and "snapshot_date" in cols:
            findings += _snapshot_findings(name, frame)
        if name in _EVENT_DATES and _EVENT_DATES[name] in cols and "snapshot_date" in staff_cols:
            findings += _future_dates(name, frame, staff, id_col)
            if name != "board":
                findings += _short_event_table(dataset, name)
    findings = [replace(f, source=dataset.sources.get(f.table, "")) for f in findings]
    return ValidationReport(findings, source=dataset.source)


# --------------------------------------------------------------------------- the gate


#: A pandas table of at most this many rows is checked by its values (a hash of every
#: row: about 15 ms for the sample's 14,328 staff rows) each time an entry point computes
#: from it, so one changed in place since it was validated is validated again; a larger one
#: by its shape, columns and dtypes (a national table's hash would take seconds). Tables of
#: the lazy engines (Polars, DuckDB, Spark) cannot change in place.
CONTENT_CHECK_ROWS = 1_000_000


def _content(table: Any) -> Any:
    """What :func:`_tables_of` compares besides a table's identity (see
    :data:`CONTENT_CHECK_ROWS`)."""
    if not isinstance(table, pd.DataFrame):
        return None
    shape = (table.shape, tuple(map(str, table.columns)), tuple(map(str, table.dtypes)))
    if len(table) > CONTENT_CHECK_ROWS:
        return shape
    import hashlib

    try:
        rows = pd.util.hash_pandas_object(table, index=False).to_numpy()
    except TypeError:  # values pandas cannot hash (lists in a cell): compared by shape
        return shape
    return (*shape, hashlib.blake2b(rows.tobytes(), digest_size=16).digest())


def _tables_of(dataset: Dataset) -> tuple[tuple[Any, Any], ...]:
    """What a cached report is valid for: the table objects and the read issues (by
    identity), and each pandas table's values (:func:`_content`) unless the dataset is a
    report's own copy, which nothing changes (``dataset._fixed``)."""
    fixed = getattr(dataset, "_fixed", False)
    return (*((t, None if fixed else _content(t)) for t in dataset.tables().values()),
            *((i, None) for i in dataset.issues))


def require_valid(dataset: Dataset) -> ValidationReport:
    """Validate ``dataset`` once (the report is kept on it) and stop on errors.

    Every computing entry point (``equity.indicators``, each family and indicator function,
    the reports) calls this first, so no figure is computed from data with errors. The report
    is cached on the dataset object (by :func:`validate`) and reused while its tables are the
    same objects holding the same values (a pandas table's values are compared up to
    :data:`CONTENT_CHECK_ROWS` rows), so functions that call one another validate once, and a
    table changed in place is checked again.

    Parameters
    ----------
    dataset
        A :class:`~equity.io.Dataset`.

    Returns
    -------
    ValidationReport
        The report, which then holds warnings only.

    Raises
    ------
    ValidationError
        When validation finds errors; the message is the whole report and ``err.report``
        the :class:`ValidationReport`.

    Examples
    --------
    >>> staff = pd.DataFrame({"staff_id": ["a", "a"], "snapshot_date": ["2025-03-31"] * 2})
    >>> require_valid(Dataset.from_frames(staff=staff))
    Traceback (most recent call last):
    ...
    equity.errors.ValidationError: the data has errors; nothing was computed. ...
    """
    key = _tables_of(dataset)
    cached = getattr(dataset, "_validation", None)
    if cached is not None and len(cached[0]) == len(key) and all(
            a is b and (y is None or x == y)  # (None: identity suffices, see _tables_of)
            for (a, x), (b, y) in zip(cached[0], key, strict=True)):
        report: ValidationReport = cached[1]
    else:
        report = validate(dataset)
    return report.raise_for_errors()


#: Datasets (by id) a gated function running in this context has checked: the functions it
#: calls use that check (the data cannot change while it runs) instead of hashing the tables
#: again (:data:`CONTENT_CHECK_ROWS`).
_CHECKED: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "equity_checked", default=frozenset())

_P = ParamSpec("_P")
_R = TypeVar("_R")


def gated(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorate a computing function whose first argument is a dataset: validate it first
    (:func:`require_valid`) and put the warnings on the result's ``attrs["warnings"]``."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        dataset = args[0] if args else kwargs["dataset"]
        inside = _CHECKED.get()
        if id(dataset) in inside:  # called by a gated function that checked it already
            report = dataset._validation[1]  # type: ignore[attr-defined]
            out = func(*args, **kwargs)
        else:
            report = require_valid(dataset)  # type: ignore[arg-type]
            token = _CHECKED.set(inside | {id(dataset)})
            try:
                out = func(*args, **kwargs)
            finally:
                _CHECKED.reset(token)
        if isinstance(out, pd.DataFrame):
            out.attrs["warnings"] = report.warning_records()
        return out

    return wrapper


__all__ = ["CONTENT_CHECK_ROWS", "RULES", "WHOLE_TABLE_RULES", "Finding", "ValidationReport", "gated", "require_valid",
           "validate"]
