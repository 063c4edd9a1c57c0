"""Pure statistical functions on counts (no row-level data), vectorised over groups.

- rates: :func:`proportion` (Wilson), :func:`relative_likelihood` (Koopman / Katz, Fisher),
  :func:`classify` (the status rule, docs/methodology.md "Statuses"), :func:`average_headcount`,
  :func:`binomial_test_p`, :func:`z_value`;
- survival: :func:`kaplan_meier`, :func:`median_survival`, :func:`at_risk_table`,
  :func:`logrank`, :func:`cumulative_incidence`;
- pay: :func:`pay_summary`, :func:`mean_median_gap`, :func:`gap_percent`, :func:`pay_quartiles`;
- SPC: :func:`funnel_limits`, :func:`funnel_curve`, :func:`xmr`, :func:`xmr_summary`.
"""

from equity.stats._pay import gap_percent, mean_median_gap, pay_quartiles, pay_summary
from equity.stats._rates import (
    MIN_N,
    NON_ADVERSE_RANGE,
    average_headcount,
    binomial_test_p,
    classify,
    fisher_exact_p,
    proportion,
    relative_likelihood,
    share_status,
    wilson_interval,
    z_value,
)
from equity.stats._spc import (
    ASSURANCE_TEXT,
    MIN_POINTS,
    RUN_LENGTH,
    VARIATION_TEXT,
    XMR_CONSTANT,
    funnel_curve,
    funnel_limits,
    xmr,
    xmr_summary,
)
from equity.stats._survival import (
    at_risk_table,
    cumulative_incidence,
    kaplan_meier,
    logrank,
    median_survival,
)

__all__ = [
    "ASSURANCE_TEXT",
    "MIN_N",
    "MIN_POINTS",
    "NON_ADVERSE_RANGE",
    "RUN_LENGTH",
    "VARIATION_TEXT",
    "XMR_CONSTANT",
    "at_risk_table",
    "average_headcount",
    "binomial_test_p",
    "classify",
    "cumulative_incidence",
    "fisher_exact_p",
    "funnel_curve",
    "funnel_limits",
    "gap_percent",
    "kaplan_meier",
    "logrank",
    "median_survival",
    "mean_median_gap",
    "pay_quartiles",
    "pay_summary",
    "proportion",
    "relative_likelihood",
    "share_status",
    "wilson_interval",
    "xmr",
    "xmr_summary",
    "z_value",
]
