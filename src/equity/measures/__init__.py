"""The indicators layer: each indicator one cube call + stats, returning the shared result
schema. Named ``measures`` so that ``equity.indicators`` is only ever the function computing
every indicator.

Modules by family (import the functions from :mod:`equity`, or from these modules):

- ``representation``, ``wres``, ``wdes`` (gathered by ``equality``): representation,
  leadership, WRES, WDES;
- ``retention``, ``progression`` (gathered by ``careers``, with the yearly ``trends`` function), ``survival``:
  leavers, stability, early-career leaving, promotion, training access, band transitions,
  trends, Kaplan-Meier curves;
- ``pay``: gender, ethnicity and disability pay gaps;
- ``monthly``: monthly leavers and rolling leaver rates for SPC charts (:func:`monthly_leavers`);
- ``_common``: the shared machinery (groupings, scope, rate and ratio rows);
- ``_all``: every family at once, the long table behind ``equity indicators`` (written to
  files by :mod:`equity.export`).

Only the family-level entry points are re-exported here, so that a module such as
``equity.measures.wres`` is never shadowed by a function of the same name.
"""

from equity.measures._all import indicators
from equity.measures.careers import retention_indicators
from equity.measures.equality import equality_indicators
from equity.measures.monthly import monthly_leavers
from equity.measures.pay import pay_indicators

__all__ = [
    "equality_indicators",
    "indicators",
    "monthly_leavers",
    "pay_indicators",
    "retention_indicators",
]
