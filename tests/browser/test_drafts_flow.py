"""A screening left half way and found again, on a portrait tablet (810×1080): start, answer a
section, leave, open "My unfinished screenings", resume, and the answers are still there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from screening import operations as ops
from screening.web.forms import field_name
from tests.browser.conftest import visit
from tests.browser.test_checklist_flow import (
    answer,
    checked,
    fill_profile,
    next_step,
    section_answers,
    start,
    steps,
    stored,
    wait_for_step,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def tablet_810(browser: Any) -> Iterator[Any]:
    """The reviewed tablet in portrait: 810×1080, touch, 2x."""
    context = browser.new_context(
        viewport={"width": 810, "height": 1080},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
        bypass_csp=True,  # for axe-core
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def test_a_resumed_draft_keeps_its_answers(live_server: Any, tablet_810: Any, axe: Any) -> None:
    page = tablet_810.new_page()
    token = start(page, live_server, "en")
    order = steps(live_server)
    section = order[2]
    answer(page, {"safety.person_alone": "yes"})
    next_step(page, ops.PROFILE_STEP)
    fill_profile(page)
    next_step(page, section)
    given = section_answers(live_server, section)
    answer(page, given)
    page.locator("button[name=_action][value=back]").click()  # saves the section, as every button does
    wait_for_step(page, ops.PROFILE_STEP)
    page.close()  # the officer leaves: the tab is closed

    again = tablet_810.new_page()
    visit(again, live_server.url + "/screenings")
    again.get_by_role("link", name=re.compile("My unfinished screenings: 1")).tap()
    again.wait_for_url(re.compile(r"/screenings/unfinished$"))
    axe(again, "my unfinished screenings")
    row = again.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{len(given)} of ")
    resume = row.get_by_role("link", name=re.compile("^Resume"))
    box = resume.bounding_box()
    assert box and box["height"] >= 44 and box["x"] + box["width"] <= 810  # a finger-sized link, on screen
    resume.tap()
    wait_for_step(again, section)
    assert checked(again) == {field_name(item): value for item, value in given.items()}
    assert stored(live_server, token).step == section
