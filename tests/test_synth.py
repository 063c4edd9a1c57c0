"""equity.synth: determinism of the committed sample, internal consistency, injected truths.

The truths are checked with plain pandas (an oracle independent of equity.indicators) on a
larger seeded trust: each injected ratio must lie inside the Katz log interval of the ratio
recomputed from the generated rows. The seven truth checks share one family-wise 95% level
(Bonferroni: each interval at 1 - 0.05/7), so that the fixed seed is not a lucky pick.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from equity import codes, schema
from equity.errors import InputError, ParameterError
from equity.synth import GENERATED_TABLES, generate, write_sample

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SAMPLE_FILES = [f"{t}.csv" for t in GENERATED_TABLES] + ["truth.json", "benchmarks.csv"]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample(tmp_path_factory.mktemp("sample") / "sample", seed=2024)


@pytest.fixture(scope="module")
def trust() -> tuple[dict[str, pd.DataFrame], dict]:
    return generate(seed=2024)


@pytest.fixture(scope="module")
def big() -> tuple[dict[str, pd.DataFrame], dict]:
    return generate(seed=sum(map(ord, "equity synth truths")), scale_factor=8)


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_committed_sample_regenerates_byte_for_byte(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (SAMPLE / name).read_bytes(), (
        f"data/sample/{name} differs from a fresh `equity sample data/sample --seed 2024`; "
        "regenerate it on purpose if the generator changed"
    )


def test_sample_folder_holds_only_known_files() -> None:
    names = {p.name for p in SAMPLE.iterdir()}
    assert names == set(SAMPLE_FILES) | {"README.md"}


def test_different_seeds_differ() -> None:
    a, _ = generate(seed=1, scale_factor=0.1, years=2)
    b, _ = generate(seed=2, scale_factor=0.1, years=2)
    assert not a["staff"].equals(b["staff"])
    assert not a["recruitment"].equals(b["recruitment"])


def test_same_seed_same_frames() -> None:
    a, ta = generate(seed=3, scale_factor=0.1, years=2)
    b, tb = generate(seed=3, scale_factor=0.1, years=2)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert ta == tb


# --------------------------------------------------------------------------- shape and types


_DTYPE = {"id": "str", "str": "str", "date": "datetime64[ns]", "float": "float64", "bool": "bool"}


@pytest.mark.parametrize("name", GENERATED_TABLES)
def test_columns_and_dtypes_follow_the_schema(trust, name: str) -> None:
    df = trust[0][name]
    expected = [c for c in schema.TABLES[name].column_names if c != "organisation"]
    assert list(df.columns) == expected
    for col in df.columns:
        assert str(df[col].dtype) == _DTYPE[schema.TABLES[name].column(col).kind], col


@pytest.mark.parametrize("name", GENERATED_TABLES)
def test_csv_booleans_and_dates_are_canonical(name: str) -> None:
    raw = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
    for col in raw.columns:
        kind = schema.TABLES[name].column(col).kind
        if kind == "bool":
            assert set(raw[col]) <= {"true", "false"}, col
        elif kind == "date":
            assert raw[col].str.fullmatch(r"\d{4}-\d{2}-\d{2}|").all(), col


def test_trust_size_and_mix(trust) -> None:
    staff = trust[0]["staff"]
    snaps = sorted(staff["snapshot_date"].unique())
    assert [pd.Timestamp(s).date().isoformat() for s in snaps] == [f"{y}-03-31" for y in range(2020, 2026)]
    last = staff[staff["snapshot_date"] == snaps[-1]]
    assert 2000 <= len(last) <= 2600
    assert 0.15 <= (last["staff_group"] == codes.AHP_STAFF_GROUP).mean() <= 0.20
    ahp = last[last["staff_group"] == codes.AHP_STAFF_GROUP]
    assert set(ahp["profession"]) == set(codes.TRUST_AHP_PROFESSIONS)
    grp = codes.ethnicity_group(last["ethnic_category"]).value_counts(normalize=True)
    assert 0.18 <= grp["BME"] <= 0.26 and 0.03 <= grp["Unknown"] <= 0.07
    assert 0.75 <= (last["sex"] == "Female").mean() <= 0.82
    assert 0.80 <= (ahp["sex"] == "Female").mean() <= 0.90
    assert set(last["contract_type"]) == set(codes.CONTRACT_TYPES)
    assert last["directorate"].nunique() == 6
    assert codes.is_known_ethnic_code(staff["ethnic_category"]).all()
    assert set(staff["band"]) <= set(codes.BANDS)


# --------------------------------------------------------------------------- consistency


def test_one_row_per_person_per_snapshot(trust) -> None:
    staff = trust[0]["staff"]
    assert not staff.duplicated(["staff_id", "snapshot_date"]).any()


def test_fte_in_range_and_pay_positive(trust) -> None:
    staff = trust[0]["staff"]
    assert staff["fte"].gt(0).all() and staff["fte"].le(1.5).all()
    assert staff["hourly_pay"].gt(0).all() and staff["bonus_pay"].ge(0).all()
    assert (trust[0]["leavers"]["fte"].gt(0) & trust[0]["leavers"]["fte"].le(1.5)).all()


def test_start_dates_before_snapshot(trust) -> None:
    staff = trust[0]["staff"]
    assert (staff["org_start_date"] <= staff["snapshot_date"]).all()
    assert (staff["nhs_start_date"] <= staff["org_start_date"]).all()


def test_appointed_implies_shortlisted(trust) -> None:
    rec = trust[0]["recruitment"]
    assert not (rec["appointed"] & ~rec["shortlisted"]).any()
    assert rec["application_id"].is_unique


@pytest.mark.parametrize("table", ["leavers", "casework", "training"])
def test_person_tables_refer_to_staff(trust, table: str) -> None:
    ids = set(trust[0]["staff"]["staff_id"])
    assert set(trust[0][table]["staff_id"]) <= ids


def test_every_leave_follows_the_start_of_its_spell(trust) -> None:
    staff, leavers = trust[0]["staff"], trust[0]["leavers"]
    # the last snapshot on or before the leave date carries the spell's start date
    m = pd.merge_asof(leavers.sort_values("leave_date"),
                      staff[["staff_id", "snapshot_date", "org_start_date"]].sort_values("snapshot_date"),
                      left_on="leave_date", right_on="snapshot_date", by="staff_id")
    assert m["snapshot_date"].notna().all()
    assert (m["leave_date"] > m["org_start_date"]).all()
    # and nobody appears in a snapshot after leaving unless they re-joined (new start date)
    later = leavers.merge(staff, on="staff_id")
    later = later[later["snapshot_date"] > later["leave_date"]]
    assert (later["org_start_date"] > later["leave_date"]).all()
    assert leavers["leaving_reason"].isin(codes.LEAVING_REASONS).all()
    assert leavers["destination"].isin(["NHS", "Non-NHS", "Unknown"]).all()


def test_movers_promotions_and_rejoiners_exist(trust) -> None:
    staff = trust[0]["staff"].sort_values(["staff_id", "snapshot_date"])
    g = staff.groupby("staff_id")
    assert (g["directorate"].nunique() > 1).sum() > 20
    assert (g["org_start_date"].nunique() > 1).sum() > 5  # re-joined with the same staff_id
    rank = staff["band"].map(codes.BAND_ORDER)
    assert (rank.groupby(staff["staff_id"]).diff() > 0).sum() > 50


def test_pay_ties_and_bonus_for_consultants_only(trust) -> None:
    staff = trust[0]["staff"]
    last = staff[staff["snapshot_date"] == staff["snapshot_date"].max()]
    assert last["hourly_pay"].value_counts().max() > 50
    assert (staff.loc[staff["bonus_pay"] > 0, "band"] == "Medical: Consultant").all()
    assert 0.9 < last["full_pay"].mean() < 1.0
    medical = last["band"].str.startswith("Medical")
    assert last.loc[medical, "hourly_pay"].median() > last.loc[~medical, "hourly_pay"].median()


def test_casework_and_training_codes(trust) -> None:
    cw, tr = trust[0]["casework"], trust[0]["training"]
    assert set(cw["process"]) == set(codes.CASEWORK_PROCESSES)
    cap = cw["process"] == "capability"
    assert set(cw.loc[cap, "capability_reason"]) == {"performance", "ill health"}
    assert cw.loc[~cap, "capability_reason"].isna().all()
    assert cw["case_id"].is_unique
    assert tr["mandatory"].any() and (~tr["mandatory"]).any()


def test_board_and_survey(trust) -> None:
    board, survey = trust[0]["board"], trust[0]["survey"]
    assert board.groupby("snapshot_date").size().eq(13).all()
    assert not board.duplicated(["member_id", "snapshot_date"]).any()
    assert (survey["positive"] <= survey["respondents"]).all()
    whole = survey[survey["directorate"].isna()].set_index(["period", "indicator", "group"])
    parts = survey[survey["directorate"].notna()].groupby(["period", "indicator", "group"])[
        ["respondents", "positive"]].sum()
    pd.testing.assert_frame_equal(whole[["respondents", "positive"]].sort_index(), parts.sort_index())
    assert set(survey["indicator"]) == {f"wres_{i}" for i in range(5, 9)} | {f"wdes_{i}" for i in range(4, 9)}


def test_truth_file_matches_generate(trust) -> None:
    on_disk = json.loads((SAMPLE / "truth.json").read_text())
    assert on_disk["synthetic"] is True
    assert on_disk == json.loads(json.dumps(trust[1]))
    inds = {d["indicator"] for d in on_disk["disparities"]}
    assert {"wres_2", "wres_3", "wdes_3", "wres_4", "promotion_rate", "leaver_rate",
            "early_career_leaver_rate", "pay_gap_mean"} <= inds


# --------------------------------------------------------------------------- injected truths


N_TRUTH_CHECKS = 7
Z = float(norm.ppf(1 - 0.05 / N_TRUTH_CHECKS / 2))


def _katz(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    """Ratio (a/n1)/(c/n2) with its Katz log interval (family-wise 95%, see module docstring)."""
    ratio = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se)


def _truth(truth: dict, indicator: str) -> float:
    return next(d["value"] for d in truth["disparities"] if d["indicator"] == indicator)


def _per_year(staff: pd.DataFrame):
    snaps = sorted(staff["snapshot_date"].unique())
    for s0, s1 in zip(snaps[:-1], snaps[1:], strict=True):
        yield s0, s1, staff[staff["snapshot_date"] == s0], staff[staff["snapshot_date"] == s1]


def _counts_people_with_event(staff: pd.DataFrame, events: pd.DataFrame, date_col: str,
                              group) -> dict[str, list[int]]:
    """Per group: [people in post at the closing snapshot with an event in the year, headcount]."""
    out = {"a": [0, 0], "b": [0, 0]}
    for s0, s1, _, end in _per_year(staff):
        ids = events.loc[(events[date_col] > s0) & (events[date_col] <= s1), "staff_id"].unique()
        for key, mask in (("a", group(end) == 0), ("b", group(end) == 1)):
            out[key][0] += int(end.loc[mask, "staff_id"].isin(ids).sum())
            out[key][1] += int(mask.sum())
    return out


def _eth(df: pd.DataFrame) -> pd.Series:
    g = codes.ethnicity_group(df["ethnic_category"])
    return g.map({"BME": 0, "White": 1}).fillna(-1)


def _dis(df: pd.DataFrame) -> pd.Series:
    return df["disability"].map({"Yes": 0, "No": 1}).fillna(-1)


def test_truth_wres_2_appointment(big) -> None:
    tables, truth = big
    rec = tables["recruitment"]
    sl = rec[rec["shortlisted"]]
    g = codes.ethnicity_group(sl["ethnic_category"])
    w, b = sl[g == "White"], sl[g == "BME"]
    r, lo, hi = _katz(int(w["appointed"].sum()), len(w), int(b["appointed"].sum()), len(b))
    assert lo <= _truth(truth, "wres_2") <= hi, (r, lo, hi)


@pytest.mark.parametrize(
    ("indicator", "process", "reason", "group"),
    [("wres_3", "disciplinary", None, _eth), ("wdes_3", "capability", "performance", _dis)],
)
def test_truth_formal_casework(big, indicator, process, reason, group) -> None:
    tables, truth = big
    cw = tables["casework"]
    ev = cw[(cw["process"] == process) & cw["formal"]]
    if reason:
        ev = ev[ev["capability_reason"] == reason]
    c = _counts_people_with_event(tables["staff"], ev, "start_date", group)
    r, lo, hi = _katz(*c["a"], *c["b"])
    assert lo <= _truth(truth, indicator) <= hi, (r, lo, hi)


def test_truth_wres_4_training(big) -> None:
    tables, truth = big
    tr = tables["training"]
    c = _counts_people_with_event(tables["staff"], tr[~tr["mandatory"]], "date", _eth)
    r, lo, hi = _katz(*c["b"], *c["a"])  # White / BME
    assert lo <= _truth(truth, "wres_4") <= hi, (r, lo, hi)


def test_truth_promotion(big) -> None:
    tables, truth = big
    num, den = {0: 0, 1: 0}, {0: 0, 1: 0}
    for _, _, start, end in _per_year(tables["staff"]):
        m = start.merge(end[["staff_id", "band", "org_start_date"]], on=["staff_id", "org_start_date"],
                        suffixes=("", "_end"))
        m = m[m["band"].isin(codes.AFC_BANDS[:-1])]
        up = m["band_end"].map(codes.BAND_ORDER) > m["band"].map(codes.BAND_ORDER)
        g = _eth(m)
        for k in (0, 1):
            num[k] += int(up[g == k].sum())
            den[k] += int((g == k).sum())
    r, lo, hi = _katz(num[0], den[0], num[1], den[1])  # BME / White
    assert lo <= _truth(truth, "promotion_rate") <= hi, (r, lo, hi)


def test_truth_leaving(big) -> None:
    tables, truth = big
    leavers = tables["leavers"]
    num, den = {0: 0, 1: 0}, {0: 0, 1: 0}
    for s0, s1, start, _ in _per_year(tables["staff"]):
        at_risk = start[start["org_start_date"] <= s0 - pd.Timedelta(days=366)]
        left = leavers.loc[(leavers["leave_date"] > s0) & (leavers["leave_date"] <= s1), "staff_id"].unique()
        g = _eth(at_risk)
        for k in (0, 1):
            num[k] += int(at_risk.loc[g == k, "staff_id"].isin(left).sum())
            den[k] += int((g == k).sum())
    r, lo, hi = _katz(num[0], den[0], num[1], den[1])
    assert lo <= _truth(truth, "leaver_rate") <= hi, (r, lo, hi)


def test_truth_early_career_leaving_ahp(big) -> None:
    tables, truth = big
    staff, leavers = tables["staff"], tables["leavers"]
    first_snap = staff["snapshot_date"].min()
    joiners = (staff[(staff["org_start_date"] > first_snap)
                     & (staff["staff_group"] == codes.AHP_STAFF_GROUP)
                     # joiners of the last year may leave early after the last snapshot
                     & (staff["org_start_date"] <= staff["snapshot_date"].max() - pd.Timedelta(days=366))]
               .drop_duplicates(["staff_id", "org_start_date"]))
    m = joiners.merge(leavers[["staff_id", "leave_date"]], on="staff_id", how="left")
    days = (m["leave_date"] - m["org_start_date"]).dt.days
    m["early"] = days.between(0, 366)
    early = m.groupby(["staff_id", "org_start_date"])["early"].any()
    j = joiners.set_index(["staff_id", "org_start_date"]).assign(early=early)
    g = _eth(j)
    r, lo, hi = _katz(int(j["early"][g == 0].sum()), int((g == 0).sum()),
                      int(j["early"][g == 1].sum()), int((g == 1).sum()))
    assert lo <= _truth(truth, "early_career_leaver_rate") <= hi, (r, lo, hi)


def test_gender_pay_gap_is_band_mix(big) -> None:
    staff = big[0]["staff"]
    last = staff[(staff["snapshot_date"] == staff["snapshot_date"].max()) & staff["full_pay"]]
    mean = last.groupby("sex")["hourly_pay"].mean()
    overall = (mean["Male"] - mean["Female"]) / mean["Male"] * 100
    assert overall > 5  # men are over-represented in senior bands and medicine
    # within the big AfC bands the gap is near zero (pay points do not depend on sex)
    for band in ("Band 3", "Band 5", "Band 6", "Band 7"):
        b = last[last["band"] == band].groupby("sex")["hourly_pay"].mean()
        assert abs((b["Male"] - b["Female"]) / b["Male"] * 100) < 2.5, band


# --------------------------------------------------------------------------- writing and options


def test_write_keeps_other_files_and_replaces_generated(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("keep me")
    (out / "benchmarks.csv").write_text("area,group_var,group,count,source\n")
    (out / "staff.parquet").write_text("stale")
    write_sample(out, seed=5, scale_factor=0.05, years=1)
    names = {p.name for p in out.iterdir()}
    assert names == {f"{t}.csv" for t in GENERATED_TABLES} | {"truth.json", "README.md", "benchmarks.csv"}
    assert (out / "README.md").read_text() == "keep me"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no temporary folders left


@pytest.mark.parametrize(("umask", "folder", "file"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_the_sample_gets_the_users_umask(tmp_path: Path, umask: int, folder: int, file: int) -> None:
    old = os.umask(umask)
    try:
        out = write_sample(tmp_path / "s", seed=5, scale_factor=0.05, years=1)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == folder
    assert {stat.S_IMODE(f.stat().st_mode) for f in out.iterdir()} == {file}


def test_a_new_sample_gets_the_census_benchmarks_and_a_kept_one_stays(tmp_path: Path) -> None:
    from equity import read_dataset, representation_vs_benchmark
    from equity.synth import BENCHMARKS

    csv = write_sample(tmp_path / "csv", seed=5, scale_factor=0.05, years=1)
    pq = write_sample(tmp_path / "pq", seed=5, scale_factor=0.05, years=1, fmt="parquet")
    assert (csv / "benchmarks.csv").read_bytes() == BENCHMARKS.read_bytes()
    census = pd.read_csv(BENCHMARKS)
    pd.testing.assert_frame_equal(pd.read_parquet(pq / "benchmarks.parquet"), census)
    # the local-population comparison runs on freshly generated data: Swindon's BME share
    # is the published 43,306 of 233,439 usual residents
    got = representation_vs_benchmark(read_dataset(csv), period="2024/25", area="Swindon")
    bme = got.loc[got["group"] == "BME"].iloc[0]
    assert bme["ratio"] == pytest.approx(bme["value"] / (43306 / (190133 + 43306)), rel=1e-9)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "benchmarks.parquet").write_bytes((pq / "benchmarks.parquet").read_bytes())
    write_sample(mine, seed=5, scale_factor=0.05, years=1)
    assert not (mine / "benchmarks.csv").exists()  # the folder's own table is kept


def test_write_parquet_round_trips(tmp_path: Path) -> None:
    tables, _ = generate(seed=5, scale_factor=0.05, years=1)
    write_sample(tmp_path / "pq", seed=5, scale_factor=0.05, years=1, fmt="parquet")
    back = pd.read_parquet(tmp_path / "pq" / "staff.parquet")
    assert len(back) == len(tables["staff"])
    assert list(back.columns) == list(tables["staff"].columns)


def test_write_to_a_file_path_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "file.csv"
    f.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        write_sample(f, scale_factor=0.05, years=1)


@pytest.mark.parametrize(
    "kwargs",
    [{"scale": "county"}, {"years": 0}, {"scale_factor": 0}, {"last_period": "2024-25"}],
)
def test_bad_options_raise_parameter_errors(kwargs) -> None:
    with pytest.raises(ParameterError):
        generate(**kwargs)


def test_other_periods() -> None:
    tables, truth = generate(seed=1, scale_factor=0.05, last_period="2022/23", years=2)
    snaps = sorted(tables["staff"]["snapshot_date"].dt.date.astype(str).unique())
    assert snaps == ["2021-03-31", "2022-03-31", "2023-03-31"]
    assert truth["periods"] == ["2021/22", "2022/23"]
    assert sorted(tables["survey"]["period"].unique()) == ["2021/22", "2022/23"]


def test_national_scale_small_smoke() -> None:
    tables, truth = generate(seed=1, scale="national", scale_factor=0.002, years=1)
    staff = tables["staff"]
    assert "organisation" in staff.columns
    assert staff["organisation"].nunique() > 150
    assert truth["organisations"] == 200
    assert isinstance(staff["band"].dtype, pd.CategoricalDtype)
    assert np.isin(tables["leavers"]["staff_id"], staff["staff_id"]).all()
