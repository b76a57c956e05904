"""Every page and the slip speak the person's language: no English, no raw keys in sq, sr_Latn, sr_Cyrl.

The pages are not listed by hand: every GET route of the app's URL map is rendered for every role
that may open it, with its URL parameters filled from data made the way users make it (a completed
screening with referrals and consent, an unfinished one, a training class with a trainee's attempt,
statistics, the audit trail). What counts as English is derived, never copied: every word of the
English catalog's msgids, of the vocabulary labels and of the content's English texts, less every
word the page's own language also uses (its catalog and content texts, CLDR names in it).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.core.languages import NATIVE_NAMES, localise
from screening.core.model import Content
from screening.models import Screening
from screening.settings import Settings
from screening.web import vocabulary
from screening.web.access import PUBLIC, TOKEN, access_of
from tests.conftest import ROOT, Client, login, make_user
from tests.rehearsal import rehearse
from tests.test_training import create_session, join
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, start

LOCALES = ("sq", "sr_Latn", "sr_Cyrl")
#: Routes that are not pages in a person's language, and why.
NOT_PAGES = {
    "static": "files, not pages",
    "ops.healthz": "a machine's health check",
    "checklist.switch_language": "a redirect",
    "training.scenario": "a redirect to the page the rehearsal is on",
    "auth.index": "a redirect to each role's first page",
    "checklist.slip_pdf": "the PDF of the print view's template (the print view is checked)",
    "training.rehearse_slip_pdf": "the PDF of the training slip's print view (the print view is checked)",
    "sheets.sheet_pdf": "the PDF of the question sheet's template (the print view is checked)",
    "admin.audit_export": "a CSV for machines, keyed in English",
    "admin.records_export": "HTCDS field names and codes, for machines",
    "training.class_csv": "a CSV for machines",
    "paper.checklist": "a PDF: tests/test_paper.py reads every paper document back in every language",
    "paper.card": "a PDF: tests/test_paper.py reads every paper document back in every language",
    "paper.handout": "a PDF: tests/test_paper.py reads every paper document back in every language",
    "paper.answer_key": "a PDF: tests/test_paper.py reads every paper document back in every language",
}
#: Pages that show identifiers on purpose, inside <code>: those elements are not read as text.
CODE_ALLOWED = {
    "content.indicator_set": "each indicator's id is the reference the API, scenarios and content use",
    "admin.audit_trail": "the record column names database ids, user names and endpoints",
    "admin.users": "the server command that issues API tokens, typed as it is",
}
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: A month as the statistics store it ("2026-12"); a whole date (2026-12-02) is a date, not a key.
MONTH_KEY = re.compile(r"(?<![\d-])\d{4}-(?:0[1-9]|1[0-2])(?![\d-])")
WORD = re.compile(r"[^\W\d_]{3,}")
#: A slip number (operations.new_slip_number): the day and six random hex digits, which may spell "DAD".
SLIP_NUMBER = re.compile(r"\b\d{8}-[0-9A-F]{6}\b")
USERS = {"admin": "ana", "supervisor": "drita", "trainer": "coach", "screener": "officer"}
#: The actor tests.conftest.make_user records when it creates an account.
ACCOUNT_CREATOR = "test"
#: Setting names, written as administrators type them into the settings file.
SETTING_NAMES = frozenset(f.name for f in dataclasses.fields(Settings))
URL = re.compile(r"https?://\S+")


def catalog(locale: str) -> Any:
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def texts_in(value: Any) -> Iterator[Mapping[str, str]]:
    """Every multilingual text ({"sq": …, "sr_Latn": …, "en": …}) anywhere in the content."""
    if isinstance(value, Mapping):
        if "en" in value and all(isinstance(v, str) for v in value.values()):
            yield value
            return
        for item in value.values():
            yield from texts_in(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from texts_in(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from texts_in(getattr(value, item.name))


def vocabulary_labels() -> list[str]:
    """Every English label of the closed lists the interface offers."""
    labels: list[str] = []
    for value in vars(vocabulary).values():
        if isinstance(value, Mapping):
            labels += [str(v) for v in value.values() if not isinstance(v, str) or not v.isidentifier()]
    return labels


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


@pytest.fixture(scope="module")
def language_words(content: Content) -> dict[str, tuple[set[str], set[str]]]:
    """Per locale: the English words that must not appear, and the words the locale itself uses."""
    from flask_babel import force_locale

    from screening.app import create_app

    english: set[str] = set()
    for message in catalog("sq"):
        if message.id:
            english |= words(" ".join(message.id) if isinstance(message.id, tuple) else message.id)
    app = create_app({"env": "testing"}, instance_path=str(Path("/tmp") / "page-language-instance"))
    with app.test_request_context(), force_locale("en"):
        english |= words(" ".join(vocabulary_labels()))
    all_texts = list(texts_in(content))
    english |= words(" ".join(t["en"] for t in all_texts))
    result = {}
    for locale in LOCALES:
        own: set[str] = set()
        for message in catalog(locale):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            own |= words(" ".join(s for s in strings if s))
        own |= words(" ".join(localise(t, locale) for t in all_texts))
        cldr = Locale.parse(locale)
        own |= words(" ".join([*cldr.territories.values(), *cldr.languages.values(), *NATIVE_NAMES.values()]))
        own |= words(" ".join([*USERS.values(), ACCOUNT_CREATOR]))
        result[locale] = (english - own, own)
    return result


class VisibleText(HTMLParser):
    """The text a person sees or hears: element text and the labels read aloud, without scripts,
    styles, anything marked as in another language (the language menu, a second language) and
    text people typed (``<bdi>``: trainees' names, a class's place)."""

    SKIP = frozenset({"script", "style", "bdi"})
    SPOKEN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self, page_lang: str, skip_code: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.skip = set(self.SKIP) | ({"code"} if skip_code else set())
        self.stack: list[bool] = []  # per open element: is its text hidden from the check?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = (self.stack[-1] if self.stack else False) or tag in self.skip
        lang = values.get("lang")
        if lang and lang != self.page_lang and tag != "html":
            hidden = True
        if not hidden:
            self.parts += [values[a] or "" for a in self.SPOKEN_ATTRIBUTES if values.get(a)]
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(body: str, skip_code: bool) -> str:
    match = re.search(r'<html lang="([^"]+)"', body)
    assert match, "no <html lang>"
    parser = VisibleText(match.group(1), skip_code)
    parser.feed(body)
    return URL.sub(" ", " ".join(" ".join(parser.parts).split()))


def untranslated(text: str, english: set[str], set_ids: tuple[str, ...]) -> list[str]:
    found = sorted({w for w in WORD.findall(text) if w.lower() in english})
    found += sorted(set(RAW_KEY.findall(text)) - SETTING_NAMES)
    found += sorted(set(MONTH_KEY.findall(text)))
    found += sorted({m for s in set_ids for m in re.findall(rf"\b{re.escape(s)}\b", text)})
    return found


@dataclasses.dataclass
class World:
    clients: dict[str, Client]
    completed: list[str]
    draft: str
    draft_steps: list[str]
    code: str
    scenario_ids: list[str]
    #: A draft whose person speaks Arabic (issue 15), and its sections with questions for the person.
    person_draft: str = ""
    person_steps: tuple[str, ...] = ()
    #: The pages of the trainee's unfinished rehearsal (of ``scenario_ids[1]``; the first is finished).
    rehearsal_steps: list[str] = dataclasses.field(default_factory=list)


def build_world(app: Flask, content: Content) -> World:
    """Data made as users make it: screenings through the checklist, a class through training."""
    clients: dict[str, Client] = {}
    for role, name in USERS.items():
        if role == "trainer":
            continue
        clients[role] = Client(app.test_client())
        assert login(clients[role], make_user(app, name, role)).status_code == 302
    screener = clients["screener"]
    base = start(screener, locale="sq")
    answer_all_pages(screener, base, PRESUMED, ADULT_PROFILE, "sq")
    result_url = finish(screener, base)
    token = result_url.split("/")[2]
    screener.get(result_url)
    screener.post(f"/s/{token}/consent", data={"consent": "given", "informed_of_rights": "yes"})
    danger = start(screener, locale="sr_Latn")  # stopped for danger: not assessed, nothing known
    screener.get(f"{danger}/safety")
    screener.post(f"{danger}/safety", data={"a_safety__immediate_danger": "yes", "_action": "next"})
    screener.get(f"{danger}/profile")
    unknown = {**ADULT_PROFILE, "sex": "not_stated", "nationality": "unknown", "asylum_seeker": "unknown"}
    response = screener.post(f"{danger}/profile", data={**unknown, "municipality": "", "_action": "next"})
    assert response.status_code == 302, response.get_data(as_text=True)
    finish(screener, danger)
    draft = start(screener, locale="sq")
    screener.get(f"{draft}/safety")
    screener.post(f"{draft}/safety", data={"a_safety__person_alone": "no", "_action": "next"})
    screener.post(f"{draft}/profile", data=ADULT_PROFILE)
    draft_token = draft.split("/")[2]
    with Session(app.extensions["screening.engine"]) as db:
        stored = db.scalars(select(Screening).where(Screening.token == draft_token)).one()
        indicator_set = content.get_set(stored.set_id, stored.set_version)
    from screening import operations as ops

    steps = ops.steps(indicator_set, child=False)
    scenario, untried = sorted(content.scenarios.values(), key=lambda s: s.id)[:2]
    trainer, code = create_session(app, content, [scenario.id, untried.id])
    clients["trainer"] = trainer
    trainee = join(app, code, "Arta", "police", "sq")
    rehearse(trainee, scenario, scenario.must_mark[1:])
    trainee.get(f"/t/{untried.id}")  # begun, not finished: its pages are open
    untried_set = content.get_set(untried.set_id, untried.set_version)
    assert untried_set is not None
    clients["trainee"] = trainee
    clients["anonymous"] = Client(app.test_client())
    person = start(screener, locale="sq", second="ar").split("/")[2]
    asked = tuple(s.id for s in indicator_set.sections if any(i.mode == "ask" for i in s.indicators))
    world = World(clients, [token, danger.split("/")[2]], draft_token, steps, code, [scenario.id, untried.id])
    world.person_draft, world.person_steps = person, asked
    world.rehearsal_steps = ops.steps(untried_set, child=False)
    return world


def may_open(app: Flask, endpoint: str, who: str) -> bool:
    if endpoint.startswith("api."):
        return False  # the JSON API: for machines, its messages are English by design
    access = access_of(app, endpoint)
    if access == PUBLIC:
        return True
    if isinstance(access, tuple) and access[0] == TOKEN:
        return False  # the JSON API: for machines, its messages are English by design
    return isinstance(access, frozenset) and who in access


def urls_for(app: Flask, endpoint: str, world: World, content: Content) -> list[str]:
    """Every URL of ``endpoint`` worth rendering, its parameters filled from ``world``."""
    from screening.web.admin import TABLE_TITLES

    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    choices: dict[str, list[Any]] = {
        "token": world.completed,
        "step": world.draft_steps,
        "code": [world.code],
        "scenario_id": world.scenario_ids,
        "table": list(TABLE_TITLES),
    }
    if endpoint == "checklist.step":
        return [f"/s/{world.draft}/{step}" for step in world.draft_steps]
    if endpoint == "training.rehearse_step":
        return [f"/t/{world.scenario_ids[1]}/s/{step}" for step in world.rehearsal_steps]
    if endpoint in ("training.rehearse_slip", "training.rehearse_result", "training.rehearse_danger"):
        finished = f"/t/{world.scenario_ids[0]}/{endpoint.rsplit('_', 1)[1]}"
        return [finished] + ([f"{finished}?lang={lang}" for lang in LOCALES] if endpoint.endswith("slip") else [])
    if endpoint.startswith("person."):
        # The draft without a person's language shows the language choice; the Arabic one the pages.
        number = {"number": 1} if "number" in rule.arguments else {}
        with app.test_request_context():
            from flask import url_for

            return [
                url_for(endpoint, token=t, step=step, **number)
                for t in (world.draft, world.person_draft)
                for step in world.person_steps
            ]
    if endpoint == "sheets.sheet":
        return [f"/sheets/{set_id}/{lang}" for set_id in content.set_ids() for lang in ("ar", "fr")]
    if endpoint == "content.indicator_set":
        return [f"/indicators/{set_id}/{version}" for set_id, version in content.sets]
    combos: list[dict[str, Any]] = [{}]
    for argument in rule.arguments:
        combos = [{**c, argument: v} for c in combos for v in choices[argument]]
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(endpoint, **c) for c in combos]
    if endpoint == "checklist.slip":
        urls += [f"{u}?lang={lang}" for u in urls for lang in LOCALES]
    if endpoint == "auth.login":
        urls.append("/login?expired=1")
    return urls


def test_every_page_in_albanian_and_serbian(
    app: Flask, content: Content, language_words: dict[str, tuple[set[str], set[str]]]
) -> None:
    world = build_world(app, content)
    endpoints = sorted({r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())})
    failures: list[str] = []
    rendered = set()
    for locale in LOCALES:
        english, _own = language_words[locale]
        for who, client in world.clients.items():
            client.get(f"/language/{locale}?next=/")
            for endpoint in endpoints:
                if endpoint in NOT_PAGES or not may_open(app, endpoint, who):
                    continue
                for url in urls_for(app, endpoint, world, content):
                    response = client.get(url)
                    if response.status_code in (301, 302, 303):
                        continue  # its target is a page of its own, checked there
                    assert response.status_code == 200, (who, url, response.status_code)
                    rendered.add(endpoint)
                    if response.mimetype == "text/csv":
                        failures += check_csv(response.get_data(as_text=True), english, content, who, url, locale)
                        continue
                    text = visible_text(response.get_data(as_text=True), endpoint in CODE_ALLOWED)
                    text = text.replace(world.code, " ")  # a class code is data: "GET797" is not English
                    text = SLIP_NUMBER.sub(" ", text)  # so is a slip number: "20261207-1DAD3F" has no word
                    if "?lang=" in url:  # the slip in the recipient's language
                        url_locale = url.rsplit("=", 1)[1]
                        words_there = language_words[url_locale][0]
                    else:
                        words_there = english
                    found = untranslated(text, words_there, content.set_ids())
                    if found:
                        failures.append(f"{locale} {who} {url}: {found}")
    pages = {r.endpoint for r in app.url_map.iter_rules()} - set(NOT_PAGES)
    never = {e for e in pages if e not in rendered and "GET" in _methods(app, e)}
    never -= {e for e in never if e.startswith("api.")}
    assert not never, f"GET pages never rendered: {sorted(never)}"
    assert not failures, "\n".join(failures)


def _methods(app: Flask, endpoint: str) -> set[str]:
    return {m for r in app.url_map.iter_rules() if r.endpoint == endpoint for m in (r.methods or ())}


def check_csv(body: str, english: set[str], content: Content, who: str, url: str, locale: str) -> list[str]:
    """A statistics CSV: its label column is for people, so it is in the locale too."""
    import csv
    import io

    found = []
    for row in list(csv.reader(io.StringIO(body)))[1:]:
        bad = untranslated(row[1], english, content.set_ids())
        if bad:
            found.append(f"{locale} {who} {url} label {row[1]!r}: {bad}")
    return found


#: Forms whose empty submission is not a refusal but an action (a confirmation button), and why.
NOT_REFUSALS = {
    "checklist.erase": "its form is one confirmation button: an empty post erases",
}


def test_every_refused_form_in_albanian_and_serbian(
    app: Flask, content: Content, language_words: dict[str, tuple[set[str], set[str]]]
) -> None:
    """A form sent empty comes back with its errors, in the page's language (issue 11)."""
    world = build_world(app, content)
    endpoints = sorted(
        e
        for e in {r.endpoint for r in app.url_map.iter_rules()}
        if {"GET", "POST"} <= _methods(app, e) and e not in NOT_PAGES and e not in NOT_REFUSALS
    )
    failures: list[str] = []
    refused = set()
    for locale in LOCALES:
        english, _own = language_words[locale]
        for who, client in world.clients.items():
            client.get(f"/language/{locale}?next=/")
            for endpoint in endpoints:
                if not may_open(app, endpoint, who):
                    continue
                for url in urls_for(app, endpoint, world, content):
                    if client.get(url).status_code != 200:
                        continue
                    response = client.post(url, data={})  # only the page's CSRF token
                    if response.status_code != 400 or response.mimetype != "text/html":
                        continue
                    refused.add(endpoint)
                    text = visible_text(response.get_data(as_text=True), endpoint in CODE_ALLOWED)
                    found = untranslated(text, english, content.set_ids())
                    if found:
                        failures.append(f"{locale} {who} POST {url}: {found}")
    expected = {"auth.login", "auth.change_password", "checklist.start", "checklist.step", "admin.users"}
    assert expected <= refused, sorted(refused)
    assert not failures, "\n".join(failures)
