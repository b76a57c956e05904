"""The statistics tables in the database: written at completion, counted with SQL.

Every count of the dashboard, its CSVs and the record export comes from here, aggregated by the
database (``GROUP BY``; on PostgreSQL one pass with ``GROUPING SETS``), never from screenings
loaded into Python. The shaping of the counts into tables and the suppression of small cells stay
pure (``screening.statistics``, ``screening.disclosure``). Takes the database session explicitly;
no Flask here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Table, cast, delete, func, insert, literal, select, tuple_, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from screening.models import ScreeningStat, ScreeningStatForm, ScreeningStatReferral
from screening.statistics import SERIOUS_LEVELS, Row

Stat: Table = ScreeningStat.__table__  # type: ignore[assignment]
Form: Table = ScreeningStatForm.__table__  # type: ignore[assignment]
Referral: Table = ScreeningStatReferral.__table__  # type: ignore[assignment]

#: The tables with one cell per screening, by the column they count.
PER_SCREENING = {
    "by_month": Stat.c.month,
    "by_institution": Stat.c.institution,
    "by_municipality": Stat.c.municipality,
    "by_set": Stat.c.set_id,
    "by_level": Stat.c.level,
}
#: The tables with one cell per possible or presumed case, by the column they count.
PER_SERIOUS_CASE = {
    "serious_by_sex": Stat.c.sex,
    "serious_by_age": Stat.c.age_group,
    "serious_by_origin": Stat.c.origin,
}
RECORD_BATCH = 2000  # rows a streamed export fetches at a time


def new_id() -> int:
    """A random row id (62 bits: positive on both databases), so row order tells nothing."""
    return secrets.randbits(62) or 1


# --- writing ------------------------------------------------------------------------------------


def write(db: Session, row: Row, screening_id: int | None) -> int:
    """Store one completed screening's row, its forms and its referrals (in the caller's transaction)."""
    stat_id = new_id()
    db.execute(insert(Stat).values(id=stat_id, screening_id=screening_id, **_columns(row)))
    if row.forms:
        db.execute(insert(Form), [{"stat_id": stat_id, "form": form} for form in dict.fromkeys(row.forms)])
    _insert_referrals(db, stat_id, row.referrals)
    return stat_id


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
        db.execute(insert(Referral), [{"stat_id": stat_id, "contact": c, "priority": p} for c, p in referrals])


def replace_referrals(db: Session, screening_id: int, referrals: Sequence[tuple[str, str]]) -> None:
    """The referrals of a screening not yet erased changed (consent): its row counts the new ones."""
    stat_id = db.scalar(select(Stat.c.id).where(Stat.c.screening_id == screening_id))
    if stat_id is None:
        return
    db.execute(delete(Referral).where(Referral.c.stat_id == stat_id))
    _insert_referrals(db, stat_id, referrals)


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

    def conditions(self) -> list[ColumnElement[bool]]:
        found = []
        if self.start:
            found.append(Stat.c.month >= self.start)
        if self.end:
            found.append(Stat.c.month <= self.end)
        if self.institution:
            found.append(Stat.c.institution == self.institution)
        if self.set_id:
            found.append(Stat.c.set_id == self.set_id)
        return found

    @property
    def any(self) -> bool:
        return bool(self.conditions())


Counts = dict[str, dict[str, int]]  # table -> key -> count (keys with no screening are absent)


def counts(db: Session, filters: Filters) -> Counts:
    """Every table of the dashboard as key → count, before any ordering or suppression."""
    found: Counts = {name: {} for name in (*PER_SCREENING, "by_referral", *PER_SERIOUS_CASE, "serious_by_form")}
    singles = _grouping_sets(filters) if db.get_bind().dialect.name == "postgresql" else _unions(filters)
    for table, key, count in db.execute(singles):
        if count:
            found[table][str(key)] = count
    for key, count in db.execute(_forms(filters)):
        found["serious_by_form"][key] = count
    for contact, priority, count in db.execute(_referrals(filters)):
        found["by_referral"][f"{contact}:{priority}"] = count
    return found


def _serious() -> ColumnElement[bool]:
    return Stat.c.level.in_(SERIOUS_LEVELS)


def _unions(filters: Filters) -> Any:
    """One ``GROUP BY`` per table, in one statement (SQLite has no ``GROUPING SETS``)."""
    where = filters.conditions()
    parts = [
        select(literal(name).label("t"), cast(column, String).label("k"), func.count().label("n"))
        .where(*where, *([_serious()] if name in PER_SERIOUS_CASE else []))
        .group_by(column)
        for name, column in {**PER_SCREENING, **PER_SERIOUS_CASE}.items()
    ]
    return union_all(*parts)


def _grouping_sets(filters: Filters) -> Any:
    """Every one-column table in one pass over the rows: ``GROUPING SETS``, one per table.

    Rows of a ``PER_SERIOUS_CASE`` set count only possible and presumed cases (``FILTER``)."""
    columns = {**PER_SCREENING, **PER_SERIOUS_CASE}
    inner = (
        select(
            *[func.grouping(column).label(f"g_{name}") for name, column in columns.items()],
            *[column.label(name) for name, column in columns.items()],
            func.count().label("n"),
            func.count().filter(_serious()).label("serious"),
        )
        .where(*filters.conditions())
        .group_by(func.grouping_sets(*[tuple_(column) for column in columns.values()]))
        .subquery()
    )
    parts = [
        select(
            literal(name).label("t"),
            cast(inner.c[name], String).label("k"),
            (inner.c.serious if name in PER_SERIOUS_CASE else inner.c.n).label("n"),
        ).where(inner.c[f"g_{name}"] == 0)
        for name in columns
    ]
    return union_all(*parts)


def _forms(filters: Filters) -> Any:
    """Possible and presumed cases per suspected form (a case may count under several)."""
    return (
        select(Form.c.form, func.count())
        .join(Stat, Stat.c.id == Form.c.stat_id)
        .where(_serious(), *filters.conditions())
        .group_by(Form.c.form)
    )


def _referrals(filters: Filters) -> Any:
    """Referrals per contact and priority; the join to the rows only when a filter needs it."""
    query = select(Referral.c.contact, Referral.c.priority, func.count())
    if filters.any:
        query = query.join(Stat, Stat.c.id == Referral.c.stat_id).where(*filters.conditions())
    return query.group_by(Referral.c.contact, Referral.c.priority)


# --- the record export --------------------------------------------------------------------------


def record_count(db: Session, filters: Filters) -> int:
    return db.scalar(select(func.count()).select_from(Stat).where(*filters.conditions())) or 0


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
        .where(*filters.conditions())
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
