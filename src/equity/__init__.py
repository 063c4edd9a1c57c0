"""equity: NHS workforce-equity analytics.

Diversity, retention, career-progression and pay indicators (WRES, WDES, turnover, stability,
early-career leaving, promotion, pay gaps) by profession, band and directorate, with
intervals, statuses and disclosure control, on pandas, Polars, DuckDB or Spark.

>>> import equity as eq                                   # doctest: +SKIP
>>> data = eq.read_dataset("data/sample")                 # doctest: +SKIP
>>> eq.wres(data, period="2024/25", within=("directorate",))  # doctest: +SKIP

This module only re-exports; the implementation lives in the modules named below.
``equity.indicators``, ``equity.validate`` and ``equity.narrative`` are both functions here and
modules: import from the modules with ``from equity.validate import RULES``.
"""

from equity import plots, synth
from equity._version import __version__
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
from equity.io import Dataset, read_dataset
from equity.narrative import narrative, sentence
from equity.registry import INDICATOR_IDS, REGISTRY, registry_table
from equity.report import render_reports
from equity.result import RESULT_COLUMNS, STATUSES, concat_results, make_result
from equity.synth import write_sample
from equity.validate import ValidationReport, validate

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
