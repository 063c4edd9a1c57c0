"""Benchmark: read and validate a large staff table (default 2 million rows).

Run: ``.venv/bin/python benchmarks/bench_io.py [ROWS] [--engine pandas|polars|duckdb]
[--format csv|parquet]``. Prints wall time and peak memory (RSS high-water mark) of
:func:`equity.read_dataset` and :func:`equity.validate`. A benchmark, not a test: it checks
that national-scale files read in bounded time and memory (chunked, no quadratic step).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_staff(rows: int, seed: int = sum(map(ord, "bench_io"))) -> pd.DataFrame:
    """Synthetic staff rows as an export would hold them (text, a few bad values)."""
    rng = np.random.default_rng(seed)
    people = rows // 5 + 1
    ids = np.arange(rows) % people
    year = 2021 + np.arange(rows) // people
    df = pd.DataFrame({
        "staff_id": ("P" + pd.Series(ids).astype(str)).to_numpy(),
        "snapshot_date": pd.Series(year).astype(str).to_numpy() + "-03-31",
        "organisation": rng.choice([f"R{i:02d}" for i in range(200)], rows),
        "directorate": rng.choice(["Adult", "Children", "Mental Health", "Corporate"], rows),
        "staff_group": rng.choice(["Allied Health Professionals", "Nursing and Midwifery",
                                   "Administrative and Clerical"], rows),
        "band": rng.choice([f"Band {i}" for i in range(2, 9)], rows),
        "fte": rng.choice(["1", "0.8", "0.6", "0.4"], rows),
        "contract_type": rng.choice(["Substantive", "Fixed term", "Bank"], rows),
        "ethnic_category": rng.choice(list("ABCDHJKMNRSZ"), rows),
        "sex": rng.choice(["Female", "Male"], rows),
        "disability": rng.choice(["Yes", "No", "Not declared"], rows),
        "org_start_date": (2000 + ids % 20).astype(str) + "-04-01",
        "hourly_pay": np.round(rng.uniform(11, 60, rows), 2).astype(str),
        "full_pay": rng.choice(["Y", "N"], rows),
    })
    df.loc[rng.choice(rows, 7, replace=False), "fte"] = "full"  # recorded, not fatal
    return df


def peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def write(folder: Path, rows: int, fmt: str) -> None:
    df = make_staff(rows)
    if fmt == "csv":
        df.to_csv(folder / "staff.csv", index=False)
    else:
        df.to_parquet(folder / "staff.parquet", index=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", nargs="?", type=int, default=2_000_000)
    ap.add_argument("--engine", default="pandas", choices=["pandas", "polars", "duckdb"])
    ap.add_argument("--format", default="csv", choices=["csv", "parquet"])
    ap.add_argument("--write-only", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write_only:
        write(Path(args.write_only), args.rows, args.format)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # Generate in a child process so the peak memory below is the reader's alone.
        subprocess.run([sys.executable, __file__, str(args.rows), "--format", args.format,
                        "--write-only", tmp], check=True)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        import equity as eq

        base = peak_mb()
        t0 = time.perf_counter()
        ds = eq.read_dataset(folder, engine=args.engine)
        t1 = time.perf_counter()
        report = eq.validate(ds)
        t2 = time.perf_counter()
    print(f"{args.rows:,} rows, {args.format} {size:,.0f} MB, engine {args.engine}: "
          f"read {t1 - t0:.1f} s, validate {t2 - t1:.1f} s, "
          f"peak RSS {peak_mb():,.0f} MB (after import {base:,.0f} MB); {report.headline()}")


if __name__ == "__main__":
    main()
