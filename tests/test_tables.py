"""The safe-tables rule (commons/tables.py): reversible, text only, and the same in SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from commons.extensions import db
from commons.tables import needs_quote, neutralise, restore, sql_neutralise

CASES = [
    ('=HYPERLINK("http://x/","y")', '\'=HYPERLINK("http://x/","y")'),
    ("+1", "'+1"),
    ("-3", "'-3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\r=x", "'\r=x"),
    ("'=x", "''=x"),
    ("''-x", "'''-x"),
    ("'x", "'x"),
    ("'", "'"),
    ("", ""),
    ("a=b", "a=b"),
    (" =x", " =x"),
    ("é=", "é="),
    ("x\n=y", "x\n=y"),
]


@pytest.mark.parametrize(("stored", "written"), CASES)
def test_neutralise_and_restore(stored, written):
    assert neutralise(stored) == written
    assert needs_quote(stored) == (written != stored)
    assert restore(written) == stored
    # What is written is in its written form: neutralising it again after restoring is a no-op.
    assert neutralise(restore(written)) == written


def test_restore_leaves_cells_that_were_never_neutralised():
    for cell in ("'plain", "''", "-", "x'=y", "-3"):
        assert restore(cell) == cell


def test_the_sql_twin_gives_the_same_text(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQL twin is PostgreSQL's")
    for stored, written in [*CASES, (None, None)]:
        sql = f"SELECT {sql_neutralise('v')} FROM (SELECT CAST(:v AS text) AS v) AS t"  # noqa: S608
        got = db.session.execute(
            text(sql),
            {"v": stored},
        ).scalar()
        assert got == written, stored
