"""The pact prose is templates: one per section and language, and a city may override any."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

import workflows
from commons.documents import clause_words, clauses
from commons.documents import operations as document_ops
from commons.documents.models import PactVersion
from commons.extensions import db
from tests import factories
from tests.documents.test_clauses import SETTINGS, article, full_proposal


def test_every_section_of_every_profile_has_a_template_in_every_language():
    names = {
        section
        for name in ("labsus", "simplified")
        for section in workflows.get_profile(name).sections
    }
    assert names <= set(clauses.SECTION_TITLES["en"])
    for lang in clauses.LANGUAGES:
        folder = clauses.PACKAGED_TEMPLATES / lang
        assert {p.stem for p in folder.glob("*.txt")} == set(clauses.SECTION_TITLES[lang]), lang


def test_a_city_template_overrides_the_packaged_one_for_that_section_only(app, tmp_path):
    proposal = full_proposal()
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "disputes.txt").write_text(
        "## Conciliation\n"
        "Disputes about this pact go to the mediation desk of {{ city }}.\n\n"
        "{% if f.complex %}\nA complex pact names two mediators.\n{% endif %}\n\n"
        "## Courts\nThe court of {{ f.city }} decides.\n",
        encoding="utf-8",
    )
    packaged = clauses.default_content(proposal, SETTINGS, "en")
    city = clauses.default_content(proposal, {**SETTINGS, "clause_templates": str(tmp_path)}, "en")

    disputes = next(s for s in city["sections"] if s["key"] == "disputes")
    assert disputes["articles"] == [
        {
            "title": "Conciliation",
            "text": "Disputes about this pact go to the mediation desk of the City of "
            "Testville.\n\nA complex pact names two mediators.",
        },
        {"title": "Courts", "text": "The court of Testville decides."},
    ]
    others = [s for s in city["sections"] if s["key"] != "disputes"]
    assert others == [s for s in packaged["sections"] if s["key"] != "disputes"]
    # Only the language it is written for.
    assert clauses.default_content(
        proposal, {**SETTINGS, "clause_templates": str(tmp_path)}, "it"
    ) == clauses.default_content(proposal, SETTINGS, "it")


def test_an_override_of_a_generated_article_is_written_from_the_terms(app, tmp_path):
    proposal = full_proposal()
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "monitoring.txt").write_text(
        "## Periodic reports\nA report every {{ f.report_months }} months, on paper.\n",
        encoding="utf-8",
    )
    settings = {**SETTINGS, "clause_templates": str(tmp_path)}
    content = clauses.default_content(proposal, settings, "en")
    content["terms"]["report_interval_months"] = 2
    again = clauses.apply_terms(content, proposal, settings, "en")
    assert article(again, "monitoring", "Periodic reports") == "A report every 2 months, on paper."


def test_an_override_applies_at_once_and_never_changes_a_saved_version(app):
    proposal = full_proposal()
    proposal.status = "co_design"  # the only state in which a version is saved
    db.session.commit()
    officer = factories.user("officer")
    saved = document_ops.save_version(proposal, author=officer, comment="first")
    db.session.commit()
    before = dict(saved.content)
    folder = Path(app.config["INSTANCE_DIR"]) / "pacts" / "clauses" / "en"
    folder.mkdir(parents=True, exist_ok=True)
    override = folder / "safety.txt"
    try:
        override.write_text("## Safety rules\nHelmets on.\n", encoding="utf-8")
        content = document_ops.default_content(proposal)
        assert article(content, "safety", "Safety rules") == "Helmets on."
        override.write_text("## Safety rules\nHelmets and gloves on.\n", encoding="utf-8")
        stamp = override.stat().st_mtime + 5
        os.utime(override, (stamp, stamp))  # a new time even on a coarse file system
        content = document_ops.default_content(proposal)
        assert article(content, "safety", "Safety rules") == "Helmets and gloves on."
    finally:
        override.unlink()
    content = document_ops.default_content(proposal)
    assert article(content, "safety", "Risk assessment").startswith("Before the activities")
    db.session.expire_all()
    assert db.session.get(PactVersion, saved.id).content == before


def test_an_unknown_name_in_a_template_is_an_error_not_a_blank(app, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "safety.txt").write_text("## Safety\n{{ f.no_such_fact }}\n")
    with pytest.raises(UndefinedError, match="no_such_fact"):
        clauses.default_content(factories.proposal(), {"clause_templates": str(tmp_path)}, "en")


def test_a_template_name_cannot_leave_the_folders(tmp_path):
    loader = clauses._ClauseLoader(str(tmp_path))
    assert loader._path("../en/safety.txt") is None
    assert loader._path("en/safety.txt") == clauses.PACKAGED_TEMPLATES / "en" / "safety.txt"


def test_a_language_is_a_folder_with_its_words(tmp_path):
    for lang in ("en", "xx"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "words.toml").write_text(
            (clauses.PACKAGED_TEMPLATES / "en" / "words.toml").read_text(encoding="utf-8")
        )
    (tmp_path / "notes").mkdir()  # a folder without words is not a language
    assert list(clause_words._load_words(tmp_path)) == ["en", "xx"]
    assert clauses.LANGUAGES == tuple(clause_words._load_words()) == ("en", "it")
    for lang, words in clauses.WORDS.items():
        assert list(words["generated"]) == [g.name for g in clauses.GENERATED], lang
        assert set(words["section_titles"]) == set(clauses.SECTION_TITLES["en"]), lang


def test_text_typed_like_an_article_title_stays_in_its_article(app):
    proposal = factories.proposal(activities="## Step one\nDig.\n\n## Step two\nPlant.")
    content = clauses.default_content(proposal, SETTINGS, "en")
    section = next(s for s in content["sections"] if s["key"] == "object")
    assert [a["title"] for a in section["articles"]] == [
        "Object",
        "Objectives",
        "Activities",
        "Costs",
    ]
    assert "## Step one\nDig.\n\n## Step two\nPlant." in article(content, "object", "Activities")


def test_a_city_template_reaches_nothing_but_its_context(app, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "safety.txt").write_text(
        "## Safety\n{{ f.__class__.__init__.__globals__ }}\n", encoding="utf-8"
    )
    with pytest.raises((SecurityError, UndefinedError)):
        clauses.default_content(factories.proposal(), {"clause_templates": str(tmp_path)}, "en")
