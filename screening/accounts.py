"""Users: creation, authentication with throttling and lockout, password changes, sessions.

Takes the database session explicitly; no Flask. Every change is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from screening import audit
from screening.models import ApiToken, User, UserSession, utcnow
from screening.passwords import check_policy, hash_password, needs_rehash, one_time_password, verify_password
from screening.roles import ROLES

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")
SLOW_AFTER = 3  # failures before each attempt must wait
LOCK_AFTER = 8  # failures before the account locks
MAX_WAIT_SECONDS = 300
SEEN_RESOLUTION = dt.timedelta(seconds=60)  # last_seen is written at most once a minute


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown user names, so their timing matches real ones."""
    return hash_password(secrets.token_hex(16))


class AccountError(ValueError):
    """A user operation that cannot be done; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class LoginOutcome:
    status: str  # ok | bad | throttled | locked
    user: User | None = None
    wait_seconds: int = 0


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def find_user(db: Session, username: str) -> User | None:
    return db.scalars(select(User).where(User.username == username.strip().lower())).first()


def create_user(
    db: Session,
    username: str,
    *,
    role: str,
    institution: str,
    institutions: tuple[str, ...],
    municipality: str | None = None,
    actor: str | None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create a user. Without ``password`` a one-time password is made and returned."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("bad_username")
    if role not in ROLES:
        raise AccountError("bad_role")
    if institution not in institutions:
        raise AccountError("bad_institution")
    if find_user(db, username):
        raise AccountError("username_taken")
    issued = None
    if password is None:
        password = issued = one_time_password()
    else:
        check_policy(password, username=username)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        institution=institution,
        municipality=municipality,
        active=True,
        must_change_password=issued is not None,
        failed_logins=0,
    )
    db.add(user)
    db.flush()
    audit.record(db, "user_created", actor=actor, object_type="user", object_id=user.username, commit=False)
    db.commit()
    return user, issued


def authenticate(db: Session, username: str, password: str, *, lock_minutes: int) -> LoginOutcome:
    now = utcnow()
    user = find_user(db, username)
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        audit.record(db, "login_failed", actor=username[:60] if user else None, outcome="unknown_or_disabled")
        return LoginOutcome("bad")
    locked_until = _aware(user.locked_until)
    if locked_until and locked_until > now:
        audit.record(db, "login_failed", actor=user.username, outcome="locked")
        return LoginOutcome("locked", wait_seconds=int((locked_until - now).total_seconds()))
    next_attempt = _aware(user.next_attempt_at)
    if next_attempt and next_attempt > now:
        audit.record(db, "login_failed", actor=user.username, outcome="throttled")
        return LoginOutcome("throttled", wait_seconds=max(1, int((next_attempt - now).total_seconds())))
    if verify_password(user.password_hash, password):
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_logins, user.next_attempt_at, user.locked_until, user.last_login_at = 0, None, None, now
        audit.record(db, "login", actor=user.username)
        return LoginOutcome("ok", user)
    user.failed_logins += 1
    if user.failed_logins >= LOCK_AFTER:
        user.locked_until = now + dt.timedelta(minutes=lock_minutes)
        user.failed_logins, user.next_attempt_at = 0, None
        audit.record(db, "lockout", actor=user.username, object_type="user", object_id=user.username)
        return LoginOutcome("locked", wait_seconds=lock_minutes * 60)
    if user.failed_logins >= SLOW_AFTER:
        wait = min(MAX_WAIT_SECONDS, 5 * 2 ** (user.failed_logins - SLOW_AFTER))
        user.next_attempt_at = now + dt.timedelta(seconds=wait)
    audit.record(db, "login_failed", actor=user.username, outcome="bad_password")
    return LoginOutcome("bad")


def change_password(db: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_current_password")
    check_policy(new, username=user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    audit.record(db, "password_changed", actor=user.username, object_type="user", object_id=user.username)


def reset_password(db: Session, user: User, *, actor: str | None) -> str:
    """Issue a new one-time password, end the user's sessions, and unlock the account."""
    issued = one_time_password()
    user.password_hash = hash_password(issued)
    user.must_change_password = True
    user.failed_logins, user.next_attempt_at, user.locked_until = 0, None, None
    end_sessions(db, user)
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome="password_reset")
    return issued


def set_active(db: Session, user: User, active: bool, *, actor: str | None) -> None:
    user.active = active
    if not active:
        end_sessions(db, user)
    outcome = "enabled" if active else "disabled"
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome=outcome)


def unlock(db: Session, user: User, *, actor: str | None) -> None:
    user.failed_logins, user.next_attempt_at, user.locked_until = 0, None, None
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome="unlocked")


# --- login sessions -------------------------------------------------------------------------


def open_session(db: Session, user: User) -> str:
    """A new random session id at every login (no session fixation)."""
    session_id = secrets.token_urlsafe(32)
    db.add(UserSession(id=session_id, user_id=user.id, created_at=utcnow(), last_seen_at=utcnow()))
    db.commit()
    return session_id


def resume_session(db: Session, session_id: str, *, idle_minutes: int) -> tuple[User | None, bool]:
    """The session's user, or None; the flag says the session just expired for inactivity."""
    record = db.get(UserSession, session_id)
    if record is None or record.ended_at is not None:
        return None, False
    now = utcnow()
    user = db.get(User, record.user_id)
    last_seen = _aware(record.last_seen_at)
    if last_seen is None or now - last_seen > dt.timedelta(minutes=idle_minutes):
        record.ended_at = now
        audit.record(db, "session_expired", actor=user.username if user else None)
        return None, True
    if user is None or not user.active:
        record.ended_at = now
        db.commit()
        return None, False
    if now - last_seen > SEEN_RESOLUTION:  # a write per minute, not per request
        record.last_seen_at = now
        db.commit()
    return user, False


def close_session(db: Session, session_id: str, user: User) -> None:
    record = db.get(UserSession, session_id)
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
    audit.record(db, "logout", actor=user.username)


def end_sessions(db: Session, user: User) -> None:
    db.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


# --- API tokens -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(db: Session, user: User, *, actor: str | None) -> str:
    token = "sk_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), created_at=utcnow()))
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome="api_token")
    return token


def user_for_token(db: Session, token: str) -> User | None:
    record = db.scalars(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).first()
    if record is None or record.revoked_at is not None:
        return None
    user = db.get(User, record.user_id)
    return user if user is not None and user.active else None
