"""Users: creation, authentication with throttling and lockout, password changes, sessions.

Takes the database session explicitly; no Flask. Every change is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import DateTime, bindparam, case, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from screening import address_limits, audit
from screening.models import FULL_NAME_LENGTH, Actor, ApiToken, LoginAddress, User, UserSession, utcnow
from screening.passwords import check_policy, hash_password, needs_rehash, one_time_password, verify_password
from screening.roles import ROLES

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")
SLOW_AFTER = 3  # failures before each attempt must wait
LOCK_AFTER = 8  # failures before the account locks
MAX_WAIT_SECONDS = 300
SEEN_RESOLUTION = dt.timedelta(seconds=60)  # last_seen and a token's last use: written at most once a minute
ADDRESS_WINDOW_SECONDS = 15 * 60  # the per-address limit counts failed logins in windows this long


_DUMMY_LOCK = threading.Lock()


def _dummy_hash() -> str:
    """A hash to verify against for unknown user names, so their timing matches real ones.

    Made once per process, under a lock: parallel first logins must not each make their own.
    """
    with _DUMMY_LOCK:
        return _make_dummy_hash()


@functools.cache
def _make_dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


class AccountError(ValueError):
    """A user operation that cannot be done; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class LoginOutcome:
    status: str  # ok | bad | throttled | locked | address_limited
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
    full_name: str | None = None,
) -> tuple[User, str | None]:
    """Create a user. Without ``password`` a one-time password is made and returned."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("bad_username")
    full_name = clean_full_name(full_name)
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
        full_name=full_name,
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


def authenticate(
    db: Session,
    username: str,
    password: str,
    *,
    lock_minutes: int,
    address_key: str | None = None,
    address_limit: int = 30,
) -> LoginOutcome:
    """Check a login, with the per-address limit (``address_key``), per-account throttling and lockout.

    Every answer but ``ok`` and ``address_limited`` costs one Argon2 verification, so that neither
    the answer nor its time tells whether the user name exists or is throttled. The per-address
    limit does not depend on the user name, so it refuses without hashing.
    """
    now = utcnow()
    window = address_limits.window_start(now, ADDRESS_WINDOW_SECONDS)
    user = find_user(db, username)  # read before the first write: the write transaction stays short
    if address_key is not None:
        failures = address_limits.count_attempt(db, LoginAddress, address_key, window)
        if failures > address_limit:
            if failures == address_limit + 1:  # one audit row per address and window, not one per request
                audit.record(db, "login_failed", actor=None, outcome="address_limit", commit=False)
            db.commit()
            wait = window + dt.timedelta(seconds=ADDRESS_WINDOW_SECONDS) - now
            return LoginOutcome("address_limited", wait_seconds=max(1, int(wait.total_seconds())))
    outcome = _check_credentials(db, user, username, password, now, lock_minutes)
    if outcome.status == "ok" and address_key is not None:
        address_limits.forgive_attempt(db, LoginAddress, address_key, window)
        db.commit()
    return outcome


def _check_credentials(
    db: Session, user: User | None, username: str, password: str, now: dt.datetime, lock_minutes: int
) -> LoginOutcome:
    """The account part of ``authenticate``; the address count may still be uncommitted.

    The refusals known before hashing (unknown name, throttled, locked) are written in one short
    transaction and then hash against the dummy; a checked attempt commits its reservation before
    hashing. No transaction stays open while Argon2 runs.
    """
    if user is None or not user.active:
        audit.record(db, "login_failed", actor=username[:60] if user else None, outcome="unknown_or_disabled")
        verify_password(_dummy_hash(), password)
        return LoginOutcome("bad")
    count = _reserve_attempt(db, user, now, lock_minutes)
    if count is None:
        refusal = _refusal(user, now)
        audit.record(db, "login_failed", actor=user.username, outcome=refusal.status)
        verify_password(_dummy_hash(), password)  # the same work as an unknown name
        return refusal
    db.commit()
    if verify_password(user.password_hash, password):
        rehashed = {"password_hash": hash_password(password)} if needs_rehash(user.password_hash) else {}
        _set_user(db, user, failed_logins=0, next_attempt_at=None, locked_until=None, last_login_at=now, **rehashed)
        audit.record(db, "login", actor=user.username)
        return LoginOutcome("ok", user)
    if count >= LOCK_AFTER:
        _set_user(db, user, failed_logins=0, next_attempt_at=None)  # the lock, set on reserving, stays
        audit.record(db, "lockout", actor=user.username, object_type="user", object_id=user.username)
        return LoginOutcome("locked", wait_seconds=lock_minutes * 60)
    audit.record(db, "login_failed", actor=user.username, outcome="bad_password")
    return LoginOutcome("bad")


def _wait_seconds(failures: int) -> int:
    """How long the next attempt must wait after ``failures`` failures in a row."""
    return min(MAX_WAIT_SECONDS, 5 * 2 ** (failures - SLOW_AFTER)) if failures >= SLOW_AFTER else 0


def _reserve_attempt(db: Session, user: User, now: dt.datetime, lock_minutes: int) -> int | None:
    """Count the attempt as a failure before the password is checked, or None if it must wait.

    One UPDATE checks the throttle and the lock, adds the failure and sets the next wait, so that
    parallel attempts cannot all read the same count (the database serialises updates of one row);
    a right password then clears it. The caller commits before hashing: no lock is held while
    Argon2 runs.
    """
    stamp = DateTime(timezone=True)
    count = User.failed_logins + 1
    waits = [
        (count == n, literal(now + dt.timedelta(seconds=_wait_seconds(n)), stamp))
        for n in range(SLOW_AFTER, LOCK_AFTER)
    ]
    statement = (
        update(User)
        .where(
            User.id == user.id,
            or_(User.locked_until.is_(None), User.locked_until <= now),
            or_(User.next_attempt_at.is_(None), User.next_attempt_at <= now),
        )
        .values(
            failed_logins=count,
            next_attempt_at=case(*waits, else_=User.next_attempt_at),
            locked_until=case(
                (count >= LOCK_AFTER, literal(now + dt.timedelta(minutes=lock_minutes), stamp)), else_=User.locked_until
            ),
        )
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    )
    reserved: int | None = db.execute(statement).scalar()
    return reserved


def _refusal(user: User, now: dt.datetime) -> LoginOutcome:
    """Why an attempt was not allowed to check the password: the account is locked, or must wait.

    Told from the row as read before the attempt; when a parallel attempt set the wait in between,
    the answer is "throttled".
    """
    locked_until, next_attempt = _aware(user.locked_until), _aware(user.next_attempt_at)
    if locked_until and locked_until > now:
        return LoginOutcome("locked", wait_seconds=int((locked_until - now).total_seconds()))
    wait = (next_attempt - now).total_seconds() if next_attempt else 0
    return LoginOutcome("throttled", wait_seconds=max(1, int(wait)))


def _set_user(db: Session, user: User, **values: object) -> None:
    """Write ``values`` whatever the loaded object holds (a reservation changed the row behind it)."""
    db.execute(update(User).where(User.id == user.id).values(**values).execution_options(synchronize_session=False))
    for name, value in values.items():
        set_committed_value(user, name, value)


# --- the per-address limit ------------------------------------------------------------------


def change_password(db: Session, user: User, current: str, new: str, *, keep_session: str | None = None) -> None:
    """Change one's own password; every other session of the user ends (``keep_session`` stays).

    API tokens stay: they were issued by an administrator, often before the first login's change.
    """
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_current_password")
    check_policy(new, username=user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(db, user, keep=keep_session)
    audit.record(db, "password_changed", actor=user.username, object_type="user", object_id=user.username)


def reset_password(db: Session, user: User, *, actor: str | None) -> str:
    """Issue a new one-time password, end the user's sessions, revoke their API tokens, unlock."""
    issued = one_time_password()
    user.password_hash = hash_password(issued)
    user.must_change_password = True
    user.failed_logins, user.next_attempt_at, user.locked_until = 0, None, None
    end_sessions(db, user)
    revoke_api_tokens(db, user, actor=actor, commit=False)
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome="password_reset")
    return issued


def set_active(db: Session, user: User, active: bool, *, actor: str | None) -> None:
    user.active = active
    if not active:
        end_sessions(db, user)
        revoke_api_tokens(db, user, actor=actor, commit=False)
    outcome = "enabled" if active else "disabled"
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome=outcome)


def clean_full_name(value: str | None) -> str | None:
    """A name as it is printed on a slip: spaces collapsed, at most ``FULL_NAME_LENGTH`` characters.

    Empty means no name (the slip then shows the user name). Control characters are refused.
    """
    name = " ".join((value or "").split())
    if len(name) > FULL_NAME_LENGTH or any(not ch.isprintable() for ch in name):
        raise AccountError("bad_full_name")
    return name or None


def set_full_name(db: Session, user: User, value: str | None, *, actor: str | None) -> None:
    """Change the name a user prints on slips; the audit trail records that it changed, not the name."""
    user.full_name = clean_full_name(value)
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome="name_changed")


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


@dataclass(frozen=True)
class SignedIn:
    """Who a live login session belongs to, as read before each request.

    Plain values, not an ORM object: the check runs before every signed-in page, and loading two
    mapped objects cost about a tenth of a checklist page. A change to the account (password,
    name) loads the :class:`~screening.models.User` itself (:func:`user_by_id`).
    """

    id: int
    username: str
    full_name: str | None
    role: str
    institution: str
    must_change_password: bool


_SESSIONS, _USERS = UserSession.__table__, User.__table__
#: The session and its user in one query, built once: this runs before every signed-in request.
_SESSION_AND_USER = (
    select(
        _SESSIONS.c.created_at,
        _SESSIONS.c.last_seen_at,
        _SESSIONS.c.ended_at,
        _USERS.c.active,
        *(_USERS.c[field] for field in SignedIn.__dataclass_fields__),
    )
    .select_from(_SESSIONS.outerjoin(_USERS, _USERS.c.id == _SESSIONS.c.user_id))
    .where(_SESSIONS.c.id == bindparam("session_id"))
)


def resume_session(
    db: Session, session_id: str, *, idle_minutes: int, absolute_hours: int
) -> tuple[SignedIn | None, str | None]:
    """The session's user, or None; the reason says why a live session just ended.

    ``idle``: no request for ``idle_minutes``; ``lifetime``: logged in ``absolute_hours`` ago,
    however active since.
    """
    row = db.connection().execute(_SESSION_AND_USER, {"session_id": session_id}).first()
    if row is None or row.ended_at is not None:
        return None, None
    now = utcnow()
    last_seen, created = _aware(row.last_seen_at) or now, _aware(row.created_at) or now
    reason = None
    if row.last_seen_at is None or now - last_seen > dt.timedelta(minutes=idle_minutes):
        reason = "idle"
    elif now - created > dt.timedelta(hours=absolute_hours):
        reason = "lifetime"
    if reason:
        _touch(db, session_id, ended_at=now)
        audit.record(db, "session_expired", actor=row.username, outcome=reason)
        return None, reason
    if row.id is None or not row.active:
        _touch(db, session_id, ended_at=now)
        db.commit()
        return None, None
    if now - last_seen > SEEN_RESOLUTION:  # a write per minute, not per request
        _touch(db, session_id, last_seen_at=now)
        db.commit()
    return SignedIn(**{field: row._mapping[field] for field in SignedIn.__dataclass_fields__}), None


def _touch(db: Session, session_id: str, **values: dt.datetime) -> None:
    db.execute(update(UserSession).where(UserSession.id == session_id).values(**values))


def user_by_id(db: Session, user_id: int) -> User:
    """The signed-in account as an ORM object, for a change to it (the session's check found the
    row in this request, and users with sessions are never deleted)."""
    return db.get_one(User, user_id)


def close_session(db: Session, session_id: str, user: Actor) -> None:
    record = db.get(UserSession, session_id)
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
    audit.record(db, "logout", actor=user.username)


def end_sessions(db: Session, user: User, *, keep: str | None = None) -> None:
    """End every session of ``user`` but ``keep`` (the one making the change, if any)."""
    statement = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    db.execute(statement.values(ended_at=utcnow()))


# --- API tokens -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(db: Session, user: User, *, actor: str | None) -> str:
    token = "sk_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), prefix=token[:7], created_at=utcnow()))
    audit.record(db, "user_changed", actor=actor, object_type="user", object_id=user.username, outcome="api_token")
    return token


def api_tokens(db: Session, user: User | None = None) -> list[ApiToken]:
    """The API tokens of ``user`` (of everyone without it), oldest first, revoked ones included."""
    query = select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.scalars(query))


def revoke_api_token(db: Session, token: ApiToken, *, actor: str | None, commit: bool = True) -> bool:
    """Revoke one token; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(
        db,
        "user_changed",
        actor=actor,
        object_type="api_token",
        object_id=token.id,
        outcome="token_revoked",
        commit=commit,
    )
    return True


def revoke_api_tokens(db: Session, user: User, *, actor: str | None, commit: bool = True) -> int:
    """Revoke every live token of ``user``; how many were live."""
    live = [t for t in api_tokens(db, user) if t.revoked_at is None]
    for token in live:
        revoke_api_token(db, token, actor=actor, commit=False)
    if commit:
        db.commit()
    return len(live)


def user_for_token(db: Session, token: str) -> User | None:
    """The active user of a live token, and the token's last use noted (to the minute)."""
    record = db.scalars(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).first()
    if record is None or record.revoked_at is not None:
        return None
    user = db.get(User, record.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    last_used = _aware(record.last_used_at)
    if last_used is None or now - last_used > SEEN_RESOLUTION:
        record.last_used_at = now
        db.commit()
    return user
