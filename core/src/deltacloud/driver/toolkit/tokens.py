"""A process-wide cache of bearer tokens that clouds issue in exchange for credentials (OAuth/SSO).

Some clouds (oVirt's SSO, OpenStack Keystone, …) want the user's password once and a token on
every later call. ``TokenCache`` keeps one token per key, which a driver builds with
``pool_key(service, endpoint, credentials)``: the key holds a digest of user *and* password, so
one user's token never serves another user, and a changed password never reuses the old token.

A token is fetched when there is none, when it has expired (by the expiry the cloud announced,
less a safety margin, on the cache's clock), or after the driver ``invalidate``\\ s it because the
cloud refused it (a token can die early: a logout, an engine restart). Fetches for one key are
serialised, so concurrent requests of one user make one token request, not many. The clock is
injectable for tests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from deltacloud.driver.toolkit.pool import PoolKey

#: Seconds before its announced expiry that a token is treated as expired (clock skew, latency).
DEFAULT_MARGIN = 30.0
#: Lifetime assumed for a token whose issuer announced none.
DEFAULT_LIFETIME = 600.0
#: Tokens kept per process, least recently used dropped first.
DEFAULT_MAX_TOKENS = 256


@dataclass(frozen=True)
class Token:
    """A bearer token and the time (on the cache's clock) it stops being usable; the value never shows in repr."""

    value: str = field(repr=False)
    expires_at: float


class TokenCache:
    """Tokens by key; ``get`` returns a live one, fetching it through the driver's ``fetch`` when needed.

    ``fetch()`` returns ``(token, lifetime_seconds)`` (``lifetime`` None when the cloud did not say)
    and raises the driver's own errors (bad credentials…), which pass through unchanged and cache
    nothing.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, margin: float = DEFAULT_MARGIN,
                 max_tokens: int = DEFAULT_MAX_TOKENS) -> None:
        self.clock = clock
        self.margin = margin
        self.max_tokens = max_tokens
        self._tokens: OrderedDict[PoolKey, Token] = OrderedDict()
        self._locks: dict[PoolKey, threading.Lock] = {}
        self._lock = threading.Lock()
        #: Tokens fetched since the cache was made (tests read it).
        self.fetched = 0

    def get(self, key: PoolKey, fetch: Callable[[], tuple[str, float | None]]) -> str:
        """A live token for ``key``: the cached one, or a new one from ``fetch``."""
        token = self._live(key)
        if token is not None:
            return token.value
        with self._key_lock(key):
            token = self._live(key)  # another request may have fetched it meanwhile
            if token is not None:
                return token.value
            value, lifetime = fetch()
            now = self.clock()
            life = DEFAULT_LIFETIME if lifetime is None else max(float(lifetime), 0.0)
            fresh = Token(value, now + life - min(self.margin, life / 2))
            with self._lock:
                self.fetched += 1
                self._tokens[key] = fresh
                self._tokens.move_to_end(key)
                while len(self._tokens) > self.max_tokens:
                    old, _ = self._tokens.popitem(last=False)
                    self._locks.pop(old, None)
            return value

    def invalidate(self, key: PoolKey, value: str | None = None) -> None:
        """Forget the token of ``key`` (only if it is still ``value``, when given): the cloud refused it."""
        with self._lock:
            current = self._tokens.get(key)
            if current is not None and (value is None or current.value == value):
                del self._tokens[key]

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._tokens.clear()
            self._locks.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._tokens)

    def _live(self, key: PoolKey) -> Token | None:
        with self._lock:
            token = self._tokens.get(key)
            if token is None:
                return None
            if token.expires_at <= self.clock():
                del self._tokens[key]
                return None
            self._tokens.move_to_end(key)
            return token

    def _key_lock(self, key: PoolKey) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())
