"""A clean stop: SIGTERM or SIGINT during ``equity report`` stops the workers and kernels,
removes the private temporary folder (pre-disclosure counts) and leaves an index listing the
reports that did not finish. Real signals, sent to a real ``equity report`` process."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
def test_a_signal_stops_the_batch_cleanly(tmp_path, request, sig, code):
    data = sample_dir(tmp_path)
    # the batch's TMPDIR: its temporary folder, and nothing else's; a short path, as the
    # workers' process server's socket needs (else the batch falls back to spawn)
    tmp = Path(tempfile.mkdtemp(prefix="eq-stop-"))
    request.addfinalizer(lambda: shutil.rmtree(tmp, ignore_errors=True))
    out = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "equity", "report", str(data), "--all", "--out", str(out),
         "--jobs", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    try:
        _wait_for(lambda: any(tmp.glob("equity-batch-*")) or proc.poll() is not None, 120,
                  "the batch's temporary folder")
        assert proc.poll() is None, proc.communicate()
        assert any(tmp.glob("pymp-*")), "the workers' process server (forkserver) runs"
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


def test_the_batch_falls_back_to_spawn_where_its_process_server_cannot_start(monkeypatch):
    """The workers start from a process server (forkserver) that has imported what they
    need; where its socket cannot be made (on Linux a path of at most 107 bytes, in TMPDIR),
    the batch starts them the slower way (spawn) instead of failing."""
    from multiprocessing import forkserver

    from equity.report import _render

    assert _render._pool_context().get_start_method() == "forkserver"

    def too_long() -> None:
        raise OSError("AF_UNIX path too long")

    monkeypatch.setattr(forkserver, "ensure_running", too_long)
    assert _render._pool_context().get_start_method() == "spawn"


@pytest.mark.slow
def test_a_report_renders_with_a_temporary_folder_too_long_for_a_socket(tmp_path):
    data = sample_dir(tmp_path)
    tmp = tmp_path / ("t" * (120 - len(str(tmp_path))))
    tmp.mkdir()
    out = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(tmp)}
    run = subprocess.run(
        [sys.executable, "-m", "equity", "report", str(data), "--directorate", "Older People",
         "--out", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert (out / "index.html").exists() and len(list(out.glob("*.html"))) == 2
    assert list(tmp.iterdir()) == []
