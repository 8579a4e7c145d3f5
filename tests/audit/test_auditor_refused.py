"""An auditor is read-only: every state-changing route refuses them.

The routes are enumerated from ``app.url_map`` at test time, so a route added later is covered
without touching this file: a POST/PUT/PATCH/DELETE rule that is not listed in EXCEPTIONS must
answer an auditor with 403 (or 404 for an object that does not exist) and change nothing in
the database. A rule with a URL argument this test does not know fails the test, naming it:
add how to find an existing object for it to OBJECT_IDS.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from commons.api.operations import create_token
from commons.apply.steps import STEP_NAMES
from commons.audit.models import AuditEvent
from commons.auth.models import Role
from commons.auth.operations import add_member
from commons.calls.operations import add_sheet_file, apply_to_call
from commons.consultation.models import Comment, JoinRequest
from commons.db import Base
from commons.documents.models import Document, PactVersion
from commons.extensions import db
from commons.notifications.models import Notification
from commons.proposals.models import Proposal
from commons.proposals.operations import request_opinion
from commons.registry.operations import report_vacancy
from commons.uploads.operations import save_upload
from tests.calls.conftest import NOW, load_open_call
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, data_for, proposal_in
from workflows.engine import get_profile

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

# Routes an auditor may use although they take a POST, and why. Only these.
EXCEPTIONS = {
    # Starting an export is what auditors are for; it is itself recorded as an audit event.
    "audit.start_export": "starts an export of the audit history (recorded as an audit event)",
    "api.exports_start": "the same over the API",
    # The auditor's own session and account, not the registry.
    "auth.logout": "ends the auditor's own session",
    "auth.set_language": "the auditor's own language",
    "auth.account": "the auditor's own account details",
    "auth.change_password": "the auditor's own password",
    "auth.end_sessions": "logs the auditor's own account out on every device",
    "auth.change_email": "asks to change the auditor's own address (confirmed by e-mail)",
    "auth.resend_verification": "a new link to confirm the auditor's own address",
    "auth.forgot_password": "a reset link for an account's own address, sent to that address",
    "auth.reset_password": "sets a password with a link e-mailed to the account's address",
    "notifications.mark_all_read": "the auditor's own notifications, not the registry",
    "privacy.download_data": "the auditor's own data (the download is an audit event)",
    "privacy.request_erasure": "asks for the erasure of the auditor's own account",
    # The auditor's own access tokens (e.g. for a system that reads the audit trail).
    "api_tokens.create": "an access token for the auditor's own account",
    "api_tokens.revoke": "revokes one of the auditor's own access tokens",
    "oidc.link": "links the auditor's own account to their digital identity (a fresh login)",
}
# POST forms that only read (or send a logged-in user away): any answer but a server error,
# and the database must stay exactly as it was.
READ_ONLY_POSTS = {
    "auth.login": "a logged-in user is sent to the home page",
    "auth.register": "a logged-in user is sent to the home page",
    "oidc.start": "sends the browser to log in at an identity provider; stores nothing",
    "documents.verify": "checks an uploaded PDF against the register; stores nothing",
    "documents.pact_verify": "checks an uploaded PDF against the pact's documents; stores nothing",
}
MISSING_ID = 987654
# Route arguments naming objects this world does not make (no route takes them today).
NO_OBJECT = {"criterion_id"}
# Routes whose arguments name other objects than OBJECT_IDS gives: a call application's
# proposal (the world's proposal answers no call).
ENDPOINT_OBJECTS = {
    "calls.next_batch": {"proposal_id": lambda w: w["application"].proposal_id},
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _snapshot() -> str:
    """A digest of every row of every table: equal digests, nothing changed."""
    db.session.rollback()
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        if table.name == "api_tokens":
            continue  # the auditor's own token notes when it was last used; nothing else
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr((table.name, tuple(row))).encode())
    db.session.rollback()
    return digest.hexdigest()


@pytest.fixture
def world(app):
    """Proposals in a state where each trigger applies, with versions and a document."""
    from commons.documents.operations import issue_document
    from tests import factories

    cast = Cast()
    profile = get_profile("labsus")
    by_state: dict[str, Proposal] = {}
    for_trigger: dict[str, Proposal] = {}
    for trigger in profile.triggers:
        state = next(s for s in profile.states if profile.specs_for(trigger, s))
        if state not in by_state:
            by_state[state] = proposal_in(state, cast)
        for_trigger[trigger] = by_state[state]
    co_design = by_state.get("co_design") or proposal_in("co_design", cast)
    version = db.session.scalars(
        select(PactVersion).where(PactVersion.proposal_id == co_design.id)
    ).first()
    issue_document(co_design, version, "draft", issued_at=version.created_at)
    db.session.commit()
    document = db.session.scalars(select(Document)).first()
    commons = factories.commons()
    opinion = request_opinion(co_design, actor=cast.officer, department="Heritage")
    group = co_design.group
    member = add_member(group, full_name="Nina Neri", email="nina@example.org", user=None)
    attachment = save_upload(
        FileStorage(io.BytesIO(PNG), filename="photo.png"),
        owner=cast.representative,
        purpose="photo",
        proposal=co_design,
    )
    comment = Comment(
        proposal_id=(by_state.get("public_notice") or proposal_in("public_notice", cast)).id,
        author_id=cast.representative.id,
        body="A comment of the public consultation.",
    )
    db.session.add(comment)
    db.session.flush()
    join_request = JoinRequest(  # answered by the group's representative, never an auditor
        proposal_id=comment.proposal_id, user_id=factories.user().id, message="May I join?"
    )
    db.session.add(join_request)
    note = Notification(  # to the office: not the auditor's to mark as read
        kind="submitted",
        dedup_key="auditor-test",
        subject="New proposal submitted",
        body="",
        recipient_role="officer",
        proposal_id=co_design.id,
    )
    db.session.add(note)
    from commons.offers import operations as offers

    post = offers.post(  # a published need: answered, closed or moderated, never by an auditor
        author=cast.representative,
        group=group,
        commons=commons,
        kind="need",
        category="volunteers",
        title="Volunteers wanted",
        description="For the clean-up.",
    )
    offers.publish(post, actor=cast.officer)
    db.session.commit()
    # A call open to applications, with a draft application to it and a photo on a sheet:
    # every write route of calls refuses the auditor on a call that exists (403, never 404).
    call = load_open_call(
        factories,
        (
            factories.user(Role.OFFICER),
            factories.user(Role.EVALUATOR),
            factories.user(Role.EVALUATOR, Role.OFFICER),
        ),
    )
    applicant = factories.group(kind="association")
    application = apply_to_call(
        call,
        representative=applicant.representative,
        group=applicant,
        title="A music school in the old building",
        theme="culture",
        commons_ids=[call.offers[0].commons_id],
        answers={"hours": "20"},
        no_advantage=True,
        now=NOW,
    )
    sheet = add_sheet_file(
        call.offers[0],
        FileStorage(io.BytesIO(PNG), filename="facade.png"),
        description="The facade",
        actor=cast.officer,
    )
    # A pending vacancy report: listed or declined by the office, never by an auditor.
    vacancy = report_vacancy(
        reporter=cast.representative,
        description="A closed shop.",
        address="Via Roma 3",
        place_kind="building",
    )
    db.session.commit()
    return {
        "vacancy": vacancy,
        "post": post,
        "cast": cast,
        "for_trigger": for_trigger,
        "proposal": co_design,
        "version": version,
        "document": document,
        "commons": commons,
        "opinion": opinion,
        "group": group,
        "member": member,
        "attachment": attachment,
        "note": note,
        "comment": comment,
        "join_request": join_request,
        "call": call,
        "application": application,
        "sheet": sheet,
    }


# How to find an existing object for each URL argument, from the ``world`` fixture.
OBJECT_IDS = {
    "proposal_id": lambda w: w["proposal"].id,
    "number": lambda w: w["version"].number,
    "commons_id": lambda w: w["commons"].id,
    "user_id": lambda w: w["cast"].officer.id,
    "sha256": lambda w: w["document"].sha256,
    "job_id": lambda w: MISSING_ID,  # an export job that is not the auditor's: see jobs tests
    "opinion_id": lambda w: w["opinion"].id,
    "step": lambda w: STEP_NAMES[0],
    "language": lambda w: "original",  # the public summary's original text
    "attachment_id": lambda w: w["attachment"].id,
    "group_id": lambda w: w["group"].id,
    "member_id": lambda w: w["member"].id,
    # Invitation links carry a secret token the auditor was never sent: not found, or refused.
    "token": lambda w: "an-invitation-token-that-was-never-issued",
    "note_id": lambda w: w["note"].id,
    # An identity provider's name (none is configured here: the route answers 404).
    "name": lambda w: "spid",
    "provider": lambda w: "spid",
    "request_id": lambda w: w["join_request"].id,
    "call_id": lambda w: w["call"].id,
    "application_id": lambda w: w["application"].id,
    "batch_id": lambda w: w["call"].batches[0].id,
    "criterion_id": lambda w: MISSING_ID,
    "sheet_id": lambda w: w["sheet"].id,
    "post_id": lambda w: w["post"].id,
    "report_id": lambda w: w["vacancy"].id,
    "comment_id": lambda w: (
        w["comment"].id
    ),  # addressed to the office or the proponents, not auditors
}


def _state_changing_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if STATE_CHANGING & set(rule.methods)),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def _build(app, rule, values: dict) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=sorted(STATE_CHANGING & rule.methods)[0])


def _requests(app, world):
    """(endpoint, method, url, form data, expected statuses) for every state-changing rule."""
    for rule in _state_changing_rules(app):
        if rule.endpoint in EXCEPTIONS:
            continue
        arguments = sorted(rule.arguments)
        unknown = [a for a in arguments if a not in OBJECT_IDS and a != "trigger"]
        assert not unknown, f"{rule.rule}: add how to find an object for {unknown} to OBJECT_IDS"
        for method in sorted(STATE_CHANGING & rule.methods):
            expected = None if rule.endpoint in READ_ONLY_POSTS else {403}
            if expected and "token" in arguments:
                expected = {403, 404}
            if expected and NO_OBJECT.intersection(arguments):
                expected = {403, 404}  # objects this world does not make: not found
            if "trigger" in arguments:
                # Every trigger, on a proposal in a state where it applies: the role decides.
                for trigger, proposal in world["for_trigger"].items():
                    values = {a: OBJECT_IDS[a](world) for a in arguments if a != "trigger"}
                    values.update(trigger=trigger, proposal_id=proposal.id)
                    data = {
                        **data_for(trigger, world["cast"].auditor),
                        "expected_version": proposal.lock_version,
                    }
                    yield rule.endpoint, method, _build(app, rule, values), data, expected
            else:
                values = {a: OBJECT_IDS[a](world) for a in arguments}
                for name, find in ENDPOINT_OBJECTS.get(rule.endpoint, {}).items():
                    values[name] = find(world)
                if "comment_id" in values:  # a comment belongs to a proposal under notice
                    values["proposal_id"] = world["comment"].proposal_id
                yield rule.endpoint, method, _build(app, rule, values), {}, expected
            if arguments:
                # The same with objects that do not exist: refused or not found, never done.
                values = {a: MISSING_ID for a in arguments}
                if "trigger" in arguments:
                    values["trigger"] = "approve"
                if "sha256" in arguments:
                    values["sha256"] = "0" * 64
                missing = None if expected is None else {403, 404}
                yield rule.endpoint, method, _build(app, rule, values), {}, missing


def test_exceptions_are_real_routes(app):
    """A renamed or removed exception must not silently widen what auditors may do."""
    endpoints = {rule.endpoint for rule in _state_changing_rules(app)}
    assert set(EXCEPTIONS) <= endpoints
    assert set(READ_ONLY_POSTS) <= endpoints


def test_auditor_is_refused_every_state_changing_route(app, client, world):
    auditor = world["cast"].auditor
    assert login(client, auditor.email).status_code == 302
    token = csrf_token(client, "/")
    _, secret = create_token(auditor, name="auditor's token")  # the auditor's own, made first
    db.session.commit()
    heads = db.session.execute(select(AuditEvent.seq, AuditEvent.hash)).all()
    states = dict(db.session.execute(select(Proposal.id, Proposal.status)).all())
    before = _snapshot()
    tried = set()
    for endpoint, method, url, data, expected in _requests(app, world):
        if endpoint.startswith("api."):
            # The API takes no session: without a token, 401.
            response = client.open(url, method=method, json=data)
            assert response.status_code == 401, f"{method} {url} ({endpoint}) without a token"
            # With the auditor's token: refused, never done. The body here is only what the
            # web form would send, so a 400 (invalid body) counts as refused too; the API's
            # own matrix (tests/api/test_permissions.py) sends valid bodies and expects 403.
            response = client.open(
                url, method=method, json=data, headers={"Authorization": f"Bearer {secret}"}
            )
            expected = expected and {400, *expected}
        else:
            response = client.open(url, method=method, data={**data, "csrf_token": token})
        status = response.status_code
        if expected is None:
            assert status < 500, f"{method} {url} ({endpoint}): {status}"
        else:
            assert status in expected, f"{method} {url} ({endpoint}): {status}, not {expected}"
        assert _snapshot() == before, f"{method} {url} ({endpoint}) changed the database"
        tried.add(endpoint)
    # Every state-changing route outside the exceptions was tried (a sanity check on the loop).
    expected_endpoints = {r.endpoint for r in _state_changing_rules(app)} - set(EXCEPTIONS)
    assert tried == expected_endpoints
    assert "proposals.act" in tried and "registry.edit" in tried
    assert db.session.execute(select(AuditEvent.seq, AuditEvent.hash)).all() == heads
    assert dict(db.session.execute(select(Proposal.id, Proposal.status)).all()) == states
