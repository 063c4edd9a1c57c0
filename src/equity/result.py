"""The shared result schema (docs/data-dictionary.md "The result table"): one definition, one constructor.

Every per-group figure equity computes is a tidy pandas DataFrame with exactly
:data:`RESULT_COLUMNS`, in that order, so that every indicator concatenates into one long
table. Strata that an indicator was not split by are missing (``None``); ``variant`` names an
indicator-specific sub-measure (e.g. ``"excluding international recruits"``, ``"Q1 (lower)"``,
``"within 12 months"``).

Table-level metadata lives in ``DataFrame.attrs``:

- ``"not_computed"``: ``{indicator_id: reason}`` for indicators the data did not allow;
- ``"exclusions"``: list of ``{"indicator", "table", "reason", "count"}`` records, one per
  reason rows were left out of a denominator (nothing is dropped silently);
- ``"disclosure"``: ``"publication"`` or ``"internal"`` once :mod:`equity.disclosure` ran.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from equity.errors import EquityError

#: Strata columns, always present, in this order.
STRATA: tuple[str, ...] = (
    "organisation", "directorate", "staff_group", "profession", "band", "clinical", "variant",
)
#: Strata a caller may split by (``within=``).
SPLITTABLE: tuple[str, ...] = ("organisation", "directorate", "staff_group", "profession", "band", "clinical")

RESULT_COLUMNS: tuple[str, ...] = (
    "indicator", "period", *STRATA, "group_var", "group",
    "numerator", "denominator", "value", "ci_low", "ci_high",
    "reference_group", "ratio", "ratio_ci_low", "ratio_ci_high", "p_value",
    "status", "suppressed",
)
TEXT_COLUMNS: tuple[str, ...] = ("indicator", "period", *STRATA, "group_var", "group", "reference_group", "status")
FLOAT_COLUMNS: tuple[str, ...] = (
    "numerator", "denominator", "value", "ci_low", "ci_high",
    "ratio", "ratio_ci_low", "ratio_ci_high", "p_value",
)
STATUSES: tuple[str, ...] = (
    "insufficient_evidence", "within_range", "adverse", "favourable", "not_applicable",
)

#: ``variant`` of the rows that carry the comparison share behind a percentage-point
#: difference (WRES 9 / WDES 10: the workforce share the board share is compared with).
WORKFORCE_VARIANT = "workforce"

INSUFFICIENT = "insufficient_evidence"
WITHIN = "within_range"
ADVERSE = "adverse"
FAVOURABLE = "favourable"
NOT_APPLICABLE = "not_applicable"


def is_finite(value: object) -> bool:
    """Whether a result cell holds a figure (a finite number): withheld and undefined
    figures are NaN or None.

    >>> is_finite(0.25), is_finite(float("nan")), is_finite(None)
    (True, False, False)
    """
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


class ResultSchemaError(EquityError):
    """A result table does not follow the shared schema (a bug in an indicator)."""


def repeated(value: object, n: int | tuple[int, ...]) -> np.ndarray:
    """An object array of ``n`` (a length or a shape) references to the one ``value``.

    ``np.full(n, "text", dtype=object)`` converts the string through a fixed-width array and
    makes a new string object per row (about 40 ms and 60 MB a million rows, and each copy
    is hashed again wherever the column is counted or checked); this holds one object.

    Examples
    --------
    >>> a = repeated("ethnicity", 3)
    >>> a.tolist(), a[0] is a[2]
    (['ethnicity', 'ethnicity', 'ethnicity'], True)
    """
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def text_where(condition: np.ndarray, yes: str | None, no: str | np.ndarray | None) -> np.ndarray:
    """``yes`` where ``condition``, else ``no`` (a scalar or an object array of the same
    shape), as an object array holding the same objects (``np.where`` on a string makes a
    fixed-width array, then a new string object per row).

    Examples
    --------
    >>> out = text_where(np.array([True, False, True]), "adverse", None)
    >>> out.tolist(), out[0] is out[2]
    (['adverse', None, 'adverse'], True)
    """
    condition = np.asarray(condition, dtype=bool)
    out = np.array(no, dtype=object) if isinstance(no, np.ndarray) else repeated(no, condition.shape)
    out[condition] = yes
    return out


def _text(values: object, n: int) -> np.ndarray:
    """Object array of strings with None for missing (scalars broadcast)."""
    if values is None or isinstance(values, str):
        return repeated(values, n)
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        return _string_values(values)
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.to_numpy(dtype=object, na_value=None)  # a count table's keys
    arr = np.asarray(values, dtype=object)
    if arr.ndim == 0:
        return repeated(arr.item(), n)
    out = arr.copy()
    out[pd.isna(arr)] = None
    return out


def _string_values(s: pd.Series) -> np.ndarray:
    """A pandas string column as an object array, None for missing: through its distinct
    values when Arrow holds it (a result's text repeats a few strata and groups: about four
    times faster than converting each cell and then looking for missing ones)."""
    if s.dtype.storage != "pyarrow":
        return s.to_numpy(dtype=object, na_value=None)
    import pyarrow as pa

    encoded = pa.chunked_array(pa.array(s)).combine_chunks().dictionary_encode()
    labels = np.asarray([*encoded.dictionary.to_pylist(), None], dtype=object)
    return labels[encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()]


def make_result(frame: pd.DataFrame | Mapping[str, Any], *, indicator: str | None = None,
                period: str | None = None) -> pd.DataFrame:
    """Build a result table: fill absent columns, order them, fix dtypes, check statuses.

    Parameters
    ----------
    frame
        Columns of :data:`RESULT_COLUMNS` (any subset; extra columns are an error): a
        DataFrame, or a mapping of column names to arrays or scalars (broadcast; only
        scalars: one row), used as they are (a pandas 3 DataFrame built from them would turn
        text into its str dtype).
    indicator, period
        Fill these columns when the frame does not carry them.

    Examples
    --------
    >>> r = make_result({"group_var": ["ethnicity"], "group": ["BME"], "numerator": [3],
    ...                  "denominator": [10], "value": [0.3]}, indicator="representation",
    ...                 period="2024/25")
    >>> list(r.columns) == list(RESULT_COLUMNS), r.loc[0, "status"], bool(r.loc[0, "suppressed"])
    (True, 'not_applicable', False)
    """
    if isinstance(frame, pd.DataFrame):
        df: Mapping[str, Any] = frame
        n = len(frame)
    else:
        lengths = {len(v) for v in frame.values() if np.ndim(v) > 0}
        if len(lengths) > 1:
            raise ResultSchemaError(f"Result columns differ in length: {sorted(lengths)}.")
        n = lengths.pop() if lengths else 1
        df = frame
    extra = [c for c in df if c not in RESULT_COLUMNS]
    if extra:
        raise ResultSchemaError(f"Result columns not in the shared schema: {extra}.")
    defaults: dict[str, Any] = {"indicator": indicator, "period": None if period is None else str(period)}

    def column(c: str) -> pd.Series:
        values = repeated(df[c], n) if np.ndim(df[c]) == 0 else df[c]
        return pd.Series(values, copy=False)

    data: dict[str, np.ndarray] = {}
    for c in TEXT_COLUMNS:
        data[c] = _text(df[c] if c in df else defaults.get(c), n)
    for c in FLOAT_COLUMNS:
        if c not in df:
            data[c] = np.full(n, np.nan)
            continue
        values = df[c]
        if isinstance(values, np.ndarray | pd.Series) and isinstance(values.dtype, np.dtype) \
                and values.dtype.kind in "fiub":  # numbers already: no parsing
            col = np.asarray(values, dtype="float64")
        else:
            col = pd.to_numeric(column(c), errors="raise").to_numpy(dtype="float64",
                                                                    na_value=np.nan)
        data[c] = np.where(np.isinf(col), np.nan, col)
    status = data["status"]
    status[pd.isna(status)] = NOT_APPLICABLE
    bad = set(pd.unique(status).tolist()) - set(STATUSES)
    if bad:
        raise ResultSchemaError(f"Unknown status values {sorted(bad)}; allowed: {STATUSES}.")
    if "suppressed" in df:
        data["suppressed"] = np.array(column("suppressed").fillna(False), dtype=bool)
    else:
        data["suppressed"] = np.zeros(n, dtype=bool)
    out = _frame(data, n)
    out.attrs = dict(getattr(frame, "attrs", {}) or {})
    return out


def _frame(data: Mapping[str, np.ndarray], n: int) -> pd.DataFrame:
    """A result table holding ``data``'s new arrays as they are: one block per column, no
    copy and no type inference (pandas 3 would make text its str dtype, slowly, None into
    NaN; a 2-D text block would copy 13 columns, about 0.1 s per 300,000 rows).

    Built from the blocks directly: the DataFrame constructor, given a Series per column,
    aligns their indexes and took about 1.5 ms a table, a tenth of a trust's indicators.
    """
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pragma: no cover - pandas before 3.0
        return pd.DataFrame({c: pd.Series(data[c], dtype=object if c in TEXT_COLUMNS else None,
                                          copy=False) for c in RESULT_COLUMNS}, copy=False)
    return create_dataframe_from_blocks(
        [(data[c].reshape(1, n), np.array([i])) for i, c in enumerate(RESULT_COLUMNS)],
        index=pd.RangeIndex(n), columns=pd.Index(RESULT_COLUMNS))


def empty_result() -> pd.DataFrame:
    """A result table with no rows."""
    return make_result(pd.DataFrame({c: [] for c in ("group_var",)}))


def check_result(df: pd.DataFrame) -> pd.DataFrame:
    """Raise :class:`ResultSchemaError` unless ``df`` follows the schema; return it unchanged."""
    if tuple(df.columns) != RESULT_COLUMNS:
        raise ResultSchemaError(
            f"Result columns {list(df.columns)} differ from the shared schema {list(RESULT_COLUMNS)}."
        )
    values = pd.unique(df["status"].to_numpy(dtype=object))  # a few distinct, many rows
    if any(pd.isna(v) for v in values):
        raise ResultSchemaError("Result has blank status values; every row needs a status.")
    bad = set(values.tolist()) - set(STATUSES)
    if bad:
        raise ResultSchemaError(f"Unknown status values {sorted(bad)}.")
    return df


def _schema_dtypes(df: pd.DataFrame) -> bool:
    """True when ``df``'s columns have the dtypes :func:`make_result` gives them."""
    d = df.dtypes
    return (all(d[c] == np.dtype(object) for c in TEXT_COLUMNS)
            and all(d[c] == np.dtype("float64") for c in FLOAT_COLUMNS)
            and d["suppressed"] == np.dtype(bool))


def concat_results(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate result tables, merging their ``attrs`` metadata."""
    frames = [f for f in frames if f is not None]
    not_computed: dict[str, str] = {}
    exclusions: list[dict[str, Any]] = []
    modes = set()
    for f in frames:
        not_computed.update(f.attrs.get("not_computed", {}))
        # The same exclusion reached through two families (e.g. bank staff in every
        # retention table) is one exclusion: keep the first record of each.
        exclusions.extend(e for e in f.attrs.get("exclusions", []) if e not in exclusions)
        if "disclosure" in f.attrs:
            modes.add(f.attrs["disclosure"])
    nonempty = [f for f in frames if len(f)]
    if nonempty and all(tuple(f.columns) == RESULT_COLUMNS for f in nonempty):
        # result tables already: one concatenation (a national table has millions of rows)
        out = pd.concat(nonempty, ignore_index=True)
        out = out if _schema_dtypes(out) else make_result(out)
    else:
        out = make_result(pd.concat(nonempty, ignore_index=True)) if nonempty else empty_result()
    out.attrs = {"not_computed": not_computed, "exclusions": exclusions}
    if len(modes) == 1:
        out.attrs["disclosure"] = modes.pop()
    return out


def add_exclusion(df: pd.DataFrame, *, indicator: str, table: str, reason: str, count: int) -> None:
    """Record that ``count`` rows of ``table`` were left out of ``indicator`` for ``reason``."""
    if count:
        df.attrs.setdefault("exclusions", []).append(
            {"indicator": indicator, "table": table, "reason": reason, "count": int(count)}
        )


def bare(table: pd.DataFrame) -> pd.DataFrame:
    """The table's rows and columns without its ``attrs`` (a shallow copy: the data are
    shared, copy-on-write), for reading many columns and selections of a table.

    pandas deep-copies a frame's ``attrs`` into every frame and column it derives from it; a
    family's attrs (its exclusions and validation warnings, a few dozen objects) made that
    copying a third of a report's findings and of a small table's disclosure control. Use
    it where the result is read for its rows alone; the table's own attrs stay as they are.
    """
    out = table.copy(deep=False)
    out.attrs = {}
    return out
