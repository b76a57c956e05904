"""Reading a screening's answers from plain data (a YAML or JSON file, a stored record)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from screening.core.errors import ScoringInputError
from screening.core.profile import AGE_ESTIMATES, CONSENT_VALUES, Profile

INPUT_KEYS = (
    "age",
    "age_uncertain",
    "age_estimate",
    "foreign_national",
    "asylum_seeker",
    "municipality",
    "consent",
    "answers",
    "safety",
)


def _flag(data: Mapping[str, Any], key: str, *, allow_unknown: bool = False) -> bool | None:
    value = data.get(key, None if allow_unknown else False)
    if value is None or (allow_unknown and value == "unknown"):
        return None if allow_unknown else False
    if not isinstance(value, bool):
        raise ScoringInputError(f"{key} must be true or false, found {value!r}")
    return value


def _age(value: Any) -> int | None:
    if value is None or value == "unknown":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
        raise ScoringInputError(f"age must be a whole number of years (0-120) or 'unknown', found {value!r}")
    return value


def _answers(data: Mapping[str, Any], key: str) -> dict[str, str]:
    raw = data.get(key) or {}
    if not isinstance(raw, Mapping):
        raise ScoringInputError(f"{key} must map indicator ids to yes, no, unknown or not_asked")
    # YAML 1.1 reads a bare yes/no as a boolean; accept that spelling rather than punish it.
    return {str(k): ("yes" if v is True else "no" if v is False else str(v)) for k, v in raw.items()}


def parse_screening_input(data: Any) -> tuple[Profile, dict[str, str]]:
    """Turn ``{age, foreign_national, asylum_seeker, answers, ...}`` into a profile and answers."""
    if not isinstance(data, Mapping):
        raise ScoringInputError("the answers file must hold a mapping with at least 'answers'")
    unknown = [k for k in data if k not in INPUT_KEYS]
    if unknown:
        raise ScoringInputError(f"unknown key(s) {', '.join(map(str, unknown))} (allowed: {', '.join(INPUT_KEYS)})")
    consent = data.get("consent", "not_recorded")
    if consent not in CONSENT_VALUES:
        raise ScoringInputError(f"consent must be one of {', '.join(CONSENT_VALUES)}, found {consent!r}")
    municipality = data.get("municipality")
    if municipality is not None and not isinstance(municipality, str):
        raise ScoringInputError("municipality must be a municipality key such as 'prishtine'")
    estimate = data.get("age_estimate")
    if estimate is not None and estimate not in AGE_ESTIMATES:
        raise ScoringInputError(f"age_estimate must be one of {', '.join(AGE_ESTIMATES)}, found {estimate!r}")
    profile = Profile(
        age=_age(data.get("age")),
        age_estimate=estimate,
        age_uncertain=bool(_flag(data, "age_uncertain")),
        foreign_national=_flag(data, "foreign_national", allow_unknown=True),
        asylum_seeker=bool(_flag(data, "asylum_seeker")),
        municipality=municipality,
        consent=consent,
    )
    answers = {**_answers(data, "safety"), **_answers(data, "answers")}
    return profile, answers
