"""Indicator registry: one place for each indicator's metadata.

Reports, narrative, the methods appendix and docs all read from :data:`REGISTRY`. ``harm``
says which direction of ``ratio`` (or of ``value`` for percentage-point gaps) is adverse for
the group of concern, as the standard defines it:

- ``"above"``: a ratio above the non-adverse range (or a positive gap) is adverse;
- ``"below"``: a ratio below the range (or a negative gap) is adverse;
- ``None``: a plain share with no comparison (status ``not_applicable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from equity.errors import ParameterError

Unit = Literal["proportion", "ratio", "percent", "percentage_points", "index", "count"]
Family = Literal["representation", "wres", "wdes", "retention", "progression", "pay"]

NHSE_WRES = "NHS England, Workforce Race Equality Standard: technical guidance (2024)"
NHSE_WDES = "NHS England, Workforce Disability Equality Standard: technical guidance (2024)"
NHS_DD_TURNOVER = "NHS Data Dictionary / NHS Digital, NHS workforce statistics: turnover methodology"
PAY_REGS = ("Equality Act 2010 (Specific Duties and Public Authorities) Regulations 2017, "
            "Schedule 1; GOV.UK gender pay gap reporting guidance")
LIBRARY = "equity library method (see docs/methodology.md)"


@dataclass(frozen=True)
class IndicatorMeta:
    """Metadata of one indicator."""

    id: str
    title: str
    definition: str
    unit: Unit
    source: str
    family: Family
    harm: Literal["above", "below"] | None = None
    non_adverse_range: bool = False
    library_method: bool = False
    needs: tuple[str, ...] = ("staff",)
    #: The standard states the ratio with the reference group on top (WRES 2 is White / BME):
    #: ``ratio`` = rate(reference) / rate(group). Otherwise ``ratio`` = rate(group) /
    #: rate(reference). Sentences turn both into the group's rate relative to the reference's.
    reference_on_top: bool = False
    #: A staff-survey question asked of these groups only (WDES 8, adequate adjustments, is
    #: asked of Disabled staff): no other group gets a row. Empty: every group is asked.
    asked_of: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """The title before its colon: "WRES 2", "Leaver rate (headcount)"."""
        return self.title.split(":")[0]


def _m(*args, **kwargs) -> IndicatorMeta:
    return IndicatorMeta(*args, **kwargs)


_ENTRIES: tuple[IndicatorMeta, ...] = (
    # ---------------------------------------------------------------- representation
    _m("representation", "Workforce representation",
       "Share of staff in post at 31 March in each group (White / BME / Unknown, or another "
       "equality field), by the strata asked for. Unknown stays in the denominator.",
       "proportion", NHSE_WRES, "representation"),
    _m("senior_representation", "Senior leadership representation (Band 8a and above)",
       "Share of staff at Band 8a and above (including VSM) in each group, with the relative "
       "likelihood of a BME member of staff being senior compared with a White member of staff "
       "among Agenda for Change staff (medical grades are not on the ladder: left out, "
       "counted); bank staff excluded.",
       "proportion", "NHS England, A Model Employer (2019)", "representation", harm="below",
       non_adverse_range=True),
    _m("representation_vs_benchmark", "Representation against the local population",
       "Workforce share of each group divided by the group's share of the local population "
       "(Census 2021, from the benchmarks table); staff of known ethnicity, bank staff "
       "excluded. Below 1: the group is under-represented.",
       "proportion", "ONS Census 2021, table TS021 (ethnic group)", "representation",
       harm="below", non_adverse_range=True, needs=("staff", "benchmarks")),
    _m("diversity_index", "Diversity index",
       "Simpson diversity index 1 - sum(p^2) over the detailed groups with a known value: the "
       "chance that two staff picked at random belong to different groups; bank staff "
       "excluded.",
       "index", LIBRARY, "representation", library_method=True),
    _m("declaration_rate", "Declaration rate",
       "Share of staff whose ethnicity, disability or sexual orientation is recorded "
       "(not 'not stated', 'not declared', 'unknown' or blank).",
       "proportion", NHSE_WDES, "representation"),
    _m("model_employer_gap", "Model Employer gap",
       "For each senior band, the BME share now, the target share for the year (linear from the "
       "baseline year to the goal year, goal = whole-workforce BME share), and the additional "
       "BME staff needed to meet it (in numerator).",
       "proportion", "NHS England, A Model Employer (2019)", "representation",
       library_method=True),
    _m("pipeline_disparity", "Pipeline disparity ratio",
       "(White share of staff in the upper band group / White share in the lower band group) "
       "divided by the same for BME staff, for lower (Band 1-5) to middle (6-7) and middle to "
       "upper (8a and above): an odds ratio (each group's staff in the upper band group for "
       "each one in the lower). Above 1: White staff are more often in the upper group.",
       "ratio", LIBRARY, "representation", harm="above", non_adverse_range=True,
       library_method=True, reference_on_top=True),
    # ---------------------------------------------------------------- WRES
    _m("wres_1", "WRES 1: staff in each band by ethnicity",
       "Percentage of White, BME and Unknown staff in each AfC band (clinical and non-clinical "
       "separately) and in the whole workforce at 31 March; bank staff excluded.",
       "proportion", NHSE_WRES, "wres"),
    _m("wres_2", "WRES 2: relative likelihood of appointment from shortlisting",
       "Relative likelihood of White applicants being appointed from shortlisting compared "
       "with BME applicants: (White appointed / White shortlisted) / (BME appointed / BME "
       "shortlisted). Above 1 favours White applicants.",
       "ratio", NHSE_WRES, "wres", harm="above", non_adverse_range=True, needs=("recruitment",), reference_on_top=True),
    _m("wres_3", "WRES 3: relative likelihood of entering the formal disciplinary process",
       "Relative likelihood of BME staff entering the formal disciplinary process compared with "
       "White staff: (BME entering / BME headcount) / (White entering / White headcount); "
       "bank staff excluded. Above 1: BME staff more likely.",
       "ratio", NHSE_WRES, "wres", harm="above", non_adverse_range=True,
       needs=("staff", "casework")),
    _m("wres_4", "WRES 4: relative likelihood of accessing non-mandatory training and CPD",
       "Relative likelihood of White staff accessing non-mandatory training or CPD compared with "
       "BME staff (unique people in the year over headcount; bank staff excluded). Above 1 "
       "favours White staff.",
       "ratio", NHSE_WRES, "wres", harm="above", non_adverse_range=True,
       needs=("staff", "training"), reference_on_top=True),
    _m("wres_5", "WRES 5: harassment, bullying or abuse from patients or the public",
       "Percentage of staff experiencing harassment, bullying or abuse from patients, relatives "
       "or the public in the last 12 months (NHS Staff Survey).",
       "proportion", NHSE_WRES, "wres", needs=("survey",)),
    _m("wres_6", "WRES 6: harassment, bullying or abuse from staff",
       "Percentage of staff experiencing harassment, bullying or abuse from staff in the last "
       "12 months (NHS Staff Survey).", "proportion", NHSE_WRES, "wres", needs=("survey",)),
    _m("wres_7", "WRES 7: belief in equal opportunities for career progression",
       "Percentage believing the organisation provides equal opportunities for career "
       "progression or promotion (NHS Staff Survey).", "proportion", NHSE_WRES, "wres",
       needs=("survey",)),
    _m("wres_8", "WRES 8: discrimination from a manager or colleague",
       "Percentage personally experiencing discrimination at work from a manager, team leader "
       "or other colleague in the last 12 months (NHS Staff Survey).", "proportion", NHSE_WRES,
       "wres", needs=("survey",)),
    _m("wres_9", "WRES 9: board representation",
       "BME percentage of board voting members minus BME percentage of the overall workforce "
       "(percentage points). Below 0: the board is less diverse than the workforce.",
       "percentage_points", NHSE_WRES, "wres", harm="below", needs=("staff", "board")),
    # ---------------------------------------------------------------- WDES
    _m("wdes_1", "WDES 1: staff in each band by disability",
       "Percentage of disabled, non-disabled and unknown staff in each AfC band (clinical and "
       "non-clinical) and in the whole workforce; bank staff excluded.",
       "proportion", NHSE_WDES, "wdes"),
    _m("wdes_2", "WDES 2: relative likelihood of appointment from shortlisting",
       "Relative likelihood of non-disabled applicants being appointed from shortlisting "
       "compared with disabled applicants. Above 1 favours non-disabled applicants.",
       "ratio", NHSE_WDES, "wdes", harm="above", non_adverse_range=True, needs=("recruitment",), reference_on_top=True),
    _m("wdes_3", "WDES 3: relative likelihood of entering the formal capability process",
       "Relative likelihood of disabled staff entering the formal capability process (on the "
       "grounds of performance, not ill health) compared with non-disabled staff; bank staff "
       "excluded. Above 1: disabled staff more likely.",
       "ratio", NHSE_WDES, "wdes", harm="above", non_adverse_range=True,
       needs=("staff", "casework")),
    *(
        _m(f"wdes_{i}", title, "NHS Staff Survey percentage by disability, from the aggregated "
           "survey table.", "proportion", NHSE_WDES, "wdes", needs=("survey",))
        for i, title in (
            (4, "WDES 4: harassment, bullying or abuse"),
            (5, "WDES 5: belief in equal opportunities for career progression"),
            (6, "WDES 6: pressure to come to work when unwell"),
            (7, "WDES 7: feeling the organisation values their work"),
        )
    ),
    _m("wdes_8", "WDES 8: adequate adjustments",
       "NHS Staff Survey percentage of Disabled staff saying their employer has made adequate "
       "adjustment(s) to enable them to carry out their work, from the aggregated survey "
       "table. The question is asked of Disabled staff only.", "proportion", NHSE_WDES, "wdes",
       needs=("survey",), asked_of=("Disabled",)),
    _m("wdes_9", "WDES 9: staff engagement score", "NHS Staff Survey percentage by disability, "
       "from the aggregated survey table.", "proportion", NHSE_WDES, "wdes", needs=("survey",)),
    _m("wdes_10", "WDES 10: board representation by disability",
       "Disabled percentage of board voting members minus disabled percentage of the overall "
       "workforce (percentage points).", "percentage_points", NHSE_WDES, "wdes", harm="below",
       needs=("staff", "board")),
    # ---------------------------------------------------------------- retention
    _m("leaver_rate", "Leaver rate (headcount)",
       "Leavers in the year divided by the average of the headcount at the start (31 March "
       "before) and end (31 March) of the year; relative likelihood of leaving vs the reference "
       "group.", "proportion", NHS_DD_TURNOVER, "retention", harm="above",
       non_adverse_range=True, needs=("staff", "leavers")),
    _m("leaver_rate_fte", "Leaver rate (FTE)",
       "FTE of leavers in the year divided by the average FTE in post at the start and end of "
       "the year (NHS Data Dictionary worked example: 12.7 / ((65.3 + 59.16) / 2) = 20.4%).",
       "proportion", NHS_DD_TURNOVER, "retention", needs=("staff", "leavers")),
    _m("joiner_rate", "Joiner rate",
       "Staff who joined in the year divided by the average headcount.",
       "proportion", NHS_DD_TURNOVER, "retention"),
    _m("stability_index", "Stability index",
       "Share of staff in post at the start of the year still in post at its end "
       "(100 at start, 90 still in post: 90%).", "proportion", NHS_DD_TURNOVER, "retention",
       harm="below", non_adverse_range=True),
    _m("early_career_leaver_rate", "Early-career leaver rate",
       "Share of a year's joiners who left within 12 (and 24) months of starting. National "
       "reference: 11% of AHPs leave the NHS in their first year (NHS England, 2023 ESR data).",
       "proportion", LIBRARY, "retention", harm="above", non_adverse_range=True,
       library_method=True, needs=("staff", "leavers")),
    # ---------------------------------------------------------------- progression
    _m("promotion_rate", "Promotion rate",
       "Share of staff in post at the start of the year whose band rose by the next 31 March "
       "snapshot, with relative likelihood vs the reference group.",
       "proportion", LIBRARY, "progression", harm="below", non_adverse_range=True,
       library_method=True),
    _m("training_access", "Access to non-mandatory training and CPD",
       "Share of staff accessing non-mandatory training or CPD in the year (unique people over "
       "headcount), by any equality field: WRES 4 generalised.",
       "proportion", NHSE_WRES, "progression", harm="below", non_adverse_range=True,
       needs=("staff", "training")),
    # ---------------------------------------------------------------- pay
    _m("pay_gap_mean", "Mean hourly pay gap",
       "(Mean hourly pay of the reference group - mean of the comparison group) / mean of the "
       "reference group x 100, over full-pay relevant employees at the snapshot. Positive: the "
       "comparison group (women) is paid less.", "percent", PAY_REGS, "pay", harm="above"),
    _m("pay_gap_median", "Median hourly pay gap",
       "As the mean gap, with medians (even count: the average of the two middle values).",
       "percent", PAY_REGS, "pay", harm="above"),
    _m("bonus_gap_mean", "Mean bonus gap",
       "Mean bonus gap over bonus recipients in the 12 months to the snapshot.",
       "percent", PAY_REGS, "pay", harm="above"),
    _m("bonus_gap_median", "Median bonus gap",
       "Median bonus gap over bonus recipients in the 12 months to the snapshot.",
       "percent", PAY_REGS, "pay", harm="above"),
    _m("bonus_proportion", "Proportion receiving a bonus",
       "Share of each group's relevant employees who received bonus pay in the 12 months to "
       "the snapshot.", "proportion", PAY_REGS, "pay"),
    _m("pay_quartile", "Pay quarters",
       "Share of each group in each quarter of the hourly pay ranking (equal-sized quarters; a "
       "tie block spanning a boundary is split keeping its mix).", "proportion", PAY_REGS, "pay"),
)

#: Every indicator, by id.
REGISTRY: dict[str, IndicatorMeta] = {m.id: m for m in _ENTRIES}

#: Every indicator id, in the order reports list them.
INDICATOR_IDS: tuple[str, ...] = tuple(REGISTRY)


def get(indicator: str) -> IndicatorMeta:
    """Metadata for an indicator id; raises a :class:`ParameterError` naming the known ids."""
    try:
        return REGISTRY[indicator]
    except KeyError:
        raise ParameterError(
            f"Unknown indicator {indicator!r}. Known indicators: {', '.join(REGISTRY)}."
        ) from None


def registry_table() -> pd.DataFrame:
    """The registry as a DataFrame (one row per indicator): the methods appendix of reports."""
    return pd.DataFrame(
        [
            {
                "indicator": m.id, "title": m.title, "definition": m.definition, "unit": m.unit,
                "family": m.family, "harm": m.harm or "", "non_adverse_range": m.non_adverse_range,
                "method": "library method" if m.library_method else "national standard",
                "source": m.source, "needs": ", ".join(m.needs),
            }
            for m in _ENTRIES
        ]
    )
