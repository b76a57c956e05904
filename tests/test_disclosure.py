"""Complementary suppression: an attacker who subtracts shown counts from shown totals learns no hidden count."""

from __future__ import annotations

import csv
import html
import io
import re

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.disclosure import protect_table
from screening.statistics import AGE_GROUPS, Row, tables
from tests.conftest import Client, login, make_user
from tests.statistics_helpers import reference_counts, stored_counts
from tests.test_web import ADULT_PROFILE, PRESUMED, answer_all_pages, finish, start

THRESHOLD = 5
HIDDEN = f"<{THRESHOLD}"
ONE_PER_SCREENING = ("by_month", "by_institution", "by_municipality", "by_set", "by_level")
ONE_PER_SERIOUS_CASE = ("serious_by_sex", "serious_by_age", "serious_by_origin")
Shown = dict[str, list[int | str]]  # table -> counts as shown, in the page's order


def attack(shown: Shown, total: int | str) -> dict[tuple[str, int], int]:
    """What a reader works out by subtraction: {(table, row index): value} for hidden cells.

    Knows: every screening is in one cell of each ONE_PER_SCREENING table (they add up to the total),
    possible or presumed cases are levels 2 and 3 and each ONE_PER_SERIOUS_CASE table adds up to them,
    and a hidden cell is at least 1. Subtracts until nothing new comes out; a residual equal to the
    number of hidden cells gives each of them as 1.
    """
    known: dict[object, int] = {} if total == HIDDEN else {"all": int(total)}
    cells: dict[object, int | str] = {
        (name, index): value for name, values in shown.items() for index, value in enumerate(values)
    }
    known.update({cell: value for cell, value in cells.items() if isinstance(value, int)})
    equations = [("all", [(name, i) for i in range(len(shown[name]))]) for name in ONE_PER_SCREENING]
    equations += [("serious", [(name, i) for i in range(len(shown[name]))]) for name in ONE_PER_SERIOUS_CASE]
    equations.append(("serious", [("by_level", 2), ("by_level", 3)]))
    learnt: dict[tuple[str, int], int] = {}
    changed = True
    while changed:
        changed = False
        for whole, parts in equations:
            unknown = [p for p in parts if p not in known]
            if whole not in known and not unknown:
                known[whole] = sum(known[p] for p in parts)
                changed = True
            elif whole in known and unknown:
                residual = known[whole] - sum(known[p] for p in parts if p in known)
                if len(unknown) == 1 or residual == len(unknown):
                    for part in unknown:
                        known[part] = learnt[part] = residual if len(unknown) == 1 else 1  # type: ignore[index]
                    changed = True
    return learnt


def true_counts(made: dict[str, list[tuple[str, int | str, int]]], rows: list[Row]) -> dict[str, list[int]]:
    from screening.statistics import ordered

    raw = ordered(reference_counts(rows), ["general", "health"])
    return {name: [raw[name][key] for key, _shown, _drawn in made[name]] for name in made}


rows_strategy = st.lists(
    st.builds(
        Row,
        month=st.sampled_from(["2026-01", "2026-02", "2026-03"]),
        institution=st.sampled_from(["police", "health", "social"]),
        municipality=st.sampled_from(["peje", "prishtine", "gjakove"]),
        set_id=st.sampled_from(["general", "health"]),
        level=st.integers(0, 3),
        sex=st.sampled_from(["female", "male", "not_stated", "unknown"]),
        age_group=st.sampled_from([k for k, _, _ in AGE_GROUPS] + ["unknown"]),
        origin=st.sampled_from(["XK", "AL", "RS"]),
        forms=st.lists(st.sampled_from(["begging", "prostitution"]), max_size=2, unique=True).map(tuple),
        referrals=st.lists(st.sampled_from([("dithb", "now"), ("csw", "soon")]), max_size=2, unique=True).map(tuple),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(rows_strategy)
def test_no_hidden_count_of_the_dashboard_comes_back_by_subtraction(rows: list[Row]) -> None:
    made = tables(stored_counts(rows), THRESHOLD, ["general", "health"])
    truth = true_counts(made, rows)
    shown = {name: [value for _key, value, _drawn in cells] for name, cells in made.items()}
    total = HIDDEN if 0 < len(rows) < THRESHOLD else len(rows)
    learnt = attack(shown, total)
    recovered = {cell: value for cell, value in learnt.items() if truth[cell[0]][cell[1]] == value}
    assert not recovered, (recovered, shown)
    for name, values in shown.items():
        for value, true in zip(values, truth[name], strict=True):
            assert value == HIDDEN or value == true  # a shown count is the true count
            assert value == HIDDEN or not 0 < true < THRESHOLD  # no small count is ever shown
            assert true != 0 or value == 0  # zero is shown as 0
        # Minimal: a table is never hidden whole (beyond its small cells) when one more cell would do.
        complements = sum(1 for v, t in zip(values, truth[name], strict=True) if v == HIDDEN and t >= THRESHOLD)
        assert complements <= 1, (name, shown)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 30), min_size=1))
def test_one_table_with_its_total_gets_one_complementary_cell_at_most(cells: dict[str, int]) -> None:
    protection = protect_table(cells, THRESHOLD)
    hidden = protection.suppressed
    primary = {k for k, v in cells.items() if 0 < v < THRESHOLD}
    assert {k for _t, k in protection.primary} == primary
    total = sum(cells.values())
    if 0 < total < THRESHOLD:
        assert protection.hidden_totals == {"total"} and not protection.complementary
        return
    if protection.hidden_totals:  # only when every other cell is hidden or zero: five cells of 1, total 5
        assert not [v for k, v in cells.items() if k not in primary and v > 0]
        return
    residual = total - sum(v for k, v in cells.items() if ("table", k) not in hidden)
    assert len(hidden) != 1  # one hidden cell would be the total minus the others
    assert len(hidden) == 0 or residual != len(hidden)  # nor may every hidden cell be forced to 1
    if len(primary) == 1:
        [(_table, complement)] = protection.complementary
        order = list(cells)
        others = sorted((v, order.index(k)) for k, v in cells.items() if k not in primary and v > 0)
        assert (cells[complement], order.index(complement)) == others[0]  # the smallest non-zero, first of a tie
    elif primary:  # several small cells protect each other unless they are all 1
        assert bool(protection.complementary) == all(cells[k] == 1 for k in primary)


def test_a_single_hidden_cell_gets_a_complement_and_a_small_total_is_hidden() -> None:
    protection = protect_table({"a": 3, "b": 10, "c": 20, "d": 10, "e": 0}, THRESHOLD)
    assert protection.complementary == {("table", "b")}  # the smallest, the first of a tie
    assert protect_table({"a": 1, "b": 1, "c": 20}, THRESHOLD).complementary == {("table", "c")}  # 2 - 0 = 1 + 1
    assert protect_table({"a": 3, "b": 2, "c": 7}, THRESHOLD).complementary == frozenset()
    assert protect_table({"a": 3, "b": 0}, THRESHOLD).hidden_totals == {"total"}
    assert protect_table(dict.fromkeys("abcde", 1), THRESHOLD).hidden_totals == {"total"}
    assert protect_table({"a": 3, "b": 10}, THRESHOLD, total_shown=False).complementary == frozenset()


def _screen(client: Client, answers: dict[str, str], **profile: str) -> None:
    base = start(client, set_id="general")
    answer_all_pages(client, base, answers, {**ADULT_PROFILE, "nationality": "other", **profile}, "en")
    finish(client, base)


def _page_tables(page: str) -> tuple[Shown, int | str]:
    from screening.web.admin import TABLE_TITLES

    by_title = {str(title): key for key, title in TABLE_TITLES.items()}
    shown: Shown = {}
    for section in page.split('<section class="stat-table">')[1:]:
        title = html.unescape(re.search(r"<h2>(.*?)</h2>", section).group(1))  # type: ignore[union-attr]
        values = [html.unescape(v) for v in re.findall(r"<td>(.*?)</td>", section)]
        shown[by_title[title]] = [int(v) if v.isdigit() else v for v in values]
    total = html.unescape(re.search(r"Completed screenings:</strong> (\S+)</p>", page).group(1))  # type: ignore[union-attr]
    return shown, int(total) if total.isdigit() else total


def test_the_dashboard_and_its_csvs_give_no_small_count_back(app: Flask, client: Client) -> None:
    for _ in range(5):
        _screen(client, PRESUMED, age="20", country="AL")
    _screen(client, PRESUMED, age="45", country="RS", sex="male")
    _screen(client, {}, age="34", country="AL")  # too few answers: level 0
    nurse = Client(app.test_client())
    login(nurse, make_user(app, "nurse", institution="health"))
    _screen(nurse, PRESUMED, age="20", country="AL", municipality="prishtine")
    supervisor = Client(app.test_client())
    login(supervisor, make_user(app, "boss", "supervisor"))
    shown, total = _page_tables(supervisor.get("/admin/statistics").get_data(as_text=True))
    assert total == 8, shown
    for name in ("by_institution", "by_municipality", "by_level", "serious_by_sex", "serious_by_age"):
        assert shown[name].count(HIDDEN) >= 2, (name, shown[name])  # the small cell and its complement
    assert attack(shown, total) == {}
    exported: Shown = {}
    for name in shown:
        response = supervisor.get(f"/admin/statistics/{name}.csv")
        assert response.status_code == 200
        lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        exported[name] = [int(line["count"]) if line["count"].isdigit() else line["count"] for line in lines]
    assert exported == shown  # the same cells hidden in every CSV as on the page
    assert attack(exported, total) == {}
