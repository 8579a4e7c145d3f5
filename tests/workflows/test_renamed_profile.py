"""A profile with other state names loads beside the packaged ones, from another folder, and
answers the application's questions (tags, the clock's sources) in its own names."""

from __future__ import annotations

from pathlib import Path

import pytest

import workflows
from commons.lifecycle.states import status_in
from commons.proposals.models import Proposal
from workflows.profile import PROFILES_DIR

HERE = Path(__file__).parent / "profiles"


@pytest.fixture
def with_renamed():
    workflows.configure(profiles_dir=[PROFILES_DIR, HERE])
    yield workflows.get_profile("renamed")
    workflows.configure(profiles_dir=PROFILES_DIR)


def test_renamed_profile_answers_in_its_own_names(with_renamed):
    profile = with_renamed
    labsus = workflows.get_profile("labsus")
    assert workflows.profile_names() == ["labsus", "renamed", "simplified"]
    assert not set(profile.states) & set(labsus.states)
    assert profile.tagged("running") == {"attivo"}
    assert profile.state("co_design") == "coprogettazione"
    assert profile.sources("archive", "system") == {"in_attesa_integrazione"}
    assert [s.notify for s in profile.transitions] == [s.notify for s in labsus.transitions]


def test_status_in_selects_each_profile_in_its_own_states(with_renamed):
    clause = status_in(lambda p: p.tagged("running"), Proposal)
    sql = str(clause.compile(compile_kwargs={"literal_binds": True}))
    assert "'attivo'" in sql and "'active'" in sql and "profile" in sql


def test_two_folders_may_not_hold_a_profile_of_the_same_name(tmp_path):
    (tmp_path / "labsus.toml").write_text((PROFILES_DIR / "labsus.toml").read_text())
    with pytest.raises(workflows.ProfileError, match="already loaded"):
        workflows.configure(profiles_dir=[PROFILES_DIR, tmp_path])
    workflows.configure(profiles_dir=PROFILES_DIR)


def test_a_profile_gives_the_words_for_its_own_states(app, with_renamed):
    from flask_babel import force_locale

    from commons.proposals.labels import state_label

    profile = with_renamed
    assert set(profile.labels["en"]) == set(profile.states)
    with app.test_request_context(), force_locale("en"):
        assert state_label("in_istruttoria") == "Under review"
        assert state_label("under_review") == "Under review"  # labsus' own words still apply
    with app.test_request_context(), force_locale("it"):
        assert state_label("in_attesa_integrazione") == "In attesa di integrazione"


def test_labels_for_unknown_names_are_refused(tmp_path):
    from workflows.engine import check_profile
    from workflows.errors import ProfileError

    text = (HERE / "renamed.toml").read_text() + '\n[labels.fr]\nnowhere = "Nulle part"\n'
    path = tmp_path / "renamed.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=r"labels.fr.*unknown state or trigger 'nowhere'"):
        check_profile(path)
