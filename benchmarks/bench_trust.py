"""Benchmark (not a test): equity where most users run it, one trust, against its floors,
side by side in one run (issue 22).

Run: ``.venv/bin/python benchmarks/bench_trust.py [--repeat N] [--engines pandas,polars,duckdb]
[--baseline-src DIR]`` (``DIR``: another version's ``src/``, timed in the same run, e.g.
``git archive <commit> src | tar -x -C /tmp/before`` then ``--baseline-src /tmp/before/src``).

Two comparisons, each as ratios of medians measured in the same run, the methods
interleaved (the machine is shared and its speed drifts: compare ratios, not seconds):

* **import**: wall time of a fresh ``python -c "import equity"`` against
  ``python -c "import pandas"`` (target: at most 1.15x), and of the imports a script
  computing indicators makes (``import equity``, then ``equity.read_dataset`` and
  ``equity.indicators`` resolved: pandas, narwhals, the cube, the indicators);
* **indicators**: ``equity.indicators(equity.read_dataset(folder, engine=...),
  period="2024/25")`` (every indicator, the whole trust, publication disclosure), in a fresh
  process per run with the imports done first and not timed, on each engine, against
  ``bench_national.py``'s **SQL floor** (hand-written DuckDB SQL for the same counts, fetched
  as Arrow; target: within 3x) and **naive pandas notebook** (target: slower than equity).
  The data is ``bench_national.py``'s 1x trust: the sample trust (``data/sample``, seed 2024,
  14,328 staff rows) written as Parquet, which the floor and the naive notebook read too.

It prints, and writes to ``benchmarks/out/bench_trust.md`` (and ``.json``), the median
wall time of each method with its range, and its ratios to ``import pandas``, the SQL floor,
the naive notebook and the pandas engine (targets: ``import equity`` at most 1.15x
``import pandas``; every engine at most 3x the floor and below 1x the naive notebook; Polars
and DuckDB at most 1x the pandas engine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_national as bn  # noqa: E402  (the floor, the naive notebook and the workers)

OUT = HERE / "out"
IMPORTS = {
    "import pandas": "import pandas",
    "import equity": "import equity",
    "import equity + indicators": "import equity; equity.read_dataset; equity.indicators",
}
FLOOR, NAIVE = "SQL floor", "naive pandas"


def time_import(code: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **env})
    return time.perf_counter() - t0


def summary(times: list[float]) -> dict[str, Any]:
    return {"wall_s": statistics.median(times), "wall_min_s": min(times),
            "wall_max_s": max(times), "runs": len(times)}


def markdown(rows: list[dict[str, Any]]) -> str:
    """One row per method: median wall time, range, and its ratio to each baseline."""
    against = [k for k in ("import pandas", FLOOR, NAIVE, "trust[pandas]")
               if any(k in r.get("ratios", {}) for r in rows)]
    lines = ["| what | method | median wall s | range s | "
             + " | ".join(f"x {a}" for a in against) + " |",
             "|---|---|---|---|" + "---|" * len(against)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['what']} | {r['method']} | failed: {r['error']} |"
                         + " |" * (len(against) + 1))
            continue
        ratios = " | ".join(f"{r['ratios'][a]:.2f}" if a in r["ratios"] else ""
                            for a in against)
        lines.append(f"| {r['what']} | {r['method']} | {r['wall_s']:.3f} | "
                     f"{r['wall_min_s']:.3f}-{r['wall_max_s']:.3f} ({r['runs']} runs) | {ratios} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7,
                    help="runs of each method, interleaved; the median is reported (default 7)")
    ap.add_argument("--engines", default=",".join(bn.ENGINES))
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run")
    ap.add_argument("--baseline-src", default="",
                    help="a src/ folder of another version of equity (e.g. from git archive): "
                         "its import and indicators are timed too, interleaved, as "
                         "'... (baseline)', for a before/after comparison in one run")
    args = ap.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    repeat = max(args.repeat, 1)

    # (label, extra environment): this checkout's equity (as the caller's PYTHONPATH has it)
    # and, with --baseline-src, the other version
    versions = [("", {})]
    if args.baseline_src:
        versions.append((" (baseline)", {"PYTHONPATH": str(Path(args.baseline_src).resolve())}))
    imports: dict[str, list[float]] = {f"{m}{v}": [] for v, _ in versions for m in IMPORTS
                                       if not (v and m == "import pandas")}
    for _ in range(repeat):
        for v, env in versions:
            for m, code in IMPORTS.items():
                if f"{m}{v}" in imports:
                    imports[f"{m}{v}"].append(time_import(code, env))
    rows: list[dict[str, Any]] = []
    base = statistics.median(imports["import pandas"])
    for m, times in imports.items():
        rows.append({"what": "import", "method": m, **summary(times),
                     "ratios": {"import pandas": statistics.median(times) / base}})

    folder = bn.dataset("1", args.seed)
    methods = [*(f"trust[{e}]{v}" for v, _ in versions for e in engines), NAIVE, FLOOR]
    envs = dict(versions)
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    for _ in range(repeat):
        for m in methods:
            version = next((v for v in envs if v and m.endswith(v)), "")
            runs[m].append(bn.measure(m.removesuffix(version), folder, args.timeout,
                                      env=envs[version]))
    got = {m: bn.median_run(rs) for m, rs in runs.items()}
    for m, res in got.items():
        own = "trust[pandas] (baseline)" if m.endswith("(baseline)") else "trust[pandas]"
        ratios = {b: res["wall_s"] / got[o]["wall_s"]
                  for b, o in ((FLOOR, FLOOR), (NAIVE, NAIVE), ("trust[pandas]", own))
                  if "wall_s" in res and got.get(o, {}).get("wall_s")}
        rows.append({"what": "indicators, 1x trust", "method": m, **res, "ratios": ratios})

    table = markdown(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    head = (f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; "
            f"{time.strftime('%Y-%m-%d %H:%M')}; {repeat} interleaved runs per method\n\n")
    (OUT / "bench_trust.md").write_text(head + table + "\n", encoding="utf-8")
    (OUT / "bench_trust.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(head + table)
    print(f"\nwritten to {OUT / 'bench_trust.md'}")


if __name__ == "__main__":
    main()
