"""The lifecycle diagrams are drawn from the profile: Mermaid text and a script-free SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from workflows.diagram import lifecycle_edges, mermaid, svg
from workflows.engine import check_profile
from workflows.profile import PROFILES_DIR

SVG_NS = "{http://www.w3.org/2000/svg}"


def _profile(name: str = "labsus"):
    # Read from the file, not the engine's registry, which other tests reconfigure.
    return check_profile(PROFILES_DIR / f"{name}.toml")


PROFILES = sorted(path.stem for path in PROFILES_DIR.glob("*.toml"))


def _parse(document: str) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 - the document is our own output


def _texts(document: str) -> list[str]:
    """Every <text> of the SVG, its lines joined by spaces."""
    root = _parse(document)
    return [" ".join(t.strip() for t in el.itertext()) for el in root.iter(f"{SVG_NS}text")]


def test_mermaid_starts_at_the_initial_state_and_names_every_state_and_trigger():
    profile = _profile()
    text = mermaid(profile)
    assert text.startswith("stateDiagram-v2\n")
    assert "    [*] --> draft\n" in text
    for state in profile.states:
        assert re.search(rf"\b{state}\b", text), state
    for spec in profile.transitions:
        assert re.search(rf"\b{spec.trigger}\b", text), spec.trigger


def test_mermaid_terminal_states_end_and_others_do_not():
    profile = _profile()
    lines = mermaid(profile).splitlines()
    ends = {line.split(" --> ")[0].strip() for line in lines if line.endswith("--> [*]")}
    assert ends == set(profile.terminal)


def test_mermaid_merges_triggers_of_one_pair_and_keeps_self_transitions():
    text = mermaid(_profile())
    assert "    active --> active: file_report / extend / withdraw\n" in text
    assert "    awaiting_signatures --> awaiting_signatures: sign\n" in text
    assert "    awaiting_signatures --> active: sign\n" in text
    pairs = [line.split(":")[0] for line in text.splitlines() if " --> " in line]
    assert len(pairs) == len(set(pairs))


def test_mermaid_edges_cover_the_transition_table():
    profile = _profile()
    wanted = {
        (source, spec.target, spec.trigger)
        for spec in profile.transitions
        for source in spec.sources
    }
    drawn = {
        (source, target, trigger)
        for source, target, triggers in lifecycle_edges(profile)
        for trigger in triggers
    }
    assert drawn == wanted


def test_mermaid_with_labels_describes_the_states():
    text = mermaid(_profile(), labels={"under_review": 'Under "review"'})
    assert '    state "Under review" as under_review\n' in text
    assert '    state "draft" as draft\n' in text


@pytest.mark.parametrize("name", PROFILES)
def test_svg_is_well_formed_accessible_and_names_every_state_and_trigger(name):
    profile = _profile(name)
    document = svg(profile)
    root = _parse(document)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.get("id") == ids[0] and profile.title in title.text
    assert root.find(f"{SVG_NS}desc").get("id") == ids[1]
    width = int(root.get("viewBox").split()[2])
    assert 1000 <= width <= 1700  # the calls transitions (admit_by_call...) widen labsus
    texts = _texts(document)
    for state in profile.states:
        assert state.replace("_", " ") in texts, state
    everything = " ".join(texts)
    for trigger in profile.triggers:
        assert trigger.replace("_", " ") in everything, trigger


@pytest.mark.parametrize("name", PROFILES)
def test_svg_has_no_script_and_no_inline_style(name):
    document = svg(_profile(name))
    assert "<script" not in document
    assert "<style" not in document
    assert "style=" not in document
    assert not re.search(r"\bon[a-z]+=", document)  # no event handlers either


def test_svg_marks_the_start_and_the_endings():
    profile = _profile()
    root = _parse(svg(profile))
    finals = [g for g in root.iter(f"{SVG_NS}g") if "lifecycle-final" in (g.get("class") or "")]
    assert len(finals) == len(profile.terminal)
    # A double border: two rectangles in each final state.
    assert all(len(g.findall(f"{SVG_NS}rect")) == 2 for g in finals)
    assert root.find(f".//{SVG_NS}g[@class='lifecycle-start']/{SVG_NS}circle") is not None
    assert len(root.findall(f".//{SVG_NS}marker")) >= 1


def test_svg_shows_the_given_labels_escaped():
    profile = _profile()
    labels = {state: f"{state.upper()} <&>" for state in profile.states}
    labels["co_design"] = "Co-design"
    document = svg(profile, labels=labels, trigger_labels={"submit": "Send <it>"})
    texts = _texts(document)
    assert "Co-design" in texts
    assert "DRAFT <&>" in texts
    assert "&lt;&amp;&gt;" in document
    assert "Send <it>" in " ".join(texts)
    assert "under review" not in texts


def test_svg_and_mermaid_are_deterministic():
    assert svg(_profile()) == svg(_profile())
    assert mermaid(_profile()) == mermaid(_profile())
