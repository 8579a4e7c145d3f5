"""The offers and needs pages (URLs under /offers, endpoints ``offers.*``): the public list
and a post's page, posting, the office's moderation, closing, "I can help", and the map
layer's GeoJSON. The results pages are in commons.offers.results_views."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from commons.auth.permissions import can, ensure
from commons.extensions import db
from commons.forms import FormTransaction, form_status
from commons.groups.operations import groups_of
from commons.offers import operations
from commons.offers import queries as offer_queries
from commons.offers.forms import (
    CITY,
    ButtonForm,
    CloseForm,
    HelpForm,
    RejectForm,
    filter_choices,
    post_form,
)
from commons.offers.labels import CATEGORY_LABELS, KIND_LABELS, status_label
from commons.offers.models import Post, PostStatus
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from commons.registry.queries import districts

offers_bp = Blueprint("offers", __name__, url_prefix="/offers")


def _load(post_id: int, action: str = "offer.view") -> Post:
    post = db.session.get(Post, post_id) or abort(404)
    ensure(action, post)
    return post


@offers_bp.get("/")
def index():
    """Published offers and needs, newest first, with the filters."""
    filters = offer_queries.Filters.from_args(request.args)
    after = request.args.get("after")
    page = offer_queries.published_page(filters, after)
    commons = db.session.get(Commons, filters.commons_id) if filters.commons_id else None
    return render_template(
        "offers/index.html",
        page=page,
        filters=filters,
        query=filters.query(),
        commons=commons,
        districts=districts(),
        paged=bool(after),
        **filter_choices(),
    )


@offers_bp.get("/map.geojson")
def map_geojson():
    """The map layer "Offers and needs": each published post on its commons."""
    filters = offer_queries.Filters.from_args(request.args)
    prefix = url_for("offers.index")
    collection = {
        "type": "FeatureCollection",
        "features": list(offer_queries.map_features(filters, prefix)),
    }
    return Response(
        json.dumps(collection, ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )


# --- posting --------------------------------------------------------------------------------


def _place(source) -> tuple[Commons | None, Proposal | None]:
    """The commons or the pact a new post is about, from the query string or the form."""
    pact_id = source.get("pact_id") or source.get("pact")
    commons_id = source.get("commons_id") or source.get("commons")
    pact = commons = None
    if pact_id and str(pact_id).isdigit():
        pact = db.session.get(Proposal, int(pact_id)) or abort(404)
        if not operations.pact_in_force(pact):
            abort(404)  # only pacts in force take offers and needs
    if commons_id and str(commons_id).isdigit():
        commons = db.session.get(Commons, int(commons_id)) or abort(404)
    return commons, pact


@offers_bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Post an offer or a need about a commons (``?commons=``) or a pact (``?pact=``); with
    neither, the page says where to start from."""
    ensure("offer.start")
    source = request.form if request.method == "POST" else request.args
    commons, pact = _place(source)
    groups = groups_of(current_user)
    staff = can(current_user, "offer.post", None)
    if commons is None and pact is None:
        return render_template(
            "offers/start.html",
            pacts=offer_queries.pacts_for_posting(groups),
            groups=groups,
            staff=staff,
        )
    if pact is not None and commons is None:
        commons = pact.commons[0] if pact.commons else None
    preset = {}
    if request.method == "GET":
        preset = {
            "commons_id": str(commons.id) if commons else "",
            "pact_id": str(pact.id) if pact else "",
            "kind": request.args.get("kind") if request.args.get("kind") in KIND_LABELS else None,
        }
        if pact is not None and pact.group_id in {g.id for g in groups}:
            preset["on_behalf"] = str(pact.group_id)
    form = post_form(groups, staff=staff, **{k: v for k, v in preset.items() if v})
    if not form.on_behalf.choices:
        if request.method == "POST":
            abort(403)  # in no group, not office staff: nobody to post for
        return render_template("offers/start.html", pacts=[], groups=[], staff=False, no_group=True)
    if form.validate_on_submit():
        group = None
        if form.on_behalf.data != CITY:
            group = next((g for g in groups if str(g.id) == form.on_behalf.data), None)
            if group is None:
                abort(403)  # a group the person does not belong to
        ensure("offer.post", group)
        with FormTransaction(form) as saved:
            item = operations.post(
                author=current_user,
                group=group,
                kind=form.kind.data,
                category=form.category.data,
                title=form.title.data,
                description=form.description.data,
                quantity=form.quantity.data,
                timing=form.timing.data,
                commons=commons,
                pact=pact,
            )
        if saved:
            flash(
                _(
                    "Your post is sent to the office, which publishes it after a check. You "
                    "will be told when it is published."
                ),
                "success",
            )
            return redirect(url_for("offers.detail", post_id=item.id))
    return render_template(
        "offers/new.html", form=form, commons=commons, pact=pact, labels=KIND_LABELS
    ), form_status(form)


# --- a post's page and what is done on it ------------------------------------------------------


def _page(
    post: Post,
    *,
    help_form: HelpForm | None = None,
    reject_form: RejectForm | None = None,
    close_form: CloseForm | None = None,
    problem: str | None = None,
    status: int = 200,
):
    responses = (
        offer_queries.responses_to(post) if can(current_user, "offer.responses", post) else []
    )
    return render_template(
        "offers/detail.html",
        post=post,
        kinds=KIND_LABELS,
        categories=CATEGORY_LABELS,
        status_label=status_label,
        responses=responses,
        mine=operations.response_of(post, current_user),
        help_form=help_form or HelpForm(prefix="help"),
        reject_form=reject_form or RejectForm(prefix="reject"),
        close_form=close_form or CloseForm(prefix="close"),
        button_form=ButtonForm(),
        problem=problem,
    ), status


@offers_bp.get("/<int:post_id>")
def detail(post_id: int):
    return _page(_load(post_id))


@offers_bp.post("/<int:post_id>/publish")
@login_required
def publish(post_id: int):
    post = _load(post_id, "offer.moderate")
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    with FormTransaction(form) as saved:
        operations.publish(post, actor=current_user)
    if saved:
        flash(_("Published: everyone can now read it and answer."), "success")
        return redirect(url_for("offers.moderation"))
    return _page(post, problem=saved.error.message, status=saved.status)


@offers_bp.post("/<int:post_id>/reject")
@login_required
def reject(post_id: int):
    post = _load(post_id, "offer.moderate")
    form = RejectForm(prefix="reject")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.reject(post, actor=current_user, reason=form.reason.data)
        if saved:
            flash(_("Not published: its author is told why."), "success")
            return redirect(url_for("offers.moderation"))
        return _page(post, reject_form=form, status=saved.status)
    return _page(post, reject_form=form, status=form_status(form))


@offers_bp.post("/<int:post_id>/close")
@login_required
def close(post_id: int):
    post = _load(post_id)
    if not can(current_user, "offer.close", post):
        # Closed meanwhile (another tab, an officer): say so to whoever could close it.
        if post.status in (PostStatus.CLOSED, PostStatus.REJECTED) and (
            post.author_id == current_user.id or can(current_user, "offer.moderate", post)
        ):
            return _page(post, problem=_("This post is closed already."), status=409)
        abort(403)
    form = CloseForm(prefix="close")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.close(post, actor=current_user, closed_as=form.closed_as.data)
        if saved:
            flash(_("The post is closed: %(how)s.", how=status_label(post).lower()), "success")
            return redirect(url_for("offers.detail", post_id=post.id))
        return _page(post, close_form=form, status=saved.status)
    return _page(post, close_form=form, status=form_status(form))


@offers_bp.post("/<int:post_id>/help")
@login_required
def help_(post_id: int):
    """ "I can help": the answer goes to the poster."""
    post = _load(post_id)
    ensure("offer.respond", post)
    form = HelpForm(prefix="help")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.respond(
                post, user=current_user, message=form.message.data, phone=form.phone.data
            )
        if saved:
            flash(
                _(
                    "Thank you: your message went to whoever posted it, with your e-mail "
                    "address. They will get in touch."
                ),
                "success",
            )
            return redirect(url_for("offers.detail", post_id=post.id) + "#help-title")
        return _page(post, help_form=form, status=saved.status)
    return _page(post, help_form=form, status=form_status(form))


# --- the office's queue and one's own posts -----------------------------------------------------


@offers_bp.get("/moderation")
@login_required
def moderation():
    ensure("offer.moderate")
    return render_template(
        "offers/moderation.html",
        posts=offer_queries.pending_posts(),
        kinds=KIND_LABELS,
        categories=CATEGORY_LABELS,
    )


@offers_bp.get("/mine")
@login_required
def mine():
    ensure("offer.start")
    posts = offer_queries.posts_of(current_user)
    return render_template(
        "offers/mine.html",
        posts=posts,
        answers=offer_queries.post_counts([p.id for p in posts if p.author_id == current_user.id]),
        kinds=KIND_LABELS,
        status_label=status_label,
    )
