"""Backend failures translated into the core's errors, through one small table per cloud.

A driver describes its cloud's error codes once (``ErrorTable``); everything else is common:

| backend failure | status |
|---|---|
| connection refused, unreachable, TLS failure | 502 |
| no answer in time | 504 |
| throttling (HTTP 429, 503, or a throttling code) | 503 with ``Retry-After`` |
| refused credentials (HTTP 401, or an auth code) | 401 |
| HTTP 403 / 404 / 409 / 400 (unless the code says otherwise) | 403 / 404 / 409 / 400 |
| anything else | 502 with a short, secret-free message |

Codes may be exact (``"AuthFailure"``) or glob patterns (``"*.NotFound"``, ``"Invalid*"``);
exact codes win, then patterns in the order given. Messages never carry request data.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import requests

from deltacloud.errors import (
    AuthenticationError,
    BackendError,
    BackendTimeoutError,
    BackendUnavailableError,
    ConflictError,
    DeltacloudError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
    translated,
)

log = logging.getLogger("deltacloud.backend")

#: Seconds a client is told to wait when a throttling backend did not say.
DEFAULT_RETRY_AFTER = 5
#: The longest backend message passed on to clients.
MAX_MESSAGE = 300

ErrorClass = type[DeltacloudError]

#: How HTTP statuses map when the cloud's own code says nothing more precise.
DEFAULT_STATUSES: Mapping[int, ErrorClass] = MappingProxyType({
    400: ValidationError, 401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError,
    405: ValidationError, 409: ConflictError, 410: NotFoundError, 412: ConflictError, 422: ValidationError,
    429: BackendUnavailableError, 503: BackendUnavailableError, 504: BackendTimeoutError,
})


def retry_after_seconds(value: str | None, default: int = DEFAULT_RETRY_AFTER) -> int:
    """A ``Retry-After`` header in seconds (HTTP dates and junk fall back to ``default``)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else default


@dataclass(frozen=True)
class BackendFailure:
    """One error answer of a cloud, as a driver read it: status, the cloud's code, message, headers."""

    status: int
    code: str = ""
    message: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorTable:
    """One cloud's error codes and how to read them from its answers.

    ``codes`` maps the cloud's codes (exact or glob patterns) to core error classes; ``code_of``
    and ``message_of`` read the code and a short message from a ``requests.Response``.
    """

    service: str
    codes: Mapping[str, ErrorClass] = field(default_factory=dict)
    code_of: Callable[[Any], str | None] | None = None
    message_of: Callable[[Any], str | None] | None = None
    statuses: Mapping[int, ErrorClass] = field(default_factory=lambda: DEFAULT_STATUSES)

    def error_class(self, status: int, code: str = "") -> ErrorClass:
        """The core error class for a failure with ``status`` and the cloud's ``code``."""
        if code:
            if code in self.codes:
                return self.codes[code]
            for pattern, cls in self.codes.items():
                if any(ch in pattern for ch in "*?[") and fnmatch.fnmatchcase(code, pattern):
                    return cls
        return self.statuses.get(status, BackendError)

    def error(self, failure: BackendFailure) -> DeltacloudError:
        """The core error for one failure the driver has read."""
        cls = self.error_class(failure.status, failure.code)
        detail = " ".join(failure.message.split())[:MAX_MESSAGE]
        label = f"{failure.code}: {detail}" if failure.code and detail else (failure.code or detail)
        if cls is AuthenticationError:
            return AuthenticationError(f"{self.service} refused the credentials"
                                       + (f" ({failure.code})" if failure.code else ""))
        if cls is BackendUnavailableError:
            retry = retry_after_seconds(_header(failure.headers, "retry-after"))
            return BackendUnavailableError(f"{self.service} is throttling or unavailable; retry later"
                                           + (f" ({label})" if label else ""), retry_after=retry)
        if cls is BackendTimeoutError:
            return BackendTimeoutError(f"{self.service} did not answer in time" + (f" ({label})" if label else ""))
        if cls is BackendError:
            if failure.status < 400:  # a success answer that is not what was asked for
                return BackendError(f"{self.service}: {label or 'unexpected answer'}")
            return BackendError(f"{self.service} failed with HTTP {failure.status}" + (f": {label}" if label else ""))
        return cls(f"{self.service}: {label}" if label else f"{self.service} answered HTTP {failure.status}")

    def error_for(self, response: Any) -> DeltacloudError:
        """The core error for a non-2xx ``requests.Response``."""
        code = (self.code_of(response) if self.code_of else None) or ""
        message = (self.message_of(response) if self.message_of else None) or ""
        return self.error(BackendFailure(response.status_code, code, message, dict(response.headers)))

    def translate(self, exc: BaseException) -> DeltacloudError | None:
        """The core error for an exception raised while talking to the cloud; None when it is not one."""
        if isinstance(exc, DeltacloudError):
            return exc
        return transport_error(exc, self.service) or libcloud_error(exc, self)

    def translating(self) -> contextlib.AbstractContextManager[None]:
        """Run a block whose backend exceptions leave as core errors (others pass unchanged)."""
        return translated(self.translate)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def transport_error(exc: BaseException, service: str) -> DeltacloudError | None:
    """Connection-level failures: timeouts 504, TLS and connection failures 502; None for anything else."""
    if isinstance(exc, requests.exceptions.SSLError):
        return BackendError(f"{service}: the TLS connection failed (certificate not trusted or handshake refused)")
    if isinstance(exc, requests.exceptions.Timeout):
        return BackendTimeoutError(f"{service} did not answer in time")
    if isinstance(exc, requests.exceptions.ConnectionError):
        log.warning("%s unreachable: %s", service, type(exc).__name__)
        return BackendError(f"{service} could not be reached")
    if isinstance(exc, TimeoutError | socket.timeout):
        return BackendTimeoutError(f"{service} did not answer in time")
    if isinstance(exc, ConnectionError | OSError):
        log.warning("%s unreachable: %s", service, type(exc).__name__)
        return BackendError(f"{service} could not be reached")
    return None


def libcloud_error(exc: BaseException, table: ErrorTable) -> DeltacloudError | None:
    """apache-libcloud's exceptions, for drivers built on it; None when libcloud is absent or it is not one."""
    if not any(cls.__module__.startswith("libcloud.") for cls in type(exc).__mro__):
        return None
    from deltacloud.driver.toolkit.libcloud_errors import translate_libcloud

    return translate_libcloud(exc, table)
