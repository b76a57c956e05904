"""Errors of the domain core."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file: where it is and what is wrong."""

    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(top)'}: {self.message}" if self.path else f"{where}: {self.message}"


class ContentError(Exception):
    """The content (indicator sets, scoring or referral rules) is invalid.

    Carries every problem found, so an author fixes them all in one pass.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the content:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class ScoringInputError(ValueError):
    """Answers or a profile that cannot be scored (unknown indicator, invalid answer...)."""
