"""Type coercion: raw cells to the schema kinds, unparseable values recorded as issues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from equity.codes import in_ns_range, per_value, to_date
from equity.schema import Table

_TRUE = {"true", "1", "1.0", "y", "yes", "t"}
_FALSE = {"false", "0", "0.0", "n", "no", "f"}


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
    #: What the values look like and the fix for that (appended to the rule's message).
    hint: str = ""


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
    return in_ns_range(pd.to_datetime(raw, errors="coerce", format=date_format))


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
        hint = ""
        if col.kind == "date":
            parsed = _parse_dates(raw.where(present), date_format)
            # a year alone, a year and month, or a number (an Excel serial day) is not a day:
            # pandas would read "2025" as 1 January 2025
            parsed = parsed.where(~(present & parsed.notna() & _not_a_day(raw)))
            bad = present & parsed.isna()
            timed = parsed.notna() & parsed.ne(parsed.dt.normalize())
            if timed.any():
                parsed = parsed.dt.normalize()
                issues.append(ReadIssue(
                    table.name, col.name, "time of day", int(timed.sum()),
                    _examples(df, timed, table, row_offset), severity="warning",
                    message=TIME_OF_DAY))
            df[col.name] = parsed
            rule = "unparseable date"
            if bad.any():
                hint = date_hint(raw[bad.to_numpy()].head(5), date_format)  # the examples
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
                                    _examples(df, bad, table, row_offset), hint=hint))
    return df


#: The message of the "time of day" warning (every engine's reader).
TIME_OF_DAY = (
    "dates hold a time of day (e.g. 2025-03-31 09:30:00). Only the day is used (a snapshot "
    "taken at 09:30 on 31 March is the 31 March snapshot); the times are dropped. Export the "
    "dates without times to silence this."
)

_NOT_A_DAY = r"^\s*(\d{4}(-\d{1,2})?|\d+(\.\d*)?)\s*$"


def _not_a_day(raw: pd.Series) -> pd.Series:
    """True for values that name no day: a year, a year and month, or a plain number."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return pd.Series(False, index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.notna()
    if _is_text_dtype(raw):
        return raw.str.match(_NOT_A_DAY).fillna(False).astype(bool)

    def odd(v: Any) -> bool:
        if isinstance(v, str):
            return re.match(_NOT_A_DAY, v) is not None
        return isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))

    return per_value(raw, odd, dtype=bool)


def date_hint(values: pd.Series, date_format: str | None) -> str:
    """What unparseable date values look like, and the fix (empty when nothing stands out).

    Examples
    --------
    >>> date_hint(pd.Series(["31/03/2025", "01/04/2024"]), None)[:46]
    'They look like day/month/year (31/03/2025): ad'
    >>> date_hint(pd.Series(["45747"]), None)[:40]
    'They look like Excel serial day numbers '
    """
    text = values.dropna().astype(str).str.strip()
    if text.empty:
        return ""
    first = text.iloc[0]
    slashed = text.str.extract(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$").dropna()
    if len(slashed) == len(text):
        a, b = slashed[0].astype(int), slashed[1].astype(int)
        sep = "/" if "/" in first else ("." if "." in first else "-")
        year = "%Y" if len(slashed[2].iloc[0]) == 4 else "%y"
        dmy, mdy = f"%d{sep}%m{sep}{year}", f"%m{sep}%d{sep}{year}"
        fix = ("to this table's section of the mapping file (--mapping), or write the dates "
               "as YYYY-MM-DD.")
        if (a > 12).any() or (b > 12).any():
            fmt, order = (mdy, "month/day/year") if (b > 12).any() else (dmy, "day/month/year")
            return f"They look like {order} ({first}): add `date_format: '{fmt}'` {fix}"
        return (f"They look like day/month/year or month/day/year ({first}): add "
                f"`date_format: '{dmy}'` (day first, as in the UK) or `date_format: '{mdy}'` "
                f"(month first) {fix}")
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().all():
        if numbers.between(1900, 2200).all() and text.str.fullmatch(r"\d{4}").all():
            return (f"They are years alone ({first}), which name no day: give the full date "
                    "(YYYY-MM-DD).")
        if numbers.between(1, 2_958_465).all():
            return (f"They look like Excel serial day numbers ({first}; 45747 is 31 March "
                    "2025): format the column as dates in Excel before saving, or export the "
                    "dates as YYYY-MM-DD.")
    years = pd.to_numeric(text.str.extract(r"^(\d{4})-\d{1,2}-\d{1,2}")[0], errors="coerce")
    if years.notna().all() and ((years > 2262) | (years < 1678)).any():
        return (f"They lie outside the years a date can hold here, 1678-2262 ({first}; ESR "
                "writes 4712-12-31 for 'no end date'): leave such a date blank where the "
                "column may be blank, else give the real date.")
    if text.str.fullmatch(r"\d{4}-\d{1,2}").all():
        return f"They give a year and month only ({first}): give the full date (YYYY-MM-DD)."
    if date_format is not None:
        return (f"The mapping's date_format is {date_format!r}, which they do not follow "
                f"({first}): correct date_format or the values.")
    return ""


def _merge_issues(issues: list[ReadIssue]) -> list[ReadIssue]:
    """One issue per (table, column, rule): counts summed over chunks, first five examples."""
    merged: dict[tuple[str, str, str], ReadIssue] = {}
    for i in issues:
        k = (i.table, i.column, i.rule)
        if k in merged:
            m = merged[k]
            merged[k] = ReadIssue(m.table, m.column, m.rule, m.count + i.count,
                                  (m.examples + i.examples)[:5], m.severity, m.message,
                                  m.hint or i.hint)
        else:
            merged[k] = i
    return list(merged.values())

