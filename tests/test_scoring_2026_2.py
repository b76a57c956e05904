"""Properties of scoring 2026.2 on a synthetic set with every dimension and strength.

The shipped scoring file is used with a synthetic set (three items per dimension and strength), so
hypothesis explores every combination the rules can meet.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.core.languages import CONTENT_LANGUAGES
from screening.core.loading import load_content
from screening.core.model import Indicator, IndicatorSet, Section
from screening.core.profile import Profile
from screening.core.scoring import ANSWERS, score

RULES = load_content().scoring["2026.2"]
TEXT = {lang: "x" for lang in CONTENT_LANGUAGES}
PROFILES = (Profile(age=30), Profile(age=15), Profile(age_estimate="may_be_minor"), Profile())


def _indicator(dimension: str, strength: str, n: int) -> Indicator:
    return Indicator(
        id=f"t.{dimension}.{strength}{n}",
        dimension=dimension,
        strength_adult=strength,
        strength_child="medium" if strength == "weak" else strength,
        forms=("forced_labour",),
        mode="ask",
        urgent=False,
        source="test",
        text=TEXT,
        guidance=TEXT,
    )


SYNTHETIC = IndicatorSet(
    id="t",
    version="1",
    status="draft",
    released_on=None,
    scoring="2026.2",
    title=TEXT,
    purpose=TEXT,
    intended_users=(),
    sources=(),
    sections=(
        Section(
            "s",
            "indicators",
            TEXT,
            (),
            tuple(
                _indicator(d, s, n) for d in RULES.dimensions for s in ("strong", "medium", "weak") for n in (1, 2, 3)
            ),
        ),
    ),
    file="synthetic",
    sha256="",
)
ALL_IDS = [i.id for i in SYNTHETIC.indicators]


@settings(max_examples=400, deadline=None)
@given(
    answers=st.dictionaries(st.sampled_from(ALL_IDS), st.sampled_from(ANSWERS)),
    extra=st.sampled_from(ALL_IDS),
    profile=st.sampled_from(PROFILES),
)
def test_adding_a_yes_never_lowers_the_level(answers: dict[str, str], extra: str, profile: Profile) -> None:
    before = score(SYNTHETIC, RULES, answers, profile)
    after = score(SYNTHETIC, RULES, {**answers, extra: "yes"}, profile)
    assert after.level >= before.level


@settings(max_examples=300, deadline=None)
@given(
    answers=st.dictionaries(st.sampled_from(ALL_IDS), st.sampled_from(("yes", "no"))),
    profile=st.sampled_from(PROFILES),
)
def test_unknown_never_counts_as_no(answers: dict[str, str], profile: Profile) -> None:
    with_no = score(SYNTHETIC, RULES, answers, profile)
    with_unknown = score(SYNTHETIC, RULES, {k: ("unknown" if v == "no" else v) for k, v in answers.items()}, profile)
    assert with_unknown.level >= with_no.level


@settings(max_examples=200, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(ALL_IDS), st.sampled_from(ANSWERS)))
def test_a_child_never_scores_lower_than_an_adult_on_the_same_answers(answers: dict[str, str]) -> None:
    adult = score(SYNTHETIC, RULES, answers, Profile(age=18))
    child = score(SYNTHETIC, RULES, answers, Profile(age=17))
    assert child.level >= adult.level


def test_context_items_never_count() -> None:
    answers = dict.fromkeys((i for i in ALL_IDS if i.startswith("t.context.")), "yes")
    assert score(SYNTHETIC, RULES, answers, Profile(age=30)).level == 0


def test_exploitative_conditions_alone_are_a_labour_rights_outcome_for_an_adult_only() -> None:
    answers = dict.fromkeys(("t.exploitative_conditions.strong1", "t.exploitative_conditions.medium1"), "yes")
    assert score(SYNTHETIC, RULES, answers, Profile(age=30)).level_key == "labour_rights"
    assert score(SYNTHETIC, RULES, answers, Profile(age=16)).level_key == "possible"


def test_one_strong_purpose_item_is_the_presumption_for_a_child_and_possible_for_an_adult() -> None:
    answers = {"t.purpose.strong1": "yes"}
    assert score(SYNTHETIC, RULES, answers, Profile(age=15)).level_key == "presumed"
    assert score(SYNTHETIC, RULES, answers, Profile(age=35)).level_key == "possible"


def test_an_unknown_age_is_an_adult_whose_age_must_be_established() -> None:
    answers = {"t.purpose.strong1": "yes"}
    result = score(SYNTHETIC, RULES, answers, Profile())
    assert not result.child and result.age_to_establish
    assert RULES.texts["age_to_establish"]["en"] in result.explanation["en"]
    assert score(SYNTHETIC, RULES, answers, Profile(age_estimate="clearly_adult")).age_to_establish is False


def test_recruitment_unknown_is_a_presumption_until_a_recruitment_fact_is_answered_no() -> None:
    answers = dict.fromkeys(
        (
            "t.exploitative_conditions.strong1",
            "t.exploitative_conditions.medium1",
            "t.coercion_destination.strong1",
            "t.coercion_destination.strong2",
        ),
        "yes",
    )
    assert score(SYNTHETIC, RULES, answers, Profile(age=30)).level_key == "presumed_recruitment_unknown"
    answered = {**answers, "t.deceptive_recruitment.medium1": "no"}
    assert score(SYNTHETIC, RULES, answered, Profile(age=30)).level_key == "possible"
