"""A realistic demo city, loaded through the same operations as real use.

Running it again adds only what is missing, so a second ``make run`` keeps existing data.
The layout follows a mid-sized Italian city (six districts around a historic centre).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from commons.auth import operations as auth_ops
from commons.auth.models import GroupKind, ProponentGroup, Role
from commons.extensions import db
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


def load_demo(echo=print) -> dict:
    """Create what is missing of the demo city; return counts of what was created."""
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
    db.session.commit()
    return created


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of every demo account, for printing."""
    from commons.auth.forms import role_label

    return [
        (", ".join(role_label(r) for r in roles), email, password)
        for email, _name, roles, password in USERS
    ]
