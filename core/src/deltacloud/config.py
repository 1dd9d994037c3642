"""Server configuration: what ``deltacloudd`` flags and the app factory share."""

from __future__ import annotations

import os
from dataclasses import dataclass

#: The API version reported at ``/api`` (the Deltacloud API this server is compatible with).
API_VERSION = "1.1.3"


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server process.

    ``driver`` and ``provider`` are the defaults when a request names none; ``max_body_bytes``
    bounds request bodies other than blob uploads (413 beyond it).
    """

    driver: str = "mock"
    provider: str | None = None
    max_body_bytes: int = 1024 * 1024
    hostname_for_realm: str = "deltacloud"

    @classmethod
    def from_env(cls) -> ServerConfig:
        """Settings from ``API_DRIVER``, ``API_PROVIDER`` and ``DELTACLOUD_MAX_BODY`` (for WSGI servers)."""
        return cls(
            driver=os.environ.get("API_DRIVER", "mock"),
            provider=os.environ.get("API_PROVIDER") or None,
            max_body_bytes=int(os.environ.get("DELTACLOUD_MAX_BODY", str(1024 * 1024))),
        )
