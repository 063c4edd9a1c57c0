"""Each engine's reader: pandas frames to Polars / DuckDB / Spark, and native Parquet scans."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from equity.errors import InputError, check_choice
from equity.io._coerce import _FALSE, _TRUE, TIME_OF_DAY, ReadIssue, _as_text, date_hint
from equity.io._files import _Source
from equity.io._mapping import TableMapping, header_renames, unmatched_columns
from equity.schema import TABLES, Table

Engine = Literal["pandas", "polars", "duckdb", "spark"]
ENGINES: tuple[str, ...] = ("pandas", "polars", "duckdb", "spark")

#: Tables the indicators query many times. The Polars engine parses them once and holds them
#: in memory; DuckDB holds nothing (it scans Parquet about as fast as a table of its own) but
#: checks their text columns once, so that clean ones are read as recorded (_clean_text). The
#: other tables are read from their file by each (rare) query, which then reads only the
#: columns it needs.
_QUERIED_OFTEN = frozenset({"staff", "leavers"})

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


def _renames(columns: list[str], src: _Source, tmap: TableMapping,
             issues: list[ReadIssue]) -> dict[str, str]:
    """A native scan's renames: the mapping's, then headers written another way
    (:func:`~equity.io._mapping.header_renames`); a rename onto an existing column is an error."""
    unmatched_columns(columns, tmap, src.table, issues)
    renames = {a: b for a, b in tmap.columns.items() if a in columns and a != b}
    renames |= header_renames([renames.get(c, c) for c in columns], src.table, issues)
    clash = [b for b in renames.values() if b in columns]
    if clash:
        raise InputError(f"The mapping renames a column of {src.path} to {clash[0]!r}, which the "
                         "file already has. Remove one of them or the mapping entry.", table=src.table)
    return renames


def _read_polars(lf: Any, src: _Source, tmap: TableMapping, issues: list[ReadIssue]) -> Any:
    """Rename, recode and cast a Polars LazyFrame to the schema kinds; record bad values."""
    import polars as pl

    table = TABLES[src.table]
    schema = lf.collect_schema()
    renames = _renames(list(schema), src, tmap, issues)
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
            # (a missing value stays missing: "otherwise" alone made it "False", so a recode
            # of True/False read "not recorded" as No)
            t = pl.when(pl.col(c)).then(pl.lit("True")).when(~pl.col(c)).then(pl.lit("False"))
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
            day = parsed.dt.truncate("1d")
            bad[(c, "time of day")] = (parsed != day).fill_null(False)
            parsed = day
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
                cols = [pl.col("__row"), pl.col(key) if key else pl.lit(None),
                        text(c).alias("__raw")]
                ex = (lf.with_row_index("__row").filter(m).select(cols).head(5).collect()
                      .rows())
                issues.append(_issue(src.table, c, rule, n,
                                     _example_text([(r[0], r[1]) for r in ex], key),
                                     [r[2] for r in ex], tmap.date_format))
    if src.table in _QUERIED_OFTEN:
        # Parse once: every indicator query then scans typed columns in memory.
        return out.collect().lazy()
    return out


def _issue(table: str, column: str, rule: str, n: int, examples: tuple[str, ...],
           values: list[Any], date_format: str | None) -> ReadIssue:
    """A native reader's issue: a time of day is a warning (the day is kept), the rest errors
    (unparseable dates with what the example ``values`` look like)."""
    if rule == "time of day":
        return ReadIssue(table, column, rule, n, examples, severity="warning", message=TIME_OF_DAY)
    hint = date_hint(pd.Series(values, dtype=object), date_format) if rule == "unparseable date" else ""
    return ReadIssue(table, column, rule, n, examples, hint=hint)


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
    renames = _renames(list(types), src, tmap, issues)
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
                e = f"CASE WHEN {raw} THEN 'True' WHEN NOT {raw} THEN 'False' END"
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
            day = f"CAST(date_trunc('day', {parsed}) AS TIMESTAMP)"
            bad[(c, "time of day")] = f"coalesce({parsed} <> {day}, false)"
            parsed = day
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
                    f"SELECT __row, __key, __raw FROM (SELECT row_number() OVER () - 1 AS __row, "
                    f"{key_sql} AS __key, {text(c)} AS __raw, {m} AS __bad FROM {from_sql}) "
                    "WHERE __bad ORDER BY __row LIMIT 5"
                ).fetchall()
                issues.append(_issue(src.table, c, rule, int(n),
                                     _example_text([(r[0], r[1]) for r in rows], key),
                                     [r[2] for r in rows], tmap.date_format))
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
