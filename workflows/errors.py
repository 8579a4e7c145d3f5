"""Errors of the lifecycle engine; each maps to a clear answer in views and the API.

They are the engine's own: they do not derive from the application's errors. Each carries
what an application needs to answer with it: ``message`` (worded for people), ``field`` (the
input at fault, if any) and ``status_code`` (the HTTP status it stands for). The application
maps them where it handles its own errors (``commons.errors.REFUSALS``).
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of the engine's refusals."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ProfileError(Exception):
    """A regulation profile file is invalid; the message names the file and the key."""


class TransitionNotAllowed(WorkflowError):
    """The trigger does not apply to the proposal's current state (HTTP 409)."""

    status_code = 409


class StaleProposal(WorkflowError):
    """Someone changed the proposal since the page was loaded: the action was already done."""

    status_code = 409


class NotPermitted(WorkflowError):
    """The actor's role may not fire this trigger on this proposal (HTTP 403)."""

    status_code = 403


class GuardRefused(WorkflowError):
    """A rule of the regulation refused the transition (HTTP 422).

    ``rule`` names the guard; ``fields`` maps missing or invalid inputs to messages.
    """

    def __init__(
        self, message: str, *, rule: str | None = None, fields: dict[str, str] | None = None
    ):
        super().__init__(message, field=next(iter(fields), None) if fields else None)
        self.rule = rule
        self.fields = fields or {}
