"""Parameters of the synthetic trust: workforce mix, pay points, rates and injected disparities.

Every number here is a *generator parameter*, not an estimate of any real organisation. The
injected disparities (:data:`TRUTH`) are the quantities that later tests check the indicators
recover; :func:`equity.synth.generate` copies them, with the population each applies to, into
``truth.json``.
"""

from __future__ import annotations

from equity import codes

DIRECTORATES: tuple[str, ...] = (
    "Oxfordshire Community Services",
    "Mental Health Adults",
    "Children and Young People",
    "Learning Disability and Autism",
    "Older People",
    "Corporate Services",
)

AHP = codes.AHP_STAFF_GROUP

#: staff group -> (share of staff, female share, (White, BME, Unknown) shares).
#: AHPs about 17% of staff and 85% female; overall about 79% female and 24% BME at
#: the first snapshot (BME staff leave more often, so the share drifts down to about 21%).
STAFF_GROUP_MIX: dict[str, tuple[float, float, tuple[float, float, float]]] = {
    "Nursing and Midwifery": (0.28, 0.88, (0.62, 0.33, 0.05)),
    AHP: (0.17, 0.85, (0.78, 0.17, 0.05)),
    "Medical and Dental": (0.06, 0.45, (0.47, 0.48, 0.05)),
    "Additional Clinical Services": (0.19, 0.82, (0.69, 0.26, 0.05)),
    "Additional Professional Scientific and Technical": (0.05, 0.80, (0.80, 0.15, 0.05)),
    "Administrative and Clerical": (0.21, 0.78, (0.81, 0.14, 0.05)),
    "Estates and Ancillary": (0.04, 0.40, (0.73, 0.22, 0.05)),
}
STAFF_GROUP_NAMES: tuple[str, ...] = tuple(STAFF_GROUP_MIX)

#: staff group -> (profession, weight). AHPs: the nine professions the trust employs.
PROFESSIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "Nursing and Midwifery": (("Registered nurse", 1.0),),
    AHP: (
        ("Occupational therapist", 0.30), ("Physiotherapist", 0.25),
        ("Speech and language therapist", 0.12), ("Dietitian", 0.08), ("Podiatrist", 0.08),
        ("Art therapist", 0.06), ("Music therapist", 0.05), ("Dramatherapist", 0.03),
        ("Paramedic", 0.03),
    ),
    "Medical and Dental": (("Doctor", 1.0),),
    "Additional Clinical Services": (("Healthcare support worker", 0.8), ("Therapy assistant", 0.2)),
    "Additional Professional Scientific and Technical": (("Psychologist", 0.7), ("Pharmacist", 0.3)),
    "Administrative and Clerical": (("Administrator", 0.75), ("Manager", 0.25)),
    "Estates and Ancillary": (("Estates and facilities", 1.0),),
}

#: staff group -> weight of each directorate (order of DIRECTORATES).
DIRECTORATE_WEIGHTS: dict[str, tuple[float, ...]] = {
    "Nursing and Midwifery": (0.30, 0.30, 0.12, 0.10, 0.18, 0.00),
    AHP: (0.40, 0.15, 0.18, 0.12, 0.15, 0.00),
    "Medical and Dental": (0.15, 0.45, 0.15, 0.10, 0.15, 0.00),
    "Additional Clinical Services": (0.30, 0.25, 0.10, 0.15, 0.20, 0.00),
    "Additional Professional Scientific and Technical": (0.10, 0.40, 0.25, 0.15, 0.10, 0.00),
    "Administrative and Clerical": (0.12, 0.10, 0.06, 0.05, 0.07, 0.60),
    "Estates and Ancillary": (0.05, 0.05, 0.00, 0.00, 0.00, 0.90),
}

#: staff group -> ladder of (band, weight), lowest first.
BAND_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "Nursing and Midwifery": (
        ("Band 5", 0.35), ("Band 6", 0.35), ("Band 7", 0.20), ("Band 8a", 0.07),
        ("Band 8b", 0.02), ("Band 8c", 0.01),
    ),
    AHP: (
        ("Band 3", 0.05), ("Band 4", 0.07), ("Band 5", 0.18), ("Band 6", 0.35), ("Band 7", 0.25),
        ("Band 8a", 0.07), ("Band 8b", 0.025), ("Band 8c", 0.005),
    ),
    "Medical and Dental": (
        ("Medical: Foundation", 0.10), ("Medical: Trainee", 0.35), ("Medical: SAS", 0.20),
        ("Medical: Consultant", 0.35),
    ),
    "Additional Clinical Services": (
        ("Band 2", 0.25), ("Band 3", 0.45), ("Band 4", 0.25), ("Band 5", 0.05),
    ),
    "Additional Professional Scientific and Technical": (
        ("Band 4", 0.10), ("Band 5", 0.10), ("Band 6", 0.15), ("Band 7", 0.25), ("Band 8a", 0.20),
        ("Band 8b", 0.12), ("Band 8c", 0.06), ("Band 8d", 0.02),
    ),
    "Administrative and Clerical": (
        ("Band 2", 0.10), ("Band 3", 0.30), ("Band 4", 0.25), ("Band 5", 0.12), ("Band 6", 0.08),
        ("Band 7", 0.06), ("Band 8a", 0.04), ("Band 8b", 0.025), ("Band 8c", 0.012),
        ("Band 8d", 0.008), ("Band 9", 0.003), ("VSM", 0.002),
    ),
    "Estates and Ancillary": (
        ("Band 1", 0.05), ("Band 2", 0.45), ("Band 3", 0.30), ("Band 4", 0.12), ("Band 5", 0.05),
        ("Band 6", 0.03),
    ),
}

#: Log-weight added per step up a group's ladder when drawing a band: men are
#: over-represented in senior bands (this, with the medical mix, is the whole gender pay gap);
#: staff already in post at the first snapshot who are BME sit slightly lower (history).
BAND_TILT_MALE = 0.15
BAND_TILT_BME_INITIAL = -0.10

#: Annual salary points (approximately the 2024/25 Agenda for Change and 2024/25 medical pay
#: scales; "AfC-like", not an authoritative pay table). A few points per band, so ties exist.
PAY_POINTS: dict[str, tuple[int, ...]] = {
    "Band 1": (23615,),
    "Band 2": (23615,),
    "Band 3": (24071, 25674),
    "Band 4": (26530, 29114),
    "Band 5": (29970, 32324, 36483),
    "Band 6": (37338, 39405, 44962),
    "Band 7": (46148, 48526, 52809),
    "Band 8a": (53755, 60504),
    "Band 8b": (62215, 72293),
    "Band 8c": (74290, 85601),
    "Band 8d": (88168, 101677),
    "Band 9": (105385, 121271),
    "VSM": (125000, 140000, 155000, 175000),
    "Medical: Foundation": (36616, 42008),
    "Medical: Trainee": (49909, 57349, 63152, 70425),
    "Medical: SAS": (59175, 64714, 70253, 75792, 82254, 92053),
    "Medical: Consultant": (105504, 111476, 117448, 123421, 130397, 139882),
}
#: Weekly contracted hours used to turn salary into hourly pay (AfC 37.5, doctors 40).
WEEKLY_HOURS_AFC = 37.5
WEEKLY_HOURS_MEDICAL = 40.0
WEEKS_PER_YEAR = 52.143
#: Pay award applied in the financial year ending at each 31 March snapshot (approximate), so
#: pay at earlier snapshots is the 2024/25 value deflated by the later awards.
PAY_AWARDS: dict[int, float] = {2025: 0.055, 2024: 0.05, 2023: 0.045, 2022: 0.03, 2021: 0.03}
DEFAULT_PAY_AWARD = 0.03

#: Clinical excellence awards: share of consultants receiving one, and the amounts (GBP/year).
CEA_SHARE = 0.35
CEA_AMOUNTS: tuple[int, ...] = (3016, 6032, 9048, 12064, 15080)
CEA_WEIGHTS: tuple[float, ...] = (0.35, 0.30, 0.20, 0.10, 0.05)

#: Not on full pay at a snapshot (long-term sick, maternity / unpaid leave), by sex.
REDUCED_PAY_SHARE = {"Female": 0.04, "Male": 0.02}

#: NHS ethnic category codes within each WRES group, with weights.
ETHNIC_CODES: dict[str, tuple[tuple[str, float], ...]] = {
    "White": (("A", 0.88), ("B", 0.02), ("C", 0.10)),
    "BME": (
        ("D", 0.04), ("E", 0.04), ("F", 0.05), ("G", 0.04), ("H", 0.22), ("J", 0.08),
        ("K", 0.03), ("L", 0.10), ("M", 0.08), ("N", 0.22), ("P", 0.03), ("R", 0.03), ("S", 0.04),
    ),
    "Unknown": (("Z", 0.85), ("99", 0.15)),
}
DISABILITY_MIX: tuple[tuple[str, float], ...] = (("Yes", 0.055), ("No", 0.80), ("Not declared", 0.145))
ORIENTATION_MIX: tuple[tuple[str, float], ...] = (
    ("1", 0.85), ("2", 0.025), ("3", 0.02), ("4", 0.005), ("U", 0.005), ("Z", 0.07), ("9", 0.025),
)
#: Religion or belief as ESR records it; two mixes (White / Unknown, and BME).
RELIGIONS: tuple[str, ...] = (
    "Christianity", "Atheism", "Islam", "Hinduism", "Sikhism", "Buddhism", "Judaism", "Other",
    "I do not wish to disclose my religion/belief",
)
RELIGION_WEIGHTS_WHITE: tuple[float, ...] = (0.44, 0.30, 0.01, 0.002, 0.001, 0.006, 0.005, 0.08, 0.156)
RELIGION_WEIGHTS_BME: tuple[float, ...] = (0.38, 0.10, 0.17, 0.12, 0.03, 0.02, 0.002, 0.05, 0.128)

CONTRACT_MIX: tuple[tuple[str, float], ...] = (("Substantive", 0.85), ("Fixed term", 0.05), ("Bank", 0.10))
FTE_SUBSTANTIVE: tuple[tuple[float, float], ...] = (
    (1.0, 0.55), (0.8, 0.15), (0.6, 0.12), (0.5, 0.08), (0.4, 0.06), (0.2, 0.04),
)
FTE_BANK: tuple[tuple[float, float], ...] = ((0.1, 0.3), (0.2, 0.3), (0.4, 0.25), (0.6, 0.15))

#: Workforce dynamics (per person per financial year unless said otherwise).
GROWTH = 0.015                 # headcount growth per year
LEAVE_BASE = 0.10              # leaving, staff past their first 12 months (White reference)
LEAVE_BASE_BANK = 0.16         # the same for bank staff
EARLY_LEAVE_BASE = 0.10        # leaving within 12 months of joining (White reference)
REJOIN_SHARE = 0.04            # share of each year's joiners who are former staff re-joining
MOVE_RATE = 0.04               # directorate moves among staff in post at both snapshots
FTE_CHANGE_RATE = 0.03
PAY_STEP_RATE = 0.5            # moving up a pay point within band
PROMOTION_BASE_AFC = 0.06      # band rise between snapshots (White reference), any AfC band
PROMOTION_BASE_MEDICAL = {"Medical: Foundation": 0.45, "Medical: Trainee": 0.10, "Medical: SAS": 0.03}
MEDICAL_NEXT = {"Medical: Foundation": "Medical: Trainee", "Medical: Trainee": "Medical: Consultant",
                "Medical: SAS": "Medical: Consultant"}

LEAVING_REASON_WEIGHTS: dict[str, float] = {
    "Retirement": 0.10, "Work life balance": 0.20, "Relocation": 0.17, "Promotion": 0.12,
    "Better reward package": 0.08, "Health": 0.05, "Incompatible working relationships": 0.04,
    "End of fixed term contract": 0.04, "Dismissal": 0.02, "Other / not known": 0.18,
}
DESTINATION_MIX: tuple[tuple[str, float], ...] = (("NHS", 0.40), ("Non-NHS", 0.35), ("Unknown", 0.25))

#: Employee relations cases per person per year among staff in post at the year's closing
#: snapshot (reference group rates; the disparities are in TRUTH).
DISCIPLINARY_FORMAL_BASE = 0.010
DISCIPLINARY_INFORMAL = 0.015
CAPABILITY_PERFORMANCE_FORMAL_BASE = 0.008
CAPABILITY_PERFORMANCE_INFORMAL = 0.010
CAPABILITY_ILL_HEALTH = 0.010       # half of them formal
TRAINING_NON_MANDATORY_BASE = 0.40  # share accessing any non-mandatory course (White reference)
TRAINING_EXTRA_COURSES = 0.4        # Poisson mean of further courses for those who access any
TRAINING_MANDATORY_RECORD = 0.3     # share with a mandatory-training record in the year
NON_MANDATORY_COURSES: tuple[str, ...] = (
    "Leadership development programme", "Clinical supervision skills", "Research methods",
    "Coaching skills", "Quality improvement foundations", "Trauma-informed care",
    "Advanced clinical practice module", "Mary Seacole programme",
)
MANDATORY_COURSES: tuple[str, ...] = (
    "Safeguarding adults level 2", "Fire safety", "Information governance", "Basic life support",
    "Equality, diversity and human rights", "Infection prevention and control",
)

#: Recruitment.
VACANCIES_PER_JOINER = 0.9
APPLICANTS_EXTRA_MEAN = 4.0        # applicants per vacancy = 1 + Poisson(mean)
APPLICANT_ETHNICITY = (0.60, 0.35, 0.05)   # White, BME, Unknown
APPLICANT_DISABILITY: tuple[tuple[str, float], ...] = (("Yes", 0.07), ("No", 0.85), ("Not declared", 0.08))
SHORTLIST_RATE = 0.35
APPOINT_BASE = 0.30                # appointed if shortlisted (White reference)
INTERNAL_RATE = 0.20
INTERNATIONAL_RATE = {"BME nursing": 0.35, "BME": 0.10, "other": 0.03}

#: Staff survey: share giving the reported answer, by group (ethnicity: White/BME; disability:
#: Disabled/Non-disabled), and the response rate.
SURVEY_RESPONSE_RATE = 0.45
SURVEY_RATES: dict[str, tuple[str, dict[str, float]]] = {
    "wres_5": ("ethnicity", {"White": 0.26, "BME": 0.31}),
    "wres_6": ("ethnicity", {"White": 0.22, "BME": 0.28}),
    "wres_7": ("ethnicity", {"White": 0.58, "BME": 0.44}),
    "wres_8": ("ethnicity", {"White": 0.06, "BME": 0.16}),
    "wdes_4": ("disability", {"Disabled": 0.32, "Non-disabled": 0.24}),
    "wdes_5": ("disability", {"Disabled": 0.51, "Non-disabled": 0.58}),
    "wdes_6": ("disability", {"Disabled": 0.28, "Non-disabled": 0.19}),
    "wdes_7": ("disability", {"Disabled": 0.33, "Non-disabled": 0.45}),
    "wdes_8": ("disability", {"Disabled": 0.74}),
}

#: Board: (role, executive, voting). 13 seats; each seat changes holder with BOARD_TURNOVER.
BOARD_SEATS: tuple[tuple[str, bool, bool], ...] = (
    ("Chair", False, True), *((f"Non-executive director {i}", False, True) for i in range(1, 7)),
    ("Chief executive", True, True), ("Director of finance", True, True),
    ("Medical director", True, True), ("Chief nurse", True, True),
    ("Chief operating officer", True, False), ("Director of workforce", True, False),
)
BOARD_TURNOVER = 0.2
BOARD_BME_SHARE = 0.12
BOARD_FEMALE_SHARE = 0.5

#: National scale: organisations and their size spread (log-normal sigma).
NATIONAL_ORGANISATIONS = 200
NATIONAL_STAFF = 1_500_000
NATIONAL_SIZE_SIGMA = 0.6
TRUST_STAFF = 2300                 # headcount at the first snapshot (before growth)

# --------------------------------------------------------------------------- injected truths

#: The injected disparities: the true value of each ratio in the generator.
TRUTH: dict[str, float] = {
    "wres_2_appointment_white_over_bme": 1.5,
    "wdes_2_appointment_nondisabled_over_disabled": 1.0,
    "wres_3_formal_disciplinary_bme_over_white": 2.0,
    "wdes_3_formal_capability_disabled_over_nondisabled": 1.8,
    "wres_4_training_white_over_bme": 1.3,
    "promotion_bme_over_white": 0.6,
    "leaver_bme_over_white": 1.3,
    "early_career_leaver_bme_ahp_extra": 1.5,
    "within_band_gender_pay_gap": 0.0,
}
