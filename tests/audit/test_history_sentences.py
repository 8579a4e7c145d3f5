"""Histories in words: a sentence per event kind, names instead of ids, draft saves counted,
English and Italian; the auditor's view keeps the recorded events as they are."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from commons.audit.sentences import SENTENCES, describe
from commons.extensions import db
from commons.proposals import operations as proposal_ops
from tests import factories
from tests.conftest import login
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire, get_profile, profile_names

ROOT = Path(__file__).resolve().parents[2]


def _history(page: str) -> str:
    return page.split('aria-labelledby="timeline-title"', 1)[1].split("</section>", 1)[0]


def _sentences(page: str) -> list[str]:
    line = re.compile(r'<span class="history-sentence pre-wrap">(.*?)</span>', re.S)
    found = line.findall(_history(page))
    return [re.sub(r"<[^>]+>", "", s).replace("&#39;", "'") for s in found]


def _walk(cast: Cast):
    """A draft saved seven times, submitted, taken in charge, with more information asked."""
    p = factories.proposal(cast.group)
    for n in range(7):
        proposal_ops.update_draft(
            p, actor=cast.representative, base_version=p.lock_version, objectives=f"Objectives {n}"
        )
    db.session.commit()
    fire(p, "submit", cast.representative, now=NOW)
    fire(p, "take_in_charge", cast.officer, now=NOW)
    fire(p, "request_integration", cast.officer, now=NOW, message="Send the statute.")
    db.session.commit()
    return p


def test_officers_and_citizens_read_the_history_in_words(app, client):
    cast = Cast()
    p = _walk(cast)
    for person in (cast.officer, cast.representative, cast.member):
        reader = app.test_client()
        login(reader, person.email)
        page = reader.get(f"/proposals/{p.id}").get_data(as_text=True)
        said = _sentences(page)
        assert said[0] == "Rita Representative started the application."
        assert said[1] == ("Rita Representative saved the draft 7 times. Changed: Objectives.")
        assert said[2] == (
            "Rita Representative submitted the application; its protocol number is "
            f"{p.protocol_number}."
        )
        assert said[3] == "Olga Officer took the case in charge."
        assert said[4].startswith("Olga Officer asked for more information: Send the statute.")
        assert "The reply is due by 1 July 2026, 23:59 CEST" in said[4]  # Rome time, not UTC
        history = _history(page)
        for internal in ("id:", "hash", "case officer", "version: 1", "draft updated"):
            assert internal not in history.lower(), internal


def test_italian_readers_read_italian_sentences(app, client):
    cast = Cast()
    p = _walk(cast)
    cast.officer.locale = "it"
    db.session.commit()
    login(client, cast.officer.email)
    said = _sentences(client.get(f"/proposals/{p.id}").get_data(as_text=True))
    assert said[1] == "Rita Representative ha salvato la bozza 7 volte. Modificato: Obiettivi."
    assert said[3] == "Olga Officer ha preso in carico la pratica."
    assert said[4].startswith("Olga Officer ha chiesto integrazioni: Send the statute.")
    assert "La risposta è attesa entro il 01/07/2026, 23:59 CEST." in said[4]


def test_saves_by_different_people_or_apart_are_not_merged(app):
    cast = Cast()
    events = [
        SimpleNamespace(
            trigger=t,
            actor_id=a,
            actor_role="citizen",
            payload={"fields": ["title"]},
            to_state=None,
            from_state=None,
            occurred_at=NOW,
        )
        for t, a in (
            ("draft_updated", 1),
            ("draft_updated", 1),
            ("draft_updated", 2),
            ("take_in_charge", 2),
            ("draft_updated", 2),
        )
    ]
    from commons.audit.sentences import history_lines

    with app.test_request_context():
        lines = history_lines(events, private=True, people={1: "Anna", 2: "Bruno"})
    assert [str(line.sentence) for line in lines] == [
        "Anna saved the draft 2 times. Changed: Title.",
        "Bruno saved the draft. Changed: Title.",
        "Bruno took the case in charge.",
        "Bruno saved the draft. Changed: Title.",
    ]
    assert cast  # the people exist; names come from the mapping


def test_the_public_reads_sentences_without_names_or_private_text(app, client):
    cast = Cast()
    p = proposal_in("under_review", cast)
    fire(p, "admit", cast.officer, now=NOW)
    db.session.commit()
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    said = _sentences(page)
    assert any(s.startswith("The office admitted the proposal") for s in said), said
    assert "Olga Officer" not in _history(page)


def _appended_kinds() -> set[str]:
    """Every kind of event the code appends: the first argument of each append_event call."""
    kinds = set()
    for path in list((ROOT / "commons").rglob("*.py")) + list((ROOT / "workflows").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "append_event"
                and node.args
            ):
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    kinds.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):  # f"join_request_{status}"
                    head = arg.values[0].value
                    kinds |= {f"{head}accepted", f"{head}declined"}
                elif isinstance(arg, ast.IfExp):  # "user_activated" if active else ...
                    kinds |= {arg.body.value, arg.orelse.value}
                elif isinstance(arg, ast.Name) and arg.id == "TRIGGER":
                    kinds.add("imported")
    kinds.discard("trigger")  # workflows.fire: the profile's triggers, below
    return {k for k in kinds if isinstance(k, str)}


def _all_kinds() -> set[str]:
    kinds = _appended_kinds()
    for name in profile_names():
        kinds |= set(get_profile(name).triggers)
    return kinds


def test_every_event_kind_the_code_records_has_a_sentence():
    kinds = _all_kinds()
    assert {"take_in_charge", "draft_updated", "exported", "join_request_declined"} <= kinds
    assert sorted(kinds - set(SENTENCES)) == []


@pytest.mark.parametrize("kind", sorted(_all_kinds()))
def test_each_sentence_reads_in_english_and_italian(app, kind):
    event = SimpleNamespace(
        trigger=kind,
        actor_id=7,
        actor_role="officer",
        to_state="under_review",
        from_state="submitted",
        occurred_at=NOW,
        payload={
            "message": "Send it.",
            "reasons": "Because.",
            "act_number": "DD 1/2026",
            "act_date": "2026-05-30",
            "user_id": 8,
            "to_user_id": 8,
            "department": "Heritage",
            "version": 2,
            "pact_version": 2,
            "name": "Garden",
            "format": "csv",
            "rows": 3,
        },
    )
    with app.test_request_context():
        english = str(describe(event, private=True, people={7: "Olga Bianchi", 8: "Anna"}))
        with force_locale("it"):
            italian = str(describe(event, private=True, people={7: "Olga Bianchi", 8: "Anna"}))
    for text in (english, italian):
        assert "%(" not in text and "_id" not in text and "hash" not in text
    assert english != italian
    if kind not in (
        "expire",
        "complete_renewal",
        "complete_withdrawal",
        "imported",
        "password_changed",  # these name the person, who is also the actor
        "password_reset",
        "email_changed",
        "identity_linked",
    ):
        assert "Olga Bianchi" in english


def test_an_unknown_kind_reads_as_its_label_and_who(app):
    event = SimpleNamespace(
        trigger="publish_summary",
        actor_id=7,
        actor_role="officer",
        to_state=None,
        from_state=None,
        occurred_at=NOW,
        payload={"summary_id": 3},
    )
    with app.test_request_context():
        assert str(describe(event, private=True, people={7: "Olga"})) == ("Olga: Publish summary.")
        assert str(describe(event, private=False, people={})) == ("The office: Publish summary.")


def test_the_auditors_view_still_shows_the_record(app, client):
    cast = Cast()
    p = _walk(cast)
    login(client, cast.auditor.email)
    page = client.get(f"/audit/pacts/{p.id}").get_data(as_text=True)
    assert "<code>case_officer_id</code>" in page and "hash" in page
