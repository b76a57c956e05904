"""The ``screening`` command: content tools (pure core) and the web app's commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
import yaml

from screening.core.assessment import assess, resolve_set
from screening.core.diffing import diff_sets
from screening.core.errors import ContentError, ScoringInputError
from screening.core.inputs import parse_screening_input
from screening.core.languages import CONTENT_LANGUAGES, UI_LOCALES, localise
from screening.core.loading import load_content
from screening.core.model import Content

USAGE_ERROR = 2

content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding indicators/ and referral_rules/ (default: the repository's own).",
)


def _fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _content(content_dir: Path | None) -> Content:
    try:
        return load_content(content_dir)
    except ContentError as exc:
        click.echo(exc.report(), err=True)
        sys.exit(1)


@click.group()
def main() -> None:
    """Early identification and referral of possible victims of trafficking in human beings."""


@main.command()
@content_option
def validate(content_dir: Path | None) -> None:
    """Check every indicator set, scoring file and referral rule; exit 1 on any problem."""
    content = _content(content_dir)
    click.echo(
        f"OK: {len(content.sets)} indicator set versions, {len(content.scoring)} scoring file(s), "
        f"{len(content.referral_rules)} referral rule file(s), "
        f"{len(content.directory.contacts)} contacts, {len(content.directory.municipalities)} municipalities, "
        f"{len(content.scenarios)} training scenarios, "
        f"{sum(len(by_language) for by_language in content.interviewee.values())} interviewee language file(s)."
    )


@main.command()
@content_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sets(content_dir: Path | None, as_json: bool) -> None:
    """List the indicator sets with their versions and status."""
    content = _content(content_dir)
    rows = [
        {
            "id": s.id,
            "version": s.version,
            "status": s.status,
            "released_on": s.released_on.isoformat() if s.released_on else None,
            "default": content.default_version(s.id) == s.version,
            "indicators": len(s.indicators),
            "title": dict(s.title),
        }
        for set_id in content.set_ids()
        for s in (content.sets[(set_id, v)] for v in content.versions(set_id))
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        mark = " (default)" if row["default"] else ""
        click.echo(f"{row['id']:<10} {row['version']:<8} {row['status']:<9} {row['indicators']:>3} indicators{mark}")


@main.command()
@content_option
@click.argument("set_id")
@click.argument("old_version")
@click.argument("new_version")
def diff(content_dir: Path | None, set_id: str, old_version: str, new_version: str) -> None:
    """The scoring, and the indicators and safety checks added, removed and changed, between two
    versions of a set."""
    content = _content(content_dir)
    try:
        old, new = resolve_set(content, set_id, old_version), resolve_set(content, set_id, new_version)
    except ScoringInputError as exc:
        _fail(str(exc))
    result = diff_sets(old, new)
    if result.scoring:
        click.echo(f"scoring {result.scoring[0]} -> {result.scoring[1]} (indicators/scoring/{result.scoring[1]}.yaml)")
    for indicator_id in result.added:
        click.echo(f"+ {indicator_id}")
    for indicator_id in result.removed:
        click.echo(f"- {indicator_id}")
    for change in result.changed:
        click.echo(f"~ {change.indicator} {change.field}: {change.old!r} -> {change.new!r}")
    if result.empty:
        click.echo("No differences.")


def _read_answers_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        _fail(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}")


@main.command()
@content_option
@click.option("--set", "set_id", required=True, help="Indicator set id, e.g. general.")
@click.option("--version", "version", default=None, help="Set version (default: newest released).")
@click.option(
    "--answers",
    "answers_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON answers file.",
)
@click.option("--lang", default="en", type=click.Choice(UI_LOCALES), help="Language of the explanation.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def score(
    content_dir: Path | None, set_id: str, version: str | None, answers_file: Path, lang: str, as_json: bool
) -> None:
    """Score one screening and choose its referrals."""
    content = _content(content_dir)
    data = _read_answers_file(answers_file)
    try:
        indicator_set = resolve_set(content, set_id, version)
        profile, answers = parse_screening_input(data)
        assessment = assess(content, indicator_set, answers, profile)
    except ScoringInputError as exc:
        _fail(str(exc))
    language = lang if lang in CONTENT_LANGUAGES else "sr_Latn"
    if as_json:
        payload = assessment.to_dict(language)
        payload["explanation"] = [localise({language: line}, lang) for line in assessment.result.explanation[language]]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    scoring = content.scoring_for(indicator_set)
    result = assessment.result
    click.echo(f"{indicator_set.ref}: level {result.level} - {localise(scoring.outcome(result.level_key).label, lang)}")
    for line in result.explanation[language]:
        click.echo(f"  {localise({language: line}, lang)}")
    for referral in assessment.referrals:
        name = localise(content.directory.contacts[referral.contact].name, lang)
        click.echo(f"  -> [{referral.priority}] {name}")


def _register_web_commands() -> None:
    # Defining the commands imports only click; Flask is imported when one of them runs.
    from screening.web.commands import register

    register(main)


_register_web_commands()
