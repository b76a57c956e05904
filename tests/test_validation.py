"""Each kind of broken content file is refused with the file, the path inside it and the line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from screening.core.errors import ContentError
from screening.core.loading import load_content

ROOT = Path(__file__).resolve().parents[1]
GENERAL = "indicators/general/2026.1.yaml"
SCORING = "indicators/scoring/2026.1.yaml"
RULES = "referral_rules/2026.1.yaml"
CONTACTS = "referral_rules/contacts.yaml"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("indicators", "referral_rules"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def edit(tree: Path, relative: str, change: Callable[[str], str]) -> None:
    path = tree / relative
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, "the test's edit did not apply"
    path.write_text(after, encoding="utf-8")


def problems(tree: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(tree)
    return [str(p) for p in caught.value.problems]


def line_of(tree: Path, relative: str, needle: str) -> int:
    lines = (tree / relative).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_shipped_content_is_valid() -> None:
    content = load_content(ROOT)
    assert len(content.sets) >= 6


def test_malformed_yaml_names_file_and_line(tree: Path) -> None:
    edit(tree, GENERAL, lambda t: t.replace("intended_users: [police", "intended_users: [police\n  bad: [", 1))
    found = problems(tree)
    assert len(found) == 1
    assert found[0].startswith(f"{GENERAL}:") and "not valid YAML" in found[0]


def test_missing_language_names_the_path_and_line(tree: Path) -> None:
    needle = '          sr_Latn: "Osoba radi veoma dugo ili nema slobodne dane."\n'
    line = line_of(tree, GENERAL, "Personi punon shumë orë")
    edit(tree, GENERAL, lambda t: t.replace(needle, ""))
    found = problems(tree)
    where = f"{GENERAL}:{line - 1}: sections["
    assert any(p.startswith(where) and ".text.sr_Latn: missing 'sr_Latn'" in p for p in found), found


def test_cyrillic_is_not_written_by_hand(tree: Path) -> None:
    edit(
        tree,
        GENERAL,
        lambda t: t.replace(
            'en: "The person works very long hours', 'sr_Cyrl: "x"\n          en: "The person works very long hours', 1
        ),
    )
    assert any("unknown language 'sr_Cyrl'" in p and "(Cyrillic is derived from sr_Latn)" in p for p in problems(tree))


def test_unknown_dimension_and_strength(tree: Path) -> None:
    edit(
        tree,
        GENERAL,
        lambda t: t.replace(
            "dimension: exploitative_conditions\n        strength: {adult: strong, child: strong}",
            "dimension: exploitation\n        strength: {adult: huge, child: weak}",
            1,
        ),
    )
    found = "\n".join(problems(tree))
    assert "unknown value 'exploitation'" in found
    assert "unknown value 'huge'" in found
    assert "'weak' is not a child strength" in found


def test_duplicate_ids_and_keys(tree: Path) -> None:
    edit(tree, GENERAL, lambda t: t.replace("- id: gen.little_or_no_pay", "- id: gen.excessive_hours", 1))
    edit(tree, GENERAL, lambda t: t.replace("status: released\n", "status: released\nstatus: draft\n", 1))
    found = "\n".join(problems(tree))
    assert "duplicate item id 'gen.excessive_hours'" in found
    assert "duplicate key 'status'" in found


def test_unknown_source_and_unknown_key(tree: Path) -> None:
    edit(
        tree,
        GENERAL,
        lambda t: t.replace(
            '        source: ilo_2009\n        source_note: "ILO exploitative conditions of work: excessive',
            "        source: wikipedia\n        colour: red\n"
            '        source_note: "ILO exploitative conditions of work: excessive',
            1,
        ),
    )
    found = "\n".join(problems(tree))
    assert "unknown source 'wikipedia'" in found
    assert "unknown key 'colour'" in found


def test_version_must_match_the_file_name(tree: Path) -> None:
    edit(tree, GENERAL, lambda t: t.replace('version: "2026.1"', 'version: "2026.2"', 1))
    assert any(p.startswith(f"{GENERAL}:2: version:") for p in problems(tree))


def test_a_stray_file_name_is_refused(tree: Path) -> None:
    (tree / "indicators/general/latest.yaml").write_text("id: general\n")
    assert any("file name must be a version" in p for p in problems(tree))


def test_safety_section_must_come_first(tree: Path) -> None:
    edit(tree, GENERAL, lambda t: t.replace("kind: safety", "kind: indicators", 1))
    assert any("the first section must be the privacy-and-safety check" in p for p in problems(tree))


def test_a_set_needs_25_indicators_and_every_dimension(tree: Path) -> None:
    text = (tree / GENERAL).read_text(encoding="utf-8")
    head, _, _rest = text.partition("  - id: observe")
    (tree / GENERAL).write_text(head, encoding="utf-8")
    found = "\n".join(problems(tree))
    assert "a set needs at least a safety section and one indicator section" in found or "at least 25" in found


def test_rule_naming_an_unknown_contact_or_field(tree: Path) -> None:
    edit(
        tree, RULES, lambda t: t.replace("{contact: dcam, priority: routine}", "{contact: embassy, priority: soon}", 1)
    )
    edit(tree, RULES, lambda t: t.replace("when: {urgent: true}", "when: {urgency: true}", 1))
    found = "\n".join(problems(tree))
    assert "unknown contact 'embassy'" in found
    assert "unknown value 'soon'" in found
    assert "unknown condition field 'urgency'" in found
    assert f"{RULES}:" in found


def test_scoring_thresholds_must_be_sane(tree: Path) -> None:
    edit(tree, SCORING, lambda t: t.replace("    - {strong: 2}\n", "    - {strong: -1}\n    - {}\n", 1))
    found = "\n".join(problems(tree))
    assert "a threshold needs at least one positive count" in found


def test_scoring_levels_must_be_complete(tree: Path) -> None:
    edit(tree, SCORING, lambda t: t.replace("  - level: 1\n", "  - level: 2\n", 1))
    assert any("levels must run from 3 down to 0" in p for p in problems(tree))


def test_placeholders_must_agree_across_languages(tree: Path) -> None:
    edit(
        tree,
        SCORING,
        lambda t: t.replace(
            'sq: "Dimension pozitiv – {dimension}: {indicators}."', 'sq: "Dimension pozitiv – {dimensioni}."', 1
        ),
    )
    assert any("placeholders in 'sq'" in p for p in problems(tree))


def test_never_publish_an_invented_phone_number_format(tree: Path) -> None:
    edit(
        tree,
        CONTACTS,
        lambda t: t.replace('phone: "192"\n    phone_status: published', "phone: null\n    phone_status: published", 1),
    )
    assert any("a published number cannot be empty" in p for p in problems(tree))


def test_every_problem_is_reported_at_once(tree: Path) -> None:
    edit(tree, GENERAL, lambda t: t.replace("mode: ask", "mode: interrogate", 1))
    edit(tree, "indicators/health/2026.1.yaml", lambda t: t.replace("mode: observe", "mode: guess", 1))
    found = problems(tree)
    assert any(p.startswith(GENERAL) for p in found)
    assert any(p.startswith("indicators/health/2026.1.yaml") for p in found)


def test_the_cli_refuses_invalid_content(tree: Path) -> None:
    from click.testing import CliRunner

    from screening.cli import main

    edit(tree, GENERAL, lambda t: t.replace("mode: ask", "mode: interrogate", 1))
    result = CliRunner().invoke(main, ["validate", "--content", str(tree)])
    assert result.exit_code == 1
    assert "unknown value 'interrogate'" in result.output
    assert "Traceback" not in result.output


def test_the_app_refuses_to_start_on_invalid_content(tree: Path, tmp_path: Path) -> None:
    from screening.app import create_app

    edit(tree, GENERAL, lambda t: t.replace("mode: ask", "mode: interrogate", 1))
    with pytest.raises(ContentError):
        create_app({"env": "testing", "content_dir": str(tree)}, instance_path=str(tmp_path / "i"))


def test_a_bank_set_names_each_section_once(tree: Path) -> None:
    edit(tree, "indicators/general/2026.2.yaml", lambda t: t.replace("- id: work_living\n", "- id: observe\n", 1))
    assert any("duplicate section id 'observe'" in p for p in problems(tree))


def test_a_bank_set_needs_a_scoring_with_the_bank_s_dimensions_and_forms(tree: Path) -> None:
    """A set may use a later scoring than its bank's (sets 2026.7: bank 2026.6, scoring 2026.5) only
    if it names the same dimensions and forms, so that every item still means what it meant."""
    scoring = "indicators/scoring/2026.5.yaml"
    edit(tree, scoring, lambda t: t.replace("  begging:\n    name:", "  beggary:\n    name:", 1))
    found = problems(tree)
    bank_sets = [f"indicators/{set_id}/2026.7.yaml" for set_id in ("child", "general", "health", "labour", "migrants")]
    for relative in bank_sets:
        expected = "the bank 2026.6 is scored with 2026.4: a set may use it or a later scoring"
        assert any(p.startswith(f"{relative}:6:") and expected in p for p in found), relative


def test_a_bank_set_may_not_use_an_earlier_scoring_than_its_bank_s(tree: Path) -> None:
    """Scoring 2026.3 names the same dimensions and forms as 2026.4, the scoring of bank 2026.6, but an
    earlier release may not know an outcome the bank's worked cases rely on."""
    relative = "indicators/general/2026.7.yaml"
    edit(tree, relative, lambda t: t.replace("scoring: '2026.5'", "scoring: '2026.3'", 1))
    found = problems(tree)
    assert [p for p in found if p.startswith(f"{relative}:6:")] == [
        f"{relative}:6: scoring: the bank 2026.6 is scored with 2026.4: a set may use it or a later scoring with"
        " the same dimensions and forms, not 2026.3"
    ]


def test_a_scoring_that_names_an_indicator_its_sets_bank_lacks_is_refused(tree: Path) -> None:
    """Scoring 2026.7 names org.organ_money_not_paid (``yes_to``): a typo there must stop the app, not
    silently never hold."""
    edit(
        tree,
        "indicators/scoring/2026.7.yaml",
        lambda t: t.replace("yes_to: [org.organ_money_not_paid]", "yes_to: [org.organ_mony_not_paid]"),
    )
    found = problems(tree)
    assert any(
        p.startswith("indicators/general/2026.11.yaml:")
        and "names indicators the bank 2026.10 lacks: ['org.organ_mony_not_paid']" in p
        for p in found
    ), found
