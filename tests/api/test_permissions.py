"""Every endpoint, every role: the API allows exactly what ``can()`` allows on the web pages.

Roles: anonymous (no token), a citizen who is not a proponent, the proponents' representative,
officer, legal officer, auditor, administrator.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commons.audit.models import ExportJob
from commons.auth.models import Role
from commons.documents import operations as documents
from commons.extensions import db
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.workflows.scenario import Cast, proposal_in

ROLES = ("anonymous", "citizen", "proponent", "officer", "legal", "auditor", "admin")


class World:
    def __init__(self, client):
        self.cast = cast = Cast()
        self.citizen = factories.user(Role.CITIZEN, name="Carla Citizen")
        self.commons = factories.commons()
        self.draft = proposal_in("draft", cast)
        self.co_design = proposal_in("co_design", cast)
        self.active = proposal_in("active", cast)
        self.latest = documents.save_version(
            self.co_design,
            author=cast.officer,
            content={"sections": [{"key": "object", "title": "Object", "articles": []}]},
        )
        db.session.commit()
        people = {
            "citizen": self.citizen,
            "proponent": cast.representative,
            "officer": cast.officer,
            "legal": cast.legal,
            "auditor": cast.auditor,
            "admin": cast.admin,
        }
        self.callers = {"anonymous": Caller(client, None)}
        self.callers.update({role: Caller(client, token_for(u)) for role, u in people.items()})

    @staticmethod
    def version(row) -> int:
        """The row's version now (each allowed change moves it on)."""
        db.session.expire_all()
        return row.lock_version if hasattr(row, "lock_version") else row.version

    def statuses(self, request) -> dict[str, int]:
        return {role: request(self.callers[role], role).status_code for role in ROLES}


@pytest.fixture
def world(client):
    return World(client)


def expect(default: int, **overrides) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


def test_me(world):
    assert world.statuses(lambda c, r: c.get("/me")) == expect(200, anonymous=401)


def test_commons_read_is_public(world):
    assert world.statuses(lambda c, r: c.get("/commons")) == expect(200)
    path = f"/commons/{world.commons.id}"
    assert world.statuses(lambda c, r: c.get(path)) == expect(200)


def test_commons_create_and_update_by_officers_and_admins(world):
    made = world.statuses(
        lambda c, r: c.post("/commons", json={"name": f"Park {r}", "kind": "park", "address": "X"})
    )
    assert made == expect(403, anonymous=401, officer=201, admin=201)
    path = f"/commons/{world.commons.id}"
    changed = world.statuses(
        lambda c, r: c.patch(
            path,
            json={"description": f"by {r}", "expected_version": world.version(world.commons)},
        )
    )
    assert changed == expect(403, anonymous=401, officer=200, admin=200)


def test_proposal_list_shows_drafts_only_to_their_proponents(world):
    seen = {}
    for role in ROLES:
        response = world.callers[role].get("/proposals?limit=100")
        assert response.status_code == 200
        seen[role] = {p["id"] for p in response.get_json()["items"]}
    for role in ROLES:
        assert world.co_design.id in seen[role] and world.active.id in seen[role]
        assert (world.draft.id in seen[role]) == (role == "proponent"), role
    assert world.statuses(lambda c, r: c.get("/proposals?mine=true")) == expect(200, anonymous=401)


def test_proposal_get_and_private_fields(world):
    draft = f"/proposals/{world.draft.id}"
    assert world.statuses(lambda c, r: c.get(draft)) == expect(403, anonymous=401, proponent=200)
    path = f"/proposals/{world.co_design.id}"
    assert world.statuses(lambda c, r: c.get(path)) == expect(200)
    for role in ROLES:
        body = world.callers[role].get(path).get_json()
        private = role not in ("anonymous", "citizen")
        assert body["private"] is private, role
        assert ("representative" in body) is private, role


def test_proposal_create_by_citizens_for_their_own_group(world):
    def create(caller, role):
        return caller.post(
            "/proposals", json={"group_id": world.cast.group.id, "title": f"By {role}"}
        )

    # A citizen may make proposals, but only for a group they represent (400 names the field).
    assert world.statuses(create) == expect(403, anonymous=401, citizen=400, proponent=201)


def test_draft_update_by_its_representative_only(world):
    path = f"/proposals/{world.draft.id}"
    changed = world.statuses(
        lambda c, r: c.patch(
            path, json={"objectives": f"by {r}", "expected_version": world.version(world.draft)}
        )
    )
    assert changed == expect(403, anonymous=401, proponent=200)
    submitted = f"/proposals/{world.co_design.id}"
    later = world.statuses(
        lambda c, r: c.patch(
            submitted,
            json={"objectives": "late", "expected_version": world.version(world.co_design)},
        )
    )
    assert later == expect(403, anonymous=401)


def test_transitions_list_shows_what_each_may_do(world):
    path = f"/proposals/{world.co_design.id}/transitions"
    assert world.statuses(lambda c, r: c.get(path)) == expect(200)
    triggers = {
        role: {t["trigger"] for t in world.callers[role].get(path).get_json()["triggers"]}
        for role in ROLES
    }
    assert triggers["anonymous"] == triggers["citizen"] == triggers["auditor"] == set()
    assert "agree_draft" in triggers["officer"] and "withdraw" in triggers["proponent"]
    assert "agree_draft" not in triggers["proponent"] | triggers["legal"] | triggers["admin"]


def test_transitions_fire_by_the_profiles_roles_only(world):
    path = f"/proposals/{world.co_design.id}/transitions/agree_draft"
    order = [r for r in ROLES if r != "officer"] + ["officer"]  # the one allowed goes last
    statuses = {role: world.callers[role].post(path, json={}).status_code for role in order}
    assert statuses == expect(403, anonymous=401, officer=200)


def test_pact_versions_for_proponents_and_staff(world):
    base = f"/proposals/{world.co_design.id}/pact-versions"
    private = expect(200, anonymous=401, citizen=403)
    assert world.statuses(lambda c, r: c.get(base)) == private
    assert world.statuses(lambda c, r: c.get(f"{base}/1")) == private
    assert world.statuses(lambda c, r: c.get(f"{base}/diff")) == private

    def save(caller, role):
        section = {"key": "object", "title": f"Object ({role})", "articles": []}
        latest = len(world.callers["officer"].get(base).get_json())
        return caller.post(base, json={"content": {"sections": [section]}, "base_version": latest})

    assert world.statuses(save) == expect(403, anonymous=401, proponent=201, officer=201)


def test_documents(world):
    world.document = documents.issue_document(
        world.co_design, world.latest, "draft", issued_at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    db.session.commit()
    listing = f"/proposals/{world.co_design.id}/documents"
    assert world.statuses(lambda c, r: c.get(listing)) == expect(200)
    shown = {
        role: [d["sha256"] for d in world.callers[role].get(listing).get_json()] for role in ROLES
    }
    # A draft PDF stays with those involved; signed pacts would be public.
    assert shown["anonymous"] == shown["citizen"] == []
    assert shown["officer"] == [world.document.sha256]
    private = expect(200, anonymous=401, citizen=403)
    meta = f"/documents/{world.document.sha256}"
    assert world.statuses(lambda c, r: c.get(meta)) == private
    assert world.statuses(lambda c, r: c.get(f"{meta}/pdf")) == private


def test_monitoring_reports(world):
    path = f"/proposals/{world.active.id}/reports"
    assert world.statuses(lambda c, r: c.get(path)) == expect(200, anonymous=401, citizen=403)
    filed = world.statuses(lambda c, r: c.post(path, json={"report_text": f"By {r}."}))
    assert filed == expect(403, anonymous=401, proponent=201)


def test_audit_events_for_auditors_only(world):
    statuses = world.statuses(lambda c, r: c.get("/audit/events"))
    assert statuses == expect(403, anonymous=401, auditor=200)


def test_exports_for_the_auditor_who_started_them(world):
    from commons.audit import jobs

    body = {"format": "jsonl"}
    started = world.statuses(lambda c, r: c.post("/exports", json=body))
    assert started == expect(403, anonymous=401, auditor=202)
    jobs.wait_for_threads(timeout=60)
    job = db.session.scalars(db.select(ExportJob)).one()
    for path in (f"/exports/{job.id}", f"/exports/{job.id}/file"):
        # Only the auditor who started it; admins neither (it gathers personal data).
        assert world.statuses(lambda c, r, p=path: c.get(p)) == expect(
            403, anonymous=401, auditor=200
        )
