"""Fixtures: ``app``, ``client``, ``runner``, a login helper and factories (see factories.py).

Every test runs on SQLite. With COMMONS_TEST_BACKEND=postgresql the same tests marked ``db``
run on the PostgreSQL database named by COMMONS_TEST_DATABASE_URL; if that server cannot be
reached the run stops with an error: it never skips silently.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commons import create_app
from commons.db import Base, import_all_models
from commons.extensions import db, limiter

BACKEND = os.environ.get("COMMONS_TEST_BACKEND", "sqlite")
# Under pytest-xdist (``make test`` runs two workers) each worker has its own PostgreSQL
# database, ``<name>_gw0``, ``<name>_gw1``..., made from the one named here and dropped at the
# end; SQLite files live in each process's own temporary folder.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
BASE_PG_URL = os.environ.get("COMMONS_TEST_DATABASE_URL", "")
PG_URL = (
    make_url(BASE_PG_URL)
    .set(database=f"{make_url(BASE_PG_URL).database}_{WORKER}")
    .render_as_string(hide_password=False)
    if BASE_PG_URL and WORKER
    else BASE_PG_URL
)
# Redis tests use a database of their own per worker and per pass, so that neither two workers
# nor the two passes (``make test`` runs them side by side) share one: 15, 14... on SQLite,
# 7, 6... on PostgreSQL.
_REDIS = os.environ.get("COMMONS_TEST_REDIS_URL", "")
_REDIS_TOP = 7 if BACKEND == "postgresql" else 15
TEST_REDIS_URL = (
    _REDIS.rsplit("/", 1)[0] + f"/{_REDIS_TOP - int(WORKER[2:] or 0) % 8}"
    if _REDIS and WORKER.startswith("gw")
    else _REDIS
)
# The tests' files (SQLite databases, storage, instance folders) live in memory where the
# machine has a tmpfs: on this disk each SQLite commit waits some 5-20 ms for fsync, 0.1 ms in
# /dev/shm, and the suite commits thousands of times. What is checked does not depend on it.
_SHM = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private (0700) folder in it
TMP = Path(
    tempfile.mkdtemp(
        prefix="commons-tests-",
        dir=_SHM if _SHM.is_dir() and os.access(_SHM, os.W_OK) else None,
    )
)

DB_FIXTURES = {"app", "client", "runner", "database_url", "migration_url", "demo_app"}


def pytest_configure(config):
    if BACKEND == "postgresql":
        if not PG_URL:
            raise pytest.UsageError(
                "COMMONS_TEST_BACKEND=postgresql needs COMMONS_TEST_DATABASE_URL"
            )
        try:
            engine = create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                if PG_URL != BASE_PG_URL:
                    name = make_url(PG_URL).database
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            engine.dispose()
        except Exception as error:  # noqa: BLE001 - any failure to connect ends the run
            raise pytest.UsageError(
                f"PostgreSQL at COMMONS_TEST_DATABASE_URL is unreachable: {error}"
            ) from error


def pytest_unconfigure(config):
    """A worker's own PostgreSQL database and its folder of files go with it."""
    shutil.rmtree(TMP, ignore_errors=True)
    if BACKEND == "postgresql" and BASE_PG_URL and PG_URL != BASE_PG_URL:
        engine = create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            name = make_url(PG_URL).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _builds_data_per_module(item) -> bool:
    """Whether the test uses a module-scoped fixture on the database (data built once for the
    module's tests, like the signed pacts of tests/documents/conftest.py)."""
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        definition = definitions[-1]
        if definition.scope == "module" and "database_url" in definition.argnames:
            return True
    return False


def pytest_collection_modifyitems(config, items):
    """Mark every test that touches the database, so it runs again on PostgreSQL; and send the
    tests of a module that builds its data once to one worker (``--dist loadgroup``), so that
    data is built once a pass, not once per worker that gets one of its tests."""
    for item in items:
        if DB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
        if _builds_data_per_module(item) and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_xdist_group(config, items):
    """Make ``--dist loadgroup`` send the tests of one ``xdist_group`` to one worker.

    xdist (3.8) groups by a ``@<group>`` suffix of the node id, which it writes to
    ``item._nodeid``; pytest 9 builds ``nodeid`` from ``item._id``, so the suffix was lost and
    each worker loaded the demo city. Here the suffix goes where pytest 9 reads it. (Run
    last, after xdist's hook; the marking above runs first, before ``-m db`` selects.)
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


def test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # PostgreSQL: a commit does not wait for its WAL record to reach the disk (a crash of
        # the test server may lose the last commits, nothing a test checks); 5-20 ms a commit.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
        if database_url.startswith("postgresql")
        else {},
        "INSTANCE_DIR": str(TMP / "instance"),
        "STORAGE_DIR": str(TMP / "storage"),
        # One folder per app: job numbers restart with each test's database.
        "EXPORT_DIR": str(TMP / "exports" / secrets.token_hex(6)),
        # One witness file per app too: each test's chain starts again.
        "CHECKPOINT_FILE": str(TMP / "checkpoints" / f"{secrets.token_hex(6)}.jsonl"),
        "REDIS_URL": None,  # exports run in-process unless a test gives a Redis
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "5 per minute",
        "CITY_NAME": "Testville",
        "CITY_LANGUAGE": None,
        "SIGNING_P12": "",  # no seal unless a test configures one
        # Cheap argon2 parameters: hashing speed is irrelevant to what the tests check.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        # PDFs render in-process: monkeypatched renderer parts (tests/documents) must apply, and
        # a child per render would slow the suite. tests/security/test_limits.py runs the real
        # bounded path (commons.documents.bounded).
        "RENDER_ISOLATED": False,
        # No floor under the account answers (commons.auth.timing): tests/auth/test_timing.py
        # checks it with the waiting replaced.
        "ACCOUNT_ANSWER_SECONDS": 0,
    }


@pytest.fixture(scope="session")
def database_url() -> str:
    """A database with the current schema, shared by the session and emptied after each test."""
    import_all_models()
    url = PG_URL if BACKEND == "postgresql" else f"sqlite:///{TMP / 'test.db'}"
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    if BACKEND == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def _empty_tables() -> None:
    tables = Base.metadata.sorted_tables
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        # The audit table refuses DELETE (append-only); a superuser's replica role turns its
        # triggers (and the foreign-key checks) off for this transaction. DELETE, not TRUNCATE:
        # on the few rows a test leaves, TRUNCATE of every table costs some 75 ms a test
        # (a minute of the PostgreSQL pass), DELETE 4 ms.
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    for table in reversed(tables):
        db.session.execute(table.delete())
    if postgresql:
        # Ids start again at 1, as on SQLite after the deletes.
        db.session.execute(
            text(
                "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
            )
        )
    db.session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in a server.

    The ``app`` fixture keeps an app context open for the test's own database work; without
    this, requests would reuse it and share ``g`` (and the logged-in user) between clients.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def worker_app(database_url) -> tuple[Flask, dict]:
    """One app per worker, made once (``create_app`` costs some 0.2 s, mostly compiling the
    URL rules and the API document; the ``app`` fixture ran it some 2,000 times a run), and
    what each test starts from again (see ``app``): its settings and its extensions as made."""
    made = create_app(test_config(database_url))
    return made, {"config": copy.deepcopy(dict(made.config)), "extensions": set(made.extensions)}


@pytest.fixture
def app(worker_app):
    """The worker's app, as ``create_app(test_config(...))`` gave it, on the emptied database.

    What a test may change on it is put back before the next: the settings (with a folder of
    exports and a checkpoint witness of the test's own, so job numbers and the chain start
    again), the test client class and the rate limits; what the app keeps in its extensions
    after it was made (the login throttle's state, the statistics computed last...) is
    dropped. Tests that need an app made with other settings call ``create_app`` themselves.
    """
    app, made = worker_app
    app.config.clear()
    app.config.update(copy.deepcopy(made["config"]))
    app.config.update(
        EXPORT_DIR=str(TMP / "exports" / secrets.token_hex(6)),
        CHECKPOINT_FILE=str(TMP / "checkpoints" / f"{secrets.token_hex(6)}.jsonl"),
    )
    for name in set(app.extensions) - made["extensions"]:
        del app.extensions[name]
    app.test_client_class = IsolatedClient
    limiter.reset()
    with app.app_context():
        yield app
        db.session.rollback()
        # Export jobs started in-process (a thread each) must end before the tables are emptied.
        from commons.audit.jobs import wait_for_threads

        wait_for_threads(timeout=120)
        _empty_tables()
        db.session.remove()
        # The uploads go with the rows that named them: the next test starts with none.
        shutil.rmtree(TMP / "instance" / "uploads", ignore_errors=True)


def _pg_database(name: str, *, template: str | None = None) -> str:
    """A new PostgreSQL database ``name`` (a copy of ``template`` if given); its URL."""
    create = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(create))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _snapshot_database(label: str) -> str:
    """A new, empty database for a snapshot (``label`` names it); its URL."""
    if BACKEND == "postgresql":
        return _pg_database(f"{make_url(PG_URL).database}_{label}")
    path = TMP / f"{label}.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _drop_database(url: str) -> None:
    if BACKEND == "postgresql":
        _drop_pg_database(make_url(url).database)
    else:
        Path(make_url(url).database).unlink(missing_ok=True)


@contextmanager
def snapshot(label: str, build: Callable[[Flask], object], **config) -> Iterator[dict]:
    """Data made once and copied for each test that needs it (see :func:`app_on_copy`).

    ``build(app)`` runs in an app context on a database of its own, with the current schema,
    and returns what the tests need to find the data again (ids, not objects); what it added
    is committed. Gives {"url", "result" (what build returned), "config" (the app's
    settings)}. The PDFs it stored stay in the shared STORAGE_DIR.
    """
    url = _snapshot_database(label)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({**test_config(url), **config})
    with app.app_context():
        result = build(app)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    try:
        yield {"url": url, "result": result, "config": dict(app.config)}
    finally:
        _drop_database(url)


@contextmanager
def app_on_copy(source: dict, **config) -> Iterator[Flask]:
    """Like ``app``, on a fresh copy of a :func:`snapshot`'s database, dropped afterwards:
    a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. The witness file
    of the chain's checkpoints is copied too, so the copy's chain verifies as the original's."""
    copy = f"copy_{secrets.token_hex(4)}"
    if BACKEND == "postgresql":
        name = make_url(source["url"]).database
        url = _pg_database(f"{make_url(PG_URL).database}_{copy}", template=name)
    else:
        path = TMP / f"{copy}.db"
        shutil.copyfile(make_url(source["url"]).database, path)
        url = f"sqlite:///{path}"
    settings = {**test_config(url), **config}
    witness = Path(source["config"]["CHECKPOINT_FILE"])
    if witness.exists():
        Path(settings["CHECKPOINT_FILE"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(witness, settings["CHECKPOINT_FILE"])
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    limiter.reset()
    try:
        with app.app_context():
            yield app
            db.session.rollback()
            from commons.audit.jobs import wait_for_threads

            wait_for_threads(timeout=120)
            db.session.remove()
            db.engine.dispose()
    finally:
        _drop_database(url)
        shutil.rmtree(TMP / "instance" / "uploads", ignore_errors=True)


def _load_demo(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def demo_snapshot(database_url):
    """The demo city, loaded once per worker by ``commons demo`` (a :func:`snapshot`).

    Loading it takes some 20 seconds; the tests that need it (``demo_app``) each get a copy.
    Gives {"url", "output" (what the command printed), "signing_p12" (the demo seal it made and
    sealed with, which the copies seal with too, as ``make run`` does), "config" (the app's
    settings it was loaded with: the city its PDFs name, STORAGE_DIR)}. Tests that use it carry
    ``@pytest.mark.xdist_group("demo")``: ``make test`` runs them on one worker
    (``--dist loadgroup``), so the demo is loaded once per pass.
    """
    with snapshot("demo", _load_demo) as made:
        yield {**made, "output": made["result"], "signing_p12": made["config"]["SIGNING_P12"]}


@pytest.fixture
def demo_app(demo_snapshot):
    """Like ``app``, on a fresh copy of the demo city (``demo_snapshot``), dropped afterwards.

    Tests that use it carry ``@pytest.mark.xdist_group("demo")`` (see ``demo_snapshot``).
    """
    with app_on_copy(demo_snapshot, SIGNING_P12=demo_snapshot["signing_p12"]) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    """Fetch a page and return the CSRF token of its form, as a browser would have it."""
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1) or match.group(2)


def hidden_value(page: str, name: str) -> str:
    """The value of the hidden input ``name`` on a page (e.g. a form's ``base_version``)."""
    quoted = re.escape(name)
    match = re.search(rf'name="{quoted}" type="hidden" value="([^"]*)"', page) or re.search(
        rf'type="hidden" name="{quoted}" value="([^"]*)"', page
    )
    assert match, f"no hidden {name} on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, *, token_from: str | None = None, **kwargs):
    """POST a form with the CSRF token taken from the page that shows it."""
    data = {**data, "csrf_token": csrf_token(client, token_from or url)}
    return client.post(url, data=data, **kwargs)


def login(client, email: str, password: str = "correct horse battery"):  # noqa: S107
    return post_form(client, "/login", {"email": email, "password": password})


class QueryCount:
    """The SQL statements the app's engine ran inside a ``with count_queries() as q:`` block."""

    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"{self.count} queries:\n" + "\n".join(self.statements)


@pytest.fixture
def count_queries(app):
    """Count the statements sent to the database, to pin a page's query count::

    with count_queries() as queries:
        client.get("/commons/")
    assert queries.count == 4, queries
    """
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counted = QueryCount()

        def before_cursor_execute(conn, cursor, statement, *args):
            counted.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield counted
        finally:
            event.remove(db.engine, "before_cursor_execute", before_cursor_execute)

    return counting


@pytest.fixture
def make():
    """Factories with sensible defaults: ``make.user(...)``, ``make.commons(...)``..."""
    from tests import factories

    return factories


@pytest.fixture(scope="session")
def oidc_server():
    """A real OpenID provider (pyop) on 127.0.0.1 for the whole run (tests/oidc_provider.py)."""
    from tests.oidc_provider import serve

    redirect_uris: list[str] = []
    state, stop = serve(redirect_uris)
    state.redirect_uris = redirect_uris
    yield state
    stop()


@pytest.fixture
def spid(app, oidc_server):
    """The ``app`` with the test provider configured as "spid"; the provider is returned."""
    from commons.auth import oidc

    oidc_server.redirect_uris.append("http://localhost/login/id/spid/callback")
    oidc_server.sessions.clear()
    app.config["OIDC_PROVIDERS"] = {"spid": oidc_server.settings()}
    oidc.install(app)
    return oidc_server
