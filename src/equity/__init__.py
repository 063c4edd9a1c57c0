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
Each name means one thing: the functions ``equity.indicators``, ``equity.validate`` and
``equity.narrative`` live in the modules :mod:`equity.measures` (every indicator family),
:mod:`equity.validation` (with its ``RULES``) and :mod:`equity.narration`.
"""

from __future__ import annotations

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
    from equity.io import Dataset, read_dataset
    from equity.measures._all import indicators
    from equity.measures.careers import trends
    from equity.measures.equality import (
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
    from equity.measures.monthly import monthly_leavers
    from equity.measures.pay import pay_gap, statutory_summary
    from equity.measures.progression import band_transitions, progression
    from equity.measures.retention import leaving_reasons, retention
    from equity.measures.survival import survival_curves
    from equity.narration import narrative, sentence
    from equity.registry import INDICATOR_IDS, REGISTRY, registry_table
    from equity.report import render_reports
    from equity.result import RESULT_COLUMNS, STATUSES, concat_results, make_result
    from equity.synth import write_sample
    from equity.templates import standard_template, write_template
    from equity.validation import ValidationReport, validate

#: The module each public name is defined in (under the same name), by module.
_MODULES: dict[str, tuple[str, ...]] = {
    "equity.codes": ("Period",),
    "equity.disclosure": ("apply_disclosure", "disclosure_note", "publish_counts"),
    "equity.errors": ("DataQualityWarning", "EquityError", "InputError", "OutputError",
                      "ParameterError", "PeriodError", "ReportError", "ValidationError"),
    "equity.export": ("write_table",),
    "equity.measures._all": ("indicators",),
    "equity.measures.careers": ("trends",),
    "equity.measures.equality": (
        "declaration_rate", "diversity_index", "equality_indicators", "model_employer_gap",
        "pipeline_disparity", "representation", "representation_vs_benchmark",
        "senior_representation", "wdes", "wres"),
    "equity.measures.pay": ("pay_gap", "statutory_summary"),
    "equity.measures.progression": ("band_transitions", "progression"),
    "equity.measures.retention": ("leaving_reasons", "retention"),
    "equity.measures.survival": ("survival_curves",),
    "equity.measures.monthly": ("monthly_leavers",),
    "equity.io": ("Dataset", "read_dataset"),
    "equity.narration": ("narrative", "sentence"),
    "equity.registry": ("INDICATOR_IDS", "REGISTRY", "registry_table"),
    "equity.report": ("render_reports",),
    "equity.result": ("RESULT_COLUMNS", "STATUSES", "concat_results", "make_result"),
    "equity.synth": ("write_sample",),
    "equity.templates": ("standard_template", "write_template"),
    "equity.validation": ("ValidationReport", "validate"),
}
_EXPORTS: dict[str, str] = {name: module for module, names in _MODULES.items() for name in names}
#: Submodules reachable as attributes (``eq.codes.ethnicity_group``), imported on first use.
_SUBMODULES = frozenset({"cli", "codes", "cube", "disclosure", "errors", "export", "io",
                         "plots", "registry", "report", "result", "schema", "stats", "synth",
                         "templates"})


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
    "standard_template",
    "write_template",
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
