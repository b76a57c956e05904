"""One screening from answers to result and referrals: the single entry point for CLI, web and training."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from screening.core.errors import ScoringInputError
from screening.core.model import Content, IndicatorSet
from screening.core.profile import Profile
from screening.core.referrals import Referral, choose_referrals
from screening.core.scoring import ScoreResult, immediate_danger, score

#: Answers that say the question was put (or the thing looked for): "Don't know" is an answer.
ANSWERED = frozenset({"yes", "no", "unknown"})


@dataclass(frozen=True)
class Assessment:
    result: ScoreResult
    referrals: tuple[Referral, ...]
    rules_version: str

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        data = self.result.to_dict()
        data["rules_version"] = self.rules_version
        data["referrals"] = [r.to_dict(language) for r in self.referrals]
        return data


@dataclass(frozen=True)
class Coverage:
    """How much of a screening was actually gone through: the questions its set asked (for a child,
    the child module too; not the safety checks) and how many of them got an answer.

    Level 0 means "no indicator observed", so it is a finding only when at least half of the
    questions asked were answered (then the answers outweigh the blanks). Below that, or when the
    screening stopped for immediate danger before the questions, the screening is *not assessed*.
    A level above 0 always stands: the levels count only yes answers and more answers never lower
    one, so a level reached on part of the questions is already a lower bound.
    """

    answered: int
    asked: int
    stopped_for_danger: bool  # the immediate-danger safety check was answered yes

    def assessed(self, level: int) -> bool:
        """Whether a result at ``level`` is an assessment (see the class)."""
        return level > 0 or (self.asked > 0 and 2 * self.answered >= self.asked)


def coverage(indicator_set: IndicatorSet, answers: Mapping[str, str], *, child: bool) -> Coverage:
    """The coverage of a screening's answers (see :class:`Coverage`)."""
    asked = indicator_set.indicators_for(child)
    return Coverage(
        answered=sum(1 for i in asked if answers.get(i.id) in ANSWERED),
        asked=len(asked),
        stopped_for_danger=immediate_danger(indicator_set, answers),
    )


def resolve_set(content: Content, set_id: str, version: str | None = None) -> IndicatorSet:
    indicator_set = content.get_set(set_id, version)
    if indicator_set is None:
        known = ", ".join(content.versions(set_id)) if set_id in content.set_ids() else None
        if known:
            raise ScoringInputError(f"set {set_id!r} has no version {version!r} (versions: {known})")
        raise ScoringInputError(f"unknown set {set_id!r} (sets: {', '.join(content.set_ids())})")
    return indicator_set


def assess(
    content: Content,
    indicator_set: IndicatorSet,
    answers: Mapping[str, str],
    profile: Profile,
    rules_version: str | None = None,
) -> Assessment:
    if rules_version and rules_version not in content.referral_rules:
        known = ", ".join(sorted(content.referral_rules))
        raise ScoringInputError(f"no referral rules {rules_version!r} (versions: {known})")
    rules = content.referral_rules[rules_version] if rules_version else content.rules_for(indicator_set)
    if profile.municipality and profile.municipality not in content.directory.municipalities:
        raise ScoringInputError(f"unknown municipality {profile.municipality!r}")
    result = score(indicator_set, content.scoring_for(indicator_set), answers, profile)
    return Assessment(result, choose_referrals(rules, result, profile), rules.version)
