"""The decision a practitioner signs: level, outcome, child or adult, urgency, forms, referrals with
their priorities and the CSW municipality, the explanation lines, and how input files are read.

Fast and self-contained: the content is built in Python (``tests/decision_content.py``), so these
tests run in a second and do not move when the shipped content changes. ``make mutation`` runs
them against every mutant of the decision modules (see tests/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

import pytest

from screening.core.assessment import Assessment, Coverage, assess, coverage, resolve_set
from screening.core.errors import ScoringInputError
from screening.core.inputs import parse_screening_input
from screening.core.model import ReferralRules, ScoringRules, Section
from screening.core.profile import Profile
from screening.core.referrals import Referral, choose_referrals
from screening.core.scoring import ScoreResult, immediate_danger, score, signals_a_child, validate_answers
from tests.decision_content import (
    T,
    content,
    indicator_set,
    item,
    referral_rules_2026_1,
    referral_rules_2026_2,
    rule,
    scoring_2026_1,
    scoring_2026_2,
)

SET = indicator_set()
NEW = scoring_2026_2()
OLD = scoring_2026_1()
RULES = referral_rules_2026_2()
ADULT = Profile(age=30)
CHILD = Profile(age=15)

EXPLOITATIVE = ("cond.hours", "cond.pay", "cond.no_contract")  # positive for adults and children
DECEPTION = ("dec.false_job", "dec.false_pay", "dec.vague_offer")  # positive
COERCION = ("coer.threats", "coer.watched")  # positive
ADULT_ASKED = 25  # indicators an adult is asked (the child module adds 2)


def yes(*ids: str, **others: str) -> dict[str, str]:
    return {**dict.fromkeys(ids, "yes"), **{k.replace("__", "."): v for k, v in others.items()}}


def run(answers: Mapping[str, str], profile: Profile = ADULT, rules: ScoringRules = NEW) -> ScoreResult:
    return score(SET, rules, answers, profile)


def referrals(answers: Mapping[str, str], profile: Profile = ADULT, rules: ReferralRules = RULES) -> dict[str, str]:
    return {r.contact: r.priority for r in choose_referrals(rules, run(answers, profile), profile)}


def outcome(result: ScoreResult) -> tuple[int, str, str]:
    return result.level, result.level_key, result.rule


# --- levels and outcomes (scoring 2026.2 shape) --------------------------------------------


def test_nothing_answered_is_level_zero_and_every_item_is_not_counted() -> None:
    result = run({})
    assert outcome(result) == (0, "none", "none.adult")
    assert result.yes == () and result.dimensions == () and result.forms == ()
    assert not result.urgent and not result.medical_emergency and not result.child
    assert len(result.not_counted) == ADULT_ASKED
    assert result.explanation["en"] == (
        "none (adult rule)",
        f"{ADULT_ASKED} indicators were answered 'unknown' or not asked; they are not counted as 'no'.",
        "Early identification, not formal identification.",
        "The absence of indicators does not rule trafficking out.",
    )
    assert referrals({}) == {}


def test_adult_presumption_needs_recruitment_exploitation_and_coercion() -> None:
    result = run(yes(*DECEPTION, *EXPLOITATIVE, *COERCION))
    assert outcome(result) == (3, "presumed", "presumed.adult")
    assert result.positive_dimensions == ("deceptive_recruitment", "exploitative_conditions", "coercion_destination")
    assert referrals(yes(*DECEPTION, *EXPLOITATIVE, *COERCION)) == {"dithb": "now", "vaao": "now"}


def test_recruitment_unknown_is_a_presumption_but_a_no_is_not() -> None:
    facts = yes(*EXPLOITATIVE, *COERCION)
    assert outcome(run(facts)) == (3, "presumed_recruitment_unknown", "presumed_recruitment_unknown.adult")
    assert referrals(facts) == {"dithb": "now", "vaao": "now"}
    # unknown is never no: the presumption stands
    assert run({**facts, "dec.false_job": "unknown", "rec.abducted": "not_asked"}).level_key == (
        "presumed_recruitment_unknown"
    )
    # a recruitment fact answered no: possible, DITHB now because coercion at destination is positive
    for answered_no in ("dec.false_job", "rec.abducted", "vrec.debt"):
        result = run({**facts, answered_no: "no"})
        assert outcome(result) == (2, "possible", "possible.adult"), answered_no
    assert referrals({**facts, "vrec.debt": "no"}) == {"dithb": "now", "vaao": "within_24h"}
    # a no elsewhere does not matter
    assert run({**facts, "vdest.isolated": "no"}).level_key == "presumed_recruitment_unknown"


def test_a_child_found_in_exploitation_is_presumed_a_victim_without_any_means() -> None:
    result = run(yes("pur.sexual"), CHILD)
    assert outcome(result) == (3, "presumed", "presumed.child")
    assert result.child
    assert result.forms == ("prostitution", "pornography")
    assert referrals(yes("pur.sexual"), CHILD) == {"csw": "now", "dithb": "now", "vaao": "now"}


def test_the_child_module_joins_only_for_a_child() -> None:
    child = run(yes("chd.online"), CHILD)
    assert outcome(child) == (3, "presumed", "presumed.child")
    assert child.forms == ("pornography",)
    assert len(child.not_counted) == ADULT_ASKED + 1
    adult = run(yes("chd.online", "chd.street"), ADULT)  # accepted, but not part of an adult's screening
    assert outcome(adult) == (0, "none", "none.adult")
    assert adult.yes == () and "chd.street" not in adult.not_counted
    assert len(adult.not_counted) == ADULT_ASKED


def test_act_with_exploitative_conditions_is_a_presumption_for_a_child() -> None:
    result = run(yes("act.moved", *EXPLOITATIVE), CHILD)
    assert outcome(result) == (3, "presumed", "presumed.child")
    assert result.positive_dimensions == ("act", "exploitative_conditions")


@pytest.mark.parametrize(
    ("age", "expected", "contacts"),
    [
        (17, (3, "presumed", "presumed.child"), {"csw": "now", "dithb": "now", "vaao": "now"}),
        (18, (1, "labour_rights", "labour_rights.adult"), {"labour_inspectorate": "routine"}),
        (0, (3, "presumed", "presumed.child"), {"csw": "now", "dithb": "now", "vaao": "now"}),
    ],
)
def test_the_17_18_age_boundary(age: int, expected: tuple[int, str, str], contacts: dict[str, str]) -> None:
    """The same facts (moved, exploitative conditions, no means): the child rule at 17, the adult rule at 18."""
    profile, answers = parse_screening_input(
        {"age": age, "municipality": "gjilan", "answers": yes("act.moved", *EXPLOITATIVE)}
    )
    result = run(answers, profile)
    assert outcome(result) == expected
    assert result.child is (age < 18)
    assert referrals(answers, profile) == contacts


def test_exploitative_conditions_alone_are_a_labour_rights_matter_not_a_police_one() -> None:
    result = run(yes(*EXPLOITATIVE))
    assert outcome(result) == (1, "labour_rights", "labour_rights.adult")
    assert referrals(yes(*EXPLOITATIVE)) == {"labour_inspectorate": "routine"}
    # not a workplace the inspectorate can inspect
    assert referrals(yes(*EXPLOITATIVE, "ctx.private_household")) == {}
    assert referrals(yes(*EXPLOITATIVE, "ctx.abroad")) == {}
    # sexual exploitation never goes to the Labour Inspectorate
    escort = run(yes(*EXPLOITATIVE, "pur.escort"))
    assert escort.level_key == "labour_rights" and escort.forms == ("prostitution",)
    assert referrals(yes(*EXPLOITATIVE, "pur.escort")) == {}
    # begging is a purpose form, but not a sexual one
    assert referrals(yes(*EXPLOITATIVE, "pur.begging")) == {"labour_inspectorate": "routine"}


def test_the_same_conditions_for_a_child_are_possible_trafficking() -> None:
    result = run(yes(*EXPLOITATIVE), CHILD)
    assert outcome(result) == (2, "possible", "possible.child")
    assert referrals(yes(*EXPLOITATIVE), CHILD) == {"csw": "now", "dithb": "now", "vaao": "within_24h"}


def test_two_mediums_are_not_a_positive_dimension_a_third_item_makes_it() -> None:
    assert outcome(run(yes("cond.hours", "cond.pay"))) == (1, "concern", "concern.adult")
    assert outcome(run(yes("cond.hours", "cond.pay", "cond.no_contract"))) == (
        1,
        "labour_rights",
        "labour_rights.adult",
    )
    assert outcome(run(yes("cond.hours", "cond.dangerous"))) == (1, "labour_rights", "labour_rights.adult")
    assert outcome(run(yes("cond.no_contract", "cond.dangerous"))) == (1, "labour_rights", "labour_rights.adult")
    assert outcome(run(yes("cond.dangerous"))) == (1, "concern", "concern.adult")
    assert outcome(run(yes("cond.hours", "cond.no_contract"))) == (1, "concern", "concern.adult")


def test_one_strong_coercion_item_is_possible_trafficking_within_24h() -> None:
    result = run(yes("coer.threats"))
    assert outcome(result) == (2, "possible", "possible.adult")
    assert result.positive_dimensions == ()
    assert referrals(yes("coer.threats")) == {"dithb": "within_24h", "vaao": "within_24h"}


def test_positive_coercion_at_destination_sends_dithb_now() -> None:
    assert referrals(yes(*COERCION)) == {"dithb": "now", "vaao": "within_24h"}


def test_strong_in_uses_the_childs_strength() -> None:
    """Exploited illness is strong for an adult, medium for a child."""
    assert outcome(run(yes("vdest.exploited_illness"))) == (2, "possible", "possible.adult")
    assert outcome(run(yes("vdest.exploited_illness"), CHILD)) == (1, "concern", "concern.child")
    assert referrals(yes("vdest.exploited_illness"), CHILD) == {"csw": "within_24h"}


def test_deception_with_a_sign_of_exploitation_is_possible() -> None:
    assert outcome(run(yes(*DECEPTION))) == (1, "concern", "concern.adult")
    assert outcome(run(yes(*DECEPTION, "cond.hours"))) == (2, "possible", "possible.adult")
    assert outcome(run(yes(*DECEPTION, "pur.begging"))) == (2, "possible", "possible.adult")


def test_a_companion_who_stays_prompts_a_talk_alone_not_the_police() -> None:
    result = run(yes("coer.companion"))
    assert outcome(result) == (1, "concern", "concern.adult")
    assert result.speak_alone == ("coer.companion",)
    assert "Speak to the person alone." in result.explanation["en"]
    assert "[sr] Speak to the person alone." in result.explanation["sr_Latn"]
    got = referrals(yes("coer.companion"))
    assert "dithb" not in got
    assert got == {"ngo": "within_24h", "antitrafficking_line": "routine"}
    assert run(yes("coer.threats")).speak_alone == ()


def test_a_medium_purpose_item_alone_is_a_concern_for_an_adult_presumption_for_a_child() -> None:
    assert outcome(run(yes("pur.begging"))) == (1, "concern", "concern.adult")
    assert referrals(yes("pur.begging")) == {"antitrafficking_line": "routine"}
    assert outcome(run(yes("pur.begging"), CHILD)) == (3, "presumed", "presumed.child")
    assert outcome(run(yes("pur.begging", "pur.domestic"))) == (2, "possible", "possible.adult")


def test_a_child_working_in_the_street_is_child_protection() -> None:
    result = run(yes("chd.street"), CHILD)
    assert outcome(result) == (1, "child_protection", "child_protection.child")
    assert referrals(yes("chd.street"), CHILD) == {"csw": "routine"}


def test_context_facts_are_not_scored_but_reach_the_referral_rules() -> None:
    result = run(yes("ctx.abroad"))
    assert outcome(result) == (0, "none", "none.adult")
    assert result.yes == ("ctx.abroad",)
    assert result.dimensions == ()
    assert referrals(yes("ctx.abroad")) == {}
    assert referrals(yes("coer.threats", "ctx.abroad")) == {
        "dithb": "within_24h",
        "vaao": "within_24h",
        "ngo": "routine",
    }


# --- forms ------------------------------------------------------------------------------------


def test_forms_come_from_purpose_items_only_in_the_scoring_files_order() -> None:
    assert run(yes(*EXPLOITATIVE)).forms == ()
    assert run(yes("pur.domestic", "pur.sexual", "cond.hours")).forms == (
        "prostitution",
        "pornography",
        "forced_labour",
        "domestic_servitude",
    )


def test_organ_removal_sends_dithb_now() -> None:
    result = run(yes("pur.organ"))
    assert outcome(result) == (2, "possible", "possible.adult") and result.forms == ("organ_removal",)
    refs = choose_referrals(RULES, result, ADULT)
    assert [(r.contact, r.priority) for r in refs] == [("dithb", "now"), ("vaao", "within_24h")]
    assert refs[0].rules == ("adult_possible", "organ_removal")


def test_a_yes_to_condition_holds_only_for_a_yes_on_an_indicator_it_names() -> None:
    """Scoring 2026.7 names one item whose wording holds the means and the purpose together (an organ
    given for a promised payment never made): that yes, and no other, meets the condition."""
    presumed = NEW.levels[0]
    named = replace(
        NEW, levels=(replace(presumed, adult={"any": (presumed.adult, {"yes_to": ("pur.organ",)})}), *NEW.levels[1:])
    )
    assert outcome(run(yes("pur.organ"), rules=named)) == (3, "presumed", "presumed.adult")
    assert outcome(run(yes("pur.sexual"), rules=named)) == (2, "possible", "possible.adult")
    assert outcome(run({"pur.organ": "unknown", "pur.sexual": "yes"}, rules=named)) == (2, "possible", "possible.adult")
    assert outcome(run(yes("pur.organ"))) == (2, "possible", "possible.adult")


def test_2026_1_forms_are_those_named_nearly_as_often_as_the_most_named() -> None:
    assert run(yes("pur.begging", "cond.no_contract"), rules=OLD).forms == ("begging", "forced_labour")
    assert run(yes("cond.hours", "cond.pay", "cond.no_contract", "pur.begging", "pur.sexual"), rules=OLD).forms == (
        "forced_labour",
        "begging",
    )
    assert run(yes("cond.hours"), rules=OLD).forms == ("forced_labour",)
    assert run(yes("vrec.debt"), rules=OLD).forms == ()


def test_a_scoring_version_naming_no_forms_suspects_none() -> None:
    from dataclasses import replace

    assert run(yes(*EXPLOITATIVE), rules=replace(OLD, forms=())).forms == ()


# --- 2026.1 conditions and the old age rule --------------------------------------------------


def test_2026_1_any_strong_and_any_yes() -> None:
    assert outcome(run(yes("coer.threats"), rules=OLD)) == (2, "possible", "possible.adult")
    assert outcome(run(yes("cond.hours"), rules=OLD)) == (1, "concern", "concern.adult")
    assert outcome(run(yes("coer.threats"), CHILD, rules=OLD)) == (2, "possible", "possible.child")
    assert outcome(run(yes("act.moved"), CHILD, rules=OLD)) == (2, "possible", "possible.child")
    assert outcome(run(yes("act.moved"), rules=OLD)) == (1, "concern", "concern.adult")
    assert outcome(run({}, rules=OLD)) == (0, "none", "none.adult")


def test_2026_1_any_strong_uses_the_childs_strength() -> None:
    """Exploited illness is strong for an adult, medium for a child; low pay the other way round."""
    assert outcome(run(yes("vdest.exploited_illness"), CHILD, rules=OLD)) == (1, "concern", "concern.child")
    assert outcome(run(yes("cond.pay"), CHILD, rules=OLD)) == (2, "possible", "possible.child")
    assert outcome(run(yes("cond.pay"), rules=OLD)) == (1, "concern", "concern.adult")


def test_2026_1_counts_an_unknown_age_as_a_child_2026_2_as_an_adult_to_establish() -> None:
    unknown = Profile()
    old = run(yes("coer.threats"), unknown, rules=OLD)
    assert old.child and old.rule == "possible.child" and not old.age_to_establish
    new = run(yes("coer.threats"), unknown)
    assert not new.child and new.rule == "possible.adult" and new.age_to_establish
    assert "The age must be established; involve the CSW if under 18." in new.explanation["en"]
    got = referrals(yes("coer.threats"), unknown)
    assert got == {"dithb": "within_24h", "vaao": "within_24h", "csw": "routine"}


def test_2026_1_without_speak_alone_text_says_nothing_about_it() -> None:
    result = run(yes("coer.companion"), rules=OLD)
    assert result.speak_alone == ("coer.companion",)
    assert not any("alone" in line for line in result.explanation["en"])
    assert not run({}, Profile(), rules=OLD).age_to_establish


@pytest.mark.parametrize(
    ("profile", "child", "to_establish"),
    [
        (Profile(age_estimate="may_be_minor"), True, False),
        (Profile(age_estimate="clearly_child"), True, False),
        (Profile(age_estimate="clearly_adult"), False, False),
        (Profile(age_estimate="cannot_estimate"), False, True),
        (Profile(), False, True),
        (Profile(age=19, age_uncertain=True), True, False),
        (Profile(age=30, age_estimate="may_be_minor"), True, False),
        (Profile(age=16, age_estimate="clearly_adult"), True, False),
        (Profile(age=40, age_estimate="cannot_estimate"), False, False),
    ],
)
def test_age_estimate_and_age_to_establish(profile: Profile, child: bool, to_establish: bool) -> None:
    result = run(yes("coer.threats"), profile)
    assert result.child is child
    assert result.age_to_establish is to_establish
    assert (result.rule == "possible.child") is child
    has_line = any("age must be established" in line for line in result.explanation["en"])
    assert has_line is to_establish
    assert ("csw" in referrals(yes("coer.threats"), profile)) is (child or to_establish)


# --- profile -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "status"),
    [
        (Profile(age=17), "child"),
        (Profile(age=18), "adult"),
        (Profile(age=0), "child"),
        (Profile(), "unknown"),
        (Profile(age_estimate="cannot_estimate"), "unknown"),
        (Profile(age_estimate="clearly_adult"), "adult"),
        (Profile(age_estimate="clearly_child"), "child"),
        (Profile(age_estimate="may_be_minor"), "child"),
        (Profile(age=25, age_uncertain=True), "child"),
        (Profile(age=16, age_estimate="clearly_adult"), "child"),
    ],
)
def test_age_status(profile: Profile, status: str) -> None:
    assert profile.age_status == status


def test_counts_as_child() -> None:
    assert Profile(age=10).counts_as_child(False) and Profile(age=10).counts_as_child(True)
    assert not Profile(age=30).counts_as_child(True) and not Profile(age=30).counts_as_child(False)
    assert Profile().counts_as_child(True)
    assert not Profile().counts_as_child(False)


# --- urgency, medical, privacy ----------------------------------------------------------------


def test_confined_now_is_urgent_and_sends_police_and_dithb_now() -> None:
    result = run(yes("coer.confined_now"))
    assert outcome(result) == (2, "possible", "possible.adult")
    assert result.urgent and result.urgent_indicators == ("coer.confined_now",)
    assert "Someone is in immediate danger: call 192 now." in result.explanation["en"]
    refs = choose_referrals(RULES, result, ADULT)
    assert [(r.contact, r.priority) for r in refs] == [
        ("police_emergency", "now"),
        ("dithb", "now"),
        ("vaao", "within_24h"),
    ]


def test_the_danger_safety_check_is_urgent_even_without_indicators() -> None:
    answers = yes("safety.immediate_danger")
    result = run(answers)
    assert result.urgent and result.urgent_indicators == () and result.level == 0
    assert immediate_danger(SET, answers)
    assert referrals(answers) == {"police_emergency": "now"}
    assert not immediate_danger(SET, {"safety.immediate_danger": "no"})
    assert not immediate_danger(SET, yes("safety.person_alone", "safety.medical", "coer.confined_now"))


def test_past_threats_are_not_urgent() -> None:
    result = run(yes(*COERCION))
    assert not result.urgent and result.urgent_indicators == ()
    assert not any("192" in line for line in result.explanation["en"])


def test_medical_and_privacy_signals() -> None:
    result = run(yes("safety.medical", "safety.person_alone", "safety.interpreter_not_neutral"))
    assert result.medical_emergency and not result.urgent
    assert result.privacy_concerns == ("safety.person_alone", "safety.interpreter_not_neutral")
    assert "Urgent medical care is needed." in result.explanation["en"]
    assert referrals(yes("safety.medical")) == {"emergency_medical": "now"}
    quiet = run({"safety.medical": "no", "safety.person_alone": "unknown"})
    assert not quiet.medical_emergency and quiet.privacy_concerns == ()


# --- explanation -------------------------------------------------------------------------------


def test_explanation_names_rule_positive_dimensions_strong_and_other_indicators() -> None:
    answers = yes(*COERCION, "cond.hours", "vdest.exploited_illness", "ctx.abroad", dec__false_job="unknown")
    result = run(answers)
    assert outcome(result) == (2, "possible", "possible.adult")
    assert result.not_counted[:2] == ("act.moved", "dec.false_job")  # unknown and not asked alike
    counted = ADULT_ASKED - 5
    assert result.explanation["en"] == (
        "possible (adult rule)",
        "Positive dimension – name of coercion_destination: coer.threats, coer.watched.",
        "Strong indicators answered yes: vdest.exploited_illness.",
        "Other indicators answered yes: cond.hours.",
        f"{counted} indicators were answered 'unknown' or not asked; they are not counted as 'no'.",
        "Early identification, not formal identification.",
        "The absence of indicators does not rule trafficking out.",
    )
    assert (
        result.explanation["sq"][1]
        == "[sq] Positive dimension – [sq] name of coercion_destination: coer.threats, coer.watched."
    )
    assert result.explanation["sr_Latn"][0] == "[sr] possible (adult rule)"
    assert set(result.explanation) == {"sq", "sr_Latn", "en"}


def test_explanation_lists_several_strong_and_other_indicators_in_dimension_order() -> None:
    result = run(yes("cond.dangerous", "coer.threats", "vdest.isolated", "cond.no_contract"))
    assert result.explanation["en"][1:3] == (
        "Positive dimension – name of exploitative_conditions: cond.no_contract, cond.dangerous.",
        "Strong indicators answered yes: coer.threats.",
    )
    two_strong = run(yes("rec.abducted", "vdest.exploited_illness"))
    assert two_strong.explanation["en"][1] == "Strong indicators answered yes: rec.abducted, vdest.exploited_illness."
    result = run(yes("coer.companion", "vdest.isolated", "rec.abducted", "vrec.poverty"))
    assert result.explanation["en"][1:3] == (
        "Strong indicators answered yes: rec.abducted.",
        "Other indicators answered yes: vrec.poverty, coer.companion, vdest.isolated.",
    )
    assert [d.dimension for d in result.dimensions] == [
        "coercive_recruitment",
        "vulnerability_recruitment",
        "coercion_destination",
        "vulnerability_destination",
    ]
    # coer.companion is an everyday observation (speak_alone): it counts as weak.
    assert [h.strength for d in result.dimensions for h in d.hits] == ["strong", "weak", "weak", "medium"]


def test_a_childs_explanation_uses_the_child_rule_and_says_so() -> None:
    result = run(yes("pur.sexual"), CHILD)
    assert result.explanation["en"][:3] == (
        "presumed (child rule)",
        "The child rule applies.",
        "Positive dimension – name of purpose: pur.sexual.",
    )
    adult = run(yes("pur.sexual"))
    assert adult.explanation["en"][0] == "possible (adult rule)"
    assert "The child rule applies." not in adult.explanation["en"]


def test_explanation_without_not_counted_line_when_everything_is_answered() -> None:
    answers = {i.id: "no" for i in SET.indicators_for(False)}
    answers["coer.threats"] = "yes"
    result = run(answers)
    assert result.not_counted == ()
    assert not any("not counted" in line for line in result.explanation["en"])


def test_result_to_dict_is_json_and_complete() -> None:
    result = run(yes(*COERCION, "pur.sexual"))
    data = result.to_dict()
    assert json.loads(json.dumps(data))["explanation"] == data["explanation"]  # lists, as stored and served
    assert data["explanation"]["en"] == list(result.explanation["en"])
    assert data["positive_dimensions"] == ["coercion_destination", "purpose"]
    assert set(data) == {
        "set_id", "set_version", "scoring_version", "level", "level_key", "rule", "child", "urgent",
        "medical_emergency", "privacy_concerns", "dimensions", "forms", "yes", "urgent_indicators",
        "not_counted", "explanation", "age_to_establish", "speak_alone", "positive_dimensions",
    }  # fmt: skip
    assert (data["set_id"], data["set_version"], data["scoring_version"]) == ("general", "2026.2", "2026.2")
    assert json.loads(json.dumps(data["dimensions"]))[0] == {
        "dimension": "coercion_destination",
        "positive": True,
        "hits": [
            {"indicator": "coer.threats", "strength": "strong"},
            {"indicator": "coer.watched", "strength": "medium"},
        ],
    }


# --- invalid answers ----------------------------------------------------------------------------


def test_unknown_indicator_and_invalid_answer_are_refused() -> None:
    with pytest.raises(ScoringInputError) as unknown:
        run({"coer.nonexistent": "yes"})
    assert str(unknown.value) == "unknown indicator 'coer.nonexistent' in set general@2026.2"
    with pytest.raises(ScoringInputError) as invalid:
        run({"coer.threats": "maybe"})
    assert str(invalid.value) == "invalid answer 'maybe' for 'coer.threats' (allowed: yes, no, unknown, not_asked)"
    for answer in ("yes", "no", "unknown", "not_asked"):
        validate_answers(SET, {"coer.threats": answer, "safety.medical": answer})


def test_an_unknown_condition_is_an_error_not_a_silent_no() -> None:
    from dataclasses import replace

    broken = replace(NEW, levels=(replace(NEW.levels[0], adult={"most": True}),))
    with pytest.raises(ValueError, match="unknown condition 'most'"):
        run(yes("coer.threats"), rules=broken)


# --- referrals ------------------------------------------------------------------------------------


def test_the_csw_referral_names_the_childs_municipality_and_only_the_csw_does() -> None:
    profile = Profile(age=15, municipality="gjilan")
    refs = choose_referrals(RULES, run(yes("pur.sexual"), profile), profile)
    assert [(r.contact, r.municipality) for r in refs] == [("csw", "gjilan"), ("dithb", None), ("vaao", None)]
    assert refs[0].to_dict()["municipality"] == "gjilan"


def test_the_consent_rule_adds_the_rights_reason_only_when_consent_was_declined() -> None:
    answers = yes("coer.threats")
    declined = Profile(age=30, consent="declined")
    vaao = {r.contact: r for r in choose_referrals(RULES, run(answers, declined), declined)}["vaao"]
    assert vaao.priority == "within_24h"
    assert vaao.rules == ("adult_possible", "adult_declined_rights")
    assert vaao.to_dict() == {
        "contact": "vaao",
        "priority": "within_24h",
        "reason": "reason adult_possible reason adult_declined_rights",
        "rules": ["adult_possible", "adult_declined_rights"],
        "sop": ["SOP adult_possible", "SOP adult_declined_rights"],
        "municipality": None,
    }
    assert vaao.to_dict("sq")["reason"] == "[sq] reason adult_possible [sq] reason adult_declined_rights"
    for consent in ("given", "not_recorded"):
        profile = Profile(age=30, consent=consent)
        vaao = {r.contact: r for r in choose_referrals(RULES, run(answers, profile), profile)}["vaao"]
        assert vaao.rules == ("adult_possible",), consent
    child = Profile(age=15, consent="declined")
    refs = choose_referrals(RULES, run(answers, child), child)
    assert all("adult_declined_rights" not in r.rules for r in refs)


def test_foreign_nationals_and_asylum_seekers_get_dcam() -> None:
    answers = yes("coer.threats")
    assert referrals(answers, Profile(age=30, foreign_national=True))["dcam"] == "routine"
    assert "dcam" not in referrals(answers, Profile(age=30, foreign_national=None))
    assert "dcam" not in referrals(answers, Profile(age=30, foreign_national=False))
    assert "dcam" not in referrals(yes("cond.hours"), Profile(age=30, foreign_national=True))
    assert referrals(yes("cond.hours"), Profile(age=30, asylum_seeker=True)) == {
        "antitrafficking_line": "routine",
        "dcam": "routine",
    }
    assert referrals({}, Profile(age=30, asylum_seeker=True)) == {}


def test_level_conditions_are_inclusive() -> None:
    """level_at_least 3 holds at level 3; level 2 only at level 2."""
    assert "dithb" in referrals(yes(*DECEPTION, *EXPLOITATIVE, *COERCION))
    assert referrals(yes("coer.threats"), Profile(age=30, asylum_seeker=True))["dcam"] == "routine"


MERGE = ReferralRules(
    version="9.1",
    status="released",
    rules=(
        rule("routine_first", {"level_at_least": 1}, ("ngo", "routine"), ("csw", "routine"), sop="SOP A"),
        rule("never", {"level_at_least": 3}, ("police_emergency", "now")),
        rule("then_24h", {"level_at_least": 1}, ("ngo", "within_24h"), ("csw", "within_24h"), sop="SOP A"),
        rule("then_routine", {"level_at_least": 1}, ("ngo", "routine"), sop="SOP B"),
        rule("dithb_last", {"level_at_least": 2}, ("dithb", "now"), ("vaao", "routine")),
    ),
    file="synthetic-merge",
)


def test_one_contact_once_at_its_most_pressing_priority_with_every_reason() -> None:
    profile = Profile(age=15, municipality="prishtine")
    result = run(yes("vdest.exploited_illness"), profile)  # concern, child
    refs = choose_referrals(MERGE, result, profile)
    assert [(r.contact, r.priority) for r in refs] == [("ngo", "within_24h"), ("csw", "within_24h")]
    ngo, csw = refs
    assert ngo.rules == ("routine_first", "then_24h", "then_routine")
    assert ngo.sop == ("SOP A", "SOP B")
    assert ngo.to_dict()["reason"] == "reason routine_first reason then_24h reason then_routine"
    assert csw.municipality == "prishtine" and ngo.municipality is None
    assert csw.rules == ("routine_first", "then_24h") and csw.sop == ("SOP A",)


def test_referrals_are_ordered_by_priority_then_by_first_mention() -> None:
    result = run(yes("coer.threats"), CHILD)
    refs = choose_referrals(MERGE, result, CHILD)
    assert [(r.contact, r.priority) for r in refs] == [
        ("dithb", "now"),
        ("ngo", "within_24h"),
        ("csw", "within_24h"),
        ("vaao", "routine"),
    ]
    assert choose_referrals(MERGE, run({}), ADULT) == ()


def test_referral_rule_fields_on_outcome_yes_and_evidence() -> None:
    # evidence_in_any: a coercion item answered yes, dimension not positive, level 1
    assert referrals(yes("coer.watched")) == {"ngo": "within_24h", "antitrafficking_line": "routine"}
    assert referrals(yes("vdest.isolated")) == {"antitrafficking_line": "routine"}


def test_referral_to_dict_default_language_is_english() -> None:
    ref = Referral("dithb", "now", (RULES.rules[2].reason,), ("adult_presumed",), ("SOP adult_presumed",))
    assert ref.to_dict()["reason"] == "reason adult_presumed"
    assert ref.to_dict("sr_Latn")["reason"] == "[sr] reason adult_presumed"


# --- assessment ------------------------------------------------------------------------------------


CONTENT = content()


def test_assess_uses_the_current_rules_and_the_sets_scoring() -> None:
    general = resolve_set(CONTENT, "general")
    assert general.version == "2026.2"
    assessment = assess(CONTENT, general, yes("coer.threats"), ADULT)
    assert assessment.rules_version == "2026.2"
    assert assessment.result.scoring_version == "2026.2"
    assert {r.contact: r.priority for r in assessment.referrals} == {"dithb": "within_24h", "vaao": "within_24h"}
    old_set = resolve_set(CONTENT, "general", "2026.1")
    assert assess(CONTENT, old_set, yes("coer.threats"), Profile()).result.rule == "possible.child"


def test_assess_with_a_stored_rules_version_re_renders_under_those_rules() -> None:
    assessment = assess(CONTENT, resolve_set(CONTENT, "general"), yes(*COERCION), ADULT, "2026.1")
    assert assessment.rules_version == "2026.1"
    assert {r.contact: r.priority for r in assessment.referrals} == {"dithb": "within_24h"}
    assert assess(CONTENT, resolve_set(CONTENT, "general"), yes(*COERCION), ADULT, None).rules_version == "2026.2"


def test_assess_checks_the_municipality() -> None:
    general = resolve_set(CONTENT, "general")
    ok = assess(CONTENT, general, yes("pur.sexual"), Profile(age=15, municipality="prishtine"))
    assert ok.referrals[0].contact == "csw" and ok.referrals[0].municipality == "prishtine"
    with pytest.raises(ScoringInputError) as error:
        assess(CONTENT, general, yes("pur.sexual"), Profile(age=15, municipality="atlantis"))
    assert str(error.value) == "unknown municipality 'atlantis'"


def test_assessment_to_dict() -> None:
    general = resolve_set(CONTENT, "general")
    assessment = assess(CONTENT, general, yes("coer.threats"), Profile(age=30, consent="declined"))
    data = assessment.to_dict()
    json.dumps(data)
    assert data["rules_version"] == "2026.2"
    assert data["level_key"] == "possible"
    assert [r["contact"] for r in data["referrals"]] == ["dithb", "vaao"]
    assert data["referrals"][1]["reason"] == "reason adult_possible reason adult_declined_rights"
    assert assessment.to_dict("sq")["referrals"][0]["reason"] == "[sq] reason adult_possible"
    assert isinstance(assessment, Assessment)


def test_resolve_set_errors_name_what_exists() -> None:
    with pytest.raises(ScoringInputError) as version:
        resolve_set(CONTENT, "general", "2025.9")
    assert str(version.value) == "set 'general' has no version '2025.9' (versions: 2026.1, 2026.2)"
    with pytest.raises(ScoringInputError) as unknown:
        resolve_set(CONTENT, "health")
    assert str(unknown.value) == "unknown set 'health' (sets: general, labour)"
    with pytest.raises(ScoringInputError) as unknown_version:
        resolve_set(CONTENT, "health", "2026.2")
    assert str(unknown_version.value) == "unknown set 'health' (sets: general, labour)"
    assert resolve_set(CONTENT, "labour", "2026.2").id == "labour"


def test_current_rules_prefer_released() -> None:
    draft = ReferralRules("2027.1", "draft", (), "x")
    assert content(referral_rules_2026_1(), referral_rules_2026_2(), draft).current_rules.version == "2026.2"


# --- input files ---------------------------------------------------------------------------------------


def test_every_profile_field_is_read_from_its_key() -> None:
    profile, answers = parse_screening_input(
        {
            "age": 19,
            "age_uncertain": True,
            "age_estimate": "may_be_minor",
            "foreign_national": True,
            "asylum_seeker": True,
            "municipality": "prishtine",
            "consent": "declined",
            "answers": {"coer.threats": True, "coer.watched": False, "cond.hours": "unknown"},
            "safety": {"safety.immediate_danger": True},
        }
    )
    assert profile == Profile(
        age=19,
        age_uncertain=True,
        age_estimate="may_be_minor",
        foreign_national=True,
        asylum_seeker=True,
        municipality="prishtine",
        consent="declined",
    )
    assert answers == {
        "safety.immediate_danger": "yes",
        "coer.threats": "yes",
        "coer.watched": "no",
        "cond.hours": "unknown",
    }


def test_defaults_when_keys_are_missing() -> None:
    profile, answers = parse_screening_input({"answers": {}})
    assert profile == Profile()
    assert profile.foreign_national is None and profile.age_uncertain is False and profile.asylum_seeker is False
    assert profile.consent == "not_recorded"
    assert answers == {}
    assert parse_screening_input({})[1] == {}
    assert parse_screening_input({"answers": None, "safety": None})[1] == {}


def test_age_uncertain_read_from_input_makes_the_person_a_child() -> None:
    profile, answers = parse_screening_input({"age": 19, "age_uncertain": True, "answers": yes("pur.sexual")})
    assert run(answers, profile).rule == "presumed.child"
    profile, answers = parse_screening_input({"age": 19, "age_uncertain": False, "answers": yes("pur.sexual")})
    assert run(answers, profile).rule == "possible.adult"
    assert parse_screening_input({"age_uncertain": None})[0].age_uncertain is False


@pytest.mark.parametrize(
    ("estimate", "rule"),
    [("may_be_minor", "presumed.child"), ("clearly_child", "presumed.child"), ("clearly_adult", "possible.adult")],
)
def test_age_estimate_read_from_input(estimate: str, rule: str) -> None:
    profile, answers = parse_screening_input({"age": "unknown", "age_estimate": estimate, "answers": yes("pur.sexual")})
    assert profile.age is None and profile.age_estimate == estimate
    assert run(answers, profile).rule == rule


def test_cannot_estimate_read_from_input_is_an_adult_whose_age_is_to_be_established() -> None:
    profile, answers = parse_screening_input({"age_estimate": "cannot_estimate", "answers": yes("pur.sexual")})
    result = run(answers, profile)
    assert result.rule == "possible.adult" and result.age_to_establish


def test_consent_read_from_input_reaches_the_referral() -> None:
    for consent in ("given", "declined", "not_recorded"):
        assert parse_screening_input({"consent": consent})[0].consent == consent
    profile, answers = parse_screening_input({"age": 30, "consent": "declined", "answers": yes("coer.threats")})
    vaao = {r.contact: r for r in choose_referrals(RULES, run(answers, profile), profile)}["vaao"]
    assert "adult_declined_rights" in vaao.rules


def test_nationality_unknown_is_not_no() -> None:
    assert parse_screening_input({"foreign_national": "unknown"})[0].foreign_national is None
    assert parse_screening_input({"foreign_national": None})[0].foreign_national is None
    assert parse_screening_input({"foreign_national": False})[0].foreign_national is False
    assert parse_screening_input({"asylum_seeker": None})[0].asylum_seeker is False
    assert parse_screening_input({"asylum_seeker": True})[0].asylum_seeker is True


@pytest.mark.parametrize("age", [0, 1, 17, 18, 120])
def test_ages_accepted(age: int) -> None:
    assert parse_screening_input({"age": age})[0].age == age


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"age": 121}, "age must be a whole number of years (0-120) or 'unknown', found 121"),
        ({"age": -1}, "age must be a whole number of years (0-120) or 'unknown', found -1"),
        ({"age": True}, "age must be a whole number of years (0-120) or 'unknown', found True"),
        ({"age": "17"}, "age must be a whole number of years (0-120) or 'unknown', found '17'"),
        ({"age": 17.5}, "age must be a whole number of years (0-120) or 'unknown', found 17.5"),
        ({"age_uncertain": "unknown"}, "age_uncertain must be true or false, found 'unknown'"),
        ({"age_uncertain": "yes"}, "age_uncertain must be true or false, found 'yes'"),
        ({"asylum_seeker": "unknown"}, "asylum_seeker must be true or false, found 'unknown'"),
        ({"foreign_national": "no"}, "foreign_national must be true or false, found 'no'"),
        ({"consent": "yes"}, "consent must be one of given, declined, not_recorded, found 'yes'"),
        ({"consent": None}, "consent must be one of given, declined, not_recorded, found None"),
        ({"municipality": 7}, "municipality must be a municipality key such as 'prishtine'"),
        (
            {"age_estimate": "teen"},
            "age_estimate must be one of clearly_adult, may_be_minor, clearly_child, cannot_estimate, found 'teen'",
        ),
        ({"answers": ["coer.threats"]}, "answers must map indicator ids to yes, no, unknown or not_asked"),
        ({"safety": "yes"}, "safety must map indicator ids to yes, no, unknown or not_asked"),
        (
            {"name": "X", "phone": 1, "age": 3},
            "unknown key(s) name, phone (allowed: age, age_uncertain, age_estimate, foreign_national, "
            "asylum_seeker, municipality, consent, answers, safety)",
        ),
        ("answers: {}", "the answers file must hold a mapping with at least 'answers'"),
    ],
)
def test_invalid_input_is_refused_with_a_message_that_says_why(data: object, message: str) -> None:
    with pytest.raises(ScoringInputError) as error:
        parse_screening_input(data)
    assert str(error.value) == message


def test_an_unknown_key_alone_is_named() -> None:
    with pytest.raises(ScoringInputError, match=r"^unknown key\(s\) 7 \(allowed: age, "):
        parse_screening_input({7: "x"})


def test_unknown_referral_rules_version_is_a_clear_input_error() -> None:
    shipped = content(referral_rules_2026_1(), referral_rules_2026_2())
    with pytest.raises(ScoringInputError) as raised:
        assess(shipped, indicator_set(), {}, Profile(age=30), "2025.9")
    assert str(raised.value) == "no referral rules '2025.9' (versions: 2026.1, 2026.2)"
    assert assess(shipped, indicator_set(), {}, Profile(age=30), "2026.1").rules_version == "2026.1"


# --- a stored result read back, and how much of a screening was answered ------------------


def _every_field_set(result: ScoreResult) -> ScoreResult:
    """A real result with every optional field given a value, so a round trip must carry each."""
    return replace(
        result,
        child=True,
        urgent=True,
        medical_emergency=True,
        privacy_concerns=("safety.person_alone",),
        urgent_indicators=("coer.threats",),
        age_to_establish=True,
        speak_alone=("coer.watched",),
    )


@pytest.mark.parametrize(
    "answers",
    [yes(*EXPLOITATIVE, *DECEPTION, *COERCION), yes(*COERCION), {}],
    ids=["presumed", "possible", "nothing"],
)
def test_a_stored_result_reads_back_as_the_same_result(answers: dict[str, str]) -> None:
    for result in (run(answers), run(answers, CHILD), _every_field_set(run(answers))):
        stored = json.loads(json.dumps(result.to_dict()))  # as the database keeps it
        assert ScoreResult.from_dict(stored) == result


def test_a_result_stored_before_a_field_existed_reads_with_its_defaults() -> None:
    old = ScoreResult.from_dict({"level": 2, "dimensions": []})
    assert (old.level, old.set_id, old.set_version, old.scoring_version, old.level_key, old.rule) == (
        2,
        "",
        "",
        "",
        "",
        "",
    )
    assert not (old.child or old.urgent or old.medical_emergency or old.age_to_establish)
    assert old.dimensions == old.forms == old.yes == old.urgent_indicators == old.not_counted == ()
    assert old.privacy_concerns == old.speak_alone == () and old.explanation == {}


def test_coverage_counts_the_questions_asked_and_answered() -> None:
    adult = coverage(
        SET, yes(*COERCION, **{"cond.hours": "no", "cond.pay": "unknown", "cond.no_contract": "not_asked"}), child=False
    )
    assert (adult.answered, adult.asked, adult.stopped_for_danger) == (4, ADULT_ASKED, False)
    child = coverage(SET, {"safety.immediate_danger": "yes"}, child=True)
    assert (child.answered, child.asked, child.stopped_for_danger) == (0, ADULT_ASKED + 2, True)


def test_level_zero_is_an_assessment_only_when_half_the_questions_were_answered() -> None:
    half, under = Coverage(answered=2, asked=4, stopped_for_danger=False), Coverage(1, 4, False)
    assert half.assessed(0) and not under.assessed(0)
    assert under.assessed(1), "a level above 0 always stands"
    assert not Coverage(0, 0, False).assessed(0), "nothing asked is not an assessment"


def test_one_question_answered_of_one_asked_is_an_assessment_and_two_of_five_is_not() -> None:
    assert Coverage(1, 1, False).assessed(0)
    assert not Coverage(2, 5, False).assessed(0) and Coverage(3, 5, False).assessed(0)


def test_an_answer_that_is_not_text_is_refused_naming_the_item_and_the_answers_allowed() -> None:
    with pytest.raises(ScoringInputError) as refused:
        parse_screening_input({"answers": {"coer.threats": ["yes"]}})
    assert str(refused.value) == "invalid answer ['yes'] for 'coer.threats' (allowed: yes, no, unknown, not_asked)"


def test_clear_yes_in_leaves_out_everyday_observations() -> None:
    """Scoring 2026.3's ``clear_yes_in``: a yes in the dimensions that is not a ``speak_alone``
    observation (a companion who stays is a reason to speak alone, not coercion)."""
    from screening.core.scoring import _Facts, _holds

    items = {i.id: i for i in SET.indicators}
    condition = {"clear_yes_in": ("coercion_destination",)}

    def holds(*ids: str, child: bool = False) -> bool:
        facts = _Facts(positive=frozenset(), yes=tuple(items[i] for i in ids), answered_no=frozenset(), child=child)
        return _holds(condition, facts)

    assert items["coer.companion"].speak_alone and items["coer.companion"].dimension == "coercion_destination"
    assert not holds("coer.companion")
    assert holds("coer.watched") and holds("coer.companion", "coer.watched")
    assert not holds("cond.hours")  # another dimension
    assert not holds()


#: A set with an item whose yes says the person is or may be under 18 (``child_sign``, bank 2026.5).
MINOR_AT_WORK = replace(item("cond.minor", "exploitative_conditions", "medium"), child_sign=True)
SIGNED = replace(SET, sections=(*SET.sections, Section("minor", "indicators", T("Minor"), indicators=(MINOR_AT_WORK,))))


def test_a_yes_that_says_may_be_under_18_applies_the_child_rule_whatever_the_profile() -> None:
    """CoE Convention Art. 10(3): reasons to believe the person is a child are enough. The same
    exploitative conditions are labour rights for an adult and possible trafficking once a
    child-sign item is answered yes; "no", "unknown" or not asking it leaves the adult an adult."""
    work = yes(*EXPLOITATIVE)
    assert outcome(score(SIGNED, NEW, {**work, "cond.minor": "yes"}, ADULT)) == (2, "possible", "possible.child")
    for answer in ("no", "unknown", "not_asked"):
        result = score(SIGNED, NEW, {**work, "cond.minor": answer}, ADULT)
        assert not result.child and outcome(result) == (1, "labour_rights", "labour_rights.adult"), answer
    assert signals_a_child(SIGNED, {"cond.minor": "yes"}) and not signals_a_child(SIGNED, {"cond.minor": "no"})
    assert not signals_a_child(SET, dict.fromkeys(SET.item_ids, "yes"))  # a set without such an item
