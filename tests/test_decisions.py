"""The worked decision cases of 2026.2 (referral_rules/cases/2026.2.yaml), run through every set.

Each case is a fact pattern from ILO 2009, UNODC, GRETA or US TIP, written as bank item answers and a
profile, with the outcome and contacts the sources expect. A case runs through every 2026.2 set that
holds all of its answered items (the child module included for a child), and every one of those sets
must give the same decision: same facts, same item, same result. Every later release must keep each
decision; the cases of scoring 2026.3 (referral_rules/cases/scoring-2026.3.yaml) show what that
release changes, through every set scored with it, and the cases of bank 2026.5
(referral_rules/cases/bank-2026.5.yaml) what that release of the items changes, through its sets.
A referral rules release after 2026.2 (referral_rules/cases/rules-2026.3.yaml) shows what it changes
through the current sets, and must decide every other worked case as 2026.2's rules do.
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


#: The worked cases of a scoring release after 2026.2, by its version: what it changes.
LATER_SCORING = {
    "2026.3": CASES_FILE.with_name("scoring-2026.3.yaml"),
    "2026.4": CASES_FILE.with_name("scoring-2026.4.yaml"),
    "2026.5": CASES_FILE.with_name("scoring-2026.5.yaml"),
    "2026.6": CASES_FILE.with_name("scoring-2026.6.yaml"),
    "2026.7": CASES_FILE.with_name("scoring-2026.7.yaml"),
    "2026.8": CASES_FILE.with_name("scoring-2026.8.yaml"),
    "2026.9": CASES_FILE.with_name("scoring-2026.9.yaml"),
}
#: The worked cases of a release of the bank and sets that changes items, not the scoring, by the version
#: of the sets that bring it.
LATER_BANK = {
    "2026.5": CASES_FILE.with_name("bank-2026.5.yaml"),
    "2026.6": CASES_FILE.with_name("bank-2026.6.yaml"),
    "2026.8": CASES_FILE.with_name("bank-2026.7.yaml"),  # bank 2026.7, in the sets 2026.8
    "2026.9": CASES_FILE.with_name("bank-2026.8.yaml"),  # bank 2026.8, in the sets 2026.9
    "2026.10": CASES_FILE.with_name("bank-2026.9.yaml"),  # bank 2026.9, in the sets 2026.10
    "2026.11": CASES_FILE.with_name("bank-2026.10.yaml"),  # bank 2026.10, in the sets 2026.11
    "2026.12": CASES_FILE.with_name("bank-2026.11.yaml"),  # bank 2026.11, in the sets 2026.12
    "2026.13": CASES_FILE.with_name("bank-2026.12.yaml"),  # bank 2026.12, in the sets 2026.13
    "2026.14": CASES_FILE.with_name("bank-2026.13.yaml"),  # bank 2026.13, in the sets 2026.14
    "2026.15": CASES_FILE.with_name("bank-2026.14.yaml"),  # bank 2026.14, in the sets 2026.15
    "2026.16": CASES_FILE.with_name("bank-2026.15.yaml"),  # bank 2026.15, in the sets 2026.16
}
#: The worked cases of a referral rules release after VERSION, by its version: what it changes.
LATER_RULES = {
    "2026.3": CASES_FILE.with_name("rules-2026.3.yaml"),
    "2026.4": CASES_FILE.with_name("rules-2026.4.yaml"),
    "2026.5": CASES_FILE.with_name("rules-2026.5.yaml"),
    "2026.6": CASES_FILE.with_name("rules-2026.6.yaml"),
}


def _cases(file: Path = CASES_FILE) -> list[dict[str, Any]]:
    return yaml.safe_load(file.read_text(encoding="utf-8"))


def _keeps_the_old_decision(case: dict[str, Any]) -> bool:
    """A case marked unchanged, or a control not marked ``changes``, is decided as VERSION decided it;
    any other case of a later release shows what that release changes."""
    return bool(case.get("unchanged") or (case.get("control") and not case.get("changes")))


def _later_cases() -> list[Any]:
    return [
        pytest.param(scoring, case, id=f"{scoring}: {case['name']}")
        for scoring, file in LATER_SCORING.items()
        for case in _cases(file)
    ]


def _bank_cases() -> list[Any]:
    return [
        pytest.param(version, case, id=f"bank {version}: {case['name']}")
        for version, file in LATER_BANK.items()
        for case in _cases(file)
    ]


def superseding(scoring: str) -> dict[str, dict[str, Any]]:
    """The cases of the scoring releases up to ``scoring`` that re-decide an earlier worked case (of
    VERSION, or from 2026.5 of any earlier file), by that case's name (a later release's case
    replaces an earlier one's)."""
    found: dict[str, dict[str, Any]] = {}
    for version in sorted(LATER_SCORING, key=version_key):
        if version_key(version) <= version_key(scoring):
            found.update(
                {case["supersedes"]: case for case in _cases(LATER_SCORING[version]) if case.get("supersedes")}
            )
    return found


def current_case(content: Content, set_id: str, case: dict[str, Any]) -> dict[str, Any]:
    """The case as the set's current version must decide it: its scoring's superseding case, if any."""
    current = content.get_set(set_id)
    assert current is not None
    case = superseding(current.scoring).get(case["name"], case)
    return rules_superseding(content.rules_for(current).version).get(case["name"], case)


def _holding(content: Content, case: dict[str, Any], candidates: list[IndicatorSet | None]) -> list[IndicatorSet]:
    """The candidate sets that ask every item the case answers (the child module for a child)."""
    profile, answers = parse_screening_input(case["input"])
    child = profile.counts_as_child(unknown_is_child=False)
    sets = []
    for indicator_set in candidates:
        if indicator_set is None:
            continue
        asked = {i.id for i in indicator_set.indicators_for(child)} | {c.id for c in indicator_set.safety_checks}
        if set(answers) <= asked:
            sets.append(indicator_set)
    return sets


def _sets_holding(content: Content, case: dict[str, Any]) -> list[IndicatorSet]:
    return _holding(content, case, [content.get_set(set_id, VERSION) for set_id in content.set_ids()])


def _scored_with(content: Content, scoring: str) -> list[IndicatorSet | None]:
    return [s for s in content.sets.values() if s.scoring == scoring]


def _run(content: Content, indicator_set: IndicatorSet, case: dict[str, Any], rules: str = VERSION) -> Assessment:
    profile, answers = parse_screening_input(case["input"])
    return assess(content, indicator_set, answers, profile, rules_version=rules)


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
    for indicator_set in sets:
        _assert_expected(content, indicator_set, case)


def _assert_expected(content: Content, indicator_set: IndicatorSet, case: dict[str, Any], rules: str = VERSION) -> None:
    expected = case["expect"]
    assessment = _run(content, indicator_set, case, rules)
    got = _decision(assessment)
    wanted = {key: expected[key] for key in ("outcome", "child", "urgent") if key in expected}
    wanted["referrals"] = expected["referrals"] or {}
    assert {k: got[k] for k in wanted} == wanted, (indicator_set.ref, assessment.result.explanation["en"])
    explanation = _explanation(assessment)
    for lang, phrase in case.get("explains", {}).items():
        assert phrase in explanation[lang], (indicator_set.ref, lang, explanation[lang])
    for lang, phrase in case.get("no_longer_explains", {}).items():
        assert phrase not in explanation[lang], (indicator_set.ref, lang, explanation[lang])


def _explanation(assessment: Assessment) -> dict[str, str]:
    """The explanation of the result in each content language, its lines joined."""
    return {lang: " ".join(lines) for lang, lines in assessment.result.explanation.items()}


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in _cases()])
def test_every_later_release_decides_the_same(content: Content, case: dict[str, Any]) -> None:
    """Every set of a later version gives each case the same decision as its VERSION set, unless
    the later set's scoring supersedes the case with a worked case of its own (scoring 2026.3: the
    exploitation itself with coercion at destination is presumed, not possible)."""
    for indicator_set in _sets_holding(content, case):
        later = [
            content.get_set(indicator_set.id, v)
            for v in content.versions(indicator_set.id)
            if version_key(v) > version_key(VERSION)
        ]
        for newer in (s for s in later if s is not None and case["name"] not in superseding(s.scoring)):
            assert _decision(_run(content, newer, case)) == _decision(_run(content, indicator_set, case)), newer.ref


@pytest.mark.parametrize(("scoring", "case"), _later_cases())
def test_a_later_scoring_release_gives_its_worked_cases(content: Content, scoring: str, case: dict[str, Any]) -> None:
    _assert_expected_in_every_set_holding(content, case, _scored_with(content, scoring), f"scored with {scoring}")


def _assert_expected_in_every_set_holding(
    content: Content, case: dict[str, Any], candidates: list[IndicatorSet | None], which: str
) -> None:
    sets = _holding(content, case, candidates)
    assert sets, f"no set {which} holds all of {sorted(case['input'].get('answers', {}))}"
    for indicator_set in sets:
        _assert_expected(content, indicator_set, case)


@pytest.mark.parametrize(("scoring", "case"), _later_cases())
def test_a_later_scoring_release_changes_what_it_says(content: Content, scoring: str, case: dict[str, Any]) -> None:
    """A case the release's header says it changes is decided otherwise by 2026.2 (so the case shows
    the change); a control, or a case marked unchanged, keeps the 2026.2 decision, unless the control
    is marked ``changes`` (scoring 2026.5 takes a deceived seasonal worker away from the police)."""
    if case.get("no_longer_explains"):
        _assert_only_the_explanation_changes(content, scoring, case)
        return
    older = _holding(content, case, [content.get_set(set_id, VERSION) for set_id in content.set_ids()])
    assert older
    decisions = {_decision(_run(content, s, case))["outcome"] for s in older}
    if _keeps_the_old_decision(case):
        assert decisions == {case["expect"]["outcome"]}
    else:
        assert case["expect"]["outcome"] not in decisions, decisions


def _assert_only_the_explanation_changes(content: Content, scoring: str, case: dict[str, Any]) -> None:
    """A case of a release that rewords an explanation (``no_longer_explains``, scoring 2026.9): the
    sets scored with the release before it decide the case the same and gave the old sentence."""
    previous = _release_before(content, scoring)
    before = _holding(content, case, _scored_with(content, previous))
    assert before, f"no set scored with {previous} holds the case"
    for indicator_set in before:
        assessment = _run(content, indicator_set, case)
        assert _decision(assessment)["outcome"] == case["expect"]["outcome"], indicator_set.ref
        for lang, phrase in case["no_longer_explains"].items():
            assert phrase in _explanation(assessment)[lang], (indicator_set.ref, lang)


def _release_before(content: Content, scoring: str) -> str:
    return max((v for v in content.scoring if version_key(v) < version_key(scoring)), key=version_key)


@pytest.mark.parametrize(("scoring", "case"), _later_cases())
def test_a_newer_scoring_release_keeps_the_worked_cases_before_it(
    content: Content, scoring: str, case: dict[str, Any]
) -> None:
    """A scoring release adds to the one before: its sets decide each worked case of an earlier
    release the same, unless one of its own cases supersedes that case (or the case it supersedes)."""
    for newer in (v for v in LATER_SCORING if version_key(v) > version_key(scoring)):
        replaced = {c["supersedes"] for c in _cases(LATER_SCORING[newer]) if c.get("supersedes")}
        if case.get("supersedes") in replaced or case["name"] in replaced:
            continue
        for indicator_set in _holding(content, case, _scored_with(content, newer)):
            _assert_expected(content, indicator_set, case)


def _sets_of(content: Content, version: str) -> list[IndicatorSet | None]:
    return [content.get_set(set_id, version) for set_id in content.set_ids()]


def _previous(content: Content, indicator_set: IndicatorSet) -> IndicatorSet | None:
    older = [v for v in content.versions(indicator_set.id) if version_key(v) < version_key(indicator_set.version)]
    return content.get_set(indicator_set.id, max(older, key=version_key)) if older else None


@pytest.mark.parametrize(("version", "case"), _bank_cases())
def test_a_later_bank_release_gives_its_worked_cases(content: Content, version: str, case: dict[str, Any]) -> None:
    _assert_expected_in_every_set_holding(content, case, _sets_of(content, version), f"of version {version}")


@pytest.mark.parametrize(("version", "case"), _bank_cases())
def test_a_later_bank_release_changes_what_it_says(content: Content, version: str, case: dict[str, Any]) -> None:
    """In at least one set, the version before the release decided the case otherwise (outcome,
    child, urgency or referrals) or could not ask it (a child item that only the child set asked);
    a control, or a case marked unchanged, was decided the same by the earlier version of every set
    that asks it."""
    expected = case["expect"]
    wanted = {"outcome": expected["outcome"], "child": expected["child"], "urgent": expected["urgent"],
              "referrals": expected["referrals"] or {}}  # fmt: skip
    changed = []
    for indicator_set in _holding(content, case, _sets_of(content, version)):
        held = _holding(content, case, [_previous(content, indicator_set)])
        changed.append(not held or _decision(_run(content, held[0], case)) != wanted)
    assert changed
    if case.get("control") or case.get("unchanged"):
        assert not any(changed), case["name"]
    else:
        assert any(changed), case["name"]


def _rules_cases() -> list[Any]:
    return [
        pytest.param(rules, case, id=f"rules {rules}: {case['name']}")
        for rules, file in LATER_RULES.items()
        for case in _cases(file)
    ]


def _earlier_cases() -> list[dict[str, Any]]:
    """Every worked case before the rules releases: of VERSION, of each scoring and bank release."""
    files = [CASES_FILE, *LATER_SCORING.values(), *LATER_BANK.values()]
    return [case for file in files for case in _cases(file)]


def rules_superseding(rules: str) -> dict[str, dict[str, Any]]:
    """The rules cases up to ``rules`` that replace an earlier case, by the replaced case's name."""
    return {
        case["supersedes"]: case
        for version in sorted(LATER_RULES, key=version_key)
        if version_key(version) <= version_key(rules)
        for case in _cases(LATER_RULES[version])
        if case.get("supersedes")
    }


def _current_sets(content: Content) -> list[IndicatorSet | None]:
    return [content.get_set(set_id) for set_id in content.set_ids()]


def _newest_sets_keeping(content: Content, case: dict[str, Any]) -> list[IndicatorSet | None]:
    """Of each set, the newest version whose scoring does not re-decide the case: a rules case that
    a later scoring release supersedes (scoring 2026.5: the worker recruited as promised who works
    off his debt) still shows, in the sets before it, what the rules release changed."""
    newest = []
    for set_id in content.set_ids():
        versions = sorted(content.versions(set_id), key=version_key, reverse=True)
        kept = (content.get_set(set_id, v) for v in versions)
        newest.append(next((s for s in kept if s and case["name"] not in superseding(s.scoring)), None))
    return newest


@pytest.mark.parametrize(("rules", "case"), _rules_cases())
def test_a_later_rules_release_gives_its_worked_cases(content: Content, rules: str, case: dict[str, Any]) -> None:
    sets = _holding(content, case, _newest_sets_keeping(content, case))
    assert sets, f"no current set holds all of {sorted(case['input'].get('answers', {}))}"
    for indicator_set in sets:
        _assert_expected(content, indicator_set, case, rules)


@pytest.mark.parametrize(("rules", "case"), _rules_cases())
def test_a_later_rules_release_changes_what_it_says(content: Content, rules: str, case: dict[str, Any]) -> None:
    """The rules of VERSION decide a case of the release otherwise in every current set holding it
    (so the case shows the change); a case marked unchanged, or a control not marked ``changes``, the
    same (rules 2026.5 name the Labour Inspectorate for a waiter whose wages are late)."""
    sets = _holding(content, case, _newest_sets_keeping(content, case))
    assert sets
    for indicator_set in sets:
        same = _decision(_run(content, indicator_set, case, rules)) == _decision(_run(content, indicator_set, case))
        assert same == _keeps_the_old_decision(case), (indicator_set.ref, case["name"])


@pytest.mark.parametrize("rules", LATER_RULES)
def test_a_later_rules_release_decides_every_other_worked_case_as_before(content: Content, rules: str) -> None:
    """Only what a rules release's own cases say changes: every earlier worked case it does not
    supersede gets the same decision, in every current set holding it, as under VERSION's rules."""
    replaced = rules_superseding(rules)
    checked = 0
    for case in _earlier_cases():
        if case["name"] in replaced:
            continue
        for indicator_set in _holding(content, case, _current_sets(content)):
            before, after = _run(content, indicator_set, case), _run(content, indicator_set, case, rules)
            assert _decision(after) == _decision(before), (indicator_set.ref, case["name"])
            checked += 1
    assert checked > 100


def _assert_same_facts(replacing: dict[str, dict[str, Any]], earlier: dict[str, dict[str, Any]]) -> None:
    for name, case in replacing.items():
        assert name in earlier, f"{case['name']} supersedes no earlier case"
        assert case["input"] == earlier[name]["input"] and case["facts"] == earlier[name]["facts"], case["name"]


def test_a_superseding_case_has_the_facts_of_the_case_it_supersedes() -> None:
    """A release supersedes an earlier worked case (scoring 2026.3 and 2026.4 only cases of VERSION)."""
    earlier = {case["name"]: case for case in [*_earlier_cases(), *(c for _, c in _param_values(_rules_cases()))]}
    for scoring in LATER_SCORING:
        _assert_same_facts(superseding(scoring), earlier)
    for rules in LATER_RULES:
        _assert_same_facts(rules_superseding(rules), {case["name"]: case for case in _earlier_cases()})


def test_every_worked_case_has_its_own_name() -> None:
    """A case is superseded by its name, so no two cases of any file may share one."""
    names = [case["name"] for case in _earlier_cases()] + [c["name"] for _, c in _param_values(_rules_cases())]
    assert len(names) == len(set(names))


def _param_values(params: list[Any]) -> list[Any]:
    return [param.values for param in params]


def test_the_cases_cover_what_the_sources_expect() -> None:
    cases = _cases()
    assert len(cases) >= 60
    assert all(case.get("source") for case in cases), "every case cites its source"
    controls = [c for c in cases if c.get("control")]
    trafficking = [c for c in cases if c.get("trafficking")]
    assert len(controls) >= 20
    assert len(trafficking) >= 40
    files = [*LATER_SCORING.values(), *LATER_BANK.values(), *LATER_RULES.values()]
    later = [case for file in files for case in _cases(file)]
    assert all(case.get("source") for case in later), "every case cites its source"
    controls += [c for c in later if c.get("control")]
    trafficking += [c for c in later if c.get("trafficking")]
    for case in controls:
        # Danger now is for the emergency number whatever its cause (a violent husband waiting outside):
        # a control reaches 192 only when its safety answers say so, and DITHB never.
        police = POLICE if not _in_danger_now(case) else POLICE - {"police_emergency"}
        assert not police & set(case["expect"]["referrals"] or {}), f"control {case['name']} reaches the police"
    for case in trafficking:
        referrals = case["expect"]["referrals"] or {}
        assert "dithb" in referrals, f"trafficking case {case['name']} does not reach DITHB"
        if case["expect"].get("child"):
            assert "csw" in referrals, f"child case {case['name']} does not reach the CSW"


def _in_danger_now(case: dict[str, Any]) -> bool:
    return case["input"].get("safety", {}).get("safety.immediate_danger") == "yes"


def test_controls_and_trafficking_cases_are_distinct() -> None:
    assert not [c["name"] for c in _cases() if c.get("control") and c.get("trafficking")]
