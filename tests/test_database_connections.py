"""Pooled PostgreSQL connections: one the server has closed is replaced before use, not used.

The pre-ping asks the server only when the pooled connection's socket has something to read (a
closed connection has the server's goodbye waiting there), so a page after a database restart or
a killed backend works at the first try, and a healthy idle connection costs no round trip.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import Client, login, make_app, make_user


def test_a_page_after_the_server_closed_the_pooled_connection_works_at_once(tmp_path: Path, postgres_url: str) -> None:
    app = make_app(tmp_path, postgres_url)
    make_user(app)
    client = Client(app.test_client())
    login(client, "officer")
    assert client.get("/screenings").status_code == 200  # the worker's connection is now pooled
    database = postgres_url.rpartition("/")[2]
    admin = create_engine(postgres_url.rpartition("/")[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        ended = connection.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :db"),
            {"db": database},
        ).scalar()
        # pg_terminate_backend only signals: wait until the backend has gone (and said goodbye), as
        # after a restart, or the next page may race the server's goodbye on the socket.
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline
            and connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db"), {"db": database}
            ).scalar()
        ):
            time.sleep(0.01)
    admin.dispose()
    assert ended, "the app's pooled connection was open"
    for _ in range(2):
        response = client.get("/screenings")
        assert response.status_code == 200, response.get_data(as_text=True)[-400:]
    app.extensions["screening.engine"].dispose()
