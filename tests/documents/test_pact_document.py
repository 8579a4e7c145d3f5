"""The pact document as a legal office reads it (issue 13, point 7), in English and Italian.

One complex pact per language goes through approval and both signatures with a statute, a
photo, an identity document, a meeting whose minutes are a file and one whose minutes were
typed; the tests read the issued PDFs' text as pypdf extracts it:

a. "Approved on" is the date of the approving act, not of the last signature;
b. the recitals cite the approving act and the council's deliberation, from the record;
c. the specific approval (arts. 1341-1342 of the civil code) names every onerous article;
d. the annexes are the files on the record, with their names and hashes;
e. the city's signature block gives the signatory's title and office;
f. the Italian (and English) wording joins articles and prepositions as the language does.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from commons import create_app
from commons.documents import clauses, storage
from commons.documents.models import Document, PactVersion
from commons.extensions import db
from commons.proposals.models import CoDesignMeeting, TechnicalOpinion
from commons.uploads.models import Attachment
from tests import conftest, factories
from tests.documents.test_rendering import pdf_text
from tests.workflows.scenario import Cast, approve_and_sign, proposal_in

CITY = {
    "en": {
        "CITY_OFFICE": "Commons Office",
        "CITY_SIGNATORY": "Giulia Romano",
        "CITY_SIGNATORY_TITLE": "Director",
    },
    "it": {
        "CITY_OFFICE": "Ufficio Beni Comuni",
        "CITY_SIGNATORY": "Giulia Romano",
        "CITY_SIGNATORY_TITLE": "Dirigente dell'Ufficio Beni Comuni",
    },
}
FILES = {
    # purpose: (file name, bytes)
    "statute": ("statuto_associazione.pdf", b"%PDF-1.7 statute"),
    "photo": ("giardino_marzo.jpg", b"\xff\xd8\xff photo"),
    "identity": ("carta_identita_rita.pdf", b"%PDF-1.7 identity"),
}
MINUTES_FILE = ("verbale_12_maggio.pdf", b"%PDF-1.7 minutes")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _attach(proposal, owner, purpose: str, name: str, data: bytes, linked_id=None):
    ext = {"pdf": ".pdf", "jpg": ".jpg"}[name.rsplit(".", 1)[1]]
    db.session.add(
        Attachment(
            owner_id=owner.id,
            proposal_id=proposal.id,
            purpose=purpose,
            linked_id=linked_id,
            storage_name=hashlib.md5(name.encode(), usedforsecurity=False).hexdigest() + ext,
            original_name=name,
            content_type="application/pdf" if ext == ".pdf" else "image/jpeg",
            size=len(data),
            sha256=_sha(data),
        )
    )


@pytest.fixture(scope="module", params=["en", "it"])
def pact(request, database_url):
    """A complex pact approved (DD 5/2026 of 30 May 2026) and signed on 2 and 3 June 2026."""
    language = request.param
    config = {**conftest.test_config(database_url), "CITY_LANGUAGE": language}
    config.update(CITY[language])
    app = create_app(config)
    with app.app_context():
        try:
            cast = Cast()
            p = proposal_in("legal_review", cast, pact_type="complex")
            p.deliberation_number = "DG 12/2026"
            p.deliberation_date = date(2026, 5, 20)
            for purpose, (name, data) in FILES.items():
                _attach(p, cast.representative, purpose, name, data)
            meeting = CoDesignMeeting(proposal=p, held_on=date(2026, 5, 12))
            db.session.add(meeting)
            db.session.flush()
            _attach(p, cast.officer, "minutes", *MINUTES_FILE, linked_id=meeting.id)
            db.session.commit()
            approve_and_sign(cast, p)
            root = app.config["STORAGE_DIR"]
            docs = {
                d.kind: pdf_text(storage.path_for(root, d.sha256).read_bytes())
                for d in db.session.scalars(select(Document).where(Document.proposal_id == p.id))
            }
            version = db.session.scalar(
                select(PactVersion).where(PactVersion.frozen_at.is_not(None))
            )
            return {
                "lang": language,
                "final": docs["final"],
                "signed": docs["signed"],
                "content": version.content,
            }
        finally:
            db.session.rollback()
            conftest._empty_tables()
            db.session.remove()
            db.engine.dispose()


def between(text: str, start: str, end: str | None = None) -> str:
    """The part of the text from the last ``start`` up to the next ``end``."""
    part = text[text.rindex(start) :]
    return part[: part.index(end)] if end else part


WORDS = {
    "en": {
        "approved": "Approved on 30 May 2026",
        "approved_cell": "<th>Approved on</th><td>30 May 2026</td>",
        "not_approved": "Approved on 3 June 2026",
        "act": "Approving act Directorial decision no. DD 5/2026 of 30 May 2026",
        "deliberation": "Having regard to the deliberation of the City Council (Giunta) no. "
        "DG 12/2026 of 20 May 2026, which approved the collaboration;",
        "decision": "Having regard to the directorial decision no. DD 5/2026 of 30 May 2026, "
        "which approves this pact;",
        "whereas": "Whereas:",
        "onerous": "Specific approval of onerous clauses",
        "signatures": "SIGNATURES",
        "annexes": "ANNEXES",
        "statute": "Statute or founding act of the proponent: file “statuto_associazione.pdf”",
        "photo": "Photo of the place: file “giardino_marzo.jpg”",
        "minutes_file": "Minutes of the co-design meeting of 12 May 2026: file "
        "“verbale_12_maggio.pdf”",
        "minutes_text": "Minutes of the co-design meeting of 1 May 2026, recorded in the "
        "register of the proposal",
        "no_annexes": "No annexes.",
        "for_city": "For the City",
    },
    "it": {
        "approved": "Approvato il 30/05/2026",
        "approved_cell": "<th>Approvato il</th><td>30/05/2026</td>",
        "not_approved": "Approvato il 03/06/2026",
        "act": "Atto di approvazione Determinazione dirigenziale n. DD 5/2026 del 30/05/2026",
        "deliberation": "Vista la deliberazione della Giunta comunale n. DG 12/2026 del "
        "20/05/2026, con la quale è stata approvata la collaborazione;",
        "decision": "Vista la determinazione dirigenziale n. DD 5/2026 del 30/05/2026, con "
        "la quale è approvato il presente patto;",
        "whereas": "Premesso che:",
        "onerous": "Approvazione specifica delle clausole onerose",
        "signatures": "SOTTOSCRIZIONE",
        "annexes": "ALLEGATI",
        "statute": "Statuto o atto costitutivo del proponente: file “statuto_associazione.pdf”",
        "photo": "Fotografia del luogo: file “giardino_marzo.jpg”",
        "minutes_file": "Verbale dell'incontro di co-progettazione del 12/05/2026: file "
        "“verbale_12_maggio.pdf”",
        "minutes_text": "Verbale dell'incontro di co-progettazione del 01/05/2026, registrato "
        "agli atti del procedimento",
        "no_annexes": "Nessun allegato.",
        "for_city": "Per il Comune",
    },
}


# --- a. the date of approval ------------------------------------------------------------------


def test_a_approved_on_is_the_date_of_the_approving_act(pact):
    words = WORDS[pact["lang"]]
    for kind in ("final", "signed"):  # the signed copy is issued on 3 June, the last signature
        text = pact[kind]
        assert words["approved"] in text, kind
        assert words["not_approved"] not in text, kind
        assert words["act"] in text, kind


# --- b. the recitals cite the acts ------------------------------------------------------------


def test_b_the_recitals_cite_the_approving_act_and_the_deliberation(pact):
    words = WORDS[pact["lang"]]
    text = pact["signed"]
    recitals = between(text, words["deliberation"])
    assert recitals.index(words["deliberation"]) < recitals.index(words["decision"])
    # Cited ahead of "Whereas:", as acts are cited; printed from the record, since the text
    # was frozen before the decision was taken.
    assert recitals.index(words["decision"]) < recitals.index(words["whereas"])
    assert "DD 5/2026" not in str(pact["content"])
    assert words["deliberation"] in pact["final"] and words["decision"] in pact["final"]


# --- c. every onerous article -----------------------------------------------------------------


def test_c_the_specific_approval_names_every_article_of_the_onerous_sections(pact):
    numbered, number = [], 0
    for section in pact["content"]["sections"]:
        if section["key"] in ("title", "parties", "recitals"):
            continue
        for article in section["articles"]:
            number += 1
            if section["key"] in clauses.ONEROUS_SECTIONS:
                numbered.append((number, article["title"], section["title"]))
    assert len(numbered) > len(clauses.ONEROUS_SECTIONS)  # several articles in some sections
    box = between(pact["signed"], WORDS[pact["lang"]]["onerous"])
    for n, title, section in numbered:
        assert f"Art. {n} – {title} ({section})" in box, (n, title)
    assert len(re.findall(r"Art\. \d+ – ", box)) == len(numbered)


# --- d. the annexes on file -------------------------------------------------------------------


def test_d_the_annexes_are_the_files_on_record_with_their_hashes(pact):
    words = WORDS[pact["lang"]]
    annexes = between(pact["signed"], words["annexes"])
    joined = annexes.replace(" ", "")  # a hash may wrap across lines
    for key in ("statute", "photo", "minutes_file", "minutes_text"):
        assert words[key] in annexes, key
    for purpose in ("statute", "photo"):
        assert _sha(FILES[purpose][1]) in joined, purpose
    assert _sha(MINUTES_FILE[1]) in joined
    assert words["no_annexes"] not in annexes
    # The identity document stays on the record but is not published with the pact.
    assert FILES["identity"][0] not in pact["signed"]
    assert _sha(FILES["identity"][1]) not in pact["signed"].replace(" ", "")
    # In order: the application's files, then the minutes by the meetings' dates.
    order = [annexes.index(words[k]) for k in ("statute", "photo", "minutes_text", "minutes_file")]
    assert order == sorted(order)


# --- e. the city's signature block ------------------------------------------------------------


def test_e_the_city_signature_block_has_the_title_and_the_office(pact):
    words, city = WORDS[pact["lang"]], CITY[pact["lang"]]
    unsigned = between(pact["final"], words["signatures"], words["onerous"])
    signed = between(pact["signed"], words["signatures"], words["onerous"])
    for block, name in ((unsigned, city["CITY_SIGNATORY"]), (signed, "Leo Legal")):
        city_block = block[block.index(words["for_city"]) :]
        assert city["CITY_SIGNATORY_TITLE"] in city_block
        assert city["CITY_OFFICE"] in city_block
        assert name in city_block


# --- f. articles and prepositions -------------------------------------------------------------


# "di il", "da il", "a l'", "su lo"...: a preposition that Italian fuses with its article.
UNFUSED = re.compile(r"\b(?:di|da|a|in|su) (?:il|lo|la|l'|i|gli|le)\b", re.IGNORECASE)
MID_SENTENCE_CAPITAL = {
    "en": re.compile(r"(?:\b(?:by|of|to|under|through|in|and)|,) The\b"),
    "it": re.compile(r"(?:\b(?:di|da|a|in|su|con|per|tra|e)|,) (?:Il|Lo|La|L'|I|Gli|Le)\b"),
}


def test_f_the_document_joins_articles_and_prepositions(pact):
    text = pact["signed"]
    if pact["lang"] == "it":
        for phrase in (
            "per il tramite dell'Ufficio Beni Comuni",
            "rappresentato da Giulia Romano, Dirigente dell'Ufficio Beni Comuni",
            "un referente del patto presso l'Ufficio Beni Comuni",
            "L'Ufficio Beni Comuni è il riferimento del Comune",
            "(GDPR), il Comune di Testville, in qualità di titolare",
            "scrivendo all'Ufficio Beni Comuni",
        ):
            assert phrase in text, phrase
        assert "ufficio Ufficio" not in text
        assert not UNFUSED.findall(text)
    else:
        for phrase in (
            "acting through the Commons Office",
            "represented by Giulia Romano, Director, who signs",
            "(GDPR), the City of Testville, as data controller",
            "by writing to the Commons Office",
        ):
            assert phrase in text, phrase
        assert "the the " not in text.lower()
    assert not MID_SENTENCE_CAPITAL[pact["lang"]].findall(text)


AWKWARD = {
    # Settings as cities type them: with their own articles, capitals, office names.
    "city_name": "the City of Testville",
    "city_name_it": "Comune di Testville",
    "city_address": "Piazza Maggiore 6",
    "regulation": "the Regulation on urban commons",
    "regulation_it": "il Regolamento sui beni comuni urbani",
    "city_office": "The Commons Office",
    "city_office_it": "Ufficio Beni Comuni",
    "signatory": "The Director of the Environment Department",
    "signatory_it": "Il Dirigente del Settore Ambiente",
    "signatory_power": "the Mayor's decree no. 12",
    "signatory_power_it": "il decreto sindacale n. 12",
}


@pytest.mark.parametrize(
    ("language", "expected", "wrong"),
    [
        (
            "en",
            [
                "made under the Regulation on urban commons.",
                "acting through the Commons Office, represented by the Director of the "
                "Environment Department, who signs this pact under the Mayor's decree no. 12",
                "the Regulation on urban commons implements the principle",
                "the Heritage Office was asked for its opinion",
                "name a contact person for the pact in the Commons Office",
                "The Commons Office is the City's point of contact",
                "For anything not provided for in this pact, the Regulation on urban commons",
                "The City of Testville, with its seat at Piazza Maggiore 6",
                "(GDPR), the City of Testville, as data controller",
            ],
            ["the the", "the The", "by The", "through The", ", The "],
        ),
        (
            "it",
            [
                "ai sensi del Regolamento sui beni comuni urbani",
                "Il Comune di Testville, con sede in Piazza Maggiore 6, per il tramite "
                "dell'Ufficio Beni Comuni, rappresentato dal Dirigente del Settore Ambiente, "
                "che sottoscrive il presente patto in forza del decreto sindacale n. 12",
                "il Regolamento sui beni comuni urbani dà attuazione",
                "è stato richiesto il parere della Soprintendenza",
                "un referente del patto presso l'Ufficio Beni Comuni",
                "L'Ufficio Beni Comuni è il riferimento",
                "si rinvia al Regolamento sui beni comuni urbani e alla legge",
                "(GDPR), il Comune di Testville, in qualità",
                "scrivendo all'Ufficio Beni Comuni",
            ],
            ["ufficio Ufficio", "al il", "del il", "Comune Comune"],
        ),
    ],
)
def test_f_settings_with_articles_read_as_the_language_writes_them(app, language, expected, wrong):
    proposal = factories.proposal(pact_type="complex")
    db.session.add(
        TechnicalOpinion(
            proposal=proposal,
            department="The Heritage Office" if language == "en" else "la Soprintendenza",
            requested_at=datetime(2026, 4, 2, 9, tzinfo=UTC),
        )
    )
    db.session.commit()
    content = clauses.default_content(proposal, AWKWARD, language)
    text = "\n".join(
        " ".join(a["text"].split()) for s in content["sections"] for a in s["articles"]
    )
    for phrase in expected:
        assert phrase in text, phrase
    for phrase in wrong:
        assert phrase not in text, phrase
    assert not MID_SENTENCE_CAPITAL[language].findall(text)
    if language == "it":
        assert not UNFUSED.findall(text)


@pytest.mark.parametrize(
    ("preposition", "phrase", "article", "joined"),
    [
        ("di", "il Regolamento", "", "del Regolamento"),
        ("di", "Regolamento", "il", "del Regolamento"),
        ("da", "Il Dirigente", "", "dal Dirigente"),
        ("da", "La Dirigente", "", "dalla Dirigente"),
        ("a", "l'Ufficio", "", "all'Ufficio"),
        ("a", "L’Ufficio", "", "all'Ufficio"),
        ("su", "il bene", "", "sul bene"),
        ("in", "il parco", "", "nel parco"),
        ("in", "lo spazio", "", "nello spazio"),
        ("di", "i cittadini", "", "dei cittadini"),
        ("a", "gli uffici", "", "agli uffici"),
        ("da", "le scuole", "", "dalle scuole"),
        ("con", "Il Comune", "", "con il Comune"),
        ("per", "La Giunta", "", "per la Giunta"),
        ("", "Il Dirigente", "", "il Dirigente"),
        ("da", "Giulia Romano", "", "da Giulia Romano"),
        ("in", "Via Roma 1", "", "in Via Roma 1"),
        ("di", "I.C. Manzoni", "", "di I.C. Manzoni"),
    ],
)
def test_f_italian_prepositions_fuse_with_articles(preposition, phrase, article, joined):
    assert clauses.italian_preposition(preposition, phrase, article) == joined


def test_b_an_ordinary_pact_cites_its_decision_alone_and_a_draft_no_approval(pact):
    """Without a deliberation only the decision is cited; a draft is not "approved" at all."""
    from commons.documents import rendering
    from workflows.guards import content_hash

    lang, words = pact["lang"], WORDS[pact["lang"]]
    content = pact["content"]
    meta = {
        "approved_at": datetime(2026, 6, 3, 10, tzinfo=UTC),
        "content_sha256": content_hash(content),
        "acts": {"decision_number": "DD 5/2026", "decision_date": "2026-05-30"},
    }
    html = rendering.render_pact_html(content, meta, lang)
    assert words["decision"] in html
    assert words["deliberation"][:25] not in html
    assert words["approved_cell"] in html
    draft = rendering.render_pact_html(content, {**meta, "acts": {}}, lang, kind="draft")
    assert rendering.LABELS[lang]["approving_act"] not in draft
    assert "DD 5/2026" not in draft
