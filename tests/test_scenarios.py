"""Training scenarios: enough of them, the required kinds, and expectations the engine agrees with."""

from __future__ import annotations

import pytest

from screening.core.loading import load_content
from screening.core.model import Content, Scenario
from screening.core.training import expected_outcome, give_feedback

SCENARIOS = sorted(load_content().scenarios.values(), key=lambda s: s.id)


POLICE = {"dithb", "police_emergency"}


def test_at_least_24_scenarios_across_the_five_sets(content: Content) -> None:
    assert len(content.scenarios) >= 24
    assert {s.set_id for s in content.scenarios.values()} == {"general", "health", "labour", "migrants", "child"}


def test_a_third_are_controls_that_are_not_referred_to_the_police(content: Content) -> None:
    controls = [s for s in content.scenarios.values() if not POLICE & set(s.expected_referrals)]
    assert 3 * len(controls) >= len(content.scenarios), [s.id for s in controls]


def test_every_scenario_names_its_source(content: Content) -> None:
    assert all(s.source and "\n" not in s.source for s in content.scenarios.values())


def test_the_required_kinds_of_case_are_there(content: Content) -> None:
    scenarios = content.scenarios.values()
    not_trafficking = [s for s in scenarios if s.expected_level <= 1]
    assert len(not_trafficking) >= 3, "labour-law violation, smuggling, and a benign case"
    assert any(s.set_id == "migrants" and s.expected_level <= 1 for s in scenarios), "smuggling without exploitation"
    assert any(s.set_id == "labour" and s.expected_level <= 1 for s in scenarios), "a labour-law violation"
    begging = [s for s in scenarios if "pur.begging_organised_by_others" in s.must_mark]
    assert begging and all(s.expected_level == 3 for s in begging), "forced begging by a parent is trafficking"
    assert any("police_emergency" in s.expected_referrals for s in scenarios), "an urgent case"


def test_every_set_has_a_control_that_is_not_referred_to_the_police(content: Content) -> None:
    police = POLICE
    for set_id in ("general", "health", "labour", "migrants", "child"):
        assert any(
            s.set_id == set_id and s.expected_level <= 1 and not police & set(s.expected_referrals)
            for s in content.scenarios.values()
        ), f"a control in the {set_id} set"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_expectations_match_the_engine(content: Content, scenario: Scenario) -> None:
    level, referrals = expected_outcome(content, scenario)
    assert level == scenario.expected_level
    assert referrals == dict(scenario.expected_referrals)


def test_feedback_names_missed_and_unsupported_indicators(content: Content) -> None:
    scenario = next(s for s in SCENARIOS if len(s.must_mark) >= 2)
    indicator_set = content.get_set(scenario.set_id, scenario.set_version)
    assert indicator_set is not None
    supported = set(scenario.must_mark) | set(scenario.may_mark)
    stray = next(i.id for i in indicator_set.indicators if i.id not in supported)
    answers = dict.fromkeys(scenario.must_mark[1:], "yes") | {stray: "yes"}
    feedback = give_feedback(content, scenario, answers)
    assert feedback.missed == (scenario.must_mark[0],)
    assert feedback.unsupported == (stray,)
    assert feedback.score == (len(scenario.must_mark) - 2) * 100 // len(scenario.must_mark)
    perfect = give_feedback(content, scenario, dict.fromkeys(scenario.must_mark, "yes"))
    assert perfect.score == 100 and perfect.level_right


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_supported_marks_never_change_the_outcome(content: Content, scenario: Scenario) -> None:
    """A trainee who also marks what the story supports (may_mark) still gets the expected outcome
    and contacts, so the class figures count them as right."""
    expected = give_feedback(content, scenario, dict.fromkeys(scenario.must_mark, "yes"))
    everything = give_feedback(content, scenario, dict.fromkeys(scenario.must_mark + scenario.may_mark, "yes"))
    assert (everything.outcome, dict(everything.referrals)) == (expected.outcome, dict(expected.referrals))
