"""Load and validate a content directory (``indicators/`` and ``referral_rules/``).

``load_content`` either returns a fully validated, immutable ``Content`` or raises one
``ContentError`` listing every problem with file, path and line. The app and the CLI refuse to
run on invalid content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from screening.core.checking import Checker, placeholders
from screening.core.errors import ContentError, Problem
from screening.core.languages import INTERVIEWEE_LANGUAGES
from screening.core.model import (
    INTERVIEWEE_ANSWERS,
    INTRODUCTION_PARTS,
    MIN_INDICATORS_PER_SET,
    REQUIRED_SAFETY_CHECKS,
    Bank,
    Contact,
    ContactRef,
    Content,
    Directory,
    Indicator,
    IndicatorSet,
    IntervieweeTexts,
    LevelRule,
    ModuleSection,
    Municipality,
    ReferralRule,
    ReferralRules,
    SafetyCheck,
    Scenario,
    ScoringRules,
    Section,
    Source,
    Text,
    Threshold,
    version_key,
)
from screening.core.referrals import CONDITION_FIELDS
from screening.core.scenarios import parse_scenario
from screening.core.schema import CONDITION_KEYS
from screening.core.schema import check as check_format
from screening.core.yamlfile import ContentFileError, PathKey, load_yaml

VERSION_FILE = re.compile(r"^(\d{4}\.\d+)\.yaml$")
#: Folders under ``indicators/`` that hold something other than indicator sets.
NOT_SETS = frozenset({"scoring", "scenarios", "bank", "schema"})
LEVELS = (0, 1, 2, 3)


# --- reading a document whose format is a model -------------------------------------------
#
# Every content file but a training scenario is validated against its model
# (``screening.core.schema``) before they are read here, so their structure (keys, types, closed
# vocabularies, required entries) is stated there once. Reading them, the loader only has to stay
# safe on a document the model refused: a value of the wrong type reads as absent, and nothing built
# from a file with problems is kept.


def _entries(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _read(mapping: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    """``mapping[key]`` when it is a ``kind`` (a boolean is never a number), else ``default``."""
    value = mapping.get(key)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        return default
    return value


def default_content_root() -> Path:
    """The repository's own content: the folder holding ``indicators/`` beside the package."""
    return Path(__file__).resolve().parents[2]


def load_content(root: Path | None = None) -> Content:
    """Load every indicator set, scoring file, referral rule file and the contacts directory."""
    root = (root or default_content_root()).resolve()
    problems: list[Problem] = []
    for required in ("indicators", "referral_rules"):
        if not (root / required).is_dir():
            problems.append(Problem(str(root), "", None, f"missing folder {required}/"))
    if problems:
        raise ContentError(problems)

    scoring = _load_versioned(root, root / "indicators" / "scoring", _parse_scoring, problems)
    banks = _load_banks(root, scoring, problems)
    sets: dict[tuple[str, str], IndicatorSet] = {}
    for folder in sorted(p for p in (root / "indicators").iterdir() if p.is_dir()):
        if folder.name in NOT_SETS:
            continue
        loaded = _load_versioned(
            root, folder, lambda c, d, f, v, name=folder.name: _parse_set(c, d, f, v, name, scoring, banks), problems
        )
        for version, indicator_set in loaded.items():
            sets[(folder.name, version)] = indicator_set
    directory = _load_single(root, root / "referral_rules" / "contacts.yaml", _parse_directory, problems)
    all_forms = frozenset(f for s in scoring.values() for f in s.forms)
    all_dimensions = frozenset(d for s in scoring.values() for d in s.dimensions)
    contact_keys = frozenset(directory.contacts) if directory else frozenset()
    vocabulary = {
        "forms": all_forms,
        "dimensions": all_dimensions,
        "outcomes": frozenset(r.key for s in scoring.values() for r in (*s.levels, s.level_zero)),
        "items": frozenset(i for s in sets.values() for i in s.item_ids)
        | frozenset(i for b in banks.values() for i in b.indicators),
    }
    rules = _load_versioned(
        root,
        root / "referral_rules",
        lambda c, d, f, v: _parse_referral_rules(c, d, f, v, contact_keys, vocabulary),
        problems,
    )
    scenarios = _load_scenarios(root, sets, directory, problems)
    interviewee = _load_interviewee(root, banks, sets, problems)
    # Only when there is no such file at all: a file with problems has already said what is wrong.
    if not sets and not any(_version_files(folder) for folder in (root / "indicators").iterdir()):
        problems.append(Problem("indicators/", "", None, "no indicator set found"))
    if not rules and not _version_files(root / "referral_rules"):
        problems.append(Problem("referral_rules/", "", None, "no referral rules file (e.g. 2026.1.yaml)"))
    if problems:
        raise ContentError(problems)
    assert directory is not None
    return Content(
        sets=MappingProxyType(sets),
        scoring=MappingProxyType(scoring),
        referral_rules=MappingProxyType(rules),
        directory=directory,
        root=str(root),
        defaults=MappingProxyType(_default_versions(sets)),
        scenarios=MappingProxyType(scenarios),
        interviewee=MappingProxyType(interviewee),
    )


def _load_scenarios(
    root: Path, sets: Mapping[tuple[str, str], IndicatorSet], directory: Directory | None, problems: list[Problem]
) -> dict[str, Scenario]:
    scenarios: dict[str, Scenario] = {}
    on_disk = {(f.parent.name, f.stem) for f in (root / "indicators").glob("*/*.yaml")}
    broken = frozenset(on_disk - set(sets))
    for file in sorted((root / "indicators" / "scenarios").glob("*.yaml")):
        opened = _open(root, file, problems)
        if opened is None:
            continue
        checker, data, _raw = opened
        scenario = parse_scenario(checker, data, file.stem, sets, directory, broken)
        problems.extend(checker.problems)
        if scenario is not None:
            scenarios[scenario.id] = scenario
    return scenarios


def _default_versions(sets: Mapping[tuple[str, str], IndicatorSet]) -> dict[str, str]:
    """The newest released version of each set (the newest draft when none is released)."""
    defaults: dict[str, str] = {}
    for set_id in {s for s, _ in sets}:
        versions = [v for s, v in sets if s == set_id]
        released = [v for v in versions if sets[(set_id, v)].status == "released"]
        defaults[set_id] = max(released or versions, key=version_key)
    return defaults


# --- files --------------------------------------------------------------------------------


def _relative(root: Path, file: Path) -> str:
    try:
        return str(file.relative_to(root))
    except ValueError:
        return str(file)


def _open(root: Path, file: Path, problems: list[Problem]) -> tuple[Checker, Any, bytes] | None:
    label = _relative(root, file)
    try:
        loaded = load_yaml(file)
    except ContentFileError as exc:
        problems.append(Problem(label, "", exc.line, exc.message))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(label, "", line, f"not valid YAML: {exc.problem or exc}"))
        return None
    except IsADirectoryError:
        problems.append(Problem(label, "", None, "is a folder, not a file"))
        return None
    except (yaml.YAMLError, OSError) as exc:
        problems.append(Problem(label, "", None, f"cannot be read: {exc}"))
        return None
    checker = Checker(label, loaded)
    if not isinstance(loaded.data, dict):
        checker.report((), "the file must hold a mapping at the top level")
        problems.extend(checker.problems)
        return None
    return checker, loaded.data, loaded.raw


def _scores_the_bank(bank_rules: ScoringRules | None, rules: ScoringRules) -> bool:
    """Whether a set may use ``rules`` with a bank written for ``bank_rules``: the bank's own scoring,
    or a later release that changes only which combination gives which outcome and so names the
    same dimensions and forms: every item of the bank still means what it meant (scoring 2026.5
    with bank 2026.6)."""
    return (
        bank_rules is not None
        and version_key(rules.version) >= version_key(bank_rules.version)
        and (bank_rules.dimensions, bank_rules.forms) == (rules.dimensions, rules.forms)
    )


def _named_indicators(rules: ScoringRules) -> set[str]:
    """The indicator ids the scoring's ``yes_to`` conditions name: the bank of every set using it must hold them."""

    def walk(condition: Any) -> set[str]:
        if not condition:
            return set()
        key, value = next(iter(condition.items()))
        if key in ("all", "any"):
            return set().union(*(walk(part) for part in value))
        return set(value) if key == "yes_to" else set()

    return {i for level in rules.levels for cond in (level.adult, level.child) for i in walk(cond)}


def _version_files(folder: Path) -> list[Path]:
    """The ``<version>.yaml`` files of a set (or of ``referral_rules/``); none when not a set folder."""
    if folder.name in NOT_SETS or not folder.is_dir():
        return []
    return [file for file in folder.glob("*.y*ml") if VERSION_FILE.match(file.name)]


def _load_versioned(root: Path, folder: Path, parse: Any, problems: list[Problem]) -> dict[str, Any]:
    """Parse every ``<version>.yaml`` in ``folder``; a stray ``.yaml`` name is a problem too."""
    result: dict[str, Any] = {}
    if not folder.is_dir():
        problems.append(Problem(_relative(root, folder), "", None, "missing folder"))
        return result
    for file in sorted(folder.glob("*.y*ml")):
        match = VERSION_FILE.match(file.name)
        if not match:
            if file.name != "contacts.yaml":
                problems.append(
                    Problem(_relative(root, file), "", None, "file name must be a version such as 2026.1.yaml")
                )
            continue
        opened = _open(root, file, problems)
        if opened is None:
            continue
        checker, data, raw = opened
        parsed = parse(checker, data, raw, match.group(1))
        problems.extend(checker.problems)
        if parsed is not None and not checker.problems:
            result[match.group(1)] = parsed
    return result


def _load_single(root: Path, file: Path, parse: Any, problems: list[Problem]) -> Any:
    if not file.is_file():
        problems.append(Problem(_relative(root, file), "", None, "missing file"))
        return None
    opened = _open(root, file, problems)
    if opened is None:
        return None
    checker, data, raw = opened
    parsed = parse(checker, data, raw)
    problems.extend(checker.problems)
    return parsed if not checker.problems else None


def _check_version(c: Checker, data: Mapping[str, Any], version: str) -> None:
    declared = data.get("version")
    if declared is not None and str(declared) != version:
        c.report(("version",), f"version {declared!r} does not match the file name ({version}.yaml)")
    elif declared is not None and not isinstance(declared, str):
        c.report(("version",), 'quote the version so YAML keeps it a string, e.g. "2026.1"')


# --- indicator sets -----------------------------------------------------------------------


def _parse_set(
    c: Checker,
    data: dict[str, Any],
    raw: bytes,
    version: str,
    folder: str,
    scoring: Mapping[str, ScoringRules],
    banks: Mapping[str, Bank] | None = None,
) -> IndicatorSet | None:
    check_format(c, "set" if "bank" in data else "inline_set", data)
    set_id = _read(data, "id", str)
    if set_id is not None and set_id != folder:
        c.report(("id",), f"set id {set_id!r} does not match its folder indicators/{folder}/")
    _check_version(c, data, version)
    status = _read(data, "status", str)
    released_on = _read(data, "released_on", dt.date)
    scoring_version = _read(data, "scoring", str)
    rules = scoring.get(scoring_version) if scoring_version else None
    if scoring_version and rules is None:
        c.report(("scoring",), f"no scoring rules indicators/scoring/{scoring_version}.yaml")
    title = c.text(data, (), "title")
    purpose = c.text(data, (), "purpose")
    users = _intended_users(data)
    bank_version = _read(data, "bank", str)
    child_sections: list[Section] = []
    if bank_version is None:
        sources = _sources(c, data)
        sections = _sections(c, data, {s.id for s in sources}, rules)
    else:
        bank = (banks or {}).get(bank_version)
        if bank is None:
            c.report(("bank",), f"no valid indicator bank indicators/bank/{bank_version}/")
            return None
        if rules is not None and not _scores_the_bank(scoring.get(bank.scoring), rules):
            c.report(
                ("scoring",),
                f"the bank {bank_version} is scored with {bank.scoring}: a set may use it or a later scoring"
                f" with the same dimensions and forms, not {scoring_version}",
            )
        if rules is not None and (unknown := sorted(_named_indicators(rules) - set(bank.indicators))):
            c.report(
                ("scoring",), f"scoring {scoring_version} names indicators the bank {bank_version} lacks: {unknown}"
            )
        sections = _bank_sections(c, data, bank)
        if _read(data, "child_module", bool, default=False):
            chosen = {i.id for s in sections for i in s.indicators}
            child_sections = _child_module(bank, chosen)
        used = {i.source for s in (*sections, *child_sections) for i in s.indicators}
        sources = tuple(src for src in bank.sources if src.id in used)
    # Without scoring rules no inline indicator could be read: counting them would only add noise.
    if sections and (rules is not None or bank_version is not None):
        _check_set_coverage(c, sections, rules)
    if c.problems or None in (set_id, status, scoring_version, title, purpose):
        return None
    return IndicatorSet(
        id=folder,
        version=version,
        status=status or "",
        released_on=released_on,
        scoring=scoring_version or "",
        title=title or {},
        purpose=purpose or {},
        intended_users=users,
        sources=sources,
        sections=tuple(sections),
        file=c.file,
        sha256=hashlib.sha256(raw).hexdigest(),
        bank=bank_version,
        child_sections=tuple(child_sections),
    )


# --- the indicator bank (2026.2 on) ---------------------------------------------------------


def _load_banks(root: Path, scoring: Mapping[str, ScoringRules], problems: list[Problem]) -> dict[str, Bank]:
    """Each folder ``indicators/bank/<version>/`` holds ``bank.yaml`` and any number of item files."""
    banks: dict[str, Bank] = {}
    base = root / "indicators" / "bank"
    if not base.is_dir():
        return banks
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        before = len(problems)
        bank = _load_bank(root, folder, scoring, problems)
        if bank is not None and len(problems) == before:
            banks[bank.version] = bank
    return banks


def _load_bank(root: Path, folder: Path, scoring: Mapping[str, ScoringRules], problems: list[Problem]) -> Bank | None:
    version = folder.name
    head_file = folder / "bank.yaml"
    if not re.match(r"^\d{4}\.\d+$", version):
        problems.append(
            Problem(_relative(root, folder), "", None, "a bank folder is named by its version, e.g. 2026.2")
        )
        return None
    opened = _open(root, head_file, problems) if head_file.is_file() else None
    if opened is None:
        if not head_file.is_file():
            problems.append(Problem(_relative(root, head_file), "", None, "missing file"))
        return None
    c, data, _raw = opened
    check_format(c, "bank", data)
    _check_version(c, data, version)
    status = _read(data, "status", str)
    scoring_version = _read(data, "scoring", str)
    rules = scoring.get(scoring_version) if scoring_version else None
    if scoring_version and rules is None:
        c.report(("scoring",), f"no scoring rules indicators/scoring/{scoring_version}.yaml")
    sources = _sources(c, data)
    checks: dict[str, SafetyCheck] = {}
    for index, raw_check in enumerate(_items(data.get("safety_checks"))):
        entry = _entries(raw_check)
        check = _safety_check(c, entry, ("safety_checks", index)) if entry else None
        if check:
            checks[check.id] = check
    indicators: dict[str, Indicator] = {}
    where: dict[str, str] = {}
    files = []
    for file in sorted(folder.glob("*.y*ml")):
        if file.name == "bank.yaml":
            continue
        files.append(_relative(root, file))
        item_file = _open(root, file, problems)
        if item_file is None:
            continue
        ic, idata, _ = item_file
        check_format(ic, "bank_items", idata)
        for index, raw_item in enumerate(_items(idata.get("items"))):
            path: PathKey = ("items", index)
            entry = _entries(raw_item)
            if not entry:
                continue
            indicator = _indicator(ic, entry, path, {s.id for s in sources}, rules)
            if indicator is None:
                continue
            if indicator.id in indicators or indicator.id in checks:
                ic.report(
                    (*path, "id"), f"{indicator.id!r} is already defined in {where.get(indicator.id, 'bank.yaml')}"
                )
                continue
            indicators[indicator.id] = indicator
            where[indicator.id] = ic.file
        problems.extend(ic.problems)
    module = _module_sections(c, data, indicators)
    problems.extend(c.problems)
    if status is None or scoring_version is None:
        return None
    return Bank(
        version=version,
        status=status,
        scoring=scoring_version,
        sources=sources,
        safety_checks=MappingProxyType(checks),
        indicators=MappingProxyType(indicators),
        child_module=module,
        files=tuple(files),
    )


# --- interviewee texts (issue 15) ----------------------------------------------------------

#: The folder of a bank that holds one file per interviewee language.
INTERVIEWEE_FOLDER = "interviewee"
_NUMBER = re.compile(r"\d+")


def asked_items(bank: Bank, sets: Mapping[tuple[str, str], IndicatorSet]) -> dict[str, Indicator]:
    """Every asked (not observed) bank item of the bank's sets and child module, in a stable order."""
    asked: dict[str, Indicator] = {}
    for key in sorted(sets):
        indicator_set = sets[key]
        if indicator_set.bank == bank.version:
            asked.update((i.id, i) for i in indicator_set.indicators if i.mode == "ask")
    for module in bank.child_module:
        for item_id in module.items:
            indicator = bank.indicators.get(item_id)
            if indicator is not None and indicator.mode == "ask":
                asked.setdefault(item_id, indicator)
    return asked


def numbers(text: str) -> list[str]:
    """The numbers in a text, in any script's digits (Arabic-Indic ١٢ and Persian ۱۲ read as 12), sorted."""
    normalised = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.decimal(ch, None) is not None else ch for ch in text
    )
    return sorted(_NUMBER.findall(normalised))


def _load_interviewee(
    root: Path,
    banks: Mapping[str, Bank],
    sets: Mapping[tuple[str, str], IndicatorSet],
    problems: list[Problem],
) -> dict[str, Mapping[str, IntervieweeTexts]]:
    """Each bank's ``interviewee/<language>.yaml``: every declared language, every asked item."""
    result: dict[str, Mapping[str, IntervieweeTexts]] = {}
    for version, bank in sorted(banks.items()):
        folder = root / "indicators" / "bank" / version / INTERVIEWEE_FOLDER
        if not folder.is_dir():
            continue
        asked = asked_items(bank, sets)
        languages: dict[str, IntervieweeTexts] = {}
        for file in sorted(folder.glob("*.y*ml")):
            if file.stem not in INTERVIEWEE_LANGUAGES or file.suffix != ".yaml":
                declared = ", ".join(f"{lang}.yaml" for lang in INTERVIEWEE_LANGUAGES)
                problems.append(
                    Problem(
                        _relative(root, file),
                        "",
                        None,
                        f"not an interviewee language (screening/core/languages.py declares: {declared})",
                    )
                )
                continue
            opened = _open(root, file, problems)
            if opened is None:
                continue
            c, data, _raw = opened
            texts = _parse_interviewee(c, data, file.stem, bank, asked)
            problems.extend(c.problems)
            if texts is not None and not c.problems:
                languages[texts.language] = texts
        for language in INTERVIEWEE_LANGUAGES:
            if not (folder / f"{language}.yaml").is_file():
                problems.append(
                    Problem(
                        _relative(root, folder / f"{language}.yaml"), "", None, "missing file (a declared language)"
                    )
                )
        result[version] = MappingProxyType(
            {lang: languages[lang] for lang in INTERVIEWEE_LANGUAGES if lang in languages}
        )
    return result


def _parse_interviewee(
    c: Checker, data: Mapping[str, Any], language: str, bank: Bank, asked: Mapping[str, Indicator]
) -> IntervieweeTexts | None:
    review_keys: list[Any] = list(_entries(data.get("review")))
    if any(isinstance(key, bool) for key in review_keys):
        # YAML 1.1 reads a bare on / yes / no key as a boolean.
        c.report(("review",), 'quote the keys "on", "yes" and "no" (YAML reads them bare as true or false)')
    check_format(c, "interviewee", data)
    declared = _read(data, "language", str)
    if declared is not None and declared != language:
        c.report(("language",), f"language {declared!r} does not match the file name ({language}.yaml)")
    items = _entries(data.get("items"))
    for item_id, text in items.items():
        path: PathKey = ("items", str(item_id))
        indicator = bank.indicators.get(str(item_id))
        if indicator is None:
            c.report(path, f"unknown bank item {item_id!r} (indicators/bank/{bank.version}/)")
            continue
        if indicator.mode != "ask":
            c.report(path, f"{item_id!r} is observed, not asked: the person is never asked it")
            continue
        if not isinstance(text, str) or not text.strip():
            continue  # the format check said so
        english = indicator.text["en"]
        if placeholders(text) != placeholders(english):
            c.report(
                path,
                f"placeholders {sorted(placeholders(text))} differ from the English text's "
                f"{sorted(placeholders(english))}",
            )
        if numbers(text) != numbers(english):
            c.report(path, f"numbers {numbers(text)} differ from the English text's {numbers(english)}: {english!r}")
    for item_id in asked:
        if item_id not in items:
            c.report(("items",), f"missing the question for the asked item {item_id!r}")
    if c.problems:
        return None
    review = _entries(data.get("review"))
    return IntervieweeTexts(
        language=language,
        direction=INTERVIEWEE_LANGUAGES[language],
        status=str(review.get("status")),
        reviewed_by=_read(review, "by", str),
        reviewed_on=_read(review, "on", dt.date),
        introduction=MappingProxyType({p: str(_entries(data.get("introduction"))[p]) for p in INTRODUCTION_PARTS}),
        answers=MappingProxyType({a: str(_entries(data.get("answers"))[a]) for a in INTERVIEWEE_ANSWERS}),
        find_interpreter=str(data.get("find_interpreter")),
        navigation=MappingProxyType({k: str(v) for k, v in _entries(data.get("navigation")).items()}),
        items=MappingProxyType({str(k): str(items[k]) for k in items}),
        file=c.file,
    )


def _module_sections(
    c: Checker, data: Mapping[str, Any], indicators: Mapping[str, Indicator]
) -> tuple[ModuleSection, ...]:
    sections: list[ModuleSection] = []
    for index, raw in enumerate(_items(data.get("child_module"))):
        path: PathKey = ("child_module", index)
        entry = _entries(raw)
        section_id = _read(entry, "id", str)
        title = c.text(entry, path, "title")
        items = _items(entry.get("items"))
        for item_index, item_id in enumerate(items):
            if item_id not in indicators:
                c.report((*path, "items", item_index), f"unknown bank item {item_id!r}")
        if section_id and title:
            sections.append(ModuleSection(section_id, title, tuple(str(i) for i in items)))
    return tuple(sections)


def _bank_sections(c: Checker, data: Mapping[str, Any], bank: Bank) -> list[Section]:
    """A set's sections as selections of bank ids."""
    sections: list[Section] = []
    seen: dict[str, PathKey] = {}
    section_ids: list[tuple[str, PathKey]] = []
    for index, item in enumerate(_items(data.get("sections"))):
        path: PathKey = ("sections", index)
        head = _section_head(c, item, path)
        if head is None:
            continue
        entry, section_id, kind, title = head
        if section_id:
            section_ids.append((section_id, (*path, "id")))
        if (index == 0) != (kind == "safety") and kind is not None:
            c.report((*path, "kind"), "the first section, and only the first, is the safety check (kind: safety)")
        checks: list[SafetyCheck] = []
        indicators: list[Indicator] = []
        for item_index, item_id in enumerate(_items(entry.get("items"))):
            item_path: PathKey = (*path, "items", item_index)
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                c.report(item_path, f"{item_id!r} is already in this set")
                continue
            seen[item_id] = item_path
            found = bank.safety_checks.get(item_id) if kind == "safety" else bank.indicators.get(item_id)
            if found is None:
                c.report(item_path, f"unknown bank item {item_id!r} (indicators/bank/{bank.version}/)")
            elif isinstance(found, SafetyCheck):
                checks.append(found)
            else:
                indicators.append(found)
        if section_id and kind and title:
            sections.append(Section(section_id, kind, title, tuple(checks), tuple(indicators)))
    c.unique(section_ids, "section id")
    _check_required_safety(c, sections)
    return sections


def _section_head(
    c: Checker, item: Any, path: PathKey
) -> tuple[dict[str, Any], str | None, str | None, Text | None] | None:
    """A section entry with its id, kind and title (the items are read by the caller)."""
    entry = _entries(item)
    if not entry:
        return None
    return entry, _read(entry, "id", str), _read(entry, "kind", str), c.text(entry, path, "title")


def _check_required_safety(c: Checker, sections: list[Section]) -> None:
    if sections and sections[0].kind == "safety":
        present = {check.id: check.signal for check in sections[0].safety_checks}
        for check_id, signal in REQUIRED_SAFETY_CHECKS.items():
            if present.get(check_id) != signal:
                c.report(("sections", 0, "items"), f"the safety section needs {check_id!r} with signal {signal!r}")


def _child_module(bank: Bank, chosen: set[str]) -> list[Section]:
    """The bank's child module without the items the set already asks."""
    sections = []
    for module in bank.child_module:
        items = tuple(bank.indicators[i] for i in module.items if i not in chosen and i in bank.indicators)
        if items:
            sections.append(Section(module.id, "indicators", module.title, (), items))
    return sections


def _intended_users(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(user for user in _items(data.get("intended_users")) if isinstance(user, str))


def _sources(c: Checker, data: Mapping[str, Any]) -> tuple[Source, ...]:
    sources: list[Source] = []
    for entry in map(_entries, _items(data.get("sources"))):
        source_id, citation = _read(entry, "id", str), _read(entry, "citation", str)
        if source_id and citation:
            sources.append(Source(source_id, citation))
    c.unique(((s.id, ("sources",)) for s in sources), "source id")
    return tuple(sources)


def _sections(c: Checker, data: Mapping[str, Any], source_ids: set[str], rules: ScoringRules | None) -> list[Section]:
    """The sections of a set that defines its items inline (2026.1 and before)."""
    raw = _items(data.get("sections"))
    sections: list[Section] = []
    item_ids: list[tuple[str, PathKey]] = []
    section_ids: list[tuple[str, PathKey]] = []
    for index, item in enumerate(raw):
        path: PathKey = ("sections", index)
        head = _section_head(c, item, path)
        if head is None:
            continue
        entry, section_id, kind, title = head
        if section_id:
            section_ids.append((section_id, (*path, "id")))
        if index == 0 and kind is not None and kind != "safety":
            c.report((*path, "kind"), "the first section must be the privacy-and-safety check (kind: safety)")
        if index > 0 and kind == "safety":
            c.report((*path, "kind"), "only the first section may be a safety section")
        checks: list[SafetyCheck] = []
        indicators: list[Indicator] = []
        for item_index, raw_item in enumerate(_items(entry.get("items"))):
            item_path: PathKey = (*path, "items", item_index)
            item_entry = _entries(raw_item)
            if not item_entry:
                continue
            if isinstance(item_entry.get("id"), str):
                item_ids.append((item_entry["id"], (*item_path, "id")))
            if kind == "safety":
                check = _safety_check(c, item_entry, item_path)
                if check:
                    checks.append(check)
            elif kind == "indicators":
                indicator = _indicator(c, item_entry, item_path, source_ids, rules)
                if indicator:
                    indicators.append(indicator)
        if section_id and kind and title:
            sections.append(Section(section_id, kind, title, tuple(checks), tuple(indicators)))
    c.unique(section_ids, "section id")
    c.unique(item_ids, "item id")
    _check_required_safety(c, sections)
    return sections


def _safety_check(c: Checker, entry: Mapping[str, Any], path: PathKey) -> SafetyCheck | None:
    check_id, signal = _read(entry, "id", str), _read(entry, "signal", str)
    text = c.text(entry, path, "text")
    guidance = c.text(entry, path, "guidance")
    if check_id and signal and text and guidance:
        return SafetyCheck(check_id, signal, text, guidance)
    return None


def _indicator(
    c: Checker,
    entry: Mapping[str, Any],
    path: PathKey,
    source_ids: set[str],
    rules: ScoringRules | None,
) -> Indicator | None:
    """An indicator the format accepted, checked against its scoring rules, its sources and itself."""
    indicator_id, mode = _read(entry, "id", str), _read(entry, "mode", str)
    dimension = _read(entry, "dimension", str)
    if rules and dimension is not None and dimension not in rules.dimensions:
        c.report((*path, "dimension"), f"unknown value {dimension!r} (allowed: {', '.join(rules.dimensions)})")
        dimension = None
    adult, child = _strengths(c, entry, path, dimension)
    forms = _forms(c, entry, path, rules)
    source = _read(entry, "source", str)
    if source and source not in source_ids:
        c.report((*path, "source"), f"unknown source {source!r} (declared: {', '.join(sorted(source_ids))})")
    speak_alone = _read(entry, "speak_alone", bool, default=False)
    if speak_alone and adult == "strong":
        c.report((*path, "speak_alone"), "an everyday observation (speak_alone) cannot be strong for adults")
    text = c.text(entry, path, "text")
    guidance = c.text(entry, path, "guidance")
    values = (indicator_id, dimension if rules else None, adult, child, forms, mode, source, text, guidance)
    if any(v is None for v in values):
        return None
    return Indicator(
        id=indicator_id or "",
        dimension=dimension or "",
        strength_adult=adult or "",
        strength_child=child or "",
        forms=forms or (),
        mode=mode or "",
        urgent=_read(entry, "urgent", bool, default=False),
        source=source or "",
        text=text or {},
        guidance=guidance or {},
        source_note=_read(entry, "source_note", str),
        status=_read(entry, "status", str),
        speak_alone=speak_alone,
        child_sign=_read(entry, "child_sign", bool, default=False),
    )


def _strengths(
    c: Checker, entry: Mapping[str, Any], path: PathKey, dimension: str | None
) -> tuple[str | None, str | None]:
    """The adult and child strengths, where the ILO lists allow them for the item's dimension."""
    strength = _entries(entry.get("strength"))
    adult, child = _read(strength, "adult", str), _read(strength, "child", str)
    if "strong" in (adult, child) and dimension == "vulnerability_recruitment":
        c.report((*path, "strength"), "recruitment by abuse of vulnerability has no strong indicator in the ILO lists")
        return None, None
    if "strong" in (adult, child) and dimension == "act":
        c.report((*path, "strength"), "an act item cannot be strong: an act alone is not exploitation")
        return None, None
    return adult, child


def _forms(c: Checker, entry: Mapping[str, Any], path: PathKey, rules: ScoringRules | None) -> tuple[str, ...] | None:
    """The forms of exploitation an item evidences, each one the scoring rules name."""
    forms = _items(entry.get("forms"))
    if not forms or rules is None:
        return None
    unknown = [(index, form) for index, form in enumerate(forms) if form not in rules.forms]
    for index, form in unknown:
        c.report((*path, "forms", index), f"unknown form {form!r} (allowed: {', '.join(rules.forms)})")
    return None if unknown else tuple(forms)


def _check_set_coverage(c: Checker, sections: list[Section], rules: ScoringRules | None) -> None:
    indicators = [i for s in sections for i in s.indicators]
    if len(indicators) < MIN_INDICATORS_PER_SET:
        c.report(("sections",), f"a set needs at least {MIN_INDICATORS_PER_SET} indicators, found {len(indicators)}")
    if rules:
        covered = {i.dimension for i in indicators}
        missing = [d for d in rules.set_must_cover or rules.dimensions if d not in covered]
        if missing:
            c.report(("sections",), f"no indicator for dimension(s): {', '.join(missing)}")


# --- scoring rules ------------------------------------------------------------------------


def _parse_scoring(c: Checker, data: dict[str, Any], raw: bytes, version: str) -> ScoringRules | None:
    check_format(c, "scoring", data)
    _check_version(c, data, version)
    status = _read(data, "status", str)
    dimension_names = _named_keys(c, data, "dimensions")
    form_names = _named_keys(c, data, "forms")
    dimensions = tuple(dimension_names)
    thresholds, overrides = _thresholds(c, data, dimensions)
    levels = _levels(c, data, dimensions)
    texts = _texts(c, data)
    forms_from = _dimension_list(c, data, "forms_from", dimensions)
    unscored = _dimension_list(c, data, "unscored", dimensions)
    must_cover = _dimension_list(c, data, "set_must_cover", dimensions)
    unknown_age_is_child = _read(data, "unknown_age_is_child", bool, default=True)
    share = _read(data, "suspected_form_min_share", (float, int))
    if share is None and not forms_from:
        c.report(("suspected_form_min_share",), "missing 'suspected_form_min_share' (or give forms_from)")
    if c.problems or status is None or not levels:
        return None
    zero = [rule for rule in levels if rule.level == 0]
    return ScoringRules(
        version=version,
        status=status,
        dimensions=dimensions,
        dimension_names=MappingProxyType(dimension_names),
        forms=tuple(form_names),
        form_names=MappingProxyType(form_names),
        thresholds=thresholds,
        threshold_overrides=MappingProxyType(overrides),
        levels=tuple(rule for rule in levels if rule.level != 0),
        level_zero=zero[0],
        texts=MappingProxyType(texts),
        file=c.file,
        suspected_form_min_share=float(share or 1),
        forms_from=forms_from,
        unscored=unscored,
        unknown_age_is_child=bool(unknown_age_is_child),
        set_must_cover=must_cover,
    )


def _dimension_list(c: Checker, data: Mapping[str, Any], key: str, dimensions: tuple[str, ...]) -> tuple[str, ...]:
    names = _items(data.get(key))
    for index, name in enumerate(names):
        if name not in dimensions:
            c.report((key, index), f"unknown dimension {name!r} (known: {', '.join(dimensions)})")
    return tuple(str(n) for n in names)


#: Texts every scoring file must provide, with the placeholders the engine fills in.
SCORING_TEXTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "positive_dimension": frozenset({"dimension", "indicators"}),
        "strong_indicator": frozenset({"indicators"}),
        "indicators_present": frozenset({"indicators"}),
        "child_rule": frozenset(),
        "urgent": frozenset(),
        "medical": frozenset(),
        "not_counted": frozenset({"count"}),
        "standing_note_early": frozenset(),
        "standing_note_absence": frozenset(),
    }
)
#: Texts a scoring file may add (2026.2 on).
OPTIONAL_SCORING_TEXTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {"speak_alone": frozenset(), "age_to_establish": frozenset()}
)


def _named_keys(c: Checker, data: Mapping[str, Any], key: str) -> dict[str, Text]:
    names: dict[str, Text] = {}
    for name, entry in _entries(data.get(key)).items():
        path: PathKey = (key, str(name))
        body = _entries(entry)
        if not body:
            continue
        text = c.text(body, path, "name")
        if text:
            names[str(name)] = text
    return names


THRESHOLD_COUNTS = ("strong", "medium", "weak", "any")


def _thresholds(
    c: Checker, data: Mapping[str, Any], dimensions: tuple[str, ...]
) -> tuple[tuple[Threshold, ...], dict[str, tuple[Threshold, ...]]]:
    default: tuple[Threshold, ...] = ()
    overrides: dict[str, tuple[Threshold, ...]] = {}
    for key, raw in _entries(data.get("dimension_positive_when")).items():
        path: PathKey = ("dimension_positive_when", str(key))
        if key != "default" and key not in dimensions:
            c.report(path, f"unknown dimension {key!r}")
            continue
        parsed: list[Threshold] = []
        for index, item in enumerate(_items(raw)):
            counts = {k: _read(_entries(item), k, int, default=0) for k in THRESHOLD_COUNTS}
            if not any(count > 0 for count in counts.values()):
                c.report((*path, index), "a threshold needs at least one positive count")
                continue
            parsed.append(Threshold(**counts))
        if key == "default":
            default = tuple(parsed)
        else:
            overrides[str(key)] = tuple(parsed)
    return default, overrides


def _levels(c: Checker, data: Mapping[str, Any], dimensions: tuple[str, ...]) -> list[LevelRule]:
    rules: list[LevelRule] = []
    for index, item in enumerate(_items(data.get("levels"))):
        path: PathKey = ("levels", index)
        entry = _entries(item)
        if not entry:
            continue
        level = _read(entry, "level", int)
        key = _read(entry, "key", str)
        label = c.text(entry, path, "label")
        both = entry.get("when")
        adult_raw, child_raw = entry.get("adult", both), entry.get("child", both)
        if level == 0:
            adult = child = None
            if any(k in entry for k in ("when", "adult", "child")):
                c.report(path, "level 0 is the fallback and takes no condition")
        else:
            # An outcome may apply to one population only: give 'adult' or 'child' alone.
            if adult_raw is None and child_raw is None:
                c.report(path, "give 'when' (both populations), or 'adult' and/or 'child'")
            adult = (
                _condition(c, adult_raw, (*path, "adult" if "adult" in entry else "when"), dimensions)
                if adult_raw is not None
                else None
            )
            child = (
                _condition(c, child_raw, (*path, "child" if "child" in entry else "when"), dimensions)
                if child_raw is not None
                else None
            )
        explanation_adult, explanation_child = _explanations(c, entry, path)
        if None not in (level, key, label, explanation_adult, explanation_child):
            rules.append(
                LevelRule(level, key or "", label or {}, adult, child, explanation_adult or {}, explanation_child or {})
            )
    found = [rule.level for rule in rules]
    if found != sorted(found, reverse=True) or set(found) != set(LEVELS) or found.count(0) != 1:
        c.report(("levels",), f"levels must run from 3 down to 0, each at least once, level 0 once (found {found})")
    c.unique(((rule.key, ("levels",)) for rule in rules), "level key")
    return rules


def _explanations(c: Checker, entry: Mapping[str, Any], path: PathKey) -> tuple[Text | None, Text | None]:
    raw = _entries(entry.get("explanation"))
    if not raw:
        return None, None
    if set(raw) <= {"adult", "child"} and raw:
        epath: PathKey = (*path, "explanation")
        return c.text(raw, epath, "adult"), c.text(raw, epath, "child")
    text = c.text_value(raw, (*path, "explanation"))
    return text, text


def _condition(c: Checker, raw: Any, path: PathKey, dimensions: tuple[str, ...]) -> Mapping[str, object] | None:
    entry = _entries(raw)
    if len(entry) != 1 or next(iter(entry)) not in CONDITION_KEYS:
        return None
    key, value = next(iter(entry.items()))
    if key in ("all", "any"):
        parts = _items(value)
        parsed = [_condition(c, part, (*path, key, i), dimensions) for i, part in enumerate(parts)]
        if not parsed or None in parsed:
            return None
        return MappingProxyType({key: tuple(parsed)})
    if key in ("positive", "yes_in", "strong_in", "clear_yes_in", "none_answered_no"):
        names = value if isinstance(value, list) else [value]
        unknown = [n for n in names if n not in dimensions]
        if unknown or not names:
            c.report((*path, key), f"unknown dimension(s) {unknown} (known: {', '.join(dimensions)})")
            return None
        return MappingProxyType({key: tuple(names)})
    if key == "yes_to":  # the schema checks the ids' form; _parse_set that the set's bank holds them
        return MappingProxyType({key: tuple(value if isinstance(value, list) else [value])})
    return MappingProxyType({key: True}) if value is True else None


def _texts(c: Checker, data: Mapping[str, Any]) -> dict[str, Text]:
    body = _entries(data.get("texts"))
    texts: dict[str, Text] = {}
    for key, expected in {**SCORING_TEXTS, **OPTIONAL_SCORING_TEXTS}.items():
        text = c.text(body, ("texts",), key, required=False)
        if text is None:
            continue
        names = {n for value in text.values() for n in placeholders(value)}
        if names != expected:
            c.report(("texts", key), f"placeholders {sorted(names)} differ from the expected {sorted(expected)}")
        texts[key] = text
    return texts


# --- contacts and referral rules ----------------------------------------------------------


def _parse_directory(c: Checker, data: dict[str, Any], raw: bytes) -> Directory | None:
    check_format(c, "contacts", data)
    contacts: dict[str, Contact] = {}
    for key, entry in _entries(data.get("contacts")).items():
        contact = _contact(c, str(key), _entries(entry), ("contacts", str(key)))
        if contact:
            contacts[contact.key] = contact
    municipalities: dict[str, Municipality] = {}
    for key, entry in _entries(data.get("municipalities")).items():
        path: PathKey = ("municipalities", str(key))
        body = _entries(entry)
        name = c.text(body, path, "name")
        phone = _read(body, "csw_phone", str)
        status = _read(body, "csw_phone_status", str)
        _check_published_phone(c, path, phone, status, "csw_phone")
        if name and status:
            municipalities[str(key)] = Municipality(str(key), name, phone, status)
    if c.problems:
        return None
    return Directory(MappingProxyType(contacts), MappingProxyType(municipalities), c.file)


def _contact(c: Checker, key: str, body: Mapping[str, Any], path: PathKey) -> Contact | None:
    name = c.text(body, path, "name")
    role = c.text(body, path, "role")
    phone = _read(body, "phone", str)
    status = _read(body, "phone_status", str)
    source = _read(body, "source", str)
    per_municipality = _read(body, "per_municipality", bool, default=False)
    name_status = _read(body, "name_status", str)
    _check_published_phone(c, path, phone, status, "phone")
    if name and role and status and source:
        return Contact(key, name, role, phone, status, source, bool(per_municipality), name_status)
    return None


def _check_published_phone(c: Checker, path: PathKey, phone: str | None, status: str | None, key: str) -> None:
    if status == "published" and not phone:
        c.report((*path, key), "a published number cannot be empty")


def _parse_referral_rules(
    c: Checker,
    data: dict[str, Any],
    raw: bytes,
    version: str,
    contacts: frozenset[str],
    vocabulary: Mapping[str, frozenset[str]],
) -> ReferralRules | None:
    check_format(c, "referral_rules", data)
    _check_version(c, data, version)
    status = _read(data, "status", str)
    rules: list[ReferralRule] = []
    ids: list[tuple[str, PathKey]] = []
    for index, item in enumerate(_items(data.get("rules"))):
        path: PathKey = ("rules", index)
        entry = _entries(item)
        rule_id = _read(entry, "id", str)
        if rule_id:
            ids.append((rule_id, (*path, "id")))
        when = _rule_condition(c, entry, path, vocabulary)
        refer = _contact_refs(c, entry, path, contacts)
        reason = c.text(entry, path, "reason")
        sop = _read(entry, "sop", str)
        if rule_id and when is not None and refer and reason and sop:
            rules.append(ReferralRule(rule_id, when, refer, reason, sop))
    c.unique(ids, "rule id")
    if c.problems or status is None:
        return None
    return ReferralRules(version, status, tuple(rules), c.file)


def _rule_condition(
    c: Checker, entry: Mapping[str, Any], path: PathKey, vocabulary: Mapping[str, frozenset[str]]
) -> Mapping[str, object] | None:
    when = entry.get("when")
    if not isinstance(when, dict):
        return None
    ok = True
    for field, value in when.items():
        kind = CONDITION_FIELDS.get(str(field))
        allowed = vocabulary.get(kind or "")
        unknown = [v for v in _items(value) if v not in allowed] if allowed is not None else []
        if unknown:
            shown = ", ".join(sorted(allowed or ())) if len(allowed or ()) < 40 else f"{kind} (unknown: {unknown})"
            c.report((*path, "when", str(field)), f"{field} takes a list of: {shown}")
            ok = False
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in when.items()}) if ok else None


def _contact_refs(
    c: Checker, entry: Mapping[str, Any], path: PathKey, contacts: frozenset[str]
) -> tuple[ContactRef, ...]:
    refs: list[ContactRef] = []
    for index, item in enumerate(_items(entry.get("refer"))):
        body = _entries(item)
        contact, priority = _read(body, "contact", str), _read(body, "priority", str)
        if contact and contact not in contacts:
            c.report(
                (*path, "refer", index, "contact"), f"unknown contact {contact!r} (not in referral_rules/contacts.yaml)"
            )
            continue
        if contact and priority:
            refs.append(ContactRef(contact, priority))
    return tuple(refs)


__all__ = ["ContentError", "default_content_root", "load_content"]
