"""Answers that take as long whoever asks: no account enumeration by the clock.

The reset, registration and address-change pages say the same words for an address with an
account and one without (commons.auth.operations), but the work differs: a link, a token row
and a mail for one, next to nothing for the other (``bench/accounts.py`` measured 11 ms against
3 ms for a reset). Within :func:`answer_floor` the answer is held until
``ACCOUNT_ANSWER_SECONDS`` have passed since it began, so both take that long. The floor must
exceed the slowest path (a registration hashes a password: some 0.2 s at the production cost);
``docs/admins.md`` says so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

sleep = time.sleep  # replaced by the tests, which check what would be waited


@contextmanager
def answer_floor() -> Iterator[None]:
    """Hold the answer until ``ACCOUNT_ANSWER_SECONDS`` have passed since the block began.

    A refusal (an exception: a weak password, a bad form) is not held: it does not depend on
    whether the address has an account.
    """
    started = time.monotonic()
    yield
    rest = current_app.config["ACCOUNT_ANSWER_SECONDS"] - (time.monotonic() - started)
    if rest > 0:
        sleep(rest)
