"""The lifecycle engine, a library: regulation profiles as data, one shared state machine each.

It knows nothing of Flask, of SQLAlchemy or of the application (``commons``): an import
contract (``lint-imports``, run by ``make lint``; see ``[importlinter]`` in setup.cfg) forbids
``workflows -> commons``. It holds profile loading and validation (``workflows.profile``), the
shared machine and ``fire`` (``workflows.engine``), the guards, conditions, requirements and
effects that only read the proposal, the profile and the clock (``workflows.guards``), the
clocks (``workflows.clocks``) and the wording of its messages (``workflows.i18n``).

How an application plugs in
---------------------------

1. Guards, conditions, effects and requirements by the names the profiles use, before the
   profiles are loaded (a profile naming an unknown one is refused, saying where)::

       @workflows.register_guard            # filed under the function's name
       def fresh_login(ctx): ...            # None when the rule holds, else a sentence

       @workflows.register_effect("record_signature")
       def _record(ctx): ...                # changes ctx.proposal, adds to ctx.payload

   ``register_condition`` (a ``when`` of the profile: ctx -> bool) and
   ``register_requirement`` (a ``requires`` value: raw -> clean value, or ValueError) alike;
   ``register_optional(name, check, recorded=...)`` for data any transition may carry.
   Each receives a ``workflows.guards.Context``: the proposal, the actor, the validated
   ``values``, ``now``, the profile, the store's ``session`` and the event's ``payload``.

2. ``workflows.configure(...)`` loads and checks the profiles (``profiles_dir``, ``timezone``,
   ``default_profile``) and takes the application's hooks, each kept until replaced:

   - ``permission(actor, proposal, trigger) -> bool``: who may fire (default ``may_fire``, the
     roles of the profile's transition table);
   - ``record_event(trigger, *, actor, actor_role, proposal, from_state, to_state, payload,
     occurred_at, session)``: records a firing; ``fire`` returns what it returns (default: a
     ``workflows.engine.Transition``);
   - ``store``: reads and writes proposals (``workflows.store``; default ``PlainStore``, plain
     objects in memory).

3. Reactions to transitions are receivers of the blinker signal
   ``workflows.signals.transitioned`` (sender: the trigger's name; arguments: ``proposal``,
   ``actor``, ``event``, ``from_state``, ``context``), sent inside ``fire``, in the caller's
   transaction.

Refusals are the engine's own exceptions (``workflows.errors``): ``GuardRefused`` (422),
``TransitionNotAllowed`` and ``StaleProposal`` (409), ``NotPermitted`` (403), all
``WorkflowError`` with ``message``, ``field`` and ``status_code``; the application maps them
to its answers. ``fire`` never commits: the caller does, once.

The Commons application plugs in from ``commons/lifecycle/`` (see CONTRIBUTING.md).
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
    NotPermitted,
    ProfileError,
    StaleProposal,
    TransitionNotAllowed,
    WorkflowError,
)
from workflows.guards import (
    register_condition,
    register_effect,
    register_guard,
    register_messages,
    register_optional,
    register_requirement,
)

__all__ = [
    "SYSTEM",
    "GuardRefused",
    "NotPermitted",
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
    "register_condition",
    "register_effect",
    "register_guard",
    "register_messages",
    "register_optional",
    "register_requirement",
]
