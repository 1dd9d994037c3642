"""Request coalescing: identical concurrent GETs share one run of the app, hence one backend call.

Opt-in (``deltacloudd --coalesce SECONDS``). Fifty clients polling ``/api/instances`` with the same
credentials cost the cloud one listing per window instead of fifty. ``Coalescer`` wraps the WSGI
app; a GET's key is everything that can change its answer: path, query, the raw path (matrix
parameters), the ``Accept``, driver and provider headers, host, scheme and script name (links are
absolute), cookies, and a salted digest of ``Authorization`` (so answers are never shared across
credentials, and the credentials are not kept). The first request of a key runs the app; requests
with the same key that arrive while it runs wait for its answer and get a copy. A 200 is then kept
for at most ``max_age`` seconds, which is how stale a shared answer may be (at most ``MAX_KEPT``
answers of at most ``MAX_KEPT_BYTES``); any other method through this server drops what is kept for
its credentials first, so a change made through it is visible in the next answer.

``If-None-Match`` is not part of the key: the shared run is made without it and each request gets
its own 304 when its tag matches. Blob contents (``/api/buckets/...``) and HEAD are never
coalesced. ``calls`` counts the runs of the app (the figure ``bench/`` prints).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from deltacloud.http.context import principal as credentials_principal
from deltacloud.http.etags import etag_matches

#: The environ entries that make two GETs the same request.
_KEY_ENTRIES = ("PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "RAW_URI", "HTTP_HOST", "wsgi.url_scheme",
                "HTTP_ACCEPT", "HTTP_X_DELTACLOUD_DRIVER", "HTTP_X_DELTACLOUD_PROVIDER", "HTTP_COOKIE",
                "HTTP_ACCEPT_ENCODING")
#: Longest wait of a follower for the leader's answer before it runs the app itself.
FOLLOWER_WAIT = 120.0
#: At most this many answers are kept past their run; expired ones are swept when it is reached.
MAX_KEPT = 1024
#: Larger answers are shared with the requests waiting for them but not kept afterwards.
MAX_KEPT_BYTES = 4 * 1024 * 1024


@dataclass
class _Answer:
    """One run of the app: its status, headers and body, once ``done`` is set."""

    done: threading.Event = field(default_factory=threading.Event)
    status: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    finished: float = 0.0
    ok: bool = False


class Coalescer:
    """WSGI middleware sharing one run of ``app`` among identical GETs (see the module's text)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], max_age: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.max_age = max_age
        self.clock = clock
        self.calls = 0
        self._lock = threading.Lock()
        self._answers: dict[tuple[Any, ...], _Answer] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        principal = credentials_principal(environ)
        if method != "GET" or environ.get("PATH_INFO", "").startswith("/api/buckets"):
            if method not in ("GET", "HEAD", "OPTIONS"):
                self._forget(principal)
            return self.app(environ, start_response)
        key = (principal, *(environ.get(name, "") for name in _KEY_ENTRIES))
        now = self.clock()
        with self._lock:
            if len(self._answers) >= MAX_KEPT:
                self._sweep(now)
            answer = self._answers.get(key)
            if answer is not None and answer.done.is_set() and now - answer.finished > self.max_age:
                answer = None
            leader = answer is None
            if leader:
                answer = self._answers[key] = _Answer()
        assert answer is not None
        if leader:
            self._run(environ, answer, key)
        elif not answer.done.wait(FOLLOWER_WAIT):
            return self.app(environ, start_response)
        return self._reply(answer, environ.get("HTTP_IF_NONE_MATCH"), start_response)

    def _run(self, environ: dict[str, Any], answer: _Answer, key: tuple[Any, ...]) -> None:
        """Run the app for the leader (without its ``If-None-Match``) and keep its whole answer."""
        environ = dict(environ)
        environ.pop("HTTP_IF_NONE_MATCH", None)
        captured: list[Any] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured[:] = [status, list(headers)]
            return chunks.append

        chunks: list[bytes] = []
        try:
            with self._lock:
                self.calls += 1
            result = self.app(environ, start)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            answer.status, answer.headers = captured
            answer.body = b"".join(chunks)
            answer.ok = answer.status.startswith("200")
        finally:
            answer.finished = self.clock()
            if not answer.ok or len(answer.body) > MAX_KEPT_BYTES or len(self._answers) > MAX_KEPT:
                with self._lock:  # only 200s of a reasonable size are kept past the leader's run
                    if self._answers.get(key) is answer:
                        del self._answers[key]
            answer.done.set()

    def _reply(self, answer: _Answer, if_none_match: str | None, start_response: Callable[..., Any]
               ) -> Iterable[bytes]:
        """This request's copy of a shared answer: a 304 when its ``If-None-Match`` matches the ETag."""
        if not answer.status:  # the leader failed without an answer: it reported its own error
            start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]
        headers = list(answer.headers)
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        if if_none_match and etag and answer.ok and etag_matches(if_none_match, etag):
            kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")]
            start_response("304 Not Modified", kept)
            return [b""]
        start_response(answer.status, headers)
        return [answer.body]

    def _sweep(self, now: float) -> None:
        """Drop the kept answers older than ``max_age`` (the lock is held)."""
        for key in [k for k, a in self._answers.items() if a.done.is_set() and now - a.finished > self.max_age]:
            del self._answers[key]

    def _forget(self, principal: bytes) -> None:
        """Drop every kept answer for these credentials (a change was requested through this server)."""
        with self._lock:
            for key in [k for k in self._answers if k[0] == principal]:
                del self._answers[key]  # an answer still being made is shared with those waiting, not kept


def wrap(app: Any, max_age: float) -> Any:
    """``app`` wrapped in a ``Coalescer`` when ``max_age`` is positive; ``app`` itself otherwise."""
    return Coalescer(app, max_age) if max_age > 0 else app
