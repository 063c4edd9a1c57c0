"""Turn a finished :class:`~equity.synth._generate.Simulation` into the canonical tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from equity import codes, schema
from equity.synth import _generate as G
from equity.synth import _params as P


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    width = max(width, len(str(n)))
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype("U"), width))


class Builder:
    """Label coded arrays; ``categorical`` (national scale) keeps code columns as categories."""

    def __init__(self, sim: G.Simulation, *, categorical: bool) -> None:
        self.sim = sim
        self.categorical = categorical
        self.national = sim.cfg.n_orgs > 1
        self.org_labels = tuple(f"ORG{i + 1:03d}" for i in range(sim.cfg.n_orgs))
        self.staff_ids = _ids("S", len(sim.persons), 7)
        self.snaps = np.array(sim.cfg.snapshots)

    # ------------------------------------------------------------- column helpers

    def lab(self, idx: np.ndarray, labels: tuple[str, ...]) -> Any:
        if self.categorical:
            return pd.Categorical.from_codes(np.asarray(idx, dtype=np.int64), categories=list(labels))
        return pd.array(np.asarray(labels, dtype=object)[idx], dtype="str")

    @staticmethod
    def text(values: np.ndarray) -> Any:
        return pd.array(values.astype(object), dtype="str")

    @staticmethod
    def date(values: np.ndarray) -> np.ndarray:
        return values.astype("datetime64[ns]")

    @staticmethod
    def age_band(age_years: np.ndarray) -> np.ndarray:
        return np.digitize(age_years, [25, 35, 45, 55, 65])

    def age_at(self, birth: np.ndarray, date: np.ndarray) -> np.ndarray:
        return ((date - birth).astype(np.int64) / 365.25).astype(np.int64)

    def frame(self, table: str, cols: dict[str, Any]) -> pd.DataFrame:
        """Columns in schema order; organisation only at national scale."""
        order = [c for c in schema.TABLES[table].column_names if c in cols]
        if not self.national:
            order = [c for c in order if c != "organisation"]
        return pd.DataFrame({c: cols[c] for c in order})

    def equality(self, eth, sex, dis, orient, rel, age_band) -> dict[str, Any]:
        return {
            "ethnic_category": self.lab(eth, G.ETH_LABELS), "sex": self.lab(sex, G.SEX_LABELS),
            "disability": self.lab(dis, G.DIS_LABELS),
            "sexual_orientation": self.lab(orient, G.ORIENT_LABELS),
            "religion": self.lab(rel, G.REL_LABELS), "age_band": self.lab(age_band, G.AGE_LABELS),
        }

    # ------------------------------------------------------------- tables

    def staff(self) -> pd.DataFrame:
        sim = self.sim
        r = {k: np.concatenate([row[k] for row in sim.snap_rows]) for k in sim.snap_rows[0]}
        person = sim.spells["person"][r["spell"]]
        order = np.lexsort((person, r["k"]))
        r = {k: v[order] for k, v in r.items()}
        person = person[order]
        p = sim.persons
        date = self.snaps[r["k"]]
        years = np.array([d.astype(object).year for d in self.snaps])
        factor = _pay_factors(years)[r["k"]]
        annual = np.round(G._PAY_TABLE[r["band"], r["step"]] * factor)
        hourly = np.round(annual / G._HOURS[r["band"]], 2)
        cols = {
            "staff_id": self.text(self.staff_ids[person]), "snapshot_date": self.date(date),
            "organisation": self.lab(p["org"][person], self.org_labels),
            "directorate": self.lab(r["dir"], G.DIR_LABELS), "staff_group": self.lab(p["sg"][person], G.SG_LABELS),
            "profession": self.lab(p["prof"][person], G.PROF_LABELS), "band": self.lab(r["band"], G.BAND_LABELS),
            "fte": r["fte"].astype(float), "contract_type": self.lab(r["contract"], G.CONTRACT_LABELS),
            **self.equality(p["eth"][person], p["sex"][person], p["dis"][person], p["orient"][person],
                            p["rel"][person], self.age_band(self.age_at(p["birth"][person], date))),
            "org_start_date": self.date(sim.spells["org_start"][r["spell"]]),
            "nhs_start_date": self.date(p["nhs_start"][person]),
            "hourly_pay": hourly, "bonus_pay": r["bonus"].astype(float), "full_pay": r["full_pay"].astype(bool),
        }
        return self.frame("staff", cols)

    def leavers(self) -> pd.DataFrame:
        sim, rng = self.sim, self.sim.rng
        s, p = sim.spells, sim.persons
        sp = np.concatenate(sim.leaver_spells)
        sp = sp[s["leave"][sp] <= self.snaps[-1]]  # leaves after the last snapshot are censored
        person = s["person"][sp]
        sp = sp[np.lexsort((person, s["leave"][sp]))]
        person = s["person"][sp]
        leave = s["leave"][sp]
        n = len(sp)
        reasons = list(G.REASON_LABELS)
        base = np.array([P.LEAVING_REASON_WEIGHTS[x] for x in reasons])
        base[reasons.index("End of fixed term contract")] = 0.0
        reason = G._draw(rng, base / base.sum(), n)
        fixed = (s["contract"][sp] == G.FIXED) & G._bernoulli(rng, 0.6, n)
        reason[fixed] = reasons.index("End of fixed term contract")
        retire = (self.age_at(p["birth"][person], leave) >= 60) & G._bernoulli(rng, 0.7, n)
        reason[retire] = reasons.index("Retirement")
        dest = G._draw(rng, G._weights(P.DESTINATION_MIX), n)
        dest[reason == reasons.index("Retirement")] = G.DEST_LABELS.index("Non-NHS")
        dest[reason == reasons.index("Promotion")] = G.DEST_LABELS.index("NHS")
        cols = {
            "staff_id": self.text(self.staff_ids[person]), "organisation": self.lab(p["org"][person], self.org_labels),
            "leave_date": self.date(leave), "leaving_reason": self.lab(reason, G.REASON_LABELS),
            "destination": self.lab(dest, G.DEST_LABELS), "fte": s["fte"][sp].astype(float),
        }
        return self.frame("leavers", cols)

    def casework(self) -> pd.DataFrame:
        sim = self.sim
        sp = np.concatenate([c["spell"] for c in sim.cases])
        kind = np.concatenate([c["kind"] for c in sim.cases])
        date = np.concatenate([c["date"] for c in sim.cases])
        person = sim.spells["person"][sp]
        order = np.lexsort((kind, person, date))
        sp, kind, date, person = sp[order], kind[order], date[order], person[order]
        kinds = sim.case_kinds
        process = np.array([k[0] for k in kinds], dtype=object)[kind]
        formal = np.array([k[1] for k in kinds])[kind]
        reason = np.array([k[2] if k[2] else None for k in kinds], dtype=object)[kind]
        cols = {
            "case_id": self.text(_ids("C", len(sp), 6)), "staff_id": self.text(self.staff_ids[person]),
            "organisation": self.lab(sim.persons["org"][person], self.org_labels),
            "start_date": self.date(date), "process": pd.array(process, dtype="str"),
            "formal": formal.astype(bool), "capability_reason": pd.array(reason, dtype="str"),
        }
        if self.categorical:
            cols["process"] = pd.Categorical(process, categories=list(codes.CASEWORK_PROCESSES))
            cols["capability_reason"] = pd.Categorical(reason, categories=["performance", "ill health"])
        return self.frame("casework", cols)

    def training(self) -> pd.DataFrame:
        sim = self.sim
        t = {k: np.concatenate([row[k] for row in sim.training]) for k in sim.training[0]}
        person = sim.spells["person"][t["spell"]]
        order = np.lexsort((t["course"], person, t["date"]))
        person = person[order]
        courses = P.NON_MANDATORY_COURSES + P.MANDATORY_COURSES
        cols = {
            "staff_id": self.text(self.staff_ids[person]),
            "organisation": self.lab(sim.persons["org"][person], self.org_labels),
            "date": self.date(t["date"][order]), "course": self.lab(t["course"][order], courses),
            "mandatory": t["mandatory"][order].astype(bool),
        }
        return self.frame("training", cols)

    def recruitment(self) -> pd.DataFrame:
        recs = self.sim.recruitment
        vac = {k: np.concatenate([r[k] for r in recs]) for k in
               ("vac_sg", "vac_prof", "vac_band", "vac_dir", "vac_closing", "vac_org")}
        a = {k: np.concatenate([r[k] for r in recs]) for k in
             ("vacancy", "eth", "sex", "dis", "orient", "rel", "age", "shortlisted", "appointed",
              "internal", "international")}
        v = a["vacancy"]
        order = np.lexsort((v, vac["vac_closing"][v]))
        a = {k: x[order] for k, x in a.items()}
        v = a["vacancy"]
        vacancy_ids = _ids("V", len(vac["vac_sg"]), 6)
        cols = {
            "application_id": self.text(_ids("A", len(v), 7)), "vacancy_id": self.text(vacancy_ids[v]),
            "organisation": self.lab(vac["vac_org"][v], self.org_labels),
            "closing_date": self.date(vac["vac_closing"][v]), "directorate": self.lab(vac["vac_dir"][v], G.DIR_LABELS),
            "staff_group": self.lab(vac["vac_sg"][v], G.SG_LABELS),
            "profession": self.lab(vac["vac_prof"][v], G.PROF_LABELS), "band": self.lab(vac["vac_band"][v], G.BAND_LABELS),
            **self.equality(a["eth"], a["sex"], a["dis"], a["orient"], a["rel"],
                            self.age_band(a["age"].astype(np.int64))),
            "shortlisted": a["shortlisted"].astype(bool), "appointed": a["appointed"].astype(bool),
            "internal": a["internal"].astype(bool), "international": a["international"].astype(bool),
        }
        return self.frame("recruitment", cols)

    def board(self) -> pd.DataFrame:
        sim, rng = self.sim, self.sim.rng
        n_org, seats = sim.cfg.n_orgs, len(P.BOARD_SEATS)
        holders = np.arange(n_org * seats)
        n_members = len(holders)
        rows_member, rows_k = [], []
        for i in range(len(self.snaps)):
            if i:
                change = G._bernoulli(rng, P.BOARD_TURNOVER, len(holders))
                holders = holders.copy()
                holders[change] = n_members + np.arange(int(change.sum()))
                n_members += int(change.sum())
            rows_member.append(holders)
            rows_k.append(np.full(len(holders), i))
        member = np.concatenate(rows_member)
        k = np.concatenate(rows_k)
        seat = np.tile(np.arange(seats), n_org * len(self.snaps))
        org = np.tile(np.repeat(np.arange(n_org), seats), len(self.snaps))
        # member attributes, drawn once per member
        grp = G._draw(rng, np.array([1 - P.BOARD_BME_SHARE - 0.03, P.BOARD_BME_SHARE, 0.03]), n_members)
        eth = np.zeros(n_members, dtype=np.int16)
        offset = 0
        for g, key in enumerate(("White", "BME", "Unknown")):
            m = grp == g
            eth[m] = offset + G._draw(rng, G._weights(P.ETHNIC_CODES[key]), int(m.sum()))
            offset += len(P.ETHNIC_CODES[key])
        sex = (rng.random(n_members) >= P.BOARD_FEMALE_SHARE).astype(np.int8)
        dis = G._draw(rng, np.array([0.05, 0.85, 0.10]), n_members)
        orient = G._draw(rng, G._weights(P.ORIENTATION_MIX), n_members)
        rel = G._draw(rng, np.array(P.RELIGION_WEIGHTS_WHITE) / sum(P.RELIGION_WEIGHTS_WHITE), n_members)
        # ages are set at the last snapshot, so earlier snapshots see the same people younger
        birth = self.snaps[-1] - (rng.normal(58, 7, n_members).clip(38, 75) * 365.25).astype(np.int64) * G.DAY
        date = self.snaps[k]
        order = np.lexsort((seat, org, k))
        member, k, seat, org, date = member[order], k[order], seat[order], org[order], date[order]
        execs = np.array([s[1] for s in P.BOARD_SEATS])[seat]
        voting = np.array([s[2] for s in P.BOARD_SEATS])[seat]
        cols = {
            "member_id": self.text(_ids("B", n_members, 5)[member]), "snapshot_date": self.date(date),
            "organisation": self.lab(org, self.org_labels), "executive": execs.astype(bool),
            "voting": voting.astype(bool),
            **self.equality(eth[member], sex[member], dis[member], orient[member], rel[member],
                            self.age_band(self.age_at(birth[member], date))),
        }
        return self.frame("board", cols)

    def survey(self, staff_codes: dict[str, np.ndarray]) -> pd.DataFrame:
        """Aggregated survey results per period, organisation, directorate (and whole organisation)."""
        sim, rng = self.sim, self.sim.rng
        n_org, n_dir = sim.cfg.n_orgs, len(G.DIR_LABELS)
        out: dict[str, list[np.ndarray]] = {c: [] for c in
                                             ("k", "org", "dir", "ind", "grp", "resp", "pos")}
        indicators = list(P.SURVEY_RATES)
        group_labels = ("White", "BME", "Disabled", "Non-disabled")
        for k in range(1, len(self.snaps)):
            m = (staff_codes["k"] == k) & (staff_codes["contract"] != G.BANK)
            cell = staff_codes["org"][m].astype(np.int64) * n_dir + staff_codes["dir"][m]
            eth_grp, dis = staff_codes["grp"][m], staff_codes["dis"][m]
            heads = {
                "White": np.bincount(cell[eth_grp == G.WHITE], minlength=n_org * n_dir),
                "BME": np.bincount(cell[eth_grp == G.BME], minlength=n_org * n_dir),
                "Disabled": np.bincount(cell[dis == G.DIS_YES], minlength=n_org * n_dir),
                "Non-disabled": np.bincount(cell[dis == G.DIS_NO], minlength=n_org * n_dir),
            }
            for i, ind in enumerate(indicators):
                for grp, rate in P.SURVEY_RATES[ind][1].items():
                    resp = rng.binomial(heads[grp], P.SURVEY_RESPONSE_RATE)
                    pos = rng.binomial(resp, rate)
                    cells = np.arange(n_org * n_dir)
                    # whole-organisation rows (directorate blank) are the sums over directorates
                    out["k"] += [np.full(len(cells) + n_org, k)]
                    out["org"] += [np.concatenate([cells // n_dir, np.arange(n_org)])]
                    out["dir"] += [np.concatenate([cells % n_dir, np.full(n_org, -1)])]
                    out["ind"] += [np.full(len(cells) + n_org, i)]
                    out["grp"] += [np.full(len(cells) + n_org, group_labels.index(grp))]
                    out["resp"] += [np.concatenate([resp, resp.reshape(n_org, n_dir).sum(1)])]
                    out["pos"] += [np.concatenate([pos, pos.reshape(n_org, n_dir).sum(1)])]
        o = {c: np.concatenate(v) for c, v in out.items()}
        # directorate -1 (whole organisation) sorts first within each organisation
        order = np.lexsort((o["grp"], o["ind"], o["dir"], o["org"], o["k"]))
        o = {c: v[order] for c, v in o.items()}
        periods = tuple(str(x) for x in sim.cfg.periods)
        directorate = np.asarray((None, *G.DIR_LABELS), dtype=object)[o["dir"] + 1]
        gvar = np.array([P.SURVEY_RATES[i][0] for i in indicators], dtype=object)[o["ind"]]
        cols = {
            "period": self.lab(o["k"] - 1, periods), "organisation": self.lab(o["org"], self.org_labels),
            "directorate": (pd.Categorical(directorate, categories=list(G.DIR_LABELS)) if self.categorical
                            else pd.array(directorate, dtype="str")),
            "indicator": self.lab(o["ind"], tuple(indicators)),
            "group_var": self.lab(np.where(gvar == "ethnicity", 0, 1), ("ethnicity", "disability")),
            "group": self.lab(o["grp"], group_labels),
            "respondents": o["resp"].astype(float), "positive": o["pos"].astype(float),
        }
        return self.frame("survey", cols)

    def staff_codes(self) -> dict[str, np.ndarray]:
        """Coded snapshot rows needed by the survey (before labelling)."""
        sim = self.sim
        r = {k: np.concatenate([row[k] for row in sim.snap_rows]) for k in ("spell", "k", "dir", "contract")}
        person = sim.spells["person"][r["spell"]]
        return {**r, "org": sim.persons["org"][person], "grp": sim.persons["grp"][person],
                "dis": sim.persons["dis"][person]}


def _pay_factors(years: np.ndarray) -> np.ndarray:
    """Multiplier from 2024/25 pay points to the pay in force at each 31 March snapshot year."""
    out = []
    for y in years:
        f = 1.0
        if y <= 2025:
            for later in range(y + 1, 2026):
                f /= 1 + P.PAY_AWARDS.get(later, P.DEFAULT_PAY_AWARD)
        else:
            for later in range(2026, y + 1):
                f *= 1 + P.PAY_AWARDS.get(later, P.DEFAULT_PAY_AWARD)
        out.append(f)
    return np.array(out)
