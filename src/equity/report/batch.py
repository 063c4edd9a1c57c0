"""The batch plan and its store: the indicator families every report of a batch needs,
computed once (split by directorate) in the worker pool and written to a private folder that
each report's :class:`~equity.report.context.ReportContext` reads its slice from."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from equity.report.context import (
    EARLIER_FAMILIES,
    HEADLINE_FAMILIES,
    MAIN_FAMILIES,
    OVERVIEW_FUNCTIONS,
    SURVEY_FAMILY,
    ReportContext,
    _json_ready,
    _records,
    all_staff,
    covered_directorates,
    data_fingerprint,
    load,
)


def shared_figures(ctx: ReportContext, *, batch_dir: str | Path | None = None,
                   kept: dict[str, str] | None = None) -> dict[str, Any]:
    """Figures every report of a batch shows, computed once from the batch's own context
    (the dataset it has read and validated): the validation findings (counts only,
    disclosure-controlled) and the data fingerprint.

    :func:`equity.report.render_reports` writes them to a JSON file passed to each notebook
    as its ``shared_path`` parameter, with ``batch_dir``: the private folder of the
    families the batch computed once for every report (:func:`write_batch`), which each
    report reads instead of computing them (the trust-wide figures included), and ``kept``:
    where the batch keeps the dataset it read and validated (:func:`~equity.report.context.keep_dataset`).
    """
    from equity.report.sections import validation_table

    return {"validation": _records(validation_table(ctx)),
            "fingerprint": data_fingerprint(ctx.data_path), **(kept or {}),
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


def report_families(ctx: ReportContext) -> list[tuple[str, str, tuple[str, ...]]]:
    """(family, period, split) triples one report of ``ctx``'s scope reads: the main
    families for the period; the rate figures of the two years before (the ladder's three
    pooled years); the headline families for every staff group (the ladder's "all staff"
    rung, and over three years its last one); representation by band (the workforce
    table)."""
    per = ctx.period
    earlier = ctx.earlier_periods(2)
    names = [(f, per) for f in MAIN_FAMILIES]
    names += [(f, p) for p in earlier for f in EARLIER_FAMILIES]
    if ctx.staff_group is not None:
        names += [(all_staff(f), per) for f in HEADLINE_FAMILIES]
        # the ladder's last rung, all staff trust-wide over three years (added up from
        # these, split by directorate), for the equality standards' figures, which small
        # numbers withhold there most (WDES 2 and 3, WRES 3); a rate of leaving or promotion
        # that climbs so far is computed by its report
        names += [(all_staff("equality_rates"), p) for p in earlier]
    out = [(f, p, ()) for f, p in dict.fromkeys(names)]
    return [*out, ("representation", per, ("band",))]


#: Families of rate figures only, which a batch computes for the whole trust only for the
#: overview's own table (trust-wide rungs add them up from the families split by directorate).
_RATES = ("equality_rates", "retention", "progression")


def batch_families(ctx: ReportContext, *, overview: bool = True) -> list[BatchKey]:
    """The families a batch of reports computes once.

    What every directorate report reads (:func:`report_families`) is computed once split by
    directorate (one pass over the data instead of one per report) and sliced per report.
    A directorate with nobody in the staff group gets no report (:func:`empty_directorates`).
    Of the whole trust's figures, what a directorate report's trust-wide rungs read: the
    report year's headline families, for the staff group and for every staff group, and
    the survey's answers. With ``overview``, also the main families of the report's year
    (the trust overview's own table) and the overview's comparisons by directorate and
    profession. The trust's years before are added up from the families split by
    directorate.
    """
    names = report_families(ctx)
    keys = [BatchKey(f, p, None, ("directorate", *w)) for f, p, w in names]
    # The trust's rate figures (leaving, promotion, WRES 2-4...) are added up from the
    # split families (:func:`equity.report.findings.level_rows`): of the whole trust's own
    # families, the trust-wide rungs need the others' (senior representation, the
    # pipeline, pay) and the overview's table the main ones of the report's year.
    headline = [f for f in HEADLINE_FAMILIES if not f.startswith(_RATES)]
    trust = [*headline, SURVEY_FAMILY, *(MAIN_FAMILIES if overview else ())]
    if ctx.staff_group is not None:
        trust += [all_staff(f) for f in headline]
    keys += [BatchKey(f, ctx.period, None, ()) for f in trust]
    if overview:
        keys += [BatchKey(f, ctx.period, None, ("directorate",))
                 for f in OVERVIEW_FUNCTIONS.values()]
        keys.append(BatchKey("representation", ctx.period, None, ("profession",)))
        keys.append(BatchKey("representation", ctx.period, None, ("band",)))
    return list(dict.fromkeys(keys))


def empty_directorates(ctx: ReportContext) -> list[str]:
    """Directorates with no staff-table row in the report's staff group."""
    from equity import cube

    if ctx.staff_group is None:
        return []
    c = cube.count(ctx.dataset.staff, ["directorate", "staff_group"])
    have = c.loc[c["staff_group"] == ctx.staff_group, "directorate"]
    return sorted(set(c["directorate"].dropna()) - set(have))


@functools.lru_cache(maxsize=2)
def _batch_context(data_path: str, period: str, staff_group: str | None,
                   shared_path: str | None, mapping: str = "") -> ReportContext:
    # One context (the dataset the batch read, or read here once with its mapping file) per
    # batch worker process; default reference groups, as the batch's notebooks use (a report
    # with others computes its own).
    return load(data_path, period=period, staff_group=staff_group, shared_path=shared_path,
                mapping=mapping)


def batch_tasks(keys: Sequence[BatchKey]) -> list[list[BatchKey]]:
    """:func:`batch_families` as tasks: the families of one period, scope and
    stratification are computed together, so they share their counts
    (:func:`equity.cube.sharing`); largest tasks first."""
    tasks: dict[tuple[Any, ...], list[BatchKey]] = {}
    for k in keys:
        tasks.setdefault((k.period, k.directorate, k.within), []).append(k)
    return sorted(tasks.values(), key=len, reverse=True)


def batch_family(data_path: str | Path, keys: Sequence[BatchKey], *, report_period: str,
                 staff_group: str | None, shared_path: str | Path | None = None,
                 mapping: str = "") -> dict[BatchKey, pd.DataFrame]:
    """One task of :func:`batch_tasks`: its families, before disclosure control (a batch
    worker's task; the tables never leave the batch's private folder). ``shared_path``: the
    batch's figures file naming the dataset it kept (:func:`~equity.report.context.keep_dataset`)."""
    from equity import cube

    ctx = _batch_context(str(data_path), report_period, staff_group,
                         None if shared_path is None else str(shared_path), mapping)
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
        if k.within[:1] == ("directorate",):
            entry["covered"] = covered_directorates(table)
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


