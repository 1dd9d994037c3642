"""The access log and request ids: one line per request, an ``X-Request-Id`` on every answer.

``AccessLog`` is WSGI middleware around the whole app. It takes the client's ``X-Request-Id``
when it is a sane token (letters, digits and ``._:-``, at most 128 characters), else makes one,
puts it in the environ (``deltacloud.request_id``) and in the response, and writes one line to
the logger ``deltacloud.access`` when the response is done (its body sent)::

    request_id=9f1c... method=GET path=/api/instances status=200 duration_ms=4.1 driver=mock provider=- client=127.0.0.1

Every value is escaped so that it is one token without spaces, quotes or control characters: the
path is percent-encoded as it came (an encoded newline stays ``%0A`` and cannot start a forged
line). The line never holds credentials: no ``Authorization``, no user name, no query string, no
matrix parameters of the path (they are request parameters too), and a provider URL is logged
without its user info, query and fragment.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

#: The logger every access line goes to.
LOGGER_NAME = "deltacloud.access"
#: The environ key holding the request's id.
ENVIRON_KEY = "deltacloud.request_id"
HEADER = "X-Request-Id"

_HEADER_KEY = HEADER.lower()
_HEADER_LENGTH = len(HEADER)
#: Response headers the line shows.
_LOGGED = frozenset({"x-deltacloud-driver", "x-deltacloud-provider"})
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_SAFE = "/:@!$'()*+,-._~"
_MAX_VALUE = 300

log = logging.getLogger(LOGGER_NAME)


#: Where new request ids come from: seeded from the OS once per process (again in each forked worker),
#: so making an id is no system call (which would let go of the GIL in the middle of every request).
#: Ids correlate log lines with answers; they are not secrets (clients may send their own).
_IDS = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _IDS.seed(os.urandom(32)))


def request_id(offered: str | None) -> str:
    """``offered`` when it is a sane token, else a new random id (32 hex digits)."""
    if offered and _SANE_ID.fullmatch(offered):
        return offered
    return f"{_IDS.getrandbits(128):032x}"


def escape(value: str) -> str:
    """``value`` as one log token: percent-encoded, nothing but printable ASCII without spaces; ``-`` if empty."""
    if not value:
        return "-"
    # WSGI strings carry raw bytes as Latin-1; anything else (a str from elsewhere) goes as UTF-8.
    raw = value.encode("latin-1") if _latin1(value) else value.encode("utf-8", "replace")
    token = quote(raw, safe=_SAFE)
    return token if len(token) <= _MAX_VALUE else token[:_MAX_VALUE] + "..."


def _latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def safe_provider(provider: str | None) -> str:
    """A provider as it may be logged: a URL loses its user info, query and fragment."""
    if not provider:
        return ""
    if "://" in provider:
        try:
            parts = urlsplit(provider)
            host = parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            netloc = host + (f":{parts.port}" if parts.port else "")
        except ValueError:
            return "(unparsable URL)"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return provider.split("?", 1)[0]


def format_line(rid: str, method: str, path: str, status: int, duration_ms: float, driver: str | None,
                provider: str | None, client: str | None) -> str:
    """One access line (see the module's docstring)."""
    return (f"request_id={escape(rid)} method={escape(method)} path={escape(path)} status={status} "
            f"duration_ms={duration_ms:.1f} driver={escape(driver or '')} provider={escape(safe_provider(provider))} "
            f"client={escape(client or '')}")


def _clean_path(environ: dict[str, Any]) -> str:
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    # Matrix parameters are request parameters: dropped like the query string.
    return "/".join(segment.split(";", 1)[0] for segment in path.split("/"))


class AccessLog:
    """WSGI middleware: request id in and out, one access line per request (``clock`` injectable)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], logger: logging.Logger = log,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.logger = logger
        self.clock = clock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        rid = request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[ENVIRON_KEY] = rid
        tagged = _with_request_id(start_response, rid)
        if not self.logger.isEnabledFor(logging.INFO):  # off: only the request id goes out
            return self.app(environ, tagged)
        method, path, client = environ.get("REQUEST_METHOD", ""), _clean_path(environ), environ.get("REMOTE_ADDR")
        started = self.clock()
        answer: dict[str, Any] = {"status": 500}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer.clear()  # a second call (an error after the first) describes the answer alone
            for name, value in headers:
                if name.lower() in _LOGGED:
                    answer[name.lower()] = value
            answer["status"] = int(status.split(" ", 1)[0])
            return tagged(status, headers, exc_info)

        def done() -> None:
            line = format_line(rid, method, path, answer["status"], (self.clock() - started) * 1000,
                               answer.get("x-deltacloud-driver"), answer.get("x-deltacloud-provider"), client)
            self.logger.info(line)

        try:
            result = self.app(environ, start)
        except BaseException:
            done()
            raise
        return _Finished(result, done)


def _with_request_id(start_response: Callable[..., Any], rid: str) -> Callable[..., Any]:
    """``start_response`` adding the request id header (in place of one the app may have set)."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        for name, _ in headers:
            if len(name) == _HEADER_LENGTH and name.lower() == _HEADER_KEY:
                headers = [header for header in headers if header[0].lower() != _HEADER_KEY]
                break
        else:
            headers = list(headers)
        headers.append((HEADER, rid))
        return start_response(status, headers, exc_info)

    return start


class _Finished:
    """The app's response body; calls ``done`` once, when the server closes it."""

    def __init__(self, result: Iterable[bytes], done: Callable[[], None]) -> None:
        self._result = result
        self._done: Callable[[], None] | None = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            if self._done is not None:
                done, self._done = self._done, None
                done()


def configure(target: str) -> None:
    """Send access lines to ``target``: ``-`` for standard output, ``off`` for nowhere, else a file.

    A file is appended to, and opened again when it has been moved or removed (log rotation).
    """
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    log.propagate = False
    if target == "off":
        log.addHandler(logging.NullHandler())
        log.setLevel(logging.CRITICAL + 1)  # nothing enabled: the middleware formats no line at all
        return
    handler: logging.Handler = (logging.StreamHandler(sys.stdout) if target == "-"
                                else logging.handlers.WatchedFileHandler(target, encoding="utf-8"))
    formatter = logging.Formatter("%(asctime)s.%(msecs)03dZ %(message)s", datefmt="%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
