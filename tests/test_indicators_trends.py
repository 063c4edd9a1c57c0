"""Monthly leavers and rolling leaver rates on a tiny hand-built history."""

from __future__ import annotations

import pandas as pd
import pytest

import equity as eq
from _results import row
from equity.errors import ParameterError, PeriodError
from equity.io import Dataset
from equity.measures import monthly_leavers

S23, S24, S25 = "2023-03-31", "2024-03-31", "2025-03-31"


def person(sid: object, snap: str, directorate: str = "Therapies") -> dict[str, object]:
    return {"staff_id": str(sid), "snapshot_date": snap, "directorate": directorate,
            "staff_group": "Allied Health Professionals", "band": "Band 5", "fte": 1.0,
            "contract_type": "Substantive", "ethnic_category": "A",
            "org_start_date": "2015-01-01", "nhs_start_date": "2015-01-01"}


def leaver(sid: object, date: str) -> dict[str, object]:
    return {"staff_id": str(sid), "leave_date": date, "leaving_reason": "Retirement",
            "destination": "Non-NHS", "fte": None}


def make(staff: list[dict[str, object]], leavers: list[dict[str, object]]) -> Dataset:
    return Dataset.from_frames(staff=pd.DataFrame(staff), leavers=pd.DataFrame(leavers))


@pytest.fixture(scope="module")
def annual() -> Dataset:
    # Therapies: 10 in post at 31 March 2023, 8 at 2024, 6 at 2025; Surgery 2, 1, 1.
    staff = ([person(i, S23) for i in range(10)] + [person(i, S24) for i in range(8)]
             + [person(i, S25) for i in range(6)]
             + [person(20, S23, "Surgery"), person(21, S23, "Surgery"),
                person(20, S24, "Surgery"), person(22, S25, "Surgery")])
    leavers = [leaver(8, "2023-06-15"), leaver(9, "2023-11-30"), leaver(6, "2024-04-10"),
               leaver(7, "2025-01-31"), leaver(21, "2023-07-01"), leaver(20, "2024-05-05"),
               leaver(99, "2024-08-08")]  # 99 has no snapshot row: cannot be placed
    return make(staff, leavers)


def test_rolling_12_month_rate_by_hand(annual: Dataset) -> None:
    m = monthly_leavers(annual, period="2024/25", directorate="Therapies")
    # First month end whose 12 months follow the first snapshot (31 March 2023): March 2024.
    assert m["month"].iloc[0] == pd.Timestamp("2024-03-31")
    assert m["month"].iloc[-1] == pd.Timestamp("2025-03-31") and len(m) == 13
    got = m.set_index(m["month"].dt.strftime("%Y-%m"))
    # Mar 2024: Jun and Nov 2023 leavers over (10 + 8) / 2.
    assert got.loc["2024-03", ["numerator", "denominator"]].tolist() == [2.0, 9.0]
    # Apr 2024: May 2023 - Apr 2024 holds Jun, Nov and Apr; 2024/25's (8 + 6) / 2 = 7.
    assert got.loc["2024-04", ["numerator", "denominator"]].tolist() == [3.0, 7.0]
    assert got.loc["2024-05", "numerator"] == 3.0  # Jun 2023 still in the window
    assert got.loc["2024-06", "numerator"] == 2.0
    assert got.loc["2024-11", "numerator"] == 1.0
    assert got.loc["2025-03", ["numerator", "denominator"]].tolist() == [2.0, 7.0]
    assert got.loc["2025-03", "value"] == pytest.approx(2 / 7)
    assert got["leavers"].tolist() == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert (m["basis"] == "annual").all()
    assert "31 March headcounts" in m.attrs["denominator"]
    assert m.attrs["window"] == 12


def test_march_points_equal_the_annual_leaver_rate(annual: Dataset) -> None:
    m = monthly_leavers(annual, period="2024/25")
    r = eq.retention(annual, period="2024/25", within=("directorate",))
    therapies = row(r, "leaver_rate", group="White", directorate="Therapies")
    mt = monthly_leavers(annual, period="2024/25", directorate="Therapies")
    assert mt["numerator"].iloc[-1] == therapies["numerator"]
    assert mt["denominator"].iloc[-1] == therapies["denominator"]
    # Whole trust, March 2025: Therapies' 2 + Surgery's 1 over (9 + 7) / 2; leaver 99 has no
    # snapshot row and is left out (and counted in attrs).
    assert m[["numerator", "denominator"]].iloc[-1].tolist() == [3.0, 8.0]
    assert m.attrs["unmatched_leavers"] == 1


def test_monthly_window(annual: Dataset) -> None:
    m = monthly_leavers(annual, period="2024/25", window=1, directorate="Therapies")
    assert m["month"].iloc[0] == pd.Timestamp("2023-04-30") and len(m) == 24
    got = m.set_index(m["month"].dt.strftime("%Y-%m"))
    assert got.loc["2023-06", ["numerator", "denominator", "value"]].tolist() == [1.0, 9.0, 1 / 9]
    assert got.loc["2024-04", ["numerator", "denominator"]].tolist() == [1.0, 7.0]
    assert (m["numerator"] == m["leavers"]).all()
    out = eq.stats.xmr(m, x="month", improvement="decrease")
    assert len(out) == 24 and not out["short_group"].any()


def test_month_end_snapshots_are_used_where_present() -> None:
    a, m, e = "2024-04-30", "2024-05-31", S25
    staff = ([person(i, S24) for i in range(10)] + [person(i, a) for i in range(9)]
             + [person(i, m) for i in range(7)] + [person(i, e) for i in range(6)])
    ds = make(staff, [leaver(9, "2024-04-20"), leaver(8, "2024-05-02"), leaver(7, "2024-05-30"),
                      leaver(6, "2024-07-01")])
    out = monthly_leavers(ds, period="2024/25", window=1)
    got = out.set_index(out["month"].dt.strftime("%Y-%m"))
    # April: snapshots 31 Mar (10) and 30 Apr (9); May: 30 Apr (9) and 31 May (7);
    # June on: no month-end pair, so 2024/25's 31 March headcounts (10 + 6) / 2.
    assert got.loc["2024-04", ["numerator", "denominator", "basis"]].tolist() == [1.0, 9.5, "month_end"]
    assert got.loc["2024-05", ["numerator", "denominator", "basis"]].tolist() == [2.0, 8.0, "month_end"]
    assert got.loc["2024-07", ["numerator", "denominator", "basis"]].tolist() == [1.0, 8.0, "annual"]
    assert "month-end snapshots" in out.attrs["denominator"] and "31 March" in out.attrs["denominator"]


def test_bad_window_and_no_window(annual: Dataset) -> None:
    with pytest.raises(ParameterError, match="window"):
        monthly_leavers(annual, period="2024/25", window=0)
    with pytest.raises(PeriodError, match="no 36-month window"):
        monthly_leavers(annual, period="2024/25", window=36)


def test_months_a_leavers_extract_does_not_reach_are_not_months_nobody_left() -> None:
    """The sample's leavers from April 2022 only (a leavers extract of recent years beside
    snapshots from 2020): the windows opening before it would count its missing months as
    months nobody left (a rolling rate of 0% in 2021, a false signal on the chart). The
    series starts with the first window the table reaches: the 12 months to March 2023,
    the quarter to June 2022; the whole table gives the series from March 2021 as before.
    The leave dates fall on a day in two or so (plain pandas: 550 distinct dates over 1,094
    days), so the table's reach starts about three weeks before its first date."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    leavers = pd.read_csv(sample / "leavers.csv", dtype=str)
    kept = leavers.loc[leavers["leave_date"] >= "2022-04-01", "leave_date"]
    gap = (pd.Timestamp(kept.max()) - pd.Timestamp(kept.min())).days / (kept.nunique() - 1)
    assert 1.9 < gap < 2
    ds = eq.read_dataset(sample)
    assert monthly_leavers(ds, period="2024/25")["month"].iloc[0] == pd.Timestamp("2021-03-31")
    ds.leavers = ds.leavers.loc[ds.leavers["leave_date"] >= pd.Timestamp("2022-04-01")]
    yearly = monthly_leavers(ds, period="2024/25")
    assert yearly["month"].iloc[0] == pd.Timestamp("2023-03-31")
    quarterly = monthly_leavers(ds, period="2024/25", window=3)
    assert quarterly["month"].iloc[0] == pd.Timestamp("2022-06-30")
    with pytest.raises(PeriodError, match="no 12-month window ending by 31 March 2022"):
        monthly_leavers(ds, period="2021/22")
