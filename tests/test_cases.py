"""Table-driven cases in YAML for the released 2026.1 content: the worked vignettes and the
referral-rule cases beside the rules. They pin version 2026.1 (sets, scoring and rules), which stored
screenings keep using; the 2026.2 decisions have their own cases (tests/test_decisions.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from screening.core.assessment import assess, resolve_set
from screening.core.inputs import parse_screening_input
from screening.core.model import Content

ROOT = Path(__file__).resolve().parents[1]
PINNED = "2026.1"
CASE_FILES = [Path(__file__).with_name("vignettes.yaml"), ROOT / "referral_rules" / "cases" / f"{PINNED}.yaml"]


def _cases() -> list[Any]:
    params = []
    for file in CASE_FILES:
        for case in yaml.safe_load(file.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{file.stem}: {case['name']}"))
    return params


@pytest.mark.parametrize("case", _cases())
def test_case(content: Content, case: dict[str, Any]) -> None:
    indicator_set = resolve_set(content, case["set"], case.get("version", PINNED))
    profile, answers = parse_screening_input(case["input"])
    assessment = assess(content, indicator_set, answers, profile, rules_version=PINNED)
    expected = case["expect"]
    result = assessment.result
    assert result.level == expected["level"], result.explanation["en"]
    for flag in ("child", "urgent"):
        if flag in expected:
            assert getattr(result, flag) is expected[flag]
    got = {r.contact: r.priority for r in assessment.referrals}
    assert got == (expected["referrals"] or {})


def test_there_are_enough_vignettes_across_the_five_sets() -> None:
    cases = yaml.safe_load(CASE_FILES[0].read_text(encoding="utf-8"))
    assert len(cases) >= 12
    assert {c["set"] for c in cases} == {"general", "health", "labour", "migrants", "child"}
