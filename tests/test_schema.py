"""The content formats as models: the shipped JSON Schemas are current, every shipped file fits its
format (the 2026.1 sets that define their items inline included), and a broken file is refused with
the file, the line and a readable path."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from screening.core.errors import ContentError
from screening.core.languages import CONTENT_LANGUAGES
from screening.core.loading import load_content
from screening.core.model import CHILD_STRENGTHS, PRIORITIES, STRENGTHS
from screening.core.schema import (
    KINDS,
    SCHEMA_FOLDER,
    document_kind,
    json_schemas,
    main,
    schema_text,
    validate_document,
)
from screening.core.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[1]
BROKEN = "indicators/bank/2026.2/zz-broken.yaml"

#: A bank item file with three faults at known lines: a weak child strength (line 6), an unknown
#: key (line 9), no Serbian text (reported at line 11, the `text:` key).
BROKEN_ITEMS = """\
items:
- id: tst.broken_item
  dimension: coercion_destination
  strength:
    adult: medium
    child: weak
  forms: [forced_labour]
  mode: ask
  colour: red
  source: ilo_2009
  text:
    sq: "Punëdhënësi i mban dokumentet."
    en: "The employer keeps the documents."
  guidance:
    sq: "Pyetni kush i mban dokumentet."
    sr_Latn: "Pitajte ko drži dokumente."
    en: "Ask who holds the documents."
"""
STRENGTH_LINE, COLOUR_LINE, TEXT_LINE = 6, 9, 11


def shipped_documents() -> Iterator[tuple[str, str]]:
    """(kind, file relative to the root) of every shipped file with a 2026.2 format."""
    for folder in ("indicators", "referral_rules"):
        for file in sorted((ROOT / folder).rglob("*.yaml")):
            relative = str(file.relative_to(ROOT))
            kind = document_kind(relative, load_yaml(file).data)
            if kind:
                yield kind, relative


DOCUMENTS = list(shipped_documents())


def test_the_shipped_schema_files_are_current() -> None:
    schemas = json_schemas()
    assert set(schemas) == set(KINDS)
    for kind, schema in schemas.items():
        file = ROOT / SCHEMA_FOLDER / f"{kind}.schema.json"
        assert file.is_file(), f"missing {file}: run python -m screening.core.schema"
        assert file.read_text(encoding="utf-8") == schema_text(schema), (
            f"{file} is stale: python -m screening.core.schema"
        )
    assert main(["--check", str(ROOT)]) == 0


def test_every_kind_has_shipped_files() -> None:
    assert {kind for kind, _ in DOCUMENTS} == set(KINDS)
    assert sum(kind == "set" for kind, _ in DOCUMENTS) >= 5


@pytest.mark.parametrize(("kind", "relative"), DOCUMENTS, ids=[r for _, r in DOCUMENTS])
def test_every_shipped_file_fits_its_format(kind: str, relative: str) -> None:
    loaded = load_yaml(ROOT / relative)
    assert [str(p) for p in validate_document(kind, loaded.data, loaded, relative)] == []


def test_the_vocabularies_come_from_the_core() -> None:
    schemas = json_schemas()
    items = schemas["bank_items"]["definitions"]
    assert items["StrengthPair"]["properties"]["adult"]["enum"] == list(STRENGTHS)
    assert items["StrengthPair"]["properties"]["child"]["enum"] == list(CHILD_STRENGTHS)
    assert items["Text"]["required"] == list(CONTENT_LANGUAGES)
    assert items["Text"]["additionalProperties"] is False
    rules = schemas["referral_rules"]["definitions"]
    assert rules["ContactRef"]["properties"]["priority"]["enum"] == list(PRIORITIES)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("indicators", "referral_rules"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / BROKEN).write_text(BROKEN_ITEMS, encoding="utf-8")
    return tmp_path


def problems_in(tree: Path, relative: str) -> list[tuple[str, int | None, str]]:
    try:
        load_content(tree)
    except ContentError as error:
        return [(p.path, p.line, p.message) for p in error.problems if p.file == relative]
    return []


def test_a_broken_item_file_is_refused_with_file_line_and_path(tree: Path) -> None:
    found = problems_in(tree, BROKEN)
    paths = [path for path, _, _ in found]
    assert ("items[0].strength.child", STRENGTH_LINE) in [(p, line) for p, line, _ in found]
    assert ("items[0].colour", COLOUR_LINE) in [(p, line) for p, line, _ in found]
    assert ("items[0].text.sr_Latn", TEXT_LINE) in [(p, line) for p, line, _ in found]
    messages = dict((path, message) for path, _, message in found)
    assert "'weak'" in messages["items[0].strength.child"] and "medium" in messages["items[0].strength.child"]
    assert "unknown key 'colour'" in messages["items[0].colour"] and "guidance" in messages["items[0].colour"]
    assert "missing 'sr_Latn'" in messages["items[0].text.sr_Latn"]
    # The loader's own checks do not report the same faults a second time.
    assert len(paths) == len(set(paths)) == 3, found


def test_a_semantic_fault_is_still_found_beside_a_format_fault(tree: Path) -> None:
    path = tree / BROKEN
    path.write_text(path.read_text(encoding="utf-8").replace("source: ilo_2009", "source: no_such_source"))
    found = problems_in(tree, BROKEN)
    assert any(p == "items[0].source" and "unknown source" in m for p, _, m in found), found
    assert any(p == "items[0].strength.child" for p, _, _ in found)


INLINE = "indicators/general/2026.1.yaml"


def _line(tree: Path, relative: str, needle: str) -> int:
    return next(n for n, line in enumerate((tree / relative).read_text("utf-8").splitlines(), 1) if needle in line)


def test_an_inline_set_is_checked_by_its_model_and_by_the_loader(tree: Path) -> None:
    """A 2026.1 set: a section's kind names the keys its items may have; semantic checks still run."""
    path = tree / INLINE
    text = path.read_text(encoding="utf-8")
    signal = "        signal: privacy\n"
    text = text.replace(signal, f"{signal}        dimension: coercion_destination\n", 1)
    text = text.replace("  - id: observe\n    kind: indicators", "  - id: observe\n    kind: indicator", 1)
    head, _, tail = text.rpartition("        source: ilo_2009\n")  # in the last section, whose kind is right
    text = f"{head}        source: no_such_source\n{tail}"
    path.write_text(text, encoding="utf-8")
    found = {p: (line, m) for p, line, m in problems_in(tree, INLINE)}
    dimension = found["sections[0].items[0].dimension"]
    assert "unknown key 'dimension'" in dimension[1] and "(allowed: id, signal, text, guidance)" in dimension[1]
    assert dimension[0] == _line(tree, INLINE, "dimension: coercion_destination")
    kind = next(m for p, (_, m) in found.items() if p.endswith(".kind"))
    assert "unknown value 'indicator' (allowed: safety, indicators)" in kind
    assert any(p.endswith(".source") and "unknown source 'no_such_source'" in m for p, (_, m) in found.items())
    assert len(found) == 3, found


def test_an_inline_section_without_kind_is_a_missing_key(tree: Path) -> None:
    path = tree / INLINE
    path.write_text(path.read_text("utf-8").replace("    kind: safety\n", "", 1), encoding="utf-8")
    found = problems_in(tree, INLINE)
    assert [(p, m) for p, _, m in found] == [("sections[0].kind", "missing 'kind'")]


def test_an_unquoted_version_and_an_unknown_set_key(tmp_path: Path) -> None:
    file = tmp_path / "2026.2.yaml"
    text = (ROOT / "indicators/general/2026.2.yaml").read_text(encoding="utf-8")
    text = text.replace("version: '2026.2'", "version: 2026.2", 1).replace("child_module: true", "child_modul: true")
    file.write_text(text, encoding="utf-8")
    loaded = load_yaml(file)
    found = {p.path: p for p in validate_document("set", loaded.data, loaded, "indicators/general/2026.2.yaml")}
    assert found["version"].line == 2 and "quote it" in found["version"].message
    assert "did you mean 'child_module'" in found["child_modul"].message
    assert found["child_modul"].line == text.splitlines().index("child_modul: true") + 1


def test_a_referral_condition_field_and_priority(tmp_path: Path) -> None:
    file = tmp_path / "2026.2.yaml"
    file.write_text(
        "version: '2026.2'\nstatus: draft\nsource: SOP\nrules:\n"
        "  - id: adult_presumed\n    when: {child: false, level_at_least: 4}\n"
        "    refer:\n      - {contact: dithb, priority: asap}\n"
        "    reason: {sq: a, sr_Latn: b, en: c}\n    sop: SOP\n",
        encoding="utf-8",
    )
    loaded = load_yaml(file)
    found = {p.path: p for p in validate_document("referral_rules", loaded.data, loaded, "r.yaml")}
    assert set(found) == {"rules[0].when.level_at_least", "rules[0].refer[0].priority"}
    assert found["rules[0].when.level_at_least"].line == 6
    assert found["rules[0].refer[0].priority"].line == 8
    assert "within_24h" in found["rules[0].refer[0].priority"].message


def _as_json(data: Any) -> Any:
    """What an editor's YAML language server sees: dates are strings."""
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize(("kind", "relative"), DOCUMENTS, ids=[r for _, r in DOCUMENTS])
def test_the_json_schema_accepts_every_shipped_file(kind: str, relative: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schemas()[kind]
    jsonschema.Draft7Validator.check_schema(schema)
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(_as_json(load_yaml(ROOT / relative).data)))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_the_json_schema_refuses_the_broken_file(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    file = tmp_path / "broken.yaml"
    file.write_text(BROKEN_ITEMS, encoding="utf-8")
    validator = jsonschema.Draft7Validator(json_schemas()["bank_items"])
    paths = {tuple(e.absolute_path) for e in validator.iter_errors(_as_json(load_yaml(file).data))}
    assert ("items", 0, "strength", "child") in paths
    assert ("items", 0) in paths  # the unknown key and the missing language are reported on their mapping
