"""Stored screenings. A draft row becomes the screening: one row per screening, however often
the final button is pressed."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from screening.db import Base

DRAFT = "draft"
#: The longest name an account can print on a slip.
FULL_NAME_LENGTH = 120
COMPLETED = "completed"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Screening(Base):
    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Opaque random token used in URLs; it says nothing about the person.
    token: Mapped[str] = mapped_column(String(43), unique=True, index=True)
    #: The start page's one-time key, so a repeated "Start" opens the same screening.
    start_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    #: SHA-256 of the canonical body of the API request that created the screening, so that a
    #: repeat of its Idempotency-Key with another body is refused. Cleared on erasure.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    set_id: Mapped[str] = mapped_column(String(40))
    set_version: Mapped[str] = mapped_column(String(20))
    scoring_version: Mapped[str | None] = mapped_column(String(20))
    rules_version: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(16))
    second_language: Mapped[str | None] = mapped_column(String(16))
    institution: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(60), default="safety")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    consent: Mapped[str] = mapped_column(String(16), default="not_recorded")
    informed_of_rights: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    referrals: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    slip_number: Mapped[str | None] = mapped_column(String(24), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Set when retention or an erasure removed the answers, profile and case reference.
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED


class Actor(Protocol):
    """Who acts on a screening, as operations need them: a :class:`User` row, or the signed-in
    account read before the request (``accounts.SignedIn``)."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...

    @property
    def institution(self) -> str: ...


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True, index=True)
    #: The name printed as the referring officer on the slips this user's screenings produce.
    full_name: Mapped[str | None] = mapped_column(String(FULL_NAME_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    institution: Mapped[str] = mapped_column(String(40))
    municipality: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    #: Before this time a login attempt is refused without checking the password (throttling).
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserSession(Base):
    """A server-side record of each login, so a session can end (logout, idle timeout) for good."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Append-only (the database refuses updates and deletes). Never holds answers or profile data."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(60))  # username at the time, or None
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(20))
    object_id: Mapped[str | None] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    training: Mapped[bool] = mapped_column(Boolean, default=False)


class TrainingSession(Base):
    """A class run by a trainer. Training data lives apart from real screenings and never counts."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True, index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    language: Mapped[str] = mapped_column(String(16))
    scenario_ids: Mapped[list[str]] = mapped_column(JSON)
    #: Scenario id -> "before" or "after" the training (a scenario not in it has no phase).
    scenario_phases: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    place: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JoinAddress(Base):
    """Wrong join codes from one network address in one time window (the limit on guessing codes).

    The address is stored only as a keyed hash, and rows of past windows are deleted. Kept in the
    database, not in memory, so that every worker and app server shares the count.
    """

    __tablename__ = "join_addresses"

    address_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class Trainee(Base):
    __tablename__ = "trainees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    profession: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrainingAttempt(Base):
    __tablename__ = "training_attempts"
    __table_args__ = (UniqueConstraint("trainee_id", "scenario_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrainingRun(Base):
    """A trainee's rehearsal of one scenario on the real checklist's pages: what they have answered
    so far, and once they finish, the result, referrals and slip number they were shown. Kept
    apart from ``screenings``: a rehearsal is never a real screening, never counted nor audited."""

    __tablename__ = "training_runs"
    __table_args__ = (UniqueConstraint("trainee_id", "scenario_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(80))
    step: Mapped[str] = mapped_column(String(60), default="safety")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    consent: Mapped[str] = mapped_column(String(16), default="not_recorded")
    informed_of_rights: Mapped[bool | None] = mapped_column(Boolean)
    scoring_version: Mapped[str | None] = mapped_column(String(20))
    rules_version: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(16))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    referrals: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    slip_number: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters ("sk_" and 4 more), so that a listed token can be recognised.
    prefix: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAddress(Base):
    """Failed logins from one network address in one time window (the per-address limit).

    The address is stored only as a keyed hash; rows of past windows are deleted. Kept in the
    database, not in memory, so that every worker and app server shares the count.
    """

    __tablename__ = "login_addresses"

    address_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class SlipPdf(Base):
    """A screening's referral slip as laid out in one language, so that downloading it costs no layout.

    ``digest`` is the SHA-256 of the slip's HTML: a slip whose content changed since (consent,
    the letterhead) no longer matches and is laid out again. Shared by every worker and app
    server on the database; erasure deletes the rows with the rest of the screening's content
    (``operations.erase``), so no copy outlives the screening's retention period.
    """

    __tablename__ = "slip_pdfs"

    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


#: A stats row's id: 64-bit on PostgreSQL, SQLite's rowid (also 64-bit) on SQLite.
StatId = BigInteger().with_variant(Integer, "sqlite")


class ScreeningStat(Base):
    """What statistics may know of one completed screening, written in the transaction that completes it.

    Erasure deletes the screening's personal content and leaves this row: these are the anonymous
    counts of the retention rule. ``id`` is random, not a sequence, so that ids (and the record
    export, in their order) do not give the order of the screenings; PostgreSQL's heap still keeps
    rows about in the order they were written, which only the database's owner can see.
    ``screening_id`` is set only until the screening is erased (consent may still change its
    referrals until then), after which nothing links the row to a screening, an officer or a day.
    """

    __tablename__ = "screening_stats"

    id: Mapped[int] = mapped_column(StatId, primary_key=True, autoincrement=False)
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("screenings.id", ondelete="SET NULL"), unique=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # "YYYY-MM", UTC
    institution: Mapped[str] = mapped_column(String(40))
    municipality: Mapped[str] = mapped_column(String(40))
    set_id: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(SmallInteger)
    sex: Mapped[str] = mapped_column(String(20))
    age_group: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(20))  # "XK", an ISO 3166 code, or "unknown"


class ScreeningStatForm(Base):
    """A suspected form of exploitation of a stats row (one screening may have several)."""

    __tablename__ = "screening_stat_forms"

    stat_id: Mapped[int] = mapped_column(StatId, ForeignKey("screening_stats.id", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(String(40), primary_key=True)


class ScreeningStatReferral(Base):
    """A referral of a stats row: one contact once, at its priority."""

    __tablename__ = "screening_stat_referrals"

    stat_id: Mapped[int] = mapped_column(StatId, ForeignKey("screening_stats.id", ondelete="CASCADE"), primary_key=True)
    contact: Mapped[str] = mapped_column(String(40), primary_key=True)
    priority: Mapped[str] = mapped_column(String(16))


class ScreeningStatCount(Base):
    """How many statistics rows of one month, institution and set fall in one cell of one table.

    Kept up to date in the transaction that writes or changes a row (``statistics_db``), so that
    the dashboard sums a few thousand counts instead of grouping every screening of the archive;
    ``statistics_db.rebuild_counts`` makes them again from the rows with ``GROUP BY``.
    ``table_name`` is a dashboard table (``by_level``, ``serious_by_form`` ...): the levels table
    also gives the screenings per month, institution and set, as every screening has one level.
    """

    __tablename__ = "screening_stat_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    institution: Mapped[str] = mapped_column(String(40), primary_key=True)
    set_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(30), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    screenings: Mapped[int] = mapped_column(Integer)
