"""The count cube: same small tables on every engine, nothing dropped, every level present."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest

from equity import cube

FRAME = pd.DataFrame({
    "g": ["a", "b", "b", None, "a"],
    "h": ["x", "x", "y", "y", "y"],
    "v": [1.0, 2.0, 3.5, 4.0, None],
    "d": pd.to_datetime(["2024-03-31", "2025-03-31", "2025-03-31", "2025-03-31", "2024-03-31"]),
    "id": ["1", "2", "2", "3", "1"],
})


def engines(df):
    con = duckdb.connect()
    return {
        "pandas": df,
        "polars": pl.from_pandas(df),
        "polars-lazy": pl.from_pandas(df).lazy(),
        "duckdb": con.from_df(df),
    }


def norm(t: pd.DataFrame, keys) -> pd.DataFrame:
    return t.sort_values(keys, na_position="last").reset_index(drop=True)


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy", "duckdb"])
def test_count_is_the_same_on_every_engine(engine):
    native = engines(FRAME)[engine]
    got = norm(cube.count(native, ["g"], sums=["v"]), ["g"])
    # Oracle: plain pandas, null keys kept, nulls summing to 0; text keys a categorical of
    # sorted object categories on every engine, a missing key a missing code
    keys = pd.Categorical(["a", "b", None], categories=pd.Index(["a", "b"], dtype=object))
    expected = pd.DataFrame({"g": keys, "n": [2.0, 2.0, 1.0], "sum_v": [1.0, 5.5, 4.0]})
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("engine", ["pandas", "polars-lazy", "duckdb"])
def test_filter_derive_and_distinct(engine):
    native = engines(FRAME)[engine]
    got = cube.count(native, ["h"], where=nw.col("d") == dt.datetime(2025, 3, 31),
                     derive={"big": (nw.col("v") > 3).cast(nw.Float64())}, sums=["big"])
    assert norm(got, ["h"]).to_dict("list") == {"h": ["x", "y"], "n": [1.0, 2.0], "sum_big": [0.0, 2.0]}
    people = cube.count(native, ["h"], distinct="id")
    assert norm(people, ["h"]).to_dict("list") == {"h": ["x", "y"], "n": [2.0, 3.0]}


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy", "duckdb"])
def test_distinct_rows_keep_a_missing_value_as_a_value(engine):
    got = cube.collect(cube.distinct_rows(engines(FRAME)[engine], ["g", "id"]))
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in
            got[["g", "id"]].to_numpy().tolist()]
    # Oracle: pandas drop_duplicates, which keeps the (None, "3") row
    assert len(FRAME[["g", "id"]].drop_duplicates()) == len(rows) == 3
    assert set(rows) == {("a", "1"), ("b", "2"), (None, "3")}


def test_pandas_count_matches_a_filtered_pandas_group_by():
    """count on pandas (the mask and derived columns evaluated, nothing copied) against
    filtering a copy and pandas' own group-by (sort=False, dropna=False), on random frames:
    same groups in the same order, bitwise the same counts and sums; a filter reading a
    derived column, a derived column replacing one the filter reads, a literal derived
    column and a filter with missing values all filter as on the derived frame."""
    rng = np.random.default_rng(5)
    for case in range(30):
        n = int(rng.integers(0, 200))
        df = pd.DataFrame({
            "g": pd.Series(rng.choice(["x", "y", "z", None], n), dtype=object),
            "h": rng.choice([1.0, 2.0, np.nan], n),
            "ok": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "v": np.where(rng.random(n) < 0.1, np.nan, rng.random(n) * 10),
        })
        where, derive = [
            (nw.col("ok"), None),
            (nw.col("big") == 1.0, {"big": (nw.col("v") > 5).cast(nw.Float64())}),
            (nw.col("h") > 1.0, {"h": nw.col("h") * 2}),  # replaces the column it reads
            (nw.col("v") < 8, {"one": nw.lit(1.0)}),
            (None, {"big": (nw.col("v") > 5).cast(nw.Float64())}),
        ][case % 5]
        sums = ["v", *(derive or {})]
        by = [["g"], ["g", "h"], ["h", "g"]][case % 3]
        got = cube.count(df, by, where=where, derive=derive, sums=sums)
        lf = nw.from_native(df).lazy()
        lf = lf.with_columns(**derive) if derive else lf
        rows = (lf.filter(where) if where is not None else lf).collect().to_native()
        grouped = rows.groupby(by, sort=False, dropna=False, observed=True)
        want = pd.concat([grouped.size().rename("n"),
                          *(grouped[c].sum().rename(f"sum_{c}") for c in sums)],
                         axis=1).reset_index()
        assert len(got) == len(want)
        assert got["n"].tolist() == want["n"].astype(float).tolist()
        for c in sums:
            assert got[f"sum_{c}"].tolist() == want[f"sum_{c}"].astype(float).tolist(), c
        for k in by:
            g, w = got[k].astype(object), want[k].astype(object)
            assert g.where(g.notna(), None).tolist() == w.where(w.notna(), None).tolist()


def test_count_without_keys_and_on_empty_selection():
    assert cube.count(FRAME, []).to_dict("list") == {"n": [5.0]}
    empty = cube.count(FRAME, ["g"], where=nw.col("h") == "zzz")
    assert len(empty) == 0 and list(empty.columns) == ["g", "n"]


def test_complete_adds_zero_rows_and_keeps_unexpected_levels():
    counts = pd.DataFrame({"band": ["Band 5", "Band 99"], "group": ["BME", "White"], "n": [3.0, 1.0]})
    out = cube.complete(counts, {"band": ["Band 5", "Band 6"], "group": ["White", "BME"]})
    assert len(out) == 5  # 2 x 2 grid + the unexpected Band 99 row
    assert out.loc[(out.band == "Band 6") & (out.group == "BME"), "n"].item() == 0.0
    assert out.loc[out.band == "Band 99", "n"].item() == 1.0
    assert out["n"].sum() == 4.0



def test_complete_does_not_depend_on_the_order_groups_arrive_in():
    # A multi-threaded engine returns groups in a different order from run to run: the
    # unexpected levels (after the grid) must still come out in one order, sorted.
    counts = pd.DataFrame({
        "org": ["O2", "O1", "O2", "O1", None],
        "band": ["Medical: SAS", "Band 5", "Band 5", "Medical: FY1", "Band 5"],
        "n": [1.0, 2.0, 3.0, 4.0, 5.0],
    })
    levels = {"org": ["O1", "O2"], "band": ["Band 5"]}
    expected = cube.complete(counts, levels)
    assert expected[["org", "band"]].to_numpy().tolist() == [
        ["O1", "Band 5"], ["O2", "Band 5"],
        ["O1", "Medical: FY1"], ["O2", "Medical: SAS"], [None, "Band 5"],
    ]
    assert expected["n"].tolist() == [2.0, 3.0, 4.0, 1.0, 5.0]
    for seed in range(5):
        shuffled = counts.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(cube.complete(shuffled, levels), expected)

def test_complete_on_categorical_keys_matches_object_keys():
    # count's text keys are categoricals (sorted categories): complete gives the same rows
    # as on the same keys held as objects, and keeps each key a categorical of the sorted
    # values it now holds (the listed levels added, an unused category dropped).
    obj = pd.DataFrame({
        "org": pd.Series(["O2", "O1", None, "O3"], dtype=object),
        "band": pd.Series(["Band 5", "Band 6", "Band 5", "Medical: FY1"], dtype=object),
        "n": [1.0, 2.0, 3.0, 4.0],
    })
    cat = obj.assign(**{k: pd.Categorical(obj[k], categories=pd.Index(sorted(set(obj[k].dropna())) + ["Zzz"], dtype=object))
                        for k in ("org", "band")})
    levels = {"org": ["O1", "O2"], "band": ["Band 6", "Band 5", "Band 7"]}
    want, got = cube.complete(obj, levels), cube.complete(cat, levels)
    assert got["org"].cat.categories.tolist() == ["O1", "O2", "O3"]
    assert got["band"].cat.categories.tolist() == ["Band 5", "Band 6", "Band 7", "Medical: FY1"]
    pd.testing.assert_frame_equal(got.astype({"org": object, "band": object}).fillna({"org": "-"}),
                                  want.fillna({"org": "-"}))
    assert len(want) == 2 * 3 + 2 and want["n"].sum() == 10.0  # the grid + (None, 5), (O3, FY1)


def test_regroup_sums_to_coarser_keys():
    counts = pd.DataFrame({"a": ["x", "x", "y"], "b": [1, 2, 1], "n": [1.0, 2.0, 3.0], "sum_v": [1.0, 1.0, 1.0]})
    assert cube.regroup(counts, ["a"]).to_dict("list") == {"a": ["x", "y"], "n": [3.0, 3.0], "sum_v": [2.0, 1.0]}


def test_regroup_matches_a_pandas_group_by():
    """cube.regroup against pandas' own group-by (sort=False, dropna=False) on random count
    tables: same keys in the same order, same sums (integer counts stay integers)."""
    rng = np.random.default_rng(11)
    for case in range(40):
        n = int(rng.integers(0, 300))
        counts = pd.DataFrame({
            "a": pd.Series(rng.choice(["x", "y", "z", None], n), dtype=object),
            "b": pd.Categorical(rng.choice(["p", "q"], n), categories=["q", "p", "r"]),
            "c": rng.choice([1.5, 2.5, np.nan], n),
            "n": rng.integers(0, 9, n),
            "sum_fte": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
        })
        by = [["a"], ["a", "b"], ["c", "a"], ["b", "c", "a"]][case % 4]
        got = cube.regroup(counts, by)
        want = (counts.groupby(by, dropna=False, sort=False, observed=True)[["n", "sum_fte"]]
                .sum().reset_index())
        assert list(got.columns) == [*by, "n", "sum_fte"]
        assert got["n"].dtype == np.int64 and got["n"].tolist() == want["n"].tolist()
        np.testing.assert_allclose(got["sum_fte"], want["sum_fte"], rtol=1e-12)
        for k in by:
            g, w = got[k].astype(object), want[k].astype(object)
            assert g.where(g.notna(), None).tolist() == w.where(w.notna(), None).tolist()
        if "b" in by:
            assert got["b"].dtype == counts["b"].dtype


def test_shared_counts_live_only_inside_a_sharing_block():
    frame = pd.DataFrame({"g": ["a", "b"]})
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cube.shared(frame, "k", compute) == 1  # outside a block: always computed
    assert cube.shared(frame, "k", compute) == 2
    with cube.sharing():
        assert cube.shared(frame, "k", compute) == 3
        with cube.sharing():  # nested blocks share the outer one's answers
            assert cube.shared(frame, "k", compute) == 3
        assert cube.shared(frame, "k", compute) == 3
    assert cube.shared(frame, "k", compute) == 4  # forgotten when the outer block ends


def test_kept_frames_answer_from_memory_in_every_later_block():
    kept, other = pd.DataFrame({"g": ["a", "b"]}), pd.DataFrame({"g": ["a", "b"]})
    cube.keep_shared([kept, None])
    calls: list[str] = []

    def compute(name: str) -> Callable[[], int]:
        return lambda: calls.append(name) or len(calls)

    for _ in range(2):
        with cube.sharing():
            first_kept = cube.shared(kept, "k", compute("kept"))
            cube.shared(other, "k", compute("other"))
    assert first_kept == 1 and calls == ["kept", "other", "other"]
    assert cube.shared(kept, "k", compute("kept")) == 4  # outside a block: computed
    kept.loc[2] = ["c"]  # a frame that changes shape is counted afresh
    with cube.sharing():
        assert cube.shared(kept, "k", compute("kept")) == 5


def test_threads_asking_the_same_count_compute_it_once_and_share_the_block():
    # the indicator families run side by side in threads on Polars: a count two of them
    # need is computed by the first to ask, and the other waits for that answer
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    frame = pd.DataFrame({"g": ["a", "b"]})
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        started.set()
        assert release.wait(10)
        return 42

    def family() -> int:
        with cube.sharing():  # each family opens its own block inside the caller's
            return cube.shared(frame, "k", slow)

    with cube.sharing():
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(family)
            assert started.wait(10)
            second = pool.submit(family)
            time.sleep(0.2)  # the second thread asks while the first still computes
            release.set()
            assert (first.result(10), second.result(10)) == (42, 42)
        assert calls == [1]
    assert cube.shared(frame, "k", lambda: 7) == 7  # the block ended: nothing left shared


def test_a_failed_count_is_not_remembered_and_reaches_every_waiter():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    frame = pd.DataFrame({"g": ["a"]})
    started, release = threading.Event(), threading.Event()

    def broken() -> int:
        started.set()
        assert release.wait(10)
        raise ValueError("engine error")

    with cube.sharing():
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(cube.shared, frame, "k", broken)
            assert started.wait(10)
            second = pool.submit(cube.shared, frame, "k", lambda: 5)
            time.sleep(0.2)  # the second asks while the first still computes: it waits
            release.set()
            for asked in (first, second):
                with pytest.raises(ValueError, match="engine error"):
                    asked.result(10)
        assert cube.shared(frame, "k", lambda: 3) == 3  # asked again: computed again


def test_threads_pay_off_only_for_polars_frames_of_enough_rows():
    frames = engines(FRAME)  # five rows each
    assert cube.threads_pay_off([frames["polars"], frames["polars-lazy"]], min_rows=5)
    assert not cube.threads_pay_off([frames["polars"], frames["polars-lazy"]], min_rows=6)
    assert not cube.threads_pay_off([frames["polars"]])  # default: a million rows
    assert not cube.threads_pay_off([frames["polars"], frames["duckdb"]], min_rows=0)
    assert not cube.threads_pay_off([frames["pandas"]], min_rows=0)
    assert not cube.threads_pay_off([], min_rows=0)


@pytest.mark.parametrize("engine", ["pandas", "polars-lazy", "duckdb"])
def test_a_held_shared_frame_is_computed_once_and_counts_the_same(engine):
    # leaver spells are counted twice (the figures and their exclusions): inside a block the
    # lazy join is run once and its rows held by the engine
    frame = engines(FRAME)[engine]
    calls: list[int] = []

    def spells() -> nw.LazyFrame:
        calls.append(1)
        lf = cube.lazy(frame)
        return lf.join(lf.select("id", w=nw.col("v")), on="id", how="left")

    want = norm(cube.count(spells(), ["g"], sums=["w"]), ["g"])
    with cube.sharing():
        first = cube.shared(frame, "spells", spells, hold=True)
        again = cube.shared(frame, "spells", spells, hold=True)
        assert again is first and len(calls) == 2  # the one outside, then one inside
        if engine != "pandas":  # held: the plan reads rows in memory, no join left
            assert "JOIN" not in first.to_native().explain().upper()
        pd.testing.assert_frame_equal(norm(cube.count(first, ["g"], sums=["w"]), ["g"]), want)
    assert cube.shared(frame, "spells", spells, hold=True) is not first  # lazy outside


def test_indicators_see_a_table_edited_in_place_after_a_run():
    from equity.io import Dataset
    from equity.measures.careers import retention_indicators

    staff = pd.DataFrame({
        "staff_id": ["1", "2", "3", "1", "2", "3"],
        "snapshot_date": pd.to_datetime(["2024-03-31"] * 3 + ["2025-03-31"] * 3),
        "staff_group": "Allied Health Professionals", "directorate": "D", "band": "Band 5",
        "fte": 1.0, "contract_type": "Substantive", "ethnic_category": ["A", "A", "N"] * 2,
        "disability": "No", "org_start_date": pd.Timestamp("2020-01-01"),
    })
    ds = Dataset(staff=staff)

    def stable(table: pd.DataFrame, group: str) -> float:
        row = table.loc[(table["indicator"] == "stability_index") & (table["group"] == group)]
        return float(row["denominator"].iloc[0])

    first = retention_indicators(ds, period="2024/25")
    assert stable(first, "White") == 2 and stable(first, "BME") == 1
    staff.loc[staff["staff_id"] == "2", "ethnic_category"] = "N"  # same shape, new codes
    again = retention_indicators(ds, period="2024/25")
    assert stable(again, "White") == 1 and stable(again, "BME") == 2


def test_key_codes_match_a_multiindex_factorisation():
    """cube.key_codes numbers key combinations as factorising their MultiIndex does
    (first appearance, missing values a key of their own), on random tables."""
    rng = np.random.default_rng(7)
    for case in range(60):
        n = int(rng.integers(1, 200))
        df = pd.DataFrame({
            "a": pd.Series(rng.choice(["x", "y", None], n), dtype=object),
            "b": rng.choice([1.5, 2.5, np.nan], n),
            "c": rng.integers(0, 3, n),
        })
        by = [["a"], ["a", "b"], ["c", "a", "b"]][case % 3]
        codes_, keys = cube.key_codes(df, by)
        expected, uniques = pd.factorize(pd.MultiIndex.from_frame(df[by]), use_na_sentinel=False)
        assert codes_.tolist() == expected.tolist()
        want = pd.DataFrame(list(uniques), columns=by, dtype=object)
        as_objects = keys.astype(object)
        pd.testing.assert_frame_equal(as_objects.where(as_objects.notna(), None),
                                      want.where(want.notna(), None))
        assert keys["a"].dtype == object  # text stays object, missing as None
        assert all(keys[c].dtype == df[c].dtype for c in by)
        assert keys.iloc[codes_].reset_index(drop=True).astype(object).fillna("NA").equals(
            df[by].astype(object).fillna("NA").reset_index(drop=True))


def test_key_codes_do_not_overflow_with_many_keys():
    """33 keys of 3 values: multiplying codes naively wraps int64 (4**32 == 2**64), which
    would merge rows that differ only in the first key."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({f"k{i}": rng.choice(["a", "b", "c"], 50) for i in range(33)})
    df.loc[1] = df.loc[0]
    df.loc[1, "k0"] = "b" if df.loc[0, "k0"] != "b" else "c"
    codes_, keys = cube.key_codes(df, list(df.columns))
    expected, uniques = pd.factorize(pd.MultiIndex.from_frame(df), use_na_sentinel=False)
    assert codes_[0] != codes_[1]
    assert codes_.tolist() == expected.tolist() and len(keys) == len(uniques)


def test_collect_gives_text_as_object_and_integer_sums_as_numbers():
    # DuckDB sums integers to HUGEINT (an Arrow decimal): collected as float64, not one
    # Python Decimal a cell; text (and a categorical) as object with None for missing.
    rel = duckdb.sql("SELECT * FROM (VALUES ('a', 1), ('a', 2), (NULL, 5)) t(g, x)")
    got = cube.collect(cube.lazy(rel).group_by("g", drop_null_keys=False)
                       .agg(nw.col("x").sum().alias("s"))).sort_values("s", ignore_index=True)
    assert got["s"].dtype == "float64" and got["s"].tolist() == [3.0, 5.0]
    assert got["g"].dtype == object and got["g"].tolist() == ["a", None]
    lf = pl.LazyFrame({"g": pl.Series(["b", None, "b"]).cast(pl.Categorical), "x": [1, 2, 3]})
    got = cube.collect(cube.lazy(lf)).sort_values("x", ignore_index=True)
    assert got["g"].dtype == object and got["g"].tolist() == ["b", None, "b"]
