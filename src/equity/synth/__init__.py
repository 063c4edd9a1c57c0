"""Synthetic NHS trust (or national) workforce data with known, injected disparities.

:func:`generate` simulates a community and mental health trust of about 2,300 staff (or, with
``scale="national"``, about 1.5 million staff in 200 organisations) over a run of NHS financial
years, and returns the canonical tables (:mod:`equity.schema`) with a *truth* dictionary: the
true value of every disparity the generator injects, so tests can check that the indicators
recover them. :func:`write_sample` writes the tables and ``truth.json`` to a folder
(``equity sample OUT_DIR``). Everything is synthetic: no real person or organisation.

Examples
--------
>>> tables, truth = generate(seed=1, scale_factor=0.05, years=1)
>>> sorted(tables)                                   # doctest: +NORMALIZE_WHITESPACE
['board', 'casework', 'leavers', 'recruitment', 'staff', 'survey', 'training']
>>> truth["disparities"][0]["indicator"], truth["disparities"][0]["value"]
('wres_2', 1.5)
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from equity.codes import Period
from equity.errors import InputError, ParameterError, check_choice
from equity.synth import _params as P
from equity.synth._generate import Config, Simulation
from equity.synth._tables import Builder
from equity.synth._truth import build_truth

__all__ = ["BENCHMARKS", "GENERATED_TABLES", "generate", "write_sample"]

#: The real published Census 2021 benchmarks the sample ships with (never generated; its
#: sources are in ``data/sample/README.md`` and in its ``source`` column).
BENCHMARKS = Path(__file__).with_name("benchmarks.csv")

#: Tables the generator writes (``benchmarks`` is real published data, never generated).
GENERATED_TABLES: tuple[str, ...] = ("staff", "leavers", "recruitment", "casework", "training", "board", "survey")


def generate(
    *,
    seed: int = 2024,
    scale: Literal["trust", "national"] = "trust",
    last_period: str = "2024/25",
    years: int = 5,
    scale_factor: float = 1.0,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Generate a synthetic workforce dataset and the truth behind it.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`; the same arguments give identical tables.
    scale
        ``"trust"``: one community and mental health trust, about 2,300 staff at the first
        snapshot growing 1.5% a year; the ``organisation`` column is omitted (docs/data-dictionary.md allows
        it in single-trust data). ``"national"``: about 1.5 million staff at the last snapshot
        across 200 organisations (``organisation`` = ``ORG001`` ... ``ORG200``); low-cardinality
        text columns are pandas categoricals there to keep memory down.
    last_period
        Last NHS financial year, e.g. ``"2024/25"``.
    years
        Number of financial years; there are ``years + 1`` snapshots (31 March), the first at
        the start of the first year.
    scale_factor
        Multiplies the headcount (e.g. 10 for a 23,000-person trust in recovery tests).

    Returns
    -------
    tables, truth
        ``tables`` maps staff, leavers, recruitment, casework, training, board and survey to
        DataFrames with the canonical columns (ids and text ``str``, dates ``datetime64[ns]``,
        numbers float, flags bool). ``truth`` is JSON-ready: the run's settings, the headcount
        at each snapshot and ``disparities``, one entry per injected difference with its
        indicator, groups, true value and the population it applies to.

    Notes
    -----
    Library method: a person-level micro-simulation, vectorised with numpy within each
    financial year. Joiners, leavers (regular and within 12 months of joining), rejoiners,
    promotions, directorate moves and pay-point progression happen between snapshots; cases,
    training and applications are drawn for each year. Pay points are approximately the
    2024/25 Agenda for Change and medical scales, deflated by the yearly pay awards. See
    ``data/sample/README.md`` for the data dictionary and every injected truth.
    """
    check_choice("scale", scale, ["trust", "national"])
    period = Period.parse(last_period)
    if not isinstance(years, int | np.integer) or years < 1:
        raise ParameterError(f"`years` must be a whole number of at least 1; got {years!r}.")
    if not np.isfinite(scale_factor) or scale_factor <= 0:
        raise ParameterError(f"`scale_factor` must be a positive number; got {scale_factor!r}.")
    if scale == "national":
        n_staff = P.NATIONAL_STAFF / (1 + P.GROWTH) ** years
        n_orgs = P.NATIONAL_ORGANISATIONS
    else:
        n_staff, n_orgs = P.TRUST_STAFF, 1
    cfg = Config(seed=int(seed), scale=scale, last_period=period, years=int(years),
                 n_staff=max(int(round(n_staff * scale_factor)), 10), n_orgs=n_orgs)
    sim = Simulation(cfg)
    sim.run()
    b = Builder(sim, categorical=scale == "national")
    staff_codes = b.staff_codes()
    tables = {
        "staff": b.staff(),
        "leavers": b.leavers(),
        "recruitment": b.recruitment(),
        "casework": b.casework(),
        "training": b.training(),
        "board": b.board(),
        "survey": b.survey(staff_codes),
    }
    truth = build_truth(cfg, tables, scale_factor=scale_factor)
    return tables, truth


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as true/false (docs/data-dictionary.md "A dataset on disk"); everything else is formatted by to_csv."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == bool:
            out[c] = np.where(out[c].to_numpy(), "true", "false")
    return out


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        _csv_ready(df).to_csv(path, index=False, date_format="%Y-%m-%d", float_format="%.10g",
                              lineterminator="\n", encoding="utf-8")
    else:
        df.to_parquet(path, index=False)


def write_sample(
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 2024,
    scale: Literal["trust", "national"] = "trust",
    fmt: Literal["csv", "parquet"] = "csv",
    last_period: str = "2024/25",
    years: int = 5,
    scale_factor: float = 1.0,
) -> Path:
    """Generate a dataset and write it to ``out_dir`` atomically.

    One file per table named after it (``staff.csv`` ...) plus ``truth.json``. Dates are ISO
    ``YYYY-MM-DD`` and booleans ``true`` / ``false``. Everything is written to a temporary
    folder beside ``out_dir`` which then replaces it, so a failure leaves the old folder as it
    was. Files in an existing ``out_dir`` that the generator does not produce (``README.md``,
    a ``benchmarks`` table) are kept; older generated tables in any format are replaced.
    A folder without a ``benchmarks`` table gets :data:`BENCHMARKS`, the real Census 2021
    figures for the areas the sample trust is imagined to serve (``data/sample/README.md``),
    so the comparison with the local population runs on freshly generated data.

    Parameters
    ----------
    out_dir
        Folder to write (created with its parents if missing).
    seed, scale, last_period, years, scale_factor
        As :func:`generate`.
    fmt
        ``"csv"`` or ``"parquet"``.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    check_choice("fmt", fmt, ["csv", "parquet"])
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(
            f"Cannot write the sample to {str(out)!r}: it is a file, not a folder. Give a folder "
            "path (it is created if missing).", rule="output is a folder",
        )
    tables, truth = generate(seed=seed, scale=scale, last_period=last_period, years=years,
                             scale_factor=scale_factor)
    out.parent.mkdir(parents=True, exist_ok=True)
    # A plain mkdir gets the permissions of any new folder under the user's umask (mkdtemp's
    # would be private, 0700, and a fixed chmod would ignore a stricter umask).
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    old: Path | None = None
    try:
        for name, df in tables.items():
            _write_table(df, tmp / f"{name}.{fmt}", fmt)
        (tmp / "truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
        if not (out.is_dir() and any(f.stem == "benchmarks" for f in out.iterdir())):
            census = BENCHMARKS.read_bytes()
            if fmt == "csv":
                (tmp / "benchmarks.csv").write_bytes(census)
            else:
                _write_table(pd.read_csv(io.BytesIO(census)), tmp / "benchmarks.parquet", fmt)
        if out.exists():
            generated = set(GENERATED_TABLES) | {"truth"}
            for item in out.iterdir():
                stem = item.name.split(".", 1)[0]
                if stem in generated and item.is_file():
                    continue  # replaced by this run, whatever its old format
                dest = tmp / item.name
                if item.is_dir():
                    shutil.copytree(item, dest)
                else:
                    shutil.copy2(item, dest)
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            old.rmdir()
            out.rename(old)
        tmp.rename(out)
    except BaseException:
        # leave nothing half-written: drop the temporary folder and restore the old one
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not out.exists():
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out

