"""A trainee rehearses a scenario on the real checklist's pages (issue 14, "Rehearse the real flow"):
safety check, profile, one section per page, the child module when the profile calls for it, check
your answers, result, consent, a slip marked TRAINING, then the feedback. Nothing of it becomes a
real screening, a statistic or an audited event."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening import operations as ops
from screening.core.languages import localise
from screening.core.model import Content, Scenario
from screening.models import AuditEvent, Screening, ScreeningStat, TrainingRun
from tests.conftest import Client
from tests.rehearsal import profile_form, rehearse
from tests.test_training import create_session, join


def _nothing_real(app: Flask) -> None:
    with Session(app.extensions["screening.engine"]) as db:
        assert db.scalar(select(func.count()).select_from(Screening)) == 0
        assert db.scalar(select(func.count()).select_from(ScreeningStat)) == 0
        actions = set(db.scalars(select(AuditEvent.action)))
        assert not {a for a in actions if a.startswith(("screening", "slip", "consent"))}, actions


def _narrative_shown(page: str, scenario: Scenario, locale: str) -> bool:
    first_words = " ".join(localise(scenario.narrative, locale).split()[:8])
    return html.escape(first_words) in " ".join(page.split()) and "rehearsal-narrative" in page


def test_a_rehearsal_runs_through_the_real_pages(app: Flask, content: Content) -> None:
    scenario = content.scenarios["mig-vermica-lorry-urgent"]  # someone in danger: the safety check stops
    indicator_set = content.get_set(scenario.set_id, scenario.set_version)
    assert indicator_set is not None
    _trainer, code = create_session(app, content, [scenario.id])
    arta = join(app, code, "Arta", "police", "en")

    pages: list[str] = []
    original_get = arta.get

    def remembering_get(url: str, **kwargs: object) -> object:
        response = original_get(url, **kwargs)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append(response.get_data(as_text=True))
        return response

    arta.get = remembering_get  # type: ignore[method-assign]
    steps = rehearse(arta, scenario, scenario.must_mark)
    assert steps == ops.steps(indicator_set, child=False)  # the checklist's own pages, in its order
    danger = [page for page in pages if "Someone is in immediate danger" in page]
    assert danger and "backup" in danger[0]  # the safety stop is rehearsed, as a police officer is told
    for page in pages:  # every page says TRAINING and keeps the case in view
        assert "TRAINING" in page and _narrative_shown(page, scenario, "en")
    assert "Show the person" not in " ".join(pages)  # no person view in a classroom

    result = arta.get(f"/t/{scenario.id}/result").get_data(as_text=True)
    assert "What to do now" in result and "TRAINING" in result
    for contact in scenario.expected_referrals:
        assert html.escape(localise(content.directory.contacts[contact].name, "en")) in result
    assert f"/t/{scenario.id}/feedback" in result

    consent = arta.post(f"/t/{scenario.id}/consent", data={"consent": "given", "informed_of_rights": "yes"})
    assert consent.status_code == 302 and consent.headers["Location"].endswith("/result#referrals")
    with Session(app.extensions["screening.engine"]) as db:
        run = db.scalars(select(TrainingRun)).one()
        assert (run.consent, run.informed_of_rights, run.slip_number[:2]) == ("given", True, "T-")
    assert arta.post(f"/t/{scenario.id}/consent", data={"consent": "maybe"}).status_code == 400

    slip = arta.get(f"/t/{scenario.id}/slip?lang=sq").get_data(as_text=True)
    assert "training-watermark" in slip and run.slip_number in slip and "Arta" in slip
    assert f"/t/{scenario.id}/result" in slip  # its Back link leads to the rehearsal, not a screening

    feedback = arta.get(f"/t/{scenario.id}/feedback").get_data(as_text=True)
    assert "100" in feedback and _narrative_shown(feedback, scenario, "en")
    assert arta.get(f"/t/{scenario.id}").headers["Location"].endswith(f"/t/{scenario.id}/result")
    _nothing_real(app)


def test_the_child_module_joins_as_the_profile_says(app: Flask, content: Content) -> None:
    scenario = content.scenarios["gen-merdare-found-child"]
    indicator_set = content.get_set(scenario.set_id, scenario.set_version)
    assert indicator_set is not None and indicator_set.child_sections
    _trainer, code = create_session(app, content, [scenario.id])
    right = join(app, code, "Arta", "border_police", "sq")
    wrong = join(app, code, "Jane", "border_police", "en")

    assert rehearse(right, scenario, scenario.must_mark) == ops.steps(indicator_set, child=True)
    as_adult = {**scenario.profile, "age": 30, "age_estimate": None}
    assert rehearse(wrong, scenario, scenario.must_mark, profile=as_adult) == ops.steps(indicator_set, child=False)

    told = wrong.get(f"/t/{scenario.id}/feedback").get_data(as_text=True)
    assert "your profile treated them as an adult" in told  # the child rule was lost with the profile
    assert "your profile treated them" not in right.get(f"/t/{scenario.id}/feedback").get_data(as_text=True)
    _nothing_real(app)


def test_a_rehearsal_page_is_refused_before_it_begins_and_for_another_class(app: Flask, content: Content) -> None:
    first, other = sorted(content.scenarios.values(), key=lambda s: s.id)[:2]
    _trainer, code = create_session(app, content, [first.id])
    jane = join(app, code, "Jane", "health_worker", "en")
    early = jane.get(f"/t/{first.id}/result")
    assert early.status_code == 302 and early.headers["Location"].endswith(f"/t/{first.id}")
    assert jane.get(f"/t/{other.id}").status_code == 404  # not one of this class's scenarios
    assert jane.get(f"/t/{other.id}/s/safety").status_code == 404
    jane.get(f"/t/{first.id}")
    assert jane.get(f"/t/{first.id}/s/nowhere").status_code == 404
    assert jane.get(f"/t/{first.id}/slip").status_code == 404  # no slip before the result
    assert Client(app.test_client()).get(f"/t/{first.id}/s/safety").headers["Location"].endswith("/join")


def test_an_incomplete_profile_is_refused_in_a_rehearsal_too(app: Flask, content: Content) -> None:
    scenario = content.scenarios["gen-prizren-motel-woman"]
    _trainer, code = create_session(app, content, [scenario.id])
    jane = join(app, code, "Jane", "police", "en")
    jane.get(jane.get(f"/t/{scenario.id}").headers["Location"])
    jane.post(f"/t/{scenario.id}/s/safety", data={"_action": "next"})
    jane.get(f"/t/{scenario.id}/s/profile")
    refused = jane.post(f"/t/{scenario.id}/s/profile", data={"_action": "next"})
    assert refused.status_code == 400 and "error-summary" in refused.get_data(as_text=True)
    accepted = jane.post(f"/t/{scenario.id}/s/profile", data=profile_form(scenario.profile))
    assert accepted.status_code == 302


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_training_slip_pdf_says_training_on_every_page(app: Flask, content: Content, tmp_path: Path) -> None:
    scenario = content.scenarios["lab-prizren-bar-urgent"]
    _trainer, code = create_session(app, content, [scenario.id])
    milan = join(app, code, "Milan", "labour_inspector", "sr_Cyrl")
    rehearse(milan, scenario, scenario.must_mark)
    response = milan.get(f"/t/{scenario.id}/slip.pdf?lang=sr_Cyrl")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "slip.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    pages = [page for page in text.decode().split("\f") if page.strip()]
    assert pages and all(re.search(r"ОБУКА|TRAINING", page) for page in pages), pages
    _nothing_real(app)
