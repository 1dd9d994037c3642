"""Decoded models kept per scope, so that a listing decodes only the documents that changed.

A listing reads the stored JSON texts of one scope (a store and an owner) and needs their models.
Decoding each text on every request is most of a listing's cost, so the models are kept keyed by
their exact text: an unchanged document is a hit, a changed one is a new text and is decoded again
(the models are immutable, so sharing them across requests and threads is safe).

What is kept tracks what exists rather than what ever existed: a full listing of a scope replaces
that scope's entries with exactly the texts it read, so the states an instance went through and
the instances since destroyed are let go at the next full listing. Between full listings, lookups
of single documents (and filtered listings) add what they decode up to ``slack`` entries beyond
the scope's last full listing. Memory is therefore bounded by the live documents, not by the run's
history: a long run of create, change and destroy stays flat.

``listing`` skips even the read while the store has not changed: each connection (thread) keeps the
models of its last complete listing of a scope with the store's version token taken before that
read (``store.Store.version``), and an equal token means the same documents. Those lists hold the
same model objects as the scope's entries (unchanged documents decode once), so they add little;
at most ``LISTED`` are kept.

With ``DELTACLOUD_CACHE=off`` (``deltacloud.config.caching_enabled``) nothing is kept: every listing
reads and decodes every document, as the benchmark's uncached figure needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from deltacloud.config import caching_enabled

T = TypeVar("T")

#: Entries a scope may gain between two full listings, beyond the size of the last one.
SLACK = 1024
#: Complete listings kept with their store version (one per scope and connection), at most.
LISTED = 256


class DecodedModels(Generic[T]):
    """Models decoded from JSON texts, kept per scope and keyed by the exact text."""

    def __init__(self, decode: Callable[[str], T], slack: int = SLACK) -> None:
        self._decode = decode
        self._slack = slack
        self._scopes: dict[Hashable, tuple[dict[str, T], int]] = {}
        self._listed: dict[tuple[Hashable, int], tuple[tuple[int, bytes | int, int], list[T]]] = {}
        self._lock = threading.Lock()
        self.enabled = caching_enabled()

    def listing(self, scope: Hashable, token: tuple[int, bytes | int, int] | None,
                read: Callable[[], Sequence[str]]) -> list[T]:
        """The models of every document of ``scope``; ``read()`` gives their texts.

        ``token`` is the store's version taken just before (``Store.version``; None: unknown):
        when this connection's last complete listing of the scope was read under the same token,
        nothing was committed since and its models are returned without reading again.
        """
        if not self.enabled:
            return [self._decode(body) for body in read()]
        known = self.kept(scope, token)
        if known is not None:
            return known
        models = self.models(scope, read(), complete=True)
        if token is not None:
            with self._lock:
                if len(self._listed) >= LISTED:
                    self._listed.clear()
                self._listed[(scope, token[0])] = (token, models)
        return models

    def kept(self, scope: Hashable, token: tuple[int, bytes | int, int] | None) -> list[T] | None:
        """The very list ``listing`` returns for ``scope`` under ``token`` without reading; None when not kept."""
        if token is None:
            return None
        known = self._listed.get((scope, token[0]))
        return known[1] if known is not None and known[0] == token else None

    def models(self, scope: Hashable, bodies: Sequence[str], *, complete: bool) -> list[T]:
        """The models of ``bodies``; ``complete`` when they are every document of the scope."""
        if not self.enabled:
            return [self._decode(body) for body in bodies]
        known, size = self._scopes.get(scope, ({}, 0))
        found = [known.get(body) for body in bodies]
        models = [self._decode(body) if model is None else model for body, model in zip(bodies, found, strict=True)]
        if complete:
            with self._lock:
                self._scopes[scope] = (dict(zip(bodies, models, strict=True)), len(bodies))
        elif None in found:
            with self._lock:
                known, size = self._scopes.setdefault(scope, ({}, 0))
                for body, model, was in zip(bodies, models, found, strict=True):
                    if was is None and len(known) < size + self._slack:
                        known[body] = model
        return models

    def __len__(self) -> int:
        """How many models are kept, over every scope."""
        with self._lock:
            return sum(len(known) for known, _ in self._scopes.values())

    def clear(self) -> None:
        """Forget every kept model."""
        with self._lock:
            self._scopes.clear()
            self._listed.clear()
