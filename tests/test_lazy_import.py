"""``import equity`` is cheap: its names resolve on first use, and the heavy libraries load
where they are used (issue 22)."""

from __future__ import annotations

import subprocess
import sys
import types

import equity


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_equity_loads_no_library():
    loaded = _modules_after("import equity")
    assert not {m for m in loaded if m.split(".")[0] in (
        "pandas", "numpy", "narwhals", "pyarrow", "scipy", "matplotlib", "seaborn",
        "statsmodels", "polars", "duckdb", "pyspark")}
    assert {m for m in loaded if m.startswith("equity.")} == {"equity._version"}  # a string


def test_the_indicators_load_no_plotting_statistics_or_other_engine():
    loaded = {m.split(".")[0] for m in _modules_after(
        "import equity as eq\neq.indicators\neq.read_dataset")}
    assert "pandas" in loaded and "narwhals" in loaded  # (the test sees the import happen)
    assert not loaded & {"scipy", "matplotlib", "seaborn", "statsmodels", "polars", "duckdb",
                         "pyspark"}


def test_every_public_name_resolves_and_is_listed():
    for name in equity.__all__:
        assert not isinstance(getattr(equity, name), types.ModuleType) or name in ("plots", "synth")
    assert set(equity.__all__) <= set(dir(equity))
    assert {"codes", "cube", "stats", "io", "__version__"} <= set(dir(equity))
    assert isinstance(equity.codes, types.ModuleType)


def test_unknown_name_is_an_attribute_error():
    try:
        equity.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("equity.no_such_name resolved")


def test_each_public_name_means_one_thing():
    # The functions indicators / validate / narrative and the modules holding them have
    # different names (issue 23), so importing a module never rebinds a function's name, and
    # no public function shares its name with a submodule of equity.
    code = ("import equity\nimport equity.measures.wres, equity.validation, equity.narration\n"
            "print(callable(equity.indicators), callable(equity.validate), "
            "callable(equity.narrative))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]
    import pkgutil
    modules = {m.name for m in pkgutil.walk_packages(equity.__path__)}
    functions = {n for n in dir(equity) if callable(getattr(equity, n))
                 and not isinstance(getattr(equity, n), (type, types.ModuleType))}
    assert not (modules & functions)
    assert {"measures", "validation", "narration"} <= modules
