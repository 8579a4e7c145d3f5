"""The pact prose, word for word: every case below must give the text recorded in
tests/data/clauses_golden.json.

The file was recorded from the Python clause writers before the prose moved to templates
(templates/pacts/clauses/<lang>/); a change of wording shows here as a diff. After a wanted
change of wording, record again with ``COMMONS_RECORD_CLAUSES=1`` and review the diff of the
JSON file like any other change of text.
"""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from commons import demo
from commons.auth.operations import add_member
from commons.documents import clauses
from commons.documents.terms import CoveredCommons, Terms
from commons.extensions import db
from tests import factories
from tests.documents.test_clauses import SETTINGS, full_proposal

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "clauses_golden.json"
RECORD = os.environ.get("COMMONS_RECORD_CLAUSES") == "1"

# Settings whose phrases carry their own article or kind, as an Italian city writes them.
ITALIAN_SETTINGS = {
    "city_name": "Comune di Testville",
    "city_office": "Ufficio Beni comuni",
    "city_address": "Piazza Maggiore 6, Testville",
    "city_tax_code": "01232710374",
    "signatory": "Il Dirigente del Settore Beni comuni",
    "signatory_title": "The Director of the Commons Office",
    "signatory_power": "art. 107 del D.Lgs. 267/2000",
    "regulation": "The Regulation on urban commons",
    "regulation_it": "il Regolamento sui beni comuni urbani",
    "regulation_article": "art. 5",
}
TITLE_ONLY_SETTINGS = {
    "city_name": "City of Elsewhere",
    "city_office": "Settore Verde pubblico",
    "signatory_title": "The Director",
}
OTHER_SETTINGS = {
    "city_name": "The Town of Nowhere",
    "city_office": "Direzione Partecipazione",
    "signatory": "The Mayor",
    "timezone": "UTC",
}


def _bare():
    proposal = factories.proposal(
        factories.group(factories.user(name="Bruno Bare"), name="Bare group"),
        requested_duration_months=None,
        commons=[factories.commons(name="Bare garden", kind="other")],
    )
    proposal.title = ""
    proposal.commons[0].address = ""
    proposal.group.members.clear()
    proposal.commons[0].latitude = proposal.commons[0].longitude = None
    db.session.commit()
    return proposal


def _individual():
    person = factories.user(name="Carla Verdi")
    group = factories.group(person, name="Carla Verdi", kind="individual", address="Via X 1")
    proposal = factories.proposal(
        group,
        title="Flowers in Via X",
        commons=[factories.commons(name="Aiuola Via X", kind="green_area", address="Via X")],
        support_requested=["materials", "training", "fee_exemption"],
        start_date=date(2026, 9, 1),
        requested_duration_months=1,
    )
    proposal.support_requested = [*proposal.support_requested, "a_new_form"]
    db.session.commit()
    return proposal


def _dated():
    proposal = full_proposal(pact_type="ordinary")
    proposal.start_date = date(2026, 9, 1)
    proposal.end_date = date(2027, 8, 31)
    proposal.support_requested = []
    proposal.support_notes = ""
    db.session.commit()
    return proposal


def _simplified():
    proposal = full_proposal()
    proposal.profile = "simplified"
    proposal.end_date = date(2027, 12, 31)
    proposal.requested_duration_months = None
    db.session.commit()
    return proposal


def _demo_proposals():
    """The demo's applications (commons.demo.PROPOSALS), made as the demo makes them."""
    names = {email: name for email, name, _roles, _pw in demo.USERS}
    users = {}

    def person(email):
        if email not in users:
            users[email] = factories.user(email=email, name=names[email])
        return users[email]

    places = {c[0]: c for c in demo.COMMONS}
    made_commons = {}
    groups = {g[0]: g for g in demo.GROUPS}
    made_groups = {}
    proposals = []
    for (
        group_name,
        title,
        pact_type,
        commons_names,
        objectives,
        activities,
        support,
        months,
    ) in demo.PROPOSALS:
        if group_name not in made_groups:
            name, kind, rep, tax_code, address, members = groups[group_name]
            group = factories.group(
                person(rep), name=name, kind=kind, tax_code=tax_code, address=address
            )
            for email in members:
                add_member(group, full_name=names[email], email=email, user=person(email))
            db.session.commit()
            made_groups[group_name] = group
        for n in commons_names:
            if n not in made_commons:
                name, kind, address, district, hood, lat, lon, cad, avail, desc = places[n]
                made_commons[n] = factories.commons(
                    name=name,
                    kind=kind,
                    address=address,
                    district=district,
                    neighbourhood=hood,
                    latitude=lat,
                    longitude=lon,
                    cadastral_reference=cad,
                    availability=avail,
                    description=desc,
                )
        start = date(2027, 1, 1)
        proposals.append(
            factories.proposal(
                made_groups[group_name],
                title=title,
                commons=[made_commons[n] for n in commons_names],
                pact_type=pact_type,
                objectives=objectives,
                activities=activities,
                support_requested=support,
                requested_duration_months=months,
                start_date=start,
                end_date=date(start.year + months // 12, start.month, 1),
            )
        )
    return proposals


def _without_ids(content: dict) -> dict:
    """Database ids depend on the backend's sequences, not on the text: left out."""
    data = json.loads(json.dumps(content))
    for c in (data.get("terms") or {}).get("commons", []):
        c["id"] = None
    for party in ((data.get("terms") or {}).get("parties") or {}).values():
        if party:
            party["id"] = None
    return data


def _term_variants(proposal, content: dict, lang: str, settings: dict) -> dict:
    """The generated articles written again from edited terms, and for a legacy text."""
    base = Terms.from_dict(content["terms"])
    first = base.commons[0] if base.commons else CoveredCommons(None, "Somewhere")
    variants = {
        "edited": Terms(
            start_date=date(2026, 10, 1),
            end_date=date(2028, 9, 30),
            duration_months=None,
            commons=(CoveredCommons(first.id, first.name, "the north lawn only"),),
            group=base.group,
            representative=base.representative,
            support=("insurance", "materials"),
            support_notes="Gloves and bags.\n\nOne shed.",
            support_amount=Decimal("1234567.5"),
            report_interval_months=1,
        ),
        "amount_only": Terms(
            start_date=date(2026, 10, 1),
            duration_months=18,
            commons=base.commons,
            support=(),
            support_amount=Decimal("250"),
            report_interval_months=3,
        ),
        "nothing": Terms(),
    }
    out = {}
    for name, terms in variants.items():
        edited = {**content, "terms": terms.to_dict()}
        out[name] = _without_ids(clauses.apply_terms(edited, proposal, settings, lang))
    # A text saved before generated articles were marked: matched by title.
    legacy = {
        **content,
        "sections": [
            {
                **s,
                "articles": [
                    {"title": a["title"], "text": a["text"]}
                    for a in s["articles"]
                    if a.get("generated") not in ("costs", "insurance")
                ],
            }
            for s in content["sections"]
        ],
        "terms": variants["edited"].to_dict(),
    }
    out["legacy"] = _without_ids(clauses.apply_terms(legacy, proposal, settings, lang))
    return out


CASES = {
    "full_complex": (lambda: full_proposal(), [SETTINGS, {}, ITALIAN_SETTINGS]),
    "full_ordinary": (lambda: full_proposal(pact_type="ordinary"), [SETTINGS, OTHER_SETTINGS]),
    "bare": (_bare, [{}, TITLE_ONLY_SETTINGS]),
    "individual": (_individual, [SETTINGS, ITALIAN_SETTINGS]),
    "dated": (_dated, [OTHER_SETTINGS]),
    "simplified": (_simplified, [SETTINGS]),
}


def _generate(case: str) -> dict:
    make, settings_list = CASES[case]
    proposal = make()
    out = {}
    for i, settings in enumerate(settings_list):
        for lang in clauses.LANGUAGES:
            content = clauses.default_content(proposal, settings, lang)
            out[f"{i}/{lang}"] = {
                "default": _without_ids(content),
                "terms": _term_variants(proposal, content, lang, settings),
            }
    return out


def _generate_demo(app) -> dict:
    settings = clauses.settings_from_config(app.config)
    out = {}
    for proposal in _demo_proposals():
        for lang in clauses.LANGUAGES:
            content = clauses.default_content(proposal, settings, lang)
            out[f"{proposal.title}/{lang}"] = _without_ids(content)
    return out


def _check(key: str, found: dict) -> None:
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    if RECORD:
        recorded[key] = found
        GOLDEN.write_text(
            json.dumps(recorded, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    assert key in recorded, f"no recorded text for {key}: record with COMMONS_RECORD_CLAUSES=1"
    expected = recorded[key]
    assert sorted(found) == sorted(expected)
    for variant in expected:
        assert found[variant] == expected[variant], variant


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_prose_is_the_recorded_text(app, case):
    _check(case, _generate(case))


def test_the_demo_applications_give_the_recorded_text(app):
    found = _generate_demo(app)
    assert len(found) == 2 * len(demo.PROPOSALS)
    _check("demo", found)


def test_the_recording_covers_both_languages_and_every_generated_article():
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    seen_generated = set()
    seen_languages = set()
    for case in CASES:
        for variant, texts in recorded[case].items():
            seen_languages.add(variant.split("/")[1])
            for content in [texts["default"], *texts["terms"].values()]:
                for section in content["sections"]:
                    seen_generated.update(
                        a["generated"] for a in section["articles"] if a.get("generated")
                    )
    assert seen_languages == set(clauses.LANGUAGES)
    assert seen_generated == {g.name for g in clauses.GENERATED}
