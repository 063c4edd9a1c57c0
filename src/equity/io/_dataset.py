"""The :class:`Dataset` bundle and :func:`read_dataset`, the entry point reading one."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from equity.errors import DataQualityWarning, InputError
from equity.io._coerce import ReadIssue, _merge_issues, coerce
from equity.io._engines import (
    Engine,
    _check_engine,
    _convert,
    _open_duckdb_file,
    _read_native,
)
from equity.io._files import (
    _DUCKDB_SUFFIXES,
    _READERS,
    CHUNK_ROWS,
    _folder_sources,
    _read_pandas,
    _Source,
    _unknown_files_issue,
    describe,
)
from equity.io._mapping import TableMapping, read_mapping
from equity.schema import TABLES


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
    #: Where each table was read from, for messages (``staff.xlsx, sheet 'Data'``).
    sources: dict[str, str] = field(default_factory=dict)

    def _shape(self, name: str) -> tuple[int, int]:
        from equity import cube

        frame = getattr(self, name)
        n = cube.count(frame, [])
        return (int(n["n"].sum()) if len(n) else 0), len(cube.columns(frame))

    def __repr__(self) -> str:
        """A few lines: source, engine, then each table's rows, columns and file.

        Examples
        --------
        >>> Dataset.from_frames(staff=pd.DataFrame({"staff_id": ["a"], "fte": [1.0]}))
        <equity Dataset from <memory> (pandas engine): 1 table, 0 read issues>
          staff  1 row  2 columns
        """
        tables = list(self.tables())
        head = (f"<equity Dataset from {self.source} ({self.engine} engine): "
                f"{len(tables)} table{'' if len(tables) == 1 else 's'}, {len(self.issues)} read "
                f"issue{'' if len(self.issues) == 1 else 's'}>")
        width = max(map(len, tables), default=0)
        lines = [head]
        for name in tables:
            rows, cols = self._shape(name)
            where = f"  ({self.sources[name]})" if name in self.sources else ""
            lines.append(f"  {name:<{width}}  {rows:,} row{'' if rows == 1 else 's'}  "
                         f"{cols} column{'' if cols == 1 else 's'}{where}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        rows = []
        for name in self.tables():
            n, cols = self._shape(name)
            rows.append(f"<tr><td>{name}</td><td>{n:,}</td><td>{cols}</td>"
                        f"<td>{html.escape(self.sources.get(name, ''))}</td></tr>")
        return (f"<table><caption>equity Dataset from {html.escape(self.source)} "
                f"({html.escape(self.engine)} engine), {len(self.issues)} read issue(s)</caption>"
                '<thead><tr><th scope="col">table</th><th scope="col">rows</th>'
                '<th scope="col">columns</th><th scope="col">read from</th></tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")

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
        :func:`equity.validation.validate` to report.

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
    where: dict[str, str] = {}
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
                where[name] = describe(src)
            else:
                frames[name] = _read_pandas(src, tmap, issues, con, chunk_rows, where)
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
                   connection=connection if connection is not None else engine_con,
                   sources=where)
