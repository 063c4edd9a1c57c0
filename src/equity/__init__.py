"""equity: NHS workforce-equity analytics.

Diversity, retention, career-progression and pay indicators (WRES, WDES, turnover, stability,
early-career leaving, promotion, pay gaps) by profession, band and directorate, with
intervals, statuses and disclosure control, on pandas, Polars, DuckDB or Spark.

>>> import equity as eq                                   # doctest: +SKIP
>>> data = eq.read_dataset("data/sample")                 # doctest: +SKIP
>>> eq.wres(data, period="2024/25", within=("directorate",))  # doctest: +SKIP

This module only re-exports; the implementation lives in the modules named below.
"""

from importlib.metadata import PackageNotFoundError, version

from equity.codes import Period
from equity.errors import (
    DataQualityWarning,
    EquityError,
    InputError,
    ParameterError,
    PeriodError,
    ReportError,
    ValidationError,
)
from equity.registry import INDICATOR_IDS, REGISTRY, registry_table
from equity.result import RESULT_COLUMNS, STATUSES, concat_results, make_result

# --- io / validate (equity.io, equity.validate)
from equity.io import Dataset, read_dataset
from equity.validate import ValidationReport, validate
# --- synth (equity.synth)
# isort: split
from equity import synth
from equity.synth import write_sample

# --- disclosure (equity.disclosure)
# isort: split
from equity.disclosure import apply_disclosure, disclosure_note, publish_counts

# --- indicators (equity.indicators)
# isort: split
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
from equity.indicators.progression import band_transitions, progression, trends
from equity.indicators.retention import leaving_reasons, retention
from equity.indicators.survival import survival_curves

# --- narrative / plots / report (equity.narrative, equity.plots, equity.report)
# isort: split
from equity import plots
from equity.narrative import narrative, sentence
from equity.report import render_reports

try:
    __version__ = version("equity")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "band_transitions",
    "leaving_reasons",
    "progression",
    "retention",
    "survival_curves",
    "trends",
    "INDICATOR_IDS",
    "REGISTRY",
    "RESULT_COLUMNS",
    "STATUSES",
    "DataQualityWarning",
    "EquityError",
    "InputError",
    "ParameterError",
    "Period",
    "PeriodError",
    "ReportError",
    "ValidationError",
    "concat_results",
    # synth
    "synth",
    "write_sample",
    # disclosure
    "apply_disclosure",
    "disclosure_note",
    "publish_counts",
    # io / validate
    "Dataset",
    "ValidationReport",
    "read_dataset",
    "validate",
    # indicators: equality
    "declaration_rate",
    "diversity_index",
    "equality_indicators",
    "model_employer_gap",
    "pipeline_disparity",
    "representation",
    "representation_vs_benchmark",
    "senior_representation",
    "wdes",
    "wres",
    "make_result",
    "pay_gap",
    "registry_table",
    "statutory_summary",
    # narrative / plots / report
    "narrative",
    "plots",
    "render_reports",
    "sentence",
]
