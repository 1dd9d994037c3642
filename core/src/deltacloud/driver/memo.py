"""``IdentityMemo``: values worked out once from long-lived objects, found again by those objects' identity.

A loaded driver's features, an API operation, a kept document, a listing a driver hands out again
unchanged: objects that live long or that their owner replaces rather than changes. What is worked
out from them (a render context, an operation's parameters, an ETag, the models of a listing) can
be kept by their identity: a lookup then costs a dict probe, never a hash or a comparison of their
contents. Used by the core's renderers and HTTP layer, and by drivers.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    """Values by a key made of the ``id()`` of the objects they were worked out from (and plain values).

    ``put`` holds the objects whose ids are in the key, so while the entry is kept no other object
    can take one of those ids (an id is only unique among live objects): a key found therefore
    means the very same objects, without comparing them. At most ``bound`` entries: past it all are
    forgotten at once and worked out again as needed (the objects are few and long-lived, or soon
    replaced). Values must not be ``None`` (``get``'s answer for "not kept"). Safe to share between
    threads: each step is one dict operation, and a value worked out twice is kept once.
    """

    __slots__ = ("_entries", "bound")

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._entries: dict[Hashable, tuple[V, tuple[object, ...]]] = {}

    def get(self, key: Hashable) -> V | None:
        """The value kept for ``key``, else ``None``."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def put(self, key: Hashable, value: V, *held: object) -> V:
        """Keep ``value`` for ``key``, holding ``held``: every object whose ``id()`` is in the key. Returns it."""
        if len(self._entries) >= self.bound:
            self._entries.clear()
        self._entries[key] = (value, held)
        return value

    def __len__(self) -> int:
        """How many values are kept."""
        return len(self._entries)

    def clear(self) -> None:
        """Forget every value."""
        self._entries.clear()
