"""Value-count cubes: how many rows hold each value, per group, on any engine.

Exact medians and quartiles (pay gaps, docs/methodology.md "Pay gaps") need the whole distribution,
not an engine's approximate quantile. Pay is paid on a small number of pay points (an Agenda
for Change band has a handful of spine points), so the table ``(keys..., value) -> count`` is
small even for 1.5 million staff, and it carries everything a mean, a median or a quartile
needs. The group-by runs in the engine that holds the data; only the small table comes back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from equity.cube._core import Expr, count


def value_counts(
    frame: Any,
    by: Sequence[str],
    value: str,
    *,
    where: Expr | None = None,
    derive: Mapping[str, Expr] | None = None,
) -> pd.DataFrame:
    """Count rows per combination of ``by`` and each distinct ``value``.

    Parameters
    ----------
    frame
        Native frame of any supported engine (pandas, Polars eager or lazy, DuckDB relation,
        PySpark DataFrame).
    by
        Grouping columns (may name columns created by ``derive``).
    value
        The numeric column whose distribution is wanted (e.g. ``hourly_pay``).
    where, derive
        As in :func:`equity.cube.count`: a row filter and derived columns, both run in the
        engine.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns (text keys as categoricals, as :func:`equity.cube.count` gives them),
        ``value`` (float64; missing values kept as NaN, a row of their own, so
        the caller can count and report them) and ``n`` (float64), sorted by the keys and then
        by value, missing last.

    Notes
    -----
    A value-count table is a lossless summary of the values in each group: the mean is
    ``sum(value * n) / sum(n)`` and any order statistic is found by walking the cumulative
    counts, so medians and quartiles are exact on every engine (README.md "Layout"). It holds
    no identifiers; a value with ``n == 1`` is still one person's pay, so callers must only
    return aggregates computed from it.

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["F", "F", "M", "M", "M"], "pay": [10.0, 10.0, 12.0, None, 9.0]})
    >>> value_counts(df, ["sex"], "pay").to_dict("list")
    {'sex': ['F', 'M', 'M', 'M'], 'pay': [10.0, 9.0, 12.0, nan], 'n': [2.0, 1.0, 1.0, 1.0]}
    """
    by = list(by)
    if value in by:
        raise ValueError(f"`value` ({value!r}) must not also be a `by` column.")
    out = count(frame, [*by, value], where=where, derive=derive, numeric=[value])
    # Sort so the table is the same whatever order the engine's group-by returned it in.
    # Keys order by their text, missing last; values by number, missing last. Ranked on the
    # distinct keys (few), the keys' ranks combined into one number (mixed radix), and
    # sorted once with a stable lexicographic sort on (that number, value).
    key, size = np.zeros(len(out), dtype=np.int64), 1  # size: a bound on the key
    for c in by:
        codes_, uniq = pd.factorize(out[c], use_na_sentinel=True)
        rank_of = np.argsort(np.argsort([str(u) for u in uniq], kind="stable"), kind="stable")
        if size * (len(uniq) + 1) >= 2**62:  # renumber in order first: no int64 overflow
            distinct, key = np.unique(key, return_inverse=True)
            size = len(distinct)
        key = key * (len(uniq) + 1) + np.where(
            codes_ >= 0, rank_of[np.maximum(codes_, 0)] if len(uniq) else 0, len(uniq))
        size *= len(uniq) + 1
    order = np.lexsort([out[value].to_numpy(), key])
    return out.iloc[order][[*by, value, "n"]].reset_index(drop=True)


__all__ = ["value_counts"]
