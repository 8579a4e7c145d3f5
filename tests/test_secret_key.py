"""The generated secret key: made once, the same for every process that starts at once."""

from __future__ import annotations

import threading

from commons.config import _secret_key


def test_processes_starting_at_once_share_one_key(tmp_path, monkeypatch):
    monkeypatch.delenv("COMMONS_SECRET_KEY", raising=False)
    barrier = threading.Barrier(8)
    keys: list[str] = []

    def start() -> None:
        barrier.wait()
        keys.append(_secret_key(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
