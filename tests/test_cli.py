"""The command line: --version, help and default on every option, one default staff group,
expected errors as one line without a traceback, and ``equity gpg`` on a worked example."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import equity as eq
from _render_once import ROOT, sample_dir
from equity import codes
from equity.cli import build_parser, main


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return sample_dir(tmp_path_factory.mktemp("sample"))


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"equity": parser, **sub.choices}


def _options() -> list[tuple[str, argparse.Action]]:
    return [(name, a) for name, p in _subcommands().items() for a in p._actions
            if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)]


@pytest.mark.parametrize(("command", "action"), _options(),
                         ids=[f"{c}:{a.dest}" for c, a in _options()])
def test_every_option_has_help_stating_its_default(command, action):
    assert action.help and action.help.strip(), action.dest
    if isinstance(action, argparse._VersionAction) or not action.option_strings:
        return  # --version and positional arguments have no default
    assert "default" in action.help, (command, action.dest, action.help)
    if isinstance(action.default, str | int) and not isinstance(action.default, bool):
        assert str(action.default) in action.help, (command, action.dest, action.help)


def test_every_command_has_a_staff_group_default_and_period_optional():
    commands = _subcommands()
    for name in ("indicators", "report"):
        acts = {a.dest: a for a in commands[name]._actions}
        assert acts["staff_group"].default == codes.AHP_STAFF_GROUP
        assert "'all' for every group" in acts["staff_group"].help
    for name in ("indicators", "report", "gpg"):
        period = next(a for a in commands[name]._actions if a.dest == "period")
        assert period.default is None and not period.required


def test_report_renders_the_overview_with_all_or_when_asked():
    parse = build_parser().parse_args
    assert parse(["report", "d", "--all"]).overview is None  # render_reports: with --all
    assert parse(["report", "d", "--directorate", "X"]).overview is None  # ... not here
    assert parse(["report", "d", "--directorate", "X", "--overview"]).overview is True
    assert parse(["report", "d", "--all", "--no-overview"]).overview is False


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"equity {eq.__version__}"
    from equity._version import __version__
    assert eq.__version__ == __version__


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "equity", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def test_expected_output_errors_are_one_line(sample, tmp_path):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "mine.csv").write_text("the user's own file\n")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("the team's own page")
    cases = {
        ("indicators", str(sample), "--out", str(tmp_path / "folder.csv")): "existing folder",
        ("indicators", str(sample), "--out", str(tmp_path / "mine.csv")): "--force",
        ("indicators", str(sample), "--out", str(sample / "staff.csv")): "input folder",
        ("indicators", str(sample), "--out", str(tmp_path / "r.json")): ".xlsx",
        ("report", str(sample), "--all", "--out", str(sample)): "input folder",
        ("report", str(sample), "--all", "--out", str(tmp_path / "a-file")): "not a folder",
        ("report", str(sample), "--all", "--out", str(tmp_path / "site")): "index.html",
        ("report", str(sample), "--all", "--out", str(tmp_path / "r"), "--period", "2031/32"):
            "no snapshot at 31 March 2032",
    }
    for args, says in cases.items():
        out = _run(*args)
        assert out.returncode == 1, (args, out.stderr)
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
        assert says in out.stderr, (args, out.stderr)
    assert (tmp_path / "mine.csv").read_text() == "the user's own file\n"
    assert (tmp_path / "site" / "index.html").read_text() == "the team's own page"


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a folder nobody may write to")
def test_a_read_only_out_is_one_line(sample):
    out = _run("indicators", str(sample), "--out", "/sys/equity-results.csv")
    assert out.returncode == 1 and out.stderr.count("\n") == 1, out.stderr
    assert "Cannot write to the folder '/sys'" in out.stderr


# --------------------------------------------------------------------------- equity gpg


def gpg_dataset(folder: Path) -> Path:
    """Eight full-pay employees at 31 March 2025, worked by hand below.

    Hourly pay, men 10, 14, 18, 22 (mean 16, median 16); women 8, 9, 16, 20 (mean 13.25,
    median 12.5). Mean gap (16 - 13.25) / 16 = 17.1875%; median gap (16 - 12.5) / 16 =
    21.875%. Ranked: 8 F, 9 F | 10 M, 14 M | 16 F, 18 M | 20 F, 22 M: lower quarter 100%
    women, lower middle 100% men, upper middle and top half each.
    Bonus, men 0, 100, 200, 300 (3 of 4 receive: 75%; mean and median of those who receive
    200); women 0, 0, 50, 150 (2 of 4: 50%; mean and median 100): both bonus gaps 50%.
    """
    men = [(10, 0), (14, 100), (18, 200), (22, 300)]
    women = [(8, 0), (9, 0), (16, 50), (20, 150)]
    rows = [{"staff_id": f"p{i}", "snapshot_date": "2025-03-31", "directorate": "Therapies",
             "staff_group": "Allied Health Professionals", "profession": "Physiotherapists",
             "band": "Band 5", "fte": 1.0, "contract_type": "Substantive",
             "ethnic_category": "A", "sex": sex, "disability": "No",
             "org_start_date": "2020-01-01", "hourly_pay": pay, "bonus_pay": bonus,
             "full_pay": "true"}
            for i, (sex, (pay, bonus)) in enumerate([*(("Male", p) for p in men),
                                                      *(("Female", p) for p in women)])]
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "staff.csv", index=False)
    return folder


def test_gpg_worked_example(tmp_path, capsys):
    data = gpg_dataset(tmp_path / "gpg")
    assert main(["gpg", str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Gender pay gap, whole employer, snapshot 31 March 2025 "
                               "(period 2024/25 (the latest 31 March snapshot in the data))")
    got = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert got == {
        "DiffMeanHourlyPercent": "17.2", "DiffMedianHourlyPercent": "21.9",
        "DiffMeanBonusPercent": "50.0", "DiffMedianBonusPercent": "50.0",
        "MaleBonusPercent": "75.0", "FemaleBonusPercent": "50.0",
        "MaleLowerQuartile": "0.0", "FemaleLowerQuartile": "100.0",
        "MaleLowerMiddleQuartile": "100.0", "FemaleLowerMiddleQuartile": "0.0",
        "MaleUpperMiddleQuartile": "50.0", "FemaleUpperMiddleQuartile": "50.0",
        "MaleTopQuartile": "50.0", "FemaleTopQuartile": "50.0",
    }


def test_gpg_period_given_and_unknown(tmp_path, capsys):
    data = gpg_dataset(tmp_path / "gpg")
    assert main(["gpg", str(data), "--period", "2024/25"]) == 0
    assert "(period 2024/25)" in capsys.readouterr().out
    assert main(["gpg", str(data), "--period", "2031/32"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("equity gpg: ") and err.count("\n") == 1


@pytest.mark.parametrize("command", [
    ["indicators", "--out", "{tmp}/out.csv"], ["gpg"],
    ["template", "--standard", "wres", "--out", "{tmp}/wres.xlsx"],
])
def test_data_are_checked_before_the_default_period_is_chosen(command, sample, tmp_path,
                                                              capsys):
    """ESR names the snapshot column "Effective Date": without --period, `equity
    indicators`, `gpg` and `template` chose the default period from the staff table before
    validating it, and stopped with a traceback (KeyError: 'snapshot_date'); dates written
    day/month/year gave "holds no complete financial year ... give --period", the wrong fix.
    Both now stop with the validation report, naming the column, rule and fix."""
    bad = tmp_path / "esr"
    bad.mkdir()
    for f in sample.glob("*.csv"):
        (bad / f.name).write_bytes(f.read_bytes())
    staff = pd.read_csv(bad / "staff.csv", dtype=str)
    staff.rename(columns={"snapshot_date": "Effective Date"}).to_csv(bad / "staff.csv",
                                                                      index=False)
    args = [a.format(tmp=tmp_path) for a in command]
    assert main([args[0], str(bad), *args[1:]]) == 1
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "Traceback" not in said and "KeyError" not in said
    assert "staff.snapshot_date (staff.csv) [missing_column] 14,328 rows" in said


def test_gpg_says_whom_its_figures_leave_out(tmp_path, capsys):
    """A full-pay man with no hourly pay recorded moves the statutory gap (the worked example
    without the man paid 22: mean of 10, 14, 18 = 14, gap (14 - 13.25) / 14 = 5.4%) and
    `equity gpg` said nothing of him; it names the exclusion as `equity indicators` does."""
    data = gpg_dataset(tmp_path / "gpg")
    staff = pd.read_csv(data / "staff.csv")
    staff.loc[staff["hourly_pay"] == 22, "hourly_pay"] = None
    staff.to_csv(data / "staff.csv", index=False)
    assert main(["gpg", str(data), "--period", "2024/25"]) == 0
    out, err = capsys.readouterr()
    assert f"{(14 - 13.25) / 14 * 100:.1f}" == "5.4"
    assert "DiffMeanHourlyPercent" in out and " 5.4 " in out
    assert ("equity gpg: excluded from pay_gap_mean, pay_gap_median, pay_quartile: full-pay "
            "employee with no hourly pay recorded (1 person)") in err


@pytest.mark.slow
def test_report_reads_the_data_with_a_mapping_file(sample, tmp_path):
    """An ESR extract's own headers ("Assignment Number", "Effective Date") need the mapping
    file, which `equity validate` and `equity indicators` took and `equity report` refused
    ("unrecognized arguments: --mapping"): the batch, its workers and each report's kernel
    now read the data with it, and the report names it."""
    esr = tmp_path / "esr"
    esr.mkdir()
    for f in sample.glob("*.csv"):
        (esr / f.name).write_bytes(f.read_bytes())
    staff = pd.read_csv(esr / "staff.csv", dtype=str)
    staff.rename(columns={"staff_id": "Assignment Number", "snapshot_date": "Effective Date"}
                 ).to_csv(esr / "staff.csv", index=False)
    mapping = tmp_path / "esr_mapping.yml"
    mapping.write_text("staff:\n  columns:\n    Assignment Number: staff_id\n"
                       "    Effective Date: snapshot_date\n", encoding="utf-8")
    out = tmp_path / "reports"
    assert main(["report", str(esr), "--directorate", "Older People", "--out", str(out),
                 "--period", "2024/25"]) == 1  # without the mapping: the validation report
    assert main(["report", str(esr), "--mapping", str(mapping), "--directorate",
                 "Older People", "--out", str(out), "--period", "2024/25"]) == 0
    page = next(out.glob("older-people-*.html")).read_text(encoding="utf-8")
    assert "Workforce equity report: Allied Health Professionals, Older People, 2024/25" in page
    assert "esr_mapping.yml" in page
