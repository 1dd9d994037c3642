"""A bounded pool of backend objects (HTTP sessions, libcloud drivers), one key per driver, provider and credentials.

An object is checked out by one request at a time and returned after, because most backend
clients keep a connection open (that is what makes reuse worth it) but are not thread-safe.
Keys carry a digest of the user *and* the secret: one user's connection never serves another's
request, and a changed secret never reuses a connection made with the old one. Idle objects
beyond the bound are dropped, least recently used first.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from deltacloud.models import Credentials

#: Idle objects kept per process, over all keys.
DEFAULT_MAX_IDLE = 64
#: Idle objects kept for one key (the concurrency one user usually has).
MAX_IDLE_PER_KEY = 4

PoolKey = tuple[Hashable, ...]


def credentials_digest(credentials: Credentials | None) -> str:
    """A digest of user and password; the secret itself never enters a key, a log or a repr."""
    if credentials is None:
        return "anonymous"
    return hashlib.sha256(f"{credentials.user}\0{credentials.password}".encode()).hexdigest()


def pool_key(service: str, provider: str | None, credentials: Credentials | None, *extra: Hashable) -> PoolKey:
    """The key of one (service, provider, credentials, extra...): what may share a pooled object."""
    return (service, provider or "", credentials_digest(credentials), *extra)


def _close(obj: Any) -> None:
    close = getattr(obj, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


class KeyedPool:
    """Idle objects by key, bounded; ``checkout`` hands one to a single caller at a time."""

    def __init__(self, max_idle: int = DEFAULT_MAX_IDLE, per_key: int = MAX_IDLE_PER_KEY) -> None:
        self.max_idle = max_idle
        self.per_key = per_key
        self._idle: OrderedDict[PoolKey, list[Any]] = OrderedDict()
        self._count = 0
        self._lock = threading.Lock()
        #: Objects made by factories since the pool was created (tests read it).
        self.created = 0

    @contextlib.contextmanager
    def checkout(self, key: PoolKey, factory: Callable[[], Any]) -> Iterator[Any]:
        """An idle object for ``key``, or a new one from ``factory``; returned to the pool after use.

        An object whose use raised a connection-level error is closed, not returned: its
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
        except OSError:  # ConnectionError, TimeoutError and the HTTP clients' transport errors
            healthy = False
            raise
        finally:
            if healthy:
                self._give(key, obj)
            else:
                _close(obj)

    def _take(self, key: PoolKey) -> Any | None:
        with self._lock:
            objs = self._idle.get(key)
            if not objs:
                return None
            obj = objs.pop()
            self._count -= 1
            if not objs:
                del self._idle[key]
            return obj

    def _give(self, key: PoolKey, obj: Any) -> None:
        dropped: list[Any] = []
        with self._lock:
            objs = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(objs) >= self.per_key:
                dropped.append(obj)
            else:
                objs.append(obj)
                self._count += 1
            while self._count > self.max_idle:
                oldest_key, oldest = next(iter(self._idle.items()))
                dropped.append(oldest.pop(0))
                self._count -= 1
                if not oldest:
                    del self._idle[oldest_key]
        for obj in dropped:
            _close(obj)

    def idle(self) -> int:
        """How many objects are idle in the pool."""
        with self._lock:
            return self._count

    def clear(self) -> None:
        """Close and drop every idle object (tests, or after a configuration change)."""
        with self._lock:
            objs = [obj for group in self._idle.values() for obj in group]
            self._idle.clear()
            self._count = 0
        for obj in objs:
            _close(obj)



#: The process-wide pool every driver's backend objects live in.
POOL = KeyedPool()
