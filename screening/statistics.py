"""Aggregate counts for the National Coordinator, in the shape of the Strategy's section 1.4 tables.

Pure functions over counts (no Flask, no database): the database counts (``screening.statistics_db``),
these functions put the counts in the page's order and shape for the dashboard and its CSV exports.
Small cells are suppressed: a count from 1 to ``threshold - 1`` leaves as "<threshold", so that no
person can be singled out, and further cells are hidden the same way where a total would give a small
one back (``screening.disclosure``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from screening.disclosure import Protection, Sum, Total, marker, protect

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
    """Primary suppression of one count on its own; tables go through ``tables`` for complementary suppression."""
    return marker(threshold) if 0 < count < threshold else count


Table = list[tuple[str, int | str, int]]  # (key, count as shown, count for drawing: 0 when hidden)
ALL = "all"  # every completed screening in the filter: the page shows this total
SERIOUS = "serious"  # possible or presumed: not shown, but the levels table gives it away
#: Tables with exactly one cell per screening, so their cells add up to the page's total.
ONE_PER_SCREENING = ("by_month", "by_institution", "by_municipality", "by_set", "by_level")
#: Tables with exactly one cell per possible or presumed case.
ONE_PER_SERIOUS_CASE = ("serious_by_sex", "serious_by_age", "serious_by_origin")
# by_referral and serious_by_form may count a screening several times or not at all: no total.


#: Every table of the dashboard, in the page's order (which also breaks ties in the suppression).
TABLES = (*ONE_PER_SCREENING, "by_referral", *ONE_PER_SERIOUS_CASE, "serious_by_form")
Counts = Mapping[str, Mapping[str, int]]  # table -> key -> count, as the database counted them


def _orders(sets: Iterable[str]) -> dict[str, list[str]]:
    """The keys each table lists first, in this order, even at 0; other keys follow, sorted."""
    return {
        "by_set": list(sets),
        "by_level": ["0", "1", "2", "3"],
        "serious_by_sex": ["female", "male", "not_stated", UNKNOWN],
        "serious_by_age": [k for k, _, _ in AGE_GROUPS] + [UNKNOWN],
        "serious_by_origin": ["XK"],
    }


def _ordered(found: Mapping[str, int], order: Iterable[str] | None) -> dict[str, int]:
    keys = list(order) if order is not None else sorted(found)
    keys += [k for k in sorted(found) if k not in keys]
    return {key: found.get(key, 0) for key in keys}


def ordered(found: Counts, sets: Iterable[str] = ()) -> dict[str, dict[str, int]]:
    """Every table of the dashboard as key → count in the page's order, before any suppression."""
    orders = _orders(sets)
    return {name: _ordered(found.get(name, {}), orders.get(name)) for name in TABLES}


def protect_page(tables: Mapping[str, Mapping[str, int]], threshold: int) -> Protection:
    """Primary and complementary suppression for the dashboard's tables, which share two totals.

    Every screening is in one cell of each ``ONE_PER_SCREENING`` table, so each adds up to the shown
    total; possible and presumed cases are levels 2 and 3, and the ``ONE_PER_SERIOUS_CASE`` tables add
    up to that number, which the page does not show but the levels table may give away.
    """
    levels = tables["by_level"]
    everyone = sum(levels.values())
    serious = sum(levels.get(str(level), 0) for level in SERIOUS_LEVELS)
    sums = [Sum.of_table(ALL, name, tables[name]) for name in ONE_PER_SCREENING]
    sums += [Sum.of_table(SERIOUS, name, tables[name]) for name in ONE_PER_SERIOUS_CASE]
    sums.append(Sum(SERIOUS, tuple(("by_level", str(level)) for level in SERIOUS_LEVELS if str(level) in levels)))
    totals = {ALL: Total(everyone), SERIOUS: Total(serious, published=False)}
    return protect(tables, threshold, totals, sums)


def shown(tables: Mapping[str, Mapping[str, int]], protection: Protection, threshold: int) -> dict[str, Table]:
    """Each table as (key, count as shown, count for drawing); hidden cells read as the marker, drawn as 0."""
    return {
        name: [
            (key, marker(threshold), 0) if protection.is_suppressed(name, key) else (key, count, count)
            for key, count in cells.items()
        ]
        for name, cells in tables.items()
    }


def tables(found: Counts, threshold: int, sets: Iterable[str] = ()) -> dict[str, Table]:
    return dashboard(found, threshold, sets)[0]


def dashboard(found: Counts, threshold: int, sets: Iterable[str] = ()) -> tuple[dict[str, Table], int | str]:
    """Every table as shown and the page's total as shown (hidden when small or when it would give cells away).

    ``found`` are the database's counts (``screening.statistics_db.counts``); every screening has one
    level, so the levels add up to the page's total.
    """
    made = ordered(found, sets)
    protection = protect_page(made, threshold)
    total = marker(threshold) if ALL in protection.hidden_totals else sum(made["by_level"].values())
    return shown(made, protection, threshold), total


def month_of(moment: dt.datetime) -> str:
    """The month of a moment in UTC ("YYYY-MM"); a naive moment is taken as UTC already."""
    return (moment.astimezone(dt.UTC) if moment.tzinfo else moment).strftime("%Y-%m")


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
