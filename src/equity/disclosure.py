"""Disclosure control for published result tables (METHODOLOGY.md "Disclosure control").

Two modes:

- ``"publication"`` (the default everywhere a table leaves the analyst's hands) follows NHS
  Digital's rule for sub-national statistics: counts of 1-7 are suppressed (shown as ``*``),
  every other count is rounded to the nearest 5 (0 stays 0), rates and ratios are worked out
  from the rounded figures, anything that depends on a suppressed count is suppressed, a
  second figure is suppressed wherever one suppressed figure could be recovered by
  subtraction from a total, and pay averages and gaps from fewer than 8 people are withheld.
- ``"internal"`` changes no figure; it only records the mode so that every page using the
  table can carry a warning banner.

The rules, in the order :func:`apply_disclosure` applies them (publication mode):

1. **Primary suppression and rounding.** ``numerator`` and ``denominator`` are counts (or FTE
   sums). A count ``c`` with ``0 < c < threshold + 1`` (1-7 for whole numbers) becomes NaN
   with ``suppressed=True``; any other count is rounded half up to the nearest ``rounding``
   (a rounded value that would itself land in 1-7, possible only with non-default
   parameters, goes up to the next multiple above the threshold). Values of indicators whose
   unit is ``"count"`` are treated the same way.
2. **Pay measures** (unit ``"percent"``: mean / median pay and bonus gaps). The denominator
   (and the numerator, when given) is the number of people behind the figure; the value,
   intervals, ratio and p-value are withheld when it is below ``min_people_for_average``
   (true or published figure), or when the reference group's row is suppressed (a gap needs
   both groups).
3. **Secondary suppression** (see "Totals" below) until no line has exactly one suppressed
   cell.
4. **Dependent figures.** A row with a suppressed count loses ``value``, its interval, its
   ratio, the ratio's interval and ``p_value``. A row whose ratio uses a reference row with a
   suppressed count loses its ratio, interval and p-value (else the reference count could be
   solved from the ratio). Such rows get status ``insufficient_evidence``.
5. **Recomputation from published figures.** Proportion rows (unit ``proportion`` or
   ``ratio``, or an indicator not in the registry, where ``value`` equals
   ``numerator / denominator``) get ``value = rounded numerator / rounded denominator`` and
   a Wilson 95% interval on the rounded counts (:func:`equity.stats.proportion`); a value
   equal to ``100 * numerator / denominator`` (a share in percent, whatever the unit) is
   recomputed the same way, in percent.
   Relative likelihoods against a reference row of the same table are recomputed from the
   rounded counts of both rows with :func:`equity.stats.relative_likelihood`, keeping the
   direction (group / reference or reference / group) and interval method (Koopman or Katz)
   that reproduce the input's ratio and interval; the Fisher p-value is recomputed when the
   input had one; the status is re-derived with :func:`equity.stats.classify` on the
   published denominators and the indicator's registered direction of harm. Plain shares get
   :func:`equity.stats.share_status` on the published denominator. Ratios against something
   outside the table (a population benchmark) are rescaled with the recomputed value, and
   their p-value, which cannot be recomputed from the published figures, is withheld when
   rounding changed the counts. Other values (index, percentage points, pay gaps) are kept as
   computed unless suppressed.

Recomputing rather than keeping figures from unrounded counts is deliberate: a ratio or an
interval computed from the true counts, published beside the rounded counts, would let a
reader undo the rounding. The cost is that published rates and ratios differ slightly from
the unrounded ones, and a status can change near the edge of the non-adverse range.

Totals
------
The totals our tables carry, and therefore the "lines" checked by secondary suppression:

- **Groups within a stratum.** Rows sharing ``indicator``, ``period``, every stratum and
  ``group_var`` are the groups of one table (White, BME, Unknown). Their numerators add up to
  a total: the shared ``denominator`` when every row carries the same one (representation:
  White + BME + Unknown = all staff), otherwise a total that may be published elsewhere (all
  leavers). Where denominators differ (rates: each group's own headcount) they are parts of
  a total too and form a line of their own. A shared denominator is a single cell: it is
  suppressed on every row or on none.
- **Levels of a stratum.** For each of ``organisation``, ``directorate``, ``staff_group``,
  ``profession``, ``band`` and ``clinical``, rows equal in everything but that stratum (same
  group) are the parts of the row where that stratum is missing (Band 5 + Band 6 + ... = all
  bands), for numerators and for denominators. ``variant`` is not treated as a partition
  (variants such as "within 12 months" / "within 24 months" or "excluding international
  recruits" overlap).

Rule: in every line, counting the line's total when the table holds it, if exactly one cell
is suppressed, the smallest published part (zero included; ties broken by the row's labels,
so the result does not depend on row order) is suppressed too; if every part is already
suppressed, the total is. Lines are checked again until none changes. A line is checked even
when its total is not in the table, because the total may be published in another table.
Totals across different indicators or across ``group_var`` tables (White x Male + White x
Female = White) are not linked. Because every published count is rounded, subtraction could
only ever give an estimate within a few people, but NHS Digital's rule asks for secondary
suppression as well.

Idempotence: every step is a function of the published figures and the ``suppressed``
flags, and a published table is a fixed point of each, so applying publication mode twice
equals applying it once.
"""

from __future__ import annotations

import copy
import heapq
from collections import defaultdict
from collections.abc import Sequence
from math import isnan, nan
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from equity import stats
from equity.errors import ParameterError, check_choice
from equity.registry import REGISTRY
from equity.result import (
    ADVERSE,
    FAVOURABLE,
    INSUFFICIENT,
    NOT_APPLICABLE,
    SPLITTABLE,
    STRATA,
    WITHIN,
    ResultSchemaError,
    check_result,
)

Mode = Literal["publication", "internal"]
#: The disclosure modes.
MODES: tuple[str, ...] = ("publication", "internal")
#: NHS Digital sub-national rule: counts 1-7 suppressed.
THRESHOLD: int = 7
#: ... and every other count rounded to the nearest 5.
ROUNDING: int = 5
#: Means, medians and pay gaps need at least this many people.
MIN_PEOPLE_FOR_AVERAGE: int = 8

# Columns identifying one table of groups (the groups of one group_var within one stratum).
_TABLE_KEY: tuple[str, ...] = ("indicator", "period", *STRATA, "group_var")
_RATIO_COLUMNS: tuple[str, ...] = ("ratio", "ratio_ci_low", "ratio_ci_high", "p_value")
_Key = tuple[str, ...]
_MISSING = "\x00"  # sorts before any label; stands for a missing stratum in row keys


# --------------------------------------------------------------------------- counts


def publish_counts(
    counts: npt.ArrayLike, *, threshold: int = THRESHOLD, rounding: int = ROUNDING
) -> np.ndarray:
    """Counts as published: 1-``threshold`` suppressed (NaN), others rounded to ``rounding``.

    Parameters
    ----------
    counts
        Counts (whole numbers, or FTE sums); NaN stays NaN.
    threshold
        Largest count that is suppressed. A non-whole count is suppressed when it is above 0
        and below ``threshold + 1``.
    rounding
        Base of the rounding (half up). 0 stays 0.

    Returns
    -------
    numpy.ndarray
        Float array: NaN where suppressed, else the rounded count. A rounded count never lies
        in 1-``threshold`` (it goes up to the next multiple of ``rounding`` above it).

    Notes
    -----
    NHS Digital, "Statistical disclosure control" for sub-national workforce statistics:
    counts of 1-7 are shown as ``*`` and other counts rounded to the nearest 5. Applying the
    function to its own output changes nothing.

    Examples
    --------
    >>> publish_counts([0, 1, 7, 8, 12, 13]).tolist()
    [0.0, nan, nan, 10.0, 10.0, 15.0]
    """
    c = np.asarray(counts, dtype="float64")
    mag = np.abs(c)
    small = (mag > 0) & (mag < threshold + 1)
    rounded = np.floor(mag / rounding + 0.5) * rounding
    # Only reachable with non-default parameters (threshold >= rounding + 3): keep the
    # published figure outside 1-threshold so that "*" is the only way a small count shows.
    floor = np.ceil((threshold + 1) / rounding) * rounding
    rounded = np.where((rounded > 0) & (rounded < threshold + 1), floor, rounded)
    return np.where(small, np.nan, np.sign(c) * rounded)


def _check_parameters(threshold: int, rounding: int, min_people: int) -> None:
    for name, v, low in (("threshold", threshold, 0), ("rounding", rounding, 1),
                         ("min_people_for_average", min_people, 0)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
            raise ParameterError(
                f"`{name}` must be a whole number of at least {low}; got {v!r}. "
                f"The NHS Digital rule uses threshold={THRESHOLD}, rounding={ROUNDING}, "
                f"min_people_for_average={MIN_PEOPLE_FOR_AVERAGE}."
            )


# --------------------------------------------------------------------------- the tables


def _labels(df: pd.DataFrame, columns: Sequence[str]) -> list[tuple[str, ...]]:
    """Row labels as tuples of strings (missing -> a sentinel) for grouping and sorting."""
    cols = []
    for c in columns:
        col = df[c]
        cols.append(np.where(col.isna().to_numpy(), _MISSING,
                             col.astype(object).astype(str).to_numpy()).tolist())
    return list(zip(*cols, strict=True)) if cols else [()] * len(df)


def _duplicate_error(labels: list[tuple[str, ...]]) -> None:
    seen: dict[tuple[str, ...], int] = {}
    dups = []
    for i, lab in enumerate(labels):
        if lab in seen:
            dups.append(lab)
        seen.setdefault(lab, i)
    if dups:
        shown = "; ".join(" / ".join(x for x in d if x != _MISSING) for d in dups[:5])
        raise ResultSchemaError(
            f"The result table has {len(dups)} rows that repeat a group (same indicator, "
            f"period, strata, group_var and group) with different figures, e.g. {shown}. "
            "Disclosure control needs each group once per table to find its totals; drop the "
            "repeats (or give them different `variant` labels) before applying it."
        )


class _State:
    """Published counts and suppression flags, with the operations of secondary suppression.

    Plain Python lists: the checks run cell by cell, where numpy scalars are slow.
    """

    def __init__(self, num: np.ndarray, den: np.ndarray, flag: np.ndarray,
                 tables: dict[_Key, list[int]], table_of: list[_Key]) -> None:
        self.cols: dict[str, list[float]] = {"numerator": num.tolist(),
                                             "denominator": den.tolist()}
        self.flag: list[bool] = flag.tolist()
        self.tables = tables
        self.table_of = table_of

    # A cell is published (a number), suppressed (NaN in a flagged row) or not applicable
    # (NaN in an unflagged row: the indicator has no such count). Counts are never infinite
    # (make_result turns infinities into NaN).
    def suppressed(self, col: str, i: int) -> bool:
        return self.flag[i] and isnan(self.cols[col][i])

    def published(self, col: str, i: int) -> bool:
        return not isnan(self.cols[col][i])

    def applicable(self, col: str, i: int) -> bool:
        return self.flag[i] or not isnan(self.cols[col][i])

    def shared(self, rows: list[int]) -> bool:
        """True when the rows of one table carry one shared denominator (a single cell)."""
        den = self.cols["denominator"]
        vals = [den[i] for i in rows if self.applicable("denominator", i)]
        if len(vals) < 2:
            return False
        if all(isnan(v) for v in vals):  # applicable and NaN: suppressed
            return True
        return not any(isnan(v) for v in vals) and len(set(vals)) == 1

    def suppress(self, col: str, i: int) -> list[int]:
        """Suppress a cell (a shared denominator on every row of its table); rows touched."""
        rows = [i]
        if col == "denominator":
            tbl = self.tables[self.table_of[i]]
            if self.shared(tbl):
                rows = [j for j in tbl if self.published("denominator", j)]
        values = self.cols[col]
        for j in rows:
            values[j] = nan
            self.flag[j] = True
        return rows


class _Line:
    """Parts that add up to a total: ``parts`` cells and an optional ``total`` cell.

    ``shared_total_of`` (groups within a stratum, numerators): the rows whose denominator is
    the total when the table shares one.
    """

    def __init__(self, col: str, parts: list[int], total: int | None = None,
                 shared_total_of: list[int] | None = None) -> None:
        self.col = col
        self.parts = parts
        self.total = total
        self.shared_total_of = shared_total_of

    def rows(self) -> list[int]:
        return [*self.parts, *([self.total] if self.total is not None else [])]

    def enforce(self, st: _State, order: list[tuple[str, ...]]) -> list[int]:
        """Make the line safe by suppressing one more cell if needed; rows touched."""
        col = self.col
        parts = [i for i in self.parts if st.applicable(col, i)]
        n_parts = sum(1 for i in parts if st.suppressed(col, i))
        total: tuple[str, int] | None = None
        if self.shared_total_of is not None:
            if st.shared(self.shared_total_of):
                first = next(i for i in self.shared_total_of if st.applicable("denominator", i))
                total = ("denominator", first)
        elif self.total is not None and st.applicable(col, self.total):
            total = (col, self.total)
        total_supp = total is not None and st.suppressed(*total)
        # When every denominator of a table is suppressed, the table may be shares of that
        # total (then the parts must not all be published) or rates with their own
        # denominators (then the parts' own total may be published elsewhere): satisfy both.
        ambiguous = total_supp and self.shared_total_of is not None
        if n_parts + total_supp != 1 and not (ambiguous and n_parts == 1):
            return []
        values = st.cols[col]
        candidates = [i for i in parts if not isnan(values[i])]
        if candidates:
            pick = min(candidates, key=lambda i: (values[i], order[i]))
            return st.suppress(col, pick)
        if total is not None and st.published(*total):
            return st.suppress(*total)
        return []


def _lines(labels: list[tuple[str, ...]], tables: dict[_Key, list[int]]) -> list[_Line]:
    """Every line of the table, sorted by labels so that the order of checks is row-order free."""
    out: list[tuple[tuple[str, ...], _Line]] = []
    for key, rows in tables.items():
        if len(rows) >= 2:
            rows = sorted(rows, key=labels.__getitem__)
            out.append((("g", "numerator", *key), _Line("numerator", rows, shared_total_of=rows)))
            out.append((("g", "denominator", *key), _Line("denominator", rows)))
    # Label layout: indicator, period, strata..., group_var, group.
    for s in SPLITTABLE:
        pos = 2 + STRATA.index(s)
        by: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, lab in enumerate(labels):
            by[lab[:pos] + lab[pos + 1:]].append(i)
        for key, rows in by.items():
            if len(rows) < 2:
                continue
            parts = sorted((i for i in rows if labels[i][pos] != _MISSING), key=labels.__getitem__)
            totals = [i for i in rows if labels[i][pos] == _MISSING]
            total = totals[0] if totals else None
            if len(parts) >= 2 or (parts and total is not None):
                for col in ("numerator", "denominator"):
                    out.append((("s", s, col, *key), _Line(col, parts, total)))
    out.sort(key=lambda t: t[0])
    return [line for _, line in out]


def _secondary(st: _State, lines: list[_Line], labels: list[tuple[str, ...]],
               extra_own: list[bool], ref: list[int]) -> None:
    """Secondary suppression and dependent flags, to a fixed point.

    A worklist of lines (smallest sort key first, so the result does not depend on row
    order): a line is checked again only when one of its rows changed.
    """
    lines_of: list[list[int]] = [[] for _ in labels]
    for k, line in enumerate(lines):
        for i in line.rows():
            lines_of[i].append(k)
    referenced_by: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(ref):
        if r >= 0:
            referenced_by[r].append(i)
    queued = [True] * len(lines)
    heap = list(range(len(lines)))  # already a heap

    def own(j: int) -> bool:
        return extra_own[j] or (st.flag[j] and (isnan(st.cols["numerator"][j])
                                                or isnan(st.cols["denominator"][j])))

    def changed(rows: list[int]) -> None:
        stack = list(rows)
        while stack:
            j = stack.pop()
            for k in lines_of[j]:
                if not queued[k]:
                    queued[k] = True
                    heapq.heappush(heap, k)
            if own(j):
                # A ratio against a row with a suppressed count is suppressed (flagged).
                for i in referenced_by.get(j, ()):
                    if not st.flag[i]:
                        st.flag[i] = True
                        stack.append(i)

    changed([j for j in range(len(labels)) if own(j)])
    while heap:
        k = heapq.heappop(heap)
        queued[k] = False
        changed(lines[k].enforce(st, labels))


# --------------------------------------------------------------------------- ratios


_ORIENTATIONS = ("group_over_reference", "reference_over_group")
_METHODS = ("koopman", "katz")


def _rl(own_x: np.ndarray, own_n: np.ndarray, ref_x: np.ndarray, ref_n: np.ndarray,
        orientation: str, method: str, exact: bool = False) -> pd.DataFrame:
    m = cast(Literal["koopman", "katz"], method)
    if orientation == "group_over_reference":
        return stats.relative_likelihood(own_x, own_n, ref_x, ref_n, method=m, exact=exact)
    return stats.relative_likelihood(ref_x, ref_n, own_x, own_n, method=m, exact=exact)


def _log_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance on the log scale; NaN matches NaN only, 0 matches 0 only."""
    a_nan, b_nan = np.isnan(a), np.isnan(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.abs(np.log(a) - np.log(b))
    d = np.where(np.isfinite(d), d, np.inf)
    d = np.where(a == b, 0.0, d)
    d = np.where(a_nan & b_nan, 0.0, d)
    return np.where(a_nan ^ b_nan, np.inf, d)


def _infer_ratio_methods(rows: np.ndarray, ref: np.ndarray, num: np.ndarray, den: np.ndarray,
                         stored: pd.DataFrame, indicators: np.ndarray) -> list[tuple[str, str]]:
    """Direction and interval method that reproduce each stored ratio from the input counts.

    The direction comes from the point estimate; the method from the interval (Katz's has a
    closed form, so it is tried first; anything else is taken to be Koopman's, the library
    default). A ratio of exactly 1 fits both directions: the intervals decide, and where
    they cannot either, the choice most rows of the same indicator made (else group /
    reference) is used.
    """
    if len(rows) == 0:
        return []
    x, n, xr, nr = num[rows], den[rows], num[ref[rows]], den[ref[rows]]
    want = {c: stored[c].to_numpy(dtype="float64")[rows]
            for c in ("ratio", "ratio_ci_low", "ratio_ci_high")}

    def gap(cand: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
        return sum((_log_gap(cand[c].to_numpy(), want[c]) for c in cols),
                   start=np.zeros(len(rows)))

    combos = [(o, m) for o in _ORIENTATIONS for m in _METHODS]
    katz = {o: _rl(x, n, xr, nr, o, "katz") for o in _ORIENTATIONS}
    point = np.vstack([gap(katz[o], ["ratio"]) for o in _ORIENTATIONS])
    orient = point.argmin(axis=0)
    tied = np.abs(point[0] - point[1]) <= 1e-9
    ci_cols = ("ratio", "ratio_ci_low", "ratio_ci_high")
    katz_fit = np.where(orient == 0, gap(katz[_ORIENTATIONS[0]], ci_cols),
                        gap(katz[_ORIENTATIONS[1]], ci_cols))
    choice = np.where(katz_fit <= 1e-6, orient * 2 + 1, orient * 2)  # index into combos
    votes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for d in np.flatnonzero(~tied).tolist():
        votes[indicators[rows[d]]][int(choice[d])] += 1
    if tied.any():
        t = np.flatnonzero(tied)
        sub = {c: v[t] for c, v in want.items()}
        scores = []
        for o, m in combos:
            cand = _rl(x[t], n[t], xr[t], nr[t], o, m)
            scores.append(sum((_log_gap(cand[c].to_numpy(), sub[c]) for c in ci_cols),
                              start=np.zeros(len(t))))
        score = np.vstack(scores)
        best = score.min(axis=0)
        for k, row in enumerate(t.tolist()):
            ok = [j for j in range(len(combos)) if score[j, k] <= best[k] + 1e-9]
            v = votes.get(indicators[rows[row]], {})
            choice[row] = max(ok, key=lambda j: (v.get(j, 0), -j))
    return [combos[int(c)] for c in choice]


# --------------------------------------------------------------------------- public


def apply_disclosure(
    result: pd.DataFrame,
    *,
    mode: Mode = "publication",
    threshold: int = THRESHOLD,
    rounding: int = ROUNDING,
    min_people_for_average: int = MIN_PEOPLE_FOR_AVERAGE,
    min_n: int = stats.MIN_N,
    non_adverse_range: tuple[float, float] = stats.NON_ADVERSE_RANGE,
) -> pd.DataFrame:
    """Apply disclosure control to a result table (see the module docstring for every rule).

    Parameters
    ----------
    result
        A table in the shared result schema (:data:`equity.result.RESULT_COLUMNS`), any
        number of indicators. Not modified.
    mode
        ``"publication"`` (default): NHS Digital sub-national rule (suppress 1-7, round to 5,
        recompute from rounded figures, secondary suppression). ``"internal"``: no figure
        changes; the mode is recorded for the report's banner.
    threshold, rounding
        Counts from 1 to ``threshold`` are suppressed; other counts are rounded to the
        nearest ``rounding``.
    min_people_for_average
        Pay measures (unit ``"percent"``) from fewer people are withheld.
    min_n, non_adverse_range
        Used to re-derive statuses from the published figures (as
        :func:`equity.stats.classify` and :func:`equity.stats.share_status`); pass the values
        the indicators were computed with.

    Returns
    -------
    pandas.DataFrame
        Same rows, order and columns; ``suppressed`` is True where any figure of the row is
        withheld. ``attrs`` keeps ``not_computed`` and ``exclusions`` (exclusion counts
        rounded or suppressed like any count: ``count`` None and ``suppressed`` True) and
        adds ``"disclosure"`` (the mode) and ``"disclosure_parameters"``.

    Raises
    ------
    ResultSchemaError
        The table does not follow the schema, or holds a group twice in one table.
    ParameterError
        An unknown mode or a bad parameter; or internal mode asked of a table already
        controlled for publication (its small counts cannot be restored).

    Notes
    -----
    NHS Digital's rule for sub-national statistics (METHODOLOGY.md "Disclosure control"):
    counts 1-7 suppressed, others rounded to the nearest 5, percentages from rounded
    figures, dependent figures and recoverable cells suppressed, averages from fewer than 8
    people suppressed. Ratios are recomputed from the rounded counts (library method). The
    secondary suppression rule is the "no line with exactly one suppressed cell" rule applied
    to the totals listed in the module docstring. Idempotent.

    Examples
    --------
    >>> from equity.result import make_result
    >>> r = make_result({"group_var": "ethnicity", "group": ["White", "BME", "Unknown"],
    ...                  "numerator": [88, 12, 3], "denominator": 103,
    ...                  "value": [88 / 103, 12 / 103, 3 / 103]}, indicator="representation",
    ...                 period="2024/25")
    >>> p = apply_disclosure(r)
    >>> p[["group", "numerator", "denominator", "suppressed"]].to_dict("list")
    {'group': ['White', 'BME', 'Unknown'], 'numerator': [90.0, nan, nan], 'denominator': [105.0, 105.0, 105.0], 'suppressed': [False, True, True]}
    >>> round(float(p.loc[0, "value"]), 4), p.attrs["disclosure"]
    (0.8571, 'publication')
    """
    check_choice("mode", mode, MODES)
    _check_parameters(threshold, rounding, min_people_for_average)
    if not isinstance(result, pd.DataFrame):
        raise ResultSchemaError(
            f"apply_disclosure needs a result table (pandas DataFrame); got {type(result).__name__}."
        )
    check_result(result)
    attrs = copy.deepcopy(dict(result.attrs))
    if mode == "internal":
        if attrs.get("disclosure") == "publication":
            raise ParameterError(
                "This table has already been disclosure-controlled for publication: its small "
                "counts are suppressed and the rest rounded, and internal mode cannot restore "
                "them. Apply internal mode to the table the indicators returned."
            )
        out = result.copy(deep=False)  # copy-on-write: the caller's table stays as it is
        attrs["disclosure"] = "internal"
        out.attrs = attrs
        return out
    # An exact repeat of a row (the same figure reached twice, e.g. a declaration rate
    # returned by two indicator families) is one cell: control it once, copy the result.
    first = ~result.duplicated(keep="first").to_numpy()
    base = result.loc[first] if not first.all() else result
    out = _publication(base, threshold=threshold, rounding=rounding,
                       min_people=min_people_for_average, min_n=min_n,
                       non_adverse_range=non_adverse_range)
    if not first.all():
        key = [*_TABLE_KEY, "group"]
        where = {lab: i for i, lab in enumerate(_labels(base, key))}
        out = out.iloc[[where[lab] for lab in _labels(result, key)]]
        out.index = result.index
    if "exclusions" in attrs:
        attrs["exclusions"] = [
            _publish_exclusion(e, threshold=threshold, rounding=rounding)
            for e in attrs["exclusions"]
        ]
    attrs["disclosure"] = "publication"
    attrs["disclosure_parameters"] = {
        "threshold": threshold, "rounding": rounding,
        "min_people_for_average": min_people_for_average,
    }
    out.attrs = attrs
    return check_result(out)


def _publish_exclusion(e: dict[str, Any], *, threshold: int, rounding: int) -> dict[str, Any]:
    e = dict(e)
    c = e.get("count")
    if c is None:
        # Already suppressed by an earlier pass: nothing left to publish.
        e["suppressed"] = bool(e.get("suppressed", False))
        return e
    v = float(publish_counts([c], threshold=threshold, rounding=rounding)[0])
    e["count"] = None if np.isnan(v) else int(v)
    e["suppressed"] = bool(np.isnan(v))
    return e


def _publication(result: pd.DataFrame, *, threshold: int, rounding: int, min_people: int,
                 min_n: int, non_adverse_range: tuple[float, float]) -> pd.DataFrame:
    out = result.copy(deep=True).reset_index(drop=True)
    n_rows = len(out)
    indicators = np.array([str(v) for v in out["indicator"].tolist()], dtype=object)
    units = np.array([REGISTRY[i].unit if i in REGISTRY else None for i in indicators],
                     dtype=object)
    num_in = out["numerator"].to_numpy(dtype="float64", copy=True)
    den_in = out["denominator"].to_numpy(dtype="float64", copy=True)
    val_in = out["value"].to_numpy(dtype="float64", copy=True)
    ratio_in = out["ratio"].to_numpy(dtype="float64", copy=True)
    flag = out["suppressed"].to_numpy(dtype=bool, copy=True)

    is_pay = units == "percent"
    is_count_value = units == "count"
    prop_unit = np.isin(units, ["proportion", "ratio"]) | np.array([u is None for u in units],
                                                                    dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = num_in / den_in
    is_prop = (prop_unit & np.isfinite(val_in) & np.isfinite(q) & (den_in > 0)
               & np.isclose(val_in, q, rtol=1e-9, atol=1e-12))
    # The same share in percent (e.g. the share of unknown sex or ethnicity beside pay gaps).
    is_pct = (~is_prop & ~is_count_value & np.isfinite(val_in) & np.isfinite(q) & (den_in > 0)
              & np.isclose(val_in, 100 * q, rtol=1e-9, atol=1e-10))

    # 1. primary suppression and rounding
    num = publish_counts(num_in, threshold=threshold, rounding=rounding)
    den = publish_counts(den_in, threshold=threshold, rounding=rounding)
    flag |= (np.isfinite(num_in) & np.isnan(num)) | (np.isfinite(den_in) & np.isnan(den))
    value_count = publish_counts(val_in, threshold=threshold, rounding=rounding)
    extra_own = is_count_value & np.isfinite(val_in) & np.isnan(value_count)

    # 2. pay measures from too few people (true or published count, so a second pass agrees)
    with np.errstate(invalid="ignore"):
        few = (den_in < min_people) | (den < min_people)
        few |= np.isfinite(num_in) & ((num_in < min_people) | (num < min_people))
    extra_own |= is_pay & few
    flag |= extra_own

    # Tables (groups within a stratum) and reference rows
    labels = _labels(out, [*_TABLE_KEY, "group"])
    _duplicate_error(labels)
    position = {lab: i for i, lab in enumerate(labels)}
    table_of: list[_Key] = [lab[:-1] for lab in labels]
    tables: dict[_Key, list[int]] = defaultdict(list)
    for i, k in enumerate(table_of):
        tables[k].append(i)
    refs = out["reference_group"].tolist()
    groups = out["group"].tolist()
    ref = np.full(n_rows, -1)
    for i in range(n_rows):
        r = refs[i]
        if r is not None and r != groups[i]:
            ref[i] = position.get((*labels[i][:-1], str(r)), -1)
    has_ref = ref >= 0

    # 3. secondary suppression, with the dependent-row flags, to a fixed point
    st = _State(num, den, flag, tables, table_of)
    _secondary(st, _lines(labels, tables), labels, extra_own.tolist(), ref.tolist())
    num = np.array(st.cols["numerator"], dtype="float64")
    den = np.array(st.cols["denominator"], dtype="float64")
    flag = np.array(st.flag, dtype=bool)

    # 4. dependent figures
    own = (np.isnan(num) & flag) | (np.isnan(den) & flag) | extra_own
    ratio_gone = own | (has_ref & own[np.where(has_ref, ref, 0)])
    value_gone = own | (is_pay & ratio_gone)

    # 5. recomputation from the published figures
    value = val_in.copy()
    ci_low = out["ci_low"].to_numpy(dtype="float64", copy=True)
    ci_high = out["ci_high"].to_numpy(dtype="float64", copy=True)
    ratios = {c: out[c].to_numpy(dtype="float64", copy=True) for c in _RATIO_COLUMNS}
    status = np.array(out["status"].tolist(), dtype=object)

    prop_now = is_prop & ~value_gone
    if prop_now.any():
        rates = stats.proportion(num[prop_now], den[prop_now])
        value[prop_now] = rates["value"].to_numpy()
        ci_low[prop_now] = rates["ci_low"].to_numpy()
        ci_high[prop_now] = rates["ci_high"].to_numpy()
    pct_now = is_pct & ~value_gone
    if pct_now.any():
        rates = stats.proportion(num[pct_now], den[pct_now]) * 100
        value[pct_now] = rates["value"].to_numpy()
        had_ci = np.isfinite(ci_low[pct_now]) & np.isfinite(ci_high[pct_now])
        ci_low[pct_now] = np.where(had_ci, rates["ci_low"].to_numpy(), np.nan)
        ci_high[pct_now] = np.where(had_ci, rates["ci_high"].to_numpy(), np.nan)
    cv = is_count_value & ~value_gone & np.isfinite(val_in)
    value[cv] = value_count[cv]
    with np.errstate(invalid="ignore"):
        ci_low[cv] = np.floor(ci_low[cv] / rounding) * rounding
        ci_high[cv] = np.ceil(ci_high[cv] / rounding) * rounding

    # Relative likelihoods against a reference row of the table.
    ref_safe = np.where(has_ref, ref, 0)
    rl_rows = np.flatnonzero(has_ref & np.isfinite(ratio_in) & is_prop & is_prop[ref_safe]
                             & ~ratio_gone)
    if len(rl_rows):
        stored = out.loc[:, list(_RATIO_COLUMNS)]
        choices = _infer_ratio_methods(rl_rows, ref, num_in, den_in, stored, indicators)
        for (o, m) in sorted(set(choices)):
            sel = rl_rows[[c == (o, m) for c in choices]]
            exact = np.isfinite(ratios["p_value"][sel])
            rl = _rl(num[sel], den[sel], num[ref[sel]], den[ref[sel]], o, m, exact=True)
            for c in ("ratio", "ratio_ci_low", "ratio_ci_high"):
                ratios[c][sel] = rl[c].to_numpy()
            ratios["p_value"][sel] = np.where(exact, rl["p_value"].to_numpy(), np.nan)
            for ind in sorted(set(indicators[sel])):
                meta = REGISTRY.get(ind)
                if meta is None or meta.harm is None:
                    continue
                these = indicators[sel] == ind
                rows_ind = sel[these]
                status[rows_ind] = stats.classify(
                    rl["ratio"].to_numpy()[these], den[rows_ind], den[ref[rows_ind]],
                    harm=meta.harm,
                    non_adverse_range=non_adverse_range, min_n=min_n)

    # Ratios against something outside the table (a benchmark): rescale with the value.
    bench = np.flatnonzero(~has_ref & np.isfinite(ratio_in) & is_prop & ~ratio_gone)
    if len(bench):
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(val_in[bench] > 0, value[bench] / val_in[bench], 1.0)
        for c in ("ratio", "ratio_ci_low", "ratio_ci_high"):
            ratios[c][bench] = ratios[c][bench] * factor
        changed_counts = ~((num[bench] == num_in[bench]) & (den[bench] == den_in[bench]))
        ratios["p_value"][bench] = np.where(changed_counts, np.nan, ratios["p_value"][bench])
        for b in bench.tolist():
            meta = REGISTRY.get(indicators[b])
            if meta is not None and meta.harm is not None and status[b] in (WITHIN, ADVERSE,
                                                                             FAVOURABLE):
                # Only the range part of the status: the benchmark has no denominator here.
                status[b] = stats.classify([ratios["ratio"][b]], [np.inf], [np.inf],
                                           harm=meta.harm,
                                           non_adverse_range=non_adverse_range)[0]

    # Plain shares: status from the published denominator.
    plain = (is_prop & ~has_ref & ~np.isfinite(ratio_in) & ~value_gone
             & np.isin(status, [NOT_APPLICABLE, INSUFFICIENT]))
    if plain.any():
        status[plain] = stats.share_status(den[plain], min_n=min_n)

    value[value_gone] = np.nan
    ci_low[value_gone] = np.nan
    ci_high[value_gone] = np.nan
    for c in _RATIO_COLUMNS:
        ratios[c][ratio_gone] = np.nan
    status[flag] = INSUFFICIENT

    out["numerator"] = num
    out["denominator"] = den
    out["value"] = value
    out["ci_low"] = ci_low
    out["ci_high"] = ci_high
    for c in _RATIO_COLUMNS:
        out[c] = ratios[c]
    out["status"] = pd.Series(status, dtype=object)
    out["suppressed"] = flag
    out.index = result.index
    return out


def disclosure_note(
    mode: Mode,
    *,
    threshold: int = THRESHOLD,
    rounding: int = ROUNDING,
    min_people_for_average: int = MIN_PEOPLE_FOR_AVERAGE,
) -> str:
    """The plain-English paragraph a report prints about the disclosure rule applied.

    Examples
    --------
    >>> disclosure_note("publication").startswith("Small numbers are protected")
    True
    >>> "INTERNAL USE ONLY" in disclosure_note("internal")
    True
    """
    check_choice("mode", mode, MODES)
    _check_parameters(threshold, rounding, min_people_for_average)
    if mode == "internal":
        return (
            "INTERNAL USE ONLY. This report shows exact counts, including numbers from 1 to "
            f"{threshold}, so individual members of staff could be identified from it. It is "
            "for named analysts only: do not publish it, circulate it or copy figures from it "
            "into other papers. Re-run it in publication mode before sharing."
        )
    return (
        "Small numbers are protected following NHS Digital's rule for statistics below "
        f"national level. Counts from 1 to {threshold} are shown as *, and every other count "
        f"is rounded to the nearest {rounding} (0 is shown as 0), so figures may not add up "
        "exactly to their totals. Percentages, rates, relative likelihoods and their "
        "confidence intervals are worked out from the rounded counts, so they can differ "
        "slightly from figures calculated on exact data, and any figure that depends on a "
        "suppressed count is not shown. Where a single hidden figure could be worked out by "
        "subtracting the others from a total, a second figure is hidden too, so * can also "
        "stand for a larger number. Average pay and pay gaps based on fewer than "
        f"{min_people_for_average} people are not shown."
    )


__all__ = [
    "MIN_PEOPLE_FOR_AVERAGE",
    "MODES",
    "ROUNDING",
    "THRESHOLD",
    "apply_disclosure",
    "disclosure_note",
    "publish_counts",
]
