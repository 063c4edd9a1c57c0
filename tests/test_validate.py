"""Validation: every rule fails on a hand-made example, one report names every problem."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from equity import read_dataset
from equity.errors import DataQualityWarning, InputError, ValidationError
from equity.io import Dataset
from equity.validation import RULES, ValidationReport, validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = ROOT / "data" / "sample"
EQUITY = ROOT / ".venv" / "bin" / "equity"

Frames = dict[str, pd.DataFrame]


def base() -> Frames:
    """A clean dataset (as text): three people at two 31 March snapshots, every table."""
    staff = pd.DataFrame({
        "staff_id": ["P1", "P2", "P3", "P1", "P2", "P3"],
        "snapshot_date": ["2024-03-31"] * 3 + ["2025-03-31"] * 3,
        "directorate": ["Adult", "Adult", "Children"] * 2,
        "staff_group": ["Allied Health Professionals"] * 6,
        "profession": ["Physiotherapist", "Dietitian", "Podiatrist"] * 2,
        "band": ["Band 5", "Band 6", "Band 8a"] * 2,
        "fte": ["1.0", "0.5", "1.5"] * 2,
        "contract_type": ["Substantive", "Fixed term", "Bank"] * 2,
        "ethnic_category": ["A", "CA", "99"] * 2,
        "sex": ["Female", "Male", "F"] * 2,
        "disability": ["Yes", "No", "Not declared"] * 2,
        "sexual_orientation": ["1", "U", "9"] * 2,
        "age_band": ["<25", "35-44", "65+"] * 2,
        "org_start_date": ["2015-06-01", "2020-01-15", "2024-03-31"] * 2,
        "hourly_pay": ["20.50", "12.75", "31.00"] * 2,
        "bonus_pay": ["0", "0", "1500"] * 2,
        "full_pay": ["Y", "Y", "N"] * 2,
    })
    return {
        "staff": staff,
        "leavers": pd.DataFrame({"staff_id": ["P2"], "leave_date": ["2025-03-31"],
                                 "leaving_reason": ["Relocation"], "fte": ["0.5"]}),
        "recruitment": pd.DataFrame({
            "application_id": ["A1", "A2", "A3"], "vacancy_id": ["V1", "V1", "V1"],
            "closing_date": ["2024-06-30"] * 3, "ethnic_category": ["A", "N", "Z"],
            "shortlisted": ["Yes", "Yes", "No"], "appointed": ["Yes", "No", "No"],
        }),
        "casework": pd.DataFrame({"case_id": ["C1"], "staff_id": ["P3"], "start_date": ["2024-09-01"],
                                  "process": ["capability"], "formal": ["Y"]}),
        "training": pd.DataFrame({"staff_id": ["P1"], "date": ["2024-10-10"], "course": ["Leadership"],
                                  "mandatory": ["N"]}),
        "board": pd.DataFrame({"member_id": ["B1", "B2"], "snapshot_date": ["2025-03-31"] * 2,
                               "executive": ["Y", "N"], "voting": ["Y", "Y"],
                               "ethnic_category": ["A", "H"]}),
    }


def run(frames: Frames) -> ValidationReport:
    return validate(Dataset.from_frames(**frames))


def test_clean_dataset_has_no_findings():
    report = run(base())
    assert report.findings == [] and report.ok
    assert report.format() == "0 errors, 0 warnings in <memory>: every check passed."


def setv(table: str, row: int, col: str, value: object) -> Callable[[Frames], None]:
    def mutate(f: Frames) -> None:
        f[table].loc[row, col] = value
    return mutate


def drop_col(table: str, col: str) -> Callable[[Frames], None]:
    def mutate(f: Frames) -> None:
        f[table] = f[table].drop(columns=col)
    return mutate


def dup_row(table: str, row: int) -> Callable[[Frames], None]:
    def mutate(f: Frames) -> None:
        f[table] = pd.concat([f[table], f[table].iloc[[row]]], ignore_index=True)
    return mutate


def empty(table: str) -> Callable[[Frames], None]:
    def mutate(f: Frames) -> None:
        f[table] = f[table].iloc[0:0]
    return mutate


# (rule, mutation, table, column, severity, count, first example), worked out by hand:
# data row i (0-based) is spreadsheet row i + 2.
CASES = [
    ("missing_column", drop_col("staff", "band"), "staff", "band", "error", 6, None),
    ("missing_column", drop_col("recruitment", "shortlisted"), "recruitment", "shortlisted", "error", 3, None),
    ("missing_value", setv("staff", 0, "directorate", ""), "staff", "directorate", "error", 1, "row 2 (staff_id=P1)"),
    ("missing_value", setv("casework", 0, "process", "  "), "casework", "process", "error", 1, "row 2 (case_id=C1)"),
    ("unparseable_date", setv("staff", 1, "org_start_date", "15/01/2020"), "staff", "org_start_date", "error", 1, "row 3 (staff_id=P2)"),
    ("unparseable_number", setv("staff", 2, "fte", "full"), "staff", "fte", "error", 1, "row 4 (staff_id=P3)"),
    ("unparseable_number", setv("staff", 4, "hourly_pay", "£16.00"), "staff", "hourly_pay", "error", 1, "row 6 (staff_id=P2)"),
    ("unparseable_boolean", setv("recruitment", 1, "appointed", "maybe"), "recruitment", "appointed", "error", 1, "row 3 (application_id=A2)"),
    ("ethnic_label_as_code", setv("staff", 3, "ethnic_category", "Asian or Asian British - Indian"), "staff", "ethnic_category", "warning", 1, "row 5 (staff_id=P1)"),
    ("unknown_code", setv("staff", 5, "ethnic_category", "Q"), "staff", "ethnic_category", "warning", 1, "row 7 (staff_id=P3)"),
    ("unknown_code", setv("recruitment", 0, "ethnic_category", "Other"), "recruitment", "ethnic_category", "warning", 1, "row 2 (application_id=A1)"),
    ("unknown_code", setv("staff", 0, "disability", "yes"), "staff", "disability", "warning", 1, "row 2 (staff_id=P1)"),
    ("unknown_code", setv("staff", 0, "sex", "X"), "staff", "sex", "warning", 1, "row 2 (staff_id=P1)"),
    ("unknown_code", setv("staff", 0, "sexual_orientation", "7"), "staff", "sexual_orientation", "warning", 1, "row 2 (staff_id=P1)"),
    ("unknown_code", setv("staff", 0, "age_band", "30-39"), "staff", "age_band", "warning", 1, "row 2 (staff_id=P1)"),
    ("unknown_code", setv("staff", 0, "band", "Band 10"), "staff", "band", "warning", 1, "row 2 (staff_id=P1)"),
    ("unknown_code", setv("staff", 0, "contract_type", "Permanent"), "staff", "contract_type", "warning", 1, "row 2 (staff_id=P1)"),
    ("unknown_code", setv("casework", 0, "process", "grievance"), "casework", "process", "warning", 1, "row 2 (case_id=C1)"),
    ("unknown_code", setv("board", 1, "ethnic_category", "Other"), "board", "ethnic_category", "warning", 1, "row 3 (member_id=B2)"),
    ("duplicate_key", dup_row("staff", 4), "staff", "staff_id, snapshot_date", "error", 2, "staff_id=P2, snapshot_date=2025-03-31 (2 rows)"),
    ("duplicate_key", dup_row("recruitment", 0), "recruitment", "application_id", "error", 2, "application_id=A1 (2 rows)"),
    ("duplicate_key", dup_row("board", 1), "board", "member_id, snapshot_date", "error", 2, "member_id=B2, snapshot_date=2025-03-31 (2 rows)"),
    ("start_after_snapshot", setv("staff", 2, "org_start_date", "2024-04-01"), "staff", "org_start_date", "error", 1, "row 4 (staff_id=P3)"),
    ("leave_before_start", setv("leavers", 0, "leave_date", "2019-12-31"), "leavers", "leave_date", "error", 1, "row 2 (staff_id=P2)"),
    ("fte_out_of_range", setv("staff", 0, "fte", "0"), "staff", "fte", "error", 1, "row 2 (staff_id=P1)"),
    ("fte_out_of_range", setv("staff", 1, "fte", "1.51"), "staff", "fte", "error", 1, "row 3 (staff_id=P2)"),
    ("fte_out_of_range", setv("staff", 1, "fte", "37.5"), "staff", "fte", "error", 1, "row 3 (staff_id=P2)"),
    ("fte_out_of_range", setv("leavers", 0, "fte", "-0.5"), "leavers", "fte", "error", 1, "row 2 (staff_id=P2)"),
    ("negative_pay", setv("staff", 1, "hourly_pay", "-0.01"), "staff", "hourly_pay", "error", 1, "row 3 (staff_id=P2)"),
    ("bank_spelling", setv("staff", 2, "contract_type", "Bank Staff"), "staff", "contract_type", "error", 1, "row 4 (staff_id=P3)"),
    ("full_pay_unpaid", setv("staff", 1, "hourly_pay", "0"), "staff", "hourly_pay", "error", 1, "row 3 (staff_id=P2)"),
    ("pay_out_of_range", setv("staff", 0, "hourly_pay", "453"), "staff", "hourly_pay", "error", 1, "row 2 (staff_id=P1)"),
    ("negative_pay", setv("staff", 5, "bonus_pay", "-1500"), "staff", "bonus_pay", "error", 1, "row 7 (staff_id=P3)"),
    ("appointed_not_shortlisted", setv("recruitment", 2, "appointed", "Yes"), "recruitment", "appointed", "error", 1, "row 4 (application_id=A3)"),
    ("unknown_staff_id", setv("leavers", 0, "staff_id", "P9"), "leavers", "staff_id", "warning", 1, "row 2 (staff_id=P9)"),
    ("unknown_staff_id", setv("casework", 0, "staff_id", "P9"), "casework", "staff_id", "warning", 1, "row 2 (staff_id=P9)"),
    ("unknown_staff_id", setv("training", 0, "staff_id", "P9"), "training", "staff_id", "warning", 1, "row 2 (staff_id=P9)"),
    ("empty_table", empty("staff"), "staff", "", "error", 0, None),
    ("empty_table", empty("training"), "training", "", "warning", 0, None),
    ("snapshot_not_31_march", setv("board", 0, "snapshot_date", "2025-04-01"), "board", "snapshot_date", "warning", 1, "2025-04-01 (1 row)"),
    ("label_variants", setv("staff", 0, "directorate", "adult "), "staff", "directorate", "warning", 1, "row 2 (staff_id=P1)"),
    ("label_variants", setv("staff", 5, "staff_group", "Allied health  professionals"), "staff", "staff_group", "warning", 1, "row 7 (staff_id=P3)"),
]


@pytest.mark.parametrize(
    ("rule", "mutate", "table", "column", "severity", "count", "example"),
    CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)],
)
def test_each_rule_fails_on_its_example(rule, mutate, table, column, severity, count, example):
    frames = base()
    mutate(frames)
    report = run(frames)
    found = [(f.table, f.column, f.rule, f.severity, f.count) for f in report.findings]
    assert found == [(table, column, rule, severity, count)]
    [finding] = report.findings
    assert finding.message and finding.severity == RULES[rule][0] or rule == "empty_table"
    if example is not None:
        assert finding.examples[0] == example
    assert report.ok is (severity == "warning")


@pytest.mark.parametrize("fte", ["0.01", "1.5"])
def test_fte_boundaries_are_allowed(fte):
    frames = base()
    frames["staff"].loc[0, "fte"] = fte
    assert run(frames).findings == []


def test_rehire_leave_date_uses_earliest_start():
    # P1 left in 2012 and came back: the 2015 start is after the leave, the 2010 one before.
    # (The 2024 snapshot still giving the 2010 start says P1 was in post in the spell the
    # 2012 row ended: leaver_in_post, a finding of its own.)
    frames = base()
    frames["staff"].loc[0, "org_start_date"] = "2010-01-01"
    frames["leavers"] = pd.DataFrame({"staff_id": ["P1"], "leave_date": ["2012-05-31"]})
    assert [f.rule for f in run(frames).findings] == ["leaver_in_post"]
    frames["staff"].loc[0, "org_start_date"] = "2015-06-01"
    frames["staff"] = pd.concat([frames["staff"].iloc[:1].assign(
        snapshot_date="2011-03-31", org_start_date="2010-01-01"), frames["staff"]],
        ignore_index=True)
    assert run(frames).findings == []


def test_missing_column_names_a_near_miss():
    frames = base()
    frames["staff"] = frames["staff"].rename(columns={"band": "Band "})
    [f] = run(frames).findings
    assert (f.rule, f.column) == ("missing_column", "band") and "'Band '; rename it" in f.message


def test_label_variants_name_each_spelling_and_the_nhs_staff_group():
    """Two spellings of a directorate are two directorates to equity: the warning names each
    with its rows. A staff group written only in another case ('Allied health
    professionals' in every row) has nothing to sit beside in the data: it is compared with
    the NHS name, which it would leave with nobody (every AHP report empty)."""
    frames = base()
    frames["staff"].loc[[0], "directorate"] = "ADULT"
    frames["staff"]["staff_group"] = "Allied health professionals"
    found = {f.column: f for f in run(frames).findings}
    assert set(found) == {"directorate", "staff_group"}
    d, g = found["directorate"], found["staff_group"]
    assert (d.rule, d.severity, d.count) == ("label_variants", "warning", 1)
    assert "'ADULT' (1 rows) beside 'Adult' (3 rows)" in d.message
    assert (g.rule, g.count) == ("label_variants", 6)
    assert ("'Allied health professionals' (6 rows) beside 'Allied Health Professionals' "
            "(the NHS name, no rows)") in g.message
    assert "under values: in the mapping file" in g.message


def test_examples_are_capped_at_five_and_counted_in_full():
    frames = base()
    frames["staff"] = pd.concat([frames["staff"]] * 4, ignore_index=True)
    frames["staff"]["snapshot_date"] = [f"{y}-03-31" for y in range(2001, 2025)]
    frames["staff"]["fte"] = "2"
    frames["staff"]["org_start_date"] = "2000-01-01"
    [f] = run(frames).findings
    assert (f.rule, f.count, len(f.examples)) == ("fte_out_of_range", 24, 5)


# --------------------------------------------------------------------------- the broken folder


def broken(engine: str = "pandas") -> ValidationReport:
    with pytest.warns(DataQualityWarning):
        return validate(read_dataset(FIXTURES / "broken", engine=engine))


def test_broken_folder_names_every_problem_in_one_report():
    report = broken()
    found = {(f.table, f.column, f.rule) for f in report.findings}
    # every rule but the DuckDB-file one (tests/test_io.py::test_duckdb_file) and those of
    # the bad-input corpus (tests/test_bad_input.py), one fault per case
    corpus = {"time_of_day", "header_renamed", "mapped_column_not_found", "sheet_chosen", "formula_cell", "future_date",
              "blank_column", "pay_out_of_range", "full_pay_unpaid", "leaver_twice",
              "leaver_in_post", "bank_spelling", "survey_inconsistent", "unknown_label", "blank_at_snapshot", "staff_id_case",
              "event_before_start", "all_appointed", "survey_percentages",
              "no_matching_ids",
              "label_variants", "benchmark_out_of_range", "event_table_short"}
    assert {f.rule for f in report.findings} == set(RULES) - {"unknown_table"} - corpus
    expected = {
        ("dataset", "", "unknown_file"),
        ("staff", "snapshot_date", "unparseable_date"),
        ("staff", "fte", "unparseable_number"),
        ("staff", "full_pay", "unparseable_boolean"),
        ("staff", "directorate", "missing_value"),
        ("staff", "ethnic_category", "ethnic_label_as_code"),
        ("staff", "staff_id, snapshot_date", "duplicate_key"),
        ("staff", "fte", "fte_out_of_range"),
        ("staff", "band", "band_spelling"),  # "4" for "Band 4"
        ("staff", "hourly_pay", "negative_pay"),
        ("staff", "org_start_date", "start_after_snapshot"),
        ("staff", "snapshot_date", "snapshot_not_31_march"),
        *{("staff", c, "unknown_code") for c in (
            "ethnic_category", "disability", "sex", "sexual_orientation", "age_band", "band",
            "contract_type")},
        ("leavers", "leave_date", "leave_before_start"),
        ("leavers", "staff_id", "unknown_staff_id"),
        ("recruitment", "vacancy_id", "missing_column"),
        ("recruitment", "appointed", "appointed_not_shortlisted"),
        ("casework", "process", "unknown_code"),
        ("training", "", "empty_table"),
    }
    assert found == expected
    assert (len(report.errors), len(report.warnings)) == (12, 13)
    text = report.format()
    assert text.splitlines()[0] == "12 errors, 13 warnings in " + str(FIXTURES / "broken") + "."
    # errors all come before warnings
    assert text.index("Errors:") < text.index("Warnings:")
    assert text.rindex("\nERROR ") < text.index("\nWARNING ")


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_rules_give_the_same_counts_on_every_engine(engine):
    key = lambda r: sorted((f.table, f.column, f.rule, f.severity, f.count) for f in r.findings)  # noqa: E731
    assert key(broken(engine)) == key(broken())


# --------------------------------------------------------------------------- the report object


def test_report_frame_html_and_raise():
    frames = base()
    frames["staff"].loc[0, "hourly_pay"] = "-123.45"
    frames["staff"].loc[1, "sex"] = "X"
    report = run(frames)
    df = report.to_frame()
    assert list(df.columns) == ["severity", "table", "column", "rule", "count", "examples", "message"]
    assert df[["severity", "rule", "count"]].values.tolist() == [
        ["error", "negative_pay", 1], ["warning", "unknown_code", 1]]
    html = report._repr_html_()
    assert html.startswith("<table><caption>1 error, 1 warning in &lt;memory&gt;</caption>")
    assert html.count("<tr") == 3 and '<th scope="col">rule</th>' in html
    # a person's pay never appears in the report, only their row and id
    assert "123" not in report.format() + html + df.to_csv()
    with pytest.raises(ValidationError, match="1 error, 1 warning") as err:
        report.raise_for_errors()
    assert err.value.report is report
    assert run(base()).raise_for_errors().ok


def test_rules_on_lazy_data_give_ids_not_row_numbers():
    frames = base()
    frames["staff"].loc[2, "fte"] = "3"
    ds = Dataset.from_frames(**frames)
    import polars as pl

    lazy = Dataset(**{n: pl.from_pandas(f).lazy() for n, f in ds.tables().items()}, engine="polars")
    [f] = validate(lazy).findings
    assert (f.rule, f.count, f.examples) == ("fte_out_of_range", 1, ("staff_id=P3",))


# --------------------------------------------------------------------------- command line


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = [str(EQUITY)] if EQUITY.exists() else [sys.executable, "-m", "equity"]
    return subprocess.run([*exe, *args], capture_output=True, text=True, timeout=120, check=False)


def test_cli_exit_0_on_clean_data(tmp_path):
    for name, df in base().items():
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    out = cli("validate", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("0 errors, 0 warnings in")


def test_cli_exit_1_on_errors_lists_them():
    out = cli("validate", str(FIXTURES / "broken"))
    assert out.returncode == 1
    assert out.stdout.startswith("12 errors, 13 warnings in")
    assert "[duplicate_key]" in out.stdout and "[unknown_staff_id]" in out.stdout
    assert "DataQualityWarning" not in out.stderr  # listed once, in the report


def test_cli_missing_folder_is_one_paragraph_without_traceback(tmp_path):
    out = cli("validate", str(tmp_path / "missing"))
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith("equity validate: No dataset at ")
    assert "Traceback" not in out.stderr and out.stderr.strip().count("\n") == 0


# The same handler in-process (no interpreter start-up): options and other expected errors.


def test_cli_mapping_option(capsys):
    from equity.cli import main

    rc = main(["validate", str(FIXTURES / "esr"), "--mapping", str(FIXTURES / "esr" / "mapping.yaml")])
    assert rc == 0, capsys.readouterr()
    assert capsys.readouterr().out.startswith("0 errors, 0 warnings")


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_cli_wrong_delimiter_is_one_paragraph(tmp_path, capsys, engine):
    from equity.cli import main

    (tmp_path / "staff.csv").write_text("staff_id;band\n1;Band 5\n")
    assert main(["validate", str(tmp_path), "--engine", engine]) == 1
    err = capsys.readouterr().err
    assert "staff.csv" in err and "separated by semicolons, not commas" in err
    assert err.strip().count("\n") == 0


def test_national_data_keys_people_by_organisation():
    # The same staff_id in two organisations is two people: no duplicate, no orphan.
    frames = base()
    staff = frames["staff"]
    other = staff.assign(organisation="R2")
    frames["staff"] = pd.concat([staff.assign(organisation="R1"), other], ignore_index=True)
    frames["leavers"] = frames["leavers"].assign(organisation="R2")
    frames["casework"] = frames["casework"].assign(organisation="R3")  # P3 is not at R3
    found = [(f.table, f.rule, f.count) for f in run(frames).findings]
    assert found == [("casework", "unknown_staff_id", 1)]


def _rejoiner(leave_dates: list[str]) -> Frames:
    # P1: a spell from 2010 (in post at 31 March 2024), left, re-joined on 1 September 2024
    # (in post at 31 March 2025). P2's leaving (2025-03-31) is kept.
    frames = base()
    frames["staff"].loc[0, "org_start_date"] = "2010-01-01"
    frames["staff"].loc[3, "org_start_date"] = "2024-09-01"
    frames["leavers"] = pd.concat([
        pd.DataFrame({"staff_id": ["P1"] * len(leave_dates), "leave_date": leave_dates,
                      "leaving_reason": ["Relocation"] * len(leave_dates),
                      "fte": ["1.0"] * len(leave_dates)}),
        frames["leavers"]], ignore_index=True)
    return frames


@pytest.mark.parametrize(("leave_dates", "count", "examples"), [
    # Left the first spell before re-joining: the spell in force at leaving began in 2010.
    (["2024-06-30"], 0, ()),
    # ... and left the second spell on the day of the 2025 snapshot.
    (["2024-06-30", "2025-03-31"], 0, ()),
    # Leaving on the first day of a spell is allowed.
    (["2010-01-01"], 0, ()),
    # Before any spell had begun (2009, before the 2010 start): an error; the 2024 row is not.
    (["2009-12-31", "2024-06-30"], 1, ("row 2 (staff_id=P1)",)),
])
def test_rejoiner_leave_dates_against_the_spell_in_force(leave_dates, count, examples):
    found = [f for f in run(_rejoiner(leave_dates)).findings if f.rule == "leave_before_start"]
    assert sum(f.count for f in found) == count
    assert tuple(e for f in found for e in f.examples) == examples


def test_leave_before_start_compares_within_the_organisation():
    # P2 started at R1 on 2020-01-15. A leaving from R2 in 2019 (moving trusts) is no error;
    # the same date at R1 is.
    frames = base()
    frames["staff"] = frames["staff"].assign(organisation="R1")
    frames["leavers"] = pd.DataFrame({"staff_id": ["P2", "P2"], "organisation": ["R2", "R1"],
                                      "leave_date": ["2019-06-30", "2019-07-31"]})
    found = [(f.rule, f.count, f.examples) for f in run(frames).findings
             if f.rule == "leave_before_start"]
    assert found == [("leave_before_start", 1, ("row 3 (staff_id=P2)",))]


# --------------------------------------------------------------------------- the gate


def _computing_functions() -> list[str]:
    import equity as eq

    skip = {"validate", "read_dataset", "write_sample", "narrative", "sentence", "render_reports",
            "registry_table", "make_result", "concat_results", "apply_disclosure",
            "disclosure_note", "publish_counts", "write_table",
            "standard_template", "write_template"}  # these lay out a computed table
    return [n for n in eq.__all__ if callable(getattr(eq, n)) and not isinstance(getattr(eq, n), type)
            and n.islower() and n not in skip]


@pytest.mark.parametrize("name", _computing_functions())
def test_every_computing_entry_point_stops_on_validation_errors(name):
    import equity as eq

    frames = base()
    frames["staff"] = pd.concat([frames["staff"], frames["staff"].head(1)], ignore_index=True)
    with pytest.raises(ValidationError, match=r"staff.staff_id, snapshot_date \[duplicate_key\]"):
        getattr(eq, name)(Dataset.from_frames(**frames), period="2024/25")


def test_require_valid_checks_a_dataset_once_and_again_when_a_table_changes(monkeypatch):
    import equity as eq

    v = sys.modules["equity.validation"]  # (equity.validation is also the function)
    calls = []
    real = v._validate
    monkeypatch.setattr(v, "_validate", lambda ds: calls.append(1) or real(ds))
    frames = base()
    frames["staff"].loc[0, "ethnic_category"] = "Q"  # an unknown code: a warning
    ds = Dataset.from_frames(**frames)
    assert validate(ds).warnings  # an analyst looks first: the entry points reuse it
    first = eq.representation(ds, period="2024/25")
    eq.wres(ds, period="2024/25")
    eq.indicators(ds, period="2024/25")  # the families call one another: still one validation
    assert len(calls) == 1
    assert first.attrs["warnings"] == [{
        "table": "staff", "column": "ethnic_category", "rule": "unknown_code", "count": 1,
        "message": first.attrs["warnings"][0]["message"]}]
    ds.staff = Dataset.from_frames(staff=base()["staff"]).staff  # a new table: checked again
    assert eq.representation(ds, period="2024/25").attrs["warnings"] == []
    assert len(calls) == 2
    assert v.require_valid(ds).ok


def test_a_table_changed_in_place_after_validation_is_validated_again():
    """An analyst computes, then edits a table in place (the same object): the next call
    checks it again. A duplicate staff row made this way was computed on, with no error."""
    import equity as eq

    ds = Dataset.from_frames(**base())
    assert validate(ds).ok
    eq.representation(ds, period="2024/25")
    staff = ds.staff
    staff.loc[1, ["staff_id", "snapshot_date"]] = staff.loc[0, ["staff_id", "snapshot_date"]]
    assert ds.staff is staff
    with pytest.raises(ValidationError, match=r"staff_id, snapshot_date \[duplicate_key\]"):
        eq.representation(ds, period="2024/25")
    assert "duplicate_key" in {f.rule for f in validate(ds).errors}


def test_a_table_with_cells_pandas_cannot_hash_is_still_computed():
    """An extra column of lists (kept, as unknown columns are) cannot be hashed: the table
    is then compared by its shape, columns and types, not a TypeError at every call."""
    import equity as eq

    frames = base()
    frames["staff"] = frames["staff"].assign(notes=[[1]] * len(frames["staff"]))
    ds = Dataset.from_frames(**frames)
    assert len(eq.representation(ds, period="2024/25")) == 3
    assert len(eq.representation(ds, period="2024/25")) == 3


def test_a_large_table_is_compared_by_its_shape_and_validate_checks_it_afresh(monkeypatch):
    """Above CONTENT_CHECK_ROWS a pandas table is not hashed at every call (seconds at
    national scale): a value changed in place is then found by calling validate again, as
    the data dictionary says; a column added or retyped is found by the next computation."""
    import equity as eq

    v = sys.modules["equity.validation"]
    monkeypatch.setattr(v, "CONTENT_CHECK_ROWS", 1)
    ds = Dataset.from_frames(**base())
    eq.representation(ds, period="2024/25")
    staff = ds.staff
    staff.loc[1, ["staff_id", "snapshot_date"]] = staff.loc[0, ["staff_id", "snapshot_date"]]
    eq.representation(ds, period="2024/25")  # the same shape, columns and types: not seen
    assert "duplicate_key" in {f.rule for f in validate(ds).errors}
    with pytest.raises(ValidationError, match="duplicate_key"):
        eq.representation(ds, period="2024/25")
    staff["fte"] = staff["fte"].astype("float32")  # the table's own object, a column retyped
    staff.loc[1, "staff_id"] = "P9"
    assert v._tables_of(ds)[0][1] != ds._validation[0][0][1]
    assert eq.representation(ds, period="2024/25").attrs["warnings"] == []


def test_a_code_recoded_in_place_after_computing_is_read_afresh():
    """What the indicators remember of a table (its distinct codes: the spellings of "Bank")
    is forgotten when it changes in place. The sample's 1,324 bank rows recoded "BANK" after a
    first computation were counted in post by WRES 1 (no bank staff left out, at 31 March
    2025 192), where the same data read fresh leaves them out."""
    import equity as eq

    def recode(ds: Dataset) -> None:
        bank = ds.staff["contract_type"] == "Bank"
        assert int(bank.sum()) == 1324
        ds.staff.loc[bank, "contract_type"] = "BANK"

    edited = read_dataset(SAMPLE)
    eq.wres(edited, period="2024/25", indicators=("wres_1",))
    recode(edited)
    fresh = read_dataset(SAMPLE)
    recode(fresh)
    got, expected = (eq.wres(d, period="2024/25", indicators=("wres_1",)) for d in (edited, fresh))
    pd.testing.assert_frame_equal(got, expected)
    bank = [e["count"] for e in got.attrs["exclusions"] if e["reason"] == "bank staff"]
    staff = fresh.staff
    at_end = staff["snapshot_date"] == pd.Timestamp("2025-03-31")
    assert bank == [int((at_end & (staff["contract_type"] == "BANK")).sum())] == [192]
    assert "unknown_code" in {w["rule"] for w in got.attrs["warnings"]}


@pytest.mark.parametrize(("leavers", "rules"), [
    # one of P2's posts ended in September; P2 is in post at 31 March 2025, same start
    ([("P2", "2024-09-30")], ["leaver_in_post"]),
    # P2's leaving listed twice, by two posts ending a fortnight apart
    ([("P2", "2025-03-31"), ("P2", "2025-04-14")], ["leaver_twice"]),
    # P1 left in June and re-joined on 1 September (the 2025 snapshot's start): two spells,
    # one leaving each (the second on the snapshot day)
    ([("P1", "2024-06-30"), ("P1", "2025-03-31")], []),
])
def test_leavers_rows_must_each_end_an_employment(leavers, rules):
    """ESR lists leavers by assignment: a post that ended while the person stayed counted as
    leaving the trust, and a person's two posts counted one leaving twice (Older People's
    BME leaver ratio 1.6, an interval including 1, became 2.5 without)."""
    frames = base()
    frames["staff"].loc[3, "org_start_date"] = "2024-09-01"  # P1 re-joined
    frames["leavers"] = pd.DataFrame({"staff_id": [p for p, _ in leavers],
                                      "leave_date": [d for _, d in leavers]})
    found = run(frames).findings
    assert [f.rule for f in found] == rules
    # still in post: an error; two rows with no re-join seen: a warning (someone who left,
    # re-joined and left again between two snapshots has them too)
    assert all(f.count == len(leavers) and f.severity == {
        "leaver_in_post": "error", "leaver_twice": "warning"}[f.rule] for f in found)


def test_a_dataset_built_from_frames_as_read_is_refused_with_the_way_to_build_it():
    """`eq.Dataset(staff=pd.read_csv(...))` (the class is public) holds dates as text:
    validation failed with "TypeError: Invalid comparison between dtype=str and Timestamp"
    given leavers too, and with staff alone reported every check passed."""
    import equity as eq

    raw = base()
    with pytest.raises(InputError, match=r"staff table's snapshot_date, org_start_date .*"
                                         r"Dataset\.from_frames"):
        validate(eq.Dataset(staff=raw["staff"], leavers=raw["leavers"]))
    with pytest.raises(InputError, match="not dates"):
        eq.wres(eq.Dataset(staff=raw["staff"]), period="2024/25")
    assert validate(eq.Dataset.from_frames(staff=raw["staff"])).ok
