"""The state machine patterns the engine benchmark compares: one shared Machine (what
``workflows.engine`` does), a Machine per object, and one Machine with every object added.

DESIGN.md forbids the last two; :func:`machine_memory` shows what they cost in memory and
construction time, and ``bench.engine`` times the machine-per-object pattern end to end.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable

from transitions import Machine


class Pact:
    """A bare stand-in for a proposal, for the machine-per-object pattern."""

    def __init__(self, pid: int, status: str) -> None:
        self.id = pid
        self.status = status


def machine_spec(profile_name: str = "labsus") -> dict:
    """The Machine arguments of a profile, as the engine builds its shared machine."""
    from workflows.engine import get_profile
    from workflows.guards import CONDITIONS

    profile = get_profile(profile_name)

    def when(name: str):
        def check(event_data) -> bool:
            return CONDITIONS[name](event_data.kwargs["ctx"])

        return check

    return {
        "states": list(profile.states),
        "transitions": [
            {
                "trigger": spec.trigger,
                "source": list(spec.sources),
                "dest": spec.target,
                "conditions": [when(spec.when)] if spec.when else None,
            }
            for spec in profile.transitions
        ],
        "auto_transitions": False,
        "send_event": True,
        "model_attribute": "status",
    }


def machine_for(obj, spec: dict) -> Machine:
    """The anti-pattern: a whole Machine for one object."""
    return Machine(model=obj, initial=obj.status, **spec)


def _traced(build: Callable[[], object]) -> dict:
    """Bytes held by what ``build`` returns; then what stays once it is dropped, before and
    after the cycle collector runs (reference cycles survive plain reference counting)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        held = build()
        gc.collect()
        figures = {"bytes": tracemalloc.get_traced_memory()[0] - before}
        gc.disable()
        try:
            del held
            figures["left_before_gc"] = max(0, tracemalloc.get_traced_memory()[0] - before)
        finally:
            gc.enable()
        gc.collect()
        figures["left_after_gc"] = max(0, tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    return figures


def machine_memory(count: int = 5000, initial: str = "submitted") -> dict:
    """Memory and construction time of the machine patterns over ``count`` objects.

    - ``shared``: the objects and one machine for all (what workflows.engine does);
    - ``machine_per_object``: the objects and a Machine each: each object and its machine
      reference each other, so dropping them frees nothing until the cycle collector runs;
    - ``add_model``: one long-lived machine with every object added to it: the machine keeps
      every object alive after the program dropped it, a leak for as long as the machine lives.
    """
    # What was alive before is not measured: frozen, the collections below skip it (each full
    # collection of a test process's heap took 0.16 s; 18 of them are needed).
    gc.freeze()
    try:
        return _machine_memory(count, initial)
    finally:
        gc.unfreeze()


def _machine_memory(count: int, initial: str) -> dict:
    spec = machine_spec()

    def objects():
        return [Pact(i, initial) for i in range(count)]

    def shared():
        return objects(), Machine(model=None, initial=initial, **spec)

    def per_object():
        pacts = objects()
        for pact in pacts:
            machine_for(pact, spec)  # not kept: the object holds its machine
        return pacts

    keeper: list[Machine] = []

    def add_model():
        keeper.append(Machine(model=None, initial=initial, **spec))
        pacts = objects()
        for pact in pacts:
            keeper[-1].add_model(pact, initial=initial)
        return pacts

    def seconds_per_object(build) -> float:
        gc.collect()
        started = time.perf_counter()
        held = build()
        elapsed = time.perf_counter() - started
        del held
        keeper.clear()
        gc.collect()
        return elapsed / count

    plain = _traced(objects)["bytes"]
    patterns = {}
    for name, build in (("shared", shared), ("machine_per_object", per_object)):
        patterns[name] = _traced(build)
    patterns["add_model"] = _traced(add_model)
    keeper.clear()
    for name, build in (("shared", shared), ("machine_per_object", per_object)):
        patterns[name]["seconds_per_object"] = seconds_per_object(build)
    patterns["add_model"]["seconds_per_object"] = seconds_per_object(add_model)
    for figures in patterns.values():
        figures["bytes_per_object"] = (figures["bytes"] - plain) / count
    return {"objects": count, "object_bytes": plain, "patterns": patterns}
