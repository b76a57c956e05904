"""The roles, and the institutions a user may belong to (one list each)."""

from __future__ import annotations

SCREENER = "screener"  # runs screenings, sees the screenings of their own institution
SUPERVISOR = "supervisor"  # aggregate statistics only, never an individual's answers
TRAINER = "trainer"  # training mode and the indicator lists
ADMIN = "admin"  # users, audit trail, retention

ROLES: tuple[str, ...] = (SCREENER, SUPERVISOR, TRAINER, ADMIN)
