"""Rendered fragments reused while the object they render is unchanged.

A writer is a pure function of the object (a frozen model) and the render context, so its
output for an equal object in an equal context is the same bytes. ``FragmentCache`` keeps those
bytes keyed by the writer, the format, the context's values and the object itself (compared by
value): a changed object (another state, name, address...) is another key, so a change is in the
very next document; nothing is ever invalidated by time. Objects that cannot be hashed (a model
holding a list or a dict) are simply rendered each time.

What is kept follows what exists: each listing scope keeps the fragments of its last listing,
so the old versions of changed objects and destroyed objects go at the next
listing. The cache is bounded by the bytes it holds (``DELTACLOUD_FRAGMENT_CACHE_MB``, 32 by
default; the least recently listed scopes go first) and can be turned off with
``DELTACLOUD_CACHE=off`` (how the benchmark measures the uncached path).
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
import os
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from deltacloud.config import caching_enabled
from deltacloud.driver.memo import IdentityMemo

Writer = Callable[[Any, Any], Any]


def part_digest(data: bytes) -> bytes:
    """A piece's digest, of which a listing's ETag is made (SHA-1: cheaper than MD5 on CPUs with SHA instructions)."""
    return hashlib.sha1(data, usedforsecurity=False).digest()


_SIMPLE = (str, int, float, type, frozenset)
#: Digests of short pieces (the separators between fragments), by value.
_SMALL: dict[bytes, bytes] = {}
#: Hashable stand-ins of long-lived context values (the driver's features), by identity.
_STAND_INS: IdentityMemo[Any] = IdentityMemo(4096)


def _hashable(value: Any) -> Any:
    """``value`` when it can be hashed, else its ``repr``; worked out once per long-lived object."""
    if value is None or isinstance(value, _SIMPLE):
        return value
    known = _STAND_INS.get(id(value))
    if known is not None:
        return known
    try:
        hash(value)
        stand_in = value
    except TypeError:
        stand_in = repr(value)
    return _STAND_INS.put(id(value), stand_in, value)


def context_key(ctx: Any) -> tuple[Any, ...]:
    """Every value of a render context, hashable (unhashable ones by their ``repr``).

    Worked out once per context object (kept on it: a context is frozen), so a shared context
    (``render.context.shared_context``) costs nothing per request.
    """
    stash = getattr(ctx, "__dict__", None)
    if stash is not None:
        known = stash.get("_fragments_key")
        if known is not None:
            return known
    key = (type(ctx), *(_hashable(getattr(ctx, item.name)) for item in dataclasses.fields(ctx)))
    if stash is not None:
        stash["_fragments_key"] = key = _Key(key)
    return key


class _Key(tuple):
    """A context's key, its hash worked out once (the key holds long tuples such as the features)."""

    def __new__(cls, values: tuple[Any, ...]) -> _Key:
        made = super().__new__(cls, values)
        made._hash = tuple.__hash__(made)
        return made

    def __hash__(self) -> int:
        return self._hash


#: How many listing scopes are kept at most (the least recently listed go first).
MAX_SCOPES = 512


class Fragments(list):
    """A listing's fragments; ``derived`` keeps what callers work out from them (say, the joined document).

    ``FragmentCache.render`` returns this very object again while the same objects are listed, so
    whatever is kept in ``derived`` lives exactly as long as the listing it was made from is the
    scope's last one. The list is never changed once returned.
    """

    def __init__(self) -> None:
        super().__init__()
        self.derived: dict[str, Any] = {}


class FragmentCache:
    """Encoded output of writers, by (writer, format, context, object), kept per listing scope.

    A scope (the writer, format and context, plus what the caller names: the collection and the
    user) keeps exactly the fragments of its last listing; so what is kept follows the
    objects that exist, not every version of every object ever listed, and a long run of create,
    change and destroy stays flat. Whole scopes go, least recently listed first, past ``limit``
    bytes or ``max_scopes`` scopes.
    """

    def __init__(self, limit: int, enabled: bool = True, max_scopes: int = MAX_SCOPES) -> None:
        self.limit = limit
        self.enabled = enabled
        self.max_scopes = max_scopes
        self.size = 0
        self._scopes: dict[tuple[Any, ...], tuple[dict[Any, bytes], int]] = {}
        #: Digests (part_digest) of the kept fragments, by the identity of their bytes (held, so ids stay theirs).
        self._digests: dict[int, tuple[bytes, bytes]] = {}
        self._prefixes: dict[tuple[Any, ...], int] = {}
        #: Each scope's last listing: its objects (held, so their ids stay theirs) and its fragments.
        self._last: dict[tuple[Any, ...], tuple[tuple[Any, ...], Fragments]] = {}
        self._lock = threading.Lock()

    def render(self, items: Iterable[Any], write: Writer, encode: Callable[[Any], bytes], fmt: str,
               ctx: Any, scope: Hashable = None) -> list[bytes]:
        """``encode(write(item, ctx))`` for each item, reusing what this scope's last listing rendered.

        ``scope`` names whose listing this is (the collection and the user), so that different
        users' listings do not push each other's fragments out. When
        ``items`` are the very objects (by identity, in the same order) of the scope's last
        listing, that listing's ``Fragments`` are returned again without looking at each object's
        value (a driver that keeps its models, as the mock does, lists an unchanged collection at
        the cost of one identity check per object); callers must not change the list.
        """
        if not self.enabled:
            return [encode(write(item, ctx)) for item in items]
        key = (self._prefix((write, fmt, context_key(ctx))), scope)
        items = tuple(items)
        last = self._last.get(key)
        if last is not None and len(last[0]) == len(items) and all(map(operator.is_, last[0], items)):
            self._touch(key)  # the very objects of the scope's last listing: its very fragments
            return last[1]
        old = self._scopes.get(key, ({}, 0))[0]
        kept: dict[Any, bytes] = {}
        out = Fragments()
        hashable = True
        for item in items:
            try:
                found = old.get(item)
            except TypeError:  # an unhashable model: rendered every time
                out.append(encode(write(item, ctx)))
                hashable = False
                continue
            if found is None:
                found = encode(write(item, ctx))
            kept[item] = found
            out.append(found)
        self._replace(key, kept)
        if hashable:  # frozen all through: the same objects can only render the same bytes
            with self._lock:
                if key in self._scopes:  # not dropped meanwhile
                    self._last[key] = (items, out)
        return out

    def _touch(self, key: tuple[Any, ...]) -> None:
        """Make ``key`` the most recently listed scope (no lock taken when it already is: the usual case)."""
        try:
            if next(reversed(self._scopes), None) == key:
                return
        except RuntimeError:  # changed by another thread meanwhile: take the lock
            pass
        with self._lock:
            found = self._scopes.pop(key, None)
            if found is not None:
                self._scopes[key] = found

    def _prefix(self, key: tuple[Any, ...]) -> int:
        """A small number standing for (writer, format, context), so scope keys hash quickly."""
        number = self._prefixes.get(key)
        if number is None:
            with self._lock:
                number = self._prefixes.setdefault(key, len(self._prefixes))
        return number

    def _replace(self, key: tuple[Any, ...], kept: dict[Any, bytes]) -> None:
        """Make ``kept`` the scope's fragments; forget the ones its last listing had and this one has not."""
        size = sum(map(len, kept.values()))
        with self._lock:
            previous, previous_size = self._scopes.pop(key, ({}, 0))
            if previous:
                still = {id(data) for data in kept.values()}
                for data in previous.values():
                    if id(data) not in still:
                        self._digests.pop(id(data), None)
            for data in kept.values():
                if id(data) not in self._digests:
                    self._digests[id(data)] = (data, part_digest(data))
            self._scopes[key] = (kept, size)  # the most recently listed scope is last
            self.size += size - previous_size
            while self._scopes and (self.size > self.limit or len(self._scopes) > self.max_scopes):
                self._drop(next(iter(self._scopes)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        """Forget one scope's fragments (the lock is held)."""
        fragments, size = self._scopes.pop(key)
        self._last.pop(key, None)
        for data in fragments.values():
            self._digests.pop(id(data), None)
        self.size -= size

    def __len__(self) -> int:
        """How many fragments are kept, over every scope."""
        with self._lock:
            return sum(len(fragments) for fragments, _ in self._scopes.values())

    def digest(self, part: bytes) -> bytes:
        """The digest of ``part`` (``part_digest``): remembered when it is a kept fragment, else computed."""
        known = self._digests.get(id(part))
        if known is not None and known[0] is part:
            return known[1]
        if len(part) <= 16:  # separators: remembered by value
            found = _SMALL.get(part)
            if found is None:
                found = _SMALL[part] = part_digest(part)
                if len(_SMALL) > 256:
                    _SMALL.clear()
            return found
        return part_digest(part)

    def clear(self) -> None:
        """Forget every fragment."""
        with self._lock:
            self._scopes.clear()
            self._last.clear()
            self._digests.clear()
            self.size = 0


#: The process's cache, used by ``render.document.render_list``.
FRAGMENTS = FragmentCache(int(float(os.environ.get("DELTACLOUD_FRAGMENT_CACHE_MB", "32")) * 1024 * 1024),
                          enabled=caching_enabled())


class Documents:
    """Whole documents that depend only on long-lived values (the entry point), by a key the caller makes.

    The key must hold everything the document is made from; at most ``size`` are kept (past it,
    all are forgotten). Off with ``DELTACLOUD_CACHE=off`` like the fragments.
    """

    def __init__(self, size: int = 256, enabled: bool = True) -> None:
        self.enabled = enabled
        self._kept: IdentityMemo[bytes] = IdentityMemo(size)

    def get(self, owner: Any, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The document kept for ``owner`` (by identity, held meanwhile) and ``key``, else ``make()`` (then kept)."""
        if not self.enabled:
            return make()
        full = (id(owner), key)
        found = self._kept.get(full)
        return found if found is not None else self._kept.put(full, make(), owner)


#: The entry point documents (``/api`` in XML and JSON), by format, offer and render context.
ENTRY_POINTS = Documents(enabled=caching_enabled())
