"""The statistics tables in the database: written at completion, counted with SQL.

Every count of the dashboard, its CSVs and the record export comes from here, aggregated by the
database, never from screenings loaded into Python. ``screening_stats`` (with its forms and
referrals) holds one row per completed screening; ``screening_stat_counts`` holds how many rows of
each month, institution and set fall in each cell of each table, kept up to date in the same
transaction as the rows (and made again from them with ``GROUP BY`` by :func:`rebuild_counts`).
The dashboard sums those counts (``GROUP BY``; on PostgreSQL one pass with ``GROUPING SETS``), so
its cost grows with months x institutions x sets, not with the number of screenings. The shaping
of the counts into tables and the suppression of small cells stay pure (``screening.statistics``,
``screening.disclosure``). Takes the database session explicitly; no Flask here.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import itertools
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Table, cast, delete, func, insert, literal, select, tuple_, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from screening.models import ScreeningStat, ScreeningStatCount, ScreeningStatForm, ScreeningStatReferral
from screening.statistics import SERIOUS_LEVELS, TABLES, Row

Stat: Table = ScreeningStat.__table__  # type: ignore[assignment]
Form: Table = ScreeningStatForm.__table__  # type: ignore[assignment]
Referral: Table = ScreeningStatReferral.__table__  # type: ignore[assignment]
Count: Table = ScreeningStatCount.__table__  # type: ignore[assignment]

#: The tables summed from the levels table's counts, by the column they count.
FROM_LEVELS = {"by_month": Count.c.month, "by_institution": Count.c.institution, "by_set": Count.c.set_id}
RECORD_BATCH = 2000  # rows a streamed export fetches at a time


def new_id() -> int:
    """A random row id (62 bits: positive on both databases), so row order tells nothing."""
    return secrets.randbits(62) or 1


# --- writing ------------------------------------------------------------------------------------


# Built once: each completion runs them.
_INSERT_STAT, _INSERT_FORM, _INSERT_REFERRAL = insert(Stat), insert(Form), insert(Referral)


def write(db: Session, row: Row, screening_id: int | None) -> int:
    """Store one completed screening's row, its forms and its referrals (in the caller's transaction)."""
    stat_id = new_id()
    db.execute(_INSERT_STAT, {"id": stat_id, "screening_id": screening_id, **_columns(row)})
    if row.forms:
        db.execute(_INSERT_FORM, [{"stat_id": stat_id, "form": form} for form in dict.fromkeys(row.forms)])
    _insert_referrals(db, stat_id, row.referrals)
    _add(db, (row.month, row.institution, row.set_id), _cells(row), 1)
    return stat_id


def _cells(row: Row) -> list[tuple[str, str]]:
    """The (table, key) cells one row counts in."""
    cells = [("by_level", str(row.level)), ("by_municipality", row.municipality)]
    cells += _referral_cells(row.referrals)
    if row.level in SERIOUS_LEVELS:
        cells += [("serious_by_sex", row.sex), ("serious_by_age", row.age_group), ("serious_by_origin", row.origin)]
        cells += [("serious_by_form", form) for form in dict.fromkeys(row.forms)]
    return cells


def _referral_cells(referrals: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("by_referral", f"{contact}:{priority}") for contact, priority in referrals]


@functools.cache
def _upsert_counts(dialect: str) -> Any:
    """Add each line's ``screenings`` to its cell's count, or create the cell: an upsert in the
    dialect's own syntax (both have ``ON CONFLICT``), built once per dialect."""
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Count)
    return upsert.on_conflict_do_update(
        index_elements=[c.name for c in Count.primary_key.columns],
        set_={"screenings": Count.c.screenings + upsert.excluded.screenings},
    )


def _add(db: Session, where: tuple[str, str, str], cells: list[tuple[str, str]], delta: int) -> None:
    """Add ``delta`` to each cell's count of one month, institution and set (created at ``delta``).

    The cells go in a fixed order, so that two transactions counting the same cells lock them in
    the same order and never wait for each other in a circle."""
    if not cells:
        return
    month, institution, set_id = where
    lines = [
        {"month": month, "institution": institution, "set_id": set_id, "table_name": t, "key": k, "screenings": delta}
        for t, k in sorted(cells)
    ]
    db.execute(_upsert_counts(db.get_bind().dialect.name), lines)


def _columns(row: Row) -> dict[str, Any]:
    return {
        "month": row.month,
        "institution": row.institution,
        "municipality": row.municipality,
        "set_id": row.set_id,
        "level": row.level,
        "sex": row.sex,
        "age_group": row.age_group,
        "origin": row.origin,
    }


def _insert_referrals(db: Session, stat_id: int, referrals: Sequence[tuple[str, str]]) -> None:
    if referrals:
        db.execute(_INSERT_REFERRAL, [{"stat_id": stat_id, "contact": c, "priority": p} for c, p in referrals])


def replace_referrals(db: Session, screening_id: int, referrals: Sequence[tuple[str, str]]) -> None:
    """The referrals of a screening not yet erased changed (consent): its row counts the new ones."""
    stat = db.execute(
        select(Stat.c.id, Stat.c.month, Stat.c.institution, Stat.c.set_id).where(Stat.c.screening_id == screening_id)
    ).first()
    if stat is None:
        return
    old = db.execute(select(Referral.c.contact, Referral.c.priority).where(Referral.c.stat_id == stat.id)).all()
    where = (stat.month, stat.institution, stat.set_id)
    _add(db, where, _referral_cells([tuple(r) for r in old]), -1)
    _add(db, where, _referral_cells(referrals), 1)
    db.execute(delete(Referral).where(Referral.c.stat_id == stat.id))
    _insert_referrals(db, stat.id, referrals)


def unlink(db: Session, screening_id: int) -> None:
    """Erasure: the row stays for the counts, and nothing ties it to the screening any more."""
    db.execute(update(Stat).where(Stat.c.screening_id == screening_id).values(screening_id=None))


# --- counting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: a period in whole months ("YYYY-MM", both ends included), an
    institution and an indicator set; None means any."""

    start: str | None = None
    end: str | None = None
    institution: str | None = None
    set_id: str | None = None

    @classmethod
    def of(cls, start: dt.date | None, end: dt.date | None, institution: str | None, set_id: str | None) -> Filters:
        return cls(
            start=start.strftime("%Y-%m") if start else None,
            end=end.strftime("%Y-%m") if end else None,
            institution=institution or None,
            set_id=set_id or None,
        )

    def conditions(self, table: Table) -> list[ColumnElement[bool]]:
        """The filters on ``table``'s columns month, institution and set_id."""
        found = []
        if self.start:
            found.append(table.c.month >= self.start)
        if self.end:
            found.append(table.c.month <= self.end)
        if self.institution:
            found.append(table.c.institution == self.institution)
        if self.set_id:
            found.append(table.c.set_id == self.set_id)
        return found


Counts = dict[str, dict[str, int]]  # table -> key -> count (keys with no screening are absent)


def counts(db: Session, filters: Filters) -> Counts:
    """Every table of the dashboard as key → count, before any ordering or suppression."""
    found: Counts = {name: {} for name in TABLES}
    sums = _grouping_sets if db.get_bind().dialect.name == "postgresql" else _unions
    for table, key, count in sums(db, filters.conditions(Count)):
        if count:
            found[table][key] = int(count)
    return found


def _unions(db: Session, where: list[ColumnElement[bool]]) -> Iterator[tuple[str, str, int]]:
    """(table, key, count): one ``GROUP BY`` for the counted tables and one per table summed from
    the levels, in one statement (SQLite has no ``GROUPING SETS``)."""
    cells = select(Count.c.table_name, Count.c.key, func.sum(Count.c.screenings)).where(*where)
    parts = [cells.group_by(Count.c.table_name, Count.c.key)]
    parts += [
        select(literal(name), column, func.sum(Count.c.screenings))
        .where(*where, Count.c.table_name == "by_level")
        .group_by(column)
        for name, column in FROM_LEVELS.items()
    ]
    yield from ((table, key, count) for table, key, count in db.execute(union_all(*parts)))


def _grouping_sets(db: Session, where: list[ColumnElement[bool]]) -> Iterator[tuple[str, str, int]]:
    """(table, key, count) in one pass over the counts: ``GROUPING SETS`` by (table, key) and by
    month, institution and set; ``GROUPING()`` tells which set a line is of, and the last three
    sum only the levels table's counts (``FILTER``)."""
    grouped = [Count.c.table_name, *FROM_LEVELS.values()]
    sets = [tuple_(Count.c.table_name, Count.c.key), *[tuple_(column) for column in FROM_LEVELS.values()]]
    query = (
        select(
            *[func.grouping(column) for column in grouped],
            Count.c.key,
            *grouped,
            func.sum(Count.c.screenings),
            func.sum(Count.c.screenings).filter(Count.c.table_name == "by_level"),
        )
        .where(*where)
        .group_by(func.grouping_sets(*sets))
    )
    for line in db.execute(query):
        flags, key, values, total, levels = line[:4], line[4], line[5:9], line[9], line[10]
        index = list(flags).index(0)
        if index == 0:
            yield values[0], key, total
        else:
            yield list(FROM_LEVELS)[index - 1], values[index], levels


def rebuild_counts(db: Session) -> None:
    """Make the counts again from the rows, with ``GROUP BY`` (after a bulk load, or to check them)."""
    db.execute(delete(Count))
    db.execute(insert(Count).from_select([c.name for c in Count.c], union_all(*_counted_from_rows())))


def _counted_from_rows() -> list[Any]:
    """For each counted table, its counts per month, institution and set, grouped from the rows."""
    by = (Stat.c.month, Stat.c.institution, Stat.c.set_id)
    serious = Stat.c.level.in_(SERIOUS_LEVELS)

    def grouped(table: str, key: Any, *where: Any, join: Table | None = None) -> Any:
        query = select(*by, literal(table), key, func.count())
        if join is not None:
            query = query.select_from(Stat.join(join, join.c.stat_id == Stat.c.id))
        return query.where(*where).group_by(*by, key)

    return [
        grouped("by_level", cast(Stat.c.level, String)),
        grouped("by_municipality", Stat.c.municipality),
        grouped("by_referral", Referral.c.contact + ":" + Referral.c.priority, join=Referral),
        grouped("serious_by_sex", Stat.c.sex, serious),
        grouped("serious_by_age", Stat.c.age_group, serious),
        grouped("serious_by_origin", Stat.c.origin, serious),
        grouped("serious_by_form", Form.c.form, serious, join=Form),
    ]


# --- the record export --------------------------------------------------------------------------


def record_count(db: Session, filters: Filters) -> int:
    return db.scalar(select(func.count()).select_from(Stat).where(*filters.conditions(Stat))) or 0


def pseudonym(secret: str, stat_id: int) -> str:
    """A record's pseudonymous id: an HMAC of its row id, stable per deployment."""
    return hmac.new(secret.encode(), f"stat:{stat_id}".encode(), hashlib.sha256).hexdigest()[:16]


def records(db: Session, secret: str, filters: Filters) -> Iterator[tuple[str, Row]]:
    """(pseudonymous id, row) per completed screening, streamed: the database hands the rows over
    in batches (a server-side cursor on PostgreSQL), so memory stays flat however many there are.

    Rows come in the order of their random ids, which is no order of time or of anything else.
    """
    query = (
        select(*Stat.c, Form.c.form, Referral.c.contact, Referral.c.priority)
        .outerjoin(Form, Form.c.stat_id == Stat.c.id)
        .outerjoin(Referral, Referral.c.stat_id == Stat.c.id)
        .where(*filters.conditions(Stat))
        .order_by(Stat.c.id, Form.c.form, Referral.c.contact)
        .execution_options(yield_per=RECORD_BATCH)
    )
    result = db.execute(query)
    for stat_id, lines in itertools.groupby(result, key=lambda line: line.id):
        yield pseudonym(secret, stat_id), _row(list(lines))


def _row(lines: list[Any]) -> Row:
    """One row from its joined lines (one per form × referral)."""
    first = lines[0]
    return Row(
        month=first.month,
        institution=first.institution,
        municipality=first.municipality,
        set_id=first.set_id,
        level=first.level,
        sex=first.sex,
        age_group=first.age_group,
        origin=first.origin,
        forms=tuple(dict.fromkeys(line.form for line in lines if line.form is not None)),
        referrals=tuple(dict.fromkeys((line.contact, line.priority) for line in lines if line.contact is not None)),
    )
