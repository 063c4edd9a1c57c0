"""Benchmark: report rendering against the stack floor (issue 22), side by side in one run.

The floor is what any report must pay: papermill executing, and nbconvert exporting, a
parameterised notebook that only imports pandas, matplotlib, seaborn, scipy.stats and
equity. Measured, each as a whole process (``equity report`` as a user runs it) and each
method run ``--repeat`` times interleaved (median):

- one directorate's report (``equity report DATA --directorate NAME``), against the floor
  (issue 22's target: at most 1.5x), and the same with the trust overview (``--overview``);
- every directorate and the overview with ``--jobs 2``, against the floor (at most 4x);
- ``directorate_report.ipynb`` for one directorate executed as JupyterLab's Run All does
  (no batch, nothing precomputed), against executing the floor's notebook the same way
  (at most 2x);
- ``directorate_report.ipynb`` run again in the same kernel for another directorate
  (``--then``), as an analyst changing the parameter does: the second run alone, against the
  same Run All of the floor's notebook.

With ``--baseline-src DIR`` (another version's ``src/``, with its ``notebooks/`` beside it:
``git archive <commit> src notebooks | tar -x -C /tmp/before`` then ``--baseline-src
/tmp/before/src``) the three report methods of that version run too, interleaved, as
``... (baseline)``: a before/after comparison in one run (a version whose ``--directorate``
renders the overview too is compared on the ``--overview`` row).

Prints a table; not a test. Usage::

    .venv/bin/python benchmarks/bench_report.py [DATA] [--directorate NAME] [--repeat N]
                                                [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
STACK = ("import pandas\nimport matplotlib.pyplot\nimport seaborn\nimport scipy.stats\n"
         "import equity")


def stack_notebook(folder: Path) -> Path:
    nb = new_notebook(cells=[new_markdown_cell("# Stack"),
                             new_code_cell('directorate: str = ""  # p'),
                             new_code_cell(STACK)])
    nb.cells[1].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "stack.ipynb"
    nbformat.write(nb, path)
    return path


#: The floor as a whole process: papermill with the reports' kernel options, then the
#: reports' own HTML export.
FLOOR_SCRIPT = """
import sys, papermill as pm
from equity.report._render import _kernel_options, atomic_write, export_html
out = pm.execute_notebook(sys.argv[1], None, parameters={"directorate": "x"},
                          kernel_name="python3", progress_bar=False, **_kernel_options())
atomic_write(sys.argv[2], export_html(out, title="Stack", footer_items={}))
"""

#: Run All as JupyterLab does: the notebook as committed (its own parameters cell, no batch),
#: with the directorate set in that cell, executed top to bottom in one kernel.
RUN_ALL_SCRIPT = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
if len(sys.argv) > 2:
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace('directorate: str = ""', f'directorate: str = "{sys.argv[2]}"')
NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": sys.argv[3]}}).execute()
"""


#: Run All again in the same kernel for another directorate (an analyst changing the
#: parameter): the notebook for ``argv[2]``, then, timed, for ``argv[3]``.
RUN_AGAIN_SCRIPT = """
import sys, time, nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
def notebook(directorate):
    nb = nbformat.read(sys.argv[1], as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace('directorate: str = ""', f'directorate: str = "{directorate}"')
    return nb
km = KernelManager(kernel_name="python3")
run = lambda d: NotebookClient(notebook(d), km=km, resources={"metadata": {"path": sys.argv[4]}}).execute()
run(sys.argv[2])
t = time.perf_counter()
run(sys.argv[3])
print("SECONDS", time.perf_counter() - t)
km.shutdown_kernel(now=True)
"""


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Wall time of ``cmd`` as a whole process, or the part it reports (``SECONDS s``)."""
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    said = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("SECONDS ")]
    return float(said[-1]) if said else time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--directorate", default="Older People")
    ap.add_argument("--then", default="Mental Health Adults",
                    help="the directorate of the second Run All in the same kernel")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each method (median)")
    ap.add_argument("--baseline-src", default="",
                    help="another version's src/ folder (its notebooks/ beside it), timed "
                         "too, interleaved, as '... (baseline)'")
    args = ap.parse_args()
    py, equity = sys.executable, str(Path(sys.executable).with_name("equity"))
    work = Path(tempfile.mkdtemp(prefix="equity-bench-"))
    nbdir = ROOT / "notebooks"
    try:
        stack = stack_notebook(work)
        methods = {
            "floor: stack notebook, papermill + export": [
                py, "-c", FLOOR_SCRIPT, str(stack), str(work / "stack.html")],
            "one directorate report (equity report)": [
                equity, "report", args.data, "--directorate", args.directorate, "--out",
                str(work / "one"), "--force", "--period", "2024/25"],
            "one directorate report + the overview (--overview)": [
                equity, "report", args.data, "--directorate", args.directorate, "--overview",
                "--out", str(work / "one-o"), "--force", "--period", "2024/25"],
            "every directorate + overview, --jobs 2": [
                equity, "report", args.data, "--all", "--jobs", "2", "--out",
                str(work / "all"), "--force", "--period", "2024/25"],
            "Run All: stack notebook": [py, "-c", RUN_ALL_SCRIPT, str(stack), "", str(work)],
            "Run All: directorate_report.ipynb": [
                py, "-c", RUN_ALL_SCRIPT, str(nbdir / "directorate_report.ipynb"),
                args.directorate, str(nbdir)],
            "Run All again, another directorate, same kernel": [
                py, "-c", RUN_AGAIN_SCRIPT, str(nbdir / "directorate_report.ipynb"),
                args.directorate, args.then, str(nbdir)],
        }
        envs: dict[str, dict[str, str]] = {m: {} for m in methods}
        if args.baseline_src:
            src = Path(args.baseline_src).resolve()
            env = {"PYTHONPATH": str(src)}
            # A version without --overview renders the overview with --directorate anyway:
            # its one-directorate row is then compared with the --overview row only.
            has_overview = "--overview" in (src / "equity" / "cli.py").read_text()
            for name in [m for m in methods if not m.startswith(("floor", "Run All: stack"))
                         and (has_overview or m != "one directorate report (equity report)")]:
                cmd = [str(src.parent / "notebooks" / "directorate_report.ipynb")
                       if c.endswith("directorate_report.ipynb") else
                       str(src.parent / "notebooks") if c == str(nbdir) else
                       c.replace(str(work / "one"), str(work / "one-b")).replace(
                           str(work / "all"), str(work / "all-b")) for c in methods[name]
                       if has_overview or c != "--overview"]
                methods[f"{name} (baseline)"], envs[f"{name} (baseline)"] = cmd, env
        times: dict[str, list[float]] = {m: [] for m in methods}
        for _ in range(args.repeat):  # interleaved, so load changes hit every method alike
            for name, cmd in methods.items():
                times[name].append(timed(cmd, ROOT, envs[name]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {m: statistics.median(t) for m, t in times.items()}
    floor, lab_floor = med["floor: stack notebook, papermill + export"], med[
        "Run All: stack notebook"]
    print(f"{'method':<48} {'median s':>9} {'range':>15} {'ratio':>7}  target")
    targets = {"one directorate report (equity report)": (floor, "<= 1.5x floor"),
               "one directorate report + the overview (--overview)": (floor, ""),
               "every directorate + overview, --jobs 2": (floor, "<= 4x floor"),
               "Run All: directorate_report.ipynb": (lab_floor, "<= 2x Run All stack"),
               "Run All again, another directorate, same kernel": (lab_floor, "")}
    for m, t in times.items():
        base, target = targets.get(m.removesuffix(" (baseline)"), (None, ""))
        ratio = f"{med[m] / base:.2f}x" if base else ""
        print(f"{m:<48} {med[m]:>9.1f} {min(t):>7.1f}-{max(t):<7.1f} {ratio:>7}  {target}")


if __name__ == "__main__":
    main()
