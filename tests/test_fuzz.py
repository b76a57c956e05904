"""Seeded fuzz of every route in the URL map, on SQLite and PostgreSQL: never a 5xx, never a
traceback, nothing the app logs as an error, and no half-written screening.

The routes come from ``app.url_map`` (taken in turn, those with a body twice), so a new route is
fuzzed without editing this file; form field names and offered values come from the pages
themselves, API keys and types from the OpenAPI document, and who sends a request mostly from the
route's declared access: an anonymous visitor, a screener (with a draft and a completed screening,
so ``/s/<token>/...`` is reached), a supervisor, an administrator, a trainer, a trainee of the
trainer's class, or an API token holder. Half the requests are "calm" (one fault, the rest valid,
so they pass the guard and the CSRF check and reach the view), half pile faults up. Mutations:
NUL and other control characters, invalid UTF-8, huge fields, unknown, missing and duplicated
fields, nameless multipart parts, multipart without a boundary, JSON to form endpoints and forms
to the API, deep JSON, wrong JSON types, truncated JSON, UTF-16, odd ``Authorization`` and
``Idempotency-Key`` headers, hostile path segments and query arguments (``next`` with CR/LF, TAB).

``FUZZ_SEED`` and ``FUZZ_REQUESTS`` (per database) change the run; a failure prints the seed and
the request so it can be replayed.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.test import EnvironBuilder

from screening import accounts
from screening.core.model import Content
from screening.core.scoring import ANSWERS
from screening.models import Screening, User
from screening.web.access import PUBLIC, TOKEN, access_of
from screening.web.api_spec import SCREENING_INPUT
from tests.conftest import Client, login, make_user
from tests.test_api import token_for
from tests.test_training import create_session, join
from tests.test_web import ADULT_PROFILE, answer_all_pages, finish, start

SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "2000"))

HUGE = "x" * 600_000  # under the 1 MB limit, over a typical field
TOO_LARGE = "y" * 1_100_000  # over the limit: 413
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "\r\n",
    "x\r\nSet-Cookie: a=b",
    "\t",
    "\x7f",
    "\x85\u2028",
    "\u202eevil\u2066",
    "\ufeff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "%ff",
    "😀" * 20,
    "x" * 5000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "null",
    "[]",
    "{}",
    "yes",
    "no",
    "__proto__",
    "\\",
    "//evil.com",
    "/\t/evil.com",
    "/\\evil.com",
    "https://evil.com",
]
CONTROLS = ["\x00", "\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f", "\r", "\n", "\r\n", "\t"]
PLAIN = ["officer", "Ana", "Prishtinë, police academy", "2026-11-28", "yes"]  # for a field with no offered value
RAW_SEGMENTS = ["%00", "a%00b", "%ff%fe", "%c0%af", "%ed%a0%80", "%0d%0a", "%09", "..%2f..%2fetc", "%25", "%"]
QUERY_NAMES = ["next", "lang", "code", "expired", "page", "from", "to", "institution", "set", "q", "csrf_token"]
AUTHORIZATION = [
    "",
    "Bearer",
    "Bearer ",
    "bearer {token}",
    "Bearer {token}\x00",
    "Bearer {token} extra",
    "Bearer \x01\x02",
    "Bearer " + "z" * 5000,
    "Basic dXNlcjpwYXNz",
    "Token {token}",
    "Bearer é€",
]
IDEMPOTENCY_KEYS = ["", "short", "k" * 8, "k" * 200, "k" * 201, "k" * 10_000, "key\x00nul-key", "\t" * 10, "ключ-ключ"]


@dataclass
class Principal:
    """Who sends a request: a test client with its cookies, CSRF token and headers."""

    name: str
    client: FlaskClient
    role: str | None = None  # None: no account (anonymous, a trainee); "api": a screener's API token
    csrf: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    username: str | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)

    def remember(self) -> None:
        with self.client.session_transaction() as cookie:
            self.snapshot = dict(cookie)

    def restore(self, app: Flask) -> None:
        """Put back the session a fuzzed request ended (a logout): same CSRF secret, new server session."""
        with self.client.session_transaction() as cookie:
            cookie.clear()
            cookie.update(self.snapshot)
            if self.username:
                with app.extensions["screening.sessionmaker"]() as db:
                    user = accounts.find_user(db, self.username)
                    assert user is not None
                    cookie["sid"] = accounts.open_session(db, user)


@dataclass
class World:
    """What the fuzz knows: principals, good values for path arguments, pages' field names."""

    app: Flask
    principals: list[Principal]
    known: dict[str, list[str]]
    api_token: str
    item_ids: list[str]
    fields: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    all_fields: dict[str, list[str]] = field(default_factory=dict)


def _from(client: Client, name: str, role: str | None = None, **extra: Any) -> Principal:
    principal = Principal(name, client.client, role, csrf=client.csrf, **extra)
    principal.remember()
    return principal


def build_world(app: Flask, content: Content) -> World:
    screener = Client(app.test_client())
    login(screener, make_user(app, "officer"))
    done = start(screener)
    answer_all_pages(screener, done, {}, ADULT_PROFILE, "en")
    finish(screener, done)
    draft = start(screener)
    screener.get(f"{draft}/safety")
    admin = Client(app.test_client())
    login(admin, make_user(app, "root", "admin"))
    admin.get("/admin/users")
    supervisor = Client(app.test_client())
    login(supervisor, make_user(app, "boss", "supervisor"))
    supervisor.get("/admin/statistics")
    make_user(app, "victim")
    scenarios = sorted(content.scenarios)[:2]
    trainer, code = create_session(app, content, scenarios)
    trainer.get(f"/training/{code}")
    trainee = join(app, code, "Ana", "police", "en")
    trainee.get(f"/t/{scenarios[0]}")
    anonymous = Client(app.test_client())
    anonymous.get("/login")
    api_token = token_for(app, "api-user")
    with Session(app.extensions["screening.engine"]) as db:
        victim = db.scalars(select(User.id).where(User.username == "victim")).one()
    general = content.get_set("general")
    assert general is not None
    known = {
        "token": [draft.rsplit("/", 1)[1], done.rsplit("/", 1)[1], "nope"],
        "step": [s.id for s in general.sections] + ["profile", "review", "nowhere"],
        "scenario_id": [*scenarios, "nope"],
        "code": [code, code.lower(), "ZZZZZZ"],
        "set_id": list(content.set_ids()),
        "version": [v for s in content.set_ids() for v in content.versions(s)],
        "locale": ["en", "sq", "sr_Latn", "sr_Cyrl", "xx"],
        "user_id": [str(victim), "0", "99999"],  # never a principal: a fuzzed "disable" must not end the run
        "action": ["disable", "reset", "unlock", "explode"],
        "table": ["levels", "nope"],
        "filename": ["app.css", "nope.css"],
    }
    principals = [
        _from(anonymous, "anonymous"),
        _from(screener, "screener", "screener", username="officer"),
        _from(admin, "admin", "admin", username="root"),
        _from(supervisor, "supervisor", "supervisor", username="boss"),
        _from(trainer, "trainer", "trainer", username="coach"),
        _from(trainee, "trainee"),
        Principal("api", app.test_client(), "api", headers={"Authorization": f"Bearer {api_token}"}),
    ]
    return World(app, principals, known, api_token, sorted(general.item_ids))


@dataclass
class Case:
    """One generated request, described well enough to replay it by hand."""

    principal: str
    method: str
    url: str
    shape: str
    content_type: str | None = None
    data: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        preview = self.data[:200].decode("utf-8", "backslashreplace")
        return f"{self.principal} {self.method} {self.url[:300]} [{self.shape}] {self.headers} {preview!r}"


class Fuzzer:
    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        rules = list(world.app.url_map.iter_rules())
        self.rules = rules + [r for r in rules if "POST" in r.methods]  # a route that takes a body: twice
        #: A calm request has one fault only (one field, key or type), the rest valid: it gets past
        #: the guard and the CSRF check into the view, where wrong types and odd values do harm.
        self.calm = False

    # -- values ------------------------------------------------------------------------------

    def hostile(self) -> str:
        roll = self.rng.random()
        if roll < 0.02:
            return TOO_LARGE if self.rng.random() < 0.3 else HUGE
        if roll < 0.6:
            return self.rng.choice(HOSTILE)
        alphabet = "".join(chr(c) for c in range(0, 0x250)) + "\u202e\u2066\ufffd😀"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 40)))

    def value(self, good: list[str]) -> str:
        """A good value, a good value with a control character in it, or a hostile one."""
        good = good or PLAIN
        if self.calm:
            return self.rng.choice(good)
        roll = self.rng.random()
        if roll < 0.65:
            value = self.rng.choice(good)
            if roll < 0.35:
                return value
            at = self.rng.randint(0, len(value))
            return value[:at] + self.rng.choice(CONTROLS) + value[at:]
        return self.hostile()

    # -- URLs --------------------------------------------------------------------------------

    def path(self, rule: Rule) -> tuple[str, bool]:
        """The rule's path with each argument filled; True when every argument is a known good value."""
        clean = True

        def fill(match: re.Match[str]) -> str:
            nonlocal clean
            name = match.group(1).split(":")[-1]
            good = self.world.known.get(name, [])
            if good and self.rng.random() < 0.75:
                return quote(self.rng.choice(good), safe="")
            clean = False
            if self.rng.random() < 0.4:
                return self.rng.choice(RAW_SEGMENTS)
            return quote(self.hostile()[:3000], safe="")

        return re.sub(r"<([^>]+)>", fill, rule.rule), clean

    def query(self, names: list[str]) -> str:
        roll = self.rng.random()
        if roll < 0.7 or self.calm:  # most requests keep a clean query, so their body reaches the view
            return ""
        if roll < 0.78:
            return self.rng.choice(["next=/%0d%0aSet-Cookie:%20x=1", "next=/%09/evil.com", "%ff=%fe", "a=%", "=&&="])
        pairs = [(self.rng.choice(names + QUERY_NAMES), self.hostile()[:2000]) for _ in range(self.rng.randint(1, 4))]
        return urlencode(pairs, quote_via=quote)

    # -- bodies ------------------------------------------------------------------------------

    def form_pairs(self, fields: dict[str, list[str]], csrf: str | None) -> list[tuple[str, str]]:
        names = list(fields) or list(self.world.all_fields) or ["x"]
        pairs = [(n, self.value(fields.get(n, []))) for n in names if self.calm or self.rng.random() < 0.7]
        if self.calm and pairs and self.rng.random() < 0.7:  # the one fault: a field's value
            at = self.rng.randrange(len(pairs))
            pairs[at] = (pairs[at][0], self.hostile())
        for _ in range(1 if self.calm else self.rng.randint(0, 3)):  # unknown, duplicated, another page's
            pairs.append(
                (self.rng.choice([*names, *self.world.all_fields, self.hostile()[:50], "a_gen__nope"]), self.hostile())
            )
        roll = 0.0 if self.calm else self.rng.random()
        if csrf and roll < 0.8:
            pairs.append(("csrf_token", csrf))
        elif roll < 0.9:
            pairs.append(("csrf_token", self.hostile()[:100]))
        self.rng.shuffle(pairs)
        return pairs

    def multipart(self, pairs: list[tuple[str | None, str]], *, boundary: bool = True) -> tuple[bytes, str]:
        mark = "fuzzboundary"
        chunks = []
        for name, value in pairs:
            disposition = "form-data" if name is None else f'form-data; name="{name}"'
            if not self.calm and self.rng.random() < 0.05:
                disposition += '; filename="a\x01.txt"'
            chunks.append(f"--{mark}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n")
        chunks.append(f"--{mark}--\r\n")
        body = "".join(chunks).encode("utf-8", "surrogatepass")
        return body, "multipart/form-data" + (f"; boundary={mark}" if boundary else "")

    def api_value(self, schema: dict[str, Any]) -> Any:
        """A valid value for a schema property (the fuzz mutates from here)."""
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        if "oneOf" in schema:
            return self.api_value(self.rng.choice(schema["oneOf"]))
        kind = schema.get("type")
        if kind == "integer":
            return self.rng.randint(schema.get("minimum", 0), schema.get("maximum", 100))
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "object":
            ids = self.rng.sample(self.world.item_ids, 3)
            return {i: self.api_value(schema.get("additionalProperties", {"type": "string"})) for i in ids}
        return schema.get("example", "x")

    def wrong_type(self) -> Any:
        return self.rng.choice(
            [[], {}, [1, 2], {"a": "b"}, None, True, 3.5, -1, 10**30, "", self.hostile(), [[[]]], {"": None}]
        )

    def json_document(self) -> Any:
        properties: dict[str, Any] = SCREENING_INPUT["properties"]  # type: ignore[assignment]
        body = {k: self.api_value(s) for k, s in properties.items() if k == "set" or self.rng.random() < 0.5}
        if self.rng.random() < 0.8:
            body.pop("version", None)  # the default version, whose indicator ids the answers use
        for _ in range(1 if self.calm else self.rng.choice([0, 1, 1, 2])):
            roll = self.rng.random()
            key = self.rng.choice(list(properties))
            if roll < 0.5:
                body[key] = self.wrong_type()
            elif roll < 0.6:
                body.pop(key, None)
            elif roll < 0.8:
                body[self.hostile()[:60]] = self.hostile()
            elif isinstance(body.get("answers"), dict):
                body["answers"][self.rng.choice([*self.world.item_ids, self.hostile()[:60]])] = self.value(ANSWERS)
        if not self.calm and self.rng.random() < 0.1:
            return self.wrong_type()
        return body

    def json_body(self) -> tuple[bytes, str]:
        if self.calm:
            return json.dumps(self.json_document()).encode(), "application/json"
        roll = self.rng.random()
        if roll < 0.12:
            depth = self.rng.choice([31, 33, 100, 999, 1000, 5000, 50_000])
            opener, closer = self.rng.choice([("[", "]"), ('{"a":', "}")])
            return ('{"set": "general", "answers": ' + opener * depth + "1" + closer * depth + "}").encode(), (
                "application/json"
            )
        text = json.dumps(self.json_document())
        if roll < 0.2:
            text = text[: self.rng.randint(0, len(text))]  # truncated
        elif roll < 0.28:
            text = text.replace('"general"', self.rng.choice(['"gen\\u0000eral"', '"\\ud800"', '"gen\\teral"']))
        elif roll < 0.33:
            text = text[:-1] + ', "set": "general", "set": []}' if text.endswith("}") else text  # duplicate key
        if roll > 0.95:
            return text.encode("utf-16"), "application/json; charset=utf-16"
        return text.encode(), self.rng.choice(
            ["application/json", "application/json", "text/plain", "application/x+json"]
        )

    def body(
        self, fields: dict[str, list[str]], csrf: str | None, *, json_first: bool
    ) -> tuple[str, bytes, str | None]:
        """A body: mostly JSON for the API and a form for the pages, sometimes the other kind."""
        if json_first and (self.calm or self.rng.random() < 0.75):
            data, kind = self.json_body()
            return "json", data, kind
        roll = self.rng.random() * (0.6 if self.calm else 1)  # calm: a form or multipart body
        pairs = self.form_pairs(fields, csrf)
        if roll < 0.45:
            return "form", urlencode(pairs, quote_via=quote).encode(), "application/x-www-form-urlencoded"
        if roll < 0.6:
            nameless: list[tuple[str | None, str]] = [*pairs]
            if not self.calm and self.rng.random() < 0.5:
                nameless.insert(self.rng.randint(0, len(pairs)), (None, self.hostile()[:100]))
            data, kind = self.multipart(nameless, boundary=self.calm or self.rng.random() < 0.9)
            return "multipart", data, kind
        if roll < 0.68:
            raw = urlencode(pairs, quote_via=quote).encode() + self.rng.choice(
                [b"&\xff\xfe=\xc3\x28", b"&a_x=\xed\xa0\x80", b"&%ff%fe=%c0%af", b"\x00=\x00"]
            )
            return "invalid utf-8", raw, "application/x-www-form-urlencoded"
        if roll < 0.72:
            text = urlencode(pairs, quote_via=quote)
            return "utf-16 form", text.encode("utf-16"), "application/x-www-form-urlencoded; charset=utf-16"
        if roll < 0.95:
            data, kind = self.json_body()
            return "json", data, kind
        return "no body", b"", None

    # -- requests ----------------------------------------------------------------------------

    def fields_of(self, principal: Principal, path: str) -> dict[str, list[str]]:
        """The field names (and offered values) of the page at ``path``, fetched once per principal."""
        key = (principal.name, path)
        if key not in self.world.fields:
            found: dict[str, list[str]] = {}
            response = principal.client.get(path, headers={"Accept-Language": "en", **principal.headers})
            if response.mimetype == "text/html" and response.status_code == 200:
                page = response.get_data(as_text=True)
                for tag in re.finditer(r"<(?:input|textarea|button)\b[^>]*>", page):
                    name = re.search(r'name="([^"]*)"', tag.group(0))
                    value = re.search(r'value="([^"]*)"', tag.group(0))
                    if name and name.group(1) != "csrf_token":
                        found.setdefault(name.group(1), []).extend([value.group(1)] if value else [])
                for select in re.finditer(r'<select\b[^>]*name="([^"]*)"[^>]*>(.*?)</select>', page, re.S):
                    found.setdefault(select.group(1), []).extend(re.findall(r'value="([^"]*)"', select.group(2)))
            response.close()
            self.world.fields[key] = found
            for name, values in found.items():
                self.world.all_fields.setdefault(name, []).extend(values[:5])
        return self.world.fields[key]

    def principal_for(self, rule: Rule) -> Principal:
        """Mostly one who may use the route (so the request reaches the view), sometimes anyone."""
        access = access_of(self.world.app, rule.endpoint)
        if access == PUBLIC:
            allowed = [p for p in self.world.principals if p.role != "api"]
        elif isinstance(access, tuple) and access[0] == TOKEN:
            allowed = [p for p in self.world.principals if p.role == "api"]
        else:
            allowed = [p for p in self.world.principals if p.role in access]  # type: ignore[operator]
        return self.rng.choice(allowed if allowed and self.rng.random() < 0.85 else self.world.principals)

    def case(self, number: int) -> Case:
        if number % len(self.rules) == 0:
            self.rng.shuffle(self.rules)  # every route in turn, in a new order each round
        rule = self.rules[number % len(self.rules)]
        self.calm = self.rng.random() < 0.5
        principal = self.principal_for(rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        method = self.rng.choice(methods) if self.rng.random() < 0.95 else self.rng.choice(["PUT", "DELETE", "PATCH"])
        path, clean = self.path(rule)
        fields = self.fields_of(principal, path) if clean and "GET" in methods else {}
        query = self.query(list(fields))
        url = f"{path}?{query}" if query else path
        headers = {
            "Accept-Language": self.rng.choice(["en", "sq", "sr-Latn", "xx", "*;q=oops", ""]),
            **principal.headers,
        }
        if not self.calm and self.rng.random() < 0.2:
            headers["Authorization"] = self.rng.choice(AUTHORIZATION).format(token=self.world.api_token)
        if not self.calm and self.rng.random() < 0.3:
            headers["Idempotency-Key"] = self.rng.choice(IDEMPOTENCY_KEYS)
        elif rule.rule.endswith("/screenings"):
            headers["Idempotency-Key"] = f"fuzz-key-{self.rng.randint(0, 30)}"
        if method == "GET" and self.rng.random() < 0.85:
            return Case(principal.name, method, url, "query", headers=headers)
        api = rule.rule.startswith("/api/")
        shape, data, content_type = self.body(fields, principal.csrf, json_first=api)
        return Case(principal.name, method, url, shape, content_type, data, headers)


SERVER_ERROR_SIGNS = ("Traceback (most recent call last)", "Internal Server Error", 'File "/')


def send(world: World, case: Case) -> tuple[Any, str | None]:
    """The response, or None with the reason when the test client itself refuses the request
    (a header a real HTTP client could not send either)."""
    principal = next(p for p in world.principals if p.name == case.principal)

    def builder() -> EnvironBuilder:
        return EnvironBuilder(
            path=case.url, method=case.method, data=case.data, content_type=case.content_type, headers=case.headers
        )

    trial = builder()
    try:
        trial.get_environ()
    except (ValueError, UnicodeError) as exc:
        return None, f"client refused: {type(exc).__name__}"
    finally:
        trial.close()
    request = builder()
    try:
        response = principal.client.open(request)
    finally:
        request.close()
    location = response.headers.get("Location", "")
    if principal.snapshot and response.status_code in (302, 303) and re.match(r"/(login|join)\b", location):
        principal.restore(world.app)
    return response, None


def problems_of(case: Case, response: Any) -> list[str]:
    body = response.get_data().decode("utf-8", "replace")  # a PDF is bytes
    found = []
    if response.status_code >= 500:
        found.append(f"{response.status_code} for {case}: {body[:300]!r}")
    found.extend(f"{sign!r} in the body of {case}" for sign in SERVER_ERROR_SIGNS if sign in body)
    return found


def assert_consistent(app: Flask, content: Content) -> None:
    """Every stored screening is whole: valid answers only, a slip number exactly when completed, and
    a result exactly when completed and not erased (erasure leaves only the statistics row)."""
    with Session(app.extensions["screening.engine"]) as db:
        for screening in db.scalars(select(Screening)):
            indicator_set = content.get_set(screening.set_id, screening.set_version)
            assert indicator_set is not None
            assert set(screening.answers) <= indicator_set.item_ids
            assert set(screening.answers.values()) <= set(ANSWERS)
            completed = screening.status == "completed"
            assert completed == (screening.slip_number is not None)
            assert (completed and screening.erased_at is None) == (screening.result is not None)


def run_fuzz(app: Flask, content: Content, count: int, seed: int) -> dict[str, Any]:
    world = build_world(app, content)
    fuzzer = Fuzzer(world, random.Random(seed))
    statuses: dict[int, int] = {}
    problems: list[str] = []
    refused = 0
    for number in range(count):
        case = fuzzer.case(number)
        response, _reason = send(world, case)
        if response is None:
            refused += 1
            continue
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        problems.extend(problems_of(case, response))
        response.close()
    return {"statuses": statuses, "problems": problems, "refused": refused}


def test_every_route_survives_malformed_requests(
    app: Flask, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        report = run_fuzz(app, content, REQUESTS, SEED)
    sent = sum(report["statuses"].values())
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    summary = f"seed {SEED}: {sent} sent, {report['refused']} refused by the client, statuses {report['statuses']}"
    print(summary)  # shown with pytest -s or -rP
    assert not report["problems"], summary + "\n" + "\n".join(report["problems"][:15])
    assert not logged, summary + "\n" + "\n".join(f"{r.name}: {r.getMessage()}" for r in logged[:15])
    assert sent >= REQUESTS * 0.97, summary  # the client refuses only a few odd headers
    reached = sum(n for status, n in report["statuses"].items() if status < 400)
    assert reached >= sent * 0.2, summary  # many requests get past the guard and the CSRF check into the views
    assert_consistent(app, content)
