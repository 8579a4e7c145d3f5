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
