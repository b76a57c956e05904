"""One list of languages; catalogs complete and current; the right <html lang> and negotiation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from screening import catalogs
from screening.core.languages import CONTENT_LANGUAGES, UI_LOCALES, html_lang, normalise_locale
from screening.i18n import CatalogError
from tests.conftest import make_app


def test_catalogs_are_complete_current_and_consistent() -> None:
    assert catalogs.check() == []


def test_the_catalog_locales_are_the_ui_locales() -> None:
    on_disk = {p.parent.parent.name for p in catalogs.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert on_disk == set(UI_LOCALES) - {catalogs.SOURCE_LOCALE}
    assert set(CONTENT_LANGUAGES) <= set(UI_LOCALES)


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("sr", "sr_Latn"),
        ("sr-RS", "sr_Latn"),
        ("sr-Latn", "sr_Latn"),
        ("sr-Cyrl-RS", "sr_Cyrl"),
        ("sq-AL", "sq"),
        ("en-GB", "en"),
        ("de", None),
        ("", None),
    ],
)
def test_locale_aliases(tag: str, locale: str | None) -> None:
    assert normalise_locale(tag) == locale


def test_html_lang_uses_bcp47_script_subtags() -> None:
    assert [html_lang(loc) for loc in UI_LOCALES] == ["sq", "sr-Latn", "sr-Cyrl", "en"]


@pytest.mark.parametrize(
    ("accept", "lang", "word"),
    [
        ("sr-RS,sr;q=0.9", "sr-Latn", "Prijava"),
        ("en-US", "en", "Log in"),
        ("de-DE", "sq", "Hyrja"),
    ],
)
def test_the_browser_language_is_negotiated(app: Flask, accept: str, lang: str, word: str) -> None:
    response = app.test_client().get("/login", headers={"Accept-Language": accept})
    body = response.get_data(as_text=True)
    assert re.search(rf'<html lang="{lang}"', body)
    assert word in body


def test_every_language_link_switches_the_interface(app: Flask) -> None:
    client = app.test_client()
    for locale in UI_LOCALES:
        response = client.get(f"/language/{locale}?next=/login", follow_redirects=True)
        assert f'<html lang="{html_lang(locale)}"' in response.get_data(as_text=True)
    # An outside address in "next" is not followed.
    assert client.get("/language/en?next=https://example.org/").headers["Location"] == "/"


def test_a_missing_catalog_stops_the_app_with_one_clear_message(tmp_path: Path) -> None:
    empty = tmp_path / "translations"
    empty.mkdir()
    with pytest.raises(CatalogError, match="missing compiled translation catalog"):
        make_app(tmp_path, translations_dir=str(empty))


def test_the_page_translator_keeps_each_catalogs_words_and_formats_like_gettext() -> None:
    """Templates' ``_`` (``i18n.PageTranslator``) keeps translated strings per catalog: a constant
    string is the same safe text on every call, ``%%`` is a percent sign with or without variables,
    variables are escaped, and two catalogs never share what they keep."""
    from babel.support import Translations
    from markupsafe import Markup

    from screening.i18n import PageTranslator

    albanian = Translations.load(str(catalogs.TRANSLATIONS), ["sq"])
    english, shqip = PageTranslator(Translations()), PageTranslator(albanian)
    assert english("Log out") == Markup("Log out") and english("Log out") is english("Log out")
    assert shqip("Log out") == albanian.gettext("Log out") != "Log out"
    assert english("100%% sure") == "100% sure"
    assert english("%(name)s and 100%%", name="<b>") == Markup("&lt;b&gt; and 100%")
    with pytest.raises(KeyError):
        english("Step %(position)s of %(total)s")  # variables the string needs are never left out silently
