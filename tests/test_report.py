"""Reports: parameters, safe names, escaping, batch rendering, privacy of every output file."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from equity.errors import ParameterError
from equity.report import (
    RenderResult,
    atomic_write,
    index_html,
    notebook_dir,
    render_reports,
    resolve_data_path,
    safe_filename,
    sections,
)

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("def ", "class ", "groupby", "merge")
TRICKY = '<b>"Ward/10"</b> & ../..\'s'


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
        "headlines": [{"Indicator": "WRES 2", "Figure": "1.60", "Status": "adverse",
                       "Group": "BME vs White", "95% CI": "1.2 to 2.1"}], "adverse": 1})
    bad = RenderResult("Bad <i>dir</i>", safe_filename("Bad <i>dir</i>"), False,
                       error="ValueError: <boom>")
    text = index_html([ok, bad], overview=None, footer_items={"Period": "2024/25"}, title="T")
    soup = BeautifulSoup(text, "html.parser")
    assert soup.html["lang"] == "en" and soup.find("main") and soup.find("nav")
    assert "<b>" not in text and "<boom>" not in text and "<i>dir" not in text
    assert soup.find("a", string=TRICKY)["href"] == safe_filename(TRICKY)
    assert "ValueError: <boom>" in soup.get_text()
    assert "1.60" in soup.get_text()


def test_unknown_directorate_lists_known(sample):
    with pytest.raises(ParameterError, match="Known|holds") as err:
        sections.load(sample, period="2024/25", directorate="Nowhere")
    assert "Nowhere" in str(err.value)


def test_render_needs_a_choice(sample, tmp_path):
    with pytest.raises(ParameterError, match="--all"):
        render_reports(sample, out_dir=tmp_path)
    with pytest.raises(ParameterError, match="Unknown directorate"):
        render_reports(sample, directorates=["Nowhere"], out_dir=tmp_path)


# --------------------------------------------------------------------------- rendering


def _published_counts(html: str) -> list[float]:
    soup = BeautifulSoup(html, "html.parser")
    out = []
    for table in soup.find_all("table", class_="equity-table"):
        heads = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
        cols = [i for i, h in enumerate(heads) if h in ("Number", "Out of")]
        for tr in table.find("tbody").find_all("tr"):
            cells = tr.find_all(["th", "td"])
            for i in cols:
                t = cells[i].get_text(strip=True).replace(",", "")
                if re.fullmatch(r"\d+(\.\d+)?", t):
                    out.append(float(t))
    return out


def _text_without_images(text: str) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)


@pytest.fixture(scope="session")
def tricky_sample(sample, tmp_path_factory) -> Path:
    """The sample with one directorate renamed to something hostile."""
    out = tmp_path_factory.mktemp("tricky")
    for f in sample.iterdir():
        shutil.copy(f, out / f.name)
    for table in ("staff", "recruitment"):
        df = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)
        first = sorted(set(df["directorate"]) - {""})[0]
        df["directorate"] = df["directorate"].replace(first, TRICKY)
        df.to_csv(out / f"{table}.csv", index=False)
    return out


@pytest.mark.slow
def test_render_all_directorates_private_and_escaped(tricky_sample, tmp_path):
    """Every report and executed notebook from the sample: no ids, no individual pay, no
    published count in 1-7, hostile names escaped and safe."""
    code = render_reports(tricky_sample, all_directorates=True, out_dir=tmp_path, jobs=2,
                          progress=False)
    log = json.loads((tmp_path / "render_log.json").read_text())
    assert code == 0, [r["error"] for r in log if not r["ok"]]
    assert (tmp_path / safe_filename(TRICKY)).exists()
    assert all(p.resolve().parent in (tmp_path.resolve(), (tmp_path / "notebooks").resolve())
               for p in tmp_path.rglob("*") if p.is_file())
    staff = pd.read_csv(tricky_sample / "staff.csv", dtype=str)
    ids = set(staff["staff_id"])
    for t, col in (("recruitment", "application_id"), ("casework", "case_id")):
        if (tricky_sample / f"{t}.csv").exists():
            ids |= set(pd.read_csv(tricky_sample / f"{t}.csv", dtype=str)[col])
    pays = {f"{float(v):.2f}" for v in staff["hourly_pay"].dropna()}
    id_re = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids))) + r")\b")
    pay_re = re.compile(r"(?<![\d.])(" + "|".join(map(re.escape, sorted(pays))) + r")(?![\d])")
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len([p for p in files if p.suffix == ".html"]) >= 3
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
    report = (tmp_path / safe_filename(TRICKY)).read_text()
    assert "Data fingerprint" in report and "equity version" in report


@pytest.mark.slow
def test_injected_parameters_change_the_output(sample, tmp_path):
    """papermill-injected directorate and disclosure reach the rendered page."""
    import papermill as pm

    names = sections.known_directorates(sections.load(sample, period="2024/25").dataset)
    outs = {}
    for d, mode in ((names[0], "publication"), (names[1], "internal")):
        nb = pm.execute_notebook(str(ROOT / "notebooks" / "directorate_report.ipynb"), None,
                                 parameters={"directorate": d, "disclosure": mode,
                                             "data_path": str(sample)},
                                 kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
        outs[d] = json.dumps(nb)
    assert names[0] in outs[names[0]] and names[0] not in outs[names[1]]
    assert "INTERNAL USE ONLY" in outs[names[1]] and "INTERNAL USE ONLY" not in outs[names[0]]


@pytest.mark.slow
def test_trust_overview_executes(sample, tmp_path):
    import papermill as pm

    nb = pm.execute_notebook(str(ROOT / "notebooks" / "trust_overview.ipynb"), None,
                             parameters={"data_path": str(sample)}, kernel_name="python3",
                             progress_bar=False, cwd=str(tmp_path))
    text = json.dumps(nb)
    assert "Funnel" in text and '"output_type": "error"' not in text
