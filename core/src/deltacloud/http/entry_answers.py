"""The entry point's answers kept by request, so a ``GET /api`` is answered before routing.

``/api`` is the document clients fetch most (a 1.1 client reads it at the start of every session),
and for most drivers it is the same bytes for everyone: the collections and features the driver
class offers, with links from the request's base URL. The core already keeps those bytes and their
ETag (``render.fragments.ENTRY_POINTS``); this keeps them once more by the request that got them,
so that ``http.front.Front`` answers the next such request at once, without routing it.

The ordinary path (``http.app.EntryPoint``) keeps an answer (``keep``) only when it is the same for
everyone: a ``GET /api`` without query (no ``?force_auth``, no ``?format``) in XML or JSON, for a
driver whose offer is its class's (it does not narrow ``Driver.offers`` per provider or credentials)
and an operator's provider. The key is everything else the document depends on
(``context.request_key``: ``Accept``, the driver and provider headers and matrix parameters, host,
scheme and script name). Credentials do not change it, but malformed ones are still refused as the
ordinary path refuses them (401). The answer is the ordinary one: the same body, ETag and headers,
a 304 for a matching ``If-None-Match``. Not installed with ``DELTACLOUD_CACHE=off`` or when a plugin
adjusts the app, like ``http.revalidate``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import falcon

from deltacloud.driver import Driver, IdentityMemo
from deltacloud.errors import AuthenticationError
from deltacloud.http.context import RequestState, parse_basic, request_key, selection_headers
from deltacloud.http.etags import etag_matches, send_kept
from deltacloud.http.revalidate import FORMATS

#: Where the ordinary path finds the key of a request ``EntryAnswers`` could not answer (and the keeper).
ENVIRON_KEY = "deltacloud.entry_answer"
#: Answers kept, at most (one per host, format and driver selection); past it all are dropped.
BOUND = 256


@dataclass(frozen=True, slots=True)
class KeptEntry:
    """The entry point document a request got, with what its headers need."""

    body: bytes
    etag: str
    content_type: str
    driver_name: str
    provider: str | None
    cls: type[Driver]


class EntryAnswers:
    """``GET /api`` answered from the answer kept for the same request; ``http.front.Front`` asks it."""

    def __init__(self, bound: int = BOUND) -> None:
        self._kept: IdentityMemo[KeptEntry] = IdentityMemo(bound)

    def answer(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """The kept answer for a ``GET /api`` (Front has checked method and path); else None.

        A request without a kept answer leaves its key in the environ (``ENVIRON_KEY``), for ``keep``.
        """
        if environ.get("QUERY_STRING"):
            return None
        started = time.perf_counter()
        key = request_key(environ)
        kept = self._kept.get(key)
        if kept is None or kept.cls.offers is not Driver.offers:  # a class's offer, still
            environ[ENVIRON_KEY] = (self, key)
            return None
        try:
            parse_basic(environ.get("HTTP_AUTHORIZATION"))
        except AuthenticationError:  # the ordinary path's 401
            return None
        headers = selection_headers(kept.driver_name, kept.provider, started, 0.0, (0.0, 0))
        return send_kept(start_response, headers, kept.etag, etag_matches(environ.get("HTTP_IF_NONE_MATCH"), kept.etag),
                         kept.body, kept.content_type)

    def keep(self, key: Hashable, kept: KeptEntry) -> None:
        """Keep the answer the ordinary path gave for ``key``."""
        self._kept.put(key, kept)

    def __len__(self) -> int:
        """How many answers are kept."""
        return len(self._kept)


def keep(req: falcon.Request, state: RequestState, body: bytes, etag: str, content_type: str) -> None:
    """For ``http.app.EntryPoint``: keep this answer when it is the same for everyone (see the module's text)."""
    found = req.env.get(ENVIRON_KEY)
    if (found is None or req.method != "GET" or state.fmt not in FORMATS or not state.provider_trusted
            or state.loaded is None or state.loaded.cls.offers is not Driver.offers):
        return
    keeper, key = found
    keeper.keep(key, KeptEntry(body, etag, content_type, state.driver_name, state.provider, state.loaded.cls))
