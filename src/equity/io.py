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

from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from equity.codes import to_date
from equity.errors import InputError
from equity.schema import TABLES, Table

_TRUE = {"true", "1", "1.0", "y", "yes", "t"}
_FALSE = {"false", "0", "0.0", "n", "no", "f"}


@dataclass(frozen=True)
class ReadIssue:
    """A value that could not be parsed while reading (reported by validation)."""

    table: str
    column: str
    rule: str
    count: int
    examples: tuple[Any, ...]


@dataclass
class Dataset:
    """The canonical bundle of tables. Absent optional tables are None.

    Each table is a native frame of the dataset's ``engine`` (pandas by default; Polars,
    DuckDB or PySpark frames at scale). Only :mod:`equity.cube` reads rows from them.
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
        return cls(**coerced, issues=issues)

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


def _examples(frame: pd.DataFrame, mask: pd.Series, table: Table) -> tuple[Any, ...]:
    key = next((k for k in table.key if k in frame.columns and k.endswith("_id")), None)
    rows = frame.index[mask.to_numpy()][:5]
    if key is not None:
        return tuple(f"row {int(i) + 2} ({key}={frame.at[i, key]})" for i in rows)
    return tuple(f"row {int(i) + 2}" for i in rows)


def _as_text(s: pd.Series) -> pd.Series:
    out = s.astype(object)
    out = out.where(pd.notna(out), None)
    # Numbers read from CSV/Excel ("12.0") become "12" so ids written as numbers still match.
    return out.map(lambda v: v if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()))


def _as_bool(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean"), pd.Series(False, index=s.index)
    text = s.astype(object).map(lambda v: None if pd.isna(v) else str(v).strip().lower())
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    bad = text.notna() & out.isna()
    return out, bad


def coerce(frame: pd.DataFrame, table: Table, issues: list[ReadIssue]) -> pd.DataFrame:
    """Coerce a pandas frame's known columns to their schema kinds; record unparseable values.

    Unknown extra columns are kept as they are. The input is not mutated.
    """
    df = frame.copy().reset_index(drop=True)
    for col in table.columns:
        if col.name not in df.columns:
            continue
        raw = df[col.name]
        present = raw.notna() & raw.astype(object).map(lambda v: str(v).strip() != "")
        if col.kind in ("id", "str"):
            df[col.name] = _as_text(raw).where(present, None)
            continue
        if col.kind == "date":
            parsed = to_date(raw.where(present))
            bad = present & parsed.isna()
            df[col.name] = parsed
            rule = "unparseable date"
        elif col.kind == "float":
            parsed = pd.to_numeric(raw.where(present), errors="coerce").astype("float64")
            bad = present & parsed.isna()
            df[col.name] = parsed
            rule = "unparseable number"
        else:  # bool
            parsed, bad = _as_bool(raw.where(present))
            df[col.name] = parsed
            rule = "unparseable boolean"
        if bad.any():
            issues.append(ReadIssue(table.name, col.name, rule, int(bad.sum()), _examples(df, bad, table)))
    return df


__all__ = ["Dataset", "ReadIssue", "coerce"]
