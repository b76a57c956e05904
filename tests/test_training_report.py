"""The before/after figures of a class, on hand-made attempts whose figures are worked out here by hand."""

from __future__ import annotations

from screening.core.training_report import AFTER, BEFORE, Attempt, Figures, change, class_report, share

NOW = {"dithb": "now", "vaao": "now"}


def attempt(
    trainee: int, scenario: str, found: str, missed: str, unsupported: str, level: int, **kw: object
) -> Attempt:
    return Attempt(
        trainee=trainee,
        scenario=scenario,
        found=tuple(found.split()),
        missed=tuple(missed.split()),
        unsupported=tuple(unsupported.split()),
        level=level,
        expected_level=kw.get("expected_level", 3),  # type: ignore[arg-type]
        referrals=kw.get("referrals", NOW),  # type: ignore[arg-type]
        expected_referrals=kw.get("expected_referrals", NOW),  # type: ignore[arg-type]
        score=kw["score"],  # type: ignore[arg-type]
    )


# "pre" (before) has must-find a b c d; "post" (after) has a b e; "free" (no phase) has f.
ATTEMPTS = [
    # before: trainee 1 finds a b, misses c d, marks x; level 2 and 24-hour contacts for an expected 3 and "now"
    attempt(1, "pre", "a b", "c d", "x", 2, referrals={"dithb": "within_24h", "vaao": "within_24h"}, score=25),
    # before: trainee 2 finds a, misses b c d, marks x y; level 1, the free line only
    attempt(2, "pre", "a", "b c d", "x y", 1, referrals={"antitrafficking_line": "routine"}, score=0),
    # after: trainee 1 finds all three, nothing unsupported, right level and contacts
    attempt(1, "post", "a b e", "", "", 3, score=100),
    # after: trainee 2 finds a e, misses b, marks y; right level, but only DITHB (VAAO missing)
    attempt(2, "post", "a e", "b", "y", 3, referrals={"dithb": "now"}, score=33),
    # a scenario without a phase: counted on its own row and in the trainee's overall figures only
    attempt(1, "free", "f", "", "", 1, expected_level=1, referrals={}, expected_referrals={}, score=100),
    # a scenario that is not in this session: ignored
    attempt(2, "elsewhere", "z", "", "z2", 0, score=0),
]
PHASES = {"pre": BEFORE, "post": AFTER}


def test_before_against_after_for_the_class() -> None:
    report = class_report(["pre", "post", "free"], PHASES, ATTEMPTS, trainees=[1, 2, 3])
    before, after = report.before, report.after
    # before: 2 attempts, 4 + 4 = 8 must-find asked, 2 + 1 = 3 found: 300 // 8 = 37 %
    assert (before.attempts, before.must_find, before.found, before.found_share) == (2, 8, 3, 37)
    # 1 + 2 = 3 unsupported marks, 1.5 per attempt; no level right, no contacts right; score (25 + 0) // 2
    assert (before.unsupported, before.unsupported_per_attempt) == (3, 1.5)
    assert (before.right_outcome_share, before.right_contacts_share, before.score) == (0, 0, 12)
    # after: 3 + 3 = 6 asked, 3 + 2 = 5 found: 500 // 6 = 83 %; 1 unsupported mark, 0.5 per attempt
    assert (after.attempts, after.must_find, after.found, after.found_share) == (2, 6, 5, 83)
    assert (after.unsupported, after.unsupported_per_attempt) == (1, 0.5)
    # both levels right (100 %), one of two contact lists right (50 %); score (100 + 33) // 2 = 66
    assert (after.right_outcome_share, after.right_contacts_share, after.score) == (100, 50, 66)
    assert report.comparable
    assert change(before.found_share, after.found_share) == 46
    assert change(before.unsupported_per_attempt, after.unsupported_per_attempt) == -1.0
    assert change(before.right_contacts_share, after.right_contacts_share) == 50


def test_per_scenario() -> None:
    report = class_report(["pre", "post", "free"], PHASES, ATTEMPTS)
    rows = {row.scenario: row for row in report.scenarios}
    assert list(rows) == ["pre", "post", "free"]
    assert (rows["pre"].phase, rows["post"].phase, rows["free"].phase) == (BEFORE, AFTER, None)
    assert rows["pre"].figures == report.before and rows["post"].figures == report.after
    free = rows["free"].figures  # one attempt: 1 of 1 found, level and (no) contacts right
    assert (free.attempts, free.found_share, free.right_outcome_share, free.right_contacts_share) == (1, 100, 100, 100)


def test_per_indicator() -> None:
    report = class_report(["pre", "post", "free"], PHASES, ATTEMPTS)
    rows = {row.indicator: row for row in report.indicators}
    # must-find in scenario order (a b c d from "pre", e from "post", f from "free"), then unsupported x y
    assert list(rows) == ["a", "b", "c", "d", "e", "f", "x", "y"]
    counts = {i: (r.before.asked, r.before.found, r.after.asked, r.after.found) for i, r in rows.items()}
    assert counts["a"] == (2, 2, 2, 2)  # found by both, before and after
    assert counts["b"] == (2, 1, 2, 1)  # trainee 2 missed it before, trainee 2 again after
    assert counts["c"] == counts["d"] == (2, 0, 0, 0)  # only asked before, missed by both
    assert counts["e"] == (0, 0, 2, 2)
    assert counts["f"] == (0, 0, 0, 0)  # its scenario has no phase
    assert (rows["b"].before.found_share, rows["c"].after.found_share, rows["e"].after.found_share) == (50, None, 100)
    assert (rows["x"].before.unsupported, rows["x"].after.unsupported) == (2, 0)
    assert (rows["y"].before.unsupported, rows["y"].after.unsupported) == (1, 1)
    assert "z" not in rows and "z2" not in rows  # the other session's scenario is ignored


def test_per_trainee() -> None:
    report = class_report(["pre", "post", "free"], PHASES, ATTEMPTS, trainees=[1, 2, 3])
    people = {t.trainee: t for t in report.trainees}
    assert list(people) == [1, 2, 3]
    # trainee 1: (25 + 100 + 100) // 3 = 75 overall, 25 before, 100 after
    assert (people[1].overall.attempts, people[1].overall.score) == (3, 75)
    assert (people[1].before.score, people[1].after.score) == (25, 100)
    # trainee 2: (0 + 33) // 2 = 16 overall (the other session's attempt is not counted), 0 before, 33 after
    assert (people[2].overall.attempts, people[2].overall.score) == (2, 16)
    assert (people[2].before.score, people[2].after.score) == (0, 33)
    # trainee 3 joined and did nothing: no figures, not zeros
    assert people[3].overall.attempts == 0 and people[3].overall.score is None
    assert people[3].overall.found_share is None and people[3].overall.unsupported_per_attempt is None


def test_nothing_to_compare_without_both_phases() -> None:
    only_before = class_report(["pre", "post"], {"pre": BEFORE}, ATTEMPTS)
    assert not only_before.comparable and only_before.after == Figures()
    assert change(only_before.before.found_share, only_before.after.found_share) is None
    unmarked = class_report(["pre", "post"], {"pre": "sometime"}, ATTEMPTS)  # not a phase: no phase
    assert unmarked.scenarios[0].phase is None and unmarked.before.attempts == 0
    assert share(1, 3) == 33 and share(2, 3) == 66 and share(0, 0) is None


def test_the_right_outcome_is_the_outcome_not_only_the_level() -> None:
    # both level 1: a concern is not the labour-rights outcome the scenario expects
    concern = attempt(1, "pre", "a", "", "", 1, expected_level=1, score=100)
    concern = Attempt(**{**concern.__dict__, "outcome": "concern", "expected_outcome": "labour_rights"})
    right = Attempt(**{**concern.__dict__, "trainee": 2, "outcome": "labour_rights"})
    old = attempt(3, "pre", "a", "", "", 1, expected_level=1, score=100)  # stored without outcomes: the level
    assert not concern.outcome_right and right.outcome_right and old.outcome_right
    figures = Figures.of([concern, right, old])  # 2 of 3 right: 200 // 3 = 66 %
    assert (figures.right_outcome, figures.right_outcome_share) == (2, 66)


def test_from_stored_feedback() -> None:
    stored = {
        "scenario": "pre",
        "missed": ["c"],
        "unsupported": [],
        "found": ["a", "b"],
        "level": 3,
        "referrals": {"dithb": "now"},
        "expected_level": 3,
        "expected_referrals": {"dithb": "now"},
        "score": 66,
    }
    one = Attempt.from_feedback(7, stored)
    assert one.outcome_right and one.contacts_right and one.found == ("a", "b")
    wrong = Attempt.from_feedback(
        7, stored | {"outcome": "presumed_recruitment_unknown", "expected_outcome": "presumed"}
    )
    assert not wrong.outcome_right  # level 3 both, but not the expected outcome
    assert Figures.of([one]).found_share == 66
