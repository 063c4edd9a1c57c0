"""Benchmark (not a test): time and peak memory of the synthetic data generator.

Run: ``.venv/bin/python benchmarks/bench_synth.py [--scale national|trust] [--write DIR]``.
Prints the wall time and peak resident memory of :func:`equity.synth.generate` (and of
writing Parquet when ``--write`` is given), with the size of every table.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from equity.synth import generate, write_sample


def _peak_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=["trust", "national"], default="national")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--write", action="store_true", help="also time write_sample to Parquet")
    args = ap.parse_args()

    start_mb = _peak_mb()
    t0 = time.perf_counter()
    tables, truth = generate(seed=args.seed, scale=args.scale)
    gen_s = time.perf_counter() - t0
    print(f"generate(scale={args.scale!r}): {gen_s:.1f} s, peak RSS {_peak_mb():.0f} MB "
          f"(baseline {start_mb:.0f} MB)")
    last = max(truth["headcount"])
    print(f"headcount at {last}: {truth['headcount'][last]:,} in {truth['organisations']} organisation(s)")
    for name, df in tables.items():
        mb = df.memory_usage(deep=True).sum() / 1e6
        print(f"  {name:<12} {len(df):>11,} rows  {mb:>9.1f} MB in memory")
    del tables
    if args.write:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            write_sample(Path(tmp) / "out", seed=args.seed, scale=args.scale, fmt="parquet")
            print(f"write_sample(fmt='parquet'): {time.perf_counter() - t0:.1f} s, "
                  f"peak RSS {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
