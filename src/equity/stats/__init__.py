"""Pure statistical functions on counts (no row-level data), vectorised over groups."""

from equity.stats._rates import (
    MIN_N,
    NON_ADVERSE_RANGE,
    classify,
    fisher_exact_p,
    proportion,
    relative_likelihood,
    share_status,
    wilson_interval,
)

__all__ = [
    "MIN_N",
    "NON_ADVERSE_RANGE",
    "classify",
    "fisher_exact_p",
    "proportion",
    "relative_likelihood",
    "share_status",
    "wilson_interval",
]
