"""Funnel limits and Making Data Count XmR charts on hand-computed series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps

from equity.stats import funnel_limits, xmr


def test_funnel_normal_limits_by_hand() -> None:
    out = funnel_limits([10, 30], [100, 100], method="normal")
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
    out = funnel_limits(x, n, overdispersion=True)
    theta = x.sum() / n.sum()
    z = (x / n - theta) / np.sqrt(theta * (1 - theta) / n)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    assert phi > 1
    assert out.loc[0, "phi"] == pytest.approx(phi)
    assert out.loc[0, "upper_95"] == pytest.approx(theta + 1.959963985 * np.sqrt(phi * theta * (1 - theta) / 200), rel=1e-9)


def test_funnel_zero_denominator_nan() -> None:
    out = funnel_limits([0, 5], [0, 50])
    assert np.isnan(out.loc[0, "value"]) and np.isnan(out.loc[0, "upper_95"])


def series(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"x": range(len(values)), "value": values})


def test_xmr_limits_by_hand() -> None:
    out = xmr(series([10, 12, 11, 13, 12]))
    # mean 11.6; moving ranges 2, 1, 2, 1 -> 1.5; limits 11.6 +/- 2.66 x 1.5 = 3.99
    assert out.loc[0, "mean"] == pytest.approx(11.6)
    assert out.loc[0, "lcl"] == pytest.approx(7.61) and out.loc[0, "ucl"] == pytest.approx(15.59)
    assert out.loc[0, "upper_two_sigma"] == pytest.approx(11.6 + 3.99 * 2 / 3)
    assert np.isnan(out.loc[0, "moving_range"])
    assert (out["variation"] == "common_cause").all()


def test_xmr_point_outside_limits() -> None:
    vals = [10, 11, 10, 11, 10, 11, 10, 30, 10, 11]
    out = xmr(series(vals), improvement="decrease")
    # mean 12.4; MR 1,1,1,1,1,1,20,20,1 -> 47/9; ucl = 12.4 + 2.66 x 5.222 = 26.29
    assert out.loc[7, "ucl"] == pytest.approx(12.4 + 2.66 * 47 / 9)
    assert out["outside_limits"].tolist() == [False] * 7 + [True, False, False]
    assert out.loc[7, "variation"] == "special_cause_concern"


def test_xmr_run_of_seven_below_mean() -> None:
    vals = [20, 21, 19, 20, 10, 11, 10, 11, 10, 11, 10, 20]
    out = xmr(series(vals), improvement="increase")
    # mean 183 / 12 = 15.25: points 4..10 (7 points) are below it.
    assert out["run"].tolist() == [False] * 4 + [True] * 7 + [False]
    assert (out.loc[4:10, "variation"] == "special_cause_concern").all()


def test_xmr_six_below_is_not_a_run() -> None:
    vals = [20, 21, 19, 20, 10, 11, 10, 11, 10, 11, 20, 20]
    assert not xmr(series(vals))["run"].any()


def test_xmr_trend_of_seven_increasing() -> None:
    vals = [5, 5, 5, 1, 2, 3, 4, 5, 6, 7, 5, 5]
    out = xmr(series(vals), improvement="increase")
    assert out["trend"].tolist() == [False] * 3 + [True] * 7 + [False] * 2
    assert out.loc[3:9, "direction"].isin(["high", "both"]).all()


def test_xmr_trend_of_six_is_not_a_trend_and_ties_break_it() -> None:
    assert not xmr(series([5, 5, 1, 2, 3, 4, 5, 6, 5, 5]))["trend"].any()
    assert not xmr(series([5, 1, 2, 3, 3, 4, 5, 6, 7, 5]))["trend"].any()


def test_xmr_two_of_three_beyond_two_sigma() -> None:
    vals = [10, 11, 10, 11, 10, 11, 10, 11, 14, 10, 14, 11]
    out = xmr(series(vals))
    # mean 133 / 12 = 11.083; moving ranges sum to 21 over 11 -> 1.909; 2-sigma line
    # 11.083 + (2/3) x 2.66 x 1.909 = 14.47: the two 14s are not beyond it.
    assert not out["two_of_three"].any()
    vals = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 13.5, 10, 13.5, 11]
    out = xmr(series(vals))
    mean = np.mean(vals)
    line = mean + 2 / 3 * 2.66 * np.mean(np.abs(np.diff(vals)))
    assert 13.5 > line and 13.5 < mean + 2.66 * np.mean(np.abs(np.diff(vals)))
    assert out["two_of_three"].tolist() == [False] * 14 + [True, False, True, False]
    assert (out.loc[[14, 16], "variation"] == "special_cause_neither").all()


def test_xmr_by_groups_and_baseline() -> None:
    a = series([10, 12, 11, 13, 12]).assign(unit="a")
    b = series([1, 2, 1, 2, 9]).assign(unit="b")
    out = xmr(pd.concat([b, a]), by=["unit"], baseline=4)
    assert out.loc[out["unit"] == "a", "mean"].iloc[0] == pytest.approx(11.5)
    assert out.loc[out["unit"] == "b", "mean"].iloc[0] == pytest.approx(1.5)
    # b's baseline MR = 1, ucl = 1.5 + 2.66 = 4.16: the last point (9) is outside.
    assert out.loc[out["unit"] == "b", "outside_limits"].tolist() == [False] * 4 + [True]
