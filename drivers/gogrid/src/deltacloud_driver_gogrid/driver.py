"""``GoGridDriver``: GoGrid's JSON API v1.9 behind the Deltacloud API.

Credentials are HTTP Basic: the user is the GoGrid API key, the password its shared secret.
The provider is the API endpoint URL (``https://api.gogrid.com/api`` by default), so the driver
can be pointed at a compatible endpoint. Every call is signed (``signing``), sent on the
toolkit's ``HttpBackend`` (pooled sessions per credentials, timeouts, verified TLS, retried
reads) and its refusals translated by the driver's error table (``errors``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from deltacloud.driver import StateMachine
from deltacloud.driver.toolkit import HttpBackend
from deltacloud.errors import DeltacloudError
from deltacloud.models import Provider
from deltacloud_driver_gogrid import states
from deltacloud_driver_gogrid.client import GoGridApi
from deltacloud_driver_gogrid.errors import ERRORS
from deltacloud_driver_gogrid.network import NetworkMixin
from deltacloud_driver_gogrid.signing import GoGridSignature

#: The entry point name the driver is installed under.
ENTRY_POINT = "gogrid"
#: GoGrid's public API endpoint.
DEFAULT_PROVIDER = "https://api.gogrid.com/api"

#: The features the driver advertises (pinned by the tests): names up to GoGrid's 20 characters,
#: the sandbox flag of ``grid/server/add``, instances listed by data center, and password
#: authentication (GoGrid makes the root password; instances show it once GoGrid has it).
FEATURES: Mapping[str, Mapping[str, Any]] = {
    "user_name": {"max_length": 20},
    "authentication_password": {},
    "sandboxing": {},
    "realm_filter": {},
}


class GoGridDriver(NetworkMixin):
    """GoGrid servers, images, data centers, passwords, IPs and load balancers."""

    name: ClassVar[str] = "GoGrid"
    state_machine: ClassVar[StateMachine] = states.MACHINE
    features: ClassVar[Mapping[str, Mapping[str, Any]]] = FEATURES
    providers_known: ClassVar[tuple[Provider, ...]] = (Provider(DEFAULT_PROVIDER, (("compute", DEFAULT_PROVIDER),)),)
    default_provider: ClassVar[str | None] = DEFAULT_PROVIDER

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """Transport failures that escaped the backend (timeouts 504, connection failures 502)."""
        return ERRORS.translate(error)

    def api(self) -> GoGridApi:
        """A signed client of the provider's endpoint for this request."""
        credentials = self.credentials
        backend = HttpBackend(self, self.provider_url(), errors=ERRORS,
                              auth=GoGridSignature(credentials.user, credentials.password),
                              headers={"Accept": "application/json"})
        return GoGridApi(backend)
