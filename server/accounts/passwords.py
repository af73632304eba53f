"""argon2id password hashes and random tokens."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# Verified against when the username is unknown, so a missing account costs the same time.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash and verify with `hasher` from now on (tests and benchmarks that make hundreds of
    accounts use test-sized costs: the same code path, a fraction of the time); returns the
    hasher that was in use, to put back."""
    global _hasher, _DUMMY_HASH
    previous, _hasher = _hasher, hasher
    _DUMMY_HASH = hasher.hash("not a password anyone has")
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """256 random bits, URL-safe; never starting with "-", so that a command line takes it as a
    value (`python -m client kiosk --token -x…` would read it as an option)."""
    while (token := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return token


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
