"""The machine-readable truth file: what the generator injected, and into whom."""

from __future__ import annotations

from typing import Any

import pandas as pd

from equity.synth import _params as P
from equity.synth._generate import Config

T = P.TRUTH


def _r(x: float) -> float:
    return round(float(x), 6)


def build_truth(cfg: Config, tables: dict[str, pd.DataFrame], *, scale_factor: float) -> dict[str, Any]:
    """Settings, headcounts and every injected disparity with its true value.

    Each entry of ``disparities`` names the ``indicator`` (an id of :mod:`equity.registry`),
    ``group_var``, the two ``groups`` compared, ``value`` (the true ratio, in the direction
    ``ratio`` states, which is the indicator's own direction), the generating ``rates`` per
    group, and the ``population`` it applies to exactly. Staff whose group is Unknown (ethnicity
    Z / 99, disability "Not declared") are generated like the reference group.
    """
    staff = tables["staff"]
    headcount = staff.groupby("snapshot_date", observed=True).size()
    leave_bme = P.LEAVE_BASE * T["leaver_bme_over_white"]
    early_ahp = P.EARLY_LEAVE_BASE * T["leaver_bme_over_white"] * T["early_career_leaver_bme_ahp_extra"]
    disparities: list[dict[str, Any]] = [
        {
            "indicator": "wres_2", "group_var": "ethnicity", "groups": ["White", "BME"],
            "ratio": "White / BME", "value": T["wres_2_appointment_white_over_bme"],
            "rates": {"White": P.APPOINT_BASE, "BME": _r(P.APPOINT_BASE / T["wres_2_appointment_white_over_bme"])},
            "population": "shortlisted applications (recruitment table), every year; appointed is "
                          "drawn only for shortlisted applicants, independently of band, staff group, "
                          "internal and international",
        },
        {
            "indicator": "wdes_2", "group_var": "disability", "groups": ["Non-disabled", "Disabled"],
            "ratio": "Non-disabled / Disabled", "value": T["wdes_2_appointment_nondisabled_over_disabled"],
            "rates": {"Non-disabled": P.APPOINT_BASE, "Disabled": P.APPOINT_BASE},
            "population": "shortlisted applications; no disparity injected (a null truth)",
        },
        {
            "indicator": "wres_3", "group_var": "ethnicity", "groups": ["BME", "White"],
            "ratio": "BME / White", "value": T["wres_3_formal_disciplinary_bme_over_white"],
            "rates": {"White": P.DISCIPLINARY_FORMAL_BASE,
                      "BME": _r(P.DISCIPLINARY_FORMAL_BASE * T["wres_3_formal_disciplinary_bme_over_white"])},
            "population": "staff in post at each year's closing 31 March snapshot (all contract "
                          "types): probability of at least (exactly) one formal disciplinary case "
                          "starting in that financial year",
        },
        {
            "indicator": "wdes_3", "group_var": "disability", "groups": ["Disabled", "Non-disabled"],
            "ratio": "Disabled / Non-disabled",
            "value": T["wdes_3_formal_capability_disabled_over_nondisabled"],
            "rates": {"Non-disabled": P.CAPABILITY_PERFORMANCE_FORMAL_BASE,
                      "Disabled": _r(P.CAPABILITY_PERFORMANCE_FORMAL_BASE
                                     * T["wdes_3_formal_capability_disabled_over_nondisabled"])},
            "population": "staff in post at each closing snapshot: one formal capability case on "
                          "performance grounds (capability_reason 'performance') in the year; "
                          "ill-health capability cases carry no disparity",
        },
        {
            "indicator": "wres_4", "group_var": "ethnicity", "groups": ["White", "BME"],
            "ratio": "White / BME", "value": T["wres_4_training_white_over_bme"],
            "rates": {"White": P.TRAINING_NON_MANDATORY_BASE,
                      "BME": _r(P.TRAINING_NON_MANDATORY_BASE / T["wres_4_training_white_over_bme"])},
            "population": "staff in post at each closing snapshot: at least one non-mandatory "
                          "course (mandatory false) dated in that financial year",
        },
        {
            "indicator": "promotion_rate", "group_var": "ethnicity", "groups": ["BME", "White"],
            "ratio": "BME / White", "value": T["promotion_bme_over_white"],
            "rates": {"White": P.PROMOTION_BASE_AFC, "BME": _r(P.PROMOTION_BASE_AFC * T["promotion_bme_over_white"])},
            "population": "staff in post at both snapshots of a financial year whose band at the "
                          "opening snapshot is an AfC band below VSM: band higher at the closing "
                          "snapshot; medical grades use other base rates with the same ratio",
        },
        {
            "indicator": "leaver_rate", "group_var": "ethnicity", "groups": ["BME", "White"],
            "ratio": "BME / White", "value": T["leaver_bme_over_white"],
            "rates": {"White": P.LEAVE_BASE, "BME": _r(leave_bme),
                      "White (bank)": P.LEAVE_BASE_BANK, "BME (bank)": _r(P.LEAVE_BASE_BANK * T["leaver_bme_over_white"])},
            "population": "staff in post at a year's opening snapshot with more than 366 days' "
                          "service: probability of leaving in that financial year. The same ratio "
                          "applies to leaving within 12 months of joining, except for AHPs (next entry)",
        },
        {
            "indicator": "early_career_leaver_rate", "group_var": "ethnicity", "groups": ["BME", "White"],
            "ratio": "BME / White", "staff_group": P.AHP,
            "value": _r(T["leaver_bme_over_white"] * T["early_career_leaver_bme_ahp_extra"]),
            "rates": {"White": P.EARLY_LEAVE_BASE, "BME": _r(early_ahp)},
            "population": "AHP joiners (org_start_date within a financial year, first seen at its "
                          "closing snapshot): leave_date at most 366 days after org_start_date. Other "
                          "staff groups: ratio 1.3 on the same White rate. Early leave dates always "
                          "fall after the first snapshot, so every leaver appears in staff",
        },
        {
            "indicator": "pay_gap_mean", "group_var": "sex", "groups": ["Male", "Female"],
            "ratio": "(men - women) / men within band", "value": T["within_band_gender_pay_gap"],
            "population": "hourly pay depends only on band, pay point and snapshot year, and pay "
                          "points progress independently of sex, so the true gap within any band is "
                          "0. The whole-organisation gap comes from the band mix: men's band weights "
                          f"are tilted by exp({P.BAND_TILT_MALE} x step up the ladder) within each "
                          "staff group, and Medical and Dental (the best paid) is generated 45% female "
                          "against about 79% overall",
            "band_tilt_male": P.BAND_TILT_MALE,
        },
        {
            "indicator": "bonus_proportion", "group_var": "sex", "groups": ["Male", "Female"],
            "ratio": "Male / Female among consultants", "value": 1.0,
            "rates": {"Male": P.CEA_SHARE, "Female": P.CEA_SHARE},
            "population": "bonus_pay (clinical excellence awards) only for Medical: Consultant; "
                          "receipt independent of sex, so any whole-organisation bonus gap comes "
                          "from who the consultants are",
        },
    ]
    for ind, (gvar, rates) in P.SURVEY_RATES.items():
        groups = list(rates)
        entry: dict[str, Any] = {"indicator": ind, "group_var": gvar, "groups": groups,
                                 "rates": {g: r for g, r in rates.items()},
                                 "population": "survey respondents (table survey): share giving the "
                                               "reported answer; respondents ~ Binomial(headcount "
                                               f"excluding bank, {P.SURVEY_RESPONSE_RATE})"}
        if len(groups) == 2:
            entry["ratio"] = f"{groups[1]} / {groups[0]}"
            entry["value"] = _r(rates[groups[1]] / rates[groups[0]])
        disparities.append(entry)

    return {
        "synthetic": True,
        "generator": "equity.synth",
        "format_version": 1,
        "seed": cfg.seed,
        "scale": cfg.scale,
        "scale_factor": scale_factor,
        "last_period": str(cfg.last_period),
        "periods": [str(p) for p in cfg.periods],
        "snapshot_dates": [str(d) for d in cfg.snapshots],
        "organisations": cfg.n_orgs,
        "organisation_column": "omitted (single trust)" if cfg.n_orgs == 1 else "ORG001 ...",
        "headcount": {str(pd.Timestamp(k).date()): int(v) for k, v in headcount.items()},
        "unknown_groups": "generated like the reference group (White; Non-disabled)",
        "disparities": disparities,
        "representation": {
            "staff_group_mix": {g: {"share": v[0], "female": v[1],
                                    "ethnicity": dict(zip(("White", "BME", "Unknown"), v[2], strict=True))}
                                for g, v in P.STAFF_GROUP_MIX.items()},
            "disability": dict(P.DISABILITY_MIX),
            "band_tilt_bme_initial": P.BAND_TILT_BME_INITIAL,
        },
    }
