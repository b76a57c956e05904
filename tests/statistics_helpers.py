"""Statistics rows stored in a real database and counted by it, for tests that build rows by hand;
and the counting of the version before SQL aggregation, kept here as the tests' reference."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from screening import statistics_db
from screening.db import Base
from screening.statistics import SERIOUS_LEVELS, Row

_ENGINE = create_engine("sqlite://")
Base.metadata.create_all(_ENGINE)


@contextmanager
def stored(rows: Iterable[Row]) -> Iterator[Session]:
    """A session on an in-memory SQLite database that holds exactly ``rows`` as statistics rows."""
    with Session(_ENGINE) as db:  # rolled back at the end: the next caller finds it empty
        for row in rows:
            statistics_db.write(db, row, None)
        db.flush()
        yield db
        db.rollback()


def stored_counts(rows: Iterable[Row]) -> statistics_db.Counts:
    """What the database counts for ``rows``, unfiltered."""
    with stored(rows) as db:
        return statistics_db.counts(db, statistics_db.Filters())


def reference_counts(rows: list[Row]) -> dict[str, dict[str, int]]:
    """The counts as the version before SQL aggregation made them from rows in Python (no zeros)."""
    serious = [r for r in rows if r.level in SERIOUS_LEVELS]
    made: dict[str, Counter[str]] = {
        "by_month": Counter(r.month for r in rows),
        "by_institution": Counter(r.institution for r in rows),
        "by_municipality": Counter(r.municipality for r in rows),
        "by_set": Counter(r.set_id for r in rows),
        "by_level": Counter(str(r.level) for r in rows),
        "by_referral": Counter(f"{c}:{p}" for r in rows for c, p in r.referrals),
        "serious_by_sex": Counter(r.sex for r in serious),
        "serious_by_age": Counter(r.age_group for r in serious),
        "serious_by_origin": Counter(r.origin for r in serious),
        "serious_by_form": Counter(f for r in serious for f in r.forms),
    }
    return {name: dict(counter) for name, counter in made.items()}
