"""What the reliability tests drive: gunicorn on loopback, a tablet over plain HTTP, databases.

Everything here talks to the app the way a tablet does (log in, CSRF tokens from the pages, the
start page's one-time key) over ``http.client``, against ``gunicorn`` started as a separate process
group so that teardown can always end it, even after a failed test or a killed worker.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import html
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import client as http_client
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD, POSTGRES_URL, ROOT

USERNAME = "officer"
SET_ID = "general"
ADULT_PROFILE = {"age": "34", "sex": "female", "nationality": "other", "asylum_seeker": "no", "municipality": "peje"}
WORKERS = 2
HTTP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a tablet over HTTP ------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        """The redirect target as a local path."""
        return urlsplit(self.headers.get("location", "")).path

    @property
    def text(self) -> str:
        return html.unescape(self.body)


class Refused(Exception):
    """The connection broke before an answer came (a killed worker, a stopped server)."""


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
START_KEY = re.compile(r'name="start_key" type="hidden" value="([^"]+)"')


@dataclass
class Browser:
    """One tablet: its own cookies and the last page's CSRF token; a new connection per request."""

    port: int
    language: str = "en"
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def clone(self) -> Browser:
        """Another tab of the same logged-in browser."""
        return Browser(self.port, self.language, dict(self.cookies), self.csrf)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        headers = {"Accept-Language": self.language}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            payload = dict(form)
            if self.csrf and "csrf_token" not in payload:
                payload["csrf_token"] = self.csrf
            body = urlencode(payload)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http_client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http_client.HTTPException) as exc:
            raise Refused(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        reply = Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, data.decode("utf-8", "replace")
        )
        match = TOKEN.search(reply.body)
        if match:
            self.csrf = match.group(1)
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self.request("POST", path, form)

    # The checklist's flow, step by step. Each returns the reply; callers check what they need.

    def login(self, username: str = USERNAME, password: str = PASSWORD) -> None:
        self.get("/login")
        reply = self.post("/login", {"username": username, "password": password})
        assert reply.status == 302, (reply.status, reply.text[:500])
        self.get(reply.location)  # like a browser: the landing page brings this session's CSRF token

    def start_page(self) -> str:
        """Open the start page; return its one-time start key."""
        page = self.get("/new")
        assert page.status == 200, (page.status, page.text[:500])
        match = START_KEY.search(page.body)
        assert match, "no start key on the start page"
        return match.group(1)

    def start(self, start_key: str) -> Reply:
        return self.post(
            "/new",
            {
                "start_key": start_key,
                "role": "first_contact_officer",
                "indicator_set": SET_ID,
                "language": self.language,
                "second_language": "",
            },
        )

    def new_screening(self) -> str:
        """Start a screening; return its token."""
        reply = self.start(self.start_page())
        assert reply.status == 302 and reply.location.endswith("/safety"), (reply.status, reply.location)
        return token_of(reply.location)

    def save(self, token: str, step: str, answers: dict[str, str]) -> Reply:
        return self.post(f"/s/{token}/{step}", {**answers, "_action": "next"})

    def finish(self, token: str) -> Reply:
        return self.post(f"/s/{token}/review", {"_action": "finish"})


def logged_in(server: Server, language: str = "en") -> Browser:
    """A tablet with a screener logged in."""
    browser = Browser(server.port, language)
    browser.login()
    return browser


INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def checked(page: str) -> dict[str, str]:
    """The checked radio buttons of a page: field name -> value."""
    found = {}
    for tag in INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag[len("<input") : -1]))
        if attributes.get("type") == "radio" and "checked" in attributes:
            found[attributes["name"]] = attributes["value"]
    return found


def token_of(path: str) -> str:
    parts = path.split("/")
    assert len(parts) >= 3 and parts[1] == "s", path
    return parts[2]


def acknowledged(reply: Reply, token: str) -> bool:
    """The final submission was accepted: a redirect to the screening's result."""
    return reply.status == 302 and reply.location == f"/s/{token}/result"


@functools.cache
def _steps() -> dict[str, list[str]]:
    from screening.core.loading import load_content
    from screening.web.forms import section_items

    indicator_set = load_content(ROOT).get_set(SET_ID)
    assert indicator_set is not None
    return {section.id: section_items(indicator_set, section.id) for section in indicator_set.sections}


def answers_for(step: str, value: str = "yes") -> dict[str, str]:
    """Form fields answering every item of a page; the safety page is answered "no" (no danger)."""
    from screening.web.forms import field_name

    chosen = "no" if step == "safety" else value
    return {field_name(item): chosen for item in _steps()[step]}


def first_section() -> str:
    return next(step for step in _steps() if step != "safety")


def item_ids(step: str) -> list[str]:
    return list(_steps()[step])


def draft_pages() -> list[tuple[str, dict[str, str]]]:
    """The pages a draft ready for the final submission has saved: safety, profile, one section."""
    return [
        ("safety", answers_for("safety")),
        ("profile", ADULT_PROFILE),
        (first_section(), answers_for(first_section())),
    ]


def prepare_draft(browser: Browser) -> str:
    """A new draft, ready for the final submission."""
    token = browser.new_screening()
    for step, form in draft_pages():
        reply = browser.save(token, step, form)
        assert reply.status == 302, (step, reply.status, reply.text[:500])
    return token


def run_threads(count: int, work: Any, timeout: float = 300.0) -> list[Any]:
    """Run ``work(i)`` on ``count`` threads at once; return each result or the exception it raised.

    ``timeout`` only guards against a hang: it is no speed target (the benchmarks measure speed). On a
    slow 2-core machine, 100 tablets each filling a whole draft before submitting took more than 120 s."""
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"threads still running after {timeout} s"
    return results


# --- gunicorn ------------------------------------------------------------------------------------


def _gunicorn_has(option: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(option in setting.cli for setting in KNOWN_SETTINGS if setting.cli)


class Server:
    """The app under gunicorn (sync workers) on 127.0.0.1, in its own process group."""

    def __init__(self, folder: Path, database_url: str, secret_key: str | None = None) -> None:
        self.folder = folder
        self.database_url = database_url
        self.secret_key = secret_key or secrets.token_hex(32)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log_path = folder / "gunicorn.log"
        self._log: Any = None

    def command(self) -> list[str]:
        instance = self.folder / "instance"
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "10",
            "--log-level", "warning",
        ]  # fmt: skip
        if _gunicorn_has("--no-control-socket"):
            command.append("--no-control-socket")  # gunicorn 25+: one per server, not a shared path
        return [*command, f"screening.app:create_app(instance_path={str(instance)!r})"]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
        env.update(
            SCREENING_ENV="production", SCREENING_SECRET_KEY=self.secret_key, SCREENING_DATABASE_URL=self.database_url
        )
        return env

    def start(self, timeout: float = 60.0) -> Server:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(), cwd=self.folder, env=self.environment(), stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if Browser(self.port).get("/healthz").status == 200 and len(self.worker_pids()) == WORKERS:
                    return self
            except Refused:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return children(self.process.pid)

    def stop(self, timeout: float = 20.0) -> None:
        """Stop gracefully (SIGTERM), then make sure nothing of the process group is left."""
        if self.process is None:
            return
        process, self.process = self.process, None
        try:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if self._log is not None:
                self._log.close()
                self._log = None


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(Path(stat).parent.name))
    return sorted(found)


# --- databases -------------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    """The schema at its newest migration and one screener of the Kosovo Police."""
    from screening import accounts
    from screening.db import make_engine, upgrade
    from screening.web.vocabulary import INSTITUTIONS

    engine = make_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as db:
            accounts.create_user(
                db, USERNAME, role="screener", institution="police", institutions=tuple(INSTITUTIONS),
                actor="test", password=PASSWORD,
            )  # fmt: skip
    finally:
        engine.dispose()


def stored_screenings(url: str) -> list[Any]:
    from screening.models import Screening

    engine = create_engine(url)
    try:
        with Session(engine) as db:
            return list(db.scalars(select(Screening).order_by(Screening.id)))
    finally:
        engine.dispose()


def completion_events(url: str) -> dict[str, int]:
    """How many ``screening_completed`` audit events each screening id has."""
    from screening.models import AuditEvent

    engine = create_engine(url)
    try:
        with Session(engine) as db:
            query = (
                select(AuditEvent.object_id, func.count())
                .where(AuditEvent.action == "screening_completed")
                .group_by(AuditEvent.object_id)
            )
            return {str(object_id): int(count) for object_id, count in db.execute(query)}
    finally:
        engine.dispose()


def whole(row: Any) -> bool:
    """A row is either a draft with nothing of a result, or completed with all of it."""
    parts = (row.result, row.slip_number, row.referrals, row.completed_at, row.scoring_version)
    if row.status == "completed":
        return all(part is not None for part in parts) and bool(row.result.get("level") is not None)
    return row.status == "draft" and all(part is None for part in parts)


def postgres_server_url() -> str | None:
    """The shared server's maintenance database URL (from POSTGRES_TEST_URL), or None if unreachable."""
    base = POSTGRES_URL.rpartition("/")[0]
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return f"{base}/postgres"
    except OperationalError:
        return None
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the shared server, dropped afterwards (no other database touched)."""
    base = server_url.rpartition("/")[0]
    name = f"screening_rel_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


# --- a throwaway PostgreSQL cluster -------------------------------------------------------------


def postgres_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps them out of PATH)."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """A PostgreSQL cluster of its own on a free port, listening on 127.0.0.1 only.

    It lives under ``folder`` (the test's tmp_path). PostgreSQL refuses to run as root, so under
    root the cluster belongs to the ``postgres`` user and its commands run through ``runuser``;
    as pytest keeps its temporary root private (and resets it to 0700 whenever a pytest starts),
    the cluster's own folder is then a private ``/tmp/screening-pg-*`` owned by postgres, linked
    from ``folder`` and removed at cleanup.
    """

    def __init__(self, folder: Path, binaries: Path) -> None:
        self.folder = folder
        self.home = folder
        self.binaries = binaries
        self.port = free_port()
        self.prefix: list[str] = []
        self.running = False

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        with (self.folder / "commands.log").open("a") as out:
            return subprocess.run(
                [*self.prefix, *args], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                text=True, timeout=timeout, check=False,
            )  # fmt: skip

    def log(self) -> str:
        logs = (self.folder / "commands.log", self.home / "server.log")
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in logs if p.is_file())

    def init(self) -> None:
        """Create the cluster; raises ``RuntimeError`` with the reason when it cannot be made."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("running as root and runuser is not installed")
            try:
                import pwd

                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no postgres user to run the cluster") from None
            self.home = Path(tempfile.mkdtemp(prefix="screening-pg-"))
            os.chown(self.home, owner.pw_uid, owner.pw_gid)
            (self.folder / "cluster").symlink_to(self.home)
            self.prefix = [runuser, "-u", "postgres", "--"]
        done = self._run(
            str(self.binaries / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{self.log()}")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
                "fsync = off\nmax_connections = 50\n"
            )

    def start(self) -> None:
        done = self._run(
            str(self.binaries / "pg_ctl"), "-D", str(self.data), "-l", str(self.home / "server.log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed:\n{self.log()}")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        done = self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        if done.returncode != 0 and (self.data / "postmaster.pid").exists():
            raise RuntimeError(f"pg_ctl stop failed:\n{self.log()}")
        self.running = False

    def cleanup(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        finally:
            if self.home != self.folder:
                shutil.rmtree(self.home, ignore_errors=True)
