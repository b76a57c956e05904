"""Feedback on a trainee's answers to a scenario: what was missed, what was not supported, and the
level and contacts they lead to beside the expected ones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from screening.core.assessment import assess
from screening.core.inputs import parse_screening_input
from screening.core.model import Content, Scenario
from screening.core.profile import Profile


@dataclass(frozen=True)
class Feedback:
    scenario: str
    missed: tuple[str, ...]  # must-mark indicators not answered yes
    unsupported: tuple[str, ...]  # answered yes, but the narrative does not support them
    found: tuple[str, ...]
    level: int
    referrals: Mapping[str, str]
    expected_level: int
    expected_referrals: Mapping[str, str]
    score: int  # 0-100: must-mark found, less unsupported marks, as a share of must-mark
    outcome: str = ""  # the outcome these answers give (presumed, possible, labour_rights, ...)
    expected_outcome: str = ""  # the outcome the must-mark answers give
    child: bool | None = None  # whether the trainee's profile treated the person as a child
    expected_child: bool | None = None  # whether the scenario's person counts as a child

    @property
    def level_right(self) -> bool:
        return self.level == self.expected_level

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["referrals"], data["expected_referrals"] = dict(self.referrals), dict(self.expected_referrals)
        return data


def expected_outcome(content: Content, scenario: Scenario) -> tuple[int, dict[str, str]]:
    """What the engine computes from the scenario's profile and must-mark answers."""
    feedback = give_feedback(content, scenario, dict.fromkeys(scenario.must_mark, "yes"))
    return feedback.level, dict(feedback.referrals)


def give_feedback(
    content: Content, scenario: Scenario, answers: Mapping[str, str], profile: Profile | None = None
) -> Feedback:
    """The trainee's result beside the expected one. ``profile`` is the profile the trainee entered
    in a rehearsal: their level and contacts are then the ones their result page showed (a child
    entered as an adult loses the child rule, as it would in a real screening). Without it, the
    scenario's own profile is used. The expected result always uses the scenario's profile."""
    indicator_set = content.get_set(scenario.set_id, scenario.set_version)
    assert indicator_set is not None, "the loader checks a scenario's set"
    truth, _ = parse_screening_input(dict(scenario.profile))
    entered = profile or truth
    assessment = assess(content, indicator_set, answers, entered)
    yes = {item for item, answer in answers.items() if answer == "yes"}
    must, supported = set(scenario.must_mark), set(scenario.must_mark) | set(scenario.may_mark)
    position = {
        item: n
        for n, item in enumerate([c.id for c in indicator_set.safety_checks] + [i.id for i in indicator_set.indicators])
    }

    def in_set_order(items: set[str]) -> tuple[str, ...]:
        return tuple(sorted(items, key=lambda item: position.get(item, len(position))))

    found = in_set_order(must & yes)
    unsupported = in_set_order(yes - supported)
    score = max(0, len(found) - len(unsupported)) * 100 // max(1, len(must))
    expected = assess(content, indicator_set, dict.fromkeys(scenario.must_mark, "yes"), truth).result
    return Feedback(
        scenario=scenario.id,
        missed=in_set_order(must - yes),
        unsupported=unsupported,
        found=found,
        level=assessment.result.level,
        referrals={r.contact: r.priority for r in assessment.referrals},
        expected_level=scenario.expected_level,
        expected_referrals=dict(scenario.expected_referrals),
        score=score,
        outcome=assessment.result.level_key,
        expected_outcome=expected.level_key,
        child=assessment.result.child,
        expected_child=expected.child,
    )
