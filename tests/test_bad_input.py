"""The bad-input corpus: the sample with one fault per case, through the CLI and the API.

Each case is built at run time from ``data/sample`` in a temporary folder and gives either a
clear error (non-zero exit; the message names the table and the column or rule; no traceback)
or a named warning with figures identical to the clean sample's (where the fault cannot
change them), and never modifies an input file. A subset runs on Polars and DuckDB too.
"""

from __future__ import annotations

import hashlib
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import equity as eq
from equity.cli import main
from equity.errors import DataQualityWarning, EquityError
from equity.registry import REGISTRY

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
PERIOD = "2024/25"
TABLE_NAMES = ("staff", "leavers", "recruitment", "casework", "training", "board", "survey",
               "benchmarks")
RETENTION = {m.id for m in REGISTRY.values() if m.family in ("retention", "progression")}

Fault = Callable[[Path], "str | None"]  # edits the folder; may return a mapping file's path


@dataclass(frozen=True)
class Case:
    """One fault and what it must give.

    ``expect``: ``"error"`` (stops; ``names`` all appear in the message), ``"warning"`` (runs;
    ``names`` holds the rule warned of), ``"ok"`` (runs, no warning needed) or ``"partial"``
    (runs; ``names`` holds indicators listed as not computed). ``same`` says the figures must
    equal the clean sample's (``"all"``, ``"non-retention"`` or ``""`` when the fault may
    change them).
    """

    id: str
    fault: Fault
    expect: str
    names: tuple[str, ...]
    same: str = "all"
    engines: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- fault helpers


def read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write(folder: Path, table: str, df: pd.DataFrame) -> None:
    df.to_csv(folder / f"{table}.csv", index=False)


def edit(table: str, fn: Callable[[pd.DataFrame], pd.DataFrame]) -> Fault:
    def fault(folder: Path) -> None:
        write(folder, table, fn(read(folder, table)))
    return fault


def set_col(table: str, col: str, fn: Callable[[pd.Series], pd.Series]) -> Fault:
    return edit(table, lambda df: df.assign(**{col: fn(df[col])}))


def set_rows(table: str, col: str, value: str, rows: slice = slice(0, 7)) -> Fault:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[df.index[rows], col] = value
        return df
    return edit(table, fn)


def latest_rows(df: pd.DataFrame, n: int = 7) -> pd.Index:
    return df.index[df["snapshot_date"] == "2025-03-31"][:n]


def with_mapping(text: str, fault: Fault | None = None) -> Fault:
    def f(folder: Path) -> str:
        if fault is not None:
            fault(folder)
        path = folder.parent / f"{folder.name}-mapping.yaml"
        path.write_text(text, encoding="utf-8")
        return str(path)
    return f


def as_parquet(table: str, fn: Callable[[pd.DataFrame], pd.DataFrame] = lambda d: d) -> Fault:
    def fault(folder: Path) -> None:
        df = fn(read(folder, table).replace("", None))
        (folder / f"{table}.csv").unlink()
        df.to_parquet(folder / f"{table}.parquet", index=False)
    return fault


def parquet_with_column_twice(table: str, column: str) -> Fault:
    def fault(folder: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        df = read(folder, table).replace("", None)
        (folder / f"{table}.csv").unlink()
        t = pa.Table.from_pandas(df, preserve_index=False)
        pq.write_table(t.append_column(column, pa.array(["1"] * len(df))),
                       folder / f"{table}.parquet")
    return fault


def as_xlsx(table: str, sheets: Callable[[pd.DataFrame], dict[str, pd.DataFrame]],
            after: Callable[[Path], None] | None = None) -> Fault:
    def fault(folder: Path) -> None:
        df = read(folder, table).replace("", None)
        (folder / f"{table}.csv").unlink()
        path = folder / f"{table}.xlsx"
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            for name, frame in sheets(df).items():
                frame.to_excel(xl, sheet_name=name, index=False)
        if after is not None:
            after(path)
    return fault


README = pd.DataFrame({"About": ["This workbook holds the board table.", "Do not edit."]})


def numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Typed numbers and booleans, as Excel would hold them."""
    out = df.copy()
    for c in out.columns:
        if c in ("executive", "voting", "respondents", "positive"):
            out[c] = out[c].map({"true": True, "false": False}).fillna(
                pd.to_numeric(out[c], errors="coerce"))
    return out


def formulas(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    col = [c.value for c in sheet[1]].index("positive") + 1
    for r in range(2, 6):
        sheet.cell(row=r, column=col, value=f"=F{r}/2")  # no cached value: reads as blank
    book.save(path)


def title_row(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.insert_rows(1)
    sheet.cell(row=1, column=1, value="Board members at 31 March")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    book.save(path)


def serial(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates, errors="coerce")
    return ((d - pd.Timestamp("1899-12-30")).dt.days.astype("Int64").astype(str)
            .replace("<NA>", ""))


def blank(values: pd.Series) -> pd.Series:
    return pd.Series("", index=values.index)


def dmy(dates: pd.Series, fmt: str = "%d/%m/%Y") -> pd.Series:
    d = pd.to_datetime(dates, errors="coerce")
    return d.dt.strftime(fmt).fillna("")


def duplicate_rows(table: str, n: int = 60, where: Callable[[pd.DataFrame], pd.Series] | None = None) -> Fault:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        pick = df[where(df)] if where is not None else df
        return pd.concat([df, pick.head(n)], ignore_index=True)
    return edit(table, fn)


def only_2025(folder: Path) -> None:
    staff = read(folder, "staff")
    write(folder, "staff", staff[staff["snapshot_date"] == "2025-03-31"])
    (folder / "leavers.csv").unlink()


def remove(table: str) -> Fault:
    return lambda folder: (folder / f"{table}.csv").unlink()


def header_only(table: str) -> Fault:
    return edit(table, lambda df: df.head(0))


def raw(table: str, fn: Callable[[str], str | bytes]) -> Fault:
    def fault(folder: Path) -> None:
        path = folder / f"{table}.csv"
        out = fn(path.read_text(encoding="utf-8"))
        (path.write_bytes if isinstance(out, bytes) else path.write_text)(out)  # type: ignore[operator]
    return fault


def ids_as_numbers(table: str) -> Fault:
    # staff_id "S0001568" stored as the integer 1568 in a Parquet file
    return as_parquet(table, lambda df: df.assign(
        staff_id=df["staff_id"].str.lstrip("S").astype("int64")))


def swap_leave_before_start(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.loc[df.index[:3], "leave_date"] = "1990-01-01"
    return df


def rename(table: str, fn: Callable[[str], str]) -> Fault:
    return edit(table, lambda df: df.rename(columns=fn))


LATEST = "snapshot_date"


def staff_latest(col: str, value: str, n: int = 7) -> Fault:
    def fn(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[latest_rows(df, n), col] = value
        return df
    return edit("staff", fn)


def scale(table: str, col: str, by: float) -> Fault:
    return set_col(table, col, lambda s: (pd.to_numeric(s) * by).map(lambda v: f"{v:g}"))


def _second_post_leaves(leavers: pd.DataFrame) -> pd.DataFrame:
    """Five leavings in 2024/25 listed again 14 days later (a second post ending)."""
    year = leavers.loc[leavers["leave_date"].between("2024-04-01", "2025-02-28")].head(5)
    again = year.assign(leave_date=(pd.to_datetime(year["leave_date"])
                                    + pd.Timedelta(days=14)).dt.strftime("%Y-%m-%d"))
    return pd.concat([leavers, again], ignore_index=True)


def _post_ended_in_post(leavers: pd.DataFrame) -> pd.DataFrame:
    """Five staff in post at 31 March 2024 and 2025, same start date, given a leavers row on
    30 September 2024 (one of their posts ended)."""
    staff = pd.read_csv(SAMPLE / "staff.csv", dtype=str, keep_default_na=False)
    both = staff.loc[staff["snapshot_date"].isin(["2024-03-31", "2025-03-31"])]
    same = both.groupby("staff_id")["org_start_date"].agg(["nunique", "size"])
    ids = same.index[(same["nunique"] == 1) & (same["size"] == 2)]
    ids = [i for i in ids if i not in set(leavers["staff_id"])][:5]
    extra = pd.DataFrame({"staff_id": ids, "leave_date": "2024-09-30"})
    return pd.concat([leavers, extra], ignore_index=True).fillna("")


# --------------------------------------------------------------------------- the cases

CASES: list[Case] = [
    # ---- dates
    Case("snapshot-time-of-day", set_col("staff", "snapshot_date", lambda s: s + " 09:30:00"),
         "warning", ("time_of_day",), engines=("polars", "duckdb")),
    Case("snapshot-time-of-day-T", set_col("staff", "snapshot_date", lambda s: s + "T09:30:00"),
         "warning", ("time_of_day",)),
    Case("leave-date-time-of-day", set_col("leavers", "leave_date", lambda s: s + " 17:00:00"),
         "warning", ("time_of_day",)),
    # timestamps with a UTC offset ("...T09:00:00+01:00", "...Z"): a TypeError traceback from
    # every command; now read as the local day, as other times of day are
    Case("case-dates-with-time-zone", set_col("casework", "start_date", lambda s: s.where(
        s.index % 2 == 0, s + "T09:00:00Z").where(s.index % 2 == 1, s + "T09:00:00+01:00")),
         "warning", ("time_of_day",), engines=("polars", "duckdb")),
    # ESR's "no end date", 4712-12-31: an OutOfBoundsDatetime traceback from every command
    Case("case-date-esr-end-of-time", set_rows("casework", "start_date", "4712-12-31", slice(0, 3)),
         "error", ("casework", "start_date", "unparseable_date", "4712-12-31", "no end date"),
         engines=("polars", "duckdb")),
    Case("snapshot-time-of-day-parquet", as_parquet("staff", lambda d: d.assign(
        snapshot_date=pd.to_datetime(d["snapshot_date"]) + pd.Timedelta("9h30min"))),
         "warning", ("time_of_day",), engines=("polars", "duckdb")),
    Case("leave-dates-excel-serial", set_col("leavers", "leave_date", serial), "error",
         ("leavers", "leave_date", "unparseable_date", "Excel serial")),
    Case("snapshot-excel-serial", set_col("staff", "snapshot_date", serial), "error",
         ("staff", "snapshot_date", "Excel serial")),
    Case("leave-dates-year-only", set_col("leavers", "leave_date", lambda s: s.str[:4]), "error",
         ("leavers", "leave_date", "years alone")),
    Case("closing-dates-year-month", set_col("recruitment", "closing_date", lambda s: s.str[:7]),
         "error", ("recruitment", "closing_date", "year and month")),
    Case("staff-dates-dd-mm-yyyy", edit("staff", lambda d: d.assign(
        snapshot_date=dmy(d["snapshot_date"]), org_start_date=dmy(d["org_start_date"]),
        nhs_start_date=dmy(d["nhs_start_date"]))), "error",
         ("staff", "snapshot_date", "unparseable_date", "date_format: '%d/%m/%Y'")),
    Case("leave-dates-dd-mm-yyyy", set_col("leavers", "leave_date", dmy), "error",
         ("leavers", "leave_date", "date_format")),
    Case("leave-dates-mm-dd-yyyy", set_col("leavers", "leave_date",
                                           lambda s: dmy(s, "%m/%d/%Y")), "error",
         ("leavers", "leave_date", "%m/%d/%Y")),
    Case("leave-dates-dd-mm-yyyy-mapped", with_mapping(
        "leavers:\n  date_format: '%d/%m/%Y'\n", set_col("leavers", "leave_date", dmy)),
         "ok", ()),
    Case("leave-dates-words", set_rows("leavers", "leave_date", "31st March 2025"), "error",
         ("leavers", "leave_date", "unparseable_date")),
    Case("leave-date-future", set_rows("leavers", "leave_date", "2205-06-30", slice(0, 2)),
         "error", ("leavers", "leave_date", "future_date")),
    Case("closing-date-future", set_rows("recruitment", "closing_date", "2099-01-01",
                                         slice(0, 3)), "error",
         ("recruitment", "closing_date", "future_date")),
    Case("training-date-future", set_rows("training", "date", "2031-05-01", slice(0, 3)),
         "error", ("training", "date", "future_date")),
    Case("board-snapshot-future", set_rows("board", "snapshot_date", "2035-03-31", slice(0, 2)),
         "error", ("board", "snapshot_date", "future_date")),
    Case("snapshot-30-march", set_col("staff", "snapshot_date",
                                      lambda s: s.str.replace("2025-03-31", "2025-03-30")),
         "error", ("staff", "snapshot")),
    Case("leave-before-start", edit("leavers", swap_leave_before_start), "error",
         ("leavers", "leave_date", "leave_before_start")),
    Case("start-after-snapshot", staff_latest("org_start_date", "2026-01-01", 3), "error",
         ("staff", "org_start_date", "start_after_snapshot")),
    # ---- tables present, absent, empty
    Case("leavers-header-only", header_only("leavers"), "error",
         ("leavers", "empty_table")),
    Case("staff-header-only", header_only("staff"), "error", ("staff", "empty_table")),
    Case("staff-zero-bytes", raw("staff", lambda t: b""), "error",
         ("staff", "empty")),
    Case("staff-missing", remove("staff"), "error", ("staff",)),
    Case("leavers-missing", remove("leavers"), "partial", ("leaver_rate",),
         same="non-retention", engines=("polars", "duckdb")),
    Case("recruitment-header-only", header_only("recruitment"), "warning", ("empty_table",),
         same=""),
    # a header-only casework or training file: every group's rate was 0% (WRES 3 "too few
    # people to tell" where the sample's is 2.30, adverse)
    Case("casework-header-only", header_only("casework"), "partial", ("wres_3", "wdes_3"),
         same="", engines=("polars", "duckdb")),
    Case("training-header-only", header_only("training"), "partial", ("wres_4",), same=""),
    # a leavers extract taken at the end of December: 2024/25's leaver rates would be three
    # quarters of the truth; warned of at the door, not computed
    Case("leavers-end-in-december", edit("leavers", lambda d: d.loc[
        d["leave_date"] <= "2024-12-31"]), "warning", ("event_table_short",), same=""),
    Case("leavers-end-in-december-figures", edit("leavers", lambda d: d.loc[
        d["leave_date"] <= "2024-12-31"]), "partial", ("leaver_rate", "early_career_leaver_rate"),
         same="non-retention", engines=("polars", "duckdb")),
    Case("only-31-march-2025", only_2025, "partial", ("leaver_rate", "stability_index"),
         same=""),
    Case("stray-file", lambda f: (f / "Staff_2024.csv").write_bytes((f / "staff.csv").read_bytes()) and None,
         "warning", ("unknown_file",)),
    Case("semicolons", raw("staff", lambda t: t.replace(",", ";")), "error",
         ("staff", "semicolons")),
    Case("crlf", raw("staff", lambda t: t.replace("\n", "\r\n")), "ok", ()),
    Case("utf8-bom", raw("leavers", lambda t: "\ufeff" + t), "ok", ()),
    Case("cp1252", raw("leavers", lambda t: t.encode("cp1252")), "ok", ()),
    Case("extra-column", edit("staff", lambda d: d.assign(notes="x")), "ok", ()),
    # ---- ids
    Case("leaver-ids-int-parquet", ids_as_numbers("leavers"), "error",
         ("leavers", "staff_id", "no_matching_ids"), engines=("polars", "duckdb")),
    Case("staff-ids-int-parquet", ids_as_numbers("staff"), "error",
         ("leavers", "staff_id", "no_matching_ids")),
    Case("leaver-ids-other-scheme", set_col("leavers", "staff_id", lambda s: "E" + s.str[1:]),
         "error", ("leavers", "staff_id", "no_matching_ids")),
    Case("some-unknown-leaver-ids", edit("leavers", lambda d: d.assign(staff_id=[
        f"X{i:07d}" if i < 3 else v for i, v in enumerate(d["staff_id"])])),
         "warning", ("unknown_staff_id",), same=""),
    Case("duplicate-staff-rows", duplicate_rows(
        "staff", where=lambda d: d["snapshot_date"] == "2025-03-31"), "error",
         ("staff", "staff_id, snapshot_date", "duplicate_key", "60"),
         engines=("polars", "duckdb")),
    Case("duplicate-application-ids", duplicate_rows("recruitment", 25), "error",
         ("recruitment", "application_id", "duplicate_key", "25")),
    Case("duplicate-case-ids", duplicate_rows("casework", 5), "error",
         ("casework", "case_id", "duplicate_key")),
    Case("duplicate-board-rows", duplicate_rows("board", 3), "error",
         ("board", "member_id, snapshot_date", "duplicate_key")),
    Case("blank-staff-ids", staff_latest("staff_id", "", 4), "error",
         ("staff", "staff_id", "missing_value")),
    # ---- FTE
    Case("fte-in-hours", scale("staff", "fte", 37.5), "error",
         ("staff", "fte", "fte_out_of_range"), engines=("polars", "duckdb")),
    Case("fte-in-percent", scale("staff", "fte", 100), "error", ("staff", "fte", "fte_out_of_range")),
    Case("fte-zero", staff_latest("fte", "0", 5), "error", ("staff", "fte", "fte_out_of_range")),
    Case("leaver-fte-in-hours", scale("leavers", "fte", 37.5), "error",
         ("leavers", "fte", "fte_out_of_range")),
    Case("fte-text", staff_latest("fte", "full time", 4), "error",
         ("staff", "fte", "unparseable_number")),
    # ---- blank columns and values
    Case("directorate-blank", set_col("staff", "directorate", blank),
         "error", ("staff", "directorate", "blank_column"), engines=("polars", "duckdb")),
    Case("ethnicity-blank", set_col("staff", "ethnic_category", blank),
         "error", ("staff", "ethnic_category", "blank_column")),
    Case("hourly-pay-blank", set_col("staff", "hourly_pay", blank),
         "error", ("staff", "hourly_pay", "blank_column")),
    Case("disability-blank", set_col("staff", "disability", blank),
         "error", ("staff", "disability", "blank_column")),
    Case("applicant-ethnicity-blank", set_col("recruitment", "ethnic_category",
                                              blank),
         "error", ("recruitment", "ethnic_category", "blank_column")),
    Case("religion-blank", set_col("staff", "religion", blank),
         "warning", ("blank_column",)),
    Case("band-missing-values", staff_latest("band", "", 6), "error",
         ("staff", "band", "missing_value")),
    Case("unknown-band-codes", staff_latest("band", "Band 12", 6), "warning", ("unknown_code",),
         same=""),
    Case("ethnic-labels", set_col("staff", "ethnic_category", lambda s: s.map(
        {"A": "White - British"}).fillna(s)), "warning", ("ethnic_label_as_code",), same=""),
    # ---- pay
    Case("hourly-pay-inf", staff_latest("hourly_pay", "inf", 3), "error",
         ("staff", "hourly_pay", "pay_out_of_range"), engines=("polars", "duckdb")),
    Case("hourly-pay-1e308", staff_latest("hourly_pay", "1e308", 3), "error",
         ("staff", "hourly_pay", "pay_out_of_range")),
    Case("hourly-pay-minus-inf", staff_latest("hourly_pay", "-inf", 3), "error",
         ("staff", "hourly_pay", "negative_pay")),
    Case("hourly-pay-in-pence", scale("staff", "hourly_pay", 100), "error",
         ("staff", "hourly_pay", "pay_out_of_range")),
    Case("bonus-pay-absurd", staff_latest("bonus_pay", "1e12", 2), "error",
         ("staff", "bonus_pay", "pay_out_of_range")),
    Case("hourly-pay-currency", staff_latest("hourly_pay", "£12.34", 4), "error",
         ("staff", "hourly_pay", "unparseable_number")),
    Case("hourly-pay-words", staff_latest("hourly_pay", "twelve pounds", 4), "error",
         ("staff", "hourly_pay", "unparseable_number")),
    Case("hourly-pay-negative", staff_latest("hourly_pay", "-3", 2), "error",
         ("staff", "hourly_pay", "negative_pay")),
    # a full-pay man paid nothing moved the statutory mean gap from 12.2% to 8.4%, and
    # weekly pay read as hourly (£453 a week) from 12.2% to 28.9%, without a word
    Case("hourly-pay-zero-full-pay", staff_latest("hourly_pay", "0", 5), "error",
         ("staff", "hourly_pay", "full_pay_unpaid"), engines=("polars", "duckdb")),
    Case("hourly-pay-weekly", staff_latest("hourly_pay", "453.0", 5), "error",
         ("staff", "hourly_pay", "pay_out_of_range")),
    # ---- survey and recruitment consistency
    Case("survey-positive-above-respondents", set_rows("survey", "positive", "5000", slice(0, 4)),
         "error", ("survey", "positive", "survey_inconsistent"), engines=("polars", "duckdb")),
    Case("survey-negative-respondents", set_rows("survey", "respondents", "-10", slice(0, 2)),
         "error", ("survey", "survey_inconsistent")),
    # ---- bands written otherwise than the NHS names them: read as valid, then compared by
    # name ("Band 8A" and "Band 8B" made the sample's senior staff 39 instead of 275)
    Case("band-8A-upper-case", set_col("staff", "band", lambda s: s.replace(
        {"Band 8a": "Band 8A", "Band 8b": "Band 8B"})), "error",
         ("staff", "band", "band_spelling", "'Band 8A'", "values: band:")),
    # ESR's pay band descriptors: "Review Body Band 5", "Band 8 - Range A" were "unknown codes,
    # grouped as Unknown" (a warning) while their rows left every band figure
    Case("band-esr-descriptors", set_col("staff", "band", lambda s: s.replace(
        {"Band 5": "Review Body Band 5", "Band 8a": "Band 8 - Range A"})), "error",
         ("staff", "band", "band_spelling", "'Review Body Band 5'", "'Band 8 - Range A'",
          "values: band:"), engines=("polars", "duckdb")),
    Case("band-without-prefix", set_col("staff", "band", lambda s: s.str.replace(
        "Band ", "", regex=False)), "error", ("staff", "band", "band_spelling")),
    Case("recruitment-band-lower-case", set_col("recruitment", "band", lambda s: s.str.lower()),
         "error", ("recruitment", "band", "band_spelling"), engines=("polars", "duckdb")),
    Case("band-8A-mapped", with_mapping(
        "staff:\n  values:\n    band:\n      Band 8A: Band 8a\n      Band 8B: Band 8b\n",
        set_col("staff", "band", lambda s: s.replace({"Band 8a": "Band 8A",
                                                      "Band 8b": "Band 8B"}))), "ok", (),
         engines=("polars", "duckdb")),
    # ---- an equality column coded otherwise (ESR's disability flag Y / N): every value
    # was read as Unknown, and the report said "Disability recorded for 0.0%"
    Case("disability-y-n", set_col("staff", "disability", lambda s: s.replace(
        {"Yes": "Y", "No": "N"})), "error",
         ("staff", "disability", "unknown_code", "most recorded values", "'N': ...")),
    Case("disability-y-n-mapped", with_mapping(
        "staff:\n  values:\n    disability:\n      Y: 'Yes'\n      N: 'No'\n",
        set_col("staff", "disability", lambda s: s.replace({"Yes": "Y", "No": "N"}))), "ok", (),
         engines=("polars", "duckdb")),
    # ---- population benchmarks (a negative or doubled count became a confident ratio)
    Case("benchmark-negative-count", set_rows("benchmarks", "count", "-43306", slice(1, 2)),
         "error", ("benchmarks", "count", "benchmark_out_of_range")),
    Case("benchmark-share-in-percent", scale("benchmarks", "share", 100), "error",
         ("benchmarks", "share", "benchmark_out_of_range")),
    Case("benchmark-count-disagrees-with-share", set_rows("benchmarks", "count", "4330", slice(1, 2)),
         "error", ("benchmarks", "share", "benchmark_out_of_range")),
    Case("benchmark-row-twice", edit("benchmarks", lambda d: pd.concat([d, d.iloc[[1]]])),
         "error", ("benchmarks", "area, group_var, group", "duplicate_key"),
         engines=("polars", "duckdb")),
    Case("appointed-not-shortlisted", edit("recruitment", lambda d: d.assign(
        shortlisted=d["shortlisted"].where(d["appointed"] != "true", "false"))), "error",
         ("recruitment", "appointed", "appointed_not_shortlisted")),
    Case("boolean-words", set_rows("recruitment", "shortlisted", "maybe", slice(0, 3)), "error",
         ("recruitment", "shortlisted", "unparseable_boolean")),
    # ---- Excel
    Case("xlsx-sheet-named-after-table", as_xlsx("board", lambda d: {
        "ReadMe": README, "board": numbers(d)}), "ok", ()),
    Case("xlsx-readme-first", as_xlsx("board", lambda d: {"ReadMe": README, "Data": numbers(d)}),
         "warning", ("sheet_chosen",)),
    Case("xlsx-readme-only", as_xlsx("board", lambda d: {"ReadMe": README, "Notes": README}),
         "error", ("board", "sheet 'ReadMe'", "missing_column")),
    Case("xlsx-formula-cells", as_xlsx("survey", lambda d: {"survey": numbers(d)}, formulas),
         "error", ("survey", "positive", "formula_cell", "sheet 'survey'")),
    Case("xlsx-title-row", as_xlsx("board", lambda d: {"board": numbers(d)}, title_row),
         "error", ("board", "member_id", "missing_column", "title")),
    # ---- names written two ways
    Case("directorate-in-lower-case", staff_latest("directorate", "older people"), "warning",
         ("label_variants",), same=""),
    # ---- headers and columns
    Case("title-case-headers", rename("staff", lambda c: c.replace("_", " ").title()),
         "warning", ("header_renamed",), engines=("polars", "duckdb")),
    Case("upper-case-headers", rename("leavers", str.upper), "warning", ("header_renamed",)),
    Case("padded-headers", rename("casework", lambda c: f" {c} "), "warning",
         ("header_renamed",)),
    Case("fte-column-missing", edit("staff", lambda d: d.drop(columns="fte")), "error",
         ("staff", "fte", "missing_column")),
    Case("snapshot-column-missing", edit("staff", lambda d: d.drop(columns="snapshot_date")),
         "error", ("staff", "snapshot_date", "missing_column")),
    Case("leave-date-column-missing", edit("leavers", lambda d: d.drop(columns="leave_date")),
         "error", ("leavers", "leave_date", "missing_column")),
    Case("local-id-header", rename("staff", lambda c: "Assignment Number" if c == "staff_id"
                                   else c), "error", ("staff", "staff_id", "missing_column")),
    # ---- mapping files
    Case("mapping-bad-date-format", with_mapping("leavers:\n  date_format: dd/mm/yyyy\n"),
         "error", ("leavers.date_format", "strftime")),
    Case("mapping-date-format-number", with_mapping("date_format: 2025\n"), "error",
         ("date_format", "not text")),
    Case("mapping-columns-list", with_mapping("staff:\n  columns:\n    - staff_id\n    - fte\n"),
         "error", ("staff.columns", "not a list")),
    Case("mapping-values-list", with_mapping("staff:\n  values:\n    - a\n"), "error",
         ("staff.values",)),
    Case("mapping-unknown-table", with_mapping("stafff:\n  columns: {}\n"), "error",
         ("stafff", "not a table")),
    Case("mapping-not-yaml", with_mapping("staff: [unclosed\n"), "error",
         ("mapping file", "not valid YAML")),
    Case("mapping-python-tag", with_mapping("staff: !!python/object/apply:os.system ['true']\n"),
         "error", ("mapping file", "not valid YAML")),
    # ESR's leavers by assignment: a second row 14 days after a leaving (another post of the
    # same person) counted the leaving twice without a word (Older People's BME leaver ratio
    # 1.6 with an interval including 1 became 2.5 without); a row for one post of someone
    # still in post at 31 March counted as leaving the trust
    # (a warning: someone who left, re-joined and left again between two snapshots has two
    # rows and no re-join in the staff table either)
    Case("leavers-by-assignment", edit("leavers", _second_post_leaves), "warning",
         ("leaver_twice",), same="", engines=("polars", "duckdb")),
    Case("leaver-still-in-post", edit("leavers", _post_ended_in_post), "error",
         ("leavers", "leave_date", "leaver_in_post"), engines=("polars", "duckdb")),
    # "Bank Staff" for "Bank": bank staff were counted as staff in post, the warning said
    # only "kept and grouped as Unknown"
    Case("contract-bank-staff", set_col("staff", "contract_type", lambda c: c.replace(
        {"Bank": "Bank Staff"})), "error", ("staff", "contract_type", "bank_spelling"),
         engines=("polars", "duckdb")),
    # ESR names both the assignment and the person number: two local columns onto one
    # canonical column stopped every command with an AttributeError traceback
    Case("mapping-two-onto-one", with_mapping(
        "staff:\n  columns:\n    Assignment Number: staff_id\n    Person Number: staff_id\n",
        rename("staff", lambda c: "Assignment Number" if c == "staff_id" else c)), "error",
         ("'Assignment Number' and 'Person Number'", "staff_id")),
    # an optional equality column missing (left out of the extract, or a mapping entry whose
    # local column the file does not hold): validation passes, the indicators grouped by it
    # are listed as not computed, naming it (they failed with KeyError: 'ethnic_category')
    Case("ethnic-category-missing", edit("staff", lambda d: d.drop(columns="ethnic_category")),
         "partial", ("leaver_rate", "promotion_rate", "wres_2", "representation"), same="",
         engines=("polars", "duckdb")),
    # a mapping entry whose local header is misspelt ("Ethnic Origin" for the export's "Ethnic
    # Group") was ignored: ethnic_category missing, every indicator by ethnicity not computed
    # with a reason that did not name the mapping
    Case("mapping-column-misspelt", with_mapping(
        "staff:\n  columns:\n    Ethnic Origin: ethnic_category\n",
        rename("staff", lambda c: "Ethnic Group" if c == "ethnic_category" else c)), "error",
         ("staff", "ethnic_category", "mapped_column_not_found", "Origin'",
          "Group')"), engines=("polars", "duckdb")),
    # the aggregated tables' labels (read by a door audit): each changed a published figure
    # with "every check passed"
    # casework codes: "Conduct" for disciplinary made WRES 3 0 of every group (a warning);
    # "Ill-health" was counted as performance by WDES 3 (no finding); "Disciplinary" is read
    Case("casework-conduct-for-disciplinary", set_col("casework", "process", lambda c: c.replace(
        {"disciplinary": "Conduct"})), "error",
         ("casework", "process", "unknown_code", "'Conduct'", "0%."),
         engines=("polars", "duckdb")),
    Case("casework-ill-health-hyphen", set_col("casework", "capability_reason", lambda c: c.replace(
        {"ill health": "Ill-health"})), "error",
         ("casework", "capability_reason", "unknown_code", "counted as performance")),
    Case("casework-process-capitalised", set_col("casework", "process", lambda c: c.str.title()),
         "ok", ()),
    # the board's ethnicity blank at 31 March 2025 (all 11 members): WRES 9 went from
    # favourable to adverse with "every check passed"
    Case("board-ethnicity-blank-one-snapshot", edit("board", lambda d: d.assign(
        ethnic_category=d["ethnic_category"].where(d["snapshot_date"] != "2025-03-31", ""))),
         "error", ("board", "ethnic_category", "blank_at_snapshot", "2025-03-31"),
         engines=("polars", "duckdb")),
    # international blank in every row: WRES 2 without international recruits counted nobody
    # as one (a warning that the column "adds nothing")
    Case("recruitment-international-blank", set_col("recruitment", "international",
                                                    lambda c: c.where(c == "", "")),
         "error", ("recruitment", "international", "blank_column")),
    # ethnic labels "White British" and Windows-1252's "Mixed – White and Asian" (en dash) were
    # unknown codes, grouped as Unknown (300 White shortlisted applicants left WRES 2)
    Case("recruitment-ethnic-labels-plain", set_col("recruitment", "ethnic_category", lambda c: c.replace(
        {"A": "White British", "F": "Mixed \u2013 White and Asian"})), "warning",
         ("ethnic_label_as_code",)),
    # 40 casework ids in lower case: "expected for people who joined and left" (a warning),
    # and WRES 3 moved from 2.59 to 4.93
    Case("casework-ids-lower-case", edit("casework", lambda d: d.assign(staff_id=d["staff_id"].where(
        d.index >= 40, d["staff_id"].str.lower()))), "error",
         ("casework", "staff_id", "staff_id_case"), engines=("polars", "duckdb")),
    # cases dated before the person first joined: "every check passed"
    Case("casework-before-start", edit("casework", lambda d: d.assign(start_date=d[
        "start_date"].where(d.index >= 10, "2001-01-15"))), "warning",
         ("event_before_start",), same="", engines=("polars", "duckdb")),
    # the whole trust's survey rows labelled as a directorate: the trust's figures added them
    # to the directorates' (every count doubled), "every check passed"
    Case("survey-trust-total-as-directorate", set_col("survey", "directorate", lambda c: c.where(
        c != "", "Trust total")), "error", ("survey", "directorate", "unknown_label",
                                            "'Trust total'"), engines=("polars", "duckdb")),
    # every shortlisted applicant appointed: WRES 2 1.37 (adverse) became 1.00, with "every
    # check passed"
    Case("recruitment-all-appointed", edit("recruitment", lambda d: d.assign(
        appointed=d["shortlisted"])), "warning", ("all_appointed",), same="",
         engines=("polars", "duckdb")),
    # the survey's percentages written as counts out of 100 (whole numbers, so they passed):
    # WRES 5's BME 48 of 183 (26.2%) read 26 of 100, every interval on 100 invented people
    Case("survey-percentages-as-counts", edit("survey", lambda d: d.assign(
        positive=(100 * d["positive"].astype(float) / d["respondents"].astype(float)).round()
        .astype(int).astype(str), respondents="100")), "error",
         ("survey", "respondents", "survey_percentages"), engines=("polars", "duckdb")),
    Case("survey-group-bame", set_col("survey", "group", lambda g: g.replace({"BME": "BAME"})),
         "error", ("survey", "group", "unknown_label", "'BAME'"), engines=("polars", "duckdb")),
    Case("survey-groups-lower-case", set_col("survey", "group", lambda g: g.str.lower()),
         "error", ("survey", "group", "unknown_label", "'non-disabled'")),
    Case("survey-period-with-hyphen", set_col("survey", "period", lambda p: p.str.replace(
        "/", "-")), "error", ("survey", "period", "unknown_label", "'2024-25'")),
    Case("survey-indicator-upper-case", set_col("survey", "indicator", lambda i: i.str.upper()),
         "error",
         ("survey", "indicator", "unknown_label", "'WRES_5'")),
    # shares for counts: WRES 5's BME 34.3% read 0.14%, every survey figure "*" published
    Case("survey-positive-as-share", edit("survey", lambda d: d.assign(positive=(
        d["positive"].astype(float) / d["respondents"].astype(float)).round(4).astype(str))),
         "error", ("survey", "positive", "survey_inconsistent", "not a whole number"),
         engines=("polars", "duckdb")),
    Case("survey-repeated-year", edit("survey", lambda d: pd.concat(
        [d, d.loc[d["period"] == "2024/25"]])), "error", ("survey", "duplicate_key")),
    Case("benchmarks-group-bame", set_col("benchmarks", "group", lambda g: g.replace(
        {"BME": "BAME"})), "error", ("benchmarks", "group", "unknown_label", "'BAME'"),
         engines=("polars", "duckdb")),
    Case("benchmarks-no-bme-rows", edit("benchmarks", lambda d: d.loc[d["group"] != "BME"].drop(
        columns="share")), "error", ("benchmarks", "unknown_label", "no White or no BME")),
    Case("benchmarks-ethnicity-twice", edit("benchmarks", lambda d: pd.concat([d, d.loc[
        d["group_var"] == "ethnicity"].assign(group_var="ethnic_group")])), "error",
         ("benchmarks", "group_var", "unknown_label", "more than one group_var")),
    # headers in Title Case (read as the canonical names) and the ethnic codes recoded by
    # the mapping: the recode was looked for under the header as written, so it was never
    # applied (9,075 "WB" rows unknown codes, the fix given the one the mapping made)
    Case("mapping-values-under-title-case-headers", with_mapping(
        "staff:\n  values:\n    ethnic_category:\n      WB: A\n",
        edit("staff", lambda d: d.assign(ethnic_category=d["ethnic_category"].replace(
            {"A": "WB"})).rename(columns=lambda c: c.replace("_", " ").title()))),
         "warning", ("header_renamed",), engines=("polars", "duckdb")),
    # disability as a Parquet boolean ("Not declared" missing), recoded True/False -> Yes/No
    # as the finding suggests: on Polars and DuckDB a missing value read "False", so "not
    # recorded" became Non-disabled (the declaration rate 86.0% read 100%)
    Case("parquet-boolean-disability-recoded", with_mapping(
        "staff:\n  values:\n    disability:\n      'True': 'Yes'\n      'False': 'No'\n",
        as_parquet("staff", lambda d: d.assign(disability=d["disability"].map(
            {"Yes": True, "No": False}).astype("boolean")))), "ok", (),
         engines=("polars", "duckdb")),
    # a Parquet staff table with a second fte column: a traceback (AttributeError)
    Case("parquet-column-twice", parquet_with_column_twice("staff", "fte"), "error",
         ("staff", "more than one column named 'fte'")),
    Case("mapping-renames-title-case", with_mapping(
        "staff:\n  columns:\n    Assignment Number: staff_id\n",
        rename("staff", lambda c: "Assignment Number" if c == "staff_id" else c)), "ok", ()),
]


# --------------------------------------------------------------------------- running


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.parent.iterdir()) if p.is_file()} | {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


#: The sample from 31 March 2023 on (enough for 2024/25 and a Model Employer baseline): a
#: quarter less to read and check in every case.
SINCE = {"staff": ("snapshot_date", "2023-03-31"), "board": ("snapshot_date", "2023-03-31"),
         "leavers": ("leave_date", "2023-04-01"), "recruitment": ("closing_date", "2023-04-01"),
         "casework": ("start_date", "2023-04-01"), "training": ("date", "2023-04-01"),
         "survey": ("period", "2023/24")}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "data"
    folder.mkdir()
    for name in TABLE_NAMES:
        df = read(SAMPLE, name)
        if name in SINCE:
            col, start = SINCE[name]
            df = df[df[col] >= start]
        write(folder, name, df)
    return folder


def api(folder: Path, mapping: str | None = None, engine: str = "pandas") -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # validation lists them
        return eq.indicators(eq.read_dataset(folder, mapping=mapping, engine=engine),  # type: ignore[arg-type]
                             period=PERIOD)


@pytest.fixture(scope="module")
def clean(base: Path) -> pd.DataFrame:
    table = api(base)
    assert table.attrs["warnings"] == []
    return table


@pytest.fixture(scope="module")
def clean_csv(base: Path) -> str:
    out = base.parent / "clean.csv"
    assert main(["indicators", str(base), "--period", PERIOD, "--out", str(out)]) == 0
    return out.read_text()


def make(case: Case, base: Path, tmp_path: Path) -> tuple[Path, str | None]:
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    mapping = case.fault(folder)
    return folder, mapping


def figures(table: pd.DataFrame, keep: str) -> pd.DataFrame:
    if keep == "non-retention":
        table = table[~table["indicator"].isin(RETENTION)]
    out = table.reset_index(drop=True)
    out.attrs = {}
    return out


def check_api(case: Case, folder: Path, mapping: str | None, clean: pd.DataFrame,
              engine: str = "pandas") -> None:
    if case.expect == "error":
        with pytest.raises(EquityError) as err:
            api(folder, mapping, engine)
        text = str(err.value)
        for name in case.names:
            assert name in text, (name, text)
        assert "np.int64" not in text
        return
    result = api(folder, mapping, engine)
    rules = {w["rule"] for w in result.attrs["warnings"]}
    if case.expect == "warning":
        assert set(case.names) <= rules, rules
    if case.expect == "partial":
        assert set(case.names) <= set(result.attrs["not_computed"]), result.attrs["not_computed"]
        assert len(result)
    if case.same:
        if engine == "pandas":
            pd.testing.assert_frame_equal(figures(result, case.same), figures(clean, case.same))
        else:  # engines agree to rounding in the last place
            a, b = figures(result, case.same), figures(clean, case.same)
            assert a[["indicator", "group"]].equals(b[["indicator", "group"]])
            np.testing.assert_allclose(a["value"].astype(float), b["value"].astype(float),
                                       rtol=1e-9, equal_nan=True)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, base: Path, clean: pd.DataFrame, clean_csv: str,
                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, mapping = make(case, base, tmp_path)
    before = digest(folder)
    capsys.readouterr()

    # the command line
    out = tmp_path / "out" / "indicators.csv"
    argv = ["indicators", str(folder), "--period", PERIOD, "--out", str(out)]
    code = main(argv + (["--mapping", mapping] if mapping else []))
    said = capsys.readouterr()
    assert "Traceback" not in said.out + said.err
    if case.expect == "error":
        assert code == 1, said
        message = said.err
        for name in case.names:
            assert name in message, (name, message)
        assert "np.int64" not in message
        assert not out.exists()
    else:
        assert code == 0, said.err
        if case.expect == "warning":
            for rule in case.names:
                assert f"[{rule}]" in said.err, said.err
        if case.expect == "partial":
            for ind in case.names:
                assert f"not computed: {ind}" in said.out, said.out
        if case.same == "all":
            assert out.read_text() == clean_csv

    # the API
    check_api(case, folder, mapping, clean)
    assert digest(folder) == before, "an input file was modified"


ENGINE_CASES = [(c, e) for c in CASES for e in c.engines]


@pytest.mark.parametrize(("case", "engine"), ENGINE_CASES,
                         ids=[f"{c.id}-{e}" for c, e in ENGINE_CASES])
def test_bad_input_on_lazy_engines(case: Case, engine: str, base: Path, clean: pd.DataFrame,
                                   tmp_path: Path) -> None:
    folder, mapping = make(case, base, tmp_path)
    before = digest(folder)
    check_api(case, folder, mapping, clean, engine)
    assert digest(folder) == before


def test_corpus_is_large_and_covers_every_new_rule() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    named = {n for c in CASES for n in c.names}
    for rule in ("time_of_day", "future_date", "no_matching_ids", "duplicate_key",
                 "fte_out_of_range", "blank_column", "pay_out_of_range", "full_pay_unpaid",
                 "leaver_twice", "leaver_in_post", "bank_spelling", "survey_inconsistent",
                 "formula_cell", "sheet_chosen", "header_renamed", "mapped_column_not_found",
                 "unknown_label", "blank_at_snapshot", "staff_id_case",
                 "event_before_start", "all_appointed", "survey_percentages",
                 "missing_column",
                 "empty_table", "unparseable_date", "label_variants",
                 "benchmark_out_of_range", "band_spelling", "event_table_short"):
        assert rule in named, rule



def test_one_snapshot_gives_what_it_can_and_lists_retention_as_not_computed(
        base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # what a pay-gap or WRES return is built from: the 31 March 2025 snapshot alone
    folder = tmp_path / "data"
    shutil.copytree(base, folder)
    only_2025(folder)
    result = api(folder)
    computed = set(result["indicator"])
    assert {"representation", "wres_1", "wres_9", "wdes_1", "wdes_10", "pay_gap_mean",
            "pay_gap_median"} <= computed
    assert not computed & RETENTION
    assert "31 March 2024" in result.attrs["not_computed"]["leaver_rate"]
    out = tmp_path / "out.csv"
    assert main(["indicators", str(folder), "--period", PERIOD, "--out", str(out)]) == 0
    assert "not computed: leaver_rate: The staff table has no snapshot at 31 March 2024" in (
        capsys.readouterr().out)
