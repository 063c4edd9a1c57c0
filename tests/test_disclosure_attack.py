"""The attack test of disclosure control (METHODOLOGY.md "Disclosure control", outcome 1).

An attacker holds every figure of one published output (the disclosure-controlled result
table of :func:`equity.indicators`) and tries to determine a count of 1-7 exactly:

- each published count ``r`` bounds the exact count to ``[max(r - 2, 8), r + 2]`` (``r > 0``)
  or ``{0}``; a ``*`` hiding a small count to ``[0, 7]`` (0 can be hidden too, where the
  small counts alone would give each other away; the attacker is even told which ``*`` hide
  a small count: a stronger attacker than a real one); any other ``*`` to ``[0, inf)``;
- the lines of the module docstring tie counts by sums: the groups of one table add up to
  their shared denominator (or, rates, to an unknown total shared by every group_var of the
  stratum: all leavers by ethnicity = all leavers by disability); the levels of a stratum
  add up to the row without it;
- a published rate, share, ratio or percentage-point difference that the published counts
  do not reproduce was computed from exact counts: it constrains them (every combination of
  exact counts within their bounds that does not give the figure is ruled out);

and propagates intervals to a fixed point. A count of 1-7 whose bounds collapse to one value
is determined: a failure. The attacker's bounds are checked to contain the truth (a sound
attacker), so a test that passes is not passing on a wrong model.

Written independently of equity.disclosure (its own lines, bounds and formulas).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from math import ceil, floor, inf, isfinite

import numpy as np
import pandas as pd
import pytest

import equity as eq
from equity.disclosure import apply_disclosure
from equity.io import Dataset
from equity.result import STRATA

SAMPLE = "data/sample"
PERIOD = "2024/25"
KEY = ["indicator", "period", *STRATA, "group_var", "group"]
SPLIT = ["organisation", "directorate", "staff_group", "profession", "band", "clinical"]
MAX_COMBOS = 200_000


def _key(row: dict, cols: list[str]) -> tuple:
    return tuple("" if pd.isna(row[c]) else str(row[c]) for c in cols)


class Attacker:
    """Interval attacker over one published table; ``exact`` (same rows, same order) is the
    truth, used only to say which ``*`` hide 1-7, to learn the tables' structure (which
    rows add up) and to check soundness."""

    def __init__(self, published: pd.DataFrame, exact: pd.DataFrame) -> None:
        assert list(published[KEY].astype(str).itertuples(index=False)) == list(
            exact[KEY].astype(str).itertuples(index=False))
        self.p = published.reset_index(drop=True)
        self.e = exact.reset_index(drop=True)
        self.pr = self.p.to_dict("records")  # plain rows: pandas cell access is slow
        self.er = self.e.to_dict("records")
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.truth: list[float] = []
        self.small: list[bool] = []
        self.var: dict[tuple[int, str], int] = {}
        self.sums: list[tuple[list[int], int]] = []
        self.figures: list[tuple[list[int], object, float]] = []
        self._build()

    # ---------------------------------------------------------------- variables
    def _new(self, lo: float, hi: float, truth: float, small: bool = False) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        self.truth.append(truth)
        self.small.append(small)
        return len(self.lo) - 1

    def _cell(self, i: int, col: str) -> int | None:
        if (i, col) in self.var:
            return self.var[(i, col)]
        t = float(self.er[i][col])
        if not isfinite(t):
            return None
        r = float(self.pr[i][col])
        whole = t.is_integer()
        if np.isnan(r):
            small = 0 < t < 8
            lo, hi = (0.0, 7.0 if whole else 8.0) if t < 8 else (0.0, inf)
        elif r == 0:
            small, lo, hi = False, 0.0, 0.0
        elif whole:  # rounded half up to 5: r - 2 .. r + 2, and never below 8
            small, lo, hi = False, max(r - 2, 8.0), r + 2
        else:
            small, lo, hi = False, max(r - 2.5, 8.0), r + 2.5
        v = self._new(lo, hi, t, small and whole)
        self.var[(i, col)] = v
        return v

    # ---------------------------------------------------------------- structure
    def _build(self) -> None:
        e = self.e
        tables: dict[tuple, list[int]] = defaultdict(list)
        for i, row in enumerate(self.er):
            tables[_key(row, KEY[:-1])].append(i)
        totals: dict[tuple, int] = {}
        for key, rows in tables.items():
            num = e.loc[rows, "numerator"].to_numpy(float)
            den = e.loc[rows, "denominator"].to_numpy(float)
            if len(rows) < 2 or not np.isfinite(num).all():
                continue
            shared = np.isfinite(den).all() and len(set(den.tolist())) == 1 and abs(
                num.sum() - den[0]) < 1e-6
            nv = [self._cell(i, "numerator") for i in rows]
            if shared:
                d0 = self._cell(rows[0], "denominator")
                for i in rows[1:]:  # one shared denominator: equal cells
                    self.sums.append(([self._cell(i, "denominator")], d0))
                self.sums.append((nv, d0))
                continue
            for col, vals in (("numerator", num), ("denominator", den)):
                if not np.isfinite(vals).all():
                    continue
                # an unknown total, the same for every group_var of the stratum
                tk = (key[:-1], col, round(float(vals.sum()), 6))
                if tk not in totals:
                    totals[tk] = self._new(0.0, inf, float(vals.sum()))
                self.sums.append(([self._cell(i, col) for i in rows], totals[tk]))
        for s in SPLIT:
            others = [c for c in KEY if c != s]
            by: dict[tuple, list[int]] = defaultdict(list)
            for i, row in enumerate(self.er):
                by[_key(row, others)].append(i)
            for rows in by.values():
                parts = [i for i in rows if not pd.isna(self.er[i][s])]
                total = [i for i in rows if pd.isna(self.er[i][s])]
                if not parts or not total:
                    continue
                for col in ("numerator", "denominator"):
                    vals = e.loc[parts, col].to_numpy(float)
                    t = float(self.er[total[0]][col])
                    if np.isfinite(vals).all() and isfinite(t) and abs(vals.sum() - t) < 1e-6:
                        self.sums.append(([self._cell(i, col) for i in parts],
                                          self._cell(total[0], col)))
        self._figures()

    def _figures(self) -> None:
        """Published figures the published counts do not reproduce: constraints."""
        pos = {_key(r, KEY): i for i, r in enumerate(self.pr)}
        for i, row in enumerate(self.pr):
            x, n = self._cell(i, "numerator"), self._cell(i, "denominator")
            v = float(row["value"])
            if x is None or n is None or not isfinite(v):
                continue
            px, pn = float(row["numerator"]), float(row["denominator"])
            if row["indicator"] in ("wres_9", "wdes_10") and pd.isna(row["variant"]):
                j = self._comparison(i, row, pos)
                if j is not None:
                    wx, wn = self._cell(j, "numerator"), self._cell(j, "denominator")
                    if wx is not None and wn is not None:
                        f = _pp
                        if not _same(f(px, pn, self.pr[j]["numerator"],
                                       self.pr[j]["denominator"]), v):
                            self.figures.append(([x, n, wx, wn], f, v))
                continue
            for scale in (1.0, 100.0):
                f = _share(scale)
                if np.isclose(v, f(float(self.er[i]["numerator"]),
                                   float(self.er[i]["denominator"])), rtol=1e-9, atol=1e-12):
                    if not _same(f(px, pn), v):
                        self.figures.append(([x, n], f, v))
                    break
        for i, row in enumerate(self.pr):
            ratio = float(row["ratio"])
            ref = row["reference_group"]
            if not isfinite(ratio) or pd.isna(ref) or ref == row["group"]:
                continue
            j = pos.get((*_key(row, KEY[:-1]), str(ref)))
            if j is None:
                continue
            cells = [self._cell(i, "numerator"), self._cell(i, "denominator"),
                     self._cell(j, "numerator"), self._cell(j, "denominator")]
            if any(c is None for c in cells):
                continue
            pub = [float(row["numerator"]), float(row["denominator"]),
                   float(self.pr[j]["numerator"]), float(self.pr[j]["denominator"])]
            if any(_same(f(*pub), ratio) for f in RATIOS):
                continue  # recomputed from the published counts: nothing new
            self.figures.append((cells, _any_ratio, ratio))

    def _comparison(self, i: int, row: dict, pos: dict) -> int | None:
        """The workforce share a board difference is taken from: the row of variant
        'workforce', else (an older layout) the whole-workforce row of WRES 1 / WDES 1."""
        k = _key(row, KEY)
        vpos = KEY.index("variant")
        j = pos.get((*k[:vpos], "workforce", *k[vpos + 1:]))
        if j is not None:
            return j
        whole = "wres_1" if row["indicator"] == "wres_9" else "wdes_1"
        want = {"indicator": whole, "group_var": row["group_var"], "group": row["group"]}
        for c in ("band", "clinical", "variant"):
            want[c] = None
        m = self.p
        sel = np.ones(len(m), dtype=bool)
        for c, val in want.items():
            sel &= m[c].isna().to_numpy() if val is None else (m[c] == val).to_numpy()
        hits = np.flatnonzero(sel)
        return int(hits[0]) if len(hits) == 1 else None

    # ---------------------------------------------------------------- the attack
    def run(self) -> list[int]:
        lo, hi = self.lo, self.hi
        whole = [float(t).is_integer() for t in self.truth]

        def tighten(v: int, a: float, b: float) -> bool:
            if whole[v]:
                a = float(ceil(a - 1e-9)) if a > -inf else a
                b = float(floor(b + 1e-9)) if b < inf else b
            a, b = max(lo[v], a), min(hi[v], b)
            if a > lo[v] + 1e-9 or b < hi[v] - 1e-9:
                lo[v], hi[v] = a, b
                return True
            return False

        changed = True
        rounds = 0
        while changed and rounds < 500:
            changed, rounds = False, rounds + 1
            for parts, total in self.sums:
                s_lo = sum(lo[v] for v in parts)
                s_hi = sum(hi[v] for v in parts)
                changed |= tighten(total, s_lo, s_hi)
                for v in parts:
                    rest_lo = s_lo - lo[v]
                    rest_hi = inf if s_hi == inf else s_hi - hi[v]
                    changed |= tighten(v, lo[total] - rest_hi, hi[total] - rest_lo)
            for cells, f, v in self.figures:
                ranges = [range(int(lo[c]), int(hi[c]) + 1) if whole[c] and hi[c] < inf
                          else None for c in cells]
                if any(r is None for r in ranges) or np.prod([len(r) for r in ranges]) > MAX_COMBOS:
                    continue
                ok = [t for t in itertools.product(*ranges) if _figure_ok(f, t, v)]
                if not ok:
                    continue  # not this formula's figure: learn nothing
                for k, c in enumerate(cells):
                    changed |= tighten(c, min(t[k] for t in ok), max(t[k] for t in ok))
        for v, t in enumerate(self.truth):  # a sound attacker never rules out the truth
            assert lo[v] - 1e-6 <= t <= hi[v] + 1e-6, (v, t, lo[v], hi[v])
        return [v for v in range(len(lo)) if self.small[v] and hi[v] - lo[v] < 0.5]

    def describe(self, v: int) -> str:
        (i, col), = [k for k, u in self.var.items() if u == v][:1]
        r = self.pr[i]
        where = ", ".join(f"{c}={r[c]}" for c in KEY if not pd.isna(r[c]))
        return f"{col} {self.truth[v]:g} of [{where}]"


def _same(a: float, b: float) -> bool:
    return bool(isfinite(a) and isfinite(b) and abs(a - b) <= 1e-9 * max(1.0, abs(b)))


def _share(scale: float):
    def f(x: float, n: float) -> float:
        return scale * x / n if n > 0 else float("nan")
    return f


def _pp(x: float, n: float, wx: float, wn: float) -> float:
    return 100 * (x / n - wx / wn) if n > 0 and wn > 0 else float("nan")


def _rl(x: float, n: float, xr: float, nr: float) -> float:
    return (x / n) / (xr / nr) if n > 0 and nr > 0 and xr > 0 else float("nan")


def _odds(x: float, n: float, xr: float, nr: float) -> float:
    return (x / (n - x)) / (xr / (nr - xr)) if n > x and nr > xr and xr > 0 else float("nan")


RATIOS = (_rl, lambda x, n, xr, nr: _rl(xr, nr, x, n), _odds,
          lambda x, n, xr, nr: _odds(xr, nr, x, n))


def _any_ratio(x: float, n: float, xr: float, nr: float) -> float:
    """Stands for "any of RATIOS" (see _figure_ok)."""
    return float("nan")


def _figure_ok(f, t: tuple, v: float) -> bool:
    if f is _any_ratio:
        return any(_same(g(*t), v) for g in RATIOS)
    return _same(f(*t), v)


# --------------------------------------------------------------------------- outputs


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return eq.read_dataset(SAMPLE)


def small_organisation(sample: Dataset, name: str) -> Dataset:
    """7-60 staff drawn from the sample (all their records), 8 or more of the board at the
    period's end and some applications, with a seed derived from ``name``."""
    rng = np.random.default_rng(_seed(name))
    staff = sample.staff
    ids = staff["staff_id"].drop_duplicates()
    keep = set(rng.choice(ids.to_numpy(), size=int(rng.integers(7, 61)), replace=False))
    frames = {"staff": staff.loc[staff["staff_id"].isin(keep)]}
    for t in ("leavers", "casework", "training"):
        table = getattr(sample, t)
        frames[t] = table.loc[table["staff_id"].isin(keep)]
    board = sample.board
    # a board of 8 or more at the period's end, so that its counts can be published
    members = board.loc[board["snapshot_date"] == board["snapshot_date"].max(),
                        "member_id"].drop_duplicates().to_numpy()
    chosen = set(rng.choice(members, size=int(rng.integers(8, len(members) + 1)),
                            replace=False))
    frames["board"] = board.loc[board["member_id"].isin(chosen)]
    rec = sample.recruitment
    frames["recruitment"] = rec.iloc[np.sort(rng.choice(len(rec), size=int(rng.integers(10, 80)),
                                                        replace=False))]
    return Dataset.from_frames(**{k: v.reset_index(drop=True) for k, v in frames.items()})


def attack(ds: Dataset, **kwargs) -> list[str]:
    """Every count of 1-7 the attacker determines from the published table."""
    exact = eq.indicators(ds, period=PERIOD, disclosure="internal", **kwargs)
    published = apply_disclosure(exact)
    a = Attacker(published, exact)
    return [a.describe(v) for v in a.run()]


SAMPLE_OUTPUTS = [
    pytest.param({}, id="trust"),
    pytest.param({"within": ("directorate",)}, id="directorates", marks=pytest.mark.slow),
    pytest.param({"within": ("profession",), "staff_group": "Allied Health Professionals"},
                 id="AHP-professions", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("kwargs", SAMPLE_OUTPUTS)
def test_no_small_count_is_recoverable_from_the_sample(sample, kwargs):
    assert attack(sample, **kwargs) == []


@pytest.mark.parametrize("name", [f"small organisation {k}" for k in range(4)])
def test_no_small_count_is_recoverable_in_small_organisations(sample, name):
    ds = small_organisation(sample, name)
    assert attack(ds) == []
    assert attack(ds, within=("directorate",)) == []


# --------------------------------------------------------------------------- nothing misleading


def _conclusions(t: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(invalid="ignore"):
        return pd.DataFrame({
            "direction": np.sign(t["ratio"] - 1),
            "excludes_1": (t["ratio_ci_low"] > 1) | (t["ratio_ci_high"] < 1),
            "status": t["status"],
        })


@pytest.mark.parametrize("kwargs", SAMPLE_OUTPUTS)
def test_published_ratios_state_the_exact_conclusion_or_are_withheld(sample, kwargs):
    exact = eq.indicators(sample, period=PERIOD, disclosure="internal", **kwargs)
    published = apply_disclosure(exact)
    rows = exact["ratio"].notna() & published["ratio"].notna()
    assert rows.sum() > 0
    pd.testing.assert_frame_equal(_conclusions(published.loc[rows]),
                                  _conclusions(exact.loc[rows]))
    # withheld because rounding would mislead: the exact status is kept, marked
    kept = (exact["ratio"].notna() & published["ratio"].isna() & published["suppressed"]
            & published["status"].isin(["adverse", "favourable", "within_range"]))
    assert (published.loc[kept, "status"] == exact.loc[kept, "status"]).all()


def test_no_share_of_100_percent_beside_a_withheld_group(sample):
    published = eq.indicators(sample, period=PERIOD, within=("directorate",))
    exact = eq.indicators(sample, period=PERIOD, within=("directorate",), disclosure="internal")
    for scale in (1.0, 100.0):
        shown = published["value"] == scale
        assert (exact.loc[shown, "value"] == scale).all()
