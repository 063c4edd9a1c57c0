"""The analysts' docs in docs/: the parts generated from the code match the code, links work.

The indicator tables of docs/methodology.md (from :func:`equity.registry_table`), the table
and column lists of docs/data-dictionary.md (from :data:`equity.schema.TABLES`) and the
command reference of docs/cli.md (from the ``equity`` argument parser) sit between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` lines. When the code
changes, regenerate them with

    python tests/test_docs.py --write

(the rest of each file is written by hand).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[\w-]+) -->\n)(?P<body>.*?)"
                    r"(<!-- END GENERATED: (?P=name) -->)", re.S)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _rows(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


_FAMILIES = {"representation": "Representation and leadership", "wres": "WRES", "wdes": "WDES",
             "retention": "Retention", "progression": "Progression and development",
             "pay": "Pay gaps"}
_UNITS = {"proportion": "proportion (0-1; reports show %)", "ratio": "ratio",
          "percent": "percent", "percentage_points": "percentage points", "index": "index (0-1)",
          "count": "count"}


def _adverse_when(meta) -> str:
    from equity.measures.pay import GAP_RANGE
    from equity.stats import NON_ADVERSE_RANGE

    low, high = NON_ADVERSE_RANGE
    if meta.harm is None:
        return "no status (a share, no comparison)"
    if meta.unit == "percent":
        return (f"gap above {GAP_RANGE:g}% (group paid less); below -{GAP_RANGE:g}% "
                "favourable")
    if meta.unit == "percentage_points":
        return f"board share ÷ workforce share below {low:.2f}"
    return f"ratio above {high:.2f}" if meta.harm == "above" else f"ratio below {low:.2f}"


def indicators_block() -> str:
    """The indicators, one table per family, from the registry."""
    from equity.registry import LIBRARY, REGISTRY

    def source(m) -> str:
        if m.source == LIBRARY:
            return "library method (equity)"
        return ("library method, after " if m.library_method else "") + m.source

    out = []
    for family, title in _FAMILIES.items():
        rows = [[f"`{m.id}`", m.title, m.definition, _UNITS[m.unit], _adverse_when(m),
                 source(m), ", ".join(m.needs)]
                for m in REGISTRY.values() if m.family == family]
        out.append(f"### {title}\n\n" + _rows(
            ["Id", "Indicator", "Definition", "Unit", "Adverse when", "Source", "Tables"], rows))
    return "\n".join(out)


def tables_block() -> str:
    """Each canonical table and its columns, from the schema."""
    from equity.schema import TABLES

    kinds = {"id": "identifier (text)", "str": "text / code", "date": "date", "float": "number",
             "bool": "yes / no"}
    out = []
    for t in TABLES.values():
        head = (f"### `{t.name}`{' (required)' if t.required else ''}\n\n{t.description}"
                + (f" Each `{t.key[0]}` appears once." if len(t.key) == 1 else
                   f" Each combination of {' and '.join(f'`{k}`' for k in t.key)} appears once."
                   if t.key else "")
                + "\n\n")
        rows = [[f"`{c.name}`", kinds[c.kind], "yes" if c.required else "", c.description]
                for c in t.columns]
        out.append(head + _rows(["Column", "Type", "Required", "Meaning"], rows))
    return "\n".join(out)


def codes_block() -> str:
    """The code lists equity recognises, from :mod:`equity.codes`."""
    from equity import codes

    def items(values) -> str:
        return ", ".join(f"`{v}`" for v in values)

    eth = _rows(["Code", "Label", "Broad group", "WRES group"],
                [[f"`{k}`", *v] for k, v in codes.ETHNIC_CATEGORIES.items()])
    dis = _rows(["Recorded as", "WDES group"],
                [[f"`{k}`", v] for k, v in codes.DISABILITY_CODES.items()])
    sexo = _rows(["Code", "Meaning", "Declared"],
                 [[f"`{k}`", v, "no" if k in codes.SEXUAL_ORIENTATION_UNDECLARED else "yes"]
                  for k, v in codes.SEXUAL_ORIENTATION_CODES.items()])
    groups = _rows(["Staff group", "Clinical"],
                   [[g, "no" if g in codes.NON_CLINICAL_STAFF_GROUPS else "yes"]
                    for g in codes.STAFF_GROUPS])
    return "\n".join([
        "### Ethnic category (`ethnic_category`)\n", eth,
        "### Disability (`disability`)\n", dis,
        "### Sex (`sex`)\n", f"{items(codes.SEX_CODES)} (read as {items(codes.SEX_GROUPS)}).\n",
        "### Sexual orientation (`sexual_orientation`)\n", sexo,
        "### Age band (`age_band`)\n", items(codes.AGE_BANDS) + "\n",
        "### Band (`band`)\n",
        f"Agenda for Change, lowest first: {items(codes.AFC_BANDS)}. Medical and dental grades, "
        f"off the AfC ladder: {items(codes.MEDICAL_GRADES)}. Senior (8a and above): "
        f"{items(codes.SENIOR_BANDS)}.\n",
        "Write bands exactly so, not `Band 8A`, `8a` or `5` (nor ESR's `Review Body Band 5` or "
        "`Band 8 - Range A`): the indicators compare bands by "
        "these names (senior staff are `Band 8a` and above), so `equity validate` stops on "
        "another spelling (`band_spelling`) and names the mapping-file lines that read it "
        "(`values: band: {'Band 8A': 'Band 8a'}`).\n",
        "### Staff group (`staff_group`)\n", groups,
        "### Allied Health Professions (`profession`)\n", items(codes.AHP_PROFESSIONS) + "\n",
        "### Other code lists\n",
        f"- `contract_type`: {items(codes.CONTRACT_TYPES)}\n"
        f"- `process` (casework): {items(codes.CASEWORK_PROCESSES)}\n"
        f"- `leaving_reason`: {items(codes.LEAVING_REASONS)}\n",
    ])


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def cli_block() -> str:
    """``equity --help`` and each command's ``--help``, as the parser prints them."""
    from equity.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; fix the width
    try:
        parser = build_parser()
        parts = ["### `equity`\n\n```text\n" + parser.format_help() + "```\n"]
        parts += [f"### `equity {name}`\n\n```text\n{p.format_help()}```\n"
                  for name, p in _commands(parser).items()]
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(parts)


def rules_block() -> str:
    from equity.validation import RULES

    return _rows(["Rule", "Severity", "What it finds"],
                 [[f"`{rule}`", severity, what] for rule, (severity, what) in RULES.items()])


GENERATED: dict[tuple[str, str], Callable[[], str]] = {
    ("methodology.md", "indicators"): indicators_block,
    ("data-dictionary.md", "tables"): tables_block,
    ("data-dictionary.md", "codes"): codes_block,
    ("data-dictionary.md", "rules"): rules_block,
    ("cli.md", "commands"): cli_block,
}


def _regenerated(path: Path) -> str:
    text = path.read_text(encoding="utf-8")

    def body(m: re.Match[str]) -> str:
        make = GENERATED[(path.name, m["name"])]
        return m.group(1) + make() + m.group(4)

    return _BLOCK.sub(body, text)


@pytest.mark.parametrize(("doc", "name"), list(GENERATED))
def test_generated_part_matches_the_code(doc, name):
    path = DOCS / doc
    blocks = [m["name"] for m in _BLOCK.finditer(path.read_text(encoding="utf-8"))]
    assert name in blocks, f"{doc} has no generated block {name!r}"
    assert path.read_text(encoding="utf-8") == _regenerated(path), (
        f"{doc} is out of date with the code: run `python tests/test_docs.py --write` and "
        "commit the result")


def test_every_registered_indicator_is_documented():
    from equity.registry import REGISTRY

    text = (DOCS / "methodology.md").read_text(encoding="utf-8")
    assert [i for i in REGISTRY if f"| `{i}` |" not in text] == []


def test_mapping_example_is_a_valid_mapping():
    import yaml

    from equity.io import read_mapping

    text = (DOCS / "data-dictionary.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```yaml\n(.*?)```", text, re.S)
    mapping = read_mapping(yaml.safe_load(example))
    assert mapping["staff"].columns["Assignment Number"] == "staff_id"
    assert mapping["staff"].values["disability"] == {"Y": "Yes", "N": "No"}
    assert mapping["leavers"].date_format == mapping["staff"].date_format == "%d/%m/%Y"


def test_every_result_column_is_explained():
    from equity.result import RESULT_COLUMNS

    text = (DOCS / "data-dictionary.md").read_text(encoding="utf-8")
    assert [c for c in RESULT_COLUMNS if f"| `{c}` |" not in text] == []


def test_every_command_and_option_is_in_the_cli_reference():
    from equity.cli import build_parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, p in _commands(build_parser()).items():
        assert f"### `equity {name}`" in text
        for action in p._actions:
            for flag in action.option_strings:
                assert flag in text, (name, flag)


def test_links_between_docs_resolve():
    for doc in DOCS.glob("*.md"):
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            assert (doc.parent / target).resolve().exists(), (doc.name, target)


def test_no_document_cites_files_outside_the_repository():
    """Code, notebooks and docs cite docs/ files, not the design notes kept outside it."""
    missing = re.compile(r"\b(METHODOLOGY|DESIGN|STYLE)\.md\b")
    found = []
    for path in [*(ROOT / "src" / "equity").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb"),
                 *DOCS.glob("*.md"), ROOT / "README.md"]:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if missing.search(line):
                found.append(f"{path.relative_to(ROOT)}:{i}")
    assert found == []


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_docs.py --write   (regenerates the docs' generated parts)")
    sys.path.insert(0, str(ROOT / "src"))
    for doc in dict.fromkeys(d for d, _ in GENERATED):
        (DOCS / doc).write_text(_regenerated(DOCS / doc), encoding="utf-8")
        print(f"wrote {DOCS / doc}")
