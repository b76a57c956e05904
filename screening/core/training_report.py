"""What a class learned: its results on the scenarios marked *before* the training against those
marked *after*, per scenario, per indicator and per trainee.

Pure: it reads the feedback stored with each attempt (found, missed, unsupported, level and
contacts beside the expected ones) and knows nothing of Flask or the database. The figures:

* **must-find found**: the must-find indicators answered yes, as a share of those asked;
* **unsupported marks**: indicators answered yes that the scenario does not support (a count, and
  per attempt);
* **right outcome**: attempts that reach the scenario's outcome (presumed, possible, labour rights,
  concern ...; the level alone for attempts stored before outcomes were), as a share of the attempts;
* **right contacts**: attempts whose contacts and priorities are exactly the expected ones;
* **score**: the mean of the attempts' feedback scores.

Shares are whole percentages, rounded down (as the feedback score is); a share of nothing is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BEFORE, AFTER = "before", "after"
PHASES = (BEFORE, AFTER)


def share(part: int, whole: int) -> int | None:
    """``part`` as a whole percentage of ``whole`` (rounded down), or None when ``whole`` is 0."""
    return part * 100 // whole if whole else None


@dataclass(frozen=True)
class Attempt:
    """One trainee's answers to one scenario, as their feedback recorded them."""

    trainee: int
    scenario: str
    found: tuple[str, ...]
    missed: tuple[str, ...]
    unsupported: tuple[str, ...]
    level: int
    expected_level: int
    referrals: Mapping[str, str]
    expected_referrals: Mapping[str, str]
    score: int
    outcome: str = ""
    expected_outcome: str = ""

    @classmethod
    def from_feedback(cls, trainee: int, feedback: Mapping[str, Any]) -> Attempt:
        """From a stored ``Feedback.to_dict()``."""
        return cls(
            trainee=trainee,
            scenario=str(feedback["scenario"]),
            found=tuple(feedback["found"]),
            missed=tuple(feedback["missed"]),
            unsupported=tuple(feedback["unsupported"]),
            level=int(feedback["level"]),
            expected_level=int(feedback["expected_level"]),
            referrals=dict(feedback["referrals"]),
            expected_referrals=dict(feedback["expected_referrals"]),
            score=int(feedback["score"]),
            outcome=str(feedback.get("outcome") or ""),
            expected_outcome=str(feedback.get("expected_outcome") or ""),
        )

    @property
    def outcome_right(self) -> bool:
        """The expected outcome (two outcomes share level 1); the level when no outcome was stored."""
        if self.outcome and self.expected_outcome:
            return self.outcome == self.expected_outcome
        return self.level == self.expected_level

    @property
    def contacts_right(self) -> bool:
        return dict(self.referrals) == dict(self.expected_referrals)


@dataclass(frozen=True)
class Figures:
    """The totals of a group of attempts, and the shares they give."""

    attempts: int = 0
    must_find: int = 0
    found: int = 0
    unsupported: int = 0
    right_outcome: int = 0
    right_contacts: int = 0
    score_total: int = 0

    @classmethod
    def of(cls, attempts: Iterable[Attempt]) -> Figures:
        done = list(attempts)
        return cls(
            attempts=len(done),
            must_find=sum(len(a.found) + len(a.missed) for a in done),
            found=sum(len(a.found) for a in done),
            unsupported=sum(len(a.unsupported) for a in done),
            right_outcome=sum(a.outcome_right for a in done),
            right_contacts=sum(a.contacts_right for a in done),
            score_total=sum(a.score for a in done),
        )

    @property
    def found_share(self) -> int | None:
        return share(self.found, self.must_find)

    @property
    def unsupported_per_attempt(self) -> float | None:
        """Unsupported marks per attempt, to one decimal."""
        return round(self.unsupported / self.attempts, 1) if self.attempts else None

    @property
    def right_outcome_share(self) -> int | None:
        return share(self.right_outcome, self.attempts)

    @property
    def right_contacts_share(self) -> int | None:
        return share(self.right_contacts, self.attempts)

    @property
    def score(self) -> int | None:
        return self.score_total // self.attempts if self.attempts else None


def change(before: int | float | None, after: int | float | None) -> int | float | None:
    """After less before (percentage points, or marks per attempt), or None if either is missing."""
    if before is None or after is None:
        return None
    difference = after - before
    return round(difference, 1) if isinstance(difference, float) else difference


@dataclass(frozen=True)
class ScenarioFigures:
    scenario: str
    phase: str | None
    figures: Figures


@dataclass(frozen=True)
class IndicatorCount:
    """How often an indicator was a must-find in the attempts, how often it was found, and how often
    it was marked where the scenario does not support it."""

    asked: int = 0
    found: int = 0
    unsupported: int = 0

    @property
    def found_share(self) -> int | None:
        return share(self.found, self.asked)


@dataclass(frozen=True)
class IndicatorFigures:
    indicator: str
    by_phase: Mapping[str, IndicatorCount]

    @property
    def before(self) -> IndicatorCount:
        return self.by_phase.get(BEFORE, IndicatorCount())

    @property
    def after(self) -> IndicatorCount:
        return self.by_phase.get(AFTER, IndicatorCount())


@dataclass(frozen=True)
class TraineeFigures:
    trainee: int
    overall: Figures
    by_phase: Mapping[str, Figures]

    @property
    def before(self) -> Figures:
        return self.by_phase.get(BEFORE, Figures())

    @property
    def after(self) -> Figures:
        return self.by_phase.get(AFTER, Figures())


@dataclass(frozen=True)
class ClassReport:
    by_phase: Mapping[str, Figures]
    scenarios: tuple[ScenarioFigures, ...]
    indicators: tuple[IndicatorFigures, ...]
    trainees: tuple[TraineeFigures, ...] = field(default=())

    @property
    def before(self) -> Figures:
        return self.by_phase.get(BEFORE, Figures())

    @property
    def after(self) -> Figures:
        return self.by_phase.get(AFTER, Figures())

    @property
    def comparable(self) -> bool:
        """Whether both phases have attempts to compare."""
        return self.before.attempts > 0 and self.after.attempts > 0


def class_report(
    scenario_ids: Sequence[str],
    phases: Mapping[str, str],
    attempts: Iterable[Attempt],
    trainees: Sequence[int] = (),
) -> ClassReport:
    """The class's figures. ``phases`` maps a scenario to ``before`` or ``after`` (a scenario
    without one counts in its own row and the trainees' overall figures, not in the comparison);
    attempts on scenarios not in ``scenario_ids`` are ignored. Indicators come in the order they
    are first met in the scenarios' feedback (must-find first, then unsupported marks)."""
    chosen = list(dict.fromkeys(scenario_ids))
    done = [a for a in attempts if a.scenario in chosen]

    def phase_of(attempt: Attempt) -> str | None:
        phase = phases.get(attempt.scenario)
        return phase if phase in PHASES else None

    by_phase = {phase: Figures.of(a for a in done if phase_of(a) == phase) for phase in PHASES}
    scenarios = tuple(
        ScenarioFigures(
            scenario=s,
            phase=phases.get(s) if phases.get(s) in PHASES else None,
            figures=Figures.of(a for a in done if a.scenario == s),
        )
        for s in chosen
    )
    ordered = sorted(done, key=lambda a: chosen.index(a.scenario))
    indicator_ids = list(dict.fromkeys(i for a in ordered for i in (*a.found, *a.missed)))
    indicator_ids += [i for i in dict.fromkeys(i for a in ordered for i in a.unsupported) if i not in indicator_ids]
    indicators = tuple(
        IndicatorFigures(
            indicator=indicator,
            by_phase={
                phase: IndicatorCount(
                    asked=sum(indicator in (*a.found, *a.missed) for a in done if phase_of(a) == phase),
                    found=sum(indicator in a.found for a in done if phase_of(a) == phase),
                    unsupported=sum(indicator in a.unsupported for a in done if phase_of(a) == phase),
                )
                for phase in PHASES
            },
        )
        for indicator in indicator_ids
    )
    people = list(dict.fromkeys([*trainees, *(a.trainee for a in done)]))
    trainee_figures = tuple(
        TraineeFigures(
            trainee=person,
            overall=Figures.of(a for a in done if a.trainee == person),
            by_phase={
                phase: Figures.of(a for a in done if a.trainee == person and phase_of(a) == phase) for phase in PHASES
            },
        )
        for person in people
    )
    return ClassReport(by_phase=by_phase, scenarios=scenarios, indicators=indicators, trainees=trainee_figures)
