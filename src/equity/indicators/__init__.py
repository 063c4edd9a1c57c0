"""Indicators: each one cube call + stats, returning the shared result schema.

Modules by family: ``_common`` (shared machinery), ``equality`` (representation, WRES, WDES,
leadership), ``retention``, ``progression``, ``pay``; ``_all`` combines them into the long table.
"""
# --- equality (representation, WRES, WDES)
from equity.indicators.equality import (  # noqa: F401
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

# --- retention / progression
from equity.indicators.progression import (  # noqa: F401
    band_transitions,
    progression,
    retention_indicators,
    training_access,
    trends,
)
from equity.indicators.retention import (  # noqa: F401
    NATIONAL_AHP_FIRST_YEAR_LEAVER_RATE,
    early_career,
    leaving_reasons,
    retention,
)

# isort: split
# --- pay
from equity.indicators.pay import pay_gap, pay_indicators, statutory_summary  # noqa: F401
# --- all
from equity.indicators._all import indicators, metadata_table, write_indicators, write_table  # noqa: F401
