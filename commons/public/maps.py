"""The register's map: tile server settings and the GeoJSON of the commons it shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

from sqlalchemy import Select
from sqlalchemy.orm import Session

from commons.public.opendata import _geometry
from commons.registry.models import Commons

BATCH = 1000


def tile_origin(tile_url: str) -> str:
    """The scheme and host of a tile URL template, for the CSP; '' when there is none."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc
    if "{s}" in tile_url:
        # Leaflet's sub-domains (a., b., c.) all belong to the same tile service.
        host = urlsplit(tile_url.replace("{s}", "*")).netloc
    return f"{parts.scheme}://{host}"


def commons_features(
    commons: Commons, detail_prefix: str = "", offered: set[int] | frozenset = frozenset()
) -> list[dict]:
    """One commons as map features: its marker, and its outline when it has one; ``offered``:
    the commons a call open now offers (highlighted)."""
    properties = {
        "id": commons.id,
        "name": commons.name,
        "kind": commons.kind,
        "availability": commons.availability,
        "url": f"{detail_prefix}{commons.id}" if detail_prefix else "",
    }
    if commons.id in offered:
        properties["offered"] = True
    found = []
    if commons.latitude is not None and commons.longitude is not None:
        coordinates = [float(commons.longitude), float(commons.latitude)]
        point = {"type": "Point", "coordinates": coordinates}
        found.append(
            {"type": "Feature", "id": commons.id, "geometry": point, "properties": properties}
        )
    outline = _geometry(commons)
    if outline is not None and outline["type"] != "Point":
        found.append(
            {
                "type": "Feature",
                "id": f"{commons.id}-outline",
                "geometry": outline,
                "properties": {**properties, "outline": True},
            }
        )
    return found


def features(
    session: Session, stmt: Select, detail_prefix: str, offered: set[int] | frozenset = frozenset()
) -> Iterator[dict]:
    """Each commons as a marker (its point) and, when it has one, its outline.

    ``detail_prefix`` is the address of the register ("/commons/"): a commons' page is the
    prefix followed by its id.
    """
    query = stmt.order_by(Commons.id).execution_options(yield_per=BATCH)
    for commons in session.scalars(query):
        yield from commons_features(commons, detail_prefix, offered)


def collection(items: Iterator[dict]) -> Iterator[str]:
    """A GeoJSON FeatureCollection, produced as it is read."""
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]}\n"
