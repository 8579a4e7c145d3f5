"""The generated city: its places, people and words (bench/data/city.toml), and its names.

``bench.generate`` draws from these; the data file holds what a city would change (its
districts, streets, names, how often each kind of commons and each state occurs), this module
only reads it and composes names and tax codes from it.
"""

from __future__ import annotations

import random
import re
import tomllib
from itertools import accumulate
from pathlib import Path

from commons.groups.models import GroupKind
from commons.registry.models import CommonsKind

CITY_FILE = Path(__file__).parent / "data" / "city.toml"


def load_city(path: Path = CITY_FILE) -> dict:
    """The city's data file, its kinds of commons as ``CommonsKind`` (an unknown one fails)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    data["commons_kinds"] = {CommonsKind(k): v for k, v in data["commons_kinds"].items()}
    return data


CITY = load_city()

# district -> (population weight, {neighbourhood: (lat, lon) of its centre}, streets)
DISTRICTS: dict[str, tuple[int, dict[str, tuple[float, float]], list[str]]] = {
    name: (
        d["weight"],
        {hood: (lat, lon) for hood, (lat, lon) in d["neighbourhoods"].items()},
        d["streets"],
    )
    for name, d in CITY["districts"].items()
}
DEDICATIONS: list[str] = CITY["people"]["dedications"]
FIRST_NAMES_F: list[str] = CITY["people"]["first_names_female"]
FIRST_NAMES_M: list[str] = CITY["people"]["first_names_male"]
SURNAMES: list[str] = CITY["people"]["surnames"]
KIND_WEIGHTS = {kind: v["weight"] for kind, v in CITY["commons_kinds"].items()}
OWNER_OFFICES = {
    kind: v["owner_office"] for kind, v in CITY["commons_kinds"].items() if "owner_office" in v
}
DESCRIPTIONS = {kind: v["description"] for kind, v in CITY["commons_kinds"].items()}
BUILDINGS: list[str] = CITY["names"]["buildings"]
OTHERS: list[str] = CITY["names"]["others"]
# (title, objectives, activities, fits complex pacts)
ACTIVITIES = [
    (a["title"], a["objectives"], a["activities"], a["complex"]) for a in CITY["activities"]
]
STATUS_WEIGHTS: dict[str, int] = CITY["proposal_states"]
TERM_MONTHS = {False: CITY["term_months"]["ordinary"], True: CITY["term_months"]["complex"]}
INTEGRATION_REQUESTS: list[str] = CITY["texts"]["integration_requests"]
INTEGRATION_ANSWERS: list[str] = CITY["texts"]["integration_answers"]
REASONS: dict[str, list[str]] = CITY["reasons"]


def _weighted(mapping: dict) -> tuple[list, list[int]]:
    """The keys and the cumulative weights of a mapping, for ``random.choices``."""
    return list(mapping), list(accumulate(mapping.values()))


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
