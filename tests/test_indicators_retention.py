"""Retention indicators: NHS Data Dictionary worked examples, hand-built histories, engines."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

import equity as eq
from _results import row
from equity.codes import LEAVING_REASONS
from equity.errors import InputError, ParameterError, PeriodError
from equity.io import Dataset
from equity.measures.progression import transition_counts
from equity.measures.retention import (
    _LEVEL_VARIANT,
    MOVERS_VARIANT,
    NATIONAL_AHP_FIRST_YEAR_LEAVER_RATE,
    OTHER_REASON,
    end_counts,
    leaver_counts,
    make_scope,
    start_counts,
)

S23, S24, S25 = "2023-03-31", "2024-03-31", "2025-03-31"


def person(sid, snap, *, eth="A", directorate="Therapies", staff_group="Allied Health Professionals",
           band="Band 5", fte=1.0, contract="Substantive", start="2015-01-01", nhs_start=None):
    return {"staff_id": str(sid), "snapshot_date": snap, "directorate": directorate,
            "staff_group": staff_group, "band": band, "fte": fte, "contract_type": contract,
            "ethnic_category": eth, "org_start_date": start,
            "nhs_start_date": nhs_start or start}


def leaver(sid, date, *, reason="Retirement", destination="Non-NHS", fte=None):
    return {"staff_id": str(sid), "leave_date": date, "leaving_reason": reason,
            "destination": destination, "fte": fte}


def dataset(staff_rows, leaver_rows=None):
    leavers = None
    if leaver_rows is not None:
        leavers = pd.DataFrame(leaver_rows, columns=["staff_id", "leave_date", "leaving_reason",
                                                     "destination", "fte"])
    return Dataset.from_frames(staff=pd.DataFrame(staff_rows), leavers=leavers)


# --------------------------------------------------------------------------- Data Dictionary


@pytest.fixture(scope="module")
def dd_headcount():
    # 150 in post at the start, 120 at the end, 27 leavers in the year.
    staff = [person(i, S24) for i in range(150)] + [person(i, S25) for i in range(120)]
    leavers = [leaver(i, "2024-10-15") for i in range(120, 147)]
    return dataset(staff, leavers)


def test_headcount_average_is_135(dd_headcount):
    r = eq.retention(dd_headcount, period="2024/25")
    lr = row(r, "leaver_rate")
    assert lr["denominator"] == 135.0
    assert lr["numerator"] == 27.0
    assert lr["value"] == pytest.approx(0.2)


def test_fte_turnover_is_20_4_percent():
    # Start FTE 65.3 (65 full-time + 0.3), end FTE 59.16 (59 + 0.16); leavers' FTE 12.7:
    # twelve at 1.0 from the leavers table and one whose FTE comes from the last snapshot (0.7).
    staff = ([person(i, S24) for i in range(65)] + [person(65, S24, fte=0.3)]
             + [person(100 + i, S25) for i in range(59)] + [person(200, S25, fte=0.16)]
             + [person(300, S24, fte=0.7)])
    staff[0]["fte"] = 1.0
    leavers = [leaver(i, "2024-06-01", fte=1.0) for i in range(12)] + [leaver(300, "2024-12-01")]
    # 300 is in post at the start with 0.7: remove 0.7 from another start row to keep 65.3.
    staff[64]["fte"] = 0.3
    r = eq.retention(dataset(staff, leavers), period="2024/25")
    fte = row(r, "leaver_rate_fte")
    assert fte["numerator"] == pytest.approx(12.7)
    assert fte["denominator"] == pytest.approx((65.3 + 59.16) / 2)
    assert round(100 * fte["value"], 1) == 20.4


def test_stability_90_of_100_and_joiners():
    staff = ([person(i, S24) for i in range(100)] + [person(i, S25) for i in range(90)]
             + [person(500 + i, S25, start="2024-09-01") for i in range(15)])
    r = eq.retention(dataset(staff), period="2024/25")  # no leavers table: stability still computed
    st = row(r, "stability_index")
    assert (st["numerator"], st["denominator"], st["value"]) == (90.0, 100.0, 0.9)
    j = row(r, "joiner_rate")
    assert j["numerator"] == 15.0
    assert j["value"] == pytest.approx(15 / ((100 + 105) / 2))


# --------------------------------------------------------------------------- histories


@pytest.fixture(scope="module")
def history():
    staff, leavers = [], []
    for snap in (S23, S24, S25):
        staff += [person(f"base{i}", snap) for i in range(20)]
    # re-joiner: in post at both ends, left in June and came back in September.
    staff += [person("rejoin", S24), person("rejoin", S25, start="2024-09-01")]
    leavers.append(leaver("rejoin", "2024-06-30"))
    # directorate mover: Therapies -> Surgery, not a leaver at organisation level.
    staff += [person("mover", S24), person("mover", S25, directorate="Surgery")]
    # staff-group mover.
    staff += [person("sg", S24), person("sg", S25, staff_group="Administrative and Clerical")]
    # first-day leaver (counts in 2024/25), last-day leaver (counts in 2024/25, part-time,
    # FTE from the snapshot), a 31 March 2024 leaver (counts in 2023/24).
    staff += [person("first", S23), person("first", S24)]
    leavers.append(leaver("first", "2024-04-01", destination="NHS"))
    staff += [person("last", S23), person("last", S24, fte=0.6)]
    leavers.append(leaver("last", "2025-03-31", reason=None, destination=None))
    staff += [person("prev", S23)]
    leavers.append(leaver("prev", "2024-03-31"))
    return dataset(staff, leavers)


@pytest.fixture(scope="module")
def r24(history):
    return eq.retention(history, period="2024/25")


def test_leavers_counted_in_the_right_year(history, r24):
    r23 = eq.retention(history, period="2023/24")
    # 2024/25: rejoin, first, last. 2023/24: prev only.
    assert row(r24, "leaver_rate")["numerator"] == 3.0
    assert row(r23, "leaver_rate")["numerator"] == 1.0
    # Average headcount 2024/25: start 20 + rejoin, mover, sg, first, last = 25; end 23.
    assert row(r24, "leaver_rate")["denominator"] == 24.0
    # FTE: 1 (rejoin) + 1 (first) + 0.6 (last, part time, from its last snapshot).
    assert row(r24, "leaver_rate_fte")["numerator"] == pytest.approx(2.6)


def test_rejoiner_is_stable_and_a_joiner_movers_are_not_joiners(r24):
    r = r24
    # In post at both ends: 20 base + rejoin + mover + sg = 23 of 25.
    st = row(r, "stability_index")
    assert (st["numerator"], st["denominator"]) == (23.0, 25.0)
    # The re-joiner left in June and came back in September (a new org_start_date): a leaver
    # and a joiner. The movers are neither.
    assert row(r, "joiner_rate")["numerator"] == 1.0


def test_directorate_mover_is_a_mover_not_a_leaver(history):
    r = eq.retention(history, period="2024/25", within=("directorate",))
    therapies = row(r, "leaver_rate", directorate="Therapies")
    movers = row(r, "leaver_rate", variant=MOVERS_VARIANT, directorate="Therapies")
    assert therapies["numerator"] == 3.0
    assert movers["numerator"] == 1.0
    # Surgery gains the mover at the end: average (0 + 1) / 2, no leavers.
    surgery = row(r, "leaver_rate", directorate="Surgery")
    assert (surgery["numerator"], surgery["denominator"]) == (0.0, 0.5)


@pytest.mark.parametrize(
    ("level", "leavers", "stable"),
    [
        # NHS: "first" went to another NHS employer (not a leaver, still "in post" in the NHS).
        ("nhs", 2.0, 24.0),
        # Staff group: the three organisation leavers plus the staff-group mover.
        ("staff_group", 4.0, 22.0),
    ],
)
def test_levels(history, level, leavers, stable):
    r = eq.retention(history, period="2024/25", level=level)
    variant = _LEVEL_VARIANT[level]
    assert row(r, "leaver_rate", variant=variant)["numerator"] == leavers
    assert row(r, "stability_index", variant=variant)["numerator"] == stable


def test_leaving_reasons_keep_other_visible(history):
    t = eq.leaving_reasons(history, period="2024/25")
    white = t[t["group"] == "White"].set_index("leaving_reason")
    assert list(white.index) == list(LEAVING_REASONS)
    assert white.loc["Retirement", "count"] == 2.0
    assert white.loc[OTHER_REASON, "count"] == 1.0
    assert white["share"].sum() == pytest.approx(1.0)
    assert set(t["group"]) == {"White", "BME", "Unknown"}


# --------------------------------------------------------------------------- re-joiners


@pytest.fixture(scope="module")
def rejoiners():
    """Fifteen in post at 31 March 2024 and fifteen at 31 March 2025, all Therapies / AHP /
    Band 5 / White / FTE 1 unless said; worked out by hand for 2024/25.

    base0-9   in post at both snapshots.
    rj_same   FTE 0.8 at the start; leaves 30 Jun 2024, re-joins 1 Sep 2024, in post at end.
    rj_dir    leaves 31 May 2024, re-joins 1 Aug 2024 in Surgery / Admin and Clerical.
    rj_twice  leaves 30 Apr 2024, re-joins 1 Jun 2024, leaves again 31 Oct 2024.
    rj_back   left 30 Jun 2023 (2023/24), re-joins 1 Jul 2024, in post at end.
    rj_edge   left 30 Mar 2024, re-joined 31 Mar 2024 (both 2023/24), in post at both.
    mover     Therapies -> Surgery in the same spell.
    """
    nhs = "2010-01-01"  # NHS start is not reset by moving between or back to employers
    staff = []
    for i in range(10):
        staff += [person(f"base{i}", S24), person(f"base{i}", S25)]
    staff += [person("rj_same", S24, fte=0.8),
              person("rj_same", S25, start="2024-09-01", nhs_start=nhs)]
    staff += [person("rj_dir", S24),
              person("rj_dir", S25, start="2024-08-01", nhs_start=nhs, directorate="Surgery",
                     staff_group="Administrative and Clerical")]
    staff += [person("rj_twice", S24)]
    staff += [person("rj_back", S23, start="2010-01-01"),
              person("rj_back", S25, start="2024-07-01", nhs_start=nhs)]
    staff += [person("rj_edge", S23),
              person("rj_edge", S24, start="2024-03-31", nhs_start=nhs),
              person("rj_edge", S25, start="2024-03-31", nhs_start=nhs)]
    staff += [person("mover", S24), person("mover", S25, directorate="Surgery")]
    leavers = [leaver("rj_same", "2024-06-30"), leaver("rj_dir", "2024-05-31"),
               leaver("rj_twice", "2024-04-30"), leaver("rj_twice", "2024-10-31"),
               leaver("rj_back", "2023-06-30"), leaver("rj_edge", "2024-03-30")]
    return dataset(staff, leavers)


@pytest.fixture(scope="module")
def rj24(rejoiners):
    return eq.retention(rejoiners, period="2024/25")


@pytest.mark.parametrize(
    ("indicator", "variant", "numerator", "denominator"),
    [
        # Leave dates in the year: rj_same, rj_dir and rj_twice twice (each leavers row is a
        # leaving). Average headcount (15 + 15) / 2.
        ("leaver_rate", None, 4.0, 15.0),
        # FTE at leaving from the last snapshot before it: 0.8 + 1 + 1 + 1 (rj_twice's second
        # spell has no snapshot, its last snapshot is the 2024 one); start 14.8, end 15.
        ("leaver_rate_fte", None, 3.8, 14.9),
        # In post at both dates, also after leaving and re-joining in the year: base 10 +
        # rj_same + rj_dir + rj_edge + mover = 14 of 15 (rj_twice is not).
        ("stability_index", None, 14.0, 15.0),
        # New spells in the year: rj_same, rj_dir; not in post at the start: rj_back.
        # rj_edge's spell began on 31 March 2024, before the year.
        ("joiner_rate", None, 3.0, 15.0),
        # Only the mover: rj_dir left the organisation, it did not move directorate.
        ("leaver_rate", MOVERS_VARIANT, 1.0, 15.0),
        # Leaving the staff group: the four leavings; rj_dir's change of staff group is part of
        # its (counted) leaving, not a second one.
        ("leaver_rate", _LEVEL_VARIANT["staff_group"], 4.0, 15.0),
        # Same staff group at both dates: 14 stable less rj_dir.
        ("stability_index", _LEVEL_VARIANT["staff_group"], 13.0, 15.0),
        ("joiner_rate", _LEVEL_VARIANT["staff_group"], 3.0, 15.0),
    ],
)
def test_rejoiners_by_hand(rejoiners, rj24, indicator, variant, numerator, denominator):
    r = rj24
    if variant == _LEVEL_VARIANT["staff_group"]:
        r = eq.retention(rejoiners, period="2024/25", level="staff_group")
    got = row(r, indicator, variant=variant)
    assert got["numerator"] == pytest.approx(numerator)
    assert got["denominator"] == pytest.approx(denominator)


@pytest.mark.parametrize(
    ("indicator", "variant", "directorate", "numerator"),
    [
        # rj_dir's leaving is placed in Therapies (its last snapshot before leaving), its
        # re-joining in Surgery.
        ("leaver_rate", None, "Therapies", 4.0),
        ("leaver_rate", None, "Surgery", 0.0),
        ("joiner_rate", None, "Therapies", 2.0),
        ("joiner_rate", None, "Surgery", 1.0),
        ("leaver_rate", MOVERS_VARIANT, "Therapies", 1.0),
    ],
)
def test_rejoiners_by_directorate(rejoiners, indicator, variant, directorate, numerator):
    r = eq.retention(rejoiners, period="2024/25", within=("directorate",))
    assert row(r, indicator, variant=variant, directorate=directorate)["numerator"] == numerator


def test_rejoin_before_the_year_counts_in_that_year(rejoiners):
    # 2023/24: in post at 31 March 2023: rj_back and rj_edge. rj_back left (not back by the
    # end); rj_edge left on 30 March and re-joined on 31 March 2024: a leaver and a joiner,
    # and stable (in post at both dates).
    r = eq.retention(rejoiners, period="2023/24")
    assert row(r, "leaver_rate")["numerator"] == 2.0
    assert row(r, "stability_index")[["numerator", "denominator"]].tolist() == [1.0, 2.0]
    # Joiners: of the 15 in post at 31 March 2024 all but rj_edge were not in post at 31 March
    # 2023 (14), and rj_edge is in a spell begun in the year: 15.
    assert row(r, "joiner_rate")["numerator"] == 15.0


def test_early_career_follows_the_new_spell():
    # 2024/25, within 12 months: the 2023/24 joiners seen at 31 March 2024.
    staff = [
        # Left 31 May 2023, re-joined 1 Sep 2023, left 30 Jun 2024: left within 12 months.
        person("e_rj", S23), person("e_rj", S24, start="2023-09-01"),
        # Left 31 May 2023, re-joined 1 Jul 2023, still in post: its earlier leave date is
        # before the new start and does not count.
        person("e_rj2", S23), person("e_rj2", S24, start="2023-07-01"),
        person("e_rj2", S25, start="2023-07-01"),
        person("e_new", S24, start="2023-06-01"), person("e_new", S25, start="2023-06-01"),
        # Joined before 2023/24: not in the cohort.
        person("e_old", S24), person("e_old", S25),
    ]
    leavers = [leaver("e_rj", "2023-05-31"), leaver("e_rj", "2024-06-30"),
               leaver("e_rj2", "2023-05-31")]
    r = eq.retention(dataset(staff, leavers), period="2024/25")
    m12 = row(r, "early_career_leaver_rate", variant="within 12 months")
    assert (m12["numerator"], m12["denominator"]) == (1.0, 3.0)


@pytest.fixture(scope="module")
def rejoin_bands():
    staff = [
        person("up", S24), person("up", S25, band="Band 6"),
        # Left in June, re-joined in September a band higher: a rise between the two
        # snapshots, so promoted under the snapshot definition (METHODOLOGY.md "Promotion").
        person("rj_up", S24), person("rj_up", S25, start="2024-09-01", band="Band 6"),
        person("rj_flat", S24), person("rj_flat", S25, start="2024-09-01"),
        person("gone", S24),
    ]
    leavers = [leaver("rj_up", "2024-06-30"), leaver("rj_flat", "2024-06-30"),
               leaver("gone", "2024-06-30")]
    return dataset(staff, leavers)


def test_rejoiner_band_transitions(rejoin_bands):
    scope = make_scope(rejoin_bands, period="2024/25", by="ethnicity", within=(),
                       staff_group=None, directorate=None)
    t = transition_counts(scope)
    t = t[(t["group"] == "White") & (t["n"] > 0)]
    got = {(f, to): n for f, to, n in zip(t["from_band"], t["to_band"], t["n"], strict=True)}
    assert got == {("Band 5", "Band 6"): 2.0, ("Band 5", "Band 5"): 1.0, ("Band 5", "left"): 1.0}


def test_rejoiner_promotion_rate(rejoin_bands):
    from equity.measures.progression import STAYERS_VARIANT

    r = eq.progression(rejoin_bands, period="2024/25")
    assert row(r, "promotion_rate")[["numerator", "denominator"]].tolist() == [2.0, 4.0]
    stay = row(r, "promotion_rate", variant=STAYERS_VARIANT)
    assert stay[["numerator", "denominator"]].tolist() == [2.0, 3.0]


# --------------------------------------------------------------------------- relative likelihood


def test_relative_likelihood_of_leaving():
    # White: 20 of 100 leave; BME: 30 of 100 leave -> RL BME / White = 1.5, adverse.
    staff, leavers = [], []
    for eth, n_left, tag in (("A", 20, "w"), ("N", 30, "b")):
        for i in range(100):
            staff.append(person(f"{tag}{i}", S24, eth=eth))
            if i >= n_left:
                staff.append(person(f"{tag}{i}", S25, eth=eth))
                staff.append(person(f"{tag}new{i}", S25, eth=eth, start="2024-06-01"))
            else:
                leavers.append(leaver(f"{tag}{i}", "2024-08-01"))
    r = eq.retention(dataset(staff, leavers), period="2024/25")
    bme = row(r, "leaver_rate", group="BME")
    white = row(r, "leaver_rate", group="White")
    assert white["value"] == pytest.approx(20 / ((100 + 160) / 2))
    # BME end: 70 stayers + 70 joiners -> average 120; White end 160 -> average 130.
    assert bme["ratio"] == pytest.approx((30 / 120) / (20 / 130))
    assert bme["reference_group"] == "White"
    assert bme["status"] == "adverse"


# --------------------------------------------------------------------------- early career


def test_early_career_within_12_and_24_months():
    staff, leavers = [], []
    # 2023/24 joiners seen at 31 March 2024; 2022/23 joiners seen at 31 March 2023.
    for i in range(10):
        staff.append(person(f"j{i}", S24, start="2023-06-15"))
    leavers += [leaver("j0", "2024-06-14"), leaver("j1", "2024-06-15"),  # inside / on anniversary
                leaver("j2", "2024-05-01", destination="NHS")]
    for i in range(8):
        staff.append(person(f"k{i}", S23, start="2022-05-01"))
    leavers += [leaver("k0", "2024-04-30"), leaver("k1", "2024-05-01")]
    staff += [person("x", S25)]
    # the leavers table reaches the cohorts' years too (one leaver of 2022/23, not a joiner)
    staff += [person("y", "2022-03-31")]
    leavers += [leaver("y", "2022-09-01")]
    r = eq.retention(dataset(staff, leavers), period="2024/25")
    m12 = row(r, "early_career_leaver_rate", variant="within 12 months")
    assert (m12["numerator"], m12["denominator"]) == (2.0, 10.0)
    m24 = row(r, "early_career_leaver_rate", variant="within 24 months")
    assert (m24["numerator"], m24["denominator"]) == (1.0, 8.0)
    nhs = eq.retention(dataset(staff, leavers), period="2024/25", level="nhs")
    n12 = row(nhs, "early_career_leaver_rate", variant="within 12 months, leaving the NHS")
    assert n12["numerator"] == 1.0


def test_national_reference_constant():
    assert NATIONAL_AHP_FIRST_YEAR_LEAVER_RATE == 0.11


# --------------------------------------------------------------------------- bad input


def test_period_without_start_snapshot_lists_periods(history):
    with pytest.raises(PeriodError, match="2023/24, 2024/25"):
        eq.retention(history, period="2022/23")


def test_unknown_directorate_lists_values(history):
    with pytest.raises(ParameterError, match="Surgery, Therapies"):
        eq.retention(history, period="2024/25", directorate="Cardiology")


def test_no_leavers_table_is_not_computed_rest_computed():
    staff = [person(i, S24) for i in range(12)] + [person(i, S25) for i in range(11)]
    r = eq.retention(dataset(staff), period="2024/25")
    assert "leaver_rate" in r.attrs["not_computed"]
    assert "early_career_leaver_rate" in r.attrs["not_computed"]
    assert row(r, "stability_index")["value"] == pytest.approx(11 / 12)
    with pytest.raises(InputError, match="leavers"):
        eq.leaving_reasons(dataset(staff), period="2024/25")


def test_bank_staff_and_unplaced_leavers_are_reported():
    staff = ([person(i, S24) for i in range(10)] + [person(i, S25) for i in range(10)]
             + [person("bank", S24, contract="Bank"), person("bank", S25, contract="Bank")])
    leavers = [leaver("ghost", "2024-07-01")]
    r = eq.retention(dataset(staff, leavers), period="2024/25")
    assert row(r, "leaver_rate")["denominator"] == 10.0
    ex = {(e["indicator"], e["table"]): e["count"] for e in r.attrs["exclusions"]}
    assert ex[("leaver_rate", "staff")] == 2
    assert ex[("leaver_rate", "leavers")] == 1
    kept = eq.retention(dataset(staff, leavers), period="2024/25", exclude_bank=False)
    assert row(kept, "leaver_rate")["denominator"] == 11.0


# --------------------------------------------------------------------------- engines


def _engines(ds: Dataset):
    con = duckdb.connect()
    yield "pandas", ds
    yield "polars", Dataset(staff=pl.from_pandas(ds.staff).lazy(),
                            leavers=pl.from_pandas(ds.leavers).lazy())
    yield "duckdb", Dataset(staff=con.from_df(ds.staff), leavers=con.from_df(ds.leavers))


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns[:2])).reset_index(drop=True)


def test_engine_parity(history):
    results = {}
    for name, ds in _engines(history):
        scope = make_scope(ds, period="2024/25", by="ethnicity", within=("directorate",),
                               staff_group=None, directorate=None)
        results[name] = [_canon(start_counts(scope)), _canon(end_counts(scope)),
                         _canon(leaver_counts(scope)),
                         transition_counts(scope).sort_values(
                             ["directorate", "group", "from_band", "to_band"]).reset_index(drop=True)]
    for name in ("polars", "duckdb"):
        for a, b in zip(results["pandas"], results[name], strict=True):
            pd.testing.assert_frame_equal(a, b, check_dtype=False)


# --------------------------------------------------------------------------- synthetic truth


@pytest.mark.slow
def test_recovers_synthetic_leaving_and_promotion_disparities():
    import json
    from pathlib import Path

    from equity import stats
    from equity.measures.progression import STAYERS_VARIANT

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    truth = {d["indicator"]: d for d in json.loads((sample / "truth.json").read_text())["disparities"]}
    t = eq.trends(eq.read_dataset(sample), indicators=("leaver_rate", "promotion_rate"))
    # Pool every year: the truth is one hazard ratio applied each year.
    for indicator, variant in (("leaver_rate", None), ("promotion_rate", STAYERS_VARIANT)):
        d = t[t["indicator"] == indicator]
        d = d[d["variant"].isna()] if variant is None else d[d["variant"] == variant]
        g = d.groupby("group")[["numerator", "denominator"]].sum()
        rl = stats.relative_likelihood(
            [g.loc["BME", "numerator"]], [g.loc["BME", "denominator"]],
            [g.loc["White", "numerator"]], [g.loc["White", "denominator"]]).iloc[0]
        assert truth[indicator]["ratio"] == "BME / White"
        assert rl["ratio_ci_low"] <= truth[indicator]["value"] <= rl["ratio_ci_high"], (indicator, rl)


def test_leavers_without_destination():
    """Organisation level needs no destination; NHS level says what is missing."""
    ds = eq.read_dataset(Path(__file__).resolve().parents[1] / "data" / "sample")
    full = eq.retention(ds, period="2024/25")
    ds.leavers = ds.leavers.drop(columns=["destination"])
    without = eq.retention(ds, period="2024/25")
    pd.testing.assert_frame_equal(full, without)
    with pytest.raises(InputError, match="destination"):
        eq.retention(ds, period="2024/25", level="nhs")


def test_a_year_the_leavers_table_does_not_reach_is_not_computed_not_zero():
    """A leavers extract that starts in April 2022 holds no leaver of 2020/21: counted as it
    stands, that year's leaver rate would be a confident 0%. It is listed as not computed,
    naming the dates the table holds; the stability index (snapshots only) and a year the
    table covers are computed as before (plain pandas on the sample's leavers.csv for the
    first date kept)."""
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    ds = eq.read_dataset(sample)
    full_2020 = eq.retention(ds, period="2020/21")
    full_2023 = eq.retention(ds, period="2023/24")
    leavers = pd.read_csv(sample / "leavers.csv", dtype=str)
    first = leavers.loc[leavers["leave_date"] >= "2022-04-01", "leave_date"].min()
    assert (first, leavers["leave_date"].max()) == ("2022-04-01", "2025-03-30")
    ds.leavers = ds.leavers.loc[ds.leavers["leave_date"] >= pd.Timestamp(first)]
    cut = eq.retention(ds, period="2020/21")
    reason = cut.attrs["not_computed"]["leaver_rate"]
    assert reason.startswith("the leavers table holds no rows dated in 2020/21 (its leave_date "
                             "runs from 01 April 2022 to 30 March 2025)")
    assert {"leaver_rate", "leaver_rate_fte"} <= set(cut.attrs["not_computed"])
    assert "leaver_rate" not in set(cut["indicator"])
    def pick(r: pd.DataFrame, indicator: str) -> pd.DataFrame:
        cols = ["indicator", "group", "numerator", "denominator", "value"]
        return r.loc[r["indicator"] == indicator, cols].reset_index(drop=True)

    pd.testing.assert_frame_equal(pick(cut, "stability_index"), pick(full_2020, "stability_index"))
    later = eq.retention(ds, period="2023/24")
    pd.testing.assert_frame_equal(pick(later, "leaver_rate"), pick(full_2023, "leaver_rate"))


def test_a_year_the_leavers_table_reaches_only_in_part_is_not_computed_not_low():
    """A leavers extract from October 2021, or one taken at the end of December 2024,
    holds half or three quarters of that year's leavers: counted as it stands, the year's
    leaver rate would read about half or three quarters of the truth, with an interval as
    confident as any. Those years are not computed, naming the table's dates and the days it
    misses; the years it covers are as before, and a sparse table (every tenth leaver: a
    leaver day every three weeks or so) still reaches every year (plain pandas on the
    sample's leavers.csv)."""
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    leavers = pd.read_csv(sample / "leavers.csv", dtype=str)
    dates = leavers["leave_date"]
    first = dates.loc[dates >= "2021-10-01"].min()
    last = dates.loc[dates <= "2024-12-31"].max()
    assert (first, last) == ("2021-10-01", "2024-12-31")
    full = eq.read_dataset(sample)
    want = {p: eq.retention(full, period=p) for p in ("2021/22", "2022/23", "2024/25")}

    def rates(r: pd.DataFrame) -> pd.DataFrame:
        cols = ["indicator", "group", "numerator", "denominator", "value"]
        keep = r["indicator"].isin(["leaver_rate", "leaver_rate_fte"])
        return r.loc[keep, cols].reset_index(drop=True)

    late = eq.read_dataset(sample)
    late.leavers = late.leavers.loc[late.leavers["leave_date"] >= pd.Timestamp(first)]
    cut = eq.retention(late, period="2021/22")
    assert cut.attrs["not_computed"]["leaver_rate"].startswith(
        "the leavers table reaches only part of 2021/22 (its leave_date runs from 01 October "
        "2021 to 30 March 2025; none from 01 April 2021 to 30 September 2021)")
    assert not set(cut["indicator"]) & {"leaver_rate", "leaver_rate_fte"}
    pd.testing.assert_frame_equal(rates(eq.retention(late, period="2022/23")),
                                  rates(want["2022/23"]))
    early = eq.read_dataset(sample)
    early.leavers = early.leavers.loc[early.leavers["leave_date"] <= pd.Timestamp(last)]
    cut = eq.retention(early, period="2024/25")
    assert cut.attrs["not_computed"]["leaver_rate"].startswith(
        "the leavers table reaches only part of 2024/25 (its leave_date runs from 01 April "
        "2020 to 31 December 2024; none from 01 January 2025 to 31 March 2025)")
    # early-career leaving in the year too, for both windows: the reason said once
    assert (cut.attrs["not_computed"]["early_career_leaver_rate"]
            == cut.attrs["not_computed"]["leaver_rate"])
    sparse = eq.read_dataset(sample)
    sparse.leavers = sparse.leavers.iloc[::10]
    for p in want:
        r = eq.retention(sparse, period=p)
        assert "leaver_rate" not in r.attrs["not_computed"], p
        assert set(r.loc[r["indicator"] == "leaver_rate", "group"]) == {"White", "BME",
                                                                         "Unknown"}, p
    pd.testing.assert_frame_equal(rates(eq.retention(early, period="2021/22")),
                                  rates(want["2021/22"]))


def test_early_career_leaving_needs_leavers_from_the_cohorts_year():
    """Early-career leaving in 2024/25 follows the 2023/24 joiners (within 12 months) and the
    2022/23 joiners (within 24) from the day they joined: a leavers extract of 2024/25 alone
    misses those who left in their first months, and the rates would read low. Both are not
    computed, each with the year its cohort needs; the year's leaver rate, which the extract
    covers, is computed as from the whole table."""
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    full = eq.read_dataset(sample)
    whole = eq.retention(full, period="2024/25")
    ds = eq.read_dataset(sample)
    ds.leavers = ds.leavers.loc[ds.leavers["leave_date"] >= pd.Timestamp("2024-04-01")]
    r = eq.retention(ds, period="2024/25")
    reason = r.attrs["not_computed"]["early_career_leaver_rate"]
    dates = "(its leave_date runs from 01 April 2024 to 30 March 2025)"
    assert reason.startswith(f"within 12 months: the leavers table holds no rows dated in "
                             f"2023/24 {dates}")
    assert f"; within 24 months: the leavers table holds no rows dated in 2022/23 {dates}" \
        in reason
    assert "early_career_leaver_rate" not in set(r["indicator"])
    cols = ["group", "numerator", "denominator", "value"]
    pd.testing.assert_frame_equal(
        r.loc[r["indicator"] == "leaver_rate", cols].reset_index(drop=True),
        whole.loc[whole["indicator"] == "leaver_rate", cols].reset_index(drop=True))


@pytest.mark.parametrize("fn", ["retention", "early_career", "progression", "training_access"])
def test_an_unknown_reference_group_is_an_error_not_too_few_people(fn):
    """reference="Purple" (or "white") named no group, so no row had a reference and every
    comparison read "insufficient_evidence", as if there were too few people; it now stops
    before counting, naming the groups. A known group ("BME") stays a valid reference."""
    from equity.measures import progression as prog
    from equity.measures import retention as ret

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    ds = eq.read_dataset(sample)
    func = getattr(ret, fn, None) or getattr(prog, fn)
    for bad in ("Purple", "white"):
        with pytest.raises(ParameterError, match=rf"Reference group '{bad}' is not a group of "
                                                 r"'ethnicity'; its groups are 'White', 'BME'"):
            func(ds, period="2024/25", reference=bad)
    out = func(ds, period="2024/25", reference="BME")
    assert set(out["reference_group"].dropna()) == {"BME"}
