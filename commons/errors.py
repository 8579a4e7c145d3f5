"""Domain errors raised by operations; views and the CLI turn them into answers."""

from __future__ import annotations

from workflows.errors import WorkflowError


class DomainError(Exception):
    """A rule of the domain refused the action. ``field`` names the input at fault, if any."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The object changed under the request (already done, or done by someone else)."""

    status_code = 409


class StaleVersion(Conflict):
    """The edit was made from an older version of the row: someone else saved first."""

    def __init__(self, message: str, current_version: int, sent_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version
        self.sent_version = sent_version


# What the application answers as a refusal: its own domain errors and the lifecycle engine's
# (which carry the same ``message``, ``field`` and ``status_code`` but do not derive from
# DomainError, the engine being a library that knows nothing of the application).
REFUSALS = (DomainError, WorkflowError)
