"""Command line: ``equity sample / validate / indicators / report / gpg / template``
(docs/cli.md).

Expected errors (any :class:`~equity.errors.EquityError`) print one paragraph to stderr and exit
with status 1 (2 for usage errors); a traceback means a bug. Ctrl-C (SIGINT) exits 130 and
SIGTERM 143, after ``equity report`` has stopped its workers and kernels, removed its
temporary files and written an index of what finished.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from equity import codes
from equity._version import __version__
from equity.errors import EquityError

ENGINES = ["pandas", "polars", "duckdb", "spark"]


def _progress() -> bool:
    """Progress bars only for a person watching (stderr a terminal), never in logs or tests."""
    return sys.stderr.isatty()


def _sample(args: argparse.Namespace) -> int:
    from equity.synth import write_sample

    write_sample(args.out_dir, seed=args.seed, scale=args.scale, fmt=args.format)
    print(f"Wrote a synthetic {args.scale} dataset (seed {args.seed}) to {args.out_dir}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from equity.export import read_input
    from equity.validation import validate

    # the report lists every data-quality warning itself
    report = validate(read_input(args.data, mapping=args.mapping, engine=args.engine))
    print(report.format())
    return 1 if report.errors else 0


def _indicators(args: argparse.Namespace) -> int:
    from equity.export import write_indicators

    return write_indicators(
        args.data, period=args.period, out=args.out, directorate=args.directorate,
        staff_group=args.staff_group, disclosure=args.disclosure, engine=args.engine,
        mapping=args.mapping, force=args.force, progress=_progress(),
    )


def _report(args: argparse.Namespace) -> int:
    from equity.report import render_reports

    return render_reports(
        args.data, period=args.period, directorates=args.directorate, all_directorates=args.all,
        overview=args.overview, out_dir=args.out, jobs=args.jobs, disclosure=args.disclosure,
        staff_group=args.staff_group, force=args.force, progress=_progress(),
        mapping=args.mapping,
    )


def _gpg(args: argparse.Namespace) -> int:
    from equity.export import gender_pay_gap

    return gender_pay_gap(args.data, period=args.period, engine=args.engine,
                          mapping=args.mapping)


def _template(args: argparse.Namespace) -> int:
    from equity.templates import template_command

    return template_command(
        args.data, out=args.out, standard=args.standard, period=args.period,
        disclosure=args.disclosure, engine=args.engine, mapping=args.mapping, force=args.force,
    )


# --------------------------------------------------------------------------- the parser

_PERIOD_HELP = ("NHS financial year, e.g. 2024/25 (default: the latest complete year in the "
                "data, i.e. with both its opening and closing 31 March snapshots; the output "
                "says which)")
_STAFF_GROUP_HELP = ("staff group to cover, or 'all' for every group (default: "
                     f"{codes.AHP_STAFF_GROUP!r})")
_DISCLOSURE_HELP = ("'publication': counts 1-7 withheld (*), other counts rounded to 5; "
                    "'internal': exact figures for named analysts (default: publication)")


def _data(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", help="dataset folder (staff.csv and the other tables) or DuckDB file")


def _engine(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=ENGINES, default="pandas",
                   help="dataframe engine that reads and counts the data (default: pandas)")


def _mapping(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mapping", default=None, metavar="FILE",
                   help="YAML file renaming / recoding local columns (default: none, the "
                        "canonical column names)")


def _disclosure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--disclosure", choices=["publication", "internal"], default="publication",
                   help=_DISCLOSURE_HELP)


def _force(p: argparse.ArgumentParser, what: str = "an existing --out file") -> None:
    p.add_argument("--force", action="store_true",
                   help=f"replace {what} equity did not write (default: refuse)")


def _scope(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", default=None, help=_PERIOD_HELP)
    p.add_argument("--staff-group", default=codes.AHP_STAFF_GROUP, help=_STAFF_GROUP_HELP)
    _disclosure(p)


def build_parser() -> argparse.ArgumentParser:
    """The ``equity`` argument parser (every option has help stating its default)."""
    p = argparse.ArgumentParser(
        prog="equity",
        description="NHS workforce-equity analytics: WRES, WDES, retention, progression and pay "
                    "gaps with intervals and disclosure control. 'equity COMMAND --help' lists a "
                    "command's options with their defaults; docs/cli.md is the full reference.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                   help="print the version of equity and exit")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("sample", help="write the synthetic sample trust (or national data)")
    s.add_argument("out_dir", help="folder to write the dataset into")
    s.add_argument("--seed", type=int, default=2024,
                   help="random seed; the same seed gives the same data (default: 2024)")
    s.add_argument("--scale", choices=["trust", "national"], default="trust",
                   help="one trust (about 2,500 staff) or national data (default: trust)")
    s.add_argument("--format", choices=["csv", "parquet"], default="csv",
                   help="file format of the tables (default: csv)")
    s.set_defaults(func=_sample)

    v = sub.add_parser(
        "validate", help="check a dataset and list every problem",
        description="Check a dataset and list every problem: table, column, rule, rows, "
                    "examples and the fix. Exits 1 when there are errors (every other command "
                    "stops on them too). Every rule and what it finds: docs/data-dictionary.md, "
                    "'Validation rules'.")
    _data(v)
    _mapping(v)
    _engine(v)
    v.set_defaults(func=_validate)

    i = sub.add_parser(
        "indicators", help="compute every indicator the data allows into one file",
        description="Compute every indicator the data allows and write the long result table. "
                    "An existing --out file is replaced only if equity wrote it (it is listed "
                    "in .equity-manifest.json beside it, unchanged) or with --force; --out "
                    "may not be inside the data folder.")
    _data(i)
    _scope(i)
    i.add_argument("--directorate", default=None,
                   help="restrict to one directorate (default: the whole organisation)")
    _engine(i)
    _mapping(i)
    i.add_argument("--out", required=True, metavar="FILE",
                   help="output file: .csv, .parquet or .xlsx (a formatted workbook with "
                        "parameters and methods sheets); required, no default")
    _force(i)
    i.set_defaults(func=_indicators)

    r = sub.add_parser(
        "report", help="render the HTML reports",
        description="Render one HTML report per directorate, the trust overview (with --all, "
                    "or --overview) and an index. "
                    "Files in --out that equity did not write (not listed in its "
                    ".equity-manifest.json, or changed since) are never replaced without "
                    "--force; --out may not be inside the data folder.")
    _data(r)
    _mapping(r)
    _scope(r)
    r.add_argument("--directorate", nargs="+", default=None, metavar="NAME",
                   help="directorates to report on (default: none; give these, --all, or --overview "
                        "for the trust overview alone)")
    r.add_argument("--all", action="store_true",
                   help="report on every directorate (default: only those given)")
    r.add_argument("--overview", action=argparse.BooleanOptionalAction, default=None,
                   help="also render the trust overview, which compares the directorates "
                        "(default: with --all, not with --directorate; alone, the overview "
                        "only)")
    r.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder (default: reports)")
    r.add_argument("--jobs", type=int, default=None,
                   help="parallel worker processes (default: the number of CPU cores)")
    _force(r, "files in --out")
    r.set_defaults(func=_report)

    g = sub.add_parser(
        "gpg", help="print the statutory gender pay gap figures (GOV.UK field names)",
        description="The gender pay gap figures employers submit to the GOV.UK service "
                    "(Equality Act 2010 (Specific Duties and Public Authorities) Regulations "
                    "2017), for the whole employer: every staff group, no disclosure control, "
                    "as the regulations publish them.")
    _data(g)
    g.add_argument("--period", default=None,
                   help="NHS financial year whose closing 31 March snapshot is the snapshot "
                        "date, e.g. 2024/25 (default: the latest 31 March snapshot in the "
                        "data; the output says which)")
    _engine(g)
    _mapping(g)
    g.set_defaults(func=_gpg)

    t = sub.add_parser(
        "template", help="write WRES or WDES figures laid out like NHS England's data collection",
        description="Compute the WRES indicators or WDES metrics for the whole organisation "
                    "(every staff group, as the standards define them), apply disclosure "
                    "control and write them as a workbook laid out like NHS England's annual "
                    "data collection: one sheet per group of indicators under their published "
                    "wording, withheld figures as *. The About sheet names each heading's "
                    "source (docs/methodology.md, 'WRES and WDES data-collection layout'). "
                    "An existing --out file is replaced only if equity wrote it, or with "
                    "--force.")
    _data(t)
    t.add_argument("--standard", required=True, choices=["wres", "wdes"],
                   help="which standard to lay out: wres (race) or wdes (disability); "
                        "required, no default")
    t.add_argument("--out", required=True, metavar="FILE",
                   help="output workbook, ending in .xlsx; required, no default")
    t.add_argument("--period", default=None, help=_PERIOD_HELP)
    _disclosure(t)
    _engine(t)
    _mapping(t)
    _force(t)
    t.set_defaults(func=_template)
    return p


# --------------------------------------------------------------------------- running


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM (a scheduler or container stop) unwinds like Ctrl-C: cleanup code runs."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return int(args.func(args) or 0)
    except EquityError as err:
        print(f"equity {args.command}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"equity {args.command}: interrupted (SIGINT)", file=sys.stderr)
        return 130
    except SystemExit as stop:
        if stop.code == 128 + signal.SIGTERM:
            print(f"equity {args.command}: stopped (SIGTERM)", file=sys.stderr)
        raise
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
