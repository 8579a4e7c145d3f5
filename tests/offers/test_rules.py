"""What the offers and needs refuse: posting for a group one is not in, moderating without
being an officer, reading the contact details of answers one did not receive, answering
twice; two officers moderating at once; bad input kept as typed; the list's pages."""

from __future__ import annotations

import re
from datetime import timedelta

from commons.db import utcnow
from commons.extensions import db
from commons.offers import operations
from commons.offers.models import HelpResponse, Post
from tests.conftest import csrf_token, post_form
from tests.offers.conftest import NEED, logged_in, post_need
from tests.races import at_once, one_winner, postgresql_only


def _pending(people, **changes) -> Post:
    values = {**NEED, **changes}
    post = operations.post(
        author=people.member, group=people.group, commons=people.garden, **values
    )
    db.session.commit()
    return post


def _published(people, **changes) -> Post:
    post = _pending(people, **changes)
    operations.publish(post, actor=people.officer)
    db.session.commit()
    return post


def test_someone_outside_the_group_cannot_post_for_it(app, people):
    outsider = logged_in(app, people.outsider)
    refused = post_need(outsider, people.garden.id, people.group.id)
    assert refused.status_code == 403
    assert db.session.query(Post).count() == 0
    # Not offered either: the form lists only the groups one belongs to.
    form = outsider.get(f"/offers/new?commons={people.garden.id}").get_data(as_text=True)
    assert "Amici del parco" not in form and "Create your group first" in form


def test_only_officers_moderate(app, people):
    post = _pending(people)
    for person in (people.member, people.rep, people.helper):
        client = logged_in(app, person)
        token = csrf_token(client, "/offers/")
        assert (
            client.post(f"/offers/{post.id}/publish", data={"csrf_token": token}).status_code == 403
        )
        rejected = client.post(
            f"/offers/{post.id}/reject", data={"csrf_token": token, "reject-reason": "No."}
        )
        assert rejected.status_code == 403
        assert client.get("/offers/moderation").status_code == 403
    assert "Publish" not in logged_in(app, people.member).get(f"/offers/{post.id}").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Post, post.id).status == "pending"


def test_contact_details_only_reach_the_poster(app, people):
    post = _published(people)
    operations.respond(post, user=people.helper, message="I have a van.", phone="+39 051 123456")
    db.session.commit()
    for person in (people.rep, people.officer, people.outsider):  # not the poster
        page = logged_in(app, person).get(f"/offers/{post.id}").get_data(as_text=True)
        assert "carla@example.org" not in page and "I have a van." not in page
        assert "+39 051 123456" not in page
    poster = logged_in(app, people.member).get(f"/offers/{post.id}").get_data(as_text=True)
    assert "carla@example.org" in poster and "I have a van." in poster
    assert "+39 051 123456" in poster


def test_one_answer_a_person_a_post_and_never_to_ones_own(app, people):
    post = _published(people)
    helper = logged_in(app, people.helper)
    url = f"/offers/{post.id}/help"
    first = post_form(helper, url, {"help-message": "Me!"}, token_from=f"/offers/{post.id}")
    assert first.status_code == 302
    token = csrf_token(helper, "/offers/")  # the form is not shown any more
    again = helper.post(url, data={"csrf_token": token, "help-message": "Me again!"})
    assert again.status_code == 409
    assert "You already said you can help with this post, on" in again.get_data(as_text=True)
    assert db.session.query(HelpResponse).count() == 1
    own = logged_in(app, people.member)
    token = csrf_token(own, "/offers/")
    assert own.post(url, data={"csrf_token": token, "help-message": "x"}).status_code == 403


def test_two_officers_moderating_one_after_the_other_the_second_is_told(app, people):
    post = _pending(people)
    first, second = logged_in(app, people.officer), logged_in(app, people.second_officer)
    page = f"/offers/{post.id}"
    tokens = csrf_token(first, page), csrf_token(second, page)  # both have the page open
    assert first.post(f"{page}/publish", data={"csrf_token": tokens[0]}).status_code == 302
    late = second.post(f"{page}/reject", data={"csrf_token": tokens[1], "reject-reason": "Spam."})
    assert late.status_code == 409
    text = late.get_data(as_text=True)
    assert "This post was already moderated: Olga Officer published it on" in text
    assert "Spam." in text  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Post, post.id).status == "published"


def test_two_officers_moderating_at_once_one_wins(app, people):
    postgresql_only()
    post = _pending(people)
    page = f"/offers/{post.id}"
    first, second = logged_in(app, people.officer), logged_in(app, people.second_officer)
    sessions = [(first, csrf_token(first, page)), (second, csrf_token(second, page))]

    def moderate(client, n):
        browser, token = sessions[n]
        client._cookies.update(browser._cookies)
        if n == 0:
            return client.post(f"{page}/publish", data={"csrf_token": token})
        return client.post(f"{page}/reject", data={"csrf_token": token, "reject-reason": "No."})

    answers = at_once(app, 2, moderate)
    one_winner(answers, 302)
    (loser,) = [body for status, body in answers if status == 409]
    assert "This post was already moderated" in loser
    db.session.expire_all()
    assert db.session.get(Post, post.id).status in ("published", "rejected")
    from sqlalchemy import func, select

    from commons.audit.models import AuditEvent

    decided = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.trigger.in_(["offer_published", "offer_rejected"]))
    )
    assert decided == 1


def test_bad_input_is_explained_and_kept(app, people):
    member = logged_in(app, people.member)
    sent = post_need(member, people.garden.id, people.group.id, title="", category="")
    assert sent.status_code == 422
    page = sent.get_data(as_text=True)
    assert "Give it a short title." in page and "Choose what it is about." in page
    assert NEED["description"] in page and NEED["timing"] in page  # kept as typed
    long = post_need(member, people.garden.id, people.group.id, quantity="x" * 101)
    assert long.status_code == 422 and "at most 100 are accepted" in long.get_data(as_text=True)
    assert db.session.query(Post).count() == 0

    post = _published(people)
    helper = logged_in(app, people.helper)
    url = f"/offers/{post.id}/help"
    data = {"help-message": "I can lend a ladder.", "help-phone": "12"}
    wrong = post_form(helper, url, data, token_from=f"/offers/{post.id}")
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert "This is not a phone number we can read" in text
    assert "I can lend a ladder." in text and 'value="12"' in text
    assert db.session.query(HelpResponse).count() == 0

    officer = logged_in(app, people.officer)
    pending = _pending(people, title="Another")
    empty = post_form(
        officer, f"/offers/{pending.id}/reject", {}, token_from=f"/offers/{pending.id}"
    )
    assert empty.status_code == 422
    assert "Say why the post is not published" in empty.get_data(as_text=True)


def test_a_rejected_post_tells_its_author_why_and_stays_private(app, people):
    post = _pending(people)
    officer = logged_in(app, people.officer)
    data = {"reject-reason": "Ask the parks office directly."}
    assert (
        post_form(officer, f"/offers/{post.id}/reject", data, token_from="/offers/").status_code
        == 302
    )
    member = logged_in(app, people.member)
    assert "Ask the parks office directly." in member.get("/notifications/").get_data(as_text=True)
    assert "Ask the parks office directly." in member.get(f"/offers/{post.id}").get_data(
        as_text=True
    )
    assert app.test_client().get(f"/offers/{post.id}").status_code == 403


def test_a_pending_post_can_be_withdrawn_but_not_fulfilled(app, people):
    post = _pending(people)
    member = logged_in(app, people.member)
    url, page = f"/offers/{post.id}/close", f"/offers/{post.id}"
    refused = post_form(member, url, {"close-closed_as": "fulfilled"}, token_from=page)
    assert refused.status_code == 422
    assert "cannot be fulfilled: withdraw it instead" in refused.get_data(as_text=True)
    assert (
        post_form(member, url, {"close-closed_as": "withdrawn"}, token_from=page).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Post, post.id).closed_as == "withdrawn"
    # Withdrawn before anyone published it: still not public, and no longer in the queue.
    assert app.test_client().get(page).status_code == 403
    assert "Six volunteers" not in logged_in(app, people.officer).get(
        "/offers/moderation"
    ).get_data(as_text=True)
    # Someone else may not close another's post.
    other = _published(people, title="Other")
    helper = logged_in(app, people.helper)
    token = csrf_token(helper, "/offers/")
    closing = helper.post(
        f"/offers/{other.id}/close", data={"csrf_token": token, "close-closed_as": "withdrawn"}
    )
    assert closing.status_code == 403


def test_pacts_not_in_force_take_no_posts(app, people):
    from tests.workflows.scenario import Cast, proposal_in

    cast = Cast()
    draft_stage = proposal_in("co_design", cast)
    client = logged_in(app, cast.representative)
    assert client.get(f"/offers/new?pact={draft_stage.id}").status_code == 404


def test_the_public_list_pages_by_publication_newest_first(app, people):
    start = utcnow() - timedelta(days=30)
    for n in range(45):
        post = operations.post(
            author=people.member,
            group=people.group,
            commons=people.garden,
            **{**NEED, "title": f"Need number {n:02d}"},
        )
        operations.publish(post, actor=people.officer, now=start + timedelta(hours=n // 2))
    db.session.commit()
    visitor = app.test_client()
    seen, url = [], "/offers/"
    while url:
        page = visitor.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r"Need number (\d\d)", page)]
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert len(seen) == 45 and len(set(seen)) == 45
    assert seen == sorted(seen, reverse=True)  # newest first, ties by id
    filtered = visitor.get("/offers/?kind=offer").get_data(as_text=True)
    assert "No offer or need matches these filters." in filtered


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(app, people, count_queries):
    for n in range(12):
        _published(people, title=f"Need {n}")
    visitor = app.test_client()
    visitor.get("/offers/")
    with count_queries() as queries:
        assert visitor.get("/offers/").status_code == 200
    few = queries.count
    for n in range(12, 24):
        _published(people, title=f"Need {n}")
    with count_queries() as queries:
        visitor.get("/offers/")
    assert queries.count == few, queries


def test_erasing_a_helper_erases_their_answer_and_the_poster_reads_so(app, people):
    from commons.privacy import erasure
    from commons.privacy import operations as privacy_ops
    from tests.factories import PASSWORD

    post = _published(people)
    operations.respond(post, user=people.helper, message="Call me at home.", phone="051 123456")
    request = privacy_ops.request_erasure(people.helper, password=PASSWORD)
    db.session.commit()
    report = erasure.erase(request, actor=people.officer)
    db.session.commit()
    assert "1 answer(s) they gave to offers and needs" in report
    page = logged_in(app, people.member).get(f"/offers/{post.id}").get_data(as_text=True)
    assert "Call me at home." not in page and "051 123456" not in page
    assert "carla@example.org" not in page and "Erased person" in page


def test_the_poster_lists_their_posts_with_the_answers_count(app, people):
    post = _published(people)
    operations.respond(post, user=people.helper, message="Yes.")
    operations.post(
        author=people.rep, group=people.group, commons=people.garden, **{**NEED, "title": "Rep's"}
    )
    db.session.commit()
    mine = logged_in(app, people.member).get("/offers/mine").get_data(as_text=True)
    assert NEED["title"] in mine and "answers: 1" in mine
    assert "Rep&#39;s" in mine  # posted for the same group by its representative
    assert "Waiting for moderation" in mine
    outsider = logged_in(app, people.outsider).get("/offers/mine").get_data(as_text=True)
    assert "You have posted nothing yet." in outsider


def test_closing_twice_says_it_is_closed_already(app, people):
    post = _published(people)
    member, officer = logged_in(app, people.member), logged_in(app, people.officer)
    page, url = f"/offers/{post.id}", f"/offers/{post.id}/close"
    tokens = csrf_token(member, page), csrf_token(officer, page)  # both have the page open
    data = {"close-closed_as": "fulfilled"}
    assert member.post(url, data={**data, "csrf_token": tokens[0]}).status_code == 302
    late = officer.post(url, data={"close-closed_as": "withdrawn", "csrf_token": tokens[1]})
    assert late.status_code == 409
    assert "This post is closed already." in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, post.id).closed_as == "fulfilled"
