"""The toolkit's token cache: one token per credentials, refreshed on expiry or refusal, fetched once under load."""

from __future__ import annotations

import threading

import pytest

from deltacloud.driver.toolkit.pool import pool_key
from deltacloud.driver.toolkit.tokens import DEFAULT_LIFETIME, TokenCache
from deltacloud.errors import AuthenticationError
from deltacloud.models import Credentials


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Issuer:
    """Hands out numbered tokens with a fixed lifetime, counting the calls."""

    def __init__(self, lifetime: float | None = 60.0) -> None:
        self.lifetime, self.calls = lifetime, 0

    def __call__(self) -> tuple[str, float | None]:
        self.calls += 1
        return f"token-{self.calls}", self.lifetime


ALICE = pool_key("engine", "https://e/api", Credentials("alice", "pw"))
BOB = pool_key("engine", "https://e/api", Credentials("bob", "pw"))


def test_reused_until_expiry_less_the_margin() -> None:
    clock, issuer = Clock(), Issuer(60.0)
    cache = TokenCache(clock, margin=10.0)
    assert cache.get(ALICE, issuer) == "token-1"
    clock.now += 49
    assert cache.get(ALICE, issuer) == "token-1"
    clock.now += 1  # 50 s: within the 10 s margin of the 60 s lifetime
    assert cache.get(ALICE, issuer) == "token-2"
    assert issuer.calls == 2 and cache.fetched == 2


def test_never_shared_across_credentials() -> None:
    cache, issuer = TokenCache(Clock()), Issuer()
    assert cache.get(ALICE, issuer) != cache.get(BOB, issuer)
    other_password = pool_key("engine", "https://e/api", Credentials("alice", "new"))
    assert cache.get(other_password, issuer) == "token-3"
    assert "pw" not in repr(ALICE) and "token" not in repr(cache._tokens[ALICE])


def test_invalidate_only_the_refused_token() -> None:
    cache, issuer = TokenCache(Clock()), Issuer()
    first = cache.get(ALICE, issuer)
    cache.invalidate(ALICE, "some-older-token")
    assert cache.get(ALICE, issuer) == first
    cache.invalidate(ALICE, first)
    assert cache.get(ALICE, issuer) == "token-2"


def test_unannounced_lifetime_and_failures() -> None:
    clock = Clock()
    cache = TokenCache(clock, margin=0.0)
    assert cache.get(ALICE, Issuer(None)) == "token-1"
    clock.now += DEFAULT_LIFETIME - 1
    assert len(cache) == 1

    def refuse() -> tuple[str, float | None]:
        raise AuthenticationError("refused")

    with pytest.raises(AuthenticationError):
        cache.get(BOB, refuse)
    assert len(cache) == 1


def test_concurrent_requests_fetch_once() -> None:
    cache, gate = TokenCache(Clock()), threading.Event()
    calls = []

    def slow() -> tuple[str, float | None]:
        calls.append(1)
        gate.wait(5)
        return "shared", 60.0

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(ALICE, slow))) for _ in range(5)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(timeout=5)
    assert results == ["shared"] * 5 and len(calls) == 1


def test_bounded() -> None:
    cache, issuer = TokenCache(Clock(), max_tokens=2), Issuer()
    keys = [pool_key("engine", "u", Credentials(f"user{i}", "pw")) for i in range(3)]
    for key in keys:
        cache.get(key, issuer)
    assert len(cache) == 2
    cache.get(keys[0], issuer)
    assert issuer.calls == 4
