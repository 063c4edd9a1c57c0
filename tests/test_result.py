"""The shared result schema and the indicator registry."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equity.io import read_dataset
from equity.measures._all import indicators
from equity.registry import INDICATOR_IDS, REGISTRY, registry_table
from equity.result import (
    RESULT_COLUMNS,
    TEXT_COLUMNS,
    ResultSchemaError,
    check_result,
    concat_results,
    make_result,
    repeated,
    text_where,
)
from equity.stats import classify

DESIGN = Path(__file__).resolve().parents[2] / "shared" / "DESIGN.md"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_columns_follow_design_order():
    assert RESULT_COLUMNS == (
        "indicator", "period", "organisation", "directorate", "staff_group", "profession", "band",
        "clinical", "variant", "group_var", "group", "numerator", "denominator", "value",
        "ci_low", "ci_high", "reference_group", "ratio", "ratio_ci_low", "ratio_ci_high",
        "p_value", "status", "suppressed",
    )


def test_make_result_fills_and_types():
    r = make_result({"group": ["BME", "White"], "numerator": [1, 2], "denominator": [4, 5],
                     "value": [0.25, np.inf]}, indicator="representation", period="2024/25")
    check_result(r)
    assert r["status"].tolist() == ["not_applicable", "not_applicable"]
    assert r["suppressed"].tolist() == [False, False]
    assert r["numerator"].dtype == "float64"
    assert np.isnan(r.loc[1, "value"])  # infinity never survives
    assert r["directorate"].isna().all()


@pytest.mark.parametrize("dtype", ["str", pd.StringDtype("python"), pd.StringDtype("pyarrow"),
                                   object])
def test_text_columns_come_out_as_object_with_none_for_missing(dtype):
    groups = pd.Series(["BME", None, "White", "BME"], dtype=dtype)
    r = make_result(pd.DataFrame({"group": groups, "directorate": groups.iloc[::-1].to_numpy()}))
    assert r["group"].dtype == object and r["directorate"].dtype == object
    assert r["group"].tolist() == ["BME", None, "White", "BME"]
    assert r["directorate"].tolist() == ["BME", "White", None, "BME"]


def test_a_mapping_of_arrays_and_scalars_is_used_as_it_is():
    # rate rows hand make_result their arrays: scalars broadcast, object text stays object
    # (with None), a categorical key reads as its labels, lengths must agree
    status = np.array(["adverse", None], dtype=object)
    r = make_result({"group": pd.Series(pd.Categorical(["BME", None])), "group_var": "ethnicity",
                     "status": status, "numerator": 3, "value": np.array([0.5, -np.inf]),
                     "suppressed": True}, indicator="wres_2")
    assert r["group"].tolist() == ["BME", None] and r["group_var"].tolist() == ["ethnicity"] * 2
    assert r["status"].tolist() == ["adverse", "not_applicable"]
    assert r["numerator"].tolist() == [3.0, 3.0] and r["value"].tolist()[0] == 0.5
    assert np.isnan(r.loc[1, "value"]) and r["suppressed"].tolist() == [True, True]
    assert all(r[c].dtype == object for c in ("group", "group_var", "status", "indicator"))
    assert status.tolist() == ["adverse", None]  # the caller's array is not changed
    with pytest.raises(ResultSchemaError, match=r"differ in length: \[1, 2\]"):
        make_result({"group": ["a", "b"], "value": [1.0]})


def test_broadcast_text_is_one_object_not_one_per_row():
    # np.full / np.where on a str make a new string object per row: 60 bytes a cell and a
    # hash each, about 8 million cells in the national table
    r = make_result({"group": ["a", "b", "c"], "status": "adverse"}, indicator="wres_2",
                    period="2024/25")
    for c in ("indicator", "period", "status"):
        assert len({id(v) for v in r[c]}) == 1, c
    assert repeated("x y", 4).tolist() == ["x y"] * 4
    out = text_where(np.array([True, False, True, False]), "within_range",
                     np.array(["a", None, "b", "c"], dtype=object))
    assert out.tolist() == ["within_range", None, "within_range", "c"]
    assert out[0] is out[2]
    status = classify(np.repeat([2.0, 1.0], 25), np.full(50, 100), np.full(50, 100),
                      harm="above")
    assert status.tolist() == ["adverse"] * 25 + ["within_range"] * 25
    assert len({id(v) for v in status}) == 2
    # any shape, as the ratios come: one figure, or a table of them
    assert classify(2.0, 100, 100, harm="above").tolist() == "adverse"
    assert classify(np.array([[2.0, 1.0]]), 100, 100, harm="above").tolist() == [
        ["adverse", "within_range"]]


def test_a_whole_table_holds_each_text_value_a_few_times_at_most():
    # every indicator on the sample trust split by directorate: 3,439 rows of text, each
    # column a few dozen distinct values built in a few dozen parts
    table = indicators(read_dataset(SAMPLE), period="2024/25", within=["directorate"],
                       disclosure="internal")
    assert len(table) > 3000
    objects = {c: len({id(v) for v in table[c]}) for c in TEXT_COLUMNS}
    assert max(objects.values()) <= 250, objects


def test_unknown_columns_and_statuses_are_rejected():
    with pytest.raises(ResultSchemaError, match="not in the shared schema"):
        make_result({"staff_id": ["1"]})
    with pytest.raises(ResultSchemaError, match="Unknown status"):
        make_result({"status": ["bad"]})


def test_concat_merges_metadata():
    a = make_result({"group": ["x"]}, indicator="wres_1", period="2024/25")
    a.attrs["exclusions"] = [{"indicator": "wres_1", "table": "staff", "reason": "bank", "count": 3}]
    b = make_result(pd.DataFrame({"group": []}), indicator="wres_3")
    b.attrs["not_computed"] = {"wres_3": "no casework table"}
    out = concat_results([a, b])
    assert len(out) == 1
    assert out.attrs["not_computed"] == {"wres_3": "no casework table"}
    assert out.attrs["exclusions"][0]["count"] == 3


def test_registry_covers_every_design_id():
    text = DESIGN.read_text() if DESIGN.exists() else ""
    ids = set(re.findall(r"`([a-z_]+(?:_\d+)?)`", text.split("Indicator ids:")[1].split("Dataset on disk")[0])) if text else set()
    # wres_1 … wres_9 and wdes_1 … wdes_10 are written as ranges in DESIGN.md
    expected = (ids - {"wres_1", "wres_9", "wdes_1", "wdes_10"}) | {f"wres_{i}" for i in range(1, 10)} | {
        f"wdes_{i}" for i in range(1, 11)}
    assert expected <= set(INDICATOR_IDS)
    assert len(INDICATOR_IDS) == 39


@pytest.mark.parametrize("indicator", INDICATOR_IDS)
def test_registry_entries_are_complete(indicator):
    m = REGISTRY[indicator]
    assert m.title and m.definition and m.source
    assert m.unit in ("proportion", "ratio", "percent", "percentage_points", "index", "count")
    assert m.harm in ("above", "below", None)
    if m.non_adverse_range:
        assert m.harm is not None


@pytest.mark.parametrize(
    ("indicator", "harm"),
    [("wres_2", "above"), ("wres_3", "above"), ("wres_4", "above"), ("wdes_2", "above"),
     ("wdes_3", "above"), ("wres_9", "below")],
)
def test_standard_directions(indicator, harm):
    assert REGISTRY[indicator].harm == harm


def test_registry_table():
    t = registry_table()
    assert len(t) == len(REGISTRY) and t["indicator"].is_unique
