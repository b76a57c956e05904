"""Reading a screening's answers from plain data (a YAML or JSON file, a stored record)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from screening.core.errors import ScoringInputError
from screening.core.profile import AGE_ESTIMATES, CONSENT_VALUES, Profile
from screening.core.scoring import ANSWERS

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
    return {str(k): _answer(k, v) for k, v in raw.items()}


def _answer(indicator_id: Any, value: Any) -> str:
    """One answer as text. YAML 1.1 reads a bare yes/no as a boolean: that spelling is accepted
    rather than punished. Anything else that is not text (a list, a number, null) is refused here,
    so it never reaches the scoring as the text of a Python object."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, str):
        raise ScoringInputError(f"invalid answer {value!r} for {str(indicator_id)!r} (allowed: {', '.join(ANSWERS)})")
    return value


def parse_screening_input(data: Any) -> tuple[Profile, dict[str, str]]:
    """Turn ``{age, foreign_national, asylum_seeker, answers, ...}`` into a profile and answers."""
    if not isinstance(data, Mapping):
        raise ScoringInputError("the answers file must hold a mapping with at least 'answers'")
    unknown = [k for k in data if k not in INPUT_KEYS]
    if unknown:
        raise ScoringInputError(f"unknown key(s) {', '.join(map(str, unknown))} (allowed: {', '.join(INPUT_KEYS)})")
    consent = data.get("consent", "not_recorded")
    # The isinstance checks keep a list or a mapping out of the membership tests (unhashable there).
    if not isinstance(consent, str) or consent not in CONSENT_VALUES:
        raise ScoringInputError(f"consent must be one of {', '.join(CONSENT_VALUES)}, found {consent!r}")
    municipality = data.get("municipality")
    if municipality is not None and not isinstance(municipality, str):
        raise ScoringInputError("municipality must be a municipality key such as 'prishtine'")
    estimate = data.get("age_estimate")
    if estimate is not None and (not isinstance(estimate, str) or estimate not in AGE_ESTIMATES):
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
