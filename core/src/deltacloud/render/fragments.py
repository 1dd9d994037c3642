"""Rendered fragments reused while the object they render is unchanged.

A writer is a pure function of the object (a frozen model) and the render context, so its
output for an equal object in an equal context is the same bytes. ``FragmentCache`` keeps those
bytes keyed by the writer, the format, the context's values and the object itself (compared by
value): a changed object (another state, name, address...) is another key, so a change is in the
very next document; nothing is ever invalidated by time. Objects that cannot be hashed (a model
holding a list or a dict) are simply rendered each time.

The cache is bounded by the bytes it holds (``DELTACLOUD_FRAGMENT_CACHE_MB``, 32 by default;
oldest entries go first) and can be turned off with ``DELTACLOUD_CACHE=off`` (how the benchmark
measures the uncached path).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

Writer = Callable[[Any, Any], Any]


def _enabled() -> bool:
    return os.environ.get("DELTACLOUD_CACHE", "on").strip().lower() not in ("off", "0", "no", "false")


def context_key(ctx: Any) -> tuple[Any, ...]:
    """Every value of a render context, hashable (unhashable ones by their ``repr``)."""
    values: list[Any] = [type(ctx)]
    for item in dataclasses.fields(ctx):
        value = getattr(ctx, item.name)
        try:
            hash(value)
        except TypeError:
            value = repr(value)
        values.append(value)
    return tuple(values)


class FragmentCache:
    """Encoded output of writers, by (writer, format, context, object); bounded by ``limit`` bytes."""

    def __init__(self, limit: int, enabled: bool = True) -> None:
        self.limit = limit
        self.enabled = enabled
        self.size = 0
        self._entries: dict[tuple[Any, ...], bytes] = {}
        self._lock = threading.Lock()

    def render(self, items: Iterable[Any], write: Writer, encode: Callable[[Any], bytes], fmt: str,
               ctx: Any) -> list[bytes]:
        """``encode(write(item, ctx))`` for each item, reusing what was rendered for an equal item before."""
        if not self.enabled:
            return [encode(write(item, ctx)) for item in items]
        prefix = (write, fmt, context_key(ctx))
        entries = self._entries
        out = []
        for item in items:
            key = (prefix, item)
            try:
                found = entries.get(key)
            except TypeError:  # an unhashable model: rendered every time
                out.append(encode(write(item, ctx)))
                continue
            if found is None:
                found = encode(write(item, ctx))
                self._keep(key, found)
            out.append(found)
        return out

    def _keep(self, key: tuple[Any, ...], data: bytes) -> None:
        with self._lock:
            if key in self._entries or len(data) > self.limit:
                return
            self._entries[key] = data
            self.size += len(data)
            while self.size > self.limit:
                oldest = next(iter(self._entries))
                self.size -= len(self._entries.pop(oldest))

    def clear(self) -> None:
        """Forget every fragment."""
        with self._lock:
            self._entries.clear()
            self.size = 0


#: The process's cache, used by ``render.document.render_list``.
FRAGMENTS = FragmentCache(int(float(os.environ.get("DELTACLOUD_FRAGMENT_CACHE_MB", "32")) * 1024 * 1024),
                          enabled=_enabled())
