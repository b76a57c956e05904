"""Broken or hostile content cannot take the machine down: every break is refused quickly, with
``file:line`` and no traceback, by ``screening validate`` run as a separate process.

The cases are the security review's table "Broken content: the 15 cases (plus 5)", plus a few
more. Each one copies the shipped content, applies one break and runs the real command with a
20 s timeout and a 1 GB address-space limit, so a file that expands (the billion laughs) or
never ends (``a: &a [*a]``) fails the test instead of hanging it or exhausting the machine.
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from screening.core.yamlfile import MAX_DEPTH, MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[1]
GENERAL = "indicators/general/2026.1.yaml"
NEW_SET_FILE = "indicators/general/2099.1.yaml"  # a version no release will have for years
RULES = "referral_rules/2026.1.yaml"
RULES_NEXT = "referral_rules/2026.2.yaml"
SCENARIO = "indicators/scenarios/gen-peje-drug-courier.yaml"
ALIASES = "anchors and aliases are not allowed in content files; write the value out"
#: Address space for the command: the shipped content needs far less; an expanding file hits it.
MEMORY_LIMIT = 1024 * 1024 * 1024
TIMEOUT_SECONDS = 20


def edit(tree: Path, relative: str, old: str, new: str) -> int:
    """Replace the first ``old`` by ``new``; return the line where the edit starts."""
    path = tree / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's edit does not apply to {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(tree: Path, relative: str, needle: str, nth: int = 1) -> int:
    lines = (tree / relative).read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, 1) if needle in line][nth - 1]


def billion_laughs(levels: int = 10) -> str:
    """About 400 bytes that expand to 9**levels strings when aliases are followed."""
    names = "abcdefghijklmnop"[:levels]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * 9)}]"]
    lines += [f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in itertools.pairwise(names)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Break:
    """One break applied to a copy of the shipped content; ``apply`` returns where it is reported."""

    apply: Callable[[Path], str]
    says: tuple[str, ...]
    never: tuple[str, ...] = ()


def _unclosed_bracket(tree: Path) -> str:
    line = edit(tree, GENERAL, "intended_users: [police, border_police, customs]", "intended_users: [police, customs")
    return f"{GENERAL}:{line + 1}"  # libyaml sees it on the next line


def _duplicate_id(tree: Path) -> str:
    edit(tree, GENERAL, "- id: gen.little_or_no_pay", "- id: gen.excessive_hours")
    return f"{GENERAL}:{line_of(tree, GENERAL, '- id: gen.excessive_hours', 2)}"


def _duplicate_key(tree: Path) -> str:
    line = edit(tree, GENERAL, "        mode: observe\n", "        mode: observe\n        mode: ask\n")
    return f"{GENERAL}:{line + 1}"


def _wrong_strength(tree: Path) -> str:
    return f"{GENERAL}:{edit(tree, GENERAL, 'strength: {adult: strong, child: strong}', 'strength: 5')}"


def _wrong_forms(tree: Path) -> str:
    line = edit(tree, GENERAL, "forms: [prostitution, forced_labour, begging, domestic_servitude", "forms: x #")
    return f"{GENERAL}:{line}"


def _missing_serbian(tree: Path) -> str:
    line = edit(tree, GENERAL, '          sr_Latn: "Osoba radi veoma dugo ili nema slobodne dane."\n', "")
    return f"{GENERAL}:{line - 2}"  # the text: key above the two languages left


def _unknown_key(tree: Path) -> str:
    line = edit(tree, GENERAL, "        mode: observe\n", "        mode: observe\n        colour: red\n")
    return f"{GENERAL}:{line + 1}"


def _unknown_contact(tree: Path) -> str:
    """In every rules file, so that no valid one is left: that is when the loader used to add a second line."""
    edit(tree, RULES_NEXT, "{contact: dithb, priority: now}", "{contact: interpol_hotline, priority: now}")
    return (
        f"{RULES}:{edit(tree, RULES, '{contact: dithb, priority: now}', '{contact: interpol_hotline, priority: now}')}"
    )


def _write(relative: str, text: str, line: int | None = None) -> Callable[[Path], str]:
    def apply(tree: Path) -> str:
        (tree / relative).write_text(text, encoding="utf-8")
        return f"{relative}:{line}" if line else f"{relative}:"

    return apply


def _huge_file(tree: Path) -> str:
    with (tree / GENERAL).open("a", encoding="utf-8") as file:
        file.write("\n# " + "x" * (50 * 1024 * 1024) + "\n")
    return f"{GENERAL}:"


def _tag(value: str, shown: str) -> Break:
    return Break(
        lambda tree: f"{GENERAL}:{edit(tree, GENERAL, 'status: released', f'status: {value}')}",
        (f"the tag {shown!r} is not allowed in content files",),
    )


def _deep(tree: Path) -> str:
    deep = "[" * 100_000 + "]" * 100_000
    return f"{GENERAL}:{edit(tree, GENERAL, 'intended_users: [police, border_police, customs]', f'x: {deep}')}"


def _deep_blocks(tree: Path) -> str:
    deep = "".join(f"\n{'  ' * level}k:" for level in range(1, 41)) + " 1"
    line = edit(tree, GENERAL, "intended_users: [police, border_police, customs]", f"x:{deep}")
    return f"{GENERAL}:{line + MAX_DEPTH}"  # where the mapping at level 33 starts


def _not_utf8(tree: Path) -> str:
    path = tree / GENERAL
    raw = path.read_bytes()
    needle = '  sq: "Tregues të '.encode()
    path.write_bytes(raw.replace(needle, needle + b"\xff", 1))
    line = raw[: raw.index(needle)].count(b"\n") + 1
    return f"{GENERAL}:{line}"  # the column counts characters: "ë" is two bytes, one column


def _top_level_list(tree: Path) -> str:
    (tree / GENERAL).write_text("- id: general\n- status: released\n", encoding="utf-8")
    return f"{GENERAL}:1"


def _unknown_scoring(tree: Path) -> str:
    line = edit(tree, GENERAL, 'scoring: "2026.1"', 'scoring: "2099.9"')
    return f"{GENERAL}:{line}"


def _scenario_unknown_indicator(tree: Path) -> str:
    line = edit(tree, SCENARIO, "  - rec.deceived_job\n", "  - rec.no_such_indicator\n")
    return f"{SCENARIO}:{line}"


def _merge_key(tree: Path) -> str:
    line = edit(tree, GENERAL, "status: released\n", "status: released\n<<: {purpose: x}\n")
    return f"{GENERAL}:{line + 1}"


def _merge_key_with_alias(tree: Path) -> str:
    line = edit(tree, GENERAL, "title:\n", "title: &title\n")
    with (tree / GENERAL).open("a", encoding="utf-8") as file:
        file.write("copy:\n  <<: *title\n")
    return f"{GENERAL}:{line}"


def _folder_named_like_a_file(tree: Path) -> str:
    (tree / NEW_SET_FILE).mkdir()
    return f"{NEW_SET_FILE}:"


def _tab_indentation(tree: Path) -> str:
    line = edit(tree, GENERAL, "\n  - id: ilo_2009", "\n\t- id: ilo_2009")
    return f"{GENERAL}:{line + 1}"


def _symlink(target: str) -> Callable[[Path], str]:
    def apply(tree: Path) -> str:
        (tree / GENERAL).unlink()
        (tree / GENERAL).symlink_to(target)
        return f"{GENERAL}:"

    return apply


BREAKS: dict[str, Break] = {
    "01-unclosed-bracket": Break(_unclosed_bracket, ("not valid YAML",)),
    "02-duplicate-indicator-id": Break(_duplicate_id, ("duplicate item id 'gen.excessive_hours'",)),
    "03-duplicate-key": Break(_duplicate_key, ("duplicate key 'mode'",)),
    "04-wrong-type-mapping": Break(_wrong_strength, ("strength: expected a mapping, found a number",)),
    "04b-wrong-type-list": Break(_wrong_forms, ("forms: expected a list, found a string",)),
    "05-missing-serbian": Break(_missing_serbian, (".text.sr_Latn: missing 'sr_Latn'",)),
    "06-unknown-key": Break(_unknown_key, ("unknown key 'colour'",)),
    "07-unknown-contact": Break(_unknown_contact, ("unknown contact 'interpol_hotline'",), ("no referral rules file",)),
    "08-billion-laughs": Break(_write(NEW_SET_FILE, billion_laughs(), 1), (ALIASES,)),
    "09-50-mb-file": Break(_huge_file, (f"larger than {MAX_FILE_BYTES // 2**20} MB",)),
    "10-python-tag-on-a-list": _tag(
        '!!python/object/apply:os.system ["touch PWNED"]', "!!python/object/apply:os.system"
    ),
    "10b-python-tag-on-a-mapping": _tag(
        "!!python/object/new:os.system {args: [touch PWNED]}", "!!python/object/new:os.system"
    ),
    "10c-python-tag-on-a-value": _tag("!!python/name:os.system ''", "!!python/name:os.system"),
    "10d-local-tag": _tag("!secret released", "!secret"),
    "11-100000-deep": Break(_deep, ("nest",)),  # libyaml's own limit or ours, whichever is met first
    "11b-40-deep-blocks": Break(_deep_blocks, (f"nested deeper than {MAX_DEPTH} levels",)),
    "12-invalid-utf8": Break(_not_utf8, ("not valid UTF-8 (byte 0xff at column 19)",)),
    "13-top-level-list": Break(_top_level_list, ("the file must hold a mapping at the top level",)),
    "14-unknown-scoring": Break(
        _unknown_scoring, ("no scoring rules indicators/scoring/2099.9.yaml",), ("at least 25",)
    ),
    "15-scenario-unknown-indicator": Break(_scenario_unknown_indicator, ("must_mark[0]",)),
    "16-merge-key": Break(_merge_key, ("merge keys (<<) are not allowed in content files",)),
    "16b-merge-key-with-alias": Break(_merge_key_with_alias, (ALIASES,)),
    "17-folder-named-like-a-file": Break(_folder_named_like_a_file, ("is a folder, not a file",)),
    "18-tab-indentation": Break(_tab_indentation, ("not valid YAML",)),
    "19-symlink-to-etc-passwd": Break(_symlink("/etc/passwd"), ()),
    "20-self-alias": Break(_write(NEW_SET_FILE, "a: &a [*a]\n", 1), (ALIASES,)),
    "self-alias-in-a-mapping": Break(_write(NEW_SET_FILE, "a: &a {b: *a}\n", 1), (ALIASES,)),
    "alias-as-a-key": Break(_write(NEW_SET_FILE, "a: 1\n*k : 1\n", 2), (ALIASES,)),
    "symlink-to-dev-zero": Break(_symlink("/dev/zero"), (f"larger than {MAX_FILE_BYTES // 2**20} MB",)),
    "list-as-a-key": Break(_write(NEW_SET_FILE, "id: general\n? [a, b]\n: 1\n", 2), ("a key must be a plain value",)),
    "impossible-date": Break(
        lambda tree: f"{GENERAL}:{edit(tree, GENERAL, 'released_on: 2026-11-28', 'released_on: 2026-13-45')}",
        ("'2026-13-45' is not a valid date (YYYY-MM-DD)",),
    ),
    "two-documents": Break(_write(NEW_SET_FILE, "id: general\n---\nid: general\n", 2), ("one YAML document",)),
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("indicators", "referral_rules"):
        shutil.copytree(ROOT / folder, tmp_path / "content" / folder)
    return tmp_path / "content"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate(tree: Path) -> subprocess.CompletedProcess[str]:
    """``screening validate --content tree`` as its own process; a hang fails the test."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    try:
        return subprocess.run(
            [sys.executable, "-c", "from screening.cli import main; main()", "validate", "--content", str(tree)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            cwd=tree,
            env=environment,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"screening validate still ran after {TIMEOUT_SECONDS} s")


@pytest.mark.parametrize("name", list(BREAKS))
def test_broken_content_is_refused_with_file_and_line(tree: Path, name: str) -> None:
    case = BREAKS[name]
    where = case.apply(tree)
    result = validate(tree)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == 1, output[-3000:]
    problem_lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert any(line.startswith(where) for line in problem_lines), (where, output[-3000:])
    for words in case.says:
        assert any(line.startswith(where) and words in line for line in problem_lines), (words, output[-3000:])
    for words in case.never:
        assert words not in output, f"a cascading message: {words!r}\n{output}"
    assert not (tree / "PWNED").exists()


def test_an_alias_is_refused_before_it_is_expanded(tree: Path) -> None:
    """Six levels of aliases took 1.8 s and 121 MB when expanded; refusing them reads nothing twice."""
    from screening.core.errors import ContentError
    from screening.core.loading import load_content

    (tree / NEW_SET_FILE).write_text(billion_laughs(6), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(tree)
    assert [str(p) for p in caught.value.problems] == [f"{NEW_SET_FILE}:1: {ALIASES}"]


def test_the_limits_leave_room_for_the_shipped_content() -> None:
    files = [*ROOT.glob("indicators/**/*.yaml"), *ROOT.glob("referral_rules/*.yaml")]
    assert max(f.stat().st_size for f in files) * 10 < MAX_FILE_BYTES


def test_nesting_up_to_the_limit_is_read(tree: Path) -> None:
    from screening.core.yamlfile import ContentFileError, load_yaml

    file = tree / "deep.yaml"
    file.write_text("x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", encoding="utf-8")
    assert load_yaml(file).data is not None  # the top mapping and 31 lists: 32 levels
    file.write_text("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", encoding="utf-8")
    with pytest.raises(ContentFileError, match=f"nested deeper than {MAX_DEPTH} levels"):
        load_yaml(file)


def _gunicorn(tree: Path, folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    from gunicorn.config import KNOWN_SETTINGS

    if any("--no-control-socket" in setting.cli for setting in KNOWN_SETTINGS if setting.cli):
        options = (*options, "--no-control-socket")  # gunicorn 25+: not the shared default path
    factory = f"screening.app:create_app(instance_path={str(folder / 'instance')!r})"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    environment["SCREENING_CONTENT_DIR"] = str(tree)
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", *options, factory]
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=60, cwd=folder, env=environment, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("gunicorn kept running on invalid content")


#: Without --preload each worker loads the app; with several, gunicorn 27 itself may print a
#: HaltServer traceback when two fail at once (its halt reaps the second one and raises again).
@pytest.mark.parametrize(
    "options", [("--workers", "1"), ("--preload", "--workers", "2")], ids=["worker-loads", "preload"]
)
def test_gunicorn_prints_the_problem_and_stops(tree: Path, tmp_path: Path, options: tuple[str, ...]) -> None:
    (tree / NEW_SET_FILE).write_text("a: &a [*a]\n", encoding="utf-8")
    result = _gunicorn(tree, tmp_path, *options)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert f"{NEW_SET_FILE}:1: {ALIASES}" in output, output
    assert result.returncode == 4, output  # gunicorn's "App failed to load": no worker is booted again
