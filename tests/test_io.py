"""Reading datasets: formats, encodings, the mapping file, engines and bad input."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

from equity import read_dataset, validate
from equity.errors import DataQualityWarning, InputError, ParameterError
from equity.io import read_mapping

FIXTURES = Path(__file__).parent / "fixtures"

# A small clean dataset, as text, the way an export would hold it.
STAFF = pd.DataFrame({
    "staff_id": ["1", "2", "3", "4"],
    "snapshot_date": ["2025-03-31", "2025-03-31", "2024-03-31", "2024-03-31"],
    "directorate": ["Adult", "Adult", "Children", "Children"],
    "staff_group": ["Allied Health Professionals"] * 3 + ["Nursing and Midwifery"],
    "band": ["Band 5", "Band 6", "Band 6", "Band 7"],
    "fte": ["1", "0.6", "0.8", "1.0"],
    "contract_type": ["Substantive", "Substantive", "Bank", "Fixed term"],
    "ethnic_category": ["A", "N", "", "CA"],
    "org_start_date": ["2015-06-01", "2020-01-15", "2019-09-01", "2001-04-01"],
    "hourly_pay": ["20.5", "16", "18.25", ""],
    "full_pay": ["Y", "No", "true", "0"],
})
LEAVERS = pd.DataFrame({"staff_id": ["3"], "leave_date": ["2024-11-30"], "leaving_reason": ["Relocation"]})

EXPECTED_STAFF = pd.DataFrame({
    "staff_id": ["1", "2", "3", "4"],
    "snapshot_date": pd.to_datetime(["2025-03-31", "2025-03-31", "2024-03-31", "2024-03-31"]).astype("datetime64[ns]"),
    "directorate": ["Adult", "Adult", "Children", "Children"],
    "staff_group": ["Allied Health Professionals"] * 3 + ["Nursing and Midwifery"],
    "band": ["Band 5", "Band 6", "Band 6", "Band 7"],
    "fte": [1.0, 0.6, 0.8, 1.0],
    "contract_type": ["Substantive", "Substantive", "Bank", "Fixed term"],
    "ethnic_category": ["A", "N", None, "CA"],
    "org_start_date": pd.to_datetime(["2015-06-01", "2020-01-15", "2019-09-01", "2001-04-01"]).astype("datetime64[ns]"),
    "hourly_pay": [20.5, 16.0, 18.25, np.nan],
    "full_pay": pd.array([True, False, True, False], dtype="boolean"),
})


def write(folder: Path, fmt: str, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if fmt == "csv":
            df.to_csv(folder / f"{name}.csv", index=False)
        elif fmt == "parquet":
            df.to_parquet(folder / f"{name}.parquet", index=False)
        elif fmt == "xlsx":
            df.to_excel(folder / f"{name}.xlsx", index=False)
    return folder


def as_plain(df: pd.DataFrame) -> pd.DataFrame:
    """Engine-neutral comparison form: object for text, float, datetime64[ns], boolean."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if str(s.dtype).startswith("datetime64"):
            out[c] = s.astype("datetime64[ns]")
        elif (pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean"
              or (s.dtype == object and s.notna().any()
                  and s.dropna().map(type).eq(bool).all())):  # Polars booleans with nulls
            out[c] = s.astype("boolean")
        elif pd.api.types.is_float_dtype(s.dtype):
            out[c] = s.astype("float64")
        else:
            out[c] = s.astype(object).where(s.notna(), None)
    return out


def to_pandas(frame) -> pd.DataFrame:
    if isinstance(frame, pd.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect().to_pandas()
    return frame.df()  # DuckDB relation


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_formats_read_to_canonical_types(tmp_path, fmt):
    folder = write(tmp_path / fmt, fmt, {"staff": STAFF, "leavers": LEAVERS})
    ds = read_dataset(folder)
    assert ds.engine == "pandas" and ds.source == str(folder) and ds.issues == []
    pd.testing.assert_frame_equal(as_plain(ds.staff), as_plain(EXPECTED_STAFF))
    assert ds.staff["snapshot_date"].dtype == "datetime64[ns]"
    assert ds.leavers["leave_date"].tolist() == [pd.Timestamp("2024-11-30")]
    assert ds.recruitment is None and ds.board is None


def test_typed_parquet_values_are_coerced(tmp_path):
    # Parquet written by another tool: integer ids, real dates and booleans.
    typed = pd.DataFrame({
        "staff_id": [101, 102],
        "snapshot_date": [dt.date(2025, 3, 31), dt.date(2025, 3, 31)],
        "fte": [1, 0.5],
        "full_pay": [True, False],
    })
    typed.to_parquet(tmp_path / "staff.parquet", index=False)
    ds = read_dataset(tmp_path)
    assert ds.staff["staff_id"].tolist() == ["101", "102"]
    assert ds.staff["snapshot_date"].tolist() == [pd.Timestamp("2025-03-31")] * 2
    assert ds.staff["fte"].tolist() == [1.0, 0.5]
    assert ds.staff["full_pay"].tolist() == [True, False]


def test_duckdb_file(tmp_path):
    db = tmp_path / "trust.duckdb"
    con = duckdb.connect(str(db))
    con.register("s", STAFF)
    con.execute("CREATE TABLE staff AS SELECT * FROM s")
    con.execute("CREATE TABLE notes AS SELECT 1 AS x")
    con.close()
    with pytest.warns(DataQualityWarning, match="notes"):
        ds = read_dataset(db)
    pd.testing.assert_frame_equal(as_plain(ds.staff), as_plain(EXPECTED_STAFF))
    assert [(i.rule, i.examples) for i in ds.issues] == [("unknown table", ("notes",))]
    assert [(f.rule, f.severity) for f in validate(ds).findings] == [("unknown_table", "warning")]
    # the file is closed again: a writer can open it
    duckdb.connect(str(db)).close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), ("Y", True), ("n", False),
     ("Yes", True), ("no", False), (" yes ", True)],
)
def test_boolean_spellings(tmp_path, text, expected):
    pd.DataFrame({"staff_id": ["1"], "full_pay": [text]}).to_csv(tmp_path / "staff.csv", index=False)
    assert read_dataset(tmp_path).staff["full_pay"].tolist() == [expected]


# --------------------------------------------------------------------------- encodings


def test_cp1252_csv_reads_accents(tmp_path):
    text = "staff_id,directorate,profession\n1,Santé mentale,Diététicienne\n2,Adult,Physiotherapist\n"
    (tmp_path / "staff.csv").write_bytes(text.encode("cp1252"))
    ds = read_dataset(tmp_path)
    assert ds.staff["directorate"].tolist() == ["Santé mentale", "Adult"]
    assert ds.staff["profession"].tolist()[0] == "Diététicienne"


def test_utf8_bom_first_column_name(tmp_path):
    text = "staff_id,directorate\n1,Sant\u00e9\n"
    (tmp_path / "staff.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ds = read_dataset(tmp_path)
    assert list(ds.staff.columns) == ["staff_id", "directorate"]
    assert ds.staff["staff_id"].tolist() == ["1"] and ds.staff["directorate"].tolist() == ["Santé"]


def test_undecodable_csv_is_an_input_error(tmp_path):
    # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte.
    (tmp_path / "staff.csv").write_bytes(b"staff_id,directorate\n1,A\x81B\n")
    with pytest.raises(InputError, match="neither UTF-8 nor Windows-1252"):
        read_dataset(tmp_path)


# --------------------------------------------------------------------------- mapping


def test_mapping_renames_recodes_and_parses_dates():
    ds = read_dataset(FIXTURES / "esr", mapping=FIXTURES / "esr" / "mapping.yaml")
    s = ds.staff
    assert ds.issues == []
    assert s["staff_id"].tolist() == ["1001", "1002", "1003", "1004"]
    assert s["ethnic_category"].tolist() == ["A", "N", "A", "Z"]
    assert s["contract_type"].tolist() == ["Substantive", "Substantive", "Fixed term", "Substantive"]
    # YAML reads Y: Yes as a boolean; the recode still writes the code "Yes".
    assert s["disability"].tolist()[:3] == ["Yes", "No", "No"] and s["disability"].isna().tolist()[3]
    # 29/02/2024 is a real date (leap year); day first per date_format.
    assert s["org_start_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2015-06-01", "2020-01-15", "2024-02-29", "2010-04-03"]
    assert s["snapshot_date"].unique().tolist() == [pd.Timestamp("2025-03-31")]


def test_top_level_date_format_applies_to_every_table(tmp_path):
    pd.DataFrame({"staff_id": ["1"], "snapshot_date": ["31/03/2025"]}).to_csv(tmp_path / "staff.csv", index=False)
    pd.DataFrame({"staff_id": ["1"], "leave_date": ["01/02/2025"]}).to_csv(tmp_path / "leavers.csv", index=False)
    ds = read_dataset(tmp_path, mapping={"date_format": "%d/%m/%Y"})
    assert ds.issues == []
    assert ds.staff["snapshot_date"].tolist() == [pd.Timestamp("2025-03-31")]
    assert ds.leavers["leave_date"].tolist() == [pd.Timestamp("2025-02-01")]


def test_mapping_without_date_format_reports_day_first_dates():
    ds = read_dataset(FIXTURES / "esr", mapping={"staff": {"columns": {
        "Assignment Number": "staff_id", "Effective Date": "snapshot_date"}}})
    [issue] = [i for i in ds.issues if i.severity == "error"]
    assert (issue.table, issue.column, issue.rule, issue.count) == (
        "staff", "snapshot_date", "unparseable date", 4)
    assert issue.examples[0] == "row 2 (staff_id=1001)"
    # the fix is named: the mapping's date_format for day-first dates
    assert "date_format: '%d/%m/%Y'" in issue.hint
    # the unmapped Title Case headers are read as their canonical names, with a warning
    [renamed] = [i for i in ds.issues if i.severity == "warning"]
    assert renamed.rule == "header renamed"
    assert renamed.examples == ("'Staff Group' -> staff_group", "'FTE' -> fte")


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({"stafff": {}}, "'stafff' (not a table)"),
        ({"staff": {"colums": {}}}, "staff.colums"),
        ({"staff": {"columns": {"Assignment Number": "person_id"}}}, "'person_id'"),
        ({"staff": {"values": {"ethnicity": {"x": "A"}}}}, "staff.values.ethnicity"),
    ],
)
def test_mapping_unknown_keys_are_named(mapping, named):
    with pytest.raises(InputError, match="Unknown key") as err:
        read_mapping(mapping)
    assert named in str(err.value)


def test_mapping_file_missing(tmp_path):
    with pytest.raises(InputError, match="mapping file .* does not exist"):
        read_dataset(FIXTURES / "esr", mapping=tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- engines


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_engines_give_the_same_values(tmp_path, engine, fmt):
    folder = write(tmp_path / fmt, fmt, {"staff": STAFF, "leavers": LEAVERS})
    base = read_dataset(folder)
    ds = read_dataset(folder, engine=engine)
    assert ds.engine == engine
    kind = pl.LazyFrame if engine == "polars" else duckdb.DuckDBPyRelation
    assert isinstance(ds.staff, kind) and isinstance(ds.leavers, kind)
    for name in ("staff", "leavers"):
        got = as_plain(to_pandas(getattr(ds, name)))
        pd.testing.assert_frame_equal(got, as_plain(getattr(base, name)), check_dtype=True)
    if engine == "polars":
        schema = ds.staff.collect_schema()
        assert schema["snapshot_date"].is_temporal() and schema["fte"] == pl.Float64
        assert schema["full_pay"] == pl.Boolean and schema["staff_id"] == pl.String
    else:
        types = dict(zip(ds.staff.columns, map(str, ds.staff.types), strict=True))
        assert types["snapshot_date"] == "TIMESTAMP" and types["fte"] == "DOUBLE"
        assert types["full_pay"] == "BOOLEAN" and types["staff_id"] == "VARCHAR"


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_engines_record_the_same_issues(engine):
    with pytest.warns(DataQualityWarning):
        base = read_dataset(FIXTURES / "broken")
    with pytest.warns(DataQualityWarning):
        ds = read_dataset(FIXTURES / "broken", engine=engine)
    assert ds.issues == base.issues


def test_spark_without_pyspark_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    write(tmp_path, "csv", {"staff": STAFF})
    with pytest.raises(InputError, match=r"pip install pyspark.*Java"):
        read_dataset(tmp_path, engine="spark")


def test_unknown_engine():
    with pytest.raises(ParameterError, match="engine"):
        read_dataset(FIXTURES / "esr", engine="excel")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- chunked reading


def test_chunks_give_the_same_frame_and_issue_rows(tmp_path):
    staff = pd.concat([STAFF] * 3, ignore_index=True)
    staff.loc[[1, 7, 10], "fte"] = ["x", "y", "z"]
    staff.to_csv(tmp_path / "staff.csv", index=False)
    whole = read_dataset(tmp_path)
    chunked = read_dataset(tmp_path, chunk_rows=4)
    pd.testing.assert_frame_equal(chunked.staff, whole.staff)
    [issue] = chunked.issues
    # data rows 1, 7, 10 (0-based) are spreadsheet rows 3, 9, 12; ids 2, 4, 3
    assert issue.count == 3
    assert issue.examples == ("row 3 (staff_id=2)", "row 9 (staff_id=4)", "row 12 (staff_id=3)")
    assert chunked.issues == whole.issues


def test_mixed_type_column_is_reported_not_altered(tmp_path):
    pd.DataFrame({"staff_id": ["1", "2", "3"], "fte": ["1", "full time", "0.5"],
                  "org_start_date": ["2020-01-01", "2020-01-01", "yesterday"]}
                 ).to_csv(tmp_path / "staff.csv", index=False)
    ds = read_dataset(tmp_path)
    assert ds.staff["fte"].tolist()[::2] == [1.0, 0.5] and np.isnan(ds.staff["fte"][1])
    assert {(i.column, i.rule, i.count) for i in ds.issues} == {
        ("fte", "unparseable number", 1), ("org_start_date", "unparseable date", 1)}


# --------------------------------------------------------------------------- bad input


def test_missing_folder(tmp_path):
    with pytest.raises(InputError) as err:
        read_dataset(tmp_path / "nowhere")
    msg = str(err.value)
    assert "No dataset at" in msg and "nowhere" in msg and "staff.csv" in msg and "\n" not in msg


def test_file_instead_of_folder():
    with pytest.raises(InputError, match="pass its folder"):
        read_dataset(FIXTURES / "esr" / "staff.csv")


def test_no_staff_table(tmp_path):
    write(tmp_path, "csv", {"leavers": LEAVERS})
    with pytest.raises(InputError, match=r"No staff table .*found: leavers"):
        read_dataset(tmp_path)


def test_empty_file(tmp_path):
    (tmp_path / "staff.csv").write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        read_dataset(tmp_path)


def test_header_only_file_is_an_empty_table(tmp_path):
    (tmp_path / "staff.csv").write_text("staff_id,snapshot_date\n")
    ds = read_dataset(tmp_path)
    assert len(ds.staff) == 0 and ds.staff["snapshot_date"].dtype == "datetime64[ns]"


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_wrong_delimiter(tmp_path, sep, name):
    STAFF.to_csv(tmp_path / "staff.csv", index=False, sep=sep)
    with pytest.raises(InputError, match=f"separated by {name}, not commas") as err:
        read_dataset(tmp_path)
    assert "staff.csv" in str(err.value) and "Save it as comma-separated" in str(err.value)


def test_ragged_csv(tmp_path):
    (tmp_path / "staff.csv").write_text("staff_id,band\n1,Band 5\n2,Band 5,extra,fields\n")
    with pytest.raises(InputError, match="not a well-formed CSV"):
        read_dataset(tmp_path)


def test_two_files_for_one_table(tmp_path):
    write(tmp_path, "csv", {"staff": STAFF})
    write(tmp_path, "parquet", {"staff": STAFF})
    with pytest.raises(InputError, match="more than one file for the staff table"):
        read_dataset(tmp_path)


def test_unknown_files_are_listed(tmp_path):
    write(tmp_path, "csv", {"staff": STAFF, "leaver": LEAVERS})
    (tmp_path / "README.md").write_text("notes")  # documentation is not data: ignored
    with pytest.warns(DataQualityWarning, match=r"leaver\.csv \(did you mean leavers\?\)"):
        ds = read_dataset(tmp_path)
    assert ds.leavers is None
    assert [(i.rule, i.severity, i.examples) for i in ds.issues] == [
        ("unknown file", "warning", ("leaver.csv",))]


def text_parquet_copy(src: Path, dst: Path, mapping_too: bool = False) -> Path:
    """The CSV files of ``src`` as Parquet with every column as text (as an export holds them)."""
    dst.mkdir()
    for p in src.glob("*.csv"):
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
        df.astype(str).to_parquet(dst / f"{p.stem}.parquet", index=False)
    return dst


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_native_parquet_scan_matches_pandas_on_broken_data(tmp_path, engine, monkeypatch):
    import equity.io._dataset

    folder = text_parquet_copy(FIXTURES / "broken", tmp_path / "broken")
    with pytest.warns(DataQualityWarning):
        base = read_dataset(folder)

    def no_pandas(*args, **kwargs):
        raise AssertionError("a lazy engine read a Parquet file through pandas")

    # the lazy engines scan the Parquet file themselves: no pandas frame in between
    monkeypatch.setattr(equity.io._dataset, "_read_pandas", no_pandas)
    with pytest.warns(DataQualityWarning):
        ds = read_dataset(folder, engine=engine)
    monkeypatch.undo()
    assert ds.issues == base.issues
    for name in ("staff", "leavers", "recruitment", "casework", "training"):
        pd.testing.assert_frame_equal(as_plain(to_pandas(getattr(ds, name))),
                                      as_plain(getattr(base, name)))
    if engine == "polars":
        assert ds.staff.collect_schema()["full_pay"] == pl.Boolean
    counts = lambda r: sorted((f.table, f.column, f.rule, f.count) for f in r.findings)  # noqa: E731
    assert counts(validate(ds)) == counts(validate(base))


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_mapping_applies_on_every_engine_and_format(tmp_path, engine):
    folder = text_parquet_copy(FIXTURES / "esr", tmp_path / "esr")
    mapping = FIXTURES / "esr" / "mapping.yaml"
    ds = read_dataset(folder, mapping=mapping, engine=engine)
    want = read_dataset(FIXTURES / "esr", mapping=mapping)
    assert ds.issues == []
    pd.testing.assert_frame_equal(as_plain(to_pandas(ds.staff)), as_plain(want.staff))


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_duckdb_file_on_lazy_engines(tmp_path, engine):
    db = tmp_path / "trust.duckdb"
    con = duckdb.connect(str(db))
    con.register("s", STAFF)
    con.execute("CREATE TABLE staff AS SELECT * FROM s")
    con.close()
    ds = read_dataset(db, engine=engine)
    pd.testing.assert_frame_equal(as_plain(to_pandas(ds.staff)), as_plain(EXPECTED_STAFF))
    if engine == "duckdb":
        assert ds.connection is not None  # the relation reads the file through it


def test_duckdb_reads_parquet_in_place_and_clean_text_as_recorded(tmp_path):
    padded = STAFF.assign(directorate=[" Adult", "Adult", "Children", "Children"])
    write(tmp_path, "parquet", {"staff": padded})
    ds = read_dataset(tmp_path, engine="duckdb")
    # nothing is copied into the connection: each query reads the columns it needs
    assert ds.connection.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]
    sql = ds.staff.sql_query()
    assert '"band" AS "band"' in sql and '"staff_id" AS "staff_id"' in sql  # clean: as recorded
    assert "NULLIF(trim(\"directorate\"), '')" in sql  # one padded value
    assert "NULLIF(trim(\"ethnic_category\"), '')" in sql  # one blank
    pd.testing.assert_frame_equal(as_plain(to_pandas(ds.staff)), as_plain(EXPECTED_STAFF))


def test_excel_cells_of_mixed_types(tmp_path):
    # Excel keeps each cell's own type: numbers, text and real dates in one column.
    df = pd.DataFrame({
        "staff_id": [101, "P2", 103.0],
        "snapshot_date": [dt.datetime(2025, 3, 31), "2025-03-31", "31 March 2025"],
        "fte": [1, "0.5", "half"],
    })
    df.to_excel(tmp_path / "staff.xlsx", index=False)
    ds = read_dataset(tmp_path)
    assert ds.staff["staff_id"].tolist() == ["101", "P2", "103"]
    assert ds.staff["snapshot_date"].tolist()[:2] == [pd.Timestamp("2025-03-31")] * 2
    assert ds.staff["fte"].tolist()[:2] == [1.0, 0.5]
    assert {(i.column, i.rule, i.examples) for i in ds.issues} == {
        ("snapshot_date", "unparseable date", ("row 4 (staff_id=103)",)),
        ("fte", "unparseable number", ("row 4 (staff_id=103)",)),
    }


def test_polars_holds_code_columns_as_categoricals_that_count_as_text(tmp_path):
    from equity import cube

    write(tmp_path, "parquet", {"staff": STAFF})
    ds = read_dataset(tmp_path, engine="polars")
    schema = ds.staff.collect_schema()
    assert schema["band"] == pl.Categorical and schema["staff_id"] == pl.String
    pd.testing.assert_frame_equal(as_plain(to_pandas(ds.staff)), as_plain(EXPECTED_STAFF))
    counts = cube.count(ds.staff, ["band", "ethnic_category"])
    want = cube.count(EXPECTED_STAFF, ["band", "ethnic_category"])
    pd.testing.assert_frame_equal(counts.sort_values(["band", "ethnic_category"]).reset_index(drop=True),
                                  want.sort_values(["band", "ethnic_category"]).reset_index(drop=True))


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_lazy_engines_trim_code_columns_and_blanks_are_missing(tmp_path, engine):
    padded = STAFF.assign(band=[" Band 5", "Band 6 ", "Band 6", ""])
    write(tmp_path, "parquet", {"staff": padded})
    got = to_pandas(read_dataset(tmp_path, engine=engine).staff)
    assert got["band"].astype(object).where(got["band"].notna(), None).tolist() == [
        "Band 5", "Band 6", "Band 6", None]
    if engine == "polars":
        assert str(got["band"].dtype) == "category"  # held as a categorical


def test_polars_trims_padded_categorical_columns_and_keeps_clean_ones(tmp_path):
    # Parquet written from pandas categoricals reads as Polars categoricals: a clean one is
    # kept as it is, one with a padded value or a blank is trimmed like text.
    cats = STAFF.assign(band=[" Band 5", "Band 6 ", "Band 6", ""]).astype(
        {"band": "category", "directorate": "category"})
    write(tmp_path, "parquet", {"staff": cats})
    assert pl.scan_parquet(tmp_path / "staff.parquet").collect_schema()["band"] == pl.Categorical
    got = to_pandas(read_dataset(tmp_path, engine="polars").staff)
    assert got["band"].astype(object).where(got["band"].notna(), None).tolist() == [
        "Band 5", "Band 6", "Band 6", None]
    assert got["directorate"].astype(object).tolist() == STAFF["directorate"].tolist()
