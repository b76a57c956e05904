"""The checklist through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from screening.core.languages import UI_LOCALES
from screening.core.loading import load_content
from screening.models import Screening
from tests.conftest import GENERAL_VERSIONS, ROOT, Client, login

HTML_LANG = {"sq": "sq", "sr_Latn": "sr-Latn", "sr_Cyrl": "sr-Cyrl", "en": "en"}
ADULT_PROFILE = {"age": "34", "sex": "female", "nationality": "other", "asylum_seeker": "no", "municipality": "peje"}


def html_lang(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


def start(client: Client, set_id: str = "general", locale: str = "en", second: str = "") -> str:
    page = client.get("/new").get_data(as_text=True)
    start_key = re.search(r'name="start_key" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/new",
        data={
            "start_key": start_key,
            "role": "first_contact_officer",
            "indicator_set": set_id,
            "language": locale,
            "second_language": second,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[0]


def answer_all_pages(client: Client, base: str, answers: dict[str, str], profile: dict[str, str], lang: str) -> None:
    url = f"{base}/safety"
    while not url.endswith("/review"):
        page = client.get(url)
        assert page.status_code == 200
        assert html_lang(page) == HTML_LANG[lang]
        if url.endswith("/profile"):
            response = client.post(url, data=profile)
        else:
            names = set(re.findall(r'name="(a_[^"]+)"', page.get_data(as_text=True)))
            data = {n: answers[n] for n in names if n in answers}
            response = client.post(url, data={**data, "_action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        url = response.headers["Location"]


def finish(client: Client, base: str) -> str:
    client.get(f"{base}/review")
    response = client.post(f"{base}/review", data={"_action": "finish"})
    assert response.status_code == 302
    return response.headers["Location"]


def rows(app: Flask) -> list[Screening]:
    from sqlalchemy.orm import Session

    with Session(app.extensions["screening.engine"]) as session:
        return list(session.scalars(select(Screening)))


PRESUMED = {
    "a_rec__deceived_job": "yes",
    "a_rec__deceived_wages": "yes",
    "a_work__excessive_hours": "yes",
    "a_pay__low_or_none": "yes",
    "a_move__cannot_leave_freely": "yes",
    "a_viol__by_controller": "yes",
    "a_threat__denunciation": "unknown",
    "a_rec__economic_reasons": "no",
}


@pytest.mark.parametrize("locale", ["sq", "sr_Latn", "sr_Cyrl", "en"])
def test_a_whole_screening_in_each_language(app: Flask, client: Client, locale: str) -> None:
    base = start(client, locale=locale)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, locale)
    result_url = finish(client, base)
    page = client.get(result_url)
    assert page.status_code == 200 and html_lang(page) == HTML_LANG[locale]
    body = page.get_data(as_text=True)
    assert "tel:" in body or "href" in body
    [stored] = rows(app)
    newest = app.extensions["screening.content"].default_version("general")
    assert (stored.status, stored.set_id, stored.set_version) == ("completed", "general", newest)
    content = app.extensions["screening.content"]
    scoring, rules = content.get_set("general").scoring, content.current_rules.version
    assert (stored.scoring_version, stored.rules_version, stored.locale) == (scoring, rules, locale)
    assert stored.result["level"] == 3
    assert stored.answers["threat.denunciation"] == "unknown"
    assert stored.answers["rec.economic_reasons"] == "no"
    assert {r["contact"] for r in stored.referrals} >= {"dithb", "vaao"}
    label = {
        "en": "Presumption of trafficking",
        "sq": "Prezumim i trafikimit",
        "sr_Latn": "Pretpostavka trgovine",
        "sr_Cyrl": "Претпоставка трговине",
    }[locale]
    assert label in body


RETURNEE_HINT = {
    "en": "If the person has already left the situation",
    "sq": "Nëse personi e ka lënë tashmë situatën",
    "sr_Latn": "Ako je osoba već izašla iz te situacije",
    "sr_Cyrl": "Ако је особа већ изашла из те ситуације",
}


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_question_pages_say_how_to_answer_for_someone_who_has_left(client: Client, locale: str) -> None:
    """A returnee answered in the present tense fell to "concern" (audit 7): every question page,
    and not the safety page, says to answer for the time the person was in the situation."""
    base = start(client, locale=locale)
    safety = client.get(f"{base}/safety").get_data(as_text=True)
    questions = client.get(f"{base}/recruitment_journey").get_data(as_text=True)
    assert RETURNEE_HINT[locale] in questions
    assert RETURNEE_HINT[locale] not in safety


def test_the_final_submission_is_idempotent(app: Flask, client: Client) -> None:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    first = finish(client, base)
    again = client.post(f"{base}/review", data={"_action": "finish"})
    assert again.status_code == 302 and again.headers["Location"] == first
    [stored] = rows(app)
    slip = stored.slip_number
    client.post(f"{base}/review", data={"_action": "finish"})
    assert [s.slip_number for s in rows(app)] == [slip]


def test_switching_language_mid_page_keeps_every_answer(app: Flask, client: Client) -> None:
    base = start(client, locale="sq")
    client.get(f"{base}/safety")
    client.post(f"{base}/safety", data={"a_safety__person_alone": "no", "_action": "next"})
    client.post(f"{base}/profile", data=ADULT_PROFILE)
    client.get(f"{base}/observe")
    response = client.post(f"{base}/observe", data={"a_viol__injuries_observed": "yes", "_lang": "sr_Cyrl"})
    assert response.headers["Location"].endswith("/observe")
    page = client.get(f"{base}/observe")
    assert html_lang(page) == "sr-Cyrl"
    body = page.get_data(as_text=True)
    assert re.search(r'name="a_viol__injuries_observed" value="yes" checked', body)
    [stored] = rows(app)
    assert stored.answers["safety.person_alone"] == "no"
    assert stored.profile["municipality"] == "peje"


def test_a_reload_resumes_where_the_screener_was(app: Flask, client: Client) -> None:
    base = start(client)
    client.get(f"{base}/safety")
    client.post(f"{base}/safety", data={"a_safety__interpreter_not_neutral": "yes", "_action": "next"})
    fresh = Client(app.test_client())  # another device: log in, open the same link
    login(fresh, "officer")
    body = fresh.get(f"{base}/safety").get_data(as_text=True)
    assert re.search(r'name="a_safety__interpreter_not_neutral" value="yes" checked', body)
    assert rows(app)[0].step == "safety"


def test_back_saves_the_page_too(app: Flask, client: Client) -> None:
    base = start(client)
    client.get(f"{base}/safety")
    client.post(f"{base}/safety", data={"_action": "next"})
    client.post(f"{base}/profile", data=ADULT_PROFILE)
    client.get(f"{base}/observe")
    response = client.post(f"{base}/observe", data={"a_ctrl__scripted_story": "yes", "_action": "back"})
    assert response.headers["Location"].endswith("/profile")
    assert rows(app)[0].answers["ctrl.scripted_story"] == "yes"


def test_immediate_danger_stops_and_keeps_the_answers(app: Flask, client: Client) -> None:
    base = start(client, locale="sq")
    client.get(f"{base}/safety")
    response = client.post(
        f"{base}/safety", data={"a_safety__immediate_danger": "yes", "a_safety__person_alone": "yes"}
    )
    assert response.headers["Location"].endswith("/danger")
    page = client.get(response.headers["Location"])
    assert 'href="tel:192"' in page.get_data(as_text=True)
    assert rows(app)[0].answers["safety.immediate_danger"] == "yes"


def test_two_languages_at_once(client: Client) -> None:
    base = start(client, locale="sq", second="sr_Latn")
    body = client.get(f"{base}/observe").get_data(as_text=True)
    assert 'lang="sr-Latn"' in body
    assert "Neko drugi odgovara umesto osobe" in body or "umesto" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"a_gen__invented": "yes"}, "This page does not ask these questions"),
        ({"a_viol__injuries_observed": "certainly"}, "Not a valid choice"),
    ],
)
def test_a_tampered_section_is_refused_and_nothing_saved(app: Flask, client: Client, data: dict, message: str) -> None:
    base = start(client)
    client.get(f"{base}/observe")
    response = client.post(f"{base}/observe", data={**data, "a_ctrl__scripted_story": "yes"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and "error-summary" in body and "Traceback" not in body
    assert rows(app)[0].answers == {}


def test_a_missing_csrf_token_gets_a_translated_page(app: Flask, client: Client) -> None:
    base = start(client, locale="sq")
    response = client.post(f"{base}/safety", data={"a_safety__person_alone": "yes"}, csrf=False)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert html_lang(response) == "sq" and "Traceback" not in body
    assert rows(app)[0].answers == {}


def test_the_form_token_is_signed_once_per_session_and_ends_with_it(app: Flask, client: Client) -> None:
    """Every page of a login session carries the same token, without rewriting the session cookie
    each time; it is accepted, and after a new login the old one is refused."""
    base = start(client)
    first = client.get(f"{base}/safety")
    token = client.csrf
    time.sleep(1.1)  # a token signed afresh would carry the next second's timestamp
    again = client.get(f"{base}/safety")
    assert client.csrf == token and "Set-Cookie" not in again.headers, "the kept token, the cookie unchanged"
    assert first.status_code == again.status_code == 200
    saved = client.post(f"{base}/safety", data={"a_safety__person_alone": "yes", "_action": "next"})
    assert saved.status_code == 302 and rows(app)[0].answers["safety.person_alone"] == "yes"
    client.post("/logout")
    login(client, "officer")
    client.get(f"{base}/safety")
    assert client.csrf != token
    refused = client.post(f"{base}/safety", data={"a_safety__person_alone": "no", "csrf_token": token})
    assert refused.status_code == 400 and rows(app)[0].answers["safety.person_alone"] == "yes"


def test_an_unknown_set_or_step_is_a_clear_error(app: Flask, client: Client) -> None:
    client.get("/new")
    response = client.post("/new", data={"role": "other", "indicator_set": "tarot", "language": "en"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    base = start(client)
    assert client.get(f"{base}/no-such-step").status_code == 404
    assert client.get("/s/not-a-token/safety").status_code == 404
    assert rows(app)[0].set_version == app.extensions["screening.content"].default_version("general")


def test_an_incomplete_profile_re_renders_with_errors_and_keeps_input(client: Client) -> None:
    base = start(client)
    client.get(f"{base}/profile")
    response = client.post(f"{base}/profile", data={"sex": "male", "nationality": "kosovo", "case_reference": "X/1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the age in years" in body
    assert 'value="X/1"' in body


def test_consent_is_recorded_and_can_change_the_referrals(app: Flask, client: Client) -> None:
    base = start(client)
    answer_all_pages(client, base, {"a_doc__held_by_controller": "yes"}, ADULT_PROFILE, "en")
    result_url = finish(client, base)
    client.get(result_url)
    response = client.post(f"{base}/consent", data={"consent": "declined", "informed_of_rights": "yes"})
    assert response.status_code == 302
    [stored] = rows(app)
    assert (stored.consent, stored.informed_of_rights) == ("declined", True)
    vaao = next(r for r in stored.referrals if r["contact"] == "vaao")
    assert "adult_declined_rights" in vaao["rules"]
    bad = client.post(f"{base}/consent", data={"consent": "maybe"})
    assert bad.status_code == 400


def test_the_slip_in_the_recipients_language_and_as_pdf(app: Flask, client: Client) -> None:
    base = start(client, locale="en")
    answer_all_pages(client, base, PRESUMED, {**ADULT_PROFILE, "case_reference": "KP-2026-77"}, "en")
    finish(client, base)
    slip = client.get(f"{base}/slip?lang=sr_Cyrl")
    body = slip.get_data(as_text=True)
    assert slip.status_code == 200 and html_lang(slip) == "sr-Cyrl"
    [stored] = rows(app)
    assert stored.slip_number in body
    # The set by its title and version; the indicators by their texts, never by their ids.
    version = app.extensions["screening.content"].default_version("general")
    assert version in body and f"general {version}" not in body and "move.cannot_leave_freely" not in body
    # "Victim" is never a label on the person: not in the title, the facts or the profile tables.
    labels = " ".join(re.findall(r"<h1>.*?</h1>|<table class=\"facts\">.*?</table>", body, flags=re.S)).lower()
    assert labels and not any(word in labels for word in ("жртв", "victim", "viktim", "žrtv"))
    pdf = client.get(f"{base}/slip.pdf?lang=sq")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_slip_re_renders_identically_after_the_content_changes(app: Flask, client: Client, tmp_path: Path) -> None:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    before = client.get(f"{base}/slip?lang=en").get_data(as_text=True)
    tree = tmp_path / "content"
    for folder in ("indicators", "referral_rules"):
        shutil.copytree(ROOT / folder, tree / folder)
    general = tree / "indicators/general/2026.1.yaml"
    general.write_text(general.read_text().replace("The person works very long hours", "CHANGED TEXT"))
    contacts = tree / "referral_rules/contacts.yaml"
    contacts.write_text(contacts.read_text().replace('phone: "0800 11 112"', 'phone: "0800 99 999"'))
    app.extensions["screening.content"] = load_content(tree)
    after = client.get(f"{base}/slip?lang=en").get_data(as_text=True)
    assert "CHANGED TEXT" not in after
    assert after == before


def test_healthz_reports_loaded_content(client: Client) -> None:
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok"
    assert data["sets"]["general"] == list(GENERAL_VERSIONS)
    assert data["referral_rules"] == ["2026.1", "2026.2", "2026.3", "2026.4", "2026.5", "2026.6"]


def test_no_request_parses_yaml(app: Flask, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import screening.core.yamlfile as yamlfile

    def refuse(*_args: object) -> None:
        raise AssertionError("YAML parsed during a request")

    monkeypatch.setattr(yamlfile, "load_yaml", refuse)
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    assert client.get(f"{base}/result").status_code == 200


def test_every_page_has_security_headers(client: Client) -> None:
    response = client.get("/new")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_one_screening_per_start_page(app: Flask, client: Client) -> None:
    start(client)
    start(client)
    data = {
        "role": "other",
        "indicator_set": "labour",
        "language": "en",
        "start_key": "x" * 24,
    }
    first = client.post("/new", data=data)
    second = client.post("/new", data=data)  # a double tap or a retry of the same start page
    assert first.headers["Location"] == second.headers["Location"]
    from sqlalchemy.orm import Session

    with Session(app.extensions["screening.engine"]) as session:
        assert session.scalar(select(func.count()).select_from(Screening)) == 3


def test_a_language_switch_keeps_a_partly_filled_profile(app: Flask, client: Client) -> None:
    base = start(client)
    client.get(f"{base}/profile")
    response = client.post(f"{base}/profile", data={"nationality": "other", "municipality": "ferizaj", "_lang": "sq"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")
    page = client.get(f"{base}/profile").get_data(as_text=True)
    assert re.search(r'<option selected value="ferizaj">|<option value="ferizaj" selected>', page)
    # The review does not accept a profile that was never completed.
    client.get(f"{base}/review")
    refused = client.post(f"{base}/review", data={"_action": "finish"})
    assert refused.status_code == 400 and rows(app)[0].status == "draft"


def test_the_danger_page_is_shown_once_per_yes(client: Client) -> None:
    base = start(client)
    client.get(f"{base}/safety")
    first = client.post(f"{base}/safety", data={"a_safety__immediate_danger": "yes"})
    assert first.headers["Location"].endswith("/danger")
    again = client.post(f"{base}/safety", data={"a_safety__immediate_danger": "yes", "_action": "next"})
    assert again.headers["Location"].endswith("/profile")


def test_the_slip_links_back_to_the_result(client: Client) -> None:
    base = start(client)
    answer_all_pages(client, base, {}, ADULT_PROFILE, "en")
    finish(client, base)
    body = client.get(f"{base}/slip").get_data(as_text=True)
    assert f'href="{base}/result"' in body and "javascript:" not in body
