"""Behind reverse proxies (several app servers behind one proxy), the per-address login limit must
count the client's address, not the proxy's; without trusted proxies the forwarding headers are
ignored, since any client could send them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from screening.settings import SettingsError, load_settings
from tests.conftest import Client, login, make_app, make_user

PROXY = "10.0.0.2"


def via_proxy(app: Flask, client_address: str) -> Client:
    browser = Client(app.test_client())
    browser.client.environ_base.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)
    return browser


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(tmp_path: Path) -> None:
    app = make_app(tmp_path, trusted_proxies=1, login_failures_per_address=2)
    make_user(app, "officer")
    attacker, colleague = via_proxy(app, "203.0.113.7"), via_proxy(app, "198.51.100.2")
    for n in range(3):
        login(attacker, f"guess-{n}", "wrong password here")
    assert login(attacker, "officer").status_code == 429  # the attacker's address is limited
    assert login(colleague, "officer").status_code == 302  # the colleague behind the same proxy is not


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(tmp_path: Path) -> None:
    app = make_app(tmp_path, login_failures_per_address=2)
    make_user(app, "officer")
    for n in range(3):
        login(via_proxy(app, f"203.0.113.{n}"), f"guess-{n}", "wrong password here")  # a new forged address each time
    assert login(via_proxy(app, "198.51.100.2"), "officer").status_code == 429  # all came from one address


def test_the_forwarded_scheme_makes_the_request_secure(tmp_path: Path) -> None:
    app = make_app(tmp_path, trusted_proxies=1)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"})
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize(("value", "ok"), [("0", True), ("2", True), ("-1", False), ("many", False)])
def test_trusted_proxies_is_a_whole_number_from_zero(tmp_path: Path, value: str, ok: bool) -> None:
    environ = {"SCREENING_TRUSTED_PROXIES": value}
    if ok:
        assert load_settings(tmp_path, environ=environ).trusted_proxies == int(value)
    else:
        with pytest.raises(SettingsError, match="trusted_proxies"):
            load_settings(tmp_path, environ=environ)
