"""A tablet on a mobile network: time from tapping Next to the next question page being usable,
and the bytes each page transfers, in Debian's Chromium with network throttling.

Run on demand, never in pass/fail tests (see bench/README.md)::

    .venv/bin/python bench/mobile.py [--runs N]

The app runs on a fresh SQLite database (werkzeug, threaded, 127.0.0.1, a free port) with one
screener. Chromium (Playwright, tablet viewport 810x1080, touch) is throttled through the DevTools
protocol to 1.6 Mbit/s down, 750 kbit/s up and 150 ms latency (Lighthouse's "slow 4G"). Each run
logs in, starts a screening of the general set and goes through every page to the check-your-
answers page: it taps the answers of a page, taps Next, and measures until the next page has
loaded and its Next button can be tapped. The first page after the start is measured with an empty
cache, the others with the cache the earlier pages filled (static files are fingerprinted and
cached for a year, so they come once). As a baseline in the same run it loads a static file of
one byte-sized answer (the health check) under the same throttling: the floor the network sets.
Results go to ``bench/results/mobile-<UTC timestamp>.json`` and ``bench/results/mobile-latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# bench/http.py would hide the standard library's http package: run with the repository on the path instead.
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
RESULTS = HERE / "results"
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "tablet river lantern 42"
#: Lighthouse's "slow 4G" profile, as the issue asks: bytes per second and milliseconds.
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
TARGET_SECONDS = 1.0


def serve(folder: Path) -> tuple[Any, str]:
    """The app on a fresh SQLite database with one screener; returns (server, base URL)."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    from screening import accounts
    from screening.app import create_app
    from screening.db import upgrade
    from screening.web.vocabulary import INSTITUTIONS

    app = create_app(
        {"env": "testing", "database_url": f"sqlite:///{folder / 'bench.sqlite'}"}, instance_path=str(folder)
    )
    upgrade(app.extensions["screening.engine"])
    with app.extensions["screening.sessionmaker"]() as db:
        accounts.create_user(
            db, "officer", role="screener", institution="police", institutions=tuple(INSTITUTIONS),
            actor="bench", password=PASSWORD,
        )  # fmt: skip
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class Traffic:
    """Bytes received per resource type, from the DevTools protocol's network events."""

    def __init__(self, cdp: Any) -> None:
        self.types: dict[str, str] = {}
        self.bytes: dict[str, int] = defaultdict(int)
        self.from_cache: int = 0
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", lambda _event: self._cached())

    def _response(self, event: dict[str, Any]) -> None:
        self.types[event["requestId"]] = event.get("type", "Other")

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes[self.types.get(event["requestId"], "Other")] += int(event.get("encodedDataLength", 0))

    def _cached(self) -> None:
        self.from_cache += 1

    def take(self) -> dict[str, int]:
        taken = dict(self.bytes)
        self.bytes.clear()
        taken["served_from_cache"], self.from_cache = self.from_cache, 0
        return taken


def answer_page(page: Any) -> None:
    """Tap an answer for every question: "no" on the safety page, "yes" elsewhere, the profile filled."""
    if "/profile" in page.url:
        page.fill("#age", "34")
        page.select_option("#sex", "female")
        page.select_option("#nationality", "other")
        page.locator("label.answer:has(input[name=asylum_seeker][value=no])").tap()
        return
    value = "no" if "/safety" in page.url else "yes"
    for label in page.locator(f"label.answer:has(input[type=radio][value={value}])").all():
        label.tap()


def run_once(browser: Any, base: str) -> list[dict[str, Any]]:
    context = browser.new_context(viewport={"width": 810, "height": 1080}, has_touch=True, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/new")
    page.locator("#start-form .nav-buttons button[type=submit]").click()
    page.wait_for_url("**/safety")
    # Throttled from here, with an empty cache: the first measured page fetches the static files.
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    traffic = Traffic(cdp)
    pages = []
    while "/review" not in page.url:
        answer_page(page)
        before = page.url
        traffic.take()
        started = time.perf_counter()
        page.locator("button[name=_action][value=next]").click()
        page.wait_for_url(lambda url, before=before: url != before)
        page.wait_for_load_state("load")
        page.locator("button[name=_action]").first.wait_for(state="visible")
        seconds = time.perf_counter() - started
        pages.append({"page": page.url.rsplit("/", 1)[-1], "seconds": seconds, **traffic.take()})
    context.close()
    return pages


def baseline(browser: Any, base: str) -> float:
    """The throttled round trip of the health check: what the network costs before the app does anything."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    started = time.perf_counter()
    page.goto(f"{base}/healthz")
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="screenings walked through (default 3)")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} is missing: run `make test-deps` (bash .ci/test-deps)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server, base = serve(Path(folder))
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            floor = statistics.median(baseline(browser, base) for _ in range(3))
            runs = [run_once(browser, base) for _ in range(args.runs)]
        finally:
            browser.close()
            server.shutdown()
    report = summarise(runs, floor)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    for name in (f"mobile-{stamp}.json", "mobile-latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    return 0


def summarise(runs: list[list[dict[str, Any]]], floor: float) -> dict[str, Any]:
    first = [run[0] for run in runs]
    later = [p for run in runs for p in run[1:]]
    kinds = sorted({k for p in first + later for k in p if k not in ("page", "seconds", "served_from_cache")})

    def stats(pages: list[dict[str, Any]]) -> dict[str, Any]:
        seconds = sorted(p["seconds"] for p in pages)
        return {
            "pages": len(pages),
            "median_s": statistics.median(seconds),
            "worst_s": seconds[-1],
            "median_bytes": {k: int(statistics.median(p.get(k, 0) for p in pages)) for k in kinds},
            "ratio_to_floor": statistics.median(seconds) / floor if floor else None,
        }

    return {
        "network": NETWORK,
        "target_s": TARGET_SECONDS,
        "floor_s": floor,
        "first_page_cold_cache": stats(first),
        "later_pages_warm_cache": stats(later),
        "pages": runs[0],
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        f"Throttled: {NETWORK['downloadThroughput'] * 8 / 1e6:.1f} Mbit/s down, "
        f"{NETWORK['uploadThroughput'] * 8 / 1e3:.0f} kbit/s up, {NETWORK['latency']} ms latency; "
        f"health check (floor) {report['floor_s'] * 1000:.0f} ms",
        f"{'':28} {'median':>8} {'worst':>8} {'x floor':>8}  bytes by type (median)  target",
    ]
    for key, label in (
        ("first_page_cold_cache", "Next -> page, empty cache"),
        ("later_pages_warm_cache", "Next -> page, warm cache"),
    ):
        row = report[key]
        sizes = ", ".join(f"{k} {v / 1000:.1f} kB" for k, v in row["median_bytes"].items() if v)
        met = "met" if row["worst_s"] <= TARGET_SECONDS else "MISSED"
        lines.append(
            f"{label:28} {row['median_s']:7.2f}s {row['worst_s']:7.2f}s {row['ratio_to_floor']:8.1f}  {sizes}  "
            f"<= {TARGET_SECONDS:.0f} s: {met}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
