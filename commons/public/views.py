"""Public pages: the home page and how the lifecycle works."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import workflows
from commons.documents.models import Document, Signature
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals import views as proposal_views
from commons.proposals.forms import field_spec
from commons.proposals.labels import pact_type_label, state_label, trigger_label
from commons.proposals.models import Proposal
from commons.public import opendata
from commons.registry.models import Commons
from workflows.diagram import lifecycle_edges, mermaid, svg
from workflows.engine import default_profile_name

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


def _notice_sentence(profile) -> str:
    days = {pact_type: profile.notice_days(pact_type) for pact_type in profile.pact_types}
    if len(set(days.values())) == 1:
        value = next(iter(days.values()))
        if not value:
            return _("There is no public notice: an admitted proposal goes straight to co-design.")
        return _("Public notice lasts %(days)d days.", days=value)
    if set(days) == {"ordinary", "complex"}:
        ordinary, complex_ = days["ordinary"], days["complex"]
        if not ordinary:
            return _(
                "There is no public notice for ordinary pacts; for complex ones it lasts "
                "%(days)d days.",
                days=complex_,
            )
        if not complex_:
            return _(
                "There is no public notice for complex pacts; for ordinary ones it lasts "
                "%(days)d days.",
                days=ordinary,
            )
        return _(
            "Public notice lasts %(ordinary)d days for ordinary pacts and %(complex)d days for "
            "complex ones.",
            ordinary=ordinary,
            complex=complex_,
        )
    return " ".join(
        _("Public notice lasts %(days)d days for %(type)s pacts.", days=value, type=kind)
        if value
        else _("There is no public notice for %(type)s pacts.", type=kind)
        for kind, value in ((pact_type_label(t), v) for t, v in days.items())
    )


def clock_sentences(profile) -> list[str]:
    """The profile's clocks told in plain sentences, in the current language."""
    clocks = profile.clocks
    sentences = [
        _(
            "The office has %(days)d days to review a proposal; the clock stops while it waits "
            "for an answer to an integration request.",
            days=clocks["review_days"],
        ),
        _(
            "If you do not answer an integration request within %(days)d days, the proposal is "
            "archived.",
            days=clocks["integration_reply_days"],
        ),
        _notice_sentence(profile),
    ]
    # Only a regulation with a council stage has a deliberation clock that matters.
    if "political_approval" in profile.states and clocks["deliberation_days"]:
        if "complex" in profile.pact_types:
            sentences.append(
                _(
                    "The council deliberates within %(days)d days (complex pacts).",
                    days=clocks["deliberation_days"],
                )
            )
        else:
            sentences.append(
                _("The council deliberates within %(days)d days.", days=clocks["deliberation_days"])
            )
    months = clocks["max_term_months"]
    sentences += [
        _(
            "A monitoring report is due every %(months)d months.",
            months=clocks["report_interval_months"],
        ),
        _("Renewal can start %(days)d days before the end.", days=clocks["renewal_window_days"]),
        _(
            "A pact lasts at most %(months)d months (%(years)d years).",
            months=months,
            years=months // 12,
        )
        if months % 12 == 0
        else _("A pact lasts at most %(months)d months.", months=months),
        _(
            "A representative may withdraw from an active pact with %(days)d days' notice.",
            days=clocks["withdrawal_notice_days"],
        ),
        _(
            "Suspension for public interest needs at least %(hours)d hours' notice.",
            hours=clocks["suspension_notice_hours"],
        ),
    ]
    return sentences


def _stages(profile, labels: dict, triggers: dict) -> list[dict]:
    """Each stage with the actions that leave it, for the text alternative of the diagram."""
    moves: dict[str, list[dict]] = {state: [] for state in profile.states}
    for source, target, names in lifecycle_edges(profile):
        for name in names:
            moves[source].append(
                {"action": triggers[name], "stage": labels[target], "stays": source == target}
            )
    return [
        {
            "state": state,
            "label": labels[state],
            "initial": state == profile.initial,
            "final": state in profile.terminal,
            "in_force": state in profile.in_force,
            "moves": moves[state],
        }
        for state in profile.states
    ]


@public_bp.get("/how-it-works")
def how_it_works():
    """The lifecycle of a proposal and its clocks, drawn and told in words."""
    names = workflows.profile_names()
    name = request.args.get("profile") or current_app.config.get("PROFILE")
    name = name or default_profile_name()
    if name not in names:
        message = _(
            "There is no regulation called “%(name)s”. Known regulations: %(known)s.",
            name=name[:80],
            known=", ".join(names),
        )
        return render_template("errors/error.html", code=404, message=message), 404
    profile = workflows.get_profile(name)
    labels = {state: state_label(state) for state in profile.states}
    triggers = {trigger: trigger_label(trigger) for trigger in profile.triggers}
    diagram = svg(
        profile,
        labels=labels,
        trigger_labels=triggers,
        title=_("The stages of a proposal: %(title)s", title=profile.title),
        description=_("The same stages are listed in words below the diagram."),
    )
    return render_template(
        "public/how_it_works.html",
        profile=profile,
        profile_names=names,
        diagram=Markup(diagram),  # noqa: S704 - built by svg(), which escapes every text
        stages=_stages(profile, labels, triggers),
        clocks=clock_sentences(profile),
        mermaid_source=mermaid(profile, labels=labels, trigger_labels=triggers),
    )


# --- Open data --------------------------------------------------------------------------


def _download(chunks, filename: str, content_type: str) -> Response:
    """A streamed file, read from the database while it is sent."""
    return Response(
        chunks,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@public_bp.get("/open-data/")
def open_data():
    """The open-data files, what they hold and the meaning of every field."""
    return render_template("public/open_data.html", datasets=opendata.DATASETS)


@public_bp.get("/open-data/pacts.csv")
def open_data_pacts_csv():
    chunks = opendata.stream(partial(opendata.pacts_csv, context=opendata.pact_context()))
    return _download(chunks, "pacts.csv", "text/csv; charset=utf-8")


@public_bp.get("/open-data/pacts.json")
def open_data_pacts_json():
    chunks = opendata.stream(partial(opendata.pacts_json, context=opendata.pact_context()))
    return _download(chunks, "pacts.json", "application/json; charset=utf-8")


@public_bp.get("/open-data/events.csv")
def open_data_events_csv():
    chunks = opendata.stream(opendata.events_csv)
    return _download(chunks, "events.csv", "text/csv; charset=utf-8")


@public_bp.get("/open-data/commons.geojson")
def open_data_commons_geojson():
    chunks = opendata.stream(opendata.commons_geojson)
    return _download(chunks, "commons.geojson", "application/geo+json; charset=utf-8")


@public_bp.get("/open-data/datapackage.json")
def open_data_datapackage():
    title = _("Register of collaboration pacts: %(city)s", city=current_app.config["CITY_NAME"])
    response = jsonify(opendata.datapackage(title))
    response.headers["Content-Disposition"] = 'attachment; filename="datapackage.json"'
    return response


# --- Public pact pages --------------------------------------------------------------------


def _representative_is_public(proposal: Proposal, profile) -> bool:
    """Only the representative's name on a signed pact is public (DOMAIN.md, public register)."""
    if proposal.status in profile.in_force:
        return True
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Signature)
            .where(Signature.proposal_id == proposal.id, Signature.signer_role == "representative")
        )
        or 0
    ) > 0


@public_bp.get("/pacts/<int:proposal_id>")
def pact(proposal_id: int):
    """What anyone may know of a pact or proposal: state, public timeline, signed documents,
    monitoring reports. Never the private fields, whoever is logged in: this is the public view."""
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    if proposal.status == "draft":
        abort(404)  # drafts are the proponent's own; the public does not know they exist
    profile = workflows.get_profile(proposal.profile)
    now = datetime.now(UTC)
    documents = db.session.scalars(
        select(Document)
        .where(Document.proposal_id == proposal.id, Document.kind == "signed")
        .options(selectinload(Document.version))
        .order_by(Document.id)
    ).all()
    reports = db.session.scalars(
        select(MonitoringReport)
        .where(MonitoringReport.proposal_id == proposal.id)
        .order_by(MonitoringReport.filed_at, MonitoringReport.id)
    ).all()
    return render_template(
        "public/pact.html",
        proposal=proposal,
        profile=profile,
        in_force=proposal.status in profile.in_force,
        representative=proposal.representative.full_name
        if _representative_is_public(proposal, profile)
        else None,
        clocks=proposal_views._clocks(proposal, now),
        timeline=proposal_views._timeline(proposal, private=False),
        documents=documents,
        reports=reports,
        state_label=state_label,
        field_spec=field_spec,
    )
