"""The lifecycle engine: regulation profiles as data, one shared state machine per profile.

It knows nothing of Flask or HTTP: it works on model objects and their SQLAlchemy session.
"""

from workflows.engine import (
    SYSTEM,
    TriggerInfo,
    allowed_triggers,
    configure,
    fire,
    get_profile,
    profile_names,
)
from workflows.errors import (
    GuardRefused,
    ProfileError,
    StaleProposal,
    TransitionNotAllowed,
    WorkflowError,
)

__all__ = [
    "SYSTEM",
    "GuardRefused",
    "ProfileError",
    "StaleProposal",
    "TransitionNotAllowed",
    "TriggerInfo",
    "WorkflowError",
    "allowed_triggers",
    "configure",
    "fire",
    "get_profile",
    "profile_names",
]
