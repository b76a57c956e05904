"""``next`` leads only to a page of this site, whatever a link puts in it (on SQLite and PostgreSQL)."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import Flask

from tests.conftest import PASSWORD, Client, make_user

SITE = "http://localhost/"
#: Each one left the site or ended in a 500 before (review D3, D7.4), or is a classic variant.
HOSTILE = [
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\nSet-Cookie: x=1",
    "/\x00/evil.com",
    "//evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "https://evil.com",
    "javascript:alert(1)",
    " //evil.com",
    "evil.com",
]


def lands_on_this_site(response: object, page: str) -> None:
    """A browser following ``response`` opens ``page`` of this site.

    A value with control characters may instead be refused as bad input (400) before the view
    runs; it must never be a 500 or a way off the site.
    """
    status, headers = response.status_code, response.headers  # type: ignore[attr-defined]
    if status == 400:
        return
    assert status == 302, status
    opened = urlsplit(urljoin(SITE, headers["Location"]))
    assert (opened.scheme, opened.netloc, opened.path) == ("http", "localhost", page), headers["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_never_leaves_the_site(anonymous: Client, target: str) -> None:
    response = anonymous.get(f"/language/en?next={quote(target, safe='')}")
    lands_on_this_site(response, "/")


@pytest.mark.parametrize("target", HOSTILE)
def test_logging_in_never_leaves_the_site(app: Flask, anonymous: Client, target: str) -> None:
    make_user(app, "officer")
    url = f"/login?next={quote(target, safe='')}"
    anonymous.get(url)
    response = anonymous.post(url, data={"username": "officer", "password": PASSWORD})
    lands_on_this_site(response, "/new")  # the screener's home page, not the link's target


def test_a_local_next_is_kept_with_its_query(app: Flask, anonymous: Client) -> None:
    assert anonymous.get("/language/sq?next=/indicators/%3Fset%3Dgeneral").headers["Location"] == (
        "/indicators/?set=general"
    )
    make_user(app, "officer")
    anonymous.get("/screenings")  # sent to log in first
    anonymous.get("/login?next=/screenings")
    response = anonymous.post("/login?next=/screenings", data={"username": "officer", "password": PASSWORD})
    assert response.headers["Location"] == "/screenings"
