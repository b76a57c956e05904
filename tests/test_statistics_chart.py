"""The statistics page's bar charts: no label runs into a value, and a suppressed count is drawn
as suppressed (a hatched bar with its "<5"), never as an empty bar that reads as none."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask import Flask

from screening.web.admin import CHART_LABEL_CHARS, chart_layout
from tests.conftest import Client, login, make_user
from tests.test_statistics import _screen

SVG = "{http://www.w3.org/2000/svg}"
#: DejaVu Sans at 14 units: its widest common letters (Cyrillic capitals included) take under 0.7 em.
WIDEST_CHARACTER = 14 * 0.7


def charts(page: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)]


def bars(chart: ET.Element) -> list[dict[str, object]]:
    found = []
    for group in chart.iter(f"{SVG}g"):
        texts = group.findall(f"{SVG}text")
        [rect] = group.findall(f"{SVG}rect")
        value = next(t for t in texts if t.get("font-weight") == "bold")
        found.append(
            {
                "labels": [t for t in texts if t is not value],
                "value": value,
                "rect": rect,
                "y": float(rect.get("y", 0)),
                "width": float(rect.get("width", 0)),
            }
        )
    return found


def test_labels_never_overlap_values_and_suppressed_cells_are_drawn(app: Flask, client: Client) -> None:
    for _ in range(5):
        _screen(client, "20")
    _screen(client, "45")
    supervisor = Client(app.test_client())
    login(supervisor, make_user(app, "boss", "supervisor"))
    supervisor.get("/language/sr_Cyrl?next=/")
    page = supervisor.get("/admin/statistics").get_data(as_text=True)
    drawn = charts(page)
    assert drawn
    suppressed = 0
    for chart in drawn:
        chart_width = float(chart.get("viewBox", "0 0 0 0").split()[2])
        for bar in bars(chart):
            value = bar["value"]
            assert isinstance(value, ET.Element)
            for label in bar["labels"]:  # each label line ends above its bar, and fits the chart
                assert float(label.get("y", 0)) + 5 <= bar["y"], label.text
                assert len(label.text or "") * WIDEST_CHARACTER <= chart_width, label.text
            assert float(value.get("x", 0)) >= bar["width"]  # the value comes after its bar
            if (value.text or "").startswith("<"):
                suppressed += 1
                assert bar["width"] > 0 and bar["rect"].get("fill", "").startswith("url(#")
    assert suppressed  # the one case over 40 is "<5", hatched
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # each chart's hatching has its own id


def test_a_long_label_wraps_onto_a_second_line() -> None:
    label = "Могући или претпостављени случајеви према сумњивом облику експлоатације и према општини"
    [bar] = chart_layout([("k", 7, 7)], {"k": label})["bars"]
    lines = [line for _y, line in bar["lines"]]
    assert len(lines) == 2 and all(len(line) <= CHART_LABEL_CHARS for line in lines)
    assert " ".join(lines) == label
