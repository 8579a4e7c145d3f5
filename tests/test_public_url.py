"""The public address that links and QR codes carry follows the port the site is served on."""

from __future__ import annotations

import subprocess
from pathlib import Path

from commons.config import public_url

ROOT = Path(__file__).resolve().parent.parent


def test_public_url_follows_the_port_flask_serves_on():
    assert public_url({}) == "http://127.0.0.1:5000"
    assert public_url({"FLASK_RUN_PORT": "5101"}) == "http://127.0.0.1:5101"
    assert (
        public_url({"FLASK_RUN_HOST": "192.168.1.20", "FLASK_RUN_PORT": "8080"})
        == "http://192.168.1.20:8080"
    )
    # Listening on every interface: this machine reaches it as 127.0.0.1.
    everywhere = {"FLASK_RUN_HOST": "0.0.0.0", "FLASK_RUN_PORT": "5101"}  # noqa: S104
    assert public_url(everywhere) == "http://127.0.0.1:5101"
    assert public_url({"FLASK_RUN_HOST": "::1", "FLASK_RUN_PORT": "5101"}) == "http://[::1]:5101"


def test_a_public_url_the_city_sets_wins():
    env = {"COMMONS_PUBLIC_URL": "https://commons.example.org/", "FLASK_RUN_PORT": "5101"}
    assert public_url(env) == "https://commons.example.org"
    assert public_url({"COMMONS_PUBLIC_URL": "", "FLASK_RUN_PORT": "5101"}) == (
        "http://127.0.0.1:5101"
    )


def test_make_run_tells_every_step_the_port_it_serves_on(tmp_path):
    """`make run PORT=5101`: init, demo (which renders the demo pacts' QR codes) and the server
    all see FLASK_RUN_PORT=5101, so public_url() gives port 5101. Run with stand-in programs."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for name in ("commons", "flask", "pybabel"):
        program = venv / "bin" / name
        program.write_text(
            '#!/bin/sh\necho "$(basename "$0") $1 $FLASK_RUN_HOST $FLASK_RUN_PORT"\n'
        )
        program.chmod(0o755)
    (venv / ".installed").touch()  # newer than setup.cfg: make installs nothing
    out = subprocess.run(
        ["make", "-s", "run", "PORT=5101", f"VENV={venv}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.splitlines()
    assert "commons init 127.0.0.1 5101" in out
    assert "commons demo 127.0.0.1 5101" in out
    assert "flask --app 127.0.0.1 5101" in out
