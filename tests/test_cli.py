"""The ``screening`` command: validate, sets, diff, score, and clear errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import main
from tests.conftest import GENERAL_VERSIONS


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_the_shipped_content() -> None:
    code, out, _ = run("validate")
    assert code == 0
    assert out.startswith("OK:")


def test_sets_as_json_lists_versions_and_status() -> None:
    code, out, _ = run("sets", "--json")
    rows = json.loads(out)
    assert code == 0
    general = [r for r in rows if r["id"] == "general"]
    assert [r["version"] for r in general] == list(GENERAL_VERSIONS)
    assert [r["default"] for r in general] == [v == GENERAL_VERSIONS[-1] for v in GENERAL_VERSIONS]
    assert {r["id"] for r in rows} == {"general", "health", "labour", "migrants", "child"}


def test_diff_shows_a_reworded_safety_check() -> None:
    code, out, _ = run("diff", "general", "2026.2", "2026.3")
    assert code == 0
    old_text = "The person is NOT alone: a companion is present or can overhear."
    assert f"~ safety.person_alone text.en: {old_text!r} -> " in out
    assert not [line for line in out.splitlines() if not line.startswith("~ safety.")]  # the indicators are the same


@pytest.mark.parametrize(
    ("before", "after", "scoring"),
    [("2026.3", "2026.4", ("2026.2", "2026.3")), ("2026.6", "2026.7", ("2026.4", "2026.5"))],
)
def test_diff_shows_a_change_of_scoring(before: str, after: str, scoring: tuple[str, str]) -> None:
    """Sets that differ only in their scoring (the same items, the same bank) say only that."""
    code, out, _ = run("diff", "general", before, after)
    old, new = scoring
    assert code == 0 and out.splitlines() == [f"scoring {old} -> {new} (indicators/scoring/{new}.yaml)"]


def test_diff_shows_added_removed_and_changed() -> None:
    code, out, _ = run("diff", "general", "2025.1", "2026.1")
    assert code == 0
    lines = out.splitlines()
    assert "+ gen.online_job_offer_abroad" in lines
    assert "- gen.fear_anxiety" in lines
    assert any(line.startswith("~ gen.moved_by_others strength_adult: 'weak' -> 'medium'") for line in lines)


def test_diff_of_an_unknown_version_is_a_clear_error() -> None:
    code, _, err = run("diff", "general", "2025.1", "1999.1")
    assert code == 2
    assert "has no version '1999.1'" in err


def _answers(tmp_path: Path, text: str, name: str = "answers.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_score_json_gives_level_explanation_and_referrals(tmp_path: Path) -> None:
    file = _answers(
        tmp_path,
        "age: 16\nforeign_national: false\nasylum_seeker: false\n"
        "answers: {chd.long_hours: yes, chd.hazardous_work: yes, act.travel_arranged_by_non_family: yes}\n",
    )
    code, out, _ = run("score", "--set", "child", "--answers", file, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["level"] == 3 and data["child"] is True and data["urgent"] is False
    assert {"dimensions", "forms", "explanation", "referrals"} <= set(data)
    # A child in hazardous work (ILO C182) is in exploitation: no Labour Inspectorate beside DITHB.
    assert {r["contact"]: r["priority"] for r in data["referrals"]} == {"dithb": "now", "vaao": "now", "csw": "now"}
    assert all(set(r) >= {"contact", "priority", "reason"} for r in data["referrals"])


def test_score_accepts_json_and_cyrillic_output(tmp_path: Path) -> None:
    file = _answers(tmp_path, json.dumps({"age": "unknown", "answers": {"gen.cannot_leave": "yes"}}), "a.json")
    code, out, _ = run("score", "--set", "general", "--version", "2025.1", "--answers", file, "--lang", "sr_Cyrl")
    assert code == 0
    assert "Могућа трговина људима" in out
    assert "gen.cannot_leave" in out  # ids stay as they are


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("answers: {gen.nope: yes}", "unknown indicator 'gen.nope'"),
        ("answers: {move.cannot_leave_freely: perhaps}", "invalid answer 'perhaps'"),
        ("age: -3\nanswers: {}", "age must be a whole number"),
        ("age: 30\nfavourite_colour: red", "unknown key(s) favourite_colour"),
        ("[1, 2", "is not valid YAML"),
        ("- just\n- a list", "must hold a mapping"),
    ],
)
def test_bad_answers_file_exits_2_without_traceback(tmp_path: Path, content: str, message: str) -> None:
    code, out, err = run("score", "--set", "general", "--answers", _answers(tmp_path, content))
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_unknown_set_and_missing_file_exit_2(tmp_path: Path) -> None:
    code, _, err = run("score", "--set", "nope", "--answers", _answers(tmp_path, "answers: {}"))
    assert code == 2 and "unknown set 'nope'" in err
    code, _, err = run("score", "--set", "general", "--answers", str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read" in err


BANK_DIFFS = {
    "2026.5": (
        "2026.4",
        {
            "~ mig.sexual_exploitation_conditions dimension: 'exploitative_conditions' -> 'purpose'",
            "~ sex.sextortion strength_child: 'medium' -> 'strong'",
            "+ chd.long_hours",
            "+ chd.hands_over_money",
            "+ chd.debt",
            "+ chd.locked_in",
            "~ vul.child_no_parent_access child_sign: False -> True",
        },
        (),
    ),
    # 2026.6 changes guidance only for pay.earnings_kept: the same item, its new advice.
    "2026.6": ("2026.5", {"+ threat.violence_person", "+ chd.used_for_crime"}, ("~ pay.earnings_kept guidance.en: ",)),
    # The sets 2026.8 bring bank 2026.7: one new item, one more child-module item, a child's debt as purpose.
    "2026.8": (
        "2026.7",
        {
            "+ sex.prostitution_organised_by_others",
            "+ chd.illegal_adoption",
            "~ chd.debt dimension: 'coercion_destination' -> 'purpose'",
        },
        (),
    ),
    # The sets 2026.9 bring bank 2026.8: the migrants set's journey debt scores as a recruitment debt;
    # the wording of items that sent controls to the police is narrowed.
    "2026.9": (
        "2026.8",
        {
            "~ mig.owes_journey_debt dimension: 'vulnerability_destination' -> 'coercive_recruitment'",
            "~ mig.owes_journey_debt strength_child: 'medium' -> 'strong'",
        },
        (
            "~ ctrl.controller_present_now text.en: ",
            "~ vul.disability_exploited text.en: ",
            "~ sex.images_or_live_stream text.en: ",
        ),
    ),
    # The sets 2026.10 bring bank 2026.9: wording only (no item added, no strength or dimension changed).
    "2026.10": ("2026.9", set(), ("~ debt.bondage text.en: ", "~ ctrl.scripted_story guidance.en: ")),
    # The sets 2026.11 bring bank 2026.10 (guidance only) and scoring 2026.7.
    "2026.11": (
        "2026.10",
        {"scoring 2026.6 -> 2026.7 (indicators/scoring/2026.7.yaml)"},
        ("~ act.departure_now guidance.en: ", "~ pay.earnings_kept guidance.en: "),
    ),
    # The sets 2026.12 bring bank 2026.11 (guidance only; the child set also asks work.forced_tasks).
    "2026.12": ("2026.11", set(), ("~ mig.held_in_house guidance.en: ", "~ doc.companion_holds guidance.en: ")),
    # The sets 2026.13 bring bank 2026.12 (guidance only) and scoring 2026.8.
    "2026.13": (
        "2026.12",
        {"scoring 2026.7 -> 2026.8 (indicators/scoring/2026.8.yaml)"},
        ("~ sex.prostitution_organised_by_others guidance.en: ", "~ vul.disability_exploited guidance.en: "),
    ),
    # The sets 2026.14 bring bank 2026.13 (guidance only).
    "2026.14": ("2026.13", set(), ("~ doc.held_by_controller guidance.en: ", "~ threat.harm_family guidance.en: ")),
    # The sets 2026.15 bring bank 2026.14 (seven texts, former partners in the domestic-violence
    # exclusion) and scoring 2026.9 (one sentence of an explanation).
    "2026.15": (
        "2026.14",
        {"scoring 2026.8 -> 2026.9 (indicators/scoring/2026.9.yaml)"},
        (
            "~ doc.held_by_controller text.en: ",
            "~ viol.by_controller text.en: ",
            "~ ctrl.phone_contacts_controlled text.en: ",
            "~ pay.earnings_kept text.en: ",
        ),
    ),
    # The sets 2026.16 bring bank 2026.15 (eleven texts and the guidance of seven items).
    "2026.16": (
        "2026.15",
        set(),
        (
            "~ rec.deceived_job text.en: ",
            "~ move.cannot_leave_freely text.en: ",
            "~ move.locked_in_now text.en: ",
            "~ vul.disability_exploited text.en: ",
            "~ chd.hazardous_work text.en: ",
            "~ pay.low_or_none guidance.en: ",
        ),
    ),
}


@pytest.mark.parametrize("version", BANK_DIFFS)
def test_diff_shows_what_a_bank_release_changes_in_the_migrants_set(version: str) -> None:
    before, expected, changed_prefixes = BANK_DIFFS[version]
    code, out, _ = run("diff", "migrants", before, version)
    assert code == 0
    lines = out.splitlines()
    assert expected <= set(lines)
    assert all(any(line.startswith(prefix) for line in lines) for prefix in changed_prefixes)
