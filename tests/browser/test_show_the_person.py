"""Show the person (issue 15) in a real browser at tablet viewports (810x1080 and 1080x810): a
migrants screening with Arabic and with French as the person's language. The person's text
carries its own dir and lang while the page stays the screener's; the person taps large
Yes / No / I don't know buttons (a word and a symbol each), goes Back, and the screener returns in
two steps; the answers reach the result. Every person page is checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from screening import operations as ops
from tests.browser.conftest import visit
from tests.browser.test_checklist_flow import fill_profile, radio, stored, wait_for_step
from tests.test_person_view import newest_texts

pytestmark = pytest.mark.browser

SET_ID = "migrants"
SECTION = "debt_documents"
#: The person's taps, in the order the questions come; the screener's text of each for the result.
TAPS = {"mig.owes_journey_debt": "yes", "doc.held_by_controller": "yes", "pay.earnings_kept": "unknown"}
VIEWPORTS = {"portrait": (810, 1080), "landscape": (1080, 810)}
DIRECTION = {"ar": "rtl", "fr": "ltr"}
MIN_TARGET = 44


@pytest.fixture(params=list(VIEWPORTS))
def ipad(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
        bypass_csp=True,  # axe-core is injected as a script
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def _start(page: Page, server: Any, language: str) -> str:
    page.set_extra_http_headers({"Accept-Language": "en"})
    visit(page, server.url + "/new")
    page.select_option("#indicator_set", SET_ID)
    page.select_option("#language", "en")
    page.select_option("#second_language", language)
    page.locator("#start-form .nav-buttons button[type=submit]").click()
    wait_for_step(page, ops.SAFETY_STEP)
    match = re.search(r"/s/([^/]+)/safety", page.url)
    assert match
    page.locator("button[name=_action][value=next]").click()
    wait_for_step(page, ops.PROFILE_STEP)
    fill_profile(page)
    page.locator("button[name=_action][value=next]").click()
    page.wait_for_url(lambda url: not url.endswith("/profile"))
    return match.group(1)


def _expect_screener_page(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_a_migrants_screening_through_the_show_the_person_view(
    live_server: Any, ipad: Any, axe: Any, language: str
) -> None:
    content = live_server.app.extensions["screening.content"]
    texts = newest_texts(content, language)
    page = ipad.new_page()
    token = _start(page, live_server, language)
    visit(page, f"{live_server.url}/s/{token}/{SECTION}")
    _expect_screener_page(page)
    # On the screener's page, the person's question beside the screener's, in its own dir and lang.
    person_text = page.locator(".person-language").first
    expect(person_text).to_have_attribute("lang", language)
    expect(person_text).to_have_attribute("dir", DIRECTION[language])
    expect(person_text).to_have_text(texts.items["mig.owes_journey_debt"])
    expect(page.locator(".review-marker")).to_be_visible()

    page.locator("button[name=_action][value=person]").tap()
    page.wait_for_url(re.compile(rf"/person/{SECTION}$"))
    _expect_screener_page(page)
    block = page.locator(".person-block")
    expect(block).to_have_attribute("lang", language)
    expect(block).to_have_attribute("dir", DIRECTION[language])
    expect(block).to_contain_text(texts.introduction["may_refuse"])
    assert page.evaluate("getComputedStyle(document.querySelector('.person-block')).direction") == DIRECTION[language]
    axe(page, f"show the person: introduction ({language})")
    page.locator(".person-next").tap()

    for number, (item_id, value) in enumerate(TAPS.items(), start=1):
        page.wait_for_url(re.compile(rf"/person/{SECTION}/{number}$"))
        expect(page.locator(".person-block")).to_have_attribute("dir", DIRECTION[language])
        expect(page.locator(".person-question")).to_have_text(texts.items[item_id])
        buttons = page.locator(".person-answer")
        expect(buttons).to_have_count(3)
        for index, key in enumerate(("yes", "no", "dont_know")):
            expect(buttons.nth(index)).to_contain_text(texts.answers[key])
            expect(buttons.nth(index).locator(".person-symbol")).not_to_be_empty()
            box = buttons.nth(index).bounding_box()
            assert box and box["height"] >= MIN_TARGET and box["width"] >= MIN_TARGET
        if number == 1:
            axe(page, f"show the person: a question ({language})")
        if number == 2:
            # Back goes to the previous question, which shows the answer the person gave.
            page.locator(".person-back").tap()
            page.wait_for_url(re.compile(rf"/person/{SECTION}/1$"))
            expect(page.locator(".person-answer-yes")).to_have_attribute("aria-pressed", "true")
            page.locator(".person-answer-yes").tap()
            page.wait_for_url(re.compile(rf"/person/{SECTION}/2$"))
        page.locator(f".person-answer-{'unknown' if value == 'unknown' else value}").tap()

    page.wait_for_url(re.compile(rf"/person/{SECTION}/done$"))
    expect(page.locator(".person-block")).to_contain_text(texts.navigation["done"])
    # The way back to the screener takes two steps.
    page.locator(".person-exit").tap()
    page.wait_for_url(re.compile(rf"/person/{SECTION}/exit"))
    page.locator("form button[type=submit].primary").tap()
    wait_for_step(page, SECTION)
    _expect_screener_page(page)
    for item_id, value in TAPS.items():
        expect(radio(page, item_id, value)).to_be_checked()

    visit(page, f"{live_server.url}/s/{token}/{ops.REVIEW_STEP}")
    page.locator("button[name=_action][value=finish]").click()
    page.wait_for_url(re.compile(r"/s/[^/]+/result$"))
    row = stored(live_server, token)
    assert row.status == "completed"
    assert {k: row.answers[k] for k in TAPS} == TAPS
    assert {"mig.owes_journey_debt", "doc.held_by_controller"} <= set(row.result["yes"])
    assert row.result["interviewee"] == {
        "language": language,
        "review_status": "written",
        "reviewed_by": None,
        "reviewed_on": None,
    }
    # The result lists the answers that led to it, in the screener's words.
    held = content.get_set(SET_ID).indicator("doc.held_by_controller")
    expect(page.locator("main")).to_contain_text(held.text["en"])
