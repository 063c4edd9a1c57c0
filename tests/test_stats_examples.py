"""Published worked examples (NHS Data Dictionary, METHODOLOGY.md) as literal tests."""

from __future__ import annotations

import pandas as pd
import pytest

from equity.stats import average_headcount, mean_median_gap, proportion


def test_nhs_data_dictionary_fte_turnover() -> None:
    # NHS Data Dictionary "Turnover": FTE start 65.3, end 59.16, FTE leavers 12.7.
    avg = average_headcount([65.3], [59.16])
    assert avg[0] == pytest.approx(62.23, abs=1e-12)
    rate = proportion([12.7], avg)["value"].iloc[0]
    assert rate == pytest.approx(0.2040816, abs=1e-7)
    assert round(rate * 100, 1) == 20.4


def test_headcount_average() -> None:
    assert average_headcount([150], [120])[0] == 135.0


def test_stability_index_90_of_100() -> None:
    assert proportion([90], [100])["value"].iloc[0] == 0.90


def test_pay_gap_worked_example() -> None:
    t = pd.DataFrame({"group": ["M", "M", "M", "F", "F"], "value": [10, 20, 30, 10, 20], "n": 1})
    out = mean_median_gap(t, reference="M", comparison="F").set_index("measure")["gap"]
    assert out.to_dict() == {"mean": 25.0, "median": 25.0}
