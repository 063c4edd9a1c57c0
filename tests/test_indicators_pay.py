"""Pay gaps: the statutory six measures, ethnicity and disability, band breakdowns.

Expected values are worked out by hand in the comments (or by plain pandas / numpy as an
oracle), never copied from the library's output.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equity as eq
from equity import cube
from equity.errors import ParameterError, PeriodError
from equity.io import Dataset
from equity.measures.pay import QUARTERS, pay_gap, pay_indicators, statutory_summary
from equity.result import RESULT_COLUMNS

PERIOD = "2024/25"
SNAPSHOT = "2025-03-31"


def staff(*people: dict) -> pd.DataFrame:
    """Staff rows at the 2025 snapshot; each person a dict overriding these defaults."""
    base = {"snapshot_date": SNAPSHOT, "directorate": "Therapies", "staff_group": "Allied Health Professionals",
            "profession": "Physiotherapists", "band": "Band 5", "fte": 1.0,
            "contract_type": "Substantive", "ethnic_category": "A", "sex": "Female",
            "disability": "No", "org_start_date": "2020-01-01", "hourly_pay": 15.0,
            "bonus_pay": 0.0, "full_pay": True}
    rows = [{**base, "staff_id": f"p{i}", **p} for i, p in enumerate(people)]
    return pd.DataFrame(rows)


def sexes(men: list[float], women: list[float], **extra: object) -> Dataset:
    people = [{"sex": "Male", "hourly_pay": v, **extra} for v in men]
    people += [{"sex": "Female", "hourly_pay": v, **extra} for v in women]
    return Dataset.from_frames(staff=staff(*people))


def main_rows(r: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The headline rows of an indicator (no variant)."""
    return r.loc[(r["indicator"] == indicator) & r["variant"].isna()].reset_index(drop=True)


def one(r: pd.DataFrame, indicator: str, group: str = "Female", variant: str | None = None
        ) -> pd.Series:
    sel = r.loc[(r["indicator"] == indicator) & (r["group"] == group)]
    sel = sel.loc[sel["variant"].isna()] if variant is None else sel.loc[sel["variant"] == variant]
    assert len(sel) == 1, sel
    return sel.iloc[0]


# --------------------------------------------------------------------------- value-count cube


def test_value_counts_same_on_every_engine() -> None:
    df = pd.DataFrame({"g": ["a", "a", "b", "b", None, "a"],
                       "pay": [10.0, 10.0, 12.5, None, 9.0, 11.0]})
    # By hand: a -> {10: 2, 11: 1}; b -> {12.5: 1, missing: 1}; missing key -> {9: 1}.
    keys = pd.Categorical(["a", "a", "b", "b", None], categories=pd.Index(["a", "b"], dtype=object))
    expected = pd.DataFrame({"g": keys, "pay": [10.0, 11.0, 12.5, np.nan, 9.0],
                             "n": [2.0, 1.0, 1.0, 1.0, 1.0]})
    con = duckdb.connect()
    for frame in (df, pl.from_pandas(df).lazy(), con.from_df(df)):
        got = cube.value_counts(frame, ["g"], "pay")
        pd.testing.assert_frame_equal(got, expected)


def test_value_counts_order_with_many_keys_of_many_values() -> None:
    # six keys of about 2,600 values each: their ranks no longer fit one 64-bit number and
    # are renumbered on the way; the order is still pandas' sort by the keys, then the value
    rng = np.random.default_rng(1)
    keys = [f"k{i}" for i in range(6)]
    df = pd.DataFrame({k: rng.integers(0, 3000, 3000).astype(str) for k in keys})
    df["pay"] = rng.integers(0, 5, 3000).astype(float)
    got = cube.value_counts(df, keys, "pay").astype({k: object for k in keys})
    want = (df.groupby([*keys, "pay"]).size().reset_index(name="n")
            .sort_values([*keys, "pay"]).reset_index(drop=True))
    assert got[[*keys, "pay"]].values.tolist() == want[[*keys, "pay"]].values.tolist()
    assert got["n"].tolist() == want["n"].astype(float).tolist()


# --------------------------------------------------------------------------- hourly pay gaps


@pytest.mark.parametrize(("men", "women", "mean_gap", "median_gap"), [
    # means 20 and 15: (20 - 15) / 20 = 25%; medians 20 and 15 (average of 10 and 20): 25%
    ([10, 20, 30], [10, 20], 25.0, 25.0),
    # means 15 and 12: 20%; medians 15 (average of 14 and 16) and 12: 20%
    ([12, 14, 16, 18], [10, 12, 14], 20.0, 20.0),
    # women paid more: means 20 and 25 -> (20 - 25) / 20 = -25%; medians 20 and 25
    ([20, 20], [25, 25], -25.0, -25.0),
    # means 11 and 14 -> -27.2727...%; medians 10 and 12 -> -20%
    ([10, 10, 13], [12, 12, 18], (11 - 14) / 11 * 100, -20.0),
])
def test_literal_gaps(men: list[float], women: list[float], mean_gap: float,
                      median_gap: float) -> None:
    r = pay_gap(sexes(men, women), period=PERIOD)
    mean, median = one(r, "pay_gap_mean"), one(r, "pay_gap_median")
    assert mean["value"] == pytest.approx(mean_gap)
    assert median["value"] == pytest.approx(median_gap)
    assert (mean["numerator"], mean["denominator"]) == (len(women), len(men))
    assert mean["reference_group"] == "Male" and mean["group_var"] == "sex"
    # Under 10 people in a group: a figure, but too few to tell.
    assert mean["status"] == "insufficient_evidence"
    assert list(r.columns) == list(RESULT_COLUMNS)


@pytest.mark.parametrize(("men", "women", "status"), [
    ([20.0] * 10, [25.0] * 10, "favourable"),  # -25%
    ([20.0] * 10, [15.0] * 10, "adverse"),  # 25%
    ([20.0] * 10, [19.5] * 10, "within_range"),  # 2.5%, inside the 5% range
])
def test_gap_status(men: list[float], women: list[float], status: str) -> None:
    r = pay_gap(sexes(men, women), period=PERIOD)
    assert one(r, "pay_gap_mean")["status"] == status


@pytest.mark.parametrize(("men", "women"), [([10.0, 20.0], []), ([], [10.0, 20.0]), ([], [])])
def test_one_sex_absent_is_insufficient_evidence(men: list[float], women: list[float]) -> None:
    people = [{"sex": "Male", "hourly_pay": v} for v in men]
    people += [{"sex": "Female", "hourly_pay": v} for v in women]
    # An empty population still needs a snapshot: one person with no sex recorded.
    people += [{"sex": None, "hourly_pay": 12.0}]
    r = pay_gap(Dataset.from_frames(staff=staff(*people)), period=PERIOD)
    for ind in ("pay_gap_mean", "pay_gap_median", "bonus_gap_mean", "bonus_gap_median"):
        row = one(r, ind)
        assert np.isnan(row["value"]) and row["status"] == "insufficient_evidence"
    for ind in ("pay_gap_mean", "pay_gap_median"):
        assert one(r, ind, "Unknown", "share not disclosed")["numerator"] == 1


def test_full_pay_false_excluded_and_counted() -> None:
    people = [{"sex": "Male", "hourly_pay": v} for v in (10.0, 20.0, 30.0)]
    people += [{"sex": "Female", "hourly_pay": v} for v in (10.0, 20.0)]
    # On reduced pay (e.g. sick leave at half pay): not a full-pay relevant employee.
    people += [{"sex": "Male", "hourly_pay": 200.0, "full_pay": False},
               {"sex": "Female", "hourly_pay": 1.0, "full_pay": False},
               {"sex": "Female", "hourly_pay": None}]
    r = pay_gap(Dataset.from_frames(staff=staff(*people)), period=PERIOD)
    assert one(r, "pay_gap_mean")["value"] == pytest.approx(25.0)
    assert one(r, "pay_gap_median")["value"] == pytest.approx(25.0)
    ex = pd.DataFrame(r.attrs["exclusions"])
    mean_ex = ex.loc[ex["indicator"] == "pay_gap_mean"].set_index("reason")["count"]
    assert mean_ex["not a full-pay relevant employee (full_pay false)"] == 2
    assert mean_ex["full-pay employee with no hourly pay recorded"] == 1
    # Quarters rank the same 5 people.
    q = r.loc[r["indicator"] == "pay_quartile"].groupby("variant")["numerator"].sum()
    assert q.sum() == 5


# --------------------------------------------------------------------------- bonus


def bonus_dataset() -> Dataset:
    # (full_pay, hourly, bonus). Men recipients {100, 300, 800}: mean 400, median 300.
    # Women recipients {100, 200}: mean 150, median 150. The man and woman on reduced pay
    # are relevant employees for bonus, not for hourly pay.
    men = [(True, 10.0, 0.0), (True, 20.0, 100.0), (False, 15.0, 300.0), (True, 25.0, 800.0)]
    women = [(True, 10.0, 0.0), (True, 12.0, 0.0), (False, 11.0, 100.0), (True, 13.0, 200.0)]
    people = [{"sex": s, "full_pay": f, "hourly_pay": h, "bonus_pay": b}
              for s, rows in (("Male", men), ("Female", women)) for f, h, b in rows]
    return Dataset.from_frames(staff=staff(*people))


def test_bonus_measures() -> None:
    r = pay_gap(bonus_dataset(), period=PERIOD)
    # Recipients only: (400 - 150) / 400 = 62.5%; (300 - 150) / 300 = 50%.
    assert one(r, "bonus_gap_mean")["value"] == pytest.approx(62.5)
    assert one(r, "bonus_gap_median")["value"] == pytest.approx(50.0)
    assert (one(r, "bonus_gap_mean")["numerator"], one(r, "bonus_gap_mean")["denominator"]) == (2, 3)
    # Proportions over all relevant employees, full-pay or not: 3 / 4 men, 2 / 4 women
    # (over full-pay only it would be 2 / 3 and 1 / 3).
    men, women = one(r, "bonus_proportion", "Male"), one(r, "bonus_proportion", "Female")
    assert (men["numerator"], men["denominator"], men["value"]) == (3, 4, 0.75)
    assert (women["numerator"], women["denominator"], women["value"]) == (2, 4, 0.5)
    # Hourly over full-pay only: men {10, 20, 25}, women {10, 12, 13}:
    # means 55/3 and 35/3 -> 20/55 = 36.36%; medians 20 and 12 -> 40%.
    assert one(r, "pay_gap_mean")["value"] == pytest.approx(2000 / 55)
    assert one(r, "pay_gap_median")["value"] == pytest.approx(40.0)


def test_statutory_summary() -> None:
    s = statutory_summary(bonus_dataset(), period=PERIOD)
    assert list(s.columns) == ["period", "field", "measure", "value"]
    v = s.set_index("field")["value"]
    assert len(v) == 14
    assert v["DiffMeanHourlyPercent"] == 36.4  # 36.36 to one decimal place
    assert v["DiffMedianHourlyPercent"] == 40.0
    assert v["DiffMeanBonusPercent"] == 62.5
    assert v["DiffMedianBonusPercent"] == 50.0
    assert (v["MaleBonusPercent"], v["FemaleBonusPercent"]) == (75.0, 50.0)
    # Ranking the six full-pay people: 10 M, 10 F | 12 F, 13 F | 20 M, 25 M; quarters of
    # 6 people hold 2, 2, 1, 1 or a similar split, but the two tied at 10 form one block.
    for q in ("Lower", "LowerMiddle", "UpperMiddle", "Top"):
        assert v[f"Male{q}Quartile"] + v[f"Female{q}Quartile"] == pytest.approx(100.0)
    assert v["FemaleTopQuartile"] == 0.0


# --------------------------------------------------------------------------- quarters


def quarter_table(r: pd.DataFrame) -> pd.DataFrame:
    q = r.loc[r["indicator"] == "pay_quartile"]
    return q.pivot_table(index="variant", columns="group", values="numerator", aggfunc="sum"
                         ).reindex(list(QUARTERS))


def check_quarter_invariants(r: pd.DataFrame, n_total: int, by_sex: dict[str, int]) -> None:
    t = quarter_table(r)
    sizes = t.sum(axis=1)
    assert sizes.sum() == n_total
    assert sizes.max() - sizes.min() <= 1
    for sex, n in by_sex.items():
        assert t[sex].sum() == n
    assert (t.to_numpy() == np.round(t.to_numpy())).all()  # whole people


def test_quarters_tie_block_spanning_one_boundary() -> None:
    # Ranked: 10 F | 12 F, 12 F, 12 M (tie block, ranks 2-4) | 14 M, 15 F | 16 M, 17 M.
    # Quarters of 2. The block gives 1 place to Q1 and 2 to Q2, keeping its mix (2/3 women):
    # Q1: 0.67 F / 0.33 M -> largest remainder -> 1 F; Q2: 1.33 F / 0.67 M -> 1 F, 1 M.
    women, men = [10, 12, 12, 15], [12, 14, 16, 17]
    r = pay_gap(sexes(men, women), period=PERIOD)
    t = quarter_table(r)
    assert t["Female"].tolist() == [2, 1, 1, 0]
    assert t["Male"].tolist() == [0, 1, 1, 2]
    assert one(r, "pay_quartile", "Female", "Q1 (lower)")["value"] == 1.0
    check_quarter_invariants(r, 8, {"Female": 4, "Male": 4})


def test_quarters_tie_block_spanning_two_boundaries() -> None:
    # N = 12, quarters of 3. Ranked: 10 F | 12 x 6 (4 F, 2 M; ranks 2-7) | 14 M, 15 M |
    # 16 M, 17 F, 18 M. The block gives 2 places to Q1, 3 to Q2, 1 to Q3, keeping its mix:
    # Q1 ideal 1.33 F / 0.67 M -> 1 F, 1 M (largest remainder to M); Q2 2 F / 1 M exactly;
    # Q3 0.67 F / 0.33 M -> 1 F. A plain sort would put the block's women first.
    women, men = [10, 12, 12, 12, 12, 17], [12, 12, 14, 15, 16, 18]
    r = pay_gap(sexes(men, women), period=PERIOD)
    t = quarter_table(r)
    assert t["Female"].tolist() == [2, 2, 1, 1]
    assert t["Male"].tolist() == [1, 1, 2, 2]
    check_quarter_invariants(r, 12, {"Female": 6, "Male": 6})


def test_quarters_largest_remainder_two_boundaries() -> None:
    # Ranked: 10 F | 12 x 5 (3 F, 2 M; ranks 2-6) | 14 M, 15 M. Quarters of 2.
    # Block places: Q1 1 (0.6 F -> 1 F), Q2 2 (1.2 F, 0.8 M -> 1 F 1 M), Q3 2 (1 F 1 M).
    r = pay_gap(sexes([12, 12, 14, 15], [10, 12, 12, 12]), period=PERIOD)
    assert quarter_table(r)["Female"].tolist() == [2, 1, 1, 0]


def test_quarters_largest_remainder_one_pay_point() -> None:
    # 10 people on one rate, 6 women, quarters 3, 3, 2, 2: ideals 1.8, 1.8, 1.2, 1.2 women
    # -> 2, 2, 1, 1 (the 0.8 remainders go to women in Q1-Q2 and to men in Q3-Q4).
    r = pay_gap(sexes([20.0] * 4, [20.0] * 6), period=PERIOD)
    assert quarter_table(r)["Female"].tolist() == [2, 2, 1, 1]


def test_quarters_all_on_one_pay_point() -> None:
    # 10 people on one rate, 6 women: each quarter's ideal is 60% women (1.8 of 3, 1.2 of 2);
    # every quarter is within one person of it.
    r = pay_gap(sexes([20.0] * 4, [20.0] * 6), period=PERIOD)
    t = quarter_table(r)
    sizes = t.sum(axis=1)
    assert sorted(sizes.tolist()) == [2, 2, 3, 3]
    assert (np.abs(t["Female"] - sizes * 0.6) < 1).all()
    check_quarter_invariants(r, 10, {"Female": 6, "Male": 4})
    assert one(r, "pay_gap_mean")["value"] == 0.0


@pytest.mark.parametrize("n", [5, 6, 7, 9, 13])
def test_quarters_n_not_divisible_by_four(n: int) -> None:
    men = [10.0 + i for i in range(0, n, 2)]
    women = [10.5 + i for i in range(1, n, 2)]
    r = pay_gap(sexes(men, women), period=PERIOD)
    check_quarter_invariants(r, n, {"Female": len(women), "Male": len(men)})


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Male", "Female"]), st.integers(10, 14)),
                min_size=1, max_size=40))
def test_quarter_invariants_property(people: list[tuple[str, int]]) -> None:
    ds = Dataset.from_frames(staff=staff(*({"sex": s, "hourly_pay": float(v)} for s, v in people)))
    r = pay_gap(ds, period=PERIOD, decompose=False)
    counts = pd.Series([s for s, _ in people]).value_counts()
    check_quarter_invariants(r, len(people), {s: int(counts.get(s, 0)) for s in ("Male", "Female")})


# --------------------------------------------------------------------------- bands


def two_bands() -> Dataset:
    # Band 5: 1 man at 20, 3 women at 18. Band 7: 3 men at 30, 1 woman at 27.
    people = [{"sex": "Male", "band": "Band 5", "hourly_pay": 20.0}]
    people += [{"sex": "Female", "band": "Band 5", "hourly_pay": 18.0}] * 3
    people += [{"sex": "Male", "band": "Band 7", "hourly_pay": 30.0}] * 3
    people += [{"sex": "Female", "band": "Band 7", "hourly_pay": 27.0}]
    return Dataset.from_frames(staff=staff(*people))


def test_within_band_and_decomposition_by_hand() -> None:
    r = pay_gap(two_bands(), period=PERIOD)
    # Men: mean (20 + 90) / 4 = 27.5, median 30. Women: (54 + 27) / 4 = 20.25, median 18.
    total = one(r, "pay_gap_mean")["value"]
    assert total == pytest.approx(7.25 / 27.5 * 100)  # 26.36%
    assert one(r, "pay_gap_median")["value"] == pytest.approx(40.0)
    # Men's band weights W = (1/4, 3/4), women's w = (3/4, 1/4).
    # Band mix: sum (W - w) * women's band mean = -0.5 * 18 + 0.5 * 27 = 4.5 -> 16.36%.
    # Within bands: sum W * (men's - women's band mean) = 0.25 * 2 + 0.75 * 3 = 2.75 -> 10%.
    explained = one(r, "pay_gap_mean", variant="explained by band mix")["value"]
    within = one(r, "pay_gap_mean", variant="within bands")["value"]
    assert explained == pytest.approx(4.5 / 27.5 * 100)
    assert within == pytest.approx(10.0)
    assert explained + within == pytest.approx(total)

    b = pay_gap(two_bands(), period=PERIOD, within=("band",))
    rows = main_rows(b, "pay_gap_mean").set_index("band")
    # Band 5: (20 - 18) / 20 = 10%; Band 7: (30 - 27) / 30 = 10%.
    female = rows.loc[rows["group"] == "Female"]
    assert female.loc["Band 5", "value"] == pytest.approx(10.0)
    assert female.loc["Band 7", "value"] == pytest.approx(10.0)
    assert (female.loc["Band 5", "numerator"], female.loc["Band 5", "denominator"]) == (3, 1)
    # The decomposition is still of the organisation-wide gap.
    assert one(b, "pay_gap_mean", variant="within bands")["value"] == pytest.approx(10.0)


def test_decomposition_band_without_women() -> None:
    # Add a Band 8a with one man at 40 and no women: that band is all band mix.
    people = [{"sex": "Male", "band": "Band 8a", "hourly_pay": 40.0}]
    ds = two_bands()
    ds = Dataset.from_frames(staff=pd.concat([ds.staff, staff(*people).assign(staff_id="x")]))
    r = pay_gap(ds, period=PERIOD)
    # Men: (20 + 90 + 40) / 5 = 30; women 20.25; gap 9.75 / 30 = 32.5%.
    # Within bands: (1/5) * 2 + (3/5) * 3 + (1/5) * 0 = 2.2 -> 2.2 / 30 = 7.333%.
    assert one(r, "pay_gap_mean")["value"] == pytest.approx(32.5)
    assert one(r, "pay_gap_mean", variant="within bands")["value"] == pytest.approx(2.2 / 30 * 100)
    assert one(r, "pay_gap_mean", variant="explained by band mix")["value"] == pytest.approx(
        (9.75 - 2.2) / 30 * 100)


def test_decomposition_band_without_men() -> None:
    # Add a Band 2 with one woman at 10 and no men: her band adds nothing within bands
    # (the reference has nobody there to compare with) and all of her weight is band mix.
    people = [{"sex": "Female", "band": "Band 2", "hourly_pay": 10.0}]
    ds = two_bands()
    ds = Dataset.from_frames(staff=pd.concat([ds.staff, staff(*people).assign(staff_id="y")]))
    r = pay_gap(ds, period=PERIOD)
    # Men 27.5; women (54 + 27 + 10) / 5 = 18.2; gap 9.3 / 27.5 = 33.82%.
    # Within bands: (1/4) * 2 + (3/4) * 3 = 2.75 -> 10%. Band mix, term by term:
    # (1/4 - 3/5) * 18 + (3/4 - 1/5) * 27 + (0 - 1/5) * 10 = 6.55 -> 23.82%.
    assert one(r, "pay_gap_mean")["value"] == pytest.approx(9.3 / 27.5 * 100)
    assert one(r, "pay_gap_mean", variant="within bands")["value"] == pytest.approx(10.0)
    assert one(r, "pay_gap_mean", variant="explained by band mix")["value"] == pytest.approx(
        6.55 / 27.5 * 100)
    assert (one(r, "pay_gap_mean", variant="within bands")[["numerator", "denominator"]]
            .tolist() == [5.0, 4.0])


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Male", "Female"]),
                          st.sampled_from(["Band 3", "Band 5", "Band 7"]),
                          st.integers(10, 40)), min_size=2, max_size=30))
def test_decomposition_parts_sum_to_the_gap(people: list[tuple[str, str, int]]) -> None:
    ds = Dataset.from_frames(staff=staff(*({"sex": s, "band": b, "hourly_pay": float(v)}
                                           for s, b, v in people)))
    r = pay_gap(ds, period=PERIOD)
    total = one(r, "pay_gap_mean")["value"]
    parts = sum(one(r, "pay_gap_mean", variant=v)["value"]
                for v in ("explained by band mix", "within bands"))
    if np.isnan(total):
        assert np.isnan(parts)
    else:
        assert parts == pytest.approx(total, abs=1e-9)


# --------------------------------------------------------------------------- ethnicity, disability


def ethnicity_dataset() -> Dataset:
    people = [{"ethnic_category": "A", "hourly_pay": 20.0}] * 12  # White British
    people += [{"ethnic_category": "H", "hourly_pay": 18.0}] * 10  # Indian
    people += [{"ethnic_category": "R", "hourly_pay": 25.0}] * 3  # Chinese
    people += [{"ethnic_category": "Z", "hourly_pay": 19.0}] * 5  # not stated
    return Dataset.from_frames(staff=staff(*people))


def test_ethnicity_pay_gap() -> None:
    r = pay_gap(ethnicity_dataset(), period=PERIOD, by="ethnicity")
    # All ethnic minority groups: 13 people, mean (180 + 75) / 13 -> (260 - 255) / 260 = 1.923%;
    # median 18 -> 10%.
    em = one(r.loc[r["group_var"] == "white_british"], "pay_gap_mean", "Ethnic minority")
    assert em["value"] == pytest.approx(500 / 260)
    assert (em["numerator"], em["denominator"], em["reference_group"]) == (13, 12, "White British")
    assert one(r.loc[r["group_var"] == "white_british"], "pay_gap_median",
               "Ethnic minority")["value"] == pytest.approx(10.0)
    detailed = r.loc[r["group_var"] == "ethnicity_detailed"]
    indian = one(detailed, "pay_gap_mean", "Asian or Asian British - Indian")
    assert indian["value"] == pytest.approx(10.0) and indian["status"] == "adverse"
    # Fewer than 10 people: kept as a row, not reported.
    chinese = one(detailed, "pay_gap_mean", "Other ethnic groups - Chinese")
    assert np.isnan(chinese["value"]) and chinese["status"] == "insufficient_evidence"
    assert chinese["numerator"] == 3
    absent = one(detailed, "pay_gap_mean", "Black or Black British - African")
    assert np.isnan(absent["value"]) and absent["numerator"] == 0
    # Share not disclosed: 5 of 30.
    unknown = one(r.loc[r["group_var"] == "white_british"], "pay_gap_mean", "Unknown",
                  "share not disclosed")
    assert (unknown["numerator"], unknown["denominator"]) == (5, 30)
    assert unknown["value"] == pytest.approx(500 / 30)
    # Quarter shares of a group under 10 are not reported either.
    q = detailed.loc[(detailed["indicator"] == "pay_quartile")
                     & (detailed["group"] == "Other ethnic groups - Chinese")]
    assert len(q) == 4 and q["value"].isna().all()


def test_disability_pay_gap() -> None:
    people = [{"disability": "No", "hourly_pay": 20.0}] * 10
    people += [{"disability": "Yes", "hourly_pay": 19.0}] * 10
    people += [{"disability": "Not declared", "hourly_pay": 19.0}] * 2
    r = pay_gap(Dataset.from_frames(staff=staff(*people)), period=PERIOD, by="disability")
    row = one(r, "pay_gap_mean", "Disabled")
    # (20 - 19) / 20 = 5%: at the edge of the range, still within it.
    assert row["value"] == pytest.approx(5.0) and row["status"] == "within_range"
    assert row["reference_group"] == "Non-disabled"
    assert one(r, "pay_gap_mean", "Unknown", "share not disclosed")["numerator"] == 2


# --------------------------------------------------------------------------- scope, bad input


def test_period_without_snapshot() -> None:
    with pytest.raises(PeriodError, match="2024/25"):
        pay_gap(sexes([10.0], [10.0]), period="2023/24")


def test_filter_matching_nothing_lists_values() -> None:
    with pytest.raises(ParameterError, match="Therapies"):
        pay_gap(sexes([10.0], [10.0]), period=PERIOD, directorate="Surgery")


def test_missing_pay_columns_not_computed() -> None:
    ds = sexes([10.0, 20.0], [10.0, 20.0])
    ds = Dataset.from_frames(staff=ds.staff.drop(columns=["hourly_pay"]))
    r = pay_gap(ds, period=PERIOD)
    assert set(r.attrs["not_computed"]) == {"pay_gap_mean", "pay_gap_median", "pay_quartile"}
    assert "hourly_pay" in r.attrs["not_computed"]["pay_gap_mean"]
    assert one(r, "bonus_proportion", "Male")["denominator"] == 2


def test_pay_indicators_and_public_api() -> None:
    r = pay_indicators(ethnicity_dataset(), period=PERIOD, within=("directorate",))
    assert set(r["indicator"]) == {"pay_gap_mean", "pay_gap_median", "bonus_gap_mean",
                                   "bonus_gap_median", "bonus_proportion", "pay_quartile"}
    assert set(r["group_var"]) == {"sex", "white_british", "ethnicity_detailed", "disability"}
    assert (r["directorate"] == "Therapies").all()
    assert r.attrs["not_computed"] == {}
    assert eq.pay_gap is pay_gap and eq.statutory_summary is statutory_summary


def test_no_individual_pay_in_results() -> None:
    # Distinctive pay values must never come back: only gaps, shares and counts do.
    pays = [13.37, 17.29, 23.11, 31.07, 11.93]
    ds = sexes(pays[:3], pays[3:], bonus_pay=419.77)
    r = pay_indicators(ds, period=PERIOD, within=("band",))
    numbers = r[["numerator", "denominator", "value", "ci_low", "ci_high"]].to_numpy().ravel()
    assert not np.isin(np.round(numbers, 2), [*pays, 419.77]).any()


# --------------------------------------------------------------------------- engines


def engine_dataset(seed: str = "pay engines") -> pd.DataFrame:
    rng = np.random.default_rng(sum(map(ord, seed)))
    n = 240
    bands = rng.choice(["Band 3", "Band 5", "Band 6", "Band 7"], n)
    pay = pd.Series(bands).map({"Band 3": 12.0, "Band 5": 15.0, "Band 6": 19.0, "Band 7": 23.0})
    people = [{
        "sex": rng.choice(["Male", "Female", None], p=[0.3, 0.65, 0.05]),
        "band": bands[i], "directorate": rng.choice(["Therapies", "Surgery"]),
        "ethnic_category": rng.choice(["A", "H", "N", "Z", "C"]),
        "disability": rng.choice(["Yes", "No", "Not declared"]),
        "hourly_pay": float(pay[i] + rng.choice([0.0, 0.5, 1.0])),
        "bonus_pay": float(rng.choice([0.0, 0.0, 0.0, 500.0, 1200.0])),
        "full_pay": bool(rng.random() > 0.1),
    } for i in range(n)]
    return staff(*people)


@pytest.mark.slow  # three engines x every pay comparison
def test_engine_parity() -> None:
    base = Dataset.from_frames(staff=engine_dataset())
    con = duckdb.connect()
    variants = {
        "pandas": base,
        "polars_lazy": Dataset(staff=pl.from_pandas(base.staff).lazy(), engine="polars"),
        "duckdb": Dataset(staff=con.from_df(base.staff), engine="duckdb"),
    }
    results = {k: pay_indicators(ds, period=PERIOD, within=("directorate",))
               for k, ds in variants.items()}
    key = ["indicator", "group_var", "group", "variant", "directorate"]

    def norm(r: pd.DataFrame) -> pd.DataFrame:
        return r.fillna({"variant": "", "directorate": ""}).sort_values(key).reset_index(drop=True)

    expected = norm(results["pandas"])
    assert len(expected) > 100
    for name in ("polars_lazy", "duckdb"):
        pd.testing.assert_frame_equal(norm(results[name]), expected, obj=name)
        assert results[name].attrs["exclusions"] == results["pandas"].attrs["exclusions"]


def test_oracle_plain_pandas() -> None:
    """Mean and median gaps per directorate against plain pandas on the row-level data."""
    df = engine_dataset("pay oracle")
    r = pay_gap(Dataset.from_frames(staff=df), period=PERIOD, within=("directorate",))
    full = df.loc[df["full_pay"]]
    for d, part in full.groupby("directorate"):
        m, f = part.loc[part["sex"] == "Male", "hourly_pay"], part.loc[part["sex"] == "Female",
                                                                       "hourly_pay"]
        sel = r.loc[r["directorate"] == d]
        assert one(sel, "pay_gap_mean")["value"] == pytest.approx((m.mean() - f.mean()) / m.mean() * 100)
        assert one(sel, "pay_gap_median")["value"] == pytest.approx(
            (m.median() - f.median()) / m.median() * 100)


# --------------------------------------------------------------------------- synthetic truth


def test_recovers_the_synthetic_gender_pay_gap_and_its_band_mix_cause() -> None:
    """equity.synth pays by band and pay point only (true within-band gap 0), with men
    tilted to higher bands: the organisation-wide gap must be large and almost all band mix;
    consultants receive clinical excellence awards at 35% whatever their sex."""
    from equity.synth import generate

    tables, truth = generate(seed=sum(map(ord, "pay recovery")), years=1, scale_factor=4.0)
    within_truth = next(d for d in truth["disparities"] if d["indicator"] == "pay_gap_mean")
    bonus_truth = next(d for d in truth["disparities"] if d["indicator"] == "bonus_proportion")
    assert within_truth["value"] == 0.0
    ds = Dataset.from_frames(staff=tables["staff"])
    period = truth["last_period"]
    r = pay_gap(ds, period=period)
    total = one(r, "pay_gap_mean")
    explained = one(r, "pay_gap_mean", variant="explained by band mix")["value"]
    within = one(r, "pay_gap_mean", variant="within bands")["value"]
    assert total["value"] > 5 and total["status"] == "adverse"
    assert abs(within - within_truth["value"]) < 2
    assert explained > 0.8 * total["value"]
    b = pay_gap(ds, period=period, within=("band",), decompose=False)
    bands = main_rows(b, "pay_gap_mean")
    big = bands.loc[(bands["group"] == "Female") & (bands["numerator"] >= 50)
                    & (bands["denominator"] >= 50)]
    assert len(big) >= 5
    assert (big["value"].abs() < 3).all(), big[["band", "value"]]
    cons = b.loc[(b["indicator"] == "bonus_proportion") & (b["band"] == "Medical: Consultant")]
    for sex, rate in bonus_truth["rates"].items():
        row = cons.loc[cons["group"] == sex].iloc[0]
        assert row["ci_low"] <= rate <= row["ci_high"], (sex, row)
