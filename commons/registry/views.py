"""The register of commons: list with filters, detail, and the officers' editing pages."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import distinct, or_, select, tuple_

from commons.auth.permissions import permission_required
from commons.errors import DomainError
from commons.extensions import db
from commons.forms import attach_error, render_form
from commons.pagination import decode_cursor, encode_cursor
from commons.registry import operations
from commons.registry.forms import AVAILABILITY_LABELS, KIND_LABELS, CommonsForm
from commons.registry.models import Availability, Commons, CommonsKind

registry_bp = Blueprint("registry", __name__, url_prefix="/commons")
PAGE_SIZE = 25


def _filters() -> dict:
    args = request.args
    return {
        "q": (args.get("q") or "").strip(),
        "district": (args.get("district") or "").strip(),
        "kind": args.get("kind") if args.get("kind") in {k.value for k in CommonsKind} else "",
        "availability": args.get("availability")
        if args.get("availability") in {a.value for a in Availability}
        else "",
    }


@registry_bp.get("/")
def index():
    """The register, filtered and paged by (name, id)."""
    f = _filters()
    stmt = select(Commons)
    if f["q"]:
        like = f"%{f['q']}%"
        stmt = stmt.where(
            or_(
                Commons.name.ilike(like),
                Commons.address.ilike(like),
                Commons.neighbourhood.ilike(like),
            )
        )
    if f["district"]:
        stmt = stmt.where(Commons.district == f["district"])
    if f["kind"]:
        stmt = stmt.where(Commons.kind == f["kind"])
    if f["availability"]:
        stmt = stmt.where(Commons.availability == f["availability"])
    after = decode_cursor(request.args.get("after"))
    if after and len(after) == 2:
        # Row-value comparison: SQLite (3.15+) and PostgreSQL both use the (name, id) index.
        stmt = stmt.where(tuple_(Commons.name, Commons.id) > tuple_(str(after[0]), int(after[1])))
    rows = db.session.scalars(stmt.order_by(Commons.name, Commons.id).limit(PAGE_SIZE + 1)).all()
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = encode_cursor([rows[-1].name, rows[-1].id])
    districts = db.session.scalars(
        select(distinct(Commons.district))
        .where(Commons.district.is_not(None))
        .order_by(Commons.district)
    ).all()
    return render_template(
        "registry/index.html",
        commons=rows,
        filters=f,
        districts=districts,
        kinds=KIND_LABELS,
        availabilities=AVAILABILITY_LABELS,
        next_cursor=next_cursor,
        paged=bool(after),
    )


def _load(commons_id: int) -> Commons:
    return db.session.get(Commons, commons_id) or abort(404)


@registry_bp.get("/<int:commons_id>")
def detail(commons_id: int):
    commons = _load(commons_id)
    return render_template(
        "registry/detail.html",
        commons=commons,
        kinds=KIND_LABELS,
        availabilities=AVAILABILITY_LABELS,
        geometry_json=json.dumps(commons.geometry) if commons.geometry else "",
    )


def _form_values(form: CommonsForm) -> dict:
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "description": form.description.data or "",
        "address": form.address.data,
        "district": form.district.data,
        "neighbourhood": form.neighbourhood.data,
        "latitude": form.latitude.value,
        "longitude": form.longitude.value,
        "geometry": getattr(form.geometry, "parsed", None),
        "cadastral_reference": form.cadastral_reference.data,
        "owner_office": form.owner_office.data,
        "availability": form.availability.data,
    }


@registry_bp.route("/new", methods=["GET", "POST"])
@permission_required("commons.edit")
def create():
    form = CommonsForm()
    if form.validate_on_submit():
        try:
            commons = operations.create_commons(actor=current_user, **_form_values(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s added to the register.", name=commons.name), "success")
            return redirect(url_for("registry.detail", commons_id=commons.id))
    return render_form("registry/form.html", form=form, commons=None)


@registry_bp.route("/<int:commons_id>/edit", methods=["GET", "POST"])
@permission_required("commons.edit")
def edit(commons_id: int):
    commons = _load(commons_id)
    form = CommonsForm(obj=commons if request.method == "GET" else None)
    if request.method == "GET":
        form.latitude.data = "" if commons.latitude is None else str(commons.latitude)
        form.longitude.data = "" if commons.longitude is None else str(commons.longitude)
        form.geometry.data = json.dumps(commons.geometry) if commons.geometry else ""
    if form.validate_on_submit():
        try:
            operations.update_commons(commons, actor=current_user, **_form_values(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("registry.detail", commons_id=commons.id))
    return render_form("registry/form.html", form=form, commons=commons)
