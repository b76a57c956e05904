"""Show the person and the person's language (issue 15), through the test client on SQLite and
PostgreSQL: the interviewee texts on the section page with their own dir and lang, the
show-the-person view saving into the same draft, the audit event without content, the slip's
record of the language, and the question sheets as PDFs with Arabic-script fonts embedded."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from screening.core.model import Content, IntervieweeTexts
from tests.conftest import Client
from tests.test_web import ADULT_PROFILE, answer_all_pages, finish, rows, start

SECTION = "debt_documents"  # migrants 2026.2: mig.owes_journey_debt, doc.held_by_controller, pay.earnings_kept


def newest_texts(content: Content, language: str) -> IntervieweeTexts:
    """The person's texts in ``language`` from the bank of the newest migrants set: what a new
    screening shows (a bank that rewords a question changes them)."""
    texts = content.interviewee_texts(content.get_set("migrants"), language)
    assert texts is not None, language
    return texts


def _person_block(body: str) -> tuple[str, str]:
    match = re.search(r'<div class="person-block" lang="([^"]+)" dir="([^"]+)">', body)
    assert match, body[:3000]
    return match.group(1), match.group(2)


def walk_keeping_answers(client: Client, base: str, extra: dict[str, str]) -> None:
    """Every page to the review, submitting what each page shows checked (as a browser does) plus ``extra``."""
    url = f"{base}/safety"
    while not url.endswith("/review"):
        body = client.get(url).get_data(as_text=True)
        if url.endswith("/profile"):
            response = client.post(url, data=ADULT_PROFILE)
        else:
            checked = dict(re.findall(r'name="(a_[^"]+)" value="([^"]+)" checked', body))
            here = {k: v for k, v in extra.items() if f'name="{k}"' in body}
            response = client.post(url, data={**checked, **here, "_action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        url = response.headers["Location"]


def _audit_rows(app: Flask) -> list[str]:
    with Session(app.extensions["screening.engine"]) as db:
        return [" ".join(str(v) for v in row) for row in db.execute(text("SELECT * FROM audit_events")).all()]


def test_the_section_page_shows_the_persons_text_with_its_own_dir_and_lang(client: Client, content: Content) -> None:
    base = start(client, set_id="migrants", locale="en", second="ar")
    body = client.get(f"{base}/{SECTION}").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in body  # the screener's page stays in its language
    arabic = newest_texts(content, "ar").items["mig.owes_journey_debt"]
    assert f'<span class="second-language person-language" lang="ar" dir="rtl">{arabic}</span>' in body
    assert "Translation awaiting review by a native speaker" in body
    assert 'value="person"' in body  # the show-the-person button


def test_answers_through_the_show_the_person_view_reach_the_result(
    app: Flask, client: Client, content: Content
) -> None:
    base = start(client, set_id="migrants", locale="en", second="ar")
    client.get(f"{base}/{SECTION}")
    entered = client.post(f"{base}/{SECTION}", data={"_action": "person"})
    assert entered.status_code == 302 and entered.headers["Location"].endswith(f"/person/{SECTION}")
    intro = client.get(f"{base}/person/{SECTION}")
    body = intro.get_data(as_text=True)
    assert intro.status_code == 200 and '<html lang="en" dir="ltr">' in body
    assert _person_block(body) == ("ar", "rtl")
    texts = newest_texts(content, "ar")
    assert texts.introduction["not_in_trouble"] in body and texts.find_interpreter in body
    answers = {"mig.owes_journey_debt": "yes", "doc.held_by_controller": "unknown", "pay.earnings_kept": "yes"}
    for number, (item_id, answer) in enumerate(answers.items(), start=1):
        page = client.get(f"{base}/person/{SECTION}/{number}")
        page_body = page.get_data(as_text=True)
        assert _person_block(page_body) == ("ar", "rtl")
        assert texts.items[item_id] in page_body
        assert texts.answers["yes"] in page_body and "✓" in page_body and "✗" in page_body
        response = client.post(f"{base}/person/{SECTION}/{number}", data={"answer": answer})
        assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/person/{SECTION}/done")
    done = client.get(f"{base}/person/{SECTION}/done").get_data(as_text=True)
    assert texts.navigation["done"] in done
    # Back on a question goes back without saving.
    back = client.post(f"{base}/person/{SECTION}/2", data={"_action": "back"})
    assert back.headers["Location"].endswith(f"/person/{SECTION}/1")
    # Two steps back to the screener: a confirmation page, then its button.
    confirm = client.get(f"{base}/person/{SECTION}/exit?from=3")
    assert confirm.status_code == 200 and "Return to the screener's view" in confirm.get_data(as_text=True)
    left = client.post(f"{base}/person/{SECTION}/exit", data={})
    assert left.headers["Location"].endswith(f"/{SECTION}")
    # The screener's page shows the person's answers as chosen.
    section = client.get(f"{base}/{SECTION}").get_data(as_text=True)
    assert re.search(r'name="a_mig__owes_journey_debt" value="yes" checked', section)
    [draft] = rows(app)
    assert {k: draft.answers[k] for k in answers} == answers
    # The rest of the screening as usual; the answers given by the person are in the result.
    walk_keeping_answers(client, base, {"a_move__cannot_leave_freely": "yes"})
    finish(client, base)
    [stored] = rows(app)
    assert stored.status == "completed"
    assert {"mig.owes_journey_debt", "pay.earnings_kept"} <= set(stored.result["yes"])
    assert stored.result["interviewee"]["language"] == "ar"
    assert stored.result["interviewee"]["review_status"] == "written"
    # The audit trail says the view was used, never what it showed or what was answered.
    audit = _audit_rows(app)
    used = [row for row in audit if "person_view_opened" in row]
    assert len(used) == 1 and str(stored.id) in used[0]
    dump = " ".join(audit)
    assert texts.items["mig.owes_journey_debt"] not in dump and "owes_journey_debt" not in dump
    assert texts.introduction["who_i_am"] not in dump


def test_the_slip_records_the_persons_language_and_its_review(client: Client) -> None:
    base = start(client, set_id="migrants", locale="en", second="fr")
    answer_all_pages(client, base, {"a_mig__owes_journey_debt": "yes"}, ADULT_PROFILE, "en")
    finish(client, base)
    for lang, words in (("en", "French"), ("sq", "Frëngjisht"), ("sr_Latn", "Francuski")):
        body = client.get(f"{base}/slip?lang={lang}").get_data(as_text=True)
        assert words in body, lang
    body = client.get(f"{base}/slip?lang=en").get_data(as_text=True)
    assert "translation not yet reviewed by a native speaker" in body
    # The slip itself stays in the recipient's language: no French text on it.
    assert "Devez-vous" not in body


def test_the_screener_chooses_the_persons_language_when_none_was_chosen(app: Flask, client: Client) -> None:
    base = start(client, set_id="migrants", locale="en")
    page = client.get(f"{base}/person/{SECTION}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="ur"' in body and "person-block" not in body
    assert client.post(f"{base}/person/{SECTION}", data={"language": "xx"}).status_code == 400
    chosen = client.post(f"{base}/person/{SECTION}", data={"language": "fr"})
    assert chosen.status_code == 302
    assert _person_block(client.get(f"{base}/person/{SECTION}").get_data(as_text=True)) == ("fr", "ltr")
    [draft] = rows(app)
    assert draft.second_language == "fr"


def test_a_section_with_only_observations_has_no_person_view(client: Client) -> None:
    base = start(client, set_id="labour", locale="en", second="tr")
    assert client.get(f"{base}/person/safety").status_code == 404
    assert client.get(f"{base}/person/no_such_section").status_code == 404


def test_an_answer_without_csrf_is_refused(app: Flask, client: Client) -> None:
    base = start(client, set_id="migrants", locale="en", second="tr")
    client.get(f"{base}/person/{SECTION}/1")
    response = client.post(f"{base}/person/{SECTION}/1", data={"answer": "yes"}, csrf=False)
    assert response.status_code == 400
    [draft] = rows(app)
    assert "mig.owes_journey_debt" not in draft.answers


def _letters(text: str) -> str:
    """The text without combining marks, bidirectional controls and joiners."""
    return "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) not in ("Cf", "Mn"))


needs_pdf_tools = pytest.mark.skipif(
    not (shutil.which("pdffonts") and shutil.which("pdftotext")), reason="poppler-utils not installed"
)


@needs_pdf_tools
@pytest.mark.parametrize(
    ("language", "font"), [("ar", "Noto-Naskh-Arabic"), ("fa", "Noto-Naskh-Arabic"), ("ur", "Noto-Naskh-Arabic")]
)
def test_question_sheets_render_with_the_arabic_script_fonts(
    client: Client, content: Content, tmp_path: Path, language: str, font: str
) -> None:
    html = client.get(f"/sheets/migrants/{language}")
    body = html.get_data(as_text=True)
    assert html.status_code == 200 and f'lang="{language}" dir="rtl"' in body
    assert "The person must repay a debt" in body  # the screener's column: the screener's text
    pdf = client.get(f"/sheets/migrants/{language}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    file = tmp_path / f"{language}.pdf"
    file.write_bytes(pdf.data)
    fonts = subprocess.run(["pdffonts", str(file)], capture_output=True, text=True, check=True).stdout
    assert font in fonts, fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), "every font is embedded"
    extracted = subprocess.run(["pdftotext", str(file), "-"], capture_output=True, text=True, check=True).stdout
    # pdftotext gives right-to-left text in its logical order, whole words, though it moves the
    # vowel marks (shadda, tanwin) apart: compare the letters.
    texts = newest_texts(content, language)
    letters = re.sub(r"\s+", "", _letters(extracted))  # it also sets marks apart with a space
    for item_id in ("mig.owes_journey_debt", "debt.bondage", "move.locked_in_now"):
        words = [w for w in re.findall(r"\w+", _letters(texts.items[item_id])) if len(w) > 2 and not w.isdigit()]
        assert words and all(w in letters for w in words), (item_id, [w for w in words if w not in letters])
    assert "\ufffd" not in extracted  # no missing glyph


@pytest.mark.skipif(not shutil.which("fc-match"), reason="fontconfig not installed")
@pytest.mark.parametrize(
    ("language", "family"),
    [
        ("ar", "Noto Naskh Arabic"),
        ("fa", "Noto Naskh Arabic"),
        ("ur", "Noto Naskh Arabic"),
        ("ur", "Noto Nastaliq Urdu"),
    ],
)
def test_the_fonts_have_a_glyph_for_every_letter(content: Content, language: str, family: str) -> None:
    """No missing glyph: the font the sheets and the browser use covers every character of the texts."""
    from fontTools.ttLib import TTFont

    file = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=True).stdout
    assert family.replace(" ", "") in file.replace(" ", ""), f"{family} is not installed (.ci/test-deps): {file}"
    cmap = TTFont(file).getBestCmap()
    everything = " ".join(
        " ".join([*texts.items.values(), *texts.introduction.values(), *texts.answers.values()])
        for bank in content.interviewee.values()
        if (texts := bank.get(language)) is not None
    )
    missing = {ch for ch in everything if ord(ch) >= 0x0600 and ord(ch) not in cmap}
    assert not missing, sorted(missing)


def test_the_slip_keeps_the_review_status_of_its_completion(app: Flask, client: Client, tmp_path: Path) -> None:
    """A translation reviewed after a screening does not change that screening's slip; one reviewed
    before it is named with its reviewer and date."""
    from screening.core.loading import load_content
    from tests.conftest import ROOT

    base = start(client, set_id="migrants", locale="en", second="fr")
    answer_all_pages(client, base, {"a_mig__owes_journey_debt": "yes"}, ADULT_PROFILE, "en")
    finish(client, base)
    before = client.get(f"{base}/slip?lang=en").get_data(as_text=True)
    tree = tmp_path / "content"
    for folder in ("indicators", "referral_rules"):
        shutil.copytree(ROOT / folder, tree / folder)
    bank = app.extensions["screening.content"].get_set("migrants").bank  # the bank the screening used
    french = tree / f"indicators/bank/{bank}/interviewee/fr.yaml"
    reviewed = '  status: reviewed_by_native_speaker\n  by: "R. Reviewer"\n  "on": 2026-12-10'
    french.write_text(french.read_text(encoding="utf-8").replace("  status: written", reviewed), encoding="utf-8")
    app.extensions["screening.content"] = load_content(tree)
    assert client.get(f"{base}/slip?lang=en").get_data(as_text=True) == before
    later = start(client, set_id="migrants", locale="en", second="fr")
    answer_all_pages(client, later, {"a_mig__owes_journey_debt": "yes"}, ADULT_PROFILE, "en")
    finish(client, later)
    body = client.get(f"{later}/slip?lang=en").get_data(as_text=True)
    assert "translation reviewed by a native speaker (R. Reviewer, 2026-12-10)" in body
    # The screener no longer sees the marker for a reviewed language.
    page = client.get("/sheets/migrants/fr").get_data(as_text=True)
    assert "Translation awaiting review" not in page
