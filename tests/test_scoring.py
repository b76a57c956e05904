"""Scoring: the dimension rule, the combinations, the child rule, unknown answers, monotonicity.

The rule tables use a small synthetic set (one indicator per dimension and strength) scored with the
shipped scoring file, so every branch is exercised with exact control; the vignettes use the
shipped sets.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.core.languages import CONTENT_LANGUAGES
from screening.core.loading import load_content
from screening.core.model import Content, Indicator, IndicatorSet, ScoringRules, Section
from screening.core.profile import Profile
from screening.core.scoring import ANSWERS, score

ADULT = Profile(age=30)
CHILD = Profile(age=15)
DIMENSIONS = (
    "act",
    "deceptive_recruitment",
    "coercive_recruitment",
    "vulnerability_recruitment",
    "exploitative_conditions",
    "coercion_destination",
    "vulnerability_destination",
)
TEXT = {lang: "x" for lang in CONTENT_LANGUAGES}


def _indicator(dimension: str, strength: str, n: int, child_strength: str | None = None) -> Indicator:
    return Indicator(
        id=f"t.{dimension}.{strength}{n}",
        dimension=dimension,
        strength_adult=strength,
        strength_child=child_strength or ("medium" if strength == "weak" else strength),
        forms=("forced_labour",),
        mode="ask",
        urgent=False,
        source="test",
        text=TEXT,
        guidance=TEXT,
    )


def _synthetic_set() -> IndicatorSet:
    indicators = [_indicator(d, s, n) for d in DIMENSIONS for s in ("strong", "medium", "weak") for n in (1, 2, 3)]
    return IndicatorSet(
        id="t",
        version="1",
        status="draft",
        released_on=None,
        scoring="2026.1",
        title=TEXT,
        purpose=TEXT,
        intended_users=(),
        sources=(),
        sections=(Section("s", "indicators", TEXT, (), tuple(indicators)),),
        file="synthetic",
        sha256="",
    )


SYNTHETIC = _synthetic_set()
# Hypothesis tests cannot take function-scoped fixtures; loading takes a fraction of a second.
SHIPPED_RULES = load_content().scoring["2026.1"]


@pytest.fixture(scope="module")
def rules(content: Content) -> ScoringRules:
    return content.scoring["2026.1"]


def yes(*ids: str) -> dict[str, str]:
    return dict.fromkeys(ids, "yes")


def ids(dimension: str, strong: int = 0, medium: int = 0, weak: int = 0) -> list[str]:
    return (
        [f"t.{dimension}.strong{n}" for n in range(1, strong + 1)]
        + [f"t.{dimension}.medium{n}" for n in range(1, medium + 1)]
        + [f"t.{dimension}.weak{n}" for n in range(1, weak + 1)]
    )


@pytest.mark.parametrize(
    ("strong", "medium", "weak", "positive"),
    [
        (2, 0, 0, True),  # 2 strong
        (1, 1, 0, True),  # 1 strong + 1 medium
        (1, 0, 1, True),  # 1 strong + 1 weak
        (0, 3, 0, True),  # 3 medium
        (0, 2, 1, True),  # 2 medium + 1 weak
        (1, 0, 0, False),
        (0, 2, 0, False),
        (0, 1, 2, False),
        (0, 0, 3, False),
    ],
)
def test_the_dimension_rule(rules: ScoringRules, strong: int, medium: int, weak: int, positive: bool) -> None:
    result = score(SYNTHETIC, rules, yes(*ids("coercion_destination", strong, medium, weak)), ADULT)
    assert result.positive_dimensions == (("coercion_destination",) if positive else ())


@pytest.mark.parametrize(
    ("answers", "level", "rule"),
    [
        ([], 0, "none.adult"),
        (ids("vulnerability_destination", weak=1), 1, "concern.adult"),
        (ids("act", medium=2), 1, "concern.adult"),  # an act alone is a concern, not exploitation
        (ids("deceptive_recruitment", strong=1), 2, "possible.adult"),  # any strong indicator
        (ids("exploitative_conditions", medium=3), 2, "possible.adult"),  # one positive dimension
        (ids("deceptive_recruitment", strong=2) + ids("exploitative_conditions", strong=2), 2, "possible.adult"),
        (
            ids("deceptive_recruitment", strong=2)
            + ids("exploitative_conditions", strong=2)
            + ids("coercion_destination", medium=3),
            3,
            "presumed.adult",
        ),
        (
            ids("vulnerability_recruitment", medium=3)
            + ids("exploitative_conditions", medium=2, weak=1)
            + ids("vulnerability_destination", medium=3),
            3,
            "presumed.adult",
        ),
        # The means are needed for an adult: act + exploitation + coercion is not enough.
        (
            ids("act", medium=1) + ids("exploitative_conditions", strong=2) + ids("coercion_destination", strong=2),
            2,
            "possible.adult",
        ),
    ],
)
def test_adult_levels(rules: ScoringRules, answers: list[str], level: int, rule: str) -> None:
    result = score(SYNTHETIC, rules, yes(*answers), ADULT)
    assert (result.level, result.rule) == (level, rule)


@pytest.mark.parametrize("profile", [CHILD, Profile(age=None), Profile(age=19, age_uncertain=True)])
def test_child_rule_means_not_required(rules: ScoringRules, profile: Profile) -> None:
    answers = yes(*ids("act", medium=1), *ids("exploitative_conditions", strong=2))
    result = score(SYNTHETIC, rules, answers, profile)
    assert result.child
    assert (result.level, result.rule) == (3, "presumed.child")
    adult = score(SYNTHETIC, rules, answers, ADULT)
    assert adult.level == 2


def test_child_strengths_are_used_for_a_child(rules: ScoringRules) -> None:
    # Three weak adult indicators are three medium child indicators: positive only for a child.
    answers = yes(*ids("exploitative_conditions", weak=3))
    assert score(SYNTHETIC, rules, answers, ADULT).positive_dimensions == ()
    assert score(SYNTHETIC, rules, answers, CHILD).positive_dimensions == ("exploitative_conditions",)


@pytest.mark.parametrize("blank", ["unknown", "not_asked"])
def test_unknown_and_not_asked_are_not_no(rules: ScoringRules, blank: str) -> None:
    base = yes(*ids("exploitative_conditions", medium=3))
    others = {i.id: blank for i in SYNTHETIC.indicators if i.id not in base}
    result = score(SYNTHETIC, rules, {**base, **others}, ADULT)
    as_no = score(SYNTHETIC, rules, {**base, **dict.fromkeys(others, "no")}, ADULT)
    assert result.level == as_no.level == 2
    assert len(result.not_counted) == len(others)
    assert as_no.not_counted == ()
    assert any(str(len(others)) in line for line in result.explanation["en"])


ALL_IDS = [i.id for i in SYNTHETIC.indicators]


@settings(max_examples=300, deadline=None)
@given(
    answers=st.dictionaries(st.sampled_from(ALL_IDS), st.sampled_from(ANSWERS)),
    extra=st.sampled_from(ALL_IDS),
    child=st.booleans(),
)
def test_adding_a_yes_never_lowers_the_level(answers: dict[str, str], extra: str, child: bool) -> None:
    profile = CHILD if child else ADULT
    before = score(SYNTHETIC, SHIPPED_RULES, answers, profile)
    after = score(SYNTHETIC, SHIPPED_RULES, {**answers, extra: "yes"}, profile)
    assert after.level >= before.level


@settings(max_examples=200, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(ALL_IDS), st.sampled_from(("yes", "no"))), child=st.booleans())
def test_unknown_never_lowers_the_level(answers: dict[str, str], child: bool) -> None:
    profile = CHILD if child else ADULT
    with_no = score(SYNTHETIC, SHIPPED_RULES, answers, profile)
    with_unknown = score(
        SYNTHETIC, SHIPPED_RULES, {k: ("unknown" if v == "no" else v) for k, v in answers.items()}, profile
    )
    assert with_unknown.level == with_no.level


def test_explanation_in_every_language_names_rule_and_indicators(rules: ScoringRules) -> None:
    answers = yes(*ids("exploitative_conditions", medium=3))
    result = score(SYNTHETIC, rules, answers, ADULT)
    assert set(result.explanation) == set(CONTENT_LANGUAGES)
    for language, lines in result.explanation.items():
        joined = "\n".join(lines)
        assert rules.level_rule(2).explanation_adult[language] in joined
        assert "t.exploitative_conditions.medium1" in joined
        assert rules.texts["standing_note_early"][language] in joined
        assert rules.texts["standing_note_absence"][language] in joined


def test_result_is_json_serialisable(rules: ScoringRules) -> None:
    result = score(SYNTHETIC, rules, yes(*ids("coercion_destination", strong=2)), CHILD)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["level"] == 2 and data["child"] is True
    assert data["positive_dimensions"] == ["coercion_destination"]


def test_unknown_indicator_or_answer_is_refused(rules: ScoringRules) -> None:
    from screening.core.errors import ScoringInputError

    with pytest.raises(ScoringInputError, match="unknown indicator"):
        score(SYNTHETIC, rules, {"t.nope": "yes"}, ADULT)
    with pytest.raises(ScoringInputError, match="invalid answer"):
        score(SYNTHETIC, rules, {"t.act.medium1": "maybe"}, ADULT)


def test_a_parent_organising_the_begging_never_lowers_the_level_2026_1(content: Content) -> None:
    child_set = content.get_set("child", "2026.1")
    assert child_set is not None
    rules = content.scoring_for(child_set)
    base = yes("chd.begging_street", "chd.hands_over_money", "chd.no_school", "chd.long_hours")
    without = score(child_set, rules, base, Profile(age=9))
    with_parent = score(child_set, rules, {**base, "chd.begging_organised_by_relative": "yes"}, Profile(age=9))
    assert with_parent.level >= without.level
    assert with_parent.level == 3


@pytest.mark.parametrize("set_id", ["child", "general", "health", "migrants"])
def test_begging_organised_by_a_parent_is_a_presumption_for_a_child_in_every_set(content: Content, set_id: str) -> None:
    indicator_set = content.get_set(set_id, "2026.2")
    assert indicator_set is not None
    rules = content.scoring_for(indicator_set)
    base = yes("chd.works_in_street", "chd.no_school")
    without = score(indicator_set, rules, base, Profile(age=9))
    with_parent = score(indicator_set, rules, {**base, "pur.begging_organised_by_others": "yes"}, Profile(age=9))
    assert with_parent.level >= without.level
    assert with_parent.level_key == "presumed"
    assert with_parent.forms == ("begging",)
