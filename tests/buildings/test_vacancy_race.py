"""Two officers moderating one vacancy report at the same moment (one lists it, the other
declines it): one decision lands, the other is told the report was already moderated and
nothing is listed twice. Real parallel connections: the PostgreSQL pass."""

from __future__ import annotations

from sqlalchemy import func, select

from commons.audit.models import AuditEvent
from commons.auth.models import Role
from commons.extensions import db
from commons.registry.models import Commons, VacancyReport
from commons.registry.operations import report_vacancy
from tests import factories
from tests.conftest import csrf_token, login
from tests.races import at_once, one_winner, postgresql_only


def test_two_officers_moderating_a_report_at_once_one_wins(app):
    postgresql_only()
    report = report_vacancy(
        reporter=factories.user(),
        description="A closed shop with boarded windows.",
        address="Via Libia 40",
        place_kind="building",
    )
    db.session.commit()
    page = f"/commons/vacancy-reports/{report.id}"
    sessions = []
    for name in ("Olga Officer", "Otto Officer"):
        browser = app.test_client()
        login(browser, factories.user(Role.OFFICER, name=name).email)
        sessions.append((browser, csrf_token(browser, page)))

    def moderate(client, n):
        browser, token = sessions[n]
        client._cookies.update(browser._cookies)
        if n == 0:
            return client.post(f"{page}/list", data={"csrf_token": token, "list-name": "Ex Libia"})
        return client.post(
            f"{page}/decline", data={"csrf_token": token, "decline-reason": "Already let."}
        )

    answers = at_once(app, 2, moderate)
    one_winner(answers, 302)
    (loser,) = [body for status, body in answers if status == 409]
    assert "This report was already moderated" in loser
    db.session.expire_all()
    status = db.session.get(VacancyReport, report.id).status
    listed = db.session.scalar(select(func.count()).select_from(Commons))
    assert (status, listed) in (("listed", 1), ("declined", 0))
    decided = select(func.count()).where(
        AuditEvent.trigger.in_(("vacancy_listed", "vacancy_declined"))
    )
    assert db.session.scalar(decided) == 1
