"""The offers and needs in the open data: offers.csv, the published posts (what they say and
where; never who posted or answered them). Read in the session the streamed response gives
(commons.public.opendata.stream)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from commons.offers.queries import open_data_rows
from commons.public.opendata_formats import Field, csv_lines

POST_FIELDS = (
    Field("id", "integer", _l("Identifier of the offer or need.")),
    Field("kind", "string", _l("offer (something given) or need (something looked for).")),
    Field(
        "category",
        "string",
        _l("What it is about: volunteers, skills, materials, spaces or small_funds."),
    ),
    Field("title", "string", _l("Its title.")),
    Field("description", "string", _l("What is offered or needed, and what for.")),
    Field("quantity", "string", _l("How much or how many, as its poster says it; may be empty.")),
    Field("timing", "string", _l("When, as its poster says it; may be empty.")),
    Field(
        "commons_id", "integer", _l("Identifier of the commons it is about (see commons.geojson).")
    ),
    Field(
        "pact_id",
        "integer",
        _l("Identifier of the pact in force it is about, if any (see pacts.csv)."),
    ),
    Field("district", "string", _l("District of that commons.")),
    Field(
        "posted_for", "string", _l("group (posted for a proponent group) or city (by the office).")
    ),
    Field("published_at", "datetime", _l("When the office published it, in UTC (ISO 8601).")),
)


def offers_csv(session: Session) -> Iterator[str]:
    return csv_lines(POST_FIELDS, open_data_rows(session))
