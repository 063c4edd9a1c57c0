"""The count cube: the only layer that reads row-level data (DESIGN.md "Layers").

Functions take a native frame of any engine narwhals supports and return small pandas tables.
"""

from equity.cube._core import collect, columns, complete, count, lazy, regroup
from equity.cube._values import value_counts

__all__ = ["collect", "columns", "complete", "count", "lazy", "regroup", "value_counts"]
