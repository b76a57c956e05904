"""Training mode in real Chromium (issue 14): a trainer runs a class with a scenario before and one
after the training; two trainees, in two languages and at both tablet viewports, rehearse both on
the real checklist's pages; the class view and its report compare before with after."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from screening.core.languages import localise
from screening.core.model import Scenario
from screening.web.forms import field_name

pytestmark = pytest.mark.browser

TRAINER, PASSWORD = "coach", "copper kettle sings at dawn"
BEFORE, AFTER = "gen-prizren-motel-woman", "gen-peje-drug-courier"


def _trainer(live_server: Any) -> None:
    from screening import accounts
    from screening.web.vocabulary import INSTITUTIONS

    with live_server.app.extensions["screening.sessionmaker"]() as db:
        accounts.create_user(
            db,
            TRAINER,
            role="trainer",
            institution="police",
            institutions=tuple(INSTITUTIONS),
            actor="test",
            password=PASSWORD,
        )


def fill_profile(page: Page, profile: dict[str, Any]) -> None:
    """The profile page filled from the scenario's person, as a trainee reads it off the narrative."""
    age = profile.get("age")
    if isinstance(age, int):
        page.fill("#age", str(age))
    if profile.get("age_estimate"):
        page.locator(f"label.answer:has(input[name=age_estimate][value={profile['age_estimate']}])").tap()
    page.select_option("#sex", "not_stated")
    page.select_option("#nationality", {True: "other", False: "kosovo"}.get(profile.get("foreign_national"), "unknown"))
    asylum = "yes" if profile.get("asylum_seeker") is True else "no"
    page.locator(f"label.answer:has(input[name=asylum_seeker][value={asylum}])").tap()
    if profile.get("municipality"):
        page.select_option("#municipality", profile["municipality"])


def rehearse_in_browser(page: Page, scenario: Scenario, marked: Iterable[str], axe: Any = None) -> list[str]:
    """From the list of scenarios, rehearse ``scenario`` on the real pages: tap "yes" on ``marked``
    where a page asks them, fill the profile, check the answers, finish, read the result (its
    actions on the first screen), then open the feedback. The steps walked."""
    marked = list(marked)
    page.locator(f".scenario-list a[href$='/t/{scenario.id}']").tap()
    page.wait_for_url(re.compile(r"/s/safety$"))
    steps = []
    while not page.url.endswith("/s/review"):
        step, here = page.url.rsplit("/", 1)[1], page.url
        steps.append(step)
        expect(page.locator(".training-banner")).to_be_visible()
        expect(page.locator(".rehearsal-narrative")).to_be_visible()  # the case stays in view
        if step == "profile":
            fill_profile(page, dict(scenario.profile))
        else:
            for item in marked:
                label = page.locator(f"label.answer:has(input[name='{field_name(item)}'][value='yes'])")
                if label.count():
                    label.tap()
        if axe is not None and step in ("safety", "profile"):
            axe(page, f"rehearsal {step}")
        page.locator("button[name=_action][value=next]").click()
        page.wait_for_url(lambda url, here=here: url != here)  # type: ignore[misc]
    page.locator("button[name=_action][value=finish]").click()
    page.wait_for_url(re.compile(r"/result$"))
    viewport = page.viewport_size
    assert viewport is not None
    first_action = page.locator(".actions li").first.bounding_box()
    assert first_action is not None and first_action["y"] + first_action["height"] <= viewport["height"]
    expect(page.locator(".training-banner")).to_be_visible()
    if axe is not None:
        axe(page, "rehearsal result")
    page.locator(".training-next a").tap()
    page.wait_for_url(re.compile(r"/feedback$"))
    return [*steps, "review"]


def test_a_class_rehearses_before_and_after_the_training(live_server: Any, browser: Any, axe: Any) -> None:
    content = live_server.app.extensions["screening.content"]
    before, after = content.scenarios[BEFORE], content.scenarios[AFTER]
    _trainer(live_server)
    trainer_context = browser.new_context(viewport={"width": 1024, "height": 768}, bypass_csp=True)
    tablets = [
        browser.new_context(viewport=size, has_touch=True, is_mobile=True, bypass_csp=True)
        for size in ({"width": 810, "height": 1080}, {"width": 1080, "height": 810})
    ]
    try:
        trainer = trainer_context.new_page()
        trainer.goto(live_server.url + "/login")
        trainer.fill("#username", TRAINER)
        trainer.fill("#password", PASSWORD)
        trainer.locator("form .nav-buttons button[type=submit]").click()
        trainer.wait_for_url(lambda url: "/training/" in url)
        trainer.fill("#place", "Prizren")
        for scenario in (before, after):
            trainer.locator(f"input[name=scenarios][value='{scenario.id}']").check()
        trainer.locator("form .nav-buttons button[type=submit]").click()
        trainer.wait_for_url(lambda url: "/training/" in url and url.rstrip("/").split("/")[-1] != "training")
        code = trainer.locator(".join-code strong").inner_text()
        for scenario, phase in ((before, "before"), (after, "after")):
            trainer.get_by_label(localise(scenario.title, "en"), exact=True).select_option(phase)
        trainer.locator("#phases button[type=submit]").click()
        trainer.wait_for_url(lambda url: url.endswith("#phases"))
        axe(trainer, "class view")

        # Arta finds everything both times; Milan finds a third before the training, all after it.
        plans = [
            ("Arta", "sq", {before.id: before.must_mark, after.id: after.must_mark}),
            ("Milan", "sr_Cyrl", {before.id: before.must_mark[:3], after.id: after.must_mark}),
        ]
        for context, (name, language, plan) in zip(tablets, plans, strict=True):
            page = context.new_page()
            page.goto(f"{live_server.url}/join?code={code}")
            page.fill("#display_name", name)
            page.select_option("#language", language)
            page.locator("form .nav-buttons button[type=submit]").click()
            page.wait_for_url(lambda url: url.endswith("/t/"))
            assert page.locator("html").get_attribute("lang") == language.replace("_", "-")
            listed = page.locator(".scenario-list a").evaluate_all("links => links.map(a => a.pathname)")
            assert listed == [f"/t/{before.id}", f"/t/{after.id}"]  # the scenario before the training first
            for scenario in (before, after):
                steps = rehearse_in_browser(page, scenario, plan[scenario.id], axe if name == "Arta" else None)
                assert steps[0] == "safety" and steps[1] == "profile" and steps[-1] == "review" and len(steps) > 4
                found = len(set(plan[scenario.id]) & set(scenario.must_mark))
                score = found * 100 // len(scenario.must_mark)
                assert page.locator(".score strong").inner_text() == str(score)
                page.locator(".nav-buttons a[href$='/t/']").tap()
                page.wait_for_url(lambda url: url.endswith("/t/"))
            if name == "Arta":
                axe(page, "scenarios, both done")

        # The class view updates itself as trainees finish, and compares before with after.
        for name in ("Arta", "Milan"):
            expect(trainer.locator("#class-summary")).to_contain_text(name, timeout=25_000)
        trainer.reload()
        found_row = trainer.locator(".comparison table").first.locator("tr", has_text="Must-find indicators found")
        before_pct = (len(before.must_mark) + 3) * 100 // (2 * len(before.must_mark))  # rounded down
        expect(found_row).to_contain_text(f"{before_pct} %")
        expect(found_row.locator("td").nth(1)).to_have_text("100 %")
        axe(trainer, "class view with the comparison")
        trainer.goto(f"{live_server.url}/training/{code}/summary")
        report_row = trainer.locator(".training-report .comparison table").first.locator(
            "tr", has_text="Must-find indicators found"
        )
        expect(report_row.locator("td").nth(1)).to_have_text("100 %")
        expect(report_row).to_contain_text(f"{before_pct} %")
        axe(trainer, "training report")
    finally:
        for context in (trainer_context, *tablets):
            context.close()
