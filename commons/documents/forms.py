"""The public verification form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, Regexp

from commons import limits
from commons.documents import terms as pact_terms
from commons.forms import strip
from commons.proposals.forms import MultiCheckboxField, support_labels


class VerifyForm(FlaskForm):
    document = FileField(_l("A pact PDF"), description=_l("The file is checked and not kept."))
    sha256 = StringField(
        _l("Or its SHA-256 fingerprint"),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            Optional(),
            Regexp(r"^[0-9a-f]{64}$", message=_l("A SHA-256 has 64 characters 0-9 and a-f.")),
        ],
    )


class PactFileForm(FlaskForm):
    """On a pact's verification page: the file someone holds, to compare with the issued one."""

    document = FileField(
        _l("The PDF file you hold"),
        description=_l("The file is checked and not kept."),
        validators=[FileRequired(_l("Choose the PDF file to check."))],
    )


class PactEditForm(FlaskForm):
    """The clause editor's own fields; articles come as s<i>-a<j>-title / -text.

    The ``terms_*`` fields are the pact's terms (commons.documents.terms.from_form reads and
    checks them; the commons covered come as terms_commons-<id> and terms_part-<id>). They are
    text fields so that whatever was typed is shown again next to its error.

    ``base_version`` is the version the page was opened on (0: none yet); a save over a newer
    one is refused and shown as a merge (commons.documents.merge).
    """

    base_version = HiddenField(
        _l("The version you started from"),
        validators=[
            InputRequired(_l("Open the editor again: the version you started from is missing.")),
            Regexp(r"^\d{1,9}$", message=_l("The version you started from is not a number.")),
        ],
    )

    terms_start_date = StringField(
        _l("Start date"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        description=_l("As YYYY-MM-DD. Leave empty for the day of the last signature."),
        render_kw={"type": "date"},
    )
    terms_end_date = StringField(
        _l("End date"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        description=_l("As YYYY-MM-DD. Give an end date or a duration, not both."),
        render_kw={"type": "date"},
    )
    terms_duration_months = StringField(
        _l("Duration in months"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        description=_l("Counted from the start date."),
        render_kw={"inputmode": "numeric"},
    )
    terms_support = MultiCheckboxField(_l("Support from the city"), validate_choice=False)
    terms_support_amount = StringField(
        _l("Money contribution in euros (optional)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        render_kw={"inputmode": "decimal"},
    )
    terms_support_notes = TextAreaField(
        _l("Details of the support (optional)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.PARAGRAPH)],
    )
    terms_report_interval_months = StringField(
        _l("Monitoring report every (months)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        render_kw={"inputmode": "numeric"},
    )

    comment = StringField(
        _l("What did you change?"),
        filters=[strip],
        description=_l("Saved with the version, for the other party."),
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )


# --- the clause editor: its form, a merged form, its errors, the merge panel's words ---------


def pact_edit_form(base_terms, latest_number: int) -> PactEditForm:
    """The clause editor's form: the terms of the version the page starts from, and the number
    of the latest version (a save over a newer one is refused)."""
    form = PactEditForm(
        data={**pact_terms.form_values(base_terms), "base_version": str(latest_number)}
    )
    form.terms_support.choices = list(support_labels().items())
    return form


def shown_terms(group: str, values: dict, form) -> str:
    """One group of the terms' fields as a line of text, for the merge panel."""
    if group == "term":
        parts = [
            f"{form.terms_start_date.label.text}: {values.get('start_date')}"
            if values.get("start_date")
            else "",
            f"{form.terms_end_date.label.text}: {values.get('end_date')}"
            if values.get("end_date")
            else "",
            f"{form.terms_duration_months.label.text}: {values.get('duration_months')}"
            if values.get("duration_months")
            else "",
        ]
        shown = "; ".join(p for p in parts if p)
    elif group == "commons":
        shown = "; ".join(
            c.get("name", "") + (f" ({c['part']})" if c.get("part") else "")
            for c in values.get("commons") or []
        )
    elif group == "support":
        labels = support_labels()
        shown = ", ".join(str(labels.get(f, f)) for f in values.get("support.forms") or [])
    else:
        shown = str(next(iter(values.values())) or "")
    return shown or _("(none)")


def term_labels(form) -> dict[str, str]:
    """The merge panel's name of each group of the terms' fields."""
    return {
        "term": _("Term of the pact"),
        "commons": _("Commons covered"),
        "support": form.terms_support.label.text,
        "support_amount": form.terms_support_amount.label.text,
        "support_notes": form.terms_support_notes.label.text,
        "report_interval_months": form.terms_report_interval_months.label.text,
    }


def merged_form(merge, latest_number: int, comment: str, message: str):
    """A fresh editor form on the latest version, filled with the merged terms."""
    merged_terms = pact_terms.Terms.from_dict(merge.content["terms"])
    form = PactEditForm(
        formdata=None,
        data={
            **pact_terms.form_values(merged_terms),
            "base_version": str(latest_number),
            "comment": comment,
        },
    )
    form.terms_support.choices = list(support_labels().items())
    form.form_errors.append(message)
    form.conflict = True
    return form, {c.id: c.part for c in merged_terms.commons}


def attach_terms_problems(form, problems: dict[str, str], *, skip_first: bool = False):
    """Each problem next to its terms field; returns the one about the commons covered."""
    commons_error = None
    for index, (key, message) in enumerate(problems.items()):
        if key == "commons":
            commons_error = message
        if skip_first and index == 0:
            continue  # FormTransaction has shown it already
        field = getattr(form, f"terms_{key}", None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
    return commons_error
