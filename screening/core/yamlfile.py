"""Safe YAML loading that remembers the line of every key and item, and refuses hostile files.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of two equal
keys. Content authors need ``file:line: path: problem``, so we build the document ourselves from
the parser's event stream: one pass, without a node graph.

Reading from events also keeps a content file from taking the machine down. The content language
needs none of YAML's anchors, aliases, merge keys or tags, and each of them is a way in: ten nested
aliases in 400 bytes ("billion laughs") expand to gigabytes, ``a: &a [*a]`` never ends, and a tag
names a constructor. They are refused at the first event that shows them, before anything is
expanded, as are files over ``MAX_FILE_BYTES`` and nesting deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import yaml

PathKey = tuple[str | int, ...]

#: libyaml's parser when available (several times faster); same safe constructor either way.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The largest content file read. The biggest shipped file is under 80 kB; a 50 MB file took 6 s
#: and 520 MB to refuse. 2 MB leaves room for any real set and bounds what a file can cost.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The deepest nesting of lists and mappings. Shipped content nests 9 levels; deeper is a mistake
#: or an attack on the parser.
MAX_DEPTH = 32

ALIASES_REFUSED = "anchors and aliases are not allowed in content files; write the value out"
MERGE_REFUSED = "merge keys (<<) are not allowed in content files; write the keys out"

_YAML_TAG = "tag:yaml.org,2002:"
#: Explicit tags that only restate what a plain value already is (``!`` forces a string).
_SCALAR_TAGS = frozenset({"!", *(_YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))})
_SEQUENCE_TAGS = frozenset({"!", _YAML_TAG + "seq"})
_MAPPING_TAGS = frozenset({"!", _YAML_TAG + "map"})
_KINDS = {"timestamp": "date (YYYY-MM-DD)", "int": "whole number", "float": "number", "bool": "true or false"}


class _Events(Protocol):
    """The parts of PyYAML's loader used here (its own stubs leave them untyped)."""

    def get_event(self) -> yaml.Event: ...
    def peek_event(self) -> yaml.Event: ...
    def check_event(self, *choices: type[yaml.Event]) -> bool: ...
    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str: ...
    def construct_object(self, node: yaml.Node) -> Any: ...
    def dispose(self) -> None: ...


class ContentFileError(Exception):
    """A content file that is refused before it is parsed to the end (``line`` may be None)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def format_path(path: PathKey) -> str:
    """``("sections", 1, "items", 3, "text")`` -> ``sections[1].items[3].text``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class LoadedYaml:
    """A parsed document with the line of each path, plus problems met while parsing."""

    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    problems: list[tuple[PathKey, int | None, str]] = field(default_factory=list)
    raw: bytes = b""

    def line(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def load_yaml(file: Path) -> LoadedYaml:
    """Parse ``file`` with the safe loader.

    Raises ``ContentFileError`` for a file refused as a whole (too big, not UTF-8, an anchor,
    alias, merge key or tag, too deep), ``yaml.YAMLError`` on a syntax error, ``OSError``.
    """
    raw = _read_bounded(file)
    loader = cast(_Events, _Loader(_decode(raw)))
    try:
        result = LoadedYaml(data=None, raw=raw)
        result.data = _document(loader, result)
        return result
    finally:
        loader.dispose()


def _read_bounded(file: Path) -> bytes:
    """At most ``MAX_FILE_BYTES``: reads one byte more to tell, so a device or pipe cannot flood memory."""
    with file.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ContentFileError(None, f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, the limit")
    return raw


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise ContentFileError(line, f"not valid UTF-8 (byte 0x{byte} at column {column}); save it as UTF-8") from None


def _line(event: yaml.Event) -> int:
    return int(event.start_mark.line) + 1 if event.start_mark else 1


def _document(loader: _Events, out: LoadedYaml) -> Any:
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # document start
    out.lines[()] = _line(loader.peek_event())
    data = _value(loader, (), out, 0)
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        raise ContentFileError(_line(loader.peek_event()), "a content file holds one YAML document (found a second)")
    return data


def _value(loader: _Events, path: PathKey, out: LoadedYaml, depth: int) -> Any:
    event = loader.get_event()
    _refuse_anchor_and_tag(event)
    if isinstance(event, yaml.ScalarEvent):
        return _scalar(loader, event)
    if depth >= MAX_DEPTH:
        raise ContentFileError(_line(event), f"nested deeper than {MAX_DEPTH} levels, the limit")
    if isinstance(event, yaml.SequenceStartEvent):
        items: list[Any] = []
        while not loader.check_event(yaml.SequenceEndEvent):
            child = (*path, len(items))
            out.lines[child] = _line(loader.peek_event())
            items.append(_value(loader, child, out, depth + 1))
        loader.get_event()
        return items
    mapping: dict[Any, Any] = {}
    while not loader.check_event(yaml.MappingEndEvent):
        key_event = loader.peek_event()
        key = _key(loader, key_event)
        child = (*path, str(key))
        if key in mapping:
            out.problems.append((child, _line(key_event), f"duplicate key {key!r}"))
        out.lines[child] = _line(key_event)
        mapping[key] = _value(loader, child, out, depth + 1)
    loader.get_event()
    return mapping


def _refuse_anchor_and_tag(event: yaml.Event) -> None:
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
        raise ContentFileError(_line(event), ALIASES_REFUSED)
    tag = getattr(event, "tag", None)
    if isinstance(event, yaml.ScalarEvent):
        allowed = _SCALAR_TAGS
    elif isinstance(event, yaml.SequenceStartEvent):
        allowed = _SEQUENCE_TAGS
    else:
        allowed = _MAPPING_TAGS
    if tag is not None and tag not in allowed:
        shown = "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag
        raise ContentFileError(_line(event), f"the tag {shown!r} is not allowed in content files; remove it")


def _key(loader: _Events, event: yaml.Event) -> Any:
    if not isinstance(event, yaml.ScalarEvent):
        _refuse_anchor_and_tag(event)
        raise ContentFileError(_line(event), "a key must be a plain value, not a list or a mapping")
    loader.get_event()
    _refuse_anchor_and_tag(event)
    if _resolve(loader, event) == _YAML_TAG + "merge":
        raise ContentFileError(_line(event), MERGE_REFUSED)
    return _scalar(loader, event)


def _resolve(loader: _Events, event: yaml.ScalarEvent) -> str:
    if event.tag is None or event.tag == "!":
        return str(loader.resolve(yaml.ScalarNode, event.value, event.implicit))
    return str(event.tag)


def _scalar(loader: _Events, event: yaml.ScalarEvent) -> Any:
    tag = _resolve(loader, event)
    if tag == _YAML_TAG + "str":
        # Interned: the same text recurs across the releases of a bank and its sets (12 banks,
        # 14 versions of a set), and one copy of each is kept in every worker for its life.
        return sys.intern(event.value)
    node = yaml.ScalarNode(tag, event.value, style=event.style)
    try:
        return loader.construct_object(node)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        # Implicit resolution accepts what the constructor then fails on, e.g. 2026-13-45 as a date.
        kind = _KINDS.get(tag[len(_YAML_TAG) :], "value")
        raise ContentFileError(_line(event), f"{event.value!r} is not a valid {kind}") from None
