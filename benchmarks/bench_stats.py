"""Time each equity.stats function on 100,000 groups in one call and print a table.

Run: ``.venv/bin/python benchmarks/bench_stats.py [groups] [--repeat N]``. Goal (issue 3):
well under a second each. A benchmark, not a test: timings depend on the machine and its
load, so each row shows wall-clock seconds, CPU seconds of this process (much less
sensitive to other work on a shared machine) and the CPU time as a multiple of
``proportion`` on the same groups in the same run (a machine-independent figure).

Recorded figures, 100,000 groups, best of 3: CPU seconds of the process before (commit
01204cb) and after the issue-3 performance work (commit after cc9ca10), both runs one after
the other on the same 2-core machine, shared, load average 7-13 (so wall-clock seconds,
shown for "after", were about 4x the CPU seconds; expect wall close to CPU on a quiet
machine). "x proportion" is the after CPU time over proportion's (0.005 s) in the same run.

    function                                 before cpu after cpu after wall x proportion
    proportion (Wilson)                           0.005     0.005      0.017            1
    relative_likelihood koopman, no Fisher        0.496     0.051      0.212           11
    relative_likelihood katz, no Fisher           0.007     0.007      0.031            2
    fisher_exact_p                                0.769     0.367      1.515           78
    classify                                      0.020     0.021      0.088            4
    kaplan_meier (G groups x 3 times)             0.125     0.137      0.564           29
    median_survival                               0.033     0.033      0.126            7
    at_risk_table (2 times)                       0.103     0.102      0.416           22
    logrank (G/2 strata x 2 groups)               0.409     0.417      1.643           89
    cumulative_incidence                          0.399     0.332      1.313           71
    pay_summary (G strata x 2 sexes)              0.283     0.169      0.617           36
    mean_median_gap                               0.411     0.280      0.835           60
    pay_quartiles                                35.596     0.766      2.200          163
    funnel_limits exact                           1.053     0.090      0.254           19
    funnel_limits normal + overdispersion         0.052     0.060      0.243           13
    xmr (G points, G/10 series)                   0.082     0.085      0.249           18

What changed: pay_quartiles splits every straddling tie block at once (was a Python loop per
block; same rule, same output); Koopman limits come from Nam's cubic in closed form, each
confirmed by a sign change of the score within 1e-9 in log(theta) (bracketed search only where
unconfirmed); Fisher reads its log ratios from a sliding window over one table of log k; exact
funnel limits are computed once per distinct denominator; pay_summary sorts numbers, not a
DataFrame. Slowest now: pay_quartiles and logrank, mostly pandas pivot_table and grouping.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from equity import stats

G = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
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
    ("mean_median_gap", lambda: stats.mean_median_gap(pay, reference="M", comparison="F", by=["stratum"])),
    ("pay_quartiles", lambda: stats.pay_quartiles(pay, by=["stratum"])),
    ("funnel_limits exact", lambda: stats.funnel_limits(x1, n1)),
    ("funnel_limits normal + overdispersion", lambda: stats.funnel_limits(x1, n1, overdispersion="multiplicative")),
    ("xmr (G points, G/10 series)", lambda: stats.xmr(spc, by=["unit"], improvement="increase")),
]

def best_of(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds over ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return min(walls), min(cpus)


if __name__ == "__main__":
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    print(f"equity.stats on {G:,} groups (best of {repeat})")
    print(f"{'function':<42} {'wall s':>8} {'cpu s':>8} {'x proportion':>13}")
    reference = None
    for name, fn in cases:
        wall, cpu = best_of(fn, repeat)
        reference = reference or max(cpu, 1e-6)
        print(f"{name:<42} {wall:8.3f} {cpu:8.3f} {cpu / reference:13.1f}", flush=True)
