"""Paper from the same source (issue 14): the paper checklist and the pocket card of every released
set, the handout and the answer key of every scenario, in sq, sr_Latn, sr_Cyrl and en, read back
with pdftotext (Debian's poppler-utils: `bash .ci/test-deps`).

Each PDF is rendered once for the module (the ``documents`` fixture); the download tests then get
the same bytes from the app's cache.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from screening.core import paper as core_paper
from screening.core.languages import localise
from screening.core.model import Content, Indicator, IndicatorSet, SafetyCheck, Scenario, version_key
from screening.web import paper
from tests.conftest import Client, login, make_app, make_user
from tests.test_page_language import language_words, untranslated  # noqa: F401 (a fixture)

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
LANGS = ("sq", "sr_Latn", "sr_Cyrl", "en")
#: The newest released version of the shipped sets: the only one printed.
CURRENT = max(
    (p.stem for p in (Path(__file__).resolve().parents[1] / "indicators" / "general").glob("*.yaml")),
    key=version_key,
)
#: A6 in PDF points (105 x 148 mm), as pdfinfo prints it.
A6 = (297.6, 419.5)
A4 = (595.3, 841.9)
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


#: The page margins (points) that hold the running header and footer: (top, bottom), per page width.
MARGINS = {round(A4[0]): (51.0, 45.0), round(A6[0]): (19.8, 17.0)}


@dataclass(frozen=True)
class Document:
    pages: list[str]  # each page's text, whitespace collapsed, running header and footer included
    body: str  # the text inside the page margins: no running header or footer between pages
    size: tuple[float, float]

    @property
    def text(self) -> str:
        return " ".join(self.pages)


def squeeze(text: str) -> str:
    """Text compared without whitespace, hyphens or compatibility forms (ligatures): a line break,
    the hyphen pdftotext drops where a hyphenated word breaks a line, or the layout never decides
    whether a text is there."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u00ad\u2010-]+", "", text)


def read_pdf(pdf: bytes, path: Path) -> Document:
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, flags=re.M)
    assert size, info
    width, height = float(size.group(1)), float(size.group(2))

    def text(*crop: str) -> str:
        command = ["pdftotext", "-enc", "UTF-8", *crop, str(path), "-"]
        return subprocess.run(command, capture_output=True, check=True).stdout.decode()

    pages = [" ".join(page.split()) for page in text().split("\f")]
    if pages and not pages[-1]:
        pages.pop()  # pdftotext ends the last page with a form feed too
    total = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))  # type: ignore[union-attr]
    assert len(pages) == total
    top, bottom = MARGINS[round(width)]
    inside = ["-x", "0", "-y", str(int(top)), "-W", str(int(width)), "-H", str(int(height - top - bottom))]
    return Document(pages, " ".join(text(*inside).split()), (width, height))


@pytest.fixture(scope="module")
def paper_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the module (SQLite): the documents read only the content, never the database."""
    app = make_app(tmp_path_factory.mktemp("paper"))
    yield app
    app.extensions["screening.engine"].dispose()


def sets_of(content: Content) -> list[IndicatorSet]:
    return paper.current_sets(content)


@pytest.fixture(scope="module")
def documents(
    paper_app: Flask, content: Content, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str, str], Document]:
    """Every document in every language, rendered once: (kind, set id or scenario id, locale)."""
    folder = tmp_path_factory.mktemp("pdf")
    found: dict[tuple[str, str, str], Document] = {}
    subjects: list[tuple[str, IndicatorSet | Scenario]] = [
        *((kind, s) for s in sets_of(content) for kind in ("checklist", "card")),
        *((kind, s) for s in content.scenarios.values() for kind in ("handout", "answer_key")),
    ]
    with paper_app.test_request_context():
        for kind, subject in subjects:
            for lang in LANGS:
                pdf = paper.render_pdf(kind, subject, lang)
                found[(kind, subject.id, lang)] = read_pdf(pdf, folder / f"{kind}-{subject.id}-{lang}.pdf")
    return found


def translated(app: Flask, lang: str, msgid: str, **values: object) -> str:
    with app.test_request_context(), force_locale(lang):
        return _(msgid, **values)


def test_there_is_paper_for_every_released_set_and_every_scenario(content: Content) -> None:
    assert {s.id for s in sets_of(content)} == set(content.set_ids())
    assert all(s.status == "released" and content.default_version(s.id) == s.version for s in sets_of(content))
    assert len(content.scenarios) >= 20


@pytest.mark.parametrize("lang", LANGS)
def test_the_checklist_holds_every_question_and_the_version_on_every_page(
    documents: dict[tuple[str, str, str], Document], content: Content, lang: str
) -> None:
    for indicator_set in sets_of(content):
        doc = documents[("checklist", indicator_set.id, lang)]
        assert 6 <= len(doc.pages) <= 40, (indicator_set.id, len(doc.pages))
        assert doc.size == pytest.approx(A4, abs=0.5)
        title = squeeze(localise(indicator_set.title, lang))
        for number, page in enumerate(doc.pages, start=1):
            assert indicator_set.version in page, (indicator_set.id, lang, number)
            assert title in squeeze(page), (indicator_set.id, lang, number)
        whole = squeeze(doc.body)
        items: list[SafetyCheck | Indicator] = [*indicator_set.safety_checks, *indicator_set.indicators]  # + child
        missing = [i.id for i in items if squeeze(localise(i.text, lang)) not in whole]
        assert not missing, (indicator_set.id, lang, missing)
        assert all(squeeze(localise(i.guidance, lang)) in whole for i in items), (indicator_set.id, lang)
        for section in (*indicator_set.sections, *indicator_set.child_sections):
            assert squeeze(localise(section.title, lang)) in whole


RETURNEE = (
    "If the person has already left the situation (came back, escaped or was released), "
    "answer for the time they were in it."
)


@pytest.mark.parametrize("lang", LANGS)
def test_the_checklist_says_how_to_answer_for_someone_who_has_left(
    documents: dict[tuple[str, str, str], Document], paper_app: Flask, content: Content, lang: str
) -> None:
    hint = squeeze(translated(paper_app, lang, RETURNEE))
    assert all(hint in squeeze(documents[("checklist", s.id, lang)].body) for s in sets_of(content))


@pytest.mark.parametrize("lang", LANGS)
def test_the_last_pages_give_the_outcomes_and_contacts_from_the_rules(
    paper_app: Flask, documents: dict[tuple[str, str, str], Document], content: Content, lang: str
) -> None:
    for indicator_set in sets_of(content):
        doc = documents[("checklist", indicator_set.id, lang)]
        decision = squeeze(doc.body)
        scoring = content.scoring_for(indicator_set)
        rules = content.rules_for(indicator_set)
        assert squeeze(translated(paper_app, lang, "Reaching the outcome and the contacts by hand")) in decision
        for child in (False, True):
            for outcome in core_paper.outcomes(scoring, child=child):
                assert squeeze(localise(outcome.label, lang)) in decision
                assert squeeze(localise(core_paper.explanation(outcome, child=child), lang)) in decision
        for dimension in core_paper.dimension_rules(scoring):
            assert squeeze(localise(dimension.name, lang)) in decision
        for rule in rules.rules:
            assert squeeze(localise(rule.reason, lang)) in decision, rule.id
        for contact in core_paper.named_contacts(rules, content.directory.contacts):
            assert squeeze(localise(contact.name, lang)) in decision


def test_the_decision_table_follows_decisions_md(content: Content) -> None:
    """The order of the outcomes on paper is the engine's (and DECISIONS.md's): first that holds."""
    scoring = content.scoring["2026.2"]
    adult = [o.key for o in core_paper.outcomes(scoring, child=False)]
    child = [o.key for o in core_paper.outcomes(scoring, child=True)]
    assert adult == ["presumed", "presumed_recruitment_unknown", "possible", "labour_rights", "concern", "none"]
    assert child == ["presumed", "presumed_recruitment_unknown", "possible", "concern", "child_protection", "none"]
    rules = {d.dimension: d.thresholds for d in core_paper.dimension_rules(scoring)}
    assert "context" not in rules
    assert [(t.strong, t.medium, t.weak) for t in rules["coercion_destination"]] == [
        (2, 0, 0),
        (1, 1, 0),
        (1, 0, 1),
        (0, 3, 0),
        (0, 2, 1),
    ]
    assert [t.any for t in rules["act"]] == [1]


@pytest.mark.parametrize("lang", LANGS)
def test_the_pocket_card_is_a6_with_safety_strongest_indicators_and_contacts(
    documents: dict[tuple[str, str, str], Document], content: Content, lang: str
) -> None:
    for indicator_set in sets_of(content):
        doc = documents[("card", indicator_set.id, lang)]
        assert 1 <= len(doc.pages) <= 2, (indicator_set.id, lang, len(doc.pages))
        assert doc.size == pytest.approx(A6, abs=0.5)
        assert all(indicator_set.version in page for page in doc.pages)
        whole = squeeze(doc.body)
        for check in indicator_set.safety_checks:
            assert squeeze(localise(check.text, lang)) in whole
        strongest = core_paper.strongest(indicator_set)
        assert strongest and all(i.strength_adult == "strong" for i in strongest)
        assert all(squeeze(localise(i.text, lang)) in whole for i in strongest), (indicator_set.id, lang)
        weaker = [i for i in indicator_set.indicators if i.strength_adult != "strong"]
        assert not any(squeeze(localise(i.text, lang)) in whole for i in weaker)
        rules = content.rules_for(indicator_set)
        for contact in core_paper.named_contacts(rules, content.directory.contacts):
            assert squeeze(localise(contact.name, lang)) in whole


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_to_be_confirmed_is_never_shown_as_confirmed(
    paper_app: Flask, documents: dict[tuple[str, str, str], Document], content: Content, lang: str
) -> None:
    directory = content.directory.contacts
    to_confirm = [c for c in directory.values() if c.phone and c.phone_status == "to_confirm"]
    published = [c for c in directory.values() if c.phone and c.phone_status == "published"]
    assert to_confirm and published  # 0800 11 112 and 192
    for indicator_set in sets_of(content):
        for kind in ("card", "checklist"):
            text = documents[(kind, indicator_set.id, lang)].text
            for contact in to_confirm:
                marked = translated(paper_app, lang, "%(number)s (to be confirmed)", number=contact.phone)
                assert marked in text, (kind, indicator_set.id, lang)
                assert text.count(str(contact.phone)) == text.count(marked), (kind, indicator_set.id, lang)
            for contact in published:
                confirmed = translated(paper_app, lang, "%(number)s (to be confirmed)", number=contact.phone)
                assert str(contact.phone) in text and confirmed not in text
            assert translated(paper_app, lang, "to be confirmed") in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_handout_tells_the_case_and_gives_no_answers(
    paper_app: Flask, documents: dict[tuple[str, str, str], Document], content: Content, lang: str
) -> None:
    for scenario in content.scenarios.values():
        doc = documents[("handout", scenario.id, lang)]
        assert 1 <= len(doc.pages) <= 2, (scenario.id, lang)
        whole = squeeze(doc.body)
        assert squeeze(localise(scenario.narrative, lang)) in whole
        assert all(squeeze(localise(scenario.title, lang)) in squeeze(page) for page in doc.pages)
        assert squeeze(localise(scenario.teaching_notes, lang)) not in whole
        key = core_paper.answer_key(content, scenario)
        assert not any(squeeze(localise(item.text, lang)) in whole for item in key.must_find), scenario.id
        assert squeeze(localise(key.outcome.label, lang)) not in whole
        mark = squeeze(translated(paper_app, lang, "TRAINING – not a real case")).casefold()
        assert all(mark in squeeze(page).casefold() for page in doc.pages)


@pytest.mark.parametrize("lang", LANGS)
def test_the_answer_key_gives_what_to_find_the_expected_outcome_and_contacts(
    paper_app: Flask, documents: dict[tuple[str, str, str], Document], content: Content, lang: str
) -> None:
    for scenario in content.scenarios.values():
        doc = documents[("answer_key", scenario.id, lang)]
        assert 1 <= len(doc.pages) <= 4, (scenario.id, lang)
        assert all(squeeze(localise(scenario.title, lang)) in squeeze(page) for page in doc.pages)
        whole = squeeze(doc.body)
        key = core_paper.answer_key(content, scenario)
        assert key.outcome.level == scenario.expected_level
        assert squeeze(translated(paper_app, lang, "Level %(level)s of 3", level=scenario.expected_level)) in whole
        assert squeeze(localise(key.outcome.label, lang)) in whole
        for item in key.must_find:
            assert squeeze(localise(item.text, lang)) in whole, (scenario.id, lang)
        assert {contact.key: priority for contact, priority, _r in key.contacts} == dict(scenario.expected_referrals)
        with paper_app.test_request_context(), force_locale(lang):
            from screening.web.vocabulary import PRIORITY_LABELS

            for contact, priority, _reasons in key.contacts:
                assert squeeze(localise(contact.name, lang)) in whole
                assert squeeze(str(PRIORITY_LABELS[priority])) in whole
        assert squeeze(localise(scenario.teaching_notes, lang)) in whole


def test_no_document_shows_a_raw_id(documents: dict[tuple[str, str, str], Document], content: Content) -> None:
    ids = {i.id for s in content.sets.values() for i in s.indicators} | {
        c.id for s in content.sets.values() for c in s.safety_checks
    }
    ids |= set(content.scenarios) | set(content.directory.contacts)
    failures = []
    for (kind, subject, lang), doc in documents.items():
        text = doc.text
        shown = set(re.findall(r"[a-z0-9][a-z0-9_]*(?:[.-][a-z0-9_]+)*", text)) & ids
        shown |= set(RAW_KEY.findall(text))
        if shown:
            failures.append(f"{kind} {subject} {lang}: {sorted(shown)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", ["sq", "sr_Latn", "sr_Cyrl"])
def test_every_document_speaks_its_language(
    documents: dict[tuple[str, str, str], Document],
    content: Content,
    language_words: dict[str, tuple[set[str], set[str]]],  # noqa: F811
    lang: str,
) -> None:
    english, _own = language_words[lang]
    failures = []
    for (kind, subject, locale), doc in documents.items():
        if locale == lang:
            found = untranslated(doc.text, english, ())
            if found:
                failures.append(f"{kind} {subject}: {found}")
    assert not failures, "\n".join(failures)


def test_serbian_cyrillic_is_transliterated(documents: dict[tuple[str, str, str], Document], content: Content) -> None:
    for indicator_set in sets_of(content):
        text = documents[("checklist", indicator_set.id, "sr_Cyrl")].text
        assert localise(indicator_set.title, "sr_Cyrl") in text
        assert not re.search(r"[čćšžđ]", text), indicator_set.id


# --- the downloads ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(paper_app: Flask) -> dict[str, Client]:
    clients = {"anonymous": Client(paper_app.test_client())}
    for name, role in (("officer", "screener"), ("coach", "trainer"), ("drita", "supervisor")):
        clients[role] = Client(paper_app.test_client())
        assert login(clients[role], make_user(paper_app, name, role)).status_code == 302
    return clients


def test_the_downloads_need_a_login(people: dict[str, Client], content: Content) -> None:
    scenario = next(iter(content.scenarios))
    for url in (
        "/paper/",
        f"/paper/general/{CURRENT}/checklist.pdf?lang=sq",
        f"/paper/general/{CURRENT}/card.pdf",
        f"/paper/scenarios/{scenario}/handout.pdf",
        f"/paper/scenarios/{scenario}/answer-key.pdf",
    ):
        response = people["anonymous"].get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_screeners_get_the_field_paper_and_trainers_the_training_paper(
    people: dict[str, Client], documents: dict[tuple[str, str, str], Document], content: Content
) -> None:
    scenario = next(iter(content.scenarios))
    screener, trainer = people["screener"], people["trainer"]
    for who in (screener, trainer, people["supervisor"]):
        for url in (f"/paper/general/{CURRENT}/checklist.pdf?lang=sr_Cyrl", f"/paper/child/{CURRENT}/card.pdf?lang=en"):
            response = who.get(url)
            assert response.status_code == 200 and response.mimetype == "application/pdf", url
            assert response.headers["Cache-Control"] == "no-store"
            assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    for url in (f"/paper/scenarios/{scenario}/handout.pdf", f"/paper/scenarios/{scenario}/answer-key.pdf"):
        assert trainer.get(f"{url}?lang=sq").status_code == 200
        assert screener.get(url).status_code == 403  # a screener may sit the class: no answer key
    page = screener.get("/paper/").get_data(as_text=True)
    assert f"/paper/general/{CURRENT}/checklist.pdf?lang=sq" in page and "answer-key.pdf" not in page
    page = trainer.get("/paper/").get_data(as_text=True)
    assert f"/paper/scenarios/{scenario}/answer-key.pdf?lang=sr_Latn" in page
    assert all(f"/paper/{s.id}/{s.version}/card.pdf?lang=en" in page for s in sets_of(content))


def test_a_file_the_language_was_asked_for_is_in_that_language(people: dict[str, Client], content: Content) -> None:
    response = people["screener"].get(f"/paper/health/{CURRENT}/card.pdf?lang=sr_Cyrl")
    with people["screener"].client.application.test_request_context():
        expected = paper.render_pdf("card", content.sets[("health", CURRENT)], "sr_Cyrl")
    assert response.get_data() == expected
    assert f'filename="pocket-card-health-{CURRENT}-sr_Cyrl.pdf"' in response.headers["Content-Disposition"]


def test_only_the_current_released_version_and_known_scenarios_are_printed(people: dict[str, Client]) -> None:
    trainer = people["trainer"]
    for url in (
        "/paper/general/2026.3/checklist.pdf",
        "/paper/general/2026.2/checklist.pdf",
        "/paper/general/2026.1/checklist.pdf",
        "/paper/general/2025.1/card.pdf",
        f"/paper/nope/{CURRENT}/checklist.pdf",
        "/paper/scenarios/nope/handout.pdf",
    ):
        assert trainer.get(url).status_code == 404, url


def test_the_paper_forms_are_linked_from_the_content_and_training_pages(people: dict[str, Client]) -> None:
    for who, url in (
        ("screener", "/indicators/"),
        ("screener", f"/indicators/general/{CURRENT}"),
        ("trainer", "/training/"),
    ):
        assert 'href="/paper/"' in people[who].get(url).get_data(as_text=True), url


def test_pdfs_switched_off_means_no_paper(tmp_path: Path) -> None:
    app = make_app(tmp_path, pdf_enabled=False)
    client = Client(app.test_client())
    login(client, make_user(app))
    assert client.get(f"/paper/general/{CURRENT}/card.pdf").status_code == 404
    assert client.get("/paper/").status_code == 200
    app.extensions["screening.engine"].dispose()
