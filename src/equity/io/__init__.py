"""Reading data into the canonical :class:`Dataset` bundle.

A dataset on disk is a folder holding one file per canonical table, named after it
(``staff.csv``, ``recruitment.parquet``, ``leavers.xlsx``...), or a DuckDB database file
holding tables of those names. In memory, :meth:`Dataset.from_frames` takes pandas frames.

Types after reading (every engine): ids and codes are strings, dates are datetimes at
midnight (``datetime64[ns]`` in pandas), numbers are float64, booleans are bool. Values that
cannot be parsed become missing and are recorded in :attr:`Dataset.issues`, which
:func:`equity.validation.validate` reports: nothing is altered silently.
"""

from equity.io._coerce import ReadIssue, coerce
from equity.io._dataset import Dataset, read_dataset
from equity.io._engines import ENGINES, Engine
from equity.io._files import CHUNK_ROWS
from equity.io._mapping import TableMapping, apply_mapping, read_mapping

__all__ = ["CHUNK_ROWS", "ENGINES", "Dataset", "Engine", "ReadIssue", "TableMapping", "apply_mapping",
           "coerce", "read_dataset", "read_mapping"]
