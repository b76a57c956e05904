"""The one list of languages.

Content (indicator texts, rules, contacts) is written in ``CONTENT_LANGUAGES``. The interface is
offered in ``UI_LOCALES``: the same languages plus Serbian in Cyrillic, which is derived from the
Latin text by transliteration and never written by hand. Everything else (the YAML validator, the
locale selector, the language menu, the catalog tests) reads these tuples.
"""

from __future__ import annotations

from collections.abc import Mapping

from screening.core.translit import latin_to_cyrillic

CONTENT_LANGUAGES: tuple[str, ...] = ("sq", "sr_Latn", "en")
UI_LOCALES: tuple[str, ...] = ("sq", "sr_Latn", "sr_Cyrl", "en")
DEFAULT_LOCALE = "sq"

#: Locales written in another script of a content language, and where they come from.
DERIVED_LOCALES: Mapping[str, str] = {"sr_Cyrl": "sr_Latn"}

#: Each locale named in its own language, for the language menu.
NATIVE_NAMES: Mapping[str, str] = {
    "sq": "Shqip",
    "sr_Latn": "Srpski (latinica)",
    "sr_Cyrl": "Српски (ћирилица)",
    "en": "English",
}

#: The languages of the person interviewed (issue 15): the questions as said to the person, an
#: introduction and the answer words, in ``indicators/bank/<version>/interviewee/<language>.yaml``.
#: Each with its writing direction; the screener's interface never takes these.
INTERVIEWEE_LANGUAGES: Mapping[str, str] = {"ar": "rtl", "fa": "rtl", "ur": "rtl", "tr": "ltr", "fr": "ltr"}

#: Each interviewee language named in its own language (Persian: also Dari, the same written language).
INTERVIEWEE_NAMES: Mapping[str, str] = {
    "ar": "العربية",
    "fa": "فارسی / دری",
    "ur": "اردو",
    "tr": "Türkçe",
    "fr": "Français",
}


def direction(language: str) -> str:
    """``rtl`` or ``ltr``: the writing direction of a locale or interviewee language."""
    return INTERVIEWEE_LANGUAGES.get(language, "ltr")


def is_interviewee_language(language: str | None) -> bool:
    return language in INTERVIEWEE_LANGUAGES


#: Tags people and browsers send, mapped onto a supported locale. Babel's plain ``sr`` is
#: Cyrillic, but Kosovo's Official Gazette prints Serbian in Latin script, so ``sr`` means Latin.
ALIASES: Mapping[str, str] = {
    "sr": "sr_Latn",
    "sr_rs": "sr_Latn",
    "sr_xk": "sr_Latn",
    "sr_latn": "sr_Latn",
    "sr_latn_rs": "sr_Latn",
    "sr_latn_xk": "sr_Latn",
    "sr_cyrl": "sr_Cyrl",
    "sr_cyrl_rs": "sr_Cyrl",
    "sr_cyrl_xk": "sr_Cyrl",
    "sq": "sq",
    "sq_al": "sq",
    "sq_xk": "sq",
    "en": "en",
    "en_gb": "en",
    "en_us": "en",
}


def normalise_locale(tag: str | None) -> str | None:
    """Map a tag such as ``sr-RS`` or ``sr_Latn`` onto a supported locale, or ``None``."""
    if not tag:
        return None
    key = tag.strip().replace("-", "_").lower()
    if key in ALIASES:
        return ALIASES[key]
    primary = key.split("_", 1)[0]
    return ALIASES.get(primary)


def html_lang(locale: str) -> str:
    """The BCP 47 tag for ``<html lang>``: ``sr-Latn``, never plain ``sr``."""
    return locale.replace("_", "-")


def content_language(locale: str) -> str:
    """The content language a locale's texts are written in."""
    return DERIVED_LOCALES.get(locale, locale)


def localise(text: Mapping[str, str], locale: str) -> str:
    """Pick a content text for ``locale``, transliterating for derived scripts."""
    value = text[content_language(locale)]
    if locale == "sr_Cyrl":
        return latin_to_cyrillic(value)
    return value
