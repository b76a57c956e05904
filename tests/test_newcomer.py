"""A newcomer's first ten minutes: `screening run` prints where to go and the first accounts last,
in a box, with how to get new passwords; it takes PORT; one-time passwords are easy to type; the
training join link uses the deployment's public address."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from screening.core.model import Content
from screening.passwords import one_time_password, verify_password
from screening.settings import SettingsError, load_settings
from screening.web.commands import account_box
from tests.conftest import Client, login, make_app, make_user
from tests.test_training import create_session

ROOT = Path(__file__).resolve().parents[1]
SCREENING = Path(sys.executable).parent / "screening"
LOOK_ALIKES = set("0O1lI")
BOX_LINE = re.compile(r"^\| (.*) \|$")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(tmp_path: Path, port: int, *args: str) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")},
        "SCREENING_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite'}",
        "SCREENING_SECRET_KEY": "x" * 40,
        "PORT": str(port),
    }
    return subprocess.Popen(
        [str(SCREENING), "run", *args], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _read_until(process: subprocess.Popen[str], done: re.Pattern[str], timeout: float = 60) -> str:
    """The server's standard output up to a line matching ``done`` (it keeps running)."""
    if not hasattr(process, "lines"):
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True).start()
        process.lines = lines  # type: ignore[attr-defined]
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = process.lines.get(timeout=1).rstrip("\n")  # type: ignore[attr-defined]
        except queue.Empty:
            assert process.poll() is None, f"the server stopped: {process.stderr.read() if process.stderr else ''}"
            continue
        seen.append(line)
        if done.search(line):
            return "\n".join(seen)
    raise AssertionError(f"timed out; output so far: {seen!r}")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=10)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


@pytest.mark.skipif(not SCREENING.is_file(), reason="the screening command is not installed in this environment")
def test_screening_run_prints_the_accounts_last_takes_port_and_says_when_the_port_is_taken(tmp_path: Path) -> None:
    port = _free_port()
    first = _serve(tmp_path, port)  # the port comes from PORT, as under `make run PORT=...`
    try:
        output = _read_until(first, re.compile(r"users reset-password NAME"))
        output += "\n" + _read_until(first, re.compile(r"^\+-+\+$"))
        lines = output.splitlines()
        assert f"Open http://127.0.0.1:{port}/ in a browser." in lines
        assert lines[-1].startswith("+-")  # the box closes the output
        assert lines.index(f"Open http://127.0.0.1:{port}/ in a browser.") < len(lines) - 8
        boxed = [m.group(1).rstrip() for m in map(BOX_LINE.match, lines) if m]
        passwords = dict(re.findall(r"user name: (\w+) +one-time password: (\S+)", "\n".join(boxed)))
        assert set(passwords) == {"admin", "screener"}
        assert re.search(r"\bscreening users reset-password NAME$", "\n".join(boxed), re.M)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(b"GET /login HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert re.match(rb"HTTP/1\.[01] 200", connection.recv(64))

        taken = _serve(tmp_path, port)
        out, err = taken.communicate(timeout=60)
        assert taken.returncode == 1
        assert "in use" in err and "make run PORT=8080" in err and "Traceback" not in err
        assert "Open http" not in out  # no address that does not work
    finally:
        _stop(first)

    from screening.app import create_app
    from screening.models import User

    app = create_app(
        {"env": "testing", "database_url": f"sqlite:///{tmp_path / 'run.sqlite'}"}, instance_path=str(tmp_path / "i")
    )
    with app.extensions["screening.sessionmaker"]() as db:
        for user in db.scalars(select(User)):
            assert verify_password(user.password_hash, passwords[user.username])  # what was printed logs in

    again = _serve(tmp_path, port)  # a second run: no accounts, but how to get a new password
    try:
        output = _read_until(again, re.compile(r"Lost a password\?"))
        assert "users reset-password NAME" in output and "one-time password:" not in output
    finally:
        _stop(again)


def test_the_account_box_frames_every_line_and_names_the_reset_command() -> None:
    box = account_box([("admin", "admin", "abcd-efgh"), ("screener", "screener", "hjkm-npqr")], ".venv/bin/screening")
    lines = box.splitlines()
    assert lines[0] == lines[-1] and set(lines[0]) == {"+", "-"}
    assert all(BOX_LINE.match(line) and len(line) == len(lines[0]) for line in lines[1:-1])
    assert ".venv/bin/screening users reset-password NAME" in box
    assert "user name: screener  one-time password: hjkm-npqr" in box


def test_one_time_passwords_avoid_look_alikes_and_case_switches() -> None:
    issued = {one_time_password() for _ in range(500)}
    assert len(issued) == 500
    for password in issued:
        assert re.fullmatch(r"[a-z]{4}(-[a-z]{4}){4}", password), password
        assert not LOOK_ALIKES & set(password) and "o" not in password and "i" not in password


def test_a_new_accounts_one_time_password_logs_in(app: Flask) -> None:
    from screening import accounts
    from screening.web.vocabulary import INSTITUTIONS

    with app.extensions["screening.sessionmaker"]() as db:
        _user, password = accounts.create_user(
            db, "nurse.arta", role="screener", institution="health", institutions=tuple(INSTITUTIONS), actor="test"
        )
    assert password and re.fullmatch(r"[a-z-]+", password)
    browser = Client(app.test_client())
    assert login(browser, "nurse.arta", password).status_code == 302
    assert "/password" in browser.get("/new").headers["Location"]  # then chooses their own


def _join_link(page: str) -> str:
    match = re.search(r"<p>(https?://[^<]+/join\?code=\w+)</p>", page)
    assert match, "no join link on the class view"
    return match.group(1)


def test_the_join_link_and_qr_code_use_the_public_address(tmp_path: Path, content: Content) -> None:
    from screening.web.training import _qr_data_uri

    app = make_app(tmp_path, public_url="http://192.168.1.20:5000/")
    try:
        trainer, code = create_session(app, content, [next(iter(content.scenarios))])
        page = trainer.get(f"/training/{code}").get_data(as_text=True)
        assert _join_link(page) == f"http://192.168.1.20:5000/join?code={code}"
        with app.test_request_context():
            assert _qr_data_uri(f"http://192.168.1.20:5000/join?code={code}") in page
        assert "Tablets cannot open this address" not in page
    finally:
        app.extensions["screening.engine"].dispose()


def _class_view_seen_at(app: Flask, content: Content, host: str) -> str:
    """A trainer's class view as their browser shows it when it opened the app at ``host``."""
    app.config["SERVER_NAME"] = host  # the test client's requests go to this host
    trainer = Client(app.test_client())
    login(trainer, make_user(app, f"coach{host.split('.')[0]}", "trainer"))
    trainer.get("/training/")
    scenario = next(iter(content.scenarios))
    form = {"place": "Prizren", "held_on": "2026-11-28", "language": "sq", "scenarios": [scenario]}
    created = trainer.post("/training/", data=form)
    return str(trainer.get(created.headers["Location"]).get_data(as_text=True))


def test_without_a_public_address_the_join_link_uses_the_requests_host(app: Flask, content: Content) -> None:
    here = _class_view_seen_at(app, content, "10.0.0.7:5000")
    code = re.search(r"Join code: <strong>(\w+)</strong>", here)
    assert code and _join_link(here) == f"http://10.0.0.7:5000/join?code={code.group(1)}"
    assert "Tablets cannot open this address" not in here
    local = _class_view_seen_at(app, content, "127.0.0.1:5000")
    assert "Tablets cannot open this address" in local  # the trainer is told why tablets cannot join


@pytest.mark.parametrize("url", ["192.168.1.20:5000", "ftp://host", "http://host/screening", "http://host/?a=1"])
def test_a_public_address_that_is_not_scheme_host_and_port_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError, match="public_url must be a scheme, host and port only"):
        load_settings(tmp_path, {"env": "testing", "public_url": url})
