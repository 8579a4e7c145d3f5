"""A realistic demo city, loaded through the same operations as real use (``commons demo``).

The city is data: ``city.toml`` (people, commons, groups) and ``pacts.toml`` (applications,
and the dated path each lifecycle proposal takes), read by ``data.py``; ``loader.py`` creates
what is missing of it, without committing.
"""

from commons.demo.data import (
    COMMONS,
    GROUPS,
    LIFECYCLE,
    PATHS,
    PROPOSALS,
    STEP_DATA,
    SUCCESSOR_PATHS,
    USERS,
)
from commons.demo.loader import demo_logins, hand_over, load_demo, walk

__all__ = [
    "COMMONS",
    "GROUPS",
    "LIFECYCLE",
    "PATHS",
    "PROPOSALS",
    "STEP_DATA",
    "SUCCESSOR_PATHS",
    "USERS",
    "demo_logins",
    "hand_over",
    "load_demo",
    "walk",
]
