"""Wrong passwords, counted per account and per client address, on every password check.

Every place that checks a password (login, the password change, the password given again to
sign a pact, on the site and through the API) asks ``checked(account, verify)``: it answers 429
before checking when either count is full, and counts the attempt only when the password is
wrong. Two limits apply (docs/security.md says why):

- per client address, ``COMMONS_LOGIN_RATE_LIMIT`` (default ``10 per minute;50 per hour``):
  one address guessing is stopped without locking the account for its owner elsewhere;
- per account, ``COMMONS_ACCOUNT_RATE_LIMIT`` (default ``100 per hour``), above what one
  address may try: many addresses guessing one account are stopped too.

The counts live in Flask-Limiter's storage (Redis when ``COMMONS_REDIS_URL`` is set, shared by
every process). When that storage cannot be reached the counts go on in this process's memory,
with a warning logged once, and the storage is tried again a minute later: never a 500.
The client address is ``request.remote_addr``; behind a reverse proxy set
``COMMONS_TRUSTED_PROXIES`` so that it is the person's address, not the proxy's.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from flask import current_app, has_request_context, request
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, RateLimiter
from werkzeug.exceptions import TooManyRequests

from commons.extensions import limiter

log = logging.getLogger(__name__)

RETRY_STORAGE_AFTER = 60.0  # seconds in memory before the shared storage is tried again


def _state() -> dict:
    return current_app.extensions.setdefault(
        "commons.attempts", {"down_since": None, "fallback": None}
    )


def _fallback() -> RateLimiter:
    state = _state()
    if state["fallback"] is None:
        strategy = current_app.config.get("RATELIMIT_STRATEGY") or "fixed-window"
        state["fallback"] = STRATEGIES[strategy](MemoryStorage())
    return state["fallback"]


def _run(operation: Callable[[RateLimiter], bool]) -> bool:
    """Run a count on the shared storage, else (it is down) on the in-memory fallback."""
    state = _state()
    down = state["down_since"]
    if down is None or time.monotonic() - down > RETRY_STORAGE_AFTER:
        try:
            result = operation(limiter.limiter)
        except Exception as error:  # noqa: BLE001 - any storage failure: count in memory
            if down is None:
                log.warning(
                    "rate-limit storage unreachable (%s): counting wrong passwords in memory",
                    type(error).__name__,
                )
            state["down_since"] = time.monotonic()
        else:
            if down is not None:
                log.info("rate-limit storage reachable again")
                state["down_since"] = None
            return result
    return operation(_fallback())


def _account_key(account: str) -> str:
    # A digest: the storage (Redis) holds no e-mail address.
    return hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]


def _limits(account: str):
    address = request.remote_addr or "-"
    for setting, scope, key in (
        ("LOGIN_RATE_LIMIT", "password-address", address),
        ("ACCOUNT_RATE_LIMIT", "password-account", _account_key(account)),
    ):
        for item in parse_many(current_app.config[setting]):
            yield item, scope, key


def refuse_when_exhausted(account: str) -> None:
    """429 when the account or the client address has had too many wrong passwords."""
    if not has_request_context():
        return
    for item, scope, key in _limits(account):
        if not _run(lambda strategy, i=item, s=scope, k=key: strategy.test(i, s, k)):
            raise TooManyRequests()


def record_failure(account: str) -> None:
    """Count one wrong password against the account and the client address."""
    if not has_request_context():
        return
    for item, scope, key in _limits(account):
        _run(lambda strategy, i=item, s=scope, k=key: strategy.hit(i, s, k))


def checked(account: str, verify: Callable[[], bool]) -> bool:
    """``verify()`` (a password check) under the limits: 429 first if they are reached."""
    refuse_when_exhausted(account)
    if verify():
        return True
    record_failure(account)
    return False
