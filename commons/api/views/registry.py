"""The API's register of commons: list, read, add, change."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from commons.api import schemas as s
from commons.api.views.base import (
    _cursor,
    _get,
    _int,
    _page,
    api_bp,
    documented_errors,
    ensure,
    user,
)
from commons.extensions import db
from commons.registry import operations as registry_ops
from commons.registry.models import Commons


@api_bp.get("/commons", tags=["Commons"])
@api_bp.arguments(s.CommonsListArgs, location="query")
@api_bp.response(200, s.page_of(s.CommonsOut, "CommonsPage"))
def commons_list(args):
    """The register of commons, by name; filter by kind, availability, district or name."""
    ensure("commons.view")
    stmt = select(Commons)
    for key in ("kind", "availability", "district"):
        if args.get(key):
            stmt = stmt.where(getattr(Commons, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(Commons.name.ilike(f"%{args['q']}%"))
    after = _cursor(args)
    if after is not None:
        name, pk = str(after[0]), _int(after[1])
        stmt = stmt.where(or_(Commons.name > name, and_(Commons.name == name, Commons.id > pk)))
    rows = db.session.scalars(stmt.order_by(Commons.name, Commons.id).limit(args["limit"] + 1))
    return _page(list(rows), args["limit"], lambda c: [c.name, c.id])


@api_bp.get("/commons/<int:commons_id>", tags=["Commons"])
@api_bp.response(200, s.CommonsDetailOut)
def commons_get(commons_id: int):
    """One commons of the register, with the public part of its asset dossier and its
    inspections."""
    ensure("commons.view")
    return _get(Commons, commons_id)


@api_bp.post("/commons", tags=["Commons"])
@api_bp.arguments(s.CommonsIn)
@api_bp.response(201, s.CommonsOut)
@documented_errors(401, 403)
def commons_create(data):
    """Add a commons to the register (officers and administrators)."""
    ensure("commons.edit")
    created = registry_ops.create_commons(actor=user(), **data)
    return created


@api_bp.patch("/commons/<int:commons_id>", tags=["Commons"])
@api_bp.arguments(s.patch_of(s.CommonsPatch))
@api_bp.response(200, s.CommonsOut)
@documented_errors(401, 403, 404, 409)
def commons_update(data, commons_id: int):
    """Change a commons' details (officers and administrators); send only what changes, with
    the `version` you read as `expected_version`."""
    commons = _get(Commons, commons_id)
    ensure("commons.edit", commons)
    base = data.pop("expected_version")
    registry_ops.update_commons(commons, actor=user(), base_version=base, **data)
    return commons
