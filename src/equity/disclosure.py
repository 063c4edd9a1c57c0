"""Disclosure control for published result tables (docs/methodology.md "Disclosure control").

Two modes:

- ``"publication"`` (the default everywhere a table leaves the analyst's hands) follows NHS
  Digital's rule for statistics below national level, *Disclosure control methodology for
  Hospital Episode Statistics (HES) and Emergency Care Data Set (ECDS)* (NHS Digital,
  September 2018; adopted for its other datasets since, e.g. the Sexual and Reproductive
  Health Activity Dataset in 2020): counts of 1-7 are shown as ``*``, every other count is
  rounded to the nearest 5 (0 stays 0), percentages and rates are worked out from the
  rounded figures, and means or medians of 1-7 values are not shown. That rule replaced
  manual secondary suppression with rounding; we add a second hidden cell only where an
  attack on the published figures shows rounding is not enough (rule 3).
- ``"internal"`` changes no figure; it only records the mode so that every page using the
  table can carry a warning banner.

What publication mode guarantees (the three outcomes of docs/methodology.md): nothing
recoverable (no count of 1-7 can be determined exactly from everything published in one
table: ``tests/test_disclosure_attack.py``), nothing misleading (no published figure states
another conclusion than the exact one), least loss (the cell hidden to protect another is
the one that carries least).

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
   both groups). Pay gaps are functions of pay, not of counts, and are kept as computed.
3. **Secondary suppression where rounding does not protect** (see "Totals"). An attacker
   holding the table bounds each published count ``r`` to ``[max(r - 2, 8), r + 2]``, a
   ``*`` hiding 1-7 to ``[1, 7]``, any other ``*`` (or a total not in the table) to
   ``[0, inf)``, and propagates the sums below to a fixed point. While some count of 1-7 is
   pinned to one value, one more published cell on its lines is hidden: the one that
   carries least and frees it: a count of an unknown / not stated group first (before
   White / BME, Disabled / Non-disabled, Female / Male), then a total, then a comparison
   group's count, a table's shared denominator last (ties: the smaller, then by labels).
   Where only the small counts themselves pin each other (every ``*`` at least 1 under a
   ``*`` total of at most 7) nothing published can help: the zeros on those lines are shown
   as ``*`` too, so that ``*`` there may stand for 0.
4. **Dependent figures.** A row with a suppressed count loses ``value``, its interval, its
   ratio, the ratio's interval and ``p_value``. A row whose ratio uses a reference row with a
   suppressed count loses its ratio, interval and p-value. Such rows get status
   ``insufficient_evidence``.
5. **Recomputation from published figures.** No figure computed from exact counts is
   published beside the rounded counts (it would undo the rounding: "3 of 7" is recovered
   from 8/11 - 3/7): each is recomputed from the published counts or withheld.
   Proportion rows (unit ``proportion`` or ``ratio``, or an indicator not in the registry,
   where ``value`` equals ``numerator / denominator``) get ``value = rounded numerator /
   rounded denominator`` and a Wilson 95% interval on the rounded counts
   (:func:`equity.stats.proportion`); a value equal to ``100 * numerator / denominator`` (a
   share in percent, whatever the unit) is recomputed the same way, in percent.
   Relative likelihoods and odds ratios against a reference row of the same table are
   recomputed from the rounded counts of both rows, keeping the direction and method
   (Koopman or Katz relative likelihood, Woolf odds ratio) that reproduce the input's ratio
   and interval; a ratio none reproduces is withheld. The Fisher p-value is recomputed when
   the input had one; the status is re-derived with :func:`equity.stats.classify` on the
   published denominators and the indicator's registered direction of harm. Plain shares
   get :func:`equity.stats.share_status` on the published denominator. Ratios against a
   benchmark outside the table are the published value and interval over the benchmark;
   their p-value, which cannot be recomputed from the published figures, is withheld when
   rounding changed the counts. Percentage-point differences (WRES 9, WDES 10: board share
   minus workforce share) are recomputed from the published counts of both shares, the
   comparison share in the row of ``variant`` :data:`~equity.result.WORKFORCE_VARIANT`
   (withheld when a count behind them is suppressed). Any other value computed from counts
   (the diversity index, the Model Employer target share and its ratio) is withheld.
6. **Nothing misleading.** A published share or rate of 0% or 100% that is not exactly so
   is withheld (with any ratio beside or against it): "10 out of 10" for 9 of 12. A ratio
   whose direction (above / below 1), status or "interval excludes 1" differs from the
   exact one, and a percentage-point difference whose sign or "interval excludes 0"
   differs, is withheld. A ratio so withheld keeps the **exact** status: the row is
   ``suppressed`` with status ``adverse`` / ``favourable`` / ``within_range`` and no ratio
   (docs/methodology.md allows the exact status without the distorted number); a report can
   say "rounding would distort this figure; the exact comparison is <status>". Shares
   read side by side with no ratio (the staff survey's, :data:`SIDE_BY_SIDE`) are withheld
   in pairs where the published shares of two known groups are ordered otherwise (higher,
   lower, equal) than the exact ones.

Recomputing rather than keeping figures from unrounded counts is deliberate. The cost is
that published rates and ratios differ slightly from the unrounded ones.

Totals
------
The totals our tables carry, and therefore the lines the attack of rule 3 propagates over:

- **Groups within a stratum.** Rows sharing ``indicator``, ``period``, every stratum and
  ``group_var`` are the groups of one table (White, BME, Unknown). Their numerators add up
  to the shared ``denominator`` when every row carries the same one (representation: White
  + BME + Unknown = all staff; a shared denominator is a single cell); otherwise to a total
  not in the table (all leavers), unknown to the attacker but the same for every
  ``group_var`` of the stratum whose groups add up to it (all leavers by ethnicity = all
  leavers by disability). Their own denominators likewise.
- **Levels of a stratum.** For each of ``organisation``, ``directorate``, ``staff_group``,
  ``profession``, ``band`` and ``clinical``, rows equal in everything but that stratum are
  the parts of the row where that stratum is missing (Band 5 + Band 6 + ... = all bands),
  for numerators and denominators; where the parts cover only some of the total (a band
  outside the list) the total is at least their sum. ``variant`` is not a partition.

Idempotence: every step is a function of the published figures and the ``suppressed``
flags, and a published table is a fixed point of each (its suppressed counts are unknown,
so nothing is pinned again), so applying publication mode twice equals applying it once.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from math import ceil, floor, inf, isnan, nan
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
    WORKFORCE_VARIANT,
    ResultSchemaError,
    bare,
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
# Group labels that carry least (hidden first when a second cell must go).
_UNKNOWN_LABELS = frozenset({"unknown", "not stated", "not declared", "not known",
                             "prefer not to say", "unspecified", "undisclosed"})


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
        # An object array: a fixed-width string array would drop the sentinel's NUL.
        text = col.astype(object).astype(str).to_numpy(dtype=object)
        text[col.isna().to_numpy()] = _MISSING
        cols.append(text.tolist())
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


class _Line:
    """Parts that add up to a total: ``parts`` rows of column ``col`` and an optional
    ``total`` row; ``shared_total_of`` (groups within a stratum, numerators): the rows whose
    shared denominator, if they have one, is the total."""

    def __init__(self, col: str, parts: list[int], total: int | None = None,
                 shared_total_of: list[int] | None = None) -> None:
        self.col = col
        self.parts = parts
        self.total = total
        self.shared_total_of = shared_total_of


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


def _is_unknown(group: object) -> bool:
    """True for a group that is (or, in an intersection, includes) an unknown / not stated
    value: the cells that carry least, hidden first."""
    parts = str(group).lower().replace(" × ", "|").split("|")
    return any(p.strip() in _UNKNOWN_LABELS for p in parts)


class _Cells:
    """The count cells of a table as the variables of an attacker, with the lines that tie
    them (parts adding up to a total), and interval propagation over them.

    A cell is ``(column, row)``; a table's shared denominator is one cell (one variable) on
    every row. Each line ``total = sum(parts)`` (or ``total >= sum(parts)`` when the parts,
    by the exact counts, are a subset of the total) whose total is not in the table gets a
    phantom total: it may be published elsewhere, rounded like any count.
    """

    def __init__(self, num_in: np.ndarray, den_in: np.ndarray, num: np.ndarray,
                 den: np.ndarray, flag: np.ndarray, labels: list[tuple[str, ...]],
                 tables: dict[_Key, list[int]], shared_ok: np.ndarray, *, threshold: int,
                 rounding: int) -> None:
        self.threshold, self.rounding = threshold, rounding
        self.labels = labels
        self.flag = flag
        self.cols = {"numerator": num, "denominator": den}
        exact_cols = {"numerator": num_in, "denominator": den_in}
        n = len(labels)
        self.var_of: dict[tuple[str, int], int] = {}
        self.cells: list[list[tuple[str, int]]] = []
        self.exact: list[float] = []
        self.shared: list[bool] = []
        self.phantom: list[bool] = []
        for rows in tables.values():
            # One shared denominator: every applicable row carries the same figure.
            app = [i for i in rows if np.isfinite(den_in[i]) or (flag[i] and np.isnan(den[i]))]
            vals = {den_in[i] for i in app}
            if len(app) >= 2 and shared_ok[app[0]] and (
                    (len(vals) == 1 and all(np.isfinite(den_in[i]) for i in app))
                    or all(np.isnan(den_in[i]) for i in app)):
                v = self._new(float(den_in[app[0]]), shared=True)
                for i in app:
                    self.var_of[("denominator", i)] = v
                    self.cells[v].append(("denominator", i))
        for col in ("numerator", "denominator"):
            for i in range(n):
                if (col, i) in self.var_of:
                    continue
                if np.isfinite(exact_cols[col][i]) or (flag[i] and np.isnan(self.cols[col][i])):
                    v = self._new(float(exact_cols[col][i]))
                    self.var_of[(col, i)] = v
                    self.cells[v].append((col, i))
        self.lines: list[tuple[list[int], int, bool]] = []  # parts, total, equality
        self.phantom_published: dict[int, float] = {}
        self.phantom_of: dict[tuple[Any, ...], int] = {}

    def _new(self, exact: float, *, shared: bool = False, phantom: bool = False) -> int:
        self.cells.append([])
        self.exact.append(exact)
        self.shared.append(shared)
        self.phantom.append(phantom)
        return len(self.exact) - 1

    def published(self, v: int) -> float:
        if self.phantom[v]:
            return self.phantom_published[v]
        col, i = self.cells[v][0]
        return float(self.cols[col][i])

    def add_line(self, col: str, parts: list[int], total: int | None,
                 shared_total_of: list[int] | None = None) -> None:
        pv = list(dict.fromkeys(self.var_of[(col, i)] for i in parts if (col, i) in self.var_of))
        tv: int | None = None
        if shared_total_of is not None:
            d = [self.var_of.get(("denominator", i)) for i in shared_total_of]
            if d and d[0] is not None and self.shared[d[0]]:
                tv = d[0]
        elif total is not None:
            tv = self.var_of.get((col, total))
        if len(pv) < 1 or (tv is None and len(pv) < 2) or tv in pv:
            return
        sum_exact = sum(self.exact[v] for v in pv)
        if tv is None:
            # The total is not in this output, so it is unknown; but the groups of every
            # group_var of one stratum add up to the same total (all leavers by ethnicity =
            # all leavers by disability): one unknown, tying those tables together.
            key = None
            if shared_total_of is not None and not isnan(sum_exact):
                key = (col, *self.labels[parts[0]][:2 + len(STRATA)], round(sum_exact, 6))
            tv = self.phantom_of.get(key, -1) if key is not None else -1
            if tv < 0:
                tv = self._new(sum_exact, phantom=True)
                self.phantom_published[tv] = nan
                if key is not None:
                    self.phantom_of[key] = tv
            equal = True
        else:
            t = self.exact[tv]
            if isnan(t) or isnan(sum_exact):  # a published table: tied as it was tied before
                equal = True
            elif abs(t - sum_exact) <= 1e-6 * max(1.0, abs(t)):
                equal = True
            elif sum_exact < t:
                equal = False  # the parts are some of the total (e.g. a band outside a list)
            else:
                return  # the parts overlap: no line
        self.lines.append((pv, tv, equal))

    def _prior(self, v: int) -> tuple[float, float, bool]:
        """Bounds an attacker gets from the published figure alone, and whether whole."""
        e = self.exact[v]
        whole = isnan(e) or float(e).is_integer()
        if self.phantom[v]:
            return 0.0, inf, whole
        p = self.published(v)
        t, r = self.threshold, self.rounding
        if isnan(p):
            if not isnan(e) and 0 < e < t + 1:  # a primary suppression: 1..threshold
                return (1.0, float(t), True) if whole else (0.0, t + 1.0, False)
            return 0.0, inf, whole  # another '*' (or unknown): any count
        if p == 0:
            return 0.0, 0.0, whole
        lo, hi = p - r / 2, p + r / 2
        if p - r <= t:  # the smallest published figure also stands for raised counts
            lo = t + 1.0
        lo = max(lo, t + 1.0)
        if whole:
            return float(ceil(lo - 1e-9)), float(ceil(hi - 1e-9) - 1), True
        return lo, hi, False

    def propagate(self, line_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
        """Interval propagation over the given lines to a fixed point: bounds of their cells."""
        lo: dict[int, float] = {}
        hi: dict[int, float] = {}
        whole: dict[int, bool] = {}
        lines_of: dict[int, list[int]] = defaultdict(list)
        for k in line_ids:
            pv, tv, _ = self.lines[k]
            for v in (*pv, tv):
                lines_of[v].append(k)
                if v not in lo:
                    lo[v], hi[v], whole[v] = self._prior(v)
        queue = list(line_ids)
        queued = dict.fromkeys(line_ids, True)
        changed: list[int] = []

        def tighten(v: int, a: float, b: float) -> None:
            if whole[v]:
                a = float(ceil(a - 1e-9)) if a > -inf else a
                b = float(floor(b + 1e-9)) if b < inf else b
            na, nb = max(lo[v], a), min(hi[v], b)
            if na > nb + 1e-9:
                return  # inconsistent with the model: learn nothing
            if na > lo[v] + 1e-9 or nb < hi[v] - 1e-9:
                lo[v], hi[v] = na, nb
                changed.append(v)

        steps = 0
        while queue and steps < 200 * max(1, len(line_ids)):
            steps += 1
            k = queue.pop()
            queued[k] = False
            pv, tv, equal = self.lines[k]
            changed.clear()
            slo = sum(lo[v] for v in pv)
            shi_fin = sum(hi[v] for v in pv if hi[v] < inf)
            n_inf = sum(1 for v in pv if hi[v] == inf)
            if equal:
                tighten(tv, slo, shi_fin if n_inf == 0 else inf)
            else:
                tighten(tv, slo, inf)
            for v in pv:
                own_inf = hi[v] == inf
                others_hi = (shi_fin - (0.0 if own_inf else hi[v])
                             if n_inf - own_inf == 0 else inf)
                lower = lo[tv] - others_hi if equal else -inf
                tighten(v, lower, hi[tv] - (slo - lo[v]))
            for v in changed:
                for j in lines_of[v]:
                    if not queued[j]:
                        queued[j] = True
                        queue.append(j)
        return {v: (lo[v], hi[v]) for v in lo}

    def pinned(self, bounds: dict[int, tuple[float, float]]) -> list[int]:
        """Suppressed counts of 1..threshold whose bounds collapse to one whole number."""
        t = self.threshold
        out = []
        for v, (lo, hi) in bounds.items():
            e = self.exact[v]
            if (not self.phantom[v] and isnan(self.published(v)) and not isnan(e)
                    and float(e).is_integer() and 0 < e <= t and hi - lo < 0.5):
                out.append(v)
        return out

    def suppress(self, v: int) -> list[tuple[str, int, float, bool]]:
        """Hide a cell (on every row it is on); what it was, to undo."""
        undo = [(col, i, float(self.cols[col][i]), bool(self.flag[i])) for col, i in self.cells[v]]
        for col, i in self.cells[v]:
            self.cols[col][i] = nan
            self.flag[i] = True
        return undo

    def restore(self, undo: list[tuple[str, int, float, bool]]) -> None:
        for col, i, value, flag in undo:
            self.cols[col][i] = value
            self.flag[i] = flag

    def loss(self, v: int, totals: set[int]) -> tuple[int, float, tuple[str, ...]]:
        """Least loss first: an unknown group's count, then a total, then a comparison
        group's count, then a denominator shared by a whole table."""
        if self.shared[v]:
            rank = 3
        elif _is_unknown(self.label(v)[-1]):
            rank = 0
        elif v in totals:
            rank = 1
        else:
            rank = 2
        return rank, self.published(v), self.label(v)

    def label(self, v: int) -> tuple[str, ...]:
        """The cell's first row label (whatever the row order) and its column."""
        return min((*self.labels[i], col) for col, i in self.cells[v])


def _protect(cells: _Cells) -> None:
    """Hide one more published cell (least loss first) while an attacker can pin a
    suppressed count of 1..threshold exactly; to a fixed point, one connected group of
    lines at a time."""
    lines_of: dict[int, list[int]] = defaultdict(list)
    parent = list(range(len(cells.lines)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for k, (pv, tv, _) in enumerate(cells.lines):
        for v in (*pv, tv):
            if lines_of[v]:
                parent[root(k)] = root(lines_of[v][0])
            lines_of[v].append(k)
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(len(cells.lines)):
        groups[root(k)].append(k)
    totals = {tv for _, tv, _ in cells.lines}

    def members(line_ids: list[int]) -> list[int]:
        return list(dict.fromkeys(u for k in line_ids
                                  for u in (*cells.lines[k][0], cells.lines[k][1])))

    def hideable(u: int) -> bool:
        return not cells.phantom[u] and not isnan(cells.published(u))

    for line_ids in groups.values():
        if all(hideable(u) or cells.phantom[u] for u in members(line_ids)):
            continue  # nothing suppressed here: nothing to pin
        tried: set[int] = set()
        while True:
            pinned = [v for v in cells.pinned(cells.propagate(line_ids)) if v not in tried]
            if not pinned:
                break
            # One more cell beside each pinned count whose lines no other fix this round
            # touched (two pins on one line may need only one more cell).
            touched: set[int] = set()
            for v in sorted(pinned, key=cells.label):
                if touched.intersection(lines_of[v]):
                    continue
                # The lines within two steps of the count; the whole group of lines when
                # those alone do not pin it (then only a few candidates are tried).
                ring = list(dict.fromkeys(
                    [*lines_of[v], *(k for u in members(lines_of[v]) for k in lines_of[u])]))
                tries = len(ring)
                if v not in cells.pinned(cells.propagate(ring)):
                    ring, tries = line_ids, 4
                candidates = sorted((u for u in members(ring)
                                     if hideable(u) and cells.published(u) != 0),
                                    key=lambda u: cells.loss(u, totals))
                pick = -1
                for u in candidates[:tries]:
                    undo = cells.suppress(u)
                    freed = v not in cells.pinned(cells.propagate(ring))
                    cells.restore(undo)
                    if freed:
                        pick = u
                        break
                if pick < 0:
                    # Only the small counts themselves pin it (every * at least 1, a *
                    # total at most 7): no published count can help. Its lines' zeros are
                    # shown as * too, so that * there may stand for 0.
                    tried.add(v)
                    for u in members(lines_of[v]):
                        if hideable(u) and cells.published(u) == 0:
                            cells.suppress(u)
                    continue
                cells.suppress(pick)
                touched.update(lines_of[v], lines_of[pick])


# --------------------------------------------------------------------------- ratios


_ORIENTATIONS = ("group_over_reference", "reference_over_group")
#: Ratio methods a table's ratios are recognised by: relative likelihoods with Koopman's or
#: Katz's interval, or an odds ratio with Woolf's (the pipeline disparity).
_METHODS = ("koopman", "katz", "woolf_odds")
_Z95 = 1.959963984540054


def _rl(own_x: np.ndarray, own_n: np.ndarray, ref_x: np.ndarray, ref_n: np.ndarray,
        orientation: str, method: str, exact: bool = False) -> pd.DataFrame:
    if orientation == "group_over_reference":
        a, n_a, b, n_b = own_x, own_n, ref_x, ref_n
    else:
        a, n_a, b, n_b = ref_x, ref_n, own_x, own_n
    if method != "woolf_odds":
        m = cast(Literal["koopman", "katz"], method)
        return stats.relative_likelihood(a, n_a, b, n_b, method=m, exact=exact)
    # (a / (n_a - a)) / (b / (n_b - b)), Woolf (1955) log interval; NaN with a zero cell.
    a, n_a, b, n_b = (np.asarray(v, dtype="float64") for v in (a, n_a, b, n_b))
    a_, b_ = n_a - a, n_b - b
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((a_ > 0) & (b > 0), (a * b_) / (a_ * b), np.nan)
        cells = (a > 0) & (a_ > 0) & (b > 0) & (b_ > 0)
        se = np.sqrt(1 / a + 1 / a_ + 1 / b + 1 / b_)
        lo = np.where(cells, ratio * np.exp(-_Z95 * se), np.nan)
        hi = np.where(cells, ratio * np.exp(_Z95 * se), np.nan)
    p = stats.fisher_exact_p(a, n_a, b, n_b) if exact else np.full(len(a), np.nan)
    return pd.DataFrame({"ratio": ratio, "ratio_ci_low": lo, "ratio_ci_high": hi,
                         "p_value": p})


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
                         stored: pd.DataFrame, indicators: np.ndarray
                         ) -> list[tuple[str, str] | None]:
    """Direction and method that reproduce each stored ratio and interval from the input
    counts; None where none does (the ratio is then withheld: it cannot be recomputed).

    Every combination of direction and method is scored on the log scale over the ratio and
    its interval. A ratio of exactly 1 fits both directions: the choice most rows of the same
    indicator made (else the first in order) is used.
    """
    if len(rows) == 0:
        return []
    x, n, xr, nr = num[rows], den[rows], num[ref[rows]], den[ref[rows]]
    want = {c: stored[c].to_numpy(dtype="float64")[rows]
            for c in ("ratio", "ratio_ci_low", "ratio_ci_high")}
    combos = [(o, m) for m in _METHODS for o in _ORIENTATIONS]
    scores = []
    for o, m in combos:
        cand = _rl(x, n, xr, nr, o, m)
        scores.append(sum((_log_gap(cand[c].to_numpy(), want[c]) for c in want),
                          start=np.zeros(len(rows))))
    score = np.vstack(scores)
    best = score.min(axis=0)
    fits = score <= best + 1e-9
    unique = fits.sum(axis=0) == 1
    votes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for d in np.flatnonzero(unique & (best <= 1e-6)).tolist():
        votes[indicators[rows[d]]][int(score[:, d].argmin())] += 1
    out: list[tuple[str, str] | None] = []
    for d in range(len(rows)):
        if best[d] > 1e-6:
            out.append(None)
            continue
        ok = np.flatnonzero(fits[:, d]).tolist()
        v = votes.get(indicators[rows[d]], {})
        out.append(combos[max(ok, key=lambda j: (v.get(j, 0), -j))])
    return out


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
    NHS Digital's rule for sub-national statistics (docs/methodology.md "Disclosure control";
    NHS Digital, *Disclosure control methodology for HES and ECDS*, 2018): counts 1-7
    suppressed, others rounded to the nearest 5, percentages from rounded figures, averages
    from fewer than 8 people suppressed. Library method on top: every figure recomputed
    from the rounded counts or withheld; a second cell hidden (least loss first) only where
    an interval attack on the lines of the module docstring pins a count of 1-7; figures
    whose conclusion rounding would change withheld, the exact status kept (``suppressed``
    True, status not ``insufficient_evidence``, no ratio). Idempotent.

    Examples
    --------
    >>> from equity.result import make_result
    >>> r = make_result({"group_var": "ethnicity", "group": ["White", "BME", "Unknown"],
    ...                  "numerator": [88, 12, 3], "denominator": 103,
    ...                  "value": [88 / 103, 12 / 103, 3 / 103]}, indicator="representation",
    ...                 period="2024/25")
    >>> p = apply_disclosure(r)
    >>> p[["group", "numerator", "denominator", "suppressed"]].to_dict("list")
    {'group': ['White', 'BME', 'Unknown'], 'numerator': [90.0, 10.0, nan], 'denominator': [105.0, 105.0, 105.0], 'suppressed': [False, False, True]}
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
    # The work is done on the rows alone (their attrs are published once, below).
    result = bare(result)
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

    # 3. secondary suppression: only where the published figures would pin a small count
    cells = _Cells(num_in, den_in, num, den, flag, labels, tables, ~is_pay,
                   threshold=threshold, rounding=rounding)
    for line in _lines(labels, tables):
        cells.add_line(line.col, line.parts, line.total, line.shared_total_of)
    _protect(cells)
    num, den = cells.cols["numerator"], cells.cols["denominator"]

    # 4. dependent figures
    own = (np.isnan(num) & flag) | (np.isnan(den) & flag) | extra_own
    ratio_gone = own | (has_ref & own[np.where(has_ref, ref, 0)])
    flag |= ratio_gone
    value_gone = own | (is_pay & ratio_gone)

    # 5. recomputation from the published figures
    value = val_in.copy()
    ci_low = out["ci_low"].to_numpy(dtype="float64", copy=True)
    ci_high = out["ci_high"].to_numpy(dtype="float64", copy=True)
    ratios = {c: out[c].to_numpy(dtype="float64", copy=True) for c in _RATIO_COLUMNS}
    status = np.array(out["status"].tolist(), dtype=object)

    # What was recomputed from the published counts (or, pay measures, is not a function of
    # counts): anything else computed from exact counts is withheld at the end.
    value_done = is_pay.copy()
    ratio_done = np.zeros(n_rows, dtype=bool)
    prop_now = is_prop & ~value_gone
    value_done |= is_prop | is_pct | is_count_value
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
        unknown_method = rl_rows[[c is None for c in choices]]
        ratio_gone[unknown_method] = True
        for (o, m) in sorted({c for c in choices if c is not None}):
            sel = rl_rows[[c == (o, m) for c in choices]]
            exact = np.isfinite(ratios["p_value"][sel])
            rl = _rl(num[sel], den[sel], num[ref[sel]], den[ref[sel]], o, m, exact=True)
            for c in ("ratio", "ratio_ci_low", "ratio_ci_high"):
                ratios[c][sel] = rl[c].to_numpy()
            ratios["p_value"][sel] = np.where(exact, rl["p_value"].to_numpy(), np.nan)
            ratio_done[sel] = True
            _classify_rows(status, sel, rl["ratio"].to_numpy(), den[sel], den[ref[sel]],
                           indicators, non_adverse_range=non_adverse_range, min_n=min_n)

    # Ratios against something outside the table (a benchmark b = value / ratio): the
    # published value and interval over b, where the input's interval was the value's over b.
    with np.errstate(divide="ignore", invalid="ignore"):
        b_in = val_in / ratio_in
        scaled = (np.isclose(out["ratio_ci_low"].to_numpy(dtype="float64") * b_in,
                             out["ci_low"].to_numpy(dtype="float64"), rtol=1e-9, atol=1e-12)
                  & np.isclose(out["ratio_ci_high"].to_numpy(dtype="float64") * b_in,
                               out["ci_high"].to_numpy(dtype="float64"), rtol=1e-9, atol=1e-12))
    bench = np.flatnonzero(~has_ref & np.isfinite(ratio_in) & is_prop & ~ratio_gone
                           & (val_in > 0) & scaled)
    if len(bench):
        ratios["ratio"][bench] = value[bench] / b_in[bench]
        ratios["ratio_ci_low"][bench] = ci_low[bench] / b_in[bench]
        ratios["ratio_ci_high"][bench] = ci_high[bench] / b_in[bench]
        ratio_done[bench] = True
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

    # Percentage-point differences (WRES 9, WDES 10): from the published counts of both
    # shares, the comparison share in the row of variant WORKFORCE_VARIANT.
    _recompute_differences(out, labels, position, num, den, val_in, ratio_in, value, ci_low,
                           ci_high, ratios, status, value_done, ratio_done, indicators,
                           min_n=min_n)

    # Plain shares: status from the published denominator.
    plain = (is_prop & ~has_ref & ~np.isfinite(ratio_in) & ~value_gone
             & np.isin(status, [NOT_APPLICABLE, INSUFFICIENT]))
    if plain.any():
        status[plain] = stats.share_status(den[plain], min_n=min_n)

    # Nothing computed from exact counts is published beside the rounded ones.
    value_gone |= np.isfinite(val_in) & ~value_done
    ratio_gone |= np.isfinite(ratio_in) & ~ratio_done
    status[own | ratio_gone] = INSUFFICIENT
    # Nothing misleading: a share of 0% or 100% that is not exactly so, and a ratio (or a
    # difference) whose direction, status or "interval excludes 1" is not the exact one,
    # are withheld; such a ratio keeps the exact status (suppressed, status not
    # insufficient_evidence, ratio withheld: "the exact conclusion, without the number").
    extreme = _false_extremes(value, val_in, is_prop, is_pct) & ~value_gone
    value_gone |= extreme
    # (a ratio beside, or against, such a share is distorted with it)
    extreme_pair = extreme | (has_ref & extreme[ref_safe])
    wrong = _misleading(ratio_in, ratios, out, status, ~ratio_gone) | (
        extreme_pair & np.isfinite(ratio_in) & ~ratio_gone)
    ratio_gone |= wrong
    status[wrong] = np.array(out["status"].tolist(), dtype=object)[wrong]
    wrong_diff = _misleading_difference(val_in, value, out, ci_low, ci_high,
                                        units == "percentage_points") & ~value_gone
    value_gone |= wrong_diff
    # Shares read side by side without a ratio (the staff survey's, group against group):
    # rounded, a pair must not be ordered otherwise than exactly.
    value_gone |= _misordered(value, val_in, tables, groups, indicators,
                              (is_prop | is_pct) & ~value_gone)
    flag |= value_gone | ratio_gone

    value[value_gone] = np.nan
    ci_low[value_gone] = np.nan
    ci_high[value_gone] = np.nan
    for c in _RATIO_COLUMNS:
        ratios[c][ratio_gone] = np.nan

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



def _recompute_differences(out: pd.DataFrame, labels: list[tuple[str, ...]],
                           position: dict[tuple[str, ...], int], num: np.ndarray,
                           den: np.ndarray, val_in: np.ndarray, ratio_in: np.ndarray,
                           value: np.ndarray, ci_low: np.ndarray, ci_high: np.ndarray,
                           ratios: dict[str, np.ndarray], status: np.ndarray,
                           value_done: np.ndarray, ratio_done: np.ndarray,
                           indicators: np.ndarray, *, min_n: int) -> None:
    """Percentage-point differences (share − comparison share) × 100 from published counts.

    A row of unit ``percentage_points`` is paired with the row equal in everything but
    ``variant``, which is :data:`~equity.result.WORKFORCE_VARIANT`; its value becomes the
    difference of the two published shares, its interval the Wilson interval of its own
    share less the comparison share, its ratio (where it had one) share ÷ comparison share,
    its status re-derived as the indicator's. Without a published pair the figures stay
    undone (and are withheld).
    """
    vpos = 2 + STRATA.index("variant")
    units = [REGISTRY[i].unit if i in REGISTRY else None for i in indicators]
    rows, pairs = [], []
    for r, lab in enumerate(labels):
        if units[r] != "percentage_points" or lab[vpos] == WORKFORCE_VARIANT:
            continue
        w = position.get((*lab[:vpos], WORKFORCE_VARIANT, *lab[vpos + 1:]), -1)
        if w >= 0 and np.isfinite(val_in[r]) and all(
                np.isfinite(v) for v in (num[r], den[r], num[w], den[w])) and den[w] > 0:
            rows.append(r)
            pairs.append(w)
    if not rows:
        return
    i, j = np.array(rows), np.array(pairs)
    own = stats.proportion(num[i], den[i])
    base = num[j] / den[j]
    value[i] = (own["value"].to_numpy() - base) * 100
    ci_low[i] = (own["ci_low"].to_numpy() - base) * 100
    ci_high[i] = (own["ci_high"].to_numpy() - base) * 100
    value_done[i] = True
    has = np.isfinite(ratio_in[i]) & (base > 0)
    if has.any():
        k, b = i[has], base[has]
        ratios["ratio"][k] = own["value"].to_numpy()[has] / b
        ratios["ratio_ci_low"][k] = own["ci_low"].to_numpy()[has] / b
        ratios["ratio_ci_high"][k] = own["ci_high"].to_numpy()[has] / b
        ratios["p_value"][k] = np.nan
        ratio_done[k] = True
        _classify_rows(status, k, ratios["ratio"][k], den[k], den[j[has]], indicators,
                       non_adverse_range=stats.NON_ADVERSE_RANGE, min_n=min_n)


def _classify_rows(status: np.ndarray, rows: np.ndarray, ratio: np.ndarray, den_a: np.ndarray,
                   den_b: np.ndarray, indicators: np.ndarray, *,
                   non_adverse_range: tuple[float, float], min_n: int) -> None:
    """Status of recomputed ratios (``ratio``, ``den_a``, ``den_b`` aligned with ``rows``),
    by each indicator's registered direction of harm (:func:`equity.stats.classify`)."""
    for ind in sorted(set(indicators[rows])):
        meta = REGISTRY.get(ind)
        if meta is None or meta.harm is None:
            continue
        these = indicators[rows] == ind
        status[rows[these]] = stats.classify(ratio[these], den_a[these], den_b[these],
                                             harm=meta.harm, non_adverse_range=non_adverse_range,
                                             min_n=min_n)


def _false_extremes(value: np.ndarray, val_in: np.ndarray, is_prop: np.ndarray,
                    is_pct: np.ndarray) -> np.ndarray:
    """Published shares or rates of 0% or 100% whose exact value is not 0% or 100%."""
    scale = np.where(is_pct, 100.0, 1.0)
    with np.errstate(invalid="ignore"):
        pub = value / scale
        exact = val_in / scale
        at_end = (np.isclose(pub, 1.0, rtol=0, atol=1e-12) & ~np.isclose(exact, 1.0, rtol=0, atol=1e-12)) | (
            np.isclose(pub, 0.0, rtol=0, atol=1e-12) & ~np.isclose(exact, 0.0, rtol=0, atol=1e-12))
    return (is_prop | is_pct) & np.isfinite(value) & np.isfinite(val_in) & at_end


def _side(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, at: float
          ) -> tuple[np.ndarray, np.ndarray]:
    """Direction of ``x`` against ``at`` (-1, 0, 1) and whether [lo, hi] excludes ``at``
    (NaN interval: -1, a value of its own)."""
    with np.errstate(invalid="ignore"):
        direction = np.sign(x - at)
        excl = np.where(np.isfinite(lo) & np.isfinite(hi),
                        ((lo > at) | (hi < at)).astype(float), -1.0)
    return direction, excl


def _misleading(ratio_in: np.ndarray, ratios: dict[str, np.ndarray], out: pd.DataFrame,
                status: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Published ratios whose direction, status or "interval excludes 1" is not the exact one."""
    d_in, e_in = _side(ratio_in, out["ratio_ci_low"].to_numpy(dtype="float64"),
                       out["ratio_ci_high"].to_numpy(dtype="float64"), 1.0)
    d_pub, e_pub = _side(ratios["ratio"], ratios["ratio_ci_low"], ratios["ratio_ci_high"], 1.0)
    status_in = np.array(out["status"].tolist(), dtype=object)
    # A status is compared where the input had one of a ratio (not "not_applicable").
    judged = np.isin(status_in, [ADVERSE, FAVOURABLE, WITHIN, INSUFFICIENT])
    both = kept & np.isfinite(ratio_in) & np.isfinite(ratios["ratio"])
    return both & ((d_in != d_pub) | ((e_in != e_pub) & (e_in >= 0) & (e_pub >= 0))
                   | (judged & (status_in != status)))


#: Indicators whose groups' shares a reader compares side by side, with no ratio between
#: them: the staff survey questions (WRES 5-8, WDES 4-9: "BME 26.6% / White 25.3%").
SIDE_BY_SIDE: frozenset[str] = frozenset(i for i, m in REGISTRY.items() if "survey" in m.needs)


def _misordered(value: np.ndarray, val_in: np.ndarray, tables: dict[_Key, list[int]],
                groups: list[Any], indicators: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Rows of a :data:`SIDE_BY_SIDE` table whose published share is ordered against another
    known group's otherwise than the exact shares are (higher, lower or equal): both rows
    of every such pair. MHA 2023/24, WRES 6: exactly 17 of 64 BME and 44 of 174 White
    respondents (26.6% against 25.3%), rounded 15 of 65 and 45 of 175 (23.1% against
    25.7%)."""
    out = np.zeros(len(value), dtype=bool)
    for rows in tables.values():
        rows = [i for i in rows if indicators[i] in SIDE_BY_SIDE and kept[i]
                and np.isfinite(value[i]) and np.isfinite(val_in[i])
                and not _is_unknown(groups[i])]
        for k, i in enumerate(rows):
            for j in rows[k + 1:]:
                if np.sign(value[i] - value[j]) != np.sign(val_in[i] - val_in[j]):
                    out[i] = out[j] = True
    return out


def _misleading_difference(val_in: np.ndarray, value: np.ndarray, out: pd.DataFrame,
                           ci_low: np.ndarray, ci_high: np.ndarray, is_pp: np.ndarray
                           ) -> np.ndarray:
    """Published percentage-point differences whose sign or "interval excludes 0" is not
    the exact one."""
    d_in, e_in = _side(val_in, out["ci_low"].to_numpy(dtype="float64"),
                       out["ci_high"].to_numpy(dtype="float64"), 0.0)
    d_pub, e_pub = _side(value, ci_low, ci_high, 0.0)
    both = is_pp & np.isfinite(val_in) & np.isfinite(value)
    return both & ((d_in != d_pub) | ((e_in != e_pub) & (e_in >= 0) & (e_pub >= 0)))


def table_note(mode: Mode) -> str:
    """The one line under every published table saying how its figures were controlled.

    >>> table_note("internal")
    'Exact counts (internal use only).'
    """
    check_choice("mode", mode, MODES)
    if mode == "internal":
        return "Exact counts (internal use only)."
    return ("* withheld to protect small numbers (see 'Disclosure control'); counts rounded "
            f"to the nearest {ROUNDING}, rates worked out from the rounded counts.")


def disclosure_banner(mode: Mode) -> str | None:
    """The warning a page shows at its top in ``mode`` (internal mode only), else None."""
    check_choice("mode", mode, MODES)
    return disclosure_note(mode) if mode == "internal" else None


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
        "national level (Disclosure control methodology for Hospital Episode Statistics "
        f"and Emergency Care Data Set, 2018). Counts from 1 to {threshold} are shown as *, "
        f"and every other count is rounded to the nearest {rounding} (0 is shown as 0), so "
        "figures may not add up exactly to their totals. Percentages, rates, relative "
        "likelihoods, differences and their confidence intervals are worked out from the "
        "rounded counts, so they can differ slightly from figures calculated on exact data; "
        "any figure that depends on a hidden count is not shown. Where the rounded figures "
        "would still give a hidden count away, one more figure is hidden (a not-stated group "
        "first), so * can also stand for 0 or a larger number. Where rounding would change "
        "what a figure says (for example turn a difference that could be chance into a clear "
        "one), the figure is not shown and the conclusion from the exact data is given "
        "instead. Average pay and pay gaps based on fewer than "
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
