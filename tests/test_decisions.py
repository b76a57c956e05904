"""The worked decision cases of 2026.2 (referral_rules/cases/2026.2.yaml), run through every set.

Each case is a fact pattern from ILO 2009, UNODC, GRETA or US TIP, written as bank item answers and a
profile, with the outcome and contacts the sources expect. A case runs through every 2026.2 set that
holds all of its answered items (the child module included for a child), and every one of those sets
must give the same decision: same facts, same item, same result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from screening.core.assessment import Assessment, assess
from screening.core.inputs import parse_screening_input
from screening.core.model import Content, IndicatorSet, version_key

VERSION = "2026.2"
CASES_FILE = Path(__file__).resolve().parents[1] / "referral_rules" / "cases" / f"{VERSION}.yaml"
POLICE = {"dithb", "police_emergency"}


def _cases() -> list[dict[str, Any]]:
    return yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))


def _sets_holding(content: Content, case: dict[str, Any]) -> list[IndicatorSet]:
    profile, answers = parse_screening_input(case["input"])
    child = profile.counts_as_child(unknown_is_child=False)
    sets = []
    for set_id in content.set_ids():
        indicator_set = content.get_set(set_id, VERSION)
        if indicator_set is None:
            continue
        asked = {i.id for i in indicator_set.indicators_for(child)} | {c.id for c in indicator_set.safety_checks}
        if set(answers) <= asked:
            sets.append(indicator_set)
    return sets


def _run(content: Content, indicator_set: IndicatorSet, case: dict[str, Any]) -> Assessment:
    profile, answers = parse_screening_input(case["input"])
    return assess(content, indicator_set, answers, profile, rules_version=VERSION)


def _decision(assessment: Assessment) -> dict[str, Any]:
    result = assessment.result
    return {
        "outcome": result.level_key,
        "child": result.child,
        "urgent": result.urgent,
        "referrals": {r.contact: r.priority for r in assessment.referrals},
    }


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in _cases()])
def test_case_gives_the_expected_decision_in_every_set_holding_it(content: Content, case: dict[str, Any]) -> None:
    sets = _sets_holding(content, case)
    assert sets, f"no {VERSION} set holds all of {sorted(case['input'].get('answers', {}))}"
    expected = case["expect"]
    for indicator_set in sets:
        assessment = _run(content, indicator_set, case)
        got = _decision(assessment)
        wanted = {key: expected[key] for key in ("outcome", "child", "urgent") if key in expected}
        wanted["referrals"] = expected["referrals"] or {}
        assert {k: got[k] for k in wanted} == wanted, (indicator_set.ref, assessment.result.explanation["en"])


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in _cases()])
def test_every_later_release_scored_with_these_rules_decides_the_same(content: Content, case: dict[str, Any]) -> None:
    """2026.3 rewords safety checks only: every set of a later version scored with VERSION must give
    each case the same decision as its VERSION set."""
    for indicator_set in _sets_holding(content, case):
        later = [
            content.get_set(indicator_set.id, v)
            for v in content.versions(indicator_set.id)
            if version_key(v) > version_key(VERSION)
        ]
        for newer in (s for s in later if s is not None and s.scoring == VERSION):
            assert _decision(_run(content, newer, case)) == _decision(_run(content, indicator_set, case)), newer.ref


def test_the_cases_cover_what_the_sources_expect() -> None:
    cases = _cases()
    assert len(cases) >= 60
    assert all(case.get("source") for case in cases), "every case cites its source"
    controls = [c for c in cases if c.get("control")]
    trafficking = [c for c in cases if c.get("trafficking")]
    assert len(controls) >= 20
    assert len(trafficking) >= 40
    for case in controls:
        assert not POLICE & set(case["expect"]["referrals"] or {}), f"control {case['name']} reaches the police"
    for case in trafficking:
        referrals = case["expect"]["referrals"] or {}
        assert "dithb" in referrals, f"trafficking case {case['name']} does not reach DITHB"
        if case["expect"].get("child"):
            assert "csw" in referrals, f"child case {case['name']} does not reach the CSW"


def test_controls_and_trafficking_cases_are_distinct() -> None:
    assert not [c["name"] for c in _cases() if c.get("control") and c.get("trafficking")]
