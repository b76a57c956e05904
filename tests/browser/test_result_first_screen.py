"""The result page's first screen on a tablet, at 810x1080 (portrait) and 1080x810 (landscape), in
every language: without scrolling, the officer sees each contact to reach with its priority and
its number (a call link only where confirmed) and the next step; the level comes after. Also the
not-assessed path (immediate danger at the safety step) and a profile sent with nothing chosen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from screening import operations as ops
from tests.browser.conftest import PASSWORD, USERNAME, visit
from tests.browser.test_checklist_flow import answer, expect_lang, start, stored, wait_for_step
from tests.conftest import Client, login
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish
from tests.test_web import start as start_through_client

pytestmark = pytest.mark.browser

LOCALES = ("sq", "sr_Latn", "sr_Cyrl", "en")
#: The tablet sizes of the UX review (a 10-inch tablet held either way).
SIZES = {"portrait": (810, 1080), "landscape": (1080, 810)}
PRIORITY = {
    "sq": {"now": "Menjëherë", "within_24h": "Brenda 24 orëve", "routine": "E zakonshme"},
    "en": {"now": "Now", "within_24h": "Within 24 hours", "routine": "Routine"},
}


@pytest.fixture(params=list(SIZES))
def review_tablet(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    width, height = SIZES[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, is_mobile=True, device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def completed_through_the_client(server: Any, answers: dict[str, str], locale: str) -> str:
    """A completed screening of the browser's user, made quickly through the test client."""
    client = Client(server.app.test_client())
    assert login(client, USERNAME, PASSWORD).status_code == 302
    base = start_through_client(client, locale=locale)
    answer_all_pages(client, base, answers, ADULT_PROFILE, locale)
    finish(client, base)
    return base


def inside(page: Page, locator: Any, what: str) -> dict[str, float]:
    """The element's box, asserted to lie wholly inside the viewport without scrolling."""
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None, what
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (
        f"{what} is not on the first screen: {box} in {viewport}"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], f"{what} overflows: {box}"
    return box  # type: ignore[no-any-return]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_first_screen_shows_whom_to_reach(live_server: Any, review_tablet: Any, locale: str) -> None:
    base = completed_through_the_client(live_server, {**PRESUMED, "a_move__locked_in_now": "yes"}, locale)
    token = base.rsplit("/", 1)[-1]
    page = review_tablet.new_page()
    visit(page, f"{live_server.url}/language/{locale}?next={base}/result")
    page.wait_for_url(re.compile(r"/result$"))
    expect_lang(page, locale)
    assert page.evaluate("window.scrollY") == 0

    referrals = stored(live_server, token).referrals
    actions = page.locator("ul.actions > li.action")
    # 192 is in the danger panel (urgent); every other contact has its own line.
    expect(actions).to_have_count(len([r for r in referrals if r["contact"] != "police_emergency"]))
    inside(page, page.locator(".danger-panel a[href='tel:192']"), "the call button in the danger panel")
    for index in range(actions.count()):
        action = actions.nth(index)
        inside(page, action.locator(".priority"), f"priority of contact {index}")
        inside(page, action.locator(".contact-name"), f"name of contact {index}")
        inside(page, action.locator(".phone"), f"number of contact {index}")
        assert action.locator("a[href^='tel:']").count() == 0  # no shipped number but 192 is confirmed
    if locale in PRIORITY:
        shown = actions.locator(".priority").all_inner_texts()
        assert {text.strip().casefold() for text in shown} <= {p.casefold() for p in PRIORITY[locale].values()}
    for step in page.locator(".next-steps a").all():
        inside(page, step, f"next step {step.inner_text()!r}")
    expect(page.locator(".next-steps a")).to_have_count(3)
    # The level comes after the actions.
    level = page.locator(".level").bounding_box()
    last = actions.last.bounding_box()
    assert level and last and level["y"] > last["y"] + last["height"]


@pytest.mark.parametrize("locale", ["sq", "en"])
def test_a_screening_stopped_for_danger_says_not_assessed(live_server: Any, review_tablet: Any, locale: str) -> None:
    page = review_tablet.new_page()
    token = start(page, live_server, locale)
    answer(page, {"safety.immediate_danger": "yes"})
    page.locator("button[name=_action][value=next]").click()
    page.wait_for_url(re.compile(r"/danger$"))
    expect(page.locator(".danger-panel .lead")).to_contain_text("192")
    visit(page, f"{live_server.url}/s/{token}/{ops.PROFILE_STEP}")
    page.fill("#age", "30")
    page.select_option("#sex", "female")
    page.select_option("#nationality", "kosovo")
    page.locator("label.answer:has(input[name=asylum_seeker][value=no])").tap()
    page.locator("button[name=_action][value=next]").click()
    visit(page, f"{live_server.url}/s/{token}/{ops.REVIEW_STEP}")
    page.locator("button[name=_action][value=finish]").click()
    page.wait_for_url(re.compile(r"/result$"))
    headline = page.locator(".level.not-assessed .level-label")
    expect(headline).to_contain_text({"sq": "Pa vlerësim: 0 nga", "en": "Not assessed: 0 of"}[locale])
    inside(page, page.locator(".danger-panel a[href='tel:192']"), "the call button")
    expect(page.locator(".level-number")).to_have_count(0)  # no "Level 0 of 3"
    words = headline.inner_text()
    page.locator(".next-steps a[href*='/slip?']").click()
    page.wait_for_url(re.compile(r"/slip\?lang="))
    expect(page.locator(".not-assessed")).to_contain_text(words)  # the slip carries the same words


@pytest.mark.parametrize("locale", ["sq", "sr_Cyrl"])
def test_a_profile_with_nothing_chosen_is_refused(live_server: Any, review_tablet: Any, locale: str) -> None:
    page = review_tablet.new_page()
    token = start(page, live_server, locale)
    page.locator("button[name=_action][value=next]").click()
    wait_for_step(page, ops.PROFILE_STEP)
    for name in ("#sex", "#nationality"):
        expect(page.locator(name)).to_have_value("")
    expect(page.locator("input[name=asylum_seeker]:checked")).to_have_count(0)
    page.fill("#age", "25")
    page.locator("button[name=_action][value=next]").click()
    wait_for_step(page, ops.PROFILE_STEP)
    expect_lang(page, locale)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("li")).to_have_count(3)
    message = {"sq": "Zgjidhni gjininë e personit", "sr_Cyrl": "Изаберите пол особе"}[locale]
    expect(summary).to_contain_text(message)
    expect(page.locator("#age")).to_have_value("25")  # nothing typed is lost
    assert not stored(live_server, token).profile
