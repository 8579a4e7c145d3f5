"""Signals the engine sends, for the application to react to transitions (blinker).

Connect a receiver with ``@transitioned.connect`` (every trigger) or
``@transitioned.connect_via("approve")`` (one trigger). Receivers run in ``fire``, after the
event is recorded and in the same transaction: what they add lands with the transition or not
at all, and an exception in one refuses the whole firing.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

transitioned = _signals.signal(
    "transitioned",
    doc="""Called after a proposal changed state through ``fire``.

    The *sender* is the trigger's name (e.g. ``"approve"``). Keyword arguments:
    ``proposal`` (the proposal, already in its new state), ``actor`` (who fired: a user or
    ``workflows.SYSTEM``), ``event`` (what the configured recorder returned, e.g. the audit
    event), ``from_state`` (the state before) and ``context`` (the ``workflows.guards.Context``
    the guards and effects saw: ``values``, ``payload``, ``now``, ``profile``, ``session``).
    """,
)
