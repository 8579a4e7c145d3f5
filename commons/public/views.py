"""Public pages: home, how it works, open data, pact pages, feeds, statistics.

The pact page shows the consultation; its forms post to commons.consultation.views."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import workflows
from commons.audit.models import AuditEvent
from commons.auth.permissions import ensure
from commons.consultation import operations as consultation
from commons.consultation.forms import CommentForm, HideForm, JoinForm
from commons.consultation.models import Comment, JoinRequest
from commons.documents.models import Document
from commons.documents.operations import pact_level
from commons.documents.terms import shown_term
from commons.errors import DomainError
from commons.extensions import db
from commons.formatting import format_day
from commons.imports.models import ImportedPact
from commons.lifecycle.states import in_any_profile, status_in
from commons.monitoring.models import MonitoringReport
from commons.proposals import views as proposal_views
from commons.proposals.forms import field_spec
from commons.proposals.labels import pact_type_label, state_label, trigger_label
from commons.proposals.models import Proposal
from commons.proposals.privacy import representative_is_public
from commons.proposals.standing import city_today, in_force_on, standing
from commons.public import feeds, opendata
from commons.public import statistics as stats
from commons.public.opendata_pacts import pact_context
from commons.registry.models import Commons
from commons.summaries import operations as summaries
from workflows.diagram import lifecycle_edges, mermaid, svg
from workflows.engine import default_profile_name

public_bp = Blueprint("public", __name__)


@public_bp.get("/")
def home():
    commons_count = db.session.scalar(select(func.count()).select_from(Commons)) or 0
    # A renewal signed before the old pact ends is not counted until its term begins.
    pacts_in_force = (
        db.session.scalar(
            select(func.count()).select_from(Proposal).where(in_force_on(city_today()))
        )
        or 0
    )
    from commons.calls.queries import open_calls

    return render_template(
        "public/home.html",
        commons_count=commons_count,
        pacts_in_force=pacts_in_force,
        open_calls=open_calls(),
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
    if profile.tagged("deliberation") and clocks["deliberation_days"]:
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
    from commons.audit.checkpoints import configured_seal

    return render_template(
        "public/open_data.html",
        datasets=opendata.DATASETS,
        checkpoints_sealed=configured_seal() is not None,
    )


@public_bp.get("/open-data/pacts.csv")
def open_data_pacts_csv():
    chunks = opendata.stream(partial(opendata.pacts_csv, context=pact_context()))
    return _download(chunks, "pacts.csv", "text/csv; charset=utf-8")


@public_bp.get("/open-data/pacts.json")
def open_data_pacts_json():
    chunks = opendata.stream(partial(opendata.pacts_json, context=pact_context()))
    return _download(chunks, "pacts.json", "application/json; charset=utf-8")


@public_bp.get("/open-data/events.csv")
def open_data_events_csv():
    chunks = opendata.stream(opendata.events_csv)
    return _download(chunks, "events.csv", "text/csv; charset=utf-8")


@public_bp.get("/open-data/checkpoints.csv")
def open_data_checkpoints_csv():
    chunks = opendata.stream(opendata.checkpoints_csv)
    return _download(chunks, "checkpoints.csv", "text/csv; charset=utf-8")


@public_bp.get("/open-data/checkpoint-certificates.pem")
def open_data_checkpoint_certificates():
    """The seal certificates the checkpoints' signatures verify with."""
    from commons.audit.checkpoints import certificates_pem, table_checkpoints

    return Response(
        certificates_pem(table_checkpoints()),
        content_type="application/x-pem-file",
        headers={"Content-Disposition": 'attachment; filename="checkpoint-certificates.pem"'},
    )


@public_bp.get("/open-data/<any('calls.csv', 'call-commons.csv', 'call-scores.csv'):name>")
def open_data_calls(name: str):
    from commons.calls import opendata as call_data

    make = {
        "calls.csv": call_data.calls_csv,
        "call-commons.csv": call_data.offers_csv,
        "call-scores.csv": call_data.scores_csv,
    }[name]
    return _download(opendata.stream(make), name, "text/csv; charset=utf-8")


@public_bp.get("/open-data/offers.csv")
def open_data_offers():
    from commons.offers.opendata import offers_csv

    return _download(opendata.stream(offers_csv), "offers.csv", "text/csv; charset=utf-8")


@public_bp.get("/open-data/vacant-places.csv")
def open_data_vacant_places():
    from commons.registry.opendata import vacant_places_csv

    return _download(
        opendata.stream(vacant_places_csv), "vacant-places.csv", "text/csv; charset=utf-8"
    )


@public_bp.get("/open-data/commons.geojson")
def open_data_commons_geojson():
    chunks = opendata.stream(opendata.commons_geojson)
    return _download(chunks, "commons.geojson", "application/geo+json; charset=utf-8")


@public_bp.get("/open-data/datapackage.json")
def open_data_datapackage():
    title = _("Register of collaboration pacts: %(city)s", city=current_app.config["CITY_NAME"])
    config = current_app.config
    response = jsonify(
        opendata.datapackage(
            title,
            license_id=config.get("OPEN_DATA_LICENSE") or "CC-BY-4.0",
            publisher=config.get("OPEN_DATA_PUBLISHER") or config["CITY_NAME"],
            contact=config.get("OPEN_DATA_CONTACT") or "",
        )
    )
    response.headers["Content-Disposition"] = 'attachment; filename="datapackage.json"'
    return response


@public_bp.get("/open-data/catalog.jsonld")
def open_data_catalog():
    """The DCAT-AP / DCAT-AP_IT catalogue of the open data (commons/public/catalog.py)."""
    from commons.public.catalog import catalog

    config = current_app.config
    license_id = config.get("OPEN_DATA_LICENSE") or "CC-BY-4.0"
    last = db.session.scalar(select(func.max(AuditEvent.occurred_at)))
    document = catalog(
        base=url_for("public.open_data", _external=True),
        title=_("Register of collaboration pacts: %(city)s", city=config["CITY_NAME"]),
        description=_(
            "The city's register of collaboration pacts for urban commons: pacts and "
            "proposals with their acts, the commons on the map, the public events of their "
            "history and the checkpoints of the audit chain."
        ),
        publisher=config.get("OPEN_DATA_PUBLISHER") or config["CITY_NAME"],
        contact=config.get("OPEN_DATA_CONTACT") or "",
        license_path=opendata.license_of(license_id)["path"],
        license_id=license_id,
        language=config.get("CITY_LANGUAGE") or str(get_locale() or "en"),
        modified=(last or datetime.now(UTC)).date(),
        datasets=opendata.DATASETS,
    )
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False, indent=1),
        mimetype="application/ld+json",
    )
    response.headers["Content-Disposition"] = 'attachment; filename="catalog.jsonld"'
    return response


# --- Public pact pages --------------------------------------------------------------------


def _load_public(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    if not proposal.is_public:
        abort(404)  # drafts are the proponent's own; the public does not know they exist
    ensure("proposal.view", proposal)
    return proposal


def render_pact(
    proposal: Proposal,
    *,
    comment_form: CommentForm | None = None,
    join_form: JoinForm | None = None,
    hide_form: HideForm | None = None,
    hide_failed: int | None = None,
    status: int = 200,
):
    """What anyone may know of a pact or proposal: state, public timeline, signed documents,
    monitoring reports, the consultation. Never the private fields, whoever is logged in."""
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
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.proposal_id == proposal.id, Comment.hidden_at.is_(None))
        .options(selectinload(Comment.author))
        .order_by(Comment.id)
    ).all()
    asked = (
        db.session.scalar(
            select(JoinRequest).where(
                JoinRequest.proposal_id == proposal.id, JoinRequest.user_id == current_user.id
            )
        )
        if current_user.is_authenticated
        else None
    )
    return render_template(
        "public/pact.html",
        proposal=proposal,
        term=shown_term(proposal),
        profile=profile,
        standing=standing(proposal),
        pact_standing=standing,
        representative=proposal.representative.full_name
        if representative_is_public(proposal, profile)
        else None,
        imported=ImportedPact.of(proposal),
        clocks=proposal_views._clocks(proposal, now),
        timeline=proposal_views._timeline(proposal, private=False),
        documents=documents,
        pact_level=pact_level(proposal) if documents else None,
        reports=reports,
        comments=comments,
        notice_open=_notice_open(proposal, now),
        comment_form=comment_form or CommentForm(),
        join_form=join_form or JoinForm(),
        hide_form=hide_form or HideForm(),
        hide_failed=hide_failed,
        asked=asked,
        state_label=state_label,
        field_spec=field_spec,
        summary=summaries.published_summary(proposal, str(get_locale())),
        summary_labels=summaries.labels(),
    ), status


def _notice_open(proposal: Proposal, now: datetime) -> bool:
    try:
        consultation.ensure_open(proposal, now)
    except DomainError:
        return False
    return True


@public_bp.get("/pacts/<int:proposal_id>")
def pact(proposal_id: int):
    """The public page of a pact or proposal."""
    return render_pact(_load_public(proposal_id))


@public_bp.get("/feeds/notice.atom")
def feed_notice():
    """Atom feed of the proposals under public notice."""
    proposals = db.session.scalars(
        select(Proposal)
        .where(status_in(lambda p: p.tagged("public_notice")))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
        .limit(feeds.LIMIT)
    ).all()
    published = summaries.published_summaries([p.id for p in proposals], str(get_locale()))
    entries = [
        feeds.Entry(
            url=url_for("public.pact", proposal_id=p.id, _external=True),
            title=p.title,
            updated=p.updated_at,
            summary=_("Under public notice until %(date)s.", date=format_day(p.notice_ends_at))
            if p.notice_ends_at
            else _("Under public notice."),
            content=_summary_text(published.get(p.id)),
        )
        for p in proposals
    ]
    return _feed(_("Proposals under public notice"), "public.feed_notice", entries)


@public_bp.get("/feeds/pacts.atom")
def feed_pacts():
    """Atom feed of new pacts: each pact when it came into force (its last signature)."""
    rows = db.session.execute(
        select(Proposal, AuditEvent.occurred_at)
        .join(AuditEvent, AuditEvent.proposal_id == Proposal.id)
        .where(
            AuditEvent.to_state.in_(sorted(in_any_profile(lambda p: p.tagged("running")))),
            AuditEvent.from_state.not_in(sorted(in_any_profile(lambda p: p.tagged("paused")))),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(feeds.LIMIT)
    ).all()
    published = summaries.published_summaries([p.id for p, _at in rows], str(get_locale()))
    entries = [
        feeds.Entry(
            url=url_for("public.pact", proposal_id=p.id, _external=True),
            title=p.title,
            updated=occurred_at,
            content=_summary_text(published.get(p.id)),
            summary=_(
                "In force from %(start)s to %(end)s.",
                start=format_day(p.start_date),
                end=format_day(p.end_date),
            )
            if p.start_date and p.end_date
            else _("In force."),
        )
        for p, occurred_at in rows
    ]
    return _feed(_("New collaboration pacts"), "public.feed_pacts", entries)


def _summary_text(summary) -> str | None:
    """The public summary as the entry's text content; none before admission."""
    return summaries.as_text(summary) if summary is not None else None


def _feed(title: str, endpoint: str, entries: list) -> Response:
    city = current_app.config["CITY_NAME"]
    body = feeds.atom(
        title=f"{title} · {city}",
        self_url=url_for(endpoint, _external=True),
        site_url=url_for("consultation.consultation_list", _external=True),
        author=current_app.config["CITY_OFFICE"],
        entries=entries,
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


# --- Statistics ---------------------------------------------------------------------------


def _stage_labels() -> dict[str, str]:
    return {
        "review": _("Review of the proposal"),
        "integration": _("Reply to an integration request"),
        "notice": _("Public notice"),
        "deliberation": _("Council deliberation"),
    }


@public_bp.get("/statistics")
def statistics_page():
    """Pacts by state, district and year; days per stage against the statutory limits."""
    profile = workflows.get_profile(current_app.config.get("PROFILE") or None)
    figures = stats.figures(db.session, profile, current_app.extensions)
    states = [(state_label(s), n) for s, n in figures.states]
    stages = []
    labels = _stage_labels()
    measured = figures.stages
    scale = max(
        [s.median or 0 for s in measured] + [max(s.limits) for s in measured if s.limits] + [1]
    )
    for stage in measured:
        limit = max(stage.limits) if stage.limits else None
        stages.append(
            {
                "label": labels[stage.key],
                "count": stage.count,
                "median": stage.median,
                "limits": " / ".join(str(n) for n in sorted(stage.limits)),
                "over": stage.over,
                "share_over": stage.share_over,
                "median_length": round(300 * (stage.median or 0) / scale),
                "limit_length": round(300 * limit / scale) if limit else None,
            }
        )
    review = next(s for s in measured if s.key == "review")
    return render_template(
        "public/statistics.html",
        states=stats.bars(states),
        districts=stats.bars(figures.districts),
        years=stats.bars(figures.years),
        stages=stages,
        review=review,
    )
