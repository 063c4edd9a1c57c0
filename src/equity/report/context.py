"""A report's context: where its data are, its scope, and every indicator family it shows,
each computed once (or read from the batch that computed it for every report) and cached.

The section builders (:mod:`equity.report.sections`) read everything through a
:class:`ReportContext`; the batch plan and its store live in :mod:`equity.report.batch`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from equity import codes
from equity.errors import EquityError, ParameterError, check_choice
from equity.result import bare, concat_results, empty_result

Disclosure = Literal["publication", "internal"]


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
    """SHA-256 over the names and bytes of the dataset's input tables (sorted), as 16 hex
    digits.

    The same input tables always give the same fingerprint, so a report can be traced to the
    exact data it was rendered from. Only the files read as tables count (a folder's
    ``staff.csv``, ``leavers.parquet``, ... or a DuckDB file itself): a README, a
    ``truth.json`` or reports written into the folder do not change it.
    """
    from equity.schema import TABLE_NAMES

    p = Path(path)
    files = sorted(f for f in p.iterdir() if f.is_file() and f.stem in TABLE_NAMES
                   and f.suffix.lower() in _TABLE_SUFFIXES) if p.is_dir() else [p]
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(p) if p.is_dir() else f.name).encode())
        with f.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()[:16]



#: The dataset a batch read and validated once, in its private folder, for its workers and
#: report kernels (:func:`keep_dataset`).
DATASET_FILE = "dataset.pickle"
#: Largest dataset (rows over all tables) a batch hands to its processes this way; a larger
#: one is read by each (copying it would cost more than reading it).
KEEP_DATASET_ROWS = 2_000_000


def keep_dataset(ctx: ReportContext, folder: str | Path) -> dict[str, str]:
    """Write the context's dataset, as read and validated (its validation report travels
    with it), into a batch's private ``folder``, so that the batch's workers and report
    kernels read it in a few milliseconds instead of reading and validating the files again
    (about 1.5 s each on the sample). Returns the entries of the batch's shared figures
    that :func:`load` looks for (``dataset_file`` and the input files' ``fingerprint``):
    a kernel uses the file only while the input files still have that fingerprint. Empty
    (each process reads the files) for a dataset above :data:`KEEP_DATASET_ROWS` rows or
    not held by pandas."""
    import pickle

    from equity.export import atomic_write

    ds = ctx.dataset
    tables = list(ds.tables().values())
    if ds.engine != "pandas" or sum(len(t) for t in tables) > KEEP_DATASET_ROWS:
        return {}
    file = Path(folder, DATASET_FILE)
    atomic_write(file, pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL))
    return {"dataset_file": str(file), "fingerprint": data_fingerprint(ctx.data_path)}


def _read(path: Path, shared: dict[str, Any], mapping: str | None = None) -> Any:
    """The dataset at ``path``: the batch's validated copy while the input files are the ones
    it read (:func:`keep_dataset`), else read from the files (with the ``mapping`` file)."""
    from equity.io import read_dataset

    kept = shared.get("dataset_file")
    if (kept and _private(Path(kept))
            and shared.get("fingerprint") == data_fingerprint(path)):
        import pickle

        with open(kept, "rb") as fh:  # written by this batch, in its private (0700) folder
            return pickle.load(fh)
    return read_dataset(path, mapping=mapping)


def _private(file: Path) -> bool:
    """True when ``file`` is this user's, in a folder only this user can open (a batch's
    ``mkdtemp`` folder): only such a file is unpickled, since the shared-figures file naming
    it sits in the (possibly shared) output folder. False where ownership cannot be told."""
    import os
    import stat

    if not hasattr(os, "getuid"):
        return False
    try:
        folder, own = file.parent.stat(), file.stat()
    except OSError:
        return False
    return (stat.S_ISREG(own.st_mode) and own.st_uid == folder.st_uid == os.getuid()
            and not folder.st_mode & 0o077)


#: File types a dataset folder's tables are read from.
_TABLE_SUFFIXES = frozenset({".csv", ".parquet", ".pq", ".xlsx", ".xlsm"})

# --------------------------------------------------------------------------- context

#: The indicator families behind a report's main table, each computed once per report (per
#: period and directorate) and cached on the :class:`ReportContext`: ``"kind:grouping"``.
#: Retention and progression take the report's reference groups (``reference=``).
MAIN_FAMILIES: tuple[str, ...] = (
    "equality", "retention:ethnicity", "progression:ethnicity", "retention:disability",
    "progression:disability", "pay",
)

#: The families behind the headline scorecard alone: last year's figures and the trust-wide
#: comparison need only these (a fraction of the main table's cost). ``equality_rates`` is
#: WRES 2-4 and WDES 2-3, ``leadership`` senior representation and the pipeline: apart,
#: because the whole trust's rates are added up from the families split by directorate
#: (:func:`equity.report.findings.level_rows`), so its own rungs compute leadership alone.
HEADLINE_FAMILIES: tuple[str, ...] = (
    "equality_rates", "leadership", "retention:ethnicity", "retention:disability",
    "progression:ethnicity", "pay:sex", "pay:ethnicity",
)


#: The staff survey's questions (WRES 5-8, WDES 4-9) alone: the whole trust's answers beside a
#: directorate's (the survey table's own aggregates, so a fraction of the equality family).
SURVEY_FAMILY = "survey"
SURVEY_INDICATORS: dict[str, tuple[str, ...]] = {
    "wres": tuple(f"wres_{i}" for i in range(5, 9)),
    "wdes": tuple(f"wdes_{i}" for i in range(4, 10)),
}

#: The families of the years before the report's, read only to pool three years of the rate
#: figures (:data:`equity.report.findings.POOLABLE`).
EARLIER_FAMILIES: tuple[str, ...] = (
    "equality_rates", "retention:ethnicity", "retention:disability", "progression:ethnicity",
)

#: Suffix of a family name computed for every staff group (the ladder's "all staff of the
#: directorate" rung), e.g. ``"retention:ethnicity@all"``.
ALL_STAFF = "@"

#: The trust overview's comparisons by directorate and profession: indicator -> family.
OVERVIEW_FUNCTIONS: dict[str, str] = {"leaver_rate": "retention:ethnicity", "wres_2": "wres",
                                      "promotion_rate": "progression:ethnicity"}


#: Every kind of family :meth:`ReportContext.family` computes. A family's name is its kind,
#: optionally ``:`` and a grouping, and :data:`ALL_STAFF` ``all`` for every staff group.
FAMILY_KINDS: tuple[str, ...] = ("equality", "equality_rates", "leadership",
                                 SURVEY_FAMILY, "representation", "wres", "retention",
                                 "progression", "pay")


def family_kind(name: str) -> str | None:
    """The kind of a family's name ("retention" for "retention:ethnicity@all"); None for a
    name that is not a family's (an indicator's)."""
    kind = name.partition(ALL_STAFF)[0].partition(":")[0]
    return kind if kind in FAMILY_KINDS else None


def all_staff(family: str) -> str:
    """The family's name for every staff group (see :data:`ALL_STAFF`)."""
    return f"{family}{ALL_STAFF}all"


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
    #: Families computed for this scope's data, staff group and reference groups: (table,
    #: the reason the family could not be computed or None); shared with later contexts of
    #: the same files in this process (:func:`load`).
    _families: dict[tuple[Any, ...], tuple[pd.DataFrame, str | None]] = field(
        default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # The context reads its own copy of the dataset and never changes it: the counts its
        # families share (staff in post, starters, leavers by every code) are kept between
        # families, so each is counted once per report (:func:`equity.cube.keep_shared`).
        from equity import cube
        from equity.schema import TABLE_NAMES

        cube.keep_shared(getattr(self.dataset, t, None) for t in TABLE_NAMES)
        # ... and its validation holds while the tables are the same objects (their values
        # are not hashed again at each family: equity.validation.CONTENT_CHECK_ROWS)
        self.dataset._fixed = True

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

    @property
    def people(self) -> str:
        """Plural name of the staff group's people ("AHPs"; "staff" for every group)."""
        return people_of(self.staff_group)

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
        key = (name, per, d, tuple(within))
        if key not in self._families:
            batch = self._from_batch(name, per, d, tuple(within))
            if batch is None and d is not None and "directorate" not in within:
                batch = self._slice(name, per, d, tuple(within))
            if batch is not None:
                self._families[key] = (batch, None)
                return batch
            from equity import cube

            try:
                with cube.sharing():
                    self._families[key] = (self._run(name, period=per, directorate=d,
                                                     within=tuple(within)), None)
            except EquityError as err:
                out = empty_result()
                why = f"{type(err).__name__}: {err}"
                out.attrs["not_computed"] = {name: why}
                self._families[key] = (out, why)
        table, reason = self._families[key]
        if reason is not None:
            self.missing[name] = reason
        return table

    def _slice(self, name: str, period: str, directorate: str,
               within: tuple[str, ...]) -> pd.DataFrame | None:
        """This directorate's rows of the family split by directorate (computed once, and
        needed anyway to compare the directorate with the rest of the trust), as the batch
        serves them; None when the split table does not hold every indicator, variant and
        grouping for the directorate (then it is computed alone)."""
        split = self.family(name, period=period, directorate=None,
                            within=("directorate", *within))
        if directorate not in covered_directorates(split):
            return None
        rows = bare(split)
        rows = rows.loc[rows["directorate"].isna() | (rows["directorate"] == directorate)]
        out = rows.reset_index(drop=True)
        out["directorate"] = pd.Series([None] * len(out), dtype=object)
        out.attrs = {"not_computed": dict(split.attrs.get("not_computed", {}))}
        return out

    def _from_batch(self, name: str, period: str, directorate: str | None,
                    within: tuple[str, ...]) -> pd.DataFrame | None:
        """A family a batch computed once for every report (:func:`batch_families`): the
        table itself for the same scope, or this directorate's rows of the table split by
        directorate (when the batch found every indicator there; the rows with no
        directorate, such as the board's, are trust-level and shared). None when the batch
        did not compute it, for other reference groups or staff group, or its folder is gone
        (a notebook re-run after the batch): the family is then computed here."""
        from equity.report.batch import _BATCH_INDEX, BatchKey, _batch_key, _read_batch

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
        from equity.measures import equality_indicators, pay_indicators
        from equity.measures.pay import pay_gap
        from equity.measures.progression import progression
        from equity.measures.representation import (
            pipeline_disparity,
            representation,
            senior_representation,
        )
        from equity.measures.retention import retention
        from equity.measures.wdes import wdes
        from equity.measures.wres import wres

        ds = self.dataset
        name, _, who = name.partition(ALL_STAFF)
        scope: dict[str, Any] = {"period": period, "within": within, "directorate": directorate,
                                 "staff_group": None if who == "all" else self.staff_group}
        kind, _, by = name.partition(":")
        if kind == "equality":
            # Model Employer ladder: baseline = earliest 31 March snapshot, goal = 5 years
            # later (equality_indicators' defaults).
            return equality_indicators(ds, **scope)
        if kind == "equality_rates":
            # the WRES and WDES rates the findings' ladder reads (findings.HEADLINES)
            return concat_results([wres(ds, indicators=("wres_2", "wres_3", "wres_4"), **scope),
                                   wdes(ds, indicators=("wdes_2", "wdes_3"), **scope)])
        if kind == "leadership":
            return concat_results([senior_representation(ds, **scope),
                                   pipeline_disparity(ds, **scope)])
        if kind == SURVEY_FAMILY:
            return concat_results([wres(ds, indicators=SURVEY_INDICATORS["wres"], **scope),
                                   wdes(ds, indicators=SURVEY_INDICATORS["wdes"], **scope)])
        if kind == "representation":
            # staff in post as WRES 1 counts them (bank staff out), as the pipeline, the
            # Model Employer ladder and every headcount of the report do
            return representation(ds, exclude_bank=True, **scope)
        if kind == "wres":
            return wres(ds, **scope)
        if kind in ("retention", "progression"):
            fn = retention if kind == "retention" else progression
            return fn(ds, by=by, reference=self.reference_groups.get(by), **scope)
        if kind == "pay":
            return (pay_gap(ds, by=by, **scope)  # type: ignore[arg-type]
                    if by else pay_indicators(ds, **scope))
        raise ParameterError(f"Unknown indicator family {name!r}; known kinds: "
                             f"{', '.join(FAMILY_KINDS)}.")

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

    def measure(self, function: Callable[..., Any], /, **options: Any) -> Any:
        """``function(dataset, **options)`` (an indicator function the sections call
        directly: monthly leaver series, survival curves, leaving reasons), computed once per
        report and cached; an :class:`~equity.errors.EquityError` it raises is cached too
        and raised again. Each runs inside one :func:`equity.cube.sharing` block, so the
        counts these calls share (the leaver spells behind every monthly series: five of them
        in a directorate report) are counted once per report (the dataset's counts are kept
        between blocks, see ``__post_init__``)."""
        from equity import cube

        key = ("measure", function.__module__, function.__qualname__,
               tuple(sorted(options.items())))
        if key not in self._cache:
            try:
                with cube.sharing():
                    self._cache[key] = function(self.dataset, **options)
            except EquityError as err:
                self._cache[key] = err
        out = self._cache[key]
        if isinstance(out, EquityError):
            raise out
        return out

    def earlier_periods(self, n: int) -> list[str]:
        """The ``n`` financial years before this report's (latest first), as far as the data
        hold both snapshots of each without a gap."""
        from equity.measures.retention import periods_with_both

        have = set(periods_with_both(self.dataset))
        out: list[str] = []
        p = codes.Period.parse(self.period)
        while len(out) < n:
            p = p.previous()
            if p not in have:
                break
            out.append(str(p))
        return out


def people_of(staff_group: str | None) -> str:
    """Plural name of a staff group's people: "AHPs", "Nursing and Midwifery staff", or
    "staff" for every group."""
    if staff_group in (None, "all"):
        return "staff"
    return "AHPs" if staff_group == codes.AHP_STAFF_GROUP else f"{staff_group} staff"


def covered_directorates(table: pd.DataFrame) -> list[str]:
    """Directorates of a table split by directorate whose rows (with the trust-level rows,
    such as the board's, which carry no directorate) hold every indicator, variant and
    grouping the table holds: their slice is the table computed for them alone."""
    if table.empty or "directorate" not in table:
        return []
    table = bare(table)
    what = (table["indicator"] + "|" + table["variant"].fillna("") + "|"
            + table["group_var"].fillna(""))
    shared = table["directorate"].isna()
    everything, trust_level = set(what), set(what[shared])
    return sorted(str(d) for d, w in what[~shared].groupby(table["directorate"][~shared])
                  if trust_level | set(w) == everything)


def _json_ready(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        return _json_ready(v.item())
    return v


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _json_ready(v) for k, v in r.items()} for r in frame.to_dict("records")]


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
         shared_path: str | Path | None = None,
         mapping: str | Path | None = None) -> ReportContext:
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
    mapping
        Mapping file of local column names, codes and date format (as ``equity validate
        --mapping``; docs/data-dictionary.md); ``None`` or ``""``: none.
    """
    from equity.validation import require_valid

    check_choice("disclosure", disclosure, ["publication", "internal"])
    codes.Period.parse(period)
    path = resolve_data_path(data_path)
    shared = json.loads(Path(shared_path).read_text(encoding="utf-8")) if shared_path else {}
    sg = None if staff_group in (None, "", "all") else staff_group
    refs = {"ethnicity": "White", "disability": "Non-disabled", "sex": "Male",
            **{k: v for k, v in (reference_groups or {}).items() if v}}
    _check_references(refs)
    families: dict[Any, Any] = {}
    mapping = str(mapping) if mapping else None
    if shared:  # a batch's report: its dataset and families come from the batch
        ds = _read(path, shared, mapping)
    else:
        ds, families = _session(path, (sg, tuple(sorted(refs.items()))), mapping)
    # The gate: a dataset with errors stops here with the validation report (the families
    # check it too; this says it once, before anything is computed).
    require_valid(ds)
    d = directorate or None
    check_directorate(ds, d)
    return ReportContext(ds, path, str(period), d, sg, disclosure, refs, shared,
                         _families=families)


def _check_references(refs: dict[str, str]) -> None:
    """Each reference group a report compares with is a known group of its grouping, and not
    the group the report compares (BME against BME would read as "too few people to tell,
    with about 490 BME and 490 BME staff"); a ParameterError naming the choices otherwise."""
    from equity.measures._common import as_groupings, check_reference
    from equity.report.findings import FOCUS

    for grouping, ref in refs.items():
        check_choice("reference_groups", grouping, ["ethnicity", "disability", "sex"])
        check_reference(as_groupings(grouping), ref)
        if ref == FOCUS.get(grouping):
            raise ParameterError(
                f"The {grouping} reference group cannot be {ref!r}: the report compares "
                f"{ref} staff with the reference group. Use another group of {grouping} "
                "(the NHS standards' is the default).")


#: What this process last read for a report outside a batch (:func:`_session`).
_SESSION: dict[str, Any] = {}


def _session(path: Path, scope: tuple[Any, ...], mapping: str | None = None
             ) -> tuple[Any, dict[Any, Any]]:
    """The dataset at ``path`` and the families computed from it for ``scope`` (staff group
    and reference groups) in this process.

    A notebook run again (another directorate, another period, the same files) reuses the
    dataset read and validated before and every family already computed from it, while the
    input files keep the fingerprint they were read with (:func:`data_fingerprint`): in
    JupyterLab, Run All for a second directorate computes only what the first did not. Only
    the last dataset is kept, and only one held by pandas of at most
    :data:`KEEP_DATASET_ROWS` rows. The families are computed before disclosure control
    and stay in this process's memory, as each context's own do.
    """
    from equity.io import read_dataset

    # (the mapping file read with the data: its name and bytes are part of what was read)
    fingerprint = (data_fingerprint(path),
                   data_fingerprint(mapping) if mapping and Path(mapping).is_file() else mapping)
    if _SESSION.get("key") != (str(path), fingerprint):
        _SESSION.clear()
        ds = read_dataset(path, mapping=mapping)
        tables = list(ds.tables().values())
        if ds.engine != "pandas" or sum(len(t) for t in tables) > KEEP_DATASET_ROWS:
            return ds, {}
        _SESSION.update(key=(str(path), fingerprint), dataset=ds, families={})
    return _SESSION["dataset"], _SESSION["families"].setdefault(scope, {})


