"""Render every directorate of the sample (one renamed to something hostile) once per test run.

The privacy test, the overview test and the browser test all read the same rendering. Under
pytest-xdist each worker is its own process, so the first worker to ask renders into a folder
shared by the run (keyed by xdist's run id) while holding a file lock; the others wait for it
and reuse the files (the pytest-xdist documentation's recipe for session-wide data).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TRICKY = '<b>"Ward/10"</b> & ../..\'s'


def sample_dir(tmp_root: Path) -> Path:
    here = ROOT / "data" / "sample"
    if (here / "staff.csv").exists():
        return here
    from equity.synth import write_sample

    out = tmp_root / "sample"
    if not (out / "staff.csv").exists():
        write_sample(out, seed=2024)
    return out


def make_tricky(sample: Path, out: Path, name: str = TRICKY) -> Path:
    """The sample with its first directorate renamed to ``name`` (default ``TRICKY``)."""
    out.mkdir(parents=True, exist_ok=True)
    for f in sample.iterdir():
        if f.is_file():
            shutil.copy(f, out / f.name)
    for table in ("staff", "recruitment"):
        df = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)
        first = sorted(set(df["directorate"]) - {""})[0]
        df["directorate"] = df["directorate"].replace(first, name)
        df.to_csv(out / f"{table}.csv", index=False)
    return out


def shared_root(basetemp: Path) -> Path:
    """A folder shared by every xdist worker of this run (the run's own basetemp otherwise)."""
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    return basetemp.parent / f"equity-reports-{uid}" if uid else basetemp / "equity-reports"


def render_all_once(basetemp: Path) -> tuple[Path, Path, int, list[dict]]:
    """(data folder, output folder, exit code, render log) of the one rendering of this run."""
    from equity.report import render_reports

    root = shared_root(basetemp)
    root.mkdir(parents=True, exist_ok=True)
    data, out, done = root / "tricky", root / "reports", root / "done.json"
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                make_tricky(sample_dir(root), data)
                code = render_reports(data, all_directorates=True, out_dir=out, jobs=2,
                                      progress=False)
                done.write_text(json.dumps({"code": code}))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    code = json.loads(done.read_text())["code"]
    log = json.loads((out / "render_log.json").read_text())
    return data, out, code, log
