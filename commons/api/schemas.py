"""Marshmallow schemas: what the API accepts and returns; the OpenAPI document comes from them.

Input schemas check shape and types (400 with field errors); the rules of the domain stay in
the operations and the lifecycle engine, which the views call as the web pages do.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from commons import limits
from commons.proposals.models import PactType, Support
from commons.registry.models import Availability, CommonsKind

MAX_LIMIT = 100


class Text(fields.String):
    """A string without NUL characters: PostgreSQL cannot store them, so they are bad input."""

    default_error_messages = {"nul": "Must not contain NUL characters."}

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise self.make_error("nul")
        return result


def chars(limit: int, *, min: int | None = None) -> list[validate.Validator]:  # noqa: A002
    """A text's length, at most ``limit`` characters (commons/limits.py), said when refused."""
    checks: list[validate.Validator] = [
        validate.Length(max=limit, error="At most {max} characters are accepted here.")
    ]
    if min:
        checks.append(validate.Length(min=min, error="At least {min} characters, please."))
    return checks


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
    cursor = Text(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "The `next_cursor` of the previous page; omit for the first."},
    )


def page_of(item_schema, name: str):
    """A page schema: ``items`` and ``next_cursor`` (null on the last page)."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": Text(
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
    name = Text(required=True)
    kind = Text(required=True)
    version = fields.Integer(
        required=True, metadata={"description": "Counts the saves of the group's details."}
    )


class MeOut(ma.Schema):
    id = fields.Integer(required=True)
    full_name = Text(required=True)
    email = Text(required=True)
    roles = fields.List(Text(), required=True)
    groups = fields.List(
        fields.Nested(GroupOut),
        required=True,
        metadata={"description": "Groups you represent: you may make proposals for them."},
    )


# --- commons ---------------------------------------------------------------------------------


class CommonsOut(ma.Schema):
    id = fields.Integer(required=True)
    name = Text(required=True)
    kind = Text(required=True)
    description = Text(required=True)
    address = Text(required=True)
    district = Text(required=True, allow_none=True)
    neighbourhood = Text(required=True, allow_none=True)
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    geometry = fields.Dict(required=True, allow_none=True)
    cadastral_reference = Text(required=True, allow_none=True)
    owner_office = Text(required=True, allow_none=True)
    availability = Text(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(
        required=True,
        metadata={"description": "Changes at every save; send it as `expected_version`."},
    )


class InspectionOut(ma.Schema):
    inspected_on = fields.Date(required=True)
    rating = Text(
        required=True, metadata={"description": "Condition found: good, fair, poor, unsafe."}
    )
    notes = Text(required=True)


class DossierOut(ma.Schema):
    """The public part of a commons' asset dossier: never the owner's contact, the access
    notes, the cadastral detail nor who inspected."""

    floor_area_m2 = fields.Float(required=True, allow_none=True)
    year_built = fields.Integer(required=True, allow_none=True)
    condition = Text(
        required=True,
        allow_none=True,
        metadata={"description": "good, fair, poor, unsafe; null when not known."},
    )
    condition_on = fields.Date(required=True, allow_none=True)
    condition_notes = Text(required=True)
    vacant_since = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "Since when the place is vacant; null when it is in use."},
    )
    water = Text(required=True, allow_none=True)
    power = Text(required=True, allow_none=True)
    heating = Text(required=True, allow_none=True)
    sewer = Text(required=True, allow_none=True)
    fire_certificate = Text(required=True, allow_none=True)
    max_occupancy = fields.Integer(required=True, allow_none=True)
    accessibility = Text(required=True, allow_none=True)
    heritage_constraints = Text(required=True)
    permitted_uses = Text(required=True)
    owner_kind = Text(required=True, allow_none=True)
    owner_name = Text(required=True, allow_none=True)
    reliability = fields.Dict(
        keys=Text(),
        values=Text(),
        required=True,
        metadata={"description": "How each fact is known: surveyed, reported or estimated."},
    )
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)


class CommonsDetailOut(CommonsOut):
    dossier = fields.Nested(
        DossierOut,
        required=True,
        allow_none=True,
        metadata={"description": "The public asset dossier; null when none was filled in."},
    )
    inspections = fields.Method(
        "_inspections",
        required=True,
        metadata={"description": "The inspections of the place, latest first."},
    )

    def _inspections(self, commons):
        from commons.registry.queries import inspections_of

        return InspectionOut(many=True).dump(inspections_of(commons))


class CommonsListArgs(PageArgs):
    kind = Text(validate=validate.OneOf([k.value for k in CommonsKind]))
    availability = Text(validate=validate.OneOf([a.value for a in Availability]))
    district = Text(validate=chars(limits.SHORT))
    q = Text(validate=chars(limits.NAME), metadata={"description": "Part of the name."})


class CommonsIn(Strict):
    name = Text(required=True, validate=chars(limits.NAME, min=1))
    kind = Text(required=True, validate=validate.OneOf([k.value for k in CommonsKind]))
    description = Text(validate=chars(limits.PARAGRAPH))
    address = Text(required=True, validate=chars(limits.LINE, min=1))
    district = Text(allow_none=True, validate=chars(limits.SHORT))
    neighbourhood = Text(allow_none=True, validate=chars(limits.SHORT))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    geometry = fields.Dict(
        allow_none=True, metadata={"description": "A GeoJSON geometry object (the outline)."}
    )
    cadastral_reference = Text(allow_none=True, validate=chars(limits.SHORT))
    owner_office = Text(allow_none=True, validate=chars(limits.NAME))
    availability = Text(validate=validate.OneOf([a.value for a in Availability]))

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
    name = Text(required=True)


class PersonRef(ma.Schema):
    id = fields.Integer(required=True)
    full_name = Text(required=True)


class ProposalOut(ma.Schema):
    id = fields.Integer(required=True)
    title = Text(required=True)
    pact_type = Text(required=True)
    status = Text(required=True)
    profile = Text(required=True)
    protocol_number = Text(required=True, allow_none=True)
    group_name = Text(
        required=True,
        allow_none=True,
        metadata={
            "description": "null for the public when it is a person's name (an individual's "
            "group, or one named after its representative) and the pact is not signed, or the "
            "city does not publish representatives"
        },
    )
    commons = fields.List(fields.Nested(CommonsRef), required=True)
    objectives = Text(required=True)
    activities = Text(required=True)
    support_requested = fields.List(Text(), required=True)
    requested_duration_months = fields.Integer(required=True, allow_none=True)
    start_date = fields.Date(
        required=True,
        allow_none=True,
        metadata={
            "description": "First day of the term: the approved one once the pact is approved "
            "(see `term_basis`), before that the start requested in the application."
        },
    )
    end_date = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "Last day of the term, on the same basis as `start_date`."},
    )
    term_basis = Text(
        required=True,
        validate=validate.OneOf(["approved", "requested"]),
        metadata={
            "description": "`approved`: the dates are those of the approved pact (fixed at "
            "the last signature, moved by an extension); `requested`: those of the application."
        },
    )
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
    support_notes = Text(metadata={"description": "Private."})
    decision_number = Text(allow_none=True, metadata={"description": "Private."})
    decision_date = fields.Date(allow_none=True, metadata={"description": "Private."})
    deliberation_number = Text(allow_none=True, metadata={"description": "Private."})
    deliberation_date = fields.Date(allow_none=True, metadata={"description": "Private."})
    next_report_due_on = fields.Date(allow_none=True, metadata={"description": "Private."})


class ProposalListArgs(PageArgs):
    status = Text(validate=validate.Length(max=32))
    pact_type = Text(validate=validate.OneOf([t.value for t in PactType]))
    commons_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    mine = fields.Boolean(
        load_default=False,
        metadata={"description": "Only proposals you represent or whose group you belong to."},
    )


class ProposalIn(Strict):
    group_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    title = Text(required=True, validate=chars(limits.NAME, min=1))
    pact_type = Text(validate=validate.OneOf([t.value for t in PactType]))
    commons_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        validate=validate.Length(max=50),
    )
    objectives = Text(validate=chars(limits.LONG_TEXT))
    activities = Text(validate=chars(limits.LONG_TEXT))
    support_requested = fields.List(
        Text(validate=validate.OneOf([s.value for s in Support])),
        validate=validate.Length(max=len(Support)),
    )
    support_notes = Text(validate=chars(limits.PARAGRAPH))
    requested_duration_months = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=1200)
    )
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)


def expected_version(what: str):
    """The version a change is made from: required, so nothing is saved over a newer one."""
    return fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={
            "description": f"The {what}'s `version` your change is made from; 409 (with "
            "`current_version`) when someone saved another version since."
        },
    )


def patch_of(schema_class):
    """The schema of a PATCH: every field optional except ``expected_version``."""
    return schema_class(
        partial=tuple(name for name in schema_class._declared_fields if name != "expected_version")
    )


class ProposalPatch(ProposalIn):
    """A draft's changes: every field optional but ``expected_version``; the group is fixed
    once the draft exists."""

    expected_version = expected_version("draft")

    class Meta:
        exclude = ("group_id",)
        unknown = ma.RAISE


# --- transitions -----------------------------------------------------------------------------


class TriggerOut(ma.Schema):
    trigger = Text(required=True)
    label = Text(required=True)
    target = Text(required=True, metadata={"description": "The state it leads to."})
    requires = fields.List(Text(), required=True, metadata={"description": "Data fields to send."})
    optional = fields.List(Text(), required=True)
    blocked_by = fields.List(
        Text(),
        required=True,
        metadata={"description": "Rules not met yet; empty when the trigger can be fired."},
    )
    ready = fields.Boolean(required=True)


class TransitionsOut(ma.Schema):
    proposal_id = fields.Integer(required=True)
    status = Text(required=True)
    version = fields.Integer(required=True)
    triggers = fields.List(fields.Nested(TriggerOut), required=True)


class TransitionIn(Strict):
    expected_version = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The proposal's `version` you saw; 409 if it changed."},
    )
    data = fields.Dict(
        keys=Text(validate=chars(limits.SHORT)),
        values=Text(allow_none=True, validate=chars(limits.REPORT)),
        load_default=dict,
        metadata={"description": "The data the trigger requires (see GET .../transitions)."},
    )
    signed_file = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "For `sign` only: the final PDF signed with your own tool, PAdES "
            "(the signed PDF) or CAdES (the enveloping .p7m), base64-encoded. It is checked "
            "against the issued final PDF and the trusted authorities; the signature's level "
            "(advanced or qualified) is recorded. Without it the signature is simple."
        },
    )


class EventOut(ma.Schema):
    seq = fields.Integer(required=True)
    trigger = Text(required=True)
    from_state = Text(required=True, allow_none=True)
    to_state = Text(required=True, allow_none=True)
    occurred_at = fields.DateTime(required=True)


class TransitionOut(ma.Schema):
    event = fields.Nested(EventOut, required=True)
    proposal = fields.Nested(ProposalOut, required=True)


# --- pact versions and documents ---------------------------------------------------------------


class ArticleIn(Strict):
    title = Text(load_default="", validate=chars(limits.ARTICLE_TITLE))
    text = Text(load_default="", validate=chars(limits.CLAUSE))
    generated = Text(
        validate=validate.Length(max=40),
        metadata={"description": "Set on articles written from the terms; they are rewritten."},
    )


class SectionIn(Strict):
    key = Text(required=True, validate=chars(limits.SHORT, min=1))
    title = Text(load_default="", validate=chars(limits.ARTICLE_TITLE))
    articles = fields.List(
        fields.Nested(ArticleIn), load_default=list, validate=validate.Length(max=limits.ARTICLES)
    )


class PactContentIn(Strict):
    sections = fields.List(
        fields.Nested(SectionIn), required=True, validate=validate.Length(max=limits.SECTIONS)
    )
    terms = fields.Dict(
        metadata={
            "description": "The pact's terms (docs/data-dictionary.md, content.terms); omit to "
            "keep those of the latest version."
        }
    )

    @validates_schema
    def _within_limits(self, data, **kwargs):
        """The whole text within its limits (characters, lines), said as the editor says it."""
        try:
            limits.check_pact_text(data)
        except limits.TextTooLong as error:
            raise ValidationError(error.message, field_name="sections") from error


class PactVersionIn(Strict):
    base_version = fields.Integer(
        required=True,
        validate=validate.Range(min=0),
        metadata={
            "description": "The number of the version this text was written from (0 when "
            "there was none). If a newer version was saved since, nothing is saved and the "
            "answer is a 409 problem `version-conflict` with `latest_version` and `changes`: "
            "per article (`section`, `article` place, `title`) and per group of terms fields "
            "(`field`), who changed it since `base_version`: `theirs` (the latest version "
            "only), `mine` (this text only), `same` (both, identically) or `conflict` (both, "
            "differently). Merge, then send again with `base_version` = `latest_version`."
        },
    )
    content = fields.Nested(
        PactContentIn,
        metadata={"description": "The whole text; omit to start from the regulation's model."},
    )
    comment = Text(load_default="", validate=chars(limits.PARAGRAPH))


class PactVersionSummary(ma.Schema):
    number = fields.Integer(required=True)
    content_hash = Text(required=True)
    comment = Text(required=True)
    author = fields.Nested(PersonRef, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    frozen_at = fields.DateTime(required=True, allow_none=True)


class PactVersionOut(PactVersionSummary):
    content = fields.Dict(required=True)


class DiffArticle(ma.Schema):
    changed = fields.Boolean(required=True)
    title = Text(required=True, metadata={"description": "HTML with <del>/<ins>."})
    text = Text(required=True, metadata={"description": "HTML with <del>/<ins>."})


class DiffSection(ma.Schema):
    key = Text(required=True, allow_none=True)
    title = Text(required=True, allow_none=True)
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
    sha256 = Text(required=True)
    kind = Text(required=True, metadata={"description": "draft, final or signed."})
    size = fields.Integer(required=True)
    language = Text(required=True)
    created_at = fields.DateTime(required=True)
    proposal_id = fields.Integer(required=True)
    version_number = fields.Integer(required=True)
    download_url = Text(required=True)


# --- monitoring reports ------------------------------------------------------------------------


class ReportOut(ma.Schema):
    id = fields.Integer(required=True)
    proposal_id = fields.Integer(required=True)
    author = fields.Nested(PersonRef, required=True, allow_none=True)
    filed_at = fields.DateTime(required=True)
    text = Text(required=True)
    indicators = fields.Dict(required=True)
    # The impact framework and version the indicators were filled with, and their breakdowns
    # ({indicator: {breakdown: {category: value}}}); see the data dictionary.
    framework = fields.String(required=True)
    framework_version = fields.Integer(required=True)
    breakdowns = fields.Dict(required=True)
    final = fields.Boolean(required=True)


class ReportIn(Strict):
    report_text = Text(required=True, validate=chars(limits.REPORT))
    participants = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**6))
    volunteer_hours = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**7))
    final = fields.Boolean(load_default=False)
    expected_version = fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=2**31 - 1)
    )


# --- audit -------------------------------------------------------------------------------------


class AuditArgs(PageArgs):
    proposal_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    trigger = Text(validate=validate.Length(max=40))


class AuditEventOut(ma.Schema):
    seq = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    actor_id = fields.Integer(required=True, allow_none=True)
    actor_role = Text(required=True, allow_none=True)
    proposal_id = fields.Integer(required=True, allow_none=True)
    trigger = Text(required=True)
    from_state = Text(required=True, allow_none=True)
    to_state = Text(required=True, allow_none=True)
    payload = fields.Dict(required=True)
    public = fields.Boolean(required=True)
    prev_hash = Text(required=True)
    hash = Text(required=True)


# --- problems ----------------------------------------------------------------------------------


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = Text(required=True)
    title = Text(required=True)
    status = fields.Integer(required=True)
    detail = Text()
    errors = fields.Dict(
        keys=Text(),
        values=fields.List(Text()),
        metadata={"description": "Field errors: field name -> messages."},
    )
    rule = Text(metadata={"description": "The rule of the regulation that refused."})


class CommonsPatch(CommonsIn):
    """A commons' changes: send only the fields that change, and ``expected_version``."""

    expected_version = expected_version("commons")


# --- exports -----------------------------------------------------------------------------------


class ExportFilters(Strict):
    """Which pacts to export (the auditors' search); every filter is optional."""

    protocols = fields.List(
        Text(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=1000)
    )
    state = Text(validate=validate.Length(max=40), allow_none=True)
    district = Text(validate=validate.Length(max=120), allow_none=True)
    date_from = fields.Date(allow_none=True)
    date_to = fields.Date(allow_none=True)
    officer = Text(
        validate=chars(limits.NAME),
        allow_none=True,
        metadata={"description": "The case officer's name or e-mail."},
    )
    commons = Text(
        validate=chars(limits.NAME),
        allow_none=True,
        metadata={"description": "Part of a commons' name, any letter case."},
    )


class ExportIn(Strict):
    format = Text(required=True, validate=validate.OneOf(["csv", "jsonl", "xlsx", "zip"]))
    bom = fields.Boolean(
        load_default=False,
        metadata={"description": "CSV only: start with a UTF-8 byte order mark."},
    )
    filters = fields.Nested(ExportFilters, load_default=dict)


class ExportOut(ma.Schema):
    id = fields.Integer(required=True)
    format = Text(required=True)
    bom = fields.Boolean(required=True)
    filters = fields.Dict(required=True)
    status = Text(required=True, metadata={"description": "queued, running, done or failed."})
    progress = fields.Integer(required=True, metadata={"description": "Events written so far."})
    total = fields.Integer(required=True, allow_none=True)
    size = fields.Integer(required=True, allow_none=True)
    sha256 = Text(required=True, allow_none=True)
    error = Text(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)
    status_url = Text(required=True)
    download_url = Text(required=True, allow_none=True)
