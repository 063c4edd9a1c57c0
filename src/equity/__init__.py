"""equity: NHS workforce-equity analytics.

Diversity, retention, career-progression and pay indicators (WRES, WDES, turnover, stability,
early-career leaving, promotion, pay gaps) by profession, band and directorate, with
intervals, statuses and disclosure control, on pandas, Polars, DuckDB or Spark.

>>> import equity as eq                                   # doctest: +SKIP
>>> data = eq.read_dataset("data/sample")                 # doctest: +SKIP
>>> eq.wres(data, period="2024/25", within=("directorate",))  # doctest: +SKIP

This module only re-exports; the implementation lives in the modules named below, each
imported when one of its names is first used (PEP 562), so that ``import equity`` costs
little more than Python itself: pandas, narwhals, the engines, scipy and matplotlib load where
they are used. ``dir(equity)`` and tab completion list every public name.
``equity.indicators``, ``equity.validate`` and ``equity.narrative`` are both functions here and
modules: import from the modules with ``from equity.validate import RULES``.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

from equity._version import __version__

if TYPE_CHECKING:  # what the names below resolve to, for type checkers and editors
    from equity import plots, synth
    from equity.codes import Period
    from equity.disclosure import apply_disclosure, disclosure_note, publish_counts
    from equity.errors import (
        DataQualityWarning,
        EquityError,
        InputError,
        OutputError,
        ParameterError,
        PeriodError,
        ReportError,
        ValidationError,
    )
    from equity.export import write_table
    from equity.indicators._all import indicators
    from equity.indicators.careers import trends
    from equity.indicators.equality import (
        declaration_rate,
        diversity_index,
        equality_indicators,
        model_employer_gap,
        pipeline_disparity,
        representation,
        representation_vs_benchmark,
        senior_representation,
        wdes,
        wres,
    )
    from equity.indicators.pay import pay_gap, statutory_summary
    from equity.indicators.progression import band_transitions, progression
    from equity.indicators.retention import leaving_reasons, retention
    from equity.indicators.survival import survival_curves
    from equity.indicators.trends import monthly_leavers
    from equity.io import Dataset, read_dataset
    from equity.narrative import narrative, sentence
    from equity.registry import INDICATOR_IDS, REGISTRY, registry_table
    from equity.report import render_reports
    from equity.result import RESULT_COLUMNS, STATUSES, concat_results, make_result
    from equity.synth import write_sample
    from equity.validate import ValidationReport, validate

#: The module each public name is defined in (under the same name), by module.
_MODULES: dict[str, tuple[str, ...]] = {
    "equity.codes": ("Period",),
    "equity.disclosure": ("apply_disclosure", "disclosure_note", "publish_counts"),
    "equity.errors": ("DataQualityWarning", "EquityError", "InputError", "OutputError",
                      "ParameterError", "PeriodError", "ReportError", "ValidationError"),
    "equity.export": ("write_table",),
    "equity.indicators._all": ("indicators",),
    "equity.indicators.careers": ("trends",),
    "equity.indicators.equality": (
        "declaration_rate", "diversity_index", "equality_indicators", "model_employer_gap",
        "pipeline_disparity", "representation", "representation_vs_benchmark",
        "senior_representation", "wdes", "wres"),
    "equity.indicators.pay": ("pay_gap", "statutory_summary"),
    "equity.indicators.progression": ("band_transitions", "progression"),
    "equity.indicators.retention": ("leaving_reasons", "retention"),
    "equity.indicators.survival": ("survival_curves",),
    "equity.indicators.trends": ("monthly_leavers",),
    "equity.io": ("Dataset", "read_dataset"),
    "equity.narrative": ("narrative", "sentence"),
    "equity.registry": ("INDICATOR_IDS", "REGISTRY", "registry_table"),
    "equity.report": ("render_reports",),
    "equity.result": ("RESULT_COLUMNS", "STATUSES", "concat_results", "make_result"),
    "equity.synth": ("write_sample",),
    "equity.validate": ("ValidationReport", "validate"),
}
_EXPORTS: dict[str, str] = {name: module for module, names in _MODULES.items() for name in names}
#: Submodules reachable as attributes (``eq.codes.ethnicity_group``), imported on first use.
_SUBMODULES = frozenset({"cli", "codes", "cube", "disclosure", "errors", "export", "io",
                         "plots", "registry", "report", "result", "schema", "stats", "synth"})
#: Names that are a function here and a submodule of the package (see above).
_SHADOWED = frozenset({"indicators", "narrative", "validate"})


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here (PEP 562)."""
    value: Any
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = import_module(f"equity.{name}")
    else:
        raise AttributeError(f"module 'equity' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names and submodules, loaded or not (for tab completion)."""
    return sorted({*(n for n in globals() if n.startswith("__")), *_EXPORTS, *_SUBMODULES})


class _Package(types.ModuleType):
    """The package's module type: importing the submodule ``equity.indicators`` (or
    ``validate``, ``narrative``) binds it on the package, as every import of a submodule does;
    here the function of that name keeps the name (it did when every name was imported
    eagerly, the function's import coming after its module's)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    # data in
    "Dataset",
    "read_dataset",
    "validate",
    "ValidationReport",
    "Period",
    "synth",
    "write_sample",
    # every indicator at once
    "indicators",
    "write_table",
    # representation, WRES, WDES
    "equality_indicators",
    "representation",
    "senior_representation",
    "representation_vs_benchmark",
    "diversity_index",
    "declaration_rate",
    "model_employer_gap",
    "pipeline_disparity",
    "wres",
    "wdes",
    # retention and progression
    "retention",
    "leaving_reasons",
    "monthly_leavers",
    "survival_curves",
    "progression",
    "band_transitions",
    "trends",
    # pay
    "pay_gap",
    "statutory_summary",
    # results, metadata, disclosure
    "RESULT_COLUMNS",
    "STATUSES",
    "INDICATOR_IDS",
    "REGISTRY",
    "registry_table",
    "make_result",
    "concat_results",
    "apply_disclosure",
    "disclosure_note",
    "publish_counts",
    # reports
    "narrative",
    "sentence",
    "plots",
    "render_reports",
    # errors
    "EquityError",
    "InputError",
    "ParameterError",
    "PeriodError",
    "ValidationError",
    "ReportError",
    "DataQualityWarning",
    "OutputError",
    "__version__",
]
