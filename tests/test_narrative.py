"""Narrative sentences: figures, intervals, comparisons and statuses in plain English."""

import math

import pandas as pd
import pytest

from equity.errors import ParameterError
from equity.narration import (
    INSUFFICIENT_TEXT,
    SUPPRESSED_TEXT,
    describe,
    format_value,
    narrative,
    sentence,
)
from equity.registry import REGISTRY
from equity.result import make_result


def _row(**kw):
    return make_result({k: [v] for k, v in kw.items()}, period="2024/25").iloc[0]


def test_issue_example_wres_2():
    row = _row(indicator="wres_2", group_var="ethnicity", group="BME", reference_group="White",
               ratio=1.6, ratio_ci_low=1.2, ratio_ci_high=2.1, status="adverse")
    text = sentence(row)
    # WRES 2 is White / BME: 1.6 means BME applicants were 1 / 1.6 = 0.625 times as likely.
    assert text.startswith("BME shortlisted applicants were less likely to be appointed than "
                           "White shortlisted applicants: 0.62 times as likely (95% CI 0.48 to "
                           "0.83) (WRES 2 is stated as White / BME: 1.60), outside the "
                           "non-adverse range 0.80-1.25.")
    assert text.endswith("By the NHS convention this is an adverse finding.")


def test_a_favourable_finding_is_named_as_the_convention_names_it():
    """A favourable status, like an adverse one, is judged on the point estimate against the
    non-adverse range (NHS England's convention): the sentence says so, whatever the interval
    (0 Disabled leavers: 0.00, 95% CI 0.00 to 2.34, includes 1)."""
    row = _row(indicator="leaver_rate", group_var="disability", group="Disabled",
               reference_group="Non-disabled", ratio=0.0, ratio_ci_low=0.0, ratio_ci_high=2.34,
               status="favourable")
    text = sentence(row, caveats=False)
    assert text.endswith("outside the non-adverse range 0.80-1.25. By the NHS convention this "
                         "is a favourable finding.")
    within = sentence(_row(indicator="leaver_rate", group_var="disability", group="Disabled",
                           reference_group="Non-disabled", ratio=1.1, ratio_ci_low=0.7,
                           ratio_ci_high=1.6, status="within_range"), caveats=False)
    assert "NHS convention" not in within


# Every ratio template, both orientations (the standard's ratio group / reference, or
# reference / group as WRES 2, WRES 4, WDES 2 and the pipeline ratio), both directions and
# within the range. Expected text worked out by hand from each standard's definition.
@pytest.mark.parametrize(
    ("indicator", "group", "ref", "ratio", "status", "expected"),
    [
        ("wres_3", "BME", "White", 1.9, "adverse", "BME staff were more likely to enter the "
         "formal disciplinary process than White staff: 1.9 times as likely"),
        ("wres_3", "BME", "White", 0.5, "favourable", "BME staff were less likely to enter the "
         "formal disciplinary process than White staff: 0.50 times as likely"),
        ("wres_3", "BME", "White", 1.1, "within_range", "BME and White staff were about as "
         "likely to enter the formal disciplinary process: 1.10 times as likely"),
        ("leaver_rate", "BME", "White", 0.5, "favourable", "BME staff were less likely to leave "
         "than White staff: 0.50 times as likely"),
        ("leaver_rate", "BME", "White", 1.92, "adverse", "BME staff were more likely to leave "
         "than White staff: 1.9 times as likely"),
        ("promotion_rate", "BME", "White", 0.5, "adverse", "BME staff were less likely to be "
         "promoted than White staff: 0.50 times as likely"),
        ("wres_2", "BME", "White", 0.5, "favourable", "BME shortlisted applicants were more "
         "likely to be appointed than White shortlisted applicants: 2.0 times as likely"),
        ("wdes_2", "Disabled", "Non-disabled", 2.0, "adverse", "Disabled shortlisted "
         "applicants were less likely to be appointed than Non-disabled shortlisted "
         "applicants: 0.50 times as likely"),
        ("wres_4", "BME", "White", 1.29, "adverse", "BME staff were less likely to access "
         "non-mandatory training or CPD than White staff: 0.78 times as likely"),
        # Pipeline: (White upper / White lower) / (BME upper / BME lower); above 1 favours
        # White staff (issue 20: the old sentence said White staff were less likely).
        # A snapshot's ratio of shares: "to be in the higher band group", not "to move up the
        # band ladder" (a flow of people: promotion's)
        # An odds ratio: stated as odds, never "times as likely" (below).
        ("pipeline_disparity", "BME", "White", 1.8, "adverse", "BME staff were less likely to "
         "be in the higher band group than White staff: BME staff's odds of being in the higher "
         "group"),
        ("pipeline_disparity", "BME", "White", 0.6, "favourable", "BME staff were more likely "
         "to be in the higher band group than White staff: BME staff's odds of being in the "
         "higher group"),
    ],
)
def test_ratio_direction(indicator, group, ref, ratio, status, expected):
    row = _row(indicator=indicator, group_var="ethnicity", group=group, reference_group=ref,
               ratio=ratio, ratio_ci_low=ratio * 0.8, ratio_ci_high=ratio * 1.2, status=status)
    text = sentence(row)
    assert text.startswith(expected)
    assert text.endswith("adverse finding.") == (status == "adverse")


@pytest.mark.parametrize("indicator", [i for i, m in REGISTRY.items() if m.non_adverse_range
                                       and i != "representation_vs_benchmark"])
@pytest.mark.parametrize("ratio", [0.5, 2.0])
def test_every_ratio_sentence_says_the_groups_direction(indicator, ratio):
    """Whatever the orientation, 'more likely' means the group's own rate is higher."""
    meta = REGISTRY[indicator]
    row = _row(indicator=indicator, group_var="ethnicity", group="BME", reference_group="White",
               ratio=ratio, ratio_ci_low=ratio * 0.9, ratio_ci_high=ratio * 1.1, status="adverse")
    group_rate_higher = (ratio > 1) != meta.reference_on_top
    text = sentence(row)
    assert text.startswith("BME ")
    assert (" more likely " in text) == group_rate_higher
    assert (" less likely " in text) == (not group_rate_higher)


def test_benchmark_sentence_names_the_group_not_the_source():
    row = _row(indicator="representation_vs_benchmark", group_var="ethnicity", group="BME",
               variant="Swindon", reference_group="population share (ONS Census 2021)",
               value=0.134, ratio=0.72, ratio_ci_low=0.56, ratio_ci_high=0.92, status="adverse")
    assert sentence(row).startswith(
        "BME staff were 13.4% of staff whose ethnicity is recorded: 0.72 times their share of the local population "
        "in Swindon (Census 2021) (95% CI 0.56 to 0.92), so less represented")
    # Learning Disability and Autism's AHPs against Swindon: 0.97 times, within range, read
    # "so less represented in the workforce than in the population"
    within = {**row, "value": 0.179, "ratio": 0.97, "ratio_ci_low": 0.48, "ratio_ci_high": 1.76,
              "status": "within_range"}
    assert sentence(within).endswith(
        "0.97 times their share of the local population in Swindon (Census 2021) (95% CI 0.48 "
        "to 1.76), so about as represented in the workforce as in the population (within the "
        "non-adverse range 0.80-1.25).")


def test_decomposition_parts_are_named_as_parts():
    row = _row(indicator="pay_gap_mean", group_var="sex", group="Female", reference_group="Male",
               variant="explained by band mix", value=15.2, status="adverse")
    text = sentence(row)
    assert "part of the gap explained by Female and Male staff being in different bands" in text
    assert "15.2 points of the whole gap" in text and "lower than" not in text


@pytest.mark.parametrize(("variant", "value", "meaning"), [
    ("explained by band mix", 13.5, ": Female staff are more often in lower-paid bands ("),
    ("explained by band mix", -3.0, ": Female staff are more often in higher-paid bands ("),
    ("within bands", -0.4, ": within the same band, Female staff are paid slightly more than "
                           "Male staff on average ("),
    ("explained by band mix", 0.1, ": Female staff are slightly more often in lower-paid "
                                   "bands ("),
    ("within bands", 2.2, ": within the same band, Female staff are paid less than Male staff "
                          "on average ("),
    ("within bands", 0.04, ": within the same band they are paid about the same ("),
])
def test_a_part_of_the_gap_says_what_its_sign_means(variant, value, meaning):
    """A part of the mean gap is (reference's pay - group's pay) in % of the reference's:
    band mix sum_b (W_b - w_b) m_b / M is positive when the group is more often in
    lower-paid bands; within bands sum_b W_b (M_b - m_b) / M when the group is paid less in
    the same band (pay_gap's Notes). Oxfordshire Community Services' AHPs, 2024/25: 13.5
    and -0.4 points of a 13.1% gap."""
    row = _row(indicator="pay_gap_mean", group_var="sex", group="Female", reference_group="Male",
               variant=variant, value=value, status="within_range")
    assert f"{value:.1f} points of the whole gap{meaning}" in sentence(row)


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


@pytest.mark.parametrize(("value", "said"), [
    (0.0, "Female and Male median hourly pay were the same."),
    # rounds to 0.0%: "was 0.0% lower" would say there is a gap and none at once
    (0.04, "Female and Male median hourly pay were almost the same (Female 0.04% lower)."),
    (-0.03, "Female and Male median hourly pay were almost the same (Female 0.03% higher)."),
])
def test_a_pay_gap_of_nothing_says_so_and_asks_no_why(value, said):
    """Children and Young People's AHPs, 2024/25: median gap 0.0% ("Female and Male median
    hourly pay were the same. It does not show why the difference arises."): with no gap
    there is no difference whose cause the caveat disclaims."""
    row = _row(indicator="pay_gap_median", group_var="sex", group="Female",
               reference_group="Male", value=value, status="within_range")
    text = sentence(row, caveats=True)
    assert text.endswith(said)
    assert "why" not in text
    board = _row(indicator="wres_9", group_var="ethnicity", group="BME",
                 value=value, status="within_range")
    assert sentence(board, caveats=True).endswith(
        "the BME share of the board is the same as its share of the workforce.")


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


@pytest.mark.parametrize(("status", "lo", "hi", "said"), [
    ("adverse", 0.20, 1.30, "includes"), ("favourable", 1.00, 2.40, "includes"),
    ("adverse", 0.20, 0.90, None), ("within_range", 0.85, 1.10, None),
    ("adverse", float("nan"), float("nan"), None),
    # "about as likely ... 0.89 times (95% CI 0.81 to 0.95)": a small difference, not none
    ("within_range", 0.81, 0.95, "excludes"), ("within_range", 1.02, 1.20, "excludes"),
    ("within_range", float("nan"), float("nan"), None),
])
def test_chance_clause_says_what_the_status_does_not(status, lo, hi, said):
    from equity.narration import chance_clause

    row = {"status": status, "ratio": 0.89, "ratio_ci_low": lo, "ratio_ci_high": hi}
    assert chance_clause(row) == {
        "includes": " The 95% interval includes 1, so this could be chance.",
        "excludes": " The 95% interval excludes 1: a difference within the non-adverse range, "
                    "but unlikely to be chance alone.", None: ""}[said]


def test_the_parts_of_a_pay_gap_name_the_pay_scale():
    """Staff on medical grades are not in bands: the band-mix parts of the mean gap say
    "grades" when asked (``band="grade"``), "bands" by default."""
    row = _row(indicator="pay_gap_mean", group_var="sex", group="Female", reference_group="Male",
               variant="explained by band mix", value=2.6, status="not_applicable")
    assert sentence(row, band="grade") == (
        "Mean hourly pay gap, the part of the gap explained by Female and Male staff being in "
        "different grades: 2.6 points of the whole gap: Female staff are more often in "
        "lower-paid grades (the two parts add up to the whole gap, in % of the reference "
        "group's pay).")
    assert "different bands: 2.6 points" in sentence(row)
    within = _row(indicator="pay_gap_mean", group_var="sex", group="Female",
                  reference_group="Male", variant="within bands", value=0.02,
                  status="not_applicable")
    assert sentence(within, band="band or grade").split(": ")[-1].startswith(
        "within the same band or grade they are paid about the same")
    with pytest.raises(ParameterError, match="band"):
        sentence(row, band="scale")


def test_an_interval_that_only_just_excludes_one_gets_two_decimals():
    """"2.4 times as likely (95% CI 1.0 to 5.6) ... The 95% interval excludes 1" (Mental
    Health Adults, all staff): to one decimal the lower limit reads as 1."""
    row = _row(indicator="leaver_rate", group_var="ethnicity", group="BME",
               reference_group="White", ratio=2.4, ratio_ci_low=1.03, ratio_ci_high=5.6,
               status="adverse")
    assert "2.40 times as likely (95% CI 1.03 to 5.60)" in sentence(row)
    far = _row(indicator="leaver_rate", group_var="ethnicity", group="BME",
               reference_group="White", ratio=2.4, ratio_ci_low=1.3, ratio_ci_high=5.6,
               status="adverse")
    assert "2.4 times as likely (95% CI 1.3 to 5.6)" in sentence(far)


@pytest.mark.parametrize(("indicator", "variant", "ratio", "start"), [
    # the pipeline step named in bands
    ("pipeline_disparity", "lower to middle", 1.8,
     "BME staff were less likely to be in the higher band group than White staff (Bands "
     "6-7 rather than Bands 1-5): BME staff's odds of being in the higher group"),
    # the likelihood of being senior leaves doctors out, which "all staff" alone hides
    ("senior_representation", "likelihood of being senior", 0.7,
     "BME staff were less likely to be at Band 8a or above than White staff (of staff on "
     "Agenda for Change bands, medical grades left out): 0.70 times as likely"),
])
def test_the_variant_says_whom_the_figure_compares(indicator, variant, ratio, start):
    row = _row(indicator=indicator, group_var="ethnicity", group="BME",
               reference_group="White", variant=variant, ratio=ratio,
               ratio_ci_low=ratio * 0.7, ratio_ci_high=ratio * 1.4, status="adverse")
    assert sentence(row).startswith(start)


def test_the_pipeline_ratio_is_stated_as_the_odds_ratio_it_is():
    """12 of 20 BME and 79 of 113 White staff in the higher band group: 60.0% against 69.9%
    is 0.86 times as likely (within the range), but the pipeline ratio is the odds ratio,
    (12 / 8) / (79 / 34) = 0.65; the sentence must not call 0.65 'times as likely'."""
    from equity.measures.representation import _odds_ratio

    white_over_bme = float(_odds_ratio(79, 34, 12, 8)[0][()])
    assert white_over_bme == pytest.approx((79 / 34) / (12 / 8))
    row = _row(indicator="pipeline_disparity", group_var="ethnicity", group="BME",
               reference_group="White", variant="lower to middle", ratio=white_over_bme,
               ratio_ci_low=0.7, ratio_ci_high=3.4, status="adverse")
    text = sentence(row)
    assert "times as likely" not in text
    assert ("BME staff's odds of being in the higher group (people in it for each one in the "
            "lower) were 0.65 times White staff's (95% CI 0.29 to 1.43)") in text
    # the NHS range is set for likelihoods: on the odds it is this library's rule
    assert text.endswith("Judged by the same range on the odds (a library method), this is "
                         "an adverse finding.")
    assert "NHS convention" not in text
    assert "stated as White / BME: 1.55" in text


def test_a_ratio_of_nought_says_nobody_in_the_group_was_counted():
    """'Disabled staff were less likely to enter the formal capability process: 0.00 times
    as likely (95% CI 0.00 to 5.29)' read as a measured difference; it is none of about 60
    Disabled staff."""
    row = _row(indicator="wdes_3", group_var="disability", group="Disabled",
               reference_group="Non-disabled", numerator=0, denominator=60, ratio=0.0,
               ratio_ci_low=0.0, ratio_ci_high=5.29, status="favourable")
    assert ("Disabled staff were less likely to enter the formal capability process than "
            "Non-disabled staff: 0.00 times as likely (Disabled staff: 0 of 60) (95% CI 0.00 "
            "to 5.29)") in sentence(row)
    one = _row(indicator="wdes_3", group_var="disability", group="Disabled",
               reference_group="Non-disabled", numerator=1, denominator=60, ratio=0.2,
               ratio_ci_low=0.03, ratio_ci_high=1.4, status="favourable")
    assert "of 60" not in sentence(one)


def test_a_pooled_nought_says_each_person_is_counted_once_a_year():
    """Three years pooled count each person once a year ("0 of 10" were 4 Disabled AHPs in
    Older People over three years)."""
    pooled = _row(indicator="leaver_rate", group_var="disability", group="Disabled",
                  reference_group="Non-disabled", numerator=0, denominator=10, ratio=0.0,
                  ratio_ci_low=0.0, ratio_ci_high=2.34, status="favourable")
    pooled["period"] = "2022/23 to 2024/25"
    assert "(Disabled staff: 0 of 10, each counted once a year)" in sentence(pooled)


def test_an_interval_that_excludes_1_never_prints_1_as_its_bound():
    """Seed 7, Learning Disability and Autism, all staff: stability 50 of 60 BME against
    130 of 140 White (rounded), 0.90 times as likely, 95% CI 0.771 to 0.995, printed
    "0.77 to 1.00" beside "The 95% interval excludes 1"."""
    from equity.result import make_result
    from equity.stats import relative_likelihood

    rl = relative_likelihood([50.0], [60.0], [130.0], [140.0])
    lo, hi = float(rl["ratio_ci_low"][0]), float(rl["ratio_ci_high"][0])
    assert round(hi, 2) == 1.0 and hi < 1
    row = make_result({"group_var": ["ethnicity"], "group": ["BME"], "reference_group": ["White"],
                       "ratio": [float(rl["ratio"][0])], "ratio_ci_low": [lo],
                       "ratio_ci_high": [hi], "status": ["within_range"]},
                      indicator="stability_index", period="2024/25").iloc[0]
    text = sentence(row)
    assert hi == pytest.approx(0.995, abs=5e-4)
    assert "(95% CI 0.77 to 0.995)" in text
