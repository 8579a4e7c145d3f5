"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10

# The most used passwords in breach corpora; a short list refuses the worst choices offline.
COMMON_PASSWORDS = frozenset(
    """
    password password1 password12 password123 passw0rd 123456789 1234567890 12345678910
    qwertyuiop qwerty1234 qwerty12345 1q2w3e4r5t 1qaz2wsx3edc iloveyou12 abcdefghij
    0123456789 9876543210 1111111111 0000000000 aaaaaaaaaa letmein123 welcome123 admin12345
    administrator changeme123 football12 baseball12 sunshine12 princess12 dragon1234
    monkey1234 trustno1234 superman12 starwars12 computer12 michael123 whatever12
    """.split()
)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Say why a password is too weak, or return None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return str(_l("This password is too common or too easy to guess."))
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        return str(_l("Do not use your e-mail address in the password."))
    for part in full_name.lower().split():
        if len(part) >= 4 and part in lowered:
            return str(_l("Do not use your name in the password."))
    return None
