"""A repeat download of an unchanged slip costs no layout (issue 13), and the cache keeps nothing
that changed, nothing of an erased screening and nothing longer than its time."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from screening.web import slip
from tests.conftest import Client
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, start

pytestmark = pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slips laid out as PDF during the test (their HTML)."""
    made: list[str] = []
    real = slip.pdf_bytes

    def counting(html: str) -> bytes:
        made.append(html)
        return real(html)

    monkeypatch.setattr(slip, "pdf_bytes", counting)
    return made


def completed(client: Client) -> str:
    base = start(client)
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "en")
    finish(client, base)
    return base


def test_a_repeat_download_is_not_laid_out_again(client: Client, layouts: list[str]) -> None:
    base = completed(client)
    first = client.get(f"{base}/slip.pdf?lang=sq")
    second = client.get(f"{base}/slip.pdf?lang=sq")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and len(layouts) == 1
    client.get(f"{base}/slip.pdf?lang=sr_Cyrl")  # another language is another slip
    assert len(layouts) == 2


def test_a_changed_slip_is_laid_out_again(client: Client, layouts: list[str]) -> None:
    base = completed(client)
    before = client.get(f"{base}/slip.pdf?lang=en").data
    client.get(f"{base}/consent")
    assert client.post(f"{base}/consent", data={"consent": "given", "informed_of_rights": "yes"}).status_code == 302
    after = client.get(f"{base}/slip.pdf?lang=en").data
    assert len(layouts) == 2 and before != after


def test_erasing_the_screening_drops_its_slips(app: Flask, client: Client, layouts: list[str]) -> None:
    base = completed(client)
    token = base.rsplit("/", 1)[-1]
    client.get(f"{base}/slip.pdf?lang=en")
    assert any(key[0] == token for key in slip.PDF_CACHE._items)
    client.get(f"{base}/erase")
    assert client.post(f"{base}/erase").status_code == 302
    assert not any(key[0] == token for key in slip.PDF_CACHE._items)


def test_entries_expire_and_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(slip.time, "monotonic", lambda: clock[0])
    cache = slip.PdfCache(entries=2, seconds=60)
    cache.put(("a", "1"), b"A")
    cache.put(("b", "1"), b"B")
    assert cache.get(("a", "1")) == b"A"  # now the most recent
    cache.put(("c", "1"), b"C")  # the least recently used (b) goes
    assert cache.get(("b", "1")) is None and cache.get(("a", "1")) == b"A"
    clock[0] += 61
    assert cache.get(("a", "1")) is None and cache.get(("c", "1")) is None


def test_forget_drops_only_that_screening(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = slip.PdfCache()
    for key in (("a", "1"), ("a", "2"), ("b", "1")):
        cache.put(key, b"x")
    cache.forget("a")
    found: list[Any] = [cache.get(k) for k in (("a", "1"), ("a", "2"), ("b", "1"))]
    assert found == [None, None, b"x"]
