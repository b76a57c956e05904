"""The slip's PDF is laid out once per screening, language and content, ahead of its download when
the officer opens the result page or the print view, and kept for every worker and app server in
the database until the screening is erased (issue 13: "a slip without a wait")."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from screening import slip_pdfs
from screening.models import Screening, SlipPdf
from screening.web import slip
from tests.conftest import Client, login, make_app, make_user
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, start

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slips laid out as PDF during the test (their HTML), in a request or in the background."""
    made: list[str] = []
    real = slip.pdf_bytes

    def counting(html: str) -> bytes:
        made.append(html)
        return real(html)

    monkeypatch.setattr(slip, "pdf_bytes", counting)
    return made


@pytest.fixture(params=["sqlite", "postgresql"])
def ahead_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app as deployed: slips are laid out ahead of their download."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    application = make_app(tmp_path, url, slip_render_ahead=True)
    yield application
    slip.RENDER_AHEAD.wait()  # nothing left writing to a database about to be dropped
    application.extensions["screening.engine"].dispose()


def logged_in(app: Flask, *, new_user: bool = True) -> Client:
    browser = Client(app.test_client())
    assert login(browser, make_user(app) if new_user else "officer").status_code == 302
    return browser


def completed(client: Client) -> str:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    return base


def stored(app: Flask) -> list[tuple[str, int]]:
    """(language, size) of every slip PDF kept in the database."""
    with app.extensions["screening.sessionmaker"]() as db:
        return [(row.locale, len(row.pdf)) for row in db.scalars(select(SlipPdf))]


def no_more_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_html: str) -> bytes:
        raise AssertionError("laid out again")

    monkeypatch.setattr(slip, "pdf_bytes", refuse)


def test_a_repeat_download_is_not_laid_out_again(client: Client, layouts: list[str]) -> None:
    base = completed(client)
    first = client.get(f"{base}/slip.pdf?lang=sq")
    second = client.get(f"{base}/slip.pdf?lang=sq")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and len(layouts) == 1
    client.get(f"{base}/slip.pdf?lang=sr_Cyrl")  # another language is another slip
    assert len(layouts) == 2


def test_a_changed_slip_is_laid_out_again_and_replaces_the_old_one(
    app: Flask, client: Client, layouts: list[str]
) -> None:
    base = completed(client)
    before = client.get(f"{base}/slip.pdf?lang=en").data
    client.get(f"{base}/consent")
    assert client.post(f"{base}/consent", data={"consent": "given", "informed_of_rights": "yes"}).status_code == 302
    after = client.get(f"{base}/slip.pdf?lang=en").data
    assert len(layouts) == 2 and before != after
    assert stored(app) == [("en", len(after))]


def test_erasing_the_screening_deletes_its_slips(app: Flask, client: Client) -> None:
    base = completed(client)
    client.get(f"{base}/slip.pdf?lang=en")
    client.get(f"{base}/slip.pdf?lang=sq")
    assert sorted(language for language, _size in stored(app)) == ["en", "sq"]
    client.get(f"{base}/erase")
    assert client.post(f"{base}/erase").status_code == 302
    assert stored(app) == []


def test_a_slip_laid_out_while_its_screening_is_erased_is_not_kept(app: Flask, client: Client) -> None:
    base = completed(client)
    client.get(f"{base}/erase")
    assert client.post(f"{base}/erase").status_code == 302
    with app.extensions["screening.sessionmaker"]() as db:
        screening_id = db.scalars(select(Screening.id)).one()
        assert slip_pdfs.store(db, screening_id, "en", "0" * 64, b"%PDF-late") is False
        assert db.scalar(select(func.count()).select_from(SlipPdf)) == 0


def test_the_slip_is_laid_out_while_the_result_page_is_read(
    ahead_app: Flask, layouts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(ahead_app)
    base = completed(client)  # the final submit leads to the result page
    assert client.get(f"{base}/result").status_code == 200
    slip.RENDER_AHEAD.wait()
    assert [language for language, _size in stored(ahead_app)] == ["en"] and len(layouts) == 1
    no_more_layouts(monkeypatch)
    download = client.get(f"{base}/slip.pdf?lang=en")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert [size for _language, size in stored(ahead_app)] == [len(download.data)]


def test_the_print_view_lays_out_the_slip_in_the_recipients_language(
    ahead_app: Flask, layouts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(ahead_app)
    base = completed(client)
    assert client.get(f"{base}/slip?lang=sr_Cyrl").status_code == 200
    slip.RENDER_AHEAD.wait()
    assert "sr_Cyrl" in [language for language, _size in stored(ahead_app)]
    no_more_layouts(monkeypatch)
    assert client.get(f"{base}/slip.pdf?lang=sr_Cyrl").status_code == 200


def test_a_download_during_the_layout_waits_for_it_instead_of_laying_out_twice(
    ahead_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(ahead_app)
    base = completed(client)
    slip.RENDER_AHEAD.wait()
    release, made = threading.Event(), []
    real = slip.pdf_bytes

    def slow(html: str) -> bytes:
        made.append(threading.current_thread().name)
        release.wait(10)
        return real(html)

    monkeypatch.setattr(slip, "pdf_bytes", slow)
    client.get(f"{base}/slip?lang=sq")  # starts the layout in the background, which waits
    threading.Timer(0.3, release.set).start()
    began = time.monotonic()
    download = client.get(f"{base}/slip.pdf?lang=sq")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert time.monotonic() - began >= 0.25  # it waited for the background layout ...
    assert len(made) == 1 and made[0].startswith("slip-pdf")  # ... and did not lay it out itself


def test_another_app_server_serves_the_slip_laid_out_by_the_first(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = request.getfixturevalue("postgres_url")
    first, second = make_app(tmp_path / "a", url), make_app(tmp_path / "b", url)
    try:
        on_first = logged_in(first)
        base = completed(on_first)
        made = on_first.get(f"{base}/slip.pdf?lang=en").data
        no_more_layouts(monkeypatch)
        on_second = logged_in(second, new_user=False)
        download = on_second.get(f"{base}/slip.pdf?lang=en")
        assert download.status_code == 200 and download.data == made
    finally:
        for application in (first, second):
            application.extensions["screening.engine"].dispose()


def test_the_retention_purge_deletes_the_slips_of_the_screenings_it_erases(app: Flask, client: Client) -> None:
    from sqlalchemy import update

    from screening import operations as ops
    from screening.models import utcnow

    old, recent = completed(client), completed(client)
    for base in (old, recent):
        assert client.get(f"{base}/slip.pdf?lang=en").status_code == 200
    with app.extensions["screening.sessionmaker"]() as db:
        old_token = old.rsplit("/", 1)[-1]
        db.execute(
            update(Screening).where(Screening.token == old_token).values(created_at=utcnow() - dt.timedelta(days=91))
        )
        db.commit()
        assert ops.purge(db, retention_days=90, actor="cron") == 1
        kept = db.execute(select(Screening.token).join(SlipPdf, SlipPdf.screening_id == Screening.id)).scalars().all()
    assert kept == [recent.rsplit("/", 1)[-1]]
