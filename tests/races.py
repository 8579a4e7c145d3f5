"""Requests sent at the same instant over real parallel connections (the PostgreSQL pass)."""

from __future__ import annotations

import threading

import pytest

from commons.extensions import db


def postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")


def at_once(app, count: int, send, *, cookies_from=None) -> list[tuple[int, str]]:
    """Run ``send(client, n)`` for n in range(count) in threads released together by a
    barrier, each with its own test client (a copy of ``cookies_from``'s cookies: the same
    logged-in person in many tabs). Returns each answer's (status, body), in no order."""
    barrier = threading.Barrier(count)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        client = app.test_client()
        if cookies_from is not None:
            client._cookies.update(cookies_from._cookies)
        barrier.wait()
        response = send(client, n)
        with lock:
            answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == count, "a request did not finish"
    return answers


def one_winner(answers: list[tuple[int, str]], won: int) -> None:
    """Exactly one request saved (status ``won``), every other was told 409; no 5xx."""
    statuses = sorted(status for status, _body in answers)
    assert statuses.count(won) == 1, statuses
    assert statuses.count(409) == len(answers) - 1, statuses
