"""Reading data into the canonical :class:`Dataset` bundle.

A dataset on disk is a folder holding one file per canonical table, named after it
(``staff.csv``, ``recruitment.parquet``, ``leavers.xlsx``...), or a DuckDB database file
holding tables of those names. In memory, :meth:`Dataset.from_frames` takes pandas frames.

Types after reading (every engine): ids and codes are strings, dates are datetimes at
midnight (``datetime64[ns]`` in pandas), numbers are float64, booleans are bool. Values that
cannot be parsed become missing and are recorded in :attr:`Dataset.issues`, which
:func:`equity.validate.validate` reports: nothing is altered silently.
"""

from __future__ import annotations

import codecs
import difflib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from equity.codes import per_value, to_date
from equity.errors import DataQualityWarning, InputError, check_choice
from equity.schema import TABLES, Table

_TRUE = {"true", "1", "1.0", "y", "yes", "t"}
_FALSE = {"false", "0", "0.0", "n", "no", "f"}

Engine = Literal["pandas", "polars", "duckdb", "spark"]
ENGINES: tuple[str, ...] = ("pandas", "polars", "duckdb", "spark")

#: File types read from a dataset folder, by suffix.
_READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel"}
#: Suffixes that look like data but that we cannot read from a folder: listed as unknown files.
_DATA_LIKE = {".tsv", ".xls", ".ods", ".txt", ".duckdb", ".db", ".ddb", ".sav", ".dta", ".feather"}
_DUCKDB_SUFFIXES = {".duckdb", ".db", ".ddb"}
#: Tables the indicators query many times. The Polars engine parses them once and holds them
#: in memory; DuckDB holds nothing (it scans Parquet about as fast as a table of its own) but
#: checks their text columns once, so that clean ones are read as recorded (_clean_text). The
#: other tables are read from their file by each (rare) query, which then reads only the
#: columns it needs.
_QUERIED_OFTEN = frozenset({"staff", "leavers"})

#: Rows per chunk when reading CSV / Parquet: bounds peak memory of the text stage on
#: national-scale files while keeping pandas' per-call overhead negligible.
CHUNK_ROWS = 500_000


@dataclass(frozen=True)
class ReadIssue:
    """A problem met while reading (reported by validation).

    ``severity`` is ``"error"`` for values that could not be parsed and ``"warning"`` for
    things that do not change any value (e.g. a file in the folder that is not a table).
    """

    table: str
    column: str
    rule: str
    count: int
    examples: tuple[Any, ...]
    severity: str = "error"
    message: str = ""


@dataclass
class Dataset:
    """The canonical bundle of tables. Absent optional tables are None.

    Each table is a native frame of the dataset's ``engine`` (pandas by default; Polars
    LazyFrames, DuckDB relations or PySpark DataFrames at scale). Only :mod:`equity.cube`
    reads rows from them. ``connection`` holds the DuckDB connection (or Spark session) the
    relations live in, so it stays open as long as the dataset does.
    """

    staff: Any = None
    leavers: Any = None
    recruitment: Any = None
    casework: Any = None
    training: Any = None
    board: Any = None
    survey: Any = None
    benchmarks: Any = None
    source: str = "<memory>"
    engine: str = "pandas"
    issues: list[ReadIssue] = field(default_factory=list)
    connection: Any = field(default=None, repr=False)

    @classmethod
    def from_frames(cls, **tables: pd.DataFrame | None) -> Dataset:
        """Build a dataset from pandas frames keyed by table name, coercing column types.

        Examples
        --------
        >>> staff = pd.DataFrame({"staff_id": [1], "snapshot_date": ["2025-03-31"]})
        >>> ds = Dataset.from_frames(staff=staff)
        >>> ds.staff["snapshot_date"].dtype, ds.staff["staff_id"].tolist(), ds.leavers is None
        (dtype('<M8[ns]'), ['1'], True)
        """
        unknown = sorted(set(tables) - set(TABLES))
        if unknown:
            raise InputError(
                f"Unknown table name(s) {unknown}. Canonical tables: {', '.join(TABLES)}."
            )
        issues: list[ReadIssue] = []
        coerced = {
            name: (None if frame is None else coerce(frame, TABLES[name], issues))
            for name, frame in tables.items()
        }
        return cls(**coerced, issues=issues)  # type: ignore[arg-type]

    def tables(self) -> dict[str, Any]:
        """The present tables by name."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name in TABLES and getattr(self, f.name) is not None
        }

    def require(self, *names: str) -> None:
        """Raise :class:`InputError` unless every table in ``names`` is present."""
        missing = [n for n in names if getattr(self, n) is None]
        if missing:
            raise InputError(
                f"This needs the {', '.join(missing)} table(s), which the dataset "
                f"({self.source}) does not have. Add {', '.join(m + '.csv' for m in missing)} "
                "to the data folder.",
                table=missing[0],
            )


# --------------------------------------------------------------------------- coercion


def _examples(frame: pd.DataFrame, mask: pd.Series, table: Table, row_offset: int = 0) -> tuple[Any, ...]:
    key = next((k for k in table.key if k in frame.columns and k.endswith("_id")), None)
    if key is None and "staff_id" in frame.columns:
        key = "staff_id"
    rows = frame.index[mask.to_numpy()][:5]
    # Row numbers count like a spreadsheet: the header is row 1, the first record row 2.
    if key is not None:
        return tuple(f"row {int(i) + row_offset + 2} ({key}={frame.at[i, key]})" for i in rows)
    return tuple(f"row {int(i) + row_offset + 2}" for i in rows)


def _is_text_dtype(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.StringDtype)


def _stringify(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    # Numbers read from CSV/Excel ("12.0") become "12" so ids written as numbers still match.
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _as_text(s: pd.Series) -> pd.Series:
    """Stripped text, object dtype, None for missing (vectorised for text and number columns)."""
    if _is_text_dtype(s):
        t = s.str.strip()
        return t.astype(object).where(t.notna(), None)
    if pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        out = s.astype(object)
        ok = s.notna().to_numpy()
        out[ok] = s[ok].astype("int64").astype(str).to_numpy()
        return out.where(pd.Series(ok, index=s.index), None)
    if pd.api.types.is_float_dtype(s.dtype):
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(v) & (np.mod(v, 1) == 0) & (np.abs(v) < 2**53)
        out = s.astype(object).map(str)
        out[whole] = v[whole].astype("int64").astype(str)
        return out.where(pd.Series(~np.isnan(v), index=s.index), None)
    return per_value(s, _stringify)


def _present(s: pd.Series) -> pd.Series:
    """True where a value was given (not missing, not blank)."""
    if _is_text_dtype(s):
        return (s.notna() & s.str.strip().ne("")).fillna(False).astype(bool)
    if s.dtype != object and not isinstance(s.dtype, pd.CategoricalDtype):
        return s.notna()
    return per_value(s, lambda v: _stringify(v) not in (None, ""), dtype=bool)


def _as_bool(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean"), pd.Series(False, index=s.index)
    if _is_text_dtype(s):
        t = s.str.strip().str.lower()
        text = t.astype(object).where(t.notna(), None)
    else:
        text = per_value(s, lambda v: None if pd.isna(v) else str(v).strip().lower())
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[text.isin(_TRUE).to_numpy()] = True
    out[text.isin(_FALSE).to_numpy()] = False
    bad = text.notna() & out.isna()
    return out, bad


def _parse_numbers(raw: pd.Series, present: pd.Series) -> pd.Series:
    if _is_text_dtype(raw) and getattr(raw.dtype, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        # Arrow's cast is an order of magnitude faster than to_numeric on text; it fails
        # as a whole on any bad value, and then to_numeric finds (and we report) them.
        arr = pa.chunked_array(pc.utf8_trim_whitespace(pa.array(raw.where(present))))
        try:
            return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False),
                             index=raw.index, dtype="float64")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pd.to_numeric(raw.where(present), errors="coerce").astype("float64")


def _parse_dates(raw: pd.Series, date_format: str | None) -> pd.Series:
    if date_format is None:
        return to_date(raw)
    if _is_text_dtype(raw):
        raw = raw.str.strip()
    return pd.to_datetime(raw, errors="coerce", format=date_format).astype("datetime64[ns]")


def coerce(
    frame: pd.DataFrame,
    table: Table,
    issues: list[ReadIssue],
    *,
    date_format: str | None = None,
    row_offset: int = 0,
) -> pd.DataFrame:
    """Coerce a pandas frame's known columns to their schema kinds; record unparseable values.

    Unknown extra columns are kept as they are. The input is not mutated.

    Parameters
    ----------
    frame
        Raw table (text from CSV, or typed values from Parquet / Excel / DuckDB).
    table
        Its schema (:data:`equity.schema.TABLES`).
    issues
        List that unparseable values are appended to (one :class:`ReadIssue` per column).
    date_format
        ``strftime`` format of text dates (from the mapping file); default ISO ``YYYY-MM-DD``.
    row_offset
        Rows before this frame in its file (when reading in chunks), for example row numbers.
    """
    df = frame.copy().reset_index(drop=True)
    for col in table.columns:
        if col.name not in df.columns:
            continue
        raw = df[col.name]
        present = _present(raw)
        if col.kind in ("id", "str"):
            df[col.name] = _as_text(raw).where(present, None)
            continue
        if col.kind == "date":
            parsed = _parse_dates(raw.where(present), date_format)
            bad = present & parsed.isna()
            df[col.name] = parsed
            rule = "unparseable date"
        elif col.kind == "float":
            parsed = _parse_numbers(raw, present)
            bad = present & parsed.isna()
            df[col.name] = parsed
            rule = "unparseable number"
        else:  # bool
            parsed, bad = _as_bool(raw.where(present))
            df[col.name] = parsed
            rule = "unparseable boolean"
        if bad.any():
            issues.append(ReadIssue(table.name, col.name, rule, int(bad.sum()),
                                    _examples(df, bad, table, row_offset)))
    return df


def _merge_issues(issues: list[ReadIssue]) -> list[ReadIssue]:
    """One issue per (table, column, rule): counts summed over chunks, first five examples."""
    merged: dict[tuple[str, str, str], ReadIssue] = {}
    for i in issues:
        k = (i.table, i.column, i.rule)
        if k in merged:
            m = merged[k]
            merged[k] = ReadIssue(m.table, m.column, m.rule, m.count + i.count,
                                  (m.examples + i.examples)[:5], m.severity, m.message)
        else:
            merged[k] = i
    return list(merged.values())


# --------------------------------------------------------------------------- mapping file


@dataclass(frozen=True)
class TableMapping:
    """How one table of a local export maps to the canonical table."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    date_format: str | None = None


_MAPPING_KEYS = ("columns", "values", "date_format")


def _scalar_text(v: Any) -> str | None:
    # YAML 1.1 reads Yes/No as booleans and 99 as an int; the codes are text.
    if v is None:
        return None
    if isinstance(v, bool):
        return "Yes" if v else "No"
    return str(v).strip()


def read_mapping(mapping: str | Path | Mapping[str, Any] | None) -> dict[str, TableMapping]:
    """Read and check a YAML mapping file (or an equivalent dict).

    The file has one section per canonical table, each with optional ``columns`` (local name
    to canonical name), ``values`` (per canonical column, local value to canonical code) and
    ``date_format`` (``strftime`` format of that table's dates); a top-level ``date_format``
    applies to every table.

    Examples
    --------
    >>> m = read_mapping({"staff": {"columns": {"Assignment Number": "staff_id"},
    ...                             "values": {"disability": {"Y": True}}}})
    >>> m["staff"].columns, m["staff"].values
    ({'Assignment Number': 'staff_id'}, {'disability': {'Y': 'Yes'}})
    """
    if mapping is None:
        return {}
    where = "the mapping"
    if isinstance(mapping, (str, Path)):
        import yaml

        path = Path(mapping)
        where = f"the mapping file {path}"
        if not path.is_file():
            raise InputError(
                f"Cannot read the mapping file {path}: it does not exist. Check the path "
                "given to --mapping (or `mapping=`)."
            )
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as err:
            raise InputError(
                f"The mapping file {path} is not valid YAML ({err}). Fix the line named; the "
                "format is one section per table with `columns:`, `values:` and `date_format:`."
            ) from err
        except UnicodeDecodeError as err:
            raise InputError(f"The mapping file {path} is not UTF-8 text. Save it as UTF-8.") from err
    else:
        raw = mapping
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise InputError(f"{where.capitalize()} must be a mapping of table names to sections.")

    bad: list[str] = []
    global_fmt = raw.get("date_format")
    out: dict[str, TableMapping] = {}
    for tname, section in raw.items():
        if tname == "date_format":
            continue
        if tname not in TABLES:
            bad.append(f"{tname!r} (not a table)")
            continue
        section = section or {}
        if not isinstance(section, Mapping):
            bad.append(f"{tname!r} (should hold columns / values / date_format)")
            continue
        bad += [f"{tname}.{k}" for k in section if k not in _MAPPING_KEYS]
        canon = TABLES[tname].column_names
        cols = {str(k): str(v) for k, v in (section.get("columns") or {}).items()}
        bad += [f"{tname}.columns target {v!r} (not a {tname} column)" for v in cols.values()
                if v not in canon]
        values: dict[str, dict[str, str | None]] = {}
        for cname, recode in (section.get("values") or {}).items():
            if cname not in canon:
                bad.append(f"{tname}.values.{cname} (not a {tname} column)")
                continue
            if not isinstance(recode, Mapping):
                bad.append(f"{tname}.values.{cname} (should map old value: new value)")
                continue
            values[cname] = {str(_scalar_text(k)): _scalar_text(v) for k, v in recode.items()}
        fmt = section.get("date_format", global_fmt)
        out[tname] = TableMapping(cols, values, None if fmt is None else str(fmt))
    if bad:
        raise InputError(
            f"Unknown key(s) in {where}: {'; '.join(bad)}. Top-level keys are table names "
            f"({', '.join(TABLES)}) or date_format; each table may hold columns, values and "
            "date_format, and columns / values must name canonical columns "
            "(see equity.schema.TABLES). Correct or remove them.",
            rule="mapping",
        )
    if global_fmt is not None:
        for tname in TABLES:
            out.setdefault(tname, TableMapping(date_format=str(global_fmt)))
    return out


def apply_mapping(frame: pd.DataFrame, mapping: TableMapping, *, table: str, where: str = "") -> pd.DataFrame:
    """Rename local columns and recode values (before coercion); the input is not mutated."""
    if not mapping.columns and not mapping.values:
        return frame
    clash = [f"{src!r} -> {dst!r}" for src, dst in mapping.columns.items()
             if src in frame.columns and dst in frame.columns and src != dst]
    if clash:
        raise InputError(
            f"The mapping renames {', '.join(clash)} in {where or table}, but the file already "
            "has a column of the target name. Remove one of them or the mapping entry.",
            table=table,
        )
    df = frame.rename(columns=mapping.columns)
    for col, recode in mapping.values.items():
        if col not in df.columns:
            continue
        text = _as_text(df[col])
        hit = text.isin(list(recode)).to_numpy()
        if hit.any():
            out = df[col].astype(object).copy()
            out[hit] = text[hit].map(recode).to_numpy()
            df[col] = out
    return df


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


def _excel_frame(src: _Source) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it ignores (styles, data validation).
            warnings.simplefilter("ignore", UserWarning)
            with pd.ExcelFile(src.path, engine="openpyxl") as book:
                sheet = src.table if src.table in book.sheet_names else book.sheet_names[0]
                df = pd.read_excel(book, sheet_name=sheet, dtype=object)
    except (ValueError, OSError, KeyError) as err:
        raise InputError(
            f"Cannot read {src.path} as an Excel workbook ({err}). Save it as .xlsx from Excel.",
            table=src.table,
        ) from err
    if df.shape[1] == 0:
        raise InputError(
            f"The workbook {src.path} has an empty first sheet. Put the {src.table} table, with "
            "its column names in row 1, on the first sheet (or a sheet named "
            f"{src.table!r}).",
            table=src.table,
        )
    return df


def _raw_chunks(src: _Source, con: Any, chunk_rows: int) -> Iterator[pd.DataFrame]:
    if src.kind == "csv":
        yield from _csv_chunks(src, chunk_rows)
    elif src.kind == "parquet":
        yield from _parquet_chunks(src, chunk_rows)
    elif src.kind == "excel":
        yield _excel_frame(src)
    else:  # a table in a DuckDB file
        yield con.table(src.table).df()


def _read_pandas(src: _Source, tmap: TableMapping, issues: list[ReadIssue], con: Any,
                 chunk_rows: int) -> pd.DataFrame:
    """Read one table to a coerced pandas frame, chunk by chunk (mapping, then coercion)."""
    table = TABLES[src.table]
    where = str(src.path) if src.kind != "duckdb" else f"table {src.table} of {src.path}"
    parts = []
    offset = 0
    for raw in _raw_chunks(src, con, chunk_rows):
        mapped = apply_mapping(raw, tmap, table=src.table, where=where)
        parts.append(coerce(mapped, table, issues, date_format=tmap.date_format, row_offset=offset))
        offset += len(raw)
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- engines


def _text_extras(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Columns outside the schema as text, so columnar engines accept mixed-type extras."""
    extra = [c for c in df.columns if c not in table.column_names and df[c].dtype == object]
    if not extra:
        return df
    return df.assign(**{str(c): _as_text(df[c]) for c in extra})


def _to_arrow(df: pd.DataFrame, table: Table) -> Any:
    import pyarrow as pa

    df = _text_extras(df, table)
    return pa.Table.from_pandas(df, preserve_index=False)


def _native_errors(engine: str) -> tuple[type[BaseException], ...]:
    """What Polars / DuckDB raise for an unreadable file (not for bugs)."""
    import pyarrow as pa

    if engine == "polars":
        import polars as pl

        return (pl.exceptions.PolarsError, pa.ArrowException, OSError)
    import duckdb

    return (duckdb.Error, pa.ArrowException, OSError)


def _read_native(engine: str, src: _Source, tmap: TableMapping, issues: list[ReadIssue],
                 file_con: Any, engine_con: Any) -> Any:
    try:
        if engine == "polars":
            import polars as pl

            lf = (pl.scan_parquet(src.path) if src.kind == "parquet"
                  else file_con.table(src.table).pl().lazy())
            return _read_polars(lf, src, tmap, issues)
        from_sql = (f"read_parquet({_sql_str(str(src.path))})" if src.kind == "parquet"
                    else _ident(src.table))
        return _read_duckdb_native(engine_con, from_sql, src, tmap, issues)
    except _native_errors(engine) as err:
        raise InputError(
            f"Cannot read the {src.table} table from {src.path} ({type(err).__name__}: {err}). "
            "Check that the file was fully written and really is Parquet (or a DuckDB table).",
            table=src.table,
        ) from err


def _convert(frames: dict[str, pd.DataFrame], engine: str, con: Any) -> tuple[dict[str, Any], Any]:
    if engine == "pandas":
        return frames, None
    if engine == "polars":
        import polars as pl

        out = {}
        for n, f in frames.items():
            converted = pl.from_arrow(_to_arrow(f, TABLES[n]))
            assert isinstance(converted, pl.DataFrame)  # a Table converts to a DataFrame
            out[n] = converted.lazy().with_columns(
                pl.col(c).cast(pl.Categorical) for c in _code_columns(TABLES[n], f.columns))
        return out, None
    if engine == "duckdb":
        mem = con
        out = {}
        for name, f in frames.items():
            # DuckDB's native timestamp is microseconds (TIMESTAMP); the same type as
            # read_parquet gives, so every DuckDB dataset compares dates alike.
            dates = {c: f[c].astype("datetime64[us]") for c in f.columns
                     if str(f[c].dtype).startswith("datetime64")}
            arrow = _to_arrow(f.assign(**dates), TABLES[name])
            mem.register("__equity_import", arrow)
            # Materialise inside DuckDB so the relation does not depend on a Python object.
            mem.execute(f'CREATE TABLE "{name}" AS SELECT * FROM __equity_import')
            mem.unregister("__equity_import")
            out[name] = mem.table(name)
        return out, mem
    # spark
    from pyspark.sql import SparkSession

    # An existing session (Databricks, a test fixture) is reused. Dates are naive midnights:
    # a UTC session time zone makes them round-trip unchanged.
    spark = (SparkSession.builder.master("local[*]").appName("equity")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    # Through Arrow where PySpark takes a Table (>= 4): columnar, and no pandas-version
    # warning. Cached because every indicator scans the same tables again.
    arrow = int(spark.version.split(".")[0]) >= 4
    return {n: spark.createDataFrame(_to_arrow(f, TABLES[n]) if arrow
                                     else _text_extras(f, TABLES[n])).cache()
            for n, f in frames.items()}, spark


# Native scans (Parquet, DuckDB tables) for the lazy engines: the same coercion rules as
# :func:`coerce`, written as Polars expressions and DuckDB SQL so that national-scale data
# never passes through pandas. Unparseable values are counted in one aggregate query.

_ISO_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _example_text(rows: list[tuple[int, Any]], key: str | None) -> tuple[str, ...]:
    if key is None:
        return tuple(f"row {int(r) + 2}" for r, _ in rows)
    return tuple(f"row {int(r) + 2} ({key}={v})" for r, v in rows)


def _example_key(table: Table, cols: Sequence[str]) -> str | None:
    key = next((k for k in table.key if k in cols and k.endswith("_id")), None)
    return key if key is not None else ("staff_id" if "staff_id" in cols else None)


def _read_polars(lf: Any, src: _Source, tmap: TableMapping, issues: list[ReadIssue]) -> Any:
    """Rename, recode and cast a Polars LazyFrame to the schema kinds; record bad values."""
    import polars as pl

    table = TABLES[src.table]
    schema = lf.collect_schema()
    renames = {a: b for a, b in tmap.columns.items() if a in schema and a != b}
    clash = [b for b in renames.values() if b in schema]
    if clash:
        raise InputError(f"The mapping renames a column of {src.path} to {clash[0]!r}, which the "
                         "file already has. Remove one of them or the mapping entry.", table=src.table)
    lf = lf.rename(renames)
    schema = lf.collect_schema()

    def text(c: str) -> Any:
        dtype = schema[c]
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            t = pl.col(c).cast(pl.String).str.strip_chars()
        elif dtype.is_float():
            whole = pl.col(c).is_finite() & (pl.col(c) % 1 == 0) & (pl.col(c).abs() < 2**53)
            t = (pl.when(whole).then(pl.col(c).cast(pl.Int64).cast(pl.String))
                 .otherwise(pl.col(c).cast(pl.String)))
        elif dtype == pl.Boolean:
            t = pl.when(pl.col(c)).then(pl.lit("True")).otherwise(pl.lit("False"))
        else:
            t = pl.col(c).cast(pl.String)
        return pl.when(t == "").then(None).otherwise(t)

    for c, recode in tmap.values.items():
        if c in schema:
            lf = lf.with_columns(text(c).replace(list(recode), list(recode.values())).alias(c))
    schema = lf.collect_schema()
    clean: set[str] = set()
    if src.table in _QUERIED_OFTEN:
        # Read the file once: the text check below and the parse then scan memory. (For a
        # table queried once or twice the check would cost about what it saves.)
        lf = lf.collect().lazy()
        clean = _clean_categoricals(lf, [
            c for c in table.column_names if c in schema and c not in tmap.values
            and table.column(c).kind in ("id", "str") and schema[c] == pl.Categorical])

    exprs, bad = [], {}
    for col in table.columns:
        c = col.name
        if c not in schema:
            continue
        dtype = schema[c]
        present = text(c).is_not_null()
        if col.kind in ("id", "str"):
            exprs.append(pl.col(c) if c in clean else text(c).alias(c))
            continue
        if col.kind == "date":
            if dtype.is_temporal():
                parsed = pl.col(c).cast(pl.Datetime("ns"))
            else:
                t = text(c)
                fmts = (tmap.date_format,) if tmap.date_format else _ISO_FORMATS
                parsed = pl.coalesce(*(t.str.to_datetime(f, strict=False, time_unit="ns") for f in fmts))
            rule = "unparseable date"
        elif col.kind == "float":
            parsed = (pl.col(c).cast(pl.Float64) if dtype.is_numeric() or dtype == pl.Boolean
                      else text(c).cast(pl.Float64, strict=False))
            parsed = pl.when(parsed.is_nan()).then(None).otherwise(parsed)
            rule = "unparseable number"
        else:
            if dtype == pl.Boolean:
                parsed = pl.col(c)
            else:
                t = text(c).str.to_lowercase()
                parsed = (pl.when(t.is_in(list(_TRUE))).then(True)
                          .when(t.is_in(list(_FALSE))).then(False).otherwise(None))
            rule = "unparseable boolean"
        exprs.append(parsed.alias(c))
        native = (dtype.is_temporal() if col.kind == "date" else dtype == pl.Boolean
                  if col.kind == "bool" else dtype.is_numeric())
        if not native:  # a typed column cannot hold an unparseable value: no scan needed
            bad[(c, rule)] = present & parsed.is_null()
    others = [c for c in schema if c not in table.column_names]
    out = lf.select(*exprs, *others) if exprs or others else lf
    # Code columns as categoricals (four bytes a cell, not sixteen), in every table, so that
    # a join on one (the organisation of the person key) meets a categorical on both sides.
    out = out.with_columns(pl.col(c).cast(pl.Categorical) for c in _code_columns(table, schema))
    if bad:
        totals = lf.select(*(m.sum().alias(f"b{i}") for i, m in enumerate(bad.values()))).collect()
        key = _example_key(table, list(schema))
        for i, ((c, rule), m) in enumerate(bad.items()):
            n = int(totals[f"b{i}"][0] or 0)
            if n:
                cols = ["__row"] + ([key] if key else [])
                ex = (lf.with_row_index("__row").filter(m).select(cols).head(5).collect()
                      .rows())
                rows = [(r[0], r[1] if key else None) for r in ex]
                issues.append(ReadIssue(src.table, c, rule, n, _example_text(rows, key)))
    if src.table in _QUERIED_OFTEN:
        # Parse once: every indicator query then scans typed columns in memory.
        return out.collect().lazy()
    return out


def _clean_categoricals(lf: Any, columns: list[str]) -> set[str]:
    """The categorical ``columns`` of ``lf`` whose every value already meets the reader's text
    rule (no surrounding spaces, no blanks).

    Those are kept as they are: a Parquet file written from pandas categoricals reads as
    Polars categoricals, and turning them into text to trim and back (8.7 million national
    staff rows, twelve code columns) takes about 6 s. A column is clean when every category
    its dtype can hold is (recent Polars keeps them with the dtype: a few hundred strings
    nationally, no scan); otherwise, or on a Polars without them, its distinct values are
    checked, in one pass for all such columns (0.28 s for the twelve national ones).
    """
    import polars as pl

    def clean_text(v: Any) -> bool:
        v = v.drop_nulls()
        return not ((v.str.strip_chars() != v) | (v == "")).any()

    schema = lf.collect_schema()
    clean, scan = set(), []
    for c in columns:
        categories = getattr(schema[c], "categories", None)
        if categories is not None and hasattr(categories, "to_series") and clean_text(
                categories.to_series()):
            clean.add(c)
        else:
            scan.append(c)
    if scan:
        values = lf.select(pl.col(c).unique().cast(pl.String).implode() for c in scan).collect()
        clean |= {c for c in scan if clean_text(values[c][0])}
    return clean


def _sql_str(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def _ident(c: str) -> str:
    return '"' + c.replace('"', '""') + '"'


def _code_columns(table: Table, present: Any) -> list[str]:
    """The code columns (kind ``str``: band, ethnic category...) of ``table`` in ``present``."""
    return [col.name for col in table.columns if col.kind == "str" and col.name in present]


def _trimmed(sql: str) -> str:
    """The reader's rule for text: surrounding spaces removed, blank is missing."""
    return f"NULLIF(trim({sql}), '')"


_SQL_NUMERIC = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL"}


def _read_duckdb_native(con: Any, from_sql: str, src: _Source, tmap: TableMapping,
                        issues: list[ReadIssue]) -> Any:
    """A DuckDB relation over ``from_sql`` (a Parquet scan or a table) cast to the schema kinds."""
    table = TABLES[src.table]
    desc = con.sql(f"SELECT * FROM {from_sql}")
    types = {c: str(t).upper() for c, t in zip(desc.columns, desc.types, strict=True)}
    renames = {a: b for a, b in tmap.columns.items() if a in types and a != b}
    clash = [b for b in renames.values() if b in types]
    if clash:
        raise InputError(f"The mapping renames a column of {src.path} to {clash[0]!r}, which the "
                         "file already has. Remove one of them or the mapping entry.", table=src.table)
    source_of = {renames.get(c, c): c for c in types}

    clean = _clean_text(con, from_sql, [
        source_of[c] for c in table.column_names if c in source_of and c not in tmap.values
        and table.column(c).kind in ("id", "str") and types[source_of[c]] == "VARCHAR"
    ]) if src.table in _QUERIED_OFTEN else set()

    def text(c: str) -> str:
        raw, t = _ident(source_of[c]), types[source_of[c]]
        if source_of[c] in clean:
            e = raw
        elif t == "VARCHAR":
            e = _trimmed(raw)
        else:
            if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
                e = (f"CASE WHEN isfinite({raw}::DOUBLE) AND {raw} = floor({raw}) AND abs({raw}) < 2^53 "
                     f"THEN CAST(CAST({raw} AS BIGINT) AS VARCHAR) ELSE CAST({raw} AS VARCHAR) END")
            elif t == "BOOLEAN":
                e = f"CASE WHEN {raw} THEN 'True' ELSE 'False' END"
            else:
                e = f"CAST({raw} AS VARCHAR)"
            e = f"NULLIF({e}, '')"
        recode = tmap.values.get(c)
        if recode:
            whens = " ".join(f"WHEN {_sql_str(k)} THEN {'NULL' if v is None else _sql_str(v)}"
                             for k, v in recode.items())
            e = f"(CASE {e} {whens} ELSE {e} END)"
        return e

    selects: dict[str, str] = {}
    bad: dict[tuple[str, str], str] = {}
    for col in table.columns:
        c = col.name
        if c not in source_of:
            continue
        t = types[source_of[c]] if c not in tmap.values else "VARCHAR*"
        raw = _ident(source_of[c])
        if col.kind in ("id", "str"):
            selects[c] = text(c)
            continue
        if col.kind == "date":
            if t in ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S") or t.startswith("TIMESTAMP"):
                parsed = f"CAST({raw} AS TIMESTAMP)"
            else:
                fmts = (tmap.date_format,) if tmap.date_format else _ISO_FORMATS
                parsed = "CAST(COALESCE(" + ", ".join(
                    f"try_strptime({text(c)}, {_sql_str(f)})" for f in fmts) + ") AS TIMESTAMP)"
            rule = "unparseable date"
        elif col.kind == "float":
            if t in ("VARCHAR", "VARCHAR*"):
                parsed = f"TRY_CAST({text(c)} AS DOUBLE)"
            else:
                parsed = f"TRY_CAST({raw} AS DOUBLE)"
            parsed = f"CASE WHEN isnan({parsed}) THEN NULL ELSE {parsed} END"
            rule = "unparseable number"
        else:
            if t == "BOOLEAN":
                parsed = raw
            else:
                low = f"lower({text(c)})"
                trues = ", ".join(map(_sql_str, sorted(_TRUE)))
                falses = ", ".join(map(_sql_str, sorted(_FALSE)))
                parsed = f"(CASE WHEN {low} IN ({trues}) THEN true WHEN {low} IN ({falses}) THEN false END)"
            rule = "unparseable boolean"
        selects[c] = parsed
        native = (t.startswith(("DATE", "TIMESTAMP")) if col.kind == "date" else t == "BOOLEAN"
                  if col.kind == "bool" else t in _SQL_NUMERIC or t.startswith("DECIMAL"))
        if not native:  # a typed column cannot hold an unparseable value: no scan needed
            bad[(c, rule)] = f"({text(c)} IS NOT NULL AND ({parsed}) IS NULL)"
    others = [_ident(c) for c in types if renames.get(c, c) not in table.column_names]

    def select() -> str:
        cols = [f"{e} AS {_ident(c)}" for c, e in selects.items()] + others
        return f"SELECT {', '.join(cols)} FROM {from_sql}"

    if bad:
        sums = ", ".join(f"sum(CASE WHEN {m} THEN 1 ELSE 0 END)" for m in bad.values())
        totals = con.execute(f"SELECT {sums} FROM {from_sql}").fetchall()[0]
        names = [renames.get(c, c) for c in types]
        key = _example_key(table, names)
        for n, ((c, rule), m) in zip(totals, bad.items(), strict=True):
            if n:
                key_sql = text(key) if key else "NULL"
                rows = con.execute(
                    f"SELECT __row, __key FROM (SELECT row_number() OVER () - 1 AS __row, "
                    f"{key_sql} AS __key, {m} AS __bad FROM {from_sql}) WHERE __bad "
                    "ORDER BY __row LIMIT 5"
                ).fetchall()
                issues.append(ReadIssue(src.table, c, rule, int(n), _example_text(rows, key)))
    return con.sql(select())


def _clean_text(con: Any, from_sql: str, columns: list[str]) -> set[str]:
    """The text ``columns`` of ``from_sql`` whose every value already meets the reader's text
    rule (:func:`_trimmed`: no surrounding spaces, no blanks), found in one pass.

    Those are read as recorded: trimming them would change nothing, and every query would pay
    for it on millions of cells (the national staff table: a query over a view that trims its
    text columns takes about twice as long).
    """
    if not columns:
        return set()
    flags = con.execute("SELECT " + ", ".join(
        f"bool_or(starts_with({c}, ' ') OR ends_with({c}, ' ') OR {c} = '')"
        for c in map(_ident, columns)) + f" FROM {from_sql}").fetchall()[0]
    return {c for c, unclean in zip(columns, flags, strict=True) if not unclean}


def _check_engine(engine: str) -> None:
    check_choice("engine", engine, ENGINES)
    needs = {"polars": ("polars", "pip install polars"), "duckdb": ("duckdb", "pip install duckdb"),
             "spark": ("pyspark", "pip install pyspark (and have Java 17 or later on the PATH)")}
    if engine in needs:
        module, how = needs[engine]
        try:
            __import__(module)
        except ImportError as err:
            raise InputError(
                f"engine={engine!r} needs the {module} package, which is not installed. "
                f"Install it ({how}) or use engine='pandas'."
            ) from err


def _open_duckdb_file(path: Path) -> Any:
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as err:
        raise InputError(
            f"Cannot open {path} as a DuckDB database ({err}). Check that it is a DuckDB file "
            "and that no other program has it open for writing."
        ) from err


def read_dataset(
    path: str | Path,
    *,
    mapping: str | Path | Mapping[str, Any] | None = None,
    engine: Engine = "pandas",
    chunk_rows: int = CHUNK_ROWS,
) -> Dataset:
    """Read a dataset folder (or DuckDB file) into the canonical :class:`Dataset` bundle.

    Parameters
    ----------
    path
        A folder holding one file per canonical table, named after it (``staff.csv``,
        ``recruitment.parquet``, ``leavers.xlsx``...), or a DuckDB database file
        (``.duckdb``, ``.db``) holding tables of those names. ``staff`` is required.
    mapping
        A YAML mapping file (or the same structure as a dict) renaming local export columns
        and recoding values per table, with an optional ``date_format``; see
        :func:`read_mapping`.
    engine
        Frame type of the tables: ``"pandas"`` DataFrames, ``"polars"`` LazyFrames,
        ``"duckdb"`` relations (on one connection kept in :attr:`Dataset.connection`) or
        ``"spark"`` DataFrames (needs pyspark). Polars parses the staff and leavers files
        once and holds the typed frames in memory, so the many indicator queries on them
        never re-read the files; its code columns (band, ethnic category...) are
        categoricals in every table, a fraction of the memory of text, and every count still
        comes back as text. DuckDB relations over Parquet (or a database file) hold nothing:
        each query reads the columns it needs from the file, parsing them on the way (text
        columns already clean are read as recorded). CSV and Excel files are read through
        pandas, then held by the engine.
    chunk_rows
        Rows read and coerced at a time from CSV and Parquet files.

    Returns
    -------
    Dataset
        Tables with canonical column types; unparseable values are missing and listed in
        :attr:`Dataset.issues` (with files in the folder that are not tables), for
        :func:`equity.validate.validate` to report.

    Raises
    ------
    InputError
        Missing folder or file, no staff table, empty or unreadable file, a CSV not
        separated by commas, an invalid mapping file, or an engine that is not installed.

    Notes
    -----
    CSV files are read as text, decoded as UTF-8 (BOM or not) or else Windows-1252 (Excel's
    two CSV exports), in chunks of ``chunk_rows`` so memory stays bounded by the typed result.
    Cells that pandas reads as missing (blank, ``NA``, ``NULL``, ``N/A``...) are missing.
    The mapping is applied to the text before types are parsed. Booleans accept true/false,
    1/0, Y/N, Yes/No (any case); dates are ISO ``YYYY-MM-DD`` unless the mapping gives a
    ``date_format``. Files that look like data but are not named after a table are listed as
    a warning (a :class:`~equity.errors.DataQualityWarning` and an entry in ``issues``).

    Examples
    --------
    >>> ds = read_dataset("data/sample")                       # doctest: +SKIP
    >>> ds = read_dataset("data/sample", engine="polars")      # doctest: +SKIP
    """
    _check_engine(engine)
    tmaps = read_mapping(mapping)
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"No dataset at {path}: that folder (or DuckDB file) does not exist. Check the path "
            "(relative paths start from the current directory, "
            f"{Path.cwd()}); a dataset is a folder holding staff.csv and the other tables, "
            "or a .duckdb file holding tables of those names."
        )

    con = None
    unknown: list[str] = []
    if path.is_dir():
        sources, unknown = _folder_sources(path)
        what = "file"
    elif path.suffix.lower() in _DUCKDB_SUFFIXES:
        con = _open_duckdb_file(path)
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()]
        sources = {n: _Source(n, "duckdb", path) for n in names if n in TABLES}
        unknown = sorted(n for n in names if n not in TABLES)
        what = "table"
    else:
        hint = (f" To read one table, pass its folder ({path.parent})." if path.stem in TABLES
                and path.suffix.lower() in _READERS else "")
        raise InputError(
            f"{path} is a file, not a dataset. read_dataset needs a folder holding one file "
            "per table (staff.csv, leavers.csv, ...) or a DuckDB database file (.duckdb)."
            + hint
        )

    issues: list[ReadIssue] = []
    frames: dict[str, pd.DataFrame] = {}
    native: dict[str, Any] = {}
    engine_con = None
    try:
        if "staff" not in sources:
            have = ", ".join(sorted([*sources, *unknown])) or "nothing readable"
            raise InputError(
                f"No staff table in {path} (found: {have}). Every dataset needs staff "
                "(staff in post); add staff.csv, staff.parquet or staff.xlsx"
                + (" (or a table named staff)" if con is not None else "")
                + ", named exactly so.",
                table="staff",
            )
        if engine == "duckdb":
            import duckdb

            # One connection holds every relation: the database file itself, or memory.
            engine_con = con if con is not None else duckdb.connect()
            # a library prints nothing of its own accord (DuckDB shows a bar on long queries)
            engine_con.execute("SET enable_progress_bar = false")
        for name in TABLES:
            if name not in sources:
                continue
            src, tmap = sources[name], tmaps.get(name, TableMapping())
            if engine in ("polars", "duckdb") and src.kind in ("parquet", "duckdb"):
                native[name] = _read_native(engine, src, tmap, issues, con, engine_con)
            else:
                frames[name] = _read_pandas(src, tmap, issues, con, chunk_rows)
        tables, connection = _convert(frames, engine, engine_con)
    except BaseException:
        if engine_con is not None:
            engine_con.close()
        raise
    finally:
        if con is not None and con is not engine_con:
            con.close()
    tables.update(native)
    issues = _merge_issues(issues)
    if unknown:
        issue = _unknown_files_issue(unknown, path, what=what)
        issues.insert(0, issue)
        warnings.warn(issue.message, DataQualityWarning, stacklevel=2)
    return Dataset(**tables, source=str(path), engine=engine, issues=issues,
                   connection=connection if connection is not None else engine_con)


__all__ = ["CHUNK_ROWS", "ENGINES", "Dataset", "ReadIssue", "TableMapping", "apply_mapping",
           "coerce", "read_dataset", "read_mapping"]
