"""Server configuration: what ``deltacloudd`` flags and the app factory share."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: The API version reported at ``/api`` (the Deltacloud API this server is compatible with).
API_VERSION = "1.1.3"


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server process.

    ``driver`` and ``provider`` are the defaults when a request names none; ``max_body_bytes``
    bounds request bodies other than blob uploads (413 beyond it). The backend settings reach
    every driver once, at load, as its ``DriverSettings``: ``driver_options`` maps a driver's
    name to its own options (``--driver-option NAME.KEY=VALUE``); ``connect_timeout`` and
    ``backend_timeout`` bound each backend exchange; ``ca_bundle`` is the trusted CAs' PEM
    file; ``allow_private_providers`` lets client-sent providers name internal addresses.
    """

    driver: str = "mock"
    provider: str | None = None
    max_body_bytes: int = 1024 * 1024
    driver_options: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    connect_timeout: float = 5.0
    backend_timeout: float = 20.0
    ca_bundle: str | None = None
    allow_private_providers: bool = False
    #: Peers whose ``X-Forwarded-*`` headers are believed (``http.forwarded``); ``*`` for any.
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1", "::1")
    #: Longest age of a shared answer to identical GETs (``http.coalesce``); 0: no coalescing.
    coalesce_seconds: float = 0.0


def caching_enabled() -> bool:
    """Whether work is reused across requests (rendered fragments, kept documents, a driver's decoded models).

    ``DELTACLOUD_CACHE=off`` (or ``0``, ``no``, ``false``) turns every such reuse off: how the
    benchmark measures the uncached path. Read when each cache is made (in each worker).
    """
    return os.environ.get("DELTACLOUD_CACHE", "on").strip().lower() not in ("off", "0", "no", "false")
