"""A poller's conditional GET of a whole listing answered from the driver's listing version, before routing.

A client polling ``/api/instances`` with ``If-None-Match`` usually gets a 304: nothing changed.
Working that out the ordinary way routes the request, lists (the driver's call, its models, the
renderers, the ETag) and throws the document away. A driver that can tell cheaply whether a listing
changed offers ``Driver.listing_version`` (the mock: its database's commit marker and the time its
automatic transitions were last worked out). Then:

* the ordinary path, answering a conditional GET of a whole listing (no parameters, XML or JSON, an
  operator's or the driver's own provider), takes the version before listing and keeps it with the
  answer's ETag and the driver that made it (``keep``), under a key of everything the answer depends
  on: path, query, ``Accept``, the driver and provider headers and matrix parameters, the host,
  scheme and script name its links are built from, and the credentials as ``context.principal`` (a
  salted digest, never the credentials);
* ``Revalidator``, asked by the WSGI layer in front of Falcon (``http.front.Front``) before routing,
  finds that entry for the next such request, makes
  the driver with the request's own credentials, asks its version (which authenticates, as the
  listing would) and, when the version is the kept one and ``If-None-Match`` names the kept ETag,
  answers the same 304 with the same headers at once.

Anything else goes the ordinary way: no entry, another version, another tag, an error of any kind
(the ordinary path answers it, errors included). Entries are kept per app thread, since a driver's
versions may be per connection (the mock's are), at most ``BOUND`` of them. A version is taken before
the listing it is kept with, so a change committed meanwhile can only make an entry older than its
version says, never newer: a change is in the very next answer. Not installed with
``DELTACLOUD_CACHE=off``, nor when a plugin adjusts the app (its middleware would be skipped).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import falcon

from deltacloud.api.spec import Operation
from deltacloud.driver import Driver, IdentityMemo, timing
from deltacloud.http.context import (
    MATRIX_PARAMS_KEY,
    RequestState,
    parse_basic,
    principal,
    request_key,
    selection_headers,
)
from deltacloud.http.etags import CACHE_CONTROL, etag_matches

#: Where the ordinary path finds the key of a request ``Revalidator`` could not answer (and the layer).
ENVIRON_KEY = "deltacloud.revalidate"
#: Formats whose listings qualify (HTML pages carry more than the listing).
FORMATS = frozenset({"xml", "json"})
#: Entries kept, at most (about one per poller, app thread and listing); past it all are dropped.
BOUND = 4096


@dataclass(frozen=True, slots=True)
class Kept:
    """What a conditional GET of a listing was last answered with, and by which driver."""

    version: Hashable
    etag: str
    cls: type[Driver]
    driver_name: str
    provider: str | None
    collection: str


class Revalidator:
    """Conditional GETs of unchanged listings answered before routing; ``http.front.Front`` asks it first."""

    def __init__(self, bound: int = BOUND) -> None:
        self._kept: IdentityMemo[Kept] = IdentityMemo(bound)

    def answer(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """The 304 of a conditional GET whose listing is unchanged; else None, to go the ordinary way.

        A GET that may qualify leaves its key in the environ (``ENVIRON_KEY``), for ``keep``.
        """
        tags = environ.get("HTTP_IF_NONE_MATCH")
        if not tags or environ.get("REQUEST_METHOD") != "GET" or MATRIX_PARAMS_KEY in environ:
            return None
        key = (principal(environ), threading.get_ident(), *request_key(environ))
        kept = self._kept.get(key)
        if kept is not None:
            headers = _unchanged(kept, environ, tags)
            if headers is not None:
                start_response("304 Not Modified", headers)
                return []
        environ[ENVIRON_KEY] = (self, key)
        return None

    def keep(self, key: Hashable, kept: Kept) -> None:
        """Keep what a conditional GET of a listing was answered with (the ordinary path calls ``keep``)."""
        self._kept.put(key, kept)

    def __len__(self) -> int:
        """How many entries are kept."""
        return len(self._kept)


def _unchanged(kept: Kept, environ: dict[str, Any], tags: str) -> list[tuple[str, str]] | None:
    """The 304's headers when the listing is still the kept one; None to go the ordinary way."""
    started = time.perf_counter()
    try:
        driver = kept.cls(parse_basic(environ.get("HTTP_AUTHORIZATION")), kept.provider)
        timing.start()
        version = driver.listing_version(kept.collection)
    except Exception:  # the ordinary path answers it, errors included
        return None
    spent = time.perf_counter() - started
    if version is None or version != kept.version or not etag_matches(tags, kept.etag):
        return None
    headers = selection_headers(kept.driver_name, kept.provider, started, spent, timing.total())
    headers += [("ETag", kept.etag), ("Cache-Control", CACHE_CONTROL)]
    return headers


def listing_key(req: falcon.Request, state: RequestState, op: Operation, values: dict[str, Any],
                ignored: object) -> tuple[Revalidator, Hashable] | None:
    """For the ordinary path: the layer and key to keep this answer under, when it qualifies; else None.

    It qualifies when ``Revalidator`` passed it on, and it is a whole listing (``values``, the
    validated parameters, and ``ignored`` ones empty) in XML or JSON for a trusted provider, of a
    driver that offers versions.
    """
    found = req.env.get(ENVIRON_KEY)
    if (found is None or op.kind != "index" or values or ignored or state.fmt not in FORMATS
            or not state.provider_trusted or state.loaded is None
            or state.loaded.cls.listing_version is Driver.listing_version):
        return None
    return found


def version_of(driver: Driver, collection: str, state: RequestState) -> Hashable | None:
    """For the ordinary path: the driver's version of ``collection`` (backend time), None when it raises.

    A version is only ever a shortcut: whatever asking for it raises, the request goes on as if the
    driver offered none, and the listing that follows answers it (its errors included).
    """
    started = time.perf_counter()
    try:
        return driver.listing_version(collection)
    except Exception:  # the listing answers it
        return None
    finally:
        state.backend_seconds += time.perf_counter() - started


def keep(found: tuple[Revalidator, Hashable], resp: falcon.Response, version: Hashable | None,
         state: RequestState, collection: str) -> None:
    """After the ordinary path answered: keep the ETag under ``version``, taken before it listed."""
    etag = resp.get_header("ETag")
    if version is None or etag is None or state.loaded is None:
        return
    layer, key = found
    layer.keep(key, Kept(version, etag, state.loaded.cls, state.driver_name, state.provider, collection))
