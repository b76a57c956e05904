"""What changed between two versions of an indicator set: the scoring it is scored with, its
indicators and its safety checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from screening.core.model import Indicator, IndicatorSet, SafetyCheck

COMPARED_FIELDS = (
    "dimension", "strength_adult", "strength_child", "forms", "mode", "urgent", "speak_alone", "child_sign",
    "text", "guidance",
)  # fmt: skip
SAFETY_FIELDS = ("signal", "text", "guidance")


@dataclass(frozen=True)
class Change:
    indicator: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class SetDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[Change, ...]
    #: (old, new) scoring version when it changed: the same items may then decide otherwise.
    scoring: tuple[str, str] | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.scoring)


def _comparable(item: Indicator | SafetyCheck, field: str) -> Any:
    value = getattr(item, field)
    return dict(value) if field in ("text", "guidance") else value


def _items(indicator_set: IndicatorSet) -> dict[str, Indicator | SafetyCheck]:
    """The set's safety checks and indicators by id, in the order they are asked."""
    checks = {c.id: c for section in indicator_set.sections for c in section.safety_checks}
    return {**checks, **{i.id: i for i in indicator_set.indicators}}


def diff_sets(old: IndicatorSet, new: IndicatorSet) -> SetDiff:
    old_items, new_items = _items(old), _items(new)
    changes: list[Change] = []
    for item_id, after in new_items.items():
        before = old_items.get(item_id)
        if before is None:
            continue
        for field in COMPARED_FIELDS if isinstance(after, Indicator) else SAFETY_FIELDS:
            a, b = _comparable(before, field), _comparable(after, field)
            if a == b:
                continue
            if isinstance(a, dict):
                for language in b:
                    if a.get(language) != b[language]:
                        changes.append(Change(item_id, f"{field}.{language}", a.get(language), b[language]))
            else:
                changes.append(Change(item_id, field, a, b))
    return SetDiff(
        added=tuple(i for i in new_items if i not in old_items),
        removed=tuple(i for i in old_items if i not in new_items),
        changed=tuple(changes),
        scoring=(old.scoring, new.scoring) if old.scoring != new.scoring else None,
    )
