"""Locating table files in a dataset folder and reading them (CSV, Parquet, Excel) to pandas."""

from __future__ import annotations

import codecs
import difflib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from equity.errors import InputError
from equity.io._coerce import ReadIssue, coerce
from equity.io._mapping import (
    TableMapping,
    apply_mapping,
    header_renames,
    snake_case,
    unmatched_columns,
)
from equity.schema import TABLES

#: File types read from a dataset folder, by suffix.
_READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel"}
#: Suffixes that look like data but that we cannot read from a folder: listed as unknown files.
_DATA_LIKE = {".tsv", ".xls", ".ods", ".txt", ".duckdb", ".db", ".ddb", ".sav", ".dta", ".feather"}
_DUCKDB_SUFFIXES = {".duckdb", ".db", ".ddb"}


#: Rows per chunk when reading CSV / Parquet: bounds peak memory of the text stage on
#: national-scale files while keeping pandas' per-call overhead negligible.
CHUNK_ROWS = 500_000

# --------------------------------------------------------------------------- locating files


@dataclass(frozen=True)
class _Source:
    table: str
    kind: str  # csv / parquet / excel / duckdb
    path: Path


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else Windows-1252.

    Notes
    -----
    Excel's "CSV" export writes Windows-1252; "CSV UTF-8" writes UTF-8 with a BOM. A
    cp1252 file with any accented letter is almost never valid UTF-8, so trying UTF-8 first
    over the whole file (incrementally, in C) is a safe test.
    """
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 22):
                dec.decode(block)
            dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _folder_sources(folder: Path) -> tuple[dict[str, _Source], list[str]]:
    found: dict[str, list[Path]] = {}
    unknown: list[str] = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "~$")) or not p.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in _READERS and p.stem in TABLES:
            found.setdefault(p.stem, []).append(p)
        elif suffix in _READERS or suffix in _DATA_LIKE:
            unknown.append(p.name)
    dup = {t: ps for t, ps in found.items() if len(ps) > 1}
    if dup:
        t, ps = next(iter(dup.items()))
        raise InputError(
            f"The folder {folder} holds more than one file for the {t} table "
            f"({', '.join(p.name for p in ps)}). Keep one of them (move the others out).",
            table=t,
        )
    sources = {t: _Source(t, _READERS[ps[0].suffix.lower()], ps[0]) for t, ps in found.items()}
    return sources, unknown


def _unknown_files_issue(names: list[str], where: Path, *, what: str = "file") -> ReadIssue:
    hints = []
    for n in names:
        close = difflib.get_close_matches(Path(n).stem.lower(), list(TABLES), n=1)
        if close:
            hints.append(f"{n} (did you mean {close[0]}?)")
        else:
            hints.append(n)
    msg = (
        f"{len(names)} {what}(s) in {where} are not read: {', '.join(hints)}. Tables are read "
        f"only from files named after them ({', '.join(TABLES)}) with suffix .csv, .parquet or "
        ".xlsx. Rename them if they hold a table, or move them out of the folder."
    )
    return ReadIssue("dataset", "", f"unknown {what}", len(names), tuple(names[:5]),
                     severity="warning", message=msg)


# --------------------------------------------------------------------------- reading one table


def _csv_chunks(src: _Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    path = src.path
    if path.stat().st_size == 0:
        raise InputError(
            f"The file {path} is empty (0 bytes). Export the {src.table} table again with a "
            f"header row, or remove the file if there is no {src.table} data.",
            table=src.table,
        )
    encoding = _detect_encoding(path)
    try:
        first = True
        # The context closes the file even when a chunk raises or the caller stops early.
        with pd.read_csv(path, dtype=str, encoding=encoding, chunksize=chunk_rows) as reader:
            for chunk in reader:
                if first:
                    _check_delimiter(chunk, src)
                    first = False
                yield chunk
        if first:  # a header and no rows: read_csv yields no chunk at all
            header = pd.read_csv(path, dtype=str, encoding=encoding, nrows=0)
            _check_delimiter(header, src)
            yield header
    except pd.errors.EmptyDataError as err:
        raise InputError(
            f"The file {path} has no header row (it is empty or blank). Export the {src.table} "
            "table again with its column names on the first line.",
            table=src.table,
        ) from err
    except pd.errors.ParserError as err:
        raise InputError(
            f"The file {path} is not a well-formed CSV: {err}. This usually means a text field "
            "holds an unquoted comma or line break; re-export it from Excel or ESR as 'CSV UTF-8 "
            "(comma delimited)', which quotes such fields.",
            table=src.table,
        ) from err
    except UnicodeDecodeError as err:
        raise InputError(
            f"The file {path} is neither UTF-8 nor Windows-1252 text ({err.reason} at byte "
            f"{err.start}). Re-save it as 'CSV UTF-8 (comma delimited)'.",
            table=src.table,
        ) from err


def _check_delimiter(frame: pd.DataFrame, src: _Source) -> None:
    if len(frame.columns) != 1:
        return
    header = str(frame.columns[0])
    for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
        if sep in header:
            raise InputError(
                f"The file {src.path} is read as a single column ({header[:60]!r}...): its "
                f"fields are separated by {name}, not commas. Save it as comma-separated CSV "
                "(Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'), or give it as .xlsx.",
                table=src.table, rule="delimiter",
            )


def _arrow_text(t: Any) -> Any:
    import pyarrow as pa

    return pd.StringDtype("pyarrow") if t in (pa.string(), pa.large_string()) else None


def _parquet_chunks(src: _Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(src.path)
    except Exception as err:  # pyarrow raises several unrelated types for a bad file
        raise InputError(
            f"Cannot read {src.path} as Parquet ({err}). Check that the file was fully written "
            "and really is Parquet (not a CSV renamed).",
            table=src.table,
        ) from err
    n = 0
    for batch in pf.iter_batches(batch_size=chunk_rows):
        n += 1
        # Text stays in Arrow (pandas' pyarrow string dtype): trimming and blank checks run
        # in Arrow's kernels, not once per Python object.
        yield batch.to_pandas(types_mapper=_arrow_text)
    if n == 0:
        yield pf.schema_arrow.empty_table().to_pandas()


def describe(src: _Source, sheet: str | None = None) -> str:
    """Where a table was read from, for messages: ``staff.xlsx, sheet 'Data'``."""
    if src.kind == "duckdb":
        return f"table {src.table} of {src.path.name}"
    return src.path.name + (f", sheet {sheet!r}" if sheet is not None else "")


def _choose_sheet(book: pd.ExcelFile, src: _Source, issues: list[ReadIssue]) -> str:
    """The sheet named after the table; else the only sheet; else the first sheet whose header
    holds the table's required columns (a warning names it), else the first sheet."""
    names = [str(n) for n in book.sheet_names]
    if src.table in names:
        return src.table
    if len(names) == 1:
        return names[0]
    required = set(TABLES[src.table].required_columns)
    chosen = names[0]
    for name in names:
        header = pd.read_excel(book, sheet_name=name, nrows=0).columns
        if required <= {snake_case(c) for c in header}:
            chosen = name
            break
    issues.append(ReadIssue(
        src.table, "", "sheet chosen", 1, (f"sheet {chosen!r}",), severity="warning",
        message=(f"{src.path.name} has no sheet named {src.table!r}; read sheet {chosen!r} "
                 f"(sheets: {', '.join(repr(n) for n in names)}). Name the sheet holding the "
                 f"{src.table} table {src.table!r} to choose it."),
    ))
    return chosen


def _blank_formulas(src: _Source, sheet: str, df: pd.DataFrame) -> list[ReadIssue]:
    """Formula cells that hold no value (saved by a program that does not calculate): pandas
    reads them as blank. One error per column, with example rows."""
    import openpyxl

    book = openpyxl.load_workbook(src.path, read_only=True, data_only=False)
    try:
        found: dict[int, list[int]] = {}
        for r, row in enumerate(book[sheet].iter_rows(min_row=2, values_only=True), start=2):
            for c, v in enumerate(row[: df.shape[1]]):
                if isinstance(v, str) and v.startswith("=") and r - 2 < len(df) \
                        and pd.isna(df.iat[r - 2, c]):
                    found.setdefault(c, []).append(r)
    finally:
        book.close()
    return [ReadIssue(
        src.table, str(df.columns[c]), "formula cell", len(rows),
        tuple(f"row {r}" for r in rows[:5]),
        message=(f"cells of {describe(src, sheet)} hold formulas without a calculated value, "
                 "so they read as blank. Open the workbook in Excel, let it calculate and save "
                 "it (or paste the values over the formulas)."),
    ) for c, rows in found.items()]


def _excel_frame(src: _Source, issues: list[ReadIssue]) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it ignores (styles, data validation).
            warnings.simplefilter("ignore", UserWarning)
            with pd.ExcelFile(src.path, engine="openpyxl") as book:
                sheet = _choose_sheet(book, src, issues)
                df = pd.read_excel(book, sheet_name=sheet, dtype=object)
            issues += _blank_formulas(src, sheet, df)
    except (ValueError, OSError, KeyError) as err:
        raise InputError(
            f"Cannot read {src.path} as an Excel workbook ({err}). Save it as .xlsx from Excel.",
            table=src.table,
        ) from err
    if df.shape[1] == 0:
        raise InputError(
            f"The sheet {sheet!r} of {src.path} is empty. Put the {src.table} table, with "
            f"its column names in row 1, on a sheet named {src.table!r}.",
            table=src.table,
        )
    df.attrs["sheet"] = sheet
    return df


def _raw_chunks(src: _Source, con: Any, chunk_rows: int,
                issues: list[ReadIssue]) -> Iterator[pd.DataFrame]:
    if src.kind == "csv":
        yield from _csv_chunks(src, chunk_rows)
    elif src.kind == "parquet":
        yield from _parquet_chunks(src, chunk_rows)
    elif src.kind == "excel":
        yield _excel_frame(src, issues)
    else:  # a table in a DuckDB file
        yield con.table(src.table).df()


def _read_pandas(src: _Source, tmap: TableMapping, issues: list[ReadIssue], con: Any,
                 chunk_rows: int, where: dict[str, str]) -> pd.DataFrame:
    """Read one table to a coerced pandas frame, chunk by chunk (mapping, then coercion).

    ``where`` receives the table's place (file, and sheet of a workbook) for messages."""
    table = TABLES[src.table]
    path = str(src.path) if src.kind != "duckdb" else f"table {src.table} of {src.path}"
    parts = []
    offset = 0
    renames: dict[str, str] = {}
    for raw in _raw_chunks(src, con, chunk_rows, issues):
        if offset == 0:
            where[src.table] = describe(src, raw.attrs.get("sheet"))
            unmatched_columns(list(raw.columns), tmap, src.table, issues)
            renames = header_renames(list(raw.rename(columns=tmap.columns).columns), src.table,
                                     issues)
        # (the values: recodes name canonical columns: after every rename)
        mapped = apply_mapping(raw, tmap, table=src.table, where=path, headers=renames)
        if offset == 0:
            names = [str(c) for c in mapped.columns]
            twice = sorted({c for c in names if names.count(c) > 1})
            if twice:
                raise InputError(
                    f"The {src.table} table ({path}) has more than one column named "
                    f"{', '.join(map(repr, twice))} (after the mapping's and the headers' "
                    "renames): which one holds the values cannot be told. Keep one: remove "
                    "or rename the others in the export, or in the mapping file.",
                    table=src.table, column=twice[0])
        parts.append(coerce(mapped, table, issues, date_format=tmap.date_format, row_offset=offset))
        offset += len(raw)
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True)

