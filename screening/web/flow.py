"""The checklist's pages serve two flows: a real screening and a training rehearsal of a scenario.

A trainee rehearses on the very pages a screener uses (safety check, profile, one section per
page, the child module, check your answers, result, consent, slip), so what is learned is the real
form. What differs is only where the pages' links lead (a :class:`Flow`) and where their answers
are kept (a :class:`Store`): a real screening in ``screenings``, a rehearsal in ``training_runs``,
never counted in statistics nor audited as a real event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import url_for

from screening.models import Screening

#: The pages of a flow, each named by what it is; a flow maps each to its endpoint.
PAGES = ("step", "danger", "result", "consent", "slip", "slip_pdf")


@dataclass(frozen=True)
class Flow:
    """Where a checklist page's forms and links lead: ``endpoints`` by page, with ``values`` (the
    screening's token or the rehearsed scenario) added to each."""

    endpoints: Mapping[str, str]
    values: Mapping[str, str] = field(default_factory=dict)
    training: bool = False

    def url(self, page: str, **values: Any) -> str:
        return url_for(self.endpoints[page], **{**self.values, **values})


def checklist_flow(token: str) -> Flow:
    """The pages of a real screening."""
    return Flow({page: f"checklist.{page}" for page in PAGES}, {"token": token})


def rehearsal_flow(scenario_id: str) -> Flow:
    """The pages of a trainee's rehearsal of one scenario."""
    return Flow({page: f"training.rehearse_{page}" for page in PAGES}, {"scenario_id": scenario_id}, training=True)


class Store(Protocol):
    """Where a flow keeps what its pages send. Each call updates ``screening`` too, so the page
    reads back what it has just saved."""

    @property
    def flow(self) -> Flow: ...

    def save_answers(self, screening: Screening, answers: dict[str, str], step: str) -> None: ...

    def save_profile(self, screening: Screening, profile: dict[str, Any], step: str) -> None: ...

    def complete(self, screening: Screening, locale: str) -> None: ...

    def record_consent(self, screening: Screening, consent: str, informed: bool) -> None: ...
