"""Static files have fingerprinted addresses and are cached for a year (issue 13: a tablet on a
mobile network fetches them once per release); a stale or missing fingerprint is not."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from screening.web.static_files import MAX_AGE, fingerprint_of
from tests.conftest import Client


def test_pages_link_fingerprinted_files_cached_for_a_year(app: Flask, client: Client) -> None:
    page = client.get("/new").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {link.split("?")[0] for link in links} >= {"/static/app.css", "/static/checklist.js"}
    for link in links:
        assert re.search(r"\?v=[0-9a-f]{12}$", link), link
        with client.client.get(link) as response:
            assert response.status_code == 200
            assert response.cache_control.max_age == MAX_AGE and response.cache_control.immutable, link
            assert response.cache_control.public and not response.cache_control.no_cache, link
            assert "no-store" not in response.headers["Cache-Control"]


def test_without_the_current_fingerprint_a_file_is_not_kept_for_a_year(app: Flask, client: Client) -> None:
    for link in ("/static/app.css", "/static/app.css?v=000000000000"):
        with client.client.get(link) as response:
            assert response.status_code == 200 and not response.cache_control.immutable, link


def test_a_changed_file_gets_a_new_fingerprint(tmp_path: Path) -> None:
    file = tmp_path / "app.css"
    file.write_text("body { color: black; }", encoding="utf-8")
    before = fingerprint_of(tmp_path, "app.css")
    file.write_text("body { color: navy; }", encoding="utf-8")
    after = fingerprint_of(tmp_path, "app.css")
    assert before and after and before != after
    assert fingerprint_of(tmp_path, "missing.css") is None
