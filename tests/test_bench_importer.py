"""The import benchmark runs and imports every generated row (timing is bench/'s, not here)."""

from __future__ import annotations

from bench.importer import import_once


def test_the_generated_register_imports_whole(tmp_path):
    result = import_once(f"sqlite:///{tmp_path}/bench.db", 35, tmp_path)
    assert result["proposals"] == 35
    assert result["commons"] == 12  # one place per three rows, spellings differing in case
    assert result["groups"] == 35 and result["rows_per_second"] > 0
