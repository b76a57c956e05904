"""One screening from answers to result and referrals: the single entry point for CLI, web and training."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from screening.core.errors import ScoringInputError
from screening.core.model import Content, IndicatorSet
from screening.core.profile import Profile
from screening.core.referrals import Referral, choose_referrals
from screening.core.scoring import ScoreResult, score


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
