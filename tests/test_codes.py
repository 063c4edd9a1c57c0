"""Code lists, groupings, bands and NHS financial-year periods."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from equity import codes
from equity.codes import Period
from equity.errors import PeriodError


@pytest.mark.parametrize(
    ("code", "wres", "broad"),
    [
        ("A", "White", "White"), ("B", "White", "White"), ("C", "White", "White"),
        ("C3", "White", "White"),  # local detail after the national code
        ("D", "BME", "Mixed"), ("G", "BME", "Mixed"), ("H", "BME", "Asian"),
        ("L", "BME", "Asian"), ("M", "BME", "Black"), ("N", "BME", "Black"),
        ("P", "BME", "Black"), ("R", "BME", "Chinese"), ("S", "BME", "Other"),
        ("Z", "Unknown", "Unknown"), ("99", "Unknown", "Unknown"), ("", "Unknown", "Unknown"),
        (None, "Unknown", "Unknown"), ("Q", "Unknown", "Unknown"), (" n ", "BME", "Black"),
        # whole words are labels, never read by their first letter
        ("Asian", "Unknown", "Unknown"), ("Black", "Unknown", "Unknown"),
        ("White - British", "White", "White"), ("White: Roma", "White", "White"),
        ("Other ethnic group: Arab", "BME", "Other"),
    ],
)
def test_ethnicity_groupings(code, wres, broad):
    s = pd.Series([code], dtype=object)
    assert codes.ethnicity_group(s).iloc[0] == wres
    assert codes.ethnicity_group(s, grouping="broad").iloc[0] == broad


def test_every_national_code_has_a_group():
    assert len(codes.ETHNIC_CATEGORIES) == 18  # 16 categories + Z + 99
    s = pd.Series(list(codes.ETHNIC_CATEGORIES))
    assert codes.ethnicity_group(s).value_counts().to_dict() == {"BME": 13, "White": 3, "Unknown": 2}


def test_bme_label_is_a_parameter():
    s = pd.Series(["N", "A"])
    assert codes.ethnicity_group(s, bme_label="Global majority").tolist() == ["Global majority", "White"]


def test_white_british_grouping_for_pay():
    s = pd.Series(["A", "B", "C", "H", "Z"])
    assert codes.ethnicity_group(s, grouping="white_british").tolist() == [
        "White British", "Ethnic minority", "Ethnic minority", "Ethnic minority", "Unknown"]


@pytest.mark.parametrize(
    ("label", "code", "wres"),
    [
        ("White: Gypsy or Irish Traveller", "C", "White"),
        ("White: Roma", "C", "White"),
        ("Other ethnic group: Arab", "S", "BME"),
        ("Asian, Asian British or Asian Welsh: Chinese", "R", "BME"),
        ("White: English, Welsh, Scottish, Northern Irish or British", "A", "White"),
    ],
)
def test_census_2021_labels_map_by_meaning(label, code, wres):
    assert codes.CENSUS_2021_TO_NHS[label] == code
    assert codes.ethnicity_group(pd.Series([code])).iloc[0] == wres


def test_census_2021_has_19_categories():
    assert len(codes.CENSUS_2021_TO_NHS) == 19


@pytest.mark.parametrize(
    ("value", "group"),
    [("Yes", "Disabled"), ("No", "Non-disabled"), ("Not declared", "Unknown"),
     ("Unspecified", "Unknown"), (None, "Unknown"), ("", "Unknown")],
)
def test_disability(value, group):
    assert codes.disability_group(pd.Series([value], dtype=object)).iloc[0] == group


def test_sex_and_sexual_orientation():
    assert codes.sex_group(pd.Series(["F", "Male", "X", None], dtype=object)).tolist() == [
        "Female", "Male", "Unknown", "Unknown"]
    so = codes.sexual_orientation_group(pd.Series(["1", "2", "3", "4", "U", "Z", "9", None], dtype=object))
    assert so.tolist()[:4] == ["Heterosexual or Straight", "Gay or Lesbian", "Bisexual",
                               "Other sexual orientation not listed"]
    assert so.tolist()[4:] == ["Unknown"] * 4


def test_band_ladder_order():
    assert codes.AFC_BANDS[0] == "Band 1" and codes.AFC_BANDS[-1] == "VSM"
    ranks = [codes.BAND_ORDER[b] for b in ("Band 7", "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9")]
    assert ranks == sorted(ranks)
    assert codes.SENIOR_BANDS == ("Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM")
    assert codes.BAND_GROUPS["Band 5"] == "lower" and codes.BAND_GROUPS["Band 6"] == "middle"
    assert codes.BAND_GROUPS["Band 8a"] == "upper"
    assert all(codes.BAND_ORDER[g] > codes.BAND_ORDER["VSM"] for g in codes.MEDICAL_GRADES)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("5", "Band 5"), ("Band 5", "Band 5"), ("band 8A", "Band 8a"), ("8c", "Band 8c"),
     ("vsm", "VSM"), ("Medical: Consultant", "Medical: Consultant"), ("Band 12", "Band 12")],
)
def test_normalise_band(raw, canonical):
    assert codes.normalise_band(pd.Series([raw])).iloc[0] == canonical


def test_fourteen_ahps():
    groups = {p.split(" (")[0] for p in codes.AHP_PROFESSIONS}
    assert len(groups) == 14
    assert {"Radiographer (diagnostic)", "Radiographer (therapeutic)"} <= set(codes.AHP_PROFESSIONS)
    assert set(codes.TRUST_AHP_PROFESSIONS) <= set(codes.AHP_PROFESSIONS)
    assert len(codes.TRUST_AHP_PROFESSIONS) == 9


def test_clinical_split():
    s = pd.Series(["Allied Health Professionals", "Administrative and Clerical", "Estates and Ancillary"])
    assert codes.is_clinical(s).tolist() == [True, False, False]


def test_period_dates():
    p = Period.parse("2024/25")
    assert (p.start, p.end, p.snapshot, p.start_snapshot) == (
        dt.date(2024, 4, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 31), dt.date(2024, 3, 31))
    assert str(p) == "2024/25" and str(p.previous()) == "2023/24" and str(p.next()) == "2025/26"
    assert Period.parse("1999/00").end == dt.date(2000, 3, 31)


@pytest.mark.parametrize(
    ("date", "label"),
    [(dt.date(2024, 4, 1), "2024/25"), (dt.date(2025, 3, 31), "2024/25"), (dt.date(2025, 4, 1), "2025/26")],
)
def test_period_containing(date, label):
    assert str(Period.containing(date)) == label


@pytest.mark.parametrize("bad", ["2024", "2024/26", "24/25", "2024-25", ""])
def test_bad_period_is_a_clear_error(bad):
    with pytest.raises(PeriodError, match="YYYY/YY"):
        Period.parse(bad)


def test_periods_from_snapshots():
    dates = [dt.date(2023, 3, 31), dt.date(2024, 3, 31), dt.date(2024, 6, 30)]
    assert [str(p) for p in codes.periods_from_snapshots(dates)] == ["2022/23", "2023/24"]


def test_wres_clusters_hold_every_afc_band_once_in_order():
    # WRES technical guidance's clusters: 1-4, 5-7, 8a-8b, 8c to VSM.
    bands = [b for _, members in codes.WRES_CLUSTERS for b in members]
    assert bands == list(codes.AFC_BANDS)
    assert [c for c, _ in codes.WRES_CLUSTERS] == ["Bands 1-4", "Bands 5-7", "Bands 8a-8b",
                                                   "Bands 8c-VSM"]
