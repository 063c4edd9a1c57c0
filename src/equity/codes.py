"""Code lists, groupings and NHS financial-year periods.

Equality fields are stored with their detailed codes; every grouping (WRES White / BME /
Unknown, WDES Disabled / Non-disabled / Unknown, band groups) is derived here and never stored.
The groupings are applied to small count tables after aggregation, so they work the same on
every engine.

Sources
-------
- NHS Data Dictionary, ETHNIC CATEGORY (2001 census classification, codes A-S, Z, 99).
- NHS Data Dictionary, SEXUAL ORIENTATION CODE (1-4, U, Z, 9).
- NHS England, Workforce Race Equality Standard technical guidance (White / BME / Unknown).
- NHS England, Workforce Disability Equality Standard technical guidance.
- NHS Employers, Agenda for Change pay bands (Band 1-9, 8a-8d).
- NHS England, the 14 Allied Health Professions.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from equity.errors import PeriodError

# --------------------------------------------------------------------------- ethnicity

#: NHS ETHNIC CATEGORY national codes: code -> (label, broad group, WRES group).
ETHNIC_CATEGORIES: dict[str, tuple[str, str, str]] = {
    "A": ("White - British", "White", "White"),
    "B": ("White - Irish", "White", "White"),
    "C": ("White - Any other White background", "White", "White"),
    "D": ("Mixed - White and Black Caribbean", "Mixed", "BME"),
    "E": ("Mixed - White and Black African", "Mixed", "BME"),
    "F": ("Mixed - White and Asian", "Mixed", "BME"),
    "G": ("Mixed - Any other mixed background", "Mixed", "BME"),
    "H": ("Asian or Asian British - Indian", "Asian", "BME"),
    "J": ("Asian or Asian British - Pakistani", "Asian", "BME"),
    "K": ("Asian or Asian British - Bangladeshi", "Asian", "BME"),
    "L": ("Asian or Asian British - Any other Asian background", "Asian", "BME"),
    "M": ("Black or Black British - Caribbean", "Black", "BME"),
    "N": ("Black or Black British - African", "Black", "BME"),
    "P": ("Black or Black British - Any other Black background", "Black", "BME"),
    "R": ("Other ethnic groups - Chinese", "Chinese", "BME"),
    "S": ("Other ethnic groups - Any other ethnic group", "Other", "BME"),
    "Z": ("Not stated", "Unknown", "Unknown"),
    "99": ("Not known", "Unknown", "Unknown"),
}

WRES_GROUPS: tuple[str, ...] = ("White", "BME", "Unknown")
BROAD_ETHNIC_GROUPS: tuple[str, ...] = (
    "White", "Mixed", "Asian", "Black", "Chinese", "Other", "Unknown",
)

#: 2021 census ethnic group labels (England and Wales, 19 categories) -> NHS code, by meaning.
#: Gypsy or Irish Traveller and Roma are White groups; Arab is an "other ethnic group".
CENSUS_2021_TO_NHS: dict[str, str] = {
    "White: English, Welsh, Scottish, Northern Irish or British": "A",
    "White: Irish": "B",
    "White: Gypsy or Irish Traveller": "C",
    "White: Roma": "C",
    "White: Other White": "C",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "D",
    "Mixed or Multiple ethnic groups: White and Black African": "E",
    "Mixed or Multiple ethnic groups: White and Asian": "F",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "G",
    "Asian, Asian British or Asian Welsh: Indian": "H",
    "Asian, Asian British or Asian Welsh: Pakistani": "J",
    "Asian, Asian British or Asian Welsh: Bangladeshi": "K",
    "Asian, Asian British or Asian Welsh: Chinese": "R",
    "Asian, Asian British or Asian Welsh: Other Asian": "L",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": "M",
    "Black, Black British, Black Welsh, Caribbean or African: African": "N",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "P",
    "Other ethnic group: Arab": "S",
    "Other ethnic group: Any other ethnic group": "S",
}


def _label_key(text: str) -> str:
    """A label as compared: letters and digits only, lower case ("White British", "White -
    British" and Windows-1252's "Mixed – White and Asian" read as the Data Dictionary's)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


_LABEL_TO_CODE: dict[str, str] = {_label_key(v[0]): k for k, v in ETHNIC_CATEGORIES.items()} | {
    _label_key(k): v for k, v in CENSUS_2021_TO_NHS.items()
}


def _national_code_of(value: Any) -> str | None:
    """The national code of one recorded value.

    A code of one or two characters is read by its first character ("CA" -> "C": the second
    character is local detail); "99" is kept whole; a longer value is matched as a full Data
    Dictionary or 2021 census label ("White - British", "White: Roma"); anything else
    (blank, missing) has none (so "Asian" is never read as code A).

    Examples
    --------
    >>> [_national_code_of(v) for v in ["ca", " 99", "White: Roma", "Asian", "", None]]
    ['C', '99', 'C', None, None, None]
    >>> [_national_code_of(v) for v in ["White British", "Mixed \u2013 White and Asian"]]
    ['A', 'F']
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    if text == "99":
        return text
    return text[0].upper() if len(text) <= 2 else _LABEL_TO_CODE.get(_label_key(text))


def ethnicity_group(codes: pd.Series, *, grouping: str = "wres", bme_label: str = "BME") -> pd.Series:
    """Map NHS ethnic category codes to a grouping.

    Parameters
    ----------
    codes
        Detailed codes as recorded (``"A"``, ``"CA"`` - local detail after the first character -,
        ``"Z"``, ``"99"``, blank).
    grouping
        ``"wres"`` (White / BME / Unknown), ``"broad"`` (White, Mixed, Asian, Black, Chinese,
        Other, Unknown), ``"detailed"`` (the national code's label) or ``"white_british"``
        (White British / Ethnic minority / Unknown, the default pay-gap comparison, where
        ethnic minority includes White Irish and Other White, as in ONS usage).
    bme_label
        Label for the BME group ("global majority" is an accepted alternative).

    Notes
    -----
    Blank, ``Z``, ``99`` and unrecognised codes are all "Unknown": kept, never dropped.

    Examples
    --------
    >>> ethnicity_group(pd.Series(["A", "CA", "N", "Z", None, "Q"])).tolist()
    ['White', 'White', 'BME', 'Unknown', 'Unknown', 'Unknown']
    """
    values = pd.Series(codes, dtype=object)
    mapping: dict[str | None, str]  # national code (None: none) -> group
    if grouping == "wres":
        mapping = {k: (bme_label if v[2] == "BME" else v[2]) for k, v in ETHNIC_CATEGORIES.items()}
    elif grouping == "broad":
        mapping = {k: v[1] for k, v in ETHNIC_CATEGORIES.items()}
    elif grouping == "detailed":
        mapping = {k: v[0] for k, v in ETHNIC_CATEGORIES.items()}
        mapping["Z"] = mapping["99"] = "Unknown"
    elif grouping == "white_british":
        mapping = {k: ("White British" if k == "A" else "Ethnic minority") for k in ETHNIC_CATEGORIES}
        mapping["Z"] = mapping["99"] = "Unknown"
    else:
        from equity.errors import check_choice

        check_choice("grouping", grouping, ["wres", "broad", "detailed", "white_british"])
    return per_value(values, lambda v: mapping.get(_national_code_of(v), "Unknown"))


def is_known_ethnic_code(codes: pd.Series) -> pd.Series:
    """True where the national part of the code is in the Data Dictionary list (blank is False)."""
    return per_value(codes, lambda v: _national_code_of(v) in ETHNIC_CATEGORIES, dtype=bool)


# --------------------------------------------------------------------------- disability, sex, orientation

#: Disability as recorded -> WDES group.
DISABILITY_CODES: dict[str, str] = {
    "Yes": "Disabled",
    "No": "Non-disabled",
    "Not declared": "Unknown",
    "Unspecified": "Unknown",
}
WDES_GROUPS: tuple[str, ...] = ("Disabled", "Non-disabled", "Unknown")

SEX_CODES: dict[str, str] = {"Female": "Female", "Male": "Male", "F": "Female", "M": "Male"}
SEX_GROUPS: tuple[str, ...] = ("Female", "Male")

#: NHS Data Dictionary SEXUAL ORIENTATION CODE.
SEXUAL_ORIENTATION_CODES: dict[str, str] = {
    "1": "Heterosexual or Straight",
    "2": "Gay or Lesbian",
    "3": "Bisexual",
    "4": "Other sexual orientation not listed",
    "U": "Undecided",
    "Z": "Not stated",
    "9": "Not known",
}
SEXUAL_ORIENTATION_UNDECLARED: tuple[str, ...] = ("U", "Z", "9")

AGE_BANDS: tuple[str, ...] = ("<25", "25-34", "35-44", "45-54", "55-64", "65+")


def disability_group(values: pd.Series) -> pd.Series:
    """Map recorded disability ("Yes" / "No" / "Not declared" / blank) to the WDES groups.

    Examples
    --------
    >>> disability_group(pd.Series(["Yes", "No", "Not declared", None])).tolist()
    ['Disabled', 'Non-disabled', 'Unknown', 'Unknown']
    """
    return values.astype("string").str.strip().map(DISABILITY_CODES).fillna("Unknown").astype(object)


def sex_group(values: pd.Series) -> pd.Series:
    """Map recorded sex to Female / Male / Unknown."""
    return values.astype("string").str.strip().map(SEX_CODES).fillna("Unknown").astype(object)


def sexual_orientation_group(values: pd.Series) -> pd.Series:
    """Map sexual orientation codes to labels; U, Z, 9, blank and unknown codes -> "Unknown"."""
    s = values.astype("string").str.strip()
    out = s.map({k: v for k, v in SEXUAL_ORIENTATION_CODES.items() if k not in SEXUAL_ORIENTATION_UNDECLARED})
    return out.fillna("Unknown").astype(object)


# --------------------------------------------------------------------------- bands

#: The band ladder, lowest first. AfC bands, then VSM; medical grades sit off the AfC ladder.
AFC_BANDS: tuple[str, ...] = (
    "Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7",
    "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM",
)
MEDICAL_GRADES: tuple[str, ...] = (
    "Medical: Foundation", "Medical: Trainee", "Medical: SAS", "Medical: Consultant",
)
BANDS: tuple[str, ...] = AFC_BANDS + MEDICAL_GRADES
BAND_ORDER: dict[str, int] = {b: i for i, b in enumerate(AFC_BANDS)} | {
    g: 100 + i for i, g in enumerate(MEDICAL_GRADES)
}
SENIOR_BANDS: tuple[str, ...] = ("Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM")
#: Band groups for the pipeline disparity ratio (docs/methodology.md): <=5, 6-7, 8a+.
BAND_GROUPS: dict[str, str] = (
    {f"Band {i}": "lower" for i in range(1, 6)}
    | {"Band 6": "middle", "Band 7": "middle"}
    | {b: "upper" for b in SENIOR_BANDS}
)
_BAND_ALIASES = {
    **{str(i): f"Band {i}" for i in range(1, 10)},
    **{f"{i}": f"Band {i}" for i in ("8a", "8b", "8c", "8d")},
}


def per_value(s: pd.Series, fn: Callable[[Any], Any], dtype: Any = object) -> pd.Series:
    """``fn`` of each value of ``s``, computed once per distinct value (code columns and count
    tables repeat a few values over millions of rows). Missing values get ``fn(None)``.

    Examples
    --------
    >>> per_value(pd.Series(["a", "b", "a", None]), lambda v: v is None).tolist()
    [False, False, False, True]
    """
    if isinstance(s.dtype, pd.CategoricalDtype):  # e.g. dictionary-encoded Parquet text
        codes_, uniq = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes_, uniq = pd.factorize(s, use_na_sentinel=True)
    mapped = np.empty(len(uniq) + 1, dtype=dtype)
    mapped[:] = [*(fn(v) for v in uniq), fn(None)]
    # a new array: no need for pandas' defensive copy (1 s a column at national scale)
    return pd.Series(mapped[codes_], index=s.index, dtype=dtype, copy=False)


def name_key(value: Any) -> str:
    """A free-text name (directorate, staff group, profession...) as compared when looking
    for the same name written two ways: without case or repeated spaces."""
    return " ".join(str(value).split()).casefold()


def normalise_band(values: pd.Series) -> pd.Series:
    """Accept "5", "Band 5", "band 8A", "8a", ESR's "Review Body Band 5" and "Band 8 - Range A"
    -> canonical labels; unknown strings are kept as given.

    >>> normalise_band(pd.Series(["Review Body Band 5", "Band 8 - Range A", "8c", "F1"])).tolist()
    ['Band 5', 'Band 8a', 'Band 8c', 'F1']
    """
    return per_value(pd.Series(values, dtype=object), _normalise_band_value)


def _normalise_band_value(v: Any) -> Any:
    # ESR writes "Review Body Band 5" and "Band 8 - Range A" for Band 5 and Band 8a
    if v is None:
        return None
    s = str(v).strip()
    m = re.sub(r"^(review\s+body\s+)?band\s*", "", s.lower())
    m = re.sub(r"^(\d)\s*-?\s*range\s*([a-d])$", r"\1\2", m)
    return "VSM" if m.upper() == "VSM" else _BAND_ALIASES.get(m, s)


def band_rank(bands: pd.Series) -> pd.Series:
    """Position on the ladder (NaN for unrecognised bands)."""
    return bands.map(BAND_ORDER).astype(float)


# --------------------------------------------------------------------------- professions, staff groups

AHP_STAFF_GROUP = "Allied Health Professionals"

#: Agenda for Change bands as the WRES groups them (cluster label, its bands): band tables
#: that would withhold most bands one by one are shown by cluster.
WRES_CLUSTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Bands 1-4", ("Band 1", "Band 2", "Band 3", "Band 4")),
    ("Bands 5-7", ("Band 5", "Band 6", "Band 7")),
    ("Bands 8a-8b", ("Band 8a", "Band 8b")),
    ("Bands 8c-VSM", ("Band 8c", "Band 8d", "Band 9", "VSM")),
)
STAFF_GROUPS: tuple[str, ...] = (
    AHP_STAFF_GROUP,
    "Nursing and Midwifery",
    "Medical and Dental",
    "Additional Clinical Services",
    "Additional Professional Scientific and Technical",
    "Healthcare Scientists",
    "Administrative and Clerical",
    "Estates and Ancillary",
)
NON_CLINICAL_STAFF_GROUPS: tuple[str, ...] = ("Administrative and Clerical", "Estates and Ancillary")

#: The 14 Allied Health Professions (NHS England); radiographers have two registers.
AHP_PROFESSIONS: tuple[str, ...] = (
    "Art therapist",
    "Dietitian",
    "Dramatherapist",
    "Music therapist",
    "Occupational therapist",
    "Operating department practitioner",
    "Orthoptist",
    "Osteopath",
    "Paramedic",
    "Physiotherapist",
    "Podiatrist",
    "Prosthetist and orthotist",
    "Radiographer (diagnostic)",
    "Radiographer (therapeutic)",
    "Speech and language therapist",
)
#: The nine AHP professions the sample trust employs.
TRUST_AHP_PROFESSIONS: tuple[str, ...] = (
    "Art therapist", "Dramatherapist", "Music therapist", "Dietitian", "Occupational therapist",
    "Paramedic", "Physiotherapist", "Podiatrist", "Speech and language therapist",
)

CONTRACT_TYPES: tuple[str, ...] = ("Substantive", "Fixed term", "Bank")
CASEWORK_PROCESSES: tuple[str, ...] = ("disciplinary", "capability")
#: WDES 3's capability reasons: it counts performance cases, not ill health.
CAPABILITY_REASONS: tuple[str, ...] = ("performance", "ill health")

#: ESR-style leaving reasons; "Other / not known" is always kept visible.
LEAVING_REASONS: tuple[str, ...] = (
    "Retirement",
    "Work life balance",
    "Relocation",
    "Promotion",
    "Better reward package",
    "Health",
    "Incompatible working relationships",
    "End of fixed term contract",
    "Dismissal",
    "Other / not known",
)


def is_clinical(staff_group: pd.Series) -> pd.Series:
    """WRES 1 clinical split: every staff group except admin & clerical and estates & ancillary."""
    return ~staff_group.isin(NON_CLINICAL_STAFF_GROUPS)


# --------------------------------------------------------------------------- periods

_FY = re.compile(r"^(\d{4})/(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """An NHS financial year, e.g. ``Period.parse("2024/25")``.

    ``start`` is 1 April, ``end`` (and ``snapshot``) 31 March; ``start_snapshot`` is the 31
    March snapshot that opens the year (the previous year's end).

    Examples
    --------
    >>> p = Period.parse("2024/25")
    >>> p.start, p.end, p.start_snapshot
    (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), datetime.date(2024, 3, 31))
    >>> str(p.previous())
    '2023/24'
    """

    start_year: int

    @classmethod
    def parse(cls, label: str | Period) -> Period:
        if isinstance(label, Period):
            return label
        m = _FY.match(str(label).strip())
        if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
            raise PeriodError(
                f"Period {label!r} is not an NHS financial year. Write it as 'YYYY/YY' with "
                "consecutive years, e.g. '2024/25' (1 April 2024 to 31 March 2025)."
            )
        return cls(int(m.group(1)))

    @classmethod
    def containing(cls, date: dt.date) -> Period:
        """The financial year a date falls in."""
        return cls(date.year if date.month >= 4 else date.year - 1)

    @classmethod
    def ending_at(cls, snapshot: dt.date) -> Period:
        """The financial year whose closing 31 March snapshot is ``snapshot``."""
        return cls(snapshot.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    @property
    def snapshot(self) -> dt.date:
        return self.end

    @property
    def start_snapshot(self) -> dt.date:
        return dt.date(self.start_year, 3, 31)

    def previous(self) -> Period:
        return Period(self.start_year - 1)

    def next(self) -> Period:
        return Period(self.start_year + 1)

    def __str__(self) -> str:
        return self.label


def periods_from_snapshots(snapshot_dates: pd.Series | list[dt.date]) -> list[Period]:
    """Financial years whose closing 31 March snapshot appears among ``snapshot_dates``."""
    dates = pd.to_datetime(pd.Series(list(snapshot_dates))).dropna().dt.date.unique()
    years = sorted({Period.ending_at(d) for d in dates if d.month == 3 and d.day == 31})
    return years


#: A time of day with a UTC offset or "Z" after it (an export's timestamps): the offset is
#: dropped, so the date is the one the clock showed where it was written.
_TIME_ZONE = re.compile(r"^(\S+[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|[+-]\d{2}:?\d{2})$")


def to_date(values: pd.Series) -> pd.Series:
    """Parse ISO dates (already-parsed values pass through) to ``datetime64[ns]``; bad -> NaT.

    A timestamp with a UTC offset reads as its local date; a date outside what
    ``datetime64[ns]`` holds (before 1677 or after 2262, ESR's "no end date" 4712-12-31) is
    NaT, so validation names it as a date it cannot read.

    >>> to_date(pd.Series(["2025-03-31", "2024-05-01T23:30:00+01:00", "4712-12-31"])).tolist()
    [Timestamp('2025-03-31 00:00:00'), Timestamp('2024-05-01 23:30:00'), NaT]
    """
    try:  # (one offset throughout: aware, read as its wall time by in_ns_range)
        parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    except ValueError:  # several offsets, or offsets beside plain dates
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.map(lambda v: _TIME_ZONE.sub(r"\1", v) if isinstance(v, str) else v)
        try:
            parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
        except ValueError:  # already-parsed values in more than one time zone
            parsed = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
    return in_ns_range(parsed)


def in_ns_range(parsed: pd.Series) -> pd.Series:
    """Parsed dates as naive ``datetime64[ns]`` (local wall time for time-zone aware ones),
    NaT for a date outside its range (1677-09-21 to 2262-04-11)."""
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    out = (parsed < pd.Timestamp.min) | (parsed > pd.Timestamp.max)
    if out.any():
        parsed = parsed.mask(out)
    return parsed.astype("datetime64[ns]")
