"""Funnel limits and Making Data Count XmR charts: hand-computed series and golden values
from NHSRplotthedots' own tests and snapshots (nhs-r-community/NHSRplotthedots)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps

from equity.errors import ParameterError
from equity.stats import funnel_curve, funnel_limits, xmr, xmr_summary


def test_funnel_wilson_limits_by_hand() -> None:
    out = funnel_limits([10, 30], [100, 100], method="wilson")
    se = np.sqrt(0.2 * 0.8 / 100)  # pooled target 40 / 200 = 0.2
    assert out["target"].tolist() == [0.2, 0.2]
    assert out.loc[0, "lower_95"] == pytest.approx(0.2 - 1.959963985 * se, rel=1e-9)
    assert out.loc[0, "upper_99.8"] == pytest.approx(0.2 + 3.090232306 * se, rel=1e-9)
    assert out["signal_95"].tolist() == ["below", "above"]
    assert out["z"].tolist() == pytest.approx([-2.5, 2.5])


def test_funnel_exact_limits_spiegelhalter_interpolation() -> None:
    n, theta, p = 50, 0.1, 0.975
    r = sps.binom.ppf(p, n, theta)  # 9
    alpha = (sps.binom.cdf(r, n, theta) - p) / (sps.binom.pmf(r, n, theta))
    out = funnel_limits([5], [n], target=theta)
    assert out.loc[0, "upper_95"] == pytest.approx((r - alpha) / n, rel=1e-12)
    assert out.loc[0, "lower_95"] < theta < out.loc[0, "upper_95"]


def test_funnel_overdispersion_phi_winsorised() -> None:
    x = np.array([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 10, 20])
    n = np.full(12, 200)
    out = funnel_limits(x, n, overdispersion="multiplicative")
    theta = x.sum() / n.sum()
    z = (x / n - theta) / np.sqrt(theta * (1 - theta) / n)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    assert phi > 1
    assert out.loc[0, "phi"] == pytest.approx(phi)
    assert out.loc[0, "upper_95"] == pytest.approx(theta + 1.959963985 * np.sqrt(phi * theta * (1 - theta) / 200), rel=1e-9)


def phe_sigma_adjustment(p: float, population: float, average: float, side: str) -> float:
    """PHEindicatormethods R/Funnels.R ``sigma_adjustment`` (the Fingertips funnel-plot
    method for proportions), transcribed term by term with multiplier 1."""
    z2 = sps.norm.ppf(p) ** 2
    first = average * (population / z2 + 1)
    adj = np.sqrt((-8 * average * (population / z2 + 1)) ** 2 - 64 * (1 / z2 + 1 / population)
                  * average * (population * (average * (population / z2 + 2) - 1)
                               + z2 * (average - 1)))
    last = 1 / z2 + 1 / population
    return float(((first - adj / 8) if side == "low" else (first + adj / 8)) / last / population)


def test_funnel_wilson_is_fingertips_method() -> None:
    out = funnel_limits([4], [20], target=0.2, method="wilson")
    # Literal values: theta 0.2, n 20; the 99.8% lower limit (-0.0764) is clipped to 0.
    assert out.loc[0, "lower_95"] == pytest.approx(0.024695491884683674, rel=1e-12)
    assert out.loc[0, "upper_95"] == pytest.approx(0.37530450811531635, rel=1e-12)
    assert out.loc[0, "lower_99.8"] == 0.0
    assert out.loc[0, "upper_99.8"] == pytest.approx(0.476398780114287, rel=1e-12)
    for n in (20, 137, 5000):
        o = funnel_limits([1], [n], target=0.3, method="wilson")
        for p, name in ((0.975, "95"), (0.999, "99.8")):
            assert o.loc[0, f"lower_{name}"] == pytest.approx(
                max(0.0, phe_sigma_adjustment(p, n, 0.3, "low")), rel=1e-12)
            assert o.loc[0, f"upper_{name}"] == pytest.approx(
                phe_sigma_adjustment(p, n, 0.3, "high"), rel=1e-12)


def test_funnel_wilson_and_exact_classify_differently() -> None:
    # theta 0.15, n 20: 6 of 20 (30%) is above the exact 95% limit (0.2966) but within
    # Fingertips' (0.3065); 8 of 20 (40%) is within the exact 99.8% limit (0.4152) but above
    # Fingertips' (0.3967).
    exact = funnel_limits([6, 8], [20, 20], target=0.15)
    wilson = funnel_limits([6, 8], [20, 20], target=0.15, method="wilson")
    assert exact.loc[0, "upper_95"] == pytest.approx(0.296622542371368, rel=1e-12)
    assert wilson.loc[0, "upper_95"] == pytest.approx(0.3064905747383051, rel=1e-12)
    assert exact["signal_95"].tolist() == ["above", "above"]
    assert wilson["signal_95"].tolist() == ["within", "above"]
    assert exact["signal_99.8"].tolist() == ["within", "within"]
    assert wilson["signal_99.8"].tolist() == ["within", "above"]


def test_funnel_additive_overdispersion_literal() -> None:
    # Spiegelhalter (2005) section 3.2.2, worked with the statistics module: theta 143 / 740,
    # Winsorised phi 3.3900, tau^2 = (10 phi - 9) / (sum w - sum w^2 / sum w) = 0.0058799.
    x = [2, 5, 9, 14, 20, 30, 3, 12, 40, 8]
    n = [50, 60, 70, 80, 90, 100, 40, 75, 110, 65]
    out = funnel_limits(x, n, overdispersion="additive")
    assert out.loc[0, "target"] == pytest.approx(143 / 740, rel=1e-15)
    assert out.loc[0, "phi"] == pytest.approx(3.390017210187966, rel=1e-12)
    assert out.loc[0, "tau2"] == pytest.approx(0.005879927619540362, rel=1e-12)
    assert out.loc[0, "upper_95"] == pytest.approx(0.379160404555244, rel=1e-12)
    assert out["signal_95"].tolist() == ["within"] * 8 + ["above", "within"]
    mult = funnel_limits(x, n, overdispersion="multiplicative")
    assert mult.loc[0, "upper_95"] == pytest.approx(0.3947490218249891, rel=1e-12)
    # Without adjustment 4 units are outside the 95% limits.
    assert (funnel_limits(x, n, method="wilson")["signal_95"] != "within").sum() == 4


@pytest.mark.parametrize("options", [
    {}, {"method": "wilson"}, {"overdispersion": "additive"}, {"overdispersion": True}])
def test_funnel_curve_is_the_units_funnel_over_a_grid(options: dict[str, object]) -> None:
    x = [2, 5, 9, 14, 20, 30, 3, 12, 40, 8]
    n = [50, 60, 70, 80, 90, 100, 40, 75, 110, 65]
    units = funnel_limits(x, n, **options)  # type: ignore[arg-type]
    curve = funnel_curve(units, [40.0, 75.0, 110.0])
    cols = ["lower_95", "upper_95", "lower_99.8", "upper_99.8"]
    assert curve[cols].to_numpy() == pytest.approx(units.loc[[6, 7, 8], cols].to_numpy(), rel=1e-15)
    if options.get("overdispersion") == "additive":
        # tau^2 from the units widens the grid: at n = 75, 0.19324 + 1.95996 x
        # sqrt(0.19324 x 0.80676 / 75 + 0.0058799).
        assert curve.loc[1, "upper_95"] == pytest.approx(
            143 / 740 + 1.959963984540054 * np.sqrt(143 / 740 * 597 / 740 / 75
                                                     + 0.005879927619540362), rel=1e-12)


def test_funnel_curve_needs_funnel_limits_output() -> None:
    units = funnel_limits([1, 2], [10, 20])
    with pytest.raises(ParameterError, match="funnel_limits"):
        funnel_curve(pd.DataFrame(units), [5.0])  # a rebuilt frame loses the attrs


def test_funnel_zero_denominator_nan() -> None:
    out = funnel_limits([0, 5], [0, 50])
    assert np.isnan(out.loc[0, "value"]) and np.isnan(out.loc[0, "upper_95"])


# --------------------------------------------------------------------------- XmR, by hand


def series(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"x": range(len(values)), "value": values})


def test_xmr_limits_by_hand() -> None:
    out = xmr(series([10, 12, 11, 13, 12]), min_points=1)
    # mean 11.6; moving ranges 2, 1, 2, 1 -> 1.5; limits 11.6 +/- 2.66 x 1.5 = 3.99
    assert out.loc[0, "mean"] == pytest.approx(11.6)
    assert out.loc[0, "lcl"] == pytest.approx(7.61) and out.loc[0, "ucl"] == pytest.approx(15.59)
    assert out.loc[0, "upper_two_sigma"] == pytest.approx(11.6 + 3.99 * 2 / 3)
    assert np.isnan(out.loc[0, "moving_range"])
    assert (out["variation"] == "common_cause").all()


def test_xmr_short_series_is_a_run_chart_with_a_sentence() -> None:
    out = xmr(series([10, 12, 11, 13, 12]))
    assert out["short_group"].all() and out["lcl"].isna().all() and out["ucl"].isna().all()
    assert out.loc[0, "mean"] == pytest.approx(11.6)
    s = xmr_summary(out)
    assert s.loc[0, "short_group"]
    assert s.loc[0, "sentence"].startswith("Only 5 points: fewer than the 12 Making Data Count")


def test_xmr_screens_large_moving_ranges() -> None:
    vals = [10, 11, 10, 11, 10, 11, 10, 30, 10, 11, 10, 11]
    out = xmr(series(vals), improvement="decrease")
    # mean 145 / 12; MR 1 x 6, 20, 20, 1, 1, 1 -> 49 / 11 = 4.4545; 3.267 x 4.4545 = 14.55
    # screens both 20s: MR-bar 9 / 9 = 1, ucl = 145 / 12 + 2.66.
    assert out.loc[0, "mean_moving_range"] == 1.0
    assert out.loc[7, "ucl"] == pytest.approx(145 / 12 + 2.66)
    assert out["outside_limits"].tolist() == [False] * 7 + [True] + [False] * 4
    assert out.loc[7, "variation"] == "special_cause_concern"
    assert out.loc[7, "special_cause_type"] == "Above UCL"
    unscreened = xmr(series(vals), improvement="decrease", screen_outliers=False)
    assert unscreened.loc[0, "ucl"] == pytest.approx(145 / 12 + 2.66 * 49 / 11)


def test_xmr_run_of_seven_below_mean() -> None:
    vals = [16, 12, 17, 13, 10, 12, 10, 12, 10, 12, 10, 17]
    out = xmr(series(vals), improvement="increase")
    # mean 151 / 12 = 12.58: points 4..10 (7 points) are below it.
    assert out["run"].tolist() == [False] * 4 + [True] * 7 + [False]
    assert (out.loc[4:10, "variation"] == "special_cause_concern").all()
    assert out.loc[4, "special_cause_type"] == "7 Points Below CL"


def test_xmr_six_below_is_not_a_run() -> None:
    vals = [16, 14, 17, 15, 10, 12, 10, 12, 10, 12, 17, 17]  # mean 13.5
    assert not xmr(series(vals))["run"].any()


def test_xmr_exact_mean_point_on_the_mean_breaks_a_run() -> None:
    # Summed in double the mean is 9.999999999999998, which would put the 10.0 above it and
    # make points 6-12 a run of 7; R's two-pass mean is exactly 10.
    vals = [9.5, 9.6, 9.5, 9.7, 8.4, 8.4, 11.1, 11.2, 11.1, 10.0, 10.6, 10.6, 10.3]
    assert sum(vals) / len(vals) == 9.999999999999998
    out = xmr(series(vals))
    assert out.loc[0, "mean"] == 10.0
    assert out.loc[9, "relative_to_mean"] == 0
    assert not out["run"].any()


@pytest.mark.parametrize(("vals", "expected"), [
    # NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R, ptd_seven_point_trend:
    (list(range(1, 7)), []),                       # 1:6, too short
    ([1, 2, 3, 3, 4, 5, 6], []),                   # c(1:3, 3:6): a tie breaks it
    (list(range(1, 8)), list(range(7))),           # 1:7
    ([2, *range(1, 8), 3], list(range(1, 8))),     # c(2, 1:7, 3)
    (list(range(7, 0, -1)), list(range(7))),       # 7:1
])
def test_xmr_trend_points(vals: list[float], expected: list[int]) -> None:
    out = xmr(series(vals), min_points=1)
    assert np.flatnonzero(out["trend"]).tolist() == expected


def test_xmr_trend_direction_labels() -> None:
    vals = [8, 4, 7, 1, 2, 3, 4, 5, 6, 7, 3, 6]
    out = xmr(series(vals), improvement="decrease")
    assert out["trend"].tolist() == [False] * 3 + [True] * 7 + [False] * 2
    # A rising trend is a concern when lower is better, even below the mean (point 3).
    assert (out.loc[3:9, "special_cause_type"] == "7 Point Trend (Increasing)").all()
    assert (out.loc[3:9, "variation"] == "special_cause_concern").all()


def test_xmr_two_of_three_counts_only_points_inside_the_limits() -> None:
    base = [10, 12] * 7
    # mean 13.14, 2-sigma line 17.45, upper limit 19.61: one point between the 2-sigma line
    # and the limit (18), one beyond the limit (40), the middle point (13.5) above the mean.
    # NHSRplotthedots counts only the first, so there is no 2-of-3 signal.
    out = xmr(series([*base, 18, 13.5, 40, 11]))
    assert out.loc[16, "outside_limits"]
    assert out.loc[14, "close_to_limits"] and not out["two_of_three"].any()
    assert out.loc[14, "variation"] == "common_cause"


def test_xmr_two_of_three_needs_all_three_on_one_side() -> None:
    base = [10, 12] * 7
    # mean 11.69, 2-sigma line 15.87, upper limit 17.95.
    on_side = xmr(series([*base, 16, 13.5, 16, 11]))
    assert on_side.loc[[14, 16], "close_to_limits"].all()
    assert on_side["two_of_three"].tolist() == [False] * 14 + [True, False, True, False]
    assert (on_side.loc[[14, 16], "variation"] == "special_cause_neutral_high").all()
    assert on_side.loc[14, "special_cause_type"] == "2 in 3 Above CL"
    # The middle point below the mean: not a signal.
    across = xmr(series([*base, 17, 10, 17, 11]))
    assert across.loc[[14, 16], "close_to_limits"].all()
    assert not across["two_of_three"].any()


def test_xmr_by_groups_and_baseline() -> None:
    a = series([10, 12, 11, 13, 12]).assign(unit="a")
    b = series([1, 2, 1, 2, 9]).assign(unit="b")
    out = xmr(pd.concat([b, a]), by=["unit"], baseline=4, min_points=1)
    assert out.loc[out["unit"] == "a", "mean"].iloc[0] == pytest.approx(11.5)
    assert out.loc[out["unit"] == "b", "mean"].iloc[0] == pytest.approx(1.5)
    # b's baseline MR = 1, ucl = 1.5 + 2.66 = 4.16: the last point (9) is outside.
    assert out.loc[out["unit"] == "b", "outside_limits"].tolist() == [False] * 4 + [True]


def test_xmr_rebase_per_series_and_assurance() -> None:
    a = series([10.0, 11] * 8).assign(unit="a")
    b = series([10.0, 11] * 6 + [20, 21] * 6).assign(unit="b")
    out = xmr(pd.concat([a, b]), by=["unit"], rebase={"b": [12]}, improvement="increase",
              target={"a": 5.0, "b": 20.5})
    ra, rb = out.loc[out["unit"] == "a"], out.loc[out["unit"] == "b"]
    assert (ra["rebase_group"] == 0).all()
    assert rb["rebase_group"].tolist() == [0] * 12 + [1] * 12
    assert rb["mean"].iloc[-1] == 20.5 and rb["mean"].iloc[0] == 10.5
    # a: target 5 below lcl 10.5 - 2.66 -> consistently met (higher is better);
    # b: the target 20.5 is the mean of its last part -> hit and miss.
    assert ra["assurance"].iloc[0] == "consistent_pass"
    assert (rb["assurance"] == "inconsistent").all()
    assert not rb["special_cause"].any()  # the step is absorbed by the rebase
    s = xmr_summary(out, by=["unit"])
    assert s["assurance"].tolist() == ["consistent_pass", "inconsistent"]
    assert "consistently be met" in s.loc[0, "sentence"]
    down = xmr(a, improvement="decrease", target=5.0)
    assert down["assurance"].iloc[0] == "consistent_fail"
    assert xmr(a, target=5.0)["assurance"].iloc[0] is None  # no improvement direction


def test_xmr_summary_variation_icon() -> None:
    vals = [20, 21, 19, 20, 20, 21, 19, 20, 10, 11, 10, 11, 10, 11, 10]
    s = xmr_summary(xmr(series(vals), improvement="increase"))
    assert s.loc[0, "variation"] == "special_cause_concern"
    assert s.loc[0, "variation_icon"] == "concern_low"
    s = xmr_summary(xmr(series(vals)))
    assert s.loc[0, "variation_icon"] == "neutral_low"


# --------------------------------------------------------------------------- golden: NHSRplotthedots

#: R ``set.seed(123); rnorm(20)`` (the data of NHSRplotthedots
#: tests/testthat/test-ptd_spc_standard.R, lines 4-10; its snapshot shows them to 8 decimals).
RNORM_20 = [-0.560475646552213, -0.23017748948328, 1.55870831414912, 0.070508391424576,
            0.129287735160946, 1.71506498688328, 0.460916205989202, -1.26506123460653,
            -0.686852851893526, -0.445661970099958, 1.22408179743946, 0.359813827057364,
            0.400771450594052, 0.11068271594512, -0.555841134754075, 1.78691313680308,
            0.497850478229239, -1.96661715662964, 0.701355901563686, -0.472791407727934]


def test_golden_rnorm_snapshot_screening() -> None:
    # tests/testthat/_snaps/ptd_spc_standard.md (commit ea2177d4), "it returns expected
    # values": r1 (lines 14-16), r2 = y[15] <- 10 screened (lines 34-36), r3 unscreened
    # (lines 54-56), printed to 7 significant digits.
    r1 = xmr(series(RNORM_20))
    assert r1.loc[0, "mean"] == pytest.approx(0.1416238, abs=5e-8)
    assert r1.loc[0, "lcl"] == pytest.approx(-3.01138, abs=5e-6)
    assert r1.loc[0, "ucl"] == pytest.approx(3.294627, abs=5e-7)
    assert r1["relative_to_mean"].tolist()[:15] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1,
                                                    1, -1, -1]
    y = list(RNORM_20)
    y[14] = 10
    r2 = xmr(series(y))
    assert r2.loc[0, "mean"] == pytest.approx(0.6694159, abs=5e-8)
    assert r2.loc[0, "lcl"] == pytest.approx(-2.383666, abs=5e-7)
    assert r2.loc[0, "ucl"] == pytest.approx(3.722497, abs=5e-7)
    assert r2["relative_to_mean"].tolist()[:14] == [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1,
                                                    -1, -1, -1]
    r3 = xmr(series(y), screen_outliers=False)
    assert r3.loc[0, "lcl"] == pytest.approx(-4.596625, abs=5e-7)
    assert r3.loc[0, "ucl"] == pytest.approx(5.935457, abs=5e-7)


def test_golden_two_in_three_opposite_sides() -> None:
    # test-ptd_spc_standard.R, "it only reports special cause for 2 of 3 points close to
    # limits when they are on the same side of the mean": common cause.
    y = [1.0, -1.0] * 8
    y[14], y[15] = 5.5, -5.5
    out = xmr(series(y), improvement="increase")
    assert out["variation"].tolist()[-2:] == ["common_cause", "common_cause"]


#: NHSRdatasets ae_attendances summed by month (Apr 2016 - Mar 2019), as serialised in
#: NHSRplotthedots tests/testthat/_snaps/integration_tests.md (commit 0c096d81), "ae_all
#: attendances spc returns expected values" (column ``y``, decoded from R's XDR format).
AE_ATTENDANCES = [1867781, 2070340, 1958802, 2079034, 1932901, 1952464, 2001816, 1907871,
                  1944567, 1895272, 1735619, 2015834, 1949762, 2066789, 1994056, 2073944,
                  1924663, 1925961, 2044137, 1976971, 2003954, 2000086, 1820012, 2049785,
                  1984369, 2164458, 2093942, 2179896, 1997854, 2005695, 2079492, 2037847,
                  2047518, 2113413, 1954947, 2167550]

#: The same snapshot file, "ae_all performance spc returns expected values" (1 - breaches /
#: attendances; ``fix_after_n_points = 12``).
AE_PERFORMANCE = [
    0.9003512724457525, 0.9027555860390081, 0.9055994429248081, 0.9028524786030435,
    0.909763097023593, 0.9064786853944554, 0.8905308979446662, 0.8837903610883545,
    0.8617594559611471, 0.851413411900772, 0.8753090395991286, 0.9000949482943537,
    0.9051525263083392, 0.8970035160821932, 0.9072518525056468, 0.9034785895858326,
    0.9029928875860346, 0.8966609396555797, 0.8994186788850258, 0.8876655246839736,
    0.8498503458662225, 0.8529918213516818, 0.8504476893558943, 0.8462121637147311,
    0.8857248828216929, 0.9039011151983545, 0.9076297242234981, 0.8931949047110505,
    0.8972702710007838, 0.8894368286304747, 0.8900933497219513, 0.8760446687116353,
    0.8644632183941728, 0.843525141560121, 0.8422525009629417, 0.8660427671795345]


def test_golden_ae_attendances() -> None:
    out = xmr(series(AE_ATTENDANCES), improvement="increase")
    # Snapshot columns mean / lpl / upl, every row the same.
    assert out.loc[0, "mean"] == 2000538.9444444445
    assert out.loc[0, "lcl"] == pytest.approx(1731844.3644444444, rel=1e-15)
    assert out.loc[0, "ucl"] == pytest.approx(2269233.5244444446, rel=1e-15)
    # close_to_limits is TRUE at rows 11, 23, 28 (R's 1-based), yet every point is common
    # cause: no two of them fall in one window of three.
    assert np.flatnonzero(out["close_to_limits"]).tolist() == [10, 22, 27]
    assert (out["variation"] == "common_cause").all()


def test_golden_ae_attendances_rebase() -> None:
    # "ae_all attendances spc with rebase returns expected values": rebase = 2017-04-01
    # (the 13th month).
    out = xmr(series(AE_ATTENDANCES), improvement="increase", rebase=[12])
    first = out.groupby("rebase_group")[["mean", "lcl", "ucl"]].first()
    assert first["mean"].tolist() == [1946858.4166666667, 2027379.2083333333]
    assert first["lcl"].tolist() == pytest.approx([1639947.374848485, 1772921.0639855072],
                                                  rel=1e-15)
    assert first["ucl"].tolist() == pytest.approx([2253769.4584848485, 2281837.3526811595],
                                                  rel=1e-15)
    assert (out["variation"] == "common_cause").all()


def test_golden_ae_performance_fixed_baseline() -> None:
    out = xmr(series(AE_PERFORMANCE), improvement="increase", baseline=12)
    assert out.loc[0, "mean"] == 0.8908915564349236  # a plain double mean gives ...237
    assert out.loc[0, "lcl"] == pytest.approx(0.8614049789074258, rel=1e-15)
    assert out.loc[0, "ucl"] == pytest.approx(0.9203781339624213, rel=1e-15)
    assert np.flatnonzero(out["outside_limits"]).tolist() == [9, 20, 21, 22, 23, 33, 34]
    # Row 9 (0-based 8) is between the 2-sigma line and the limit, next to a point beyond
    # the limit: not a 2-of-3 signal.
    assert np.flatnonzero(out["close_to_limits"]).tolist() == [8, 32, 35]
    c, i, w = "common_cause", "special_cause_improvement", "special_cause_concern"
    assert out["variation"].tolist() == (
        [c] * 9 + [w, c] + [i] * 8 + [c] + [w] * 4 + [c] * 5 + [w] * 7)
    assert xmr_summary(out).loc[0, "variation_icon"] == "concern_low"


def test_xmr_empty_and_missing_values() -> None:
    empty = xmr(pd.DataFrame({"unit": [], "x": [], "value": []}), by=["unit"])
    assert empty.empty and xmr_summary(empty, by=["unit"]).empty
    # A missing value is left out of the mean (as R's na.rm) and breaks its moving ranges.
    vals = [1.0, 2, np.nan, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2]
    out = xmr(series(vals))
    assert out.loc[0, "mean"] == 2.0
    assert np.isnan(out.loc[2, "moving_range"]) and np.isnan(out.loc[3, "moving_range"])
    assert out.loc[0, "mean_moving_range"] == 1.0  # 9 moving ranges, all 1


@pytest.mark.parametrize(("improvement", "expected"), [
    ("increase", ["consistent_fail", "consistent_pass", "inconsistent"]),
    ("decrease", ["consistent_pass", "consistent_fail", "inconsistent"]),
    (None, [None, None, None]),
])
def test_golden_assurance_types(improvement: str | None, expected: list[str | None]) -> None:
    # NHSRplotthedots tests/testthat/test-ptd_calculate_assurance_type.R: three charts with
    # limits 1-3, 5-7 and 1-5 and target 4 (None: its "neutral" direction).
    from equity.stats._spc import _assurance

    limits = pd.DataFrame({"lcl": [1.0, 5, 1], "ucl": [3.0, 7, 5], "target": 4.0})
    got = _assurance(limits, np.arange(3), improvement)  # type: ignore[arg-type]
    assert got.tolist() == expected


def test_a_rates_lower_limit_below_zero_reads_zero():
    """A quarterly leaver rate of a small directorate: mean 2.4%, mean moving range wide
    enough that mean - 2.66 MR-bar is below 0. The sentence said "process limits -4.1% to
    8.8%": a rate cannot be negative. Worked by hand: values 0, 5%, 0, 5%, ... (12 points):
    mean 2.5%, every moving range 5%, limits 2.5% -/+ 13.3%; the upper 15.8%, the lower 0."""
    values = [0.0, 0.05] * 6
    p = xmr(pd.DataFrame({"x": range(12), "value": values}))
    assert p["lcl"].iloc[0] == pytest.approx(0.025 - 2.66 * 0.05)
    text = xmr_summary(p, unit="proportion")["sentence"].iloc[0]
    assert "mean 2.5%, process limits 0.0% to 15.8%." in text
    counts = xmr_summary(p, unit="number")["sentence"].iloc[0]
    assert "process limits -0.108 to 0.158." in counts
