"""The count cube: the only layer that reads row-level data (README.md "Layout").

Functions take a native frame of any engine narwhals supports and return small pandas tables.
"""

from equity.cube._core import (
    collect,
    columns,
    complete,
    count,
    distinct_rows,
    factorize,
    forget,
    group_totals,
    keep_shared,
    key_codes,
    lazy,
    memo,
    regroup,
    shared,
    sharing,
    sorted_categorical,
    text_is,
    threads_pay_off,
)
from equity.cube._history import (
    early_leaving,
    history_counts,
    joiner_cohort,
    leaver_spells,
    person_key,
    rows_of,
    snapshot_pair,
    snapshot_rows,
    tenure_spells,
    training_takeup,
)
from equity.cube._values import value_counts

__all__ = [
    "collect", "columns", "complete", "count", "distinct_rows", "early_leaving", "factorize", "forget", "group_totals", "history_counts",
    "joiner_cohort", "keep_shared", "key_codes", "lazy", "leaver_spells", "memo", "person_key", "regroup", "rows_of", "shared",
    "sharing", "snapshot_pair", "sorted_categorical", "snapshot_rows", "tenure_spells", "text_is", "threads_pay_off", "training_takeup",
    "value_counts",
]
