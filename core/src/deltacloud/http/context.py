"""Per-request selection: which driver, provider, format and credentials a request uses."""

from __future__ import annotations

import binascii
import hashlib
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from deltacloud import loader
from deltacloud.config import ServerConfig
from deltacloud.driver import Driver
from deltacloud.driver.safety import check_endpoints
from deltacloud.errors import AuthenticationError
from deltacloud.models import Credentials

MATRIX_KEY = "deltacloud.matrix"
MATRIX_PARAMS_KEY = "deltacloud.matrix_params"
#: What every answer varies by (it is the same for every request).
VARY = "Accept, Authorization, X-Deltacloud-Driver, X-Deltacloud-Provider"
#: The environ entries that select a GET's answer besides credentials and matrix parameters (``request_key``).
_SELECTING = ("PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT",
              "wsgi.url_scheme", "HTTP_ACCEPT", "HTTP_X_DELTACLOUD_DRIVER", "HTTP_X_DELTACLOUD_PROVIDER")
#: Salt of ``principal``, new in every process.
_SALT = os.urandom(16)


@dataclass
class RequestState:
    """What the middleware decided for one request; resources and error handlers read it."""

    fmt: str = "xml"
    driver_name: str = ""
    provider: str | None = None
    loaded: loader.LoadedDriver | None = None
    credentials: Credentials | None = None
    #: Whether the provider came from the operator (``-P``, the driver's own list) rather than the client.
    provider_trusted: bool = True
    backend_seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    #: What the driver offers for this request (``Api.offer``), once worked out.
    offer: Any = None
    _driver: Driver | None = None

    def driver(self) -> Driver:
        """The request's driver object, made once; a client-sent provider passes the safety rule first."""
        if self._driver is None:
            assert self.loaded is not None
            cls = self.loaded.cls
            if self.provider and not self.provider_trusted and not cls.settings.allow_private_providers:
                check_endpoints(cls.provider_endpoints(self.provider))
            self._driver = cls(self.credentials, self.provider)
        return self._driver


def split_matrix(path: str) -> tuple[str, dict[str, str], dict[str, list[str]]]:
    """Strip ``;key=value`` matrix parameters from every path segment.

    Returns the clean path, the parameters of the ``api`` segment (``driver``/``provider``)
    and the parameters of other segments (``/api/images;instance_id=i1``), which count as
    request parameters.
    """
    if ";" not in path:
        return path, {}, {}
    api_params: dict[str, str] = {}
    other: dict[str, list[str]] = {}
    segments = []
    for segment in path.split("/"):
        name, *params = segment.split(";")
        for param in params:
            key, _, value = param.partition("=")
            key, value = unquote(key), unquote(value)
            if not key:
                continue
            if name == "api" and key in ("driver", "provider"):
                api_params[key] = value
            else:
                other.setdefault(key, []).append(value)
        segments.append(name)
    return "/".join(segments), api_params, other


def move_matrix(environ: dict) -> None:
    """Move matrix parameters out of ``PATH_INFO`` into the environ (``MATRIX_KEY``, ``MATRIX_PARAMS_KEY``).

    Called before routing (``http.front.Front``); a path without ``;`` is left alone.
    """
    path = environ.get("PATH_INFO", "")
    if ";" not in path:
        return
    raw = _raw_path(environ)
    if raw is not None and ";" in raw:
        # Split before decoding: a value may hold an encoded '/' (a provider URL).
        clean, api_params, other = split_matrix(raw)
        path = unquote(clean, encoding="latin-1")
        script = environ.get("SCRIPT_NAME", "")
        environ["PATH_INFO"] = path[len(script):] if script and path.startswith(script) else path
    else:
        environ["PATH_INFO"], api_params, other = split_matrix(path)
    environ[MATRIX_KEY] = api_params
    environ[MATRIX_PARAMS_KEY] = other


def _raw_path(environ: dict) -> str | None:
    """The request's path as the client sent it, still percent-encoded, when the server says (RAW_URI)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return None
    path = raw.split("?", 1)[0]
    if "://" in path[:12]:  # absolute-form request target
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path


def select_driver(environ: dict, headers_driver: str | None, headers_provider: str | None,
                  config: ServerConfig) -> tuple[str, str | None, bool]:
    """Driver and provider for a request: matrix parameters, then ``X-Deltacloud-*`` headers, then defaults.

    The third value says whether the provider came from the client (True) or from the operator.
    """
    matrix = environ.get(MATRIX_KEY, {})
    driver = (matrix.get("driver") or headers_driver or config.driver).strip()
    provider = (matrix.get("provider") or headers_provider or "").strip() or None
    from_client = provider is not None
    if provider is None and driver == config.driver:
        provider = config.provider
    elif provider is not None and driver == config.driver and provider == config.provider:
        from_client = False
    return driver, provider, from_client


def trusted_provider(loaded: loader.LoadedDriver, provider: str | None, from_client: bool) -> bool:
    """Whether the provider needs no safety check: the operator's, or one the driver lists itself."""
    if not from_client or provider is None:
        return True
    return any(known.id == provider for known in loaded.cls.providers_known)


def parse_basic(header: str | None) -> Credentials | None:
    """Credentials from an ``Authorization: Basic`` header; None when absent; 401 when malformed."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:  # strict: only the base64 alphabet, padding only at the end (b64decode's validate, without its regex)
        decoded = binascii.a2b_base64(token.strip(), strict_mode=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise AuthenticationError("Malformed Basic credentials") from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise AuthenticationError("Malformed Basic credentials")
    return Credentials(user, password)


def principal(environ: dict[str, Any]) -> bytes:
    """A digest of the request's ``Authorization``, salted per process: equal only for equal credentials.

    What the server keeps per caller (shared answers, known ETags) is keyed by it, never by the credentials.
    """
    return hashlib.sha256(_SALT + environ.get("HTTP_AUTHORIZATION", "").encode("latin-1")).digest()


def request_key(environ: dict[str, Any]) -> tuple[Any, ...]:
    """What selects a GET's answer, credentials aside: path, query, format, driver, provider, base of its links.

    Read after ``move_matrix`` (and the forwarded headers): the ``;driver=;provider=`` it moved are part of it.
    """
    matrix = environ.get(MATRIX_KEY)
    return (*map(environ.get, _SELECTING), tuple(sorted(matrix.items())) if matrix else ())


def selection_headers(driver_name: str, provider: str | None, started: float, driver_seconds: float,
                      backend: tuple[float, int]) -> list[tuple[str, str]]:
    """The headers every answer carries: the driver and provider that served it, its timings and ``Vary``.

    ``started`` is when the request began (``time.perf_counter``), ``driver_seconds`` the time spent in
    the driver, ``backend`` what the backend toolkit measured (``driver.timing.total``: seconds, calls).
    """
    measured, calls = backend
    spent = measured if calls else driver_seconds
    total_ms = (time.perf_counter() - started) * 1000
    headers = [("X-Deltacloud-Driver", driver_name),
               ("Server-Timing", f"backend;dur={spent * 1000:.3f}, driver;dur={driver_seconds * 1000:.3f}, "
                                 f"total;dur={total_ms:.3f}"),
               ("X-Backend-Runtime", f"{spent:.6f}"), ("Vary", VARY)]
    if provider:
        headers.append(("X-Deltacloud-Provider", provider))
    if calls:
        headers.append(("X-Backend-Calls", str(calls)))
    return headers
