"""Report section builders: everything a report notebook shows, one call per cell.

The report notebooks hold no logic (STYLE.md "Notebooks"): each cell calls one function here,
which returns a :class:`Section` (narrative, tables and charts) that displays in JupyterLab and
exports to accessible HTML. :func:`load` reads the data once and computes the indicators
lazily, cached per scope, with disclosure control applied before anything is shown.

A section whose indicator family is not available (not installed yet, or the data lack the
tables it needs) shows a clear note instead of failing the report.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pandas as pd

from equity import codes, plots
from equity.errors import EquityError, ParameterError
from equity.narrative import Narrative, format_value, narrative, not_available, sentence
from equity.registry import REGISTRY, registry_table
from equity.result import ADVERSE, concat_results, empty_result

Disclosure = Literal["publication", "internal"]

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
            while chunk := fh.read(1 << 20):
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

#: The indicator families behind a report's main table, each computed once per report (per
#: period and directorate) and cached on the :class:`ReportContext`: ``"kind:grouping"``.
#: Retention and progression take the report's reference groups (``reference=``).
MAIN_FAMILIES: tuple[str, ...] = (
    "equality", "retention:ethnicity", "progression:ethnicity", "retention:disability",
    "progression:disability", "pay",
)

#: The families behind the headline scorecard alone: last year's figures and the trust-wide
#: comparison need only these (a fraction of the main table's cost).
HEADLINE_FAMILIES: tuple[str, ...] = (
    "headline_equality", "retention:ethnicity", "progression:ethnicity", "pay:sex",
)


@dataclass
class ReportContext:
    """Data and parameters of one report, with every indicator family cached.

    Each family (:data:`MAIN_FAMILIES`) is computed at most once per period, directorate and
    stratification, however many sections show it; disclosure control is applied once to
    the combined table. ``shared`` holds figures common to every report of a batch (the
    trust-wide headline figures, validation findings), computed once by
    :func:`equity.report.render_reports` and read from a file, so no report recomputes them.
    """

    dataset: Any
    data_path: Path
    period: str
    directorate: str | None
    staff_group: str | None
    disclosure: Disclosure
    reference_groups: dict[str, str]
    shared: dict[str, Any] = field(default_factory=dict, repr=False)
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def scope_label(self) -> str:
        who = self.staff_group if self.staff_group not in (None, "all") else "All staff groups"
        where = self.directorate or "whole trust"
        return f"{who}, {where}, {self.period}"

    @property
    def group_label(self) -> str:
        """Short name of the staff group ("AHP" for Allied Health Professionals)."""
        if self.staff_group in (None, "all"):
            return "all staff"
        return "AHP" if self.staff_group == codes.AHP_STAFF_GROUP else str(self.staff_group)

    def _scope(self, period: str | None, directorate: str | None | Literal["self"]
               ) -> tuple[str, str | None]:
        return (str(period or self.period),
                self.directorate if directorate == "self" else directorate)

    def family(self, name: str, *, period: str | None = None,
               directorate: str | None | Literal["self"] = "self",
               within: Sequence[str] = ()) -> pd.DataFrame:
        """One indicator family for this report's scope (or a variant of it), before
        disclosure control; cached. A family the data do not allow (an
        :class:`~equity.errors.EquityError`) gives an empty table whose
        ``attrs["not_computed"]`` says why; any other error propagates, so a bug fails the
        render loudly."""
        per, d = self._scope(period, directorate)
        key = ("family", name, per, d, tuple(within))
        if key not in self._cache:
            batch = self._from_batch(name, per, d, tuple(within))
            if batch is not None:
                self._cache[key] = batch
                return batch
            try:
                self._cache[key] = self._run(name, period=per, directorate=d,
                                             within=tuple(within))
            except EquityError as err:
                out = empty_result()
                reason = f"{type(err).__name__}: {err}"
                out.attrs["not_computed"] = {name: reason}
                self.missing[name] = reason
                self._cache[key] = out
        return self._cache[key]

    def _from_batch(self, name: str, period: str, directorate: str | None,
                    within: tuple[str, ...]) -> pd.DataFrame | None:
        """A family a batch computed once for every report (:func:`batch_families`): the
        table itself for the same scope, or this directorate's rows of the table split by
        directorate (when the batch found every indicator there; the rows with no
        directorate, such as the board's, are trust-level and shared). None when the batch
        did not compute it, for other reference groups or staff group, or its folder is gone
        (a notebook re-run after the batch): the family is then computed here."""
        folder = self.shared.get("batch_dir")
        if not folder or not Path(folder, _BATCH_INDEX).exists():
            return None
        if ("batch",) not in self._cache:
            self._cache[("batch",)] = _read_batch(Path(folder))
        index, table = self._cache[("batch",)]
        if (index["staff_group"] != self.staff_group
                or index["reference_groups"] != self.reference_groups):
            return None
        exact = index["tables"].get(_batch_key(BatchKey(name, period, directorate, within)))
        if exact is not None:
            entry, rows = exact, table["_key"] == exact["key"]
        else:
            entry = index["tables"].get(_batch_key(
                BatchKey(name, period, None, ("directorate", *within))))
            if directorate is None or entry is None or directorate not in entry["covered"]:
                return None
            rows = (table["_key"] == entry["key"]) & (
                table["directorate"].isna() | (table["directorate"] == directorate))
        out = table.loc[rows].drop(columns="_key").reset_index(drop=True)
        if exact is None:  # a filter's column is empty (the result schema's rule)
            out["directorate"] = pd.Series([None] * len(out), dtype=object)
        out.attrs["not_computed"] = dict(entry["not_computed"])
        if exact is not None:
            out.attrs["exclusions"] = list(exact["exclusions"])
        return out

    def _run(self, name: str, *, period: str, directorate: str | None,
             within: tuple[str, ...]) -> pd.DataFrame:
        from equity.indicators import equality_indicators, pay_indicators
        from equity.indicators.pay import pay_gap
        from equity.indicators.progression import progression
        from equity.indicators.representation import (
            pipeline_disparity,
            representation,
            senior_representation,
        )
        from equity.indicators.retention import retention
        from equity.indicators.wdes import wdes
        from equity.indicators.wres import wres

        ds = self.dataset
        scope: dict[str, Any] = {"period": period, "within": within,
                                 "staff_group": self.staff_group, "directorate": directorate}
        kind, _, by = name.partition(":")
        if kind == "equality":
            # Model Employer ladder: baseline = earliest 31 March snapshot, goal = 5 years
            # later (equality_indicators' defaults).
            return equality_indicators(ds, **scope)
        if kind == "headline_equality":
            return concat_results([f(ds, **scope) for f in (
                senior_representation, pipeline_disparity, wres, wdes)])
        if kind == "representation":
            return representation(ds, **scope)
        if kind == "wres":
            return wres(ds, **scope)
        if kind in ("retention", "progression"):
            fn = retention if kind == "retention" else progression
            return fn(ds, by=by, reference=self.reference_groups.get(by), **scope)
        if kind == "pay":
            return (pay_gap(ds, by=by, **scope)  # type: ignore[arg-type]
                    if by else pay_indicators(ds, **scope))
        raise ParameterError(f"Unknown indicator family {name!r}; known: "
                             f"{', '.join(MAIN_FAMILIES + HEADLINE_FAMILIES)}, representation.")

    def results(self, *, period: str | None = None,
                directorate: str | None | Literal["self"] = "self",
                families: Sequence[str] = MAIN_FAMILIES,
                within: Sequence[str] = ()) -> pd.DataFrame:
        """The families' long table for this scope, disclosure-controlled once; cached."""
        per, d = self._scope(period, directorate)
        key = ("results", tuple(families), per, d, tuple(within))
        if key not in self._cache:
            from equity.disclosure import apply_disclosure

            parts = [self.family(f, period=per, directorate=d, within=within) for f in families]
            out = apply_disclosure(concat_results(parts), mode=self.disclosure)
            out.attrs["disclosure"] = self.disclosure
            self._cache[key] = out
        return self._cache[key]

    def headline_results(self, *, period: str | None = None,
                         directorate: str | None | Literal["self"] = "self") -> pd.DataFrame:
        """What the scorecard needs for a period / directorate: the main table when it is
        this report's own scope (already computed), else the headline families only."""
        per, d = self._scope(period, directorate)
        if (per, d) == (self.period, self.directorate):
            return self.results()
        return self.results(period=per, directorate=d, families=HEADLINE_FAMILIES)

    def trust_headlines(self) -> pd.DataFrame:
        """Trust-wide headline figures for the same staff group (the scorecard's comparison
        column): from ``shared`` when the batch computed them, else computed here."""
        if "trust_headlines" in self.shared:
            return _frame_from_records(self.shared["trust_headlines"])
        return self.headline_results(directorate=None)

    def previous_period(self) -> str | None:
        """The previous financial year when the data hold both its snapshots, else None."""
        from equity.indicators.retention import periods_with_both

        prev = codes.Period.parse(self.period).previous()
        return str(prev) if prev in periods_with_both(self.dataset) else None

    def trend_periods(self) -> list[str]:
        """Financial years up to this report's period that the data allow (both snapshots)."""
        from equity.indicators.retention import periods_with_both

        end = codes.Period.parse(self.period)
        return [str(p) for p in periods_with_both(self.dataset) if p <= end]


def _json_ready(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        return _json_ready(v.item())
    return v


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _json_ready(v) for k, v in r.items()} for r in frame.to_dict("records")]


def _frame_from_records(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    from equity.result import make_result

    if not records:
        return empty_result()
    return make_result(pd.DataFrame.from_records(list(records)))


def shared_figures(data_path: str | Path, *, period: str,
                   staff_group: str | None = codes.AHP_STAFF_GROUP,
                   disclosure: Disclosure = "publication",
                   batch_dir: str | Path | None = None) -> dict[str, Any]:
    """Figures every report of a batch shows, computed once: the trust-wide headline rows
    (disclosure-controlled) and the validation findings (counts only, disclosure-controlled).

    :func:`equity.report.render_reports` writes them to a JSON file passed to each notebook
    as its ``shared_path`` parameter, with ``batch_dir``: the private folder of the
    families the batch computed once for every report (:func:`write_batch`), read from
    there instead of recomputed (here too).
    """
    ctx = load(data_path, period=period, staff_group=staff_group, disclosure=disclosure)
    if batch_dir is not None:
        ctx.shared["batch_dir"] = str(batch_dir)
    trust = ctx.results(families=HEADLINE_FAMILIES)
    trust = trust.loc[trust["indicator"].isin([i for i, _ in HEADLINES])]
    return {"trust_headlines": _records(trust),
            "validation": _records(validation_table(ctx)),
            "fingerprint": data_fingerprint(ctx.data_path),
            **({"batch_dir": str(batch_dir)} if batch_dir is not None else {})}



# --------------------------------------------------------------------------- batch


_BATCH_INDEX = "families.json"
_BATCH_TABLE = "families.parquet"


class BatchKey(NamedTuple):
    """One family a batch computes: for ``directorate`` (None: the whole trust), split by
    ``within``."""

    family: str
    period: str
    directorate: str | None
    within: tuple[str, ...]


def _batch_key(key: BatchKey) -> str:
    return "|".join([key.family, key.period, key.directorate or "", *key.within])


def batch_families(ctx: ReportContext, *, overview: bool = True) -> list[BatchKey]:
    """The families a batch of reports computes once.

    Every directorate report needs the main families for the period, the headline families
    for last year and the leaver rate for each trend year, each for its own directorate:
    computed once split by directorate (one pass over the data instead of one per report)
    and sliced per report; and the trust-wide headline families (the scorecard's
    comparison column). A directorate with nobody in the staff group has no rows to slice
    (:func:`write_batch`), so its families are computed for it alone. With ``overview``,
    also what the trust overview shows: the same families for the whole trust, and its
    comparisons by directorate.
    """
    prev = ctx.previous_period()
    per = ctx.period
    names = [(f, per) for f in MAIN_FAMILIES]
    names += [(f, prev) for f in HEADLINE_FAMILIES] if prev else []
    names += [(_trend_family(TREND_INDICATOR), p) for p in ctx.trend_periods()]
    keys = [BatchKey(f, p, None, ("directorate",)) for f, p in names]
    keys += [BatchKey(f, per, None, ()) for f in HEADLINE_FAMILIES]
    keys += [BatchKey(f, p, d, ()) for d in _empty_directorates(ctx) for f, p in names]
    if overview:
        keys += [BatchKey(f, p, None, ()) for f, p in names]
        keys += [BatchKey(f, per, None, ("directorate",)) for f in OVERVIEW_FUNCTIONS.values()]
    return list(dict.fromkeys(keys))


def _empty_directorates(ctx: ReportContext) -> list[str]:
    """Directorates with no staff-table row in the report's staff group."""
    from equity import cube

    if ctx.staff_group is None:
        return []
    c = cube.count(ctx.dataset.staff, ["directorate", "staff_group"])
    have = c.loc[c["staff_group"] == ctx.staff_group, "directorate"]
    return sorted(set(c["directorate"].dropna()) - set(have))


@functools.lru_cache(maxsize=2)
def _batch_context(data_path: str, period: str, staff_group: str | None) -> ReportContext:
    # One context (the dataset read once) per batch worker process; default reference
    # groups, as the batch's notebooks use (a report with others computes its own).
    return load(data_path, period=period, staff_group=staff_group)


def batch_tasks(keys: Sequence[BatchKey]) -> list[list[BatchKey]]:
    """:func:`batch_families` as tasks: the families of one period, scope and
    stratification are computed together, so they share their counts
    (:func:`equity.cube.sharing`); largest tasks first."""
    tasks: dict[tuple[Any, ...], list[BatchKey]] = {}
    for k in keys:
        tasks.setdefault((k.period, k.directorate, k.within), []).append(k)
    return sorted(tasks.values(), key=len, reverse=True)


def batch_family(data_path: str | Path, keys: Sequence[BatchKey], *, report_period: str,
                 staff_group: str | None) -> dict[BatchKey, pd.DataFrame]:
    """One task of :func:`batch_tasks`: its families, before disclosure control (a batch
    worker's task; the tables never leave the batch's private folder)."""
    from equity import cube

    ctx = _batch_context(str(data_path), report_period, staff_group)
    with cube.sharing():
        return {k: ctx.family(k.family, period=k.period, directorate=k.directorate,
                              within=k.within) for k in keys}


def write_batch(folder: str | Path, ctx: ReportContext,
                tables: dict[BatchKey, pd.DataFrame]) -> Path:
    """Write a batch's families to ``folder`` (one Parquet table and an index) for
    :meth:`ReportContext.family` to read. A directorate is listed as covered by a family
    split by directorate only when its rows (with the trust-level rows) hold every
    indicator, variant and grouping the table holds: a directorate with nobody in the scope
    (no rows at all) is computed by its own report, as before."""
    folder = Path(folder)
    index: dict[str, Any] = {"staff_group": ctx.staff_group,
                             "reference_groups": ctx.reference_groups, "tables": {}}
    parts = []
    for k, table in tables.items():
        key = _batch_key(k)
        entry: dict[str, Any] = {"key": key, "not_computed": table.attrs.get("not_computed", {}),
                                 "exclusions": table.attrs.get("exclusions", []), "covered": []}
        if k.within[:1] == ("directorate",) and len(table):
            what = (table["indicator"] + "|" + table["variant"].fillna("") + "|"
                    + table["group_var"].fillna(""))
            shared = table["directorate"].isna()
            everything, trust_level = set(what), set(what[shared])
            entry["covered"] = sorted(
                str(d) for d, w in what[~shared].groupby(table["directorate"][~shared])
                if trust_level | set(w) == everything)
        index["tables"][key] = entry
        parts.append(table.assign(_key=key))
    pd.concat(parts, ignore_index=True).to_parquet(folder / _BATCH_TABLE, index=False)
    (folder / _BATCH_INDEX).write_text(json.dumps(index, default=_json_ready), encoding="utf-8")
    return folder


def _read_batch(folder: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    from equity.result import RESULT_COLUMNS, make_result

    index = json.loads((folder / _BATCH_INDEX).read_text(encoding="utf-8"))
    raw = pd.read_parquet(folder / _BATCH_TABLE)
    table = make_result(raw[list(RESULT_COLUMNS)]).assign(_key=raw["_key"].to_numpy())
    return index, table


def known_directorates(dataset: Any) -> list[str]:
    """Directorates in the staff table (sorted)."""
    from equity import cube

    c = cube.count(dataset.staff, ["directorate"])
    return sorted(str(v) for v in c["directorate"].dropna().tolist())


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
         reference_groups: dict[str, str] | None = None,
         shared_path: str | Path | None = None) -> ReportContext:
    """Read the dataset and set up a report's scope (nothing is computed until a section
    asks for it; each indicator family is then computed once and cached).

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
        Reference group per grouping, e.g. ``{"ethnicity": "White"}``: passed to the
        indicators that take ``reference=`` (retention, progression); the equality-standard
        indicators keep the standards' own reference groups.
    shared_path
        JSON file of figures shared by a batch of reports (:func:`shared_figures`); ``None``
        or ``""``: computed here when needed.
    """
    from equity.errors import check_choice
    from equity.io import read_dataset

    check_choice("disclosure", disclosure, ["publication", "internal"])
    codes.Period.parse(period)
    path = resolve_data_path(data_path)
    ds = read_dataset(path)
    d = directorate or None
    check_directorate(ds, d)
    refs = {"ethnicity": "White", "disability": "Non-disabled", "sex": "Male",
            **{k: v for k, v in (reference_groups or {}).items() if v}}
    shared = json.loads(Path(shared_path).read_text(encoding="utf-8")) if shared_path else {}
    return ReportContext(ds, path, str(period), d, None if staff_group in (None, "", "all")
                         else staff_group, disclosure, refs, shared)


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
    if ctx.missing:
        fams = "; ".join(f"{k} ({v})" for k, v in ctx.missing.items())
        return not_available(title, f"These indicators could not be computed: {fams}.")
    return Narrative((f"{title}: no figures, because the data hold nobody in this scope "
                      f"({ctx.scope_label}) for these indicators.",))


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


#: What a suppressed headline says, beside its status (publication mode).
SUPPRESSED_STATUS = "fewer than 8 people: suppressed"


def _change(row: dict[str, Any], v: float, pv: float, unit: str) -> str:
    if not (math.isfinite(v) and math.isfinite(pv)):
        return ""
    d = v - pv
    if _finite(row["ratio"]):
        return f"{d:+.2f}"
    if unit == "proportion":
        return f"{d * 100:+.1f} pts"
    return f"{d:+.1f}"


def headlines(ctx: ReportContext) -> pd.DataFrame:
    """The headline scorecard as a DataFrame: one row per key indicator with figure, interval,
    status, the trust-wide figure for the same staff group, last year's figure and the change.

    A figure withheld by disclosure control says so in its status ("fewer than 8 people:
    suppressed", then the status the indicator would otherwise carry is not shown because it
    is built from the suppressed counts); the trust-wide figure beside it is usually
    publishable and gives the reader the comparison the directorate cannot.
    """
    res = ctx.results()
    prev_period = ctx.previous_period()
    prev = ctx.headline_results(period=prev_period) if prev_period else None
    trust = None if ctx.directorate is None else ctx.trust_headlines()
    trust_col = f"Trust-wide ({ctx.group_label})"
    recs = []
    for ind, gv in HEADLINES:
        meta = REGISTRY[ind]
        row = _headline_row(res, ind, gv)
        rec: dict[str, Any] = {"Indicator": meta.title, "Group": "", "Figure": "", "95% CI": "",
                               "Status": "", "Last year": "", "Change": ""}
        if trust is not None:
            trow = _headline_row(trust, ind, gv)
            rec[trust_col] = _headline_figure(trow)[0] if trow is not None else ""
        if row is None:
            reason = res.attrs.get("not_computed", {}).get(ind, "not available for these data")
            recs.append({**rec, "Status": reason})
            continue
        fig, ci, v = _headline_figure(row)
        prow = _headline_row(prev, ind, gv) if prev is not None else None
        if prow is not None:
            pfig, _, pv = _headline_figure(prow)
            rec["Last year"] = pfig
            rec["Change"] = _change(row, v, pv, meta.unit)
        grp = row["group"] or ""
        if row.get("reference_group") and row["reference_group"] != grp:
            grp = f"{grp} vs {row['reference_group']}"
        status = str(row["status"]).replace("_", " ")
        if row["suppressed"] and fig == "*":
            status = SUPPRESSED_STATUS
        recs.append({**rec, "Group": grp, "Figure": fig, "95% CI": ci, "Status": status})
    cols = ["Indicator", "Group", "Figure", "95% CI", "Status",
            *([trust_col] if trust is not None else []), "Last year", "Change"]
    return pd.DataFrame(recs, columns=cols)


def scorecard(ctx: ReportContext) -> Section:
    """Headline scorecard: each key indicator with value, interval, status, the trust-wide
    figure and the change since last year, with a sentence for each adverse finding."""
    table = headlines(ctx)
    res = ctx.results()
    adverse = res.loc[(res["status"] == ADVERSE) & res["indicator"].isin([h for h, _ in HEADLINES])]
    n_sup = int((table["Status"] == SUPPRESSED_STATUS).sum())
    summary = {
        "scope": ctx.scope_label,
        "headlines": table[["Indicator", "Group", "Figure", "95% CI", "Status"]].to_dict("records"),
        "adverse": int(len(adverse)),
        "suppressed": n_sup,
    }
    notes = ["Figures are relative likelihoods (1 = equal) unless shown as % or pp. "
             "* suppressed: fewer than 8 people in a count behind the figure (or withheld so "
             "that such a count cannot be worked out from the totals)."]
    if ctx.directorate is not None:
        notes.append(f"Trust-wide: the same figure for all {ctx.group_label} staff in the trust, "
                     "for comparison.")
    sec = Section(summary=summary)
    sec.add(plots.Table(table, caption=f"Headline scorecard ({ctx.scope_label})", notes=notes))
    if n_sup and ctx.disclosure == "publication":
        sec.add(Note(
            f"{n_sup} of {len(table)} headline figures are suppressed because fewer than 8 "
            f"people in this directorate are behind them. This protects confidentiality; it is "
            "not a finding. The trust-wide column shows the comparable figure for the whole "
            "trust, and the sections below show every figure that can be published."))
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
        res = ctx.results(families=("representation",), within=within)
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
    """Representation and leadership: senior representation, benchmark comparison, diversity
    index, board; then the Model Employer gap (baseline: the earliest 31 March snapshot in
    the data; goal: five years later)."""
    sec = _block(ctx, "Representation and leadership",
                 ["senior_representation", "representation_vs_benchmark", "diversity_index",
                  "wres_9", "wdes_10"])
    me = _rows(ctx.results(), ["model_employer_gap"])
    if me.empty:
        return sec.add(_unavailable(ctx, "Model Employer gap", ["model_employer_gap"],
                                    ctx.results()))
    sec.add(Note("Model Employer gap (NHS England, A Model Employer, 2019; library method): "
                 "for each senior band, the BME share now ('current'), the target share for "
                 "this year on a straight line from the earliest year in the data to a goal "
                 "five years later ('target'), and the additional BME staff needed to meet it."))
    return sec.add(plots.results_table(me, caption=f"Model Employer gap ({ctx.scope_label})"))


def recruitment(ctx: ReportContext) -> Section:
    """Recruitment: WRES 2 and WDES 2 (appointment from shortlisting)."""
    return _block(ctx, "Recruitment", ["wres_2", "wdes_2"])


def formal_processes(ctx: ReportContext) -> Section:
    """Formal processes: WRES 3 (disciplinary) and WDES 3 (capability)."""
    return _block(ctx, "Formal processes", ["wres_3", "wdes_3"])


def development(ctx: ReportContext) -> Section:
    """Development: WRES 4 and access to non-mandatory training by group."""
    return _block(ctx, "Development", ["wres_4", "training_access"])


def _logrank_sentence(curves: pd.DataFrame, what: str) -> str:
    tests = curves.attrs.get("logrank") or []
    if not tests or tests[0].get("p_value") is None:
        return (f"Too few people to compare {what} between groups with a log-rank test "
                "(curves are shown only while at least 8 people are at risk).")
    t = tests[0]
    p = float(t["p_value"])
    ptxt = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    verdict = ("the groups' curves differ by more than chance would readily explain"
               if p < 0.05 else "the data are consistent with no difference between the groups")
    return (f"Log-rank test of {what} across {int(t.get('groups') or 0)} groups: "
            f"chi-squared {float(t['chi2']):.2f} on {int(t['df'])} df, {ptxt}: {verdict}. "
            "It does not show why any difference arises.")


def _medians_sentence(curves: pd.DataFrame, what: str) -> str | None:
    meds = [m for m in curves.attrs.get("median") or [] if m.get("median") is not None]
    if not meds:
        return None
    parts = [f"{m['group']} {float(m['median']):.0f} months" for m in meds]
    return f"Median time to {what}: " + "; ".join(parts) + "."


def survival(ctx: ReportContext, *, event: Literal["leaving", "promotion"] = "leaving"
             ) -> Section:
    """Kaplan-Meier curve of time to leaving (or to first promotion) by ethnic group, with the
    log-rank test in a sentence (:func:`equity.survival_curves`)."""
    from equity.indicators.survival import survival_curves

    what = "leaving" if event == "leaving" else "first promotion"
    key = ("survival", event, ctx.period, ctx.directorate)
    if key not in ctx._cache:
        try:
            ctx._cache[key] = survival_curves(
                ctx.dataset, period=ctx.period, by="ethnicity", directorate=ctx.directorate,
                staff_group=ctx.staff_group, event=event, time_unit="months", min_at_risk=8)
        except EquityError as err:
            ctx._cache[key] = err
    curves = ctx._cache[key]
    sec = Section()
    if isinstance(curves, EquityError):
        return sec.add(not_available(f"Time to {what}", f"{type(curves).__name__}: {curves}"))
    if curves.empty:
        return sec.add(Note(f"Time to {what}: no group has 8 or more people at risk, so no "
                            "curve can be published."))
    title = ("Staying in post over time (Kaplan-Meier)" if event == "leaving"
             else "Not yet promoted over time (Kaplan-Meier)")
    sec.add(plots.survival(curves, title=f"{title}, {ctx.scope_label}",
                           state="still in post" if event == "leaving" else "not yet promoted"))
    said = [_logrank_sentence(curves, f"time to {what}")]
    med = _medians_sentence(curves, what)
    if med:
        said.append(med)
    if curves.attrs.get("disclosure"):
        said.append(str(curves.attrs["disclosure"]).split(" see attrs")[0].rstrip(";. ") + ".")
    return sec.add(Narrative(tuple(said), heading=f"Time to {what}"))


def _published(values: Any, ctx: ReportContext) -> list[str]:
    """Counts as shown: disclosure-controlled in publication mode, ``*`` when suppressed."""
    from equity.disclosure import publish_counts

    v = pd.Series(values, dtype="float64").to_numpy()
    shown = publish_counts(v) if ctx.disclosure == "publication" else v
    return ["*" if not math.isfinite(x) else f"{x:,.0f}" for x in shown]


def _published_share(num: Any, den: Any, ctx: ReportContext) -> list[str]:
    """A share from the published counts (never from exact ones in publication mode)."""
    from equity.disclosure import publish_counts

    n = pd.Series(num, dtype="float64").to_numpy()
    d = pd.Series(den, dtype="float64").to_numpy()
    if ctx.disclosure == "publication":
        n, d = publish_counts(n), publish_counts(d)
    out = []
    for a, b in zip(n, d, strict=True):
        out.append("*" if not (math.isfinite(a) and math.isfinite(b)) else
                   "" if b == 0 else f"{a / b:.0%}")
    return out


def leaving_reasons(ctx: ReportContext) -> Section:
    """Leaving reasons by ethnic group (:func:`equity.leaving_reasons`), counts
    disclosure-controlled."""
    from equity.indicators.retention import leaving_reasons as reasons_of

    sec = Section()
    try:
        r = reasons_of(ctx.dataset, period=ctx.period, by="ethnicity",
                       staff_group=ctx.staff_group, directorate=ctx.directorate)
    except EquityError as err:
        return sec.add(not_available("Leaving reasons", f"{type(err).__name__}: {err}"))
    r = r.loc[r["leavers"] > 0]
    if r.empty:
        return sec.add(Note("Leaving reasons: nobody in this scope left during the year."))
    table = pd.DataFrame({
        "Leaving reason": r["leaving_reason"].to_numpy(),
        "Group": r["group"].to_numpy(),
        "Number": _published(r["count"], ctx),
        "Out of": _published(r["leavers"], ctx),
        "Share": _published_share(r["count"], r["leavers"], ctx),
    })
    return sec.add(plots.Table(
        table, caption=f"Leaving reasons by ethnic group ({ctx.scope_label})",
        notes=["Number: leavers giving the reason; out of: all leavers in the group. "
               "* suppressed: fewer than 8 people; counts rounded to the nearest 5."
               if ctx.disclosure == "publication" else "Exact counts (internal use)."]))


def transitions(ctx: ReportContext) -> Section:
    """Band transition matrix between the year's opening and closing snapshots, by ethnic
    group (:func:`equity.band_transitions`), counts disclosure-controlled."""
    from equity.indicators.progression import band_transitions

    sec = Section()
    try:
        t = band_transitions(ctx.dataset, period=ctx.period, by="ethnicity",
                             staff_group=ctx.staff_group, directorate=ctx.directorate)
    except EquityError as err:
        return sec.add(not_available("Band transitions", f"{type(err).__name__}: {err}"))
    bands = sorted(set(t["from_band"].dropna()) | set(t["to_band"].dropna()),
                   key=lambda b: codes.BAND_ORDER.get(str(b), 99))
    for g in [g for g in ("White", "BME", "Unknown") if g in set(t["group"])]:
        sub = t.loc[t["group"] == g]
        if float(sub["count"].sum()) == 0:
            continue
        shown = sub.assign(shown=_published(sub["count"], ctx))
        matrix = (shown.pivot(index="from_band", columns="to_band", values="shown")
                  .reindex(index=[b for b in bands if b in set(sub["from_band"])],
                           columns=[b for b in bands if b in set(sub["to_band"])])
                  .fillna("0"))
        matrix = matrix.reset_index().rename(columns={"from_band": "Band at start"})
        matrix.columns = [str(c) for c in matrix.columns]
        sec.add(plots.Table(matrix, caption=f"Band at the start of {ctx.period} (rows) and at "
                            f"its end (columns): {g} staff ({ctx.scope_label})",
                            notes=["Staff in post at both snapshots. * suppressed: fewer than "
                                   "8 people; counts rounded to the nearest 5."
                                   if ctx.disclosure == "publication" else
                                   "Exact counts (internal use)."]))
    if not sec.parts:
        sec.add(Note("Band transitions: nobody was in post at both snapshots in this scope."))
    return sec


def retention(ctx: ReportContext) -> Section:
    """Retention: leaver rate, stability, early-career leaving, time to leaving
    (Kaplan-Meier with a log-rank test) and leaving reasons."""
    sec = _block(ctx, "Retention", ["leaver_rate", "leaver_rate_fte", "stability_index",
                                    "early_career_leaver_rate", "joiner_rate"])
    sec.parts += survival(ctx, event="leaving").parts
    sec.parts += leaving_reasons(ctx).parts
    return sec


def progression(ctx: ReportContext) -> Section:
    """Progression: promotion rate, pipeline disparity, time to first promotion and band
    transitions."""
    sec = _block(ctx, "Progression", ["promotion_rate", "pipeline_disparity"])
    sec.parts += survival(ctx, event="promotion").parts
    sec.parts += transitions(ctx).parts
    return sec


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


#: The indicator the trends section follows (and the batch computes for every year).
TREND_INDICATOR = "leaver_rate"


def _trend_family(indicator: str) -> str:
    from equity.indicators.careers import RETENTION_TRENDS

    kind = "retention" if indicator in RETENTION_TRENDS else "progression"
    return f"{kind}:ethnicity"


def trend_series(ctx: ReportContext, indicator: str = TREND_INDICATOR) -> pd.DataFrame:
    """Yearly all-groups rate of a retention or promotion headline, up to the report's period.

    Each year's figures come from the same cached family as the report's own (and last
    year's) figures, so a trend costs only the years not already computed. The all-groups
    counts (every group added up, unknowns included) are disclosure-controlled as totals in
    publication mode (1-7 suppressed, others rounded to 5) and the rate is computed from the
    published counts; a year whose total is suppressed is left out.
    """
    from equity.disclosure import publish_counts

    parts = [ctx.family(_trend_family(indicator), period=p) for p in ctx.trend_periods()]
    res = concat_results(parts)
    rows = res.loc[(res["indicator"] == indicator) & res["variant"].isna()]
    per = rows.groupby("period", as_index=False)[["numerator", "denominator"]].sum()
    if ctx.disclosure == "publication":
        per = per.assign(numerator=publish_counts(per["numerator"]),
                         denominator=publish_counts(per["denominator"]))
    per = per.loc[per["numerator"].notna() & (per["denominator"] > 0)]
    return per.assign(value=per["numerator"] / per["denominator"])[["period", "value"]]


def trends(ctx: ReportContext, *, indicator: str = TREND_INDICATOR) -> Section:
    """Trend of a headline rate over the years the data hold up to the report's period, as
    an XmR (SPC) chart with process limits and signals (:func:`equity.stats.xmr`)."""
    from equity.stats import xmr

    sec = Section()
    meta = REGISTRY[indicator]
    series = trend_series(ctx, indicator)
    if len(series) < 3:
        return sec.add(Note(f"{meta.title}: fewer than three years with publishable figures "
                            "(small numbers are suppressed), so no trend chart."))
    better = {"above": "decrease", "below": "increase"}.get(meta.harm or "")
    frame = xmr(series, value="value", x="period", improvement=better)  # type: ignore[arg-type]
    return sec.add(plots.spc(frame, title=f"{meta.title} by year "
                                          f"({ctx.scope_label.rsplit(',', 1)[0]})"))


def validation_table(ctx: ReportContext) -> pd.DataFrame:
    """Validation findings as where, which rule and how many rows (counts
    disclosure-controlled); never examples or messages, which can quote ids."""
    if "validation" in ctx.shared:
        return pd.DataFrame.from_records(
            ctx.shared["validation"], columns=["severity", "table", "column", "rule", "rows"])
    from equity.validate import validate

    frame = validate(ctx.dataset).to_frame()
    return frame[["severity", "table", "column", "rule"]].assign(
        rows=_published(frame["count"], ctx))


def data_quality(ctx: ReportContext) -> Section:
    """Declaration rates and validation findings (counts only, never example rows)."""
    sec = Section()
    decl = _rows(ctx.results(), ["declaration_rate"])
    if len(decl):
        sec.add(plots.results_table(decl, caption="Declaration rates"))
    table = validation_table(ctx)
    if table.empty:
        return sec.add(Note("Validation found no problems in the data."))
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
        "Value": [ctx.shared.get("fingerprint") or data_fingerprint(ctx.data_path), ctx.period, ctx.directorate or "whole trust",
                  ctx.staff_group or "all", ctx.disclosure, __version__],
    })
    return Section().add(plots.Table(table, caption="How this report was produced"))


# --------------------------------------------------------------------------- trust overview


#: The trust overview's comparisons: indicator -> the family it comes from.
OVERVIEW_FUNCTIONS: dict[str, str] = {"leaver_rate": "retention:ethnicity", "wres_2": "wres",
                                      "promotion_rate": "progression:ethnicity"}


def _by(ctx: ReportContext, within: str) -> pd.DataFrame:
    # One computation per family and stratification, shared by the comparison table, the
    # forest plot and the funnel plots.
    return ctx.results(directorate=None, within=(within,),
                       families=tuple(dict.fromkeys(OVERVIEW_FUNCTIONS.values())))


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
    from equity.stats import funnel_limits

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
    "HEADLINES", "HEADLINE_FAMILIES", "MAIN_FAMILIES", "OVERVIEW_FUNCTIONS", "SUPPRESSED_STATUS",
    "BatchKey", "Note", "ReportContext", "Section", "batch_families", "batch_family", "batch_tasks",
    "check_directorate",
    "leaving_reasons", "write_batch",
    "shared_figures", "survival", "transitions", "trend_series", "validation_table",
    "data_fingerprint", "data_quality", "development", "directorate_comparison", "disclosure",
    "formal_processes", "funnels", "headlines", "known_directorates", "load", "methods",
    "pay_gaps", "profession_comparison", "progression", "provenance",
    "recruitment", "representation", "resolve_data_path", "retention", "scorecard", "survey",
    "title_block", "trends", "workforce_profile",
]
