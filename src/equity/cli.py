"""Command line: ``equity sample / validate / indicators / report`` (docs/cli.md).

Expected errors (any :class:`~equity.errors.EquityError`) print one paragraph to stderr and exit
with status 1 (2 for usage errors); a traceback means a bug.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from equity.errors import EquityError


def _sample(args: argparse.Namespace) -> int:
    from equity.synth import write_sample

    write_sample(args.out_dir, seed=args.seed, scale=args.scale, fmt=args.format)
    print(f"Wrote a synthetic {args.scale} dataset (seed {args.seed}) to {args.out_dir}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    import warnings

    from equity.errors import DataQualityWarning
    from equity.io import read_dataset
    from equity.validate import validate

    with warnings.catch_warnings():
        # The report lists every data-quality warning itself; don't print them twice.
        warnings.simplefilter("ignore", DataQualityWarning)
        dataset = read_dataset(args.data, mapping=args.mapping, engine=args.engine)
    report = validate(dataset)
    print(report.format())
    return 1 if report.errors else 0


def _indicators(args: argparse.Namespace) -> int:
    from equity.indicators import write_indicators

    return write_indicators(
        args.data, period=args.period, out=args.out, directorate=args.directorate,
        staff_group=args.staff_group, disclosure=args.disclosure, engine=args.engine,
        mapping=args.mapping,
    )


def _report(args: argparse.Namespace) -> int:
    from equity.report import render_reports

    return render_reports(
        args.data, period=args.period, directorates=args.directorate, all_directorates=args.all,
        out_dir=args.out, jobs=args.jobs, disclosure=args.disclosure,
        staff_group=args.staff_group,
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="equity", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    engines = ["pandas", "polars", "duckdb", "spark"]

    s = sub.add_parser("sample", help="write the synthetic sample trust (or national data)")
    s.add_argument("out_dir")
    s.add_argument("--seed", type=int, default=2024)
    s.add_argument("--scale", choices=["trust", "national"], default="trust")
    s.add_argument("--format", choices=["csv", "parquet"], default="csv")
    s.set_defaults(func=_sample)

    v = sub.add_parser("validate", help="check a dataset and list every problem")
    v.add_argument("data")
    v.add_argument("--mapping", default=None, help="YAML file renaming / recoding local columns")
    v.add_argument("--engine", choices=engines, default="pandas")
    v.set_defaults(func=_validate)

    i = sub.add_parser("indicators", help="compute every indicator the data allows")
    i.add_argument("data")
    i.add_argument("--period", required=True, help="NHS financial year, e.g. 2024/25")
    i.add_argument("--directorate", default=None)
    i.add_argument("--staff-group", default="all", help="staff group name, or 'all'")
    i.add_argument("--disclosure", choices=["publication", "internal"], default="publication")
    i.add_argument("--engine", choices=engines, default="pandas")
    i.add_argument("--mapping", default=None)
    i.add_argument("--out", required=True, help=".csv, .parquet or .xlsx")
    i.set_defaults(func=_indicators)

    r = sub.add_parser("report", help="render the HTML reports")
    r.add_argument("data")
    r.add_argument("--period", default="2024/25")
    r.add_argument("--directorate", nargs="+", default=None)
    r.add_argument("--all", action="store_true", help="every directorate")
    r.add_argument("--out", default="reports")
    r.add_argument("--jobs", type=int, default=None, help="parallel processes (default: cores)")
    r.add_argument("--disclosure", choices=["publication", "internal"], default="publication")
    r.add_argument("--staff-group", default="Allied Health Professionals")
    r.set_defaults(func=_report)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except EquityError as err:
        print(f"equity {args.command}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("equity: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
