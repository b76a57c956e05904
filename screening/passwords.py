"""Password policy and hashing. Argon2id (memory-hard) through argon2-cffi."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
#: Argon2 runs in at most this many threads of a process at once: each run takes 64 MiB and a core,
#: so a burst of logins queues here instead of exhausting memory and starving other requests.
_running = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


class WeakPasswordError(ValueError):
    """The password breaks the policy; ``code`` says which rule (for a translated message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@functools.cache
def _zxcvbn() -> tuple[frozenset[str], Callable[..., dict[str, Any]]]:
    """zxcvbn's common passwords and its estimator, loaded on the first password set in this
    process: its dictionaries take about 13 MB, which a worker that only serves pages never needs."""
    from zxcvbn import zxcvbn
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]), zxcvbn


def check_policy(password: str, *, username: str = "") -> None:
    """Refuse short, over-long, common or easily guessed passwords."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError("too_short")
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError("too_long")
    common, zxcvbn = _zxcvbn()
    if password.lower() in common or (username and username.lower() in password.lower()):
        raise WeakPasswordError("common")
    if zxcvbn(password[:100], user_inputs=[username] if username else [])["score"] < 3:
        raise WeakPasswordError("guessable")


def hash_password(password: str) -> str:
    with _running:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        with _running:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


#: Lower-case letters without the look-alikes i, l and o (read as 1, 1 and 0 or each other): a
#: one-time password is read off a screen and typed on a tablet, so no digits and no capitals either.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz"
ONE_TIME_GROUPS = 5
ONE_TIME_GROUP_LENGTH = 4


def one_time_password() -> str:
    """A random password to hand over once; the user must change it at first login.

    Five groups of four letters (about 90 bits), e.g. ``hkwe-qtzn-ajpr-fvsd-mcxu``.
    """
    import secrets

    groups = (
        "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_GROUP_LENGTH)) for _ in range(ONE_TIME_GROUPS)
    )
    return "-".join(groups)
