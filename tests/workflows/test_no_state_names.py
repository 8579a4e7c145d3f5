"""The application asks the profile what a state is for, never a state's name (issue #15):
no string constant of ``commons/**/*.py`` equal to a state of a profile, save the words that
mean something else there (a document's kind, a form field, a filter key)."""

from __future__ import annotations

import ast
from pathlib import Path

import workflows
from workflows.profile import PROFILES_DIR, TAGS

ROOT = Path(__file__).resolve().parents[2] / "commons"
PROFILES = [PROFILES_DIR, Path(__file__).parent / "profiles"]
# Files whose keys are labsus state names as data: the interface's labels of each state (a
# catalogue for translators) and the notification message ids.
DATA_FILES = {"proposals/labels.py", "notifications/messages.py"}
# (file, word): the same word with another meaning there.
OTHER_MEANINGS = {
    ("auth/operations.py", "active"),  # the account's column
    ("groups/views.py", "expired"),  # an invitation's
    ("api/schemas.py", "draft"),  # wording of a description
    ("documents/queries.py", "suspended"),  # the standings the verification page words
    ("documents/queries.py", "awaiting_signatures"),
    ("calls/models.py", "draft"),  # a call's own states (commons.calls.models.CallStatus)
    ("calls/models.py", "archived"),
    ("offers/models.py", "rejected"),  # a post's own states (commons.offers.models.PostStatus)
    ("offers/models.py", "withdrawn"),  # how a post was closed (ClosedAs)
    ("registry/models.py", "expired"),  # a fire certificate's state (FireCertificate)
}
DOCUMENT_KIND = "draft"  # the kind of an issued PDF (draft, final, signed)


def _state_names() -> set[str]:
    workflows.configure(profiles_dir=PROFILES)
    try:
        names = set()
        for name in workflows.profile_names():
            names |= set(workflows.get_profile(name).states)
        return names
    finally:
        workflows.configure(profiles_dir=PROFILES_DIR)


def _quoted(states: set[str]) -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("demo/") or rel in DATA_FILES:
            continue
        tree = ast.parse(path.read_text(), filename=rel)
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            word = node.value
            if id(node) in docstrings or word not in states or word in TAGS:
                continue
            if (rel, word) in OTHER_MEANINGS:
                continue
            if word == DOCUMENT_KIND and rel.startswith("documents/"):
                continue
            found.append(f"commons/{rel}:{node.lineno}: {word!r}")
    return found


def test_no_state_of_any_profile_is_quoted_in_the_code():
    assert _quoted(_state_names()) == []


def test_the_check_finds_a_quoted_state(tmp_path, monkeypatch):
    """The scan would see a state named in the code (a profile's own names included)."""
    (tmp_path / "sample.py").write_text('def f(p):\n    return p.status == "attivo"\n')
    import tests.workflows.test_no_state_names as me

    monkeypatch.setattr(me, "ROOT", tmp_path)
    assert me._quoted(_state_names()) == ["commons/sample.py:2: 'attivo'"]
