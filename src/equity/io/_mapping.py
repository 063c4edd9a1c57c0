"""The YAML mapping file: local column names and codes to the canonical ones."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from equity.errors import InputError
from equity.io._coerce import ReadIssue, _as_text
from equity.schema import TABLES

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
        for part in ("columns", "values"):
            if not isinstance(section.get(part) or {}, Mapping):
                bad.append(f"{tname}.{part} (a {type(section[part]).__name__}; it must map "
                           + ("local name: canonical name" if part == "columns" else
                              "column: {old value: new value}") + ", one per line, "
                           "as `Local Name: staff_id`, not a list)")
        if any(b.startswith((f"{tname}.columns (", f"{tname}.values (")) for b in bad):
            continue
        cols = {str(k): str(v) for k, v in (section.get("columns") or {}).items()}
        bad += [f"{tname}.columns target {v!r} (not a {tname} column)" for v in cols.values()
                if v not in canon]
        sources: dict[str, list[str]] = {}
        for k, v in cols.items():
            sources.setdefault(v, []).append(k)
        bad += [f"{tname}.columns {' and '.join(repr(k) for k in ks)} (all map to {v!r}: a "
                "column can come from one local column only)"
                for v, ks in sources.items() if len(ks) > 1]
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
        if "date_format" in section and (problem := _date_format_problem(fmt)):
            bad.append(f"{tname}.date_format {fmt!r} ({problem})")
        out[tname] = TableMapping(cols, values, None if fmt is None else str(fmt))
    if global_fmt is not None and (problem := _date_format_problem(global_fmt)):
        bad.append(f"date_format {global_fmt!r} ({problem})")
    if bad:
        raise InputError(
            f"Unknown key(s) or invalid value(s) in {where}: {'; '.join(dict.fromkeys(bad))}. Top-level "
            f"keys are table names ({', '.join(TABLES)}) or date_format; each table may hold "
            "columns, values and date_format, and columns / values must name canonical columns "
            "(see equity.schema.TABLES). Correct or remove them.",
            rule="mapping",
        )
    if global_fmt is not None:
        for tname in TABLES:
            out.setdefault(tname, TableMapping(date_format=str(global_fmt)))
    return out


def snake_case(name: Any) -> str:
    """A header as a canonical column name would be written: ``"Staff ID"`` -> ``"staff_id"``.

    Examples
    --------
    >>> snake_case(" Snapshot Date"), snake_case("Hourly-Pay"), snake_case("FTE")
    ('snapshot_date', 'hourly_pay', 'fte')
    """
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def header_renames(columns: Sequence[Any], table: str, issues: list[ReadIssue]) -> dict[Any, str]:
    """Headers written another way (Title Case, spaces, hyphens) -> their canonical name.

    Only a header that is no canonical name itself, whose :func:`snake_case` is one, and whose
    target the table does not already have, is renamed; each rename is listed in one warning.
    """
    canon = TABLES[table].column_names
    have = {str(c) for c in columns}
    out: dict[Any, str] = {}
    for c in columns:
        target = snake_case(c)
        if str(c) not in canon and target in canon and target not in have \
                and target not in out.values():
            out[c] = target
    if out:
        issues.append(ReadIssue(
            table, "", "header renamed", len(out),
            tuple(f"{str(a)!r} -> {b}" for a, b in out.items()), severity="warning",
            message=("headers are not written as the canonical column names and are read as "
                     "them (shown: header -> column). Rename them in the export (lower case, "
                     "underscores), or map them under columns: in the mapping file."),
        ))
    return out


def unmatched_columns(columns: Sequence[Any], mapping: TableMapping, table: str,
                      issues: list[ReadIssue]) -> None:
    """Mapping entries naming a local column the file does not hold (and whose canonical
    column it does not hold either): an error, listed with the headers it may have meant.

    Such an entry was ignored: the column it should have filled was missing, and every
    indicator grouped by it was left out with a reason that did not name the mapping.
    """
    have = [str(c) for c in columns]
    missing = [(src, dst) for src, dst in mapping.columns.items()
               if src not in have and dst not in have]
    if not missing:
        return
    examples = []
    for src, dst in missing:
        near = difflib.get_close_matches(src, have, n=1, cutoff=0.6)
        examples.append(f"{src!r} -> {dst}" + (f" (the file has {near[0]!r})" if near else ""))
    issues.append(ReadIssue(
        table, missing[0][1], "mapped column not found", len(missing), tuple(examples),
        message=("the mapping renames a local column the file does not have (shown: the "
                 "mapping's entry, and the file's closest header), so the canonical column is "
                 "missing. Write the local name under columns: in the mapping file exactly as "
                 "the export's header reads, or remove the entry."),
    ))


def _date_format_problem(fmt: Any) -> str:
    """Why ``fmt`` is not a usable ``strftime`` date format ("" when it is).

    Examples
    --------
    >>> _date_format_problem("%d/%m/%Y"), _date_format_problem("dd/mm/yyyy")[:30]
    ('', 'not a strftime format: write d')
    """
    if not isinstance(fmt, str):
        return f"a {type(fmt).__name__}, not text: quote it, e.g. '%d/%m/%Y'"
    fix = "write day/month/year as '%d/%m/%Y', ISO as '%Y-%m-%d'"
    if not {"%d", "%m", "%Y"} <= set(re.findall(r"%[A-Za-z]", fmt)) and not (
            {"%d", "%b", "%Y"} <= set(re.findall(r"%[A-Za-z]", fmt))
            or {"%d", "%m", "%y"} <= set(re.findall(r"%[A-Za-z]", fmt))):
        return f"not a strftime format: {fix} (it needs a day, a month and a year)"
    try:
        day = dt.datetime(2025, 3, 31)
        if dt.datetime.strptime(day.strftime(fmt), fmt).date() != day.date():
            return f"it does not give back the date it writes: {fix}"
    except ValueError as err:
        return f"not a valid strftime format ({err}): {fix}"
    return ""


def apply_mapping(frame: pd.DataFrame, mapping: TableMapping, *, table: str, where: str = "",
                  headers: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rename local columns and recode values (before coercion); the input is not mutated.

    ``headers``: headers written another way, read as their canonical names
    (:func:`header_renames`), renamed before the values are recoded, since ``values:``
    names canonical columns.
    """
    if not mapping.columns and not mapping.values:
        return frame.rename(columns=dict(headers)) if headers else frame
    clash = [f"{src!r} -> {dst!r}" for src, dst in mapping.columns.items()
             if src in frame.columns and dst in frame.columns and src != dst]
    if clash:
        raise InputError(
            f"The mapping renames {', '.join(clash)} in {where or table}, but the file already "
            "has a column of the target name. Remove one of them or the mapping entry.",
            table=table,
        )
    df = frame.rename(columns=mapping.columns)
    if headers:
        df = df.rename(columns=dict(headers))
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

