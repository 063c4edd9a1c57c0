"""Accessible charts and tables for reports (README.md "What a report says").

Charts are matplotlib figures in seaborn's "whitegrid" theme (:data:`THEME`) and an NHS
palette (NHS Blue #005EB8 first), chosen to stay distinguishable under the common
colour-vision deficiencies, and never rely on colour alone: every group also has its own
marker and hatching, and points carry labels. Every chart shows its interval bars, marks
suppressed cells as such, and comes with alt text.

Each function returns a :class:`Chart` (or :class:`Table`), which displays in JupyterLab and
exports through nbconvert as an ``<img>`` with an ``alt`` attribute inside a ``<figure>`` with
a caption; the alt text is also stored in the output metadata (``image/png`` → ``alt``).
Tables are real HTML tables with a caption and ``scope`` on header cells.

Notes
-----
Colours: NHS England identity guidelines (nhs.uk/nhs-identity, colour palette): NHS Blue
#005EB8, NHS Orange #ED8B00, NHS Dark Grey #425563, NHS Aqua Green #00A499, NHS Purple
#330072, NHS Warm Yellow #FFB81C, NHS Pink #AE2573, NHS Dark Red #8A1538. The first four are
separable under deuteranopia, protanopia and tritanopia; markers and hatching carry the
distinction regardless (WCAG 2.2 SC 1.4.1, use of colour).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from equity import codes
from equity.narration import format_value
from equity.registry import REGISTRY
from equity.result import is_finite
from equity.stats import NON_ADVERSE_RANGE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PALETTE: tuple[str, ...] = (
    "#005EB8", "#ED8B00", "#425563", "#00A499", "#330072", "#FFB81C", "#AE2573", "#8A1538",
)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
NHS_BLUE = PALETTE[0]
PALE_GREY = "#E8EDEE"  # NHS Pale Grey: background of the non-adverse band
SUPPRESSED_LABEL = "suppressed"
DPI = 96


# --------------------------------------------------------------------------- containers


@dataclass
class Chart:
    """A rendered chart: PNG bytes, alt text and a caption.

    Displays in notebooks as a ``<figure>`` holding an ``<img alt=...>`` (``text/html``), with
    the PNG and the alt text also in the output bundle and its metadata.
    """

    png: bytes
    alt: str
    caption: str
    width: int = 0
    height: int = 0

    @classmethod
    def from_figure(cls, fig: Figure, *, alt: str, caption: str) -> Chart:
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
        w, h = fig.get_size_inches() * DPI
        plt.close(fig)
        return cls(buf.getvalue(), alt=alt, caption=caption, width=int(w), height=int(h))

    @property
    def b64(self) -> str:
        return base64.b64encode(self.png).decode("ascii")

    def to_html(self) -> str:
        return (
            '<figure class="equity-chart">'
            f'<img src="data:image/png;base64,{self.b64}" alt="{html.escape(self.alt, quote=True)}"'
            ' style="max-width:100%;height:auto">'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None
                          ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        data = {"text/html": self.to_html(), "image/png": self.b64, "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt}, "text/html": {"alt": self.alt}}


@dataclass
class Table:
    """An accessible HTML table (caption, ``<th scope>``), built from a DataFrame.

    Its look travels in ``style`` attributes on the table, caption and cells, so it is the
    same wherever the HTML is shown. JupyterLab has no stylesheet for the report's
    ``equity-table`` class (that lives in the exported report's ``<style>``); its own
    stylesheet right-aligns every cell of an output table, removes the borders and centres
    the table; and its sanitiser drops ``<style>`` elements from outputs it does not trust (a
    saved notebook opened again) while keeping the inline properties used here. Inline styles
    win over any stylesheet, so the table looks as it does in the report.
    """

    frame: pd.DataFrame
    caption: str
    row_header: bool = True
    notes: Sequence[str] = field(default_factory=tuple)

    #: Inline CSS of each part: the report stylesheet's ``table.equity-table`` rules.
    STYLE: ClassVar[dict[str, str]] = {
        "table": "border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em",
        "caption": "text-align: left; font-weight: bold; padding: 0.3em 0",
        "cell": ("border: 1px solid #AEB7BD; padding: 0.25em 0.5em; text-align: left; "
                 "vertical-align: top"),
        "head": "background-color: #E8EDEE",
        "note": "font-size: 0.85em; color: #425563",
    }

    def to_html(self) -> str:
        s = self.STYLE
        cell, head, note = s["cell"], f"{s['cell']}; {s['head']}", f"{s['cell']}; {s['note']}"
        # Every value inside is escaped by html_table, so these tags can only be its own.
        out = html_table(self.frame, caption=self.caption, row_header=self.row_header,
                         notes=self.notes)
        for tag, styled in (
            ('<table class="equity-table">', f'<table class="equity-table" style="{s["table"]}">'),
            ("<caption>", f'<caption style="{s["caption"]}">'),
            ('<th scope="col">', f'<th scope="col" style="{head}">'),
            ('<th scope="row">', f'<th scope="row" style="{cell}">'),
            ("<td>", f'<td style="{cell}">'),
        ):
            out = out.replace(tag, styled)
        return re.sub(r'<td colspan="(\d+)">', rf'<td colspan="\1" style="{note}">', out)

    def _repr_html_(self) -> str:
        return self.to_html()


def html_table(frame: pd.DataFrame, *, caption: str, row_header: bool = True,
               notes: Sequence[str] = ()) -> str:
    """Render a DataFrame as an accessible HTML table.

    Column headers get ``scope="col"``; when ``row_header`` the first column is a row header
    (``<th scope="row">``). Every value is HTML-escaped, so names from the data cannot inject
    markup.

    Examples
    --------
    >>> print(html_table(pd.DataFrame({"a": ["<x>"], "b": [1]}), caption="C"))
    <table class="equity-table"><caption>C</caption><thead><tr><th scope="col">a</th><th scope="col">b</th></tr></thead><tbody><tr><th scope="row">&lt;x&gt;</th><td>1</td></tr></tbody></table>
    """
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False, name=None):
        cells = []
        for i, v in enumerate(rec):
            text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            cells.append(f'<th scope="row">{esc(text)}</th>' if (i == 0 and row_header)
                         else f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    foot = ""
    if notes:
        foot = "<tfoot>" + "".join(
            f'<tr><td colspan="{max(len(frame.columns), 1)}">{esc(n)}</td></tr>' for n in notes
        ) + "</tfoot>"
    return (f'<table class="equity-table"><caption>{esc(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead>{foot}<tbody>{''.join(rows)}</tbody></table>")


def _count(v: Any, suppressed: bool) -> str:
    if suppressed and (v is None or (isinstance(v, float) and math.isnan(v))):
        return "*"
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "*" if suppressed else ""
    return format_value(v, "count")


def results_table(result: pd.DataFrame, *, caption: str,
                  columns: Sequence[str] = ("directorate", "profession", "band", "variant"),
                  show_counts: bool = True) -> Table:
    """A display table of result rows: group, counts, figure with its interval, ratio, status.

    Suppressed figures show as ``*``. Strata columns are shown only when they vary.
    """
    rows = []
    strata = [c for c in columns if c in result and result[c].nunique(dropna=True) > 1]
    for r in result.to_dict("records"):
        meta = REGISTRY.get(str(r["indicator"]))
        unit = meta.unit if meta else "ratio"
        sup = bool(r["suppressed"])
        title = meta.title if meta else str(r["indicator"])
        rec: dict[str, Any] = {"Indicator": title}
        for c in strata:
            rec[c.capitalize()] = r[c] if r[c] is not None else "all"
        rec["Group"] = r["group"] if r["group"] is not None else "all"
        if show_counts:
            rec["Number"] = _count(r["numerator"], sup)
            rec["Out of"] = _count(r["denominator"], sup)
        if sup and not is_finite(r["value"]):
            rec["Figure"] = "*"
            rec["95% CI"] = ""
        else:
            rec["Figure"] = format_value(r["value"], unit)
            rec["95% CI"] = (f"{format_value(r['ci_low'], unit)} to {format_value(r['ci_high'], unit)}"
                             if is_finite(r["ci_low"]) else "")
        if is_finite(r["ratio"]):
            rec["Ratio (95% CI)"] = (f"{r['ratio']:.2f} ({r['ratio_ci_low']:.2f} to "
                                     f"{r['ratio_ci_high']:.2f})")
        else:
            rec["Ratio (95% CI)"] = "*" if sup and r.get("reference_group") else ""
        rec["Status"] = str(r["status"]).replace("_", " ")
        rows.append(rec)
    frame = pd.DataFrame(rows)
    if len(frame) and (frame["Ratio (95% CI)"] == "").all():
        frame = frame.drop(columns="Ratio (95% CI)")
    notes = ["* suppressed: small numbers (counts 1-7, or a figure built from them)."]
    return Table(frame, caption=caption, notes=notes)


# --------------------------------------------------------------------------- style


#: The charts' look: seaborn's "whitegrid" style at its "notebook" scale (the values
#: ``seaborn.set_theme(context="notebook", style="whitegrid")`` sets, seaborn 0.13), with
#: slate axes, bold titles and thin hatching; :func:`_setup` adds the palette as the colour
#: cycle. Written out, so a report's first chart does not import seaborn, and with it
#: scipy.stats and statsmodels (about 0.6 s; nothing else in a report needs them). Left
#: out: seaborn's default colour map ("rocket"), since no chart here draws an image.
THEME: dict[str, Any] = {
    "axes.axisbelow": True, "axes.edgecolor": "#425563", "axes.facecolor": "white",
    "axes.grid": True, "axes.labelcolor": ".15", "axes.labelsize": 12,
    "axes.linewidth": 1.25, "axes.spines.bottom": True, "axes.spines.left": True,
    "axes.spines.right": True, "axes.spines.top": True, "axes.titlesize": 12,
    "axes.titleweight": "bold", "figure.facecolor": "white", "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans",
                        "sans-serif"],
    "font.size": 12, "grid.color": ".8", "grid.linestyle": "-", "grid.linewidth": 1,
    "hatch.linewidth": 0.8, "legend.fontsize": 11, "legend.title_fontsize": 12,
    "lines.linewidth": 1.5, "lines.markersize": 6, "lines.solid_capstyle": "round",
    "patch.edgecolor": "w", "patch.force_edgecolor": True, "patch.linewidth": 1,
    "text.color": ".15", "xtick.bottom": False, "xtick.color": ".15",
    "xtick.direction": "out", "xtick.labelsize": 11, "xtick.major.size": 6,
    "xtick.major.width": 1.25, "xtick.minor.size": 4, "xtick.minor.width": 1,
    "xtick.top": False, "ytick.color": ".15", "ytick.direction": "out", "ytick.labelsize": 11,
    "ytick.left": False, "ytick.major.size": 6, "ytick.major.width": 1.25,
    "ytick.minor.size": 4, "ytick.minor.width": 1, "ytick.right": False,
}


def _setup() -> None:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        # Reports render headless; only switch when no GUI backend was chosen on purpose.
        matplotlib.use("Agg", force=False)
    from matplotlib import style
    from matplotlib.colors import to_rgb
    from matplotlib.rcsetup import cycler

    style.use({**THEME, "axes.prop_cycle": cycler(color=[to_rgb(c) for c in PALETTE])})


def _style(groups: Sequence[str]) -> dict[str, dict[str, str]]:
    """Colour, marker and hatch per group, stable across charts (same group, same look)."""
    known = list(codes.WRES_GROUPS) + list(codes.WDES_GROUPS) + list(codes.SEX_GROUPS)
    out = {}
    for i, g in enumerate(groups):
        k = known.index(g) if g in known else i
        out[g] = {"color": PALETTE[k % len(PALETTE)], "marker": MARKERS[k % len(MARKERS)],
                  "hatch": HATCHES[k % len(HATCHES)]}
    return out


def _groups(df: pd.DataFrame) -> list[str]:
    return [g for g in pd.unique(df["group"].astype(object)) if g is not None]


def _empty(caption: str, message: str) -> Chart:
    import matplotlib.pyplot as plt

    _setup()
    fig, ax = plt.subplots(figsize=(6, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return Chart.from_figure(fig, alt=f"{caption}: {message}", caption=caption)


def _band_key(b: Any) -> float:
    return float(codes.BAND_ORDER.get(str(b), 99))


def _summarise(df: pd.DataFrame, unit: str, label_col: str) -> str:
    parts = []
    for r in df.to_dict("records"):
        v = SUPPRESSED_LABEL if r["suppressed"] and not is_finite(r["value"]) else format_value(
            r["value"], unit)
        parts.append(f"{r[label_col]} {r['group']}: {v}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- charts


def band_ladder(result: pd.DataFrame, *, title: str = "Share of staff in each band by group",
                group_var: str | None = None) -> Chart:
    """Share of each group in each band: dodged points with 95% intervals, one row per band.

    ``result`` holds representation-type rows with a ``band`` stratum (``value`` in 0-1).
    Suppressed cells are marked with the word "suppressed" at their row.
    """
    import matplotlib.pyplot as plt

    df = result.loc[result["band"].notna()]
    if group_var is not None:
        df = df.loc[df["group_var"] == group_var]
    if df.empty:
        return _empty(title, "No band-level figures are available.")
    _setup()
    bands = sorted(df["band"].unique(), key=_band_key)
    groups = _groups(df)
    style = _style(groups)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(bands) * max(1, len(groups) / 2) + 1.5))
    step = 0.8 / max(len(groups), 1)
    for gi, g in enumerate(groups):
        sub = df.loc[df["group"] == g].set_index("band")
        for bi, b in enumerate(bands):
            y = bi - 0.4 + step * (gi + 0.5)
            if b not in sub.index:
                continue
            r = sub.loc[b]
            r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
            if bool(r["suppressed"]) and not is_finite(r["value"]):
                ax.text(0.005, y, f"{g}: {SUPPRESSED_LABEL}", va="center", fontsize=8,
                        color="#425563", style="italic")
                continue
            v = float(r["value"])
            lo, hi = r["ci_low"], r["ci_high"]
            err = ([[v - lo], [hi - v]] if is_finite(lo) and is_finite(hi) else None)
            ax.errorbar(v, y, xerr=err, fmt=style[g]["marker"], color=style[g]["color"],
                        ecolor=style[g]["color"], capsize=3, markersize=6,
                        label=g if bi == 0 or g not in ax.get_legend_handles_labels()[1] else None)
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles, strict=False))
    ax.legend(uniq.values(), uniq.keys(), title="Group", loc="best", frameon=True)
    ax.set_yticks(range(len(bands)), bands)
    ax.set_ylim(len(bands) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    ax.set_xlabel("Share of staff in the band (95% CI)")
    ax.set_title(title)
    alt = (f"{title}. Dot-and-interval chart, one row per band ({', '.join(bands)}), one marker "
           f"per group ({', '.join(groups)}). " + _summarise(df, "proportion", "band") + ".")
    return Chart.from_figure(fig, alt=alt, caption=title)


def forest(result: pd.DataFrame, *, title: str = "Relative likelihoods (95% CI)",
           non_adverse_range: tuple[float, float] = NON_ADVERSE_RANGE,
           label_columns: Sequence[str] = ("directorate", "profession", "band", "variant")
           ) -> Chart:
    """Ratio forest plot: each comparison's ratio with its 95% interval on a log scale, with
    the non-adverse range shaded and each row labelled with its status in words.
    """
    import matplotlib.pyplot as plt

    df = result.loc[result["reference_group"].notna() & (result["group"] != result["reference_group"])]
    if df.empty:
        return _empty(title, "No comparisons between groups are available.")
    _setup()
    labels = []
    for r in df.to_dict("records"):
        meta = REGISTRY.get(str(r["indicator"]))
        name = meta.short if meta else str(r["indicator"])
        extra = [str(r[c]) for c in label_columns if r.get(c) is not None]
        labels.append(f"{name}: {r['group']} vs {r['reference_group']}"
                      + (f" ({', '.join(extra)})" if extra else ""))
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(df) + 1.4))
    ax.axvspan(*non_adverse_range, color=PALE_GREY, zorder=0,
               label=f"non-adverse range {non_adverse_range[0]:.2f}-{non_adverse_range[1]:.2f}")
    ax.axvline(1, color="#425563", lw=1, ls="--")
    shapes = {"adverse": ("X", PALETTE[1]), "favourable": ("D", PALETTE[3]),
              "within_range": ("o", NHS_BLUE), "insufficient_evidence": ("s", PALETTE[2])}
    finite = df[["ratio_ci_low", "ratio_ci_high", "ratio"]].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    lo_lim = min(0.25, float(finite.min()) * 0.8) if finite.size else 0.25
    hi_lim = max(4.0, float(finite.max()) * 1.25) if finite.size else 4.0
    text_alt = []
    for i, r in enumerate(df.to_dict("records")):
        status = str(r["status"])
        marker, colour = shapes.get(status, ("o", NHS_BLUE))
        if bool(r["suppressed"]) and not is_finite(r["ratio"]):
            ax.text(1, i, SUPPRESSED_LABEL, va="center", ha="center", style="italic")
            text_alt.append(f"{labels[i]}: {SUPPRESSED_LABEL}")
            continue
        if not is_finite(r["ratio"]) or float(r["ratio"]) <= 0:
            ax.text(1, i, "too few to tell", va="center", ha="center", style="italic")
            text_alt.append(f"{labels[i]}: too few people to tell")
            continue
        v = float(r["ratio"])
        lo = float(r["ratio_ci_low"]) if is_finite(r["ratio_ci_low"]) else v
        hi = float(r["ratio_ci_high"]) if is_finite(r["ratio_ci_high"]) else v
        lo, hi = max(lo, lo_lim), min(hi, hi_lim)
        ax.errorbar(v, i, xerr=[[v - lo], [hi - v]], fmt=marker, color=colour, capsize=3,
                    markersize=7)
        ax.annotate(f"{v:.2f} {status.replace('_', ' ')}", (hi_lim, i), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8,
                    annotation_clip=False)
        text_alt.append(f"{labels[i]}: {v:.2f} ({r['ratio_ci_low']:.2f} to "
                        f"{r['ratio_ci_high']:.2f}), {status.replace('_', ' ')}")
    ax.set_xscale("log")
    ax.set_xlim(lo_lim, hi_lim)
    ticks = [t for t in (0.25, 0.5, 0.8, 1, 1.25, 2, 4, 8) if lo_lim <= t <= hi_lim]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(range(len(df)), labels)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlabel("Relative likelihood (log scale; 1 = equally likely)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    alt = (f"{title}. Forest plot of {len(df)} relative likelihoods with 95% intervals; the "
           f"non-adverse range {non_adverse_range[0]:.2f} to {non_adverse_range[1]:.2f} is "
           "shaded. " + "; ".join(text_alt) + ".")
    return Chart.from_figure(fig, alt=alt, caption=title)


def funnel(result: pd.DataFrame, limits: pd.DataFrame, *, unit_column: str = "directorate",
           title: str = "Funnel plot", target: float | None = None,
           population: str | None = None, method: str | None = None) -> Chart:
    """Funnel plot: each unit's rate against its denominator, with control limits.

    Parameters
    ----------
    result
        Rate rows, one per unit (``unit_column``), with ``numerator``, ``denominator``,
        ``value``.
    limits
        Funnel limits over a grid of denominators: a ``denominator`` column and limit columns
        (``lower_95`` / ``upper_95``, ``lower_99.8`` / ``upper_99.8``, or any pair of columns
        whose names start with ``lower`` / ``upper``), as
        :func:`equity.stats.funnel_limits` returns them.
    target
        The centre line (default: the pooled rate of the units shown).
    population
        Who the rates are of, stated in the caption and alt text (e.g. "leavers over average
        headcount, 2024/25, all staff").
    method
        How the limits were set, for the caption (e.g. "exact binomial limits" or "Wilson
        score limits, as OHID Fingertips").

    Each unit outside a limit is named with the limit in its label and in the alt text, so
    position is never the only signal.
    """
    import matplotlib.pyplot as plt

    df = result.loc[result[unit_column].notna()]
    if df.empty:
        return _empty(title, "No unit-level rates are available.")
    _setup()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    if target is None:
        d = df.loc[~df["suppressed"]]
        target = float(d["numerator"].sum() / d["denominator"].sum()) if len(d) else math.nan
    lim = limits.sort_values("denominator")
    pairs = [(lo, "upper" + lo.removeprefix("lower")) for lo in lim.columns
             if lo.startswith("lower") and "upper" + lo.removeprefix("lower") in lim.columns]
    styles = ["--", ":", "-."]
    names = []
    for k, (lo, hi) in enumerate(pairs):
        lab = lo.removeprefix("lower").strip("_") or "limit"
        lab = "99.8" if lab == "998" else lab
        names.append(lab)
        ax.plot(lim["denominator"], lim[lo], color="#425563", ls=styles[k % 3],
                label=f"{lab}% limits")
        ax.plot(lim["denominator"], lim[hi], color="#425563", ls=styles[k % 3])
    if is_finite(target):
        ax.axhline(target, color=NHS_BLUE, lw=1, label=f"overall {target:.1%}")
    grid = lim["denominator"].to_numpy(float)
    alt_parts, outside = [], 0
    labels: list[tuple[float, float, str]] = []
    for i, r in enumerate(df.to_dict("records")):
        name = str(r[unit_column])
        if bool(r["suppressed"]) and not is_finite(r["value"]):
            alt_parts.append(f"{name}: {SUPPRESSED_LABEL}")
            continue
        v, n = float(r["value"]), float(r["denominator"])
        where = ""
        for lab, (lo, hi) in sorted(zip(names, pairs, strict=True),
                                    key=lambda t: -float(t[0]) if is_finite(t[0]) else 0):
            low = float(np.interp(n, grid, lim[lo].to_numpy(float)))
            high = float(np.interp(n, grid, lim[hi].to_numpy(float)))
            if v > high or v < low:
                where = f"{'above' if v > high else 'below'} the {lab}% limit"
                break
        outside += bool(where)
        ax.plot(n, v, MARKERS[i % len(MARKERS)], color=PALETTE[i % len(PALETTE)], markersize=8)
        labels.append((n, v, name + (f" ({where})" if where else "")))
        alt_parts.append(f"{name}: {format_value(v, 'proportion')} of {_count(n, False)}"
                         + (f", {where}" if where else ", within the limits"))
    _label_points(ax, labels)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    ax.set_xlabel("Number of people (denominator)")
    ax.set_ylabel("Rate")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    overall = f"overall rate {format_value(target, 'proportion')}" if is_finite(target) else ""
    caption = ". ".join(p[:1].upper() + p[1:] for p in (title, population or "", overall,
                                                         method or "") if p) + "."
    alt = (f"{caption} Funnel plot: each {unit_column}'s rate against its size, with control "
           "limits narrowing as size grows; points outside the limits differ from the overall "
           f"rate by more than chance would explain ({outside} of {len(df)} outside). "
           + "; ".join(alt_parts) + ".")
    return Chart.from_figure(fig, alt=alt, caption=caption)


def _label_points(ax: Any, labels: Sequence[tuple[float, float, str]]) -> None:
    """Name each point beside it; a label that would sit on an earlier one (points close
    together, e.g. several directorates at 0%) is stacked above it instead."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    placed: list[tuple[float, float, int]] = []
    for x, y, text in sorted(labels, key=lambda t: (t[1], t[0])):
        fx, fy = (x - x0) / ((x1 - x0) or 1), (y - y0) / ((y1 - y0) or 1)
        level = sum(1 for px, py, _ in placed if abs(px - fx) < 0.3 and abs(py - fy) < 0.05)
        placed.append((fx, fy, level))
        ax.annotate(text, (x, y), xytext=(5, 3 + 11 * level), textcoords="offset points",
                    fontsize=8, arrowprops={"arrowstyle": "-", "color": "#768692", "lw": 0.6}
                    if level else None)


#: How each Making Data Count variation type is drawn: colour, marker and legend text
#: (NHS England's icon colours: blue improvement, orange concern, purple neither, grey common
#: cause); the marker and the words carry the meaning without colour.
_VARIATION_STYLE: dict[str, tuple[str, str, str]] = {
    "common_cause": ("#768692", "o", "common cause"),
    "special_cause_improvement": (NHS_BLUE, "D", "special cause: improvement"),
    "special_cause_concern": (PALETTE[1], "X", "special cause: concern"),
    "special_cause_neutral_high": (PALETTE[4], "^", "special cause: high"),
    "special_cause_neutral_low": (PALETTE[4], "v", "special cause: low"),
}
#: Icon letters and colours (variation icon by the latest point, assurance icon by target).
_ICONS: dict[str, tuple[str, str, str]] = {
    "common_cause": ("~", "#768692", "Variation: common cause"),
    "improvement_high": ("H", NHS_BLUE, "Variation: improvement (high)"),
    "improvement_low": ("L", NHS_BLUE, "Variation: improvement (low)"),
    "concern_high": ("H", PALETTE[1], "Variation: concern (high)"),
    "concern_low": ("L", PALETTE[1], "Variation: concern (low)"),
    "neutral_high": ("H", PALETTE[4], "Variation: unusually high"),
    "neutral_low": ("L", PALETTE[4], "Variation: unusually low"),
    "consistent_pass": ("P", NHS_BLUE, "Assurance: target consistently met"),
    "consistent_fail": ("F", PALETTE[1], "Assurance: target consistently missed"),
    "inconsistent": ("?", "#768692", "Assurance: hit and miss"),
}


def _label(v: Any) -> str:
    return f"{v:%b %Y}" if isinstance(v, (pd.Timestamp, dt.date)) else str(v)


def spc(series: pd.DataFrame, *, x: str = "period", y: str = "value",
        title: str = "Statistical process control chart", unit: str = "proportion") -> Chart:
    """Making Data Count XmR chart: the series coloured and shaped by variation type, its mean
    and process limits (per rebased part), the target, and the variation and assurance icons.

    ``series`` is :func:`equity.stats.xmr`'s output (``x`` and ``y`` named here). The icons
    are drawn as lettered circles (H / L high or low special cause, ~ common cause; P / F / ?
    target met, missed, hit and miss) with their meaning written beside them; the caption
    holds :func:`equity.stats.xmr_summary`'s sentence and the alt text names every special
    cause. A chart of fewer than 12 points has no limits and says it is a run chart. A
    simpler frame (``mean``, ``lcl`` / ``ucl`` and a boolean ``special_cause``) is drawn
    without icons.
    """
    import matplotlib.pyplot as plt

    from equity.stats import MIN_POINTS, xmr_summary

    if series.empty:
        return _empty(title, "No time series is available.")
    _setup()
    s = series.reset_index(drop=True)
    xs = np.arange(len(s))
    part = s["rebase_group"].to_numpy() if "rebase_group" in s else np.zeros(len(s), int)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(xs, s[y], color="#425563", lw=1, zorder=1)
    for k, g in enumerate(pd.unique(part)):
        m = part == g
        first = k == 0
        if "mean" in s:
            ax.plot(xs[m], s.loc[m, "mean"], color="#231F20", lw=1,
                    label="mean" if first else None)
        if "lcl" in s and np.isfinite(s.loc[m, "lcl"].to_numpy(float)).any():
            low = s.loc[m, "lcl"].to_numpy(float)  # a rate's limit below 0 is drawn at 0
            ax.plot(xs[m], np.maximum(low, 0) if unit == "proportion" else low,
                    color="#425563", ls="--", label="process limits" if first else None)
            ax.plot(xs[m], s.loc[m, "ucl"], color="#425563", ls="--")
    if "target" in s and s["target"].notna().any():
        t = float(s["target"].dropna().iloc[-1])
        ax.axhline(t, color=PALETTE[3], ls="-.", lw=1.2,
                   label=f"target {format_value(t, unit)}")
    signals: list[str] = []
    if "variation" in s:
        for kind, (colour, marker, text) in _VARIATION_STYLE.items():
            m = (s["variation"] == kind).to_numpy()
            if m.any():
                ax.scatter(xs[m], s.loc[m, y], color=colour, marker=marker, s=42, zorder=3,
                           label=text, edgecolors="white", linewidths=0.5)
        for r in s.loc[s["special_cause"]].to_dict("records"):
            signals.append(f"{_label(r[x])} ({r['special_cause_type']}, "
                           f"{_VARIATION_STYLE[r['variation']][2].removeprefix('special cause: ')})")
    elif "special_cause" in s:
        m = s["special_cause"].fillna(False).astype(bool).to_numpy()
        ax.scatter(xs[m], s.loc[m, y], marker="D", color=PALETTE[1], s=60, zorder=3,
                   label="signal (special cause)")
        signals = [_label(v) for v in s.loc[m, x]]
    step = max(1, len(s) // 12)
    ax.set_xticks(xs[::step], [_label(v) for v in s[x]][::step],
                  rotation=45 if len(s) > 6 else 0, ha="right" if len(s) > 6 else "center")
    if unit == "proportion":
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.1%}"))
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    sentence, icons = "", []
    if "variation" in s:
        summ = xmr_summary(s, x=x, unit="proportion" if unit == "proportion" else "number")
        r0 = summ.iloc[-1]
        sentence = str(r0["sentence"])
        icons = [str(r0["variation_icon"])] + ([str(r0["assurance"])]
                                              if r0["assurance"] in _ICONS else [])
        if bool(r0["short_group"]):
            ax.text(0.01, 0.02, f"Run chart (fewer than {MIN_POINTS} points): no process "
                    "limits", transform=ax.transAxes, fontsize=8, style="italic",
                    color="#425563")
    for k, icon in enumerate(icons):
        letter, colour, text = _ICONS[icon]
        yk = 0.93 - 0.16 * k
        ax.annotate(letter, (1.04, yk - 0.55), xycoords="axes fraction", ha="center",
                    va="center", fontsize=12, fontweight="bold", color="white",
                    bbox={"boxstyle": "circle,pad=0.35", "facecolor": colour, "edgecolor": "black"},
                    annotation_clip=False)
        ax.annotate(text, (1.08, yk - 0.55), xycoords="axes fraction", va="center",
                    fontsize=8, annotation_clip=False)
    icon_text = "; ".join(_ICONS[i][2] for i in icons)
    caption = f"{title}. {sentence}".strip() if sentence else title
    vals = "; ".join(f"{_label(a)}: {format_value(b, unit)}" for a, b in zip(s[x], s[y], strict=False))
    limits = "lcl" in s and bool(np.isfinite(s["lcl"].to_numpy(float)).any())
    kind = ("XmR chart of {} points with mean and process limits" if limits else
            "Run chart of {} points with their mean (too few for process limits)")
    alt = (f"{title}. {kind.format(len(s))}. "
           + (f"{sentence} Icons: {icon_text}. " if sentence else "") + f"{vals}. "
           + (f"Signals at {', '.join(signals)}." if signals
              else "No signals of special cause."))
    return Chart.from_figure(fig, alt=alt, caption=caption)


def survival(curves: pd.DataFrame, *, title: str = "Staying in post over time (Kaplan-Meier)",
             time: str = "time", estimate: str = "survival", time_unit: str = "months",
             state: str = "still in post") -> Chart:
    """Kaplan-Meier curves by group as steps, with shaded 95% bands and distinct line styles.

    ``curves``: tidy columns ``group``, ``time``, ``survival``, ``ci_low``, ``ci_high``
    (names of the time and estimate columns are parameters), as
    :func:`equity.survival_curves` returns them. ``state`` names what the curve's estimate
    is the share of ("still in post", "not yet promoted"), for the axis and the alt text.
    """
    import matplotlib.pyplot as plt

    if curves.empty:
        return _empty(title, "No survival curves are available.")
    _setup()
    groups = _groups(curves)
    style = _style(groups)
    # A curve needs two points to be a step: a group with fewer (its risk set reached the
    # minimum once, or never) is not drawn, and is not in the legend; the alt text says so.
    points = curves.groupby("group", sort=False)[estimate].count()
    drawn = [g for g in groups if points.get(g, 0) >= 2]
    lines = ["-", "--", "-.", ":"]
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    summary = []
    for i, g in enumerate(drawn):
        c = curves.loc[curves["group"] == g].sort_values(time)
        ax.step(c[time], c[estimate], where="post", color=style[g]["color"],
                ls=lines[i % len(lines)], label=g)
        if "ci_low" in c and "ci_high" in c:
            ax.fill_between(c[time], c["ci_low"], c["ci_high"], step="post", alpha=0.15,
                            color=style[g]["color"], hatch=style[g]["hatch"])
        if len(c):
            last = c.iloc[-1]
            summary.append(f"{g}: {format_value(last[estimate], 'proportion')} {state} "
                           f"at {last[time]:.0f} {time_unit}")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(f"Time since start ({time_unit})")
    ax.set_ylabel(f"Share {state}")
    ax.set_title(title)
    ax.legend(title="Group", loc="lower left")
    alt = (f"{title}. Step curves per group with shaded 95% bands. " + "; ".join(summary) + ".")
    if len(drawn) < len(groups):
        alt += (" Not drawn (too few people at risk): "
                + ", ".join(g for g in groups if g not in drawn) + ".")
    return Chart.from_figure(fig, alt=alt, caption=title)


def _whole_quarters(df: pd.DataFrame) -> pd.DataFrame:
    """Each group's share of a quarter whose every group is published, out of the published
    counts together, so the shares add up to the whole bar.

    Published counts are rounded one by one: 38 women and 8 men (46, published as 45) are 40
    and 10, 89% and 22% of the published 45, a bar of 111%. Out of the published 40 + 10 they
    are 80% and 20%, worked out from the published counts as every published rate is. A
    quarter with a withheld group keeps the published shares (its rest is the withheld part).
    """
    if "numerator" not in df:
        return df
    value = df["value"].to_numpy(dtype=float, copy=True)
    num = df["numerator"].to_numpy(dtype=float)
    quarter = df["variant"].astype(object).to_numpy()
    for q in pd.unique(quarter):
        at = quarter == q
        if np.isfinite(value[at]).all() and np.isfinite(num[at]).all() and num[at].sum() > 0:
            value[at] = num[at] / num[at].sum()
    return df.assign(value=value)


def pay_quarters(result: pd.DataFrame, *, title: str = "Pay quarters by group") -> Chart:
    """Share of each group in each quarter of the hourly pay ranking: stacked, hatched bars,
    labelled with their percentages (rows: ``indicator == "pay_quartile"``, ``variant`` the
    quarter).
    """
    import matplotlib.pyplot as plt

    df = result.loc[result["indicator"] == "pay_quartile"] if "indicator" in result else result
    if df.empty:
        return _empty(title, "Pay quarters are not available.")
    _setup()
    quarters = list(pd.unique(df["variant"].astype(object)))
    df = _whole_quarters(df)
    # A group with nobody in any quarter (often Unknown) gets no bar, only a word in the alt.
    nobody = [g for g in _groups(df) if df.loc[df["group"] == g, "value"].eq(0).all()]
    groups = [g for g in _groups(df) if g not in nobody]
    style = _style(groups)
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(quarters) + 1.5))
    left = np.zeros(len(quarters))
    withheld = np.zeros(len(quarters), dtype=bool)
    parts = []
    for g in groups:
        sub = df.loc[df["group"] == g].set_index("variant").reindex(quarters)
        vals = sub["value"].to_numpy(dtype=float)
        sup = sub["suppressed"].fillna(False).to_numpy(dtype=bool)
        shown = np.where(np.isfinite(vals), vals, 0.0)
        withheld |= ~np.isfinite(vals)
        ax.barh(range(len(quarters)), shown, left=left, color=style[g]["color"],
                hatch=style[g]["hatch"], edgecolor="white", label=g)
        for qi, v in enumerate(vals):
            if shown[qi] > 0:  # withheld shares are the grey block below; 0% has no bar
                ax.text(left[qi] + shown[qi] / 2, qi, f"{g} {v:.0%}", ha="center",
                        va="center", fontsize=8, color="white" if shown[qi] > 0.15 else "black",
                        bbox={"facecolor": "#425563", "alpha": 0.6, "pad": 1, "lw": 0})
        left += shown
        parts.append(f"{g}: " + ", ".join(
            f"{q} {SUPPRESSED_LABEL if s and not np.isfinite(v) else format_value(v, 'proportion')}"
            for q, v, s in zip(quarters, vals, sup, strict=False)))
    # The part of each quarter whose groups are withheld, shown as such (not as empty space,
    # which would read as nobody).
    rest = np.where(withheld, np.clip(1.0 - left, 0.0, 1.0), 0.0)
    if rest.any():
        ax.barh(range(len(quarters)), rest, left=left, color="#E8EDEE", hatch="..",
                edgecolor="#768692", label="withheld (small numbers)")
        for row in np.flatnonzero(rest > 0.1).tolist():
            ax.text(left[row] + rest[row] / 2, row, "withheld", ha="center", va="center",
                    fontsize=8, color="#231F20")
    ax.set_yticks(range(len(quarters)), quarters)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("Share of the quarter")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=len(groups) + 1)
    alt = f"{title}. Stacked bars, one per pay quarter. " + "; ".join(parts) + "."
    if rest.any():
        alt += " Shares withheld to protect small numbers are shown together as a grey block."
    if nobody:
        alt += f" Nobody in {', '.join(nobody)} in any quarter."
    return Chart.from_figure(fig, alt=alt, caption=title)


__all__ = [
    "HATCHES", "MARKERS", "NHS_BLUE", "PALETTE", "Chart", "Table", "band_ladder", "forest",
    "funnel", "html_table", "pay_quarters", "results_table", "spc", "survival",
]
