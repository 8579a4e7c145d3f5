"""English and Italian: choice of language and complete catalogues."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login, post_form

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "commons" / "translations"


def test_browser_language_picks_italian(client):
    page = client.get("/commons/", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="it">' in text
    assert "Registro dei beni comuni" in text
    assert "Register of commons" not in text


def test_city_language_beats_browser(app, client):
    app.config["CITY_LANGUAGE"] = "it"
    text = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Accedi" in text


def test_user_choice_beats_city_and_browser(app, client, make):
    app.config["CITY_LANGUAGE"] = "en"
    make.user(email="anna@example.org", locale="it")
    login(client, "anna@example.org")
    text = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Il mio account" in text and "Your account" not in text
    assert '<html lang="it">' in text


def test_language_switch_for_visitors(client):
    post_form(client, "/language", {"locale": "it"}, token_from="/")
    text = client.get("/login").get_data(as_text=True)
    assert '<html lang="it">' in text and "Accedi" in text


def test_italian_form_errors(client):
    client.get("/", headers={"Accept-Language": "it"})
    response = post_form(
        client,
        "/register",
        {"full_name": "", "email": "bad", "password": "x", "confirm": "y"},
        headers={"Accept-Language": "it"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "C&#39;è un problema" in text or "C'è un problema" in text
    assert "Inserisci nome e cognome." in text
    assert "Enter your full name." not in text


@pytest.mark.parametrize("language", ["it", "en"])
def test_catalogue_complete(language, tmp_path):
    """Every string in the code and templates has a translation; placeholders match."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    have = {m.id: m for m in catalog if m.id}
    missing = sorted(str(i) for i in wanted if i not in have or not have[i].string or have[i].fuzzy)
    assert not missing, f"{len(missing)} untranslated in {language}: {missing[:10]}"
    for message in have.values():
        found = set(re.findall(r"%\(\w+\)[sd]", message.id))
        assert found == set(re.findall(r"%\(\w+\)[sd]", message.string)), message.id
