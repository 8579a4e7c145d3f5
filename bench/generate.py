"""Fill a database with a large, realistic data set for the benchmarks.

    python -m bench.generate --commons 100000 --proposals 100000 --events 1000000 \\
        [--users N] [--groups N] [--database-url URL] [--seed S] [--batch 5000]

Works on any SQLAlchemy URL the app supports (SQLite, ``postgresql+psycopg://...``); creates
the schema when the tables are missing and otherwise appends: ids continue after the highest
one, protocol numbers embed the id, and the audit chain continues from its head.

What it writes, Bologna-like:
- users: citizens mostly, a few officers, legal officers, auditors and one admin per run;
  all share the password "commons-bench-password" (one argon2id hash, computed once);
- proponent groups of every kind, each with a representative and members;
- commons spread over six districts and their neighbourhoods, with Italian names and addresses;
- proposals spread over every state of the "labsus" lifecycle, 1-3 commons each, with dates,
  protocol numbers, case officers consistent with the state they reached;
- audit events: each proposal's history (created, submit, take_in_charge ... sign, file_report,
  expire ...) along its lifecycle path, in time order, hash-chained like ``append_event`` does.
  The number of events is exact: monitoring reports absorb the difference between the natural
  histories and ``--events``; when fewer events are asked than the histories need, some
  proposals get no history at all (as if migrated from a spreadsheet).

Rows go in with SQLAlchemy Core ``insert()`` executemany, one transaction per batch.
Same seed and same starting database give the same data. Meant for a database nobody else is
writing to while it runs.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import os
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from argon2 import PasswordHasher
from sqlalchemy import create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url

from commons.audit.models import AuditChainHead, AuditEvent
from commons.audit.operations import GENESIS_HASH, event_fields, event_hash
from commons.auth.models import GroupKind, GroupMember, ProponentGroup, Role, User, UserRole
from commons.db import Base, import_all_models
from commons.proposals.models import PactType, Proposal, Support, proposal_commons
from commons.registry.models import Availability, Commons, CommonsKind

# Core tables only: the generator never configures the ORM mappers, so it is not affected by
# relationships elsewhere in the models.
USERS = User.__table__
ROLES = UserRole.__table__
GROUPS = ProponentGroup.__table__
MEMBERS = GroupMember.__table__
COMMONS = Commons.__table__
PROPOSALS = Proposal.__table__
EVENTS = AuditEvent.__table__
HEAD = AuditChainHead.__table__

PASSWORD = "commons-bench-password"  # noqa: S105 - shared by generated test users
PROFILE = "labsus"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = 60_000_000  # microseconds: event times are integers until they are written
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Bologna adopted its regulation in 2014; a first run covers 2015 to the end of 2025, later
# runs take the same length of time starting after the data already there.
BASE_START_DAY = (date(2015, 1, 1) - date(1970, 1, 1)).days
SPAN_DAYS = (date(2026, 1, 1) - date(2015, 1, 1)).days

# --------------------------------------------------------------------------------------------
# The city


def _items(block: str) -> list[str]:
    """The items of a ';'-separated block of text."""
    return [item.strip() for item in block.split(";") if item.strip()]


def _city(block: str) -> dict[str, tuple[int, dict[str, tuple[float, float]], list[str]]]:
    """district -> (population weight, {neighbourhood: (lat, lon) of its centre}, streets).

    One paragraph per district: its name and weight, then ';'-separated items, each a
    neighbourhood followed by its coordinates, or a street.
    """
    districts = {}
    for paragraph in block.strip().split("\n\n"):
        head, *lines = paragraph.strip().splitlines()
        name, weight = head.rsplit(" ", 1)
        neighbourhoods, streets = {}, []
        for item in _items(";".join(lines)):
            words = item.rsplit(" ", 2)
            try:
                neighbourhoods[words[0]] = (float(words[1]), float(words[2]))
            except (IndexError, ValueError):
                streets.append(item)
        districts[name] = (int(weight), neighbourhoods, streets)
    return districts


# Bologna's six districts (quartieri) since 2016, weighted by population.
DISTRICTS = _city("""
Navile 70
Bolognina 44.5120 11.3480; Corticella 44.5330 11.3530; Lame 44.5150 11.3250;
Noce 44.5230 11.3340
Via Ferrarese; Via di Corticella; Via Tibaldi; Via dell'Arcoveggio; Via Stalingrado;
Via Franco Bolognese; Via della Beverara; Via Zanardi; Via Marco Polo; Via Fioravanti;
Piazza dell'Unità; Via Gobetti

San Donato-San Vitale 66
San Donato 44.5080 11.3720; Pilastro 44.5130 11.3970; San Vitale 44.4960 11.3630;
Cirenaica 44.4990 11.3700; Irnerio 44.4990 11.3520
Via San Donato; Via del Pilastro; Via Enrico Mattei; Via Massarenti; Via Scandellara;
Via Andreini; Via Libia; Via Vezza; Via Sacco; Via San Vitale; Via del Terrapieno;
Via Garavaglia

Santo Stefano 65
Galvani 44.4900 11.3440; Murri 44.4820 11.3650; Colli 44.4700 11.3450;
Castiglione 44.4860 11.3530
Via Santo Stefano; Via Murri; Via Castiglione; Via Toscana; Via Orfeo; Via Dante;
Via Siepelunga; Via degli Orti; Strada Maggiore; Viale Carducci; Via Guerrazzi; Via Bellombra

Porto-Saragozza 69
Marconi 44.4990 11.3380; Saffi 44.5000 11.3170; Malpighi 44.4930 11.3370;
Costa-Saragozza 44.4850 11.3150
Via Saragozza; Via Saffi; Via del Pratello; Via Marconi; Via Andrea Costa; Via Sabotino;
Via Pier de' Crescenzi; Via Timavo; Via del Chiù; Via Porrettana; Via Riva di Reno;
Via Pietralata

Borgo Panigale-Reno 61
Borgo Panigale 44.5180 11.2870; Birra 44.5150 11.2700; Barca 44.4970 11.2950;
Santa Viola 44.5050 11.3050; Casteldebole 44.4980 11.2750
Via Emilia Ponente; Via Battindarno; Via Marco Emilio Lepido; Via della Birra; Via Agucchi;
Via Normandia; Via Caduti di Casteldebole; Via Pertini; Via Felicori; Via Rigosa;
Via Legnano; Piazza Giovanni XXIII

Savena 60
Mazzini 44.4830 11.3790; San Ruffillo 44.4640 11.3720; Fossolo 44.4800 11.3930;
Pontevecchio 44.4740 11.3970
Via Emilia Levante; Via Mazzini; Via Lombardia; Via Abruzzo; Via Populonia; Via Faenza;
Via Genova; Via Bellaria; Via Arno; Via del Fossolo; Via Toscana; Via Corelli
""")

# Whom parks, gardens and squares are named after.
DEDICATIONS = _items("""
Lucio Dalla; Rosa Luxemburg; Giorgio Morandi; Pier Paolo Pasolini; Nilde Iotti;
Guglielmo Marconi; Luigi Galvani; Laura Bassi; Giuseppe Dozza; Anna Magnani; Giacomo Matteotti;
Gino Strada; Peppino Impastato; Ilaria Alpi; Tina Anselmi; Lea Garofalo; Primo Levi;
Don Milani; Maria Montessori; Rita Levi-Montalcini; Gianni Rodari; Italo Calvino; Alda Merini;
Enzo Biagi; Renato Zangheri; Irma Bandiera; Villa Angeletti; Lunetta Gamberini; Parker-Lennon;
Ca' Bura; della Pace; del Lavoro; dei Colori; della Resistenza; dei Partigiani;
Vittime delle Mafie; Margherita Hack; Federico Fellini; Francesco Guccini; Carlo Levi;
Grazia Deledda; Sandro Pertini; Norberto Bobbio; Antonio Gramsci; Anna Frank; Sophie Scholl;
Aldo Moro; Giovanni Falcone; Paolo Borsellino; Franca Rame; Dario Fo; Umberto Eco;
Natalia Ginzburg; Elsa Morante
""")

FIRST_NAMES_F = """
Giulia Francesca Chiara Sara Martina Valentina Elena Alessia Silvia Federica Laura Paola Anna
Maria Roberta Elisa Marta Ilaria Beatrice Caterina Lucia Giovanna Teresa Irene Nadia Fatima
Amina Ioana
""".split()
FIRST_NAMES_M = """
Marco Luca Andrea Alessandro Matteo Davide Giuseppe Francesco Stefano Paolo Roberto Lorenzo
Simone Federico Riccardo Giovanni Antonio Massimo Fabio Claudio Enrico Pietro Tommaso Youssef
Mohamed Ahmed Andrei
""".split()
SURNAMES = _items("""
Rossi; Bianchi; Ferrari; Russo; Esposito; Romano; Colombo; Ricci; Marino; Greco; Bruno; Gallo;
Conti; De Luca; Mancini; Costa; Giordano; Rizzo; Lombardi; Moretti; Barbieri; Fontana; Santoro;
Mariani; Rinaldi; Caruso; Ferrara; Galli; Martini; Leone; Longo; Gentile; Martinelli; Vitale;
Serra; Coppola; De Santis; D'Angelo; Marchetti; Parisi; Villa; Conte; Ferri; Fabbri; Marini;
Grasso; Valentini; Sala; De Angelis; Gatti; Pellegrini; Palumbo; Sanna; Farina; Rizzi; Monti;
Morelli; Amato; Dall'Olio; Zanotti; Guidotti; Bolognesi; Montanari; Gardini; Tinti; Zucchini;
Bertocchi; Pancaldi; Degli Esposti; Roversi; Musolesi
""")

KIND_WEIGHTS = {
    CommonsKind.GREEN_AREA: 25,
    CommonsKind.GARDEN: 18,
    CommonsKind.PARK: 8,
    CommonsKind.SQUARE: 10,
    CommonsKind.STREET: 12,
    CommonsKind.BUILDING: 8,
    CommonsKind.SCHOOL_YARD: 8,
    CommonsKind.SPORTS_AREA: 6,
    CommonsKind.OTHER: 5,
}
OWNER_OFFICES = {
    CommonsKind.PARK: "Settore Verde e Tutela del Suolo",
    CommonsKind.GARDEN: "Settore Verde e Tutela del Suolo",
    CommonsKind.GREEN_AREA: "Settore Verde e Tutela del Suolo",
    CommonsKind.SQUARE: "Settore Mobilità Sostenibile e Infrastrutture",
    CommonsKind.STREET: "Settore Mobilità Sostenibile e Infrastrutture",
    CommonsKind.BUILDING: "Settore Patrimonio",
    CommonsKind.SCHOOL_YARD: "Settore Edilizia Scolastica",
    CommonsKind.SPORTS_AREA: "Settore Sport",
}
DESCRIPTIONS = {
    CommonsKind.PARK: "Parco pubblico con prati, alberature, percorsi pedonali e area giochi",
    CommonsKind.GARDEN: "Giardino di quartiere con panchine, aiuole e giochi per bambini",
    CommonsKind.GREEN_AREA: "Area verde con aiuole e alberi lungo la strada",
    CommonsKind.SQUARE: "Piazza pedonale con sedute, alberi e fontanella",
    CommonsKind.STREET: "Tratto di strada e portico di uso pubblico",
    CommonsKind.BUILDING: "Immobile comunale inutilizzato, da recuperare per usi civici",
    CommonsKind.SCHOOL_YARD: "Cortile scolastico aperto al quartiere fuori dall'orario di lezione",
    CommonsKind.SPORTS_AREA: "Area sportiva all'aperto con campo polivalente",
    CommonsKind.OTHER: "Spazio di uso pubblico",
}
BUILDINGS = [
    "Ex scuola",
    "Ex mercato",
    "Ex lavatoio",
    "Casa del custode",
    "Ex magazzino comunale",
    "Ex centro civico",
    "Ex deposito tranviario",
    "Villino",
]
OTHERS = ["Muro di", "Fontana di", "Pensilina di", "Sottopasso di", "Bacheca di"]

# (title, objectives, activities, fits complex pacts)
ACTIVITIES = [
    (
        "Cura del verde",
        "Mantenere pulita e accogliente l'area verde, a beneficio di chi abita il quartiere.",
        "Sfalcio dell'erba, raccolta delle foglie, irrigazione delle aiuole, "
        "piccola manutenzione delle panchine.",
        False,
    ),
    (
        "Pulizia e decoro",
        "Restituire decoro allo spazio pubblico e prevenire l'abbandono dei rifiuti.",
        "Raccolta dei rifiuti, rimozione di scritte, segnalazione dei guasti agli "
        "uffici competenti.",
        False,
    ),
    (
        "Orto condiviso",
        "Coltivare insieme un orto aperto a tutte le età e favorire l'incontro tra vicini.",
        "Preparazione delle aiuole, semina, turni di irrigazione, laboratori con "
        "le scuole del quartiere.",
        False,
    ),
    (
        "Animazione culturale",
        "Fare dello spazio un luogo di incontro con attività culturali gratuite e aperte.",
        "Letture all'aperto, piccoli concerti, cinema estivo, mostre temporanee.",
        False,
    ),
    (
        "Gioco e sport",
        "Rendere l'area fruibile per il gioco libero e lo sport di base.",
        "Manutenzione leggera delle attrezzature, tornei di quartiere, pomeriggi di gioco per "
        "bambini.",
        False,
    ),
    (
        "Arte urbana",
        "Riqualificare superfici degradate con interventi artistici condivisi con gli abitanti.",
        "Progettazione partecipata, realizzazione di murales, manutenzione delle opere.",
        False,
    ),
    (
        "Doposcuola e laboratori",
        "Offrire a ragazze e ragazzi del quartiere spazi di studio e creatività.",
        "Aiuto compiti, laboratori di falegnameria e riciclo, attività estive.",
        True,
    ),
    (
        "Rigenerazione e gestione condivisa",
        "Recuperare il bene e gestirlo come casa di quartiere aperta alla comunità.",
        "Lavori di piccola manutenzione, apertura a orari "
        "concordati, calendario di attività condiviso con il Quartiere.",
        True,
    ),
    (
        "Casa di quartiere",
        "Creare un presidio civico con servizi di prossimità gestiti da volontari.",
        "Sportello di ascolto, corsi di lingua italiana, biblioteca condivisa, "
        "riparazioni collettive.",
        True,
    ),
]

STATUS_WEIGHTS = {
    "draft": 6,
    "submitted": 3,
    "under_review": 4,
    "awaiting_integration": 2,
    "public_notice": 2,
    "co_design": 4,
    "political_approval": 1,
    "legal_review": 2,
    "awaiting_signatures": 2,
    "active": 22,
    "suspended": 1,
    "renewal_review": 2,
    "rejected": 8,
    "withdrawn": 5,
    "archived": 6,
    "revoked": 1,
    "terminated": 1,
    "expired": 22,
    "renewed": 6,
}
TERMINAL = {"rejected", "withdrawn", "archived", "revoked", "terminated", "expired", "renewed"}
IN_PACT = {"active", "suspended", "renewal_review"}
PRIVATE_TRIGGERS = {"created", "request_integration", "integrate", "return_to_co_design"}
TERM_MONTHS = {False: [6, 12, 12, 12, 24, 24, 36], True: [24, 36, 36, 48]}

INTEGRATION_REQUESTS = [
    "Si chiede di allegare la planimetria dell'area interessata.",
    "Indicare il calendario delle attività e il numero dei volontari coinvolti.",
    "Manca la copia del documento d'identità del referente.",
    "Precisare quali attrezzature si chiede al Comune di fornire.",
]
INTEGRATION_ANSWERS = [
    "Planimetria allegata.",
    "Calendario e elenco dei volontari allegati.",
    "Documento allegato.",
    "Elenco delle attrezzature allegato.",
]
REASONS = {
    "reject": [
        "La proposta non rientra nelle finalità del regolamento.",
        "Il bene non è disponibile per interventi di cura.",
        "Parere tecnico contrario del settore competente.",
    ],
    "withdraw": [
        "Il gruppo non ha più volontari sufficienti.",
        "Il proponente rinuncia alla proposta.",
        "Trasferimento delle attività in altra sede.",
    ],
    "return_to_co_design": [
        "Le clausole sulla sicurezza vanno completate.",
        "Occorre chiarire la ripartizione dei costi.",
    ],
    "suspend": [
        "Lavori di manutenzione straordinaria sull'area.",
        "Esigenze di interesse pubblico sopravvenute.",
    ],
    "revoke": ["Violazione ripetuta degli impegni assunti nel patto."],
    "terminate": ["Sopravvenute esigenze di interesse pubblico sull'area."],
}


def _weighted(mapping: dict) -> tuple[list, list[int]]:
    return list(mapping), list(accumulate(mapping.values()))


# --------------------------------------------------------------------------------------------
# Small helpers


def _dt(us: int) -> datetime:
    """An aware UTC datetime from microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=us)


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _day_date(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=day)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z]", "", value.lower())


def _cf_part(name: str, surname: bool) -> str:
    letters = re.sub(r"[^A-Z]", "", name.upper())
    consonants = [c for c in letters if c not in "AEIOU"]
    vowels = [c for c in letters if c in "AEIOU"]
    if not surname and len(consonants) >= 4:
        consonants = [consonants[0], consonants[2], consonants[3]]
    return "".join(consonants + vowels + ["X", "X", "X"])[:3]


CF_MONTHS = "ABCDEHLMPRST"


def _tax_code(rng: random.Random, first: str, last: str, female: bool) -> str:
    """A codice fiscale shaped like a real one, born in Bologna (A944)."""
    day = rng.randint(1, 28) + (40 if female else 0)
    return (
        f"{_cf_part(last, True)}{_cf_part(first, False)}{rng.randint(40, 99):02d}"
        f"{CF_MONTHS[rng.randrange(12)]}{day:02d}A944{chr(65 + rng.randrange(26))}"
    )


def _add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


# --------------------------------------------------------------------------------------------
# Lifecycle paths


class _Path:
    """One proposal's history along the labsus lifecycle, in days from its creation.

    Built from a seed only, so the generator can plan with it and rebuild it later instead of
    keeping a million steps in memory. A step is (day, time of day, trigger, from, to, who,
    extra); who is rep, officer, legal or system.
    """

    MAX_STEPS = 200

    def __init__(self, seed: int, complex_: bool, term_days: int):
        self.rng = random.Random(seed)
        self.complex = complex_
        self.term_days = term_days
        self.notice_days = 30 if complex_ else 15
        self.state = "draft"
        self.day = 0
        self.version = 0
        self.integrated = False
        self.returned = False
        self.created_tod = self.rng.randrange(7 * HOUR, 21 * HOUR)
        self.steps: list[tuple] = [(0, self.created_tod, "created", None, "draft", "rep", None)]
        self.active_day: int | None = None
        self.report_index: int | None = None
        self.report_from = self.report_to = 0
        self.natural_reports = 0
        self.idle = 0
        self.planned_start = self.rng.randint(45, 180)

    # moves -------------------------------------------------------------------------------
    def go(self, low: int, high: int, trigger: str, to: str, who: str, extra=None) -> None:
        self.go_at(self.day + self.rng.randint(low, high), trigger, to, who, extra)

    def go_at(self, day: int, trigger: str, to: str, who: str, extra=None) -> None:
        if who == "system":  # the nightly clock tick
            tod = HOUR + self.rng.randrange(15 * MINUTE)
        else:  # office hours, Rome time
            tod = self.rng.randrange(7 * HOUR, 17 * HOUR)
        self.day = day
        self.steps.append((day, tod, trigger, self.state, to, who, extra))
        self.state = to
        if len(self.steps) > self.MAX_STEPS:
            raise RuntimeError("lifecycle path does not end")

    def clock(self) -> str:
        return "system" if self.rng.random() < 0.8 else "officer"

    def request_integration(self) -> None:
        self.go(3, 20, "request_integration", "awaiting_integration", "officer")

    def advance(self) -> None:
        """One step along the main line towards an active pact."""
        rng, state = self.rng, self.state
        if state == "draft":
            self.go(1, 60, "submit", "submitted", "rep")
        elif state == "submitted":
            self.go(1, 20, "take_in_charge", "under_review", "officer")
        elif state == "under_review":
            if not self.integrated and rng.random() < 0.25:
                self.integrated = True
                self.request_integration()
                self.go(2, 28, "integrate", "under_review", "rep")
            else:
                self.go(3, 25, "admit", "public_notice", "officer")
        elif state == "public_notice":
            self.go(
                self.notice_days, self.notice_days + 1, "close_notice", "co_design", self.clock()
            )
        elif state == "co_design":
            self.version += 1
            to = "political_approval" if self.complex else "legal_review"
            self.go(14, 120, "agree_draft", to, "officer", {"version": self.version})
        elif state == "political_approval":
            self.go(5, 30, "record_deliberation", "legal_review", "legal")
        elif state == "legal_review":
            if not self.returned and rng.random() < 0.1:
                self.returned = True
                self.go(5, 20, "return_to_co_design", "co_design", "legal")
            else:
                self.go(5, 30, "approve", "awaiting_signatures", "legal", {"version": self.version})
        elif state == "awaiting_signatures":
            self.sign_representative()
            self.go(1, 10, "sign", "active", "legal", {"signer": "city", "version": self.version})
        else:
            raise RuntimeError(f"no way forward from {state}")

    def sign_representative(self) -> None:
        self.go(
            1,
            10,
            "sign",
            "awaiting_signatures",
            "rep",
            {"signer": "representative", "version": self.version},
        )

    def walk(self, target: str) -> None:
        while self.state != target:
            self.advance()

    def activate(self) -> None:
        self.walk("active")
        self.active_day = self.day

    def report_window(self, days: int) -> None:
        """Time spent active; monitoring reports (every ~6 months) fall inside it."""
        days = max(1, days)
        self.report_index = len(self.steps)
        self.report_from, self.report_to = self.day, self.day + days
        self.natural_reports = days // 182
        self.day += days

    # results -----------------------------------------------------------------------------
    def with_reports(self, count: int, seed: int) -> list[tuple]:
        """The steps with ``count`` monitoring reports spread over the active window."""
        if not count or self.report_index is None:
            return self.steps
        rng = random.Random(seed ^ 0x5EED_5EED)
        span = self.report_to - self.report_from
        reports = []
        for j in range(count):
            day = self.report_from + 1 + int((j + rng.random()) * span / count)
            reports.append(
                (
                    min(day, self.report_to),
                    rng.randrange(7 * HOUR, 17 * HOUR),
                    "file_report",
                    "active",
                    "active",
                    "rep",
                    {"report": j + 1},
                )
            )
        reports.sort(key=lambda step: (step[0], step[1]))
        i = self.report_index
        return self.steps[:i] + reports + self.steps[i:]


def build_path(seed: int, status: str, complex_: bool, term_days: int) -> _Path:
    """The history that brings a new proposal to ``status``; deterministic in its arguments."""
    p = _Path(seed, complex_, term_days)
    rng = p.rng
    if status == "draft":
        return p
    if status in (
        "submitted",
        "under_review",
        "public_notice",
        "co_design",
        "political_approval",
        "legal_review",
        "awaiting_signatures",
    ):
        p.walk(status)
        if status == "awaiting_signatures" and rng.random() < 0.5:
            p.sign_representative()
        p.idle = rng.randint(0, p.notice_days - 1 if status == "public_notice" else 45)
    elif status in ("awaiting_integration", "archived"):
        p.walk("under_review")
        p.request_integration()
        if status == "archived":
            p.go(31, 32, "archive", "archived", p.clock())
        else:
            p.idle = rng.randint(0, 29)
    elif status == "rejected":
        origins = ["under_review", "public_notice", "co_design", "legal_review"]
        weights = [40, 10, 25, 20]
        if complex_:
            origins.append("political_approval")
            weights.append(5)
        origin = rng.choices(origins, weights)[0]
        p.walk(origin)
        p.go(3, 40, "reject", "rejected", "officer" if origin == "under_review" else "legal")
    elif status == "withdrawn":
        origins = """submitted under_review awaiting_integration public_notice co_design
        legal_review awaiting_signatures active""".split()
        origin = rng.choices(origins, [15, 15, 15, 5, 20, 10, 5, 15])[0]
        if origin == "awaiting_integration":
            p.walk("under_review")
            p.request_integration()
        elif origin == "active":
            p.activate()
            p.report_window(rng.randint(30, max(31, term_days - 90)))
        else:
            p.walk(origin)
        p.go(1, 20, "withdraw", "withdrawn", "rep")
    else:
        _active_era(p, status)
    return p


def _active_era(p: _Path, status: str) -> None:
    rng, term = p.rng, p.term_days
    p.activate()
    if status == "active":
        p.report_window(rng.randint(1, max(1, term - 61)))  # ongoing: now is the window's end
    elif status == "suspended":
        p.report_window(rng.randint(30, max(30, term - 61)))
        p.go(1, 5, "suspend", "suspended", "legal", {"public_interest": rng.random() < 0.5})
        p.idle = rng.randint(0, 40)
    elif status == "renewal_review":
        p.report_window(term - 61)
        p.go(1, 1, "open_renewal", "renewal_review", "system" if rng.random() < 0.7 else "rep")
        p.idle = rng.randint(0, 50)
    elif status in ("revoked", "terminated"):
        trigger = "revoke" if status == "revoked" else "terminate"
        p.report_window(rng.randint(30, max(30, term - 30)))
        if rng.random() < 0.3:
            p.go(1, 5, "suspend", "suspended", "legal", {"public_interest": status == "terminated"})
            p.go(10, 60, trigger, status, "legal")
        else:
            p.go(1, 5, trigger, status, "legal")
    elif status == "expired":
        p.report_window(term - 61)
        if rng.random() < 0.4:
            p.go(1, 1, "open_renewal", "renewal_review", "system")
        p.go_at(p.active_day + term + 1, "expire", "expired", "system")
    elif status == "renewed":
        p.report_window(term - 61)
        p.go(1, 1, "open_renewal", "renewal_review", "system" if rng.random() < 0.5 else "rep")
        p.go(10, 50, "renew", "renewed", "legal")
    else:
        raise ValueError(f"unknown status {status}")


# --------------------------------------------------------------------------------------------
# The generator


class _Plan:
    """A proposal to write: what it is, when it starts, and how much history it gets."""

    __slots__ = tuple(
        """seed status complex term group rep officer legal commons title activity created_day
        created_tod base_steps natural window reports limit id protocol submitted updated
        in_charge start_date end_date""".split()
    )

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))


class Generator:
    """Writes the data set; see the module docstring."""

    def __init__(self, engine: Engine, *, seed: int = 1, batch: int = 5000, out=sys.stdout):
        self.engine = engine
        self.rng = random.Random(seed)
        self.seed = seed
        self.batch = max(1, batch)
        self.out = out
        self.stats: dict[str, tuple[int, float]] = {}
        self.no_history = 0
        self.standalone_events = 0

    # output ------------------------------------------------------------------------------
    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def _progress(self, label: str, done: int, started: float, final: bool) -> None:
        seconds = max(time.perf_counter() - started, 1e-9)
        line = f"{label:<16} {done:>11,} rows {seconds:8.1f} s {done / seconds:>11,.0f} rows/s"
        if final:
            if sys.stderr.isatty():
                print("\r" + " " * len(line) + "\r", end="", file=sys.stderr, flush=True)
            self.say(line)
        elif sys.stderr.isatty():
            print("\r" + line, end="", file=sys.stderr, flush=True)

    # writing -----------------------------------------------------------------------------
    def write(self, label: str, table, rows: Iterable[dict], *, uneven: bool = False) -> int:
        """Insert rows in executemany batches, one transaction each; return how many."""
        started = time.perf_counter()
        done = 0
        batch: list[dict] = []
        statement = insert(table)

        def flush() -> None:
            with self.engine.begin() as conn:
                if uneven:  # rows leaving a column out (SQL NULL) go in their own statement
                    shapes: dict[tuple, list[dict]] = {}
                    for row in batch:
                        shapes.setdefault(tuple(row), []).append(row)
                    for same in shapes.values():
                        conn.execute(statement, same)
                else:
                    conn.execute(statement, batch)

        for row in rows:
            batch.append(row)
            if len(batch) >= self.batch:
                flush()
                done += len(batch)
                batch = []
                self._progress(label, done, started, final=False)
        if batch:
            flush()
            done += len(batch)
        self._progress(label, done, started, final=True)
        previous = self.stats.get(label, (0, 0.0))
        self.stats[label] = (previous[0] + done, previous[1] + time.perf_counter() - started)
        return done

    # state already in the database -------------------------------------------------------
    def load_state(self) -> None:
        with self.engine.connect() as conn:
            self.max_ids = {
                name: conn.scalar(select(func.max(model.c.id))) or 0
                for name, model in (
                    ("users", USERS),
                    ("groups", GROUPS),
                    ("members", MEMBERS),
                    ("commons", COMMONS),
                    ("proposals", PROPOSALS),
                )
            }
            head = conn.execute(
                select(EVENTS.c.seq, EVENTS.c.hash, EVENTS.c.occurred_at)
                .order_by(EVENTS.c.seq.desc())
                .limit(1)
            ).first()
            self.head_seq, self.head_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
            latest = [BASE_START_DAY * DAY]
            if head:
                latest.append(_us(head[2]) + 1)
            last_proposal = conn.scalar(select(func.max(PROPOSALS.c.created_at)))
            if last_proposal is not None:
                latest.append(_us(last_proposal) + 1)
            self.citizens: list[tuple[int, str, str]] = []
            self.officers: list[int] = []
            self.legal: list[int] = []
            for uid, name, email, role in conn.execute(
                select(USERS.c.id, USERS.c.full_name, USERS.c.email, ROLES.c.role)
                .join(ROLES, ROLES.c.user_id == USERS.c.id)
                .order_by(USERS.c.id)
            ):
                if role == Role.CITIZEN:
                    self.citizens.append((uid, name, email))
                elif role == Role.OFFICER:
                    self.officers.append(uid)
                elif role == Role.LEGAL:
                    self.legal.append(uid)
            self.groups: list[tuple[int, int]] = [
                (gid, rep)
                for gid, rep in conn.execute(
                    select(GROUPS.c.id, GROUPS.c.representative_id).order_by(GROUPS.c.id)
                )
            ]
            self.commons: list[tuple[int, str]] = [
                tuple(row)
                for row in conn.execute(select(COMMONS.c.id, COMMONS.c.name).order_by(COMMONS.c.id))
            ]
        # Days are whole: a run starts on the first day after everything already there.
        self.start_day = -(-max(latest) // DAY)
        self.now_day = self.start_day + SPAN_DAYS

    def _registered_at(self, before_days: int) -> int:
        """A moment in the ``before_days`` days before the run's window opens."""
        return (self.start_day - self.rng.randint(1, before_days)) * DAY + self.rng.randrange(DAY)

    # users -------------------------------------------------------------------------------
    def users(self, count: int) -> None:
        if not count:
            return
        rng = self.rng
        password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(
            PASSWORD, salt=rng.randbytes(16)
        )
        staff = (
            ["admin"]
            + ["auditor"] * max(1, count // 5000)
            + ["legal"] * max(1, count // 1000)
            + ["officer"] * max(1, count // 200)
        )[: count // 2]
        first_id = self.max_ids["users"] + 1
        roles: list[dict] = []

        def rows() -> Iterator[dict]:
            for i in range(count):
                uid = first_id + i
                female = rng.random() < 0.5
                first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
                last = rng.choice(SURNAMES)
                role = staff[i] if i < len(staff) else Role.CITIZEN.value
                domain = "example.org" if role == "citizen" else "comune.bologna.example"
                email = f"{_slug(first)}.{_slug(last)}.{uid}@{domain}"
                full_name = f"{first} {last}"
                created = self._registered_at(365)
                roles.append({"user_id": uid, "role": role})
                if role == Role.CITIZEN:
                    self.citizens.append((uid, full_name, email))
                elif role == Role.OFFICER:
                    self.officers.append(uid)
                elif role == Role.LEGAL:
                    self.legal.append(uid)
                last_login = None
                if rng.random() < 0.7:
                    last_login = _dt(rng.randint(created, self.now_day * DAY))
                # Once the random session token: drawn still, so every later draw is unchanged.
                rng.getrandbits(192)
                yield {
                    "id": uid,
                    "email": email,
                    "full_name": full_name,
                    "tax_code": _tax_code(rng, first, last, female),
                    "password_hash": password_hash,
                    "session_generation": 0,
                    "active": rng.random() > 0.01,
                    "locale": rng.choices(["it", "en", None], [80, 10, 10])[0],
                    "last_login_at": last_login,
                    "created_at": _dt(created),
                    "updated_at": _dt(created),
                }

        self.write("users", USERS, rows())
        self.write("user_roles", ROLES, roles)

    # groups ------------------------------------------------------------------------------
    def proponent_groups(self, count: int) -> None:
        if not count:
            return
        if not self.citizens:
            raise SystemExit("no citizens to represent proponent groups: add --users")
        rng = self.rng
        kinds, cum = _weighted(
            {
                GroupKind.INDIVIDUAL: 35,
                GroupKind.INFORMAL_GROUP: 25,
                GroupKind.ASSOCIATION: 25,
                GroupKind.SCHOOL: 8,
                GroupKind.COMPANY: 7,
            }
        )
        sizes = {
            GroupKind.INDIVIDUAL: (0, 0),
            GroupKind.INFORMAL_GROUP: (2, 6),
            GroupKind.ASSOCIATION: (1, 5),
            GroupKind.SCHOOL: (1, 3),
            GroupKind.COMPANY: (0, 2),
        }
        first_id = self.max_ids["groups"] + 1
        member_id = self.max_ids["members"]
        members: list[dict] = []
        districts = list(DISTRICTS)

        def rows() -> Iterator[dict]:
            nonlocal member_id
            for i in range(count):
                gid = first_id + i
                kind = rng.choices(kinds, cum_weights=cum)[0]
                rep_id, rep_name, rep_email = rng.choice(self.citizens)
                street = rng.choice(DISTRICTS[rng.choice(districts)][2])
                surname = rep_name.rsplit(" ", 1)[-1]
                name, tax_code = _group_name(rng, kind, rep_name, surname, street)
                created = self._registered_at(300)
                self.groups.append((gid, rep_id))
                low, high = sizes[kind]
                chosen = {rep_id}
                for k in range(rng.randint(low, high)):
                    member_id += 1
                    user = rng.choice(self.citizens)
                    if rng.random() < 0.15 or user[0] in chosen:  # invited by e-mail only
                        first = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)
                        last = rng.choice(SURNAMES)
                        uid, full_name = None, f"{first} {last}"
                        email = f"{_slug(first)}.{_slug(last)}.g{gid}m{k}@example.net"
                        joined = None
                    else:
                        uid, full_name, email = user
                        joined = _dt(created + rng.randint(1, 30) * DAY)
                        chosen.add(uid)
                    members.append(
                        {
                            "id": member_id,
                            "group_id": gid,
                            "user_id": uid,
                            "full_name": full_name,
                            "email": email,
                            "tax_code": None,
                            "address": None,
                            "joined_at": joined,
                            "created_at": _dt(created),
                            "updated_at": _dt(created),
                        }
                    )
                yield {
                    "id": gid,
                    "name": name,
                    "kind": kind.value,
                    "tax_code": tax_code,
                    "address": None
                    if kind == GroupKind.INDIVIDUAL
                    else f"{street} {rng.randint(1, 180)}, 40100 Bologna",
                    "email": rep_email
                    if kind == GroupKind.INDIVIDUAL
                    else f"{_slug(name)[:24]}.{gid}@example.org",
                    "phone": f"+39 051 {rng.randint(200000, 6999999)}",
                    "representative_id": rep_id,
                    "created_at": _dt(created),
                    "updated_at": _dt(created),
                }

        self.write("proponent_groups", GROUPS, rows())
        self.write("group_members", MEMBERS, members)

    # commons -----------------------------------------------------------------------------
    def commons_rows(self, count: int) -> None:
        if not count:
            return
        rng = self.rng
        kinds, kind_cum = _weighted(KIND_WEIGHTS)
        districts, district_cum = _weighted({d: v[0] for d, v in DISTRICTS.items()})
        first_id = self.max_ids["commons"] + 1
        hood_names = {d: list(v[1]) for d, v in DISTRICTS.items()}

        def rows() -> Iterator[dict]:
            for i in range(count):
                cid = first_id + i
                kind = rng.choices(kinds, cum_weights=kind_cum)[0]
                district = rng.choices(districts, cum_weights=district_cum)[0]
                _, hoods, streets = DISTRICTS[district]
                hood = rng.choice(hood_names[district])
                lat0, lon0 = hoods[hood]
                lat = round(rng.gauss(lat0, 0.0035), 6)
                lon = round(rng.gauss(lon0, 0.005), 6)
                street = rng.choice(streets)
                number = rng.randint(1, 200)
                suffix = rng.choice(["", "", "", "", "/2", "/A", "/B"])
                name = _commons_name(rng, kind, street)
                self.commons.append((cid, name))
                created = _dt(self._registered_at(730))
                row = {
                    "id": cid,
                    "name": name,
                    "kind": kind.value,
                    "description": f"{DESCRIPTIONS[kind]}, zona {hood}.",
                    "address": f"{street} {number}{suffix}",
                    "district": district,
                    "neighbourhood": hood,
                    "latitude": lat,
                    "longitude": lon,
                    "cadastral_reference": None
                    if kind in (CommonsKind.STREET, CommonsKind.SQUARE)
                    else f"Foglio {rng.randint(1, 320)}, Mappale {rng.randint(1, 2400)}",
                    "owner_office": OWNER_OFFICES.get(kind, f"Quartiere {district}"),
                    "availability": (
                        Availability.UNAVAILABLE if rng.random() < 0.06 else Availability.AVAILABLE
                    ).value,
                    "created_at": created,
                    "updated_at": created,
                }
                if (
                    kind
                    in (
                        CommonsKind.PARK,
                        CommonsKind.GARDEN,
                        CommonsKind.GREEN_AREA,
                        CommonsKind.SQUARE,
                    )
                    and rng.random() < 0.4
                ):
                    w, h = rng.uniform(0.0002, 0.0012), rng.uniform(0.0002, 0.0009)
                    ring = [
                        [round(lon - w, 6), round(lat - h, 6)],
                        [round(lon + w, 6), round(lat - h, 6)],
                        [round(lon + w, 6), round(lat + h, 6)],
                        [round(lon - w, 6), round(lat + h, 6)],
                        [round(lon - w, 6), round(lat - h, 6)],
                    ]
                    row["geometry"] = {"type": "Polygon", "coordinates": [ring]}
                yield row

        self.write("commons", COMMONS, rows(), uneven=True)

    # proposals ---------------------------------------------------------------------------
    def plan_proposals(self, count: int) -> list[_Plan]:
        if not count:
            return []
        if not self.groups:
            raise SystemExit("no proponent groups to make proposals: add --groups/--users")
        if not self.commons:
            raise SystemExit("no commons to make proposals about: add --commons")
        rng = self.rng
        statuses, status_cum = _weighted(STATUS_WEIGHTS)
        everyone = [c[0] for c in self.citizens]
        officers = self.officers or everyone
        legal = self.legal or officers
        plans = []
        for _ in range(count):
            status = rng.choices(statuses, cum_weights=status_cum)[0]
            complex_ = status == "political_approval" or rng.random() < 0.15
            term = rng.choice(TERM_MONTHS[complex_])
            gid, rep = rng.choice(self.groups)
            picks = rng.choices([1, 2, 3], [70, 22, 8])[0]
            chosen = list(dict.fromkeys(rng.choice(self.commons) for _ in range(picks)))
            fitting = [a for a in ACTIVITIES if a[3] or not complex_]
            plan = _Plan(
                seed=rng.getrandbits(63),
                status=status,
                complex=complex_,
                term=term,
                group=gid,
                rep=rep,
                officer=rng.choice(officers),
                legal=rng.choice(legal),
                commons=[c[0] for c in chosen],
                activity=rng.choice(fitting),
                reports=0,
            )
            plan.title = f"{plan.activity[0]} — {chosen[0][1]}"[:200]
            path = build_path(plan.seed, status, complex_, term * 365 // 12)
            plan.created_tod = path.created_tod
            if status == "draft":
                plan.created_day = rng.randint(self.start_day, self.now_day - 1)
            elif status in TERMINAL:
                latest = max(self.start_day, self.now_day - path.day - 1)
                plan.created_day = rng.randint(self.start_day, latest)
            else:  # still under way: its last move happened ``idle`` days ago
                plan.created_day = max(self.start_day, self.now_day - path.day - path.idle)
            self._dates(plan, path)
            plan.base_steps = len(path.steps)
            plan.natural = path.natural_reports
            plan.window = (path.report_to - path.report_from) if path.report_index else 0
            plans.append(plan)
        plans.sort(key=lambda p: (p.created_day, p.created_tod))
        return plans

    def _dates(self, plan: _Plan, path: _Path) -> None:
        """Submission, last change, start and end of a planned proposal, from its path."""
        base = plan.created_day * DAY
        plan.submitted = plan.updated = None
        plan.in_charge = False
        for day, tod, trigger, *_ in path.steps:
            if trigger == "submit":
                plan.submitted = base + day * DAY + tod
            elif trigger == "take_in_charge":
                plan.in_charge = True
        last = path.steps[-1]
        plan.updated = base + last[0] * DAY + last[1]
        if path.active_day is not None:  # a pact runs from its last signature
            start = _day_date(plan.created_day + path.active_day)
        elif plan.status == "draft" and self.rng.random() < 0.4:
            start = None
        else:  # the start the proponent asked for
            start = _day_date(plan.created_day + path.planned_start)
        plan.start_date = start
        plan.end_date = _add_days(start, plan.term * 365 // 12) if start else None

    def proposals(self, plans: list[_Plan]) -> None:
        if not plans:
            return
        rng = self.rng
        supports = [s.value for s in Support]
        first_id = self.max_ids["proposals"] + 1
        links: list[dict] = []

        def rows() -> Iterator[dict]:
            for i, plan in enumerate(plans):
                plan.id = pid = first_id + i
                submitted = None if plan.submitted is None else _dt(plan.submitted)
                # Unique because the id is: "2026/000123".
                plan.protocol = f"{submitted.year}/{pid:06d}" if submitted else None
                for cid in plan.commons:
                    links.append({"proposal_id": pid, "commons_id": cid})
                yield {
                    "id": pid,
                    "title": plan.title,
                    "pact_type": (PactType.COMPLEX if plan.complex else PactType.ORDINARY).value,
                    "group_id": plan.group,
                    "representative_id": plan.rep,
                    "objectives": plan.activity[1],
                    "activities": plan.activity[2],
                    "support_requested": sorted(rng.sample(supports, rng.randint(0, 3))),
                    "support_notes": ""
                    if rng.random() < 0.7
                    else "Chiediamo guanti, sacchi e un corso sulla sicurezza.",
                    "requested_duration_months": plan.term
                    if plan.start_date or rng.random() < 0.5
                    else None,
                    "start_date": plan.start_date,
                    "end_date": plan.end_date,
                    "status": plan.status,
                    "protocol_number": plan.protocol,
                    "case_officer_id": plan.officer if plan.in_charge else None,
                    "profile": PROFILE,
                    "submitted_at": submitted,
                    "created_at": _dt(plan.created_day * DAY + plan.created_tod),
                    "updated_at": _dt(plan.updated),
                }

        self.write("proposals", PROPOSALS, rows())
        self.write("proposal_commons", proposal_commons, links)
        in_pact = sorted({cid for p in plans if p.status in IN_PACT for cid in p.commons})
        with self.engine.begin() as conn:
            for i in range(0, len(in_pact), 5000):
                conn.execute(
                    update(COMMONS)
                    .where(COMMONS.c.id.in_(in_pact[i : i + 5000]))
                    # the commons row itself is unchanged: keep its updated_at
                    .values(
                        availability=Availability.IN_PACT.value, updated_at=COMMONS.c.updated_at
                    )
                )

    # events ------------------------------------------------------------------------------
    def share_events(self, plans: list[_Plan], count: int) -> int:
        """Decide how many events each proposal gets so they add up to ``count``.

        Returns the events left over for proposals already in the database.
        """
        rng = self.rng
        for plan in plans:
            plan.reports, plan.limit = 0, None
        base = sum(p.base_steps for p in plans)
        capable = [i for i, p in enumerate(plans) if p.window]
        if count < base:  # keep whole histories of random proposals while they fit
            kept = 0
            order = list(range(len(plans)))
            rng.shuffle(order)
            dropped = []
            for i in order:
                if kept + plans[i].base_steps <= count:
                    kept += plans[i].base_steps
                else:
                    plans[i].limit = 0
                    dropped.append(i)
            self.no_history = len(dropped)
            capable = [i for i in capable if plans[i].limit is None]
            extra = count - kept
            if extra and not capable:  # every dropped history is longer than what is left
                plans[dropped[0]].limit = extra
                self.no_history -= 1
                return 0
        else:
            extra = count - base
        if not extra:
            return 0
        if not capable:
            return extra
        natural = sum(plans[i].natural for i in capable)
        if extra <= natural:  # fewer reports than every six months
            share = extra / natural
            given = 0
            for i in capable:
                plans[i].reports = int(plans[i].natural * share)
                given += plans[i].reports
            for i in rng.sample(capable, extra - given):
                plans[i].reports += 1
        else:  # more: longer-lived pacts report more often
            for i in capable:
                plans[i].reports = plans[i].natural
            cum = list(accumulate(plans[i].window for i in capable))
            for i in rng.choices(capable, cum_weights=cum, k=extra - natural):
                plans[i].reports += 1
        return 0

    def _timeline(self, plans: list[_Plan]) -> Iterator[tuple]:
        """Every planned step of every proposal, in time order (a sweep over creation times)."""
        heap: list[tuple] = []
        tie = 0
        for plan in plans:
            if plan.limit == 0:
                continue
            base = plan.created_day * DAY
            created = base + plan.created_tod
            while heap and heap[0][0] <= created:
                yield heapq.heappop(heap)
            path = build_path(plan.seed, plan.status, plan.complex, plan.term * 365 // 12)
            steps = path.with_reports(plan.reports, plan.seed)
            if plan.limit is not None:
                steps = steps[: plan.limit]
            previous = -1
            for day, tod, *rest in steps:
                moment = base + day * DAY + tod
                if moment <= previous:  # two moves on one day: keep their order
                    moment = previous + MINUTE
                previous = moment
                tie += 1
                heapq.heappush(heap, (moment, tie, plan, rest))
        while heap:
            yield heapq.heappop(heap)

    def _reports_on_existing(self, count: int) -> Iterator[tuple]:
        """Monitoring reports on active pacts already in the database, over a year."""
        with self.engine.connect() as conn:
            active = conn.execute(
                select(PROPOSALS.c.id, PROPOSALS.c.representative_id)
                .where(PROPOSALS.c.status == "active")
                .order_by(PROPOSALS.c.id)
            ).all()
        if not active:
            raise SystemExit(
                "more events than the new proposals' histories can hold and no "
                "active pact in the database to report on: add --proposals"
            )
        rng = random.Random(self.seed ^ 0xE7E7)
        start, span = self.start_day * DAY, 365 * DAY
        self.standalone_events = count
        for k in range(count):
            pid, rep = rng.choice(active)
            plan = _Plan(id=pid, rep=rep)
            moment = start + int((k + rng.random()) * span / count)
            yield (
                moment,
                10**15 + k,
                plan,
                ["file_report", "active", "active", "rep", {"report": None}],
            )

    def events(self, plans: list[_Plan], count: int) -> None:
        if not count:
            return
        leftover = self.share_events(plans, count)
        stream: Iterator[tuple] = self._timeline(plans)
        if leftover:
            stream = heapq.merge(stream, self._reports_on_existing(leftover))
        rng = random.Random(self.seed ^ 0xA0D1)
        state = {"seq": self.head_seq, "prev": self.head_hash}

        def rows() -> Iterator[dict]:
            seq, prev = state["seq"], state["prev"]
            for moment, _, plan, (trigger, from_state, to_state, who, extra) in stream:
                seq += 1
                occurred = _dt(moment)
                if who == "rep":
                    actor, role = plan.rep, "citizen"
                elif who == "officer":
                    actor, role = plan.officer, "officer"
                elif who == "legal":
                    actor, role = plan.legal, "legal"
                else:
                    actor, role = None, "system"
                payload = _payload(rng, plan, trigger, extra, occurred)
                public = trigger not in PRIVATE_TRIGGERS
                fields = event_fields(
                    seq,
                    occurred,
                    actor,
                    role,
                    plan.id,
                    trigger,
                    from_state,
                    to_state,
                    payload,
                    public,
                    prev,
                )
                digest = event_hash(fields)
                yield {
                    "seq": seq,
                    "occurred_at": occurred,
                    "actor_id": actor,
                    "actor_role": role,
                    "proposal_id": plan.id,
                    "trigger": trigger,
                    "from_state": from_state,
                    "to_state": to_state,
                    "payload": payload,
                    "public": public,
                    "prev_hash": prev,
                    "hash": digest,
                }
                prev = digest
            state["seq"], state["prev"] = seq, prev

        written = self.write("audit_events", EVENTS, rows())
        if written != count:
            raise RuntimeError(f"wrote {written} events instead of {count}")
        self.head_seq, self.head_hash = state["seq"], state["prev"]
        # The chain head row follows the last event, as append_event keeps it.
        with self.engine.begin() as conn:
            values = {"seq": self.head_seq, "hash": self.head_hash}
            if not conn.execute(update(HEAD).where(HEAD.c.id == 1).values(values)).rowcount:
                conn.execute(insert(HEAD).values(id=1, **values))

    # finishing ---------------------------------------------------------------------------
    def fix_sequences(self) -> None:
        """On PostgreSQL, move id sequences past the ids written explicitly."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as conn:
            for table in ("users", "proponent_groups", "group_members", "commons", "proposals"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) "
                        f"FROM {table} HAVING MAX(id) IS NOT NULL"
                    )
                )

    def counts(self) -> dict[str, int]:
        tables = [USERS, ROLES, GROUPS, MEMBERS, COMMONS, PROPOSALS, proposal_commons, EVENTS]
        with self.engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables}


def _group_name(
    rng: random.Random, kind: GroupKind, rep_name: str, surname: str, street: str
) -> tuple[str, str | None]:
    vat = f"{rng.randrange(10**11):011d}"
    dedication = rng.choice(DEDICATIONS)
    if kind == GroupKind.INDIVIDUAL:
        return rep_name, None
    if kind == GroupKind.INFORMAL_GROUP:
        return rng.choice(
            [
                f"Social street {street}",
                f"Comitato abitanti {street}",
                f"Gruppo cittadini attivi {street}",
                f"Amici del giardino {dedication}",
            ]
        ), None
    if kind == GroupKind.ASSOCIATION:
        return rng.choice(
            [
                f"Associazione {dedication} APS",
                f"Circolo {dedication}",
                f"ODV Volontari {street}",
                f"Associazione Genitori {dedication}",
            ]
        ), vat
    if kind == GroupKind.SCHOOL:
        return rng.choice(
            [
                f"Istituto Comprensivo n. {rng.randint(1, 22)}",
                f"Scuola primaria {dedication}",
                f"Liceo {dedication}",
            ]
        ), vat
    return rng.choice(
        [f"{surname} S.r.l.", f"{surname} & C. S.n.c.", f"Cooperativa sociale {dedication}"]
    ), vat


def _commons_name(rng: random.Random, kind: CommonsKind, street: str) -> str:
    person = rng.choice(DEDICATIONS)
    if kind == CommonsKind.PARK:
        return f"Parco {person}"
    if kind == CommonsKind.GARDEN:
        return f"Giardino {person}"
    if kind == CommonsKind.GREEN_AREA:
        return rng.choice(
            [f"Area verde di {street}", f"Aiuola di {street}", f"Area verde {person}"]
        )
    if kind == CommonsKind.SQUARE:
        return rng.choice([f"Piazza {person}", f"Piazzetta {person}"])
    if kind == CommonsKind.STREET:
        return rng.choice([f"Portico di {street}", f"Tratto di {street}"])
    if kind == CommonsKind.BUILDING:
        return f"{rng.choice(BUILDINGS)} di {street}"
    if kind == CommonsKind.SCHOOL_YARD:
        return rng.choice(
            [f"Cortile della scuola {person}", f"Giardino della scuola primaria {person}"]
        )
    if kind == CommonsKind.SPORTS_AREA:
        return rng.choice(
            [f"Playground {person}", f"Campo da basket di {street}", f"Area sportiva {person}"]
        )
    return rng.choice([f"{rng.choice(OTHERS)} {street}", f"Orto urbano {person}"])


def _pdf_hash(plan: _Plan, version) -> str:
    return hashlib.sha256(f"commons-bench pact {plan.id} v{version}".encode()).hexdigest()


def _payload(rng: random.Random, plan: _Plan, trigger: str, extra, occurred: datetime) -> dict:
    """The small dict an event of this trigger carries: reasons, act numbers, hashes."""
    day = occurred.date()
    if trigger == "created":
        return {"title": plan.title}
    if trigger == "submit":
        return {"protocol_number": plan.protocol}
    if trigger == "take_in_charge":
        return {"case_officer_id": plan.officer}
    if trigger == "request_integration":
        return {
            "message": rng.choice(INTEGRATION_REQUESTS),
            "reply_deadline": _add_days(day, 30).isoformat(),
        }
    if trigger == "integrate":
        return {"answer": rng.choice(INTEGRATION_ANSWERS), "files": rng.randint(0, 3)}
    if trigger == "archive":
        return {"reasons": "Termine per le integrazioni scaduto."}
    if trigger == "admit":
        days = 30 if plan.complex else 15
        return {"notice_days": days, "notice_ends": _add_days(day, days).isoformat()}
    if trigger == "close_notice":
        return {"observations": rng.randint(0, 4), "join_requests": rng.randint(0, 3)}
    if trigger == "agree_draft":
        return {"version": extra["version"]}
    if trigger == "record_deliberation":
        return {
            "deliberation_number": f"DG/PRO/{day.year}/{plan.id}",
            "deliberation_date": day.isoformat(),
        }
    if trigger == "approve":
        return {
            "decision_number": f"DD/PRO/{day.year}/{plan.id}",
            "decision_date": day.isoformat(),
            "version": extra["version"],
            "pdf_sha256": _pdf_hash(plan, extra["version"]),
        }
    if trigger == "sign":
        return {"signer": extra["signer"], "pdf_sha256": _pdf_hash(plan, extra["version"])}
    if trigger == "file_report":
        if extra["report"] is None:
            return {"period_end": day.isoformat()}
        return {"report": extra["report"], "period_end": day.isoformat()}
    if trigger == "suspend":
        return {
            "reasons": rng.choice(REASONS["suspend"]),
            "public_interest": extra["public_interest"],
            "notice_hours": 48,
        }
    if trigger in ("open_renewal", "expire"):
        return {"end_date": plan.end_date.isoformat() if plan.end_date else None}
    if trigger == "renew":
        return {
            "decision_number": f"DD/PRO/{day.year}/{plan.id}R",
            "decision_date": day.isoformat(),
        }
    if trigger in REASONS:
        return {"reasons": rng.choice(REASONS[trigger])}
    return {}


# --------------------------------------------------------------------------------------------
# Command line


def default_database_url() -> str:
    url = os.environ.get("COMMONS_DATABASE_URL")
    if url:
        return url
    from commons.config import PROJECT_ROOT

    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'bench.db'}"


def make_engine(url: str) -> Engine:
    """An engine tuned for bulk loading; SQLite skips fsync and checks foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            for pragma in (
                "foreign_keys=ON",
                "synchronous=OFF",
                "temp_store=MEMORY",
                "cache_size=-262144",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        return engine
    return create_engine(url)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Fill a database with realistic commons, proposals and audit events.",
    )
    parser.add_argument("--commons", type=int, default=0, help="commons to add")
    parser.add_argument("--proposals", type=int, default=0, help="proposals to add")
    parser.add_argument("--events", type=int, default=0, help="audit events to add")
    parser.add_argument(
        "--users",
        type=int,
        default=None,
        help="users to add (default: max(10, proposals / 2) with proposals)",
    )
    parser.add_argument(
        "--groups",
        type=int,
        default=None,
        help="proponent groups to add (default: max(3, proposals / 3))",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $COMMONS_DATABASE_URL, else instance/bench.db)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--batch", type=int, default=5000, help="rows per insert (default 5000)")
    args = parser.parse_args(argv)
    for name in ("commons", "proposals", "events", "users", "groups", "batch"):
        value = getattr(args, name)
        if value is not None and value < 0:
            parser.error(f"--{name} must not be negative")
    if args.users is None:
        args.users = max(10, args.proposals // 2) if args.proposals else 0
    if args.groups is None:
        args.groups = max(3, args.proposals // 3) if args.proposals else 0
    return args


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the generator; ``argv`` as on the command line. Returns the exit status."""
    out = out or sys.stdout
    args = parse_args(argv)
    url = args.database_url or default_database_url()
    engine = make_engine(url)
    try:
        import_all_models()
        Base.metadata.create_all(engine)  # only the tables that are missing
        generator = Generator(engine, seed=args.seed, batch=args.batch, out=out)
        generator.say(
            f"Generating into {make_url(url).render_as_string(hide_password=True)} "
            f"(seed {args.seed}, batch {args.batch})"
        )
        started = time.perf_counter()
        generator.load_state()
        generator.users(args.users)
        generator.proponent_groups(args.groups)
        generator.commons_rows(args.commons)
        plans = generator.plan_proposals(args.proposals)
        generator.proposals(plans)
        generator.events(plans, args.events)
        generator.fix_sequences()
        seconds = time.perf_counter() - started
        rows = sum(n for n, _ in generator.stats.values())
        generator.say(
            f"Done: {rows:,} rows in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} "
            f"rows/s); audit chain head seq {generator.head_seq}."
        )
        if generator.no_history:
            generator.say(
                f"  {generator.no_history:,} new proposals got no history "
                f"(fewer events asked than their lifecycles need)."
            )
        if generator.standalone_events:
            generator.say(
                f"  {generator.standalone_events:,} events are monitoring reports "
                f"on pacts already in the database."
            )
        generator.say(
            "Database now holds: "
            + ", ".join(f"{name} {n:,}" for name, n in generator.counts().items())
        )
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
