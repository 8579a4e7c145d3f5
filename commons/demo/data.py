"""The demo city as data: ``city.toml`` (people, commons, groups) and ``pacts.toml`` (the
applications and the path each lifecycle proposal takes), read into named records.

The records unpack as tuples too, in the order of their fields.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import NamedTuple

from commons.auth.models import Role

HERE = Path(__file__).parent


class DemoUser(NamedTuple):
    email: str
    name: str
    roles: list[Role]
    password: str


class DemoCommons(NamedTuple):
    name: str
    kind: str
    address: str
    district: str
    neighbourhood: str
    latitude: float
    longitude: float
    cadastral_reference: str | None
    availability: str
    description: str


class DemoGroup(NamedTuple):
    name: str
    kind: str
    representative: str  # a user's e-mail
    tax_code: str | None
    address: str
    members: list[str]  # users' e-mails


class DemoApplication(NamedTuple):
    """A proposal left in draft."""

    group: str
    title: str
    pact_type: str
    commons: list[str]
    objectives: str
    activities: str
    support: list[str]
    months: int


class DemoPact(NamedTuple):
    """A proposal taken through the lifecycle to ``state``, submitted ``days_ago``."""

    group: str
    title: str
    pact_type: str
    commons: list[str]
    state: str
    days_ago: int


class Step(NamedTuple):
    """One trigger of a path, fired by ``who`` ``days`` after the previous step."""

    trigger: str
    who: str  # "rep", "officer", "legal" or "system"
    days: int


def _read(name: str) -> dict:
    with (HERE / name).open("rb") as fh:
        return tomllib.load(fh)


def _steps(entries: list[dict], stages: dict[str, list[dict]]) -> list[Step]:
    """The steps of a path, ``{ stage = "..." }`` replaced by that stage's steps."""
    steps: list[Step] = []
    for entry in entries:
        if "stage" in entry:
            steps.extend(_steps(stages[entry["stage"]], stages))
        else:
            steps.append(Step(entry["fire"], entry["by"], entry["days"]))
    return steps


_CITY = _read("city.toml")
_PACTS = _read("pacts.toml")

OWNER_OFFICE: str = _CITY["owner_office"]
USERS = [
    DemoUser(u["email"], u["name"], [Role(r) for r in u["roles"]], u["password"])
    for u in _CITY["users"]
]
COMMONS = [DemoCommons(**{"cadastral_reference": None, **c}) for c in _CITY["commons"]]
GROUPS = [DemoGroup(**{"tax_code": None, **g}) for g in _CITY["groups"]]

APPLICATIONS_START: date = _PACTS["applications_term"]["start"]
PROPOSALS = [DemoApplication(**a) for a in _PACTS["applications"]]
LIFECYCLE = [
    DemoPact(
        p["group"], p["title"], p["pact_type"], p["commons"], p["state"], p["submitted_days_ago"]
    )
    for p in _PACTS["pacts"]
]
PACT_APPLICATION: dict = _PACTS["pact_application"]
AGREEMENT: dict = _PACTS["co_design_agreement"]
_STAGES = _PACTS["stages"]
PATHS: dict[str, list[Step]] = {s: _steps(p, _STAGES) for s, p in _PACTS["paths"].items()}
SUCCESSOR_PATHS: dict[str, list[Step]] = {
    s: _steps(p, _STAGES) for s, p in _PACTS["successor_paths"].items()
}
STEP_DATA: dict[str, dict] = _PACTS["step_data"]
