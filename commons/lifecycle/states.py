"""Selecting proposals by what their profile says of their state, for every profile at once.

The application never names a state: it asks the profile (``Profile.tagged("running")``,
``Profile.sources("archive", "system")``, ``Profile.in_force``). A query over proposals of
several profiles turns that question into one WHERE clause with :func:`status_in`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import and_, false, or_

from workflows.engine import ProfileError, get_profile, states_by_profile


def status_in(states_of: Callable[[object], Iterable[str]], model=None):
    """A clause: the proposal's status is one of ``states_of(its profile)``.

    When every profile gives the same states the clause does not look at the profile column
    (``status = 'x'`` or ``status IN (...)``, as a query naming the states would be).
    """
    if model is None:
        from commons.proposals.models import Proposal

        model = Proposal
    by_profile = states_by_profile(states_of)
    groups: dict[frozenset[str], list[str]] = {}
    for name, states in by_profile.items():
        if states:
            groups.setdefault(states, []).append(name)
    if not groups:
        return false()

    def one(states: frozenset[str]):
        if len(states) == 1:
            return model.status == next(iter(states))
        return model.status.in_(sorted(states))

    if len(groups) == 1 and len(next(iter(groups.values()))) == len(by_profile):
        return one(next(iter(groups)))
    return or_(
        *(
            and_(model.profile.in_(sorted(names)), one(states))
            for states, names in sorted(groups.items(), key=lambda item: sorted(item[1]))
        )
    )


def profile_named(name: str | None):
    """The profile ``name``, or the default one when no loaded profile has that name (a
    record imported from an old register, a profile a city has since removed): such a
    proposal is read with the default regulation rather than breaking every page it is on."""
    try:
        return get_profile(name)
    except ProfileError:
        return get_profile(None)


def is_tagged(proposal, tag: str) -> bool:
    """Whether the proposal's state has ``tag`` in its profile (``workflows.profile.TAGS``)."""
    return proposal.status in profile_named(proposal.profile).tagged(tag)


def in_any_profile(states_of: Callable[[object], Iterable[str]]) -> frozenset[str]:
    """The states ``states_of(profile)`` gives in any loaded profile: for a question about
    audit events, which carry the state names but not the profile (state names of different
    profiles name the same part of the procedure or none)."""
    return frozenset().union(*states_by_profile(states_of).values())


def is_initial(proposal) -> bool:
    """Whether the proposal is still in its profile's initial state (the proponent's draft)."""
    return proposal.status == profile_named(proposal.profile).initial


def initial_states() -> frozenset[str]:
    """The initial state of every loaded profile (for raw SQL, which binds them)."""
    return in_any_profile(lambda p: {p.initial})


def _reachable(profile, starts: Iterable[str], *, skip: str | None = None) -> frozenset[str]:
    """The states reached from ``starts`` (themselves included), not by trigger ``skip``."""
    seen, todo = set(starts), list(starts)
    while todo:
        state = todo.pop()
        for spec in profile.transitions:
            if state in spec.sources and spec.trigger != skip and spec.target not in seen:
                seen.add(spec.target)
                todo.append(spec.target)
    return frozenset(seen)


def ended_after_signing(profile) -> frozenset[str]:
    """Terminal states reached only from states in force: a pact there was signed."""
    sources: dict[str, set[str]] = {}
    for spec in profile.transitions:
        sources.setdefault(spec.target, set()).update(spec.sources)
    return frozenset(
        state
        for state in profile.terminal
        if sources.get(state) and sources[state] <= set(profile.in_force)
    )


def ended_unsigned(profile) -> frozenset[str]:
    """Terminal states a pact never reaches once its signing began: it was never signed."""
    return frozenset(profile.terminal - _reachable(profile, profile.sources("sign")))


def before_approval(profile) -> frozenset[str]:
    """States in which no pact version has been approved yet: those reached from the initial
    state without approving, and never after an approval (a state reached both ways, such as
    a withdrawal, is left out: the proposal's record tells)."""
    approved = {spec.target for spec in profile.transitions if spec.trigger == "approve"}
    return reached_unapproved(profile) - _reachable(profile, approved)


def reached_unapproved(profile) -> frozenset[str]:
    """The states reached from the initial state without approving a pact version."""
    return _reachable(profile, [profile.initial], skip="approve")
