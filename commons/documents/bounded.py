"""Rendering bounded in time and memory: each PDF is made in a child process.

WeasyPrint's layout grows with the text (1 MB of pact text took 51 s and 253 MB), and a
request that renders cannot be interrupted from inside its own thread. So a render runs in a
child process with an address-space limit (``RLIMIT_AS``) set before it starts and a deadline
kept by the parent, which kills the child when it passes. The renderers themselves stay pure
functions (``commons.documents.rendering``): the child calls the same function with the same
arguments, so the bytes are the same as in-process.

Children are forked from a *forkserver* that has imported WeasyPrint and parsed the pact
stylesheet and fonts once (``commons.documents.render_child``): a render pays neither the
import of the app nor the parsing of the fonts, only a fork (docs/limits.md has the figures).

Settings (app config): ``RENDER_TIMEOUT`` (seconds), ``RENDER_MEMORY_MB`` (address space of
the child) and ``RENDER_ISOLATED`` (false: render in-process, unbounded; for tests that do not
measure the bound).
"""

from __future__ import annotations

import multiprocessing
import pickle
import resource
import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, has_app_context
from flask_babel import gettext as _

from commons.errors import DomainError

DEFAULT_TIMEOUT = 20.0
DEFAULT_MEMORY_MB = 1024
PRELOAD = "commons.documents.render_child"

T = TypeVar("T")

_context_lock = threading.Lock()
_context = None


class RenderRefused(DomainError):
    """A document could not be made within the time or memory a render may take.

    Nothing was written: the render happens before anything is stored or recorded, and the
    request's transaction is rolled back.
    """

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason  # "timeout", "memory"


def _forkserver():
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([PRELOAD])
            _context = context
        return _context


def _child(connection, function, args, kwargs, memory_bytes: int | None) -> None:
    """In the child: limit the address space, render, send back ("ok"|"error", value)."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        outcome = ("ok", function(*args, **kwargs))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            pickle.dumps(error)
            outcome = ("error", error)
        except Exception:  # noqa: BLE001 - an exception that cannot travel: its text does
            outcome = ("error", RuntimeError(f"{type(error).__name__}: {error}"))
    try:
        connection.send(outcome)
    except MemoryError:
        connection.send(("memory", None))
    finally:
        connection.close()


def _settings(timeout, memory_mb, isolated):
    config = current_app.config if has_app_context() else {}
    if timeout is None:
        timeout = float(config.get("RENDER_TIMEOUT", DEFAULT_TIMEOUT))
    if memory_mb is None:
        memory_mb = int(config.get("RENDER_MEMORY_MB", DEFAULT_MEMORY_MB))
    if isolated is None:
        isolated = bool(config.get("RENDER_ISOLATED", True))
    return timeout, memory_mb, isolated


def render_bounded(
    function: Callable[..., T],
    *args,
    timeout: float | None = None,
    memory_mb: int | None = None,
    isolated: bool | None = None,
    **kwargs,
) -> T:
    """``function(*args, **kwargs)`` in a child process, within ``timeout`` s and ``memory_mb``.

    ``function`` and its arguments must be picklable (a module-level function, plain data).
    An exception raised by the function is raised here. Over the time or the memory, the child
    is stopped and ``RenderRefused`` is raised, with a message for the person who asked.
    """
    timeout, memory_mb, isolated = _settings(timeout, memory_mb, isolated)
    if not isolated:
        return function(*args, **kwargs)
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(sender, function, args, kwargs, memory_mb * 1024 * 1024 if memory_mb else None),
        daemon=True,
    )
    try:
        process.start()
        sender.close()
        if not receiver.poll(timeout):
            raise RenderRefused(too_slow(timeout), reason="timeout")
        try:
            status, value = receiver.recv()
        except EOFError:  # the child ended without answering
            process.join(5)
            if (process.exitcode or 0) < 0:  # killed by a signal: an allocation that failed
                status, value = "memory", None
            else:
                status = "error"
                value = RuntimeError(f"the render process ended with code {process.exitcode}")
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if status == "ok":
        return value
    if status == "memory":
        raise RenderRefused(too_big(memory_mb), reason="memory")
    raise value


def too_slow(timeout: float) -> str:
    return _(
        "The document is too long to print within %(seconds)s seconds, so it was not made and "
        "nothing was saved. Shorten the pact text (see the limits in the help) and try again.",
        seconds=f"{timeout:g}",
    )


def too_big(memory_mb: int) -> str:
    return _(
        "The document needs more than the %(mb)d MB of memory a print may use, so it was not "
        "made and nothing was saved. Shorten the pact text (see the limits in the help) and "
        "try again.",
        mb=memory_mb,
    )
