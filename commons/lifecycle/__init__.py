"""The application's side of the lifecycle engine: what ``workflows`` needs to run proposals.

``workflows`` is a library that knows nothing of this application. Importing this package
plugs the application in through the engine's interface (``commons`` imports it, so that the
profiles, which name these guards and effects, load wherever the application's code is used):

- the guards, conditions and effects that read or write the database, the documents and the
  passwords (``commons.lifecycle.guards``, ``commons.lifecycle.effects``; the signed files a
  party uploads, ``commons.lifecycle.signed_files``), by the names the profiles use;
- the permission check: the same ``can(user, "fire:<trigger>", proposal)`` as the views;
- the event recorder: ``commons.audit.operations.append_event``;
- the store: SQLAlchemy, the proposal's own session (``commons.lifecycle.store``);
- the rule behind ``can(user, "fire:<trigger>", proposal)``: the engine's ``may_fire``, so
  that ``commons.auth`` does not import the engine.

Reactions to transitions (notifications, the published summary) are receivers of
``workflows.signals.transitioned``, connected by their own areas' ``install``.
"""

from __future__ import annotations

import commons.audit.operations as audit_operations
import commons.auth.permissions as permissions
import commons.impact.framework as impact_frameworks
import workflows
from commons.lifecycle import (  # noqa: F401  (they register themselves)
    effects,
    guards,
    signed_files,
)
from commons.lifecycle.store import DatabaseStore
from commons.notifications.messages import MESSAGES
from workflows.engine import may_fire


def permission(actor, proposal, trigger: str) -> bool:
    """The engine's permission check: the application's one ``can()``."""
    return permissions.can(actor, f"fire:{trigger}", proposal)


def record_event(trigger: str, **fields):
    """The engine's event recorder: the audit log's ``append_event``."""
    return audit_operations.append_event(trigger, **fields)


permissions.trigger_rule(may_fire)
# The message ids a profile's ``notify`` may name: the notifications' texts.
workflows.register_messages(MESSAGES)
workflows.configure(permission=permission, record_event=record_event, store=DatabaseStore())


def install(app) -> None:
    """Load the profiles with the city's settings (a bad profile stops the start)."""
    workflows.configure(timezone=app.config["CITY_TIMEZONE"], default_profile=app.config["PROFILE"])
    # The impact frameworks reports are filled with: a bad file stops the start too, with the
    # message ``commons impact check`` gives (their states are the profiles').
    impact_frameworks.current()
