"""The statistics tables on SQLite and PostgreSQL: written at completion, kept by erasure, filled by
the migration from stored screenings, and counted by the database as the rows in Python were."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from hypothesis import given, settings
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening import operations as ops
from screening import statistics_db
from screening.db import alembic_config, upgrade
from screening.models import Screening, ScreeningStat, ScreeningStatForm, ScreeningStatReferral
from screening.statistics import Row, month_of
from tests.conftest import Client, login, make_app, make_user
from tests.statistics_helpers import reference_counts, stored
from tests.test_api import BODY, BODY_LEVEL, auth, token_for
from tests.test_disclosure import _page_tables, rows_strategy
from tests.test_statistics import _screen


def _session(app: Flask) -> Session:
    return Session(app.extensions["screening.engine"])


def _stat(db: Session, stat: ScreeningStat) -> dict[str, Any]:
    forms = db.scalars(select(ScreeningStatForm.form).where(ScreeningStatForm.stat_id == stat.id)).all()
    referrals = db.execute(
        select(ScreeningStatReferral.contact, ScreeningStatReferral.priority).where(
            ScreeningStatReferral.stat_id == stat.id
        )
    ).all()
    return {
        "month": stat.month,
        "institution": stat.institution,
        "municipality": stat.municipality,
        "set_id": stat.set_id,
        "level": stat.level,
        "sex": stat.sex,
        "age_group": stat.age_group,
        "origin": stat.origin,
        "forms": set(forms),
        "referrals": {tuple(r) for r in referrals},
    }


def test_completion_writes_the_statistics_row_once(app: Flask, client: Client) -> None:
    _screen(client, "20")  # general set, presumed, a woman of 20 from Albania, Peja
    [base] = [f"/s/{s.token}" for s in _screenings(app)]
    client.post(f"{base}/review", data={"_action": "finish"})  # a second tap changes nothing
    with _session(app) as db:
        [screening] = db.scalars(select(Screening)).all()
        [stat] = db.scalars(select(ScreeningStat)).all()
        row = _stat(db, stat)
    assert stat.screening_id == screening.id
    assert {k: v for k, v in row.items() if k not in ("forms", "referrals")} == {
        "month": month_of(dt.datetime.now(dt.UTC)),
        "institution": "police",
        "municipality": "peje",
        "set_id": "general",
        "level": 3,
        "sex": "female",
        "age_group": "18_22",
        "origin": "AL",
    }
    assert row["forms"] == set(screening.result["forms"])  # type: ignore[index]
    assert row["referrals"] == {(r["contact"], r["priority"]) for r in screening.referrals or []}
    assert ("dithb", "now") in row["referrals"]


def test_the_api_writes_the_row_in_the_transaction_that_creates_the_screening(app: Flask) -> None:
    client = app.test_client()
    headers = {**auth(token_for(app)), "Idempotency-Key": "tablet-stats-attempt-1"}
    assert client.post("/api/v1/screenings", json=BODY, headers=headers).status_code == 201
    assert client.post("/api/v1/screenings", json=BODY, headers=headers).status_code == 200
    with _session(app) as db:
        [stat] = db.scalars(select(ScreeningStat)).all()
        [screening] = db.scalars(select(Screening)).all()
    assert (stat.screening_id, stat.level, stat.sex, stat.age_group) == (screening.id, BODY_LEVEL, "female", "26_30")


def test_consent_changes_the_counted_referrals_until_erasure(app: Flask, client: Client) -> None:
    _screen(client, "20")
    content = app.extensions["screening.content"]
    with _session(app) as db:
        [screening] = db.scalars(select(Screening)).all()
        ops.record_consent(db, content, screening, "declined", True)
        [stat] = db.scalars(select(ScreeningStat)).all()
        declined = {(r["contact"], r["priority"]) for r in screening.referrals or []}
        assert _stat(db, stat)["referrals"] == declined
        kept = statistics_db.counts(db, statistics_db.Filters())
        assert kept["by_referral"] == {f"{c}:{p}": 1 for c, p in declined}
        statistics_db.rebuild_counts(db)
        assert statistics_db.counts(db, statistics_db.Filters()) == kept
        ops.erase(db, screening, actor="test", reason="request")
        db.commit()
        ops.record_consent(db, content, screening, "given", True)  # refused: erased
        assert _stat(db, stat)["referrals"] == declined


def _screenings(app: Flask) -> list[Screening]:
    with _session(app) as db:
        return list(db.scalars(select(Screening).order_by(Screening.id)))


def test_erasing_a_screening_keeps_its_counts_and_unlinks_them(app: Flask, client: Client) -> None:
    for age in ("20", "20", "45"):
        _screen(client, age)
    with _session(app) as db:
        before = statistics_db.counts(db, statistics_db.Filters())
    first = _screenings(app)[0]
    client.get(f"/s/{first.token}/erase")
    assert client.post(f"/s/{first.token}/erase").status_code == 302
    with _session(app) as db:
        db.execute(Screening.__table__.update().values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=91)))
        db.commit()
        assert ops.purge(db, retention_days=90) == 2
        assert statistics_db.counts(db, statistics_db.Filters()) == before
        statistics_db.rebuild_counts(db)  # the counts kept up to date are those grouped from the rows
        assert statistics_db.counts(db, statistics_db.Filters()) == before
        assert db.scalars(select(ScreeningStat.screening_id)).all() == [None, None, None]
        assert all(s.result is None and s.referrals is None for s in db.scalars(select(Screening)))


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(rows_strategy)
def test_the_counts_kept_at_each_write_are_those_grouped_from_the_rows(rows: list[Row]) -> None:
    with stored(rows) as db:
        kept = statistics_db.counts(db, statistics_db.Filters())
        statistics_db.rebuild_counts(db)
        assert statistics_db.counts(db, statistics_db.Filters()) == kept
    assert kept == {name: reference_counts(rows)[name] for name in kept}  # as Python counted them


# --- the migration, and the numbers of a mixed archive ------------------------------------------

#: Screenings as versions before 0011 stored them: erased ones kept their coarse fields in the result.
OLD_SCREENINGS: list[dict[str, Any]] = [
    {  # a woman of 20 from Albania in Peja, presumed
        "institution": "police",
        "set_id": "general",
        "completed_at": dt.datetime(2026, 10, 5, 10, tzinfo=dt.UTC),
        "profile": {"age": 20, "sex": "female", "nationality": "other", "country": "AL", "municipality": "peje"},
        "result": {"level": 3, "forms": ["forced_labour", "prostitution"]},
        "referrals": [{"contact": "dithb", "priority": "now"}, {"contact": "vaao", "priority": "now"}],
    },
    {  # erased by 0008: a boy from Kosovo in Prizren, possible; 23:30 UTC is already November in Kosovo
        "institution": "police",
        "set_id": "general",
        "completed_at": dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC),
        "erased_at": dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
        "profile": {},
        "result": {
            "level": 2,
            "child": True,
            "urgent": False,
            "forms": ["begging"],
            "set_id": "general",
            "set_version": "2026.2",
            "municipality": "prizren",
            "coarse": {"sex": "male", "age_group": "under_18", "origin": "XK"},
        },
        "referrals": [{"contact": "csw", "priority": "now"}, {"contact": "dithb", "priority": "within_24h"}],
    },
    {  # no indicator; age not known, sex not stated, from Kosovo, no municipality
        "institution": "health",
        "set_id": "health",
        "completed_at": dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
        "profile": {"age_unknown": True, "sex": "not_stated", "nationality": "kosovo"},
        "result": {"level": 0, "forms": []},
        "referrals": [],
    },
    {  # erased by 0008 with no municipality: a concern
        "institution": "labour_inspectorate",
        "set_id": "labour",
        "completed_at": dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC),
        "erased_at": dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
        "profile": {},
        "result": {"level": 1, "forms": [], "coarse": {"sex": "female", "age_group": "36_40", "origin": "RS"}},
        "referrals": [{"contact": "labour_inspectorate", "priority": "routine"}],
    },
    {  # a woman of 45 from Serbia in Peja, presumed
        "institution": "police",
        "set_id": "general",
        "completed_at": dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC),
        "profile": {"age": 45, "sex": "female", "nationality": "other", "country": "RS", "municipality": "peje"},
        "result": {"level": 3, "forms": ["prostitution"]},
        "referrals": [{"contact": "dithb", "priority": "now"}],
    },
    {"status": "draft", "institution": "police", "set_id": "general", "profile": {"age": 30}},  # never counted
]

#: What the dashboard showed for OLD_SCREENINGS before 0011 (worked out from the list above by hand).
EXPECTED = {
    "by_month": {"2026-10": 2, "2026-11": 3},
    "by_institution": {"health": 1, "labour_inspectorate": 1, "police": 3},
    "by_municipality": {"peje": 2, "prizren": 1, "unknown": 2},
    "by_set": {"child": 0, "general": 3, "health": 1, "labour": 1, "migrants": 0},
    "by_level": {"0": 1, "1": 1, "2": 1, "3": 2},
    "by_referral": {
        "csw:now": 1,
        "dithb:now": 2,
        "dithb:within_24h": 1,
        "labour_inspectorate:routine": 1,
        "vaao:now": 1,
    },
    "serious_by_sex": {"female": 2, "male": 1, "not_stated": 0, "unknown": 0},
    "serious_by_age": {
        "under_18": 1,
        "18_22": 1,
        "23_25": 0,
        "26_30": 0,
        "31_35": 0,
        "36_40": 0,
        "over_40": 1,
        "unknown": 0,
    },
    "serious_by_origin": {"XK": 1, "AL": 1, "RS": 1},
    "serious_by_form": {"begging": 1, "forced_labour": 1, "prostitution": 2},
}


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app (no small-cell threshold, so every count shows) on a database that held
    OLD_SCREENINGS at revision 0010 (before the statistics tables) and was then upgraded."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    application = make_app(tmp_path, url, small_cell_threshold=1)
    engine = application.extensions["screening.engine"]
    command.downgrade(alembic_config(engine), "0010")
    with Session(engine) as db:
        for number, fields in enumerate(OLD_SCREENINGS):
            db.add(_old_screening(number, fields))
        db.commit()
    upgrade(engine)
    yield application
    engine.dispose()


def _old_screening(number: int, fields: dict[str, Any]) -> Screening:
    return Screening(
        token=secrets.token_urlsafe(24),
        start_key=f"old-{number}",
        status=fields.get("status", "completed"),
        set_version="2026.2",
        locale="en",
        role="first_contact_officer",
        step="result",
        answers={} if "erased_at" in fields else {"doc.held_by_controller": "yes"},
        **{k: v for k, v in fields.items() if k != "status"},
    )


def test_the_migration_fills_the_statistics_from_every_completed_screening(archive: Flask) -> None:
    with _session(archive) as db:
        stats = db.scalars(select(ScreeningStat)).all()
        screenings = {s.start_key: s for s in db.scalars(select(Screening))}
        rows = {s.screening_id: _stat(db, s) for s in stats if s.screening_id is not None}
        erased_rows = [_stat(db, s) for s in stats if s.screening_id is None]
    assert len(stats) == 5  # the draft is not counted
    assert len(erased_rows) == 2  # erased screenings' rows are not linked to them
    assert {"month": "2026-10", "municipality": "prizren", "sex": "male", "age_group": "under_18"}.items() <= (
        next(r for r in erased_rows if r["level"] == 2).items()
    )
    boy = next(r for r in erased_rows if r["level"] == 2)
    assert boy["forms"] == {"begging"} and boy["referrals"] == {("csw", "now"), ("dithb", "within_24h")}
    first = rows[screenings["old-0"].id]
    assert (first["origin"], first["age_group"], first["forms"]) == ("AL", "18_22", {"forced_labour", "prostitution"})
    assert rows[screenings["old-2"].id]["age_group"] == "unknown" and rows[screenings["old-2"].id]["origin"] == "XK"
    # What erased screenings kept for the counts is gone from them: the statistics rows hold it now.
    assert screenings["old-1"].result is None and screenings["old-1"].referrals is None
    assert screenings["old-0"].result == OLD_SCREENINGS[0]["result"]


def _csv(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _counts(client: Client, table: str, query: str = "") -> dict[str, int]:
    return {line["key"]: int(line["count"]) for line in _csv(client, f"/admin/statistics/{table}.csv{query}")}


def test_the_dashboard_and_every_csv_give_the_numbers_of_a_mixed_archive(archive: Flask) -> None:
    supervisor = Client(archive.test_client())
    login(supervisor, make_user(archive, "boss", "supervisor"))
    exported = {table: _counts(supervisor, table) for table in EXPECTED}
    assert exported == EXPECTED
    shown, total = _page_tables(supervisor.get("/admin/statistics").get_data(as_text=True))
    assert total == 5
    assert shown == {table: list(cells.values()) for table, cells in EXPECTED.items()}
    # Filters: whole months (a full date stands for its month), institution, set.
    assert _counts(supervisor, "by_level", "?start=2026-11") == {"0": 1, "1": 1, "2": 0, "3": 1}
    assert _counts(supervisor, "by_level", "?start=2026-11-20") == {"0": 1, "1": 1, "2": 0, "3": 1}
    assert _counts(supervisor, "by_month", "?institution=police&end=2026-10") == {"2026-10": 2}
    assert _counts(supervisor, "serious_by_form", "?set_id=general&start=2026-10&end=2026-10") == {
        "begging": 1,
        "forced_labour": 1,
        "prostitution": 1,
    }
    assert _counts(supervisor, "by_referral", "?institution=health") == {}


def test_the_record_export_streams_every_record_of_the_archive(archive: Flask) -> None:
    admin = Client(archive.test_client())
    login(admin, make_user(archive, "root", "admin"))
    response = admin.get("/admin/records.csv")
    assert response.is_streamed
    records = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(records) == 5 and len({r["record_id"] for r in records}) == 5
    boy = next(r for r in records if r["kos_Level"] == "2")
    assert boy == {
        "record_id": boy["record_id"],
        "kos_CompletedMonth": "2026-10",
        "kos_Institution": "police",
        "kos_Municipality": "prizren",
        "kos_IndicatorSet": "general",
        "kos_Level": "2",
        "prs_Gender": "Male",
        "kos_AgeGroup": "under_18",
        "prs_Nationality": "XK",
        "vic_TypeOfSexExploitation": "",
        "vic_TypeOfLabourExploitation": "Begging",
        "kos_FormsOfExploitation": "begging",
        "cas_ReferredOrganisation": "csw;dithb",
    }
    assert [r["record_id"] for r in _csv(admin, "/admin/records.csv")] == [r["record_id"] for r in records]
    assert len(_csv(admin, "/admin/records.csv?start=2026-11&institution=police")) == 1
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert "5 rows" in audit and "1 row" in audit
