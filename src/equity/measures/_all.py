"""Every indicator at once: the long table behind ``equity indicators`` and the reports
(written to files by :mod:`equity.export`)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Literal

import pandas as pd

from equity import cube
from equity.disclosure import apply_disclosure
from equity.errors import InputError, check_choice
from equity.io import Dataset
from equity.measures._common import resolve_period
from equity.measures.careers import retention_indicators
from equity.measures.equality import equality_indicators
from equity.measures.pay import pay_indicators
from equity.result import concat_results
from equity.validation import gated

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
        The data has validation errors (:func:`equity.validation.require_valid`).
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
        # one line per reason, naming its indicators (one reason can stop all of them)
        by_reason: dict[str, list[str]] = {}
        for k, v in table.attrs["not_computed"].items():
            by_reason.setdefault(str(v), []).append(k)
        reasons = "; ".join(f"{', '.join(ks) if len(ks) <= 3 else f'{len(ks)} indicators'}: "
                            f"{v}" for v, ks in by_reason.items())
        raise InputError(f"Nothing could be computed from {dataset.source} for {period}: "
                         f"{reasons}")
    return apply_disclosure(table, mode=disclosure)

