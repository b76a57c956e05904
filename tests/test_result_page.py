"""The result page an officer acts on, the danger page, the profile and clearing an answer, through
the test client on SQLite and PostgreSQL.

The result leads with what to do; its reasons name indicators by their texts, never their ids; a
screening with too few answers is "not assessed", never level 0; the danger page fits the
screener's institution; the profile has no silent defaults; an answer can go back to "not asked".
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask

from screening import operations as ops
from screening.core.assessment import coverage
from screening.core.languages import UI_LOCALES, localise
from screening.core.model import Content
from screening.models import Screening
from tests.conftest import Client, login, make_user
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, rows, start

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")

NOT_ASSESSED = {
    "en": "Not assessed: {answered} of {asked} questions answered",
    "sq": "Pa vlerësim: {answered} nga {asked} pyetje me përgjigje",
    "sr_Latn": "Nije procenjeno: odgovoreno na {answered} od {asked} pitanja",
    "sr_Cyrl": "Није процењено: одговорено на {answered} од {asked} питања",
}
LEVEL_LINE = {"en": "Level 0 of 3", "sq": "Niveli 0 nga 3", "sr_Latn": "Nivo 0 od 3", "sr_Cyrl": "Ниво 0 од 3"}


def text_of(body: str) -> str:
    """The visible text of a page, roughly: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|head)\b.*?</\1>", " ", body, flags=re.S)))


def complete(client: Client, answers: dict[str, str], locale: str = "en") -> str:
    base = start(client, locale=locale)
    answer_all_pages(client, base, answers, ADULT_PROFILE, locale)
    finish(client, base)
    return base


def stored(app: Flask) -> Screening:
    [screening] = rows(app)
    return screening


def ids_in(text: str, content: Content, screening: Screening) -> list[str]:
    """Indicator and safety-check ids, the set id with its version, found in ``text``."""
    indicator_set = content.get_set(screening.set_id, screening.set_version)
    assert indicator_set is not None
    found = [item for item in indicator_set.item_ids if re.search(rf"(?<![\w.]){re.escape(item)}(?![\w])", text)]
    if f"{screening.set_id} {screening.set_version}" in text:
        found.append(f"{screening.set_id} {screening.set_version}")
    return found


# --- the first screen: what to do now ---------------------------------------------------------


def test_the_actions_come_before_the_level(app: Flask, client: Client) -> None:
    base = complete(client, PRESUMED)
    body = client.get(f"{base}/result").get_data(as_text=True)
    actions, level = body.index('class="actions"'), body.index('class="level level-3"')
    assert actions < level < body.index(">Why<")
    listed = re.findall(r'<li class="action priority-([a-z_0-9]+)">(.*?)</li>', body, flags=re.S)
    referrals = stored(app).referrals or []
    assert [p for p, _ in listed] == [r["priority"] for r in referrals]
    labels = {"now": "Now", "within_24h": "Within 24 hours", "routine": "Routine"}
    for (priority, item), referral in zip(listed, referrals, strict=True):
        assert labels[priority] in item and referral["name"]["en"] in html.unescape(item)
        # A contact without a published number says so and is never a call link.
        if referral["phone"] != "192":
            assert "tel:" not in item and "to be confirmed" in item
    # The next step is on the first screen too: record consent, print or download the slip.
    steps = body[body.index('class="next-steps"') : level]
    assert 'href="#consent"' in steps and f"{base}/slip?lang=en" in steps and f"{base}/slip.pdf?lang=en" in steps


#: The result's advice when it suggests no contact: a partner's or relative's violence with nobody
#: exploiting the person goes to the domestic-violence procedure (every coercion item's guidance says so).
NO_REFERRAL_ADVICE = {
    "en": "Violence at home with no exploitation is not trafficking: follow the domestic-violence procedure",
    "sq": "Dhuna në familje pa shfrytëzim nuk është trafikim: ndiqni procedurën për dhunën në familje",
    "sr_Latn": "Nasilje u porodici bez eksploatacije nije trgovina ljudima: sledite postupak za nasilje u porodici",
    "sr_Cyrl": "Насиље у породици без експлоатације није трговина људима: следите поступак за насиље у породици",
}


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_a_result_without_a_contact_points_to_the_domestic_violence_procedure(
    app: Flask, client: Client, content: Content, locale: str
) -> None:
    indicator_set = content.get_set("general")
    assert indicator_set is not None
    nothing = {f"a_{item.id.replace('.', '__')}": "no" for item in indicator_set.indicators_for(False)}
    base = complete(client, nothing, locale)
    assert stored(app).referrals == []
    page = text_of(client.get(f"{base}/result").get_data(as_text=True))
    assert LEVEL_LINE[locale] in page
    advice = page[page.index(NO_REFERRAL_ADVICE[locale]) :]
    assert "192" in advice[: advice.index(".")]  # the published police number, in the same sentence


def test_a_result_with_contacts_gives_them_instead(app: Flask, client: Client) -> None:
    base = complete(client, PRESUMED)
    page = text_of(client.get(f"{base}/result").get_data(as_text=True))
    assert "Level 3 of 3" in page and NO_REFERRAL_ADVICE["en"] not in page


# --- reasons in words, never ids --------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "sq", "sr_Cyrl"])
def test_reasons_name_indicators_by_their_texts(app: Flask, client: Client, content: Content, locale: str) -> None:
    base = complete(client, {**PRESUMED, "a_doc__held_by_controller": "yes"}, locale)
    screening = stored(app)
    page = text_of(client.get(f"{base}/result").get_data(as_text=True))
    assert ids_in(page, content, screening) == []
    indicator_set = content.get_set(screening.set_id, screening.set_version)
    assert indicator_set is not None
    for indicator in indicator_set.indicators:
        if indicator.id in screening.result["yes"]:
            assert localise(indicator.text, locale) in page, indicator.id
    assert localise(indicator_set.title, locale) in page and indicator_set.version in page


def test_a_stored_2026_1_screening_renders_its_reasons_in_words(app: Flask, client: Client, content: Content) -> None:
    old = content.get_set("general", "2026.1")
    assert old is not None and old.status == "released"
    with app.extensions["screening.sessionmaker"]() as db:
        screening = ops.create_draft(
            db, old, start_key="k" * 20, locale="en", second_language=None, institution="police", role="other"
        )
        token = screening.token
    yes = [indicator.id for indicator in old.indicators[:6]]
    answers = {f"a_{item.replace('.', '__')}": "yes" for item in yes}
    answer_all_pages(client, f"/s/{token}", answers, ADULT_PROFILE, "en")
    finish(client, f"/s/{token}")
    screening = stored(app)
    assert (screening.set_version, screening.scoring_version) == ("2026.1", "2026.1")
    page = text_of(client.get(f"/s/{token}/result").get_data(as_text=True))
    assert ids_in(page, content, screening) == []
    for item in yes:
        assert localise(old.indicator(item).text, "en")  # type: ignore[union-attr] in page
    assert f"{localise(old.title, 'en')}, version 2026.1" in page


def test_the_slip_explanation_names_no_ids(app: Flask, client: Client, content: Content) -> None:
    base = complete(client, PRESUMED)
    slip = client.get(f"{base}/slip?lang=sq").get_data(as_text=True)
    [explanation] = re.findall(r'<ul class="explanation">(.*?)</ul>', slip, flags=re.S)
    assert ids_in(text_of(explanation), content, stored(app)) == []


# --- not assessed is not "no indicators" ------------------------------------------------------


def to_danger_and_finish(client: Client, locale: str) -> str:
    """Immediate danger at the safety step, the profile, then straight to the result."""
    base = start(client, locale=locale)
    client.get(f"{base}/safety")
    response = client.post(f"{base}/safety", data={"a_safety__immediate_danger": "yes", "_action": "next"})
    assert response.headers["Location"].endswith("/danger")
    client.get(f"{base}/profile")
    assert client.post(f"{base}/profile", data={**ADULT_PROFILE, "_action": "next"}).status_code == 302
    finish(client, base)
    return base


@pytest.mark.parametrize("locale", ["en", "sq", "sr_Latn", "sr_Cyrl"])
def test_a_screening_stopped_for_danger_is_not_assessed(
    app: Flask, client: Client, content: Content, locale: str
) -> None:
    base = to_danger_and_finish(client, locale)
    screening = stored(app)
    indicator_set = content.get_set(screening.set_id, screening.set_version)
    assert indicator_set is not None
    asked = len(indicator_set.indicators_for(False))
    headline = NOT_ASSESSED[locale].format(answered=0, asked=asked)
    page = text_of(client.get(f"{base}/result").get_data(as_text=True))
    assert headline in page and LEVEL_LINE[locale] not in page
    slip = text_of(client.get(f"{base}/slip?lang={locale}").get_data(as_text=True))
    assert headline in slip and LEVEL_LINE[locale] not in slip


def test_few_answers_are_not_assessed_and_half_are(app: Flask, client: Client, content: Content) -> None:
    indicator_set = content.get_set("general")
    assert indicator_set is not None
    items = [i.id for i in indicator_set.indicators_for(False)]
    half = (len(items) + 1) // 2
    answers = {f"a_{item.replace('.', '__')}": "no" for item in items[: half - 1]}
    base = complete(client, answers)
    page = text_of(client.get(f"{base}/result").get_data(as_text=True))
    assert f"Not assessed: {half - 1} of {len(items)} questions answered" in page and "Level 0 of 3" not in page

    other = complete(client, {**answers, f"a_{items[half - 1].replace('.', '__')}": "unknown"})
    page = text_of(client.get(f"{other}/result").get_data(as_text=True))
    assert "Not assessed" not in page and "Level 0 of 3" in page


def test_coverage_counts_answers_of_the_questions_asked(content: Content) -> None:
    indicator_set = content.get_set("general")
    assert indicator_set is not None
    adult, child = indicator_set.indicators_for(False), indicator_set.indicators_for(True)
    assert len(child) > len(adult)
    answers = {adult[0].id: "yes", adult[1].id: "unknown", adult[2].id: "not_asked", "safety.immediate_danger": "yes"}
    covered = coverage(indicator_set, answers, child=False)
    assert (covered.answered, covered.asked, covered.stopped_for_danger) == (2, len(adult), True)
    # Level 0 on two answers is no finding; a level above 0 is one, however few the answers.
    assert not covered.assessed(0) and covered.assessed(1)
    assert coverage(indicator_set, {}, child=True).asked == len(child)
    half = {i.id: "no" for i in adult[: (len(adult) + 1) // 2]}
    assert coverage(indicator_set, half, child=False).assessed(0)
    assert not coverage(indicator_set, dict(list(half.items())[:-1]), child=False).assessed(0)


# --- the danger page fits the institution -----------------------------------------------------


def screener_of(app: Flask, institution: str) -> Client:
    browser = Client(app.test_client())
    assert login(browser, make_user(app, f"user_{institution}", institution=institution)).status_code == 302
    return browser


@pytest.mark.parametrize(
    ("institution", "expected", "absent"),
    [
        ("police", "Call for backup now on 192", "call the police on 192"),
        ("border_police", "Call for backup now on 192", "call the police on 192"),
        ("health", "call the police on 192 now", "Call for backup"),
        ("labour_inspectorate", "call the police on 192 now", "Call for backup"),
        ("csw", "call the police on 192 now", "Call for backup"),
    ],
)
def test_the_danger_page_fits_the_institution(app: Flask, institution: str, expected: str, absent: str) -> None:
    browser = screener_of(app, institution)
    base = start(browser)
    browser.get(f"{base}/safety")
    browser.post(f"{base}/safety", data={"a_safety__immediate_danger": "yes", "_action": "next"})
    page = browser.get(f"{base}/danger").get_data(as_text=True)
    assert expected in page and absent not in page
    assert 'href="tel:192"' in page
    assert "<title>Someone is in immediate danger" in page


def test_the_danger_page_in_albanian_for_a_nurse(app: Flask) -> None:
    browser = screener_of(app, "health")
    base = start(browser, locale="sq")
    browser.get(f"{base}/safety")
    browser.post(f"{base}/safety", data={"a_safety__immediate_danger": "yes", "_action": "next"})
    page = browser.get(f"{base}/danger", headers={"Accept-Language": "sq"}).get_data(as_text=True)
    assert "telefononi policinë në 192" in page


# --- the profile: no silent defaults ----------------------------------------------------------


def test_the_profile_starts_with_nothing_chosen(client: Client) -> None:
    base = start(client)
    page = client.get(f"{base}/profile").get_data(as_text=True)
    for name in ("sex", "nationality"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, flags=re.S)
        assert select, name
        assert "selected" not in select.group(1), name
        assert select.group(1).lstrip().startswith('<option value="">')
    assert not re.search(r'name="asylum_seeker"[^>]*checked', page)
    assert re.search(r'name="asylum_seeker"[^>]*value="unknown"|value="unknown"[^>]*name="asylum_seeker"', page)
    assert '<option value="not_stated">Not stated</option>' in page


def test_a_profile_with_nothing_chosen_is_refused(app: Flask, client: Client) -> None:
    base = start(client)
    client.get(f"{base}/profile")
    response = client.post(f"{base}/profile", data={"age": "30", "_action": "next"})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in (
        "Choose the person's sex, or 'Not stated'.",
        "Choose the nationality, or 'Unknown'.",
        "Say whether the person is an asylum seeker, or 'Don't know'.",
    ):
        assert body.count(message) == 2  # in the error summary and at the field
    assert 'value="30"' in body  # nothing typed is lost
    assert not stored(app).profile  # and nothing is stored, so no default reaches the rules
    # The same refusal in Albanian.
    client.get("/language/sq")
    sq = client.post(f"{base}/profile", data={"age": "30", "_action": "next"})
    assert sq.status_code == 400 and "Zgjidhni gjininë e personit" in html.unescape(sq.get_data(as_text=True))


def test_what_the_screener_chose_is_what_is_stored(app: Flask, client: Client) -> None:
    base = start(client)
    client.get(f"{base}/profile")
    chosen = {"age": "30", "sex": "not_stated", "nationality": "unknown", "asylum_seeker": "unknown"}
    assert client.post(f"{base}/profile", data={**chosen, "_action": "next"}).status_code == 302
    profile = stored(app).profile
    assert (profile["sex"], profile["nationality"], profile["asylum_seeker"]) == ("not_stated", "unknown", "unknown")
    review = text_of(client.get(f"{base}/review").get_data(as_text=True))
    assert "Asylum seeker Don't know" in " ".join(review.split())
    assert ops.core_profile(stored(app)).asylum_seeker is False  # unknown is not yes for the rules


# --- clearing an answer -----------------------------------------------------------------------


def test_an_answer_can_be_cleared_back_to_not_asked(app: Flask, client: Client) -> None:
    base = start(client)
    client.get(f"{base}/safety")
    client.post(f"{base}/safety", data={"a_safety__person_alone": "yes", "_action": "next"})
    client.get(f"{base}/profile")
    client.post(f"{base}/profile", data={**ADULT_PROFILE, "_action": "next"})
    client.get(f"{base}/observe")
    client.post(f"{base}/observe", data={"a_viol__injuries_observed": "yes", "_action": "next"})
    assert stored(app).answers["viol.injuries_observed"] == "yes"
    page = client.get(f"{base}/observe").get_data(as_text=True)
    assert re.search(r'name="a_viol__injuries_observed" value="yes" checked', page)
    assert 'name="a_viol__injuries_observed" value="not_asked">' in page
    # The fourth choice, "Not asked", takes the answer back: no script needed.
    client.post(f"{base}/observe", data={"a_viol__injuries_observed": "not_asked", "_action": "next"})
    assert stored(app).answers["viol.injuries_observed"] == "not_asked"
    page = client.get(f"{base}/observe").get_data(as_text=True)
    assert re.search(r'name="a_viol__injuries_observed" value="not_asked" checked', page)
    assert not re.search(r'name="a_viol__injuries_observed" value="yes" checked', page)
    # And on the safety page too.
    client.post(f"{base}/safety", data={"a_safety__person_alone": "not_asked", "_action": "next"})
    assert stored(app).answers["safety.person_alone"] == "not_asked"
