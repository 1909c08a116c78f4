"""Termination signals raised as exceptions where the run is, so it cleans up as after Ctrl-C, and the sections that
hold them until they end.

Python runs a signal's handler in the main thread between two of its bytecodes, wherever that thread is, even while
the thread blocks the signal (another thread took it from the kernel). Raised inside a process pool's start or
shutdown, its exception leaves worker processes that no one will stop, and the interpreter's exit then waits for
them forever. Such steps run ``uninterrupted()``: a signal that arrives there is remembered and raised as the
section ends.
"""
from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Interrupted(BaseException):
    """A termination signal, raised where the run is so that it cleans up as after Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Held:
    """The main thread's uninterrupted sections: how deep it is in them, and the exception a signal left waiting."""

    depth = 0
    pending: BaseException | None = None


def raise_or_hold(exc: BaseException) -> None:
    """What a signal handler does: raise ``exc`` here or, inside an uninterrupted section, as the section ends."""
    if _Held.depth:
        _Held.pending = _Held.pending or exc
        return
    raise exc


@contextmanager
def uninterrupted() -> Iterator[None]:
    """A section a signal's exception does not cut: one that arrives inside is raised as the outermost section ends
    (after it, should the section raise an exception of its own)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers run in the main thread only: nothing to hold in this one
        return
    _Held.depth += 1
    try:
        yield
    finally:
        _Held.depth -= 1
        if not _Held.depth and _Held.pending is not None:
            exc, _Held.pending = _Held.pending, None
            raise exc


HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
INTERRUPTED_BASE = 128  # a run a signal ended exits with 128 + the signal's number, as a shell reports it


@contextmanager
def signals_interrupt() -> Iterator[Callable[[], None]]:
    """Ctrl-C raises KeyboardInterrupt, SIGTERM and SIGHUP raise Interrupted, in the main thread, unless an
    uninterrupted section holds them; a signal this process ignores (SIGHUP under nohup) stays ignored, and the
    previous handlers are put back after. A signal that lands where Python swallows the exception (a fork's at-fork
    callbacks, a ``__del__``) is remembered: the callable given raises it then, and an error a library raised in its
    place is the interruption."""
    received: list[int] = []

    def stop_if_signalled() -> None:
        if received:
            raise Interrupted(received[0])

    if threading.current_thread() is not threading.main_thread():
        yield stop_if_signalled
        return

    def interrupt(signum: int, _frame) -> None:
        received.append(signum)
        raise_or_hold(KeyboardInterrupt() if signum == signal.SIGINT else Interrupted(signum))

    def unraisable(info: sys.UnraisableHookArgs) -> None:
        if not isinstance(info.exc_value, (Interrupted, KeyboardInterrupt)):  # a swallowed signal: remembered
            previous_hook(info)

    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    # None: a handler set outside Python, which could not be put back
    previous = {s: signal.signal(s, interrupt) for s in HANDLED if signal.getsignal(s) not in (signal.SIG_IGN, None)}
    try:
        yield stop_if_signalled
    except Exception as exc:
        if received:  # a library turned the signal's exception into its own (DuckDB: "Query interrupted")
            raise Interrupted(received[0]) from exc
        raise
    finally:
        sys.unraisablehook = previous_hook
        for signum, handler in previous.items():
            signal.signal(signum, handler)
