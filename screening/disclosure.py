"""Small-cell suppression for published counts: primary and complementary (secondary).

Pure functions over counts (no Flask, no database), so that however the counts are computed (rows in
Python or SQL ``GROUP BY``) the same cells are hidden on the dashboard, in every CSV and in the API.

Primary suppression hides every count from 1 to ``threshold - 1``. Zero is shown as 0: that nobody
falls in a category singles out nobody, and a zero beside a hidden cell tells an attacker only what
the reader must know anyway (the hidden cell is not that category).

Complementary suppression then hides further cells so that no hidden count can be worked out exactly
from what is shown. The attacker modelled here knows every shown cell and every shown total, that the
cells of a table add up to its total, and that a hidden cell is at least 1 (zeros are shown). Tables on
one page may share a total (every screening has one month, one institution, one level ...), and a
total may be hidden yet follow from other cells (possible + presumed cases = the cells "2" and "3" of
the levels table). Every such fact is one linear equation. A hidden count is *exposed* when no other
solution of those equations, with every hidden cell at least 1, gives it another value: this covers
plain subtraction (total minus the other cells), chains of subtractions across tables, and residuals
that force every hidden cell to 1 (two hidden cells with a residual of 2). Alternative solutions are
looked for one step along each null-space vector of the equations, repaired with further vectors
where a hidden cell would fall below 1; a cell for which none is found counts as exposed, so the search
can only hide too much, never
too little. An exposed count gets a complementary cell: the smallest non-zero shown cell of an equation
it is in (ties broken by the order the cells were given), preferring one that alone protects it. A
total that is itself small is hidden as well.

Limits, on purpose: this is not a full linear-programming audit. It does not protect the width of the
interval an attacker can narrow a hidden count to (only that it is not a single value); it does not use
the "<threshold" upper bound, which complementary cells (shown with the same marker, so a reader cannot
tell the small cell from its complement) do not obey; tables whose cells do not add up to a known
total (a screening may have several forms of exploitation or several referrals, so those tables get
primary suppression only) are not linked to the others; and differences between two filtered views
(all institutions against one, one period against a longer one) and knowledge from outside the page
are not protected against.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

Cell = tuple[str, str]  # (table, key)
_TOTAL = "\x00total"  # the table name under which totals take part in the equations


@dataclass(frozen=True)
class Total:
    """A count that several tables add up to; ``published`` when the page shows it."""

    count: int
    published: bool = True


@dataclass(frozen=True)
class Sum:
    """The fact ``totals[total] == sum of cells``, known to every reader of the page."""

    total: str
    cells: tuple[Cell, ...]

    @classmethod
    def of_table(cls, total: str, table: str, keys: Iterable[str]) -> Sum:
        return cls(total, tuple((table, key) for key in keys))


@dataclass(frozen=True)
class Protection:
    """Which cells and published totals a page hides."""

    primary: frozenset[Cell]
    complementary: frozenset[Cell]
    hidden_totals: frozenset[str] = field(default_factory=frozenset)

    @property
    def suppressed(self) -> frozenset[Cell]:
        return self.primary | self.complementary

    def is_suppressed(self, table: str, key: str) -> bool:
        return (table, key) in self.primary or (table, key) in self.complementary


def marker(threshold: int) -> str:
    """How every hidden count reads, primary or complementary alike, so a reader cannot tell which is which."""
    return f"<{threshold}"


def protect_table(cells: Mapping[str, int], threshold: int, total_shown: bool = True) -> Protection:
    """One table on its own; its total (the sum of its cells) shown unless ``total_shown`` is false."""
    if not total_shown:
        return protect({"table": cells}, threshold)
    total = Total(sum(cells.values()))
    return protect({"table": cells}, threshold, {"total": total}, [Sum.of_table("total", "table", cells)])


def protect(
    tables: Mapping[str, Mapping[str, int]],
    threshold: int,
    totals: Mapping[str, Total] | None = None,
    sums: Sequence[Sum] = (),
) -> Protection:
    """The cells to hide on a page of ``tables`` (name → key → count) so no hidden count is exposed.

    ``totals`` are the page's totals by name, ``sums`` the equations linking them to cells. Cells of
    a table no ``Sum`` mentions get primary suppression only.
    """
    page = _Page(tables, threshold, totals or {}, sums)
    hidden = set(page.primary)
    while (exposed := page.first_exposed(hidden)) is not None:
        complement = page.complement_for(exposed, hidden)
        if complement is None:  # nothing left to hide next to it; cannot happen with consistent counts
            break
        hidden.add(complement)
    return Protection(
        primary=frozenset(page.primary),
        complementary=frozenset(c for c in hidden - page.primary if c[0] != _TOTAL),
        hidden_totals=frozenset(
            name
            for name, total in page.totals.items()
            if total.published and (page.small(total.count) or (_TOTAL, name) in hidden)
        ),
    )


class _Page:
    def __init__(
        self, tables: Mapping[str, Mapping[str, int]], threshold: int, totals: Mapping[str, Total], sums: Sequence[Sum]
    ) -> None:
        self.threshold = threshold
        self.totals = dict(totals)
        self.counts: dict[Cell, int] = {}
        for table, cells in tables.items():
            for key, count in cells.items():
                self.counts[(table, key)] = count
        self.order = {cell: index for index, cell in enumerate(self.counts)}
        self.primary = {cell for cell, count in self.counts.items() if self.small(count)}
        # Unknown to the reader whatever is hidden: totals not published or small.
        self.unknown_totals = {
            (_TOTAL, name) for name, total in self.totals.items() if not total.published or self.small(total.count)
        }
        self.sensitive_totals = {(_TOTAL, name) for name, total in self.totals.items() if self.small(total.count)}
        self.equations = [{(_TOTAL, s.total): -1, **dict.fromkeys(s.cells, 1)} for s in sums]
        self.sums = list(sums)

    def small(self, count: int) -> bool:
        return 0 < count < self.threshold

    def first_exposed(self, hidden: set[Cell]) -> Cell | None:
        """The first hidden cell or small total whose value the page gives away, in a stable order."""
        fixed = self.fixed(hidden)
        for cell in sorted(hidden - self.unknown_totals, key=lambda c: self.order.get(c, -1)):
            if cell in fixed and cell[0] != _TOTAL:
                return cell
        return next((t for t in sorted(self.sensitive_totals) if t in fixed), None)

    def fixed(self, hidden: set[Cell]) -> set[Cell]:
        """The unknowns for which the page allows no other value."""
        unknowns = sorted(hidden | self.unknown_totals)
        values = {u: self.totals[u[1]].count if u[0] == _TOTAL else self.counts[u] for u in unknowns}
        lowest = {u: 0 if u[0] == _TOTAL else 1 for u in unknowns}  # a hidden cell is not 0: zeros are shown
        return set(unknowns) - _movable(unknowns, self.equations, values, lowest)

    def complement_for(self, exposed: Cell, hidden: set[Cell]) -> Cell | None:
        """The smallest non-zero shown cell beside the exposed one, preferring one that alone protects it.

        Beside means in an equation with it or, when those have nothing left to hide, in an equation
        linked to it through hidden counts (a small cell pinned because the total of its table is pinned
        by another table). A shown total is hidden only when no cell is left at all.
        """
        unknown = hidden | self.unknown_totals
        linked = [e for e in self.equations if exposed in e]
        for near in (linked, self.linked_equations(linked, unknown)):
            candidates = self.shown_cells(near, hidden)
            for candidate in candidates:
                if exposed not in self.fixed(hidden | {candidate}):
                    return candidate
            if candidates:
                return candidates[0]
        shown_totals = sorted({c for e in linked for c in e if c[0] == _TOTAL} - unknown)
        return shown_totals[0] if shown_totals else None

    def linked_equations(self, start: list[dict[Cell, int]], unknown: set[Cell]) -> list[dict[Cell, int]]:
        """Every equation reachable from ``start`` through unknowns they share."""
        reached = list(start)
        frontier = {c for e in start for c in e if c in unknown}
        while True:
            more = [e for e in self.equations if e not in reached and frontier & set(e)]
            if not more:
                return reached
            reached += more
            frontier = {c for e in more for c in e if c in unknown}

    def shown_cells(self, equations: list[dict[Cell, int]], hidden: set[Cell]) -> list[Cell]:
        cells = {c for e in equations for c in e if c[0] != _TOTAL and c not in hidden and self.counts[c] > 0}
        return sorted(cells, key=lambda c: (self.counts[c], self.order[c]))


def _movable(
    unknowns: list[Cell], equations: list[dict[Cell, int]], values: Mapping[Cell, int], lowest: Mapping[Cell, int]
) -> set[Cell]:
    """Unknowns that some other solution changes, found by moving the true values along a null-space
    vector of the equations and repairing each unknown pushed below its lowest value with another one.

    A move that is not found makes a cell count as fixed, which only ever hides more, never less.
    """
    basis = _null_space(unknowns, equations)
    floor = [lowest[u] - values[u] for u in unknowns]  # how far each unknown may go down
    moved: set[Cell] = set()
    for start in basis:
        for sign in (1, -1):
            move = _repaired([sign * step for step in start], basis, floor)
            if move is not None:
                moved.update(u for u, step in zip(unknowns, move, strict=True) if step)
    return moved


def _repaired(move: list[int], basis: list[list[int]], floor: list[int]) -> list[int] | None:
    """The move with every unknown below its floor lifted by adding basis vectors, or None if that fails."""
    for _ in range(2 * len(basis) + 1):
        low = next((i for i, (step, bound) in enumerate(zip(move, floor, strict=True)) if step < bound), None)
        if low is None:
            return move
        lifted = [
            [a + (1 if vector[low] > 0 else -1) * b for a, b in zip(move, vector, strict=True)]
            for vector in basis
            if vector[low] != 0
        ]
        lifted = [m for m in lifted if any(m)]
        if not lifted:
            return None
        move = min(lifted, key=lambda m: sum(max(0, bound - step) for step, bound in zip(m, floor, strict=True)))
    return None


def _null_space(unknowns: list[Cell], equations: list[dict[Cell, int]]) -> list[list[int]]:
    """Integer vectors spanning the changes to the unknowns that leave every equation true."""
    column = {name: index for index, name in enumerate(unknowns)}
    rows = [[Fraction(0)] * len(unknowns) for _ in equations]
    for row, equation in zip(rows, equations, strict=True):
        for name, coefficient in equation.items():
            if name in column:
                row[column[name]] += coefficient
    pivots: list[int] = []  # the pivot column of each reduced row
    top = 0
    for col in range(len(unknowns)):
        pivot = next((r for r in range(top, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[top], rows[pivot] = rows[pivot], rows[top]
        lead = rows[top][col]
        rows[top] = [value / lead for value in rows[top]]
        for r in range(len(rows)):
            if r != top and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[top], strict=True)]
        pivots.append(col)
        top += 1
    basis = []
    for free in (col for col in range(len(unknowns)) if col not in pivots):
        vector = [Fraction(0)] * len(unknowns)
        vector[free] = Fraction(1)
        for pivot_row, col in enumerate(pivots):
            vector[col] = -rows[pivot_row][free]
        scale = math.lcm(*(v.denominator for v in vector))
        basis.append([int(v * scale) for v in vector])
    return basis
