"""Interviewee texts (issue 15): every declared language has the question as said to the person for
every asked item of the 2026.2 sets and the child module, and validation refuses what is missing,
empty, unknown or has other numbers than the screener's text, with file, path and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from screening.core.errors import ContentError
from screening.core.languages import INTERVIEWEE_LANGUAGES, direction
from screening.core.loading import load_content, numbers
from screening.core.model import Content

ROOT = Path(__file__).resolve().parents[1]
FOLDER = "indicators/bank/2026.2/interviewee"


def test_every_declared_language_has_every_asked_item(content: Content) -> None:
    languages = content.interviewee["2026.2"]
    assert tuple(languages) == tuple(INTERVIEWEE_LANGUAGES)
    asked = {i.id for s in content.sets.values() if s.bank == "2026.2" for i in s.indicators if i.mode == "ask"}
    assert len(asked) > 100
    for language, texts in languages.items():
        assert set(texts.items) >= asked, language
        assert all(text.strip() for text in texts.items.values())
        assert texts.direction == direction(language)
        assert texts.status == "written" and not texts.reviewed
        assert set(texts.answers) == {"yes", "no", "dont_know"}
        assert texts.find_interpreter


def test_the_right_to_left_languages_are_declared_once() -> None:
    assert {lang for lang, d in INTERVIEWEE_LANGUAGES.items() if d == "rtl"} == {"ar", "fa", "ur"}
    assert direction("fr") == direction("tr") == direction("sq") == "ltr"


def test_numbers_read_in_any_script() -> None:
    assert numbers("12 ساعة") == numbers("۱۲ ساعت") == numbers("١٢") == ["12"]
    assert numbers("no number") == []


def test_the_numbers_of_the_screener_text_are_kept(content: Content) -> None:
    bank_set = content.get_set("labour")
    assert bank_set is not None
    indicator = bank_set.indicator("work.excessive_hours")
    assert indicator is not None and numbers(indicator.text["en"]) == ["12"]
    for texts in content.interviewee["2026.2"].values():
        assert numbers(texts.items["work.excessive_hours"]) == ["12"]


def test_the_child_module_items_are_asked_too(content: Content) -> None:
    bank_set = content.get_set("migrants")
    assert bank_set is not None
    child_ids = {i.id for s in bank_set.child_sections for i in s.indicators if i.mode == "ask"}
    assert child_ids
    assert child_ids <= set(content.interviewee["2026.2"]["ar"].items)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("indicators", "referral_rules"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _problems(tree: Path) -> list[tuple[str, str, int | None, str]]:
    with pytest.raises(ContentError) as error:
        load_content(tree)
    return [(p.file, p.path, p.line, p.message) for p in error.value.problems]


def _edit(tree: Path, language: str, pattern: str, replacement: str) -> tuple[Path, int]:
    """Apply one regular-expression edit to a language file; the line of the first match."""
    file = tree / FOLDER / f"{language}.yaml"
    text = file.read_text(encoding="utf-8")
    match = re.search(pattern, text, flags=re.M)
    assert match, pattern
    file.write_text(text[: match.start()] + replacement + text[match.end() :], encoding="utf-8")
    return file, text.count("\n", 0, match.start()) + 1


def test_a_missing_interviewee_text_fails_validation(tree: Path) -> None:
    _edit(tree, "ar", r"^  debt\.bondage: .*\n", "")
    found = _problems(tree)
    assert any(f == f"{FOLDER}/ar.yaml" and p == "items" and line and "debt.bondage" in m for f, p, line, m in found), (
        found
    )


def test_an_empty_interviewee_text_fails_with_its_line(tree: Path) -> None:
    _file, line = _edit(tree, "fr", r"^  pay\.low_or_none: .*$", '  pay.low_or_none: "  "')
    found = _problems(tree)
    assert (f"{FOLDER}/fr.yaml", "items.pay.low_or_none", line, "must not be empty") in found


def test_an_unknown_item_id_fails(tree: Path) -> None:
    _file, line = _edit(tree, "tr", r"^items:\n", 'items:\n  gen.no_such_item: "Var mı?"\n')
    found = _problems(tree)
    assert any(
        p == "items.gen.no_such_item" and ln == line + 1 and "unknown bank item" in m for _f, p, ln, m in found
    ), found


def test_changed_numbers_fail(tree: Path) -> None:
    _edit(tree, "ur", r"12", "14")
    found = _problems(tree)
    assert any(p == "items.work.excessive_hours" and "numbers" in m for _f, p, _l, m in found), found


def test_a_missing_language_file_fails(tree: Path) -> None:
    (tree / FOLDER / "fa.yaml").unlink()
    assert any(f == f"{FOLDER}/fa.yaml" and "missing file" in m for f, _p, _l, m in _problems(tree))


def test_an_undeclared_language_file_fails(tree: Path) -> None:
    shutil.copy(tree / FOLDER / "fr.yaml", tree / FOLDER / "de.yaml")
    assert any(f == f"{FOLDER}/de.yaml" and "not an interviewee language" in m for f, _p, _l, m in _problems(tree))


def test_a_reviewed_language_names_who_and_when(tree: Path) -> None:
    _edit(tree, "fr", r"^  status: written$", "  status: reviewed_by_native_speaker")
    found = _problems(tree)
    assert any(p.startswith("review") and "who reviewed" in m for _f, p, _l, m in found), found
    _edit(
        tree,
        "fr",
        r"^  status: reviewed_by_native_speaker$",
        '  status: reviewed_by_native_speaker\n  by: "A. B."\n  "on": 2026-12-01',
    )
    reviewed = load_content(tree).interviewee["2026.2"]["fr"]
    assert reviewed.reviewed and reviewed.reviewed_by == "A. B."


def test_a_bare_on_key_gets_a_hint(tree: Path) -> None:
    _edit(tree, "fr", r"^  status: written$", '  status: reviewed_by_native_speaker\n  by: "A. B."\n  on: 2026-12-01')
    assert any(p == "review" and 'quote the keys "on"' in m for _f, p, _l, m in _problems(tree))
