"""Benchmark (not a test): the full indicator suite per engine, against a naive pandas
notebook and a hand-written DuckDB SQL floor, at growing data sizes.

Run: ``.venv/bin/python benchmarks/bench_national.py [--scale 1,4,16[,national]] [--rows N,...]
[--spark] [--engines pandas,polars,duckdb] [--equality] [--retention] [--repeat N]``.

For each size it generates (once; cached under ``benchmarks/out/data/``) a synthetic dataset
as Parquet with :func:`equity.synth.write_sample`: ``--scale 4`` is four times the sample
trust (about 2,300 staff x 6 snapshots per 1x), ``national`` the national dataset (about 1.5
million staff at the last of 6 snapshots, 200 organisations), ``--rows`` a staff-table size in
rows. Then it runs, each in its own subprocess so that peak memory is its own:

* ``equity[<engine>]``: :func:`equity.read_dataset` with that engine, then
  :func:`equity.indicators` for period 2024/25, internal disclosure, split by
  profession (and organisation when the data has one);
* ``naive pandas``: the same row-level counts written the way an analyst would in a notebook
  (``pd.read_parquet``, then a filter and a group-by per indicator and per group, merges
  redone per indicator);
* ``SQL floor``: the same counts as hand-written DuckDB SQL over the Parquet files, grouped
  by the raw codes and fetched as Arrow tables (the cheapest way to get them; the floor);
* with ``--equality`` (issue 4's comparison): ``equality[<engine>]``, the equality-standard
  family alone (:func:`equity.measures.equality.equality_indicators`), against ``naive
  pandas (equality)``, the naive notebook's equality part (staff in post by band at the
  closing and every snapshot, shortlisting and appointment, formal cases, training,
  declaration, survey and board counts);
* with ``--retention`` (issue 5's comparison): ``retention[<engine>]``, the retention and
  progression family alone (:func:`equity.measures.careers.retention_indicators`: leaver,
  joiner, stability, early-career, promotion and training figures), against ``SQL floor
  (retention)``, the hand-written queries counting the same: leavers by their last snapshot,
  the start and end snapshots joined (stability, joiners, band rises, FTE), early-career
  leavers of the two joiner cohorts, non-mandatory training among staff in post.

It prints, and writes to ``benchmarks/out/bench_national.md`` (and ``.json``), one row per
size and method (with ``--repeat N``, the run of median wall time among N interleaved
runs, and the range): wall time (with the read and compute parts for equity), CPU time, peak
resident memory (``ru_maxrss`` of the subprocess and its children: the JVM for Spark), and the
ratios of wall time to the SQL floor and to the naive baseline, and of peak memory to the
pandas engine's.

What the baselines count (the row-level work of the suite, not every indicator): staff in post
at the closing snapshot by band and group, and at every snapshot (representation, WRES/WDES 1,
declaration, Model Employer); shortlisted and appointed applicants (WRES/WDES 2); people in
formal disciplinary / capability cases (WRES 3, WDES 3) and in non-mandatory training
(WRES 4) among staff in post; leavers by their last snapshot (leaver rate, by headcount and
FTE); the start cohort present at the end (stability), joiners, promotions (band rise) and
FTE in post at the two snapshots; joiners of the 2023/24 and 2022/23 cohorts leaving within
12 and 24 months (early-career leaving); and exact pay distributions (median / mean hourly
pay by sex, ethnicity and disability; bonus pay). Each by ethnicity (WRES groups) and
disability (WDES groups) within the strata. The suite also computes the indicators these
baselines leave out (board, survey, band transitions, trends, pay quartiles...) and all the
statistics (intervals, tests, disclosure): its time is the whole job, the baselines' a part.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DATA = OUT / "data"
PERIOD = "2024/25"
#: The period's opening and closing snapshots; events (leaving, training...) count from the
#: day after the opening snapshot (1 April) to the closing one.
START, END = "2024-03-31", "2025-03-31"
FIRST_DAY = "2024-04-01"
#: Early-career cohorts of the period: joiners of 2023/24 followed for 12 months, of 2022/23
#: for 24 (each window closes within 2024/25).
COHORTS = {12: ("2023-04-01", "2024-03-31"), 24: ("2022-04-01", "2023-03-31")}
#: Staff-table rows of the 1x trust (6 snapshots of about 2,300-2,500 staff).
TRUST_ROWS = 14_328
ENGINES = ("pandas", "polars", "duckdb")
RETENTION_FLOOR = "SQL floor (retention)"
NAIVE_EQUALITY = "naive pandas (equality)"
#: Worker methods that run equity: ``<family>[<engine>]`` (see :func:`run_equity`).
EQUITY_METHODS = ("equity[", "trust[", "retention[", "equality[")


# --------------------------------------------------------------------------- data


def dataset(token: str, seed: int) -> Path:
    """Folder of the dataset for ``token`` ("4" = 4x trust, "national"), generated once, in a
    subprocess: Linux carries a process's peak resident memory over to the children it forks
    and execs, so generating here (3 GB for the national data) would raise every method's
    measured peak to at least that."""
    folder = _folder(token, seed)
    if not (folder / "staff.parquet").exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", token, "--seed", str(seed)],
                       check=True)
        print(f"generated {folder.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


def _folder(token: str, seed: int) -> Path:
    return DATA / (f"national-seed{seed}" if token == "national" else f"{token}x-seed{seed}")


def generate(token: str, seed: int) -> None:
    from equity.synth import write_sample

    folder = _folder(token, seed)
    if token == "national":
        write_sample(folder, seed=seed, scale="national", fmt="parquet")
    else:
        write_sample(folder, seed=seed, scale="trust", fmt="parquet", scale_factor=float(token))


def _strata(folder: Path) -> list[str]:
    import pyarrow.parquet as pq

    names = pq.read_schema(folder / "staff.parquet").names
    return ["organisation", "profession"] if "organisation" in names else ["profession"]


# --------------------------------------------------------------------------- workers


def run_equity(folder: Path, engine: str, family: str = "equity") -> dict[str, Any]:
    """Read the dataset with ``engine``, then compute ``family``: ``"equity"``, every
    indicator (internal disclosure); ``"trust"``, every indicator as a user asks for them
    (``indicators(read_dataset(folder), period=...)``: whole organisation, publication
    disclosure; issue 22's comparison, ``bench_trust.py``); ``"equality"``, the
    equality-standard family alone (issue 4's comparison, against the naive notebook's
    equality part); ``"retention"``, the retention and progression family alone (issue 5's,
    against its own SQL floor)."""
    import equity
    from equity.io import read_dataset

    indicators, equality_indicators = equity.indicators, equity.equality_indicators
    try:
        from equity.measures.careers import retention_indicators
    except ModuleNotFoundError:  # a --baseline-src version from before equity.measures
        from equity.indicators.careers import (  # type: ignore[no-redef]
            retention_indicators,
        )

    spark = None
    if engine == "spark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master("local[2]").appName("bench")
                 .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
                 .config("spark.driver.memory", "8g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
    t0 = time.perf_counter()
    ds = read_dataset(folder, engine=engine)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    if family == "equity":
        table = indicators(ds, period=PERIOD, within=_strata(folder), disclosure="internal")
    elif family == "trust":
        table = indicators(ds, period=PERIOD)
    else:
        compute = {"equality": equality_indicators, "retention": retention_indicators}[family]
        table = compute(ds, period=PERIOD, within=_strata(folder))
    t2 = time.perf_counter()
    if spark is not None:
        spark.stop()  # so the JVM's peak memory is counted with the children
    return {"read_s": t1 - t0, "compute_s": t2 - t1, "result_rows": len(table)}


#: The parts of the naive notebook: the equality standards (issue 4), retention and
#: progression, pay.
NAIVE_PARTS = ("equality", "careers", "pay")


def run_naive(folder: Path, parts: tuple[str, ...] = NAIVE_PARTS) -> dict[str, Any]:
    """The notebook baseline: filter and group-by per indicator and per group."""
    import pandas as pd

    from equity import codes

    t0 = time.perf_counter()
    S = _strata(folder)
    tables = {"staff": ("staff",), "leavers": ("careers",), "recruitment": ("equality",),
              "casework": ("equality",), "training": ("equality",),
              "survey": ("equality",), "board": ("equality",)}
    df = {t: pd.read_parquet(folder / f"{t}.parquet") for t, used in tables.items()
          if t == "staff" or set(used) & set(parts)}
    t1 = time.perf_counter()
    staff = df["staff"]
    key = ["organisation", "staff_id"] if "organisation" in staff.columns else ["staff_id"]
    for d in (staff, df.get("recruitment")):
        if d is not None:
            d["ethnicity"] = codes.ethnicity_group(d["ethnic_category"])
            d["disab"] = codes.disability_group(d["disability"])
            d["sex_g"] = codes.sex_group(d["sex"])
    staff["snapshot_date"] = pd.to_datetime(staff["snapshot_date"])
    end = staff[staff["snapshot_date"] == END]
    start = staff[staff["snapshot_date"] == START]
    out: list[Any] = []
    for gcol, groups in (("ethnicity", codes.WRES_GROUPS), ("disab", codes.WDES_GROUPS)):
        for g in groups:
            if "equality" in parts:
                out += _naive_equality(df, end, gcol, g, S, key)
            if "careers" in parts:
                out += _naive_careers(df, start, end, gcol, g, S, key)
    if "equality" in parts:
        # declaration: ethnicity and sexual orientation not stated, among staff in post
        out.append(end[codes.ethnicity_group(end["ethnic_category"]) == "Unknown"].groupby(S).size())
        out.append(end[codes.sexual_orientation_group(end["sexual_orientation"]) == "Unknown"]
                   .groupby(S).size())
        # WRES 5-8, WDES 4-9: survey shares by organisation, indicator and group
        org = ["organisation"] if "organisation" in S else []
        sv = df["survey"][df["survey"]["period"] == PERIOD]
        out.append(sv.groupby([*org, "indicator", "group_var", "group"])
                   [["respondents", "positive"]].sum())
        # WRES 9: board members by ethnicity at the closing snapshot
        b = df["board"][pd.to_datetime(df["board"]["snapshot_date"]) == END]
        out.append(b.groupby([*(b[c] for c in org), codes.ethnicity_group(b["ethnic_category"])])
                   .size())
    if "pay" in parts:
        # pay: median and mean hourly pay (and bonus) by sex, ethnicity and disability
        paid = end[end["full_pay"]]
        for gcol, groups in (("sex_g", codes.SEX_GROUPS), ("ethnicity", codes.WRES_GROUPS),
                             ("disab", codes.WDES_GROUPS)):
            for g in groups:
                sub = paid[paid[gcol] == g]
                out.append(sub.groupby(S)["hourly_pay"].agg(["median", "mean", "size"]))
                out.append(sub[sub["bonus_pay"] > 0].groupby(S)["bonus_pay"].agg(["median", "mean"]))
    t2 = time.perf_counter()
    return {"read_s": t1 - t0, "compute_s": t2 - t1, "result_rows": sum(len(o) for o in out)}


def _naive_equality(df: dict[str, Any], end: Any, gcol: str, g: str, S: list[str],
                    key: list[str]) -> list[Any]:
    staff, rec, cases, training = df["staff"], df["recruitment"], df["casework"], df["training"]
    out = []
    # representation / WRES 1: headcount by band in each stratum
    out.append(end[end[gcol] == g].groupby([*S, "band"]).size())
    # Model Employer / trends: every snapshot
    out.append(staff[staff[gcol] == g].groupby([*S, "snapshot_date", "band"]).size())
    # WRES 2: shortlisted and appointed
    r = rec[(rec[gcol] == g) & (rec["closing_date"] >= FIRST_DAY) & (rec["closing_date"] <= END)]
    out.append(r[r["shortlisted"]].groupby(S).size())
    out.append(r[r["shortlisted"] & r["appointed"]].groupby(S).size())
    # WRES 3 / WDES 3: people in formal cases among staff in post
    c = cases[(cases["formal"]) & (cases["start_date"] >= FIRST_DAY) & (cases["start_date"] <= END)]
    people = end[end[gcol] == g].merge(c[key].drop_duplicates(), on=key)
    out.append(people.groupby(S).size())
    # WRES 4: non-mandatory training
    t = training[~training["mandatory"] & (training["date"] >= FIRST_DAY) & (training["date"] <= END)]
    trained = end[end[gcol] == g].merge(t[key].drop_duplicates(), on=key)
    out.append(trained.groupby(S).size())
    return out


def _naive_careers(df: dict[str, Any], start: Any, end: Any, gcol: str, g: str, S: list[str],
                   key: list[str]) -> list[Any]:
    import pandas as pd

    from equity import codes

    staff, leavers = df["staff"], df["leavers"]
    out = []  # (training access is WRES 4's count, in the equality part)
    # leavers by their last snapshot (headcount and FTE)
    lv = leavers[(leavers["leave_date"] >= FIRST_DAY) & (leavers["leave_date"] <= END)]
    m = lv.merge(staff[staff[gcol] == g], on=key, suffixes=("_leaving", ""))
    m = m[m["snapshot_date"] <= m["leave_date"]]
    last = m.sort_values("snapshot_date").groupby([*key, "leave_date"]).tail(1)
    out.append(last.groupby(S).agg(n=("staff_id", "size"), fte=("fte", "sum")))
    # stability, joiners and promotion: the two snapshots joined
    s = start[start[gcol] == g]
    both = s.merge(end[[*key, "band"]], on=key, how="left", suffixes=("", "_end"),
                   indicator=True)
    out.append(both.groupby(S)["_merge"].apply(lambda x: (x == "both").sum()))
    out.append(s.groupby(S)["fte"].sum())  # FTE turnover: average FTE in post
    out.append(end[end[gcol] == g].groupby(S)["fte"].sum())
    e = end[end[gcol] == g].merge(start[key], on=key, how="left", indicator=True)
    out.append(e[e["_merge"] == "left_only"].groupby(S).size())
    rise = (codes.band_rank(both["band_end"]) > codes.band_rank(both["band"]))
    out.append(both[rise].groupby(S).size())
    # early-career leaving: each cohort's joiners at their first snapshot after
    # starting, and those with a leavers row within 12 or 24 months
    for months, (c0, c1) in COHORTS.items():
        j = staff[(staff["org_start_date"] >= c0) & (staff["org_start_date"] <= c1)
                  & (staff["snapshot_date"] >= staff["org_start_date"])]
        cohort = j.sort_values("snapshot_date").groupby([*key, "org_start_date"]).head(1)
        cohort = cohort[cohort[gcol] == g]
        out.append(cohort.groupby(S).size())
        lv = cohort.merge(leavers[[*key, "leave_date"]], on=key)
        lv = lv[(lv["leave_date"] >= lv["org_start_date"])
                & (lv["leave_date"] < lv["org_start_date"] + pd.DateOffset(months=months))]
        out.append(lv.drop_duplicates([*key, "org_start_date"]).groupby(S).size())
    return out


def _sql_queries(folder: Path) -> list[str]:
    S = ", ".join(_strata(folder))
    key = "organisation, staff_id" if "organisation" in S else "staff_id"
    jk = " AND ".join(f"a.{k.strip()} = b.{k.strip()}" for k in key.split(","))
    f = {t: f"read_parquet('{folder / (t + '.parquet')}')" for t in
         ("staff", "leavers", "recruitment", "casework", "training")}
    G = "ethnic_category, disability"
    aS = ", ".join(f"a.{c.strip()}" for c in S.split(","))
    ak = ", ".join(f"a.{k.strip()}" for k in key.split(","))
    (c12, e12), (c24, _) = COHORTS[12], COHORTS[24]
    return [
        # staff in post: every snapshot (the closing one is a slice of it)
        f"SELECT {S}, snapshot_date, band, {G}, count(*) FROM {f['staff']} GROUP BY ALL",
        f"SELECT {S}, {G}, count(*) FILTER (shortlisted), count(*) FILTER (shortlisted AND appointed) "
        f"FROM {f['recruitment']} WHERE closing_date BETWEEN '{FIRST_DAY}' AND '{END}' GROUP BY ALL",
        f"""WITH endst AS (SELECT * FROM {f['staff']} WHERE snapshot_date = '{END}'),
            c AS (SELECT DISTINCT {key}, process FROM {f['casework']}
                  WHERE formal AND start_date BETWEEN '{FIRST_DAY}' AND '{END}')
            SELECT {aS}, a.ethnic_category, a.disability, b.process, count(*)
            FROM endst a JOIN c b ON {jk} GROUP BY ALL""",
        # non-mandatory training among staff in post (WRES 4, training access)
        f"""WITH endst AS (SELECT * FROM {f['staff']} WHERE snapshot_date = '{END}'),
            t AS (SELECT DISTINCT {key} FROM {f['training']}
                  WHERE NOT mandatory AND date BETWEEN '{FIRST_DAY}' AND '{END}')
            SELECT {aS}, a.ethnic_category, a.disability, count(*), count(b.staff_id)
            FROM endst a LEFT JOIN t b ON {jk} GROUP BY ALL""",
        f"""WITH lv AS (SELECT {key}, leave_date FROM {f['leavers']}
                        WHERE leave_date BETWEEN '{FIRST_DAY}' AND '{END}'),
            last AS (SELECT a.*, row_number() OVER (PARTITION BY {', '.join('b.' + k.strip() for k in key.split(','))}, b.leave_date
                                              ORDER BY a.snapshot_date DESC) AS r
                     FROM lv b JOIN {f['staff']} a ON {jk} AND a.snapshot_date <= b.leave_date)
            SELECT {S}, {G}, count(*), sum(fte) FROM last WHERE r = 1 GROUP BY ALL""",
        f"""WITH s AS (SELECT * FROM {f['staff']} WHERE snapshot_date = '{START}'),
            e AS (SELECT * FROM {f['staff']} WHERE snapshot_date = '{END}')
            SELECT {aS}, a.band, b.band AS band_end, a.ethnic_category, a.disability,
                   b.staff_id IS NOT NULL AS stayed, count(*), sum(a.fte), sum(b.fte)
            FROM s a LEFT JOIN e b ON {jk} GROUP BY ALL
            UNION ALL
            SELECT {aS}, NULL, a.band, a.ethnic_category, a.disability, FALSE, count(*), NULL,
                   sum(a.fte)
            FROM e a ANTI JOIN s b ON {jk} GROUP BY ALL""",
        # early-career leaving: each cohort's joiners at their first snapshot after starting,
        # and those with a leavers row within 12 (2023/24 joiners) or 24 months (2022/23)
        f"""WITH j AS (SELECT {key}, org_start_date, min(snapshot_date) AS first_snapshot
                       FROM {f['staff']} WHERE org_start_date BETWEEN '{c24}' AND '{e12}'
                       AND snapshot_date >= org_start_date GROUP BY ALL),
            c AS (SELECT a.*, CASE WHEN a.org_start_date >= '{c12}' THEN 12 ELSE 24 END AS months
                  FROM {f['staff']} a JOIN j b ON {jk} AND a.org_start_date = b.org_start_date
                  AND a.snapshot_date = b.first_snapshot),
            l AS (SELECT DISTINCT {ak}, a.org_start_date FROM c a JOIN {f['leavers']} b ON {jk}
                  AND b.leave_date >= a.org_start_date
                  AND b.leave_date < a.org_start_date + to_months(a.months))
            SELECT {aS}, a.months, a.ethnic_category, a.disability, count(*), count(b.staff_id)
            FROM c a LEFT JOIN l b ON {jk} AND a.org_start_date = b.org_start_date
            GROUP BY ALL""",
        # exact pay distributions: value counts (medians are read off these small tables)
        f"""SELECT {S}, sex, {G}, hourly_pay, bonus_pay > 0 AS has_bonus, count(*)
            FROM {f['staff']} WHERE snapshot_date = '{END}' AND full_pay GROUP BY ALL""",
        f"""SELECT {S}, sex, {G}, bonus_pay, count(*)
            FROM {f['staff']} WHERE snapshot_date = '{END}' AND full_pay AND bonus_pay > 0
            GROUP BY ALL""",
    ]


#: The floor queries of the retention family: training among staff in post; leavers by their
#: last snapshot; the start and end snapshots joined (stability, joiners, promotion by band
#: rise, FTE); early-career leaving.
RETENTION_QUERIES = (3, 4, 5, 6)


def _arrow(rel: Any) -> Any:
    """A DuckDB relation's rows as an Arrow table (``to_arrow_table`` from DuckDB 1.4; before
    it, ``arrow()`` gave the table)."""
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()


def run_sql(folder: Path, only: tuple[int, ...] | None = None) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    queries = _sql_queries(folder)
    t0 = time.perf_counter()
    # The counts come back as Arrow tables, the cheapest way out of DuckDB (the library's
    # own collect goes through Arrow too): fetching them as Python tuples instead took 4.2
    # against 2.4 s nationally, 1.5 of it for the 1.45 million rows of staff in post by
    # snapshot, and made the floor look 1.8x higher than it is.
    rows = sum(_arrow(con.sql(q)).num_rows for i, q in enumerate(queries)
               if only is None or i in only)
    return {"read_s": 0.0, "compute_s": time.perf_counter() - t0, "result_rows": rows}


def worker(method: str, folder: Path) -> None:
    import warnings

    # Third-party notices (PySpark on pandas 3) are not benchmark output.
    warnings.simplefilter("ignore")
    # Imports are not timed (every method starts in a fresh interpreter): for equity, the
    # indicators, the statistics' scipy functions and the engine (each imported where used).
    if method.startswith(EQUITY_METHODS):
        import scipy.special  # noqa: F401

        import equity

        # the indicators' modules, through the public name (a --baseline-src version may
        # keep them under another module name)
        equity.indicators  # noqa: B018

        engine = method[:-1].split("[")[1]
        if engine in ("polars", "duckdb"):
            __import__(engine)
    elif method.startswith("naive pandas"):
        import equity.codes
    else:
        import duckdb  # noqa: F401
    base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if method.startswith(EQUITY_METHODS):
        family, engine = method[:-1].split("[")
        res = run_equity(folder, engine, family)
    elif method == "naive pandas":
        res = run_naive(folder)
    elif method == NAIVE_EQUALITY:
        res = run_naive(folder, parts=("equality",))
    elif method == RETENTION_FLOOR:
        res = run_sql(folder, only=RETENTION_QUERIES)
    else:
        res = run_sql(folder)
    res["wall_s"] = time.perf_counter() - t0
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    res["cpu_s"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    res["peak_mb"] = max(me.ru_maxrss, kids.ru_maxrss) / 1024
    res["import_mb"] = base_kib / 1024
    print("RESULT " + json.dumps(res), flush=True)


# --------------------------------------------------------------------------- driver


def measure(method: str, folder: Path, timeout: float, *, env: dict[str, str] | None = None
            ) -> dict[str, Any]:
    """Run ``method`` in a fresh interpreter (with ``env`` added to the environment)."""
    cmd = [sys.executable, __file__, "--worker", method, "--data", str(folder)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})})
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": " / ".join(tail)[:300]}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time (the lower of the two middle ones), with the range of
    the wall times; a failed run is reported instead (a method that failed once is not
    timed)."""
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    return {**ordered[(len(ordered) - 1) // 2], "runs": len(runs),
            "wall_min_s": ordered[0]["wall_s"], "wall_max_s": ordered[-1]["wall_s"]}


def staff_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(folder / "staff.parquet").metadata.num_rows


def markdown(rows: list[dict[str, Any]]) -> str:
    head = ("| data | staff rows | method | wall s | wall range s | read s | compute s | CPU s "
            "| peak MB | x SQL floor | naive / this | peak vs pandas engine |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['data']} | {r['staff_rows']:,} | {r['method']} | "
                         f"failed: {r['error']} |" + " |" * 8)
            continue
        spread = (f"{r['wall_min_s']:.1f}-{r['wall_max_s']:.1f} ({r['runs']} runs)"
                  if r.get("runs", 1) > 1 else "")
        lines.append(
            f"| {r['data']} | {r['staff_rows']:,} | {r['method']} | {r['wall_s']:.1f} | {spread} | "
            f"{r['read_s']:.1f} | {r['compute_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_mb']:,.0f} | "
            f"{r.get('vs_floor', float('nan')):.1f} | {r.get('naive_over', float('nan')):.1f} | "
            f"{r.get('mem_vs_pandas', float('nan')):.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="1,4,16",
                    help="comma-separated trust multiples and/or 'national' (default 1,4,16)")
    ap.add_argument("--rows", default="",
                    help="comma-separated staff-table sizes in rows (converted to trust multiples)")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--spark", action="store_true", help="also time the spark engine")
    ap.add_argument("--retention", action="store_true",
                    help="also time the retention family alone against its SQL floor (issue 5)")
    ap.add_argument("--equality", action="store_true",
                    help="also time the equality family alone against the naive notebook's "
                         "equality part (issue 4)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per method and size")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each method and size, interleaved; the median run (by wall "
                         "time) is reported, with the range (default 1)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--generate", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, Path(args.data))
        return
    if args.generate:
        generate(args.generate, args.seed)
        return

    tokens = [t.strip() for t in args.scale.split(",") if t.strip()]
    tokens += [f"{int(r) / TRUST_ROWS:g}" for r in args.rows.split(",") if r.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.spark:
        engines.append("spark")
    methods = [*(f"equity[{e}]" for e in engines), "naive pandas", "SQL floor"]
    if args.equality:
        methods += [*(f"equality[{e}]" for e in engines), NAIVE_EQUALITY]
    if args.retention:
        methods += [*(f"retention[{e}]" for e in engines if e != "pandas"), RETENTION_FLOOR]
    OUT.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for token in tokens:
        folder = dataset(token, args.seed)
        n = staff_rows(folder)
        label = "national" if token == "national" else f"{token}x trust"
        runs: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
        for _ in range(max(args.repeat, 1)):  # interleaved: drift in the machine's speed
            for m in methods:                 # reaches every method alike
                res = measure(m, folder, args.timeout)
                runs[m].append(res)
                shown = res.get("wall_s", float("nan"))
                print(f"{label:>14} {m:<24} {shown:8.1f} s  "
                      f"{res.get('peak_mb', float('nan')):8.0f} MB {res.get('error', '')}",
                      flush=True)
        got = {m: median_run(rs) for m, rs in runs.items()}
        pandas_mb = got.get("equity[pandas]", {}).get("peak_mb")
        for m, res in got.items():
            r = {"data": label, "staff_rows": n, "method": m, **res}
            # each family against its own baseline: retention against its floor (no naive
            # notebook), equality against the notebook's equality part (no SQL floor)
            retention = m.startswith("retention[") or m == RETENTION_FLOOR
            equality = m.startswith("equality[") or m == NAIVE_EQUALITY
            floor = (None if equality else
                     got[RETENTION_FLOOR if retention else "SQL floor"].get("wall_s"))
            naive = (None if retention else
                     got[NAIVE_EQUALITY if equality else "naive pandas"].get("wall_s"))
            if "wall_s" in res:
                if floor:
                    r["vs_floor"] = res["wall_s"] / floor
                if naive:
                    r["naive_over"] = naive / res["wall_s"]
                if pandas_mb:
                    r["mem_vs_pandas"] = res["peak_mb"] / pandas_mb
            rows.append(r)
        # Written after every size, so a long run leaves its finished rows behind.
        table = markdown(rows)
        (OUT / "bench_national.md").write_text(
            f"Machine: {os.cpu_count()} cores; period {PERIOD}; "
            f"{time.strftime('%Y-%m-%d %H:%M')}\n\n{table}\n", encoding="utf-8")
        (OUT / "bench_national.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print()
    print(markdown(rows))
    print(f"\nwritten to {OUT / 'bench_national.md'}")


if __name__ == "__main__":
    main()
