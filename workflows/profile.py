"""Loading and validating regulation profiles (TOML files in workflows/profiles/)."""

from __future__ import annotations

import tomllib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from workflows.errors import ProfileError

PROFILES_DIR = Path(__file__).parent / "profiles"
ROLES = {"representative", "officer", "legal", "system"}
# Who a transition's ``notify`` may name: the proposal's representative, its case officer (every
# officer while it has none), the party whose signature comes next, or a staff role.
RECIPIENTS = {"representative", "case_officer", "next_signer", "officer", "legal"}
# What the application does in a state, named by its part in the procedure rather than by the
# state's name (``[tags]`` of a profile: tag -> states). A tag left out names no state: the
# application then does nothing of that kind. (tag, at most one state?) -> what it means.
TAGS: dict[str, tuple[bool, str]] = {
    "review": (False, "the statutory review limit runs (paused while awaiting a reply)"),
    "awaiting_reply": (True, "the office waits for the proponents' reply to a request"),
    "public_notice": (True, "the proposal is published for comments"),
    "co_design": (True, "meetings and opinions are recorded; a renewal's successor starts here"),
    "deliberation": (True, "the council's deliberation is awaited"),
    "approval": (False, "the agreed pact text is reviewed or signed"),
    "running": (True, "the pact is in force and running normally"),
    "paused": (True, "the pact is in force but suspended"),
    "reporting": (False, "monitoring reports are due"),
    "renewal": (False, "a renewal of the pact is under way"),
}
CLOCK_KEYS = {
    "review_days",
    "integration_reply_days",
    "notice_days",
    "deliberation_days",
    "report_interval_months",
    "renewal_window_days",
    "max_term_months",
    "withdrawal_notice_days",
    "suspension_notice_hours",
}


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    when: str | None = None
    # Data the form offers besides ``requires`` (checked when given).
    optional: tuple[str, ...] = ()
    # Who is told, and with which message: (message id, recipient) pairs.
    notify: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    path: Path
    initial: str
    states: tuple[str, ...]
    terminal: frozenset[str]
    in_force: frozenset[str]
    pact_types: tuple[str, ...]
    signers: tuple[str, ...]
    clocks: dict
    transitions: tuple[TransitionSpec, ...]
    sections: tuple[str, ...] = ()
    mandatory_sections: tuple[str, ...] = ()
    tags: dict = field(default_factory=dict)
    # What people read for this profile's own state and trigger names: {locale: {name: words}}
    # (``[labels.<locale>]``); names the application already has words for need none.
    labels: dict = field(default_factory=dict)
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def tagged(self, tag: str) -> frozenset[str]:
        """The states the profile gives ``tag`` (``TAGS``); empty when it gives it none."""
        if tag not in TAGS:
            raise ProfileError(f"unknown state tag {tag!r}; known: {', '.join(sorted(TAGS))}")
        return self.tags.get(tag, frozenset())

    def state(self, tag: str) -> str:
        """The one state of ``tag`` (a tag of at most one state); refused when there is none."""
        states = self.tagged(tag)
        if not states:
            raise ProfileError(f"{self.path.name}: tags: no state is tagged {tag!r}")
        return next(iter(states))

    def sources(self, trigger: str, role: str | None = None) -> frozenset[str]:
        """The states ``trigger`` leaves (only by transitions ``role`` may fire, if given)."""
        return frozenset(
            state
            for spec in self.transitions
            if spec.trigger == trigger and (role is None or role in spec.roles)
            for state in spec.sources
        )

    def specs_for(self, trigger: str, state: str) -> list[TransitionSpec]:
        """The transitions ``trigger`` may take from ``state``, in profile order."""
        return self._index.get((trigger, state), [])

    @property
    def triggers(self) -> list[str]:
        seen: dict[str, None] = {}
        for spec in self.transitions:
            seen.setdefault(spec.trigger, None)
        return list(seen)

    def notice_days(self, pact_type: str) -> int:
        days = self.clocks["notice_days"]
        return int(days[pact_type] if isinstance(days, dict) else days)


def _fail(path: Path, key: str, message: str):
    raise ProfileError(f"{path.name}: {key}: {message}")


def _unknown(path: Path, key: str, kind: str, name: str, known) -> None:
    """Refuse an unknown name, listing the known ones."""
    _fail(path, key, f"unknown {kind} {name!r}; known: {', '.join(sorted(known)) or '(none)'}")


def _names(path: Path, data: dict, key: str, where: str = "") -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(path, f"{where}{key}", "must be a list of names")
    return tuple(value)


def _notify(path: Path, raw: dict, where: str, messages) -> tuple[tuple[str, str], ...]:
    value = raw.get("notify", [])
    if not isinstance(value, list):
        _fail(path, f"{where}.notify", "must be a list of { message = ..., to = ... } tables")
    pairs = []
    for i, item in enumerate(value):
        key = f"{where}.notify[{i}]"
        if not isinstance(item, dict) or set(item) != {"message", "to"}:
            _fail(path, key, "must be a table with exactly the keys 'message' and 'to'")
        if messages is not None and item["message"] not in messages:
            _unknown(path, key, "message", item["message"], messages)
        if item["to"] not in RECIPIENTS:
            _unknown(path, key, "recipient", item["to"], RECIPIENTS)
        pairs.append((item["message"], item["to"]))
    return tuple(pairs)


def _tags(path: Path, data: dict, known: set[str]) -> dict[str, frozenset[str]]:
    raw = data.get("tags", {})
    if not isinstance(raw, dict):
        _fail(path, "tags", "must be a table of tag = [states]")
    tags = {}
    for tag in raw:
        if tag not in TAGS:
            _unknown(path, "tags", "tag", tag, TAGS)
        states = _names(path, raw, tag, "tags.")
        for state in states:
            if state not in known:
                _unknown(path, f"tags.{tag}", "state", state, known)
        if TAGS[tag][0] and len(states) > 1:
            _fail(path, f"tags.{tag}", "names at most one state")
        tags[tag] = frozenset(states)
    return tags


def _labels(path: Path, data: dict, names: set[str]) -> dict[str, dict[str, str]]:
    raw = data.get("labels", {})
    if not isinstance(raw, dict):
        _fail(path, "labels", "must be a table of [labels.<language>] tables")
    labels = {}
    for locale, table in raw.items():
        if not isinstance(table, dict):
            _fail(path, f"labels.{locale}", 'must be a table of name = "words"')
        for name, words in table.items():
            if name not in names:
                _unknown(path, f"labels.{locale}", "state or trigger", name, names)
            if not isinstance(words, str) or not words.strip():
                _fail(path, f"labels.{locale}.{name}", "must be the words people read")
        labels[locale] = dict(table)
    return labels


def load_profile(
    path: Path,
    *,
    guards=(),
    conditions=(),
    effects=(),
    requirements=(),
    optional=(),
    messages=None,
) -> Profile:
    """Read and validate one profile; refuse it with a message naming the file and the key.

    ``guards``... ``optional`` are the names the profile may use (the registered ones); an
    unknown one is refused with the known ones listed. ``messages``: the notification message
    ids ``notify`` may name (None: not checked).
    """
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path.name}: not valid TOML: {error}") from None
    for key in ("name", "initial", "states", "terminal", "transitions", "clocks"):
        if key not in data:
            _fail(path, key, "missing")
    states = _names(path, data, "states")
    known = set(states)
    if len(known) != len(states):
        _fail(path, "states", "a state is listed twice")
    terminal = set(_names(path, data, "terminal"))
    for key, values in (
        ("initial", [data["initial"]]),
        ("terminal", terminal),
        ("in_force", _names(path, data, "in_force")),
    ):
        for state in values:
            if state not in known:
                _unknown(path, key, "state", state, known)
    clocks = data["clocks"]
    missing = CLOCK_KEYS - set(clocks)
    if missing:
        _fail(path, "clocks", f"missing {', '.join(sorted(missing))}")
    pact_types = _names(path, data, "pact_types") or ("ordinary",)
    if isinstance(clocks["notice_days"], dict):
        for pact_type in pact_types:
            if pact_type not in clocks["notice_days"]:
                _fail(path, "clocks.notice_days", f"no value for pact type {pact_type!r}")
    signers = _names(path, data, "signers") or ("representative", "legal")
    for signer in signers:
        if signer not in {"representative", "legal"}:
            _fail(path, "signers", f"unknown signer {signer!r}")

    specs: list[TransitionSpec] = []
    index: dict[tuple[str, str], list[TransitionSpec]] = {}
    for i, raw in enumerate(data["transitions"]):
        where = f"transitions[{i}]"
        trigger = raw.get("trigger")
        if not trigger:
            _fail(path, f"{where}.trigger", "missing")
        where = f"transitions[{i}] ({trigger})"
        sources = _names(path, raw, "sources", f"{where}.")
        if not sources:
            _fail(path, f"{where}.sources", "missing")
        target = raw.get("target")
        for state in (*sources, target):
            if state not in known:
                _unknown(path, where, "state", state, known)
        for state in sources:
            if state in terminal:
                _fail(path, f"{where}.sources", f"terminal state {state!r} cannot have exits")
        roles = _names(path, raw, "roles", f"{where}.")
        if not roles:
            _fail(path, f"{where}.roles", "no role may fire this trigger")
        for role in roles:
            if role not in ROLES:
                _unknown(path, f"{where}.roles", "role", role, ROLES)
        for key, kind, registry in (
            ("guards", "guard", guards),
            ("effects", "effect", effects),
            ("requires", "requirement", requirements),
            ("optional", "optional input", optional),
        ):
            for name in _names(path, raw, key, f"{where}."):
                if name not in registry:
                    _unknown(path, f"{where}.{key}", kind, name, registry)
        when = raw.get("when")
        if when is not None and when not in conditions:
            _unknown(path, f"{where}.when", "condition", when, conditions)
        notify = _notify(path, raw, where, messages)
        unknown_keys = set(raw) - {
            "trigger",
            "sources",
            "target",
            "roles",
            "guards",
            "effects",
            "requires",
            "when",
            "optional",
            "notify",
        }
        if unknown_keys:
            _fail(path, where, f"unknown keys {', '.join(sorted(unknown_keys))}")
        spec = TransitionSpec(
            trigger,
            sources,
            target,
            roles,
            _names(path, raw, "guards"),
            _names(path, raw, "effects"),
            _names(path, raw, "requires"),
            when,
            _names(path, raw, "optional"),
            notify,
        )
        for state in sources:
            siblings = index.setdefault((trigger, state), [])
            if siblings and (
                when is None or any(s.when is None or s.when == when for s in siblings)
            ):
                _fail(
                    path,
                    where,
                    f"trigger {trigger!r} from {state!r} is defined twice "
                    "without distinct 'when' conditions",
                )
            siblings.append(spec)
        specs.append(spec)

    reachable = {data["initial"]}
    queue = deque([data["initial"]])
    while queue:
        state = queue.popleft()
        for spec in specs:
            if state in spec.sources and spec.target not in reachable:
                reachable.add(spec.target)
                queue.append(spec.target)
    unreachable = [s for s in states if s not in reachable]
    if unreachable:
        _fail(path, "states", f"unreachable from {data['initial']!r}: {', '.join(unreachable)}")
    for state in states:
        if state not in terminal and not any(state in s.sources for s in specs):
            _fail(path, "terminal", f"state {state!r} has no exit but is not terminal")

    pact = data.get("pact", {})
    sections = _names(path, pact, "sections", "pact.")
    mandatory = _names(path, pact, "mandatory_sections", "pact.")
    for key in mandatory:
        if key not in sections:
            _fail(path, "pact.mandatory_sections", f"unknown section {key!r}")
    tags = _tags(path, data, known)
    labels = _labels(path, data, known | {spec.trigger for spec in specs})
    if data["name"] != path.stem:
        _fail(path, "name", f"must match the file name {path.stem!r}")
    return Profile(
        name=data["name"],
        title=data.get("title", data["name"]),
        path=path,
        initial=data["initial"],
        states=states,
        terminal=frozenset(terminal),
        in_force=frozenset(_names(path, data, "in_force")),
        pact_types=pact_types,
        signers=signers,
        clocks=dict(clocks),
        transitions=tuple(specs),
        sections=sections,
        mandatory_sections=mandatory,
        tags=tags,
        labels=labels,
        _index=index,
    )
