"""What the paper forms print, shaped from the loaded content (no Flask, no database).

The paper checklist, the pocket card, the scenario handout and the answer key are generated from
the same sets, bank, scoring rules, referral rules, contacts directory and scenarios the tablet
uses, so a change of content changes the paper too and nothing is copied by hand. This module
only selects and orders; the wording of the interface is left to the templates (gettext).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from screening.core.assessment import assess
from screening.core.inputs import parse_screening_input
from screening.core.model import (
    PRIORITIES,
    Contact,
    Content,
    Indicator,
    IndicatorSet,
    LevelRule,
    ReferralRules,
    SafetyCheck,
    Scenario,
    ScoringRules,
    Text,
    Threshold,
)


@dataclass(frozen=True)
class DimensionRule:
    """When one scored dimension is positive: any one of ``thresholds`` (minimum yes counts)."""

    dimension: str
    name: Text
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True)
class ContactStep:
    """A contact a referral rule names, with its priority."""

    contact: Contact
    priority: str


@dataclass(frozen=True)
class ReferralRow:
    """One referral rule in plain words: its reason (which says the situation) and whom it names."""

    reason: Text
    contacts: tuple[ContactStep, ...]


def outcomes(rules: ScoringRules, *, child: bool) -> tuple[LevelRule, ...]:
    """The outcomes that apply to adults (or to children), in the order the engine tries them:
    the first that holds is the result, level 0 last."""
    applicable = tuple(
        rule for rule in rules.levels if rule.level > 0 and (rule.child if child else rule.adult) is not None
    )
    return (*applicable, rules.level_zero)


def explanation(rule: LevelRule, *, child: bool) -> Text:
    return rule.explanation_child if child else rule.explanation_adult


def dimension_rules(rules: ScoringRules) -> tuple[DimensionRule, ...]:
    """Every scored dimension with the yes counts that make it positive (unscored ones left out)."""
    return tuple(
        DimensionRule(dimension, rules.dimension_names[dimension], rules.thresholds_for(dimension))
        for dimension in rules.dimensions
        if dimension not in rules.unscored
    )


def referral_rows(rules: ReferralRules, contacts: Mapping[str, Contact]) -> tuple[ReferralRow, ...]:
    """The referral rules in their order, each with its reason and the contacts it names."""
    return tuple(
        ReferralRow(rule.reason, tuple(ContactStep(contacts[ref.contact], ref.priority) for ref in rule.refer))
        for rule in rules.rules
    )


def named_contacts(rules: ReferralRules, contacts: Mapping[str, Contact]) -> tuple[Contact, ...]:
    """The contacts the referral rules can name, most pressing first (by the most pressing priority
    any rule gives them), then in the order the rules first name them."""
    best: dict[str, int] = {}
    for rule in rules.rules:
        for ref in rule.refer:
            rank = PRIORITIES.index(ref.priority)
            best[ref.contact] = min(best.get(ref.contact, rank), rank)
    order = list(best)
    return tuple(contacts[key] for key in sorted(order, key=lambda key: (best[key], order.index(key))))


def phone_confirmed(contact: Contact) -> bool:
    """A number is shown as confirmed only when the directory publishes it."""
    return bool(contact.phone) and contact.phone_status == "published"


def effective_strength(indicator: Indicator, *, child: bool) -> str:
    """The strength an indicator counts with: an everyday observation (``speak_alone``) counts as
    weak whatever its stated strength, as the scoring engine counts it."""
    return "weak" if indicator.speak_alone else indicator.strength(child)


def strongest(indicator_set: IndicatorSet) -> tuple[Indicator, ...]:
    """The set's own indicators whose strength (for an adult, as the indicator list shows it) is
    strong, in the set's order; the child module is not repeated."""
    return tuple(i for s in indicator_set.sections for i in s.indicators if i.strength_adult == "strong")


def urgent_items(indicator_set: IndicatorSet) -> tuple[SafetyCheck | Indicator, ...]:
    """What means danger now: the urgent safety checks and the urgent indicators."""
    checks = tuple(c for c in indicator_set.safety_checks if c.signal == "urgent")
    return (*checks, *(i for i in indicator_set.indicators if i.urgent))


@dataclass(frozen=True)
class AnswerKey:
    """What a trainer needs to correct a scenario: what to find, and where it leads."""

    scenario: Scenario
    indicator_set: IndicatorSet
    must_find: tuple[SafetyCheck | Indicator, ...]
    may_find: tuple[SafetyCheck | Indicator, ...]
    child: bool
    outcome: LevelRule
    contacts: tuple[tuple[Contact, str, tuple[Text, ...]], ...]


def answer_key(content: Content, scenario: Scenario) -> AnswerKey:
    """The scenario's must-find and may-find items (as items, to print by their texts) and the outcome
    and contacts the engine computes from its profile and must-find answers (a content test keeps
    them equal to the scenario's ``expected``)."""
    indicator_set = content.get_set(scenario.set_id, scenario.set_version)
    assert indicator_set is not None, "the loader checks a scenario's set"
    items: dict[str, SafetyCheck | Indicator] = {c.id: c for c in indicator_set.safety_checks}
    items |= {i.id: i for i in indicator_set.indicators}
    profile, _ = parse_screening_input(dict(scenario.profile))
    assessment = assess(content, indicator_set, dict.fromkeys(scenario.must_mark, "yes"), profile)
    rules = content.scoring_for(indicator_set)
    directory = content.directory.contacts
    return AnswerKey(
        scenario=scenario,
        indicator_set=indicator_set,
        must_find=tuple(items[i] for i in scenario.must_mark),
        may_find=tuple(items[i] for i in scenario.may_mark),
        child=assessment.result.child,
        outcome=rules.outcome(assessment.result.level_key),
        contacts=tuple((directory[r.contact], r.priority, r.reasons) for r in assessment.referrals),
    )
