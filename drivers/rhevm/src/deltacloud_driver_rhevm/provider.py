"""The provider string: the engine's API URL, optionally followed by ``;DATA_CENTER_ID``.

``https://engine.example.com/ovirt-engine/api;6f2c…`` selects one data center of an oVirt 4
engine; ``https://rhevm.example.com/api;b9bb…`` one of a RHEV-M 3.x engine. The API version is
read from the path: ``…/api`` alone (RHEV-M 3.x) or ``…/api/v3`` is version 3, anything else
version 4. Version 4 logs in through the engine's SSO (``<prefix>/sso/oauth/token``, next to
``<prefix>/api``); version 3 sends HTTP Basic on every call, as RHEV-M 3.x expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from deltacloud.errors import ValidationError


@dataclass(frozen=True)
class Location:
    """Where the driver talks to: the API URL, the data center (may be absent) and the API version."""

    api_url: str
    data_center: str | None
    version: int

    @property
    def sso_url(self) -> str:
        """The SSO token endpoint next to the API (``…/ovirt-engine/sso/oauth/token``)."""
        parts = urlsplit(self.api_url)
        prefix = parts.path.rsplit("/api", 1)[0]
        return f"{parts.scheme}://{parts.netloc}{prefix}/sso/oauth/token"

    def with_data_center(self, data_center: str) -> str:
        """The provider string of one data center of this engine."""
        return f"{self.api_url};{data_center}"


def parse(provider: str | None) -> Location:
    """Read a provider string; 400 naming ``provider`` when it is missing or not an http(s) URL."""
    if not provider or not provider.strip():
        raise ValidationError("The rhevm driver needs a provider: the engine's API URL, "
                              "e.g. https://engine.example.com/ovirt-engine/api;DATA_CENTER_ID", param="provider")
    url, _, data_center = provider.strip().partition(";")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValidationError("The rhevm provider must be an http(s) URL of the engine's API, "
                              "optionally followed by ;DATA_CENTER_ID", param="provider")
    path = parts.path.rstrip("/")
    version = 3 if path in ("", "/api") or path.endswith("/api/v3") else 4
    if path == "":
        path = "/api"
    api_url = f"{parts.scheme}://{parts.netloc}{path}"
    return Location(api_url, data_center.strip() or None, version)
