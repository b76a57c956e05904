"""Training mode through the test client: a trainer and three trainees in three languages."""

from __future__ import annotations

import html

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.core.languages import localise
from screening.core.model import Content
from screening.models import AuditEvent, Screening
from screening.web.forms import field_name
from tests.conftest import Client, login, make_user


def create_session(app: Flask, content: Content, scenario_ids: list[str]) -> tuple[Client, str]:
    trainer = Client(app.test_client())
    login(trainer, make_user(app, "coach", "trainer"))
    trainer.get("/training/")
    response = trainer.post(
        "/training/",
        data={
            "place": "Prishtinë, police academy",
            "held_on": "2026-11-28",
            "language": "sq",
            "scenarios": scenario_ids,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return trainer, response.headers["Location"].rsplit("/", 1)[1]


def join(app: Flask, code: str, name: str, profession: str, language: str) -> Client:
    trainee = Client(app.test_client())
    trainee.get(f"/join?code={code}")
    response = trainee.post(
        "/join", data={"code": code.lower(), "display_name": name, "profession": profession, "language": language}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return trainee


def test_a_class_end_to_end_in_three_languages(app: Flask, content: Content) -> None:
    first, second = sorted(content.scenarios.values(), key=lambda s: s.id)[:2]
    trainer, code = create_session(app, content, [first.id, second.id])
    class_page = trainer.get(f"/training/{code}").get_data(as_text=True)
    assert code in class_page and "data:image/svg+xml;base64," in class_page and "TRAINING" in class_page

    arta = join(app, code, "Arta", "police", "sq")
    milan = join(app, code, "Milan", "social_worker", "sr_Cyrl")
    jane = join(app, code, "Jane", "health_worker", "en")
    page = milan.get(f"/t/{first.id}")
    assert '<html lang="sr-Cyrl"' in page.get_data(as_text=True)
    assert "ОБУКА" in page.get_data(as_text=True) or "TRAINING" in page.get_data(as_text=True)

    arta.post(f"/t/{first.id}", data={field_name(i): "yes" for i in first.must_mark})
    milan.post(f"/t/{first.id}", data={field_name(i): "yes" for i in first.must_mark[1:]})
    jane.post(f"/t/{first.id}", data={})
    again = jane.post(f"/t/{first.id}", data={field_name(first.must_mark[0]): "yes"})  # a second try is refused
    assert again.status_code == 302 and again.headers["Location"].endswith("/feedback")
    feedback = milan.get(f"/t/{first.id}/feedback").get_data(as_text=True)
    missed_text = {i.id: i.text for i in content.get_set(first.set_id, first.set_version).indicators}[
        first.must_mark[0]
    ]
    assert html.escape(localise(missed_text, "sr_Cyrl")) in feedback
    assert first.must_mark[0] not in feedback  # the indicator by its text, never its id

    view = trainer.get(f"/training/{code}").get_data(as_text=True)
    assert all(name in view for name in ("Arta", "Milan", "Jane"))
    assert f"{html.escape(missed_text['en'])} × 2" in view  # missed by Milan and Jane, named by its text
    report = trainer.get(f"/training/{code}/summary").get_data(as_text=True)
    assert "Prishtinë, police academy" in report
    rows = trainer.get(f"/training/{code}.csv").get_data(as_text=True).splitlines()
    assert rows[0].startswith("session,date,place,trainee") and len(rows) == 4
    assert ",Arta,police,1,100" in rows[1]

    with Session(app.extensions["screening.engine"]) as db:  # training never becomes a real case
        assert db.scalar(select(func.count()).select_from(Screening)) == 0
        assert not db.scalars(select(AuditEvent).where(AuditEvent.action.like("screening%"))).all()


def test_a_wrong_code_or_no_join_is_handled(app: Flask, anonymous: Client) -> None:
    anonymous.get("/join")
    response = anonymous.post(
        "/join", data={"code": "ZZZZZZ", "display_name": "X", "profession": "police", "language": "en"}
    )
    assert response.status_code == 400 and "No class has this code" in response.get_data(as_text=True)
    assert anonymous.get("/t/").headers["Location"].endswith("/join")


def test_trainers_see_only_their_own_sessions(app: Flask, content: Content, anonymous: Client) -> None:
    _trainer, code = create_session(app, content, [next(iter(content.scenarios))])
    login(anonymous, make_user(app, "other-coach", "trainer"))
    assert anonymous.get(f"/training/{code}").status_code == 404
