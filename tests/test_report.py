"""Reports: parameters, safe names, escaping, batch rendering, privacy of every output file."""

from __future__ import annotations

import hashlib
import json
import re
from html import escape as html_escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from _render_once import TRICKY, render_all_once
from equity import plots
from equity.errors import ParameterError
from equity.report import (
    RenderResult,
    atomic_write,
    batch,
    index_html,
    notebook_dir,
    render_reports,
    resolve_data_path,
    safe_filename,
    sections,
)
from equity.report._render import OVERVIEW_FILE
from equity.report.context import ReportContext, known_directorates, load
from equity.report.display import Note

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("def ", "class ", "groupby", "merge")


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Path:
    here = ROOT / "data" / "sample"
    if (here / "staff.csv").exists():
        return here
    synth = pytest.importorskip("equity.synth")
    out = tmp_path_factory.mktemp("sample")
    synth.write_sample(out, seed=2024)
    return out


# --------------------------------------------------------------------------- notebooks


@pytest.mark.parametrize("name", ["directorate_report.ipynb", "trust_overview.ipynb"])
def test_notebooks_are_clean_and_logic_free(name):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for line in params[0].source.splitlines():
        # Literals only, each annotated and commented (papermill injects over them).
        assert line.startswith("#") or re.match(r"^\w+: \w+ = (\"[^\"]*\"|[\d.]+)  # \S", line)
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.get("outputs") == [] and c.get("execution_count") is None
            assert not any(w in c.source for w in FORBIDDEN), c.source


def test_notebook_dir_points_at_repository_notebooks():
    assert notebook_dir() == ROOT / "notebooks"


# --------------------------------------------------------------------------- names, paths


@pytest.mark.parametrize("name", [TRICKY, "..", "/", "A B", "A/B", "Ünïcode dir", ""])
def test_safe_filename(name):
    f = safe_filename(name)
    assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{8}\.html", f)
    assert f.endswith(hashlib.sha256(name.encode()).hexdigest()[:8] + ".html")


def test_safe_filenames_do_not_collide():
    assert safe_filename("A/B") != safe_filename("A B")


def test_resolve_data_path_walks_up(tmp_path, monkeypatch):
    (tmp_path / "data" / "sample").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert resolve_data_path("data/sample") == tmp_path / "data" / "sample"
    with pytest.raises(ParameterError, match="not found"):
        resolve_data_path("data/nothing-here")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    atomic_write(tmp_path / "a.html", "one")
    atomic_write(tmp_path / "a.html", "two")
    assert (tmp_path / "a.html").read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.html"]


def test_index_escapes_names_and_lists_failures():
    ok = RenderResult(TRICKY, safe_filename(TRICKY), True, summary={
        "headlines": [], "adverse": 3, "favourable": 0, "within_range": 5, "trust_wide": 2,
        "unsettled": 7, "not_computed": 1})
    bad = RenderResult("Bad <i>dir</i>", safe_filename("Bad <i>dir</i>"), False,
                       error="ValueError: <boom>")
    text = index_html([ok, bad], overview=None, footer_items={"Period": "2024/25"}, title="T",
                      without_staff=["<b>Corporate</b>"], staff_label="AHP staff")
    soup = BeautifulSoup(text, "html.parser")
    assert soup.html["lang"] == "en" and soup.find("main") and soup.find("nav")
    assert "<b>" not in text and "<boom>" not in text and "<i>dir" not in text
    assert soup.find("a", string=TRICKY)["href"] == safe_filename(TRICKY)
    assert "ValueError: <boom>" in soup.get_text()
    row = soup.find("a", string=TRICKY).find_parent("tr")
    assert [td.get_text() for td in row.find_all("td")] == ["3", "0", "5", "2", "7", "1"]
    assert "<b>Corporate</b>: no AHP staff in this directorate, so no report." in soup.get_text()
    assert "INTERNAL USE ONLY" not in text


def test_an_internal_index_says_so_as_its_reports_do():
    """Every internal report opens with "INTERNAL USE ONLY ..."; the index linking to them
    said "Disclosure: internal" in its footer only."""
    ok = RenderResult("Older People", "op.html", True, summary={"headlines": []})
    soup = BeautifulSoup(index_html([ok], overview=None, footer_items={}, title="T",
                                    disclosure="internal"), "html.parser")
    banner = soup.find(class_="equity-warning")
    assert banner["role"] == "alert" and banner.get_text().startswith("INTERNAL USE ONLY.")
    assert banner.find_next("h2").get_text().startswith("Directorate reports")


def test_unknown_directorate_lists_known(sample):
    with pytest.raises(ParameterError, match="Known|holds") as err:
        sections.load(sample, period="2024/25", directorate="Nowhere")
    assert "Nowhere" in str(err.value)


def test_render_needs_a_choice(sample, tmp_path):
    with pytest.raises(ParameterError, match="--all") as err:
        render_reports(sample, out_dir=tmp_path)
    assert "or --overview for the trust overview alone" in str(err.value)
    with pytest.raises(ParameterError, match="Unknown directorate"):
        render_reports(sample, directorates=["Nowhere"], out_dir=tmp_path)


# --------------------------------------------------------------------------- rendering


#: Table columns holding counts (a number, optionally followed by its share in brackets).
COUNT_COLUMNS = {"Number", "Out of", "Leavers", "BME staff", "All staff", "All", "White", "BME",
                 "Unknown"}


def _published_counts(html: str) -> list[float]:
    soup = BeautifulSoup(html, "html.parser")
    out = []
    for table in soup.find_all("table", class_="equity-table"):
        heads = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
        cols = [i for i, h in enumerate(heads) if h in COUNT_COLUMNS]
        for tr in table.find("tbody").find_all("tr"):
            cells = tr.find_all(["th", "td"])
            for i in cols:
                t = cells[i].get_text(strip=True).replace(",", "")
                m = re.fullmatch(r"(\d+(?:\.\d+)?)( \(.*\))?", t)
                if m:
                    out.append(float(m.group(1)))
    return out


def _cells(html: str) -> int:
    soup = BeautifulSoup(html, "html.parser")
    return sum(len(t.find_all(["td", "th"])) for t in soup.find_all("table"))


def _text_without_images(text: str) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)


@pytest.fixture(scope="session")
def all_reports(tmp_path_factory):
    """Every directorate plus the overview, rendered once per test run (shared with
    test_browser.py and across xdist workers)."""
    return render_all_once(tmp_path_factory.getbasetemp())


@pytest.mark.slow
def test_render_all_directorates_private_and_escaped(all_reports):
    """Every report and executed notebook from the sample: no ids, no individual pay, no
    published count in 1-7, hostile names escaped and safe."""
    data, out, code, log = all_reports
    assert code == 0, [r["error"] for r in log if not r["ok"]]
    # Six directorates, one with no AHPs (a line in the index, no report), and the overview.
    assert len(log) == 6 and all(r["ok"] for r in log)
    assert (out / safe_filename(TRICKY)).exists()
    assert all(p.resolve().parent in (out.resolve(), (out / "notebooks").resolve())
               for p in out.rglob("*") if p.is_file())
    staff = pd.read_csv(data / "staff.csv", dtype=str)
    ids = set(staff["staff_id"])
    for t, col in (("recruitment", "application_id"), ("casework", "case_id")):
        if (data / f"{t}.csv").exists():
            ids |= set(pd.read_csv(data / f"{t}.csv", dtype=str)[col])
    pays = {f"{float(v):.2f}" for v in staff["hourly_pay"].dropna()}
    id_re = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids))) + r")\b")
    pay_re = re.compile(r"(?<![\d.])(" + "|".join(map(re.escape, sorted(pays))) + r")(?![\d])")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len([p for p in files if p.suffix == ".html"]) == 7  # 5 + overview + index
    index = (out / "index.html").read_text()
    assert "Corporate Services: no Allied Health Professionals staff in this directorate" in index
    # The batch's pre-disclosure families stayed in a private folder, now removed.
    shared = json.loads((out / "notebooks" / "shared_figures.json").read_text())
    assert not Path(shared["batch_dir"]).exists()
    assert not [p for p in files if p.suffix in (".parquet", ".csv", ".pkl")]
    for p in files:
        text = _text_without_images(p.read_text(encoding="utf-8"))
        assert not id_re.search(text), (p.name, id_re.search(text).group(0))
        assert not pay_re.search(text), (p.name, pay_re.search(text).group(0))
        if p.suffix == ".html":
            assert not [c for c in _published_counts(text) if 1 <= c <= 7], p.name
            assert "<b>\"Ward/10\"</b>" not in text
            soup = BeautifulSoup(text, "html.parser")
            assert soup.html["lang"] == "en"
            assert soup.find("main") is not None and soup.find("nav") is not None
            assert all(img.get("alt", "").strip() for img in soup.find_all("img"))
            # Code hidden (nbconvert exclude_input): no cell source reaches the page.
            assert "rs.load(" not in text and "import equity" not in text
    report = (out / safe_filename(TRICKY)).read_text()
    assert "Data fingerprint" in report and "equity version" in report


#: The sections of a directorate report, in order.
DIRECTORATE_SECTIONS = ("What this report can say", "Headline scorecard",
                        "Workforce and leadership", "Recruitment", "Formal processes",
                        "Development", "Retention", "Progression", "Pay gaps", "Staff survey",
                        "Trends", "Data quality", "How the figures are made")


def _sections(soup: BeautifulSoup) -> dict[str, str]:
    """Each h2's text up to the next h2."""
    out = {}
    for h in soup.find_all("h2"):
        parts = []
        for sib in h.find_all_next():
            if sib.name == "h2":
                break
            if sib.name in ("li", "p", "td", "th", "caption", "figcaption"):
                parts.append(sib.get_text(" ", strip=True))
        out[h.get_text(strip=True).rstrip("¶")] = " ".join(parts)
    return out


@pytest.mark.slow
def test_reports_are_short_and_every_section_says_something(all_reports):
    """Issue 20: one short page (at most 400 table cells); every section of every report
    says something (a finding, a table or one sentence saying why not); board indicators
    only in the overview; each directorate report states a directorate-level finding in
    its themes (a figure for the directorate itself, or against the rest of the trust)."""
    _, out, _, log = all_reports
    for r in log:
        html = (out / r["file"]).read_text()
        soup = BeautifulSoup(html, "html.parser")
        text = soup.get_text(" ")
        secs = _sections(soup)
        assert "not yet available" not in text and "failed with an error" not in text, r["name"]
        assert all(v.strip() for v in secs.values()), (r["name"], [k for k, v in secs.items()
                                                                  if not v.strip()])
        if r["name"] == "Trust overview":
            assert "Funnel plots" in secs and "Directorates compared" in secs
            assert "WRES 9" in text or "board" in secs["Board and leadership"].lower()
            continue
        assert tuple(s for s in secs if s in DIRECTORATE_SECTIONS) == DIRECTORATE_SECTIONS
        assert _cells(html) <= 400, (r["name"], _cells(html))
        assert "WRES 9" not in text and "WDES 10" not in text, r["name"]
        name = r["name"]
        for theme in ("Development", "Retention", "Progression", "Pay gaps"):
            said = secs[theme]
            assert re.search(rf"in {re.escape(name)}[^.]*?(\d+(\.\d+)?%|times)", said), (
                name, theme, said[:300])
        summary = r["summary"]
        assert {"adverse", "favourable", "within_range", "trust_wide", "unsettled"} <= set(
            summary)
        assert sum(summary[k] for k in ("adverse", "favourable", "within_range", "trust_wide",
                                        "unsettled")) == len(summary["headlines"])
        assert summary["not_computed"] == 0  # 2024/25: every headline computed
        # the directorate's own counts leave out what only the trust's figures settle
        trust_rungs = [h for h in summary["headlines"] if "trust-wide" in h["Level"]]
        assert summary["trust_wide"] == len(trust_rungs)


@pytest.mark.slow
def test_index_lists_each_reports_findings(all_reports):
    _, out, _, log = all_reports
    index = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    first = next(r for r in log if r["name"] != "Trust overview")
    row = index.find("a", string=first["name"]).find_parent("tr")
    cells = [td.get_text(strip=True) for td in row.find_all("td")]
    s = first["summary"]
    assert cells == [str(s["adverse"]), str(s["favourable"]), str(s["within_range"]),
                     str(s["trust_wide"]), str(s["unsettled"]), str(s["not_computed"])]


@pytest.mark.slow
def test_injected_parameters_change_the_output(all_reports, tmp_path):
    """papermill-injected directorate and disclosure reach the rendered page: one directorate
    rendered again in internal mode differs from its publication rendering."""
    data, out, _, log = all_reports
    name = next(r["name"] for r in log if r["name"] not in ("Trust overview", TRICKY))
    code = render_reports(data, directorates=[name], out_dir=tmp_path, jobs=1, overview=False,
                          disclosure="internal", progress=False)
    assert code == 0
    internal = (tmp_path / safe_filename(name)).read_text()
    public = (out / safe_filename(name)).read_text()
    other = (out / safe_filename(TRICKY)).read_text()
    assert "INTERNAL USE ONLY" in internal and "INTERNAL USE ONLY" not in public
    assert html_escape(name) in public and html_escape(name) not in other.split("<main")[1]


@pytest.mark.slow
def test_rendering_prints_no_kernel_log(all_reports, tmp_path, capfd):
    """A batch's output is its progress and its summary: ipykernel 7.3+ warned on every
    kernel start over unencrypted TCP, and logged jupyter_client's interrupt before shutdown
    as an error ("KeyboardInterrupt caught in kernel"), for every report."""
    data, _, _, log = all_reports
    name = next(r["name"] for r in log if r["name"] not in ("Trust overview", TRICKY))
    capfd.readouterr()
    code = render_reports(data, directorates=[name], out_dir=tmp_path, jobs=1, progress=False)
    err = capfd.readouterr().err
    assert code == 0
    assert "IPKernelApp" not in err and "KeyboardInterrupt" not in err, err
    # chosen directorates: their reports and the index, no trust overview unless asked
    assert sorted(p.name for p in tmp_path.glob("*.html")) == ["index.html", safe_filename(name)]
    index = BeautifulSoup((tmp_path / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert not index.find("a", string="Trust overview")
    assert "render it with equity report --overview" in index.get_text()


@pytest.mark.slow
def test_the_overview_renders_alone(all_reports, tmp_path):
    """The index of a batch without the overview says "render it with equity report
    --overview", which refused ("Choose the reports to render"): the overview is rendered
    alone, with an index that says no directorate report was rendered, and the same page
    as the whole batch's overview."""
    data, out, _, _ = all_reports
    code = render_reports(data, overview=True, out_dir=tmp_path, jobs=1, progress=False)
    assert code == 0
    assert sorted(p.name for p in tmp_path.glob("*.html")) == ["index.html", OVERVIEW_FILE]
    index = BeautifulSoup((tmp_path / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.find("a", string="Trust overview")
    assert "No directorate report was rendered with this batch" in index.get_text()
    assert not index.find("table")

    def main(path: Path) -> str:  # (papermill's injected cell gets a new id each time)
        page = str(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("main"))
        return re.sub(r'id="cell-id=[0-9a-f]+"', "", page)

    assert main(tmp_path / OVERVIEW_FILE) == main(out / OVERVIEW_FILE)


@pytest.mark.slow
def test_a_report_from_a_reused_kernel_is_the_one_its_own_kernel_renders(all_reports, tmp_path):
    """A batch worker renders its reports in one kernel, cleared between them (the stack is
    imported once per worker): a report rendered after another in the same kernel reads as
    the same report rendered alone in a kernel of its own."""
    data, out, _, log = all_reports

    def first_count(name):
        nb = json.loads((out / "notebooks" / safe_filename(name).replace(".html", ".ipynb"))
                        .read_text(encoding="utf-8"))
        return next(c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code")

    later = [r["name"] for r in log if r["name"] != "Trust overview" and first_count(r["name"]) > 1]
    assert later, "no report of the batch ran in a kernel that had rendered another"
    name = later[0]
    code = render_reports(data, directorates=[name], out_dir=tmp_path, jobs=1, overview=False,
                          progress=False)
    assert code == 0
    alone = json.loads((tmp_path / "notebooks" / safe_filename(name).replace(".html", ".ipynb"))
                       .read_text(encoding="utf-8"))
    assert next(c["execution_count"] for c in alone["cells"] if c["cell_type"] == "code") == 1

    def visible(path):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        main = page.find("main")
        for img in main.find_all("img"):
            img.replace_with(img.get("alt", ""))
        return main.get_text(" ", strip=True)

    assert visible(tmp_path / safe_filename(name)) == visible(out / safe_filename(name))


def test_a_worker_replaces_a_kernel_that_died_and_clears_a_live_one(monkeypatch):
    """A batch worker reuses its report kernel only while it answers, with its namespace
    cleared; a kernel that died is replaced by a new one."""
    from equity.report import _render

    monkeypatch.setattr(_render, "_KERNEL", {})
    km = _render._worker_kernel()
    km.start_kernel(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive("secret = 1", timeout=60)
        kc.stop_channels()
        assert _render._worker_kernel() is km  # alive: kept, and cleared
        seen: list[dict] = []
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive("'secret' in globals()", timeout=60,
                                       output_hook=lambda msg: seen.append(msg))
        kc.stop_channels()
        assert reply["content"]["status"] == "ok"
        assert any("False" in str(m.get("content", {}).get("data", {})) for m in seen)
        km.provisioner.process.kill()  # the kernel dies between two reports
        km.provisioner.process.wait()
        fresh = _render._worker_kernel()
        assert fresh is not km and not fresh.has_kernel
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)


# --------------------------------------------------------------------------- context, sections


@pytest.fixture(scope="module")
def ctx(sample):
    names = known_directorates(load(sample, period="2024/25").dataset)
    return load(sample, period="2024/25", directorate=names[0])


@pytest.mark.parametrize(("p", "text"), [(0.01577, "p = 0.016"), (0.0004, "p < 0.001"),
                                         (0.3695, "consistent with no difference")])
def test_logrank_sentence(p, text):
    curves = pd.DataFrame({"group": ["White", "White", "Unknown", "Unknown"],
                           "survival": [1.0, 0.9, 1.0, 0.8]})
    curves.attrs["logrank"] = [{"groups": 2.0, "chi2": 5.83, "df": 1.0, "p_value": p}]
    said = sections._logrank_sentence(curves, "time to leaving")
    assert text in said and "chi-squared 5.83 on 1 df" in said
    # One curve drawn, two groups tested: the sentence says so (issue 20).
    assert "Only 1 of the 2 groups' curves are drawn" in said
    # the Unknown curve is drawn but compares nothing
    assert "The Unknown curve (ethnicity not recorded) is shown for completeness" in said
    # ... and is not mentioned when it is not drawn (one point)
    undrawn = curves.iloc[:3].copy()
    undrawn.attrs = curves.attrs
    assert "Unknown curve" not in sections._logrank_sentence(undrawn, "time to leaving")
    assert "between the groups" in said or "curves of the groups" in said


def _section_text(sec) -> str:
    return BeautifulSoup(sec.to_html(), "html.parser").get_text(" ", strip=True)


def test_survival_climbs_to_the_first_scope_with_two_compared_groups(sample):
    """Time to first promotion among AHPs in Learning Disability and Autism (only White
    staff have 8 at risk) climbs to the first scope where two compared groups are drawn and
    the sentence names them. It climbed to all staff trust-wide, past all staff in the
    directorate and AHPs trust-wide, whose BME curves were cut to one point: their risk
    sets reached 8 at about 2 months, dipped under it and grew to 34 and 29 (a curve is now
    the stretch around its largest risk set). The log-rank test compares BME with White,
    never Unknown."""
    from equity.measures.survival import survival_curves

    ctx = load(sample, period="2024/25", directorate="Learning Disability and Autism")

    def drawn(directorate, staff_group):
        curves = survival_curves(ctx.dataset, period="2024/25", directorate=directorate,
                                 staff_group=staff_group, event="promotion", min_at_risk=8)
        return curves, curves.groupby("group")["survival"].count().to_dict()

    assert list(drawn(ctx.directorate, ctx.staff_group)[1]) == ["White"]
    # the BME curves of the two scopes it climbed past are drawn now, every point of them
    # with 8 or more at risk (the rule itself is worked by hand in test_indicators_survival)
    here, points = drawn(ctx.directorate, None)
    trust_ahp, trust_points = drawn(None, ctx.staff_group)
    for curves, n in ((here, points), (trust_ahp, trust_points)):
        assert n["BME"] >= 2 and n["White"] >= 2
        assert (curves["at_risk"] >= 8).all()
    assert here.attrs["logrank"][0]["groups"] == 2  # BME and White

    text = _section_text(sections.survival_section(ctx, event="promotion"))
    assert ("had 8 or more people at risk at any one length of service among AHPs in "
            "Learning Disability and Autism, so "
            "the curves are for all staff in Learning Disability and Autism, followed from 31 "
            "March 2020 to 31 March 2025") in text
    p = here.attrs["logrank"][0]["p_value"]
    verdict = ("the curves of BME and White staff differ by more than chance" if p < 0.05
               else "the data are consistent with no difference between BME and White staff")
    assert verdict in text


def test_sections_climb_to_the_finest_scope_with_something_to_publish(sample):
    """Kaplan-Meier curves, leaving reasons and the quarterly chart climb (directorate's
    staff group, all staff of the directorate, the trust's staff group, all staff) to the
    first scope with something publishable, and say so, instead of withholding: AHPs in
    Older People have fewer than two ethnic groups with 8 at risk, and every leaving reason
    given by fewer than 8 of them (counted in internal mode below)."""
    from equity.measures.retention import leaving_reasons
    from equity.measures.survival import survival_curves

    ctx = load(sample, period="2024/25", directorate="Older People")
    ahp = survival_curves(ctx.dataset, period="2024/25", directorate="Older People",
                          staff_group=ctx.staff_group, min_at_risk=8)
    assert (ahp.groupby("group")["survival"].count() >= 2).sum() < 2  # nothing to draw
    km = sections.survival_section(ctx)
    text = _section_text(km)
    # (the curves follow every snapshot to the report year's end, and say so: staff.csv's
    # first snapshot, plain pandas)
    first = pd.read_csv(sample / "staff.csv", usecols=["snapshot_date"])["snapshot_date"].min()
    assert first == "2020-03-31"
    followed = "followed from 31 March 2020 to 31 March 2025"
    assert ("fewer than two ethnic groups (not counting Unknown) had 8 or more people at risk "
            "at any one length of service among AHPs in Older People, so the curves are for "
            f"all staff in Older People, {followed}") in text
    chart = next(p for p in km.parts if isinstance(p, plots.Chart))
    assert chart.alt.startswith("Staying in post over time (Kaplan-Meier), all staff in "
                                f"Older People, {followed}")
    assert f"Log-rank test of time to leaving (all staff in Older People, {followed})" in text

    reasons = leaving_reasons(ctx.dataset, period="2024/25", staff_group=ctx.staff_group,
                              directorate="Older People")
    assert reasons.groupby("leaving_reason")["count"].sum().max() < 8
    text = _section_text(sections.leaving_reasons_section(ctx))
    assert ("every reason was given by fewer than 8 leavers among AHPs in Older People, so "
            "the table is for AHPs trust-wide, 2024/25") in text  # all staff there: too few
    assert "Leaving reasons, all leavers (AHPs trust-wide, 2024/25)" in text

    text = _section_text(sections.trends_section(ctx))
    assert "No year of the leaver rate can be published for" in text  # was "Only 0 years"


def test_a_withheld_board_share_says_what_the_published_figures_can(sample):
    """WRES 9 / WDES 10 for the sample's board of 11 voting members (4 BME, 1 Disabled:
    withheld in publication): the sentence gives the board's published size and what one
    member weighs, beside the workforce share (495 of 2,285 BME, rounded counts); exact
    figures (internal mode) need no such sentence."""
    board = pd.read_csv(sample / "board.csv")
    now = board.loc[(board["snapshot_date"] == "2025-03-31") & board["voting"]]
    assert len(now) == 11
    text = _section_text(sections.representation_section(load(sample, period="2024/25")))
    assert ("WRES 9: board representation, BME: figure suppressed to protect confidentiality "
            "(small numbers). The board has about 10 voting members, so each member is about "
            "10 percentage points of its composition; BME staff are 21.7% of the whole "
            "workforce.") in text
    assert "Disabled staff are 5.3% of the whole workforce." in text
    internal = load(sample, period="2024/25", disclosure="internal")
    assert "voting members, so each member" not in _section_text(
        sections.representation_section(internal))


def test_the_survey_table_sets_the_whole_trust_beside_a_directorate(sample):
    """A directorate's survey answers withheld for a group (Disabled respondents in Older
    People: 5 of 13) have the whole trust's beside them (survey.csv's trust rows, 25 of 68
    Disabled and 208 of 816 Non-disabled, published as 25 of 70 and 210 of 815 with
    statsmodels' Wilson intervals: 0.2550-0.4741, 0.2288-0.2888); the trust's own report
    needs no such column."""
    ctx = load(sample, period="2024/25", directorate="Older People")
    table = next(p for p in sections.survey_section(ctx).parts if isinstance(p, plots.Table))
    rows = table.frame.set_index("Question")
    wdes4 = rows.loc["WDES 4: harassment, bullying or abuse"]
    assert wdes4["Share answering (Older People)"].startswith("* / ")
    assert wdes4["Whole trust"] == "35.7% (25.5% to 47.4%) / 25.8% (22.9% to 28.9%)"
    trust = load(sample, period="2024/25")
    table = next(p for p in sections.survey_section(trust).parts if isinstance(p, plots.Table))
    assert "Whole trust" not in table.frame.columns


def test_survey_shares_rounding_would_reorder_are_withheld_and_the_exact_order_said(sample):
    """Mental Health Adults, 2023/24, WRES 6: survey.csv's 17 of 64 BME and 44 of 174 White
    respondents (BME staff report more harassment from staff), rounded 15 of 65 and 45 of
    175, were published as 23.1% against 25.7%: the other way round. Both are withheld and
    the exact order said."""
    survey = pd.read_csv(sample / "survey.csv")
    mha = survey.loc[(survey["period"] == "2023/24") & (survey["indicator"] == "wres_6")
                     & (survey["directorate"] == "Mental Health Adults")].set_index("group")
    share = mha["positive"] / mha["respondents"]
    assert (mha.loc["BME", "positive"], mha.loc["BME", "respondents"]) == (17, 64)
    assert share["BME"] > share["White"]
    assert round(17 / 5) * 5 / (round(64 / 5) * 5) < round(44 / 5) * 5 / (round(174 / 5) * 5)
    ctx = load(sample, period="2023/24", directorate="Mental Health Adults")
    table = next(p for p in sections.survey_section(ctx).parts if isinstance(p, plots.Table))
    row = table.frame.set_index("Question").loc["WRES 6: harassment, bullying or abuse from staff"]
    assert row["Share answering (Mental Health Adults)"] == "* / *"
    assert ("WRES 6 (this directorate): both shares withheld: worked out from the rounded "
            "counts they would be ordered the other way round; exactly, the BME share is "
            "higher.") in table.notes
    # a near tie is said to be one: 2024/25, WRES 5, 59 of 181 White and 23 of 71 BME
    # respondents (32.6% against 32.4%)
    w5 = survey.loc[(survey["period"] == "2024/25") & (survey["indicator"] == "wres_5")
                    & (survey["directorate"] == "Mental Health Adults")].set_index("group")
    assert (w5.loc["White", ["positive", "respondents"]].tolist(),
            w5.loc["BME", ["positive", "respondents"]].tolist()) == ([59, 181], [23, 71])
    ctx = load(sample, period="2024/25", directorate="Mental Health Adults")
    table = next(p for p in sections.survey_section(ctx).parts if isinstance(p, plots.Table))
    assert ("WRES 5 (this directorate): both shares withheld: worked out from the rounded "
            "counts they would be ordered the other way round; exactly, the White share is "
            "slightly higher.") in table.notes


def test_the_survey_table_gives_a_question_asked_of_disabled_staff_only_one_group(sample):
    """WDES 8 is asked of Disabled staff only: survey.csv holds Disabled rows alone (4 of 7
    in Children and Young People, 37 of 54 trust-wide), so the table gives the Disabled
    figure and says the question is theirs, not a `*` for Non-disabled staff that would read
    as withheld (in internal mode too, where nothing is withheld). Trust-wide 37 of 54 is
    published as 35 of 55: statsmodels' Wilson interval 0.5042-0.7507."""
    survey = pd.read_csv(sample / "survey.csv")
    w8 = survey.loc[(survey["indicator"] == "wdes_8") & (survey["period"] == "2024/25")]
    assert w8["group"].unique().tolist() == ["Disabled"]
    for mode in ("publication", "internal"):
        ctx = load(sample, period="2024/25", directorate="Children and Young People",
                   disclosure=mode)
        table = next(p for p in sections.survey_section(ctx).parts
                     if isinstance(p, plots.Table))
        row = table.frame.set_index("Question").loc["WDES 8: adequate adjustments"]
        assert row["Group"] == "Disabled (asked of Disabled staff only)"
        assert "/" not in row["Whole trust"] and "/" not in row[
            "Share answering (Children and Young People)"]
    assert row["Share answering (Children and Young People)"] == "57.1% (25.0% to 84.2%)"
    ctx = load(sample, period="2024/25", directorate="Children and Young People")
    table = next(p for p in sections.survey_section(ctx).parts if isinstance(p, plots.Table))
    row = table.frame.set_index("Question").loc["WDES 8: adequate adjustments"]
    assert row["Share answering (Children and Young People)"] == "*"
    assert row["Whole trust"] == "63.6% (50.4% to 75.1%)"


def test_yearly_leaver_rates_that_rounding_would_reorder_are_withheld_with_the_exact_trend(
        sample):
    """The 2022/23 overview's yearly leaver rate of the trust's AHPs read 9.0% in 2020/21 and
    8.6% in 2021/22, a fall; exactly it rose (plain pandas below: 29 leavers over an average
    335.5 in post, 8.6%, then 32 over 348, 9.2%; rounded 30 over 335 and 30 over 350). Both
    years are withheld, and a note gives the exact direction."""
    staff = pd.read_csv(sample / "staff.csv", dtype=str)
    leavers = pd.read_csv(sample / "leavers.csv", dtype=str)
    ahp = staff.loc[(staff["staff_group"] == "Allied Health Professionals")
                    & (staff["contract_type"] != "Bank")]
    rates = {}
    for y in (2021, 2022, 2023):
        opening = ahp.loc[ahp["snapshot_date"] == f"{y - 1}-03-31"]
        closing = ahp.loc[ahp["snapshot_date"] == f"{y}-03-31"]
        left = leavers.loc[leavers["leave_date"].between(f"{y - 1}-04-01", f"{y}-03-31")]
        # a leaver counts in the staff group of their last snapshot before leaving
        last = staff.merge(left, on="staff_id").query("snapshot_date <= leave_date")
        last = last.sort_values("snapshot_date").groupby(["staff_id", "leave_date"]).tail(1)
        n = int(((last["staff_group"] == "Allied Health Professionals")
                 & (last["contract_type"] != "Bank")).sum())
        rates[y] = (n, (len(opening) + len(closing)) / 2)
    assert rates[2021] == (29, 335.5) and rates[2022] == (32, 348.0)
    assert 29 / 335.5 < 32 / 348  # exactly a rise
    assert 30 / 335 > 30 / 350  # rounded (to 5) a fall
    ctx = load(sample, period="2022/23")
    table = next(p for p in sections.trends_section(ctx).parts
                 if isinstance(p, plots.Table) and "by year" in p.caption)
    col = table.frame.set_index("Year")["AHPs trust-wide"]
    assert col["2020/21"] == col["2021/22"] == "*" and col["2022/23"].endswith("%")
    assert ("AHPs trust-wide: 2020/21 and 2021/22 both withheld: worked out from the rounded "
            "counts they would be ordered the other way round; exactly, the rate rose slightly "
            "(under a percentage point) from 2020/21 to 2021/22.") in table.notes
    # 2021/22 to 2022/23 keeps its order rounded: both published, no note
    assert rates[2023][0] / rates[2023][1] > 32 / 348
    assert not any("2022/23 both" in n for n in table.notes)


def test_years_rounding_would_make_equal_are_said_equal_not_reversed(tmp_path):
    """A synthetic trust (seed 7), Mental Health Adults' AHPs: exactly 8 leavers over an
    average 57 in post in 2022/23 (14.0%) and 9 over 56 in 2023/24 (16.1%); rounded to 5,
    10 over 55 both years. The note said "ordered the other way round" (they tie), and the
    table's lead said "small numbers" of years whose counts (8, 9) are publishable."""
    from equity.synth import write_sample

    write_sample(tmp_path / "seed7", seed=7)
    staff = pd.read_csv(tmp_path / "seed7" / "staff.csv", dtype=str)
    leavers = pd.read_csv(tmp_path / "seed7" / "leavers.csv", dtype=str)
    ahp = staff.loc[(staff["staff_group"] == "Allied Health Professionals")
                    & (staff["contract_type"] != "Bank")
                    & (staff["directorate"] == "Mental Health Adults")]
    last = staff.merge(leavers, on="staff_id").query("snapshot_date <= leave_date")
    last = last.sort_values("snapshot_date").groupby(["staff_id", "leave_date"]).tail(1)
    last = last.loc[(last["staff_group"] == "Allied Health Professionals")
                    & (last["contract_type"] != "Bank")
                    & (last["directorate"] == "Mental Health Adults")]
    rates = {}
    for y in (2023, 2024):
        left = last["leave_date"].between(f"{y - 1}-04-01", f"{y}-03-31").sum()
        held = (ahp["snapshot_date"] == f"{y - 1}-03-31").sum() + (
            ahp["snapshot_date"] == f"{y}-03-31").sum()
        rates[y] = (int(left), held / 2)
    assert rates == {2023: (8, 57.0), 2024: (9, 56.0)}
    ctx = load(tmp_path / "seed7", period="2024/25", directorate="Mental Health Adults")
    parts = sections.trends_section(ctx).parts
    table = next(p for p in parts if isinstance(p, plots.Table) and "by year" in p.caption)
    assert ("AHPs in Mental Health Adults: 2022/23 and 2023/24 both withheld: worked out from "
            "the rounded counts they would be equal; exactly, the rate rose from 2022/23 to "
            "2023/24.") in table.notes
    lead = " ".join(str(getattr(p, "text", "")) for p in parts)
    assert ("No year of the leaver rate can be published for AHPs in Mental Health Adults "
            "(small numbers, or rounding that would misorder two years: see the table's "
            "notes)") in lead


def test_a_reordered_years_note_opens_with_a_capital(sample):
    """Older People 2024/25, the table climbs to all staff in Older People: 23 leavers over
    an average 288 in 2020/21 (8.0%), 25 over 299 in 2021/22 (8.4%), rounded 25 over 290
    and 25 over 300 (a fall); the note read "all staff in Older People: 2020/21 and ..."."""
    staff = pd.read_csv(sample / "staff.csv", dtype=str)
    leavers = pd.read_csv(sample / "leavers.csv", dtype=str)
    op = staff.loc[(staff["directorate"] == "Older People") & (staff["contract_type"] != "Bank")]
    last = staff.merge(leavers, on="staff_id").query("snapshot_date <= leave_date")
    last = last.sort_values("snapshot_date").groupby(["staff_id", "leave_date"]).tail(1)
    last = last.loc[(last["directorate"] == "Older People") & (last["contract_type"] != "Bank")]
    counts = [(int(last["leave_date"].between(f"{y - 1}-04-01", f"{y}-03-31").sum()),
               ((op["snapshot_date"] == f"{y - 1}-03-31").sum()
                + (op["snapshot_date"] == f"{y}-03-31").sum()) / 2) for y in (2021, 2022)]
    assert counts == [(23, 288.0), (25, 299.0)]
    ctx = load(sample, period="2024/25", directorate="Older People")
    table = next(p for p in sections.trends_section(ctx).parts
                 if isinstance(p, plots.Table) and "by year" in p.caption)
    assert ("All staff in Older People: 2020/21 and 2021/22 both withheld: worked out from the "
            "rounded counts they would be ordered the other way round; exactly, the rate rose "
            "slightly (under a percentage point) from 2020/21 to 2021/22.") in table.notes


def test_directorates_compared_over_three_years_where_this_year_is_withheld(sample):
    """The overview's directorate table sets each directorate's rate over three years
    together beside this year's: Older People's AHP leaver rate is withheld this year (6
    leavers) but over 2022/23 to 2024/25 it is 16 leavers over 161 average headcount (6 + 4 +
    6 over 51.5 + 53.5 + 56, from eq.retention), published as 15 of 160: 9.4% with
    statsmodels' Wilson interval 5.76%-14.89%."""
    table = next(p for p in sections.directorate_comparison_section(
        load(sample, period="2024/25")).parts if isinstance(p, plots.Table))
    frame = table.frame.set_index(["Measure", "Directorate"])
    older = frame.loc[("Leaver rate (headcount)", "Older People")]
    assert older["Rate (95% CI)"] == "*"
    assert older["2022/23 to 2024/25 together: rate (95% CI)"] == "9.4% (5.8% to 14.9%)"


def test_professions_withheld_alone_are_counted_together(sample):
    """The overview's professions table: six professions whose BME share is withheld alone
    are one row together (plain pandas on staff.csv: 157 AHPs in post at 31 March 2025 in
    them, bank staff excluded as WRES 1 counts staff in post, 21 BME, published as 20 of
    155: 12.9%, statsmodels' Wilson interval 8.51%-19.09%), and named."""
    staff = pd.read_csv(sample / "staff.csv", dtype=str)
    staff = staff.loc[(staff["snapshot_date"] == "2025-03-31")
                      & (staff["staff_group"] == "Allied Health Professionals")
                      & (staff["contract_type"] != "Bank")]
    small = ["Dietitian", "Dramatherapist", "Music therapist", "Paramedic", "Podiatrist",
             "Speech and language therapist"]
    them = staff.loc[staff["profession"].isin(small), "ethnic_category"]
    white, unknown = them.isin(["A", "B", "C"]), them.isna() | them.isin(["Z", "99"])
    assert (len(them), int((~white & ~unknown).sum())) == (157, 21)
    table = sections.profession_comparison_section(load(sample, period="2024/25")).parts[0]
    row = table.frame.set_index("Profession").loc["6 professions together"]
    assert row.tolist() == ["20", "155", "12.9% (8.5% to 19.1%)"]
    # not "too small to publish alone": 49 speech and language therapists, 3 of them BME
    assert ("Each one's BME share withheld alone (a count of 1 to 7 in it, however many staff "
            f"the profession has), so counted together: {', '.join(small)}.") in table.notes


def test_logrank_sentence_without_a_test():
    assert "Too few people" in sections._logrank_sentence(pd.DataFrame(), "time to leaving")


def test_family_is_computed_once_and_cached(ctx, monkeypatch):
    calls = []
    real = ReportContext._run

    def counting(self, name, **kw):
        calls.append(name)
        return real(self, name, **kw)

    monkeypatch.setattr(ReportContext, "_run", counting)
    c = ReportContext(**{**ctx.__dict__, "_cache": {}, "_families": {}})
    first = c.family("pay:sex")
    assert c.family("pay:sex") is first and calls == ["pay:sex"]


def test_equity_error_becomes_a_note_but_a_bug_fails_loudly(ctx, monkeypatch):
    from equity.errors import InputError

    c = ReportContext(**{**ctx.__dict__, "_cache": {}, "_families": {}, "missing": {}})

    def no_table(self, name, **kw):
        raise InputError("no casework table")

    monkeypatch.setattr(ReportContext, "_run", no_table)
    out = c.family("equality")
    assert out.empty and "no casework table" in out.attrs["not_computed"]["equality"]

    def bug(self, name, **kw):
        raise ValueError("a bug")

    monkeypatch.setattr(ReportContext, "_run", bug)
    with pytest.raises(ValueError, match="a bug"):
        c.family("pay")


def test_a_batch_hands_its_validated_dataset_to_its_processes(tmp_path, monkeypatch):
    """Workers and kernels of a batch read the dataset the batch read and validated (no
    second read or validation) while the input files are unchanged; a changed file (another
    fingerprint) is read and validated afresh."""
    import shutil

    import equity.io
    import equity.validation
    from equity.report.context import keep_dataset

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", data)
    first = load(data, period="2024/25")
    (tmp_path / "batch").mkdir(mode=0o700)
    kept = keep_dataset(first, tmp_path / "batch")
    assert set(kept) == {"dataset_file", "fingerprint"}
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps(kept))
    with monkeypatch.context() as m:
        m.setattr(equity.io, "read_dataset", lambda *a, **k: pytest.fail("read again"))
        m.setattr(equity.validation, "validate", lambda *a, **k: pytest.fail("validated again"))
        again = load(data, period="2024/25", shared_path=shared)
    staff = first.dataset.staff
    pd.testing.assert_frame_equal(again.dataset.staff, staff)
    assert again.dataset.staff is not staff
    with (data / "README.md").open("a") as fh:  # not an input table: same fingerprint
        fh.write("\n")
    with monkeypatch.context() as m:
        m.setattr(equity.io, "read_dataset", lambda *a, **k: pytest.fail("read again"))
        load(data, period="2024/25", shared_path=shared)
    # a folder others can open (the file could be someone else's): never unpickled
    (tmp_path / "batch").chmod(0o755)
    read = []
    real_read = equity.io.read_dataset
    with monkeypatch.context() as m:
        m.setattr(equity.io, "read_dataset", lambda *a, **k: read.append(1) or real_read(*a, **k))
        load(data, period="2024/25", shared_path=shared)
    assert read == [1]
    (tmp_path / "batch").chmod(0o700)
    (data / "staff.csv").write_text((data / "staff.csv").read_text() + "\n")
    validated = []
    real = equity.validation.validate
    monkeypatch.setattr(equity.validation, "validate",
                        lambda ds: validated.append(1) or real(ds))
    changed = load(data, period="2024/25", shared_path=shared)
    assert validated == [1] and changed.dataset.staff is not again.dataset.staff


def test_loading_the_same_files_again_reuses_what_was_read_and_computed(tmp_path, monkeypatch):
    """A notebook run again in the same process (JupyterLab: Run All for another directorate)
    reuses the dataset read and validated and the families computed, for the same staff
    group and reference groups, while the input files keep their fingerprint; a changed
    input table is read, validated and computed afresh."""
    import shutil

    import equity.io
    from equity.report import context

    monkeypatch.setattr(context, "_SESSION", {})
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", data)
    computed = []
    real = ReportContext._run

    def counting(self, name, **kw):
        computed.append((name, self.staff_group))
        return real(self, name, **kw)

    monkeypatch.setattr(ReportContext, "_run", counting)
    first = load(data, period="2024/25", directorate="Older People")
    table = first.family("retention:ethnicity")
    assert computed == [("retention:ethnicity", "Allied Health Professionals")]
    with monkeypatch.context() as m:
        m.setattr(equity.io, "read_dataset", lambda *a, **k: pytest.fail("read again"))
        again = load(data, period="2024/25", directorate="Mental Health Adults")
        assert again.dataset is first.dataset
        split = again.family("retention:ethnicity", directorate=None, within=("directorate",))
        assert again.family("retention:ethnicity", directorate=None, within=("directorate",)) \
            is split
    assert first.family("retention:ethnicity", directorate=None, within=("directorate",)) \
        is split
    assert len(computed) == 1  # Older People's table is a slice of the split, computed once
    # other reference groups or another staff group: their own families
    other = load(data, period="2024/25", directorate="Older People", staff_group="all")
    other.family("retention:ethnicity")
    assert computed[-1] == ("retention:ethnicity", None)
    # a changed input table: read and computed again
    (data / "staff.csv").write_text((data / "staff.csv").read_text() + "\n")
    changed = load(data, period="2024/25", directorate="Older People")
    assert changed.dataset is not first.dataset
    pd.testing.assert_frame_equal(changed.family("retention:ethnicity"), table)
    assert computed[-1] == ("retention:ethnicity", "Allied Health Professionals")
    assert len(computed) == 3


def test_shared_figures_are_read_not_recomputed(ctx, monkeypatch):
    shared = {"validation": [
        {"severity": "warning", "table": "staff", "column": "band", "rule": "r", "rows": "*"}]}
    c = ReportContext(**{**ctx.__dict__, "_cache": {}, "_families": {}, "shared": shared})
    monkeypatch.setattr(ReportContext, "_run", lambda *a, **k: pytest.fail("computed"))
    assert sections.validation_table(c)["rows"].tolist() == ["*"]


@pytest.mark.slow
def test_batch_families_equal_each_report_computing_its_own(sample, tmp_path):
    """What a batch computes once (split by directorate) and slices per report is the table
    each report computed for itself, row for row and dtype for dtype; a directorate with
    nobody in the staff group has its families computed for it alone; another reference
    group, or the batch's folder gone, means computing here."""
    whole = load(sample, period="2024/25")
    keys = batch.batch_families(whole)
    names = known_directorates(whole.dataset)
    staff = whole.dataset.staff
    ahp = set(staff.loc[staff["staff_group"] == whole.staff_group, "directorate"])
    empty = [d for d in names if d not in ahp]
    assert empty, "the sample should hold a directorate with no AHP staff"
    assert batch.empty_directorates(whole) == empty
    assert ("equality", "2024/25", None, ("directorate",)) in keys
    # Trends come from one monthly series (monthly_leavers), not a family per year.
    assert not [k for k in keys if k.period in ("2020/21", "2021/22")]
    assert ("equality_rates", "2022/23", None, ("directorate",)) in keys  # pooled years
    assert ("retention:ethnicity@all", "2024/25", None, ("directorate",)) in keys  # all staff
    assert not [k for k in keys if k.directorate is not None]  # no report, nothing computed
    tasks = batch.batch_tasks(keys)
    assert sorted(map(str, (k for task in tasks for k in task))) == sorted(map(str, keys))
    assert all(len({(k.period, k.directorate, k.within) for k in task}) == 1 for task in tasks)
    # The whole trust's tables (exact keys) only round-trip through Parquet: a few suffice.
    cheap = [k for k in keys if k.within == () and k.period == "2024/25"
             and k.family in ("pay", "progression:ethnicity")]
    assert len(cheap) == 2
    tables = {}
    for task in tasks:
        if any(k in cheap or k.within[:1] == ("directorate",) for k in task):
            tables.update(batch.batch_family(sample, task, report_period="2024/25",
                                             staff_group=whole.staff_group))
    batch.write_batch(tmp_path, whole, tables)
    for d in (names[0], None):
        own = load(sample, period="2024/25", directorate=d)
        read = load(sample, period="2024/25", directorate=d)
        read.shared["batch_dir"] = str(tmp_path)
        served = 0
        for k in keys:
            w = k.within[1:] if d is not None else k.within
            mine = k in cheap if d is None else k.within[:1] == ("directorate",)
            if not mine:
                continue
            got = read._from_batch(k.family, k.period, d, w)
            assert got is not None, (k, d)
            expected = own.family(k.family, period=k.period, within=w)
            pd.testing.assert_frame_equal(got, expected, obj=f"{k} for {d}")
            assert got.attrs["not_computed"] == expected.attrs["not_computed"]
            served += 1
        assert served == {names[0]: len([k for k in keys if k.within[:1] == ("directorate",)]),
                          None: 2}[d]
    # (load allows no other reference group a report can compare with: set one directly)
    other = load(sample, period="2024/25", directorate=names[0])
    other.reference_groups = {**other.reference_groups, "disability": "Disabled"}
    other.shared["batch_dir"] = str(tmp_path)
    assert other._from_batch("retention:ethnicity", "2024/25", names[0], ()) is None
    gone = load(sample, period="2024/25", directorate=names[0])
    gone.shared["batch_dir"] = str(tmp_path / "removed")
    assert gone._from_batch("equality", "2024/25", names[0], ()) is None


def _report_sections() -> list[str]:
    """The section builders the directorate notebook calls, in its order."""
    nb = nbformat.read(notebook_dir() / "directorate_report.ipynb", as_version=4)
    return re.findall(r"rs\.(\w+_section)\(ctx\)",
                      "\n".join(c.source for c in nb.cells if c.cell_type == "code"))


@pytest.mark.slow
def test_a_directorate_report_reads_the_whole_trust_from_its_headline_families(
        sample, tmp_path, monkeypatch):
    """A directorate report's trust-wide figures (the ladder's trust rungs, the survey's
    trust column, the pay quarters a step up) come from the headline and survey families,
    not the whole trust's main families (WRES 1, WDES 1, the board, the Model Employer
    ladder, pay by disability: about 0.7 s of a report's 7 s in JupyterLab): computed alone,
    and read from a directorate batch, which computes nothing else for them."""
    names = _report_sections()
    assert len(names) == 16 and names[1] == "summary_section"
    base = load(sample, period="2024/25", directorate="Older People")
    # fresh caches (load shares the families of this process's earlier contexts)
    alone = ReportContext(**{**base.__dict__, "_cache": {}, "_families": {}})
    for name in names:
        getattr(sections, name)(alone)
    trust = {k[0] for k in alone._families if k[1:] == ("2024/25", None, ())}
    assert trust == {"leadership", "leadership@all", "survey"}
    whole = load(sample, period="2024/25")
    keys = batch.batch_families(whole, overview=False)
    assert {k.family for k in keys if k.within == ()} == {
        "leadership", "pay:sex", "pay:ethnicity", "survey", "leadership@all",
        "pay:sex@all", "pay:ethnicity@all"}
    tables = {}
    for task in batch.batch_tasks(keys):
        tables.update(batch.batch_family(sample, task, report_period="2024/25",
                                         staff_group=whole.staff_group))
    batch.write_batch(tmp_path, whole, tables)
    read = ReportContext(**{**base.__dict__, "_cache": {}, "_families": {},
                            "shared": {"batch_dir": str(tmp_path)}})
    monkeypatch.setattr(ReportContext, "_run", lambda *a, **k: pytest.fail(f"computed {a[1]}"))
    for name in names:
        assert (_section_text(getattr(sections, name)(read))
                == _section_text(getattr(sections, name)(alone))), name


def test_a_family_failing_in_the_batch_is_said_and_left_to_the_reports(ctx, tmp_path,
                                                                       monkeypatch, capsys):
    import concurrent.futures as cf

    from equity.report._render import _compute_batch
    from equity.result import empty_result

    def fake(data_path, task, **kw):
        if task[0].period == "2023/24":
            raise RuntimeError("disk full")
        return {k: empty_result() for k in task}

    monkeypatch.setattr(batch, "batch_family", fake)
    with cf.ThreadPoolExecutor(2) as pool:
        _compute_batch(pool, ctx, str(tmp_path), overview=False, progress=False)
    err = capsys.readouterr().err
    assert "(2023/24) once for every report failed (RuntimeError: disk full)" in err
    index = json.loads((tmp_path / "families.json").read_text())
    keys = batch.batch_families(ctx, overview=False)
    assert {k for k in index["tables"]} == {
        batch._batch_key(k) for k in keys if k.period != "2023/24"}


def test_fingerprint_covers_the_input_tables_only(tmp_path):
    """Issue 21: a README, truth.json or reports in the data folder do not change it; any
    byte of a table does."""
    from equity.report import data_fingerprint

    (tmp_path / "staff.csv").write_text("staff_id\n1\n")
    (tmp_path / "leavers.parquet").write_bytes(b"PAR1")
    before = data_fingerprint(tmp_path)
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / "truth.json").write_text("{}")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "index.html").write_text("<html>")
    assert data_fingerprint(tmp_path) == before
    (tmp_path / "staff.csv").write_text("staff_id\n2\n")
    assert data_fingerprint(tmp_path) != before


def test_pay_quarters_climb_the_ladder(sample):
    """Every quarter's shares for AHPs in Learning Disability and Autism are withheld (about
    ten AHPs a quarter): the chart climbs to all staff in the directorate and says so;
    its shares are :func:`equity.measures.pay.pay_gap`'s for that scope, disclosure-controlled
    on their own."""
    from equity.disclosure import apply_disclosure
    from equity.measures.pay import pay_gap

    ctx = load(sample, period="2024/25", directorate="Learning Disability and Autism")
    text = _section_text(sections.pay_gaps_section(ctx))
    assert ("the shares in 4 of the 4 quarters for AHPs in Learning Disability and Autism are "
            "withheld (small numbers), so the chart is for all staff in Learning Disability "
            "and Autism, 2024/25") in text
    chart = next(p for p in sections.pay_gaps_section(ctx).parts if isinstance(p, plots.Chart))
    assert chart.alt.startswith("Women and men in each pay quarter, all staff in Learning "
                                "Disability and Autism, 2024/25.")
    own = apply_disclosure(pay_gap(ctx.dataset, period="2024/25", by="sex",
                                   directorate="Learning Disability and Autism"),
                           mode="publication")
    q = own.loc[(own["indicator"] == "pay_quartile") & (own["group"] == "Female")]
    assert len(q) == 4 and q["value"].notna().all()
    said = ", ".join(f"{v} {x:.1%}" for v, x in zip(q["variant"], q["value"], strict=True))
    assert f"Female: {said};" in chart.alt


def test_the_yearly_leaver_table_keeps_the_directorates_years_beside_the_next_scope(sample):
    """Learning Disability and Autism's AHPs publish one year of five: the yearly table keeps
    that year (25.0%, the same figure the rest-of-the-trust comparison gives from the
    retention family) with the withheld years as *, beside all staff of the directorate
    (the next step of the ladder, every year published), instead of replacing it with the
    trust's AHPs."""
    from equity.report.findings import rest_of_trust

    ctx = load(sample, period="2024/25", directorate="Learning Disability and Autism")
    parts = sections.trends_section(ctx).parts
    note = next(p for p in parts if isinstance(p, Note) and "of the leaver rate" in p.text)
    assert note.text == ("Only 1 year of the leaver rate can be published for AHPs in Learning "
                         "Disability and Autism (small numbers), so the table sets all staff "
                         "in Learning Disability and Autism beside them.")
    table = next(p for p in parts if isinstance(p, plots.Table)).frame
    ahp, everyone = ("AHPs in Learning Disability and Autism",
                     "all staff in Learning Disability and Autism")
    assert list(table.columns) == ["Year", ahp, everyone]
    assert table["Year"].tolist() == ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    row = rest_of_trust(ctx, "leaver_rate")
    assert row is not None and row["period"] == "2024/25"
    assert table[ahp].tolist() == ["*"] * 4 + [f"{row['value']:.1%}"]
    assert all(v.endswith("%") for v in table[everyone])


def test_the_yearly_leaver_table_of_the_first_year_climbs_to_a_published_year(sample):
    """2020/21 is the first year the sample holds both snapshots of: no scope has three
    years, so the table climbs to the first scope whose one year can be published (all
    staff of the directorate), and says the data hold one year, instead of "no year's
    figure can be published" while the next step publishes it."""
    from equity.report.findings import rest_of_trust

    ctx = load(sample, period="2020/21", directorate="Learning Disability and Autism")
    parts = sections.trends_section(ctx).parts
    note = next(p for p in parts if isinstance(p, Note) and "of the leaver rate" in p.text)
    assert note.text == ("No year of the leaver rate can be published for AHPs in Learning "
                         "Disability and Autism (small numbers; the data hold 1 year to "
                         "2020/21), so the table sets all staff in Learning Disability and "
                         "Autism beside them.")
    table = next(p for p in parts if isinstance(p, plots.Table)).frame
    assert table["Year"].tolist() == ["2020/21"]
    # the same figure the retention family gives (rest-of-the-trust comparison), not the
    # monthly series the table is built from
    everyone = rest_of_trust(load(sample, period="2020/21", directorate="Learning "
                                  "Disability and Autism", staff_group=None), "leaver_rate")
    assert everyone is not None and everyone["period"] == "2020/21"
    assert table["all staff in Learning Disability and Autism"].tolist() == [
        f"{everyone['value']:.1%}"]
    assert table["AHPs in Learning Disability and Autism"].tolist() == ["*"]


def test_a_declaration_rate_that_would_read_100_percent_says_all_but_a_few(sample):
    """Learning Disability and Autism, 2020/21: ethnicity recorded for 36 of 37 AHPs (plain
    pandas on staff.csv); rounded, 35 of 35 would read 100%, so the share is withheld and
    the sentence says the exact conclusion: all but a few (fewer than 5, what rounding to 5
    can hide; "almost all" was said of 38 of 42, 90.5%, too)."""
    staff = pd.read_csv(sample / "staff.csv")
    me = staff.loc[(staff["snapshot_date"] == "2021-03-31")
                   & (staff["directorate"] == "Learning Disability and Autism")
                   & (staff["staff_group"] == "Allied Health Professionals")]
    declared = me["ethnic_category"].notna() & ~me["ethnic_category"].isin(["Z", "99"])
    assert (int(declared.sum()), len(me)) == (36, 37)
    ctx = load(sample, period="2020/21", directorate="Learning Disability and Autism")
    text = _section_text(sections.data_quality_section(ctx))
    assert ("Ethnicity recorded for all but a few AHPs in Learning Disability and Autism, "
            "2020/21 (fewer than 5 not recorded; the share is withheld: worked out from the "
            "rounded counts it would read 100%).") in text
    assert "recorded for * of" not in text
    internal = load(sample, period="2020/21", directorate="Learning Disability and Autism",
                    disclosure="internal")
    assert "Ethnicity recorded for 97.3% (" in _section_text(
        sections.data_quality_section(internal))


def test_an_unknown_directorate_is_said_before_anything_else(sample, tmp_path, capsys):
    """A mistyped directorate is the only thing `equity report` says: not first the period
    it would have chosen."""
    with pytest.raises(ParameterError, match="Unknown directorate 'Older Peple'"):
        render_reports(sample, directorates=["Older Peple"], out_dir=tmp_path / "out",
                       progress=False)
    assert "Period" not in capsys.readouterr().out


def test_funnel_limits_are_drawn_over_the_units_sizes(sample):
    """The funnel's limits start at half the smallest directorate's size, not at one person
    (where they span 0-100%): on the sample the leaver funnel's 99.8% limits then stay under
    25%, around points between 8% and 13%."""
    from equity.stats import funnel_curve, funnel_limits

    grid = sections._funnel_grid(pd.Series([40.0, 55.0, 150.0]))
    assert (grid.iloc[0], grid.iloc[-1]) == (20.0, 166.0)
    assert sections._funnel_grid(pd.Series([1.0, 3.0])).iloc[0] == 1.0
    ctx = load(sample, period="2024/25")
    rows, _ = sections._funnel_rows(ctx, "leaver_rate")
    units = rows.loc[rows["directorate"].notna()]
    target = float(rows.loc[rows["directorate"].isna(), "value"].iloc[0])
    limits = funnel_limits(units["numerator"], units["denominator"], target=target,
                           method="wilson")
    curve = funnel_curve(limits, sections._funnel_grid(units["denominator"]))
    upper = [c for c in curve.columns if "upper" in c]
    assert upper and float(curve[upper].max().max()) < 0.25
    assert units["value"].between(0.08, 0.13).all()


def test_a_staff_group_the_data_do_not_hold_is_an_error_not_empty_reports(sample, tmp_path):
    """The staff group asked for in another case than the data's ('Allied health
    professionals'): every directorate had nobody in it, and `equity report` wrote an index of
    empty directorates and exited 0. It is now an error naming the data's spelling."""
    out = tmp_path / "out"
    with pytest.raises(ParameterError) as err:
        render_reports(sample, directorates=["Older People"], out_dir=out,
                       staff_group="Allied health professionals", progress=False)
    assert "No staff group 'Allied health professionals' in the staff table" in str(err.value)
    assert ("The data hold 'Allied Health Professionals', the same name in another case or "
            "spacing") in str(err.value)
    assert not (out / "index.html").exists()


def test_nothing_computed_says_each_reason_once(sample):
    """One reason that stops all 39 indicators is said once, with how many it stops."""
    import equity as eq
    from equity.errors import InputError

    with pytest.raises(InputError) as err:
        eq.indicators(eq.read_dataset(sample), period="2024/25",
                      staff_group="Allied health professionals")
    text = str(err.value)
    assert text.count("No staff group 'Allied health professionals'") == 1
    assert f"{len(eq.registry_table())} indicators: No staff group" in text


def test_equity_report_says_the_datas_warnings_on_the_console(sample, tmp_path, monkeypatch,
                                                              capsys):
    """A warning (here a directorate written in two cases) is said on the console, as
    `equity indicators` says it, not only in each report's data-quality section: printed
    once the command's own choices are checked, before anything is computed."""
    import shutil

    from equity.report import _render

    data = tmp_path / "data"
    shutil.copytree(sample, data)
    staff = pd.read_csv(data / "staff.csv", dtype=str, keep_default_na=False)
    rows = staff.index[staff["directorate"] == "Older People"][:3]
    staff.loc[rows, "directorate"] = "older people"
    staff.to_csv(data / "staff.csv", index=False)

    class Stop(Exception):
        pass

    def stop(_ds):
        raise Stop

    monkeypatch.setattr(_render, "latest_period", stop)  # what comes next: computing
    with pytest.raises(Stop):
        render_reports(data, directorates=["Older People"], out_dir=tmp_path / "out",
                       progress=False)
    err = capsys.readouterr().err
    assert ("equity report: warning: staff.directorate [label_variants] 3: 1 directorate "
            "name(s) are written in more than one case or spacing") in err
    assert "'older people' (3 rows) beside 'Older People' (" in err


def test_a_pay_table_says_which_comparisons_it_leaves_out(sample):
    """Mental Health Adults' AHPs, 31 March 2025, full-pay staff (plain pandas on
    staff.csv): 7 men and 3 disabled staff, under the 8 a pay gap needs, so the table holds
    only the ethnicity gaps; a note names the two comparisons left out, and only the gender
    gap (a headline) is said to be given in the findings at another level."""
    staff = pd.read_csv(sample / "staff.csv")
    me = staff.loc[(staff["snapshot_date"] == "2025-03-31") & staff["full_pay"]
                   & (staff["directorate"] == "Mental Health Adults")
                   & (staff["staff_group"] == "Allied Health Professionals")]
    assert (me["sex"] == "Male").sum() == 7 and (me["disability"] == "Yes").sum() == 3
    ctx = load(sample, period="2024/25", directorate="Mental Health Adults")
    table = next(p for p in sections.pay_gaps_section(ctx).parts if isinstance(p, plots.Table))
    assert set(table.frame["Groups"]) == {"Ethnic minority vs White British"}
    assert ("Not in the table: Female vs Male: withheld (fewer than 8 people in a group) (the "
            "findings above give it at the level it can be published); Disabled vs "
            "Non-disabled: not reported (fewer than 10 people in a group, the least an "
            "ethnicity or disability pay gap is reported for).") in table.notes


def test_a_pay_section_with_every_gap_withheld_says_so_and_still_charts_the_quarters(sample):
    """Older People's AHPs, 31 March 2022 (plain pandas): 7 men and 9 ethnic minority
    full-pay staff, so no gap can be shown; the section held the findings' sentences only,
    with no word of the table or the pay-quarter chart."""
    staff = pd.read_csv(sample / "staff.csv", dtype=str)
    me = staff.loc[(staff["snapshot_date"] == "2022-03-31") & (staff["full_pay"] == "true")
                   & (staff["directorate"] == "Older People")
                   & (staff["staff_group"] == "Allied Health Professionals")]
    assert (me["sex"] == "Male").sum() == 7
    assert me["ethnic_category"].fillna("Z").str.fullmatch(r"[B-S]").sum() == 9
    ctx = load(sample, period="2021/22", directorate="Older People")
    parts = sections.pay_gaps_section(ctx).parts
    notes = [p.text for p in parts if isinstance(p, Note)]
    assert any(n.startswith("Hourly pay gaps (Allied Health Professionals, Older People, "
                            "2021/22): no gap can be shown here. Female vs Male: withheld "
                            "(fewer than 8 people in a group)") for n in notes)
    assert any("Ethnic minority vs White British: not reported (fewer than 10" in n
               for n in notes)
    assert any(isinstance(p, plots.Chart) and "pay quarter" in p.caption for p in parts)


def test_pay_quarters_that_rounding_reorders_say_the_exact_order(sample):
    """Children and Young People's AHPs, 31 March 2025: 65 women and 13 men on full pay
    (plain pandas), women paid 11.2% more on average; in the quarters 15 of 20, 17 of 20, 16
    of 19 and 17 of 19 women (equity.stats.pay_quartiles, the GOV.UK tie split), every one
    published as 15 of 20, 75%: a flat chart beside a gap. A note gives the exact order."""
    staff = pd.read_csv(sample / "staff.csv")
    me = staff.loc[(staff["snapshot_date"] == "2025-03-31") & staff["full_pay"]
                   & (staff["directorate"] == "Children and Young People")
                   & (staff["staff_group"] == "Allied Health Professionals")]
    women, men = me.loc[me["sex"] == "Female", "hourly_pay"], me.loc[me["sex"] == "Male",
                                                                      "hourly_pay"]
    assert (len(women), len(men)) == (65, 13)
    assert round((men.mean() - women.mean()) / men.mean() * 100, 1) == -11.2
    ctx = load(sample, period="2024/25", directorate="Children and Young People")
    parts = sections.pay_gaps_section(ctx).parts
    chart = next(p for p in parts if isinstance(p, plots.Chart) and "pay quarter" in p.caption)
    assert "Female: Q1 (lower) 75.0%, Q2 (lower middle) 75.0%, Q3 (upper middle) 75.0%, " \
           "Q4 (upper) 75.0%" in chart.alt
    assert ("Women and men in each pay quarter, AHPs in Children and Young People: the shares "
            "are worked out from counts rounded to 5, which put the quarters in another order "
            "than the exact shares do; exactly, women's share is highest in Q4 (upper), then "
            "Q2 (lower middle), Q3 (upper middle), and lowest in Q1 (lower).") in [
        p.text for p in parts if isinstance(p, Note)]
    # 15/20 < 16/19 < 17/20 < 17/19: the order the note gives
    assert 15 / 20 < 16 / 19 < 17 / 20 < 17 / 19
    # Older People's AHPs: Q2's share withheld, so the order is of the three shown
    older = sections.pay_gaps_section(load(sample, period="2024/25", directorate="Older People"))
    assert any("exactly, of the quarters shown, women's share is highest in" in p.text
               for p in older.parts if isinstance(p, Note))


def test_an_ethnicity_pay_gap_left_out_gives_its_own_threshold(sample):
    """Learning Disability and Autism's AHPs, 31 March 2023: 9 ethnic minority full-pay staff
    (plain pandas), under the 10 an ethnicity pay gap needs; the note said "every gap
    withheld (fewer than 8 people in a group)" beside a gender gap shown for 8 men."""
    staff = pd.read_csv(sample / "staff.csv", dtype=str)
    me = staff.loc[(staff["snapshot_date"] == "2023-03-31") & (staff["full_pay"] == "true")
                   & (staff["directorate"] == "Learning Disability and Autism")
                   & (staff["staff_group"] == "Allied Health Professionals")]
    code = me["ethnic_category"].fillna("Z")
    assert (code.str.fullmatch(r"[B-S]")).sum() == 9
    ctx = load(sample, period="2022/23", directorate="Learning Disability and Autism")
    table = next(p for p in sections.pay_gaps_section(ctx).parts if isinstance(p, plots.Table))
    assert any("Ethnic minority vs White British: not reported (fewer than 10 people in a group"
               in n for n in table.notes)
    assert not any("fewer than 8" in n and "Ethnic minority" in n for n in table.notes)


def test_the_median_sentence_says_where_a_curve_cut_short_stops(sample):
    """Mental Health Adults, all staff, time to first promotion: the BME curve is cut where
    fewer than 8 are still at risk, above half, so its median is not reached within the curve
    shown; the sentence says where it stops and where White staff stand then (it used to
    say "its curve stays above half", which reads as BME staff waiting longer whatever the
    curves show)."""
    from equity.measures.survival import survival_curves

    ctx = load(sample, period="2024/25", directorate="Mental Health Adults")
    curves = survival_curves(ctx.dataset, period="2024/25", by="ethnicity",
                             directorate="Mental Health Adults", staff_group=None,
                             event="promotion", time_unit="months", min_at_risk=8)
    bme, white = (curves.loc[curves["group"] == g] for g in ("BME", "White"))
    assert bme["survival"].min() > 0.5 and white["survival"].min() < 0.5
    cut = {t["group"]: t for t in curves.attrs["truncation"]}["BME"]
    assert cut["truncated_at"] is not None and cut["shown_until"] == bme["time"].max()
    stop = bme["time"].max()
    white_then = white.loc[white["time"] <= stop, "survival"].iloc[-1]
    text = _section_text(sections.survival_section(ctx, event="promotion"))
    # (the first promotion seen: staff in post in 2020 may have been promoted before)
    assert ("A first promotion is the first one seen since 31 March 2020: staff in post then "
            "may have been promoted before") in text
    assert (f"Median time to first promotion: BME not reached by {stop:.0f} months, where its "
            "curve stops (fewer than 8 still at risk after that), "
            f"{bme['survival'].iloc[-1]:.0%} not yet promoted then (at the same length of "
            f"service: White {white_then:.0%}); White ") in text


def test_a_median_not_reached_by_a_curve_cut_short_is_not_a_longer_stay(sample):
    """Oxfordshire Community Services' AHPs, 2023/24, time to leaving: the BME curve stops at
    53 months (fewer than 8 at risk) at 54% still in post, where White AHPs stand at 79%;
    "BME not reached (its curve stays above half); White 91 months" read as BME AHPs staying
    longer, beside a log-rank test saying they leave sooner."""
    from equity.measures.survival import survival_curves

    d = "Oxfordshire Community Services"
    ctx = load(sample, period="2023/24", directorate=d)
    curves = survival_curves(ctx.dataset, period="2023/24", by="ethnicity", directorate=d,
                             staff_group=ctx.staff_group, time_unit="months", min_at_risk=8)
    bme, white = (curves.loc[curves["group"] == g] for g in ("BME", "White"))
    stop = bme["time"].max()
    bme_then = bme["survival"].iloc[-1]
    white_then = white.loc[white["time"] <= stop, "survival"].iloc[-1]
    # BME AHPs leave sooner where both curves are drawn, and the BME curve stops above half
    assert 0.5 < bme_then < white_then
    median = {m["group"]: m["median"] for m in curves.attrs["median"]}
    assert median["BME"] is None and median["White"] > stop
    text = _section_text(sections.survival_section(ctx))
    assert (f"Median time to leaving: BME not reached by {stop:.0f} months, where its curve "
            f"stops (fewer than 8 still at risk after that), {bme_then:.0%} still in post then "
            f"(at the same length of service: White {white_then:.0%}); White "
            f"{median['White']:.0f} months.") in text
    assert "stays above half" not in text
    assert (f"Log-rank test of time to leaving (AHPs in {d}, followed from 31 March 2020 to "
            "31 March 2024)") in text
