"""Retries of reads, with backoff: the one policy every driver's backend calls follow.

A read (an idempotent call) that failed to connect, or was answered with throttling or a
failing cloud (502, 503, 504), is sent again up to ``READ_ATTEMPTS`` times in all, after the
cloud's ``Retry-After`` or an exponential backoff, both capped at ``MAX_BACKOFF``. A write is
sent once, whatever happens; so is a call that timed out (the client gets its 504 after one
backend timeout, not three).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

#: Tries of a read in all (the first and its retries).
READ_ATTEMPTS = 3
#: Backoff before the n-th retry: BACKOFF * 2**(n-1) seconds, at most MAX_BACKOFF (which also caps Retry-After).
BACKOFF = 0.1
MAX_BACKOFF = 2.0
#: Answers worth another try of a read.
RETRIED_STATUSES = frozenset({502, 503, 504})

T = TypeVar("T")


def pause(attempt: int, hint: float = 0.0) -> float:
    """Seconds to wait before the retry after the ``attempt``-th try: the cloud's hint or the backoff, capped."""
    return min(max(hint, BACKOFF * 2 ** (attempt - 1)), MAX_BACKOFF)


def with_retries(send: Callable[[], T], *, read: bool, pause_for: Callable[[Exception, int], float | None],
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """``send()``, tried again after an exception for which ``pause_for(exc, attempt)`` gives a pause.

    Only reads are tried again (``READ_ATTEMPTS`` in all); ``pause_for`` answers None for a failure
    not worth another try.
    """
    attempts = READ_ATTEMPTS if read else 1
    for attempt in range(1, attempts + 1):
        try:
            return send()
        except Exception as exc:
            wait = pause_for(exc, attempt)
            if attempt == attempts or wait is None:
                raise
            sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover
