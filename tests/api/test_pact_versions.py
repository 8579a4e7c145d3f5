"""Saving the pact text over the API: the text says which version it was written from."""

from __future__ import annotations

from tests.api.helpers import Caller, token_for
from tests.workflows.scenario import Cast, proposal_in


def _with_text(content: dict, key: str, text: str) -> dict:
    """The content with the first typed article of section ``key`` replaced by ``text``."""
    sections = []
    for section in content["sections"]:
        articles = [dict(a) for a in section["articles"]]
        if section["key"] == key:
            at = next(i for i, a in enumerate(articles) if not a.get("generated"))
            articles[at]["text"] = text
        sections.append({**section, "articles": articles})
    return {**content, "sections": sections}


def _typed_sections(content: dict) -> list[str]:
    return [
        s["key"] for s in content["sections"] if any(not a.get("generated") for a in s["articles"])
    ]


def test_a_save_from_a_stale_version_is_a_409_naming_the_latest(client):
    cast = Cast()
    p = proposal_in("co_design", cast)  # has version 1
    pid = p.id
    olga = Caller(client, token_for(cast.officer))
    rita = Caller(client, token_for(cast.representative))
    path = f"/proposals/{pid}/pact-versions"
    v1 = olga.get(f"{path}/1").get_json()["content"]
    first, second = _typed_sections(v1)[:2]
    v2 = olga.post(path, json={"base_version": 1, "content": _with_text(v1, first, "Version two.")})
    assert v2.status_code == 201, v2.get_json()
    start = olga.get(f"{path}/2").get_json()["content"]

    # Both start from version 2; the office saves first.
    theirs = _with_text(_with_text(start, first, "Office text."), second, "Office only.")
    assert olga.post(path, json={"base_version": 2, "content": theirs}).status_code == 201
    mine = _with_text(start, first, "Group text.")
    refused = rita.post(path, json={"base_version": 2, "content": mine, "comment": "Mine"})
    problem = refused.get_json()
    assert refused.status_code == 409, problem
    assert refused.mimetype == "application/problem+json"
    assert problem["type"] == "urn:commons:problem:version-conflict"
    assert (problem["base_version"], problem["latest_version"]) == (2, 3)
    assert "base_version 3" in problem["detail"]
    outcomes = {c["section"]: c["outcome"] for c in problem["changes"]["clauses"]}
    assert outcomes == {first: "conflict", second: "theirs"}
    assert problem["changes"]["terms"] == []

    # Nothing was saved; version 3 is the office's, as it was.
    listing = rita.get(path).get_json()
    assert [v["number"] for v in listing] == [3, 2, 1]
    latest = rita.get(f"{path}/3").get_json()["content"]
    assert _with_text(latest, first, "Office text.") == latest

    # Written again from version 3, it is saved as version 4.
    merged = _with_text(latest, first, "Group text.")
    saved = rita.post(path, json={"base_version": 3, "content": merged})
    assert saved.status_code == 201 and saved.get_json()["number"] == 4


def test_the_version_written_from_is_required(client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    olga = Caller(client, token_for(cast.officer))
    path = f"/proposals/{p.id}/pact-versions"
    missing = olga.post(path, json={"comment": "No base"})
    assert missing.status_code == 400
    assert "base_version" in missing.get_json()["errors"]
    unknown = olga.post(path, json={"comment": "Future", "base_version": 9})
    assert unknown.status_code == 400
    assert "base_version" in unknown.get_json()["errors"]
    assert [v["number"] for v in olga.get(path).get_json()] == [1]
