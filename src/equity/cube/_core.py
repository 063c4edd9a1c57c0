"""Group-by counts and sums on any engine (the "count cube").

This is the only layer that touches row-level data. Every function takes a native frame
(pandas, Polars eager or lazy, a DuckDB relation, a PySpark DataFrame: anything narwhals
accepts), pushes filters, derived columns and group-bys into that engine, and returns a small
pandas DataFrame. Missing keys are kept as a group of their own (never dropped).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from functools import partial
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

Expr = nw.Expr


def text_is(column: str, value: str) -> nw.Expr:
    """``column`` equals lower-case ``value`` ignoring case and surrounding spaces; missing is
    False. Works on code columns held as categoricals / ENUMs too (cast to text first).

    Examples
    --------
    >>> f = pd.DataFrame({"p": [" Capability", "other", None]})
    >>> collect(lazy(f).select(hit=text_is("p", "capability")))["hit"].tolist()
    [True, False, False]
    """
    text = nw.col(column).cast(nw.String())
    return (text.str.strip_chars().str.to_lowercase() == value).fill_null(False)


def lazy(frame: Any) -> nw.LazyFrame:
    """Wrap any supported native frame as a narwhals LazyFrame."""
    if isinstance(frame, nw.LazyFrame):
        return frame
    if isinstance(frame, nw.DataFrame):
        return frame.lazy()
    f = nw.from_native(frame)
    return f.lazy() if isinstance(f, nw.DataFrame) else f


def collect(frame: nw.LazyFrame, *, categories: bool = False) -> pd.DataFrame:
    """Collect a (small) lazy result into pandas; text columns come back as ``object``
    (``None`` for missing), whatever the engine held them as; with ``categories``, as
    categoricals of sorted ``object`` categories (see :func:`count`)."""
    if frame.implementation.is_pandas_like():
        with warnings.catch_warnings():
            # narwhals warns when a pandas group-by falls back to apply; our cube
            # aggregations are plain sums/lengths, so this only appears for tiny frames.
            # (Not around the other engines: catch_warnings swaps the process's filters, which
            # is not safe while the indicator families run in threads on Polars.)
            warnings.simplefilter("ignore", UserWarning)
            out = frame.collect(backend="pandas").to_native()
        for c in out.columns:
            if out[c].dtype == object or isinstance(out[c].dtype, pd.StringDtype):
                out[c] = out[c].astype(object).where(out[c].notna(), None)
    else:
        # Through Arrow, text dictionary-encoded: a count table repeats few distinct
        # keys, so each becomes one Python string, not one per row (national count
        # tables: about 0.3 s a query less than pandas' own conversion). PySpark's
        # toPandas is not pandas-3 clean either; its Arrow export is.
        out = _decimals_as_float(frame.collect(backend="pyarrow").to_native()).to_pandas(
            strings_to_categorical=True)
    for c in out.columns:
        dtype = out[c].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            # a DuckDB ENUM / Polars categorical key, or dictionary-encoded text
            out[c] = sorted_categorical(out[c]) if categories else _categorical_as_object(out[c])
        elif categories and dtype == np.dtype(object):
            out[c] = sorted_categorical(out[c])
        elif isinstance(dtype, pd.DatetimeTZDtype):
            # PySpark: timestamps come back UTC-aware (equity.io sets the session time
            # zone to UTC): drop the zone so dates compare as on the other engines.
            out[c] = out[c].dt.tz_convert(None)
    return pd.DataFrame(out).reset_index(drop=True)


def _decimals_as_float(table: Any) -> Any:
    """An Arrow table with its decimal columns as float64: DuckDB sums integers to HUGEINT,
    which Arrow holds as decimal128 and pandas would turn into one Python Decimal a cell."""
    import pyarrow as pa

    if not any(pa.types.is_decimal(f.type) for f in table.schema):
        return table
    return table.cast(pa.schema([pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type)
                                 else f for f in table.schema]))


def _categorical_as_object(s: pd.Series) -> pd.Series:
    """A categorical's values as ``object`` (``None`` for missing), one lookup per row."""
    labels = np.concatenate([np.asarray(s.cat.categories.astype(object), dtype=object),
                             np.array([None], dtype=object)])
    return pd.Series(labels[s.cat.codes.to_numpy()], index=s.index, dtype=object)  # -1: None


def sorted_categorical(s: pd.Series) -> pd.Series:
    """``s`` (text, or a categorical) as a categorical whose categories are its distinct
    values, as ``object``, in sorted order (so sorting the column sorts by text).

    Examples
    --------
    >>> e = pd.Series(pd.Categorical(["b", None, "b"], categories=["z", "b", "a"]))
    >>> sorted_categorical(e).cat.categories.tolist()  # an ENUM's unused values go
    ['b']
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes_ = s.cat.codes.to_numpy()
        values = np.asarray(s.cat.categories.astype(object), dtype=object)
    else:
        codes_, values = pd.factorize(s, use_na_sentinel=True)
        values = np.asarray(values, dtype=object)
    # One pass to find the categories in use, one to renumber: codes index ``lookup``,
    # whose last slot (code -1) stays missing.
    used = np.flatnonzero(np.bincount(codes_ + 1, minlength=len(values) + 1)[1:])
    order = _sorted_order(values[used])
    lookup = np.full(len(values) + 1, -1, dtype=np.int64)
    lookup[used[order]] = np.arange(len(order))
    dtype = pd.CategoricalDtype(pd.Index(values[used[order]], dtype=object))
    return pd.Series(pd.Categorical.from_codes(lookup[codes_], dtype=dtype, validate=False),
                     index=s.index)


def factorize(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` and the distinct values, missing values one code of their
    own (the last), like ``pd.factorize(values, use_na_sentinel=False)`` but without its
    extra pass over an object array to find them (count tables' text keys: about half the
    time of a factorisation).

    Examples
    --------
    >>> codes_, uniq = factorize(pd.Series(["b", None, "a", "b"], dtype=object))
    >>> codes_.tolist(), uniq.tolist()
    ([0, 2, 1, 0], ['b', 'a', None])
    """
    codes_, uniq = pd.factorize(values, use_na_sentinel=True)
    missing = codes_ < 0
    if missing.any():
        codes_ = np.where(missing, len(uniq), codes_)
        uniq = np.concatenate([np.asarray(uniq, dtype=object), np.array([None], dtype=object)])
    return codes_, np.asarray(uniq)


_MEMO: dict[int, tuple[Callable[[], Any], Any, dict[Any, Any]]] = {}


def _version(frame: Any) -> Any:
    # pandas frames can change in place: the cache entry holds only while shape and
    # columns are the same. Lazy engines' frames are immutable.
    if isinstance(frame, pd.DataFrame):
        return (frame.shape, tuple(frame.columns))
    return None


def _forget(ident: int, _ref: object) -> None:
    _MEMO.pop(ident, None)
    _KEPT.discard(ident)


def forget(frame: Any) -> None:
    """Drop everything :func:`memo` and :func:`shared` remember for ``frame``: for a pandas
    frame whose values were changed in place (same shape and columns, so the memo cannot
    tell), as :func:`equity.validation.require_valid` finds when it checks the data again."""
    with _LOCK:
        _MEMO.pop(id(frame), None)


def _same(frame: Any) -> Any:
    return frame


#: Frames that cannot be weakly referenced, most recent last (see :func:`memo`).
_STRONG: list[int] = []
_STRONG_MAX = 64


#: Guards _MEMO, _STRONG and _SHARING: the families of ``equity.indicators`` run side by
#: side in threads on Polars (see :func:`threads_pay_off`).
_LOCK = threading.RLock()


def memo(frame: Any, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered per frame object and ``key``.

    Indicators ask the same small questions of a frame many times (its columns, its snapshot
    dates); on a lazy engine each answer is a query. Frames that cannot be weakly referenced
    are not cached. Thread-safe: a second thread asking while the first computes waits for
    its answer (the computation itself runs outside the lock).
    """
    ident = id(frame)
    with _LOCK:
        entry = _MEMO.get(ident)
        if entry is None or entry[0]() is not frame or entry[1] != _version(frame):
            try:
                ref: Callable[[], Any] = weakref.ref(frame, partial(_forget, ident))
            except TypeError:
                # e.g. DuckDB relations: hold the frame itself (its id then stays unique), and
                # only for the most recent frames, so the cache cannot grow without bound.
                ref = partial(_same, frame)
                _STRONG.append(ident)
                if len(_STRONG) > _STRONG_MAX:
                    _KEPT.discard(gone := _STRONG.pop(0))
                    _MEMO.pop(gone, None)
            entry = (ref, _version(frame), {})
            _MEMO[ident] = entry
        cache = entry[2]
        if key not in cache:
            pending, mine = cache.setdefault(key, Future()), True
        elif isinstance(cache[key], Future):  # another thread is computing it: wait for it
            pending, mine = cache[key], False
        else:
            return cache[key]
    if not mine:
        return pending.result()  # its value, or its error raised here too
    try:
        value = compute()
    except BaseException as err:
        with _LOCK:
            if cache.get(key) is pending:  # not remembered: asked again, computed again
                del cache[key]
        pending.set_exception(err)
        raise
    with _LOCK:
        if cache.get(key) is pending:  # (a sharing block that ended meanwhile dropped it)
            cache[key] = value
    pending.set_result(value)
    return value


_SHARING = [0]  # depth of nested sharing() blocks
#: Frames (by id) whose shared answers outlive a sharing() block (see :func:`keep_shared`).
_KEPT: set[int] = set()


def keep_shared(frames: Iterable[Any]) -> None:
    """Keep the counts :func:`shared` remembers for ``frames`` after each :func:`sharing`
    block ends (for as long as each frame lives), so the next block answers them from memory.

    For frames nobody changes in place, read for one purpose: a report's own copy of the
    dataset (:class:`equity.report.context.ReportContext`), whose indicator families run in
    one block each and ask many of the same counts (a directorate report's families: about
    a quarter less time). A frame whose shape or columns change is counted afresh anyway.
    """
    with _LOCK:
        for f in frames:
            if f is None:
                continue
            memo(f, "kept", lambda: True)  # an entry that forgets the id with the frame
            _KEPT.add(id(f))


@contextlib.contextmanager
def sharing() -> Iterator[None]:
    """Within this block, :func:`shared` answers a repeated count from memory.

    The entry points that compute many indicators at once (``equity.indicators`` and each
    family's ``*_indicators``, ``trends``) open one, so a count several indicators or
    groupings need is run once; when the outermost block ends the counts are forgotten, so a
    table edited in place afterwards is counted afresh.
    """
    with _LOCK:
        _SHARING[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _SHARING[0] -= 1
            if not _SHARING[0]:
                for ident, entry in list(_MEMO.items()):
                    if ident in _KEPT:
                        continue
                    for k in [k for k in entry[2] if isinstance(k, tuple) and k[:1] == ("shared",)]:
                        del entry[2][k]


def shared(frame: Any, key: Any, compute: Callable[[], Any], *, hold: bool = False) -> Any:
    """``compute()``, remembered per frame and ``key`` inside a :func:`sharing` block only.

    With ``hold``, ``compute()`` is a (small) lazy frame that several counts will read: inside
    the block it is computed once and held by its engine (a lazy engine would otherwise run
    its whole query again for every count); outside, it stays lazy.
    """
    if not _SHARING[0]:
        return compute()
    return memo(frame, ("shared", key), (lambda: _held(compute())) if hold else compute)


def _held(frame: nw.LazyFrame) -> nw.LazyFrame:
    """``frame`` computed now and held by its engine: Polars in memory, DuckDB as an Arrow
    table it scans (on DuckDB's default connection: count it, do not join it to a dataset's
    relations, which live on their own). pandas frames are computed as they are built;
    PySpark's stay lazy (a cache would outlive the block: Spark keeps it until unpersisted)."""
    impl = frame.implementation
    if impl.is_pandas_like() or impl.is_pyspark():
        return frame
    if impl.is_polars():
        return frame.collect().lazy()
    return frame.collect(backend="pyarrow").lazy(backend=impl)


#: Rows of the largest table from which :func:`threads_pay_off` says yes (see there).
THREADS_FROM_ROWS = 1_000_000


def threads_pay_off(frames: Iterable[Any], *, min_rows: int | None = None) -> bool:
    """True when independent work on ``frames`` is worth running in threads side by side:
    every frame is a Polars frame (Polars runs a query outside the GIL and from several
    threads at once; pandas holds the GIL, a DuckDB connection serves one thread at a time,
    Spark schedules its own jobs), and the largest has at least ``min_rows`` rows. Below
    that the pandas work on the counts outweighs the queries and threads only contend for
    the GIL (the whole suite on Polars in threads: 0.1-0.25 s slower for a trust of 14,000
    to 229,000 staff rows, no faster at 867,000-917,000, 0.45 s faster at 2.6 million and
    0.5 s at 8.7 million).
    ``min_rows`` defaults to :data:`THREADS_FROM_ROWS`.

    Examples
    --------
    >>> threads_pay_off([pd.DataFrame({"a": [1]})], min_rows=0)
    False
    """
    frames = list(frames)
    if not frames or not all(nw.from_native(f).implementation.is_polars() for f in frames):
        return False
    least = THREADS_FROM_ROWS if min_rows is None else min_rows
    return any(_row_count(f) >= least for f in frames)  # the staff table first: one count


def _row_count(frame: Any) -> int:
    return int(memo(frame, "rows", lambda: count(frame, [])["n"].iloc[0]))


def columns(frame: Any) -> list[str]:
    """Column names of a native frame, without collecting it."""
    if isinstance(frame, pd.DataFrame):
        return [str(c) for c in frame.columns]
    return list(memo(frame, "columns", lambda: tuple(lazy(frame).collect_schema().names())))


def distinct_rows(frame: Any, columns: Sequence[str]) -> nw.LazyFrame:
    """The distinct combinations of ``columns`` (a missing value is a value), lazily.

    Written as a group-by: narwhals' ``unique`` is a ``row_number`` window on SQL engines,
    twice as slow on DuckDB (1.1 against 0.57 s for the 1.6 million people in a national
    training table).
    """
    tmp = "__distinct_rows"
    return (lazy(frame).group_by(*columns, drop_null_keys=False)
            .agg(nw.len().alias(tmp)).drop(tmp))


def count(
    frame: Any,
    by: Sequence[str],
    *,
    where: Expr | None = None,
    derive: Mapping[str, Expr] | None = None,
    sums: Sequence[str] = (),
    distinct: str | None = None,
    numeric: Sequence[str] = (),
) -> pd.DataFrame:
    """Count rows (and sum columns) per combination of ``by``.

    Parameters
    ----------
    frame
        Native frame of any supported engine.
    by
        Grouping columns (may name columns created by ``derive``).
    where
        Row filter, a narwhals expression (``nw.col("contract_type") != "Bank"``).
    derive
        New columns ``{name: expression}`` computed before grouping (e.g. 0/1 flags to sum).
    sums
        Columns to sum per group; output columns are named ``sum_<column>``.
    distinct
        Count distinct values of this column (e.g. ``staff_id`` for "unique people") instead of
        rows; ``sums`` are then not allowed.
    numeric
        ``by`` columns returned as numbers (float64, NaN for missing).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``n`` (float64) and ``sum_<column>`` columns. Null keys form their
        own group. Text keys are categoricals whose categories are the distinct values, as
        ``object``, in sorted order (a missing key is a missing code), whatever the engine:
        a count table repeats a few keys over many rows, and :func:`regroup`,
        :func:`complete` and :func:`key_codes` then work on the integer codes instead of
        hashing text (about 2 s of the national suite); sorting sorts by text. Other keys
        are ``object`` (None for missing), ``numeric`` ones float64.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["b", "a", "b", None], "x": [1.0, 2.0, 3.0, 4.0]})
    >>> out = count(df, ["g"], sums=["x"])
    >>> out["g"].cat.categories.tolist()
    ['a', 'b']
    >>> out.sort_values("g", na_position="last").astype({"g": object}).to_dict("list")
    {'g': ['a', 'b', nan], 'n': [1.0, 2.0, 1.0], 'sum_x': [2.0, 4.0, 4.0]}
    """
    lf = lazy(frame)
    by = list(by)
    if by and distinct is None and lf.implementation.is_pandas():
        out = collect(lazy(_pandas_group_count(lf, by, sums, where=where, derive=derive)),
                      categories=True)
        return _count_table(out, by, numeric)
    if derive:
        lf = lf.with_columns(**dict(derive))
    if where is not None:
        lf = lf.filter(where)
    if distinct is not None:
        if sums:
            raise ValueError("`sums` cannot be combined with `distinct`.")
        lf = distinct_rows(lf, [*by, distinct])
        aggs = [nw.len().alias("n")]
    else:
        aggs = [nw.len().alias("n"), *(nw.col(c).sum().alias(f"sum_{c}") for c in sums)]
    if by:
        out = collect(lf.group_by(by, drop_null_keys=False).agg(*aggs), categories=True)
    else:
        out = collect(lf.select(*aggs))
    return _count_table(out, by, numeric)


def _count_table(out: pd.DataFrame, by: Sequence[str], numeric: Sequence[str]) -> pd.DataFrame:
    """:func:`count`'s collected table in its documented dtypes."""
    for c in out.columns:
        if c == "n" or c.startswith("sum_"):
            out[c] = pd.to_numeric(out[c]).astype("float64").fillna(0.0)
    for c in by:
        if c in numeric:
            values = out[c].astype(object) if isinstance(out[c].dtype, pd.CategoricalDtype) else out[c]
            out[c] = pd.to_numeric(values, errors="raise").astype("float64")
        elif out[c].dtype != object and not isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out.reset_index(drop=True)


def _pandas_group_count(lf: nw.LazyFrame, by: list[str], sums: Sequence[str], *,
                        where: Expr | None, derive: Mapping[str, Expr] | None) -> pd.DataFrame:
    """:func:`count` on a pandas frame: the rows and sums a pandas group-by (``sort=False,
    dropna=False``) gives, in the same order, without filtering a copy of the frame.

    Filtering a pandas frame copies every column of it, and a group-by factorises its keys
    through its index machinery; a trust's suite counts about 40 times (a directorate
    report's families about 170), each a few milliseconds of that fixed cost. Here only the
    derived columns and the filter's mask are evaluated (narwhals ``select``), the key and
    summed columns of the rows it keeps are numbered by combination in order of first
    appearance (:func:`key_codes`) and summed by code (:func:`_sums_by_code`: exact
    whole-number sums, pandas' compensated sum otherwise, row order kept), so every count
    and sum is bitwise the group-by's (about 5% of a trust's suite).
    """
    native = lf.to_native()
    derived = _evaluate(lf, dict(derive)) if derive else pd.DataFrame(index=range(len(native)))

    def column(c: str) -> pd.Series:
        return derived[c] if c in derived.columns else native[c].reset_index(drop=True)

    rows = pd.DataFrame({c: column(c) for c in dict.fromkeys([*by, *sums])}, copy=False)
    if where is not None:
        rows = rows.loc[_mask(lf, where, derive)].reset_index(drop=True)
    group, out = key_codes(rows, by)
    out["n"] = np.bincount(group, minlength=len(out)).astype(np.int64)
    if sums:
        summed = _sums_by_code(rows[list(sums)], group, len(out))
        for c in sums:
            out[f"sum_{c}"] = summed[c].to_numpy()
    return out


def _evaluate(lf: nw.LazyFrame, exprs: Mapping[str, Expr]) -> pd.DataFrame:
    """The columns ``exprs`` define on a pandas-backed ``lf``, one value per row (a literal
    broadcast, as ``with_columns`` does), with a fresh range index."""
    out = lf.select(**exprs).to_native()
    if len(out) != len(lf.to_native()):
        out = lf.with_columns(**exprs).to_native()[list(exprs)]
    return out.reset_index(drop=True)


def _mask(lf: nw.LazyFrame, where: Expr, derive: Mapping[str, Expr] | None) -> np.ndarray:
    """``where`` on a pandas-backed ``lf`` after ``derive``, as :func:`count` filters: a
    boolean array, missing as False."""
    name = "__equity_where"
    if derive and set(derive) & set(lf.to_native().columns):
        m = _evaluate(lf.with_columns(**dict(derive)), {name: where})
    else:
        try:  # most filters read only the frame's own columns: nothing derived for them
            m = _evaluate(lf, {name: where})
        except nw.exceptions.ColumnNotFoundError:
            m = _evaluate(lf.with_columns(**dict(derive or {})), {name: where})
    return m[name].fillna(False).to_numpy(dtype=bool)


def complete(counts: pd.DataFrame, levels: Mapping[str, Sequence[Any]], *,
             fill: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Add a zero row for every combination of ``levels`` absent from ``counts``.

    Keys in ``counts`` outside the listed levels are kept (an unexpected band is reported,
    never dropped), after the full grid and in sorted order, so the table does not depend on
    the order an engine returned its groups in (multi-threaded engines vary it from run to
    run). Numeric columns are filled with 0 unless ``fill`` says otherwise.

    Examples
    --------
    >>> c = pd.DataFrame({"g": ["a"], "n": [2.0]})
    >>> complete(c, {"g": ["a", "b"]}).to_dict("list")
    {'g': ['a', 'b'], 'n': [2.0, 0.0]}
    """
    keys = list(levels)
    if not keys:
        raise ValueError("`levels` needs at least one key.")
    value_cols = [c for c in counts.columns if c not in keys]
    n_obs = len(counts)
    # Count tables can reach millions of cells at national scale: work on integer codes.
    # Each key's codes are its listed levels (0..L-1), then values seen outside them.
    sizes, listed, labels, obs_codes = [], [], [], []
    for k in keys:
        lv = np.empty(len(levels[k]), dtype=object)
        lv[:] = list(levels[k])
        seen = counts[k]
        if isinstance(seen.dtype, pd.CategoricalDtype):  # code the categories, not the rows
            cats = np.asarray([*seen.cat.categories, None], dtype=object)
            codes_, uniq = factorize(np.concatenate([lv, cats]))
            lv_codes, cat_codes = codes_[: len(lv)], codes_[len(lv):]
            seen_codes = cat_codes[seen.cat.codes.to_numpy()]  # code -1 (missing): None's
        else:
            codes_, uniq = factorize(np.concatenate([lv, seen.to_numpy(dtype=object)]))
            lv_codes, seen_codes = codes_[: len(lv)], codes_[len(lv):]
        # re-number: listed levels first (in their order), then unlisted values sorted
        first = pd.unique(lv_codes)
        seen_uniq = pd.unique(seen_codes)
        rest = seen_uniq[~np.isin(seen_uniq, first)]
        rest = rest[_sorted_order(np.asarray(uniq, dtype=object)[rest.astype(np.int64)])]
        order = np.full(len(uniq), -1, dtype=np.int64)
        order[first] = np.arange(len(first))
        order[rest] = np.arange(len(first), len(first) + len(rest))
        lab = np.asarray(uniq, dtype=object)[np.concatenate([first, rest]).astype(np.int64)]
        lab[pd.isna(lab)] = None
        sizes.append(len(first) + len(rest))
        listed.append(len(first))
        labels.append(lab)
        obs_codes.append(order[seen_codes])
    radix = np.cumprod([1, *sizes[::-1]])[::-1][1:].astype(np.int64)
    observed = np.zeros(n_obs, dtype=np.int64)
    for c, r in zip(obs_codes, radix, strict=True):
        observed += c * r
    grid = np.zeros(1, dtype=np.int64)
    for n, r in zip(listed, radix, strict=True):
        grid = (grid[:, None] + np.arange(n, dtype=np.int64)[None, :] * r).ravel()
    outside = np.zeros(n_obs, dtype=bool)
    for c, n in zip(obs_codes, listed, strict=True):
        outside |= c >= n
    extra = np.unique(observed[outside])  # sorted: listed levels' order, then the rest's
    all_codes = np.concatenate([grid, extra]).astype(np.int64)
    take = pd.Index(observed).get_indexer(all_codes)
    columns = {k: _key_column(labels[i], (all_codes // radix[i]) % sizes[i], counts[k])
               for i, k in enumerate(keys)}
    missing = take < 0
    for c in value_cols:
        values = counts[c].to_numpy()
        if len(values):
            col = values[np.where(missing, 0, take)]
            col = col.astype("float64") if pd.api.types.is_numeric_dtype(counts[c]) else col.astype(object)
        else:
            col = np.full(len(take), np.nan)
        if missing.any():
            col = col.astype("float64") if col.dtype.kind in "fiub" else col.astype(object)
            col[missing] = np.nan
        columns[c] = pd.Series(col, dtype=object if col.dtype == object else None, copy=False)
    out = pd.DataFrame(columns, copy=False)
    fills = {c: 0.0 for c in value_cols
             if pd.api.types.is_numeric_dtype(out[c]) or out[c].isna().all()}
    fills.update(fill or {})
    fills = {c: v for c, v in fills.items() if out[c].isna().any()}
    return out.fillna(fills) if fills else out


def _key_column(labels: np.ndarray, codes_: np.ndarray, column: pd.Series) -> pd.Series:
    """``labels[codes_]`` as :func:`complete`'s key column: a categorical of sorted
    categories if ``column`` was one, as :func:`count` gives text keys, else ``object``."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(labels[codes_], dtype=object)
    present = ~pd.isna(labels)
    order = _sorted_order(labels[present])
    rank = np.full(len(labels), -1, dtype=np.int64)
    rank[np.flatnonzero(present)[order]] = np.arange(len(order))
    dtype = pd.CategoricalDtype(pd.Index(labels[present][order], dtype=object))
    return pd.Series(pd.Categorical.from_codes(rank[codes_], dtype=dtype, validate=False))


def _sorted_order(values: np.ndarray) -> np.ndarray:
    """Positions that sort ``values``: missing last, mixed types by type name then text."""
    missing = pd.isna(values)
    keys = [(bool(m), "" if m else type(v).__name__, v) for v, m in zip(values, missing, strict=True)]
    try:
        return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    except TypeError:  # values of one type that do not compare: their text decides
        text = [(m, t, str(v)) for m, t, v in keys]
        return np.array(sorted(range(len(text)), key=text.__getitem__), dtype=np.int64)


def key_codes(counts: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """One integer code per distinct combination of ``by`` in a count table, and the
    combinations: ``codes[i]`` is row ``i``'s row in ``keys``.

    Combinations are numbered in order of first appearance (as a group-by with
    ``sort=False`` lists them), missing values a key of their own; ``keys`` keeps the count
    table's dtypes (a categorical key stays one, with its categories; ``object`` text stays
    ``object`` with ``None``). One factorisation per column (a categorical's codes as they
    are) and one of the combined integer code, from which each column's values are read
    back: at national scale about twice as fast as factorising a MultiIndex of the keys, and
    no text column is converted to another dtype and back.

    Examples
    --------
    >>> c = pd.DataFrame({"a": pd.Series(["x", "y", "x", None], dtype=object), "b": [1, 1, 1, 3]})
    >>> codes_, keys = key_codes(c, ["a", "b"])
    >>> codes_.tolist(), keys.to_dict("list")
    ([0, 1, 0, 2], {'a': ['x', 'y', None], 'b': [1, 1, 3]})
    """
    by = list(by)
    combined = np.zeros(len(counts), dtype=np.int64)
    size = 1  # an upper bound on the combined codes
    decodable: list[tuple[str, int, np.ndarray]] | None = []  # (column, radix, its values)
    for c in by:
        codes_, uniq = _key_factorize(counts[c])
        radix = max(len(uniq), 1)
        if size * radix >= 2**62:  # renumber first, so int64 cannot overflow
            combined, seen = pd.factorize(combined)
            size, decodable = len(seen), None
        combined = combined * radix + codes_
        size *= radix
        if decodable is not None:
            decodable.append((c, radix, uniq))
    group, distinct = pd.factorize(combined)
    if decodable is None:  # keys from each combination's first row
        first = np.full(len(distinct), len(group), dtype=np.int64)
        np.minimum.at(first, group, np.arange(len(group), dtype=np.int64))
        return group, counts[by].iloc[first].reset_index(drop=True)
    columns: dict[str, pd.Series] = {}
    rest = np.asarray(distinct, dtype=np.int64)
    for c, radix, uniq in reversed(decodable):
        columns[c] = _like(uniq[rest % radix] if len(uniq) else uniq[:0], counts[c])
        rest = rest // radix
    return group, pd.DataFrame({c: columns[c] for c in by}, index=pd.RangeIndex(len(distinct)))


def _key_factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`factorize` for :func:`key_codes`; a categorical's own codes are used as they
    are (its categories then a last code for missing), read back by :func:`_like`."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes_ = column.cat.codes.to_numpy().astype(np.int64)
        n_categories = len(column.cat.categories)
        return np.where(codes_ < 0, n_categories, codes_), np.arange(n_categories + 1)
    return factorize(column)


def _like(values: np.ndarray, column: pd.Series) -> pd.Series:
    """``values`` (distinct values of ``column``, missing as None; a categorical's codes,
    see :func:`_key_factorize`) with ``column``'s dtype."""
    if column.dtype == object:
        return pd.Series(values, dtype=object)
    if isinstance(column.dtype, pd.CategoricalDtype):
        missing = values == len(column.cat.categories)
        return pd.Series(pd.Categorical.from_codes(np.where(missing, -1, values),
                                                   dtype=column.dtype))
    return pd.Series(values, dtype=object if values.dtype == object else None).astype(column.dtype)


def regroup(counts: pd.DataFrame, by: Sequence[str], values: Sequence[str] | None = None
            ) -> pd.DataFrame:
    """Sum a count table's ``values`` (default: its ``n`` and ``sum_*`` columns) up to
    coarser keys ``by``.

    Keys as a group-by with ``sort=False, dropna=False`` gives them (first appearance,
    missing a key of its own), in the count table's dtypes; missing values count as 0.

    Examples
    --------
    >>> c = pd.DataFrame({"a": pd.Series(["x", None, "x"], dtype=object), "b": [1, 2, 3],
    ...                   "n": [1, 2, 3], "sum_v": [0.5, 1.0, np.nan]})
    >>> regroup(c, ["a"]).to_dict("list")
    {'a': ['x', None], 'n': [4, 2], 'sum_v': [0.5, 1.0]}
    """
    if values is None:
        values = [c for c in counts.columns if c == "n" or c.startswith("sum_")]
    group, out = key_codes(counts, by)
    sums = _sums_by_code(counts[list(values)], group, len(out))
    for c in values:
        out[c] = sums[c].to_numpy()
    return out


def _sums_by_code(values: pd.DataFrame, group: np.ndarray, k: int) -> pd.DataFrame:
    """Column sums per group code ``0..k-1``, every code present (row ``i`` of the result
    is code ``i``).

    Whole-number columns (counts) are added with ``np.bincount``: their sums are exact in
    any order, so bitwise what a group-by gives, at a tenth of its fixed cost (a trust's
    suite makes about 150 of these sums). Other columns (FTE) use pandas' grouped sum on
    the integer codes, given as a categorical so they are used as they are (not hashed
    again: about 40% faster): the same compensated sum as the group-by it replaces, so every
    figure is bitwise what it was. A float sum can still
    differ in its last bit with the order an engine returned the rows in (ten people's
    10.0 FTE can come out as 9.999999999999998); statuses allow for that
    (:mod:`equity.stats`).
    """
    out: dict[str, np.ndarray] = {}
    inexact = []
    for c in values.columns:  # counts: whole numbers, whose sums any order gives exactly
        v = values[c].to_numpy()
        if v.dtype.kind in "iuf":
            w = np.nan_to_num(v.astype("float64"), nan=0.0)
            if np.abs(w).sum() < 2**53 and np.array_equal(w, np.floor(w)):
                summed = np.bincount(group, weights=w, minlength=k)
                out[c] = summed.astype(v.dtype) if v.dtype.kind in "iu" else summed
                continue
        inexact.append(c)
    if inexact:  # e.g. FTE: pandas' compensated sum
        codes_ = pd.Categorical.from_codes(group, categories=pd.RangeIndex(k), validate=False)
        summed = values[inexact].reset_index(drop=True).groupby(codes_, observed=True,
                                                                 sort=True).sum()
        out |= {c: summed[c].to_numpy() for c in inexact}
    return pd.DataFrame({c: out[c] for c in values.columns}, index=pd.RangeIndex(k))


def group_totals(counts: pd.DataFrame, by: Sequence[str], value: str) -> np.ndarray:
    """Each row's total of ``value`` over the rows sharing its ``by`` keys (a group-by
    transform sum, as float; missing keys a group of their own, missing values as 0).

    Examples
    --------
    >>> c = pd.DataFrame({"a": ["x", "y", "x"], "n": [1, 2, 3]})
    >>> group_totals(c, ["a"], "n").tolist()
    [4.0, 2.0, 4.0]
    """
    group, keys = key_codes(counts, by)
    totals = _sums_by_code(counts[[value]].astype("float64"), group, len(keys))[value].to_numpy()
    return totals[group]
