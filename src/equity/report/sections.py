"""Report section builders: everything a report notebook shows, one call per cell.

The report notebooks hold no logic (STYLE.md "Notebooks"): each cell calls one function here,
which returns a :class:`Section` (narrative, tables and charts) that displays in JupyterLab and
exports to accessible HTML. :func:`load` reads the data once and computes the indicators
lazily, cached per scope, with disclosure control applied before anything is shown.

A section whose indicator family is not available (not installed yet, or the data lack the
tables it needs) shows a clear note instead of failing the report.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from equity import codes, plots
from equity.errors import EquityError, ParameterError, PeriodError
from equity.narrative import Narrative, format_value, narrative, not_available, sentence
from equity.registry import REGISTRY, registry_table
from equity.result import ADVERSE, concat_results, empty_result

Disclosure = Literal["publication", "internal"]

#: Functions of :mod:`equity.indicators` behind a report's main table. Each takes
#: ``(dataset, *, period, within, staff_group, directorate)`` and returns a result table; each
#: is disclosure-controlled on its own, so one that fails (or is not written yet) leaves a
#: note in its sections and the rest of the report intact.
MAIN_FUNCTIONS: tuple[str, ...] = (
    "wres", "wdes", "senior_representation", "representation_vs_benchmark", "diversity_index",
    "declaration_rate", "pipeline_disparity", "retention_indicators", "pay_indicators",
)

#: Scorecard rows: (indicator, preferred group_var), in the order the strategy lists them.
HEADLINES: tuple[tuple[str, str], ...] = (
    ("senior_representation", "ethnicity"),
    ("wres_2", "ethnicity"),
    ("wres_3", "ethnicity"),
    ("wres_4", "ethnicity"),
    ("wdes_2", "disability"),
    ("wdes_3", "disability"),
    ("leaver_rate", "ethnicity"),
    ("stability_index", "ethnicity"),
    ("early_career_leaver_rate", "ethnicity"),
    ("promotion_rate", "ethnicity"),
    ("pipeline_disparity", "ethnicity"),
    ("pay_gap_median", "sex"),
    ("pay_gap_mean", "sex"),
)


# --------------------------------------------------------------------------- paths, provenance


def resolve_data_path(data_path: str | Path, *, start: str | Path | None = None) -> Path:
    """Find a dataset folder given relative to the repository root or the working directory.

    A notebook opened in JupyterLab runs in ``notebooks/``, papermill runs it wherever it is
    started; ``"data/sample"`` should work in both. An absolute path, or one that exists
    relative to the working directory, is used as is; otherwise each parent directory of
    ``start`` (default: the working directory) is tried in turn.

    Raises
    ------
    ParameterError
        When no such folder exists, naming the places looked in.
    """
    p = Path(data_path).expanduser()
    if p.is_absolute() or p.exists():
        if not p.exists():
            raise ParameterError(f"Data path {str(p)!r} does not exist. Give the folder holding "
                                 "staff.csv (and the other tables), e.g. 'data/sample'.")
        return p.resolve()
    here = Path(start or Path.cwd()).resolve()
    tried = []
    for base in (here, *here.parents):
        cand = base / p
        tried.append(str(cand))
        if cand.exists():
            return cand
    raise ParameterError(
        f"Data path {str(data_path)!r} was not found in {here} or any parent directory "
        f"(tried {', '.join(tried[:3])}, ...). Give an absolute path, or create the sample "
        "with `equity sample data/sample`."
    )


def data_fingerprint(path: str | Path) -> str:
    """SHA-256 over the names and bytes of the dataset's files (sorted), as 16 hex digits.

    The same input files always give the same fingerprint, so a report can be traced to the
    exact data it was rendered from.
    """
    p = Path(path)
    files = sorted(f for f in (p.rglob("*") if p.is_dir() else [p]) if f.is_file())
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(p) if p.is_dir() else f.name).encode())
        with f.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------- display objects


@dataclass
class Section:
    """Parts of one report section (narratives, tables, charts, notes), displayed in order."""

    parts: list[Any] = field(default_factory=list)
    summary: dict[str, Any] | None = None

    def add(self, *parts: Any) -> Section:
        self.parts.extend(p for p in parts if p is not None)
        return self

    def to_html(self) -> str:
        out = []
        for p in self.parts:
            if hasattr(p, "to_html"):
                out.append(p.to_html())
            elif hasattr(p, "_repr_html_"):
                out.append(p._repr_html_())
            else:
                out.append(f"<p>{html.escape(str(p))}</p>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _ipython_display_(self) -> None:
        # One output per part, so each chart is its own image output with its alt text in
        # the output metadata (JupyterLab and nbconvert both read it from there).
        from IPython.display import display, publish_display_data

        for i, p in enumerate(self.parts):
            md: dict[str, Any] = {}
            if i == 0 and self.summary is not None:
                md["equity_summary"] = self.summary
            if isinstance(p, plots.Chart):
                data, meta = p._repr_mimebundle_()
                publish_display_data(data=data, metadata={**meta, **md})
            elif md:
                publish_display_data(data={"text/html": p._repr_html_() if hasattr(
                    p, "_repr_html_") else html.escape(str(p)), "text/plain": str(p)},
                    metadata=md)
            else:
                display(p)


@dataclass(frozen=True)
class Note:
    """A short paragraph (optionally a warning banner)."""

    text: str
    kind: Literal["note", "warning"] = "note"

    def _repr_html_(self) -> str:
        role = ' role="note"' if self.kind == "note" else ' role="alert"'
        style = ("border-left:6px solid #ED8B00;padding:0.5em 1em;background:#FFF4E0"
                 if self.kind == "warning" else "border-left:6px solid #005EB8;padding:0.5em 1em")
        return f'<div class="equity-{self.kind}"{role} style="{style}"><p>{html.escape(self.text)}</p></div>'

    def __str__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- context


@dataclass
class ReportContext:
    """Data and parameters of one report, with indicator results cached per scope."""

    dataset: Any
    data_path: Path
    period: str
    directorate: str | None
    staff_group: str | None
    disclosure: Disclosure
    reference_groups: dict[str, str]
    _cache: dict[tuple[Any, ...], pd.DataFrame] = field(default_factory=dict, repr=False)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def scope_label(self) -> str:
        who = self.staff_group if self.staff_group not in (None, "all") else "All staff groups"
        where = self.directorate or "whole trust"
        return f"{who}, {where}, {self.period}"

    def results(self, *, within: Sequence[str] = (), period: str | None = None,
                directorate: str | None | Literal["self"] = "self") -> pd.DataFrame:
        """Every available indicator for this report's scope (or a variant of it),
        disclosure-controlled. Cached."""
        d = self.directorate if directorate == "self" else directorate
        per = period or self.period
        key = (tuple(within), per, d)
        if key not in self._cache:
            self._cache[key] = self._compute(within=tuple(within), period=per, directorate=d)
        return self._cache[key]

    def _compute(self, *, within: tuple[str, ...], period: str, directorate: str | None
                 ) -> pd.DataFrame:
        parts = [self.call(f, within=within, period=period, directorate=directorate)
                 for f in MAIN_FUNCTIONS]
        out = concat_results(parts)
        out.attrs["disclosure"] = self.disclosure
        return out

    def call(self, func: str, *, within: Sequence[str] = (), period: str | None = None,
             directorate: str | None | Literal["self"] = "self", **kwargs: Any) -> pd.DataFrame:
        """One function of :mod:`equity.indicators` for this scope, disclosure-controlled and
        cached; an empty result (with ``attrs["not_computed"]``) when it is not available."""
        from equity.disclosure import apply_disclosure

        d = self.directorate if directorate == "self" else directorate
        opts = {"within": tuple(within), "staff_group": self.staff_group, "directorate": d,
                **kwargs}
        if func != "trends":
            opts["period"] = period or self.period
        key = (func, repr(sorted(opts.items())))
        if key in self._cache:
            return self._cache[key]
        try:
            fn = getattr(importlib.import_module("equity.indicators"), func)
            out = apply_disclosure(fn(self.dataset, **opts), mode=self.disclosure)
        except (ImportError, AttributeError, NotImplementedError, EquityError) as err:
            if isinstance(err, PeriodError) and func != "trends":
                raise
            out = empty_result()
            out.attrs["not_computed"] = {func: f"{type(err).__name__}: {err}"}
            self.missing[func] = f"{type(err).__name__}: {err}"
        except Exception as err:  # a bug in one indicator must not take the report down
            out = empty_result()
            msg = f"failed with an error in the library ({type(err).__name__}: {err})"
            out.attrs["not_computed"] = {func: msg}
            self.missing[func] = msg
        self._cache[key] = out
        return out

    def previous_period(self) -> str | None:
        """The previous financial year when the data hold its snapshot, else None."""
        prev = str(codes.Period.parse(self.period).previous())
        try:
            self.call("senior_representation", period=prev)
        except PeriodError:
            return None
        return prev


#: Quick functions whose figures give the scorecard's "last year" column (the full families
#: take too long to run twice per report).
PREVIOUS_YEAR_FUNCTIONS: tuple[str, ...] = ("senior_representation", "wres", "retention",
                                            "progression")


def known_directorates(dataset: Any) -> list[str]:
    """Directorates in the staff table (sorted)."""
    from equity import cube

    c = cube.count(dataset.staff, ["directorate"])
    return sorted(str(v) for v in c["directorate"].tolist() if v is not None)


def check_directorate(dataset: Any, directorate: str | None) -> None:
    """Raise :class:`ParameterError` listing the known directorates unless ``directorate``
    is one of them (``None`` means the whole trust)."""
    if directorate is None:
        return
    known = known_directorates(dataset)
    if directorate not in known:
        raise ParameterError(
            f"Unknown directorate {directorate!r}. The staff table holds: "
            f"{', '.join(repr(k) for k in known)}. Use one of these names exactly "
            "(or --all for every directorate)."
        )


def load(data_path: str | Path, *, period: str, directorate: str | None = None,
         staff_group: str | None = codes.AHP_STAFF_GROUP, disclosure: Disclosure = "publication",
         reference_groups: dict[str, str] | None = None) -> ReportContext:
    """Read the dataset and set up a report's scope.

    Parameters
    ----------
    data_path
        Dataset folder; relative paths are resolved by :func:`resolve_data_path`.
    period
        NHS financial year, e.g. ``"2024/25"``.
    directorate
        One directorate, or ``None`` / ``""`` for the whole trust.
    staff_group
        Staff group (default Allied Health Professionals); ``"all"`` or ``None`` for every one.
    disclosure
        ``"publication"`` (default) or ``"internal"``.
    reference_groups
        Reference group per grouping, e.g. ``{"ethnicity": "White"}`` (shown in the methods
        section; the indicators' defaults follow the standards).
    """
    from equity.errors import check_choice
    from equity.io import read_dataset

    check_choice("disclosure", disclosure, ["publication", "internal"])
    codes.Period.parse(period)
    path = resolve_data_path(data_path)
    ds = read_dataset(path)
    d = directorate or None
    check_directorate(ds, d)
    return ReportContext(ds, path, str(period), d, None if staff_group in (None, "", "all")
                         else staff_group, disclosure,
                         dict(reference_groups or {"ethnicity": "White",
                                                   "disability": "Non-disabled", "sex": "Male"}))


# --------------------------------------------------------------------------- helpers


def _rows(result: pd.DataFrame, indicators: Iterable[str]) -> pd.DataFrame:
    return result.loc[result["indicator"].isin(list(indicators))]


def _unavailable(ctx: ReportContext, title: str, indicators: Sequence[str],
                 result: pd.DataFrame) -> Narrative:
    reasons = result.attrs.get("not_computed", {})
    said = [f"{REGISTRY[i].title if i in REGISTRY else i}: {reasons[i]}" for i in indicators
            if i in reasons]
    if said:
        return Narrative(tuple(said), heading=f"{title}: not computed")
    fams = "; ".join(f"{k} ({v})" for k, v in ctx.missing.items())
    return not_available(title, f"The indicators are still being added to the library{': ' + fams if fams else ''}.")


def _block(ctx: ReportContext, title: str, indicators: Sequence[str], *,
           within: Sequence[str] = (), chart: Literal["forest", "ladder", None] = "forest",
           caption: str | None = None) -> Section:
    res = ctx.results(within=within)
    rows = _rows(res, indicators)
    sec = Section()
    if rows.empty:
        return sec.add(_unavailable(ctx, title, indicators, res))
    sec.add(narrative(rows, heading="What the figures say"))
    if chart == "forest" and rows["ratio"].notna().any() or (chart == "forest" and rows[
            "reference_group"].notna().any()):
        sec.add(plots.forest(rows, title=f"{title}: relative likelihoods (95% CI)"))
    elif chart == "ladder":
        sec.add(plots.band_ladder(rows, title=title))
    sec.add(plots.results_table(rows, caption=caption or f"{title} ({ctx.scope_label})"))
    return sec


# --------------------------------------------------------------------------- sections


def title_block(ctx: ReportContext) -> Section:
    """Report title line: scope, period and disclosure mode (with a banner when internal)."""
    from equity.disclosure import disclosure_note

    sec = Section().add(Note(f"Workforce equity report: {ctx.scope_label}."))
    if ctx.disclosure == "internal":
        sec.add(Note(disclosure_note("internal"), kind="warning"))
    return sec


def _headline_row(res: pd.DataFrame, indicator: str, group_var: str) -> dict[str, Any] | None:
    rows = res.loc[(res["indicator"] == indicator)]
    if rows.empty:
        return None
    for c in ("directorate", "profession", "band"):
        rows = rows.loc[rows[c].isna()] if rows[c].isna().any() else rows
    pref = rows.loc[rows["group_var"] == group_var]
    rows = pref if len(pref) else rows
    comp = rows.loc[rows["reference_group"].notna() & (rows["group"] != rows["reference_group"])]
    pick = comp if len(comp) else rows
    if "BME" in set(pick["group"]):
        pick = pick.loc[pick["group"] == "BME"]
    return pick.iloc[0].to_dict()


def _headline_figure(row: dict[str, Any]) -> tuple[str, str, float]:
    meta = REGISTRY[row["indicator"]]
    if row["suppressed"] and not _finite(row["ratio"]) and not _finite(row["value"]):
        return "*", "", math.nan
    if _finite(row["ratio"]):
        ci = (f"{row['ratio_ci_low']:.2f} to {row['ratio_ci_high']:.2f}"
              if _finite(row["ratio_ci_low"]) else "")
        return f"{row['ratio']:.2f}", ci, float(row["ratio"])
    ci = (f"{format_value(row['ci_low'], meta.unit)} to {format_value(row['ci_high'], meta.unit)}"
          if _finite(row["ci_low"]) else "")
    return format_value(row["value"], meta.unit), ci, float(row["value"]) if _finite(
        row["value"]) else math.nan


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def headlines(ctx: ReportContext) -> pd.DataFrame:
    """The headline scorecard as a DataFrame: one row per key indicator with figure, interval,
    status, last year's figure and the change."""
    res = ctx.results()
    prev_period = ctx.previous_period()
    prev = (concat_results([ctx.call(f, period=prev_period) for f in PREVIOUS_YEAR_FUNCTIONS])
            if prev_period else None)
    recs = []
    for ind, gv in HEADLINES:
        meta = REGISTRY[ind]
        row = _headline_row(res, ind, gv)
        if row is None:
            reason = res.attrs.get("not_computed", {}).get(ind, "not yet available")
            recs.append({"Indicator": meta.title, "Group": "", "Figure": "", "95% CI": "",
                         "Status": reason, "Last year": "", "Change": ""})
            continue
        fig, ci, v = _headline_figure(row)
        last, change = "", ""
        prow = _headline_row(prev, ind, gv) if prev is not None else None
        if prow is not None:
            pfig, _, pv = _headline_figure(prow)
            last = pfig
            if math.isfinite(v) and math.isfinite(pv):
                d = v - pv
                change = (f"{d:+.2f}" if _finite(row["ratio"]) else
                          format_value(d, meta.unit).replace("%", " pts") if meta.unit == "proportion"
                          else f"{d:+.1f}")
        grp = row["group"] or ""
        if row.get("reference_group") and row["reference_group"] != grp:
            grp = f"{grp} vs {row['reference_group']}"
        status = str(row["status"]).replace("_", " ")
        if row["suppressed"] and fig == "*":
            status = "suppressed (small numbers)"
        recs.append({"Indicator": meta.title, "Group": grp, "Figure": fig, "95% CI": ci,
                     "Status": status, "Last year": last, "Change": change})
    return pd.DataFrame(recs)


def scorecard(ctx: ReportContext) -> Section:
    """Headline scorecard: each key indicator with value, interval, status and change since
    last year, with a sentence for each adverse or insufficient finding."""
    table = headlines(ctx)
    res = ctx.results()
    adverse = res.loc[(res["status"] == ADVERSE) & res["indicator"].isin([h for h, _ in HEADLINES])]
    summary = {
        "scope": ctx.scope_label,
        "headlines": table[["Indicator", "Group", "Figure", "95% CI", "Status"]].to_dict("records"),
        "adverse": int(len(adverse)),
    }
    sec = Section(summary=summary)
    sec.add(plots.Table(table, caption=f"Headline scorecard ({ctx.scope_label})",
                        notes=["Figures are relative likelihoods (1 = equal) unless shown as %. "
                               "* suppressed: small numbers."]))
    if len(adverse):
        sec.add(narrative(adverse, heading="Adverse findings", caveats=True))
    else:
        sec.add(Note("No headline indicator is outside the non-adverse range in the adverse "
                     "direction (or there were too few people to tell)."))
    return sec


def workforce_profile(ctx: ReportContext) -> Section:
    """Workforce by profession and band: representation shares with intervals."""
    sec = Section()
    for within, label in ((("profession",), "profession"), (("band",), "band")):
        res = ctx.call("representation", within=within)
        rows = res.loc[(res["indicator"] == "representation") & (res["group_var"] == "ethnicity")]
        if rows.empty:
            sec.add(_unavailable(ctx, f"Workforce profile by {label}", ["representation"], res))
            continue
        if label == "band":
            sec.add(plots.band_ladder(rows, title="Share of staff in each band by ethnic group"))
        sec.add(plots.results_table(rows, caption=f"Staff by ethnic group and {label} "
                                    f"({ctx.scope_label})"))
    return sec


def representation(ctx: ReportContext) -> Section:
    """Representation and leadership: senior representation, Model Employer gap, benchmark
    comparison, diversity index."""
    return _block(ctx, "Representation and leadership",
                  ["senior_representation", "model_employer_gap", "representation_vs_benchmark",
                   "diversity_index", "wres_9", "wdes_10"])


def recruitment(ctx: ReportContext) -> Section:
    """Recruitment: WRES 2 and WDES 2 (appointment from shortlisting)."""
    return _block(ctx, "Recruitment", ["wres_2", "wdes_2"])


def formal_processes(ctx: ReportContext) -> Section:
    """Formal processes: WRES 3 (disciplinary) and WDES 3 (capability)."""
    return _block(ctx, "Formal processes", ["wres_3", "wdes_3"])


def development(ctx: ReportContext) -> Section:
    """Development: WRES 4 and access to non-mandatory training by group."""
    return _block(ctx, "Development", ["wres_4", "training_access"])


def retention(ctx: ReportContext) -> Section:
    """Retention: leaver rate, stability, early-career leaving and survival curves."""
    sec = _block(ctx, "Retention", ["leaver_rate", "leaver_rate_fte", "stability_index",
                                    "early_career_leaver_rate", "joiner_rate"])
    curves = _call_optional("equity.indicators.retention", "survival_curves", ctx)
    if isinstance(curves, pd.DataFrame) and len(curves):
        sec.add(plots.survival(curves))
    return sec


def progression(ctx: ReportContext) -> Section:
    """Progression: promotion rate, pipeline disparity."""
    return _block(ctx, "Progression", ["promotion_rate", "pipeline_disparity"])


def pay_gaps(ctx: ReportContext) -> Section:
    """Pay gaps: mean and median hourly pay gaps, bonus measures, pay quarters."""
    res = ctx.results()
    ids = ["pay_gap_mean", "pay_gap_median", "bonus_gap_mean", "bonus_gap_median",
           "bonus_proportion"]
    rows = _rows(res, ids)
    sec = Section()
    if rows.empty and _rows(res, ["pay_quartile"]).empty:
        return sec.add(_unavailable(ctx, "Pay gaps", [*ids, "pay_quartile"], res))
    gaps = rows.loc[rows["reference_group"].notna() & (rows["group"] != rows["reference_group"])]
    sec.add(Narrative(tuple(sentence(r) for r in gaps.to_dict("records"))[:10],
                      heading="What the figures say"))
    # Pay tables show gaps and counts only, never average pay: an odd-sized group's median
    # is one person's pay.
    sec.add(plots.results_table(gaps, caption=f"Pay gaps ({ctx.scope_label})"))
    q = _rows(res, ["pay_quartile"])
    q = q.loc[q["group_var"] == "sex"] if (q["group_var"] == "sex").any() else q
    if len(q):
        for c in ("directorate", "profession", "band"):
            q = q.loc[q[c].isna()] if q[c].isna().any() else q
        sec.add(plots.pay_quarters(q, title="Women and men in each pay quarter"))
    return sec


def survey(ctx: ReportContext) -> Section:
    """Staff survey indicators (WRES 5-8, WDES 4-9) when the survey table is present."""
    if getattr(ctx.dataset, "survey", None) is None:
        return Section().add(Note("The dataset has no staff survey table, so WRES 5-8 and "
                                  "WDES 4-9 are not shown."))
    ids = [f"wres_{i}" for i in range(5, 9)] + [f"wdes_{i}" for i in range(4, 10)]
    return _block(ctx, "Staff survey", ids, chart=None)


def _call_optional(module: str, func: str, ctx: ReportContext, **kwargs: Any) -> Any:
    try:
        fn = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        return None
    try:
        return fn(ctx.dataset, period=ctx.period, staff_group=ctx.staff_group,
                  directorate=ctx.directorate, **kwargs)
    except EquityError:
        return None


def trends(ctx: ReportContext, *, indicator: str = "leaver_rate") -> Section:
    """Trend of a headline rate over every year the data hold, as an XmR (SPC) chart.

    The trust-level (or directorate-level) rate per year comes from
    :func:`equity.indicators.trends`; process limits and signals from the SPC functions of
    :mod:`equity.stats` when present (else the series is drawn without limits, and said so).
    """
    sec = Section()
    res = ctx.call("trends", indicators=(indicator,), by="ethnicity")
    rows = res.loc[(res["indicator"] == indicator) & res["variant"].isna()]
    meta = REGISTRY[indicator]
    if rows.empty:
        return sec.add(_unavailable(ctx, f"Trends: {meta.title}", [indicator, "trends"], res))
    end = str(codes.Period.parse(ctx.period))
    # The all-groups rate per year: every group's counts added up (unknowns included).
    # A year with any suppressed group has no publishable total: it is left out.
    rows = rows.loc[rows["period"] <= end]
    hidden = set(rows.loc[rows["suppressed"], "period"])
    per = (rows.loc[~rows["period"].isin(hidden)].groupby("period", as_index=False)
           [["numerator", "denominator"]].sum())
    series = per.assign(value=per["numerator"] / per["denominator"])[["period", "value"]]
    if len(series) < 3:
        return sec.add(Note(f"{meta.title}: fewer than three years with publishable figures (small numbers are suppressed), so no "
                         "trend chart."))
    try:
        from equity.stats import xmr
    except ImportError:
        sec.add(Note("Process limits are not yet available in the library: the chart shows the "
                     "series only."))
        frame = series
    else:
        better = {"above": "decrease", "below": "increase"}.get(meta.harm or "")
        frame = xmr(series, value="value", x="period",
                    improvement=better)  # type: ignore[arg-type]
    sec.add(plots.spc(frame, title=f"{meta.title} by year ({ctx.scope_label.rsplit(',', 1)[0]})"))
    return sec


def data_quality(ctx: ReportContext) -> Section:
    """Declaration rates and validation findings (counts only, never example rows)."""
    from equity.disclosure import publish_counts

    sec = Section()
    res = ctx.results()
    decl = _rows(res, ["declaration_rate"])
    if len(decl):
        sec.add(plots.results_table(decl, caption="Declaration rates"))
    try:
        from equity.validate import validate
    except ImportError:
        return sec.add(not_available("Validation findings"))
    frame = validate(ctx.dataset).to_frame()
    if frame.empty:
        return sec.add(Note("Validation found no problems in the data."))
    # Examples and messages can quote ids: only where, which rule and how many are shown.
    counts = frame["count"].astype(float)
    shown = (publish_counts(counts) if ctx.disclosure == "publication" else counts.to_numpy())
    table = frame[["severity", "table", "column", "rule"]].assign(
        rows=[("*" if not math.isfinite(v) else f"{v:,.0f}") for v in shown])
    return sec.add(plots.Table(table, caption="Validation findings (whole dataset)",
                               notes=["* fewer than 8 rows."]))


def methods(ctx: ReportContext) -> Section:
    """Methods and definitions appendix, generated from the indicator registry."""
    reg = registry_table()
    table = reg[["indicator", "title", "definition", "unit", "method", "source"]]
    refs = ", ".join(f"{k}: {v}" for k, v in ctx.reference_groups.items())
    return Section().add(
        Note("Rates have Wilson 95% intervals; relative likelihoods have 95% intervals and are "
             "judged against the non-adverse range 0.80-1.25 (NHS England). 'Too few people "
             "to tell' means fewer than 10 people in a group. Reference groups: " + refs + "."),
        plots.Table(table, caption="Indicator definitions and sources"),
    )


def disclosure(ctx: ReportContext) -> Section:
    """The disclosure note for the mode applied."""
    from equity.disclosure import disclosure_note

    return Section().add(Note(disclosure_note(ctx.disclosure),
                              kind="warning" if ctx.disclosure == "internal" else "note"))


def provenance(ctx: ReportContext) -> Section:
    """Data fingerprint, parameters and library version of this report."""
    from equity import __version__

    table = pd.DataFrame({
        "Item": ["Data fingerprint (SHA-256)", "Period", "Directorate", "Staff group",
                 "Disclosure", "equity version"],
        "Value": [data_fingerprint(ctx.data_path), ctx.period, ctx.directorate or "whole trust",
                  ctx.staff_group or "all", ctx.disclosure, __version__],
    })
    return Section().add(plots.Table(table, caption="How this report was produced"))


# --------------------------------------------------------------------------- trust overview


#: Functions of :mod:`equity.indicators` behind the trust overview's comparisons.
OVERVIEW_FUNCTIONS: dict[str, str] = {"leaver_rate": "retention", "wres_2": "wres",
                                      "promotion_rate": "progression"}


def _by(ctx: ReportContext, within: str) -> pd.DataFrame:
    return concat_results([ctx.call(f, within=(within,), directorate=None)
                           for f in dict.fromkeys(OVERVIEW_FUNCTIONS.values())])


def directorate_comparison(ctx: ReportContext) -> Section:
    """All directorates compared: headline relative likelihoods by directorate."""
    res = _by(ctx, "directorate")
    ids = list(OVERVIEW_FUNCTIONS)
    rows = res.loc[res["indicator"].isin(ids) & res["reference_group"].notna()
                   & (res["group"] != res["reference_group"])]
    if rows.empty:
        return Section().add(_unavailable(ctx, "Directorates compared", ids, res))
    return Section().add(
        plots.forest(rows.loc[rows["indicator"].isin(["wres_2", "leaver_rate", "promotion_rate"])],
                     title="Relative likelihoods by directorate (95% CI)"),
        plots.results_table(rows, caption="Headline comparisons by directorate"),
    )


def profession_comparison(ctx: ReportContext) -> Section:
    """Professions compared: representation and comparisons by profession."""
    res = _by(ctx, "profession")
    rows = res.loc[res["indicator"].isin(list(OVERVIEW_FUNCTIONS))]
    if rows.empty:
        return Section().add(_unavailable(ctx, "Professions compared", ["representation"], res))
    return Section().add(plots.results_table(rows, caption="Professions compared"))


def funnels(ctx: ReportContext, *, indicators: Sequence[str] = (
        "leaver_rate", "wres_2", "promotion_rate")) -> Section:
    """Funnel plots of leaver, appointment and promotion rates by directorate."""
    sec = Section()
    try:
        from equity.stats import funnel_limits
    except ImportError:
        return sec.add(not_available("Funnel plots",
                                     "Funnel limits are still being added to the library."))
    res = _by(ctx, "directorate")
    for ind in indicators:
        rows = res.loc[(res["indicator"] == ind) & (res["variant"].isna())]
        if rows.empty:
            sec.add(_unavailable(ctx, f"Funnel plot: {REGISTRY[ind].title}", [ind], res))
            continue
        units = (rows.loc[~rows["suppressed"]].groupby("directorate", as_index=False)
                 [["numerator", "denominator"]].sum())
        units = units.loc[units["denominator"] > 0]
        if units.empty:
            sec.add(Note(f"{REGISTRY[ind].title}: every directorate's figure is suppressed "
                         "(small numbers), so there is no funnel plot."))
            continue
        units = units.assign(value=units["numerator"] / units["denominator"], suppressed=False)
        target = float(units["numerator"].sum() / units["denominator"].sum())
        # Limits over a grid of sizes, so the funnel is drawn as curves.
        grid = pd.Series(range(1, int(units["denominator"].max() * 1.1) + 2), dtype=float)
        limits = funnel_limits(grid * target, grid, target=target)
        sec.add(plots.funnel(units, limits, title=f"{REGISTRY[ind].title} by directorate",
                             target=target))
    return sec


__all__ = [
    "HEADLINES", "MAIN_FUNCTIONS", "OVERVIEW_FUNCTIONS", "PREVIOUS_YEAR_FUNCTIONS", "Note", "ReportContext", "Section", "check_directorate",
    "data_fingerprint", "data_quality", "development", "directorate_comparison", "disclosure",
    "formal_processes", "funnels", "headlines", "known_directorates", "load", "methods",
    "pay_gaps", "profession_comparison", "progression", "provenance",
    "recruitment", "representation", "resolve_data_path", "retention", "scorecard", "survey",
    "title_block", "trends", "workforce_profile",
]
