"""A small helper that reads a parsed YAML document and records every problem it meets."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

from screening.core.errors import Problem
from screening.core.languages import CONTENT_LANGUAGES
from screening.core.model import Text, frozen_text
from screening.core.yamlfile import LoadedYaml, PathKey, format_path

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def placeholders(template: str) -> set[str]:
    """Named ``str.format`` fields in ``template``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Checker:
    """Reads values out of one document; problems are collected, never raised one by one."""

    def __init__(self, file: str, loaded: LoadedYaml) -> None:
        self.file = file
        self.loaded = loaded
        self.problems: list[Problem] = [
            Problem(file, format_path(path), line, message) for path, line, message in loaded.problems
        ]
        #: Places the format validation (``screening.core.schema``) already reported: a path and
        #: everything under it, and the mapping of a missing key itself.
        self._covered: list[PathKey] = []
        self._covered_exactly: set[PathKey] = set()

    def cover(self, path: PathKey, *, missing: bool = False, below: bool = True) -> None:
        """Leave out later reports at ``path`` (and under it when ``below``; for a missing key, at its mapping too)."""
        if below:
            self._covered.append(path)
        else:
            self._covered_exactly.add(path)
        if missing and path:
            self._covered_exactly.add(path[:-1])

    def report(self, path: PathKey, message: str) -> None:
        if path in self._covered_exactly or any(path[: len(p)] == p for p in self._covered):
            return
        self.problems.append(Problem(self.file, format_path(path), self.loaded.line(path), message))

    def mapping(self, value: Any, path: PathKey) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.report(path, f"expected a mapping, found {_kind(value)}")
        return None

    def sequence(self, value: Any, path: PathKey) -> list[Any] | None:
        if isinstance(value, list):
            return value
        self.report(path, f"expected a list, found {_kind(value)}")
        return None

    def only_keys(self, mapping: Mapping[str, Any], path: PathKey, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                self.report((*path, str(key)), f"unknown key {key!r} (allowed: {', '.join(allowed)})")

    def value(
        self,
        mapping: Mapping[str, Any],
        path: PathKey,
        key: str,
        kind: type | tuple[type, ...],
        *,
        required: bool = True,
        default: Any = None,
    ) -> Any:
        if key not in mapping or mapping[key] is None:
            if required:
                self.report((*path, key), f"missing {key!r}")
            return default
        value = mapping[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; an int field must not accept true/false.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(k.__name__ for k in kinds)
            self.report((*path, key), f"expected {names}, found {_kind(value)}")
            return default
        return value

    def string(self, mapping: Mapping[str, Any], path: PathKey, key: str, *, required: bool = True) -> str | None:
        value = self.value(mapping, path, key, str, required=required)
        if value is not None and not value.strip():
            self.report((*path, key), "must not be empty")
            return None
        return value  # type: ignore[no-any-return]

    def choice(
        self,
        mapping: Mapping[str, Any],
        path: PathKey,
        key: str,
        allowed: Iterable[str],
        *,
        required: bool = True,
        default: str | None = None,
    ) -> str | None:
        allowed = tuple(allowed)
        value = self.value(mapping, path, key, str, required=required, default=default)
        if value is not None and value not in allowed:
            self.report((*path, key), f"unknown value {value!r} (allowed: {', '.join(allowed)})")
            return None
        return value  # type: ignore[no-any-return]

    def identifier(self, mapping: Mapping[str, Any], path: PathKey, key: str, pattern: re.Pattern[str]) -> str | None:
        value = self.string(mapping, path, key)
        if value is not None and not pattern.match(value):
            self.report((*path, key), f"{value!r} is not a valid id (expected {pattern.pattern})")
            return None
        return value

    def text(self, mapping: Mapping[str, Any], path: PathKey, key: str, *, required: bool = True) -> Text | None:
        """A text in exactly the content languages, each non-empty."""
        if key not in mapping:
            if required:
                self.report((*path, key), f"missing {key!r}")
            return None
        return self.text_value(mapping[key], (*path, key))

    def text_value(self, raw: Any, path: PathKey) -> Text | None:
        value = self.mapping(raw, path)
        if value is None:
            return None
        ok = True
        for language in CONTENT_LANGUAGES:
            item = value.get(language)
            if not isinstance(item, str) or not item.strip():
                what = "missing" if item is None else "empty or not a string:"
                self.report(path, f"{what} {language!r}")
                ok = False
        for language in value:
            if language not in CONTENT_LANGUAGES:
                hint = " (Cyrillic is derived from sr_Latn)" if language.startswith("sr") else ""
                self.report((*path, str(language)), f"unknown language {language!r}{hint}")
                ok = False
        if ok:
            fields = {lang: placeholders(value[lang]) for lang in CONTENT_LANGUAGES}
            reference = fields[CONTENT_LANGUAGES[-1]]
            for lang, names in fields.items():
                if names != reference:
                    self.report(path, f"placeholders in {lang!r} {sorted(names)} differ from {sorted(reference)}")
                    ok = False
        return frozen_text({lang: value[lang] for lang in CONTENT_LANGUAGES}) if ok else None

    def unique(self, ids: Iterable[tuple[str, PathKey]], what: str) -> None:
        seen: dict[str, PathKey] = {}
        for value, path in ids:
            if value in seen:
                self.report(path, f"duplicate {what} {value!r} (first at {format_path(seen[value])})")
            else:
                seen[value] = path


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number"}.get(
        type(value), type(value).__name__
    )
