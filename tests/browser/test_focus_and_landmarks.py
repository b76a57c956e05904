"""After a refused submit the focus is on the error summary (under the app's real CSP, at the
review's 810x1080 tablet size), and the moderate axe findings of the UX review are gone: the
training banner and the slip inside landmarks, no empty table header."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from screening import operations as ops
from tests.browser.conftest import AXE, PASSWORD, USERNAME
from tests.browser.test_checklist_flow import start, wait_for_step
from tests.browser.test_training_flow import rehearse_in_browser
from tests.conftest import Client, login
from tests.test_training import create_session
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish
from tests.test_web import start as start_through_client

pytestmark = pytest.mark.browser

#: The rules behind the review's moderate and minor findings.
LANDMARK_RULES = ["region", "landmark-one-main", "empty-table-header"]


@pytest.fixture
def tablet_810(browser: Any) -> Iterator[Any]:
    """The review's portrait tablet, with the app's Content-Security-Policy in force."""
    context = browser.new_context(viewport={"width": 810, "height": 1080}, has_touch=True, is_mobile=True)
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["sq", "sr_Cyrl"])
def test_focus_moves_to_the_error_summary_after_a_refused_profile(
    live_server: Any, tablet_810: Any, locale: str
) -> None:
    page = tablet_810.new_page()
    start(page, live_server, locale)
    page.locator("button[name=_action][value=next]").click()
    wait_for_step(page, ops.PROFILE_STEP)
    expect(page.locator(".error-summary")).to_have_count(0)
    page.locator("button[name=_action][value=next]").click()  # nothing chosen: refused
    wait_for_step(page, ops.PROFILE_STEP)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("tabindex", "-1")
    expect(summary).to_have_attribute("role", "alert")
    box = summary.bounding_box()
    assert box is not None and box["y"] < 1080  # focused and on the screen, not below it
    summary.locator("a").first.click()  # a link in the summary puts the focus in its field
    expect(page.locator("#step-form :focus")).to_have_count(1)


def landmark_findings(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "async rules => await axe.run(document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']})",
        LANDMARK_RULES,
    )
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results["violations"]]


def test_no_content_outside_landmarks_on_the_slip_and_training_pages(live_server: Any, portrait: Any, axe: Any) -> None:
    client = Client(live_server.app.test_client())
    assert login(client, USERNAME, PASSWORD).status_code == 302
    base = start_through_client(client, locale="sq")
    answer_all_pages(client, base, PRESUMED, ADULT_PROFILE, "sq")
    finish(client, base)
    content = live_server.app.extensions["screening.content"]
    scenario = sorted(content.scenarios.values(), key=lambda s: s.id)[0]
    _trainer, code = create_session(live_server.app, content, [scenario.id])

    page = portrait.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#username", USERNAME)
    page.fill("#password", PASSWORD)
    page.locator("form .nav-buttons button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    findings = {}
    page.goto(f"{live_server.url}{base}/slip")
    findings["slip"] = landmark_findings(page)
    axe(page, "slip print view")

    trainee = portrait.browser.new_context(
        viewport={"width": 810, "height": 1080}, has_touch=True, bypass_csp=True
    ).new_page()
    trainee.goto(f"{live_server.url}/join?code={code}")
    findings["join"] = landmark_findings(trainee)
    trainee.fill("#display_name", "Arta")
    trainee.locator("form .nav-buttons button[type=submit]").click()
    trainee.wait_for_url(lambda url: url.endswith("/t/"))
    findings["scenarios"] = landmark_findings(trainee)
    trainee.goto(f"{live_server.url}/t/{scenario.id}")
    findings["rehearsal page"] = landmark_findings(trainee)
    trainee.goto(f"{live_server.url}/t/")
    rehearse_in_browser(trainee, scenario, [])
    findings["feedback"] = landmark_findings(trainee)
    trainee.goto(f"{live_server.url}/t/{scenario.id}/result")
    findings["rehearsal result"] = landmark_findings(trainee)
    axe(trainee, "training feedback")
    trainee.context.close()
    assert not any(findings.values()), findings
