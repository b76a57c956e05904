"""Training mode through the test client: a trainer and three trainees in three languages."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.core.languages import localise
from screening.core.model import Content
from screening.core.training import give_feedback
from screening.models import AuditEvent, Screening, TrainingAttempt, TrainingSession
from screening.web.forms import field_name
from tests.conftest import Client, login, make_user
from tests.rehearsal import rehearse


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
    page = milan.get(f"/t/{first.id}/s/safety")
    assert page.status_code == 302  # a rehearsal begins at its beginning
    page = milan.get(milan.get(f"/t/{first.id}").headers["Location"])
    assert '<html lang="sr-Cyrl"' in page.get_data(as_text=True)
    assert "ОБУКА" in page.get_data(as_text=True) or "TRAINING" in page.get_data(as_text=True)

    rehearse(arta, first, first.must_mark)
    rehearse(milan, first, first.must_mark[1:])
    rehearse(jane, first, [])
    again = jane.post(  # a second try is refused: the rehearsal is finished
        f"/t/{first.id}/s/safety", data={field_name(first.must_mark[0]): "yes", "_action": "next"}
    )
    assert again.status_code == 302 and again.headers["Location"].endswith("/result")
    with Session(app.extensions["screening.engine"]) as db:
        attempts = db.scalars(select(TrainingAttempt)).all()
        assert len(attempts) == 3  # one each: Jane's late "yes" changed nothing
        assert [a.feedback["found"] for a in attempts][2] == [] and "yes" not in attempts[2].answers.values()
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
    rows = list(csv.DictReader(io.StringIO(trainer.get(f"/training/{code}.csv").get_data(as_text=True))))
    people = [r for r in rows if r["row"] == "trainee" and r["phase"] == ""]
    assert [r["name"] for r in people] == ["Arta", "Milan", "Jane"]
    assert (people[0]["profession"], people[0]["attempts"], people[0]["score"]) == ("police", "1", "100")

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


def _flat(page: str) -> str:
    """The page with its whitespace runs made single spaces (to find a table row in it)."""
    return re.sub(r"\s+", " ", page)


def test_before_and_after_the_training(app: Flask, content: Content) -> None:
    before, after = content.scenarios["gen-prizren-motel-woman"], content.scenarios["gen-peje-drug-courier"]
    trainer, code = create_session(app, content, [before.id, after.id])
    page = trainer.get(f"/training/{code}").get_data(as_text=True)
    assert 'name="phase_0"' in page and 'name="phase_1"' in page  # by position: no id in the page
    response = trainer.post(f"/training/{code}/phases", data={"phase_0": "before", "phase_1": "after"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/training/{code}#phases")
    assert trainer.post(f"/training/{code}/phases", data={"phase_0": "during"}).status_code == 302  # refused
    with Session(app.extensions["screening.engine"]) as db:
        training = db.scalars(select(TrainingSession).where(TrainingSession.code == code)).one()
        assert training.scenario_phases == {before.id: "before", after.id: "after"}

    indicator_set = content.get_set(before.set_id, before.set_version)
    assert indicator_set is not None
    supported = {*before.must_mark, *before.may_mark, *after.must_mark}
    stray = next(i.id for s in indicator_set.sections for i in s.indicators if i.id not in supported)
    plan = {  # what each trainee marks yes
        ("Arta", before.id): [*before.must_mark[:3], stray],  # 3 of 9 found, 1 unsupported
        ("Jane", before.id): list(before.must_mark[:6]),  # 6 of 9
        ("Arta", after.id): list(after.must_mark),  # 10 of 10
        ("Jane", after.id): list(after.must_mark[:-1]),  # 9 of 10
    }
    arta = join(app, code, "Arta", "police", "sq")
    jane = join(app, code, "Jane", "labour_inspector", "en")
    for (name, scenario_id), marked in plan.items():
        rehearse(arta if name == "Arta" else jane, content.scenarios[scenario_id], marked)
    engine = {
        key: give_feedback(content, content.scenarios[key[1]], dict.fromkeys(v, "yes")) for key, v in plan.items()
    }
    right = {
        phase: sum(engine[(n, s.id)].outcome == engine[(n, s.id)].expected_outcome for n in ("Arta", "Jane")) * 50
        for phase, s in (("before", before), ("after", after))
    }
    contacts = {
        phase: sum(dict(engine[(n, s.id)].referrals) == dict(s.expected_referrals) for n in ("Arta", "Jane")) * 50
        for phase, s in (("before", before), ("after", after))
    }
    assert right["after"] >= 50 and contacts["after"] >= 50  # Arta's full marks give the expected outcome

    # found: (3 + 6) of 18 = 50 % before, (10 + 9) of 20 = 95 % after, +45 points
    # unsupported marks per answer: 1 / 2 = 0.5 before, 0 after
    view = _flat(trainer.get(f"/training/{code}").get_data(as_text=True))
    report = _flat(trainer.get(f"/training/{code}/summary").get_data(as_text=True))
    for page in (view, report):
        assert "Before and after the training" in page
        assert (
            '<th scope="row">Must-find indicators found</th><td class="num">50 %</td>'
            '<td class="num">95 %</td><td class="num">+45</td>'
        ) in page
        assert '<th scope="row">Unsupported marks per answer</th><td class="num">0.5</td><td class="num">0</td>' in page
        assert f'<th scope="row">Right outcome</th><td class="num">{right["before"]} %</td>' in page
        assert f'<td class="num">{right["after"]} %</td>' in page
        assert f'<th scope="row">Right contacts</th><td class="num">{contacts["before"]} %</td>' in page
        # per indicator, by its text: the stray mark counted before, not after; the first must-find found by both
        stray_text = html.escape(localise(indicator_set.indicator(stray).text, "en"))  # type: ignore[union-attr]
        assert f'<td>{stray_text}</td> <td class="num">–</td> <td class="num">–</td> <td class="num">1</td>' in page
        first_text = html.escape(localise(indicator_set.indicator(before.must_mark[0]).text, "en"))  # type: ignore[union-attr]
        assert f'<td>{first_text}</td> <td class="num">2 / 2 (100 %)</td>' in page
        # per scenario: the before scenario, 2 answers, 9 of 18 found
        assert '<td class="num">2</td> <td class="num">9 / 18 (50 %)</td>' in page
        assert '<td class="num">2</td> <td class="num">19 / 20 (95 %)</td>' in page
        assert_no_ids(page, content, [before.id, after.id])
    assert (
        "@media print" in (Path(__file__).parents[1] / "screening/static/app.css").read_text()
        and 'class="training-report"' in report
    )

    rows = list(csv.DictReader(io.StringIO(trainer.get(f"/training/{code}.csv").get_data(as_text=True))))
    by_phase = {r["phase"]: r for r in rows if r["row"] == "class"}
    assert (by_phase["before"]["found_pct"], by_phase["after"]["found_pct"]) == ("50", "95")
    assert (by_phase["before"]["must_find"], by_phase["before"]["found"], by_phase["before"]["unsupported"]) == (
        "18",
        "9",
        "1",
    )
    assert (by_phase["before"]["unsupported_per_attempt"], by_phase["after"]["unsupported_per_attempt"]) == (
        "0.5",
        "0.0",
    )
    assert by_phase["before"]["right_outcome_pct"] == str(right["before"])
    assert by_phase["after"]["right_contacts_pct"] == str(contacts["after"])
    scenario_rows = [r for r in rows if r["row"] == "scenario"]
    assert [(r["name"], r["phase"], r["found_pct"]) for r in scenario_rows] == [
        (localise(before.title, "en"), "before", "50"),
        (localise(after.title, "en"), "after", "95"),
    ]
    stray_rows = {
        r["phase"]: r
        for r in rows
        if r["row"] == "indicator" and r["name"] == localise(indicator_set.indicator(stray).text, "en")
    }  # type: ignore[union-attr]
    assert (stray_rows["before"]["unsupported"], stray_rows["after"]["unsupported"]) == ("1", "0")
    arta_rows = {r["phase"]: r for r in rows if r["row"] == "trainee" and r["name"] == "Arta"}
    assert arta_rows["after"]["score"] == "100" and arta_rows["before"]["found"] == "3"
    assert not any(i in cell for r in rows for cell in r.values() for i in (before.id, after.id, stray))

    # a trainee sees their feedback by texts, never the class's figures
    feedback = arta.get(f"/t/{before.id}/feedback").get_data(as_text=True)
    assert html.escape(localise(indicator_set.indicator(stray).text, "sq")) in feedback  # type: ignore[union-attr]
    assert_no_ids(feedback, content, [])
    for path in (f"/training/{code}", f"/training/{code}/summary", f"/training/{code}.csv"):
        response = arta.get(path)
        assert response.status_code in (302, 401, 403, 404), path
        assert "Must-find" not in response.get_data(as_text=True)
    assert arta.post(f"/training/{code}/phases", data={"phase_0": "after"}).status_code in (302, 400, 401, 403, 404)
    with Session(app.extensions["screening.engine"]) as db:
        training = db.scalars(select(TrainingSession).where(TrainingSession.code == code)).one()
        assert training.scenario_phases[before.id] == "before"


def assert_no_ids(page: str, content: Content, scenario_ids: list[str]) -> None:
    """Neither an indicator id of the scenarios' sets nor a scenario id appears in the page."""
    for scenario_id in scenario_ids:
        assert scenario_id not in page
    for scenario in content.scenarios.values():
        indicator_set = content.get_set(scenario.set_id, scenario.set_version)
        assert indicator_set is not None
        shown = [item for item in indicator_set.item_ids if re.search(rf"(?<![\w.]){re.escape(item)}(?![\w.])", page)]
        assert not shown, shown
