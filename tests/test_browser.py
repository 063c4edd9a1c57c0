"""Headless Chromium opens the index and a report: no console errors, alt text on every image.

Uses Debian's chromium (installed by .ci/run) through Playwright's Python package; never
``playwright install``. A screenshot of each page is saved to tests/artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _render_once import render_all_once

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
#: axe-core from the npm registry (.ci/run installs it: `npm install --prefix tests/.axe`).
AXE = ROOT / "tests" / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 A and AA, as axe-core tags them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> tuple[Path, str]:
    """The same rendering as test_report.py's privacy test (done once per run)."""
    _, out, code, log = render_all_once(tmp_path_factory.getbasetemp())
    assert code == 0, [r["error"] for r in log if not r["ok"]]
    return out, next(r["file"] for r in log if r["name"] != "Trust overview")


@pytest.mark.skipif(shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
                    reason="Debian chromium not installed (.ci/run installs it)")
def test_pages_open_without_console_errors_and_with_alt_text(rendered):
    sync_api = pytest.importorskip("playwright.sync_api")
    out, report = rendered
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for name in ("index.html", report):
                errors: list[str] = []
                page.on("console", lambda m, errors=errors: errors.append(m.text)
                        if m.type == "error" else None)
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto((out / name).as_uri(), wait_until="load")
                assert errors == [], (name, errors)
                assert page.locator("html").get_attribute("lang") == "en"
                assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
                alts = page.eval_on_selector_all("img", "els => els.map(e => e.alt)")
                assert all(a.strip() for a in alts), name
                if name != "index.html":
                    assert alts, "a report should hold charts"
                page.screenshot(path=str(ARTIFACTS / f"{Path(name).stem}.png"), full_page=False)
        finally:
            browser.close()


@pytest.mark.skipif(not AXE.exists() or (shutil.which("chromium") is None
                                         and not Path(CHROMIUM).exists()),
                    reason="axe-core and Debian chromium are installed by .ci/run")
def test_every_page_passes_axe_and_fits_eight_screens(rendered):
    """Issue 20: no serious or critical WCAG 2.2 A/AA violation (axe-core) on any rendered
    page; each directorate report at most 8 screens of 1280 x 1600 px."""
    sync_api = pytest.importorskip("playwright.sync_api")
    out, _ = rendered
    pages = sorted(p.name for p in out.glob("*.html"))
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            for name in pages:
                page.goto((out / name).as_uri(), wait_until="load")
                page.add_script_tag(path=str(AXE))
                found = page.evaluate(
                    "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', "
                    "values: tags}})).violations.map(v => [v.id, v.impact, v.nodes.length])",
                    WCAG_TAGS)
                bad = [v for v in found if v[1] in ("serious", "critical")]
                assert bad == [], (name, bad)
                if name not in ("index.html", "trust_overview.html"):
                    height = page.evaluate("document.documentElement.scrollHeight")
                    assert height <= 8 * 1600, (name, height)
        finally:
            browser.close()


_CELL_PROPS = ("text-align", "vertical-align", "font-weight", "font-size", "color",
               "background-color", "border-top", "border-left", "padding-top", "padding-left",
               "margin-left", "border-collapse")


def _lab_page(body: str, extra_css: str = "") -> str:
    """A page with JupyterLab's own stylesheet (nbconvert's lab template ships it) and
    ``body`` inside an HTML output area, as Lab shows a ``text/html`` output."""
    from jupyter_core.paths import jupyter_path

    static = next(Path(p) for p in jupyter_path("nbconvert", "templates", "lab", "static")
                  if (Path(p) / "index.css").exists())
    css = "".join((static / f).read_text() for f in ("theme-light.css", "index.css"))
    return (f'<!DOCTYPE html><html lang="en"><head><style>{css}</style>{extra_css}</head>'
            '<body data-jp-theme-light="true"><div class="jp-RenderedHTMLCommon jp-RenderedHTML '
            f'jp-OutputArea-output" data-mime-type="text/html">{body}</div></body></html>')


@pytest.mark.skipif(shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
                    reason="Debian chromium not installed (.ci/run installs it)")
def test_table_looks_the_same_in_jupyterlab_as_in_the_report(tmp_path):
    """Computed styles of every table part: Lab's stylesheet alone (the notebook in Lab)
    against Lab's stylesheet plus the report's (the exported HTML)."""
    import pandas as pd

    from equity.plots import Table, html_table
    from equity.report._render import _CSS

    sync_api = pytest.importorskip("playwright.sync_api")
    frame = pd.DataFrame({"Group": ["White", "BME"], "Number": ["1,835", "*"],
                          "Status": ["within range", "adverse"]})
    table = Table(frame, caption="Caption", notes=["* suppressed"]).to_html()
    pages = {"lab": _lab_page(table), "report": _lab_page(table, _CSS),
             "lab_unstyled": _lab_page(html_table(frame, caption="Caption", notes=["n"]))}
    script = ("(props) => [...document.querySelectorAll('table, caption, th, td')].map(e => "
              "[e.tagName, ...props.map(p => getComputedStyle(e).getPropertyValue(p))])")
    seen = {}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            for name, text in pages.items():
                (tmp_path / f"{name}.html").write_text(text, encoding="utf-8")
                page.goto((tmp_path / f"{name}.html").as_uri(), wait_until="load")
                seen[name] = page.evaluate(script, list(_CELL_PROPS))
        finally:
            browser.close()
    # The cause: Lab right-aligns the cells of a table that brings no styles of its own.
    assert {row[1] for row in seen["lab_unstyled"] if row[0] == "TD"} == {"right"}
    assert seen["lab"] == seen["report"]
    assert {row[1] for row in seen["lab"] if row[0] in ("TH", "TD", "CAPTION")} == {"left"}
