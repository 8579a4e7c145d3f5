"""The register of commons: list with filters, detail, and the officers' editing pages."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Exists, Select, func, select, text, tuple_

import workflows
from commons.auth.permissions import permission_required
from commons.extensions import db
from commons.forms import FormTransaction, render_form
from commons.pagination import decode_cursor, encode_cursor
from commons.proposals.labels import state_label
from commons.proposals.models import Proposal, proposal_commons
from commons.public import maps, opendata
from commons.registry import operations, search
from commons.registry.forms import AVAILABILITY_LABELS, KIND_LABELS, CommonsForm
from commons.registry.models import Availability, Commons, CommonsKind

registry_bp = Blueprint("registry", __name__, url_prefix="/commons")
PAGE_SIZE = 25


def pact_state_groups() -> dict[str, frozenset[str]]:
    """The states of proposals behind each choice of the "pacts" filter, over every profile."""
    states: set[str] = set()
    terminal: set[str] = set()
    in_force: set[str] = set()
    for name in workflows.profile_names():
        profile = workflows.get_profile(name)
        states |= set(profile.states)
        terminal |= set(profile.terminal)
        in_force |= set(profile.in_force)
    states.discard("draft")
    return {
        "in_force": frozenset(in_force),
        "public_notice": frozenset({"public_notice"} & states),
        "in_progress": frozenset(states - terminal - in_force - {"public_notice"}),
        "ended": frozenset(terminal),
    }


def pact_filter_labels() -> dict[str, str]:
    return {
        "in_force": _("With a pact in force"),
        "public_notice": _("With a proposal under public notice"),
        "in_progress": _("With a proposal being examined"),
        "ended": _("With an ended pact or closed proposal"),
        "none": _("With no proposal yet"),
    }


PACT_FILTERS = ("in_force", "public_notice", "in_progress", "ended", "none")
# Few commons pass these: read their proposals first rather than probe commons one by one.
SPARSE_PACT_FILTERS = frozenset({"public_notice"})


def _filters() -> dict:
    args = request.args
    return {
        "q": (args.get("q") or "").strip()[:200],
        "district": (args.get("district") or "").strip(),
        "kind": args.get("kind") if args.get("kind") in {k.value for k in CommonsKind} else "",
        "availability": args.get("availability")
        if args.get("availability") in {a.value for a in Availability}
        else "",
        "pacts": args.get("pacts") if args.get("pacts") in PACT_FILTERS else "",
    }


def _with_proposals_in(states):
    """The commons has at least one proposal in one of ``states``.

    An IN over the (few) commons with such proposals: for a rare state (public notice) the
    database reads those proposals once instead of probing every commons along the (name, id)
    order until a page is full.
    """
    return Commons.id.in_(
        select(proposal_commons.c.commons_id)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(Proposal.status.in_(sorted(states)))
    )


def _with_proposals_in_exists(states) -> Exists:
    """The same test as a correlated EXISTS: best when many commons pass it, since the page is
    then found after probing a few dozen commons along the (name, id) order."""
    return (
        select(proposal_commons.c.commons_id)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(proposal_commons.c.commons_id == Commons.id, Proposal.status.in_(sorted(states)))
        .exists()
    )


def _with_any_proposal() -> Exists:
    """The commons has a proposal that left draft (most have: a correlated NOT EXISTS)."""
    return (
        select(proposal_commons.c.commons_id)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(proposal_commons.c.commons_id == Commons.id, Proposal.status != "draft")
        .exists()
    )


def register_statement(f: dict) -> Select:
    """The commons matching the register's filters (no order, no paging)."""
    stmt = select(Commons)
    if f["q"]:
        clause = search.matches(f["q"], db.engine.dialect.name)
        if clause is not None:
            stmt = stmt.where(clause)
    if f["district"]:
        stmt = stmt.where(Commons.district == f["district"])
    if f["kind"]:
        stmt = stmt.where(Commons.kind == f["kind"])
    if f["availability"]:
        stmt = stmt.where(Commons.availability == f["availability"])
    if f["pacts"] == "none":
        stmt = stmt.where(~_with_any_proposal())
    elif f["pacts"] in SPARSE_PACT_FILTERS:
        stmt = stmt.where(_with_proposals_in(pact_state_groups()[f["pacts"]]))
    elif f["pacts"]:
        stmt = stmt.where(_with_proposals_in_exists(pact_state_groups()[f["pacts"]]))
    return stmt


# A loose index scan: one index seek per district instead of reading the whole index, which
# SELECT DISTINCT does on both SQLite and PostgreSQL (a city has a handful of districts and
# the register may hold 100,000 commons).
DISTRICTS_SQL = text(
    "WITH RECURSIVE d(name) AS ("
    " SELECT min(district) FROM commons"
    " UNION ALL"
    " SELECT (SELECT min(district) FROM commons WHERE district > d.name) FROM d"
    " WHERE d.name IS NOT NULL"
    ") SELECT name FROM d WHERE name IS NOT NULL"
)


def districts() -> list[str]:
    """The districts of the register, in order."""
    return list(db.session.scalars(DISTRICTS_SQL))


def _pacts_in_force(ids: list[int]) -> dict[int, int]:
    """How many pacts are in force on each of these commons: one query for the page."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(proposal_commons.c.commons_id, func.count())
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(
            proposal_commons.c.commons_id.in_(ids),
            Proposal.status.in_(sorted(pact_state_groups()["in_force"])),
        )
        .group_by(proposal_commons.c.commons_id)
    )
    return dict(rows.all())


@registry_bp.get("/")
def index():
    """The register, filtered and paged by (name, id); the map reads the same filters."""
    f = _filters()
    stmt = register_statement(f)
    after = decode_cursor(request.args.get("after"))
    if after and len(after) == 2:
        # Row-value comparison: SQLite (3.15+) and PostgreSQL both use the (name, id) index.
        try:
            stmt = stmt.where(
                tuple_(Commons.name, Commons.id) > tuple_(str(after[0]), int(after[1]))
            )
        except (TypeError, ValueError):
            after = None
    rows = db.session.scalars(stmt.order_by(Commons.name, Commons.id).limit(PAGE_SIZE + 1)).all()
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = encode_cursor([rows[-1].name, rows[-1].id])
    query = {k: v for k, v in f.items() if v}
    return render_template(
        "registry/index.html",
        commons=rows,
        filters=f,
        query=query,
        districts=districts(),
        kinds=KIND_LABELS,
        availabilities=AVAILABILITY_LABELS,
        pact_filters=pact_filter_labels(),
        in_force=_pacts_in_force([c.id for c in rows]),
        next_cursor=next_cursor,
        paged=bool(after),
        tile_url=current_app.config.get("TILE_URL") or "",
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
    )


@registry_bp.get("/map.geojson")
def map_geojson():
    """Every commons matching the register's filters, as markers and outlines (not paged)."""
    stmt = register_statement(_filters())
    prefix = url_for("registry.index")
    chunks = opendata.stream(lambda session: maps.collection(maps.features(session, stmt, prefix)))
    return Response(chunks, content_type="application/geo+json; charset=utf-8")


def _load(commons_id: int) -> Commons:
    return db.session.get(Commons, commons_id) or abort(404)


def pacts_over_time(commons: Commons) -> list[Proposal]:
    """The proposals and pacts on this commons that left draft, oldest first."""
    started = func.coalesce(Proposal.submitted_at, Proposal.created_at)
    return list(
        db.session.scalars(
            select(Proposal)
            .join(proposal_commons, proposal_commons.c.proposal_id == Proposal.id)
            .where(proposal_commons.c.commons_id == commons.id, Proposal.status != "draft")
            .order_by(started, Proposal.id)
        )
    )


@registry_bp.get("/<int:commons_id>")
def detail(commons_id: int):
    """A commons: what and where it is, and the proposals and pacts on it over time."""
    commons = _load(commons_id)
    return render_template(
        "registry/detail.html",
        commons=commons,
        pacts=pacts_over_time(commons),
        map_geojson=json.dumps(
            {"type": "FeatureCollection", "features": list(maps.commons_features(commons))}
        ),
        state_label=state_label,
        tile_url=current_app.config.get("TILE_URL") or "",
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
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
        with FormTransaction(form) as saved:
            commons = operations.create_commons(actor=current_user, **_form_values(form))
        if saved:
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
        with FormTransaction(form) as saved:
            operations.update_commons(commons, actor=current_user, **_form_values(form))
        if saved:
            flash(_("Changes saved."), "success")
            return redirect(url_for("registry.detail", commons_id=commons.id))
    return render_form("registry/form.html", form=form, commons=commons)
