"""Pay measures from value-count tables: exact means, medians, gaps and regulation quartiles.

Every function takes a value-count table (one row per stratum x group x pay value with the
number of people ``n`` on that value), as the count cube returns it, so medians and quartiles
are exact without row-level pay ever leaving the cube. Work is vectorised over strata (no
Python loop per stratum or group).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from equity.errors import InputError, check_choice
from equity.result import INSUFFICIENT, NOT_APPLICABLE, text_where


def _check(table: pd.DataFrame, cols: Sequence[str], *, name: str = "value counts") -> None:
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise InputError(
            f"The {name} table has no column(s) {missing}; it has {list(table.columns)}. "
            "Pass the column names with group=, value=, n= (and by=).",
            table=name, column=missing[0], rule="required_column",
        )
    n = pd.to_numeric(table[cols[-1]], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(n) | (n < 0) | (n != np.round(n))
    if bad.any():
        rows = list(np.flatnonzero(bad)[:5])
        raise InputError(
            f"Column `{cols[-1]}` of the {name} table must hold whole, non-negative numbers of "
            f"people; {int(bad.sum())} row(s) do not (rows {rows}). Count people, not FTE.",
            table=name, column=cols[-1], rule="whole_counts", count=int(bad.sum()), examples=rows,
        )
    v = pd.to_numeric(table[cols[-2]], errors="coerce").to_numpy(float)
    if (~np.isfinite(v) & (n > 0)).any():
        bad_v = ~np.isfinite(v) & (n > 0)
        rows = list(np.flatnonzero(bad_v)[:5])
        raise InputError(
            f"Column `{cols[-2]}` of the {name} table has {int(bad_v.sum())} missing or "
            f"non-numeric pay value(s) (rows {rows}); drop or correct them before counting.",
            table=name, column=cols[-2], rule="numeric_pay", count=int(bad_v.sum()), examples=rows,
        )


def pay_summary(counts: pd.DataFrame, *, by: Sequence[str] = (), group: str = "group",
                value: str = "value", n: str = "n") -> pd.DataFrame:
    """Exact number of people, mean and median pay per stratum and group.

    Parameters
    ----------
    counts
        Value-count table: ``by`` columns, ``group``, ``value`` (pay) and ``n`` (people).
    by
        Strata columns (e.g. ``("band",)``); one result row per stratum and group.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``group``, ``n``, ``mean``, ``median``. NaN where a group has no people.

    Notes
    -----
    Median of an even count is the average of the two middle values (Equality Act 2010
    (Specific Duties and Public Authorities) Regulations 2017, Sch. 1; GOV.UK gender pay gap
    guidance). Computed exactly from the value counts by locating the middle positions in
    the cumulative counts.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["M", "M", "M", "F", "F"], "value": [10, 20, 30, 10, 20],
    ...                   "n": [1, 1, 1, 1, 1]})
    >>> pay_summary(t).to_dict("records")
    [{'group': 'F', 'n': 2.0, 'mean': 15.0, 'median': 15.0}, {'group': 'M', 'n': 3.0, 'mean': 20.0, 'median': 20.0}]
    """
    keys = [*by, group]
    _check(counts, [*keys, value, n])
    # Group numbers in sorted key order (as drop_duplicates().sort_values(keys) would list
    # them), then one numeric sort of the people-bearing rows by (group, value): no DataFrame
    # sort or merge.
    gid_all = counts.groupby(keys, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    ng = int(gid_all.max()) + 1 if len(gid_all) else 0
    first = np.full(ng, len(gid_all))
    np.minimum.at(first, gid_all, np.arange(len(gid_all)))
    groups = counts.iloc[first].loc[:, keys].reset_index(drop=True)
    w_all = pd.to_numeric(counts[n]).to_numpy("float64")
    v_all = pd.to_numeric(counts[value]).to_numpy("float64")
    has = w_all > 0
    order = np.lexsort((v_all[has], gid_all[has]))  # stable: ties keep table order
    gid, w, v = gid_all[has][order], w_all[has][order], v_all[has][order]
    cum = np.cumsum(w)
    size = np.bincount(gid, weights=w, minlength=ng).astype("float64")  # (int when empty)
    total = np.bincount(gid, weights=w * v, minlength=ng).astype("float64")
    start = np.concatenate([[0.0], np.cumsum(size)[:-1]])
    # 1-based middle positions: (N + 1) / 2 for odd N; N / 2 and N / 2 + 1 for even N.
    lo_pos = start + np.floor((size + 1) / 2)
    hi_pos = start + np.floor(size / 2) + 1
    empty = size == 0
    last = max(len(v) - 1, 0)
    v_pad = v if len(v) else np.array([np.nan])
    med = (v_pad[np.minimum(np.searchsorted(cum, lo_pos - 0.5), last)]
           + v_pad[np.minimum(np.searchsorted(cum, hi_pos - 0.5), last)]) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / size
    return groups.assign(n=size, mean=np.where(empty, np.nan, mean),
                         median=np.where(empty, np.nan, med))


def gap_percent(reference: object, comparison: object) -> np.ndarray:
    """Pay gap in percent: (reference - comparison) / reference x 100, elementwise.

    The Equality Act 2010 (Specific Duties and Public Authorities) Regulations 2017, Sch. 1
    formula for the mean and median gaps (positive: the comparison group is paid less); the
    one definition behind :func:`mean_median_gap` and the pay gap indicators. NaN where either figure
    is missing or the reference is not positive.

    Examples
    --------
    >>> gap_percent([20.0, 20.0, 0.0], [15.0, 25.0, 1.0]).tolist()
    [25.0, -25.0, nan]
    """
    r = np.asarray(reference, dtype=float)
    c = np.asarray(comparison, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = (r - c) / r * 100
    return np.where((r > 0) & np.isfinite(gap), gap, np.nan)


def mean_median_gap(counts: pd.DataFrame, *, reference: object, comparison: object,
                    by: Sequence[str] = (), group: str = "group", value: str = "value", n: str = "n",
                    min_n: int = 1) -> pd.DataFrame:
    """Mean and median pay gap of ``comparison`` relative to ``reference`` per stratum.

    Parameters
    ----------
    counts
        Value-count table (see :func:`pay_summary`).
    reference, comparison
        Group labels, e.g. ``reference="Male", comparison="Female"`` for the gender pay gap.
    min_n
        Fewer people than this in either group gives NaN and ``insufficient_evidence``
        (default 1: only an empty group; docs/methodology.md: 10 for ethnicity and disability).

    Returns
    -------
    pandas.DataFrame
        One row per stratum and measure: ``by`` columns, ``measure`` (``"mean"`` /
        ``"median"``), ``reference_value``, ``comparison_value``, ``reference_n``,
        ``comparison_n``, ``gap`` (percent), ``status``.

    Notes
    -----
    Gap = (reference - comparison) / reference x 100, as the Equality Act 2010 (Specific
    Duties and Public Authorities) Regulations 2017, Sch. 1 define the mean and median gender
    pay gaps; positive means the comparison group is paid less. Status is
    ``not_applicable`` (no non-adverse range applies to pay gaps) unless too few people.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["M", "M", "M", "F", "F"], "value": [10, 20, 30, 10, 20],
    ...                   "n": 1})
    >>> mean_median_gap(t, reference="M", comparison="F")[["measure", "gap"]].to_dict("records")
    [{'measure': 'mean', 'gap': 25.0}, {'measure': 'median', 'gap': 25.0}]
    """
    s = pay_summary(counts, by=by, group=group, value=value, n=n)
    by = list(by)
    strata = counts.loc[:, by].drop_duplicates().sort_values(by).reset_index(drop=True) if by \
        else pd.DataFrame(index=[0])

    def side(label: object) -> pd.DataFrame:
        part = s.loc[s[group] == label, [*by, "n", "mean", "median"]]
        return (strata.merge(part, on=by, how="left") if by else
                part.reset_index(drop=True).reindex([0]))

    ref, comp = side(reference), side(comparison)
    rows = []
    for measure in ("mean", "median"):
        rv, cv = ref[measure].to_numpy(float), comp[measure].to_numpy(float)
        rn, cn = ref["n"].fillna(0).to_numpy(float), comp["n"].fillna(0).to_numpy(float)
        few = (rn < max(min_n, 1)) | (cn < max(min_n, 1))
        gap = np.where(few, np.nan, gap_percent(rv, cv))
        part = strata.loc[:, by].copy() if by else pd.DataFrame(index=range(len(rv)))
        rows.append(part.assign(
            measure=measure, reference_value=rv, comparison_value=cv, reference_n=rn,
            comparison_n=cn, gap=gap,
            status=text_where(np.isnan(gap), INSUFFICIENT, NOT_APPLICABLE)))
    out = pd.concat(rows, ignore_index=True)
    if by:
        out = out.sort_values(by, kind="stable").reset_index(drop=True)
    return out


def _quarter_sizes(total: np.ndarray, remainder: str) -> np.ndarray:
    base, rem = total // 4, total % 4
    q = np.arange(4)[None, :]
    extra = (q < rem[:, None]) if remainder == "lower" else (q >= 4 - rem[:, None])
    return base[:, None] + extra.astype(np.int64)


def _split_blocks(ideal: np.ndarray, overlap: np.ndarray, quarter_order: np.ndarray) -> np.ndarray:
    """Round tie blocks' (quarter, group) ideals, keeping group totals and quarter sizes.

    ``ideal`` is (blocks, 4, groups) and ``overlap`` (blocks, 4); all blocks are done at once.
    Per block: round down, give each group's rounding remainders one at a time by largest
    remainder (equal remainders, rounded to 9 decimals, in ``quarter_order``), then even out
    any quarter left over or short by moving single people: from the first most-over quarter
    to the first most-under one, the first group (in column order) whose rounding went up in
    the first and down in the second (else any group present in the first) with the smallest
    remainder difference. The moves are done one per block per pass, every block at once, so
    the result is the same as doing each block on its own.
    """
    floor = np.floor(ideal + 1e-9).astype(np.int64)
    frac = ideal - floor
    need = np.rint(ideal.sum(axis=1)).astype(np.int64) - floor.sum(axis=1)  # (blocks, groups)
    # Rank of each quarter within its (block, group) by -remainder, ties in quarter_order:
    # the quarters ranked below `need` get one more person (largest remainder first).
    key = -np.round(frac, 9)
    pos = np.empty(4, np.int64)
    pos[quarter_order] = np.arange(4)
    rank = np.zeros(key.shape, np.int64)
    for q in range(4):  # count the quarters q ranked before each quarter
        kq = key[:, q : q + 1, :]
        rank += (kq < key) | ((kq == key) & (pos[q] < pos)[None, :, None])
    alloc = floor + (rank < need[:, None, :])
    excess = alloc.sum(axis=2) - overlap
    todo = np.flatnonzero((excess > 0).any(axis=1))
    while len(todo):
        ex = excess[todo]
        over, under = np.argmax(ex, axis=1), np.argmin(ex, axis=1)
        a_over, a_under = alloc[todo, over], alloc[todo, under]
        movable = (a_over > floor[todo, over]) & (a_under == floor[todo, under])
        none = ~movable.any(axis=1)
        movable[none] = a_over[none] > 0
        diff = np.where(movable, frac[todo, over] - frac[todo, under], np.inf)
        g = np.argmin(diff, axis=1)
        alloc[todo, over, g] -= 1
        alloc[todo, under, g] += 1
        excess[todo] = alloc[todo].sum(axis=2) - overlap[todo]
        todo = todo[(excess[todo] > 0).any(axis=1)]
    return alloc


def pay_quartiles(counts: pd.DataFrame, *, by: Sequence[str] = (), group: str = "group",
                  value: str = "value", n: str = "n",
                  remainder: Literal["lower", "upper"] = "lower") -> pd.DataFrame:
    """Pay quarters as the gender pay gap regulations define them, with tie blocks split pro rata.

    Parameters
    ----------
    counts
        Value-count table (see :func:`pay_summary`); ``value`` is hourly pay.
    remainder
        Where the ``N mod 4`` people left over go when N is not divisible by 4: ``"lower"``
        (default) adds one to each of the lowest quarters, ``"upper"`` to the highest.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``quarter`` (1 = lower ... 4 = upper), ``group``, ``count`` (people)
        and ``share`` (of the quarter); every group appears in every quarter (zeros kept).

    Notes
    -----
    Equality Act 2010 (Specific Duties and Public Authorities) Regulations 2017, Sch. 1
    para. 5 and GOV.UK guidance "Gender pay gap reporting: make your calculations": rank
    everyone by hourly pay, divide into four quarters as equal in size as possible (sizes
    differ by at most one and add up to N). Where employees on one hourly rate (a tie block)
    straddle a boundary, GOV.UK asks that the block be split so that the sex mix of the block
    is kept in each part. The ideal number of group g of a block in quarter q is
    ``c_g * L_q / S`` (block size S, its overlap with the quarter L_q). Counts are those
    ideals rounded down, the rounding remainders then given one at a time by largest
    remainder across the quarters the block spans, group by group (ties in remainder go to the
    lower quarters first, or the upper with ``remainder="upper"``), so every group keeps exactly
    its people and each cell is within one person of its ideal. With two groups the quarter
    sizes then come out exact; with more, any quarter left over or short is evened out by
    moving single people of a group between the quarters where its rounding went up and down.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["M", "F"], "value": [10.0, 10.0], "n": [4, 4]})
    >>> pay_quartiles(t)["count"].tolist()
    [1, 1, 1, 1, 1, 1, 1, 1]
    """
    check_choice("remainder", remainder, ["lower", "upper"])
    by = list(by)
    _check(counts, [*by, group, value, n])
    levels = sorted(pd.unique(counts[group]).tolist(), key=str)
    blocks = (counts.assign(**{n: pd.to_numeric(counts[n]).astype("int64"),
                               value: pd.to_numeric(counts[value]).astype("float64")})
              .pivot_table(index=[*by, value], columns=group, values=n, aggfunc="sum",
                           fill_value=0, observed=True)
              .reindex(columns=levels, fill_value=0)
              .sort_index())
    strata_index = blocks.index.droplevel(value) if by else pd.Index(np.zeros(len(blocks), int))
    sid, strata = pd.factorize(strata_index, sort=True) if by else (np.zeros(len(blocks), int), None)
    c = blocks.to_numpy(np.int64)                     # (B, k) people per block and group
    size = c.sum(axis=1)
    n_strata = int(sid.max()) + 1 if len(sid) else 0
    total = np.bincount(sid, weights=size, minlength=n_strata).astype(np.int64)
    qsize = _quarter_sizes(total, remainder)           # (S, 4)
    bounds = np.concatenate([np.zeros((n_strata, 1), np.int64), np.cumsum(qsize, axis=1)], axis=1)
    cum = np.cumsum(size)
    offset = np.concatenate([[0], np.cumsum(total)[:-1]])
    end = cum - offset[sid]
    start = end - size
    b = bounds[sid]                                     # (B, 5)
    overlap = np.clip(np.minimum(end[:, None], b[:, 1:]) - np.maximum(start[:, None], b[:, :-1]), 0, None)
    across = (overlap > 0).sum(axis=1) > 1  # tie blocks across a boundary
    # A block within one quarter adds its people to it; only blocks across a boundary are
    # split (most blocks are within one: no (blocks, 4, groups) arrays for them).
    within = np.flatnonzero(~across & (size > 0))
    cell = sid[within] * 4 + np.argmax(overlap[within], axis=1)
    cells = np.zeros((n_strata * 4, len(levels)), np.int64)  # (stratum, quarter) by group
    for j in range(len(levels)):
        cells[:, j] = np.bincount(cell, weights=c[within, j], minlength=n_strata * 4)
    quarter_counts = cells.reshape(n_strata, 4, len(levels))
    split = np.flatnonzero(across)
    if len(split):
        ideal = c[split, None, :] * (overlap[split] / size[split, None])[:, :, None]
        quarter_order = np.arange(4) if remainder == "lower" else np.arange(4)[::-1]
        np.add.at(quarter_counts, sid[split],
                  _split_blocks(ideal, overlap[split], quarter_order))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = quarter_counts / qsize[:, :, None]
    s_idx, q_idx, g_idx = np.meshgrid(np.arange(n_strata), np.arange(4), np.arange(len(levels)),
                                      indexing="ij")
    out = pd.DataFrame({
        "quarter": q_idx.ravel() + 1,
        group: np.array(levels, dtype=object)[g_idx.ravel()],
        "count": quarter_counts.ravel(),
        "share": share.ravel(),
    })
    if by and strata is not None:
        frame = strata.to_frame(index=False) if isinstance(strata, pd.MultiIndex) \
            else pd.DataFrame({by[0]: np.asarray(strata)})
        out = pd.concat([frame.iloc[s_idx.ravel()].reset_index(drop=True), out], axis=1)
    return out
