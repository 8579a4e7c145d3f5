"""Many saves of the pact text from the same version at once: one new version, the rest 409.

Real parallel connections (the PostgreSQL pass): the editor's form and the API, each sent
2 and 20 times at the same moment from version 2, with different texts.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from commons.audit.operations import verify_chain
from commons.documents.models import PactVersion
from commons.extensions import db
from tests.api.helpers import auth, token_for
from tests.conftest import csrf_token, login
from tests.documents.test_codesign_merge import _editable, _versions
from tests.documents.test_versions import _form_from_page
from tests.workflows.scenario import Cast, proposal_in


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")


def _at_once(times: int, send) -> list:
    """Call ``send(i)`` from ``times`` threads released together; their answers."""
    barrier = threading.Barrier(times)
    statuses: list = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        status = send(i)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def _at_version_2(cast):
    p = proposal_in("co_design", cast)  # has version 1
    from commons.documents.operations import save_version

    v1 = _versions(p.id)[0]
    content = {**v1.content, "sections": [dict(s) for s in v1.content["sections"]]}
    content["sections"][0] = {**content["sections"][0], "title": "Version two"}
    save_version(p, author=cast.officer, content=content, base_version=1)
    db.session.commit()
    return p.id


@pytest.mark.parametrize("times", [2, 20])
def test_simultaneous_editor_saves_from_one_version_give_one_new_version(app, times):
    _postgresql_only()
    cast = Cast()
    pid = _at_version_2(cast)
    v2 = _versions(pid)[1]
    si, ai, _key = _editable(v2.content)[0]
    client = app.test_client()
    login(client, cast.officer.email)
    url = f"/proposals/{pid}/pact/edit"
    token = csrf_token(client, url)

    def send(i: int) -> int:
        browser = app.test_client()
        browser._cookies.update(client._cookies)  # the same logged-in browser session
        form = _form_from_page(v2, **{f"s{si}-a{ai}-text": f"Text number {i}."})
        response = browser.post(url, data={**form, "csrf_token": token})
        merged = "Version 3 was saved while you were editing" in response.get_data(as_text=True)
        return response.status_code, merged

    answers = _at_once(times, send)
    # One saved; every other one sees the merge with version 3, not a generic error page.
    assert sorted(answers) == [(302, False)] + [(409, True)] * (times - 1), answers
    versions = _versions(pid)
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].content["sections"][si]["articles"][ai]["text"].startswith("Text number")
    assert verify_chain().ok


@pytest.mark.parametrize("times", [2, 20])
def test_simultaneous_api_saves_from_one_version_give_one_new_version(app, times):
    _postgresql_only()
    cast = Cast()
    pid = _at_version_2(cast)
    v2 = _versions(pid)[1].content
    headers = auth(token_for(cast.representative))
    path = f"/api/v1/proposals/{pid}/pact-versions"

    def send(i: int) -> int:
        content = {**v2, "sections": [dict(s) for s in v2["sections"]]}
        content["sections"][0] = {**content["sections"][0], "title": f"Title {i}"}
        body = {"base_version": 2, "content": content}
        response = app.test_client().post(path, json=body, headers=headers)
        return response.status_code, (response.get_json() or {}).get("latest_version")

    answers = _at_once(times, send)
    assert sorted(answers) == [(201, None)] + [(409, 3)] * (times - 1), answers
    numbers = db.session.scalars(
        select(PactVersion.number).where(PactVersion.proposal_id == pid)
    ).all()
    assert sorted(numbers) == [1, 2, 3]
    assert verify_chain().ok
