"""The name map the profile-wide tests use (scenario.state_map) finds each labsus state's
counterpart from the profile's tags and transitions, and says which it lacks."""

from __future__ import annotations

import pytest

import workflows
from tests.workflows.scenario import require, state_map


def test_renamed_states_map_by_their_place_not_their_name(profile, S):
    labsus = workflows.get_profile("labsus")
    if profile.name == "labsus":
        assert dict(S) == {name: name for name in labsus.states}
    elif profile.name == "renamed":
        # renamed.toml lists labsus's states renamed, in the same order.
        assert dict(S) == dict(zip(labsus.states, profile.states, strict=True))
    elif profile.name == "simplified":
        # No public notice, no council deliberation; the other states keep their names.
        assert set(labsus.states) - set(S) == {"public_notice", "political_approval"}
        assert all(S[name] == name for name in S)
    else:
        assert sorted(S.values()) == sorted(profile.states)
    assert len(set(S.values())) == len(S)


def test_a_state_the_profile_lacks_is_named_and_its_transition_skips(app):
    S = state_map(workflows.get_profile("simplified"))
    with pytest.raises(KeyError, match="'simplified' has no state like labsus's 'public_notice'"):
        S["public_notice"]
    simplified = workflows.get_profile("simplified")
    require(simplified, S, ("admit", "under_review", "co_design"), ("submit", "draft"))
    with pytest.raises(pytest.skip.Exception, match="admit: under_review -> public_notice"):
        require(simplified, S, ("admit", "under_review", "public_notice"))
