"""Privacy: the notice acknowledged on register and apply, the data download, erasure that
keeps the audit chain valid."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest
from sqlalchemy import JSON, String, Text, select
from werkzeug.datastructures import FileStorage

from commons.audit import bundle
from commons.audit.models import AuditEvent, AuditPersonalValue
from commons.audit.operations import verify_chain
from commons.auth.models import Role, User
from commons.db import Base
from commons.extensions import db
from commons.privacy import operations as privacy
from commons.privacy.models import ErasureRequest, PrivacyAcknowledgement
from commons.proposals.models import Proposal
from commons.uploads import operations as uploads
from tests.conftest import csrf_token, login, post_form

pytestmark = pytest.mark.db

GOOD = "a long and unusual passphrase"


def _acks(user_id: int) -> list[tuple[int, str]]:
    rows = db.session.scalars(
        select(PrivacyAcknowledgement).where(PrivacyAcknowledgement.user_id == user_id)
    )
    return [(a.version, a.context) for a in rows]


def _publish(make, text="Notice v{n}: the city processes your data."):
    admin = make.user(Role.ADMIN)
    number = privacy.current_version() + 1
    privacy.publish({"en": text.format(n=number), "it": "Informativa " + str(number)}, actor=admin)
    db.session.commit()
    return admin


def test_register_shows_the_notice_and_refuses_without_the_tick_keeping_the_input(client):
    page = client.get("/register").get_data(as_text=True)
    assert "Privacy notice (art. 13" in page and "Data protection officer" in page
    data = {
        "full_name": "Maria Rossi",
        "email": "maria@example.org",
        "password": GOOD,
        "confirm": GOOD,
        "locale": "en",
        "notice_version": "0",
    }
    response = post_form(client, "/register", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tick the box to say you have read the privacy notice." in page
    assert 'value="Maria Rossi"' in page and 'value="maria@example.org"' in page
    assert db.session.scalar(select(User).where(User.email == "maria@example.org")) is None

    response = post_form(client, "/register", {**data, "privacy": "y"})
    assert response.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "maria@example.org"))
    assert _acks(user.id) == [(0, "register")]


def test_apply_needs_the_tick_and_a_new_version_is_acknowledged_again(app, client, make):
    user = make.user()
    login(client, user.email)
    start = {
        "title": "Care of the Lame garden",
        "group": "new",
        "new_group_name": "Friends of Lame",
        "new_group_kind": "informal_group",
        "notice_version": "0",
        "go": "leave",
    }
    assert "I have read the privacy notice" in client.get("/apply/").get_data(as_text=True)
    response = post_form(client, "/apply/", start)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tick the box to say you have read the privacy notice." in page
    assert 'value="Care of the Lame garden"' in page
    assert db.session.scalar(select(Proposal)) is None

    assert post_form(client, "/apply/", {**start, "privacy": "y"}).status_code == 302
    assert _acks(user.id) == [(0, "apply")]
    # Acknowledged: the next application does not ask again.
    assert "I have read the privacy notice" not in client.get("/apply/").get_data(as_text=True)

    _publish(make)
    page = client.get("/apply/").get_data(as_text=True)
    assert "Notice v1: the city processes your data." in page
    # Ticked under the old version (the page was open when v1 came out): read the new one.
    response = post_form(client, "/apply/", {**start, "title": "Second", "privacy": "y"})
    assert response.status_code == 422
    assert "The privacy notice changed while you were reading it" in response.get_data(as_text=True)
    ok = {**start, "title": "Second", "privacy": "y", "notice_version": "1"}
    assert post_form(client, "/apply/", ok).status_code == 302
    assert _acks(user.id) == [(0, "apply"), (1, "apply")]


def test_the_administrator_publishes_versions_per_language(app, client, make):
    admin = make.user(Role.ADMIN)
    citizen = app.test_client()
    login(citizen, make.user().email)
    assert citizen.get("/admin/privacy").status_code == 403
    login(client, admin.email)
    page = client.get("/admin/privacy").get_data(as_text=True)
    assert "Privacy notice (art. 13" in page and "Informativa sul trattamento" in page
    response = post_form(client, "/admin/privacy", {"body_en": "Only English", "body_it": ""})
    assert response.status_code == 422 and "Italiano" in response.get_data(as_text=True)
    post_form(client, "/admin/privacy", {"body_en": "First\n\nText one", "body_it": "Primo"})
    post_form(client, "/admin/privacy", {"body_en": "Second\n\nText two", "body_it": "Secondo"})
    assert privacy.current_version() == 2
    public = app.test_client()
    page = public.get("/privacy").get_data(as_text=True)
    assert "Text two" in page and "Version 2" in page and "/privacy?version=1" in page
    assert "Text one" in public.get("/privacy?version=1").get_data(as_text=True)
    assert "Secondo" in public.get("/privacy", headers={"Accept-Language": "it"}).get_data(
        as_text=True
    )
    assert 'href="/privacy"' in public.get("/").get_data(as_text=True)  # the footer link


def _upload(owner, content: bytes, name: str):
    attachment = uploads.save_upload(
        FileStorage(io.BytesIO(content), name), owner=owner, purpose="other"
    )
    db.session.commit()
    return attachment


def test_the_download_holds_my_data_and_files_and_nobody_elses(app, client, make):
    me = make.user(name="Anna Bianchi", email="anna@example.org")
    other = make.user(name="Bruno Verdi", email="bruno@example.org")
    make.proposal(make.group(me, name="Anna's garden group"))
    make.proposal(make.group(other, name="Bruno's group"))
    mine = _upload(me, b"%PDF-1.4\nanna\n%%EOF\n" + os.urandom(4), "anna.pdf")
    _upload(other, b"%PDF-1.4\nbruno\n%%EOF\n" + os.urandom(4), "bruno.pdf")
    login(client, me.email)
    assert "Download my data" in client.get("/account/privacy").get_data(as_text=True)
    response = client.post(
        "/account/privacy/download", data={"csrf_token": csrf_token(client, "/account/privacy")}
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert f"files/{mine.id}-anna.pdf" in names and not any("bruno" in n for n in names)
    raw = archive.read("data.json").decode()
    data = json.loads(raw)
    assert data["account"]["email"] == "anna@example.org" and "password_hash" not in raw
    assert [g["name"] for g in data["groups"]] == ["Anna's garden group"]
    assert len(data["proposals_represented"]) == 1 and data["audit_events"]
    assert "bruno" not in raw.lower() and "Bruno" not in raw
    download_event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.trigger == "personal_data_downloaded")
    ).one()
    assert download_event.actor_id == me.id
    # Rate-limited: 5 an hour.
    token = csrf_token(client, "/account/privacy")
    codes = [
        client.post("/account/privacy/download", data={"csrf_token": token}).status_code
        for _ in range(5)
    ]
    assert codes == [200] * 4 + [429]


def _texts_holding(needles: list[str]) -> set[str]:
    """table.column of every text column holding one of ``needles`` (case-insensitive)."""
    found = set()
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        json_columns = [
            c
            for c in table.columns
            if isinstance(c.type, JSON) or isinstance(getattr(c.type, "impl", None), JSON)
        ]
        for row in db.session.execute(select(table)).mappings():
            for column in columns + json_columns:
                value = row[column.name]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(n.lower() in (text or "").lower() for n in needles):
                    found.add(f"{table.name}.{column.name}")
    return found


def test_erasing_a_signer_keeps_the_chain_valid_and_the_history_says_erased(
    app, client, make, runner, tmp_path
):
    signer = make.user(name="Giulia Neri", email="giulia@example.org")
    signer.tax_code = "NRIGLI80A41A944X"
    db.session.commit()
    pact = make.proposal(make.group(signer, kind="individual", name="Giulia Neri"), state="active")
    admin = make.user(Role.ADMIN)
    needles = ["Giulia Neri", "giulia@example.org", "NRIGLI80A41A944X"]
    before = _texts_holding(needles)
    # Her typed name is in the audit log's personal values, not in any hashed payload.
    assert {"users.full_name", "users.email", "audit_personal_values.value"} <= before
    assert "audit_events.payload" not in before and "signatures.typed_name" in before

    # She asks (with her password); while her pact is in force the erasure is refused, saying why.
    login(client, signer.email)
    form = {"password": "wrong", "confirm": "y"}
    response = post_form(client, "/account/privacy/erasure", form, token_from="/account/privacy")
    assert response.status_code == 422 and "The password is not right." in response.get_data(
        as_text=True
    )
    form["password"] = "correct horse battery"
    post_form(client, "/account/privacy/erasure", form, token_from="/account/privacy")
    request = db.session.scalars(select(ErasureRequest)).one()
    admin_client = app.test_client()
    login(admin_client, admin.email)
    page = admin_client.get("/admin/erasure").get_data(as_text=True)
    assert "Not possible yet" in page and "needs a representative" in page
    response = post_form(
        admin_client,
        f"/admin/erasure/{request.id}",
        {"do": "erase", "reasons": ""},
        token_from="/admin/erasure",
        follow_redirects=True,
    )
    assert "The person cannot be erased yet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).status == "pending"
    assert db.session.get(User, signer.id).full_name == "Giulia Neri"

    # The pact ends (it expires); now the administrator carries the request out.
    pact = db.session.get(Proposal, pact.id)
    pact.status = "expired"  # as the clock would leave it (its end date passed)
    db.session.commit()
    response = post_form(
        admin_client,
        f"/admin/erasure/{request.id}",
        {"do": "erase", "reasons": ""},
        token_from="/admin/erasure",
    )
    assert response.status_code == 302
    db.session.expire_all()
    request = db.session.get(ErasureRequest, request.id)
    assert request.status == "done" and "typed on signatures" in request.outcome

    # Her name, address and tax code are in no text column but the signature's typed name
    # and the frozen pact versions (public-law records, docs/admins.md "Erasure").
    kept = {"signatures.typed_name", "pact_versions.content", "pact_versions.data"}
    assert _texts_holding(needles) <= kept
    assert db.session.scalars(select(AuditPersonalValue.value)).all().count(None) >= 1
    user = db.session.get(User, signer.id)
    assert not user.active and user.full_name.startswith("Erased person")

    report = verify_chain()
    assert report.ok, report.reason
    assert "OK" in runner.invoke(args=["audit", "verify"]).output
    # The offline bundle verifier too: the erased values' digests stay, their values are gone.
    out = tmp_path / "bundle.zip"
    result = runner.invoke(args=["audit", "export", "--format", "zip", "-o", str(out)])
    assert result.exit_code == 0, result.output
    checked = bundle.verify(out)
    assert checked.ok, checked.message
    assert checked.counts["erased"] >= 1 and checked.counts["personal"] >= 1
    with zipfile.ZipFile(out) as zf:
        assert "Giulia Neri" not in zf.read("personal_values.csv").decode()
    # Her session ended; the auditor's history shows "erased" where her typed name was.
    assert client.get("/account").status_code == 302
    auditor = app.test_client()
    login(auditor, make.user(Role.AUDITOR).email)
    page = auditor.get(f"/audit/pacts/{pact.id}").get_data(as_text=True)
    assert (
        "<code>full_name</code>: erased" in page
        and "Giulia Neri" not in page.split("Signatures")[0]
    )
