"""Scoring benchmark: screenings scored per second on the largest indicator set.

Run on demand (``make bench``), never in pass/fail tests. Absolute numbers depend on the machine,
so each result is also given as a ratio to a baseline measured in the same run: a bare loop that
only counts the ``yes`` answers of the same screenings (the least any scorer must do).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from screening.core.assessment import assess
from screening.core.loading import load_content
from screening.core.profile import Profile
from screening.core.scoring import ANSWERS, score

SCREENINGS = 2000
REPEATS = 5


def _best_rate(work: Callable[[], None], count: int) -> float:
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return count / min(timings)


def main() -> None:
    content = load_content()
    largest = max((content.get_set(s) for s in content.set_ids()), key=lambda s: len(s.indicators) if s else 0)
    assert largest is not None
    rules = content.scoring_for(largest)
    rng = random.Random(2026)
    ids = [i.id for i in largest.indicators]
    batch = [
        ({i: rng.choice(ANSWERS) for i in ids}, Profile(age=rng.choice([None, 12, 17, 25, 40])))
        for _ in range(SCREENINGS)
    ]

    def baseline() -> None:
        for answers, _profile in batch:
            sum(1 for value in answers.values() if value == "yes")

    def scoring() -> None:
        for answers, profile in batch:
            score(largest, rules, answers, profile)

    def scoring_and_referrals() -> None:
        for answers, profile in batch:
            assess(content, largest, answers, profile)

    base = _best_rate(baseline, SCREENINGS)
    rows = [("baseline: count yes answers", base)]
    rows.append(("score()", _best_rate(scoring, SCREENINGS)))
    rows.append(("assess(): score + referrals", _best_rate(scoring_and_referrals, SCREENINGS)))
    levels = [score(largest, rules, a, p).level for a, p in batch[:200]]
    print(f"set {largest.ref}: {len(ids)} indicators, {SCREENINGS} random screenings, best of {REPEATS}")
    print(f"level spread in the sample: {dict(sorted((lv, levels.count(lv)) for lv in set(levels)))}")
    print(f"{'what':<32} {'screenings/s':>14} {'x baseline':>11}")
    for name, rate in rows:
        print(f"{name:<32} {rate:>14,.0f} {base / rate:>10.1f}x")


if __name__ == "__main__":
    main()
