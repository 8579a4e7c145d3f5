"""Where the engine's time goes: one operation split into its steps, each timed apart.

The instrumented pass of ``bench.engine`` wraps the functions ``fire()`` looks up at call
time (the permission check, the store's write, the audit append and its head read, the
session's flush) and charges each step its own time, the steps inside it excluded.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

STEPS = {
    "load": "load the officer with roles and the proposal (as a request does; untimed above)",
    "can": "fire: permission check (can)",
    "fire": "fire: Python (profile, guards, machine, effects, payload)",
    "update": "fire: the state change (Core UPDATE guarded by lock_version)",
    "head": "append_event: chain head read and lock (SELECT ... FOR UPDATE)",
    "append": "append_event: hashing, INSERT, head moved",
    "commit": "commit",
}


class StepTimer:
    """Exclusive time per step: a step's time excludes the steps measured inside it."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STEPS, 0.0)
        self.stack: list[list] = []  # [step, started, time spent in children]

    def wrap(self, step, fn):
        def timed(*args, **kwargs):
            name = step(self.stack) if callable(step) else step
            self.stack.append([name, time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                name, started, children = self.stack.pop()
                elapsed = time.perf_counter() - started
                self.seconds[name] += elapsed - children
                if self.stack:
                    self.stack[-1][2] += elapsed

        return timed


@contextlib.contextmanager
def instrumented(timer: StepTimer) -> Iterator[None]:
    """Time the engine's steps by wrapping the functions fire() looks up at call time."""
    from sqlalchemy.orm import Session

    import commons.audit.operations as audit
    import commons.auth.permissions as permissions
    import commons.lifecycle.store as store
    import workflows.engine as engine

    def flush_step(stack) -> str:
        # fire's own flush is the UPDATE, append_event's the INSERT; an autoflush or the
        # commit's flush counts with the step that caused it.
        parent = stack[-1][0] if stack else "commit"
        return {"fire": "update"}.get(parent, parent)

    patches = [
        (engine, "fire", "fire"),
        (permissions, "can", "can"),
        (store, "_write_changes", "update"),
        (audit, "append_event", "append"),
        (audit, "_read_head", "head"),
        (Session, "flush", flush_step),
    ]
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in patches]
    try:
        for owner, attr, step in patches:
            setattr(owner, attr, timer.wrap(step, getattr(owner, attr)))
        yield
    finally:
        for owner, attr, original in saved:
            setattr(owner, attr, original)
