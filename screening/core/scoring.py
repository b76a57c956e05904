"""The presumption score: which ILO dimensions are positive and what level that gives.

Every threshold and combination comes from the versioned scoring file; this module only counts.
Properties the tests hold it to: ``unknown`` and ``not_asked`` never count as ``no`` and never
lower a level; adding a ``yes`` never lowers the level (all conditions are monotone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from screening.core.errors import ScoringInputError
from screening.core.languages import CONTENT_LANGUAGES
from screening.core.model import (
    Condition,
    Indicator,
    IndicatorSet,
    ScoringRules,
    Text,
    Threshold,
)
from screening.core.profile import Profile

ANSWERS: tuple[str, ...] = ("yes", "no", "unknown", "not_asked")
NOT_COUNTED = frozenset({"unknown", "not_asked"})


@dataclass(frozen=True)
class Hit:
    indicator: str
    strength: str


@dataclass(frozen=True)
class DimensionFinding:
    dimension: str
    positive: bool
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class ScoreResult:
    set_id: str
    set_version: str
    scoring_version: str
    level: int
    level_key: str
    rule: str  # e.g. "presumed.child": which level rule, for which population
    child: bool
    urgent: bool
    medical_emergency: bool
    privacy_concerns: tuple[str, ...]  # safety checks with signal privacy answered yes
    dimensions: tuple[DimensionFinding, ...]  # only dimensions with at least one yes
    forms: tuple[str, ...]
    yes: tuple[str, ...]  # indicator ids answered yes, in set order
    urgent_indicators: tuple[str, ...]
    not_counted: tuple[str, ...]  # answered unknown or not asked
    explanation: Mapping[str, tuple[str, ...]]  # content language -> lines
    age_to_establish: bool = False  # age unknown and scored as an adult: establish it, CSW if under 18
    speak_alone: tuple[str, ...] = ()  # everyday observations answered yes: speak to the person alone

    @property
    def positive_dimensions(self) -> tuple[str, ...]:
        return tuple(d.dimension for d in self.dimensions if d.positive)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (what a screening stores). Built field by field rather than
        with ``dataclasses.asdict``, whose deep copy of every explanation line cost a tenth of a
        final submission; only the dimensions hold dataclasses."""
        data = {field.name: getattr(self, field.name) for field in fields(self)}
        data["dimensions"] = [
            {"dimension": d.dimension, "positive": d.positive, "hits": [asdict(hit) for hit in d.hits]}
            for d in self.dimensions
        ]
        data["explanation"] = {lang: list(lines) for lang, lines in self.explanation.items()}
        data["positive_dimensions"] = list(self.positive_dimensions)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreResult:
        """A stored result (``to_dict`` and any extra keys) as a result again. Fields a version of
        the app did not store yet take their defaults."""
        dimensions = tuple(
            DimensionFinding(
                d["dimension"], bool(d["positive"]), tuple(Hit(h["indicator"], h["strength"]) for h in d["hits"])
            )
            for d in data.get("dimensions", ())
        )
        return cls(
            set_id=data.get("set_id", ""),
            set_version=data.get("set_version", ""),
            scoring_version=data.get("scoring_version", ""),
            level=int(data.get("level", 0)),
            level_key=data.get("level_key", ""),
            rule=data.get("rule", ""),
            child=bool(data.get("child")),
            urgent=bool(data.get("urgent")),
            medical_emergency=bool(data.get("medical_emergency")),
            privacy_concerns=tuple(data.get("privacy_concerns", ())),
            dimensions=dimensions,
            forms=tuple(data.get("forms", ())),
            yes=tuple(data.get("yes", ())),
            urgent_indicators=tuple(data.get("urgent_indicators", ())),
            not_counted=tuple(data.get("not_counted", ())),
            explanation={lang: tuple(lines) for lang, lines in data.get("explanation", {}).items()},
            age_to_establish=bool(data.get("age_to_establish")),
            speak_alone=tuple(data.get("speak_alone", ())),
        )


def immediate_danger(indicator_set: IndicatorSet, answers: Mapping[str, str]) -> bool:
    """A safety check that signals immediate danger was answered yes: stop and call the police."""
    return any(c.signal == "urgent" and answers.get(c.id) == "yes" for c in indicator_set.safety_checks)


def validate_answers(indicator_set: IndicatorSet, answers: Mapping[str, str]) -> None:
    """Reject answers to indicators the set does not have, and values that are not answers."""
    for indicator_id, answer in answers.items():
        if indicator_id not in indicator_set.item_ids:
            raise ScoringInputError(f"unknown indicator {indicator_id!r} in set {indicator_set.ref}")
        if answer not in ANSWERS:
            raise ScoringInputError(f"invalid answer {answer!r} for {indicator_id!r} (allowed: {', '.join(ANSWERS)})")


def score(
    indicator_set: IndicatorSet,
    rules: ScoringRules,
    answers: Mapping[str, str],
    profile: Profile,
) -> ScoreResult:
    """Score one screening. ``answers`` holds indicator and safety-check answers alike."""
    validate_answers(indicator_set, answers)
    child = profile.counts_as_child(rules.unknown_age_is_child) or signals_a_child(indicator_set, answers)
    asked = indicator_set.indicators_for(child)
    yes = [i for i in asked if answers.get(i.id) == "yes"]
    scored_yes = [i for i in yes if i.dimension not in rules.unscored]
    findings = _dimension_findings(rules, scored_yes, child)
    facts = _Facts(
        positive=frozenset(f.dimension for f in findings if f.positive),
        yes=tuple(scored_yes),
        answered_no=frozenset(i.dimension for i in asked if answers.get(i.id) == "no"),
        child=child,
    )
    level_rule = rules.level_zero
    for candidate in rules.levels:
        condition = candidate.child if child else candidate.adult
        if condition is not None and _holds(condition, facts):
            level_rule = candidate
            break
    checks = indicator_set.safety_checks
    signalled = {c.signal for c in checks if answers.get(c.id) == "yes"}
    urgent_indicators = tuple(i.id for i in yes if i.urgent)
    result = ScoreResult(
        set_id=indicator_set.id,
        set_version=indicator_set.version,
        scoring_version=rules.version,
        level=level_rule.level,
        level_key=level_rule.key,
        rule=f"{level_rule.key}.{'child' if child else 'adult'}",
        child=child,
        urgent="urgent" in signalled or bool(urgent_indicators),
        medical_emergency="medical" in signalled,
        privacy_concerns=tuple(c.id for c in checks if c.signal == "privacy" and answers.get(c.id) == "yes"),
        dimensions=findings,
        forms=_forms(rules, yes),
        yes=tuple(i.id for i in yes),
        urgent_indicators=urgent_indicators,
        not_counted=tuple(i.id for i in asked if answers.get(i.id, "not_asked") in NOT_COUNTED),
        explanation={},
        age_to_establish=not child and profile.age_status == "unknown" and not rules.unknown_age_is_child,
        speak_alone=tuple(i.id for i in yes if i.speak_alone),
    )
    explanation = {lang: tuple(explain(result, rules, lang)) for lang in CONTENT_LANGUAGES}
    return _with_explanation(result, explanation)


def signals_a_child(indicator_set: IndicatorSet, answers: Mapping[str, str]) -> bool:
    """Whether an answer says the person is or may be under 18 (an item with ``child_sign``, such as
    "the worker is or may be under 18 and does night work"): there are then reasons to believe the
    person is a child, who is presumed one (CoE Convention Art. 10(3)) even if the profile says
    nothing of the age or was filled in before the screener saw it."""
    return any(answers.get(item_id) == "yes" for item_id in indicator_set.child_sign_ids)


@dataclass(frozen=True)
class _Facts:
    """What the level conditions may look at."""

    positive: frozenset[str]
    yes: tuple[Indicator, ...]
    answered_no: frozenset[str]  # dimensions with at least one item answered "no"
    child: bool


def _with_explanation(result: ScoreResult, explanation: Mapping[str, tuple[str, ...]]) -> ScoreResult:
    fields = {k: v for k, v in result.__dict__.items() if k != "explanation"}
    return ScoreResult(**fields, explanation=explanation)


def _dimension_findings(rules: ScoringRules, yes: Iterable[Indicator], child: bool) -> tuple[DimensionFinding, ...]:
    by_dimension: dict[str, list[Hit]] = {}
    for indicator in yes:
        # An everyday observation counts as weak: a signal only in combination (scoring 2026.2).
        strength = "weak" if indicator.speak_alone else indicator.strength(child)
        by_dimension.setdefault(indicator.dimension, []).append(Hit(indicator.id, strength))
    return tuple(
        DimensionFinding(dim, _is_positive(rules.thresholds_for(dim), by_dimension[dim]), tuple(by_dimension[dim]))
        for dim in rules.dimensions
        if dim in by_dimension
    )


def _is_positive(thresholds: Iterable[Threshold], hits: list[Hit]) -> bool:
    counts = {s: sum(1 for h in hits if h.strength == s) for s in ("strong", "medium", "weak")}
    return any(
        counts["strong"] >= t.strong
        and counts["medium"] >= t.medium
        and counts["weak"] >= t.weak
        and len(hits) >= t.any
        for t in thresholds
    )


def _holds(condition: Condition, facts: _Facts) -> bool:
    """Every condition is monotone in ``yes`` answers: adding a yes never turns one false."""
    key, value = next(iter(condition.items()))
    if key == "all":
        return all(_holds(part, facts) for part in value)  # type: ignore[attr-defined]
    if key == "any":
        return any(_holds(part, facts) for part in value)  # type: ignore[attr-defined]
    if key == "positive":
        return any(dim in facts.positive for dim in value)  # type: ignore[attr-defined]
    if key == "yes_in":
        return any(i.dimension in value for i in facts.yes)  # type: ignore[operator]
    if key == "clear_yes_in":  # an everyday observation (speak_alone) is a signal only in combination
        return any(i.dimension in value and not i.speak_alone for i in facts.yes)  # type: ignore[operator]
    if key == "strong_in":
        return any(i.dimension in value and i.strength(facts.child) == "strong" for i in facts.yes)  # type: ignore[operator]
    if key == "none_answered_no":
        return not any(dim in facts.answered_no for dim in value)  # type: ignore[attr-defined]
    if key == "yes_to":
        return any(i.id in value for i in facts.yes)  # type: ignore[operator]
    if key == "any_strong":
        return any(i.strength(facts.child) == "strong" for i in facts.yes)
    if key == "any_yes":
        return bool(facts.yes)
    raise ValueError(f"unknown condition {key!r}")  # the loader rejects these first


def _forms(rules: ScoringRules, yes: list[Indicator]) -> tuple[str, ...]:
    """The suspected forms of exploitation.

    With ``forms_from`` (2026.2): the forms of the yes items in those dimensions (the purpose items),
    in the scoring file's order. Otherwise (2026.1): forms named nearly as often as the most-named
    one (the configured share), most named first.
    """
    if rules.forms_from:
        named = {form for i in yes if i.dimension in rules.forms_from for form in i.forms}
        return tuple(form for form in rules.forms if form in named)
    support = {form: sum(1 for i in yes if form in i.forms) for form in rules.forms}
    needed = rules.suspected_form_min_share * max(support.values(), default=0)
    suspected = [form for form in rules.forms if support[form] and support[form] >= needed]
    return tuple(sorted(suspected, key=lambda form: -support[form]))


@dataclass(frozen=True)
class Reason:
    """One reason for a result, before it is worded: a key of the scoring file's ``texts`` (or
    ``level`` for the outcome's own explanation) and what fills its placeholders. Indicators are
    ids, so a reader can word them with the indicator texts (the result page) or show the ids
    (the CLI and the API)."""

    key: str
    dimension: str | None = None
    indicators: tuple[str, ...] = ()
    count: int | None = None


def reasons(result: ScoreResult, rules: ScoringRules) -> list[Reason]:
    """The reasons for a result, in order: rule, evidence, signals, standing notes."""
    found = [Reason("level")]
    if result.child:
        found.append(Reason("child_rule"))
    for finding in result.dimensions:
        if finding.positive:
            hits = tuple(h.indicator for h in finding.hits)
            found.append(Reason("positive_dimension", dimension=finding.dimension, indicators=hits))
    not_positive = [h for f in result.dimensions if not f.positive for h in f.hits]
    strong = tuple(h.indicator for h in not_positive if h.strength == "strong")
    if strong:
        found.append(Reason("strong_indicator", indicators=strong))
    others = tuple(h.indicator for h in not_positive if h.strength != "strong")
    if others:
        found.append(Reason("indicators_present", indicators=others))
    # speak_alone and age_to_establish came with scoring 2026.2: older files have no text for them.
    if result.speak_alone and "speak_alone" in rules.texts:
        found.append(Reason("speak_alone"))
    if result.age_to_establish and "age_to_establish" in rules.texts:
        found.append(Reason("age_to_establish"))
    if result.urgent:
        found.append(Reason("urgent"))
    if result.medical_emergency:
        found.append(Reason("medical"))
    if result.not_counted:
        found.append(Reason("not_counted", count=len(result.not_counted)))
    found.extend((Reason("standing_note_early"), Reason("standing_note_absence")))
    return found


def explain(result: ScoreResult, rules: ScoringRules, language: str) -> list[str]:
    """The reasons for a result, in one content language, indicators named by their ids."""
    level_rule = rules.outcome(result.level_key)
    lines = []
    for reason in reasons(result, rules):
        if reason.key == "level":
            explanation: Text = level_rule.explanation_child if result.child else level_rule.explanation_adult
            lines.append(explanation[language])
            continue
        dimension = rules.dimension_names[reason.dimension][language] if reason.dimension else ""
        lines.append(
            rules.texts[reason.key][language].format(
                dimension=dimension, indicators=", ".join(reason.indicators), count=reason.count
            )
        )
    return lines
