"""Backend time of the current request, for the ``Server-Timing`` header.

The HTTP layer opens a clock per request (``start``); the backend toolkit adds the time each
backend exchange takes (``add``); the HTTP layer reads the sum (``total``). A context variable
carries it, so threads serving other requests never mix their figures.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

_clock: ContextVar[list[float] | None] = ContextVar("deltacloud_backend_clock", default=None)


def start() -> None:
    """Start counting backend time for the current request (resets any earlier count)."""
    _clock.set([0.0, 0.0])


def add(seconds: float) -> None:
    """Account ``seconds`` of backend time to the current request (ignored outside one)."""
    clock = _clock.get()
    if clock is not None:
        clock[0] += seconds
        clock[1] += 1


def total() -> tuple[float, int]:
    """Backend seconds and backend calls accounted so far in the current request."""
    clock = _clock.get()
    return (clock[0], int(clock[1])) if clock is not None else (0.0, 0)


@contextlib.contextmanager
def measured() -> Iterator[None]:
    """Account the time of a block as backend time (for drivers calling a client library themselves)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        add(time.perf_counter() - started)
