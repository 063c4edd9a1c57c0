"""Smoke tests of the charts and tables (no image baselines)."""

import html as html_lib
import math
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from equity import plots
from equity.result import make_result


@pytest.fixture
def ladder():
    rows = []
    for b in ["Band 5", "Band 6", "Band 8a"]:
        for g, v in [("White", 0.7), ("BME", 0.25), ("Unknown", 0.05)]:
            sup = g == "Unknown" and b == "Band 8a"
            rows.append({"band": b, "group_var": "ethnicity", "group": g,
                         "numerator": math.nan if sup else v * 100, "denominator": 100,
                         "value": math.nan if sup else v, "ci_low": math.nan if sup else v - 0.05,
                         "ci_high": math.nan if sup else v + 0.05, "suppressed": sup})
    return make_result(pd.DataFrame(rows), indicator="representation", period="2024/25")


def _check(chart, *words):
    assert isinstance(chart, plots.Chart)
    assert chart.png.startswith(b"\x89PNG")
    assert chart.alt.strip()
    data, meta = chart._repr_mimebundle_()
    assert meta["image/png"]["alt"] == chart.alt
    assert 'alt="' in data["text/html"] and "<figcaption>" in data["text/html"]
    for w in words:
        assert w in chart.alt


def test_palette_starts_with_nhs_blue():
    assert plots.PALETTE[0] == "#005EB8"
    assert len(set(plots.MARKERS)) == len(plots.MARKERS)


def test_band_ladder_marks_suppressed(ladder):
    _check(plots.band_ladder(ladder), "Band 8a Unknown: suppressed", "Band 5 BME: 25.0%")


def test_forest_plot():
    f = make_result(pd.DataFrame({
        "indicator": ["wres_2", "wres_3", "wdes_2"], "group": ["BME", "BME", "Disabled"],
        "reference_group": ["White", "White", "Non-disabled"], "ratio": [1.6, 0.9, np.nan],
        "ratio_ci_low": [1.2, 0.6, np.nan], "ratio_ci_high": [2.1, 1.3, np.nan],
        "status": ["adverse", "within_range", "insufficient_evidence"]}))
    _check(plots.forest(f), "0.80 to 1.25", "1.60 (1.20 to 2.10), adverse", "too few")


def test_funnel_spc_survival_pay():
    u = make_result(pd.DataFrame({"directorate": list("ABC"), "numerator": [10, 20, 5],
                                  "denominator": [100, 150, 60], "value": [0.1, 0.133, 0.083]}),
                    indicator="leaver_rate")
    n = np.linspace(10, 200, 20)
    se = np.sqrt(0.12 * 0.88 / n)
    lim = pd.DataFrame({"denominator": n, "lower_95": 0.12 - 2 * se, "upper_95": 0.12 + 2 * se})
    _check(plots.funnel(u, lim), "A: 10.0% of 100")
    s = pd.DataFrame({"period": ["a", "b", "c", "d"], "value": [0.1, 0.12, 0.11, 0.3],
                      "mean": 0.16, "lcl": 0.0, "ucl": 0.28,
                      "special_cause": [False, False, False, True]})
    _check(plots.spc(s), "Signals at d")
    km = pd.DataFrame({"group": ["White"] * 2 + ["BME"] * 2, "time": [0, 12] * 2,
                       "survival": [1, 0.9, 1, 0.8], "ci_low": [1, 0.85, 1, 0.7],
                       "ci_high": [1, 0.95, 1, 0.9]})
    _check(plots.survival(km), "BME: 80.0% still in post at 12 months")
    _check(plots.survival(km, state="not yet promoted"), "White: 90.0% not yet promoted at 12")
    q = make_result(pd.DataFrame({"variant": [f"Q{i}" for i in (1, 2) for _ in (0, 1)],
                                  "group": ["Female", "Male"] * 2, "value": [0.8, 0.2, 0.6, 0.4]}),
                    indicator="pay_quartile")
    _check(plots.pay_quarters(q), "Female: Q1 80.0%, Q2 60.0%")


def test_pay_quarters_show_withheld_shares_as_such_and_leave_out_nobody():
    # Q2's Male share is withheld (and so Female's, which would reveal it); Unknown has
    # nobody anywhere: no bar for it, and Q2 is a grey "withheld" block, not an empty row.
    q = make_result(pd.DataFrame({
        "variant": [f"Q{i}" for i in (1, 2) for _ in range(3)],
        "group": ["Female", "Male", "Unknown"] * 2,
        "value": [0.8, 0.2, 0.0, np.nan, np.nan, 0.0],
        "suppressed": [False, False, False, True, True, False]}), indicator="pay_quartile")
    chart = plots.pay_quarters(q)
    assert "Female: Q1 80.0%, Q2 suppressed" in chart.alt
    assert "grey block" in chart.alt and "Nobody in Unknown in any quarter" in chart.alt
    assert "Unknown:" not in chart.alt


def test_pay_quarter_shares_of_a_quarter_add_up_to_the_whole_bar():
    """Nursing and Midwifery in Mental Health Adults, 2024/25, lower quarter: the published
    counts 40 women and 10 men of a published 45 (each rounded alone) read 88.9% and 22.2%,
    a bar of 111% whose Male label sat over an 11% sliver. Where every group of a quarter is
    published the shares are out of the published counts together (40 / 50, 10 / 50); a
    quarter with a withheld group keeps its published share beside the grey block."""
    q = make_result(pd.DataFrame({
        "variant": [f"Q{i}" for i in (1, 2) for _ in range(3)],
        "group": ["Female", "Male", "Unknown"] * 2,
        "numerator": [40.0, 10.0, 0.0, 40.0, np.nan, 0.0], "denominator": 45.0,
        "value": [40 / 45, 10 / 45, 0.0, 40 / 45, np.nan, 0.0],
        "suppressed": [False, False, False, False, True, False]}), indicator="pay_quartile")
    chart = plots.pay_quarters(q)
    assert "Female: Q1 80.0%, Q2 88.9%; Male: Q1 20.0%, Q2 suppressed." in chart.alt
    assert "grey block" in chart.alt


def test_a_survival_curve_of_one_point_is_not_drawn_and_the_alt_says_so():
    km = pd.DataFrame({"group": ["White"] * 2 + ["BME"] * 2 + ["Unknown"],
                       "time": [0, 12, 0, 12, 6], "survival": [1, 0.9, 1, 0.8, 1.0],
                       "ci_low": [1, 0.85, 1, 0.7, np.nan], "ci_high": [1, 0.95, 1, 0.9, np.nan]})
    chart = plots.survival(km)
    assert "Unknown:" not in chart.alt
    assert chart.alt.endswith("Not drawn (too few people at risk): Unknown.")


def test_empty_inputs_give_a_chart_saying_so(ladder):
    _check(plots.band_ladder(ladder.iloc[:0]), "No band-level figures")


def test_html_table_escapes_and_scopes():
    t = plots.html_table(pd.DataFrame({"Directorate": ['<script>"x"</script>'], "n": [5]}),
                         caption="Cap <b>")
    assert "<script>" not in t and "&lt;script&gt;" in t
    assert '<th scope="col">' in t and '<th scope="row">' in t
    assert "<caption>Cap &lt;b&gt;</caption>" in t


def test_results_table_shows_suppressed_as_star(ladder):
    html = plots.results_table(ladder, caption="c").to_html()
    assert re.search(r'<td style="[^"]*">\*</td>', html)


def test_spc_chart_of_xmr_output_has_icons_in_words():
    from equity.stats import xmr

    vals = [0.10, 0.11, 0.10, 0.12, 0.11, 0.10, 0.11, 0.12, 0.10, 0.11, 0.07, 0.07, 0.07,
            0.07, 0.07, 0.07, 0.07]
    s = pd.DataFrame({"month": pd.date_range("2023-04-30", periods=len(vals), freq="ME"),
                      "value": vals})
    frame = xmr(s, x="month", improvement="decrease", target=0.12, rebase=[])
    chart = plots.spc(frame, x="month", title="Leaver rate")
    _check(chart, "Icons: Variation: improvement (low); Assurance: target consistently met",
           "Signals at Apr 2023 (7 Points Above CL, concern)",
           "Feb 2024 (Below LCL, improvement)")
    assert "Latest point: special cause variation: improvement" in chart.caption
    short = plots.spc(xmr(s.head(5), x="month"), x="month", title="Short")
    _check(short, "fewer than the 12 Making Data Count needs")


def test_funnel_states_population_method_and_outliers():
    u = make_result(pd.DataFrame({"directorate": list("ABC"), "numerator": [10, 60, 5],
                                  "denominator": [100, 150, 60], "value": [0.1, 0.4, 0.083]}),
                    indicator="leaver_rate")
    from equity.stats import funnel_limits

    grid = np.arange(1.0, 200)
    lim = funnel_limits(grid * 0.242, grid, target=0.242, method="wilson")
    chart = plots.funnel(u, lim, title="Leaver rate by directorate", target=0.242,
                         population="Leavers over average headcount, 2024/25",
                         method="Wilson score limits, as OHID Fingertips")
    _check(chart, "B: 40.0% of 150, above the 99.8% limit", "A: 10.0% of 100, below the 99.8% limit",
           "Overall rate 24.2%", "Leavers over average headcount")
    assert "Wilson score limits" in chart.caption



# Inline CSS properties JupyterLab's HTML sanitiser keeps (its ``allowedStyles``, from
# packages/apputils/src/sanitizer.ts; a subset: those a table could use), and the values it
# accepts for them. Anything else is dropped from an untrusted output.
_LAB_KEEPS = {
    "text-align": r"left|right|center|justify",
    "vertical-align": r"baseline|sub|super|top|text-top|middle|bottom|text-bottom",
    "font-weight": r"normal|bold|bolder|lighter|[1-9]00",
    "font-size": r"\+?([0-9]*\.)?[0-9]+(px|em|rem|ex|in|cm|mm|pt|pc|%)",
    "color": r"#[0-9a-f]+",
    "background-color": r"#[0-9a-f]+",
    "border-collapse": r"collapse|separate",
    "border": r"(((thin|medium|thick|([0-9]*\.)?[0-9]+(px|em)|0)|solid|dashed|none|#[0-9a-f]+)\s*){1,3}",
    "padding": r"((\+?([0-9]*\.)?[0-9]+(px|em|rem)|0)\s*){1,4}",
    "margin": r"((([0-9]*\.)?[0-9]+(px|em|rem|%)|0|auto)\s*){1,4}",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _styles(markup: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(markup)
    out = []
    for tag, attrs in parser.tags:
        decl = [d.split(":", 1) for d in html_lib.unescape(attrs.get("style", "")).split(";") if d.strip()]
        out.append((tag, {k.strip(): v.strip() for k, v in decl}))
    return out


def test_table_carries_its_look_inline_in_what_jupyterlab_keeps(ladder):
    """JupyterLab right-aligns every output table cell and has no CSS for ``equity-table``:
    the table's look must be in style attributes Lab's sanitiser keeps, not in a <style>."""
    markup = plots.results_table(ladder, caption="c").to_html()
    assert "<style" not in markup
    tags = _styles(markup)
    assert {t for t, _ in tags} >= {"table", "caption", "thead", "tbody", "tfoot", "th", "td"}
    for tag, style in tags:
        if tag in ("th", "td", "caption"):
            assert style.get("text-align") == "left", (tag, style)
        if tag in ("th", "td"):
            assert style["border"] == "1px solid #AEB7BD" and "padding" in style
        for prop, value in style.items():
            assert prop in _LAB_KEEPS, (tag, prop)
            assert re.fullmatch(_LAB_KEEPS[prop], value, flags=re.IGNORECASE), (tag, prop, value)
    heads = [s for t, s in tags if t == "th" and s.get("background-color")]
    assert len(heads) == len(plots.results_table(ladder, caption="c").frame.columns)


def test_table_styles_leave_the_values_alone():
    frame = pd.DataFrame({"Group": ['<td>"x"</td>'], "n": ["*"]})
    markup = plots.Table(frame, caption="c", notes=["* <td> note"]).to_html()
    assert "&lt;td&gt;&quot;x&quot;&lt;/td&gt;" in markup and "* &lt;td&gt; note" in markup
    assert re.sub(r' style="[^"]*"', "", markup) == plots.html_table(
        frame, caption="c", notes=["* <td> note"])


def test_labels_of_points_close_together_are_stacked_not_overlaid():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 1)
    plots._label_points(ax, [(50, 0.0, "A"), (52, 0.0, "B"), (40, 0.0, "C"), (90, 0.8, "D")])
    offsets = {a.get_text(): a.xyann[1] for a in ax.texts}
    plt.close(fig)
    # A, B, C within 0.3 of the x range and at the same rate: one above the other; D alone
    assert sorted(offsets[k] for k in "ABC") == [3, 14, 25] and offsets["D"] == 3


def test_the_theme_is_seaborns_whitegrid_without_importing_seaborn():
    """Oracle: seaborn's own ``set_theme`` with the palette and the house touches gives the
    same matplotlib settings (its colour map aside: no chart draws an image); and a chart is
    drawn without importing seaborn, scipy.stats or statsmodels."""
    import subprocess
    import sys

    import seaborn as sns

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        plots._setup()
        ours = dict(matplotlib.rcParams)
        matplotlib.rcdefaults()
        sns.set_theme(context="notebook", style="whitegrid", palette=list(plots.PALETTE),
                      rc={"axes.edgecolor": "#425563", "font.family": "sans-serif",
                          "axes.titleweight": "bold", "hatch.linewidth": 0.8})
        theirs = dict(matplotlib.rcParams)
    assert {k for k in theirs if repr(ours[k]) != repr(theirs[k])} == {"image.cmap"}
    code = ("import sys, pandas as pd\nfrom equity import plots\n"
            "plots.spc(pd.DataFrame({'period': ['a', 'b'], 'value': [0.1, 0.2]}))\n"
            "print(' '.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    loaded = set(out.stdout.split())
    assert "matplotlib.pyplot" in loaded
    assert not loaded & {"seaborn", "scipy.stats", "statsmodels"}


def test_a_short_series_is_described_as_a_run_chart():
    """A chart of fewer than 12 points has no process limits: its alt text said "XmR chart of
    3 points with mean and process limits" and then "so this is a run chart"."""
    from equity.stats import xmr, xmr_summary

    p = xmr(pd.DataFrame({"period": ["2022/23", "2023/24", "2024/25"],
                          "value": [0.10, 0.12, 0.11]}), x="period")
    sentence = xmr_summary(p, x="period", unit="proportion")["sentence"].iloc[0]
    chart = plots.spc(p, title="Leaver rate", unit="proportion")
    assert "Run chart of 3 points with their mean (too few for process limits)." in chart.alt
    assert "XmR" not in chart.alt
    assert "so this is a run chart" in sentence
