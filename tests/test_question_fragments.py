"""The checklist page keeps each question's rendered HTML across requests (screening.web.fragments).

What a screener sees must not depend on what the worker showed before: the checked answer, the
interface language, the second language and an error are each part of what a question shows.
"""

from __future__ import annotations

import re

from flask import Flask

from screening.core.languages import localise
from screening.web.fragments import FragmentCache
from tests.conftest import Client, login
from tests.test_web import ADULT_PROFILE, start

QUESTION = "a_viol__injuries_observed"


def checked(body: str, name: str = QUESTION) -> list[str]:
    return re.findall(rf'name="{name}" value="([a-z_]+)" checked', body)


def question_text(app: Flask, item_id: str, locale: str) -> str:
    indicator_set = app.extensions["screening.content"].get_set("general")
    [item] = [i for i in indicator_set.indicators if i.id == item_id]
    return localise(item.text, locale)


def to_observe(client: Client, base: str) -> str:
    client.get(f"{base}/safety")
    client.post(f"{base}/safety", data={"_action": "next"})
    client.post(f"{base}/profile", data=ADULT_PROFILE)
    return f"{base}/observe"


def test_each_showing_of_a_question_has_its_own_answer_language_and_errors(app: Flask, client: Client) -> None:
    page = to_observe(client, start(client))
    assert checked(client.get(page).get_data(as_text=True)) == ["not_asked"]
    for answer in ("yes", "no", "not_asked", "unknown"):
        client.post(page, data={QUESTION: answer, "_lang": "en"})
        assert checked(client.get(page).get_data(as_text=True)) == [answer]

    refused = client.post(page, data={QUESTION: "certainly", "_action": "next"})
    assert refused.status_code == 400
    assert 'class="question has-error" id="a_viol__injuries_observed"' in refused.get_data(as_text=True)
    again = client.get(page).get_data(as_text=True)
    assert "has-error" not in again and "field-error" not in again and checked(again) == ["unknown"]

    client.post(page, data={QUESTION: "unknown", "_lang": "sq"})  # as the browser sends the page
    albanian = client.get(page).get_data(as_text=True)
    assert question_text(app, "viol.injuries_observed", "sq") in albanian
    assert question_text(app, "viol.injuries_observed", "en") not in albanian
    assert checked(albanian) == ["unknown"]


def test_a_second_language_shows_only_on_the_screening_that_asked_for_it(app: Flask, client: Client) -> None:
    plain = to_observe(client, start(client, locale="sq"))
    serbian = question_text(app, "viol.injuries_observed", "sr_Latn")
    assert serbian not in client.get(plain).get_data(as_text=True)
    other = Client(app.test_client())
    login(other, "officer")
    with_second = to_observe(other, start(other, locale="sq", second="sr_Latn"))
    assert serbian in other.get(with_second).get_data(as_text=True)
    assert serbian not in client.get(plain).get_data(as_text=True)


def test_the_cache_is_bounded_and_forgets_the_least_recently_used() -> None:
    cache = FragmentCache(size=2)
    renders: list[str] = []

    def render(text: str):  # type: ignore[no-untyped-def]
        return lambda: renders.append(text) or f"<p>{text}</p>"

    assert cache.get("a", render("a")) == "<p>a</p>"
    cache.get("b", render("b"))
    cache.get("a", render("a"))  # a hit: "a" is now the most recent
    cache.get("c", render("c"))  # evicts "b"
    cache.get("a", render("a"))
    cache.get("b", render("b"))
    assert renders == ["a", "b", "c", "b"] and len(cache) == 2


def test_the_answer_buttons_role_and_menu_follow_the_page_language(app: Flask, client: Client) -> None:
    """They are translated once per language and kept (``templating.page_labels``): switching the
    language back and forth in one worker shows each language's own words, from its catalog."""
    from babel.support import Translations
    from markupsafe import escape

    from tests.conftest import ROOT

    page = to_observe(client, start(client))
    for locale in ("sq", "sr_Latn", "en", "sq"):
        client.post(page, data={"_lang": locale})
        body = client.get(page).get_data(as_text=True)
        words = Translations.load(str(ROOT / "translations"), [locale])
        for label in ("Yes", "No", "Don't know", "Not asked"):
            assert f"<span>{escape(words.gettext(label))}</span>" in body, (locale, label)
        assert f"· {escape(words.gettext('Screener'))}</span>" in body, locale
        assert f'<a href="/new">{escape(words.gettext("New screening"))}</a>' in body, locale
        # The page's own strings (``i18n.PageTranslator``, kept per catalog), with and without variables.
        assert f">{escape(words.gettext('Skip to main content'))}</a>" in body, locale
        assert f">{escape(words.gettext('Log out'))}</button>" in body, locale
        total, position = re.search(r'<progress max="(\d+)" value="(\d+)"', body).groups()  # type: ignore[union-attr]
        step = words.gettext("Step %(position)s of %(total)s") % {"position": position, "total": total}
        assert f'<p class="progress">{escape(step)}</p>' in body, locale
