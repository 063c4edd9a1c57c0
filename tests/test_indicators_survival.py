"""Survival curves: scipy oracles, left truncation and first promotion by hand, disclosure
truncation, competing risks, bad input, engines."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats as sps

import equity as eq
from equity.errors import ParameterError, PeriodError
from equity.io import Dataset
from equity.measures.survival import at_risk, survival_curves

S23, S24, S25 = dt.date(2023, 3, 31), dt.date(2024, 3, 31), dt.date(2025, 3, 31)
SNAPS = (S23, S24, S25)


def person(sid, snap, *, eth="A", start, band="Band 5", directorate="Therapies"):
    return {"staff_id": str(sid), "snapshot_date": snap.isoformat(), "directorate": directorate,
            "staff_group": "Allied Health Professionals", "band": band, "fte": 1.0,
            "contract_type": "Substantive", "ethnic_category": eth,
            "org_start_date": start.isoformat(), "nhs_start_date": start.isoformat()}


def leaver(sid, date, reason="Retirement"):
    return {"staff_id": str(sid), "leave_date": date.isoformat(), "leaving_reason": reason,
            "destination": "Non-NHS", "fte": None}


def dataset(staff, leavers):
    lv = pd.DataFrame(leavers, columns=["staff_id", "leave_date", "leaving_reason",
                                        "destination", "fte"])
    return Dataset.from_frames(staff=pd.DataFrame(staff), leavers=lv)


def spell(sid, start, leave=None, *, eth="A", reason="Retirement"):
    """Rows of one person in post from ``start`` at every snapshot up to ``leave``."""
    staff = [person(sid, s, eth=eth, start=start) for s in SNAPS
             if start <= s and (leave is None or s <= leave)]
    return staff, ([leaver(sid, leave, reason)] if leave is not None else [])


def build(spells):
    staff, leavers = [], []
    for sp in spells:
        staff += sp[0]
        leavers += sp[1]
    return dataset(staff, leavers)


def curve_of(c, group="White"):
    g = c[c["group"] == group]
    return g[(g["events"] + g["censored"]) > 0].reset_index(drop=True)


# --------------------------------------------------------------------------- scipy oracle


@pytest.fixture(scope="module")
def random_history():
    """People who join on a snapshot date (so no one is left-truncated), in two groups,
    leaving on dates drawn on a 10-day grid (ties) or censored at 31 March 2025."""
    rng = np.random.default_rng(sum(map(ord, "equity survival")))
    spells, truth = [], {"White": ([], []), "BME": ([], [])}
    reasons = ["Retirement", "Relocation", "Work life balance", None]
    for i in range(60):
        eth = "A" if i % 2 else "H"
        start = S23 if rng.random() < 0.6 else S24
        span = (S25 - start).days
        leave = None
        if rng.random() < 0.65:
            leave = start + dt.timedelta(days=int(rng.integers(0, span // 10 + 1)) * 10)
        spells.append(spell(f"p{i}", start, leave, eth=eth,
                            reason=reasons[int(rng.integers(0, len(reasons)))]))
        group = "White" if eth == "A" else "BME"
        # Durations worked out here, from the dates, independently of the library.
        (truth[group][0] if leave else truth[group][1]).append(((leave or S25) - start).days)
    return build(spells), truth


@pytest.fixture(scope="module")
def random_curve(random_history):
    return survival_curves(random_history[0], time_unit="days", min_at_risk=0)


@pytest.mark.parametrize("group", ["White", "BME"])
def test_curve_equals_scipy_ecdf(random_history, random_curve, group):
    events, censored = random_history[1][group]
    res = sps.ecdf(sps.CensoredData(uncensored=events, right=censored))
    c = curve_of(random_curve, group)
    t = c["time"].to_numpy()
    assert sorted(set(t)) == sorted(set(events) | set(censored))
    np.testing.assert_allclose(c["survival"], res.sf.evaluate(t), rtol=1e-12)
    ci = res.sf.confidence_interval(method="log-log")
    inner = (c["survival"] > 0) & (c["survival"] < 1)
    np.testing.assert_allclose(c.loc[inner, "ci_low"], ci.low.evaluate(t[inner]), rtol=1e-9)
    np.testing.assert_allclose(c.loc[inner, "ci_high"], ci.high.evaluate(t[inner]), rtol=1e-9)
    # At risk at each time: everyone whose duration is at least that time.
    allt = np.array(events + censored)
    np.testing.assert_array_equal(c["at_risk"], [(allt >= x).sum() for x in t])


def test_logrank_equals_scipy(random_history, random_curve):
    w, b = random_history[1]["White"], random_history[1]["BME"]
    res = sps.logrank(sps.CensoredData(uncensored=w[0], right=w[1]),
                      sps.CensoredData(uncensored=b[0], right=b[1]))
    (lr,) = random_curve.attrs["logrank"]
    assert lr["df"] == 1.0
    assert lr["chi2"] == pytest.approx(res.statistic ** 2, rel=1e-9)
    assert lr["p_value"] == pytest.approx(res.pvalue, rel=1e-9)


def test_time_units_rescale_only(random_history, random_curve):
    years = survival_curves(random_history[0], time_unit="years", min_at_risk=0)
    np.testing.assert_allclose(years["time"] * 365.25, random_curve["time"])
    np.testing.assert_allclose(years["survival"], random_curve["survival"])
    med_d = {r["group"]: r["median"] for r in random_curve.attrs["median"]}
    med_y = {r["group"]: r["median"] for r in years.attrs["median"]}
    for g, m in med_d.items():
        assert (m is None and med_y[g] is None) or med_y[g] * 365.25 == pytest.approx(m)


@pytest.fixture(scope="module")
def random_competing(random_history):
    return survival_curves(random_history[0], time_unit="days", min_at_risk=0, competing=True)


def test_competing_risks_add_up_to_one(random_competing, random_curve):
    ci = random_competing
    assert set(ci["leaving_reason"]) <= {"Retirement", "Relocation", "Work life balance",
                                         "Other / not known"}
    assert "Other / not known" in set(ci["leaving_reason"])  # blank reasons kept visible
    total = ci.groupby(["group", "time"])["cumulative_incidence"].sum().rename("f").reset_index()
    m = total.merge(random_curve[["group", "time", "survival"]], on=["group", "time"])
    assert len(m) == len(random_curve)
    np.testing.assert_allclose(m["f"] + m["survival"], 1.0, atol=1e-12)


# --------------------------------------------------------------------------- by hand


@pytest.fixture(scope="module")
def truncated():
    """Five people; tenures (days) worked out from the dates by hand.

    p2 joins 31 Mar 2023 (entry 0), leaves 30 Sep 2023 (183); p4 joins 31 Mar 2024 (entry 0),
    in post at the end (censored 365); p3 joined 30 Sep 2022, first seen 31 Mar 2023 (entry
    182), leaves 30 Jun 2023 (273); p1 joined 31 Mar 2022 (entry 365), in post at the end
    (censored 1096); p5 joined 31 Mar 2021 (entry 730), leaves 30 Jun 2024 (1187).
    """
    return build([
        spell("p1", dt.date(2022, 3, 31)),
        spell("p2", S23, dt.date(2023, 9, 30)),
        spell("p3", dt.date(2022, 9, 30), dt.date(2023, 6, 30)),
        spell("p4", S24),
        spell("p5", dt.date(2021, 3, 31), dt.date(2024, 6, 30)),
    ])


@pytest.fixture(scope="module")
def truncated_curve(truncated):
    return survival_curves(truncated, time_unit="days", min_at_risk=0)


def test_left_truncation_by_hand(truncated_curve):
    c = truncated_curve
    w = curve_of(c)
    # t=183: p2, p3, p4 at risk (p1, p5 not yet observed), 1 leaves: 2/3.
    # t=273: p3, p4, 1 leaves: 1/3. t=365: p4 censored; p1, first seen that day, is at risk.
    # t=1096: p1 censored with p5 at risk. t=1187: p5 leaves alone: 0.
    assert w["time"].tolist() == [183, 273, 365, 1096, 1187]
    assert w["at_risk"].tolist() == [3, 2, 2, 2, 1]
    assert w["events"].tolist() == [1, 1, 0, 0, 1]
    np.testing.assert_allclose(w["survival"], [2 / 3, 1 / 3, 1 / 3, 1 / 3, 0.0])
    (med,) = c.attrs["median"]
    assert med["median"] == 273
    # Entries shown: p3, p1, p5 (half a day before their first tenure seen); p2 and p4 enter
    # at tenure 0, before the first time shown.
    assert c["entries"].sum() == 3
    assert c.attrs["window"] == {"start": "2023-03-31", "end": "2025-03-31"}


def test_at_risk_table_by_hand(truncated, truncated_curve):
    t = at_risk(truncated_curve, times=[0, 200, 365, 800, 2000])
    # 0: p2, p4; 200: p3, p4; 365: p4 and p1 (first seen that day); 800: p1, p5; 2000: none.
    assert t["at_risk"].tolist() == [2, 2, 2, 2, 0]
    assert t["events"].tolist() == [0, 1, 2, 2, 3]
    via_dataset = at_risk(truncated, times=[0, 200, 365, 800, 2000], time_unit="days",
                          min_at_risk=0)
    pd.testing.assert_frame_equal(t, via_dataset)


@pytest.fixture(scope="module")
def early_small():
    """q0 joins 31 Mar 2023 and leaves after 30 days, alone in its risk set; q1-q4 joined
    31 Mar 2022 (entry 365): q1 leaves 30 Jun 2023 (456), q2 31 Dec 2023 (640), q3 and q4
    are in post at the end (1096)."""
    start = dt.date(2022, 3, 31)
    return build([spell("q0", S23, dt.date(2023, 4, 30)),
                  spell("q1", start, dt.date(2023, 6, 30)),
                  spell("q2", start, dt.date(2023, 12, 31)),
                  spell("q3", start), spell("q4", start)])


@pytest.mark.parametrize(
    ("min_at_risk", "times", "survival", "at_risk_", "shown_from", "truncated_at", "table"),
    [
        # Unconditional: the lone early leaver takes the curve to 0 for good.
        (0, [30, 456, 640, 1096], [0, 0, 0, 0], [1, 4, 3, 2], 0, None, [0, 3, 2, 0, 0]),
        # From 456 (4 at risk), q0's exit is a censoring: 3/4, then 3/4 x 2/3.
        (2, [456, 640, 1096], [0.75, 0.5, 0.5], [4, 3, 2], 456, None,
         [np.nan, 3, 2, 0, 0]),
        # ... and hidden from 1096, where only 2 are at risk.
        (3, [456, 640], [0.75, 0.5], [4, 3], 456, 1096, [np.nan, 3, np.nan, np.nan, np.nan]),
    ],
)
def test_min_at_risk_truncates_and_conditions(early_small, min_at_risk, times, survival,
                                               at_risk_, shown_from, truncated_at, table):
    c = survival_curves(early_small, time_unit="days", min_at_risk=min_at_risk)
    w = curve_of(c)
    assert w["time"].tolist() == times
    np.testing.assert_allclose(w["survival"], survival)
    assert w["at_risk"].tolist() == at_risk_
    assert (c["at_risk"] >= min_at_risk).all()
    (tr,) = c.attrs["truncation"]
    assert tr["shown_from"] == pytest.approx(shown_from, abs=0.5)
    assert tr["truncated_at"] == truncated_at
    assert c.attrs["min_at_risk"] == min_at_risk
    assert str(min_at_risk) in c.attrs["disclosure"]
    got = at_risk(c, times=[100, 500, 700, 1100, 2000])["at_risk"].to_numpy(float)
    np.testing.assert_array_equal(got, table)


def test_a_curve_is_shown_around_its_largest_risk_set_not_before_a_dip():
    """With late entry a risk set can reach the minimum, dip under it and grow well past it:
    AHPs trust-wide, BME, time to first promotion, reached 8 at risk at about 2 months, fell
    to 7 and later reached 29, and the curve was cut to its one point before the dip (the
    report said fewer than two groups "had 8 or more people at risk"). By hand, minimum 2:
    a0 and a1 join 31 Mar 2023 and leave after 30 and 61 days (2 at risk at 30, 1 at 61);
    b1-b4 joined 31 Mar 2022 (entering at 365): b1 leaves 30 Jun 2023 (456), the rest stay to
    the end (1096, 3 at risk). The curve is the stretch from 456 (a0's and a1's exits before
    it are censorings): 3/4 at 456 and at 1096; before, it was the point at 30 alone."""
    start = dt.date(2022, 3, 31)
    ds = build([spell("a0", S23, dt.date(2023, 4, 30)), spell("a1", S23, dt.date(2023, 5, 31)),
                spell("b1", start, dt.date(2023, 6, 30)), spell("b2", start),
                spell("b3", start), spell("b4", start)])
    c = survival_curves(ds, time_unit="days", min_at_risk=2)
    w = curve_of(c)
    assert w["time"].tolist() == [456, 1096]
    assert w["at_risk"].tolist() == [4, 3]
    np.testing.assert_allclose(w["survival"], [0.75, 0.75])
    (tr,) = c.attrs["truncation"]
    assert tr["shown_from"] == pytest.approx(456, abs=0.5)
    assert tr["truncated_at"] is None
    everyone = curve_of(survival_curves(ds, time_unit="days", min_at_risk=0))
    assert everyone["at_risk"].tolist() == [2, 1, 4, 3]  # the dip the stretch starts after


def test_default_min_at_risk_hides_small_curves(truncated):
    c = survival_curves(truncated)
    assert len(c) == 0
    assert c.attrs["min_at_risk"] == 8
    assert c.attrs["truncation"][0]["shown_from"] is None


@pytest.fixture(scope="module")
def promotions():
    """Bands at 31 March 2023 / 2024 / 2025; tenures (days) by hand.

    r1 joined 31 Mar 2020 (entry 1095): 5, 6, 6 -> promoted, seen at 2024 (1461).
    r2 joined 31 Mar 2022 (entry 365): 5, 5, 6 -> promoted at 2025 (1096).
    r3 joined 31 Mar 2023 (entry 0): 5, 4, 5 -> a rise after a demotion, at 2025 (731).
    r4 joined 31 Mar 2021 (entry 730): 6, 6, then left -> censored at 2024 (1096).
    r5 joined 31 Mar 2023 (entry 0): 5, 5, 5 -> censored at 2025 (731).
    r6 is on no band ladder ("Apprentice") -> excluded and counted.
    """
    rows = []
    for sid, start, bands in [
        ("r1", dt.date(2020, 3, 31), ["Band 5", "Band 6", "Band 6"]),
        ("r2", dt.date(2022, 3, 31), ["Band 5", "Band 5", "Band 6"]),
        ("r3", S23, ["Band 5", "Band 4", "Band 5"]),
        ("r4", dt.date(2021, 3, 31), ["Band 6", "Band 6"]),
        ("r5", S23, ["Band 5", "Band 5", "Band 5"]),
        ("r6", S23, ["Apprentice", "Band 3", "Band 4"]),
    ]:
        rows += [person(sid, s, start=start, band=b) for s, b in zip(SNAPS, bands, strict=False)]
    # No leavers table: time to promotion does not need one.
    return Dataset.from_frames(staff=pd.DataFrame(rows))


def test_time_to_first_promotion_by_hand(promotions):
    c = survival_curves(promotions, event="promotion", time_unit="days", min_at_risk=0)
    w = curve_of(c)
    # 731: r3, r5, r2, r4 at risk (r1 first seen at 1095), r3 promoted: 3/4.
    # 1096: r2, r4, r1 at risk, r2 promoted, r4 censored: 3/4 x 2/3 = 1/2. 1461: r1: 0.
    assert w["time"].tolist() == [731, 1096, 1461]
    assert w["at_risk"].tolist() == [4, 3, 1]
    assert w["events"].tolist() == [1, 1, 1]
    assert w["censored"].tolist() == [1, 1, 0]
    np.testing.assert_allclose(w["survival"], [0.75, 0.5, 0.0])
    assert c.attrs["median"][0]["median"] == 1096
    assert c.attrs["exclusions"] == [{
        "indicator": "time_to_promotion", "table": "staff", "count": 1,
        "reason": "staff whose band when first seen is not on the band ladder"}]


# --------------------------------------------------------------------------- re-joiners


def rejoin_spell(sid, start, snaps, *, band="Band 5"):
    return [person(sid, s, start=start, band=band) for s in snaps]


@pytest.fixture(scope="module")
def rejoiners():
    """Employment spells (same staff_id, a new org_start_date); tenures (days) by hand.

    rj   A: joined 31 Mar 2021, seen 2023 and 2024 (entry 730), left 30 Jun 2024 (1187).
         B: re-joined 1 Sep 2024, seen 2025 (entry 211), in post at the end (censored 211).
    tw   A: joined 31 Mar 2022, seen 2023 (entry 365), left 31 May 2023 (426).
         B: re-joined 1 Aug 2023, seen 2024 (entry 243), left 31 Oct 2024 (457): the later
         leaving ends B, not A.
    gap  A: joined 31 Mar 2022, seen 2023 (entry 365), no leaving recorded.
         B: re-joined 1 Oct 2023, seen 2024 and 2025 (entry 182, censored 547). A ended
         before B began, on a date not recorded: censored at its last snapshot (365).
    stay joined 31 Mar 2023 (entry 0), in post at the end (censored 731).
    """
    staff = (rejoin_spell("rj", dt.date(2021, 3, 31), [S23, S24])
             + rejoin_spell("rj", dt.date(2024, 9, 1), [S25])
             + rejoin_spell("tw", dt.date(2022, 3, 31), [S23])
             + rejoin_spell("tw", dt.date(2023, 8, 1), [S24])
             + rejoin_spell("gap", dt.date(2022, 3, 31), [S23])
             + rejoin_spell("gap", dt.date(2023, 10, 1), [S24, S25])
             + rejoin_spell("stay", S23, SNAPS))
    leavers = [leaver("rj", dt.date(2024, 6, 30)), leaver("tw", dt.date(2023, 5, 31)),
               leaver("tw", dt.date(2024, 10, 31))]
    return dataset(staff, leavers)


def _engine_frames(ds):
    con = duckdb.connect()
    return {"pandas": ds,
            "polars": Dataset(staff=pl.from_pandas(ds.staff).lazy(),
                              leavers=pl.from_pandas(ds.leavers).lazy()),
            "duckdb": Dataset(staff=con.from_df(ds.staff), leavers=con.from_df(ds.leavers))}


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_each_spell_is_its_own_record(rejoiners, engine):
    ds = _engine_frames(rejoiners)[engine]
    f = eq.cube.collect(eq.cube.tenure_spells(ds.staff, ds.leavers, window_start=S23, end=S25))
    got = sorted(zip(f["staff_id"], f["entry_days"].astype(int), f["exit_days"].astype(int),
                     f["event"].astype(bool), strict=True))
    assert got == [("gap", 182, 547, False), ("gap", 365, 365, False),
                   ("rj", 211, 211, False), ("rj", 730, 1187, True),
                   ("stay", 0, 731, False),
                   ("tw", 243, 457, True), ("tw", 365, 426, True)]


def test_spell_censored_at_the_end_when_rejoining_after_it(rejoiners):
    # Window to 31 May 2024: rj's A is in post at the end (its leaving and re-join are
    # later), so it is censored then: 31 Mar 2021 -> 31 May 2024 = 1096 + 61 = 1157 days.
    ds = rejoiners
    f = eq.cube.collect(eq.cube.tenure_spells(ds.staff, ds.leavers, window_start=S23,
                                              end=dt.date(2024, 5, 31)))
    rj = f[f["staff_id"] == "rj"]
    assert rj[["entry_days", "exit_days"]].astype(int).values.tolist() == [[730, 1157]]
    assert not rj["event"].any()


def test_rejoiners_curve_by_hand(rejoiners):
    c = survival_curves(rejoiners, time_unit="days", min_at_risk=0)
    w = curve_of(c)
    # At risk: entry <= t <= exit. 211: stay, gapB, rjB (censored). 365: stay, gapB, twB,
    # twA, gapA (censored). 426: stay, gapB, twB, twA; twA leaves: 3/4. 457: stay, gapB,
    # twB; twB leaves: 1/2. 547: gapB censored. 731: stay censored, rjA entered at 730.
    # 1187: rjA leaves alone: 0.
    assert w["time"].tolist() == [211, 365, 426, 457, 547, 731, 1187]
    assert w["at_risk"].tolist() == [3, 5, 4, 3, 2, 2, 1]
    assert w["events"].tolist() == [0, 0, 1, 1, 0, 0, 1]
    assert w["censored"].tolist() == [1, 1, 0, 0, 1, 1, 0]
    np.testing.assert_allclose(w["survival"], [1, 1, 0.75, 0.5, 0.5, 0.5, 0])


@pytest.mark.parametrize("kwargs", [{}, {"competing": True}])
def test_rejoiners_engine_parity(rejoiners, kwargs):
    frames = _engine_frames(rejoiners)
    base = survival_curves(frames["pandas"], time_unit="days", min_at_risk=0, **kwargs)
    for name in ("polars", "duckdb"):
        got = survival_curves(frames[name], time_unit="days", min_at_risk=0, **kwargs)
        pd.testing.assert_frame_equal(base, got, check_dtype=False, obj=name)


def test_band_rise_across_a_rejoin_is_not_a_first_promotion():
    # Band 5 in the first spell (entry 730, censored at its last snapshot, 1096), Band 6 on
    # re-joining (entry 211, censored 211): no spell shows a rise.
    staff = (rejoin_spell("pr", dt.date(2021, 3, 31), [S23, S24])
             + rejoin_spell("pr", dt.date(2024, 9, 1), [S25], band="Band 6"))
    ds = Dataset.from_frames(staff=pd.DataFrame(staff))
    c = survival_curves(ds, event="promotion", time_unit="days", min_at_risk=0)
    w = curve_of(c)
    assert w["time"].tolist() == [211, 1096]
    assert w["events"].sum() == 0
    assert w["censored"].tolist() == [1, 1]


# --------------------------------------------------------------------------- bad input


def test_no_leavers_table_is_not_computed(promotions):
    c = survival_curves(promotions)
    assert len(c) == 0
    assert list(c.columns[:3]) == ["event", "group_var", "group"]
    assert "leavers" in c.attrs["not_computed"]["time_to_leaving"]


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"period_start": "2026-01-01"}, PeriodError, "31 March 2023"),
    ({"period": "2019/20"}, PeriodError, "No staff snapshot"),
    ({"period": "2024/25", "period_end": "2025-03-31"}, ParameterError, "not both"),
    ({"event": "promotion", "competing": True}, ParameterError, "leaving"),
    ({"event": "death"}, ParameterError, "promotion"),
    ({"time_unit": "weeks"}, ParameterError, "months"),
    ({"directorate": "Nowhere"}, ParameterError, "Therapies"),
    ({"period_end": "31/03/2025"}, ParameterError, "ISO"),
])
def test_bad_input_names_the_fix(truncated, kwargs, error, words):
    with pytest.raises(error, match=words):
        survival_curves(truncated, **kwargs)


def test_at_risk_needs_a_curve(truncated_curve, random_competing):
    with pytest.raises(ParameterError):
        at_risk(pd.DataFrame({"time": [1]}), times=[0])
    with pytest.raises(ParameterError):
        at_risk(truncated_curve, times=[0], event="promotion")
    with pytest.raises(ParameterError, match="competing=False"):
        at_risk(random_competing, times=[0])


def test_exported():
    assert eq.survival_curves is survival_curves


# --------------------------------------------------------------------------- engines


@pytest.mark.parametrize("kwargs", [{"competing": True, "within": ("directorate",)},
                                    {"event": "promotion"}])
def test_engine_parity(random_history, kwargs):
    ds = random_history[0]
    con = duckdb.connect()
    engines = {
        "polars": Dataset(staff=pl.from_pandas(ds.staff).lazy(),
                          leavers=pl.from_pandas(ds.leavers).lazy()),
        "duckdb": Dataset(staff=con.from_df(ds.staff), leavers=con.from_df(ds.leavers)),
    }
    base = survival_curves(ds, min_at_risk=0, **kwargs)
    assert len(base) > 0
    for name, other in engines.items():
        got = survival_curves(other, min_at_risk=0, **kwargs)
        pd.testing.assert_frame_equal(base, got, check_dtype=False, obj=name)
        for key in ("logrank", "median"):
            pd.testing.assert_frame_equal(pd.DataFrame(base.attrs[key]),
                                          pd.DataFrame(got.attrs[key]), check_dtype=False)


def test_time_to_leaving_needs_leavers_for_every_year_it_follows():
    """Staff are followed from the first snapshot (31 March 2020) to the year's end: a
    leavers extract from April 2022, or one taken at the end of December 2024, leaves out
    those who left before or after it, and the curves would show them staying. Not
    computed, naming the first year the table misses; the whole table gives the curves (plain
    pandas on the sample's leavers.csv for its dates)."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    dates = pd.read_csv(sample / "leavers.csv", dtype=str)["leave_date"]
    assert (dates.min(), dates.loc[dates >= "2022-04-01"].min()) == ("2020-04-01", "2022-04-01")
    ds = eq.read_dataset(sample)
    whole = survival_curves(ds, period="2024/25")
    assert len(whole) and "time_to_leaving" not in whole.attrs.get("not_computed", {})
    full = ds.leavers
    for kept, year in ((full["leave_date"] >= pd.Timestamp("2022-04-01"),
                        "holds no rows dated in 2020/21"),
                       (full["leave_date"] <= pd.Timestamp("2024-12-31"),
                        "reaches only part of 2024/25")):
        ds.leavers = full.loc[kept]
        cut = survival_curves(ds, period="2024/25")
        assert len(cut) == 0
        assert cut.attrs["not_computed"]["time_to_leaving"].startswith(
            f"the leavers table {year}")
    # promotion is dated by the staff snapshots, not the leavers table
    assert len(survival_curves(ds, period="2024/25", event="promotion"))
