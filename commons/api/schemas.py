"""Marshmallow schemas: what the API accepts and returns; the OpenAPI document comes from them.

Input schemas check shape and types (400 with field errors); the rules of the domain stay in
the operations and the lifecycle engine, which the views call as the web pages do.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates

from commons.proposals.models import PactType, Support
from commons.registry.models import Availability, CommonsKind

MAX_LIMIT = 100


class Strict(ma.Schema):
    """Unknown fields are an error: a typo must not be silently ignored."""

    class Meta:
        unknown = ma.RAISE


# --- pagination ------------------------------------------------------------------------------


class PageArgs(Strict):
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}."},
    )
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "The `next_cursor` of the previous page; omit for the first."},
    )


def page_of(item_schema, name: str):
    """A page schema: ``items`` and ``next_cursor`` (null on the last page)."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page; null at the end."},
            ),
        },
        name=name,
    )


# --- users -----------------------------------------------------------------------------------


class GroupOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class MeOut(ma.Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    groups = fields.List(
        fields.Nested(GroupOut),
        required=True,
        metadata={"description": "Groups you represent: you may make proposals for them."},
    )


# --- commons ---------------------------------------------------------------------------------


class CommonsOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    description = fields.String(required=True)
    address = fields.String(required=True)
    district = fields.String(required=True, allow_none=True)
    neighbourhood = fields.String(required=True, allow_none=True)
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    geometry = fields.Dict(required=True, allow_none=True)
    cadastral_reference = fields.String(required=True, allow_none=True)
    owner_office = fields.String(required=True, allow_none=True)
    availability = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CommonsListArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in CommonsKind]))
    availability = fields.String(validate=validate.OneOf([a.value for a in Availability]))
    district = fields.String(validate=validate.Length(max=100))
    q = fields.String(
        validate=validate.Length(max=200), metadata={"description": "Part of the name."}
    )


class CommonsIn(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in CommonsKind]))
    description = fields.String(validate=validate.Length(max=5000))
    address = fields.String(required=True, validate=validate.Length(min=1, max=300))
    district = fields.String(allow_none=True, validate=validate.Length(max=100))
    neighbourhood = fields.String(allow_none=True, validate=validate.Length(max=100))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    geometry = fields.Dict(
        allow_none=True, metadata={"description": "A GeoJSON geometry object (the outline)."}
    )
    cadastral_reference = fields.String(allow_none=True, validate=validate.Length(max=100))
    owner_office = fields.String(allow_none=True, validate=validate.Length(max=200))
    availability = fields.String(validate=validate.OneOf([a.value for a in Availability]))

    @validates("geometry")
    def _geometry(self, value, **kwargs):
        from commons.registry.forms import geometry_problem

        if value is not None:
            problem = geometry_problem(value)
            if problem:
                raise ValidationError(problem)


# --- proposals -------------------------------------------------------------------------------


class CommonsRef(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PersonRef(ma.Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)


class ProposalOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    pact_type = fields.String(required=True)
    status = fields.String(required=True)
    profile = fields.String(required=True)
    protocol_number = fields.String(required=True, allow_none=True)
    group_name = fields.String(required=True)
    commons = fields.List(fields.Nested(CommonsRef), required=True)
    objectives = fields.String(required=True)
    activities = fields.String(required=True)
    support_requested = fields.List(fields.String(), required=True)
    requested_duration_months = fields.Integer(required=True, allow_none=True)
    start_date = fields.Date(required=True, allow_none=True)
    end_date = fields.Date(required=True, allow_none=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(
        required=True,
        metadata={"description": "Changes at every change; send it as `expected_version`."},
    )
    private = fields.Boolean(
        required=True, metadata={"description": "Whether the private fields below are included."}
    )
    # Private: only for the proponents and, once submitted, the city's staff.
    group = fields.Nested(GroupOut, metadata={"description": "Private."})
    representative = fields.Nested(PersonRef, metadata={"description": "Private."})
    case_officer = fields.Nested(PersonRef, allow_none=True, metadata={"description": "Private."})
    support_notes = fields.String(metadata={"description": "Private."})
    decision_number = fields.String(allow_none=True, metadata={"description": "Private."})
    decision_date = fields.Date(allow_none=True, metadata={"description": "Private."})
    deliberation_number = fields.String(allow_none=True, metadata={"description": "Private."})
    deliberation_date = fields.Date(allow_none=True, metadata={"description": "Private."})
    next_report_due_on = fields.Date(allow_none=True, metadata={"description": "Private."})


class ProposalListArgs(PageArgs):
    status = fields.String(validate=validate.Length(max=32))
    pact_type = fields.String(validate=validate.OneOf([t.value for t in PactType]))
    commons_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    mine = fields.Boolean(
        load_default=False,
        metadata={"description": "Only proposals you represent or whose group you belong to."},
    )


class ProposalIn(Strict):
    group_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    pact_type = fields.String(validate=validate.OneOf([t.value for t in PactType]))
    commons_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        validate=validate.Length(max=50),
    )
    objectives = fields.String(validate=validate.Length(max=20000))
    activities = fields.String(validate=validate.Length(max=20000))
    support_requested = fields.List(
        fields.String(validate=validate.OneOf([s.value for s in Support])),
        validate=validate.Length(max=len(Support)),
    )
    support_notes = fields.String(validate=validate.Length(max=20000))
    requested_duration_months = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=1200)
    )
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)


class ProposalPatch(ProposalIn):
    """A draft's changes: every field optional; the group is fixed once the draft exists."""

    class Meta:
        exclude = ("group_id",)
        unknown = ma.RAISE


# --- transitions -----------------------------------------------------------------------------


class TriggerOut(ma.Schema):
    trigger = fields.String(required=True)
    label = fields.String(required=True)
    target = fields.String(required=True, metadata={"description": "The state it leads to."})
    requires = fields.List(
        fields.String(), required=True, metadata={"description": "Data fields to send."}
    )
    optional = fields.List(fields.String(), required=True)
    blocked_by = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Rules not met yet; empty when the trigger can be fired."},
    )
    ready = fields.Boolean(required=True)


class TransitionsOut(ma.Schema):
    proposal_id = fields.Integer(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    triggers = fields.List(fields.Nested(TriggerOut), required=True)


class TransitionIn(Strict):
    expected_version = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The proposal's `version` you saw; 409 if it changed."},
    )
    data = fields.Dict(
        keys=fields.String(validate=validate.Length(max=100)),
        values=fields.String(allow_none=True, validate=validate.Length(max=20000)),
        load_default=dict,
        metadata={"description": "The data the trigger requires (see GET .../transitions)."},
    )


class EventOut(ma.Schema):
    seq = fields.Integer(required=True)
    trigger = fields.String(required=True)
    from_state = fields.String(required=True, allow_none=True)
    to_state = fields.String(required=True, allow_none=True)
    occurred_at = fields.DateTime(required=True)


class TransitionOut(ma.Schema):
    event = fields.Nested(EventOut, required=True)
    proposal = fields.Nested(ProposalOut, required=True)


# --- pact versions and documents ---------------------------------------------------------------


class ArticleIn(Strict):
    title = fields.String(load_default="", validate=validate.Length(max=500))
    text = fields.String(load_default="", validate=validate.Length(max=50000))


class SectionIn(Strict):
    key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(load_default="", validate=validate.Length(max=500))
    articles = fields.List(
        fields.Nested(ArticleIn), load_default=list, validate=validate.Length(max=200)
    )


class PactContentIn(Strict):
    sections = fields.List(
        fields.Nested(SectionIn), required=True, validate=validate.Length(max=100)
    )


class PactVersionIn(Strict):
    content = fields.Nested(
        PactContentIn,
        metadata={"description": "The whole text; omit to start from the regulation's model."},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class PactVersionSummary(ma.Schema):
    number = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    comment = fields.String(required=True)
    author = fields.Nested(PersonRef, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    frozen_at = fields.DateTime(required=True, allow_none=True)


class PactVersionOut(PactVersionSummary):
    content = fields.Dict(required=True)


class DiffArticle(ma.Schema):
    changed = fields.Boolean(required=True)
    title = fields.String(required=True, metadata={"description": "HTML with <del>/<ins>."})
    text = fields.String(required=True, metadata={"description": "HTML with <del>/<ins>."})


class DiffSection(ma.Schema):
    key = fields.String(required=True, allow_none=True)
    title = fields.String(required=True, allow_none=True)
    changed = fields.Boolean(required=True)
    articles = fields.List(fields.Nested(DiffArticle), required=True)


class DiffArgs(Strict):
    a = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The older version; default the one before the last."},
    )
    b = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The newer version; default the last."},
    )


class DiffOut(ma.Schema):
    a = fields.Integer(required=True)
    b = fields.Integer(required=True)
    sections = fields.List(fields.Nested(DiffSection), required=True)


class DocumentOut(ma.Schema):
    sha256 = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "draft, final or signed."})
    size = fields.Integer(required=True)
    language = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    proposal_id = fields.Integer(required=True)
    version_number = fields.Integer(required=True)
    download_url = fields.String(required=True)


# --- monitoring reports ------------------------------------------------------------------------


class ReportOut(ma.Schema):
    id = fields.Integer(required=True)
    proposal_id = fields.Integer(required=True)
    author = fields.Nested(PersonRef, required=True, allow_none=True)
    filed_at = fields.DateTime(required=True)
    text = fields.String(required=True)
    indicators = fields.Dict(required=True)
    final = fields.Boolean(required=True)


class ReportIn(Strict):
    report_text = fields.String(required=True, validate=validate.Length(max=20000))
    participants = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**6))
    volunteer_hours = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**7))
    final = fields.Boolean(load_default=False)
    expected_version = fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=2**31 - 1)
    )


# --- audit -------------------------------------------------------------------------------------


class AuditArgs(PageArgs):
    proposal_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    trigger = fields.String(validate=validate.Length(max=40))


class AuditEventOut(ma.Schema):
    seq = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    actor_id = fields.Integer(required=True, allow_none=True)
    actor_role = fields.String(required=True, allow_none=True)
    proposal_id = fields.Integer(required=True, allow_none=True)
    trigger = fields.String(required=True)
    from_state = fields.String(required=True, allow_none=True)
    to_state = fields.String(required=True, allow_none=True)
    payload = fields.Dict(required=True)
    public = fields.Boolean(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


# --- problems ----------------------------------------------------------------------------------


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field errors: field name -> messages."},
    )
    rule = fields.String(metadata={"description": "The rule of the regulation that refused."})


class CommonsPatch(CommonsIn):
    """A commons' changes: send only the fields that change."""
