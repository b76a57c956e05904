"""Gettext catalogs: extract, update, derive Serbian Cyrillic, compile, and check.

Serbian Cyrillic (``sr_Cyrl``) is never translated by hand: its catalog is the transliteration
of ``sr_Latn``, made here. ``check`` is what the tests and CI run: it fails when the committed
template is stale, a message lacks a translation, placeholders differ, or a compiled catalog is
out of date.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from screening.core.checking import placeholders
from screening.core.languages import DERIVED_LOCALES, UI_LOCALES
from screening.core.translit import latin_to_cyrillic

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
SOURCE_LOCALE = "en"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
METHOD_MAP = [("screening/**.py", "python"), ("screening/templates/**.html", "jinja2")]
#: Locales whose catalogs people translate; the derived ones are generated.
TRANSLATED = tuple(loc for loc in UI_LOCALES if loc != SOURCE_LOCALE and loc not in DERIVED_LOCALES)


def extract() -> Catalog:
    catalog = Catalog(project="screening", charset="utf-8")
    for _file, _line, message, comments, context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS, options_map={}
    ):
        catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def render_po(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, omit_header=True, sort_output=True, no_location=True, width=100)
    return out.getvalue()


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale.replace("_Latn", "").replace("_Cyrl", ""))


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, no_location=True, width=100, include_previous=False)


def update() -> None:
    """Re-extract, then merge the template into every translated catalog and derive the rest."""
    template = extract()
    (TRANSLATIONS / "messages.pot").write_bytes(render_po(template))
    for locale in TRANSLATED:
        catalog = read(locale) if po_path(locale).exists() else Catalog(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(po_path(locale), catalog)
    derive()
    compile_all()


def derive() -> None:
    for derived, source in DERIVED_LOCALES.items():
        catalog = read(source)
        for message in catalog:
            if message.id and message.string:
                message.string = (
                    tuple(latin_to_cyrillic(s) for s in message.string)
                    if isinstance(message.string, tuple | list)
                    else latin_to_cyrillic(message.string)
                )
        catalog.locale = derived.replace("_Cyrl", "")  # type: ignore[assignment]
        _write(po_path(derived), catalog)


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all() -> None:
    for locale in (*TRANSLATED, *DERIVED_LOCALES):
        po_path(locale).with_suffix(".mo").write_bytes(_mo_bytes(read(locale)))


def _strings(message_string: str | Iterable[str] | None) -> list[str]:
    if message_string is None:
        return [""]
    return [message_string] if isinstance(message_string, str) else list(message_string)


def check() -> list[str]:
    """Every problem with the catalogs, as readable lines; empty when all is well."""
    problems: list[str] = []
    template = TRANSLATIONS / "messages.pot"
    if not template.exists() or template.read_bytes() != render_po(extract()):
        problems.append("translations/messages.pot is stale: run `make translations`")
    wanted = {m.id for m in extract() if m.id}
    for locale in (*TRANSLATED, *DERIVED_LOCALES):
        if not po_path(locale).exists():
            problems.append(f"missing catalog {po_path(locale).relative_to(ROOT)}")
            continue
        catalog = read(locale)
        have = {m.id: m for m in catalog if m.id}
        for msgid in sorted(wanted, key=str):
            message = have.get(msgid)
            if message is None or not all(_strings(message.string)):
                problems.append(f"{locale}: no translation for {msgid!r}")
            elif message.fuzzy:
                problems.append(f"{locale}: fuzzy translation for {msgid!r}")
            else:
                ids = _strings(msgid)
                for text in _strings(message.string):
                    if _printf_names(text) != _printf_names(ids[0]):
                        problems.append(f"{locale}: placeholders differ in {msgid!r}")
        mo = po_path(locale).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
            problems.append(f"{locale}: compiled catalog is out of date: run `make translations`")
    cyrillic = {m.id: m.string for m in read("sr_Cyrl") if m.id} if po_path("sr_Cyrl").exists() else {}
    for message in read("sr_Latn") if po_path("sr_Latn").exists() else []:
        if (
            message.id
            and isinstance(message.string, str)
            and cyrillic.get(message.id) != latin_to_cyrillic(message.string)
        ):
            problems.append(
                f"sr_Cyrl is not the transliteration of sr_Latn for {message.id!r}: run `make translations`"
            )
            break
    return problems


def _printf_names(text: str) -> set[str]:
    import re

    return set(re.findall(r"%\((\w+)\)s", text)) | placeholders(text)


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] == ["check"]:
        found = check()
        print("\n".join(found) or "Catalogs are complete and up to date.")
        sys.exit(1 if found else 0)
    update()
