"""The simulation behind :func:`equity.synth.generate`.

A person-level micro-simulation run one financial year at a time (loops over years only;
everything inside a year is vectorised numpy over people). People are "persons" (stable
equality fields, a staff_id) holding one or more employment "spells" (a rejoiner gets a new
spell with the same staff_id). Integer codes are used throughout and turned into labels once,
when the tables are built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from equity import codes
from equity.codes import Period
from equity.synth import _params as P

# --------------------------------------------------------------------------- label tables

SG_LABELS: tuple[str, ...] = P.STAFF_GROUP_NAMES
PROF_LABELS: tuple[str, ...] = tuple(dict.fromkeys(p for g in SG_LABELS for p, _ in P.PROFESSIONS[g]))
BAND_LABELS: tuple[str, ...] = codes.BANDS
DIR_LABELS: tuple[str, ...] = P.DIRECTORATES
ETH_LABELS: tuple[str, ...] = tuple(c for g in ("White", "BME", "Unknown") for c, _ in P.ETHNIC_CODES[g])
SEX_LABELS: tuple[str, ...] = ("Female", "Male")
DIS_LABELS: tuple[str, ...] = tuple(d for d, _ in P.DISABILITY_MIX)
ORIENT_LABELS: tuple[str, ...] = tuple(o for o, _ in P.ORIENTATION_MIX)
REL_LABELS: tuple[str, ...] = P.RELIGIONS
CONTRACT_LABELS: tuple[str, ...] = tuple(c for c, _ in P.CONTRACT_MIX)
AGE_LABELS: tuple[str, ...] = codes.AGE_BANDS
REASON_LABELS: tuple[str, ...] = codes.LEAVING_REASONS
DEST_LABELS: tuple[str, ...] = tuple(d for d, _ in P.DESTINATION_MIX)

WHITE, BME, UNKNOWN = 0, 1, 2
FEMALE, MALE = 0, 1
DIS_YES, DIS_NO, DIS_ND = 0, 1, 2
BANK = CONTRACT_LABELS.index("Bank")
FIXED = CONTRACT_LABELS.index("Fixed term")
AHP_CODE = SG_LABELS.index(P.AHP)
MED_CODE = SG_LABELS.index("Medical and Dental")
NURSE_CODE = SG_LABELS.index("Nursing and Midwifery")
BAND_INDEX = {b: i for i, b in enumerate(BAND_LABELS)}
CONSULTANT = BAND_INDEX["Medical: Consultant"]
SENTINEL = np.datetime64("9999-12-31", "D")
DAY = np.timedelta64(1, "D")

#: WRES group of each ethnic code index.
ETH_GROUP = np.array([g for g, key in enumerate(("White", "BME", "Unknown")) for _ in P.ETHNIC_CODES[key]],
                     dtype=np.int8)

#: Next band on promotion (-1 = top of the ladder).
_NEXT = np.full(len(BAND_LABELS), -1, dtype=np.int16)
for _i, _b in enumerate(codes.AFC_BANDS[:-1]):
    _NEXT[BAND_INDEX[_b]] = BAND_INDEX[codes.AFC_BANDS[_i + 1]]
for _b, _n in P.MEDICAL_NEXT.items():
    _NEXT[BAND_INDEX[_b]] = BAND_INDEX[_n]
_PROMO_BASE = np.zeros(len(BAND_LABELS))
_PROMO_BASE[[BAND_INDEX[b] for b in codes.AFC_BANDS[:-1]]] = P.PROMOTION_BASE_AFC
for _b, _p in P.PROMOTION_BASE_MEDICAL.items():
    _PROMO_BASE[BAND_INDEX[_b]] = _p

_N_POINTS = np.array([len(P.PAY_POINTS[b]) for b in BAND_LABELS], dtype=np.int8)
_PAY_TABLE = np.zeros((len(BAND_LABELS), int(_N_POINTS.max())))
for _i, _b in enumerate(BAND_LABELS):
    _PAY_TABLE[_i, : _N_POINTS[_i]] = P.PAY_POINTS[_b]
_HOURS = np.where([b.startswith("Medical") for b in BAND_LABELS], P.WEEKLY_HOURS_MEDICAL,
                  P.WEEKLY_HOURS_AFC) * P.WEEKS_PER_YEAR

# --------------------------------------------------------------------------- helpers


def _weights(pairs: tuple[tuple[Any, float], ...]) -> np.ndarray:
    w = np.array([p for _, p in pairs], dtype=float)
    return w / w.sum()


def _draw(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn from one discrete distribution (vectorised)."""
    if size == 0:
        return np.zeros(0, dtype=np.int16)
    return rng.choice(len(p), size=size, p=p).astype(np.int16)


def _uniform_dates(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One date uniformly between ``lo`` and ``hi`` inclusive (element-wise)."""
    span = (hi - lo).astype(np.int64)
    return lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64).clip(0, span) * DAY


def _ethnic_codes(rng: np.random.Generator, grp: np.ndarray) -> np.ndarray:
    """Index into the flattened ETHNIC_CODES lists of a detailed code for each person, drawn
    within their WRES group (0 White, 1 BME, 2 Unknown)."""
    eth = np.zeros(len(grp), dtype=np.int16)
    offset = 0
    for g, key in enumerate(("White", "BME", "Unknown")):
        m = grp == g
        eth[m] = offset + _draw(rng, _weights(P.ETHNIC_CODES[key]), int(m.sum()))
        offset += len(P.ETHNIC_CODES[key])
    return eth


def _bernoulli(rng: np.random.Generator, p: np.ndarray | float, size: int) -> np.ndarray:
    return rng.random(size) < p


@dataclass
class _Arrays:
    """Column arrays that grow by appending blocks (persons or spells)."""

    cols: dict[str, np.ndarray] = field(default_factory=dict)

    def append(self, **block: np.ndarray) -> np.ndarray:
        n_old = len(self)
        for k, v in block.items():
            self.cols[k] = np.concatenate([self.cols[k], v]) if k in self.cols else np.asarray(v)
        return np.arange(n_old, len(self))

    def __len__(self) -> int:
        return len(next(iter(self.cols.values()))) if self.cols else 0

    def __getitem__(self, k: str) -> np.ndarray:
        return self.cols[k]

    def __setitem__(self, k: str, v: np.ndarray) -> None:
        self.cols[k] = v


# --------------------------------------------------------------------------- the simulation


@dataclass
class Config:
    seed: int
    scale: str
    last_period: Period
    years: int
    n_staff: int
    n_orgs: int

    @property
    def snapshots(self) -> list[np.datetime64]:
        first = self.last_period.start_year - self.years + 1
        return [np.datetime64(dt.date(first + k, 3, 31), "D") for k in range(self.years + 1)]

    @property
    def periods(self) -> list[Period]:
        return [Period(self.last_period.start_year - self.years + 1 + k) for k in range(self.years)]


class Simulation:
    """Run the yearly simulation and hold the raw (coded) event records."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.persons = _Arrays()
        self.spells = _Arrays()
        self.snap_rows: list[dict[str, np.ndarray]] = []
        self.leaver_spells: list[np.ndarray] = []
        self.cases: list[dict[str, np.ndarray]] = []
        self.training: list[dict[str, np.ndarray]] = []
        self.recruitment: list[dict[str, np.ndarray]] = []
        self.joiners_per_year: list[int] = []
        sizes = self.rng.lognormal(0.0, P.NATIONAL_SIZE_SIGMA, cfg.n_orgs) if cfg.n_orgs > 1 else np.ones(1)
        self.org_weights = sizes / sizes.sum()

    # ----------------------------------------------------------------- people

    def _new_persons(self, n: int, ref: np.datetime64, *, initial: bool) -> np.ndarray:
        rng = self.rng
        sg = _draw(rng, np.array([v[0] for v in P.STAFF_GROUP_MIX.values()]) /
                   sum(v[0] for v in P.STAFF_GROUP_MIX.values()), n)
        female = np.array([v[1] for v in P.STAFF_GROUP_MIX.values()])[sg]
        sex = (rng.random(n) >= female).astype(np.int8)
        eth_mix = np.array([v[2] for v in P.STAFF_GROUP_MIX.values()])[sg]
        u = rng.random(n)
        grp = np.where(u < eth_mix[:, 0], WHITE, np.where(u < eth_mix[:, 0] + eth_mix[:, 1], BME, UNKNOWN))
        eth = _ethnic_codes(rng, grp)
        prof = np.zeros(n, dtype=np.int16)
        for g, name in enumerate(SG_LABELS):
            m = sg == g
            pairs = P.PROFESSIONS[name]
            local = _draw(rng, _weights(pairs), int(m.sum()))
            prof[m] = np.array([PROF_LABELS.index(p) for p, _ in pairs])[local]
        dis = _draw(rng, _weights(P.DISABILITY_MIX), n)
        orient = _draw(rng, _weights(P.ORIENTATION_MIX), n)
        rel = np.where(
            grp == BME,
            _draw(rng, np.array(P.RELIGION_WEIGHTS_BME) / sum(P.RELIGION_WEIGHTS_BME), n),
            _draw(rng, np.array(P.RELIGION_WEIGHTS_WHITE) / sum(P.RELIGION_WEIGHTS_WHITE), n),
        )
        age = (rng.normal(43, 11, n).clip(19, 67) if initial else rng.normal(33, 9, n).clip(19, 62))
        birth = ref - (age * 365.25).astype(np.int64) * DAY
        org = _draw(rng, self.org_weights, n) if self.cfg.n_orgs > 1 else np.zeros(n, dtype=np.int16)
        return self.persons.append(
            sg=sg, sex=sex, eth=eth, grp=ETH_GROUP[eth], prof=prof, dis=dis, orient=orient,
            rel=rel.astype(np.int16), birth=birth, org=org,
            nhs_start=np.full(n, SENTINEL), last_spell=np.full(n, -1, dtype=np.int64),
        )

    def _draw_bands(self, pers: np.ndarray, *, initial: bool) -> np.ndarray:
        rng = self.rng
        sg, sex, grp = self.persons["sg"][pers], self.persons["sex"][pers], self.persons["grp"][pers]
        band = np.zeros(len(pers), dtype=np.int16)
        for g, name in enumerate(SG_LABELS):
            ladder = P.BAND_MIX[name]
            base = np.log(_weights(ladder))
            rank = np.arange(len(ladder))
            idx = np.array([BAND_INDEX[b] for b, _ in ladder])
            for male in (0, 1):
                for bme in (False, True):
                    m = (sg == g) & (sex == male) & ((grp == BME) == bme)
                    tilt = male * P.BAND_TILT_MALE + (P.BAND_TILT_BME_INITIAL if (bme and initial) else 0.0)
                    w = np.exp(base + tilt * rank)
                    band[m] = idx[_draw(rng, w / w.sum(), int(m.sum()))]
        return band

    def _draw_directorates(self, sg: np.ndarray) -> np.ndarray:
        out = np.zeros(len(sg), dtype=np.int16)
        for g, name in enumerate(SG_LABELS):
            m = sg == g
            out[m] = _draw(self.rng, _weights(tuple(zip(DIR_LABELS, P.DIRECTORATE_WEIGHTS[name], strict=True))),
                           int(m.sum()))
        return out

    def _draw_fte(self, contract: np.ndarray) -> np.ndarray:
        n = len(contract)
        sub = np.array([f for f, _ in P.FTE_SUBSTANTIVE])[_draw(self.rng, _weights(P.FTE_SUBSTANTIVE), n)]
        bank = np.array([f for f, _ in P.FTE_BANK])[_draw(self.rng, _weights(P.FTE_BANK), n)]
        return np.where(contract == BANK, bank, sub)

    def _start_spells(self, pers: np.ndarray, org_start: np.ndarray, *, initial: bool,
                      band: np.ndarray | None = None, direc: np.ndarray | None = None) -> np.ndarray:
        rng = self.rng
        n = len(pers)
        if band is None:
            band = self._draw_bands(pers, initial=initial)
        if direc is None:
            direc = self._draw_directorates(self.persons["sg"][pers])
        contract = _draw(rng, _weights(P.CONTRACT_MIX), n)
        step = (rng.random(n) * _N_POINTS[band]).astype(np.int16) if initial else np.zeros(n, dtype=np.int16)
        sp = self.spells.append(
            person=pers.astype(np.int64), org_start=org_start, leave=np.full(n, SENTINEL),
            band=band, dir=direc, contract=contract, fte=self._draw_fte(contract), step=step,
            early=np.zeros(n, dtype=bool),
        )
        self.persons["last_spell"][pers] = sp
        return sp

    def _set_nhs_start(self, pers: np.ndarray, org_start: np.ndarray) -> None:
        """NHS start on or before the first organisation start, never before age 18."""
        rng = self.rng
        n = len(pers)
        prior = np.where(rng.random(n) < 0.45, 0, rng.exponential(5 * 365.25, n)).astype(np.int64)
        cap = ((org_start - self.persons["birth"][pers]).astype(np.int64) - int(18 * 365.25)).clip(0)
        self.persons["nhs_start"][pers] = org_start - np.minimum(prior, cap) * DAY

    # ----------------------------------------------------------------- a year

    def run(self) -> None:
        cfg, rng = self.cfg, self.rng
        snaps = cfg.snapshots
        s0 = snaps[0]
        pers = self._new_persons(cfg.n_staff, s0, initial=True)
        age_days = (s0 - self.persons["birth"][pers]).astype(np.int64)
        tenure = np.minimum(rng.exponential(6 * 365.25, len(pers)).astype(np.int64) + 1,
                            (age_days - int(19 * 365.25)).clip(1))
        org_start = s0 - tenure * DAY
        self._set_nhs_start(pers, org_start)
        self._start_spells(pers, org_start, initial=True)
        self._snapshot(0)
        for k in range(cfg.years):
            self._year(k)

    def _active(self, date: np.datetime64) -> np.ndarray:
        s = self.spells
        return np.flatnonzero((s["org_start"] <= date) & (s["leave"] >= date))

    def _leave_prob(self, sp: np.ndarray, *, early: bool) -> np.ndarray:
        s, p = self.spells, self.persons
        person = s["person"][sp]
        bme = p["grp"][person] == BME
        extra: np.ndarray | float
        if early:
            base = np.full(len(sp), P.EARLY_LEAVE_BASE)
            extra = np.where(bme & (p["sg"][person] == AHP_CODE), P.TRUTH["early_career_leaver_bme_ahp_extra"], 1.0)
        else:
            base = np.where(s["contract"][sp] == BANK, P.LEAVE_BASE_BANK, P.LEAVE_BASE)
            extra = 1.0
        return base * np.where(bme, P.TRUTH["leaver_bme_over_white"], 1.0) * extra

    def _year(self, k: int) -> None:
        cfg, rng, s, p = self.cfg, self.rng, self.spells, self.persons
        S, S1 = cfg.snapshots[k], cfg.snapshots[k + 1]
        active = self._active(S)

        # Regular leaving: staff past their first 12 months (366 days) with no leave already
        # scheduled; the leave date falls in the year, so it is always > org_start + 366 days.
        elig = active[(s["leave"][active] == SENTINEL) & (s["org_start"][active] <= S - 366 * DAY)]
        leaving = elig[_bernoulli(rng, self._leave_prob(elig, early=False), len(elig))]
        s["leave"][leaving] = _uniform_dates(rng, np.full(len(leaving), S + DAY), np.full(len(leaving), S1))
        self.leaver_spells.append(leaving)

        # Joiners (new people and re-joiners) bring the headcount to the growth target.
        survivors = int((s["leave"][active] >= S1).sum())
        target = round(cfg.n_staff * (1 + P.GROWTH) ** (k + 1))
        n_join = max(target - survivors, 0)
        self.joiners_per_year.append(n_join)
        last = p["last_spell"]
        has_left = last >= 0
        last_leave = np.where(has_left, s["leave"][np.where(has_left, last, 0)], SENTINEL)
        candidates = np.flatnonzero(has_left & (last_leave <= S - 180 * DAY))
        n_rejoin = min(int(round(P.REJOIN_SHARE * n_join)), len(candidates))
        rejoin = np.sort(rng.choice(candidates, size=n_rejoin, replace=False)) if n_rejoin else candidates[:0]
        new = self._new_persons(n_join - n_rejoin, S, initial=False)
        start_new = _uniform_dates(rng, np.full(len(new), S + DAY), np.full(len(new), S1))
        self._set_nhs_start(new, start_new)
        sp_new = self._start_spells(new, start_new, initial=False)
        prev = last[rejoin]
        sp_re = self._start_spells(
            rejoin, _uniform_dates(rng, np.full(n_rejoin, S + DAY), np.full(n_rejoin, S1)),
            initial=False, band=s["band"][prev], direc=s["dir"][prev],
        )
        joiners = np.concatenate([sp_new, sp_re])

        # Early leaving: decided at joining; the leave date is within 12 months of the start but
        # after the next snapshot, so every leaver appears in staff at least once.
        early = joiners[_bernoulli(rng, self._leave_prob(joiners, early=True), len(joiners))]
        start = s["org_start"][early]
        drawn = start + (30 + (rng.random(len(early)) * 335).astype(np.int64)) * DAY
        s["leave"][early] = np.maximum(drawn, S1 + DAY)
        s["early"][early] = True
        self.leaver_spells.append(early)

        # Changes between snapshots for staff in post at both (the promotion population).
        stay = active[s["leave"][active] >= S1]
        person = s["person"][stay]
        band = s["band"][stay]
        p_promo = _PROMO_BASE[band] * np.where(p["grp"][person] == BME, P.TRUTH["promotion_bme_over_white"], 1.0)
        promoted = _bernoulli(rng, p_promo, len(stay)) & (_NEXT[band] >= 0)
        s["band"][stay[promoted]] = _NEXT[band[promoted]]
        s["step"][stay[promoted]] = 0
        step_up = stay[~promoted & _bernoulli(rng, P.PAY_STEP_RATE, len(stay))]
        s["step"][step_up] = np.minimum(s["step"][step_up] + 1, _N_POINTS[s["band"][step_up]] - 1)
        movers = stay[_bernoulli(rng, P.MOVE_RATE, len(stay))]
        s["dir"][movers] = self._draw_directorates(p["sg"][s["person"][movers]])
        fte_change = stay[_bernoulli(rng, P.FTE_CHANGE_RATE, len(stay))]
        s["fte"][fte_change] = self._draw_fte(s["contract"][fte_change])

        end = self._snapshot(k + 1)
        self._casework(end, S, S1)
        self._training(end, S, S1)
        self._recruit(k, S, S1, n_join)

    # ----------------------------------------------------------------- records

    def _snapshot(self, k: int) -> np.ndarray:
        rng, s, p = self.rng, self.spells, self.persons
        date = self.cfg.snapshots[k]
        sp = self._active(date)
        n = len(sp)
        sex = p["sex"][s["person"][sp]]
        reduced = np.where(sex == MALE, P.REDUCED_PAY_SHARE["Male"], P.REDUCED_PAY_SHARE["Female"])
        band = s["band"][sp].copy()
        cea = (band == CONSULTANT) & _bernoulli(rng, P.CEA_SHARE, n)
        bonus = np.where(cea, np.array(P.CEA_AMOUNTS, dtype=float)[_draw(rng, np.array(P.CEA_WEIGHTS), n)], 0.0)
        self.snap_rows.append({
            "spell": sp, "k": np.full(n, k, dtype=np.int16), "band": band, "dir": s["dir"][sp].copy(),
            "fte": s["fte"][sp].copy(), "contract": s["contract"][sp].copy(), "step": s["step"][sp].copy(),
            "full_pay": ~_bernoulli(rng, reduced, n), "bonus": bonus,
        })
        return sp

    def _in_year_dates(self, sp: np.ndarray, S: np.datetime64, S1: np.datetime64) -> np.ndarray:
        lo = np.maximum(self.spells["org_start"][sp], S + DAY)
        return _uniform_dates(self.rng, lo, np.full(len(sp), S1))

    def _casework(self, sp: np.ndarray, S: np.datetime64, S1: np.datetime64) -> None:
        rng, p = self.rng, self.persons
        person = self.spells["person"][sp]
        n = len(sp)
        bme = p["grp"][person] == BME
        disabled = p["dis"][person] == DIS_YES
        kinds = [  # (process, formal, reason, probability per person)
            ("disciplinary", True, "", P.DISCIPLINARY_FORMAL_BASE
             * np.where(bme, P.TRUTH["wres_3_formal_disciplinary_bme_over_white"], 1.0)),
            ("disciplinary", False, "", np.full(n, P.DISCIPLINARY_INFORMAL)),
            ("capability", True, "performance", P.CAPABILITY_PERFORMANCE_FORMAL_BASE
             * np.where(disabled, P.TRUTH["wdes_3_formal_capability_disabled_over_nondisabled"], 1.0)),
            ("capability", False, "performance", np.full(n, P.CAPABILITY_PERFORMANCE_INFORMAL)),
            ("capability", True, "ill health", np.full(n, P.CAPABILITY_ILL_HEALTH / 2)),
            ("capability", False, "ill health", np.full(n, P.CAPABILITY_ILL_HEALTH / 2)),
        ]
        for i, (_, _, _, prob) in enumerate(kinds):
            who = sp[_bernoulli(rng, prob, n)]
            self.cases.append({"spell": who, "kind": np.full(len(who), i, dtype=np.int8),
                               "date": self._in_year_dates(who, S, S1)})
        self.case_kinds = [(proc, formal, reason) for proc, formal, reason, _ in kinds]

    def _training(self, sp: np.ndarray, S: np.datetime64, S1: np.datetime64) -> None:
        rng, p = self.rng, self.persons
        n = len(sp)
        bme = p["grp"][self.spells["person"][sp]] == BME
        access = _bernoulli(rng, P.TRAINING_NON_MANDATORY_BASE
                            / np.where(bme, P.TRUTH["wres_4_training_white_over_bme"], 1.0), n)
        who = sp[access]
        count = 1 + rng.poisson(P.TRAINING_EXTRA_COURSES, len(who))
        who = np.repeat(who, count)
        course = _draw(rng, np.full(len(P.NON_MANDATORY_COURSES), 1 / len(P.NON_MANDATORY_COURSES)), len(who))
        mand = sp[_bernoulli(rng, P.TRAINING_MANDATORY_RECORD, n)]
        mcourse = _draw(rng, np.full(len(P.MANDATORY_COURSES), 1 / len(P.MANDATORY_COURSES)), len(mand))
        spell = np.concatenate([who, mand])
        self.training.append({
            "spell": spell, "date": self._in_year_dates(spell, S, S1),
            "course": np.concatenate([course, mcourse + len(P.NON_MANDATORY_COURSES)]),
            "mandatory": np.concatenate([np.zeros(len(who), bool), np.ones(len(mand), bool)]),
        })

    def _recruit(self, k: int, S: np.datetime64, S1: np.datetime64, n_join: int) -> None:
        rng = self.rng
        n_vac = int(round(P.VACANCIES_PER_JOINER * n_join))
        shares = np.array([v[0] for v in P.STAFF_GROUP_MIX.values()])
        sg = _draw(rng, shares / shares.sum(), n_vac)
        prof = np.zeros(n_vac, dtype=np.int16)
        band = np.zeros(n_vac, dtype=np.int16)
        for g, name in enumerate(SG_LABELS):
            m = sg == g
            pairs = P.PROFESSIONS[name]
            prof[m] = np.array([PROF_LABELS.index(x) for x, _ in pairs])[_draw(rng, _weights(pairs), int(m.sum()))]
            ladder = P.BAND_MIX[name]
            band[m] = np.array([BAND_INDEX[b] for b, _ in ladder])[_draw(rng, _weights(ladder), int(m.sum()))]
        vac = {
            "sg": sg, "prof": prof, "band": band, "dir": self._draw_directorates(sg),
            "closing": _uniform_dates(rng, np.full(n_vac, S + DAY), np.full(n_vac, S1)),
            "org": _draw(rng, self.org_weights, n_vac),
        }
        n_app = 1 + rng.poisson(P.APPLICANTS_EXTRA_MEAN, n_vac)
        v = np.repeat(np.arange(n_vac), n_app)
        n = len(v)
        grp = _draw(rng, np.array(P.APPLICANT_ETHNICITY), n)
        eth = _ethnic_codes(rng, grp)
        female = np.array([x[1] for x in P.STAFF_GROUP_MIX.values()])[sg[v]]
        age = rng.normal(34, 10, n).clip(18, 66)
        shortlisted = _bernoulli(rng, P.SHORTLIST_RATE, n)
        p_appoint = P.APPOINT_BASE / np.where(grp == BME, P.TRUTH["wres_2_appointment_white_over_bme"], 1.0)
        appointed = shortlisted & _bernoulli(rng, p_appoint, n)
        p_int = np.where(grp == BME, np.where(sg[v] == NURSE_CODE, P.INTERNATIONAL_RATE["BME nursing"],
                                              P.INTERNATIONAL_RATE["BME"]), P.INTERNATIONAL_RATE["other"])
        rel = np.where(grp == BME,
                       _draw(rng, np.array(P.RELIGION_WEIGHTS_BME) / sum(P.RELIGION_WEIGHTS_BME), n),
                       _draw(rng, np.array(P.RELIGION_WEIGHTS_WHITE) / sum(P.RELIGION_WEIGHTS_WHITE), n))
        self.recruitment.append({
            "vacancy": v + sum(len(r["vac_sg"]) for r in self.recruitment),
            "vac_sg": sg, "vac_prof": prof, "vac_band": band, "vac_dir": vac["dir"],
            "vac_closing": vac["closing"], "vac_org": vac["org"], "v": v,
            "eth": eth, "sex": (rng.random(n) >= female).astype(np.int8),
            "dis": _draw(rng, _weights(P.APPLICANT_DISABILITY), n),
            "orient": _draw(rng, _weights(P.ORIENTATION_MIX), n), "rel": rel.astype(np.int16),
            "age": age, "shortlisted": shortlisted, "appointed": appointed,
            "internal": _bernoulli(rng, P.INTERNAL_RATE, n), "international": _bernoulli(rng, p_int, n),
        })
