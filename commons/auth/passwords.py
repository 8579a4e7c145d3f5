"""Password hashing (argon2id) and the rules a new password must meet.

``password_problem`` is the one rule for a new password: the registration and password forms,
the administrator's form, ``commons users create`` and every other caller of
``commons.auth.operations.create_user`` / ``change_password`` go through it. A password is
refused when it is shorter than ``MIN_LENGTH``, when it is in the shipped list of the most used
breached passwords (``common-passwords.txt``), when it holds the person's e-mail or name, or when
zxcvbn (given the name and e-mail as the person's own words) rates it below ``MIN_SCORE``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 10
# zxcvbn's score 3: "safely unguessable", about 10^8 guesses or more.
MIN_SCORE = 3
# zxcvbn's time grows with the length; what follows the first 100 characters changes nothing.
SCORED_CHARS = 100

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most used passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
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


def _user_inputs(email: str, full_name: str) -> list[str]:
    local = email.split("@", 1)[0].lower()
    words = [email.lower(), local, *local.replace(".", " ").replace("_", " ").split()]
    words += [full_name.lower(), *full_name.lower().split()]
    return [w for w in words if w]


def _why_guessable(result: dict) -> str:
    """Say what makes the password easy to guess, from zxcvbn's weakest parts."""
    parts = result.get("sequence", [])
    patterns = {m.get("pattern") for m in parts}
    dictionaries = {m.get("dictionary_name") for m in parts}
    if "user_inputs" in dictionaries:
        reason = _("It is built on your name or e-mail address.")
    elif "passwords" in dictionaries:
        reason = _("It is built on a password that many people use.")
    elif "sequence" in patterns:
        reason = _("Sequences such as “abc” or “6543” are easy to guess.")
    elif "repeat" in patterns:
        reason = _("Repeated characters or words such as “aaa” are easy to guess.")
    elif "spatial" in patterns:
        reason = _("Rows of neighbouring keys such as “qwerty” are easy to guess.")
    elif "date" in patterns or "regex" in patterns:
        reason = _("Dates and years are easy to guess.")
    elif "dictionary" in patterns:
        reason = _("Common words and names alone are easy to guess.")
    else:
        reason = _("It is too easy to guess.")
    return _(
        "This password is too easy to guess. %(reason)s Add another word or two: uncommon "
        "words are better, and a short sentence is easy to remember.",
        reason=reason,
    )


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Say why a password is too weak, or return None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return _(
            "This password is among the most used ones (it is in the lists of leaked "
            "passwords that attackers try first): choose another."
        )
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        return _("Do not use your e-mail address in the password.")
    for part in full_name.lower().split():
        if len(part) >= 4 and part in lowered:
            return _("Do not use your name in the password.")
    result = zxcvbn(password[:SCORED_CHARS], user_inputs=_user_inputs(email, full_name))
    if result["score"] < MIN_SCORE:
        return _why_guessable(result)
    return None
