"""A report's own work is done once: what its sections compute beside the indicator families
(monthly leaver series, survival curves, findings at each rung) is cached on the report's
context or shares its counts, and the figures are those of a fresh computation."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest

from equity.errors import InputError
from equity.report import context, sections
from equity.report.context import load

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture()
def ctx():
    """A fresh context (nothing cached) for one directorate of the sample."""
    return load(SAMPLE, period="2024/25", directorate="Older People")


def test_measure_computes_once_and_returns_the_same_table(ctx):
    calls = []

    def fn(dataset, *, x):
        calls.append(x)
        return {"x": x}

    first = ctx.measure(fn, x=1)
    assert ctx.measure(fn, x=1) is first and calls == [1]
    assert ctx.measure(fn, x=2) == {"x": 2} and calls == [1, 2]


def test_measure_raises_a_cached_equity_error_each_time(ctx):
    calls = []

    def fails(dataset):
        calls.append(1)
        raise InputError("no leavers table")

    for _ in range(2):
        with pytest.raises(InputError, match="no leavers table"):
            ctx.measure(fails)
    assert calls == [1]


def test_the_trend_series_count_the_leaver_spells_once(monkeypatch):
    """Every monthly series of the trends section (three quarterly, two yearly for a
    directorate whose quarters are withheld) reads the same leavers: joined to their last
    snapshot once per report, not once per series."""
    from equity.cube import _history
    from equity.measures import monthly

    joins, series = [], []
    join, monthly_leavers = _history._leaver_spells, monthly.monthly_leavers

    def counting_join(*args, **kwargs):
        joins.append(kwargs.get("start"))
        return join(*args, **kwargs)

    def counting_series(*args, **kwargs):
        series.append(kwargs.get("window"))
        return monthly_leavers(*args, **kwargs)

    monkeypatch.setattr(_history, "_leaver_spells", counting_join)
    monkeypatch.setattr(monthly, "monthly_leavers", counting_series)
    # a dataset read afresh (not one an earlier test in this process joined already)
    monkeypatch.setattr(context, "_SESSION", {})
    ctx = load(SAMPLE, period="2024/25", directorate="Older People")
    sections.trends_section(ctx)
    assert sorted(set(series)) == [3, 12] and len(series) >= 3
    assert len(joins) == 1


def test_selections_leave_the_tables_attrs_behind(ctx):
    """A family's attrs (exclusions, validation warnings) describe the whole table; the rows
    the findings select carry none (pandas would deep-copy them into every frame and column
    derived from the rows), and the family keeps its own."""
    from equity.report import findings as F
    from equity.result import bare

    fam = ctx.family("retention:ethnicity", directorate=None)
    before = dict(fam.attrs)
    assert before.get("exclusions") is not None
    rows = F._select(fam, "leaver_rate", "ethnicity")
    assert len(rows) and rows.attrs == {}
    assert bare(fam).attrs == {} and bare(fam).equals(fam)
    assert fam.attrs == before


def test_findings_control_each_table_once(ctx, monkeypatch):
    """Disclosure control of a rung's rows is done once per table: the pipeline's two steps
    (lower to middle, middle to upper) read the same published rows at each rung."""
    import equity.disclosure
    from equity.report import findings as F

    seen = []
    real = equity.disclosure.apply_disclosure

    def recording(result, **kwargs):
        seen.append(result.to_csv())
        return real(result, **kwargs)

    monkeypatch.setattr(equity.disclosure, "apply_disclosure", recording)
    said = F.findings(ctx)
    assert [f.variant for f in said if f.indicator == "pipeline_disparity"] == [
        "lower to middle", "middle to upper"]
    assert len(seen) > 10 and len(set(seen)) == len(seen)


def test_the_overview_controls_each_directorate_table_once(monkeypatch):
    """The directorates compared (table) and their funnel plots show the same published
    figures: each indicator's table by directorate is built and controlled once."""
    import equity.disclosure

    trust = load(SAMPLE, period="2024/25")
    seen = []
    real = equity.disclosure.apply_disclosure

    def recording(result, **kwargs):
        seen.append((str(result["indicator"].iloc[0]), str(result["period"].iloc[0])))
        return real(result, **kwargs)

    monkeypatch.setattr(equity.disclosure, "apply_disclosure", recording)
    sections.directorate_comparison_section(trust)
    sections.funnels_section(trust)
    # this year's table (the comparison and the funnels) and the three years' (the comparison)
    assert sorted(seen) == sorted((i, p) for i in sections.OVERVIEW_FUNCTIONS
                                  for p in ("2024/25", "2022/23 to 2024/25"))
    assert sections.by_directorate(trust, "leaver_rate") is sections.by_directorate(
        trust, "leaver_rate")
