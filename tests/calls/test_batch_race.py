"""Two chairs' tabs recording the same batch's act, or ranking it, at the same instant: one
does it, the other is told it is done already; nobody sees a server error. Real parallel
connections: the PostgreSQL pass."""

from __future__ import annotations

from sqlalchemy import func, select

from commons.audit.models import AuditEvent
from commons.calls import evaluation
from commons.calls.models import CallBatch
from commons.extensions import db
from commons.formatting import city_day
from tests.calls.conftest import NOW, RANKED
from tests.conftest import csrf_token, login
from tests.races import at_once, one_winner, postgresql_only

TABS = 4


def _events(trigger: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.trigger == trigger))


def test_two_chairs_recording_a_batchs_act_at_once_give_one_act(app, panel, first_batch_scored):
    postgresql_only()
    chair = panel[0]
    call, strong, weak, later = first_batch_scored
    batch = call.batches[0]
    evaluation.rank_batch(batch, chair=chair, now=RANKED)
    db.session.commit()
    call_id, batch_id = call.id, batch.id
    browser = app.test_client()
    login(browser, chair.email)
    token = csrf_token(browser, f"/calls/{call_id}/panel")
    day = city_day(NOW).isoformat()

    def record(client, n):
        data = {
            f"act{batch_id}-act_number": f"DG {n}/2026",
            f"act{batch_id}-act_date": day,
            "csrf_token": token,
        }
        return client.post(f"/calls/{call_id}/batches/{batch_id}/act", data=data)

    answers = at_once(app, TABS, record, cookies_from=browser)
    one_winner(answers, 302)
    assert all("was recorded already" in body for status, body in answers if status == 409)
    db.session.expire_all()
    stored = db.session.get(CallBatch, batch_id)
    assert stored.act_number.startswith("DG ")
    assert _events("call_batch_act_recorded") == 1
    assert _events("admit_by_call") == 1 and _events("refuse_by_call") == 1


def test_two_chairs_ranking_a_batch_at_once_rank_it_once(app, panel, first_batch_scored):
    postgresql_only()
    chair = panel[0]
    call, strong, weak, later = first_batch_scored
    call_id, batch_id = call.id, call.batches[0].id
    browser = app.test_client()
    login(browser, chair.email)
    token = csrf_token(browser, f"/calls/{call_id}/panel")

    def rank(client, n):
        url = f"/calls/{call_id}/batches/{batch_id}/rank"
        return client.post(url, data={"csrf_token": token})

    answers = at_once(app, TABS, rank, cookies_from=browser)
    assert sorted(status for status, _body in answers) == [302] * TABS
    assert _events("call_batch_ranked") == 1
    page = browser.get(f"/calls/{call_id}/panel").get_data(as_text=True)
    assert "Record the act of First round" in page
