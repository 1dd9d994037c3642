"""How GoGrid's refusals become the core's errors (through the toolkit's ``ErrorTable``).

* Refused credentials, a wrong signature or a stale timestamp: HTTP 403 from GoGrid's API
  gateway with the HTML body ``<h1>403 Not Authorized</h1>`` and the header
  ``X-Mashery-Error-Code: ERR_403_NOT_AUTHORIZED``: a clean 401 for the client.
* A missing object: HTTP 400 with the failure envelope and the message "No object found that
  matches your input criteria.": 404.
* Any other failure envelope (bad parameter, name taken, busy server): 400 with GoGrid's message.
* Throttling and other gateway codes (``ERR_403_DEVELOPER_OVER_QPS``…): 503.
"""

from __future__ import annotations

import json
from typing import Any

from deltacloud.driver.toolkit import ErrorTable
from deltacloud.errors import AuthenticationError, BackendUnavailableError, NotFoundError, ValidationError

SERVICE = "GoGrid"
#: GoGrid's message for an id or name that matches nothing.
NOT_FOUND_MESSAGE = "No object found that matches your input criteria"
#: The code this driver gives that message (GoGrid itself says only ``IllegalArgumentException``).
NOT_FOUND_CODE = "NoObjectFound"


def failure_of(body: Any) -> dict[str, Any] | None:
    """The first error object of a failure envelope, or None when ``body`` is not one."""
    if not isinstance(body, dict) or body.get("status") != "failure":
        return None
    errors = [e for e in body.get("list") or [] if isinstance(e, dict)]
    return errors[0] if errors else {}


def _failure(response: Any) -> dict[str, Any] | None:
    try:
        return failure_of(json.loads(response.content))
    except ValueError:
        return None


def code_of(response: Any) -> str | None:
    """The gateway's error code header, else the failure envelope's code (``NoObjectFound`` for a miss)."""
    gateway = response.headers.get("X-Mashery-Error-Code")
    if gateway:
        return str(gateway)
    error = _failure(response)
    return failure_code(error) if error is not None else None


def failure_code(error: dict[str, Any]) -> str | None:
    """The code of one error object: ``NoObjectFound`` for a miss, else GoGrid's ``errorcode``."""
    if str(error.get("message", "")).startswith(NOT_FOUND_MESSAGE):
        return NOT_FOUND_CODE
    return str(error.get("errorcode") or "") or None


def message_of(response: Any) -> str | None:
    """GoGrid's own message from a failure envelope (never the request, which carries the key)."""
    error = _failure(response)
    return str(error.get("message") or "") if error else None


ERRORS = ErrorTable(
    service=SERVICE,
    codes={
        "ERR_403_NOT_AUTHORIZED": AuthenticationError,
        "ERR_401_*": AuthenticationError,
        "ERR_403_DEVELOPER_*": BackendUnavailableError,
        "ERR_403_SERVICE_*": BackendUnavailableError,
        NOT_FOUND_CODE: NotFoundError,
        "IllegalArgumentException": ValidationError,
    },
    code_of=code_of,
    message_of=message_of,
)
