"""The words a city uses for its districts and neighbourhoods.

Cities name their subdivisions differently (in Italian, "Quartiere" is a district in Bologna
and a neighbourhood elsewhere): ``COMMONS_DISTRICT_LABEL`` and ``COMMONS_NEIGHBOURHOOD_LABEL``
replace the translated defaults everywhere the register shows them.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _


def district_label() -> str:
    return current_app.config.get("DISTRICT_LABEL") or _("District")


def neighbourhood_label() -> str:
    return current_app.config.get("NEIGHBOURHOOD_LABEL") or _("Neighbourhood")


DISTRICT = LazyString(district_label)
NEIGHBOURHOOD = LazyString(neighbourhood_label)


def register(app) -> None:
    """The Jinja globals ``district_label()`` and ``neighbourhood_label()``."""
    app.jinja_env.globals.update(
        district_label=district_label, neighbourhood_label=neighbourhood_label
    )
