"""Batch rendering: papermill per directorate in a process pool, accessible HTML, index page.

Each directorate's report is the directorate notebook executed by papermill with its
parameters injected, exported by nbconvert's :class:`~nbconvert.HTMLExporter` with the code
hidden (``exclude_input``; papermill's ``report_mode`` leaves code in the file, papermill #506),
then given a skip link, a contents ``<nav>``, a footer recording the data fingerprint,
parameters and library version, and written atomically (:func:`equity.export.atomic_write`),
so a reader never sees half a file. A failing directorate is recorded with its error and the
others carry on; the exit code is non-zero if any failed.

The output folder keeps a manifest of what equity wrote there; a file it did not write is
never replaced without ``force`` (:func:`equity.export.guard_outputs`). A batch stopped by
Ctrl-C or SIGTERM stops its worker processes and their kernels, removes its private temporary
folder (pre-disclosure counts) and still writes ``index.html``, listing what did not finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, Literal

from equity import codes
from equity.errors import ParameterError, ReportError, check_choice
from equity.export import (
    atomic_write,
    check_out,
    guard_outputs,
    latest_period,
    print_warnings,
    record_outputs,
)

Disclosure = Literal["publication", "internal"]
DIRECTORATE_NOTEBOOK = "directorate_report.ipynb"
OVERVIEW_NOTEBOOK = "trust_overview.ipynb"
OVERVIEW_FILE = "trust_overview.html"

_CSS = """
<style>
:root { --nhs-blue: #005EB8; --nhs-dark-blue: #003087; --nhs-grey: #425563; }
body { font-family: Arial, "Helvetica Neue", sans-serif; line-height: 1.5; }
.equity-skip { position: absolute; left: -999px; }
.equity-skip:focus { left: 1em; top: 1em; background: #FFEB3B; padding: 0.5em; z-index: 10; }
header.equity-header { background: var(--nhs-blue); color: #fff; padding: 0.8em 1.5em; }
header.equity-header p { margin: 0; font-size: 1.1em; font-weight: bold; }
nav.equity-nav { padding: 0.5em 1.5em; border-bottom: 1px solid #D8DDE0; }
nav.equity-nav ul { display: flex; flex-wrap: wrap; gap: 0.3em 1.2em; list-style: none; padding: 0; margin: 0; }
nav.equity-nav a, main a { color: var(--nhs-blue); }
nav.equity-nav a, table.equity-table a, .equity-skip { display: inline-block; min-height: 24px; min-width: 24px; line-height: 24px; }
table.equity-table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
table.equity-table caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
table.equity-table th, table.equity-table td,
.jp-RenderedHTMLCommon table.equity-table th, .jp-RenderedHTMLCommon table.equity-table td { border: 1px solid #AEB7BD; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
table.equity-table thead th { background: #E8EDEE; }
table.equity-table tfoot td { font-size: 0.85em; color: var(--nhs-grey); }
figure.equity-chart { margin: 1em 0; }
figure.equity-chart figcaption { font-size: 0.9em; color: var(--nhs-grey); }
footer.equity-footer { border-top: 1px solid #D8DDE0; padding: 1em 1.5em; font-size: 0.85em; color: var(--nhs-grey); }
a:focus, button:focus { outline: 3px solid #FFEB3B; }
</style>
"""

# Extends nbconvert's lab template: no remote scripts (require.js, MathJax, mermaid), so the
# file is self-contained and opens offline without console errors; our CSS; alt text from the
# output metadata on plain PNG outputs too.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{% block extra_css %}""" + _CSS + """{% endblock extra_css %}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ (output | get_metadata('alt', 'image/png')) or 'Chart' | escape_html }}">
</div>
{% endblock data_png %}
"""


@dataclass
class RenderResult:
    """What happened to one report."""

    name: str
    file: str
    ok: bool
    error: str = ""
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- names, files


def safe_filename(name: str, *, suffix: str = ".html") -> str:
    """A safe, unique file name for a directorate: ASCII slug plus a short hash of the name.

    Slashes, dots, quotes, HTML and any other character outside ``[a-z0-9]`` become ``-``, so
    ``..`` or ``/`` cannot leave the output folder; the hash keeps names that slug alike
    ("A/B" and "A B") apart.

    Examples
    --------
    >>> safe_filename("Women & Children")
    'women-children-9d1fe4e5.html'
    >>> "/" in safe_filename("../../etc/passwd") or ".." in safe_filename("../../etc/passwd")
    False
    """
    norm = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")[:60].strip("-") or "report"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}{suffix}"


def notebook_dir() -> Path:
    """Folder holding the report notebooks: ``equity/notebooks`` inside the package.

    A wheel carries the notebooks there as files; in a source checkout (editable install)
    that folder is a symlink to the repository's ``notebooks/``, their source of truth. A
    checkout made without symlinks (Git for Windows without ``core.symlinks``) has a small
    text file in its place, so the repository's ``notebooks/`` is looked at next. The
    path is returned resolved (the repository's folder in a checkout).
    """
    package = Path(__file__).resolve().parents[1]
    candidates = (package / "notebooks", package.parents[1] / "notebooks")
    for cand in candidates:
        if (cand / DIRECTORATE_NOTEBOOK).is_file():
            return cand.resolve()
    raise ReportError(
        f"Cannot find {DIRECTORATE_NOTEBOOK}: looked in {candidates[0]} and {candidates[1]}. "
        "Reinstall equity (pip install --force-reinstall equity), or run from a source "
        "checkout with its notebooks/ folder."
    )


# --------------------------------------------------------------------------- HTML export


def _exporter() -> Any:
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"equity_report.html.j2": _TEMPLATE})],
        template_file="equity_report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code="en",
    )


def _decorate(body: str, *, title: str, footer_items: dict[str, str],
              back_link: str | None) -> str:
    """Add the skip link, a header, the contents nav (from the h2 headings) and the footer."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    main = soup.find("main")
    if main is None:  # pragma: no cover - the lab template always has <main>
        raise ReportError("Exported HTML has no <main> element; nbconvert's lab template changed.")
    main["id"] = "main"
    items = []
    for h in main.find_all("h2"):
        if not h.get("id"):
            h["id"] = re.sub(r"[^A-Za-z0-9]+", "-", h.get_text(strip=True)).strip("-")
        text = h.get_text(strip=True).rstrip("¶").strip()
        items.append(f'<li><a href="#{html.escape(str(h["id"]), quote=True)}">{html.escape(text)}</a></li>')
    back = (f'<li><a href="{html.escape(back_link, quote=True)}">All reports</a></li>'
            if back_link else "")
    pre = BeautifulSoup(
        '<a class="equity-skip" href="#main">Skip to content</a>'
        f'<header class="equity-header"><p>{html.escape(title)}</p></header>'
        f'<nav class="equity-nav" aria-label="Contents"><ul>{back}{"".join(items)}</ul></nav>',
        "html.parser",
    )
    for el in list(pre.contents):
        main.insert_before(el)
    rows = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in footer_items.items())
    main.insert_after(BeautifulSoup(f'<footer class="equity-footer"><ul>{rows}</ul></footer>',
                                    "html.parser"))
    if soup.title is not None:
        soup.title.string = title
    return str(soup)


def export_html(nb: Any, *, title: str, footer_items: dict[str, str],
                back_link: str | None = "index.html") -> str:
    """Export an executed notebook to self-contained, accessible HTML without the code."""
    nb.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(nb)
    return _decorate(body, title=title, footer_items=footer_items, back_link=back_link)


# --------------------------------------------------------------------------- one report


@dataclass(frozen=True)
class _Job:
    name: str
    notebook: str
    out_file: str
    executed_file: str
    parameters: dict[str, Any]
    title: str
    footer: dict[str, str]
    cwd: str


def _summary_of(nb: Any) -> dict[str, Any]:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            s = out.get("metadata", {}).get("equity_summary")
            if s:
                return dict(s)
    return {}


def _kernel_options() -> dict[str, Any]:
    """How papermill starts each report's kernel: its traffic encrypted (CurveZMQ, where
    jupyter_client and pyzmq offer it: a report's kernel holds special-category data, and
    ipykernel 7.3+ warns on every start without it), and its own log quiet. In a batch that
    log said nothing but, for some kernels, that they were interrupted (jupyter_client
    interrupts a kernel before shutting it down), as an error; a failing cell or a dead
    kernel reaches the batch through papermill, which lists the report with its error."""
    import zmq
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    options: dict[str, Any] = {"extra_arguments": ["--IPKernelApp.log_level=CRITICAL"]}
    if "transport_encryption" in KernelManager.class_traits() and zmq.has("curve"):
        options["config"] = Config({"KernelManager": {"transport_encryption": "auto"}})
    return options


#: This worker process's report kernel (:func:`_worker_kernel`).
_KERNEL: dict[str, Any] = {}

#: Run in a worker's kernel between two reports: the next report starts from an empty
#: namespace, as in a kernel of its own (figures closed; the imported modules are kept).
_CLEAR = "import matplotlib.pyplot as _plt\n_plt.close('all')\n%reset -f\n"


def _worker_kernel() -> Any:
    """The kernel manager a batch worker executes its reports with: one kernel per worker,
    started by papermill for the worker's first report and kept for the next, its namespace
    cleared in between (:data:`_CLEAR`). Each report after a worker's first starts without
    starting a kernel and importing the scientific stack again (about 2 s of CPU each; a
    batch of every directorate renders three reports per worker). A kernel that died, or
    that cannot be cleared, is shut down and the next report gets a new one."""
    from jupyter_client.manager import KernelManager

    km = _KERNEL.get("km")
    if km is not None and km.has_kernel:
        try:
            if km.is_alive():
                _clear(km)
                return km
        except Exception:  # a kernel that does not answer is replaced, never reused
            pass
        with contextlib.suppress(Exception):  # (a dead kernel may fail to shut down)
            km.shutdown_kernel(now=True)
    km = KernelManager(kernel_name="python3", config=_kernel_options().get("config"))
    _KERNEL["km"] = km
    return km


def _clear(km: Any, *, timeout: float = 60) -> None:
    """Run :data:`_CLEAR` in ``km``'s kernel and wait for it to finish (an error raises; so
    does no reply within ``timeout`` seconds). The kernel is known to be running, so the
    client does not wait for it to be ready (``wait_for_ready`` drains its output for 0.2
    s: 0.27 s a clear against 0.1 s)."""
    kc = km.client()
    kc.start_channels()
    try:
        msg_id = kc.execute(_CLEAR, silent=True, store_history=False)
        while True:
            reply = kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise ReportError(f"could not clear the report kernel: {reply['content']}")
    finally:
        kc.stop_channels()


def _render_one(job: _Job) -> RenderResult:
    """Execute and export one report (runs in a worker process)."""
    import papermill as pm

    t0 = time.perf_counter()
    try:
        nb = pm.execute_notebook(job.notebook, None, parameters=job.parameters,
                                 kernel_name="python3", progress_bar=False, log_output=False,
                                 cwd=job.cwd, km=_worker_kernel(), **_kernel_options())
        atomic_write(job.executed_file, json.dumps(nb, indent=1, ensure_ascii=False))
        text = export_html(nb, title=job.title, footer_items=job.footer)
        atomic_write(job.out_file, text)
        return RenderResult(job.name, Path(job.out_file).name, True,
                            seconds=time.perf_counter() - t0, summary=_summary_of(nb))
    except pm.PapermillExecutionError as err:
        msg = f"{err.ename}: {err.evalue}"
    except Exception as err:  # one failing report must not stop the batch
        msg = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}"
    return RenderResult(job.name, Path(job.out_file).name, False, error=msg.strip()[:2000],
                        seconds=time.perf_counter() - t0)


# --------------------------------------------------------------------------- batch families


def _compute_batch(pool: cf.Executor, ctx: Any, folder: str, *, overview: bool,
                   progress: bool, shared_path: str | None = None,
                   mapping: str = "") -> None:
    """Compute the families every report needs once, in the worker pool, into ``folder``
    (:func:`equity.report.batch.batch_families`). A family that fails here is left out
    (and said so on stderr): each report then computes it itself, and fails (and is listed)
    on its own if it must."""
    import sys

    from tqdm import tqdm

    from equity.report.batch import batch_families, batch_family, batch_tasks, write_batch

    keys = batch_families(ctx, overview=overview)
    futures = {pool.submit(batch_family, str(ctx.data_path), task, report_period=ctx.period,
                           staff_group=ctx.staff_group, shared_path=shared_path,
                           mapping=mapping): task
               for task in batch_tasks(keys)}
    tables = {}
    with tqdm(total=len(keys), desc="Computing indicators", unit="table",
              disable=not progress, file=sys.stderr) as bar:
        for fut in cf.as_completed(futures):
            err = fut.exception()
            if err is None:
                tables.update(fut.result())
            else:
                names = ", ".join(k.family for k in futures[fut])
                print(f"equity report: computing {names} ({futures[fut][0].period}) once for "
                      f"every report failed ({type(err).__name__}: {err}); each report "
                      "computes it itself.", file=sys.stderr)
            bar.update(len(futures[fut]))
    if tables:
        write_batch(folder, ctx, {k: tables[k] for k in keys if k in tables})


# --------------------------------------------------------------------------- index page


def index_html(results: Sequence[RenderResult], *, overview: RenderResult | None,
               footer_items: dict[str, str], title: str,
               without_staff: Sequence[str] = (), staff_label: str = "staff",
               disclosure: Disclosure = "publication") -> str:
    """The index page: every report with how many of its findings the directorate's own
    figures settle as adverse, favourable or within range, how many only the trust's
    figures settle (the same for every directorate, so not counted as the directorate's),
    how many could not be settled and how many the data cannot give at all; directorates
    with nobody in the staff group as a line each (no report); failures with their
    errors. In internal mode the page opens with the reports' banner (it links to exact
    counts)."""
    from equity.disclosure import disclosure_banner
    from equity.report.display import Note

    esc = html.escape
    banner = disclosure_banner(disclosure)
    warn = Note(banner, kind="warning")._repr_html_() if banner else ""
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    cols = [("adverse", "Adverse"), ("favourable", "Favourable"),
            ("within_range", "Within range"), ("trust_wide", "Only trust-wide figures"),
            ("unsettled", "Could not be settled"), ("not_computed", "Not computed")]
    th = "".join(f'<th scope="col">{esc(label)}</th>' for _, label in cols)
    rows = []
    for r in ok:
        cells = "".join(f"<td>{esc(str(r.summary.get(k, '')))}</td>" for k, _ in cols)
        rows.append(f'<tr><th scope="row"><a href="{esc(r.file, quote=True)}">{esc(r.name)}</a>'
                    f"</th>{cells}</tr>")
    empty = ""
    if without_staff:
        items = "".join(f"<li>{esc(d)}: no {esc(staff_label)} in this directorate, so no "
                        "report.</li>" for d in without_staff)
        empty = f"<ul>{items}</ul>"
    fail_items = "".join(
        f"<li><strong>{esc(r.name)}</strong>: <pre>{esc(r.error)}</pre></li>" for r in failed)
    ov = ("<p>The trust overview (all directorates and professions compared) was not "
          "rendered with these reports: render it with <code>equity report --overview</code> "
          "(or every directorate with <code>--all</code>).</p>")
    if overview is not None:
        ov = (f'<p><a href="{esc(overview.file, quote=True)}">Trust overview</a>: all '
              "directorates and professions compared, funnel plots and trends.</p>"
              if overview.ok else
              f"<p>The trust overview was not rendered: <pre>{esc(overview.error)}</pre></p>")
    table = f"""<table class="equity-table"><caption>Headline findings by directorate. Adverse, favourable, within range: settled by the directorate's own figures (its staff group this year or over three years, or all its staff). Only trust-wide figures: settled by the trust's figures, which every report shares. Could not be settled: at no level. Not computed: the data cannot give them (each report's summary says why).</caption>
<thead><tr><th scope="col">Directorate</th>{th}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>"""
    none = ("<p>No directorate report was rendered with this batch: render them with "
            "<code>equity report --directorate NAME</code> (or every directorate with "
            "<code>--all</code>).</p>") if not without_staff else ""
    foot = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in footer_items.items())
    failures = (f'<section aria-labelledby="failed"><h2 id="failed">Reports that failed or '
                f"did not finish ({len(failed)})</h2><ul>{fail_items}</ul></section>"
                ) if failed else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>{_CSS}</head>
<body>
<a class="equity-skip" href="#main">Skip to content</a>
<header class="equity-header"><p>{esc(title)}</p></header>
<nav class="equity-nav" aria-label="Contents"><ul><li><a href="#reports">Directorate reports</a></li>
{'<li><a href="#failed">Failures</a></li>' if failed else ''}
{f'<li><a href="{esc(overview.file, quote=True)}">Trust overview</a></li>' if overview and overview.ok else ''}</ul></nav>
<main id="main" style="padding:0 1.5em">
<h1>{esc(title)}</h1>
{warn}{ov}
<section aria-labelledby="reports"><h2 id="reports">Directorate reports ({len(ok)} of {len(results)})</h2>
{table if results else none}{empty}</section>
{failures}
</main>
<footer class="equity-footer"><ul>{foot}</ul></footer>
</body></html>
"""


# --------------------------------------------------------------------------- batch


def _worker_init(tmp: str) -> None:
    """A batch worker keeps its temporary files (and its kernels' connection files, which
    jupyter_client makes with :func:`tempfile.mkstemp`) in the batch's private folder, so
    they go with it even when the worker is stopped before it can clean up."""
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = tmp


#: Modules a batch's worker processes start with (forked from one process that imported
#: them, where the platform can): the indicators', papermill's and nbconvert's.
_PRELOAD = ["equity.report.batch", "equity.report._render", "papermill", "nbconvert"]


def _pool_context() -> Any:
    """The batch's process start method: ``forkserver`` with :data:`_PRELOAD` imported once,
    where the platform has it (Linux, macOS): each worker starts as a fork of that process,
    without importing anything again (about 0.6 s of CPU each); ``spawn`` elsewhere, or
    where the server cannot start. Never a fork of this process: papermill drives kernels
    over zmq/asyncio, and the caller may be a kernel itself. The server is started here, so
    it imports while the caller reads the data; it stays for the next batch of the same
    process (a second batch in JupyterLab starts its workers at once) and stops with it."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(_PRELOAD)
        try:
            forkserver.ensure_running()
            return mp
        except OSError:  # its socket cannot be made (a TMPDIR path too long for one)
            pass
    return multiprocessing.get_context("spawn")


def _halt(pool: cf.ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes and everything they started (papermill's kernels,
    which run in their own sessions and would outlive their worker): SIGTERM, then SIGKILL
    whatever is still running after a few seconds.

    The workers are stopped and reaped through their :class:`multiprocessing.Process`
    objects: a worker reaped by anyone else would look alive to the pool forever, and its
    shutdown would wait for it at exit."""
    import psutil

    # ProcessPoolExecutor names its workers only in a private attribute (pid -> Process).
    workers = list((getattr(pool, "_processes", None) or {}).values())
    kernels: list[psutil.Process] = []
    for w in workers:
        try:
            kernels += psutil.Process(w.pid).children(recursive=True)
        except (psutil.NoSuchProcess, TypeError):
            continue
    for k in kernels:
        try:
            k.terminate()
        except psutil.NoSuchProcess:
            pass
    for w in workers:
        w.terminate()
    alive = _still_running(kernels, timeout=5)
    for k in alive:
        try:
            k.kill()
        except psutil.NoSuchProcess:
            pass
    for w in workers:
        w.join(5)
        if w.is_alive():
            w.kill()
            w.join(5)


def _still_running(procs: list[Any], *, timeout: float) -> list[Any]:
    """Wait up to ``timeout`` seconds for ``procs`` (psutil processes, not this process's
    children) to stop; those still running then. A process that has exited but is not yet
    reaped (a zombie: its parent, a worker, stopped too, so it waits for init) counts as
    stopped: waiting for init to reap a kernel took about 2 s."""
    import psutil

    def running(p: Any) -> bool:
        try:
            return bool(p.is_running() and p.status() != psutil.STATUS_ZOMBIE)
        except psutil.NoSuchProcess:
            return False

    end = time.monotonic() + timeout
    left = [p for p in procs if running(p)]
    while left and time.monotonic() < end:
        time.sleep(0.01)
        left = [p for p in left if running(p)]
    return left


def _written_since(path: Path, t: float) -> bool:
    try:
        return path.stat().st_mtime >= t
    except OSError:
        return False


def _stop_reason(err: BaseException) -> str:
    if isinstance(err, KeyboardInterrupt):
        return "interrupted (SIGINT)"
    if isinstance(err, SystemExit) and err.code == 128 + signal.SIGTERM:
        return "stopped (SIGTERM)"
    return f"stopped by an error ({type(err).__name__}: {err})"


class _SignalsHeld:
    """Ignore SIGINT and SIGTERM while a stopped batch cleans up (a second Ctrl-C must not
    leave the cleanup half done); a no-op outside the main thread."""

    def __enter__(self) -> None:
        self.saved: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, signal.SIG_IGN)

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


def render_reports(
    data: str | os.PathLike[str],
    *,
    period: str | None = None,
    directorates: Sequence[str] | None = None,
    all_directorates: bool = False,
    out_dir: str | os.PathLike[str] = "reports",
    jobs: int | None = None,
    disclosure: Disclosure = "publication",
    staff_group: str | None = codes.AHP_STAFF_GROUP,
    overview: bool | None = None,
    progress: bool = True,
    force: bool = False,
    mapping: str | os.PathLike[str] | None = None,
) -> int:
    """Render one HTML report per directorate (and the trust overview), plus ``index.html``.

    Parameters
    ----------
    data
        Dataset folder (see :func:`equity.read_dataset`).
    period
        NHS financial year, e.g. ``"2024/25"`` (default: the latest complete year in the
        data, :func:`equity.export.latest_period`; said on stderr).
    directorates, all_directorates
        The directorates to render, or every directorate in the staff table.
    out_dir
        Output folder; created if missing; not inside the data folder. Executed notebooks go
        to ``out_dir/notebooks``.
    jobs
        Parallel worker processes (default: the number of CPU cores).
    disclosure
        ``"publication"`` (default) or ``"internal"`` (marked on every page).
    staff_group
        Staff group the reports cover (default Allied Health Professionals; ``"all"``).
    overview
        Also render the trust overview notebook (default: with ``all_directorates``; a
        report for chosen directorates is rendered without it unless asked). Asked for
        with no directorate, the overview alone (and the index).
    progress
        Show a tqdm progress bar on stderr.
    force
        Replace files in ``out_dir`` that equity did not write (default: refuse, naming them).
    mapping
        Mapping file of local column names, codes and date format (docs/data-dictionary.md),
        used wherever the data are read (the batch, its workers, each report's kernel).

    Returns
    -------
    int
        0 when every report rendered, 1 if any failed (each failure is listed on stderr and
        in the index page).

    Raises
    ------
    ParameterError
        No directorate chosen (nor the overview), or an unknown one (the message lists the
        known directorates).
    OutputError
        ``out_dir`` is inside the data, not writable, or holds files equity did not write.
    KeyboardInterrupt, SystemExit
        Ctrl-C or SIGTERM (as the command line raises it): re-raised once the workers and
        kernels are stopped, the temporary folder removed and ``index.html`` written with
        the reports that did not finish.
    """
    import sys

    from tqdm import tqdm

    from equity import __version__
    from equity.report.batch import empty_directorates, shared_figures
    from equity.report.context import (
        check_directorate,
        data_fingerprint,
        keep_dataset,
        known_directorates,
        load,
        resolve_data_path,
    )
    from equity.validation import require_valid

    check_choice("disclosure", disclosure, ["publication", "internal"])
    if period is not None:
        codes.Period.parse(period)
    path = resolve_data_path(os.fspath(data))
    check_out(out_dir, inputs=[path], folder=True)
    mapped = str(Path(mapping).resolve()) if mapping else ""
    # The workers' process starts now, importing what they need while the data is read.
    mp = _pool_context()
    sg = None if staff_group in (None, "", "all") else staff_group
    ctx = load(path, period=period or "2024/25", staff_group=sg, disclosure=disclosure,
               mapping=mapped)
    ds = ctx.dataset
    if sg is not None:  # a staff group the data do not hold is an error, not empty reports
        from equity.measures._common import scope_filter

        scope_filter(ds.staff, table="staff", staff_group=sg)
    known = known_directorates(ds)
    if all_directorates:
        chosen = known
    elif directorates:
        chosen = list(dict.fromkeys(directorates))
        for d in chosen:
            check_directorate(ds, d)
    elif overview:  # the trust overview alone
        chosen = []
    else:
        raise ParameterError("Choose the reports to render: --all for every directorate, "
                             "--directorate NAME ... (known: "
                             f"{', '.join(map(repr, known))}), or --overview for the trust "
                             "overview alone.")
    # The data's warnings (after any mistake in what was asked) on the console, as `equity
    # indicators` gives them (each report lists them in its data-quality section): from the
    # validation load() made, not a second run.
    print_warnings(require_valid(ds).warning_records(), command="report")
    if period is None:  # the context computes nothing until asked: only its label changes
        period = latest_period(ds)
        ctx = replace(ctx, period=period)
        print(f"Period {period} (the latest complete financial year in the data; choose "
              "another with --period)")
    else:  # a period the data does not hold is an error here, as in `equity indicators`
        from equity.measures._common import resolve_period

        resolve_period(ds, period)
    if overview is None:
        overview = all_directorates
    # A directorate with nobody in the staff group gets a line in the index, not a report.
    nobody = set(empty_directorates(ctx))
    without = [d for d in chosen if d in nobody]
    chosen = [d for d in chosen if d not in nobody]
    out = Path(out_dir)
    nbdir = notebook_dir()
    fp = data_fingerprint(path)
    footer = {
        "Data fingerprint (SHA-256 of input files)": fp,
        "Period": period, "Staff group": sg or "all", "Disclosure": disclosure,
        "equity version": __version__,
        "Rendered": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **({"Mapping file": Path(mapped).name} if mapped else {}),
    }
    shared_file = out / "notebooks" / "shared_figures.json"
    base = {"period": period, "data_path": str(path), "staff_group": sg or "all",
            "disclosure": disclosure, "shared_path": str(shared_file.resolve()),
            "mapping_path": mapped}
    job_list = []
    for d in chosen:
        fname = safe_filename(d)
        job_list.append(_Job(
            d, str(nbdir / DIRECTORATE_NOTEBOOK), str(out / fname),
            str(out / "notebooks" / fname.replace(".html", ".ipynb")),
            {**base, "directorate": d}, f"Workforce equity report: {d} ({period})",
            {"Directorate": d, **footer}, str(out.resolve())))
    if overview:
        job_list.append(_Job(
            "Trust overview", str(nbdir / OVERVIEW_NOTEBOOK), str(out / OVERVIEW_FILE),
            str(out / "notebooks" / "trust_overview.ipynb"), base,
            f"Workforce equity: trust overview ({period})", footer, str(out.resolve())))
    written = ["index.html", "render_log.json", "notebooks/shared_figures.json",
               *(Path(f).relative_to(out).as_posix() for j in job_list
                 for f in (j.out_file, j.executed_file))]
    guard_outputs(out, written, force=force)
    record_outputs(out, written, pending=True)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    # The batch's families are a dozen tasks or more: one report still gets two workers.
    workers = max(1, min(jobs or os.cpu_count() or 1, max(len(job_list), 2)))
    results: list[RenderResult] = []
    # The batch's families (pre-disclosure counts) live in a private temporary folder that
    # is removed when the batch ends, however it ends; only disclosure-controlled figures
    # reach `out`. The workers' (and their kernels') temporary files go there too.
    batch_dir = tempfile.mkdtemp(prefix="equity-batch-")
    started = time.time()
    pool = cf.ProcessPoolExecutor(max_workers=workers, initializer=_worker_init,
                                  initargs=(batch_dir,),
                                  mp_context=mp)
    stop: BaseException | None = None
    try:
        # The dataset as read and validated here, for the workers and kernels (each would
        # otherwise read and validate the files again).
        kept = keep_dataset(ctx, batch_dir)
        kept_file = atomic_write(Path(batch_dir, "kept.json"), json.dumps(kept))
        _compute_batch(pool, ctx, batch_dir, overview=overview, progress=progress,
                       shared_path=str(kept_file), mapping=mapped)
        # Figures every report shows (trust-wide headlines, validation findings): computed
        # once here, read by each notebook with the batch's families.
        atomic_write(shared_file, json.dumps(shared_figures(ctx, batch_dir=batch_dir,
                                                            kept=kept), indent=1))
        futures = {pool.submit(_render_one, j): j for j in job_list}
        with tqdm(total=len(futures), desc="Rendering reports", unit="report",
                  disable=not progress, file=sys.stderr) as bar:
            for fut in cf.as_completed(futures):
                job = futures[fut]
                try:
                    results.append(fut.result())
                except cf.process.BrokenProcessPool as err:
                    results.append(RenderResult(job.name, Path(job.out_file).name, False,
                                                error=f"worker process died: {err}"))
                bar.update(1)
        # Every report is in: stop the idle workers now rather than wait for each to tear
        # its interpreter down (about 2 s on the sample, on the critical path).
        _halt(pool)
    except BaseException as err:  # Ctrl-C, SIGTERM (SystemExit) or an error: clean up, then re-raise
        stop = err
        with _SignalsHeld():
            _halt(pool)
    finally:
        with _SignalsHeld():
            pool.shutdown(wait=stop is None, cancel_futures=True)
            shutil.rmtree(batch_dir, ignore_errors=True)
    with _SignalsHeld():
        done = {r.name for r in results}
        reason = _stop_reason(stop) if stop is not None else ""
        for j in job_list:
            if j.name in done:
                continue
            # written (atomically, so whole) by a worker stopped before it could say so
            if _written_since(Path(j.out_file), started):
                results.append(RenderResult(j.name, Path(j.out_file).name, True))
            else:
                results.append(RenderResult(
                    j.name, Path(j.out_file).name, False, error=f"Not finished: the batch "
                    f"was {reason} before this report was rendered."))
        for j in job_list:  # a worker stopped while writing leaves its temporary file
            for f in (Path(j.out_file), Path(j.executed_file)):
                for tmp in f.parent.glob(f".{glob_escape(f.name)}.*.tmp*"):
                    tmp.unlink(missing_ok=True)
        order = {j.name: i for i, j in enumerate(job_list)}
        results.sort(key=lambda r: order[r.name])
        ov = next((r for r in results if r.name == "Trust overview"), None) if overview else None
        reports = [r for r in results if not (overview and r.name == "Trust overview")]
        atomic_write(out / "index.html", index_html(
            reports, overview=ov, footer_items=footer, without_staff=without,
            staff_label=f"{sg} staff" if sg else "staff", disclosure=disclosure,
            title=f"Workforce equity reports, {sg or 'all staff groups'}, {period}"))
        atomic_write(out / "render_log.json", json.dumps([asdict(r) for r in results], indent=1))
        record_outputs(out, written)
    failed = [r for r in results if not r.ok]
    if stop is not None:
        print(f"equity report: {len(results) - len(failed)} of {len(results)} reports finished "
              f"before the batch was {reason}, listed in {out / 'index.html'}; workers stopped "
              "and temporary files removed.", file=sys.stderr)
        raise stop
    for r in failed:
        print(f"equity report: {r.name} failed: {r.error.splitlines()[0] if r.error else ''}",
              file=sys.stderr)
    print(f"Rendered {len(results) - len(failed)} of {len(results)} reports into {out}"
          f" ({out / 'index.html'})", file=sys.stderr)
    return 1 if failed else 0
