"""Time each equity.stats function on 100,000 groups in one call and print a table.

Run: ``.venv/bin/python benchmarks/bench_stats.py [groups]``. Goal: well under a second each
(a benchmark, not a test: timings depend on the machine and its load).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from equity import stats

G = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = np.random.default_rng(sum(map(ord, "bench_stats")))

n1 = rng.integers(1, 500, G)
n2 = rng.integers(1, 500, G)
x1 = rng.binomial(n1, 0.2)
x2 = rng.binomial(n2, 0.25)

# Survival: G groups x 3 times; pay: G strata x 2 sexes x 3 pay points; XmR: G/10 series of 10.
surv = pd.DataFrame({"g": np.repeat(np.arange(G), 3), "time": np.tile([1.0, 2.0, 3.0], G),
                     "events": rng.poisson(3, 3 * G), "censored": rng.poisson(2, 3 * G)})
surv_two = surv.assign(arm=np.repeat(np.arange(G) % 2, 3), g=np.repeat(np.arange(G) // 2, 3))
cause = pd.DataFrame({"g": np.repeat(np.arange(G), 3), "time": np.tile([1.0, 2.0, 2.0], G),
                      "cause": np.tile(["a", "b", None], G), "n": rng.poisson(3, 3 * G)})
pay = pd.DataFrame({"stratum": np.repeat(np.arange(G), 6), "group": np.tile(["F", "M"], 3 * G),
                    "value": np.tile(np.repeat([10.0, 12.0, 15.0], 2), G),
                    "n": rng.integers(0, 6, 6 * G)})
spc = pd.DataFrame({"unit": np.repeat(np.arange(G // 10), 10), "x": np.tile(np.arange(10), G // 10),
                    "value": rng.normal(10, 2, (G // 10) * 10)})
curve = stats.kaplan_meier(surv, by=["g"])

cases: list[tuple[str, Callable[[], object]]] = [
    ("proportion (Wilson)", lambda: stats.proportion(x1, n1)),
    ("relative_likelihood koopman, no Fisher", lambda: stats.relative_likelihood(x1, n1, x2, n2, exact=False)),
    ("relative_likelihood katz, no Fisher", lambda: stats.relative_likelihood(x1, n1, x2, n2, method="katz", exact=False)),
    ("fisher_exact_p", lambda: stats.fisher_exact_p(x1, n1, x2, n2)),
    ("classify", lambda: stats.classify(x1 / n1, n1, n2, harm="above")),
    ("kaplan_meier (G groups x 3 times)", lambda: stats.kaplan_meier(surv, by=["g"])),
    ("median_survival", lambda: stats.median_survival(curve, by=["g"])),
    ("at_risk_table (2 times)", lambda: stats.at_risk_table(surv, times=[1.5, 3], by=["g"])),
    ("logrank (G/2 strata x 2 groups)", lambda: stats.logrank(surv_two, group="arm", by=["g"])),
    ("cumulative_incidence", lambda: stats.cumulative_incidence(cause, cause="cause", by=["g"])),
    ("pay_summary (G strata x 2 sexes)", lambda: stats.pay_summary(pay, by=["stratum"])),
    ("pay_gap", lambda: stats.pay_gap(pay, reference="M", comparison="F", by=["stratum"])),
    ("pay_quartiles", lambda: stats.pay_quartiles(pay, by=["stratum"])),
    ("funnel_limits exact", lambda: stats.funnel_limits(x1, n1)),
    ("funnel_limits normal + overdispersion", lambda: stats.funnel_limits(x1, n1, overdispersion=True)),
    ("xmr (G points, G/10 series)", lambda: stats.xmr(spc, by=["unit"], improvement="increase")),
]

def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    print(f"equity.stats on {G:,} groups (best of 3)")
    print(f"{'function':<42} {'seconds':>8}")
    for name, fn in cases:
        print(f"{name:<42} {best_of(fn):8.3f}")
