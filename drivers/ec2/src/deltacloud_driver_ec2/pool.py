"""A bounded pool of libcloud driver objects, one key per (service, provider, credentials).

A libcloud driver keeps an HTTP connection open (that is what makes reuse worth it) but is
not thread-safe, so an object is checked out by one request at a time and returned after.
Objects are keyed by the service, the provider and a digest of the access key *and* secret:
one user's connection can never serve another's request, and a changed secret never reuses
a connection made with the old one. Idle objects beyond the bound are dropped, least
recently used first.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

#: Idle driver objects kept per process, over all keys.
DEFAULT_MAX_IDLE = 64
#: Idle driver objects kept for one key (the concurrency one user usually has).
MAX_IDLE_PER_KEY = 4


def pool_key(service: str, provider: str, access_key: str, secret: str) -> tuple[str, str, str]:
    """The key of one (service, provider, credentials); the secret only enters through a digest."""
    digest = hashlib.sha256(f"{access_key}\0{secret}".encode()).hexdigest()
    return service, provider, digest


class DriverPool:
    """Idle driver objects by key, bounded; ``checkout`` hands one to a single caller at a time."""

    def __init__(self, max_idle: int = DEFAULT_MAX_IDLE) -> None:
        self.max_idle = max_idle
        self._idle: OrderedDict[tuple[str, str, str], list[Any]] = OrderedDict()
        self._count = 0
        self._lock = threading.Lock()
        self.created = 0

    @contextlib.contextmanager
    def checkout(self, key: tuple[str, str, str], factory: Callable[[], Any]) -> Iterator[Any]:
        """An idle object for ``key``, or a new one from ``factory``; returned to the pool after use.

        An object whose use raised a connection-level error is not returned: its HTTP
        connection may be in an unknown state.
        """
        obj = self._take(key)
        if obj is None:
            obj = factory()
            with self._lock:
                self.created += 1
        healthy = True
        try:
            yield obj
        except (ConnectionError, TimeoutError, OSError):
            healthy = False
            raise
        finally:
            if healthy:
                self._give(key, obj)

    def _take(self, key: tuple[str, str, str]) -> Any | None:
        with self._lock:
            objs = self._idle.get(key)
            if not objs:
                return None
            obj = objs.pop()
            self._count -= 1
            if not objs:
                del self._idle[key]
            return obj

    def _give(self, key: tuple[str, str, str], obj: Any) -> None:
        with self._lock:
            objs = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(objs) >= MAX_IDLE_PER_KEY:
                return
            objs.append(obj)
            self._count += 1
            while self._count > self.max_idle:
                oldest_key, oldest = next(iter(self._idle.items()))
                oldest.pop(0)
                self._count -= 1
                if not oldest:
                    del self._idle[oldest_key]

    def idle(self) -> int:
        """How many objects are idle in the pool."""
        with self._lock:
            return self._count

    def clear(self) -> None:
        """Drop every idle object (tests, or after a credentials change)."""
        with self._lock:
            self._idle.clear()
            self._count = 0


#: The process-wide pool the driver uses.
POOL = DriverPool()
