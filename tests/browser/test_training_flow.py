"""Training mode in real Chromium: a trainer and three trainees, three contexts, three languages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from screening.web.forms import field_name

pytestmark = pytest.mark.browser

TRAINER, PASSWORD = "coach", "copper kettle sings at dawn"


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


def test_a_class_with_three_trainees(live_server: Any, browser: Any, axe: Any) -> None:
    content = live_server.app.extensions["screening.content"]
    scenario = sorted(content.scenarios.values(), key=lambda s: s.id)[0]
    _trainer(live_server)
    contexts = [
        browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, is_mobile=True, bypass_csp=True)
        for _ in range(4)
    ]
    try:
        trainer = contexts[0].new_page()
        trainer.goto(live_server.url + "/login")
        trainer.fill("#username", TRAINER)
        trainer.fill("#password", PASSWORD)
        trainer.locator("form .nav-buttons button[type=submit]").click()
        trainer.wait_for_url(lambda url: "/training/" in url)
        trainer.fill("#place", "Prizren")
        trainer.locator(f"input[name=scenarios][value='{scenario.id}']").check()
        trainer.locator("form .nav-buttons button[type=submit]").click()
        trainer.wait_for_url(lambda url: "/training/" in url and url.rstrip("/").split("/")[-1] != "training")
        code = trainer.locator(".join-code strong").inner_text()
        axe(trainer, "class view")

        for context, (name, language) in zip(
            contexts[1:], [("Arta", "sq"), ("Milan", "sr_Cyrl"), ("Jane", "en")], strict=True
        ):
            page = context.new_page()
            page.goto(f"{live_server.url}/join?code={code}")
            page.fill("#display_name", name)
            page.select_option("#language", language)
            page.locator("form .nav-buttons button[type=submit]").click()
            page.wait_for_url(lambda url: url.endswith("/t/"))
            assert page.locator("html").get_attribute("lang") == language.replace("_", "-")
            assert page.locator(".training-banner").is_visible()
            page.locator(".scenario-list a").first.click()
            axe(page, f"scenario page ({language})")
            marks = scenario.must_mark if name != "Jane" else scenario.must_mark[:1]
            for item in marks:
                page.locator(f"label.answer:has(input[name='{field_name(item)}'][value='yes'])").tap()
            page.locator("form .nav-buttons button[type=submit]").click()
            page.wait_for_url(lambda url: url.endswith("/feedback"))
            axe(page, f"feedback ({language})")
            assert page.locator(".score strong").inner_text() == (
                "100" if name != "Jane" else str(100 // len(scenario.must_mark))
            )

        # The class view updates itself (no reload) as trainees finish.
        for name in ("Arta", "Milan", "Jane"):
            expect(trainer.locator("#class-summary")).to_contain_text(name, timeout=25_000)

        # The trainer marks the scenario as answered before the training; the figures follow.
        trainer.select_option("#phase_0", "before")
        trainer.locator("#phases button[type=submit]").click()
        trainer.wait_for_url(lambda url: url.endswith("#phases"))
        expect(trainer.locator("#phase_0")).to_have_value("before")
        expect(trainer.locator(".comparison")).to_contain_text("Before the training")
        axe(trainer, "class view with phases")
        trainer.goto(f"{live_server.url}/training/{code}/summary")
        expect(trainer.locator(".training-report .comparison")).to_be_visible()
        axe(trainer, "training report")
    finally:
        for context in contexts:
            context.close()
