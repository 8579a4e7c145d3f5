"""The results of pacts in force (endpoints ``results.*``): a public page per pact
(/pacts/<id>/results) with the figures, texts and photos of its monitoring reports, a page
per district (/results/<district>) summing its pacts' figures, the list of districts, and
the map layer "Results of pacts in force"."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, send_file, url_for
from flask_babel import format_number
from flask_babel import gettext as _

from commons.auth.permissions import ensure
from commons.extensions import db
from commons.offers import queries as offer_queries
from commons.offers.queries import Figures
from commons.proposals.models import Proposal
from commons.proposals.standing import standing
from commons.registry.queries import is_district
from commons.uploads import operations as uploads

results_bp = Blueprint("results", __name__)


def _pact_in_force(proposal_id: int) -> Proposal:
    """A public pact in force today, else 404 (results are shown for pacts in force)."""
    pact = db.session.get(Proposal, proposal_id) or abort(404)
    if not pact.is_public or not standing(pact).in_force:
        abort(404)
    ensure("proposal.view", pact)
    return pact


def figures_sentence(figures: Figures) -> str:
    """The figures in one line, for the map's popups."""
    if not figures.reports:
        return _("No monitoring report yet.")
    return _(
        "Events held: %(events)s · volunteer hours: %(hours)s · participants: %(people)s",
        events=format_number(figures.events_held),
        hours=format_number(figures.volunteer_hours),
        people=format_number(figures.participants),
    )


@results_bp.get("/pacts/<int:proposal_id>/results")
def pact(proposal_id: int):
    pact = _pact_in_force(proposal_id)
    return render_template(
        "offers/results_pact.html",
        results=offer_queries.results_of(pact),
        districts=sorted({c.district for c in pact.commons if c.district}),
    )


@results_bp.get("/pacts/<int:proposal_id>/results/photos/<int:attachment_id>")
def photo(proposal_id: int, attachment_id: int):
    """A photo filed with a monitoring report of a pact in force, public with its results when
    the representative agreed to publish the report's photos (else 404, as if it were not):
    its copy without metadata, under a name that says nothing of who sent it."""
    pact = _pact_in_force(proposal_id)
    attachment = offer_queries.public_photo(pact, attachment_id) or abort(404)
    ensure("results.photo", attachment)
    path = uploads.public_path_of(attachment)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        download_name=f"photo-{attachment.id}{uploads.EXTENSIONS[attachment.content_type]}",
        etag=attachment.public_sha256,
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@results_bp.get("/results/")
def districts():
    """Each district with the pacts in force on its commons and their summed figures."""
    pacts = offer_queries.pacts_in_force()
    figures = offer_queries.figures_of(pacts)
    rows = []
    for district, in_district in offer_queries.districts_of(pacts).items():
        total = Figures()
        for p in in_district:
            total.plus(figures[p.id])
        rows.append((district, len(in_district), total))
    return render_template("offers/results_index.html", rows=rows, pacts=len(pacts))


@results_bp.get("/results/<district>")
def district(district: str):
    pacts = offer_queries.pacts_in_force(district)
    if not pacts and not is_district(district):
        abort(404)
    figures = offer_queries.figures_of(pacts)
    total = Figures()
    for p in pacts:
        total.plus(figures[p.id])
    return render_template(
        "offers/results_district.html",
        district=district,
        pacts=pacts,
        figures=figures,
        total=total,
    )


@results_bp.get("/results/map.geojson")
def map_geojson():
    """The map layer "Results of pacts in force": each pact at its first placed commons."""
    pacts = offer_queries.pacts_in_force()
    figures = offer_queries.figures_of(pacts)
    features = []
    for p in pacts:
        place = offer_queries.located(p)
        if place is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": f"pact-{p.id}",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(place.longitude), float(place.latitude)],
                },
                "properties": {
                    "layer": "results",
                    "name": p.title,
                    "detail": figures_sentence(figures[p.id]),
                    "url": url_for("results.pact", proposal_id=p.id),
                },
            }
        )
    return Response(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )
