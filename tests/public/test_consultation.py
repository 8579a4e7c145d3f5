"""Public consultation: the list under notice, comments, requests to join, moderation, feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.auth.models import Role
from commons.consultation.models import Comment, JoinRequest
from commons.extensions import db
from tests.conftest import login, post_form
from tests.workflows.scenario import Cast, approve_and_sign, proposal_in

ATOM = "{http://www.w3.org/2005/Atom}"


def _logout(client) -> None:
    assert post_form(client, "/logout", {}, token_from="/").status_code == 302


def _under_notice(cast: Cast, days_left: int = 10, **changes):
    p = proposal_in("public_notice", cast)
    p.notice_ends_at = datetime.now(UTC) + timedelta(days=days_left)
    for name, value in changes.items():
        setattr(p, name, value)
    db.session.commit()
    return p


def test_the_consultation_lists_proposals_under_notice_with_their_closing_date(client, make):
    cast = Cast()
    later = _under_notice(cast, 20, title="Orto di via Libia")
    sooner = _under_notice(cast, 3, title="Aiuola di piazza Verdi")
    other = proposal_in("co_design", cast)
    page = client.get("/consultation").get_data(as_text=True)
    assert page.index("Aiuola di piazza Verdi") < page.index("Orto di via Libia")
    assert sooner.notice_ends_at.date().isoformat() in page
    assert later.notice_ends_at.date().isoformat() in page
    assert other.title not in page
    assert "/feeds/notice.atom" in page and "/feeds/pacts.atom" in page
    assert "Public consultation" in client.get("/").get_data(as_text=True)


def test_the_consultation_says_so_when_nothing_is_under_notice(client):
    assert "No proposal is under public notice now." in client.get("/consultation").get_data(
        as_text=True
    )


def test_a_citizen_comments_and_the_comment_is_public(client, make):
    cast = Cast()
    p = _under_notice(cast)
    citizen = make.user(Role.CITIZEN, email="carla@example.org", name="Carla Cittadina")
    assert "Log in" in client.get(f"/pacts/{p.id}").get_data(as_text=True)
    login(client, citizen.email)

    response = post_form(
        client,
        f"/pacts/{p.id}/comments",
        {"body": "  Good idea, but keep the benches.  "},
        token_from=f"/pacts/{p.id}",
    )

    assert response.status_code == 302
    comment = db.session.scalar(select(Comment))
    assert comment.body == "Good idea, but keep the benches." and comment.author_id == citizen.id
    _logout(client)
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "Good idea, but keep the benches." in page and "Carla Cittadina" in page
    assert ">1</td>" in client.get("/consultation").get_data(as_text=True)


def test_an_empty_comment_is_refused_with_a_message_and_a_long_one_keeps_its_text(client, make):
    cast = Cast()
    p = _under_notice(cast)
    citizen = make.user(Role.CITIZEN)
    login(client, citizen.email)
    response = post_form(
        client, f"/pacts/{p.id}/comments", {"body": "   "}, token_from=f"/pacts/{p.id}"
    )
    assert response.status_code == 422
    assert "Write your comment." in response.get_data(as_text=True)
    long_text = "x" * 4001
    response = post_form(
        client, f"/pacts/{p.id}/comments", {"body": long_text}, token_from=f"/pacts/{p.id}"
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "at most 4,000 are accepted here" in body and long_text in body
    assert db.session.scalar(select(Comment)) is None


def test_nobody_comments_anonymously_or_outside_the_notice(client, make):
    cast = Cast()
    p = _under_notice(cast)
    response = post_form(client, f"/pacts/{p.id}/comments", {"body": "hello"}, token_from="/login")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    closed = proposal_in("co_design", cast)
    ended = _under_notice(cast, days_left=-1)
    citizen = make.user(Role.CITIZEN)
    login(client, citizen.email)
    response = post_form(
        client, f"/pacts/{closed.id}/comments", {"body": "late"}, token_from=f"/pacts/{p.id}"
    )
    assert response.status_code == 403
    response = post_form(
        client, f"/pacts/{ended.id}/comments", {"body": "late"}, token_from=f"/pacts/{p.id}"
    )
    assert response.status_code == 422
    assert "The public notice of this proposal has ended." in response.get_data(as_text=True)
    assert "The public notice has ended: no more comments." in client.get(
        f"/pacts/{ended.id}"
    ).get_data(as_text=True)
    assert db.session.scalar(select(Comment)) is None


def test_a_citizen_asks_to_join_once_and_a_proponent_cannot(client, make):
    cast = Cast()
    p = _under_notice(cast)
    citizen = make.user(Role.CITIZEN)
    login(client, citizen.email)
    url = f"/pacts/{p.id}/join"
    response = post_form(
        client, url, {"message": "I can water the plants."}, token_from=f"/pacts/{p.id}"
    )
    assert response.status_code == 302
    join = db.session.scalar(select(JoinRequest))
    assert (join.user_id, join.message) == (citizen.id, "I can water the plants.")
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "You asked to join the proposing group on" in page
    response = post_form(client, url, {"message": "again"}, token_from=f"/pacts/{p.id}")
    assert response.status_code == 409
    assert "You have already asked to join this group." in response.get_data(as_text=True)
    # The request is not public: another visitor does not see it.
    _logout(client)
    assert "I can water the plants." not in client.get(f"/pacts/{p.id}").get_data(as_text=True)
    login(client, cast.member.email)
    assert "Ask to join the proposing group" not in client.get(f"/pacts/{p.id}").get_data(
        as_text=True
    )
    response = post_form(client, url, {"message": ""}, token_from=f"/pacts/{p.id}")
    assert response.status_code == 403
    assert len(db.session.scalars(select(JoinRequest)).all()) == 1


def test_an_officer_hides_a_comment_with_a_reason_recorded_in_the_history(client, make):
    cast = Cast()
    p = _under_notice(cast)
    db.session.add(Comment(proposal_id=p.id, author_id=cast.member.id, body="RUDE-WORDS here"))
    db.session.add(Comment(proposal_id=p.id, author_id=cast.member.id, body="A fair point."))
    db.session.commit()
    rude = db.session.scalar(select(Comment).where(Comment.body.startswith("RUDE")))

    citizen = make.user(Role.CITIZEN)
    login(client, citizen.email)
    assert "Hide this comment" not in client.get(f"/pacts/{p.id}").get_data(as_text=True)
    response = post_form(
        client,
        f"/pacts/{p.id}/comments/{rude.id}/hide",
        {"reason": "insults"},
        token_from=f"/pacts/{p.id}",
    )
    assert response.status_code == 403
    _logout(client)

    login(client, cast.officer.email)
    hide_url = f"/pacts/{p.id}/comments/{rude.id}/hide"
    response = post_form(client, hide_url, {"reason": ""}, token_from=f"/pacts/{p.id}")
    assert response.status_code == 422
    assert "Say why the comment is hidden." in response.get_data(as_text=True)
    response = post_form(
        client, hide_url, {"reason": "Insults another citizen."}, token_from=f"/pacts/{p.id}"
    )
    assert response.status_code == 302

    db.session.expire_all()
    rude = db.session.get(Comment, rude.id)
    assert rude.hidden_at is not None and rude.hidden_by_id == cast.officer.id
    assert rude.hidden_reason == "Insults another citizen."
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.trigger == "comment_hidden"))
    assert event.proposal_id == p.id and event.actor_id == cast.officer.id
    assert event.payload == {"comment_id": rude.id, "reason": "Insults another citizen."}
    assert event.from_state is None and event.to_state is None  # not a lifecycle step
    assert event.public is False
    assert verify_chain().ok
    assert db.session.get(type(p), p.id).status == "public_notice"
    # Hidden publicly; the other comment stays.
    _logout(client)
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "RUDE-WORDS" not in page and "A fair point." in page
    assert "Insults another citizen." not in page
    # Twice is refused plainly.
    login(client, cast.officer.email)
    response = post_form(client, hide_url, {"reason": "again"}, token_from=f"/pacts/{p.id}")
    assert response.status_code == 409


def _feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.get_data())  # noqa: S314 - our own feed, in a test
    # Atom 1.0 (RFC 4287): a feed has an id, a title, updated and an author (or each entry has)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith(url)
    for entry in root.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
        datetime.strptime(entry.find(f"{ATOM}updated").text, "%Y-%m-%dT%H:%M:%SZ")
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
    return root


def test_atom_feed_of_proposals_under_notice(client, make):
    cast = Cast()
    p = _under_notice(cast, title="Orto <condiviso> & co")
    proposal_in("co_design", cast)
    root = _feed(client, "/feeds/notice.atom")
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Orto <condiviso> & co"]
    assert entries[0].find(f"{ATOM}id").text == f"http://localhost/pacts/{p.id}"
    # The summary is read by people: the last day in the reader's language, no UTC time.
    last_day = p.notice_ends_at.astimezone(ZoneInfo("Europe/Rome")).date()
    summary = entries[0].find(f"{ATOM}summary").text
    assert summary == f"Under public notice until {last_day.day} {last_day:%B %Y}."


def test_atom_feed_of_new_pacts(client, make):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)
    proposal_in("active", cast)  # set up without a history: no "came into force" event
    root = _feed(client, "/feeds/pacts.atom")
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [f"http://localhost/pacts/{p.id}"]
    assert entries[0].find(f"{ATOM}updated").text.startswith("2026-06-03")
    assert root.find(f"{ATOM}updated").text == entries[0].find(f"{ATOM}updated").text


def test_an_empty_feed_is_still_valid(client):
    root = _feed(client, "/feeds/pacts.atom")
    assert root.findall(f"{ATOM}entry") == []
