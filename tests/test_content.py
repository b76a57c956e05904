"""Every shipped content file loads, and released files are never edited."""

import hashlib
import re
from pathlib import Path

import yaml

from screening.core.languages import CONTENT_LANGUAGES
from screening.core.model import Content
from tests.conftest import GENERAL_VERSIONS

ROOT = Path(__file__).resolve().parents[1]
CHECKSUMS = Path(__file__).with_name("released_checksums.txt")
SET_IDS = {"general", "health", "labour", "migrants", "child"}


def _released_files(content: Content) -> dict[str, str]:
    files = {s.file: s.sha256 for s in content.sets.values() if s.status == "released"}
    files.update({r.file: _sha(r.file) for r in content.scoring.values() if r.status == "released"})
    files.update({r.file: _sha(r.file) for r in content.referral_rules.values() if r.status == "released"})
    for head in sorted((ROOT / "indicators" / "bank").glob("*/bank.yaml")):
        if yaml.safe_load(head.read_text(encoding="utf-8")).get("status") == "released":
            for file in sorted(head.parent.glob("*.yaml")):
                relative = str(file.relative_to(ROOT))
                files[relative] = _sha(relative)
    return files


def _sha(relative: str) -> str:
    return hashlib.sha256((ROOT / relative).read_bytes()).hexdigest()


def _recorded() -> dict[str, str]:
    lines = [line.split() for line in CHECKSUMS.read_text().splitlines() if line and not line.startswith("#")]
    return {path: digest for digest, path in lines}


def test_the_five_sets_ship_with_a_released_default(content: Content) -> None:
    assert set(content.set_ids()) == SET_IDS
    for set_id in SET_IDS:
        default = content.get_set(set_id)
        assert default is not None and default.status == "released"
        assert len(default.indicators) >= 25


def test_a_set_ships_in_several_versions_and_the_newest_released_is_default(content: Content) -> None:
    assert content.versions("general") == GENERAL_VERSIONS
    assert content.default_version("general") == GENERAL_VERSIONS[-1]
    assert content.get_set("general", "2025.1") is not None  # old screenings refer to it


def test_every_text_is_in_every_content_language(content: Content) -> None:
    for indicator_set in content.sets.values():
        for indicator in indicator_set.indicators:
            for text in (indicator.text, indicator.guidance):
                assert tuple(text) == CONTENT_LANGUAGES


def test_released_files_are_never_edited(content: Content) -> None:
    recorded = _recorded()
    for path, digest in _released_files(content).items():
        assert path in recorded, f"{path} is released but has no checksum in {CHECKSUMS.name}: add it"
        assert recorded[path] == digest, f"{path} is released and was edited: publish a new version instead"


def test_safety_checks_are_asked_without_capitalised_negations(content: Content) -> None:
    """UX review finding 11: "The person is NOT alone" under stress invites the wrong tap. From 2026.3
    every safety check says the risk positively, so that "yes" is the risk without a double negative."""
    for set_id in content.set_ids():
        indicator_set = content.get_set(set_id)
        assert indicator_set is not None
        for check in indicator_set.sections[0].safety_checks:
            for language, text in check.text.items():
                shouted = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w.isupper()]
                assert not shouted, (indicator_set.ref, check.id, language, shouted)
                assert not re.search(r"\b(not|nuk|nije)\b", text, re.IGNORECASE), (
                    indicator_set.ref,
                    check.id,
                    language,
                )


def test_safety_comes_first_with_the_required_checks(content: Content) -> None:
    for indicator_set in content.sets.values():
        first = indicator_set.sections[0]
        assert first.kind == "safety"
        assert {"safety.person_alone", "safety.interpreter_not_neutral", "safety.immediate_danger"} <= {
            c.id for c in first.safety_checks
        }


def test_contacts_publish_only_the_numbers_in_the_domain_brief(content: Content) -> None:
    directory = content.directory
    assert {"police_emergency", "dithb", "vaao", "csw", "dcam", "labour_inspectorate", "emergency_medical"} <= set(
        directory.contacts
    )
    assert len(directory.municipalities) == 38
    published = {c.phone for c in directory.contacts.values() if c.phone}
    published |= {m.csw_phone for m in directory.municipalities.values() if m.csw_phone}
    assert published <= {"192", "0800 11 112"}
    assert directory.contacts["police_emergency"].phone == "192"
    unknown = [c for c in directory.contacts.values() if not c.phone]
    assert all(c.phone_status == "to_confirm" for c in unknown)


def test_a_text_that_recurs_across_releases_is_held_once(content: Content) -> None:
    """Every worker keeps all releases of every set for its life (a screening is shown and scored
    with the version it used): an item's text unchanged from one release to the next is one string
    in memory, not one per release (it saved about 10 MB per worker; issue 13's memory target)."""
    oldest, newest = content.get_set("general", "2026.2"), content.get_set("general", GENERAL_VERSIONS[-1])
    assert oldest is not None and newest is not None
    unchanged = [
        (old, new)
        for old in oldest.indicators
        for new in newest.indicators
        if old.id == new.id and old.text["en"] == new.text["en"]
    ]
    assert unchanged, "no item kept its English text from 2026.2 to the newest release"
    for old, new in unchanged:
        assert all(old.text[code] is new.text[code] for code in CONTENT_LANGUAGES if code in old.text)
