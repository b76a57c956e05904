"""What changed between two versions of an indicator set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from screening.core.model import Indicator, IndicatorSet

COMPARED_FIELDS = ("dimension", "strength_adult", "strength_child", "forms", "mode", "urgent", "text", "guidance")


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

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _comparable(indicator: Indicator, field: str) -> Any:
    value = getattr(indicator, field)
    return dict(value) if field in ("text", "guidance") else value


def diff_sets(old: IndicatorSet, new: IndicatorSet) -> SetDiff:
    old_ids = [i.id for i in old.indicators]
    new_ids = [i.id for i in new.indicators]
    changes: list[Change] = []
    for indicator_id in (i for i in new_ids if i in old_ids):
        before, after = old.indicator(indicator_id), new.indicator(indicator_id)
        assert before is not None and after is not None
        for field in COMPARED_FIELDS:
            a, b = _comparable(before, field), _comparable(after, field)
            if a == b:
                continue
            if isinstance(a, dict):
                for language in b:
                    if a.get(language) != b[language]:
                        changes.append(Change(indicator_id, f"{field}.{language}", a.get(language), b[language]))
            else:
                changes.append(Change(indicator_id, field, a, b))
    return SetDiff(
        added=tuple(i for i in new_ids if i not in old_ids),
        removed=tuple(i for i in old_ids if i not in new_ids),
        changed=tuple(changes),
    )
