"""pyproject.toml declares what the code imports and agrees with environment.yml; the wheel
carries the notebooks and the docs; the package imports; the CLI is installed."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "equity"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

#: Modules imported only by an optional engine, and the extra that installs each.
OPTIONAL_IMPORTS = {"polars": "scale", "duckdb": "scale", "pyspark": "spark"}
#: Runtime dependencies the code does not import itself, and why they are declared.
USED_INDIRECTLY = {
    "openpyxl": "pandas reads and writes .xlsx datasets and workbooks with it",
    "nbclient": "papermill executes the report notebooks with it",
    "nbformat": "papermill and nbconvert read and write the notebooks with it",
    "ipykernel": "the python3 kernel papermill starts for each report",
}


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


def _dists(requirements: list[str]) -> set[str]:
    return {_name(r) for r in requirements}


def _imported_distributions() -> dict[str, set[str]]:
    """Distribution name -> the third-party modules of it that ``src/equity`` imports."""
    modules: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {"equity"}
    owners = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for m in sorted(modules):
        assert m in owners, f"src/equity imports {m}, which no installed distribution provides"
        for dist in owners[m]:
            found.setdefault(_name(dist), set()).add(m)
    return found


def test_every_import_is_declared():
    runtime = _dists(PROJECT["dependencies"])
    extras = PROJECT["optional-dependencies"]
    undeclared = {}
    for dist, modules in _imported_distributions().items():
        if dist in runtime:
            continue
        extra = {OPTIONAL_IMPORTS.get(m) for m in modules}
        if len(extra) == 1 and None not in extra and dist in _dists(extras[extra.pop()]):
            continue
        undeclared[dist] = sorted(modules)
    assert undeclared == {}, f"imported by src/equity but not a runtime dependency: {undeclared}"


def test_every_runtime_dependency_is_used():
    """A runtime dependency is imported by the code or listed with its reason (test-only
    packages such as statsmodels belong in the ``dev`` extra)."""
    unused = _dists(PROJECT["dependencies"]) - set(_imported_distributions())
    assert sorted(unused - set(USED_INDIRECTLY)) == [], "declared but never imported (move to dev?)"
    assert sorted(set(USED_INDIRECTLY) - _dists(PROJECT["dependencies"])) == []


def test_environment_yml_holds_nothing_undeclared():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    declared = _dists(PROJECT["dependencies"]) | {"python", "pip"}
    for extra in ("scale", "lab"):
        declared |= _dists(PROJECT["optional-dependencies"][extra])
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    stray = sorted(n for n in conda if n not in declared and n.removeprefix("python-") not in declared)
    assert stray == [], f"environment.yml lists packages pyproject.toml does not declare: {stray}"


def _package_data() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["equity"]


def test_package_data_covers_the_notebooks_and_docs():
    """``src/equity/notebooks`` and ``src/equity/docs`` lead to the repository's folders and the
    package-data patterns match every notebook and every doc (what the wheel will carry)."""
    for folder in ("notebooks", "docs"):
        assert (PACKAGE / folder).resolve() == ROOT / folder
    matched = {p.resolve() for pattern in _package_data() for p in PACKAGE.glob(pattern)}
    wanted = {*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "docs").glob("*.md")}
    assert len(wanted) >= 6
    assert wanted - matched == set()


@pytest.mark.slow
def test_built_wheel_carries_the_notebooks_and_docs(tmp_path):
    """Built from a copy of the checkout (symlinks kept as symlinks), so the build's
    by-products stay out of the working tree."""
    src = tmp_path / "checkout"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("src", "notebooks", "docs"):
        shutil.copytree(ROOT / folder, src / folder, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    assert (src / "src" / "equity" / "notebooks").is_symlink()
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
         str(tmp_path / "dist"), str(src)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    (wheel,) = (tmp_path / "dist").glob("equity-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"equity/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    wanted |= {f"equity/docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert wanted - names == set()
