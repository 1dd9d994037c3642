"""A small HTTP client of the Deltacloud API with two transports: in-process (Falcon) and live (requests).

The suite only ever talks to the API through ``DeltacloudApi``, so the same tests certify a
driver loaded in-process and a server running anywhere. Targets are paths below the entry
point (``"/instances"``) or absolute ``href``s taken from documents; an ``href`` must point
below the entry point the suite was given, otherwise the server leaks a wrong base URL.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import defusedxml.ElementTree as SafeET

#: Sentinel: use the session's credentials.
DEFAULT_AUTH: Any = object()
#: Longest body excerpt quoted in an assertion message.
EXCERPT = 600


@dataclass
class ApiResponse:
    """What the server answered: status, headers (lower-case names), body."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    server_log: str = ""

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def header(self, name: str) -> str | None:
        """One response header, by case-insensitive name."""
        return self.headers.get(name.lower())

    def describe(self) -> str:
        """A one-paragraph account of the exchange for assertion messages."""
        body = self.text.strip()
        if len(body) > EXCERPT:
            body = body[:EXCERPT] + "…"
        out = f"{self.method} {self.url} -> {self.status} {self.content_type}\n{body}"
        if self.server_log:
            out += f"\nserver log:\n{self.server_log}"
        return out

    def expect(self, *statuses: int) -> ApiResponse:
        """Assert the status is one of ``statuses``; the message shows the whole exchange."""
        __tracebackhide__ = True
        if self.status not in statuses:
            raise AssertionError(f"expected {' or '.join(map(str, statuses))}, got: {self.describe()}")
        return self

    def xml(self) -> Any:
        """The body parsed as XML (with defusedxml); asserts the content type says XML."""
        __tracebackhide__ = True
        if self.content_type not in ("application/xml", "text/xml"):
            raise AssertionError(f"not an XML answer: {self.describe()}")
        try:
            return SafeET.fromstring(self.content)
        except SafeET.ParseError as exc:
            raise AssertionError(f"malformed XML ({exc}): {self.describe()}") from None

    def json(self) -> Any:
        """The body parsed as JSON; asserts the content type says JSON."""
        import json

        __tracebackhide__ = True
        if self.content_type != "application/json":
            raise AssertionError(f"not a JSON answer: {self.describe()}")
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise AssertionError(f"malformed JSON ({exc}): {self.describe()}") from None


class Transport(Protocol):
    """Sends one request to an absolute URL below ``base_url``."""

    base_url: str
    live: bool

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> ApiResponse:
        """Perform the request and return the answer."""


class _LogTail(logging.Handler):
    """Keeps the last error records of the ``deltacloud`` logger, to explain a 500 in-process."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Record a server log line for the test report."""
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f": {type(exc).__name__}: {exc}"
        self.records.append(text)


class InProcessTransport:
    """Calls a WSGI app through ``falcon.testing`` without any socket."""

    live = False

    def __init__(self, app: Callable[..., Any], host: str = "deltacloud.test") -> None:
        import falcon.testing

        self._testing = falcon.testing
        self.app = app
        self.host = host
        self.base_url = f"http://{host}/api"
        self._log = _LogTail()
        logging.getLogger("deltacloud").addHandler(self._log)

    def close(self) -> None:
        """Stop listening to the server's log."""
        logging.getLogger("deltacloud").removeHandler(self._log)

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> ApiResponse:
        """Send one request and return the response."""
        parts = urlsplit(url)
        self._log.records.clear()
        result = self._testing.simulate_request(
            self.app, method, parts.path, query_string=parts.query or None, headers=headers, body=body,
            host=self.host)
        log = "\n".join(self._log.records[-3:]) if result.status_code >= 500 else ""
        return ApiResponse(method, url, result.status_code, {k.lower(): v for k, v in result.headers.items()},
                           result.content, log)


class HttpTransport:
    """Talks to a live server with ``requests`` (one session, connections reused)."""

    live = True

    def __init__(self, base_url: str, timeout: float = 60.0, verify: bool | str = True) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.verify = verify
        self.session.trust_env = False  # never route the suite's requests through an outside proxy

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> ApiResponse:
        """Send one request and return the response."""
        response = self.session.request(method, url, headers=headers, data=body, timeout=self.timeout,
                                         allow_redirects=False)
        return ApiResponse(method, url, response.status_code, {k.lower(): v for k, v in response.headers.items()},
                           response.content)


@dataclass
class DeltacloudApi:
    """The API as the suite sees it: requests with the session's credentials and provider.

    ``credentials`` is ``(user, password)``; ``provider`` is sent as ``X-Deltacloud-Provider``.
    """

    transport: Transport
    credentials: tuple[str, str] | None = None
    provider: str | None = None
    default_headers: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """The entry point's absolute URL, without a trailing slash."""
        return self.transport.base_url

    @property
    def live(self) -> bool:
        """Whether a real server answers (``--deltacloud-url``)."""
        return self.transport.live

    def url(self, target: str) -> str:
        """The absolute URL of ``target``: a path below the entry point, or an ``href`` below it."""
        if "://" in target:
            base = urlsplit(self.base_url)
            parts = urlsplit(target)
            assert (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(base.path), (
                f"href {target!r} does not point below the entry point {self.base_url!r}")
            return target
        if not target or target == "/":
            return self.base_url
        return self.base_url + ("" if target.startswith(("/", ";", "?")) else "/") + target

    def request(self, method: str, target: str, *, params: Mapping[str, Any] | None = None,
                data: Mapping[str, Any] | None = None, body: bytes | None = None,
                headers: Mapping[str, str | None] | None = None, auth: Any = DEFAULT_AUTH,
                fmt: str | None = None) -> ApiResponse:
        """Send one request; ``data`` is sent form-encoded, ``fmt`` adds ``?format=``; a None header is not sent."""
        url = self.url(target)
        query = dict(params or {})
        if fmt:
            query["format"] = fmt
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query, doseq=True)
        sent = {k: v for k, v in {**self.default_headers, **(headers or {})}.items() if v is not None}
        if self.provider and "X-Deltacloud-Provider" not in {**self.default_headers, **(headers or {})}:
            sent["X-Deltacloud-Provider"] = self.provider
        credentials = self.credentials if auth is DEFAULT_AUTH else auth
        if credentials is not None:
            token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
            sent["Authorization"] = f"Basic {token}"
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return self.transport.send(method, url, sent, body)

    def matrix(self, name: str, value: str) -> str:
        """``;NAME=VALUE`` with the value percent-encoded (a provider URL's ``/``, ``:`` and ``;`` included)."""
        return f";{name}={quote(value, safe='')}"

    def sees_raw_paths(self, response: ApiResponse) -> bool:
        """Whether the server behind ``response`` can hand the app the path as sent (``RAW_URI``).

        Not in-process (``falcon.testing``) and not Python's ``wsgiref`` server: both decode the
        path before the app sees it, so a ``%2F`` in a matrix parameter becomes a ``/`` there.
        """
        return self.live and not (response.header("server") or "").startswith("WSGIServer/")

    def get(self, target: str, **kwargs: Any) -> ApiResponse:
        """GET ``target``."""
        return self.request("GET", target, **kwargs)

    def post(self, target: str, **kwargs: Any) -> ApiResponse:
        """POST to ``target``."""
        return self.request("POST", target, **kwargs)

    def delete(self, target: str, **kwargs: Any) -> ApiResponse:
        """DELETE ``target``."""
        return self.request("DELETE", target, **kwargs)

    def xml(self, target: str, **kwargs: Any) -> Any:
        """GET ``target`` as XML, asserting 200; the root element."""
        __tracebackhide__ = True
        return self.get(target, **kwargs).expect(200).xml()

    def json(self, target: str, **kwargs: Any) -> Any:
        """GET ``target`` as JSON, asserting 200; the decoded document."""
        __tracebackhide__ = True
        return self.get(target, fmt="json", **kwargs).expect(200).json()
