"""pyproject.toml and environment.yml agree; the package imports; the CLI is installed."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~; \[]", req, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_every_runtime_dependency_is_in_environment_yml():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    # conda-forge packages a few projects under other names
    conda |= {n.removeprefix("python-") for n in conda}
    missing = sorted(_name(d) for d in project["dependencies"] if _name(d) not in conda)
    assert missing == [], f"runtime dependencies missing from environment.yml: {missing}"


def test_lower_bounds_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    for req in project["dependencies"]:
        spec = conda[_name(req)]
        assert spec.split(">=")[-1] == req.split(">=")[-1], (req, spec)


def test_environment_installs_the_package_editable():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pips = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pips and "-e ." in pips[0]["pip"]
    assert "conda-forge" in env["channels"]
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "equity", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("sample", "validate", "indicators", "report"):
        assert command in out.stdout


def test_public_names_are_importable():
    import equity

    for name in equity.__all__:
        assert hasattr(equity, name), name
