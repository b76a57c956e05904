"""Aggregate counts for the National Coordinator, in the shape of the Strategy's section 1.4 tables.

Pure functions over plain rows (no Flask, no database): the dashboard, the CSV exports and the API
share them. Small cells are suppressed: a count from 1 to ``threshold - 1`` leaves as "<threshold",
so that no person can be singled out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The age groups the National Coordinator reports (Strategy, section 1.4).
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("under_18", 0, 17),
    ("18_22", 18, 22),
    ("23_25", 23, 25),
    ("26_30", 26, 30),
    ("31_35", 31, 35),
    ("36_40", 36, 40),
    ("over_40", 41, 200),
)
UNKNOWN = "unknown"
SERIOUS_LEVELS = (2, 3)  # possible and presumed: the cases the section 1.4 tables are about


def age_group(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    return next((key for key, low, high in AGE_GROUPS if low <= age <= high), UNKNOWN)


@dataclass(frozen=True)
class Row:
    """What the statistics may know of one completed screening."""

    month: str
    institution: str
    municipality: str
    set_id: str
    level: int
    sex: str
    age_group: str
    origin: str  # "XK" for Kosovo, an ISO 3166 country code, or "unknown"
    forms: tuple[str, ...]
    referrals: tuple[tuple[str, str], ...]  # (contact, priority)


def coarse_profile(profile: Mapping[str, Any]) -> dict[str, str]:
    """The coarse fields statistics keep after erasure: sex, age group, origin."""
    nationality = profile.get("nationality")
    origin = "XK" if nationality == "kosovo" else (profile.get("country") or UNKNOWN)
    age = None if profile.get("age_unknown") else profile.get("age")
    return {"sex": profile.get("sex") or UNKNOWN, "age_group": age_group(age), "origin": origin}


def suppress(count: int, threshold: int) -> int | str:
    return f"<{threshold}" if 0 < count < threshold else count


def _table(counter: Counter[str], order: Iterable[str] | None, threshold: int) -> list[tuple[str, int | str, int]]:
    """(key, count as shown, count for drawing); suppressed cells are drawn as 0."""
    keys = list(order) if order is not None else sorted(counter)
    keys += [k for k in sorted(counter) if k not in keys]
    rows = []
    for key in keys:
        shown = suppress(counter.get(key, 0), threshold)
        rows.append((key, shown, counter.get(key, 0) if isinstance(shown, int) else 0))
    return rows


def tables(rows: list[Row], threshold: int, sets: Iterable[str] = ()) -> dict[str, list[tuple[str, int | str, int]]]:
    serious = [r for r in rows if r.level in SERIOUS_LEVELS]
    return {
        "by_month": _table(Counter(r.month for r in rows), None, threshold),
        "by_institution": _table(Counter(r.institution for r in rows), None, threshold),
        "by_municipality": _table(Counter(r.municipality for r in rows), None, threshold),
        "by_set": _table(Counter(r.set_id for r in rows), list(sets), threshold),
        "by_level": _table(Counter(str(r.level) for r in rows), ["0", "1", "2", "3"], threshold),
        "by_referral": _table(Counter(f"{c}:{p}" for r in rows for c, p in r.referrals), None, threshold),
        "serious_by_sex": _table(Counter(r.sex for r in serious), ["female", "male", "not_stated", UNKNOWN], threshold),
        "serious_by_age": _table(
            Counter(r.age_group for r in serious), [k for k, _, _ in AGE_GROUPS] + [UNKNOWN], threshold
        ),
        "serious_by_origin": _table(Counter(r.origin for r in serious), ["XK"], threshold),
        "serious_by_form": _table(Counter(f for r in serious for f in r.forms), None, threshold),
    }


def total(rows: list[Row], threshold: int) -> int | str:
    return suppress(len(rows), threshold)


def month_of(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m")


#: Our forms of exploitation in IOM's HTCDS picklists, where they overlap.
HTCDS_SEX_EXPLOITATION = {"prostitution": "Prostitution", "pornography": "Pornography"}
HTCDS_LABOUR_EXPLOITATION = {
    "begging": "Begging",
    "domestic_servitude": "DomesticWork",
    "forced_criminality": "IllicitActivities",
}
HTCDS_GENDER = {"female": "Female", "male": "Male"}
#: Columns of the pseudonymised record export: HTCDS field names where they overlap, ``kos_`` otherwise.
RECORD_COLUMNS = (
    "record_id",
    "kos_CompletedMonth",
    "kos_Institution",
    "kos_Municipality",
    "kos_IndicatorSet",
    "kos_Level",
    "prs_Gender",
    "kos_AgeGroup",
    "prs_Nationality",
    "vic_TypeOfSexExploitation",
    "vic_TypeOfLabourExploitation",
    "kos_FormsOfExploitation",
    "cas_ReferredOrganisation",
)


def record(row: Row, record_id: str) -> dict[str, str]:
    """One pseudonymised line: no case reference, no free text, age as an age group."""
    return {
        "record_id": record_id,
        "kos_CompletedMonth": row.month,
        "kos_Institution": row.institution,
        "kos_Municipality": row.municipality,
        "kos_IndicatorSet": row.set_id,
        "kos_Level": str(row.level),
        "prs_Gender": HTCDS_GENDER.get(row.sex, "Unknown"),
        "kos_AgeGroup": row.age_group,
        "prs_Nationality": "" if row.origin == UNKNOWN else row.origin,
        "vic_TypeOfSexExploitation": ";".join(
            HTCDS_SEX_EXPLOITATION[f] for f in row.forms if f in HTCDS_SEX_EXPLOITATION
        ),
        "vic_TypeOfLabourExploitation": ";".join(
            HTCDS_LABOUR_EXPLOITATION[f] for f in row.forms if f in HTCDS_LABOUR_EXPLOITATION
        ),
        "kos_FormsOfExploitation": ";".join(row.forms),
        "cas_ReferredOrganisation": ";".join(sorted({contact for contact, _ in row.referrals})),
    }
