"""Benchmark: per-report rendering time against the floor, and the --jobs speed-up.

The floor is executing and exporting an empty parameterised notebook (kernel start + export)
on the same machine. Prints a table; not a test. Usage::

    .venv/bin/python benchmarks/bench_report.py [DATA] [--directorates N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from equity.report import render_reports, sections
from equity.report._render import _kernel_options, atomic_write, export_html


def floor_seconds(workdir: Path, repeats: int = 3) -> float:
    """Median time to execute and export an empty parameterised notebook."""
    import papermill as pm

    nb = new_notebook(cells=[new_markdown_cell("# Empty"), new_code_cell('x: str = "a"  # p')])
    nb.cells[1].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = workdir / "empty.ipynb"
    nbformat.write(nb, path)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = pm.execute_notebook(str(path), None, parameters={"x": "b"}, kernel_name="python3",
                                  progress_bar=False, **_kernel_options())  # as the reports
        atomic_write(workdir / "empty.html", export_html(out, title="Empty", footer_items={}))
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default="data/sample")
    ap.add_argument("--directorates", type=int, default=4,
                    help="how many directorates to render in each run (default 4)")
    args = ap.parse_args()
    ctx = sections.load(args.data, period="2024/25")
    names = sections.known_directorates(ctx.dataset)[: args.directorates]
    work = Path(tempfile.mkdtemp(prefix="equity-bench-"))
    try:
        floor = floor_seconds(work)
        runs = {}
        for jobs in (1, 2):
            t = time.perf_counter()
            code = render_reports(args.data, directorates=names, out_dir=work / f"j{jobs}",
                                  jobs=jobs, overview=False, progress=False)
            runs[jobs] = (time.perf_counter() - t, code)
        # Each notebook's own time (execute + export), without the batch's one-off work.
        log = json.loads((work / "j1" / "render_log.json").read_text())
        notebook = statistics.median(r["seconds"] for r in log)
        sum_nb = sum(r["seconds"] for r in log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    per1 = runs[1][0] / len(names)
    print(f"{'measure':<44} {'value':>10}")
    print(f"{'directorates rendered':<44} {len(names):>10}")
    print(f"{'floor: empty notebook execute + export (s)':<44} {floor:>10.1f}")
    print(f"{'per report, --jobs 1 (s)':<44} {per1:>10.1f}")
    print(f"{'per report / floor (target <= 2.0)':<44} {per1 / floor:>10.2f}")
    print(f"{'one notebook, median, --jobs 1 (s)':<44} {notebook:>10.1f}")
    print(f"{'batch one-off work, --jobs 1 (s)':<44} {runs[1][0] - sum_nb:>10.1f}")
    print(f"{'total --jobs 1 (s)':<44} {runs[1][0]:>10.1f}")
    print(f"{'total --jobs 2 (s)':<44} {runs[2][0]:>10.1f}")
    print(f"{'speed-up --jobs 2 vs 1 (target >= 1.6)':<44} {runs[1][0] / runs[2][0]:>10.2f}")
    print(f"{'exit codes (jobs 1, jobs 2)':<44} {runs[1][1]:>5} {runs[2][1]:>4}")


if __name__ == "__main__":
    main()
