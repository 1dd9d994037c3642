"""The fragment cache keeps what each listing scope last listed: memory follows what exists, not history."""

from __future__ import annotations

from dataclasses import dataclass

from deltacloud.render.fragments import FragmentCache


@dataclass(frozen=True)
class Thing:
    """A frozen model, as drivers return them."""

    id: str
    state: str


@dataclass(frozen=True)
class Ctx:
    """A render context (the cache keys on its values)."""

    base: str = "http://127.0.0.1:3001/api"


def write(thing: Thing, ctx: object) -> str:
    return f"<thing id='{thing.id}'><state>{thing.state}</state></thing>"


def listing(cache: FragmentCache, things: list[Thing], scope: object = "alice") -> list[bytes]:
    return list(cache.render(things, write, str.encode, "xml", Ctx(), scope))


def test_changed_and_destroyed_objects_go_at_the_next_listing() -> None:
    cache = FragmentCache(limit=1 << 20)
    for n in range(500):  # a long run of launch, change, destroy beside two long-lived objects
        base = [Thing("a", "RUNNING"), Thing("b", "STOPPED")]
        pending = listing(cache, [*base, Thing(f"i{n}", "PENDING")])[2]
        assert pending == f"<thing id='i{n}'><state>PENDING</state></thing>".encode()
        assert listing(cache, [*base, Thing(f"i{n}", "RUNNING")])[2].endswith(b"RUNNING</state></thing>")
        assert len(listing(cache, base)) == 2
    assert len(cache) == 2 and cache.size == sum(len(write(t, None)) for t in base)


def test_a_change_is_in_the_very_next_listing() -> None:
    cache = FragmentCache(limit=1 << 20)
    assert listing(cache, [Thing("a", "PENDING")]) == [b"<thing id='a'><state>PENDING</state></thing>"]
    assert listing(cache, [Thing("a", "RUNNING")]) == [b"<thing id='a'><state>RUNNING</state></thing>"]


def test_scopes_are_separate_and_bounded() -> None:
    cache = FragmentCache(limit=1 << 20, max_scopes=3)
    for user in ("alice", "bob", "carol", "dave"):
        listing(cache, [Thing(user, "RUNNING")], scope=user)
    assert len(cache) == 3, "the least recently listed scope (alice's) went"
    small = FragmentCache(limit=100)
    listing(small, [Thing("x", "RUNNING")], scope="one")  # 43 bytes
    listing(small, [Thing("y", "RUNNING")], scope="two")
    listing(small, [Thing("z", "RUNNING")], scope="three")
    assert small.size <= 100 and len(small) == 2
