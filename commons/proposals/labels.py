"""What people read for the states, triggers and pact types of the lifecycle.

The workflow engine names them in code (``under_review``, ``take_in_charge``); these are the
translatable words shown on pages. A profile that names its own states or triggers gives their
words in its ``[labels.<language>]`` tables (docs/admins.md); the profile's words come first,
so a city can also reword a state it shares with labsus. A name with no words anywhere is shown
with its underscores as spaces.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

import workflows

STATE_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "under_review": _l("Under review"),
    "awaiting_integration": _l("Awaiting integration"),
    "public_notice": _l("Public notice"),
    "co_design": _l("Co-design"),
    "political_approval": _l("Council deliberation"),
    "legal_review": _l("Legal review"),
    "awaiting_signatures": _l("Awaiting signatures"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "renewal_review": _l("Renewal review"),
    "renewal_granted": _l("Renewal granted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "archived": _l("Archived"),
    "revoked": _l("Revoked"),
    "terminated": _l("Terminated"),
    "expired": _l("Expired"),
    "renewed": _l("Renewed"),
}

TRIGGER_LABELS = {
    "submit": _l("Submit"),
    "take_in_charge": _l("Take in charge"),
    "request_integration": _l("Request integration"),
    "integrate": _l("Send integration"),
    "archive": _l("Archive"),
    "admit": _l("Admit"),
    "admit_by_call": _l("Admit by the call's act"),
    "refuse_by_call": _l("Not admitted by the call's act"),
    "close_notice": _l("Close public notice"),
    "agree_draft": _l("Agree the draft"),
    "record_deliberation": _l("Record council deliberation"),
    "return_to_co_design": _l("Return to co-design"),
    "approve": _l("Approve"),
    "sign": _l("Sign"),
    "file_report": _l("File monitoring report"),
    "suspend": _l("Suspend"),
    "resume": _l("Resume"),
    "extend": _l("Extend"),
    "open_renewal": _l("Open renewal"),
    "renew": _l("Renew"),
    "complete_renewal": _l("Hand over to the renewed pact"),
    "expire": _l("Expire"),
    "reject": _l("Reject"),
    "withdraw": _l("Withdraw"),
    "complete_withdrawal": _l("Complete withdrawal"),
    "revoke": _l("Revoke"),
    "terminate": _l("Terminate"),
    # Events recorded outside the lifecycle's transitions.
    "created": _l("Proposal created"),
    "created_by_renewal": _l("Created by renewal"),
    "pact_version_saved": _l("Pact text saved"),
    "meeting_recorded": _l("Co-design meeting recorded"),
    "opinion_requested": _l("Technical opinion requested"),
    "opinion_recorded": _l("Technical opinion recorded"),
    "imported": _l("Imported from the previous register"),
    "join_request_accepted": _l("Request to join the group accepted"),
    "join_request_declined": _l("Request to join the group declined"),
    "summary_edited": _l("Public summary edited"),
    "summary_published": _l("Public summary published"),
}

PACT_TYPE_LABELS = {
    "ordinary": _l("ordinary"),
    "complex": _l("complex"),
}


def _plain(name: str) -> str:
    return name.replace("_", " ")


def profile_label(name: str) -> str | None:
    """The words a loaded profile gives for its state or trigger ``name``, in the current
    language (else English), or None."""
    locale = get_locale()
    languages = (str(locale.language), "en") if locale is not None else ("en",)
    for profile_name in workflows.profile_names():
        labels = workflows.get_profile(profile_name).labels
        for language in languages:
            words = labels.get(language, {}).get(name)
            if words:
                return words
    return None


def state_label(state: str) -> str:
    """The display name of a lifecycle state, in the current language."""
    label = profile_label(state) or STATE_LABELS.get(state)
    return str(label) if label is not None else _plain(state)


def trigger_label(trigger: str) -> str:
    """The display name of a trigger (an action that moves a proposal), in the current language."""
    label = profile_label(trigger) or TRIGGER_LABELS.get(trigger)
    return str(label) if label is not None else _plain(trigger)


def pact_type_label(pact_type: str) -> str:
    """The display name of a pact type (lower case, as used inside a sentence)."""
    label = PACT_TYPE_LABELS.get(pact_type)
    return str(label) if label is not None else _plain(pact_type)
