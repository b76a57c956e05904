"""Training scenarios (``indicators/scenarios/*.yaml``): loaded and checked like the rest of the content."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from screening.core.checking import Checker
from screening.core.errors import ScoringInputError
from screening.core.inputs import INPUT_KEYS, parse_screening_input
from screening.core.model import PRIORITIES, Directory, IndicatorSet, Scenario
from screening.core.yamlfile import PathKey

SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,60}$")
SCENARIO_KEYS = (
    "id",
    "set",
    "version",
    "source",
    "title",
    "narrative",
    "profile",
    "must_mark",
    "may_mark",
    "expected",
    "teaching_notes",
)


def parse_scenario(
    c: Checker,
    data: dict[str, Any],
    stem: str,
    sets: Mapping[tuple[str, str], IndicatorSet],
    directory: Directory | None,
    broken: frozenset[tuple[str, str]] = frozenset(),
) -> Scenario | None:
    """``broken`` lists set versions whose file exists but did not load (already reported)."""
    c.only_keys(data, (), SCENARIO_KEYS)
    scenario_id = c.identifier(data, (), "id", SCENARIO_ID)
    if scenario_id and scenario_id != stem:
        c.report(("id",), f"id {scenario_id!r} does not match the file name {stem}.yaml")
    set_id, version = c.string(data, (), "set"), c.value(data, (), "version", str)
    indicator_set = sets.get((set_id or "", version or ""))
    if (set_id or "", version or "") in broken:
        return None  # the set's own problems are reported; do not cascade
    if (set_id or "", version or "") in broken:
        return None  # the set's own problems are reported; do not cascade
    if set_id and version and indicator_set is None:
        c.report(("version",), f"no indicator set {set_id} version {version}")
    title, narrative, notes = (
        c.text(data, (), "title"),
        c.text(data, (), "narrative"),
        c.text(data, (), "teaching_notes"),
    )
    source = c.value(data, (), "source", str, required=False, default="")
    profile = _profile(c, data)
    must = _ids(c, data, "must_mark", indicator_set, required=True)
    may = _ids(c, data, "may_mark", indicator_set, required=False)
    for overlap in sorted(set(must) & set(may)):
        c.report(("may_mark",), f"{overlap!r} is already in must_mark")
    level, referrals = _expected(c, data, directory)
    values = (scenario_id, indicator_set, title, narrative, notes, profile, level, referrals)
    if c.problems or any(v is None for v in values):
        return None
    return Scenario(
        id=scenario_id or "",
        set_id=set_id or "",
        set_version=version or "",
        title=title or {},
        narrative=narrative or {},
        profile=MappingProxyType(profile or {}),
        must_mark=must,
        may_mark=may,
        expected_level=level or 0,
        expected_referrals=MappingProxyType(referrals or {}),
        teaching_notes=notes or {},
        file=c.file,
        source=(source or "").strip(),
    )


def _profile(c: Checker, data: Mapping[str, Any]) -> dict[str, Any] | None:
    profile = c.mapping(data.get("profile"), ("profile",))
    if profile is None:
        return None
    c.only_keys(profile, ("profile",), [k for k in INPUT_KEYS if k not in ("answers", "safety")])
    try:
        parse_screening_input(profile)
    except ScoringInputError as exc:
        c.report(("profile",), str(exc))
        return None
    return dict(profile)


def _ids(
    c: Checker, data: Mapping[str, Any], key: str, indicator_set: IndicatorSet | None, *, required: bool
) -> tuple[str, ...]:
    raw = data.get(key)
    if raw is None and not required:
        return ()
    items = c.sequence(raw, (key,)) or []
    if required and not items:
        c.report((key,), "list at least one indicator")
    for index, item in enumerate(items):
        if indicator_set is not None and item not in indicator_set.item_ids:
            c.report((key, index), f"{item!r} is not an indicator of {indicator_set.ref}")
    c.unique(((str(item), (key, i)) for i, item in enumerate(items)), "indicator")
    return tuple(str(item) for item in items)


def _expected(
    c: Checker, data: Mapping[str, Any], directory: Directory | None
) -> tuple[int | None, dict[str, str] | None]:
    path: PathKey = ("expected",)
    expected = c.mapping(data.get("expected"), path)
    if expected is None:
        return None, None
    c.only_keys(expected, path, ("level", "referrals"))
    level = c.value(expected, path, "level", int)
    if level is not None and level not in (0, 1, 2, 3):
        c.report((*path, "level"), "a level is 0, 1, 2 or 3")
    referrals = expected.get("referrals") or {}
    if not isinstance(referrals, dict):
        c.report((*path, "referrals"), "map each contact to a priority")
        return level, None
    for contact, priority in referrals.items():
        if directory is not None and contact not in directory.contacts:
            c.report((*path, "referrals", str(contact)), f"unknown contact {contact!r}")
        if priority not in PRIORITIES:
            c.report((*path, "referrals", str(contact)), f"unknown priority {priority!r}")
    return level, {str(k): str(v) for k, v in referrals.items()}
