"""What the online application's pages read: the commons a proponent may choose."""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import func, or_, select

from commons.extensions import db
from commons.proposals.models import Proposal
from commons.registry.models import Availability, Commons

PLACES_PAGE = 50


def places_list(
    proposal: Proposal, *, q: str = "", district: str = "", chosen: list[Commons] | None = None
) -> dict:
    """Commons offered for a pact, filtered by name/address (``q``) and district; chosen ones
    first (``chosen``: those ticked on a page sent back, else the draft's)."""
    stmt = select(Commons).where(Commons.availability == Availability.AVAILABLE.value)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                Commons.name.ilike(like),
                Commons.address.ilike(like),
                Commons.neighbourhood.ilike(like),
            )
        )
    if district:
        stmt = stmt.where(Commons.district == district)
    chosen = list(proposal.commons if chosen is None else chosen)
    chosen_ids = {c.id for c in chosen}
    found = db.session.scalars(stmt.order_by(Commons.name, Commons.id).limit(PLACES_PAGE + 1)).all()
    more = len(found) > PLACES_PAGE
    others = [c for c in found[:PLACES_PAGE] if c.id not in chosen_ids]
    districts = db.session.scalars(
        select(Commons.district)
        .where(Commons.district.is_not(None), Commons.availability == Availability.AVAILABLE.value)
        .distinct()
        .order_by(Commons.district)
    ).all()
    return {
        "chosen": chosen,
        "others": others,
        "more": more,
        "q": q,
        "district": district,
        "districts": districts,
        **picker_map(chosen + others),
    }


def picker_map(listed: list[Commons]) -> dict:
    """What the map picker needs: the listed commons that have a point, and where to centre.

    The map only helps to fill the real inputs (the list's checkboxes, the new place's
    latitude and longitude); without JavaScript it stays hidden and nothing is lost.
    """
    markers = [
        {
            "id": c.id,
            "name": c.name,
            "address": c.address or "",
            "lat": float(c.latitude),
            "lng": float(c.longitude),
        }
        for c in listed
        if c.latitude is not None and c.longitude is not None
    ]
    centre = None
    if not markers:
        # Nothing listed on the map: centre it on the register's commons, where the city is.
        lat, lng = db.session.execute(
            select(func.avg(Commons.latitude), func.avg(Commons.longitude)).where(
                Commons.latitude.is_not(None), Commons.longitude.is_not(None)
            )
        ).one()
        if lat is not None and lng is not None:
            centre = [round(float(lat), 6), round(float(lng), 6)]
    return {
        "map_markers": json.dumps(markers, ensure_ascii=False),
        "map_centre": json.dumps(centre),
        "tile_url": current_app.config.get("TILE_URL") or "",
        "tile_attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
    }
