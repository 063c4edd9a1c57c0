"""Narrative sentences: figures, intervals, comparisons and statuses in plain English."""

import math

import pandas as pd
import pytest

from equity.narrative import (
    INSUFFICIENT_TEXT,
    SUPPRESSED_TEXT,
    describe,
    format_value,
    narrative,
    sentence,
)
from equity.result import make_result


def _row(**kw):
    return make_result({k: [v] for k, v in kw.items()}, period="2024/25").iloc[0]


def test_issue_example_wres_2():
    row = _row(indicator="wres_2", group_var="ethnicity", group="BME", reference_group="White",
               ratio=1.6, ratio_ci_low=1.2, ratio_ci_high=2.1, status="adverse")
    text = sentence(row)
    assert text.startswith("BME shortlisted applicants were less likely to be appointed: "
                           "White shortlisted applicants were 1.6 times as likely "
                           "(95% CI 1.2 to 2.1), outside the non-adverse range 0.80-1.25.")
    assert "adverse" in text


@pytest.mark.parametrize(
    ("indicator", "ratio", "status", "expected"),
    [
        # WRES 3 is BME / White: BME more likely to enter the process.
        ("wres_3", 1.9, "adverse", "White staff were less likely to enter the formal "
         "disciplinary process: BME staff were 1.9 times as likely"),
        ("wres_3", 1.1, "within_range", "White and BME staff were about as likely to enter the "
         "formal disciplinary process: BME staff were 1.10 times as likely"),
        ("leaver_rate", 0.5, "favourable", "White staff were more likely to leave: BME staff "
         "were 0.5 times as likely"),
    ],
)
def test_ratio_direction(indicator, ratio, status, expected):
    row = _row(indicator=indicator, group_var="ethnicity", group="BME", reference_group="White",
               ratio=ratio, ratio_ci_low=ratio * 0.8, ratio_ci_high=ratio * 1.2, status=status)
    assert sentence(row).startswith(expected)


def test_insufficient_and_suppressed_are_said_as_such():
    ins = _row(indicator="wres_2", group_var="ethnicity", group="BME", reference_group="White",
               status="insufficient_evidence")
    assert INSUFFICIENT_TEXT in sentence(ins)
    sup = _row(indicator="representation", group_var="ethnicity", group="BME", suppressed=True)
    text = sentence(sup)
    assert SUPPRESSED_TEXT in text
    assert not any(ch.isdigit() for ch in text.split(":")[-1])


def test_share_with_interval():
    row = _row(indicator="representation", group_var="ethnicity", group="BME", numerator=30,
               denominator=120, value=0.25, ci_low=0.183, ci_high=0.331)
    assert sentence(row) == "Workforce representation, BME: 25.0% (95% CI 18.3% to 33.1%)."


def test_pay_gap_sentence():
    row = _row(indicator="pay_gap_median", group_var="sex", group="Female",
               reference_group="Male", value=8.25, status="adverse")
    assert sentence(row) == ("Median hourly pay gap: 8.2%: Female median hourly pay was 8.2% "
                             "lower than Male median hourly pay.")


@pytest.mark.parametrize(("lo", "hi", "phrase"), [(1.2, 2.1, "excludes 1"), (0.9, 2.1, "includes 1")])
def test_caveats_state_significance(lo, hi, phrase):
    row = _row(indicator="wres_2", group_var="ethnicity", group="BME", reference_group="White",
               ratio=1.5, ratio_ci_low=lo, ratio_ci_high=hi, status="adverse")
    text = sentence(row, caveats=True)
    assert phrase in text and "does not show why" in text


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [(0.2345, "proportion", "23.4%"), (8.25, "percent", "8.2%"), (-5, "percentage_points", "-5.0 pp"),
     (1.234, "ratio", "1.23"), (math.nan, "ratio", "n/a"), (1234.0, "count", "1,234")],
)
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


def test_describe_skips_reference_rows_and_orders_adverse_first():
    res = make_result(pd.DataFrame({
        "indicator": ["wres_2"] * 3, "group_var": ["ethnicity"] * 3,
        "group": ["White", "BME", "Unknown"], "reference_group": ["White", "White", None],
        "ratio": [math.nan, 1.6, math.nan], "ratio_ci_low": [math.nan, 1.2, math.nan],
        "ratio_ci_high": [math.nan, 2.1, math.nan], "value": [0.3, 0.2, 0.25],
        "status": ["not_applicable", "adverse", "not_applicable"]}), period="2024/25")
    assert len(describe(res)) == 2
    n = narrative(res)
    assert n.sentences[0].startswith("BME shortlisted")
    assert "<ul" in n._repr_html_()
