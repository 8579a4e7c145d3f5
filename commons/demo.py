"""A realistic demo city, loaded through the same operations as real use.

Running it again adds only what is missing, so a second ``make run`` keeps existing data.
The layout follows a mid-sized Italian city (six districts around a historic centre).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from commons.auth import operations as auth_ops
from commons.auth.models import Role
from commons.extensions import db
from commons.groups.models import GroupKind, ProponentGroup
from commons.proposals import operations as proposal_ops
from commons.proposals.models import Proposal
from commons.registry import operations as registry_ops
from commons.registry.models import Commons

DOMAIN = "demo.example.org"

# (e-mail, full name, roles, password). Demo passwords are public on purpose: demo data only.
USERS = [
    (f"admin@{DOMAIN}", "Paola Ferri", [Role.ADMIN], "lantern-orchard-42"),
    (f"officer@{DOMAIN}", "Marco Bianchi", [Role.OFFICER], "meadow-bicycle-17"),
    (f"officer2@{DOMAIN}", "Sara Conti", [Role.OFFICER], "harbour-violet-58"),
    (f"legal@{DOMAIN}", "Giulia Romano", [Role.LEGAL], "granite-swallow-36"),
    (f"auditor@{DOMAIN}", "Luca Greco", [Role.AUDITOR], "compass-juniper-91"),
    (f"citizen@{DOMAIN}", "Anna Esposito", [Role.CITIZEN], "sunflower-bridge-23"),
    (f"citizen2@{DOMAIN}", "Davide Ricci", [Role.CITIZEN], "pebble-lighthouse-64"),
    (f"citizen3@{DOMAIN}", "Chiara Marino", [Role.CITIZEN], "willow-lantern-85"),
    (f"citizen4@{DOMAIN}", "Matteo Gallo", [Role.CITIZEN], "cobalt-garden-19"),
    (f"citizen5@{DOMAIN}", "Francesca Costa", [Role.CITIZEN], "maple-harbour-72"),
]

# (name, kind, address, district, neighbourhood, lat, lon, cadastral ref, availability, description)
COMMONS = [
    (
        "Giardino Lunetta Gamberini",
        "park",
        "Via Lombardia 36",
        "Savena",
        "Mazzini",
        44.4867,
        11.3745,
        "F.243 p.112",
        "available",
        "Neighbourhood park with playground and lawn.",
    ),
    (
        "Aiuola di Piazza dell'Unità",
        "garden",
        "Piazza dell'Unità",
        "Navile",
        "Bolognina",
        44.5123,
        11.3487,
        "F.85 p.420",
        "available",
        "Flower beds around the square's fountain.",
    ),
    (
        "Parco della Zucca",
        "park",
        "Via di Saliceto 3/21",
        "Navile",
        "Bolognina",
        44.5186,
        11.3519,
        "F.79 p.31",
        "available",
        "Large park with a memorial museum.",
    ),
    (
        "Giardino Guido Rossa",
        "park",
        "Via Gorki 10",
        "Navile",
        "Corticella",
        44.5335,
        11.3562,
        "F.41 p.77",
        "available",
        "Green area next to the library.",
    ),
    (
        "Ex scuola di via Bertocchi",
        "building",
        "Via Bertocchi 41",
        "Navile",
        "Lame",
        44.5248,
        11.3221,
        "F.52 p.208 sub.1",
        "available",
        "Former primary school.",
    ),
    (
        "Piazza Lucio Dalla",
        "square",
        "Piazza Lucio Dalla",
        "Navile",
        "Bolognina",
        44.5095,
        11.3400,
        None,
        "available",
        "Square under the railway bridge used for events.",
    ),
    (
        "Orti di via Salgari",
        "garden",
        "Via Salgari 18",
        "San Donato-San Vitale",
        "San Donato",
        44.5102,
        11.3820,
        "F.103 p.66",
        "available",
        "Allotment gardens for older residents.",
    ),
    (
        "Giardino di Villa Angeletti",
        "park",
        "Via Carracci 75",
        "Navile",
        "Bolognina",
        44.5125,
        11.3356,
        "F.86 p.15",
        "available",
        "Park along the Navile canal.",
    ),
    (
        "Parco Scandellara",
        "park",
        "Via Scandellara 50",
        "San Donato-San Vitale",
        "San Vitale",
        44.4980,
        11.3902,
        "F.150 p.9",
        "available",
        "Wide meadow with a small pond.",
    ),
    (
        "Piazza Spadolini",
        "square",
        "Piazza Giovanni Spadolini",
        "San Donato-San Vitale",
        "San Donato",
        44.5067,
        11.3773,
        None,
        "available",
        "Market square of the district.",
    ),
    (
        "Ex magazzino comunale di via Vezza",
        "building",
        "Via Vezza 9",
        "San Donato-San Vitale",
        "San Vitale",
        44.4955,
        11.3861,
        "F.161 p.301",
        "unavailable",
        "Warehouse awaiting structural checks.",
    ),
    (
        "Cortile della scuola Besta",
        "school_yard",
        "Via Libia 59",
        "San Donato-San Vitale",
        "San Vitale",
        44.5002,
        11.3745,
        "F.148 p.88",
        "available",
        "School yard open after hours.",
    ),
    (
        "Giardini Margherita, area orti",
        "garden",
        "Viale Gozzadini 2",
        "Santo Stefano",
        "Colli",
        44.4831,
        11.3531,
        "F.210 p.5",
        "available",
        "Community gardens inside the city's main park.",
    ),
    (
        "Piazza San Domenico",
        "square",
        "Piazza San Domenico",
        "Santo Stefano",
        "Galvani",
        44.4891,
        11.3440,
        None,
        "unavailable",
        "Historic square under heritage protection.",
    ),
    (
        "Giardino Lucio Lombardo Radice",
        "park",
        "Via Fossolo 12",
        "Savena",
        "San Ruffillo",
        44.4749,
        11.3723,
        "F.262 p.40",
        "available",
        "Small park with benches and a bowls court.",
    ),
    (
        "Aiuole di via Murri",
        "garden",
        "Via Augusto Murri 72",
        "Santo Stefano",
        "Murri",
        44.4810,
        11.3641,
        None,
        "available",
        "Street-side flower beds along the avenue.",
    ),
    (
        "Parco di Villa Ghigi, sentieri",
        "green_area",
        "Via San Mamolo 105",
        "Santo Stefano",
        "Colli",
        44.4710,
        11.3357,
        "F.233 p.2",
        "available",
        "Hill paths and orchards.",
    ),
    (
        "Piazza Carducci",
        "square",
        "Piazza Carducci",
        "Santo Stefano",
        "Murri",
        44.4846,
        11.3580,
        None,
        "available",
        "Square with the poet's monument and garden.",
    ),
    (
        "Campo da basket di via Pietralata",
        "sports_area",
        "Via Pietralata 60",
        "Porto-Saragozza",
        "Marconi",
        44.4973,
        11.3339,
        "F.172 p.55",
        "available",
        "Open-air basketball court.",
    ),
    (
        "Giardino del Cavaticcio",
        "park",
        "Via Azzo Gardino 65",
        "Porto-Saragozza",
        "Marconi",
        44.5009,
        11.3374,
        "F.174 p.12",
        "available",
        "Garden by the old canal port.",
    ),
    (
        "Portici di via Saragozza, tratto 120-180",
        "street",
        "Via Saragozza 150",
        "Porto-Saragozza",
        "Saragozza",
        44.4893,
        11.3252,
        None,
        "available",
        "Arcade stretch to keep clean and lit.",
    ),
    (
        "Ex casa del custode, Parco Melloni",
        "building",
        "Via Andrea Costa 174",
        "Porto-Saragozza",
        "Costa Saragozza",
        44.4902,
        11.3117,
        "F.190 p.71 sub.2",
        "available",
        "Small house in the park, two rooms and a toilet.",
    ),
    (
        "Parco Melloni",
        "park",
        "Via Andrea Costa 174",
        "Porto-Saragozza",
        "Costa Saragozza",
        44.4908,
        11.3110,
        "F.190 p.70",
        "available",
        "Park with a big plane tree.",
    ),
    (
        "Giardino di via Battindarno",
        "park",
        "Via Battindarno 123",
        "Borgo Panigale-Reno",
        "Santa Viola",
        44.4998,
        11.2984,
        "F.196 p.19",
        "available",
        "Park near the Reno river.",
    ),
    (
        "Piazza della Pace",
        "square",
        "Piazza della Pace",
        "Borgo Panigale-Reno",
        "Barca",
        44.4935,
        11.2868,
        None,
        "available",
        "Square at the heart of the Barca estate.",
    ),
    (
        "Area verde lungo Reno",
        "green_area",
        "Via del Chiù 2",
        "Borgo Panigale-Reno",
        "Borgo Panigale",
        44.5112,
        11.2751,
        "F.11 p.300",
        "available",
        "River bank green strip.",
    ),
    (
        "Ex bocciofila di Borgo Panigale",
        "building",
        "Via Marco Emilio Lepido 196",
        "Borgo Panigale-Reno",
        "Borgo Panigale",
        44.5143,
        11.2682,
        "F.14 p.92",
        "available",
        "Former bowls club with a hall and a bar counter.",
    ),
    (
        "Giardino di via Populonia",
        "park",
        "Via Populonia 7",
        "Savena",
        "Mazzini",
        44.4899,
        11.3826,
        "F.245 p.34",
        "available",
        "Garden with a dog area.",
    ),
    (
        "Cortile della scuola Longhena",
        "school_yard",
        "Via di Casteldebole 8",
        "Borgo Panigale-Reno",
        "Barca",
        44.4926,
        11.2783,
        "F.200 p.17",
        "available",
        "Primary school yard.",
    ),
    (
        "Aiuola della rotonda Paradisi",
        "garden",
        "Rotonda Paradisi",
        "Savena",
        "San Ruffillo",
        44.4707,
        11.3809,
        None,
        "available",
        "Roundabout flower bed.",
    ),
]

# (name, kind, representative e-mail, tax code, address, member e-mails)
GROUPS = [
    (
        "Amici del Parco della Zucca",
        "association",
        f"citizen@{DOMAIN}",
        "91234560375",
        "Via di Saliceto 5, Bologna",
        [f"citizen2@{DOMAIN}"],
    ),
    (
        "Comitato di via Bertocchi",
        "informal_group",
        f"citizen2@{DOMAIN}",
        None,
        "Via Bertocchi 40, Bologna",
        [f"citizen3@{DOMAIN}"],
    ),
    (
        "Orti Salgari APS",
        "association",
        f"citizen3@{DOMAIN}",
        "91876540371",
        "Via Salgari 18, Bologna",
        [],
    ),
    (
        "Anna Esposito",
        "individual",
        f"citizen@{DOMAIN}",
        "SPSNNA80A41A944K",
        "Via Lombardia 30, Bologna",
        [],
    ),
    (
        "Scuola primaria Besta",
        "school",
        f"citizen4@{DOMAIN}",
        "80071230379",
        "Via Libia 59, Bologna",
        [],
    ),
    (
        "Cooperativa Cavaticcio",
        "company",
        f"citizen5@{DOMAIN}",
        "03456780370",
        "Via Azzo Gardino 60, Bologna",
        [f"citizen4@{DOMAIN}"],
    ),
    (
        "Genitori del Longhena",
        "informal_group",
        f"citizen4@{DOMAIN}",
        None,
        "Via di Casteldebole 8, Bologna",
        [f"citizen5@{DOMAIN}"],
    ),
    (
        "Basket Pietralata ASD",
        "association",
        f"citizen2@{DOMAIN}",
        "91555440372",
        "Via Pietralata 60, Bologna",
        [],
    ),
    (
        "Residenti Piazza della Pace",
        "informal_group",
        f"citizen5@{DOMAIN}",
        None,
        "Piazza della Pace 3, Bologna",
        [f"citizen@{DOMAIN}"],
    ),
    (
        "Lungo Reno Pulito",
        "association",
        f"citizen3@{DOMAIN}",
        "91999880375",
        "Via del Chiù 4, Bologna",
        [f"citizen2@{DOMAIN}", f"citizen5@{DOMAIN}"],
    ),
]

# (group name, title, pact type, commons names, objectives, activities, support, months)
PROPOSALS = [
    (
        "Amici del Parco della Zucca",
        "Care of the Parco della Zucca lawns",
        "ordinary",
        ["Parco della Zucca"],
        "Keep the park clean and welcoming.",
        "Monthly clean-up mornings; litter picking; reporting damage.",
        ["tools", "insurance"],
        24,
    ),
    (
        "Comitato di via Bertocchi",
        "A neighbourhood house in the former Bertocchi school",
        "complex",
        ["Ex scuola di via Bertocchi"],
        "Reopen the school as a civic centre.",
        "After-school club, repair café, meeting rooms for associations.",
        ["use_of_spaces", "insurance", "fee_exemption"],
        48,
    ),
    (
        "Orti Salgari APS",
        "Shared vegetable gardens in via Salgari",
        "ordinary",
        ["Orti di via Salgari"],
        "Grow vegetables together and teach children.",
        "Allotment rotation, open days with schools.",
        ["tools", "materials", "training"],
        36,
    ),
    (
        "Scuola primaria Besta",
        "The Besta yard open on Saturdays",
        "ordinary",
        ["Cortile della scuola Besta"],
        "Let families use the yard at weekends.",
        "Opening and closing the gate, games, small repairs.",
        ["insurance"],
        12,
    ),
    (
        "Lungo Reno Pulito",
        "Clean banks along the Reno",
        "ordinary",
        ["Area verde lungo Reno", "Giardino di via Battindarno"],
        "Keep the river banks clean.",
        "Quarterly clean-ups with volunteers; signage.",
        ["tools", "insurance", "training"],
        24,
    ),
]


# Proposals taken through the real lifecycle to every state of the default profile:
# (group, title, pact type, commons, target state, days ago the proposal was submitted).
LIFECYCLE = [
    (
        "Residenti Piazza della Pace",
        "Benches and flowers for Piazza della Pace",
        "ordinary",
        ["Piazza della Pace"],
        "submitted",
        3,
    ),
    (
        "Genitori del Longhena",
        "Painting the Longhena school yard",
        "ordinary",
        ["Cortile della scuola Longhena"],
        "under_review",
        45,
    ),
    (
        "Basket Pietralata ASD",
        "Repairing the Pietralata basketball court",
        "ordinary",
        ["Campo da basket di via Pietralata"],
        "awaiting_integration",
        20,
    ),
    (
        "Cooperativa Cavaticcio",
        "Summer evenings at the Cavaticcio garden",
        "ordinary",
        ["Giardino del Cavaticcio"],
        "public_notice",
        12,
    ),
    (
        "Amici del Parco della Zucca",
        "A reading corner in Villa Angeletti",
        "ordinary",
        ["Giardino di Villa Angeletti"],
        "co_design",
        40,
    ),
    (
        "Comitato di via Bertocchi",
        "Civic house in the former bowls club",
        "complex",
        ["Ex bocciofila di Borgo Panigale"],
        "political_approval",
        70,
    ),
    (
        "Orti Salgari APS",
        "Orchard paths at Villa Ghigi",
        "ordinary",
        ["Parco di Villa Ghigi, sentieri"],
        "legal_review",
        60,
    ),
    (
        "Anna Esposito",
        "Watering the Lunetta Gamberini flower beds",
        "ordinary",
        ["Giardino Lunetta Gamberini"],
        "awaiting_signatures",
        65,
    ),
    (
        "Lungo Reno Pulito",
        "Litter picking along the Reno",
        "ordinary",
        ["Aiuola della rotonda Paradisi"],
        "active",
        200,
    ),
    (
        "Scuola primaria Besta",
        "Garden lessons at Scandellara",
        "ordinary",
        ["Parco Scandellara"],
        "suspended",
        220,
    ),
    (
        "Residenti Piazza della Pace",
        "Christmas lights in Piazza Spadolini",
        "ordinary",
        ["Piazza Spadolini"],
        "renewal_review",
        400,
    ),
    (
        "Comitato di via Bertocchi",
        "A reading room in the Parco Melloni lodge",
        "ordinary",
        ["Ex casa del custode, Parco Melloni"],
        "renewal_granted",
        395,
    ),
    (
        "Genitori del Longhena",
        "Weekend games in Parco Melloni",
        "ordinary",
        ["Parco Melloni"],
        "renewed",
        520,
    ),
    (
        "Cooperativa Cavaticcio",
        "Street art under the porticoes",
        "ordinary",
        ["Portici di via Saragozza, tratto 120-180"],
        "rejected",
        50,
    ),
    (
        "Basket Pietralata ASD",
        "Five-a-side pitch in Piazza Carducci",
        "ordinary",
        ["Piazza Carducci"],
        "withdrawn",
        30,
    ),
    (
        "Amici del Parco della Zucca",
        "Bird boxes in Giardino Guido Rossa",
        "ordinary",
        ["Giardino Guido Rossa"],
        "archived",
        90,
    ),
    (
        "Orti Salgari APS",
        "Herb garden on via Murri",
        "ordinary",
        ["Aiuole di via Murri"],
        "revoked",
        300,
    ),
    (
        "Lungo Reno Pulito",
        "A dog area in via Populonia",
        "ordinary",
        ["Giardino di via Populonia"],
        "terminated",
        320,
    ),
    (
        "Anna Esposito",
        "Flower bed of Piazza dell'Unità",
        "ordinary",
        ["Aiuola di Piazza dell'Unità"],
        "expired",
        800,
    ),
]

# The path to each state, as (trigger, who, days after the previous step).
_TO_CO_DESIGN = [
    ("submit", "rep", 0),
    ("take_in_charge", "officer", 2),
    ("admit", "officer", 8),
    ("close_notice", "system", 32),  # past the end of the 30th day, city time
]
_TO_ACTIVE = [
    *_TO_CO_DESIGN,
    ("agree_draft", "officer", 10),
    ("approve", "legal", 5),
    ("sign", "rep", 2),
    ("sign", "legal", 1),
]
_TO_RENEWAL = [
    *_TO_ACTIVE,
    ("open_renewal", "rep", 310),
    ("file_report", "rep", 5),
    ("renew", "legal", 10),
]
# The renewal (the successor created by "renew") is agreed, approved and signed before the old
# pact ends; it starts the day after. The old pact hands over then (complete_renewal, fired
# by the clock the night after its end date).
SUCCESSOR_PATHS = {
    "renewed": [
        ("agree_draft", "officer", 20),
        ("approve", "legal", 5),
        ("sign", "rep", 2),
        ("sign", "legal", 1),
    ],
}
PATHS = {
    "submitted": [("submit", "rep", 0)],
    "under_review": [("submit", "rep", 0), ("take_in_charge", "officer", 3)],
    "awaiting_integration": [
        ("submit", "rep", 0),
        ("take_in_charge", "officer", 2),
        ("request_integration", "officer", 4),
    ],
    "public_notice": [
        ("submit", "rep", 0),
        ("take_in_charge", "officer", 1),
        ("admit", "officer", 6),
    ],
    "co_design": _TO_CO_DESIGN,
    "political_approval": [*_TO_CO_DESIGN, ("agree_draft", "officer", 12)],
    "legal_review": [*_TO_CO_DESIGN, ("agree_draft", "officer", 10)],
    "awaiting_signatures": [
        *_TO_CO_DESIGN,
        ("agree_draft", "officer", 10),
        ("approve", "legal", 5),
    ],
    "active": [*_TO_ACTIVE, ("file_report", "rep", 120)],
    "suspended": [*_TO_ACTIVE, ("suspend", "legal", 100)],
    # A 12-month pact: its renewal window opens 60 days before the end, some 305 days after
    # the signatures; the representative asks for it a few days into the window.
    "renewal_review": [*_TO_ACTIVE, ("open_renewal", "rep", 310)],
    "renewal_granted": _TO_RENEWAL,
    "renewed": _TO_RENEWAL,
    "rejected": [("submit", "rep", 0), ("take_in_charge", "officer", 2), ("reject", "officer", 10)],
    "withdrawn": [("submit", "rep", 0), ("take_in_charge", "officer", 2), ("withdraw", "rep", 5)],
    "archived": [
        ("submit", "rep", 0),
        ("take_in_charge", "officer", 2),
        ("request_integration", "officer", 3),
        ("archive", "system", 40),
    ],
    "revoked": [*_TO_ACTIVE, ("revoke", "legal", 150)],
    "terminated": [*_TO_ACTIVE, ("terminate", "legal", 160)],
    "expired": [*_TO_ACTIVE, ("expire", "system", 400)],
}

STEP_DATA = {
    "request_integration": {"message": "Please attach the group's statute and a site plan."},
    "approve": {"act_number": "DD {n}/2026"},
    "file_report": {
        "report_text": "Monthly clean-ups held; 14 volunteers, 60 hours in all.",
        "participants": 14,
        "volunteer_hours": 60,
        "final": True,
    },
    "suspend": {"reasons": "Works on the water mains in the area.", "grounds": "safety"},
    "renew": {"act_number": "DD R{n}/2026"},
    "reject": {"reasons": "The activity needs a permit outside the regulation's scope."},
    "withdraw": {"reasons": "The group cannot find enough volunteers."},
    "revoke": {"reasons": "Repeated breach of the safety rules agreed in the pact."},
    "terminate": {"reasons": "The area is needed for a new school building."},
}


def _walk(proposal, path, people, passwords, start) -> None:
    """Fire the path's triggers at realistic past times, as the people would have."""
    import workflows
    from commons.documents.operations import save_version
    from commons.proposals.operations import record_meeting

    now = start
    for trigger, who, days in path:
        now += timedelta(days=days)
        actor = workflows.SYSTEM if who == "system" else people[who]
        if trigger == "agree_draft":
            save_version(
                proposal,
                author=people["officer"],
                comment="Draft agreed in co-design",
                now=now - timedelta(days=5),
            )
            record_meeting(
                proposal,
                actor=people["officer"],
                held_on=(now - timedelta(days=3)).date(),
                attendees="Commons office; the proponents",
                minutes="Activities, safety and support agreed.",
                now=now - timedelta(days=3),
            )
        data = {
            k: (v.format(n=proposal.id) if isinstance(v, str) else v)
            for k, v in STEP_DATA.get(trigger, {}).items()
        }
        if trigger == "approve":
            # The decision is adopted the day before the approval that cites it is recorded.
            data["act_date"] = (now - timedelta(days=1)).date().isoformat()
        if trigger == "sign":
            data.update(full_name=actor.full_name, consent=True, password=passwords[actor.email])
        workflows.fire(proposal, trigger, actor, now=now, **data)
    return now


def _hand_over(old) -> None:
    """What ``commons tick`` does the night after the old pact's end: it becomes renewed."""
    from zoneinfo import ZoneInfo

    import workflows
    from workflows.engine import _SETTINGS

    zone = ZoneInfo(_SETTINGS["timezone"])
    night = datetime.combine(old.end_date + timedelta(days=1), time(1), tzinfo=zone)
    workflows.fire(old, "complete_renewal", workflows.SYSTEM, now=night.astimezone(UTC))


def load_demo(echo=print) -> dict:
    """Create what is missing of the demo city; return counts of what was created."""
    from flask import current_app

    from commons.documents.seal import ensure_demo_seal

    ensure_demo_seal(current_app.config, echo)
    created = {"users": 0, "commons": 0, "groups": 0, "proposals": 0}
    users = {}
    for email, name, roles, password in USERS:
        user = auth_ops.find_user_by_email(email)
        if user is None:
            user = auth_ops.create_user(email=email, full_name=name, password=password, roles=roles)
            created["users"] += 1
        users[email] = user

    commons_by_name = {}
    for name, kind, address, district, hood, lat, lon, cad, avail, desc in COMMONS:
        commons = db.session.scalar(
            select(Commons).where(Commons.name == name, Commons.address == address)
        )
        if commons is None:
            commons = registry_ops.create_commons(
                actor=users[f"officer@{DOMAIN}"],
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
                owner_office="Ufficio Beni Comuni",
            )
            created["commons"] += 1
        commons_by_name[name] = commons

    groups = {}
    for name, kind, rep, tax, address, members in GROUPS:
        representative = users[rep]
        group = db.session.scalar(
            select(ProponentGroup).where(
                ProponentGroup.name == name, ProponentGroup.representative_id == representative.id
            )
        )
        if group is None:
            group = auth_ops.create_group(
                name=name,
                kind=GroupKind(kind),
                representative=representative,
                tax_code=tax,
                address=address,
                email=rep,
            )
            for member_email in members:
                member = users[member_email]
                auth_ops.add_member(
                    group, full_name=member.full_name, email=member.email, user=member
                )
            created["groups"] += 1
        groups[name] = group

    for group_name, title, pact_type, names, objectives, activities, support, months in PROPOSALS:
        group = groups[group_name]
        exists = db.session.scalar(
            select(Proposal.id).where(Proposal.title == title, Proposal.group_id == group.id)
        )
        if exists is None:
            start = date(2027, 1, 1)
            proposal_ops.create_draft(
                representative=group.representative,
                group=group,
                title=title,
                commons=[commons_by_name[n] for n in names],
                pact_type=pact_type,
                objectives=objectives,
                activities=activities,
                support_requested=support,
                requested_duration_months=months,
                start_date=start,
                end_date=date(start.year + months // 12, start.month, 1),
            )
            created["proposals"] += 1

    people = {"officer": users[f"officer@{DOMAIN}"], "legal": users[f"legal@{DOMAIN}"]}
    passwords = {email: password for email, _n, _r, password in USERS}
    now = datetime.now(UTC)
    for group_name, title, pact_type, names, state, days_ago in LIFECYCLE:
        group = groups[group_name]
        exists = db.session.scalar(
            select(Proposal.id).where(Proposal.title == title, Proposal.group_id == group.id)
        )
        if exists is not None:
            continue
        start = now - timedelta(days=days_ago)
        proposal = proposal_ops.create_draft(
            representative=group.representative,
            group=group,
            title=title,
            commons=[commons_by_name[n] for n in names],
            pact_type=pact_type,
            objectives=f"{title}: care for a shared place of the neighbourhood.",
            activities="Regular volunteer mornings, small repairs, reporting damage.",
            support_requested=["tools", "insurance"],
            requested_duration_months=12,
            now=start - timedelta(hours=2),  # written a little before it was submitted
        )
        cast = {**people, "rep": group.representative}
        renewed_on = _walk(proposal, PATHS[state], cast, passwords, start)
        created["proposals"] += 1
        if state in SUCCESSOR_PATHS:
            (successor,) = proposal.successors
            _walk(successor, SUCCESSOR_PATHS[state], cast, passwords, renewed_on)
            _hand_over(proposal)
            created["proposals"] += 1
    db.session.commit()
    return created


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of every demo account, for printing."""
    from commons.auth.forms import role_label

    return [
        (", ".join(role_label(r) for r in roles), email, password)
        for email, _name, roles, password in USERS
    ]
