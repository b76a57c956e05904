"""Flask-Babel wiring. The list of locales comes from ``screening.core.languages``."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, get_translations, refresh
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from screening.core.languages import DEFAULT_LOCALE, UI_LOCALES, normalise_locale

REPO_TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
SESSION_KEY = "locale"


class CatalogError(Exception):
    """A translation catalog the app needs is missing."""


def select_locale() -> str:
    chosen = session.get(SESSION_KEY)
    if chosen in UI_LOCALES:
        return str(chosen)
    for tag, _quality in request.accept_languages:
        locale = normalise_locale(tag)
        if locale:
            return locale
    return DEFAULT_LOCALE


def current_locale() -> str:
    """The request's UI locale as one of ``UI_LOCALES`` (``sr_Latn``, not Babel's ``sr_Latn_RS``)."""
    locale = get_locale()
    if locale is None:
        return DEFAULT_LOCALE
    tag = locale.language + (f"_{locale.script}" if locale.script else "")
    return tag if tag in UI_LOCALES else DEFAULT_LOCALE


def remember_locale(locale: str | None) -> None:
    """Use ``locale`` from now on in this session (ignored unless supported)."""
    if locale in UI_LOCALES:
        session[SESSION_KEY] = locale
        refresh()


def init_app(app: Flask, translations_dir: Path | None) -> None:
    directory = (translations_dir or REPO_TRANSLATIONS).resolve()
    missing = [
        locale
        for locale in UI_LOCALES
        if locale != "en" and not (directory / locale / "LC_MESSAGES" / "messages.mo").is_file()
    ]
    if missing:
        raise CatalogError(
            f"missing compiled translation catalog(s) for {', '.join(missing)} in {directory} (run: make translations)"
        )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LOCALE
    Babel(app, locale_selector=select_locale)
    # Templates look their strings up in the request's catalog, found once per locale: Flask-Babel's
    # own callables find the request, the locale and the catalog again for every string.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: page_catalog().ugettext(s),
        ngettext=lambda s, p, n: page_catalog().ungettext(s, p, n),
        pgettext=lambda c, s: page_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # ``_("...")`` went through Jinja's alias, its newstyle wrapper and the lambda above: three
    # calls through the template context per string. This one does what the three did, in one.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _template_gettext


class PageTranslator:
    """Templates' ``_`` for one catalog: a string without variables is translated, marked safe and
    formatted once per worker, then found in a dict; a string with variables is formatted each time.

    Every template is HTML with autoescape on, so the translation is ``Markup`` and the variables
    are escaped, as Jinja's newstyle gettext does. ``%%`` is a percent sign with or without them.
    Templates pass literal strings only (the catalog's msgids, which extraction needs anyway), so
    what a translator keeps is bounded by the templates' strings.
    """

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog
        self.constants: dict[str, Markup] = {}

    def __call__(self, string: str, **variables: Any) -> Markup:
        if variables:
            return Markup(self.catalog.ugettext(string)) % variables
        text = self.constants.get(string)
        if text is None:
            text = self.constants[string] = Markup(self.catalog.ugettext(string)) % {}
        return text


#: One translator per catalog object (Flask-Babel keeps one per app and locale); weak, so that an
#: app's catalogs (many test apps in one process) never serve another app.
_TRANSLATORS: WeakKeyDictionary[Any, PageTranslator] = WeakKeyDictionary()


def page_translator() -> PageTranslator:
    """The request's ``_`` for templates, in its locale at this moment (``force_locale`` included).

    The context processor puts it in each page's context, looked up once per render rather than
    once per string."""
    catalog = page_catalog()
    translator = _TRANSLATORS.get(catalog)
    if translator is None:
        translator = _TRANSLATORS[catalog] = PageTranslator(catalog)
    return translator


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    """The global ``_``, for what renders without the page's context (a macro imported without
    it): the same as :class:`PageTranslator`, the catalog found per call."""
    if context.eval_ctx.autoescape:
        return page_translator()(string, **variables)
    return page_catalog().ugettext(string) % variables  # type: ignore[no-any-return]


def page_catalog() -> Any:
    """The translations of the request's locale at this moment.

    Remembered with the locale object they belong to: ``force_locale`` (a slip in the recipient's
    language) and ``remember_locale`` each make a new one, so the catalog is looked up again."""
    locale = get_locale()
    cached = g.get("_page_catalog")
    if cached is None or cached[0] is not locale:
        cached = g._page_catalog = (locale, get_translations())
    return cached[1]
