"""Outputs: atomic writes with the user's umask, never over the input or a file equity did not
write, formula triggers neutralised, withheld figures as ``*``, a formatted workbook."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import equity as eq
from _render_once import ROOT, make_tricky, sample_dir
from equity import export
from equity.cli import main
from equity.errors import OutputError
from equity.export import (
    MANIFEST,
    atomic_write,
    check_out,
    guard_outputs,
    neutralise,
    record_outputs,
    write_table,
)
from equity.registry import REGISTRY
from equity.result import RESULT_COLUMNS

HOSTILE = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return sample_dir(tmp_path_factory.mktemp("sample"))


def result_rows() -> pd.DataFrame:
    """Four hand-made result rows: a count-based proportion with whole counts, a suppressed
    ratio row (reference group), a suppressed row without one, a percent gap with FTE."""
    base = dict.fromkeys(RESULT_COLUMNS)
    rows = [
        {**base, "indicator": "representation", "period": "2024/25", "group_var": "ethnicity",
         "group": "BME", "numerator": 120.0, "denominator": 400.0, "value": 0.3,
         "ci_low": 0.26, "ci_high": 0.35, "status": "not_applicable", "suppressed": False},
        {**base, "indicator": "wres_2", "period": "2024/25", "group_var": "ethnicity",
         "group": HOSTILE, "reference_group": "White", "status": "insufficient_evidence",
         "denominator": 40.0, "suppressed": True},
        {**base, "indicator": "representation", "period": "2024/25", "group_var": "ethnicity",
         "group": "-Unknown", "denominator": 400.0, "status": "not_applicable",
         "suppressed": True},
        {**base, "indicator": "pay_gap_mean", "period": "2024/25", "group_var": "sex",
         "group": "Female", "numerator": 12.5, "denominator": 30.0, "value": -12.2,
         "reference_group": "Male", "status": "within_range", "suppressed": False},
    ]
    t = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    t.attrs = {"not_computed": {"wdes_9": "no survey rows"}, "exclusions": [],
               "disclosure": "publication"}
    return t


# --------------------------------------------------------------------------- atomic writes


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_the_users_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        text = atomic_write(tmp_path / "a.html", "x")
        table = write_table(result_rows(), tmp_path / "t.xlsx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(text.stat().st_mode) == mode
    assert stat.S_IMODE(table.stat().st_mode) == mode


def test_atomic_write_takes_text_bytes_or_a_writer(tmp_path):
    atomic_write(tmp_path / "a", "é")
    atomic_write(tmp_path / "b", b"\x00\x01")
    atomic_write(tmp_path / "c", lambda p: Path(p).write_text("from a writer"))
    assert (tmp_path / "a").read_text(encoding="utf-8") == "é"
    assert (tmp_path / "b").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c").read_text() == "from a writer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    atomic_write(tmp_path / "a.csv", "old")

    def boom(p: Path) -> None:
        Path(p).write_text("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "a.csv", boom)
    assert (tmp_path / "a.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_atomic_write_to_a_folder_is_one_clear_error(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(OutputError, match="existing folder"):
        atomic_write(tmp_path / "x.csv", "x")


def test_one_atomic_write_helper():
    assert eq.report.atomic_write is export.atomic_write
    for module in ("report/_render.py", "export.py", "measures/_all.py"):
        text = (ROOT / "src" / "equity" / module).read_text()
        assert text.count("mkstemp(") == (module == "export.py"), module


# --------------------------------------------------------------------------- safe places


def test_out_inside_or_equal_to_the_input_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "staff.csv").write_text("x")
    for out in (data, data / "staff.csv", data / "sub" / "r.xlsx"):
        with pytest.raises(OutputError, match="input"):
            check_out(out, inputs=[data], folder=out == data)
    mapping = tmp_path / "map.yml"
    mapping.write_text("x")
    with pytest.raises(OutputError, match="input file"):
        check_out(mapping, inputs=[data, mapping], folder=False)
    assert check_out(tmp_path / "out" / "r.csv", inputs=[data, None], folder=False).parent.is_dir()
    assert (data / "staff.csv").read_text() == "x"


def test_the_wrong_kind_of_out_is_refused(tmp_path):
    (tmp_path / "f.csv").mkdir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="existing folder"):
        check_out(tmp_path / "f.csv", inputs=[], folder=False)
    with pytest.raises(OutputError, match="not a folder"):
        check_out(tmp_path / "file", inputs=[], folder=True)


def test_a_read_only_folder_is_refused():
    # /sys is read-only even for root (CI runs as root, where chmod 0555 would not stop it).
    with pytest.raises(OutputError, match="read-only|cannot write|not writable"):
        check_out("/sys/r.csv", inputs=[], folder=False)


def test_manifest_guards_files_equity_did_not_write(tmp_path):
    (tmp_path / "mine.html").write_text("the user's own page")
    with pytest.raises(OutputError, match=r"1 file\(s\).*mine.html.*--force"):
        guard_outputs(tmp_path, ["mine.html", "new.html"], force=False)
    guard_outputs(tmp_path, ["mine.html"], force=True)  # allowed when forced
    atomic_write(tmp_path / "ours.html", "ours")
    record_outputs(tmp_path, ["ours.html", "never-written.html"])
    guard_outputs(tmp_path, ["ours.html"], force=False)  # ours: may be replaced
    files = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert set(files) == {"ours.html"}  # a planned file never written is not listed
    (tmp_path / "ours.html").write_text("edited by hand since")
    with pytest.raises(OutputError, match="ours.html"):
        guard_outputs(tmp_path, ["ours.html"], force=False)


def test_write_table_twice_then_refuses_a_foreign_file(tmp_path):
    write_table(result_rows(), tmp_path / "r.csv")
    write_table(result_rows(), tmp_path / "r.csv")  # equity's own file: replaced
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(OutputError, match="other.csv"):
        write_table(result_rows(), tmp_path / "other.csv")
    assert (tmp_path / "other.csv").read_text() == "a,b\n1,2\n"
    write_table(result_rows(), tmp_path / "other.csv", force=True)
    assert "indicator" in (tmp_path / "other.csv").read_text()


def test_too_many_rows_for_excel_suggests_parquet_or_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 4)  # header + 3 rows
    with pytest.raises(OutputError, match=r"4 rows.*\.parquet or \.csv"):
        write_table(result_rows(), tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()
    write_table(result_rows().head(3), tmp_path / "r.xlsx")


def test_unknown_suffix(tmp_path):
    with pytest.raises(OutputError, match=r"\.csv, \.parquet or \.xlsx"):
        write_table(result_rows(), tmp_path / "r.json")


# --------------------------------------------------------------------------- cell contents


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", HOSTILE])
def test_formula_triggers_are_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Band 5", "", "BME", -1, 1.5, None, np.nan])
def test_other_cells_are_untouched(value):
    assert neutralise(value) is value


def test_csv_withheld_as_star_and_text_neutralised(tmp_path):
    path = write_table(result_rows(), tmp_path / "r.csv")
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["numerator"] == "120" and rows[0]["value"] == "0.3"  # a count is whole
    assert rows[1]["group"] == "'" + HOSTILE
    # withheld: every figure of the suppressed row, the ratio too (it has a reference group)
    assert [rows[1][c] for c in ("numerator", "value", "ci_low", "ratio", "p_value")] == ["*"] * 5
    assert rows[1]["denominator"] == "40"  # published
    # a suppressed row without a reference group has no ratio to withhold
    assert rows[2]["group"] == "'-Unknown" and rows[2]["value"] == "*" and rows[2]["ratio"] == ""
    assert rows[3]["value"] == "-12.2"  # a negative number is a number, not a formula


def test_parquet_keeps_the_typed_table(tmp_path):
    t = result_rows()
    back = pd.read_parquet(write_table(t, tmp_path / "r.parquet"))
    assert back["value"].dtype == float and np.isnan(back.loc[1, "value"])
    assert back.loc[1, "group"] == HOSTILE and bool(back.loc[1, "suppressed"])


def test_workbook_format(tmp_path):
    path = write_table(result_rows(), tmp_path / "r.xlsx",
                       parameters={"period": "2024/25", "staff group": "all"})
    wb = load_workbook(path)
    assert wb.sheetnames == ["Indicators", "Notes", "Parameters", "Methods"]
    ws = wb["Indicators"]
    head = [c.value for c in ws[1]]
    assert head[:4] == ["indicator", "title", "unit", "period"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(head)).column_letter}5"
    col = {h: i + 1 for i, h in enumerate(head)}
    width = ws.column_dimensions[ws.cell(1, col["title"]).column_letter].width
    assert width >= len(REGISTRY["representation"].title)
    # titles and units beside ids
    assert ws.cell(2, col["title"]).value == REGISTRY["representation"].title
    assert ws.cell(2, col["unit"]).value == "proportion (shown as %)"
    assert ws.cell(5, col["unit"]).value == "percent"
    # counts as integers, proportions as percentages, percent values as they are
    num = ws.cell(2, col["numerator"])
    assert num.value == 120 and isinstance(num.value, int) and num.number_format == "#,##0"
    assert ws.cell(5, col["numerator"]).number_format == "#,##0.0"  # 12.5: not whole
    value = ws.cell(2, col["value"])
    assert value.value == 0.3 and value.number_format == "0.0%"
    assert ws.cell(2, col["ci_low"]).number_format == "0.0%"
    assert ws.cell(5, col["value"]).value == -12.2
    assert ws.cell(5, col["value"]).number_format == '0.0"%"'
    # withheld figures as *, formulas neutralised (never a live formula)
    assert ws.cell(3, col["value"]).value == "*" and ws.cell(3, col["ratio"]).value == "*"
    assert ws.cell(3, col["group"]).value == "'" + HOSTILE
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    params = dict(wb["Parameters"].iter_rows(min_row=2, values_only=True))
    assert params == {"period": "2024/25", "staff group": "all"}
    methods = [c.value for c in wb["Methods"][1]]
    assert methods[:2] == ["indicator", "title"] and wb["Methods"].max_row == len(REGISTRY) + 1
    notes = list(wb["Notes"].iter_rows(min_row=2, values_only=True))
    assert ("not computed", "wdes_9", "no survey rows", None) in notes


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def workbook(sample, tmp_path_factory):
    """``equity indicators`` on the sample, one directorate (renamed to a formula), xlsx
    and csv."""
    tmp = tmp_path_factory.mktemp("cmd")
    data = make_tricky(sample, tmp / "data", "=1+2")
    codes = [main(["indicators", str(data), "--directorate", "=1+2", "--staff-group", "all",
                   "--out", str(tmp / f"r.{ext}")]) for ext in ("xlsx", "csv")]
    assert codes == [0, 0]
    return tmp


def test_indicators_command_records_its_scope(workbook, capsys):
    wb = load_workbook(workbook / "r.xlsx")
    params = dict(wb["Parameters"].iter_rows(min_row=2, values_only=True))
    assert params["directorate"] == "'=1+2" and params["staff group"] == "all"
    assert params["period"] == "2024/25"
    assert params["period chosen"] == "latest complete financial year"
    assert params["disclosure"] == "publication" and params["equity version"] == eq.__version__
    assert len(params["data fingerprint (SHA-256 of input files)"]) == 16
    ws = wb["Indicators"]
    head = [c.value for c in ws[1]]
    directorates = {r[head.index("directorate")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert directorates == {"'=1+2", None}  # the filter recorded, as inert text
    table = pd.read_csv(workbook / "r.csv", dtype=str, keep_default_na=False)
    board = table["indicator"].isin(["wres_9", "wdes_10"])
    assert board.any() and (table.loc[board, "directorate"] == "").all()  # whole organisation
    assert set(table.loc[~board, "directorate"]) == {"'=1+2"}
    assert (table["staff_group"] == "").all()  # 'all': not a filter
    suppressed = table.loc[table["suppressed"] == "True"]
    # a withheld figure is *, never blank (some suppressed rows still publish their value)
    assert (suppressed["value"] == "*").sum() > 100 and (suppressed["value"] != "").all()
    text_cells = table.drop(columns=["numerator", "denominator", "value", "ci_low", "ci_high",
                                     "ratio", "ratio_ci_low", "ratio_ci_high", "p_value"])
    assert not text_cells.apply(lambda s: s.str.match(r"[=+\-@\t\r]")).any().any()


def test_indicators_default_period_is_said(sample, tmp_path, capsys):
    assert main(["indicators", str(sample), "--out", str(tmp_path / "r.parquet")]) == 0
    out = capsys.readouterr().out
    assert "Period 2024/25 (the latest complete financial year in the data)" in out
    assert "staff group Allied Health Professionals" in out
    table = pd.read_parquet(tmp_path / "r.parquet")
    survey = table["indicator"].str.match(r"w[rd]es_[5-9]|wdes_4") | \
        table["indicator"].isin(["wres_9", "wdes_10"])
    assert survey.any() and table.loc[survey, "staff_group"].isna().all()  # not restricted
    assert set(table.loc[~survey, "staff_group"]) == {"Allied Health Professionals"}


def test_indicators_never_writes_over_its_input(sample, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(sample, data)
    before = (data / "staff.csv").read_bytes()
    assert main(["indicators", str(data), "--out", str(data / "staff.csv"), "--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inside the input folder" in err
    assert (data / "staff.csv").read_bytes() == before
