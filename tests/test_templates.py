"""``equity template``: WRES / WDES figures laid out like NHS England's data collection.

The layout is checked cell by cell against the published headings, written out literally
here (the sources are quoted in docs/methodology.md "WRES and WDES data-collection layout");
figures against literal values read off the result table on data/sample (publication
disclosure: counts rounded to 5, 1-7 withheld), one of them cross-checked with plain pandas.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from _render_once import ROOT, sample_dir
from equity.cli import main
from equity.disclosure import apply_disclosure
from equity.errors import InputError, OutputError
from equity.io import read_dataset
from equity.measures.wres import wres
from equity.templates import HEADINGS, standard_template, write_template

WRES_1 = ("Indicator 1: Percentage of staff in each of the Agenda for Change (AfC) Bands 1–9 "
          "and VSM (including executive board members) compared with the percentage of staff "
          "in the overall workforce")
WDES_1 = ("Metric 1: Percentage of staff in Agenda for Change (AfC) pay-bands or medical and "
          "dental subgroups and very senior managers (including Executive Board members) "
          "compared with the percentage of staff in the overall workforce")
BANDS = ["Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7", "Band 8a",
         "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return sample_dir(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def books(sample, tmp_path_factory) -> dict[str, openpyxl.Workbook]:
    out = tmp_path_factory.mktemp("templates")
    books = {}
    for standard in ("wres", "wdes"):
        path = out / f"{standard}.xlsx"
        assert main(["template", str(sample), "--standard", standard, "--out", str(path),
                     "--period", "2024/25"]) == 0
        books[standard] = openpyxl.load_workbook(path)
    return books


def _rows(ws) -> list[list]:
    """The sheet's rows, trailing empty cells dropped."""
    out = []
    for row in ws.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


def _row(ws, label: str, after: str | None = None) -> list:
    """The first row whose first cell is ``label`` (below the row labelled ``after``)."""
    rows = _rows(ws)
    start = 0 if after is None else next(i for i, r in enumerate(rows) if r and r[0] == after)
    return next(r for r in rows[start:] if r and r[0] == label)


# --------------------------------------------------------------------------- layout


def test_wres_sheets_and_indicator_1_layout(books):
    wb = books["wres"]
    assert wb.sheetnames == ["Indicator 1", "Indicators 2-4", "Indicators 5-8", "Indicator 9",
                             "About"]
    ws = wb["Indicator 1"]
    assert ws["A1"].value == "WRES 2024/25: Indicator 1"
    assert ws["A2"].value == WRES_1
    columns = [None, "White", "BME", "Unknown/Null", "Total", "% White", "% BME",
               "% Unknown/Null"]
    assert [c.value for c in ws[4]] == columns
    labels = [r[0] for r in _rows(ws) if r]
    assert labels == [
        "WRES 2024/25: Indicator 1", WRES_1,
        "Total Workforce", None, "Overall workforce", "Non-clinical staff", "Clinical staff",
        "1a) Non Clinical Staff", None, *BANDS,
        "1b) Clinical Staff", None, *BANDS,
        "Medical and dental subgroups (clinical)", None,
        "Foundation", "Trainee", "SAS", "Consultant",
    ]
    for r in (r for r in _rows(ws) if r and r[0] is None):
        assert r == columns  # every section repeats the column headings


def test_wres_indicators_2_to_9_layout(books):
    ws = books["wres"]["Indicators 2-4"]
    assert [r[0] for r in _rows(ws) if r] == [
        "WRES 2024/25: Indicators 2-4",
        "Indicator 2: Relative likelihood of white applicants being appointed from "
        "shortlisting compared to BME applicants", None,
        "Number of shortlisted applicants", "Number appointed from shortlisting",
        "Likelihood of being appointed from shortlisting",
        "Indicator 2: Relative likelihood of white applicants being appointed from "
        "shortlisting compared to BME applicants (excluding international recruits)", None,
        "Number of shortlisted applicants", "Number appointed from shortlisting",
        "Likelihood of being appointed from shortlisting",
        "Indicator 3: Relative likelihood of BME staff entering the formal disciplinary "
        "process compared to white staff", None,
        "Number of staff in workforce", "Number of staff entering the formal disciplinary "
        "process", "Likelihood of staff entering the formal disciplinary process",
        "Indicator 4: Relative likelihood of white staff accessing non-mandatory training and "
        "continuous professional development (CPD) compared to BME staff", None,
        "Number of staff in workforce", "Number of staff accessing non-mandatory training and "
        "CPD", "Likelihood of staff accessing non-mandatory training and CPD",
    ]
    assert _rows(ws)[2] == [None, "White", "BME", "Relative likelihood"]
    survey = books["wres"]["Indicators 5-8"]
    assert [r[0] for r in _rows(survey) if r and r[0] and r[0].startswith("Indicator")] == [
        "Indicator 5: Percentage of staff experiencing harassment, bullying or abuse from "
        "patients, relatives, or the public in last 12 months",
        "Indicator 6: Percentage of staff experiencing harassment, bullying or abuse from staff "
        "in the last 12 months",
        "Indicator 7: Percentage of staff believing that their trust provides equal "
        "opportunities for career progression or promotion",
        "Indicator 8: In the last 12 months have you personally experienced discrimination at "
        "work from a manager, team leader or other colleagues?",
    ]
    assert _rows(survey)[2] == [None, "% White", "% BME", "White respondents",
                                "BME respondents"]
    board = _rows(books["wres"]["Indicator 9"])
    assert board[1] == ["Indicator 9: Percentage difference between the organisation’s board "
                        "voting membership and its overall workforce"]
    assert board[2] == [None, "White", "BME", "Unknown/Null", "Total"]
    assert [r[0] for r in board[3:]] == [
        "Board voting members (headcount)", "Overall workforce (headcount)",
        "Percentage of the overall workforce",
        "Difference: board voting membership minus overall workforce (percentage points)"]


def test_wdes_layout(books):
    wb = books["wdes"]
    assert wb.sheetnames == ["Metric 1", "Metrics 2-3", "Metrics 4-9", "Metric 10", "About"]
    ws = wb["Metric 1"]
    assert ws["A2"].value == WDES_1
    assert [c.value for c in ws[4]] == [
        None, "Disabled", "Non-disabled", "Disability Unknown/Null", "Total", "% Disabled",
        "% Non-disabled", "% Disability Unknown/Null"]
    assert [r[0] for r in _rows(wb["Metrics 2-3"]) if r and r[0] and r[0].startswith("Metric")] == [
        "Metric 2: Relative likelihood of non-Disabled staff compared to Disabled staff being "
        "appointed from shortlisting across all posts",
        "Metric 3: Relative likelihood of Disabled staff entering the formal capability "
        "process, as measured by entry into the formal capability procedure"]
    survey = [r[0] for r in _rows(wb["Metrics 4-9"]) if r and r[0]]
    assert [s.split(":")[0] for s in survey if s.startswith("Metric")] == [
        f"Metric {i}" for i in range(4, 10)]
    assert ("Metric 6: Percentage of Disabled staff compared to non-Disabled staff saying that "
            "they have felt pressure from their manager to come to work, despite not feeling "
            "well enough to perform their duties") in survey
    # the sample's survey table has no metric 9: said in place of the figures
    assert survey[-1] == "Not computed: no disability rows of the survey table for 2024/25"


def test_about_sheet_names_the_source_of_every_heading(books):
    about = _rows(books["wdes"]["About"])
    sources = {r[0]: r[1] for r in about if len(r) == 2}
    assert sources["Disclosure"] == "publication"
    assert sources[WDES_1].startswith("NHS England, NHS Workforce Disability Equality Standard "
                                      "(WDES) 2023: Metrics (B1710-ii), https://www.england.nhs.uk/")
    assert sources["Metric 7: Feeling the organisation values their work"] == \
        "equity's wording: no published wording found"
    for ind, (heading, source) in HEADINGS.items():
        assert heading and source, ind


# --------------------------------------------------------------------------- figures


def test_figures_are_the_result_tables(books):
    ws = books["wres"]["Indicator 1"]
    assert _row(ws, "Overall workforce")[1:5] == [1705, 495, 90, 2285]
    assert _row(ws, "Overall workforce")[5] == pytest.approx(1705 / 2285)
    assert _row(ws, "Band 5", after="1b) Clinical Staff") == [
        "Band 5", 210, 75, 10, 300, pytest.approx(0.7), pytest.approx(0.25),
        pytest.approx(10 / 300)]
    assert _row(ws, "Consultant")[1:5] == [35, 25, None, 60]
    likelihoods = books["wres"]["Indicators 2-4"]
    # plain pandas on the sample (bank staff out, as WRES 1): 661 White and 162 BME people
    # with non-mandatory training in 2024/25, rounded to 660 and 160; formal disciplinary
    # cases: 16 White and 12 BME people (15 and 10), of 1,703 and 493 in post (1,705, 495)
    assert _row(likelihoods, "Number of staff accessing non-mandatory training and CPD")[1:3] \
        == [660, 160]
    rl = _row(likelihoods, "Likelihood of staff entering the formal disciplinary process")
    assert rl[1:4] == [pytest.approx(15 / 1705), pytest.approx(10 / 495),
                       pytest.approx((10 / 495) / (15 / 1705), abs=1e-6)]
    survey = books["wres"]["Indicators 5-8"]
    assert _row(survey, "Staff Survey result")[1:] == [pytest.approx(0.275),
                                                      pytest.approx(85 / 240), 800, 240]
    board = books["wres"]["Indicator 9"]
    assert _row(board, "Percentage of the overall workforce")[1:4] == [
        pytest.approx(74.617068, abs=1e-6), pytest.approx(21.663020, abs=1e-6),
        pytest.approx(3.938731, abs=1e-6)]
    wdes = books["wdes"]
    assert _row(wdes["Metric 1"], "Overall workforce")[1:5] == [120, 1845, 320, 2285]
    assert _row(wdes["Metrics 2-3"], "Likelihood of being appointed from shortlisting")[1:4] \
        == [pytest.approx(10 / 30), pytest.approx(100 / 420), pytest.approx(0.714286, abs=1e-6)]


def test_a_count_matches_plain_pandas(books, sample):
    staff = pd.read_csv(sample / "staff.csv", dtype=str)
    in_post = staff.loc[(staff["snapshot_date"] == "2025-03-31")
                        & (staff["contract_type"] != "Bank")]
    white = in_post["ethnic_category"].isin(["A", "B", "C"]).sum()
    assert (len(in_post), white) == (2286, 1703)
    # publication disclosure rounds counts to the nearest 5
    assert _row(books["wres"]["Indicator 1"], "Overall workforce")[1] == 5 * round(white / 5)
    assert _row(books["wres"]["Indicator 1"], "Overall workforce")[4] == 5 * round(len(in_post) / 5)


def test_withheld_figures_are_stars(books):
    ws = books["wres"]["Indicator 1"]
    assert _row(ws, "Band 6", after="1a) Non Clinical Staff") == [
        "Band 6", 55, "*", 0, 60, pytest.approx(55 / 60), "*", 0]
    assert _row(ws, "Band 1", after="1a) Non Clinical Staff") == [
        "Band 1", "*", 0, 0, "*", "*", "*", "*"]
    # the indicator 2 relative likelihood is withheld (rounding would change its conclusion)
    rl = _row(books["wres"]["Indicators 2-4"], "Likelihood of being appointed from shortlisting")
    assert rl[3] == "*"
    # (performance capability, bank staff out: 3 Disabled and 11 Non-disabled people)
    assert _row(books["wdes"]["Metrics 2-3"],
                "Number of staff entering the formal capability process")[1:3] == ["*", 10]


def test_the_function_takes_the_table_without_recomputing(sample):
    ds = read_dataset(sample)
    raw = wres(ds, period="2024/25")
    with pytest.raises(InputError, match="disclosure control"):
        standard_template(raw, standard="wres")
    internal = apply_disclosure(raw, mode="internal")
    sheets = standard_template(internal, standard="wres")
    overall = next(r.cells for r in sheets[0].rows if r.cells[0] == "Overall workforce")
    assert overall[1] == 1703  # exact counts under internal disclosure
    with pytest.raises(InputError, match="no whole-organisation WDES rows"):
        standard_template(internal, standard="wdes")


# --------------------------------------------------------------------------- the command


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "equity", "template", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_command_writes_the_workbook_and_says_so(sample, tmp_path):
    done = _run(str(sample), "--standard", "wdes", "--out", str(tmp_path / "w.xlsx"))
    assert done.returncode == 0, done.stderr
    assert "Period 2024/25 (the latest complete financial year in the data)" in done.stdout
    assert "not computed: wdes_9" in done.stdout
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").sheetnames[0] == "Metric 1"
    # equity wrote it, so a second run replaces it without --force
    assert _run(str(sample), "--standard", "wdes", "--out", str(tmp_path / "w.xlsx")
                ).returncode == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--standard", "wres", "--out", "{tmp}/w.csv"], 1, "must end in .xlsx"),
    (["--standard", "wres", "--out", "{tmp}/mine.xlsx"], 1, "Refusing to overwrite"),
    (["--standard", "wres", "--out", "{sample}/w.xlsx"], 1, "input folder"),
    (["--standard", "wres", "--out", "{tmp}/w.xlsx", "--period", "2001/02"], 1, "2001/02"),
    (["--standard", "race", "--out", "{tmp}/w.xlsx"], 2, "invalid choice"),
    (["--out", "{tmp}/w.xlsx"], 2, "--standard"),
])
def test_bad_arguments_give_one_message(sample, tmp_path, args, code, message):
    (tmp_path / "mine.xlsx").write_text("the user's own file")
    done = _run(str(sample), *(a.format(tmp=tmp_path, sample=sample) for a in args))
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    if code == 1:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert (tmp_path / "mine.xlsx").read_text() == "the user's own file"


def test_write_template_refuses_other_formats(sample, tmp_path):
    table = apply_disclosure(wres(read_dataset(sample), period="2024/25"))
    with pytest.raises(OutputError, match=r"\.xlsx"):
        write_template(table, tmp_path / "w.parquet", standard="wres")
    assert write_template(table, tmp_path / "w.xlsx", standard="wres").exists()


def test_data_with_errors_is_refused_at_the_door(sample, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for f in sample.glob("*.csv"):
        (data / f.name).write_bytes(f.read_bytes())
    staff = pd.read_csv(data / "staff.csv", dtype=str)
    pd.concat([staff, staff.head(3)]).to_csv(data / "staff.csv", index=False)  # duplicate keys
    done = _run(str(data), "--standard", "wres", "--out", str(tmp_path / "w.xlsx"))
    assert done.returncode == 1
    assert "the data has errors; nothing was computed" in done.stderr
    assert "duplicate_key" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "w.xlsx").exists()
