"""The register of commons: list with filters, detail, and the officers' editing pages."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from functools import partial

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
from sqlalchemy import ColumnElement, Exists, Select, func, or_, select, text, tuple_, union_all

import workflows
from commons.auth.permissions import permission_required
from commons.documents.terms import is_approved
from commons.extensions import db
from commons.forms import FormTransaction, render_form
from commons.lifecycle.states import in_any_profile
from commons.pagination import decode_cursor, encode_cursor
from commons.proposals.labels import state_label
from commons.proposals.models import Proposal, proposal_commons
from commons.proposals.standing import city_today, standing
from commons.public import maps, opendata
from commons.registry import operations, search
from commons.registry.forms import (
    ACCESSIBILITY_LABELS,
    AVAILABILITY_LABELS,
    CONDITION_LABELS,
    FACT_LABELS,
    FIRE_LABELS,
    KIND_LABELS,
    OWNER_LABELS,
    RELIABILITY_LABELS,
    UTILITY_LABELS,
    UTILITY_NAMES,
    CommonsForm,
    DossierForm,
    InspectionForm,
)
from commons.registry.models import (
    FACTS,
    AssetDossier,
    Availability,
    Commons,
    CommonsKind,
    ConditionRating,
)
from commons.registry.queries import (
    districts,
    dossier_clause,
    inspections_of,
    vacant_map_features,
    vacant_since_of,
)

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
    states -= in_any_profile(lambda p: {p.initial})
    notice = in_any_profile(lambda p: p.tagged("public_notice"))
    return {
        "in_force": frozenset(in_force),
        "public_notice": notice,
        "in_progress": frozenset(states - terminal - in_force - notice),
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
        # "open": offered by a call open now (commons.calls).
        "call": "open" if args.get("call") == "open" else "",
        "vacant": "1" if args.get("vacant") == "1" else "",
        "condition": args.get("condition")
        if args.get("condition") in {c.value for c in ConditionRating}
        else "",
        "area_min": _area(args.get("area_min")),
        "area_max": _area(args.get("area_max")),
    }


def _area(text: str | None) -> str:
    """A floor area bound of the filters as typed ("650,5" too) when it is a number of zero or
    more, else "" (ignored, as any other filter value not offered)."""
    typed = (text or "").strip()[:20]
    return typed if _area_value(typed) is not None else ""


def _area_value(typed: str) -> Decimal | None:
    try:
        value = Decimal(typed.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _with_proposals_in(states, key=Commons.id):
    """The commons has at least one proposal in one of ``states``.

    An IN over the (few) commons with such proposals: for a rare state (public notice) the
    database reads those proposals once instead of probing every commons along the (name, id)
    order until a page is full.
    """
    return key.in_(
        select(proposal_commons.c.commons_id)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(Proposal.status.in_(sorted(states)))
    )


def _with_proposals_in_exists(states, key=Commons.id) -> Exists:
    """The same test as a correlated EXISTS: best when many commons pass it, since the page is
    then found after probing a few dozen commons along the (name, id) order."""
    return (
        select(proposal_commons.c.commons_id)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(proposal_commons.c.commons_id == key, Proposal.status.in_(sorted(states)))
        .exists()
    )


def _with_any_proposal(key=Commons.id) -> Exists:
    """The commons has a proposal that left draft (most have: a correlated NOT EXISTS)."""
    return (
        select(proposal_commons.c.commons_id)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(proposal_commons.c.commons_id == key, Proposal.is_public)
        .exists()
    )


def pacts_clause(choice: str, key=Commons.id) -> ColumnElement[bool] | None:
    """The pacts filter on the commons whose id is ``key`` (None: no filter)."""
    if choice == "none":
        return ~_with_any_proposal(key)
    if choice in SPARSE_PACT_FILTERS:
        return _with_proposals_in(pact_state_groups()[choice], key)
    if choice:
        return _with_proposals_in_exists(pact_state_groups()[choice], key)
    return None


def register_statement(f: dict, strategy: str | None = None, *, pacts: bool = True) -> Select:
    """The commons matching the register's filters (no order, no paging).

    ``strategy``: how a search is paged (search.strategy). ``pacts``: False to leave out the
    pacts filter (applied by the caller).
    """
    stmt = select(Commons)
    if f["q"]:
        clause = search.matches(f["q"], db.engine.dialect.name, walk=strategy == "walk")
        if clause is not None:
            stmt = stmt.where(clause)
    if f["district"]:
        stmt = stmt.where(Commons.district == f["district"])
    if f["kind"]:
        stmt = stmt.where(Commons.kind == f["kind"])
    if f["availability"]:
        stmt = stmt.where(Commons.availability == f["availability"])
    clause = dossier_clause(
        vacant=bool(f.get("vacant")),
        condition=f.get("condition") or "",
        area_min=_area_value(f["area_min"]) if f.get("area_min") else None,
        area_max=_area_value(f["area_max"]) if f.get("area_max") else None,
    )
    if clause is not None:
        stmt = stmt.where(clause)
    if f.get("call"):
        from commons.calls.queries import offered_by_open_calls

        stmt = stmt.where(Commons.id.in_(offered_by_open_calls()))
    clause = pacts_clause(f["pacts"]) if pacts else None
    if clause is not None:
        stmt = stmt.where(clause)
    return stmt


def _pacts_in_force(ids: list[int]) -> dict[int, dict]:
    """For each of these commons, how many pacts are in force today, and the renewals signed
    but not started ("starts_on": their first days) or planned: one query for the page."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(proposal_commons.c.commons_id, Proposal)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(
            proposal_commons.c.commons_id.in_(ids),
            or_(
                Proposal.status.in_(sorted(pact_state_groups()["in_force"])),
                Proposal.predecessor_id.is_not(None)
                & Proposal.is_public
                & Proposal.status.not_in(sorted(pact_state_groups()["ended"])),
            ),
        )
    )
    today = city_today()
    found: dict[int, dict] = {}
    for commons_id, proposal in rows.all():
        entry = found.setdefault(commons_id, {"count": 0, "starts_on": [], "planned": 0})
        where = standing(proposal, today)
        if where.in_force:
            entry["count"] += 1
        elif where.kind == "starts_on":
            entry["starts_on"].append(where.label)
        elif where.kind == "planned":
            entry["planned"] += 1
    return found


# The pacts filter is first tried on this many matches following the previous page.
COLLECT_WINDOW = PAGE_SIZE * 8


def _collected_page(f: dict, after: list | None) -> list[Commons]:
    """A page of a search whose matches are collected (search.strategy), in one query.

    Every match of the words and of the plain column filters (id and name only) is read
    through the indexes into a materialised CTE, so that the database cannot walk the
    (name, id) index instead; the page is cut out of them in (name, id) order and its rows are
    read by id. The pacts filter, a probe of a commons' proposals, is first applied to the
    ``COLLECT_WINDOW`` matches following the previous page: when they hold a page, that page is
    exact (they are the start of the order). Only otherwise is it applied to every match after
    the previous page (a branch the database skips when the window was enough).
    """
    stmt = register_statement(f, "collect", pacts=False)
    hits = stmt.with_only_columns(Commons.id, Commons.name).cte("hits").prefix_with("MATERIALIZED")
    following = select(hits.c.id, hits.c.name)
    if after:
        following = following.where(tuple_(hits.c.name, hits.c.id) > tuple_(*after))

    def page_ids(candidates) -> Select:
        ids = select(candidates.c.id)
        clause = pacts_clause(f["pacts"], candidates.c.id)
        if clause is not None:
            ids = ids.where(clause)
        return ids.order_by(candidates.c.name, candidates.c.id).limit(PAGE_SIZE + 1)

    if not f["pacts"]:
        ids = page_ids(following.subquery("following"))
    else:
        window = following.order_by(hits.c.name, hits.c.id).limit(COLLECT_WINDOW)
        in_window = page_ids(window.subquery("nearby")).cte("in_window").prefix_with("MATERIALIZED")
        window_short = select(func.count()).select_from(in_window).scalar_subquery() <= PAGE_SIZE
        # Each branch a subquery of its own: SQLite allows no LIMIT in a member of a UNION.
        rest = page_ids(following.subquery("following")).where(window_short).subquery("rest")
        ids = union_all(select(in_window.c.id), select(rest.c.id))
    query = select(Commons).where(Commons.id.in_(ids)).order_by(Commons.name, Commons.id)
    return list(db.session.scalars(query.limit(PAGE_SIZE + 1)))


@registry_bp.get("/")
def index():
    """The register, filtered and paged by (name, id); the map reads the same filters."""
    f = _filters()
    strategy = search.strategy(db.session, f["q"], db.engine.dialect.name) if f["q"] else None
    after = decode_cursor(request.args.get("after"))
    if after is not None:
        try:
            after = [str(after[0]), int(after[1])] if len(after) == 2 else None
        except (TypeError, ValueError):
            after = None
    if strategy and db.engine.dialect.name == "postgresql":
        # A search reads at most a few thousand index entries and rows: not worth starting
        # parallel workers for (it made the page slower), and a web page should not take the
        # other requests' CPUs.
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    if strategy == "collect":
        rows = _collected_page(f, after)
    else:
        stmt = register_statement(f, strategy)
        if after:
            # Row-value comparison: SQLite (3.15+) and PostgreSQL both use the (name, id) index.
            stmt = stmt.where(tuple_(Commons.name, Commons.id) > tuple_(*after))
        rows = db.session.scalars(
            stmt.order_by(Commons.name, Commons.id).limit(PAGE_SIZE + 1)
        ).all()
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = encode_cursor([rows[-1].name, rows[-1].id])
    from commons.calls.queries import offered_commons_ids

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
        conditions=CONDITION_LABELS,
        in_force=_pacts_in_force([c.id for c in rows]),
        vacant_since=vacant_since_of([c.id for c in rows]),
        offered=offered_commons_ids(),
        next_cursor=next_cursor,
        paged=bool(after),
        tile_url=current_app.config.get("TILE_URL") or "",
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
    )


@registry_bp.get("/map.geojson")
def map_geojson():
    """Every commons matching the register's filters, as markers and outlines (not paged)."""
    from commons.calls.queries import offered_commons_ids

    stmt = register_statement(_filters())
    prefix = url_for("registry.index")
    offered = offered_commons_ids()
    chunks = opendata.stream(
        lambda session: maps.collection(maps.features(session, stmt, prefix, offered))
    )
    return Response(chunks, content_type="application/geo+json; charset=utf-8")


@registry_bp.get("/vacant.geojson")
def vacant_geojson():
    """The map layer "Vacant places": every vacant commons with a position."""
    features = vacant_map_features(db.session, url_for("registry.index"), CONDITION_LABELS)
    collection = {"type": "FeatureCollection", "features": list(features)}
    return Response(
        json.dumps(collection, ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )


def _load(commons_id: int) -> Commons:
    return db.session.get(Commons, commons_id) or abort(404)


def pacts_over_time(commons: Commons) -> list[Proposal]:
    """The proposals and pacts on this commons that left draft, oldest first."""
    started = func.coalesce(Proposal.submitted_at, Proposal.created_at)
    return list(
        db.session.scalars(
            select(Proposal)
            .join(proposal_commons, proposal_commons.c.proposal_id == Proposal.id)
            .where(proposal_commons.c.commons_id == commons.id, Proposal.is_public)
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
        term_approved=is_approved,
        pact_standing=partial(standing, today=city_today()),
        map_geojson=json.dumps(
            {"type": "FeatureCollection", "features": list(maps.commons_features(commons))}
        ),
        state_label=state_label,
        tile_url=current_app.config.get("TILE_URL") or "",
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
        kinds=KIND_LABELS,
        availabilities=AVAILABILITY_LABELS,
        geometry_json=json.dumps(commons.geometry) if commons.geometry else "",
        dossier=commons.dossier,
        inspections=inspections_of(commons),
        **dossier_labels(),
    )


def dossier_labels() -> dict:
    """The labels the dossier's pages show its coded values with."""
    return {
        "condition_labels": CONDITION_LABELS,
        "utility_labels": UTILITY_LABELS,
        "utility_names": UTILITY_NAMES,
        "fire_labels": FIRE_LABELS,
        "accessibility_labels": ACCESSIBILITY_LABELS,
        "owner_labels": OWNER_LABELS,
        "reliability_labels": RELIABILITY_LABELS,
        "fact_labels": FACT_LABELS,
    }


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


def stored_values(commons: Commons) -> dict:
    """What the edit form's fields hold for this commons, as stored."""
    return {name: getattr(commons, name) for name in operations.FIELDS}


@registry_bp.route("/<int:commons_id>/edit", methods=["GET", "POST"])
@permission_required("commons.edit")
def edit(commons_id: int):
    commons = _load(commons_id)
    form = CommonsForm(obj=commons if request.method == "GET" else None)
    if request.method == "GET":
        form.start_from(commons)
        form.latitude.data = "" if commons.latitude is None else str(commons.latitude)
        form.longitude.data = "" if commons.longitude is None else str(commons.longitude)
        form.geometry.data = json.dumps(commons.geometry) if commons.geometry else ""
    if form.validate_on_submit():
        with FormTransaction(form, edited=commons, stored=stored_values) as saved:
            operations.update_commons(
                commons,
                actor=current_user,
                base_version=form.version(),
                **_form_values(form),
            )
        if saved:
            flash(_("Changes saved."), "success")
            return redirect(url_for("registry.detail", commons_id=commons.id))
    return render_form("registry/form.html", form=form, commons=commons)


# --- the asset dossier ------------------------------------------------------------------------


def _dossier_values(form: DossierForm) -> dict:
    values = {name: form[name].data for name in operations.DOSSIER_FIELDS if name != "reliability"}
    values["reliability"] = form.reliability()
    return values


def stored_dossier(dossier: AssetDossier) -> dict:
    """What the dossier form's fields hold for this dossier, as stored."""
    values = {k: getattr(dossier, k) for k in operations.DOSSIER_FIELDS if k != "reliability"}
    for key in operations.DOSSIER_CHOICES:
        values[key] = values[key] or ""  # "not known" is the empty choice
    for fact in FACTS:
        values[f"reliability_{fact}"] = (dossier.reliability or {}).get(fact) or ""
    return values


@registry_bp.route("/<int:commons_id>/dossier", methods=["GET", "POST"])
@permission_required("dossier.edit")
def edit_dossier(commons_id: int):
    """Officers fill in or correct the asset dossier of a commons."""
    commons = _load(commons_id)
    dossier = commons.dossier
    form = DossierForm(obj=dossier if request.method == "GET" else None)
    if request.method == "GET" and dossier is not None:
        form.start_from(dossier)
        for fact in FACTS:
            form[f"reliability_{fact}"].data = (dossier.reliability or {}).get(fact) or ""
    if form.validate_on_submit():
        with FormTransaction(
            form, edited=dossier, stored=stored_dossier if dossier is not None else None
        ) as saved:
            operations.save_dossier(
                commons,
                actor=current_user,
                base_version=form.version(),
                today=city_today(),
                **_dossier_values(form),
            )
        if saved:
            flash(_("Dossier saved."), "success")
            return redirect(url_for("registry.detail", commons_id=commons.id) + "#dossier-title")
    return render_form("registry/dossier_form.html", form=form, commons=commons)


@registry_bp.route("/<int:commons_id>/inspections/new", methods=["GET", "POST"])
@permission_required("dossier.edit")
def new_inspection(commons_id: int):
    """Officers record a dated inspection of a commons' place."""
    commons = _load(commons_id)
    form = InspectionForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.record_inspection(
                commons,
                actor=current_user,
                inspected_on=form.inspected_on.data,
                inspector=form.inspector.data,
                rating=form.rating.data,
                notes=form.notes.data or "",
                today=city_today(),
            )
        if saved:
            flash(_("Inspection recorded."), "success")
            return redirect(
                url_for("registry.detail", commons_id=commons.id) + "#inspections-title"
            )
    return render_form("registry/inspection_form.html", form=form, commons=commons)


# The vacancy reports' pages are routes of this blueprint too.
from commons.registry import vacancy_views as _vacancy_views  # noqa: E402, F401
