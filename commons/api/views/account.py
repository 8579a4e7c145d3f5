"""The API's account endpoint: who the token belongs to."""

from __future__ import annotations

from sqlalchemy import select

from commons.api import schemas as s
from commons.api.views.base import api_bp, ensure, user
from commons.extensions import db
from commons.groups.models import ProponentGroup


@api_bp.get("/me", tags=["Account"])
@api_bp.response(200, s.MeOut)
def me():
    """The account the token belongs to, its roles and the groups it represents."""
    ensure("account.manage")
    groups = db.session.scalars(
        select(ProponentGroup)
        .where(ProponentGroup.representative_id == user().id)
        .order_by(ProponentGroup.id)
    ).all()
    return {
        "id": user().id,
        "full_name": user().full_name,
        "email": user().email,
        "roles": sorted(str(r) for r in user().roles),
        "groups": groups,
    }
