"""A clean stop: SIGTERM or SIGINT during ``equity report`` stops the workers and kernels,
removes the private temporary folder (pre-disclosure counts) and leaves an index listing the
reports that did not finish. Real signals, sent to a real ``equity report`` process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest
from bs4 import BeautifulSoup

from _render_once import ROOT, sample_dir
from equity.export import MANIFEST


def _wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_batch_cleanly(tmp_path, sig, code):
    data = sample_dir(tmp_path)
    tmp = tmp_path / "tmp"  # the batch's TMPDIR: its temporary folder, and nothing else's
    tmp.mkdir()
    out = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "equity", "report", str(data), "--all", "--out", str(out),
         "--jobs", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    try:
        _wait_for(lambda: any(tmp.glob("equity-batch-*")), 120, "the batch's temporary folder")
        # the first report written, and a kernel running for another one
        children: dict[psutil.Process, str] = {}

        def kernel_running() -> bool:
            if proc.poll() is not None:
                return True
            try:
                children.clear()
                children.update({c: " ".join(c.cmdline())
                                 for c in parent.children(recursive=True)})
            except psutil.Error:  # a child left while we looked
                return False
            return any(out.glob("*.html")) and any("ipykernel" in c for c in children.values())

        _wait_for(kernel_running, 300, "the first report and a running kernel")
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            for c in parent.children(recursive=True):
                c.kill()
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, err
    assert "Traceback" not in err, err
    # no worker or kernel left running; multiprocessing's resource tracker leaves by itself
    # once its parent has gone (a zombie reaped by nobody is dead too)
    def running() -> list[str]:
        return [cmd for c, cmd in children.items()
                if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]

    assert [cmd for cmd in running() if "resource_tracker" not in cmd] == []
    _wait_for(lambda: running() == [], 5, "the resource tracker to leave")
    assert list(tmp.iterdir()) == []  # the batch folder (families.parquet) and kernel files
    assert not list(out.glob(".*.tmp*")) and not list((out / "notebooks").glob(".*.tmp*"))
    index = BeautifulSoup((out / "index.html").read_text(), "html.parser").get_text()
    stopped = "SIGTERM" if sig == signal.SIGTERM else "SIGINT"
    finished = [f for f in out.glob("*.html") if f.name != "index.html"]
    assert finished, "the first report was written"
    shown, planned = map(int, re.search(r"Directorate reports \((\d+) of (\d+)\)",
                                        index).groups())
    assert shown in (len(finished), len(finished) - 1)  # the overview may be one of them
    assert shown < planned
    assert f"Not finished: the batch was {'stopped' if sig == signal.SIGTERM else 'interrupted'}" \
        f" ({stopped})" in index
    assert (out / MANIFEST).exists()
    assert "before the batch was" in err and stopped in err
