"""A trainee rehearsing a scenario on the real checklist's pages, as the test client walks them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from screening.core.model import Scenario
from screening.web.forms import field_name
from tests.conftest import Client


def profile_form(profile: Mapping[str, Any]) -> dict[str, str]:
    """The profile page filled from a scenario's profile: what it leaves out is "not known"."""
    age = profile.get("age")
    form = {
        "age": "" if age in (None, "unknown") else str(age),
        "sex": "not_stated",
        "nationality": {True: "other", False: "kosovo"}.get(profile.get("foreign_national"), "unknown"),
        "asylum_seeker": "yes" if profile.get("asylum_seeker") is True else "no",
        "municipality": profile.get("municipality") or "",
        "_action": "next",
    }
    if profile.get("age_estimate"):
        form["age_estimate"] = str(profile["age_estimate"])
    return form


def rehearse(
    trainee: Client, scenario: Scenario, marked: Iterable[str], *, profile: Mapping[str, Any] | None = None
) -> list[str]:
    """Begin the rehearsal, answer "yes" to ``marked`` on the pages that ask them, fill the profile
    (the scenario's unless ``profile``), check the answers and finish. The steps walked."""
    answers = {field_name(item): "yes" for item in marked}
    response = trainee.get(f"/t/{scenario.id}")
    assert response.status_code == 302, response.status_code
    url, steps = str(response.headers["Location"]), []
    while not url.endswith("/review"):
        if url.endswith("/danger"):  # someone is in danger: the page says call, then the rehearsal goes on
            onward = re.search(r'href="([^"]+/profile)"', trainee.get(url).get_data(as_text=True))
            assert onward, "the danger page lets the trainee continue"
            url = onward.group(1)
            continue
        step = url.rsplit("/", 1)[1]
        steps.append(step)
        page = trainee.get(url)
        assert page.status_code == 200, (url, page.status_code)
        if step == "profile":
            response = trainee.post(url, data=profile_form(profile or scenario.profile))
        else:
            asked = set(re.findall(r'name="(a_[^"]+)"', page.get_data(as_text=True)))
            response = trainee.post(url, data={**{n: answers[n] for n in asked & answers.keys()}, "_action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        url = str(response.headers["Location"])
    assert trainee.get(url).status_code == 200
    finished = trainee.post(url, data={"_action": "finish"})
    assert finished.status_code == 302 and finished.headers["Location"].endswith("/result"), finished.status_code
    return [*steps, "review"]
