"""Test helpers for reading result tables."""

from __future__ import annotations

import pandas as pd


def row(result: pd.DataFrame, indicator: str, group: str = "White", variant: str | None = None,
        **strata: object) -> pd.Series:
    """The single result row for an indicator, group, variant and strata (fails otherwise)."""
    r = result[(result["indicator"] == indicator) & (result["group"] == group)]
    r = r[r["variant"].isna()] if variant is None else r[r["variant"] == variant]
    for k, v in strata.items():
        r = r[r[k] == v]
    assert len(r) == 1, r
    return r.iloc[0]
