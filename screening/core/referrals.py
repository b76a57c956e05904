"""Choose whom to refer to, from the ordered, declarative SOP rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from screening.core.model import PRIORITIES, ReferralRules, Text
from screening.core.profile import CONSENT_VALUES, Profile
from screening.core.scoring import ScoreResult

__all__ = ["CONDITION_FIELDS", "CONSENT_VALUES", "Referral", "choose_referrals"]

#: The fields a rule's ``when`` may name, and the kind of value each takes: a level, true or false,
#: or a list of forms, dimensions, consent values, outcome keys or item ids.
CONDITION_FIELDS: Mapping[str, str] = {
    "level_at_least": "level",
    "level": "level",
    "child": "bool",
    "urgent": "bool",
    "medical_emergency": "bool",
    "foreign_national": "bool",
    "asylum_seeker": "bool",
    "age_to_establish": "bool",
    "forms_any": "forms",
    "forms_none": "forms",
    "evidence_in_any": "dimensions",
    "positive_any": "dimensions",
    "consent": "consent",
    "outcome": "outcomes",
    "yes_any": "items",
    "yes_none": "items",
}


@dataclass(frozen=True)
class Referral:
    contact: str
    priority: str
    reasons: tuple[Text, ...]
    rules: tuple[str, ...]
    sop: tuple[str, ...]
    municipality: str | None = None

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        return {
            "contact": self.contact,
            "priority": self.priority,
            "reason": " ".join(reason[language] for reason in self.reasons),
            "rules": list(self.rules),
            "sop": list(self.sop),
            "municipality": self.municipality,
        }


def _facts(result: ScoreResult, profile: Profile) -> dict[str, Any]:
    return {
        "level": result.level,
        "child": result.child,
        "urgent": result.urgent,
        "medical_emergency": result.medical_emergency,
        "foreign_national": profile.foreign_national is True,
        "asylum_seeker": profile.asylum_seeker,
        "forms": set(result.forms),
        "evidence": {finding.dimension for finding in result.dimensions},
        "positive": set(result.positive_dimensions),
        "consent": profile.consent,
        "outcome": result.level_key,
        "yes": set(result.yes),
        "age_to_establish": result.age_to_establish,
    }


#: List fields that test a set of facts: (fact, whether an overlap is wanted).
_SET_FIELDS: Mapping[str, tuple[str, bool]] = {
    "forms_any": ("forms", True),
    "forms_none": ("forms", False),
    "evidence_in_any": ("evidence", True),
    "positive_any": ("positive", True),
    "yes_any": ("yes", True),
    "yes_none": ("yes", False),
}


def _matches(when: Mapping[str, object], facts: Mapping[str, Any]) -> bool:
    for field, expected in when.items():
        if field == "level_at_least":
            ok = facts["level"] >= expected
        elif field in _SET_FIELDS:
            fact, wanted = _SET_FIELDS[field]
            ok = bool(facts[fact] & set(expected)) == wanted  # type: ignore[call-overload]
        elif field in ("consent", "outcome"):
            ok = facts[field] in expected  # type: ignore[operator]
        else:
            ok = facts[field] == expected
        if not ok:
            return False
    return True


def choose_referrals(rules: ReferralRules, result: ScoreResult, profile: Profile) -> tuple[Referral, ...]:
    """Every matching rule adds its contacts; one contact appears once, at its most pressing priority."""
    facts = _facts(result, profile)
    merged: dict[str, Referral] = {}
    for rule in rules.rules:
        if not _matches(rule.when, facts):
            continue
        for ref in rule.refer:
            previous = merged.get(ref.contact)
            if previous is None:
                merged[ref.contact] = Referral(
                    contact=ref.contact,
                    priority=ref.priority,
                    reasons=(rule.reason,),
                    rules=(rule.id,),
                    sop=(rule.sop,),
                    municipality=profile.municipality if ref.contact == "csw" else None,
                )
                continue
            priority = min(previous.priority, ref.priority, key=PRIORITIES.index)
            merged[ref.contact] = Referral(
                contact=ref.contact,
                priority=priority,
                reasons=(*previous.reasons, rule.reason),
                rules=(*previous.rules, rule.id),
                sop=tuple(dict.fromkeys((*previous.sop, rule.sop))),
                municipality=previous.municipality,
            )
    order = list(merged)
    return tuple(sorted(merged.values(), key=lambda r: (PRIORITIES.index(r.priority), order.index(r.contact))))
