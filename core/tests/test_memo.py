"""``IdentityMemo``: kept by the ids of objects it holds meanwhile, bounded."""

from __future__ import annotations

import gc
import weakref

from deltacloud.driver import IdentityMemo


class Thing:
    """An object compared by identity only (two equal-looking ones are not the same)."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_found_again_by_the_very_objects_and_plain_values() -> None:
    memo: IdentityMemo[str] = IdentityMemo(8)
    a, b = Thing("a"), Thing("b")
    assert memo.put((id(a), id(b), "xml"), "ab", a, b) == "ab"
    assert memo.get((id(a), id(b), "xml")) == "ab"
    assert memo.get((id(a), id(b), "json")) is None  # another plain value
    assert memo.get((id(b), id(a), "xml")) is None  # the objects in another order
    assert memo.get((id(a), id(Thing("b")), "xml")) is None  # an equal-looking but other object
    assert len(memo) == 1


def test_the_objects_are_held_so_their_ids_stay_theirs() -> None:
    memo: IdentityMemo[int] = IdentityMemo(8)
    thing = Thing("held")
    watch = weakref.ref(thing)
    key = id(thing)
    memo.put(key, 1, thing)
    del thing
    gc.collect()
    assert watch() is not None and memo.get(id(watch())) == 1
    memo.clear()
    gc.collect()
    assert watch() is None and len(memo) == 0 and memo.get(key) is None


def test_past_its_bound_everything_is_forgotten_at_once() -> None:
    memo: IdentityMemo[int] = IdentityMemo(3)
    things = [Thing(str(n)) for n in range(4)]
    for n, thing in enumerate(things[:3]):
        memo.put(id(thing), n, thing)
    assert [memo.get(id(t)) for t in things[:3]] == [0, 1, 2]
    memo.put(id(things[3]), 3, things[3])
    assert len(memo) == 1 and memo.get(id(things[3])) == 3 and memo.get(id(things[0])) is None
