"""The engine: one shared ``transitions.Machine`` per profile, ``fire`` and ``allowed_triggers``.

Every state change of a proposal goes through ``fire``: it checks the actor's permission with
the configured permission check (the application gives its ``can()``), validates the data and
the regulation's guards, lets the profile's machine change the state, runs the effects, has the
configured recorder append the event and sends ``signals.transitioned``. The caller commits
once, so all of it lands together or not at all.

Concurrency (with the application's store): the proposal's ``lock_version`` counter guards
the UPDATE. Two requests firing at
once both reach that UPDATE; the database's row lock makes the second wait, and when the first
commits the second matches no row (its version is stale) and gets StaleProposal: one
transition, one clear "already done" answer. No extra locking read is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from transitions import Machine

from workflows import signals
from workflows.errors import (
    GuardRefused,
    NotPermitted,
    ProfileError,
    StaleProposal,
    TransitionNotAllowed,
    WorkflowError,
)
from workflows.guards import (
    CONDITIONS,
    EFFECTS,
    GUARDS,
    INPUT_GUARDS,
    MESSAGES,
    OPTIONAL,
    REQUIREMENTS,
    UNRECORDED,
    Context,
)
from workflows.i18n import _, field_label
from workflows.profile import PROFILES_DIR, Profile, load_profile
from workflows.store import PlainStore

log = logging.getLogger(__name__)


class _SystemActor:
    """The clock: fires time-based transitions; has no account."""

    id = None
    full_name = "system"
    is_authenticated = False
    is_active = True
    is_system = True

    def has_role(self, *roles) -> bool:
        return False

    def __repr__(self) -> str:
        return "<system>"


SYSTEM = _SystemActor()

_SETTINGS: dict = {"timezone": "Europe/Rome", "default_profile": "labsus"}
# Functions called with the proposal just before fire() has the store write it (the
# application's store writes the changed columns with one Core UPDATE, which skips the ORM's
# before_flush listeners): hook(obj). The application keeps
# derived columns in step with them (e.g. the deadline of the current step, proposals.due_at).
BEFORE_WRITE: list = []


def before_write(hook):
    """Register ``hook`` to run before fire() writes a proposal (once, however often called)."""
    if hook not in BEFORE_WRITE:
        BEFORE_WRITE.append(hook)
    return hook


_PROFILES: dict[str, Profile] = {}
_MACHINES: dict[str, Machine] = {}


@dataclass
class Transition:
    """What the engine records of a firing when no event recorder is configured."""

    trigger: str
    actor: object
    actor_role: str | None
    proposal: object
    from_state: str | None
    to_state: str
    payload: dict
    occurred_at: datetime


def _record_transition(trigger, *, session=None, **fields) -> Transition:
    return Transition(trigger, **fields)


def _may_fire(actor, proposal, trigger: str) -> bool:
    return may_fire(actor, proposal, trigger)


# What the application plugs in (``configure``): who may fire a trigger, how a firing is
# recorded, and where proposals are stored. The defaults work on plain objects.
_HOOKS: dict = {
    "permission": _may_fire,
    "record_event": _record_transition,
    "store": PlainStore(),
}


def configure(
    *,
    timezone: str | None = None,
    default_profile: str | None = None,
    profiles_dir: Path | Sequence[Path] | None = None,
    permission=None,
    record_event=None,
    store=None,
) -> None:
    """Load and validate every profile (refusing a bad one) and build their machines.

    ``permission(actor, proposal, trigger) -> bool`` decides who may fire (default: the
    profile's roles, ``may_fire``); ``record_event(trigger, *, actor, actor_role, proposal,
    from_state, to_state, payload, occurred_at, session)`` records a firing and returns the
    record ``fire`` gives back (default: a ``Transition``); ``store`` reads and writes
    proposals (default: ``PlainStore``, plain objects in memory). Each stays as it was when
    not given. Register the application's guards and effects before calling it: the profiles
    are checked against them. ``profiles_dir`` may be several folders (a profile's name must be
    unique among them).
    """
    if permission is not None:
        _HOOKS["permission"] = permission
    if record_event is not None:
        _HOOKS["record_event"] = record_event
    if store is not None:
        _HOOKS["store"] = store
    if timezone:
        _SETTINGS["timezone"] = timezone
    if profiles_dir is None:
        directories = [PROFILES_DIR]
    elif isinstance(profiles_dir, str | Path):
        directories = [Path(profiles_dir)]
    else:
        directories = [Path(d) for d in profiles_dir]
    profiles = {}
    for directory in directories:
        for path in sorted(directory.glob("*.toml")):
            if path.stem in profiles:
                raise ProfileError(
                    f"{path}: a profile named {path.stem!r} is already loaded from "
                    f"{profiles[path.stem].path}"
                )
            profiles[path.stem] = _checked(path)
    if default_profile:
        if default_profile not in profiles:
            raise ProfileError(
                f"COMMONS_PROFILE: unknown profile {default_profile!r}; "
                f"known: {', '.join(sorted(profiles))}"
            )
        _SETTINGS["default_profile"] = default_profile
    _PROFILES.clear()
    _PROFILES.update(profiles)
    _MACHINES.clear()
    for name, profile in profiles.items():
        _MACHINES[name] = _machine_of(profile)


# Profiles checked and machines built, by what they came from: configuring again with the same
# files and the same registered names (as a test does around each use of its test profiles)
# reuses them. Reading, validating and building a profile's machine costs some 40 ms; a key
# is the file's text and the names it was checked against, so any change checks it again.
_CHECKED: dict[tuple, Profile] = {}
_BUILT: dict[int, tuple[Profile, Machine]] = {}


def _registered_names() -> tuple:
    return tuple(
        tuple(sorted(names))
        for names in (GUARDS, CONDITIONS, EFFECTS, REQUIREMENTS, OPTIONAL, MESSAGES)
    )


def _checked(path: Path) -> Profile:
    key = (str(path.resolve()), path.read_text(), _registered_names())
    if key not in _CHECKED:
        _CHECKED[key] = check_profile(path)
    return _CHECKED[key]


def _machine_of(profile: Profile) -> Machine:
    built = _BUILT.get(id(profile))
    if built is None or built[0] is not profile:
        built = _BUILT[id(profile)] = (profile, _build_machine(profile))
    return built[1]


def check_profile(path: Path) -> Profile:
    """Load and validate one profile file against the names registered so far."""
    return load_profile(
        Path(path),
        guards=GUARDS,
        conditions=CONDITIONS,
        effects=EFFECTS,
        requirements=REQUIREMENTS,
        optional=OPTIONAL,
        messages=MESSAGES,
    )


def _when(name: str):
    def check(event_data) -> bool:
        return CONDITIONS[name](event_data.kwargs["ctx"])

    check.__name__ = f"when_{name}"
    return check


def _build_machine(profile: Profile) -> Machine:
    # model=None: no object is ever added; fire() passes the proposal to the event directly.
    machine = Machine(
        model=None,
        states=list(profile.states),
        initial=profile.initial,
        auto_transitions=False,
        send_event=True,
        model_attribute="status",
    )
    for spec in profile.transitions:
        machine.add_transition(
            spec.trigger,
            list(spec.sources),
            spec.target,
            conditions=[_when(spec.when)] if spec.when else None,
        )
    return machine


def _ensure_loaded() -> None:
    if not _PROFILES:
        configure()


def get_profile(name: str | None = None) -> Profile:
    _ensure_loaded()
    name = name or _SETTINGS["default_profile"]
    try:
        return _PROFILES[name]
    except KeyError:
        raise ProfileError(f"unknown profile {name!r}") from None


def get_machine(name: str) -> Machine:
    _ensure_loaded()
    return _MACHINES[name]


def profile_names() -> list[str]:
    _ensure_loaded()
    return sorted(_PROFILES)


def default_profile_name() -> str:
    return _SETTINGS["default_profile"]


def city_timezone() -> str:
    """The time zone name deadlines are counted in (given to ``configure``)."""
    return _SETTINGS["timezone"]


def states_by_profile(states_of) -> dict[str, frozenset[str]]:
    """``states_of(profile)`` for every loaded profile, by profile name.

    How the application asks every profile at once ("which states are in force?"), e.g. to
    select proposals of several profiles: ``states_by_profile(lambda p: p.tagged("running"))``.
    """
    _ensure_loaded()
    return {name: frozenset(states_of(profile)) for name, profile in _PROFILES.items()}


def capacities(actor, proposal) -> set[str]:
    """The roles of the profile's transition table the actor holds for this proposal."""
    if getattr(actor, "is_system", False):
        return {"system"}
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return set()
    held = set()
    if proposal.representative_id == actor.id:
        held.add("representative")
    for role in ("officer", "legal"):
        if actor.has_role(role):
            held.add(role)
    return held


def may_fire(actor, proposal, trigger: str) -> bool:
    """Whether the actor's capacities allow ``trigger`` from the proposal's current state.

    This is the rule behind ``can(user, "fire:<trigger>", proposal)``.
    """
    profile = get_profile(proposal.profile)
    held = capacities(actor, proposal)
    return any(
        held.intersection(spec.roles) for spec in profile.specs_for(trigger, proposal.status)
    )


def _choose(profile: Profile, trigger: str, ctx: Context):
    for spec in profile.specs_for(trigger, ctx.proposal.status):
        if spec.when is None or CONDITIONS[spec.when](ctx):
            return spec
    return None


def _validate(spec, data: dict) -> dict:
    values, problems = {}, {}
    for name in spec.requires:
        try:
            values[name] = REQUIREMENTS[name](data.get(name))
        except ValueError as error:
            problems[name] = str(error)
    for name, check in OPTIONAL.items():
        if data.get(name) not in (None, ""):
            try:
                values[name] = check(data[name])
            except ValueError as error:
                problems[name] = str(error)
    if problems:
        # People read the fields' labels; ``fields`` keeps the names for the API's clients.
        listed = "; ".join(f"{field_label(k)}: {v}" for k, v in problems.items())
        raise GuardRefused(
            _("Some information is missing or not valid: %(problems)s.", problems=listed),
            rule="requires",
            fields=problems,
        )
    return values


def _stale_message() -> str:
    return _(
        "This proposal was changed by someone else in the meantime; the action may "
        "already have been done. Reload the page to see it."
    )


def _not_now_message() -> str:
    return _("This action is not possible in the proposal's current state.")


def _actor_role(held: set[str], spec) -> str | None:
    for role in spec.roles:
        if role in held:
            return role
    return None


def fire(
    proposal,
    trigger: str,
    actor,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
    **data,
):
    """Fire ``trigger`` on ``proposal`` as ``actor``; return the audit event appended.

    Raises TransitionNotAllowed (the trigger does not apply in this state), StaleProposal
    (someone changed the proposal since ``expected_version``), NotPermitted, or GuardRefused
    (a rule or a piece of data is missing; it says which). Nothing changes on refusal. The
    caller commits.
    """
    store = _HOOKS["store"]
    session = store.session_of(proposal)
    profile = get_profile(proposal.profile)
    specs = profile.specs_for(trigger, proposal.status)
    if not specs and trigger not in profile.triggers:
        raise TransitionNotAllowed(
            _(
                "%(action)s is not an action of the regulation %(profile)s.",
                action=trigger,
                profile=profile.name,
            )
        )
    if expected_version is not None and proposal.lock_version != expected_version:
        raise StaleProposal(_stale_message())
    if not specs:
        raise TransitionNotAllowed(_not_now_message())
    if not _HOOKS["permission"](actor, proposal, trigger):
        raise NotPermitted(_("Your role does not allow this action on this proposal now."))

    now = now or datetime.now(UTC)
    ctx = Context(
        proposal=proposal,
        actor=actor,
        values={},
        now=now,
        profile=profile,
        session=session,
        settings=_SETTINGS,
    )
    spec = _choose(profile, trigger, ctx)
    if spec is None:
        raise TransitionNotAllowed(_not_now_message())
    ctx.spec = spec
    ctx.values = _validate(spec, data)
    for name in spec.guards:
        problem = GUARDS[name](ctx)
        if problem:
            raise GuardRefused(problem, rule=name)

    before = proposal.status
    loaded_version = proposal.lock_version
    machine = get_machine(profile.name)
    if not machine.events[trigger].trigger(proposal, ctx=ctx):
        raise TransitionNotAllowed(_not_now_message())
    # Worded now: once a flush has failed, the session (and the user's locale) cannot be read.
    stale = _stale_message()
    try:
        for name in spec.effects:
            EFFECTS[name](ctx)
        held = capacities(actor, proposal)
        payload = {k: _jsonable(v) for k, v in ctx.values.items() if k not in UNRECORDED}
        payload.update(ctx.payload)
        # The version the firing was made from: a repeated request (a double click) made from
        # the same version is recognised by it and answered as this one was.
        payload["from_version"] = loaded_version
        # Every firing moves the proposal's version, even one that changes none of its
        # columns (a signature that is not the last): the guarded UPDATE is where two
        # firings on one proposal are serialised, and the later one is refused as stale.
        for hook in BEFORE_WRITE:
            hook(proposal)
        if not store.write(session, proposal, loaded_version=loaded_version):
            raise StaleProposal(stale)
        store.flush(session)  # whatever else the effects added or changed (usually nothing)
    except store.conflicts as error:
        # A row the effects add collided with one a simultaneous firing committed first
        # (two signatures for one role): the same conflict, seen by the store.
        store.log_conflict(trigger, proposal, error)
        raise StaleProposal(stale) from None
    append_event = _HOOKS["record_event"]
    event = append_event(
        trigger,
        actor=None if actor is SYSTEM else actor,
        actor_role=_actor_role(held, spec),
        proposal=proposal,
        from_state=before,
        to_state=proposal.status,
        payload=payload,
        occurred_at=now,
        session=session,
    )
    successor = getattr(ctx, "successor", None)
    if successor is not None:
        append_event(
            "created_by_renewal",
            actor=actor,
            actor_role=_actor_role(held, spec),
            proposal=successor,
            from_state=None,
            to_state=successor.status,
            payload={"predecessor_id": proposal.id},
            occurred_at=now,
            session=session,
        )
    signals.transitioned.send(
        trigger, proposal=proposal, actor=actor, event=event, from_state=before, context=ctx
    )
    for other, follow_up in ctx.follow_ups:
        _fire_follow_up(other, follow_up, now)
    return event


def _fire_follow_up(proposal, trigger: str, now: datetime) -> None:
    """Fire, for the clock, a transition another one made due; in a savepoint, so that if it
    cannot be done now (changed meanwhile) the first transition still lands and the next
    ``commons tick`` fires it."""
    store = _HOOKS["store"]
    savepoint = store.savepoint(store.session_of(proposal))
    try:
        fire(proposal, trigger, SYSTEM, now=now)
    except WorkflowError:
        savepoint.rollback()
    else:
        savepoint.commit()


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class TriggerInfo:
    """What a user may do now, and what it needs."""

    trigger: str
    target: str
    requires: list[str]
    optional: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blocked_by


def allowed_triggers(proposal, user, *, now: datetime | None = None) -> list[TriggerInfo]:
    """The triggers ``user`` may fire now, with their required data and any unmet rule.

    Rules that depend on data the user has not typed yet (passwords, dates) are not checked.
    """
    profile = get_profile(proposal.profile)
    session = _HOOKS["store"].session_of(proposal)
    ctx = Context(
        proposal=proposal,
        actor=user,
        values={},
        now=now or datetime.now(UTC),
        profile=profile,
        session=session,
        settings=_SETTINGS,
    )
    infos = []
    for trigger in profile.triggers:
        if not profile.specs_for(trigger, proposal.status):
            continue
        if not _HOOKS["permission"](user, proposal, trigger):
            continue
        spec = _choose(profile, trigger, ctx)
        if spec is None:
            continue
        blocked = []
        for name in spec.guards:
            if name in INPUT_GUARDS:
                continue
            problem = GUARDS[name](ctx)
            if problem:
                blocked.append(problem)
        infos.append(
            TriggerInfo(
                trigger,
                spec.target,
                list(spec.requires),
                [*spec.optional, "comment"],
                blocked,
            )
        )
    return infos
