"""The fast, vectorised paths of equity.stats on many groups at once, against oracles.

Each test puts many groups through one call (so the batched code paths run: closed-form
Koopman limits with their fallback, chunked Fisher windows, one funnel limit per distinct
denominator, tie blocks split all at once) and checks every group against statsmodels, scipy,
plain pandas, or the same function on that group alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep

from equity.stats import (
    fisher_exact_p,
    funnel_limits,
    pay_quartiles,
    pay_summary,
    relative_likelihood,
)

SEED = sum(map(ord, "equity stats vectorised"))


def random_tables(rng: np.random.Generator, size: int, top: int) -> tuple[np.ndarray, ...]:
    n1 = rng.integers(1, top, size)
    n2 = rng.integers(1, top, size)
    return rng.binomial(n1, rng.uniform(0, 1, size)), n1, rng.binomial(n2, rng.uniform(0, 1, size)), n2


def score_statistic(theta: float, x1: int, n1: int, x2: int, n2: int) -> float:
    """Koopman / Miettinen-Nurminen score statistic (no correction), written out for the test."""
    # Restricted MLE of p2 under p1 = theta p2: the smaller root of a p2^2 + b p2 + c = 0.
    a, b, c = (n1 + n2) * theta, -(n1 * theta + x1 + n2 + x2 * theta), x1 + x2
    p2 = (-b - np.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)
    p1 = theta * p2
    return (x1 / n1 - theta * x2 / n2) / np.sqrt(p1 * (1 - p1) / n1 + theta**2 * p2 * (1 - p2) / n2)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_koopman_many_groups_match_statsmodels(confidence: float) -> None:
    rng = np.random.default_rng(SEED)
    x1, n1, x2, n2 = random_tables(rng, 150, 500)
    out = relative_likelihood(x1, n1, x2, n2, confidence=confidence, exact=False)
    z = sps.norm.ppf(0.5 + confidence / 2)
    for i, (a, b, c, d) in enumerate(zip(x1, n1, x2, n2, strict=True)):
        if c == 0 or (a == b and c == d):
            assert np.isnan(out.loc[i, "ratio_ci_high"])
            continue
        if 0 < a < b and 0 < c < d:  # interior: the closed form, to 1e-9 of statsmodels
            lo, hi = confint_proportions_2indep(a, b, c, d, compare="ratio", method="score",
                                                correction=False, alpha=1 - confidence)
            assert out.loc[i, "ratio_ci_low"] == pytest.approx(lo, rel=1e-9)
            assert out.loc[i, "ratio_ci_high"] == pytest.approx(hi, rel=1e-9)
            continue
        # A group with all events or none takes the bracketed search. (statsmodels' score
        # interval puts the lower limit elsewhere when A has all events, so check the
        # definition instead: the statistic equals +z / -z at the limits.)
        if a > 0:
            assert score_statistic(out.loc[i, "ratio_ci_low"], a, b, c, d) == pytest.approx(z, abs=1e-6)
        else:
            assert out.loc[i, "ratio_ci_low"] == 0.0
        assert score_statistic(out.loc[i, "ratio_ci_high"], a, b, c, d) == pytest.approx(-z, abs=1e-6)


@pytest.mark.parametrize("table", [(76, 430, 105, 405), (97, 482, 22, 97), (20, 97, 81, 315)])
def test_koopman_tables_the_bracketed_search_missed_by_2e7(table: tuple[int, int, int, int]) -> None:
    # Found on the benchmark's data: the old search stopped 2e-7 to 4e-7 (relative) away.
    out = relative_likelihood(*[[v] for v in table], exact=False)
    lo, hi = confint_proportions_2indep(*table, compare="ratio", method="score", correction=False)
    assert out.loc[0, "ratio_ci_low"] == pytest.approx(lo, rel=1e-10)
    assert out.loc[0, "ratio_ci_high"] == pytest.approx(hi, rel=1e-10)


@pytest.mark.parametrize("top", [12, 600, 20_000])
def test_fisher_many_groups_of_mixed_size_match_scipy(top: int) -> None:
    rng = np.random.default_rng(SEED + top)
    x1, n1, x2, n2 = random_tables(rng, 120, top)
    got = fisher_exact_p(x1, n1, x2, n2)
    ref = [sps.fisher_exact([[a, b - a], [c, d - c]]).pvalue for a, b, c, d in zip(x1, n1, x2, n2, strict=True)]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-15)


def test_fisher_tiny_p_values_on_large_tables() -> None:
    x1, n1, x2, n2 = [300, 5, 2_000], [1_000, 4_000, 20_000], [100, 60, 2_600], [1_000, 4_000, 20_000]
    ref = [sps.fisher_exact([[a, b - a], [c, d - c]]).pvalue for a, b, c, d in zip(x1, n1, x2, n2, strict=True)]
    assert max(ref) < 1e-12
    # Documented precision: 1e-17 absolute (the window leaves out less mass than that).
    np.testing.assert_allclose(fisher_exact_p(x1, n1, x2, n2), ref, rtol=1e-9, atol=1e-17)


def spiegelhalter_exact(n: float, theta: float, p: float) -> float:
    """Spiegelhalter (2005) Appendix A.1.1, one unit at a time with scipy.stats.binom."""
    r = sps.binom.ppf(p, n, theta)
    f_r, f_r1 = sps.binom.cdf(r, n, theta), sps.binom.cdf(r - 1, n, theta)
    alpha = (f_r - p) / (f_r - f_r1) if f_r > f_r1 else 0.0
    return float(np.clip((r - alpha) / n, 0, 1))


def test_funnel_exact_limits_with_repeated_denominators() -> None:
    rng = np.random.default_rng(SEED)
    n = rng.choice([7.0, 50.0, 50.4, 300.0, 2_000.0, np.nan, 0.0], 200)
    x = np.where(np.isfinite(n), np.floor(np.nan_to_num(n) * 0.3), np.nan)
    out = funnel_limits(x, n, target=0.25)
    for i, ni in enumerate(n):
        if not (np.isfinite(ni) and ni > 0):
            assert np.isnan(out.loc[i, "lower_99.8"]) and np.isnan(out.loc[i, "upper_95"])
            continue
        nn = round(ni)
        assert out.loc[i, "lower_95"] == pytest.approx(spiegelhalter_exact(nn, 0.25, 0.025), abs=1e-12)
        assert out.loc[i, "upper_95"] == pytest.approx(spiegelhalter_exact(nn, 0.25, 0.975), abs=1e-12)
        assert out.loc[i, "lower_99.8"] == pytest.approx(spiegelhalter_exact(nn, 0.25, 0.001), abs=1e-12)
        assert out.loc[i, "upper_99.8"] == pytest.approx(spiegelhalter_exact(nn, 0.25, 0.999), abs=1e-12)


def strata_table(rng: np.random.Generator, strata: int, groups: list[str]) -> pd.DataFrame:
    rows = [(s, g, float(v), int(rng.integers(0, 7)))
            for s in range(strata) for v in rng.choice([9, 10, 11, 12, 15], 3, replace=False)
            for g in groups]
    return pd.DataFrame(rows, columns=["stratum", "group", "value", "n"])


@pytest.mark.parametrize("groups", [["F", "M"], ["A", "B", "C"]])
@pytest.mark.parametrize("remainder", ["lower", "upper"])
def test_quartiles_of_many_strata_equal_each_stratum_alone(groups: list[str], remainder: str) -> None:
    # Straddling tie blocks of every stratum are split in one batch; the batch must give what
    # each stratum gives on its own (including the evening-out moves, which ties trigger).
    t = strata_table(np.random.default_rng(SEED), 60, groups)
    t = t[t.groupby("stratum")["n"].transform("sum") > 0]
    batched = pay_quartiles(t, by=["stratum"], remainder=remainder)  # type: ignore[arg-type]
    for s, part in t.groupby("stratum"):
        alone = pay_quartiles(part.drop(columns="stratum"), remainder=remainder)  # type: ignore[arg-type]
        got = batched[batched["stratum"] == s].drop(columns="stratum").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone)


def test_pay_summary_many_strata_match_plain_pandas() -> None:
    rng = np.random.default_rng(SEED)
    t = strata_table(rng, 80, ["F", "M"])
    t.loc[t["stratum"] % 7 == 0, "n"] = 0          # some groups with nobody
    t["stratum"] = pd.Categorical(t["stratum"].astype(str))
    out = pay_summary(t, by=["stratum"]).set_index(["stratum", "group"])
    people = t.loc[t.index.repeat(t["n"])]
    for (s, g), _ in t.groupby(["stratum", "group"], observed=True):
        row = out.loc[(s, g)]
        pay = people.loc[(people["stratum"] == s) & (people["group"] == g), "value"].to_numpy()
        assert row["n"] == len(pay)
        if len(pay):
            assert row["mean"] == pytest.approx(pay.mean(), rel=1e-12)
            assert row["median"] == np.median(pay)
        else:
            assert np.isnan(row["mean"]) and np.isnan(row["median"])
    assert len(out) == t.groupby(["stratum", "group"], observed=True).ngroups
