"""Rates, relative likelihoods and Fisher p-values against statsmodels and scipy oracles."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from equity.result import INSUFFICIENT as INSUFFICIENT_EVIDENCE
from equity.result import WITHIN
from equity.stats import (
    binomial_test_p,
    classify,
    fisher_exact_p,
    proportion,
    relative_likelihood,
    share_status,
    wilson_interval,
)

SEED = sum(map(ord, "equity stats rates"))


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99, 0.998])
@pytest.mark.parametrize(("x", "n"), [(0, 1), (0, 10), (1, 10), (5, 10), (10, 10), (37, 412), (12.7, 62.23)])
def test_wilson_matches_statsmodels(x: float, n: float, confidence: float) -> None:
    lo, hi = wilson_interval([x], [n], confidence=confidence)
    ref_lo, ref_hi = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    assert lo[0] == pytest.approx(ref_lo, abs=1e-12)
    assert hi[0] == pytest.approx(ref_hi, abs=1e-12)


def test_proportion_zero_denominator_is_nan_not_error() -> None:
    out = proportion([0, 3], [0, 0])
    assert out.isna().all().all()
    assert share_status([0, 3, 10]).tolist() == [INSUFFICIENT_EVIDENCE, INSUFFICIENT_EVIDENCE, "not_applicable"]



def test_an_fte_total_of_ten_added_in_any_order_reaches_min_n() -> None:
    """Ten people's FTEs summing to 10.0: added in some orders they give 9.999999999999998
    (engines add in whatever order their threads finish); the status must be the same."""
    ftes = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0, 5.0]
    rng = np.random.default_rng(1)
    totals = set()
    for _ in range(300):
        total = 0.0
        for fte in rng.permutation(ftes):
            total += float(fte)
        totals.add(total)
    assert min(totals) < 10.0 < max(totals)  # the orders do disagree
    assert set(share_status(sorted(totals)).tolist()) == {"not_applicable"}
    assert set(classify([1.0] * len(totals), sorted(totals), [50] * len(totals),
                        harm="above").tolist()) == {WITHIN}
    assert share_status([9.99]).tolist() == [INSUFFICIENT_EVIDENCE]

INTERIOR = [(30, 100, 15, 100), (3, 10, 7, 12), (1, 50, 4, 60), (45, 50, 40, 50),
            (12, 300, 3, 250), (99, 1000, 120, 1100), (2, 9, 1, 11)]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), INTERIOR)
def test_koopman_matches_statsmodels_score(x1: int, n1: int, x2: int, n2: int) -> None:
    out = relative_likelihood([x1], [n1], [x2], [n2], method="koopman")
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, compare="ratio", method="score",
                                        correction=False)
    assert out.loc[0, "ratio"] == pytest.approx((x1 / n1) / (x2 / n2), rel=1e-12)
    assert out.loc[0, "ratio_ci_low"] == pytest.approx(lo, rel=1e-7)
    assert out.loc[0, "ratio_ci_high"] == pytest.approx(hi, rel=1e-7)


def test_koopman_zero_events_in_numerator_group_has_lower_bound_zero() -> None:
    out = relative_likelihood([0], [10], [3], [10])
    _, hi = confint_proportions_2indep(0, 10, 3, 10, compare="ratio", method="score",
                                       correction=False)
    assert out.loc[0, "ratio"] == 0.0
    assert out.loc[0, "ratio_ci_low"] == 0.0
    assert out.loc[0, "ratio_ci_high"] == pytest.approx(hi, rel=1e-7)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), INTERIOR)
def test_katz_matches_statsmodels_log(x1: int, n1: int, x2: int, n2: int) -> None:
    out = relative_likelihood([x1], [n1], [x2], [n2], method="katz")
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, compare="ratio", method="log")
    assert out.loc[0, "ratio_ci_low"] == pytest.approx(lo, rel=1e-10)
    assert out.loc[0, "ratio_ci_high"] == pytest.approx(hi, rel=1e-10)


@pytest.mark.parametrize("table", [(6, 8, 1, 5), (0, 10, 3, 10), (3, 10, 0, 10), (10, 10, 10, 10),
                                   (0, 10, 0, 10), (5, 10, 5, 10), (1, 1, 0, 1), (7, 20, 7, 20),
                                   (30, 100, 15, 100), (120, 900, 180, 1000), (1, 3000, 9, 2500)])
def test_fisher_matches_scipy(table: tuple[int, int, int, int]) -> None:
    a, n1, c, n2 = table
    ref = sps.fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue
    assert fisher_exact_p([a], [n1], [c], [n2])[0] == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_fisher_vectorised_matches_scipy_on_random_tables() -> None:
    rng = np.random.default_rng(SEED)
    n1 = rng.integers(1, 80, 400)
    n2 = rng.integers(1, 80, 400)
    x1 = rng.binomial(n1, rng.uniform(0, 1, 400))
    x2 = rng.binomial(n2, rng.uniform(0, 1, 400))
    got = fisher_exact_p(x1, n1, x2, n2)
    ref = [sps.fisher_exact([[a, b - a], [c, d - c]]).pvalue for a, b, c, d in zip(x1, n1, x2, n2, strict=True)]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("table", [(1, 0, 1, 5), (-1, 5, 1, 5), (6, 5, 1, 5), (1.5, 5, 1, 5), (np.nan, 5, 1, 5)])
def test_fisher_invalid_tables_are_nan(table: tuple[float, ...]) -> None:
    assert np.isnan(fisher_exact_p(*[[v] for v in table])[0])


UNDEFINED = [(3, 0, 2, 10), (3, 10, 2, 0), (3, 10, 0, 10), (0, 0, 0, 0), (0, 10, 0, 10)]


@pytest.mark.parametrize("method", ["koopman", "katz"])
@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), UNDEFINED)
def test_undefined_ratio_is_nan_and_insufficient(method: str, x1: int, n1: int, x2: int, n2: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = relative_likelihood([x1], [n1], [x2], [n2], method=method)  # type: ignore[arg-type]
    assert np.isnan(out.loc[0, ["ratio", "ratio_ci_low", "ratio_ci_high"]].to_numpy(float)).all()
    assert not np.isinf(out.to_numpy(float)).any()
    status = classify(out["ratio"], [max(n1, 50)], [max(n2, 50)], harm="above")
    assert status.tolist() == [INSUFFICIENT_EVIDENCE]


def test_katz_zero_numerator_events_has_ratio_but_no_interval() -> None:
    out = relative_likelihood([0], [10], [3], [10], method="katz")
    assert out.loc[0, "ratio"] == 0.0
    assert np.isnan(out.loc[0, "ratio_ci_low"]) and np.isnan(out.loc[0, "ratio_ci_high"])


@pytest.mark.parametrize(("ratio", "den_a", "den_b", "harm", "expected"), [
    (1.26, 50, 50, "above", "adverse"),
    (1.25, 50, 50, "above", "within_range"),
    (0.80, 50, 50, "above", "within_range"),
    (0.79, 50, 50, "above", "favourable"),
    (0.79, 50, 50, "below", "adverse"),
    (1.30, 50, 50, "below", "favourable"),
    (3.0, 9, 50, "above", "insufficient_evidence"),
    (3.0, 10, 10, "above", "adverse"),
    (1.0, 50, 50, None, "not_applicable"),
])
def test_classify_methodology_rule(ratio: float, den_a: int, den_b: int, harm: str | None, expected: str) -> None:
    assert classify([ratio], [den_a], [den_b], harm=harm).tolist() == [expected]  # type: ignore[arg-type]


counts = st.integers(min_value=0, max_value=400)


@st.composite
def pair(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=400))
    return draw(st.integers(min_value=0, max_value=n)), n


@settings(max_examples=150, deadline=None)
@given(pair(), st.sampled_from([0.8, 0.95, 0.99]))
def test_property_wilson_brackets_rate(xn: tuple[int, int], confidence: float) -> None:
    x, n = xn
    out = proportion([x], [n], confidence=confidence).iloc[0]
    assert 0 <= out["ci_low"] <= out["value"] <= out["ci_high"] <= 1


@settings(max_examples=150, deadline=None)
@given(pair(), pair(), st.sampled_from(["koopman", "katz"]))
def test_property_ratio_interval_contains_ratio(a: tuple[int, int], b: tuple[int, int], method: str) -> None:
    out = relative_likelihood([a[0]], [a[1]], [b[0]], [b[1]], method=method).iloc[0]  # type: ignore[arg-type]
    assert not np.isinf(out.to_numpy(float)).any()
    if np.isfinite(out["ratio_ci_low"]):
        assert out["ratio_ci_low"] <= out["ratio"] <= out["ratio_ci_high"]
    assert 0 <= out["p_value"] <= 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(pair(), pair()), min_size=2, max_size=30), st.randoms(use_true_random=False))
def test_property_row_order_independent(rows: list, rnd) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame([(a[0], a[1], b[0], b[1]) for a, b in rows], columns=["x1", "n1", "x2", "n2"])
    perm = list(range(len(frame)))
    rnd.shuffle(perm)
    shuffled = frame.iloc[perm].reset_index(drop=True)

    def run(f: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([proportion(f["x1"], f["n1"]),
                          relative_likelihood(f["x1"], f["n1"], f["x2"], f["n2"])], axis=1)

    pd.testing.assert_frame_equal(run(frame).iloc[perm].reset_index(drop=True), run(shuffled))


def test_binomial_test_p_is_scipy_binomtest_to_the_last_bit():
    # independent oracle: scipy.stats.binomtest, every k for several n and p, both tails and
    # the tied-probability cases (p * n whole, symmetric p = 0.5)
    cases = [(k, n, p) for n in (1, 2, 7, 10, 31, 250) for p in (0.013, 0.2, 0.5, 0.61, 0.97)
             for k in range(n + 1)]
    k, n, p = (np.array(c, dtype=float) for c in zip(*cases, strict=True))
    got = binomial_test_p(k, n, p)
    want = np.array([sps.binomtest(int(a), int(b), c).pvalue for a, b, c in cases])
    assert np.array_equal(got, want)


def test_binomial_test_p_is_nan_where_undefined():
    got = binomial_test_p([1, 1, 1, 1.5, 3], [0, 5, 5, 5, 2], [0.5, 0.0, 1.0, 0.5, 0.5])
    assert np.isnan(got).all()
