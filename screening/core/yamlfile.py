"""Safe YAML loading that remembers the line of every key and item.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of two equal
keys. Content authors need ``file:line: path: problem``, so we compose the node tree ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]

#: libyaml's parser when available (several times faster); same safe constructor either way.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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

    def line(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def load_yaml(file: Path) -> LoadedYaml:
    """Parse ``file`` with the safe loader. Raises ``yaml.YAMLError`` on a syntax error."""
    text = file.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        result = LoadedYaml(data=None)
        if node is not None:
            result.lines[()] = node.start_mark.line + 1
            result.data = _construct(loader, node, (), result)
        return result
    finally:
        loader.dispose()


def _construct(loader: yaml.SafeLoader, node: yaml.Node, path: PathKey, out: LoadedYaml) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            child = (*path, str(key))
            line = key_node.start_mark.line + 1
            if key in mapping:
                out.problems.append((child, line, f"duplicate key {key!r}"))
            out.lines[child] = line
            mapping[key] = _construct(loader, value_node, child, out)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            child = (*path, index)
            out.lines[child] = item_node.start_mark.line + 1
            items.append(_construct(loader, item_node, child, out))
        return items
    return loader.construct_object(node, deep=True)
