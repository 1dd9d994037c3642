"""The GoGrid JSON API as the driver calls it: signed GETs for reads, signed POSTs for changes.

Every answer is GoGrid's envelope ``{"summary", "status", "method", "list"}``, sent as
``text/html``; the body is parsed as JSON whatever the content type says. Changes go as POST
with their parameters in the query string, like reads, so the toolkit never retries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltacloud.driver.toolkit import HttpBackend
from deltacloud.driver.toolkit.errors import BackendFailure
from deltacloud.errors import BackendError
from deltacloud_driver_gogrid.errors import ERRORS, SERVICE, failure_code, failure_of

Json = dict[str, Any]


def items(body: Any, path: str) -> list[Json]:
    """The objects of a success envelope; a failure envelope becomes its error, anything else 502."""
    failure = failure_of(body)
    if failure is not None:
        raise ERRORS.error(BackendFailure(400, failure_code(failure) or "", str(failure.get("message") or "")))
    if not isinstance(body, dict) or body.get("status") != "success" or not isinstance(body.get("list"), list):
        raise BackendError(f"{SERVICE} answered {path} with something that is not its envelope")
    return [item for item in body["list"] if isinstance(item, dict)]


class GoGridApi:
    """Calls of one request, on the toolkit's ``HttpBackend`` (pooled session, timeouts, errors)."""

    def __init__(self, backend: HttpBackend) -> None:
        self.backend = backend

    def read(self, path: str, params: Mapping[str, str] | None = None) -> list[Json]:
        """A read (GET, retried by the toolkit on transient failures): the envelope's list."""
        return items(self.backend.json("GET", path, params=dict(params or {})), path)

    def write(self, path: str, params: Mapping[str, str]) -> list[Json]:
        """A change (POST, never retried): the envelope's list."""
        return items(self.backend.json("POST", path, params=dict(params)), path)

    def lookup(self, name: str) -> list[Json]:
        """One of GoGrid's lookup lists (``ip.datacenter``, ``server.ram``, ``server.type``…)."""
        return self.read("common/lookup/list", {"lookup": name})
