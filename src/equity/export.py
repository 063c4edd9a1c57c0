"""Files equity writes: result tables as CSV, Parquet or a formatted workbook, and the one
atomic-write helper every output goes through.

Every file equity writes

- is written atomically (a temporary file in the same folder, then :func:`os.replace`), so a
  reader sees the old file or the complete new one, never half a file;
- gets the permissions of an ordinary new file under the user's umask (``0o666 & ~umask``;
  :func:`tempfile.mkstemp` alone would leave it ``0600``, unreadable by colleagues);
- never replaces a file equity did not write: each output folder keeps a manifest
  (:data:`MANIFEST`) of the files equity wrote there with their SHA-256, and an existing
  file missing from it (or changed since) is refused unless ``force=True``;
- never lands in or on the input data (:func:`check_out`).

Text cells of CSV and xlsx outputs that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading ``'`` (OWASP, "CSV
Injection"); numbers are never touched. Withheld (suppressed) figures are ``*`` in CSV and
xlsx, as in the HTML reports; Parquet keeps them as nulls beside the ``suppressed`` flag.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from equity import codes
from equity.errors import DataQualityWarning, OutputError, PeriodError
from equity.registry import REGISTRY, registry_table

Disclosure = Literal["publication", "internal"]

#: The file in an output folder listing what equity wrote there (name -> SHA-256).
MANIFEST = ".equity-manifest.json"
#: Rows of one Excel worksheet, header included.
EXCEL_MAX_ROWS = 1_048_576
#: First characters that make a spreadsheet read a text cell as a formula (OWASP).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: Figures of a withheld row shown as ``*`` when missing; the ratio columns only where the
#: indicator has a reference group (as the HTML tables do, :func:`equity.plots.results_table`).
_FIGURES = ("numerator", "denominator", "value", "ci_low", "ci_high")
_RATIOS = ("ratio", "ratio_ci_low", "ratio_ci_high", "p_value")
WITHHELD = "*"


# --------------------------------------------------------------------------- writing files


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (``os.umask`` sets it,
    for an instant, in every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:  # pragma: no cover - not Linux
        pass
    mask = os.umask(0o022)  # pragma: no cover
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover


def atomic_write(path: str | os.PathLike[str],
                 content: str | bytes | Callable[[Path], object]) -> Path:
    """Write a file atomically, with the user's umask; the one way equity writes a file.

    Parameters
    ----------
    path
        The file to write; its folder is created if missing.
    content
        Text (written as UTF-8), bytes, or a function that writes the file at the temporary
        path it is given (e.g. ``lambda p: frame.to_parquet(p)``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        The file cannot be written (read-only folder, ``path`` is a folder, disk full...): one
        line naming the file and the reason. Nothing is left behind.
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"Cannot write {str(p)!r}: it is an existing folder. Give a file name "
                          "(e.g. results.xlsx) or another path.")
    tmp: Path | None = None
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp" + p.suffix)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(content, str):
                fh.write(content.encode("utf-8"))
            elif isinstance(content, bytes):
                fh.write(content)
        if callable(content):
            content(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
        tmp = None
    except OSError as err:
        raise OutputError(f"Cannot write {str(p)!r}: {err.strerror or err}. Choose a folder you "
                          "can write to (--out).") from err
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return p


# --------------------------------------------------------------------------- safe outputs


def check_out(out: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str] | None],
              folder: bool) -> Path:
    """Refuse an output path that would land in or on the input data, or is the wrong kind.

    Parameters
    ----------
    out
        The output file (``folder=False``) or folder (``folder=True``).
    inputs
        The input data folder or file and any other input file (the mapping file); ``None``
        entries are skipped.
    folder
        Whether ``out`` is a folder.

    Returns
    -------
    pathlib.Path
        ``out``, resolved.

    Raises
    ------
    OutputError
        ``out`` is an input, lies inside the input folder, is a folder where a file is
        expected (or a file where a folder is), or cannot be created.
    """
    target = Path(out).expanduser().resolve()
    for given in inputs:
        if given is None:
            continue
        src = Path(given).expanduser().resolve()
        if target == src or (src.is_dir() and target.is_relative_to(src)):
            raise OutputError(
                f"Refusing to write to {str(out)!r}: it is {'the' if target == src else 'inside the'}"
                f" input {'folder' if src.is_dir() else 'file'} {str(src)!r}, and equity never "
                "writes over or beside its input data. Choose an --out outside it.")
    if folder and target.exists() and not target.is_dir():
        raise OutputError(f"Cannot write reports into {str(out)!r}: it is a file, not a folder. "
                          "Give a folder for --out.")
    if not folder and target.is_dir():
        raise OutputError(f"Cannot write {str(out)!r}: it is an existing folder. Give a file name "
                          "(e.g. results.xlsx) for --out.")
    where = target if folder else target.parent
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"Cannot create the folder {str(where)!r}: {err.strerror or err}. "
                          "Choose a folder you can write to (--out).") from err
    try:  # a real probe: permission bits say nothing of read-only mounts, ACLs or root
        with tempfile.TemporaryFile(dir=where):
            pass
    except OSError as err:
        raise OutputError(f"Cannot write to the folder {str(where)!r}: {err.strerror or err} "
                          "(read-only for you). Choose a folder you can write to (--out).") from err
    return target


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _manifest(folder: Path) -> dict[str, str | None]:
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", {})
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, AttributeError):
        return {}  # unreadable: trust nothing in the folder
    return {str(k): v for k, v in files.items()} if isinstance(files, dict) else {}


def guard_outputs(folder: str | os.PathLike[str], names: Iterable[str], *, force: bool) -> None:
    """Refuse to replace files equity did not write: each of ``names`` (paths relative to
    ``folder``) that exists must be listed in the folder's manifest with its current content.

    Raises
    ------
    OutputError
        Naming how many files would be replaced and a few of them, and ``--force``.
    """
    if force:
        return
    base = Path(folder)
    known = _manifest(base)
    foreign = []
    for name in names:
        f = base / name
        if f.is_dir():
            raise OutputError(f"Cannot write {str(f)!r}: it is an existing folder. Move it or "
                              "choose another --out.")
        if f.exists() and (name not in known
                           or (known[name] is not None and known[name] != _sha256(f))):
            foreign.append(name)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise OutputError(
            f"Refusing to overwrite {len(foreign)} file(s) in {str(base)!r} that equity did not "
            f"write (or that changed since): {shown}. Choose another --out, move them, or give "
            f"--force to replace them ({MANIFEST} lists what equity wrote there).")


def record_outputs(folder: str | os.PathLike[str], names: Iterable[str], *,
                   pending: bool = False) -> None:
    """Add files (paths relative to ``folder``) to the folder's manifest with their SHA-256
    (``pending=True``: about to be written, content not yet known)."""
    base = Path(folder)
    files = _manifest(base)
    for name in names:
        f = base / name
        if pending:
            files.setdefault(name, None)
        elif f.is_file():
            files[name] = _sha256(f)
        else:  # planned but never written (a report that did not finish)
            files.pop(name, None)
    atomic_write(base / MANIFEST, json.dumps({"written_by": "equity", "files": files},
                                             indent=1, sort_keys=True))


# --------------------------------------------------------------------------- cell contents


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made inert with a leading ``'``.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x")'), neutralise("-3"), neutralise("Band 5"), neutralise(-3)
    ('\\'=HYPERLINK("http://x")', "'-3", 'Band 5', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`neutralise` applied to every text cell (numeric,
    boolean and date columns untouched); column names too."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            out[col] = s.astype(object).map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def withheld(table: pd.DataFrame) -> pd.DataFrame:
    """Which figure cells are withheld: missing in a row flagged ``suppressed`` (disclosure
    control's definition, :mod:`equity.disclosure`); the ratio columns only in rows that have
    a reference group. A boolean frame over the figure columns present."""
    sup = table["suppressed"].fillna(False).astype(bool).to_numpy() if "suppressed" in table \
        else np.zeros(len(table), bool)
    has_ref = (table["reference_group"].notna().to_numpy() if "reference_group" in table
               else np.zeros(len(table), bool))
    mask = {}
    for col in (*_FIGURES, *_RATIOS):
        if col in table:
            rows = sup & has_ref if col in _RATIOS else sup
            mask[col] = rows & table[col].isna().to_numpy()
    return pd.DataFrame(mask, index=table.index)


def _as_published(table: pd.DataFrame) -> pd.DataFrame:
    """Figure columns holding ``*`` where withheld (object columns), whole-number counts as
    ``int`` (``1835``, not ``1835.0``). Attributes dropped."""
    out = table.copy()
    out.attrs = {}
    mask = withheld(table)
    for col in mask.columns:
        values = out[col].astype(object)
        if col in ("numerator", "denominator"):
            num = out[col].to_numpy(dtype=float)
            whole = np.isfinite(num) & (num == np.round(num))
            values[whole] = [int(v) for v in num[whole]]
        values[mask[col].to_numpy()] = WITHHELD
        out[col] = values.where(values.notna(), None)
    return out


# --------------------------------------------------------------------------- side tables


def metadata_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table's metadata as rows: indicators not computed (with reasons) and exclusions."""
    rows = [
        {"kind": "not computed", "indicator": k, "detail": v, "count": None}
        for k, v in table.attrs.get("not_computed", {}).items()
    ]
    rows += [
        {"kind": "excluded rows", "indicator": e["indicator"],
         "detail": f"{e['table']}: {e['reason']}", "count": e["count"]}
        for e in table.attrs.get("exclusions", [])
    ]
    if "disclosure" in table.attrs:
        rows.append({"kind": "disclosure", "indicator": "", "detail": table.attrs["disclosure"],
                     "count": None})
    return pd.DataFrame(rows, columns=["kind", "indicator", "detail", "count"])


def parameters_table(parameters: Mapping[str, object]) -> pd.DataFrame:
    """Run parameters as two columns (``parameter``, ``value``), as text."""
    return pd.DataFrame({"parameter": list(parameters),
                         "value": ["" if v is None else str(v) for v in parameters.values()]})


# --------------------------------------------------------------------------- workbook

_UNIT_FORMAT = {
    "proportion": "0.0%", "percent": '0.0"%"', "percentage_points": '0.0" pp"',
    "ratio": "0.00", "index": "0.000", "count": "#,##0",
}
_UNIT_LABEL = {
    "proportion": "proportion (shown as %)", "percent": "percent", "percentage_points":
    "percentage points", "ratio": "ratio", "index": "index (0 to 1)", "count": "count",
}


def _with_titles(table: pd.DataFrame) -> pd.DataFrame:
    """The result table with the indicator's title and unit beside its id."""
    ids = table["indicator"].astype(str)
    out = table.copy()
    pos = list(out.columns).index("indicator") + 1
    out.insert(pos, "title", ids.map(lambda i: REGISTRY[i].title if i in REGISTRY else ""))
    out.insert(pos + 1, "unit", ids.map(lambda i: _UNIT_LABEL.get(REGISTRY[i].unit, "")
                                        if i in REGISTRY else ""))
    return out


def _format_sheet(ws: Any, frame: pd.DataFrame) -> None:
    """Frozen header, filter, column widths from the first rows' contents."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = ws.dimensions
    for cell in ws[1]:
        cell.font = Font(bold=True)
    head = frame.head(500)
    for j, col in enumerate(frame.columns, start=1):
        longest = max([len(str(col)), *(len(str(v)) for v in head[col] if v is not None)])
        ws.column_dimensions[get_column_letter(j)].width = min(max(longest + 2, 8), 60)


def _number_formats(ws: Any, frame: pd.DataFrame, units: Sequence[str]) -> None:
    """Per-cell number formats on the indicators sheet: counts whole (or one decimal for FTE
    sums), each figure in its indicator's unit, ratios to two decimals."""
    cols = {c: j for j, c in enumerate(frame.columns, start=1)}
    for i, unit in enumerate(units, start=2):
        fmt = _UNIT_FORMAT.get(unit, "0.00")
        for c in ("value", "ci_low", "ci_high"):
            if c in cols:
                ws.cell(row=i, column=cols[c]).number_format = fmt
        for c in ("numerator", "denominator"):
            if c in cols:
                cell = ws.cell(row=i, column=cols[c])
                cell.number_format = "#,##0" if isinstance(cell.value, int) else "#,##0.0"
        for c in ("ratio", "ratio_ci_low", "ratio_ci_high"):
            if c in cols:
                ws.cell(row=i, column=cols[c]).number_format = "0.00"
        if "p_value" in cols:
            ws.cell(row=i, column=cols["p_value"]).number_format = "0.0000"


def _write_xlsx(path: Path, table: pd.DataFrame, parameters: Mapping[str, object]) -> None:
    from openpyxl.styles import Alignment

    main = _as_published(_with_titles(table))
    units = [REGISTRY[i].unit if i in REGISTRY else "" for i in table["indicator"].astype(str)]
    sheets = {"Indicators": main, "Notes": metadata_table(table),
              "Parameters": parameters_table(parameters), "Methods": registry_table()}
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            safe = neutralise_text(frame)
            safe.to_excel(xl, sheet_name=name, index=False)
            _format_sheet(xl.sheets[name], safe)
        _number_formats(xl.sheets["Indicators"], main, units)
        for ws in (xl.sheets["Methods"], xl.sheets["Notes"]):
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _suffix(path: Path) -> str:
    """The output format (``.csv``, ``.parquet`` or ``.xlsx``) from the file name."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".xlsx"):
        raise OutputError(
            f"Cannot write {path.name!r}: the output file must end in .csv, .parquet or .xlsx.")
    return suffix


def write_table(table: pd.DataFrame, out: str | os.PathLike[str], *,
                parameters: Mapping[str, object] | None = None, force: bool = False) -> Path:
    """Write a result table to ``.csv``, ``.parquet`` or ``.xlsx`` (atomically).

    Parameters
    ----------
    table
        A result table (the shared result schema, with its ``attrs``).
    out
        The file; its suffix chooses the format.
    parameters
        What produced the table (data, period, directorate, staff group, disclosure,
        version, fingerprint): the workbook's Parameters sheet.
    force
        Replace an existing file equity did not write (one not listed, with its current
        content, in the folder's :data:`MANIFEST`).

    Notes
    -----
    CSV and xlsx show withheld figures as ``*`` and neutralise formula triggers in text
    cells. The workbook has the Indicators (title and unit beside each id, counts as whole
    numbers, each figure formatted in its unit, frozen header, filters, widths), Notes (not
    computed, exclusions), Parameters and Methods (the indicator registry) sheets. Parquet is
    the table as computed, typed (withheld figures null, ``suppressed`` true).

    Raises
    ------
    OutputError
        Unknown suffix, too many rows for Excel, an existing file equity did not write (unless
        ``force``), or the file cannot be written.
    """
    path = Path(out)
    suffix = _suffix(path)
    if suffix == ".xlsx" and len(table) + 1 > EXCEL_MAX_ROWS:
        raise OutputError(
            f"The result has {len(table):,} rows, more than an Excel worksheet holds "
            f"({EXCEL_MAX_ROWS - 1:,} below the header). Write .parquet or .csv instead.")
    guard_outputs(path.parent, [path.name], force=force)
    if suffix == ".csv":
        plain = neutralise_text(_as_published(table))
        atomic_write(path, lambda p: plain.to_csv(p, index=False))
    elif suffix == ".parquet":
        typed = table.copy()
        typed.attrs = {}
        atomic_write(path, lambda p: typed.to_parquet(p, index=False))
    else:
        atomic_write(path, lambda p: _write_xlsx(p, table, parameters or {}))
    record_outputs(path.parent, [path.name])
    return path


# --------------------------------------------------------------------------- the command


def read_input(data: str | os.PathLike[str], *, mapping: str | None = None,
               engine: str = "pandas") -> Any:
    """A command's dataset, read without printing its data-quality warnings (the command's
    validation lists every one of them once; see :func:`print_warnings`)."""
    from equity.io import read_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_dataset(Path(data), mapping=mapping, engine=engine)  # type: ignore[arg-type]


def latest_period(dataset: Any, *, complete: bool = True) -> str:
    """The default ``--period``: the latest financial year whose opening and closing 31 March
    snapshots the staff table both holds (``complete=False``: whose closing snapshot it
    holds, all a pay gap needs).

    Raises
    ------
    ValidationError
        The data have validation errors (checked first: a staff table whose
        ``snapshot_date`` is missing or unreadable holds no period to choose from, and the
        validation report says why and how to fix it).
    PeriodError
        The staff table holds no such snapshots.
    """
    from equity.measures._common import snapshot_dates
    from equity.measures.retention import periods_with_both
    from equity.validation import require_valid

    require_valid(dataset)

    periods = (periods_with_both(dataset) if complete else
               [codes.Period.ending_at(d) for d in snapshot_dates(dataset)
                if (d.month, d.day) == (3, 31)])
    if not periods:
        what = "complete financial year (31 March snapshots a year apart)" if complete else \
            "31 March snapshot"
        raise PeriodError(f"The staff table holds no {what}. Give --period explicitly, e.g. "
                          "--period 2024/25.")
    return str(max(periods))


def with_scope(table: pd.DataFrame, dataset: Any, *, directorate: str | None,
               staff_group: str | None) -> pd.DataFrame:
    """The result with the ``directorate`` / ``staff_group`` columns filled on the rows the
    run's one directorate or staff group restricted.

    A filter restricts an indicator when its main table (the first of the registry's
    ``needs``: staff, recruitment or survey) has that column; never the board indicators
    (WRES 9, WDES 10), which compare the board with the whole organisation, and never the
    survey's staff group (the aggregated survey table has none). Rows already split by the
    column keep their value.
    """
    from equity import cube

    out = table.copy()
    ids = out["indicator"].astype(str)
    for col, value in (("directorate", directorate), ("staff_group", staff_group)):
        if value in (None, "", "all"):
            continue
        scoped = set()
        for ind in ids.unique():
            meta = REGISTRY.get(ind)
            main = getattr(dataset, meta.needs[0], None) if meta else None
            if meta and "board" not in meta.needs and main is not None \
                    and col in cube.columns(main):
                scoped.add(ind)
        fill = ids.isin(scoped) & out[col].isna()
        out[col] = out[col].astype(object).where(~fill, value)
    out.attrs = dict(table.attrs)
    return out


def write_indicators(
    data: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    period: str | None = None,
    directorate: str | None = None,
    staff_group: str | None = codes.AHP_STAFF_GROUP,
    disclosure: Disclosure = "publication",
    engine: Literal["pandas", "polars", "duckdb", "spark"] = "pandas",
    mapping: str | None = None,
    force: bool = False,
    progress: bool = False,
) -> int:
    """The ``equity indicators`` command: read, compute, apply disclosure, write; print a summary.

    ``period=None`` takes the latest complete financial year in the data (:func:`latest_period`)
    and says so. Returns the exit code (0).
    """
    from tqdm import tqdm

    from equity import __version__
    from equity.measures import indicators
    from equity.report.context import data_fingerprint

    _suffix(Path(out))
    target = check_out(out, inputs=[data, mapping], folder=False)
    guard_outputs(target.parent, [target.name], force=force)
    steps = ["reading data", "computing indicators", "writing"]
    with tqdm(total=len(steps), desc="equity indicators", unit="step", disable=not progress,
              file=sys.stderr, bar_format="{desc}: {n}/{total} {postfix}") as bar:
        bar.set_postfix_str(steps[0])
        dataset = read_input(data, mapping=mapping, engine=engine)
        bar.update(1)
        bar.set_postfix_str(steps[1])
        chosen = period or latest_period(dataset)
        table = indicators(dataset, period=chosen, staff_group=staff_group,
                           directorate=directorate, disclosure=disclosure)
        table = with_scope(table, dataset, directorate=directorate, staff_group=staff_group)
        bar.update(1)
        bar.set_postfix_str(steps[2])
        params = {
            "data": str(Path(data).resolve()), "period": chosen,
            "period chosen": "given (--period)" if period else "latest complete financial year",
            "directorate": directorate or "all", "staff group": staff_group or "all",
            "disclosure": disclosure, "engine": engine, "mapping": mapping or "",
            "equity version": __version__,
            "data fingerprint (SHA-256 of input files)": data_fingerprint(Path(data)),
        }
        path = write_table(table, target, parameters=params, force=force)
        bar.update(1)
    how = "" if period else " (the latest complete financial year in the data)"
    print(f"Period {chosen}{how}; staff group {staff_group or 'all'}; directorate "
          f"{directorate or 'all'}.")
    print(f"Wrote {len(table):,} rows ({table['indicator'].nunique()} indicators, "
          f"{disclosure} disclosure) to {path}")
    notes = metadata_table(table)
    for row in notes.itertuples():
        if row.kind == "not computed":
            print(f"  not computed: {row.indicator}: {row.detail}")
        elif row.kind == "excluded rows":
            count = "1 to 7, suppressed" if pd.isna(row.count) else f"{row.count:,.0f}"
            print(f"  excluded from {row.indicator}: {row.detail} ({count})")
    print_warnings(table.attrs.get("warnings", []), command="indicators")
    return 0


def print_warnings(records: Sequence[Mapping[str, Any]], *, command: str) -> None:
    """Print validation warnings (:meth:`~equity.validation.ValidationReport.warning_records`,
    as a computed table carries them in ``attrs["warnings"]``) to stderr, one line each:
    ``equity COMMAND: warning: table.column [rule] count: message``."""
    for w in records:
        where = w["table"] + (f".{w['column']}" if w["column"] else "")
        print(f"equity {command}: warning: {where} [{w['rule']}] {w['count']:,}: "
              f"{w['message']}", file=sys.stderr)


def gender_pay_gap(
    data: str | os.PathLike[str],
    *,
    period: str | None = None,
    engine: Literal["pandas", "polars", "duckdb", "spark"] = "pandas",
    mapping: str | None = None,
) -> int:
    """The ``equity gpg`` command: the statutory gender pay gap figures with the GOV.UK
    service's field names (:func:`equity.measures.pay.statutory_summary`), one per line.

    Returns the exit code (0).
    """
    from equity.io import read_dataset
    from equity.measures.pay import statutory_summary

    dataset = read_dataset(Path(data), mapping=mapping, engine=engine)
    chosen = period or latest_period(dataset, complete=False)
    summary = statutory_summary(dataset, period=chosen)
    how = "" if period else " (the latest 31 March snapshot in the data)"
    snapshot = codes.Period.parse(chosen).snapshot
    print(f"Gender pay gap, whole employer, snapshot {snapshot:%d %B %Y} (period {chosen}{how})")
    width = max(map(len, summary["field"]))
    for row in summary.itertuples():
        shown = "not available" if pd.isna(row.value) else f"{row.value:.1f}"
        print(f"{row.field:<{width}}  {shown:>13}  {row.measure}")
    # who the figures leave out, and the data's warnings, as `equity indicators` says them
    # (a full-pay employee with no hourly pay moves the gap without a word otherwise)
    left_out: dict[tuple[str, float], list[str]] = {}
    for e in summary.attrs.get("exclusions", []):
        if e["count"]:
            left_out.setdefault((str(e["reason"]), float(e["count"])), []).append(
                str(e["indicator"]))
    for (reason, count), inds in left_out.items():
        print(f"equity gpg: excluded from {', '.join(dict.fromkeys(inds))}: {reason} "
              f"({count:,.0f} {'person' if count == 1 else 'people'})", file=sys.stderr)
    print_warnings(summary.attrs.get("warnings", []), command="gpg")
    return 0


__all__ = [
    "EXCEL_MAX_ROWS", "FORMULA_TRIGGERS", "MANIFEST", "atomic_write", "check_out",
    "gender_pay_gap", "guard_outputs", "latest_period", "metadata_table", "neutralise",
    "neutralise_text", "parameters_table", "print_warnings", "record_outputs", "with_scope", "withheld",
    "write_indicators", "write_table",
]
