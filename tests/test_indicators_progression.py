"""Progression indicators: promotion, band transitions, training access, trends."""

from __future__ import annotations

import pandas as pd
import pytest

import equity as eq
from _results import row
from equity.io import Dataset
from equity.measures.progression import LEFT, STAYERS_VARIANT, training_access

S23, S24, S25 = "2023-03-31", "2024-03-31", "2025-03-31"


def person(sid, snap, band, *, eth="A", directorate="Therapies"):
    return {"staff_id": str(sid), "snapshot_date": snap, "directorate": directorate,
            "staff_group": "Allied Health Professionals", "band": band, "fte": 1.0,
            "contract_type": "Substantive", "ethnic_category": eth,
            "org_start_date": "2015-01-01"}


@pytest.fixture(scope="module")
def history():
    staff = []
    # Promoted twice: Band 5 -> 6 -> 7.
    staff += [person("twice", S23, "Band 5"), person("twice", S24, "Band 6"),
              person("twice", S25, "Band 7")]
    # Demoted, level, leaver, unrecognised band.
    staff += [person("down", S24, "Band 6"), person("down", S25, "Band 5")]
    staff += [person(f"flat{i}", s, "Band 5") for i in range(6) for s in (S23, S24, S25)]
    staff += [person("gone", S24, "Band 6")]
    staff += [person("odd", S24, "Grade X"), person("odd", S25, "Band 7")]
    return Dataset.from_frames(staff=pd.DataFrame(staff))


@pytest.fixture(scope="module")
def p24(history):
    return eq.progression(history, period="2024/25")


def test_promoted_twice_counts_in_each_year(history, p24):
    p23 = eq.progression(history, period="2023/24")
    assert row(p23, "promotion_rate")["numerator"] == 1.0
    assert row(p24, "promotion_rate")["numerator"] == 1.0


def test_promotion_denominators_and_exclusions(p24):
    # At the start of 2024/25 on the ladder: twice, down, 6 flat, gone = 9; "odd" excluded.
    main = row(p24, "promotion_rate")
    assert (main["numerator"], main["denominator"]) == (1.0, 9.0)
    stay = row(p24, "promotion_rate", variant=STAYERS_VARIANT)
    assert stay["denominator"] == 8.0
    ex = [e for e in p24.attrs["exclusions"] if e["indicator"] == "promotion_rate"]
    assert ex[0]["count"] == 1


def test_promotion_by_band_of_origin(history):
    r = eq.progression(history, period="2024/25", within=("band",))
    assert row(r, "promotion_rate", band="Band 6")["numerator"] == 1.0
    assert row(r, "promotion_rate", band="Band 6")["denominator"] == 3.0
    assert row(r, "promotion_rate", band="Band 5")["numerator"] == 0.0


def test_promotion_relative_likelihood():
    # White 20 of 100 promoted, BME 10 of 100: RL BME / White = 0.5, adverse.
    staff = []
    for eth, k, tag in (("A", 20, "w"), ("H", 10, "b")):
        for i in range(100):
            staff += [person(f"{tag}{i}", S24, "Band 5", eth=eth),
                      person(f"{tag}{i}", S25, "Band 6" if i < k else "Band 5", eth=eth)]
    r = eq.progression(Dataset.from_frames(staff=pd.DataFrame(staff)), period="2024/25")
    bme = row(r, "promotion_rate", group="BME")
    assert bme["value"] == pytest.approx(0.1)
    assert bme["ratio"] == pytest.approx(0.5)
    assert bme["status"] == "adverse"
    assert bme["ratio_ci_low"] < 0.5 < bme["ratio_ci_high"]


def test_band_transitions_tidy(history):
    t = eq.band_transitions(history, period="2024/25")
    white = t[t["group"] == "White"]
    six = white[white["from_band"] == "Band 6"].set_index("to_band")
    assert six.loc["Band 7", "count"] == 1.0
    assert six.loc["Band 5", "count"] == 1.0
    assert six.loc[LEFT, "count"] == 1.0
    assert six["share"].sum() == pytest.approx(1.0)
    assert six.loc[LEFT, "share"] == pytest.approx(1 / 3)
    assert list(t.columns) == ["period", "group_var", "group", "from_band", "to_band", "count",
                               "share", "ci_low", "ci_high"]
    # Every group appears, even with no one in it.
    assert set(t["group"]) == {"White", "BME", "Unknown"}


def test_training_access_unique_people_non_mandatory_in_year():
    staff = [person(i, S25, "Band 5") for i in range(10)]
    training = pd.DataFrame({
        "staff_id": ["0", "0", "1", "2", "3", "99"],
        "date": ["2024-05-01", "2024-06-01", "2024-07-01", "2024-07-01", "2025-04-01",
                 "2024-07-01"],
        "course": ["a", "b", "c", "d", "e", "f"],
        "mandatory": [False, False, False, True, False, False],
    })
    ds = Dataset.from_frames(staff=pd.DataFrame(staff), training=training)
    r = training_access(ds, period="2024/25")
    # 0 (twice, counted once) and 1; 2 mandatory only; 3 after the year; 99 not in post.
    w = row(r, "training_access")
    assert (w["numerator"], w["denominator"]) == (2.0, 10.0)


def test_training_absent_is_not_computed(p24):
    assert "training_access" in p24.attrs["not_computed"]
    assert (p24["indicator"] == "promotion_rate").any()


def test_trends_one_table_per_year(history):
    t = eq.trends(history, indicators=("promotion_rate",))
    periods = t.loc[t["group"] == "White"].query("variant.isna()", engine="python")["period"]
    assert periods.tolist() == ["2023/24", "2024/25"]
    with pytest.raises(eq.ParameterError, match="promotion_rate"):
        eq.trends(history, indicators=("wres_1",))
