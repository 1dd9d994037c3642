"""A poller's GET of a whole listing answered from the driver's listing version, before routing.

A client polling ``/api/instances`` mostly asks for a listing that has not changed. Working that out
the ordinary way routes the request and lists (the driver's call, its models, the renderers, the
ETag), only to send the same bytes again, or a 304 when the client sent ``If-None-Match``. A driver
that can tell cheaply whether a listing changed offers ``Driver.listing_version`` (the mock: its
database's commit marker and the time its automatic transitions were last worked out). Then:

* the ordinary path, answering a GET of a whole listing (no parameters, XML or JSON, an operator's
  or the driver's own provider), takes the version before listing and keeps it with the answer's
  ETag, its bytes (when they went out whole: at most ``MAX_BODY``) and the driver that made it
  (``keep``), under a key of everything the answer depends on: ``context.request_key`` (path,
  query, ``Accept``, driver and provider, the host, scheme and script name its links are built from)
  and the credentials as ``context.principal`` (a salted digest, never the credentials);
* ``Revalidator``, asked by the WSGI layer in front of Falcon (``http.front.Front``) before routing,
  finds that entry for the next such GET, makes the driver with the request's own credentials, asks
  its version (which authenticates, as the listing would) and, when it is the kept one, answers at
  once with the same headers: 304 when ``If-None-Match`` names the kept ETag, else the kept bytes.

Anything else goes the ordinary way: no entry, another version, no kept bytes for a GET that needs
them, an error of any kind (the ordinary path answers it, errors included). Entries are kept per app
thread, since a driver's versions may be per connection (the mock's are): at most ``BOUND`` of them
and ``MAX_BYTES`` of bytes (mostly the very bytes the fragment cache keeps for the same listing);
past either, all are dropped. A version is taken before the listing it is kept with, so a change
committed meanwhile can only make an entry older than its version says, never newer: a change is in
the very next answer. Not installed with ``DELTACLOUD_CACHE=off``, nor when a plugin adjusts the app
(its middleware would be skipped).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import falcon

from deltacloud.api.spec import Operation
from deltacloud.driver import Driver, timing
from deltacloud.http.context import (
    MATRIX_PARAMS_KEY,
    RequestState,
    parse_basic,
    principal,
    request_key,
    selection_headers,
)
from deltacloud.http.etags import etag_matches, send_kept

#: Where the ordinary path finds the layer that could not answer a request, to keep its answer with.
ENVIRON_KEY = "deltacloud.revalidate"
#: Formats whose answers may be kept and given before routing (HTML pages carry the browser's forms too).
FORMATS = frozenset({"xml", "json"})
#: Entries kept, at most (about one per poller, app thread and listing); past it all are dropped.
BOUND = 4096
#: A listing's bytes are kept with its entry up to this size (larger ones stream: only the ETag is kept).
MAX_BODY = 256 * 1024
#: Bytes kept in all, at most; past it all entries are dropped.
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Kept:
    """What a GET of a listing was last answered with, and by which driver."""

    version: Hashable
    etag: str
    cls: type[Driver]
    driver_name: str
    provider: str | None
    collection: str
    #: The whole body and its content type, when it was sent whole; None after a 304 or a streamed one.
    body: bytes | None = None
    content_type: str = ""


class Revalidator:
    """GETs of unchanged listings answered before routing; ``http.front.Front`` asks it first."""

    def __init__(self, bound: int = BOUND, max_bytes: int = MAX_BYTES) -> None:
        self.bound, self.max_bytes = bound, max_bytes
        self._kept: dict[Hashable, Kept] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def answer(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """The answer to a GET (Front has checked the method) whose listing is unchanged; else None.

        A GET that may qualify leaves the layer in the environ (``ENVIRON_KEY``), for ``keep``.
        """
        if MATRIX_PARAMS_KEY in environ:
            return None
        kept = self._kept.get(key_of(environ)) if self._kept else None  # nothing kept (no versions): no key made
        if kept is not None:
            answered = _unchanged(kept, environ, start_response)
            if answered is not None:
                return answered
        environ[ENVIRON_KEY] = self
        return None

    def keep(self, key: Hashable, kept: Kept) -> None:
        """Keep what a GET of a listing was answered with (the ordinary path calls ``keep``).

        An answer without bytes (a 304) does not replace one with bytes for the same version and ETag.
        """
        size = len(kept.body) if kept.body is not None else 0
        with self._lock:
            old = self._kept.get(key)
            if old is not None:
                if kept.body is None and old.body is not None and (old.version, old.etag) == (kept.version, kept.etag):
                    return
                self._bytes -= len(old.body) if old.body is not None else 0
            if len(self._kept) >= self.bound or self._bytes + size > self.max_bytes:
                self._kept.clear()
                self._bytes = 0
            self._kept[key] = kept
            self._bytes += size

    def __len__(self) -> int:
        """How many entries are kept."""
        return len(self._kept)

    @property
    def kept_bytes(self) -> int:
        """How many bytes of bodies are kept."""
        return self._bytes


def key_of(environ: dict[str, Any]) -> Hashable:
    """What a listing's answer is kept under: the credentials' digest, the app thread, the request's selection."""
    return principal(environ), threading.get_ident(), *request_key(environ)


def _unchanged(kept: Kept, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
    """The same answer again when the listing is still the kept one; None to go the ordinary way."""
    tags = environ.get("HTTP_IF_NONE_MATCH")
    matched = bool(tags) and etag_matches(tags, kept.etag)
    if not matched and kept.body is None:
        return None
    started = time.perf_counter()
    try:
        driver = kept.cls(parse_basic(environ.get("HTTP_AUTHORIZATION")), kept.provider)
        timing.start()
        version = driver.listing_version(kept.collection)
    except Exception:  # the ordinary path answers it, errors included
        return None
    spent = time.perf_counter() - started
    if version is None or version != kept.version:
        return None
    headers = selection_headers(kept.driver_name, kept.provider, started, spent, timing.total())
    return send_kept(start_response, headers, kept.etag, matched, kept.body, kept.content_type)


def listing_key(req: falcon.Request, state: RequestState, op: Operation, values: dict[str, Any],
                ignored: object) -> Revalidator | None:
    """For the ordinary path: the layer to keep this answer with, when it qualifies; else None.

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


def keep(layer: Revalidator, req: falcon.Request, resp: falcon.Response, version: Hashable | None,
         state: RequestState, collection: str) -> None:
    """After the ordinary path answered: keep the ETag (and the body, if sent whole) under ``version``."""
    etag = resp.get_header("ETag")
    if version is None or etag is None or state.loaded is None:
        return
    stream = resp.stream
    body = None
    if resp.status in (200, "200 OK", falcon.HTTP_200) and isinstance(stream, list) and len(stream) == 1:
        whole = stream[0]  # a listing sent whole (``http.streaming.send_document``)
        if isinstance(whole, bytes) and len(whole) <= MAX_BODY:
            body = whole
    kept = Kept(version, etag, state.loaded.cls, state.driver_name, state.provider, collection, body,
                resp.content_type or "")
    layer.keep(key_of(req.env), kept)
