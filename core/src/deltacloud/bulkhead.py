"""Bulkheads: no one backend may hold more than its share of the server's threads.

A request names its backend (driver and provider) in ``;driver=``/``;provider=`` matrix
parameters or ``X-Deltacloud-Driver``/``X-Deltacloud-Provider`` headers, else it uses the
server's default. While a backend hangs, every request to it holds a thread until the backend
timeout; without a bound, a few clients pointing at one dead endpoint would hold all threads
and every other backend, the mock included, would wait. ``Bulkhead`` bounds the threads one
backend holds at once; its other requests wait on the event loop, where waiting costs nothing.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

BackendKey = tuple[str, str]


def backend_key(api_params: Mapping[str, str], headers: Mapping[str, str]) -> BackendKey:
    """The (driver, provider) a request names, as the client spells them; ``("", "")`` for the defaults."""
    driver = api_params.get("driver") or headers.get("HTTP_X_DELTACLOUD_DRIVER") or ""
    provider = api_params.get("provider") or headers.get("HTTP_X_DELTACLOUD_PROVIDER") or ""
    return driver.strip().lower(), provider.strip().rstrip("/").lower()


class Bulkhead:
    """At most ``ceil(threads * share)`` requests of one backend in the threads at once.

    Used from the event loop only (no locks needed). Keys without a request in flight or
    waiting are forgotten, so many distinct providers cost nothing once they are done.
    """

    def __init__(self, threads: int, share: float = 0.5) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], not {share}")
        self.limit = max(1, math.ceil(threads * share))
        self._slots: dict[BackendKey, tuple[asyncio.Semaphore, list[int]]] = {}

    def in_use(self, key: BackendKey) -> int:
        """Requests of ``key`` holding or waiting for a slot."""
        entry = self._slots.get(key)
        return entry[1][0] if entry else 0

    async def acquire(self, key: BackendKey) -> None:
        """Take one of ``key``'s slots, waiting for one when all are taken; ``release`` gives it back."""
        entry = self._slots.get(key)
        if entry is None:
            entry = self._slots[key] = (asyncio.Semaphore(self.limit), [0])
        entry[1][0] += 1
        try:
            await entry[0].acquire()
        except BaseException:  # cancelled while waiting: not holding a slot
            self._leave(key, entry)
            raise

    def release(self, key: BackendKey) -> None:
        """Give back a slot taken by ``acquire`` (on the event loop's thread)."""
        entry = self._slots[key]
        entry[0].release()
        self._leave(key, entry)

    def _leave(self, key: BackendKey, entry: tuple[asyncio.Semaphore, list[int]]) -> None:
        entry[1][0] -= 1
        if entry[1][0] == 0:
            del self._slots[key]

    @asynccontextmanager
    async def slot(self, key: BackendKey) -> AsyncIterator[None]:
        """Hold one of ``key``'s slots while the block runs."""
        await self.acquire(key)
        try:
            yield
        finally:
            self.release(key)
