"""The first draft of a pact's text: every section, real data, two languages, no gaps."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest

import workflows
from commons.auth.operations import add_member
from commons.documents import clauses
from commons.extensions import db
from commons.proposals.models import CoDesignMeeting, TechnicalOpinion
from tests import factories

SETTINGS = {
    "city_name": "Testville",
    "city_office": "Commons Office",
    "signatory": "Giulia Romano, Director of the Commons Office",
    "signatory_power": "art. 107 of Legislative Decree 267/2000 and the Mayor's decree no. 12",
    "regulation": "Regulation on the care of urban commons",
    "regulation_it": "Regolamento sulla cura dei beni comuni urbani",
    "regulation_article": "art. 5",
}


def full_proposal(*, pact_type="complex"):
    """A proposal with everything a pact names: members, opinions, meetings, acts, support."""
    representative = factories.user(name="Rita Representative")
    group = factories.group(
        representative,
        name="Friends of Parco Nord",
        kind="association",
        tax_code="91234560371",
        address="Via Libia 12, Testville",
    )
    add_member(group, full_name="Mario Member", email="mario@example.org")
    add_member(group, full_name="Anna Bianchi", email="anna@example.org")
    park = factories.commons(
        name="Parco Nord",
        kind="park",
        address="Via dei Giardini 1",
        cadastral_reference="Foglio 12, mappale 345",
        latitude=44.5,
        longitude=11.35,
    )
    yard = factories.commons(name="Cortile Rossi", kind="school_yard", address="Via Rossi 3")
    proposal = factories.proposal(
        group,
        title="Parco Nord in common",
        pact_type=pact_type,
        commons=[park, yard],
        objectives="Keep the park clean and alive.",
        activities="Monthly clean-ups.\n\nA summer festival.",
        support_requested=["tools", "insurance", "use_of_spaces"],
        support_notes="Ten rakes and two wheelbarrows.",
        requested_duration_months=24,
    )
    proposal.protocol_number = "2026/000123"
    proposal.submitted_at = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 3 March in Rome
    proposal.deliberation_number = "DG 12/2026"
    proposal.deliberation_date = date(2026, 5, 20)
    db.session.add_all(
        [
            TechnicalOpinion(
                proposal=proposal,
                department="Green Areas Department",
                requested_at=datetime(2026, 4, 1, 9, tzinfo=UTC),
                given_at=datetime(2026, 4, 20, 9, tzinfo=UTC),
                positive=True,
            ),
            TechnicalOpinion(
                proposal=proposal,
                department="Heritage Office",
                requested_at=datetime(2026, 4, 2, 9, tzinfo=UTC),
            ),
            CoDesignMeeting(proposal=proposal, held_on=date(2026, 5, 12), minutes="Agreed."),
            CoDesignMeeting(proposal=proposal, held_on=date(2026, 5, 1), minutes="Kick-off."),
        ]
    )
    db.session.commit()
    return proposal


def all_text(content: dict) -> str:
    return "\n".join(
        f"{s['title']}\n" + "\n".join(f"{a['title']}\n{a['text']}" for a in s["articles"])
        for s in content["sections"]
    )


def article(content: dict, key: str, title: str) -> str:
    section = next(s for s in content["sections"] if s["key"] == key)
    return next(a["text"] for a in section["articles"] if a["title"] == title)


@pytest.mark.parametrize("language", ["en", "it"])
def test_every_section_of_the_profile_in_order_with_numbered_articles(app, language):
    content = clauses.default_content(full_proposal(), SETTINGS, language)

    profile = workflows.get_profile("labsus")
    assert [s["key"] for s in content["sections"]] == list(profile.sections)
    titles = clauses.section_titles(language)
    for section in content["sections"]:
        assert section["title"] == titles[section["key"]]
        assert section["articles"], section["key"]
        for item in section["articles"]:
            assert set(item) - {"generated"} == {"title", "text"}
            assert item["title"].strip() and item["text"].strip()
    text = all_text(content)
    assert "None" not in text
    assert "<" not in text and ">" not in text  # plain text, never markup
    assert "\n\n\n" not in text


def test_the_english_draft_fills_in_the_real_data(app):
    content = clauses.default_content(full_proposal(), SETTINGS, "en")
    text = all_text(content)

    city = article(content, "parties", "The City")
    assert "The City of Testville" in city
    assert "Commons Office" in city
    assert "Giulia Romano, Director of the Commons Office" in city
    assert "under art. 107 of Legislative Decree 267/2000" in city
    proponent = article(content, "parties", "The proponent")
    for fact in (
        "Friends of Parco Nord",
        "association",
        "tax code 91234560371",
        "Via Libia 12, Testville",
        "represented by Rita Representative",
    ):
        assert fact in proponent
    assert "Mario Member; Anna Bianchi" in article(content, "parties", "Members of the group")

    recitals = article(content, "recitals", "Recitals")
    assert "on 3 March 2026 the proponent submitted" in recitals
    assert "protocol number 2026/000123" in recitals
    assert "the Green Areas Department gave a positive opinion on 20 April 2026" in recitals
    assert "the Heritage Office was asked for its opinion on 2 April 2026" in recitals
    assert "held with the proponent on 1 May 2026 and 12 May 2026" in recitals
    assert "deliberation no. DG 12/2026 of 20 May 2026" in recitals
    assert "Regulation on the care of urban commons, art. 5" in text

    obj = article(content, "object", "Object")
    assert "regeneration and shared management" in obj
    assert "Parco Nord (park), Via dei Giardini 1" in obj
    assert "cadastral reference Foglio 12, mappale 345" in obj
    assert "coordinates 44.5, 11.35" in obj
    assert "Cortile Rossi (school yard), Via Rossi 3" in obj
    assert "Keep the park clean and alive." in article(content, "object", "Objectives")
    assert "Monthly clean-ups.\n\nA summer festival." in article(content, "object", "Activities")
    assert "borne by the proponent" in article(content, "object", "Costs")

    assert "lasts 24 months from the date of the last signature" in text
    assert "maximum term of 48 months" in text
    assert "at least 48 hours in advance" in article(content, "duration", "Suspension")
    assert "at least 30 days in advance" in article(content, "duration", "Withdrawal")
    assert "reasons of public interest" in article(content, "duration", "Early termination")

    support = article(content, "commitments", "Forms of support")
    assert "a) tools and equipment on free loan;" in support
    assert "b) insurance of the active citizens" in support
    assert "c) free use of city spaces" in support
    assert "Ten rakes and two wheelbarrows." in support
    assert "no employment relationship" in article(
        content, "commitments", "No employment relationship"
    )
    assert "with the City's consent" in article(content, "commitments", "Joining the pact")
    assert "every 6 months" in article(content, "monitoring", "Periodic reports")
    assert "publishes" in article(content, "monitoring", "Evaluation and publication")
    assert "The City insures" in article(content, "liability", "Insurance")
    disputes = article(content, "disputes", "Conciliation")
    assert "committee of three members" in disputes and "Within 30 days" in disputes
    assert "not binding" in disputes
    assert "only in writing and with the City's consent" in text
    assert "property of the City" in article(content, "end_of_collaboration", "Works and goods")
    assert "only through a new pact" in article(content, "end_of_collaboration", "Renewal")
    assert "most favourable to civic participation" in text
    assert "article 13 of Regulation (EU) 2016/679 (GDPR)" in text
    approval = article(content, "signatures", "Specific approval of clauses")
    assert "articles 1341 and 1342 of the Italian Civil Code" in approval
    assert "“Liability and insurance”" in approval


def test_the_italian_draft_uses_the_legal_wording_of_labsus_pacts(app):
    content = clauses.default_content(full_proposal(), SETTINGS, "it")
    text = all_text(content)

    titles = [s["title"] for s in content["sections"]]
    for title in (
        "Premesse",
        "Oggetto e finalità",
        "Durata, sospensione e recesso",
        "Impegni delle parti e forme di sostegno",
        "Monitoraggio e valutazione",
        "Sicurezza",
        "Responsabilità e assicurazione",
        "Controversie",
        "Supporto del personale comunale",
        "Modifiche",
        "Cessazione della collaborazione",
        "Risoluzione per inadempimento",
        "Garanzie",
        "Disposizioni finali",
        "Informativa privacy",
        "Sottoscrizione",
    ):
        assert title in titles
    for phrase in (
        "Patto di collaborazione «Parco Nord in common» tra il Comune di Testville",
        "ai sensi del Regolamento sulla cura dei beni comuni urbani, art. 5",
        "Premesso che:",
        "in data 03/03/2026 il proponente ha presentato una proposta di collaborazione",
        "Green Areas Department: parere favorevole in data 20/04/2026",
        "nelle date 01/05/2026 e 12/05/2026",
        "deliberazione della Giunta comunale n. DG 12/2026 del 20/05/2026",
        "Tutto ciò premesso",
        "nella persona di Rita Representative",
        "riferimento catastale Foglio 12, mappale 345",
        "preavviso di almeno 48 ore",
        "preavviso di almeno 30 giorni",
        "Forme di sostegno",
        "attrezzature e strumenti in comodato d'uso gratuito",
        "non determina l'instaurazione di alcun rapporto di lavoro",
        "previo assenso del Comune",
        "ogni 6 mesi",
        "comitato di tre componenti",
        "con il consenso del Comune",
        "ripristina lo stato dei luoghi",
        "solo mediante un nuovo patto",
        "nel senso più favorevole alla partecipazione civica",
        "art. 13 del Regolamento (UE) 2016/679",
        "artt. 1341 e 1342 del Codice civile",
    ):
        assert phrase in text, phrase
    assert "None" not in text


def test_same_inputs_give_the_same_content(app):
    proposal = full_proposal()
    first = clauses.default_content(proposal, SETTINGS, "en")
    second = clauses.default_content(proposal, dict(reversed(SETTINGS.items())), "en")
    assert first == second
    assert json.loads(json.dumps(first)) == first  # storable as the version's JSON as it is


def test_missing_data_gives_sensible_text_never_none(app):
    """A bare proposal: no settings, members, opinions, meetings, protocol or support."""
    proposal = factories.proposal(requested_duration_months=None)
    proposal.group.members.clear()
    proposal.commons[0].latitude = proposal.commons[0].longitude = None
    db.session.commit()

    for language in ("en", "it"):
        content = clauses.default_content(proposal, {}, language)
        text = all_text(content)
        assert "None" not in text
        assert not [line for line in text.split("\n") if "  " in line or line != line.strip()]
        parties = next(s for s in content["sections"] if s["key"] == "parties")
        assert len(parties["articles"]) == 2  # no member list
        assert "coordinate" not in text
        assert "2026/" not in text and "protocol number" not in text
        assert "protocollo n." not in text
    en = clauses.default_content(proposal, {}, "en")
    assert "No form of support from the City" in all_text(en)
    assert "The proponent insures the active citizens" in all_text(en)
    assert "the period stated in the act that approves it" in all_text(en)
    assert "represented by the manager in charge" in all_text(en)


def test_an_individual_proponent_is_named_without_a_group(app):
    person = factories.user(name="Carla Verdi")
    group = factories.group(person, name="Carla Verdi", kind="individual", address="Via X 1")
    proposal = factories.proposal(group)
    content = clauses.default_content(proposal, SETTINGS, "en")
    proponent = article(content, "parties", "The proponent")
    assert proponent == "Carla Verdi (hereinafter “the proponent”)."  # no home address


def test_numbers_come_from_the_profile_clocks(app, monkeypatch):
    profile = workflows.get_profile("labsus")
    clocks = {
        **profile.clocks,
        "suspension_notice_hours": 72,
        "withdrawal_notice_days": 60,
        "report_interval_months": 3,
        "max_term_months": 36,
    }
    changed = dataclasses.replace(profile, clocks=clocks)
    monkeypatch.setattr(workflows, "get_profile", lambda name=None: changed)
    text = all_text(clauses.default_content(factories.proposal(), SETTINGS, "en"))
    assert "at least 72 hours in advance" in text
    assert "at least 60 days in advance" in text
    assert "every 3 months" in text
    assert "maximum term of 36 months" in text


def test_languages():
    assert clauses.normalise_language("it_IT") == "it"
    assert clauses.normalise_language("it-IT") == "it"
    assert clauses.normalise_language(None) == "en"
    with pytest.raises(ValueError, match="no pact clauses"):
        clauses.normalise_language("fr")


def test_settings_from_the_app_config(app):
    app.config["CITY_SIGNATORY"] = "Giulia Romano"
    settings = clauses.settings_from_config(app.config)
    assert settings["city_name"] == "Testville"
    assert settings["signatory"] == "Giulia Romano"
    assert "signatory_power" not in settings
