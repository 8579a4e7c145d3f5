"""Browser tests: Playwright driving Debian's chromium against the app served on 127.0.0.1.

Playwright never downloads a browser: it launches the system's chromium (``COMMONS_CHROMIUM``,
default /usr/bin/chromium). When that browser is missing these tests FAIL with a message saying
how to install it; they never skip silently. The app runs in a thread on a random port, on a
file database (a SQLite file; PostgreSQL when COMMONS_TEST_BACKEND=postgresql). A failing test
leaves a screenshot in tests/e2e/artifacts/ (the path is printed at the end of the run).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from commons import create_app
from commons.db import Base, import_all_models
from commons.extensions import db
from tests.conftest import BACKEND, PG_URL, TMP, _empty_tables, test_config
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("COMMONS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
UPLOAD_MB = 1
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Never let Playwright fetch a browser of its own.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def pytest_sessionstart(session):
    """Screenshots are of this run's failures only: clear the previous run's."""
    for old in ARTIFACTS.glob("*.png") if ARTIFACTS.exists() else ():
        old.unlink()


def pytest_collection_modifyitems(config, items):
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    shots = sorted(ARTIFACTS.glob("*.png")) if ARTIFACTS.exists() else []
    if shots:
        terminalreporter.write_line(
            f"e2e: {len(shots)} screenshot(s) of failed browser tests in {ARTIFACTS}"
        )


@dataclass
class LiveServer:
    app: object
    url: str

    def data(self):
        """An application context for setting up data directly in the served database."""
        return self.app.app_context()


@pytest.fixture(scope="session")
def live_server():
    """The app served by werkzeug on 127.0.0.1 and a random port, in a thread."""
    import_all_models()
    url = PG_URL if BACKEND == "postgresql" else f"sqlite:///{TMP / 'e2e.db'}"
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    if BACKEND == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    Base.metadata.create_all(engine)
    engine.dispose()
    config = test_config(url)
    config.update(
        LOGIN_RATE_LIMIT="1000 per minute",
        INSTANCE_DIR=str(TMP / "e2e-instance"),
        STORAGE_DIR=str(TMP / "e2e-storage"),
        # The smallest upload limit, so that an oversized file stays small to send.
        MAX_UPLOAD_MB=UPLOAD_MB,
        MAX_CONTENT_LENGTH=(4 * UPLOAD_MB + 1) * 1024 * 1024,
    )
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live(live_server):
    """The live server, with its tables emptied after the test."""
    yield live_server
    with live_server.data():
        db.session.rollback()
        _empty_tables()
        db.session.remove()


def require_chromium(path: str = CHROMIUM) -> None:
    """Fail (never skip) with a clear message when the system's chromium is missing."""
    if not Path(path).exists() and not shutil.which(path):
        pytest.fail(
            f"The browser tests need Debian's chromium at {path} (set COMMONS_CHROMIUM to "
            "another path). Install it with: apt-get install chromium  (.ci/run does this). "
            "Playwright must not download a browser of its own.",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def playwright_driver():
    # Module scope, not session: while the sync API is open, an asyncio loop runs in this
    # thread, and later tests that call asyncio.run() (PDF sealing) would fail.
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver):
    """One chromium per module (launching one costs about a second); each test has its own
    context in it, with its own cookies and storage (``page``)."""
    launched = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(request, browser):
    """A fresh browser context (cookies, storage, cache of its own) and page; a screenshot is
    kept on failure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15000)
    browser_page = context.new_page()
    yield browser_page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            browser_page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001 - a broken page must not hide the failure
            print(f"no screenshot for {request.node.nodeid}: {error}")
    context.close()


def log_in(page, live, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{live.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    logged_in = page.get_by_role("button", name="Log out", include_hidden=True)  # any width
    assert logged_in.count() == 1, page.content()[:2000]


def log_out(page) -> None:
    """Log out; on a phone-sized page the menu button opens the collapsed menu first."""
    button = page.get_by_role("button", name="Log out")
    if not button.is_visible():
        page.get_by_role("button", name="Show or hide the menu").click()
        # The collapsed menu opens with an animation: click once it has finished opening.
        button.wait_for(state="visible")
        page.wait_for_function(
            "() => !document.querySelector('.navbar-collapse.collapsing')", timeout=10_000
        )
    # Two browsers run at once under the test workers: give a loaded machine time.
    with page.expect_navigation(timeout=45_000):
        button.click()
    page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page; return its serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the app's CSP (no inline script) stays on.
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
