"""Public pages: the home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from commons.extensions import db
from commons.proposals.models import Proposal
from commons.registry.models import Commons

public_bp = Blueprint("public", __name__)

# States in which a pact is in force, for the counts on the home page.
IN_FORCE = ("active", "suspended", "renewal_review")


@public_bp.get("/")
def home():
    commons_count = db.session.scalar(select(func.count()).select_from(Commons)) or 0
    pacts_in_force = (
        db.session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.status.in_(IN_FORCE))
        )
        or 0
    )
    return render_template(
        "public/home.html", commons_count=commons_count, pacts_in_force=pacts_in_force
    )
