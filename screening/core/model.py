"""Immutable objects the content is loaded into. Plain frozen dataclasses, no behaviour beyond lookups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

#: A text in every content language: ``{"sq": ..., "sr_Latn": ..., "en": ...}``.
Text = Mapping[str, str]

STRENGTHS: tuple[str, ...] = ("strong", "medium", "weak")
CHILD_STRENGTHS: tuple[str, ...] = ("strong", "medium")  # the ILO child lists have no weak tier
MODES: tuple[str, ...] = ("observe", "ask")
SIGNALS: tuple[str, ...] = ("urgent", "medical", "privacy")
SET_STATUSES: tuple[str, ...] = ("draft", "released")
PRIORITIES: tuple[str, ...] = ("now", "within_24h", "routine")  # most pressing first
PHONE_STATUSES: tuple[str, ...] = ("published", "to_confirm")
INTENDED_USERS: tuple[str, ...] = (
    "police",
    "border_police",
    "customs",
    "asylum_centre_staff",
    "detention_centre_staff",
    "health_workers",
    "labour_inspectors",
    "social_workers",
    "diplomatic_staff",
    "ngo_staff",
    "trainers",
)
REQUIRED_SAFETY_CHECKS: Mapping[str, str] = MappingProxyType(
    {
        "safety.person_alone": "privacy",
        "safety.interpreter_not_neutral": "privacy",
        "safety.immediate_danger": "urgent",
    }
)
MIN_INDICATORS_PER_SET = 25


def frozen_text(value: Mapping[str, str]) -> Text:
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class Source:
    id: str
    citation: str


@dataclass(frozen=True)
class SafetyCheck:
    id: str
    signal: str
    text: Text
    guidance: Text


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    strength_adult: str
    strength_child: str
    forms: tuple[str, ...]
    mode: str
    urgent: bool
    source: str
    text: Text
    guidance: Text
    source_note: str | None = None
    status: str | None = None
    #: An everyday observation that is a signal only in combination: alone it prompts the screener to
    #: speak to the person alone, never a police referral (scoring 2026.2).
    speak_alone: bool = False
    #: A yes says the person is, or may be, under 18 ("the worker is or may be under 18 and ..."): the
    #: child rule applies even when the profile does not say so (CoE Convention Art. 10(3); bank 2026.5).
    child_sign: bool = False

    def strength(self, child: bool) -> str:
        return self.strength_child if child else self.strength_adult


@dataclass(frozen=True)
class Section:
    id: str
    kind: str  # "safety" | "indicators"
    title: Text
    safety_checks: tuple[SafetyCheck, ...] = ()
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    version: str
    status: str
    released_on: dt.date | None
    scoring: str
    title: Text
    purpose: Text
    intended_users: tuple[str, ...]
    sources: tuple[Source, ...]
    sections: tuple[Section, ...]
    file: str
    sha256: str
    #: The bank version the set selects its items from (``None`` for sets that define items inline).
    bank: str | None = None
    #: Child items that join the set, before the review page, when the person is or may be a child.
    child_sections: tuple[Section, ...] = ()

    def sections_for(self, child: bool) -> tuple[Section, ...]:
        """The sections a screening walks through: the child module joins for a child."""
        return (*self.sections, *self.child_sections) if child else self.sections

    def indicators_for(self, child: bool) -> tuple[Indicator, ...]:
        return tuple(i for s in self.sections_for(child) for i in s.indicators)

    # cached_property writes to the instance __dict__, which a frozen dataclass allows.
    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator a screening of this set may answer, the child module included."""
        return tuple(i for s in (*self.sections, *self.child_sections) for i in s.indicators)

    @cached_property
    def child_sign_ids(self) -> tuple[str, ...]:
        """The items whose yes says the person is or may be under 18 (``Indicator.child_sign``)."""
        return tuple(i.id for i in self.indicators if i.child_sign)

    @cached_property
    def safety_checks(self) -> tuple[SafetyCheck, ...]:
        return tuple(c for s in self.sections for c in s.safety_checks)

    @cached_property
    def item_ids(self) -> frozenset[str]:
        """Every id a screening of this set may answer: indicators and safety checks."""
        return frozenset(i.id for i in self.indicators) | frozenset(c.id for c in self.safety_checks)

    @cached_property
    def _by_id(self) -> Mapping[str, Indicator]:
        return MappingProxyType({i.id: i for i in self.indicators})

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._by_id.get(indicator_id)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass(frozen=True)
class ModuleSection:
    """A section of the bank's child module: a title and bank item ids."""

    id: str
    title: Text
    items: tuple[str, ...]


@dataclass(frozen=True)
class Bank:
    """Every indicator defined once; sets select and order its items."""

    version: str
    status: str
    scoring: str
    sources: tuple[Source, ...]
    safety_checks: Mapping[str, SafetyCheck]
    indicators: Mapping[str, Indicator]
    child_module: tuple[ModuleSection, ...]
    files: tuple[str, ...]


#: The review states of an interviewee language (issue 15).
REVIEW_STATUSES: tuple[str, ...] = ("written", "reviewed_by_native_speaker")
#: The parts of the introduction read to (or shown to) the person, in this order.
INTRODUCTION_PARTS: tuple[str, ...] = ("who_i_am", "not_in_trouble", "may_refuse", "what_happens", "interpreter")
#: The answer words of an interviewee language, by the answer they stand for.
INTERVIEWEE_ANSWERS: tuple[str, ...] = ("yes", "no", "dont_know")


@dataclass(frozen=True)
class IntervieweeTexts:
    """One interviewee language of a bank: what the person reads or hears, never the screener.

    ``items`` holds the question as said to the person for every asked item of the bank's sets and
    child module, phrased so that yes means the indicator holds, as the screener's text.
    """

    language: str
    direction: str  # "rtl" | "ltr", from screening.core.languages
    status: str  # one of REVIEW_STATUSES
    reviewed_by: str | None
    reviewed_on: dt.date | None
    introduction: Mapping[str, str]  # INTRODUCTION_PARTS
    answers: Mapping[str, str]  # INTERVIEWEE_ANSWERS
    find_interpreter: str
    navigation: Mapping[str, str]  # back, next, done
    items: Mapping[str, str]
    file: str

    @property
    def reviewed(self) -> bool:
        return self.status == "reviewed_by_native_speaker"


# --- scoring rules ------------------------------------------------------------------------

#: A condition of the scoring combination, as a small tree:
#: ``{"all": [...]}``, ``{"any": [...]}``, ``{"positive": ("dim", ...)}``, ``{"any_strong": True}``,
#: ``{"any_yes": True}``, ``{"yes_in": ("dim", ...)}``, ``{"strong_in": ...}``, ``{"clear_yes_in": ...}``
#: (a yes that is not an everyday observation), ``{"none_answered_no": ...}``, ``{"yes_to": ("item.id", ...)}``
#: (a yes on one of these indicators).
Condition = Mapping[str, object]


@dataclass(frozen=True)
class Threshold:
    """Minimum counts of ``yes`` answers by strength; ``any`` counts every strength."""

    strong: int = 0
    medium: int = 0
    weak: int = 0
    any: int = 0


@dataclass(frozen=True)
class LevelRule:
    level: int
    key: str
    label: Text
    adult: Condition | None
    child: Condition | None
    explanation_adult: Text
    explanation_child: Text


@dataclass(frozen=True)
class ScoringRules:
    version: str
    status: str
    dimensions: tuple[str, ...]
    dimension_names: Mapping[str, Text]
    forms: tuple[str, ...]
    form_names: Mapping[str, Text]
    thresholds: tuple[Threshold, ...]
    threshold_overrides: Mapping[str, tuple[Threshold, ...]]
    levels: tuple[LevelRule, ...]  # highest level first; level 0 is the fallback
    level_zero: LevelRule
    texts: Mapping[str, Text]
    file: str
    suspected_form_min_share: float = 0.5
    #: When set, suspected forms are the forms of the yes items in these dimensions (2026.2: purpose),
    #: not a share of every item.
    forms_from: tuple[str, ...] = ()
    #: Dimensions that never count towards a level (2026.2: context facts for the referral rules).
    unscored: tuple[str, ...] = ()
    #: 2026.1 counted an unknown age as a child; 2026.2 follows CoE Convention Art. 10(3).
    unknown_age_is_child: bool = True
    #: Dimensions every set scored with these rules must have an item for (default: all).
    set_must_cover: tuple[str, ...] = ()

    def thresholds_for(self, dimension: str) -> tuple[Threshold, ...]:
        return self.threshold_overrides.get(dimension, self.thresholds)

    def level_rule(self, level: int) -> LevelRule:
        """The first (main) outcome of a level."""
        for rule in (*self.levels, self.level_zero):
            if rule.level == level:
                return rule
        raise KeyError(level)

    def outcome(self, key: str) -> LevelRule:
        """An outcome by its key (several outcomes may share a level, e.g. concern and labour_rights)."""
        for rule in (*self.levels, self.level_zero):
            if rule.key == key:
                return rule
        raise KeyError(key)


# --- referrals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    key: str
    name: Text
    role: Text
    phone: str | None
    phone_status: str
    source: str
    per_municipality: bool = False
    name_status: str | None = None


@dataclass(frozen=True)
class Municipality:
    key: str
    name: Text
    csw_phone: str | None
    csw_phone_status: str


@dataclass(frozen=True)
class Directory:
    contacts: Mapping[str, Contact]
    municipalities: Mapping[str, Municipality]
    file: str


@dataclass(frozen=True)
class ContactRef:
    contact: str
    priority: str


@dataclass(frozen=True)
class ReferralRule:
    id: str
    when: Mapping[str, object]
    refer: tuple[ContactRef, ...]
    reason: Text
    sop: str


@dataclass(frozen=True)
class ReferralRules:
    version: str
    status: str
    rules: tuple[ReferralRule, ...]
    file: str


@dataclass(frozen=True)
class Scenario:
    """A training case: a narrative, the answers a careful screener gives, and what they lead to."""

    id: str
    set_id: str
    set_version: str
    title: Text
    narrative: Text
    profile: Mapping[str, object]
    must_mark: tuple[str, ...]
    may_mark: tuple[str, ...]
    expected_level: int
    expected_referrals: Mapping[str, str]
    teaching_notes: Text
    file: str
    #: Where the pattern comes from (ILO 2009, UNODC, GRETA, US TIP ...), one line.
    source: str = ""


@dataclass(frozen=True)
class Content:
    """Everything loaded from a content directory, validated and immutable."""

    sets: Mapping[tuple[str, str], IndicatorSet]
    scoring: Mapping[str, ScoringRules]
    referral_rules: Mapping[str, ReferralRules]
    directory: Directory
    root: str
    defaults: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    scenarios: Mapping[str, Scenario] = field(default_factory=lambda: MappingProxyType({}))
    #: Interviewee languages by bank version, then language (issue 15).
    interviewee: Mapping[str, Mapping[str, IntervieweeTexts]] = field(default_factory=lambda: MappingProxyType({}))

    def interviewee_texts(self, indicator_set: IndicatorSet, language: str | None) -> IntervieweeTexts | None:
        """The person's texts for a set (through its bank) in ``language``, or None."""
        if not indicator_set.bank or not language:
            return None
        return self.interviewee.get(indicator_set.bank, {}).get(language)

    def interviewee_languages(self, indicator_set: IndicatorSet) -> tuple[str, ...]:
        """The interviewee languages a set offers (those its bank has texts for)."""
        return tuple(self.interviewee.get(indicator_set.bank or "", {}))

    def set_ids(self) -> tuple[str, ...]:
        return tuple(sorted({set_id for set_id, _ in self.sets}))

    def versions(self, set_id: str) -> tuple[str, ...]:
        """Versions of a set, oldest first."""
        return tuple(sorted((v for s, v in self.sets if s == set_id), key=version_key))

    def default_version(self, set_id: str) -> str | None:
        """The newest released version of a set."""
        return self.defaults.get(set_id)

    def get_set(self, set_id: str, version: str | None = None) -> IndicatorSet | None:
        version = version or self.default_version(set_id)
        if version is None:
            return None
        return self.sets.get((set_id, version))

    def scoring_for(self, indicator_set: IndicatorSet) -> ScoringRules:
        return self.scoring[indicator_set.scoring]

    def rules_for(self, indicator_set: IndicatorSet) -> ReferralRules:
        """The referral rules written for the set's scoring version, else the newest released."""
        return self.referral_rules.get(indicator_set.scoring) or self.current_rules

    @property
    def current_rules(self) -> ReferralRules:
        """The newest released referral rules."""
        released = [r for r in self.referral_rules.values() if r.status == "released"]
        pool = released or list(self.referral_rules.values())
        return max(pool, key=lambda r: version_key(r.version))


def version_key(version: str) -> tuple[int, ...]:
    """Sort ``2025.1`` < ``2025.2`` < ``2026.1`` numerically."""
    return tuple(int(part) for part in version.split("."))
