"""Errors of the lifecycle engine; each maps to a clear answer in views and the API."""

from __future__ import annotations

from commons.errors import Conflict, DomainError, PermissionDenied


class WorkflowError(DomainError):
    """Base of the engine's refusals."""


class ProfileError(Exception):
    """A regulation profile file is invalid; the message names the file and the key."""


class TransitionNotAllowed(Conflict, WorkflowError):
    """The trigger does not apply to the proposal's current state (HTTP 409)."""


class StaleProposal(Conflict, WorkflowError):
    """Someone changed the proposal since the page was loaded: the action was already done."""


class NotPermitted(PermissionDenied, WorkflowError):
    """The actor's role may not fire this trigger on this proposal (HTTP 403)."""


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
