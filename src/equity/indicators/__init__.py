"""Indicators: each one cube call + stats, returning the shared result schema.

Modules by family (import the functions from :mod:`equity`, or from these modules):

- ``representation``, ``wres``, ``wdes`` (gathered by ``equality``): representation,
  leadership, WRES, WDES;
- ``retention``, ``progression`` (gathered by ``careers``, with ``trends``), ``survival``:
  leavers, stability, early-career leaving, promotion, training access, band transitions,
  trends, Kaplan-Meier curves;
- ``pay``: gender, ethnicity and disability pay gaps;
- ``trends``: monthly leavers and rolling leaver rates for SPC charts (:func:`monthly_leavers`);
- ``_common``: the shared machinery (groupings, scope, rate and ratio rows);
- ``_all``: every family at once, the long table behind ``equity indicators`` (written to
  files by :mod:`equity.export`).

Only the family-level entry points are re-exported here, so that a module such as
``equity.indicators.wres`` is never shadowed by a function of the same name.
"""

from equity.indicators._all import indicators
from equity.indicators.careers import retention_indicators
from equity.indicators.equality import equality_indicators
from equity.indicators.pay import pay_indicators
from equity.indicators.trends import monthly_leavers

__all__ = [
    "equality_indicators",
    "indicators",
    "monthly_leavers",
    "pay_indicators",
    "retention_indicators",
]
