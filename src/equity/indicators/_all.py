"""Every indicator at once: the long table behind ``equity indicators`` and the reports."""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Literal

import pandas as pd

from equity import cube
from equity.disclosure import apply_disclosure
from equity.errors import DataQualityWarning, InputError, ParameterError, check_choice
from equity.indicators._common import resolve_period
from equity.indicators.careers import retention_indicators
from equity.indicators.equality import equality_indicators
from equity.indicators.pay import pay_indicators
from equity.io import Dataset, read_dataset
from equity.result import concat_results
from equity.validate import gated

Disclosure = Literal["publication", "internal"]


@gated
@cube.sharing()  # counts shared by the indicators computed here
def indicators(
    dataset: Dataset,
    *,
    period: str,
    within: Sequence[str] = (),
    staff_group: str | None = None,
    directorate: str | None = None,
    disclosure: Disclosure = "publication",
) -> pd.DataFrame:
    """Compute every indicator the data allows, as one long result table.

    Parameters
    ----------
    dataset
        A :class:`~equity.io.Dataset` (from :func:`equity.read_dataset`).
    period
        NHS financial year, e.g. ``"2024/25"``.
    within
        Strata to split every indicator by (``"directorate"``, ``"profession"``, ...).
    staff_group, directorate
        Restrict to one staff group (``None`` or ``"all"``: every group) / directorate.
    disclosure
        ``"publication"`` (default: small counts suppressed, counts rounded to 5) or
        ``"internal"`` (exact figures, for named analysts).

    Returns
    -------
    pandas.DataFrame
        The shared result schema. ``attrs["not_computed"]`` maps each indicator the data did
        not allow to the reason (each indicator is computed on its own, so one the data cannot
        support, such as retention without an opening snapshot, leaves the others);
        ``attrs["warnings"]`` lists the validation warnings (table, column, rule, count);
        ``attrs["exclusions"]`` lists rows left out of denominators; ``attrs["disclosure"]``
        the mode applied.

    Raises
    ------
    ValidationError
        The data has validation errors (:func:`equity.validate.require_valid`).
    PeriodError
        The staff table has no snapshot closing ``period``.
    InputError
        No indicator at all could be computed (the message gives each reason).

    Notes
    -----
    When every table is a Polars frame and the largest has a million rows or more
    (:func:`equity.cube.threads_pay_off`), the three families (equality, retention and
    progression, pay) run side by side in threads: Polars runs each query outside the GIL,
    so one family's queries proceed while another builds its rows. Otherwise they run one
    after another. The table is the same either way.
    """
    check_choice("disclosure", disclosure, ["publication", "internal"])
    resolve_period(dataset, period)  # a period the data does not hold stops here, named
    families = [
        partial(family, dataset, period=period, within=tuple(within), staff_group=staff_group,
                directorate=directorate)
        for family in (equality_indicators, retention_indicators, pay_indicators)
    ]
    if cube.threads_pay_off(dataset.tables().values()):
        # The families side by side: one's engine queries run while another builds its rows
        # in pandas (national data on Polars: about 0.5 s of 6 less).
        with ThreadPoolExecutor(len(families), thread_name_prefix="equity") as pool:
            futures = [pool.submit(family) for family in families]
            parts = [f.result() for f in futures]
    else:
        parts = [family() for family in families]
    table = concat_results(parts)
    if not len(table):
        reasons = "; ".join(f"{k}: {v}" for k, v in table.attrs["not_computed"].items())
        raise InputError(f"Nothing could be computed from {dataset.source} for {period}: "
                         f"{reasons}")
    return apply_disclosure(table, mode=disclosure)


def write_table(table: pd.DataFrame, out: str | os.PathLike[str]) -> Path:
    """Write a result table to ``.csv``, ``.parquet`` or ``.xlsx`` atomically (temp + rename)."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".xlsx"):
        raise ParameterError(
            f"Cannot write {path.name!r}: the output file must end in .csv, .parquet or .xlsx."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        plain = table.copy()
        plain.attrs = {}
        if suffix == ".csv":
            plain.to_csv(tmp, index=False)
        elif suffix == ".parquet":
            plain.to_parquet(tmp, index=False)
        else:
            with pd.ExcelWriter(tmp) as xl:
                plain.to_excel(xl, sheet_name="indicators", index=False)
                notes = metadata_table(table)
                if len(notes):
                    notes.to_excel(xl, sheet_name="notes", index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


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


def write_indicators(
    data: str | os.PathLike[str],
    *,
    period: str,
    out: str | os.PathLike[str],
    directorate: str | None = None,
    staff_group: str | None = "all",
    disclosure: Disclosure = "publication",
    engine: Literal["pandas", "polars", "duckdb", "spark"] = "pandas",
    mapping: str | None = None,
) -> int:
    """The ``equity indicators`` command: read, compute, apply disclosure, write; print a summary.

    Returns the exit code (0).
    """
    with warnings.catch_warnings():
        # validation lists every data-quality warning (printed below); don't print them twice
        warnings.simplefilter("ignore", DataQualityWarning)
        dataset = read_dataset(Path(data), mapping=mapping, engine=engine)
    table = indicators(dataset, period=period, staff_group=staff_group, directorate=directorate,
                       disclosure=disclosure)
    path = write_table(table, out)
    print(f"Wrote {len(table):,} rows ({table['indicator'].nunique()} indicators, "
          f"{disclosure} disclosure) to {path}")
    notes = metadata_table(table)
    for row in notes.itertuples():
        if row.kind == "not computed":
            print(f"  not computed: {row.indicator}: {row.detail}")
        elif row.kind == "excluded rows":
            count = "1 to 7, suppressed" if pd.isna(row.count) else f"{row.count:,.0f}"
            print(f"  excluded from {row.indicator}: {row.detail} ({count})")
    for w in table.attrs.get("warnings", []):
        where = w["table"] + (f".{w['column']}" if w["column"] else "")
        print(f"equity indicators: warning: {where} [{w['rule']}] {w['count']:,}: {w['message']}",
              file=sys.stderr)
    return 0
