"""axe-core on the main pages of each role: no serious or critical violation."""

from __future__ import annotations

from tests.e2e.conftest import axe_violations, log_in, log_out
from tests.e2e.scenarios import make_case


def _check(page, url: str, problems: dict) -> None:
    page.goto(url)
    page.wait_for_load_state()
    found = axe_violations(page)
    if found:
        problems[url] = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in found
        ]


def test_main_pages_of_each_role_have_no_serious_violation(page, live):
    case = make_case(live, "co_design")
    problems: dict[str, list[str]] = {}
    base = live.url
    for path in (
        "/",
        "/register",
        "/login",
        "/open-data/",
        "/commons/",
        "/statistics",
        "/privacy",
        f"/pacts/{case.id}/verify",
    ):
        _check(page, base + path, problems)

    log_in(page, live, case.representative)
    for path in (
        "/account",
        "/account/privacy",
        "/notifications/",
        f"/proposals/{case.id}",
        "/proposals/mine",
    ):
        _check(page, base + path, problems)
    log_out(page)

    log_in(page, live, case.officer)
    for path in ("/office/", f"/proposals/{case.id}", f"/proposals/{case.id}/pact/edit"):
        _check(page, base + path, problems)
    log_out(page)

    log_in(page, live, case.auditor)
    _check(page, base + f"/audit/pacts/{case.id}", problems)
    page.set_viewport_size({"width": 360, "height": 780})  # its tables scroll on a phone
    _check(page, base + f"/audit/pacts/{case.id}", problems)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(page)

    log_in(page, live, case.admin)
    for path in ("/admin/users", "/admin/privacy", "/admin/erasure"):
        _check(page, base + path, problems)

    # On a phone, where wide tables scroll in their own box.
    page.set_viewport_size({"width": 360, "height": 780})
    for path in ("/admin/users", "/statistics", f"/proposals/{case.id}"):
        _check(page, base + path, problems)

    assert not problems, "\n".join(f"{url}: {p}" for url, ps in problems.items() for p in ps)


def test_axe_finds_a_missing_label(page, live):
    """The check can fail: a field without a label is reported."""
    page.goto(live.url + "/login")
    page.evaluate(
        """() => {
            const input = document.createElement("input");
            input.type = "text";
            document.querySelector("main").appendChild(input);
        }"""
    )
    assert any(v["id"] == "label" for v in axe_violations(page))
