"""The demo city obeys the rules it demonstrates: every history in time order, acts dated
before the approvals that cite them, nothing created after it was submitted, renewal asked
only inside its window, and renewals that keep one pact in force on each commons."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import workflows
from commons.audit.models import AuditEvent
from commons.documents import rendering, storage
from commons.documents.models import Document, PactVersion
from commons.documents.operations import pact_meta, seal_if_configured, signature_rows
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.proposals.standing import city_today, standing
from workflows.guards import content_hash


@pytest.mark.xdist_group("demo")
def test_the_demo_city_obeys_the_rules(demo_app):
    """Loading the demo takes most of a minute: it is loaded once per worker (conftest's
    demo_snapshot, by `commons demo`) and every rule checked on a copy."""
    app = demo_app
    proposals = db.session.scalars(select(Proposal).order_by(Proposal.id)).all()
    events: dict[int, list[AuditEvent]] = {}
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if event.proposal_id is not None:
            events.setdefault(event.proposal_id, []).append(event)
    demo = (proposals, events)
    _every_history_is_in_time_order_and_created_before_submitted(demo)
    _acts_are_dated_before_the_approvals_that_cite_them(demo, app)
    _renewal_is_asked_only_inside_its_window(demo, app)
    _renewals_follow_on_without_a_gap_or_an_overlap(demo, app)
    _every_version_and_document_comes_back_byte_for_byte(app)


def _every_version_and_document_comes_back_byte_for_byte(app):
    """What the demo stored is what its inputs give again: each version's text hashes to its
    recorded hash, and each issued PDF renders again (as `commons pacts render` does) to the
    stored bytes: the clause templates and the renderer change no issued document."""
    versions = db.session.scalars(select(PactVersion).order_by(PactVersion.id)).all()
    assert versions
    for version in versions:
        assert content_hash(version.content) == version.content_hash, version.id
    documents = db.session.scalars(select(Document).order_by(Document.id)).all()
    assert {d.kind for d in documents} >= {"final", "signed"}
    for document in documents:
        proposal, version = document.proposal, document.version
        signatures = signature_rows(proposal) if document.kind == "signed" else None
        meta = pact_meta(proposal, version, issued_at=document.created_at, signatures=signatures)
        pdf = rendering.render_pact_pdf(
            version.content,
            meta,
            document.language,
            kind="draft" if document.kind == "draft" else "final",
        )
        if document.kind == "signed":
            pdf = seal_if_configured(pdf, document.created_at)
        assert hashlib.sha256(pdf).hexdigest() == document.sha256, (proposal.title, document.kind)
        stored = storage.path_for(app.config["STORAGE_DIR"], document.sha256).read_bytes()
        assert stored == pdf


def _local_day(moment, app):
    return moment.astimezone(ZoneInfo(app.config["CITY_TIMEZONE"])).date()


def _every_history_is_in_time_order_and_created_before_submitted(demo):
    proposals, events = demo
    assert len(proposals) > 20
    for p in proposals:
        history = events[p.id]
        moments = [e.occurred_at for e in history]
        assert moments == sorted(moments), (p.title, [e.trigger for e in history])
        assert history[0].trigger in ("created", "created_by_renewal"), p.title
        if p.submitted_at is not None:
            assert p.created_at <= p.submitted_at, p.title
            assert history[0].occurred_at <= p.submitted_at, p.title
        for e in history:
            assert e.occurred_at >= p.created_at, (p.title, e.trigger)


def _acts_are_dated_before_the_approvals_that_cite_them(demo, app):
    proposals, events = demo
    approvals = 0
    for p in proposals:
        for e in events[p.id]:
            if e.trigger == "approve":
                approvals += 1
                assert p.decision_date is not None and p.decision_number
                assert p.decision_date <= _local_day(e.occurred_at, app), p.title
                assert e.payload["act_date"] == p.decision_date.isoformat()
            if e.trigger == "record_deliberation":
                assert p.deliberation_date <= _local_day(e.occurred_at, app), p.title
            if e.trigger == "sign":
                assert p.decision_date <= _local_day(e.occurred_at, app), p.title
    assert approvals >= 10


def _renewal_is_asked_only_inside_its_window(demo, app):
    proposals, events = demo
    opened = 0
    for p in proposals:
        window = int(workflows.get_profile(p.profile).clocks["renewal_window_days"])
        for e in events[p.id]:
            if e.trigger == "open_renewal":
                opened += 1
                day = _local_day(e.occurred_at, app)
                assert p.end_date - timedelta(days=window) <= day <= p.end_date, p.title
    assert opened >= 3


def _renewals_follow_on_without_a_gap_or_an_overlap(demo, app):
    proposals, events = demo
    by_id = {p.id: p for p in proposals}
    successors = [p for p in proposals if p.predecessor_id]
    assert {by_id[s.predecessor_id].status for s in successors} == {"renewed", "renewal_granted"}
    for s in successors:
        old = by_id[s.predecessor_id]
        assert s.protocol_number and s.protocol_number != old.protocol_number
        assert s.start_date == old.end_date + timedelta(days=1), s.title
        assert s in old.successors
        if old.status == "renewed":
            handed_over = [e for e in events[old.id] if e.trigger == "complete_renewal"]
            assert len(handed_over) == 1
            assert _local_day(handed_over[0].occurred_at, app) > old.end_date
            assert s.status in workflows.get_profile(s.profile).in_force
        else:
            assert standing(old).in_force and standing(s).kind == "planned"
    # Today, no commons has two pacts in force, and each commons of a pact in force shows it.
    today = city_today()
    in_force: dict[int, list[str]] = {}
    for p in proposals:
        if standing(p, today).in_force:
            for commons in p.commons:
                in_force.setdefault(commons.id, []).append(p.title)
                assert commons.availability == "in_pact", commons.name
    assert all(len(titles) == 1 for titles in in_force.values()), in_force


@pytest.mark.xdist_group("demo")
def test_the_demo_city_has_vacant_buildings_with_dossiers_and_inspections(demo_app):
    from commons.registry.models import AssetDossier, Commons, Inspection

    client = demo_app.test_client()
    today = city_today()
    dossiers = db.session.scalars(select(AssetDossier)).all()
    vacant = [d for d in dossiers if d.vacant_since is not None]
    assert len(vacant) >= 2
    for dossier in dossiers:
        inspections = db.session.scalars(
            select(Inspection).where(Inspection.commons_id == dossier.commons_id)
        ).all()
        assert inspections, dossier.commons.name
        # A vacancy, then the inspection that assessed the condition, then today.
        assert dossier.condition_on == max(i.inspected_on for i in inspections) <= today
        if dossier.vacant_since is not None:
            assert dossier.vacant_since < dossier.condition_on
    page = client.get("/commons/?vacant=1").get_data(as_text=True)
    for dossier in vacant:
        assert db.session.get(Commons, dossier.commons_id).name in page
    layer = client.get("/commons/vacant.geojson").get_json()
    assert len(layer["features"]) == len(vacant)


@pytest.mark.xdist_group("demo")
def test_the_demo_city_has_a_pending_vacancy_report_in_the_office_queue(demo_app):
    from commons.registry.models import VacancyReport
    from tests.conftest import login

    (report,) = db.session.scalars(select(VacancyReport)).all()
    assert report.status == "pending" and report.photo is not None
    # Sent by a citizen a few days ago, before today; nobody has moderated it yet.
    assert report.created_at.date() < city_today() and report.moderated_at is None
    office = demo_app.test_client()
    login(office, "officer@demo.example.org", "meadow-bicycle-17")
    queue = office.get("/commons/vacancy-reports").get_data(as_text=True)
    assert "Via Libia 40" in queue
    page = office.get(f"/commons/vacancy-reports/{report.id}").get_data(as_text=True)
    assert "List the place" in page
    assert f"/commons/vacancy-reports/{report.id}/photo" in page


def test_the_paths_in_pacts_toml_expand_their_stages():
    """A path's ``{ stage = ... }`` entries stand for that stage's steps, in order."""
    from commons.demo import PATHS, SUCCESSOR_PATHS

    to_co_design = ["submit", "take_in_charge", "admit", "close_notice"]
    to_active = [*to_co_design, "agree_draft", "approve", "sign", "sign"]
    assert [s.trigger for s in PATHS["co_design"]] == to_co_design
    assert [s.trigger for s in PATHS["expired"]] == [*to_active, "expire"]
    renewed = PATHS["renewed"]
    assert [s.trigger for s in renewed] == [*to_active, "open_renewal", "file_report", "renew"]
    assert [s.who for s in renewed[-3:]] == ["rep", "rep", "legal"]
    assert sum(s.days for s in renewed) == 2 + 8 + 32 + 10 + 5 + 2 + 1 + 310 + 5 + 10
    assert [s.trigger for s in SUCCESSOR_PATHS["renewed"]] == ["agree_draft", "approve"] + [
        "sign"
    ] * 2
    # Every state of the default profile but draft has a path.
    assert set(PATHS) | {"draft"} == set(workflows.get_profile("labsus").states)


def test_commons_demo_is_one_transaction(runner, monkeypatch):
    """load_demo does not commit: `commons demo` does, once, and leaves nothing if it fails.

    Without its lifecycle proposals (the slow part) the demo loads in a second or two."""
    import commons.demo
    from commons.auth.models import User
    from commons.demo import loader
    from commons.registry.models import Commons

    monkeypatch.setattr(loader, "LIFECYCLE", [])
    monkeypatch.setattr("commons.demo.calls._read", lambda: [])  # the calls need the pacts
    monkeypatch.setattr("commons.demo.offers._read", lambda: {})  # and so do the offers
    real_logins = commons.demo.demo_logins

    def broken_logins():
        raise RuntimeError("failed after loading")

    monkeypatch.setattr(commons.demo, "demo_logins", broken_logins)
    result = runner.invoke(args=["demo"])
    assert isinstance(result.exception, RuntimeError), result.output
    db.session.remove()
    assert db.session.scalars(select(User)).all() == []
    assert db.session.scalars(select(Commons)).all() == []

    monkeypatch.setattr(commons.demo, "demo_logins", real_logins)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    # The logins print as a table: every password starts in the same column.
    lines = result.output.split("Demo logins", 1)[1].splitlines()[1:]
    logins = real_logins()
    assert len(lines) == len(logins)
    columns = {line.index(password) for line, (*_, password) in zip(lines, logins, strict=True)}
    assert len(columns) == 1, lines
    db.session.remove()
    assert len(db.session.scalars(select(User)).all()) == len(loader.USERS)
    assert len(db.session.scalars(select(Proposal)).all()) == len(loader.PROPOSALS)
