"""Reports: parameterised notebooks rendered to accessible HTML in a batch.

- :func:`render_reports` executes ``notebooks/directorate_report.ipynb`` once per directorate
  (papermill, a process pool) plus the trust overview, exports self-contained HTML without
  code, and writes ``index.html`` (the ``equity report`` command).
- :mod:`equity.report.sections` holds everything the notebooks show, one call per cell.
"""

from equity.report import sections
from equity.report._render import (
    RenderResult,
    atomic_write,
    export_html,
    index_html,
    notebook_dir,
    render_reports,
    safe_filename,
)
from equity.report.context import data_fingerprint, load, resolve_data_path

__all__ = [
    "RenderResult", "atomic_write", "data_fingerprint", "export_html", "index_html", "load",
    "notebook_dir", "render_reports", "resolve_data_path", "safe_filename", "sections",
]
