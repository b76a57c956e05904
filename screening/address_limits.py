"""Attempts counted per network address in fixed time windows (failed logins, wrong join codes).

The count lives in the database, so every worker and app server shares it, and each attempt is one
atomic upsert, so parallel attempts cannot slip past the limit. The address is stored only as a
keyed hash. The tables (``login_addresses``, ``join_addresses``) share one shape: address_key,
window_start, failures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def address_key(secret: str, address: str) -> str:
    """The network address as stored: a keyed hash, so the table holds no address."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def window_start(now: dt.datetime, seconds: int) -> dt.datetime:
    """The start of the window of ``seconds`` that holds ``now`` (windows start at multiples of it)."""
    stamp = int(now.timestamp())
    return dt.datetime.fromtimestamp(stamp - stamp % seconds, dt.UTC)


def count_attempt(db: Session, table: Any, key: str, window: dt.datetime) -> int:
    """Add one attempt from the address to this window's count (one atomic upsert); the new count.
    Not committed: the caller commits with its next write, in one short transaction."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    upsert = (
        insert(table)
        .values(address_key=key, window_start=window, failures=1)
        .on_conflict_do_update(
            index_elements=[table.address_key, table.window_start], set_={"failures": table.failures + 1}
        )
        .returning(table.failures)
    )
    failures = int(db.execute(upsert).scalar_one())
    if failures == 1:  # a new window for this address: forget every address's past windows
        db.execute(delete(table).where(table.window_start < window))
    return failures


def forgive_attempt(db: Session, table: Any, key: str, window: dt.datetime) -> None:
    """Take one attempt back (a right password, a right code): those never count against an address.
    Not committed."""
    db.execute(
        update(table)
        .where(table.address_key == key, table.window_start == window, table.failures > 0)
        .values(failures=table.failures - 1)
    )
