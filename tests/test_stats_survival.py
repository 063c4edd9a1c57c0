"""Survival from count tables against scipy and statsmodels on the expanded individual data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight, survdiff

from equity.stats import at_risk_table, cumulative_incidence, kaplan_meier, logrank, median_survival

SEED = sum(map(ord, "equity stats survival"))


def random_counts(seed: int, groups: tuple[str, ...] = ("a", "b"), times: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k, g in enumerate(groups):
        for t in range(1, times + 1):
            rows.append((g, float(t), int(rng.poisson(3 + k)), int(rng.poisson(2))))
    return pd.DataFrame(rows, columns=["g", "time", "events", "censored"])


def expand(t: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Individual (time, event flag) arrays from a count table: the oracle's input."""
    times = np.concatenate([np.repeat(t["time"], t["events"]), np.repeat(t["time"], t["censored"])])
    flags = np.concatenate([np.ones(int(t["events"].sum())), np.zeros(int(t["censored"].sum()))])
    return times.astype(float), flags


@pytest.mark.parametrize("seed", [SEED, SEED + 1, SEED + 2])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_km_matches_scipy_ecdf(seed: int, confidence: float) -> None:
    counts = random_counts(seed, groups=("a",)).drop(columns="g")
    curve = kaplan_meier(counts, confidence=confidence)
    times, flags = expand(counts)
    data = sps.CensoredData(uncensored=times[flags == 1], right=times[flags == 0])
    res = sps.ecdf(data)
    with warnings.catch_warnings():
        # scipy warns where the interval is undefined (S = 0 or 1); we return NaN there too.
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = res.sf.confidence_interval(confidence_level=confidence, method="log-log")
    q = curve["time"].to_numpy()
    np.testing.assert_allclose(curve["survival"], res.sf.evaluate(q), rtol=1e-12)
    np.testing.assert_allclose(curve["ci_low"], ci.low.evaluate(q), rtol=1e-10)
    np.testing.assert_allclose(curve["ci_high"], ci.high.evaluate(q), rtol=1e-10)


def test_km_by_group_greenwood_matches_statsmodels() -> None:
    counts = random_counts(SEED, groups=("a", "b", "c"))
    curve = kaplan_meier(counts, by=["g"])
    for g, part in counts.groupby("g"):
        times, flags = expand(part)
        sf = SurvfuncRight(times, flags)
        got = curve[curve["g"] == g].set_index("time")
        at = sf.surv_times
        np.testing.assert_allclose(got.loc[at, "survival"], sf.surv_prob, rtol=1e-12)
        np.testing.assert_allclose(got.loc[at, "std_err"], sf.surv_prob_se, rtol=1e-10)
        np.testing.assert_allclose(got.loc[at, "at_risk"], sf.n_risk)


def test_left_truncation_matches_statsmodels_entry() -> None:
    # Individuals: (entry, exit, event); people entering at 2 are not at risk at time 2.
    people = [(0, 1, 1), (0, 3, 1), (0, 5, 0), (2, 3, 1), (2, 4, 1), (2, 6, 0), (4, 5, 1), (0, 2, 1)]
    entry, exit_, ev = (np.array(c, float) for c in zip(*people, strict=True))
    rows = {}
    for e, x, d in people:
        rows.setdefault(float(e), [0, 0, 0])[2] += 1
        rows.setdefault(float(x), [0, 0, 0])[0 if d else 1] += 1
    counts = pd.DataFrame([(t, *v) for t, v in sorted(rows.items())],
                          columns=["time", "events", "censored", "entries"])
    curve = kaplan_meier(counts, entries="entries").set_index("time")
    sf = SurvfuncRight(exit_, ev, entry=entry)
    np.testing.assert_allclose(curve.loc[sf.surv_times, "survival"], sf.surv_prob, rtol=1e-12)
    np.testing.assert_allclose(curve.loc[sf.surv_times, "at_risk"], sf.n_risk)
    # By hand: 4 enter at 0, so at 1: 4 at risk, 1 event -> 3/4; at 2: 3 at risk -> 2/3
    # (the 3 entering at 2 are not yet at risk); at 3: 7 entered - 2 exited = 5, 2 events.
    assert curve.loc[3.0, "at_risk"] == 5
    assert curve.loc[3.0, "survival"] == pytest.approx(3 / 4 * 2 / 3 * 3 / 5, rel=1e-12)
    risk = at_risk_table(counts, times=[1, 3], entries="entries")
    assert risk["at_risk"].tolist() == [4.0, 5.0]


def test_at_risk_table_by_group() -> None:
    counts = pd.DataFrame({"g": ["a", "a", "b"], "time": [1, 4, 2], "events": [2, 1, 1],
                           "censored": [1, 0, 0]})
    out = at_risk_table(counts, times=[0, 1, 2, 5], by=["g"])
    assert out["at_risk"].tolist() == [4, 4, 1, 0, 1, 1, 1, 0]
    assert out["events"].tolist() == [0, 0, 2, 3, 0, 0, 0, 1]
    assert out["censored"].tolist() == [0, 0, 1, 1, 0, 0, 0, 0]


@pytest.mark.parametrize("seed", [SEED, SEED + 7])
def test_logrank_two_groups_matches_scipy(seed: int) -> None:
    counts = random_counts(seed)
    x = expand(counts[counts["g"] == "a"])
    y = expand(counts[counts["g"] == "b"])
    ref = sps.logrank(sps.CensoredData(uncensored=x[0][x[1] == 1], right=x[0][x[1] == 0]),
                      sps.CensoredData(uncensored=y[0][y[1] == 1], right=y[0][y[1] == 0]))
    out = logrank(counts, group="g").iloc[0]
    assert out["chi2"] == pytest.approx(ref.statistic**2, rel=1e-10)
    assert out["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert out["df"] == 1.0


def test_logrank_three_groups_and_strata_match_statsmodels() -> None:
    parts = [random_counts(SEED + s, groups=("a", "b", "c")).assign(site=s) for s in (1, 2)]
    counts = pd.concat(parts, ignore_index=True)
    out = logrank(counts, group="g", by=["site"]).set_index("site")
    for s, part in counts.groupby("site"):
        times, flags, groups = [], [], []
        for g, gp in part.groupby("g"):
            t, f = expand(gp)
            times.append(t), flags.append(f), groups.append(np.repeat(g, len(t)))
        chi2, p = survdiff(np.concatenate(times), np.concatenate(flags), np.concatenate(groups))
        assert out.loc[s, "chi2"] == pytest.approx(chi2, rel=1e-9)
        assert out.loc[s, "p_value"] == pytest.approx(p, rel=1e-8)
        assert out.loc[s, "df"] == 2.0


def test_logrank_undefined_cases_are_nan() -> None:
    one = pd.DataFrame({"g": ["a"], "time": [1.0], "events": [1], "censored": [0]})
    none = pd.DataFrame({"g": ["a", "b"], "time": [1.0, 1.0], "events": [0, 0], "censored": [1, 1]})
    assert logrank(one, group="g")[["chi2", "p_value"]].isna().all(axis=None)
    assert logrank(none, group="g")[["chi2", "p_value"]].isna().all(axis=None)


def test_median_survival_and_interval() -> None:
    counts = random_counts(SEED, groups=("a",)).drop(columns="g")
    curve = kaplan_meier(counts)
    med = median_survival(curve).iloc[0]
    times, flags = expand(counts)
    sf = SurvfuncRight(times, flags)
    # First time with S <= 0.5, read off statsmodels' curve independently.
    assert med["median"] == sf.surv_times[np.argmax(sf.surv_prob <= 0.5)]
    assert med["ci_low"] <= med["median"] <= med["ci_high"]


def test_km_empty_and_full_edges_no_warnings() -> None:
    counts = pd.DataFrame({"time": [1.0, 2.0], "events": [0, 3], "censored": [2, 0]})
    curve = kaplan_meier(counts)
    assert curve["survival"].tolist() == [1.0, 0.0]
    assert curve[["ci_low", "ci_high"]].isna().all(axis=None)


def test_cumulative_incidence_matches_statsmodels() -> None:
    rng = np.random.default_rng(SEED)
    rows = [(float(t), c, int(rng.poisson(2))) for t in range(1, 9) for c in ("resign", "retire", None)]
    counts = pd.DataFrame(rows, columns=["time", "cause", "n"])
    out = cumulative_incidence(counts, cause="cause")
    codes = {"resign": 1, "retire": 2}
    time = np.repeat(counts["time"], counts["n"]).to_numpy()
    status = np.repeat(counts["cause"].map(codes).fillna(0).astype(int), counts["n"]).to_numpy()
    ref = CumIncidenceRight(time, status)
    for k, cause in enumerate(("resign", "retire")):
        got = out[out["cause"] == cause].set_index("time")["cumulative_incidence"]
        np.testing.assert_allclose(got.loc[ref.times], ref.cinc[k], rtol=1e-10)
    # Causes and all-cause survival add to one at every time.
    surv = kaplan_meier(counts.assign(ev=np.where(counts["cause"].isna(), 0, counts["n"]),
                                      ce=np.where(counts["cause"].isna(), counts["n"], 0)),
                        events="ev", censored="ce").set_index("time")["survival"]
    total = out.groupby("time")["cumulative_incidence"].sum()
    np.testing.assert_allclose(total + surv.loc[total.index], 1.0, rtol=1e-12)


def test_row_order_and_duplicates_do_not_matter() -> None:
    counts = random_counts(SEED)
    a = kaplan_meier(counts, by=["g"])
    shuffled = counts.sample(frac=1, random_state=SEED)
    split = pd.concat([shuffled.assign(events=0), shuffled.assign(censored=0)])
    pd.testing.assert_frame_equal(a, kaplan_meier(split, by=["g"]))
