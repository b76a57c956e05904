"""The audit trail: who did what to which object, when, and with what outcome. Nothing else.

Answers, profiles and case references never go here; object ids are database ids or slip numbers.
"""

from __future__ import annotations

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from screening.models import AuditEvent, utcnow

ACTIONS: tuple[str, ...] = (
    "login",
    "login_failed",
    "lockout",
    "logout",
    "session_expired",
    "password_changed",
    "screening_created",
    "screening_completed",
    "screening_viewed",
    "slip_printed",
    "slip_downloaded",
    "person_view_opened",
    "question_sheet_printed",
    "consent_recorded",
    "screening_erased",
    "purge",
    "export",
    "user_created",
    "user_changed",
    "access_denied",
)


#: One row per event, written at once in the caller's transaction: a Core insert on the table, with
#: neither the unit of work nor the ORM's bulk-insert path.
_EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]
_INSERT = insert(_EVENTS)


def record(
    db: Session,
    action: str,
    *,
    actor: str | None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    outcome: str = "ok",
    commit: bool = True,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    db.execute(
        _INSERT,
        {
            "at": utcnow(),
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "outcome": outcome,
            "training": False,
        },
    )
    if commit:
        db.commit()
