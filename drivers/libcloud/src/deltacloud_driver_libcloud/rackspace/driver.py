"""``RackspaceDriver``: Rackspace's next-generation Cloud Servers, an OpenStack Nova.

Everything but the connection is the ``openstack`` family's (state map, machine, collections):

* **Credentials**: HTTP Basic, the Rackspace user name and its API key (Keystone v2 with
  ``RAX-KSKEY:apiKeyCredentials``).
* **Provider**: a region, ``dfw`` (default), ``ord``, ``iad``, ``lon``, ``syd`` or ``hkg``; the
  endpoints come from the service catalog. The driver option ``identity_url`` replaces
  Rackspace's identity service (the tests point it at a replay).
* **Realm**: the region.
* **Buckets and blobs**: Cloud Files containers and objects of the region (libcloud's Cloud
  Files driver through ``storage.LibcloudBuckets``), streamed both ways.
"""

from __future__ import annotations

from typing import Any, ClassVar

from libcloud.compute.drivers.rackspace import ENDPOINT_ARGS_MAP, RackspaceNodeDriver
from libcloud.storage.drivers.cloudfiles import CloudFilesStorageDriver

from deltacloud.driver.toolkit import ErrorTable
from deltacloud.errors import AuthenticationError, NotFoundError, ValidationError
from deltacloud.models import Provider
from deltacloud_driver_libcloud.openstack.driver import FEATURES, OpenStackDriver
from deltacloud_driver_libcloud.storage import LibcloudBuckets

ERRORS = ErrorTable(service="Rackspace", codes={
    "itemNotFound": NotFoundError, "badRequest": ValidationError, "unauthorized": AuthenticationError,
})

__all__ = ["FEATURES", "RackspaceDriver"]


class RackspaceDriver(OpenStackDriver, LibcloudBuckets):
    """Cloud Servers, flavors, images, key pairs and Cloud Files in one Rackspace region."""

    name: ClassVar[str] = "Rackspace"
    providers_known: ClassVar[tuple[Provider, ...]] = tuple(Provider(region) for region in sorted(ENDPOINT_ARGS_MAP))
    default_provider: ClassVar[str | None] = "dfw"
    ERRORS: ClassVar[ErrorTable] = ERRORS
    SERVICE: ClassVar[str] = "rackspace-files"

    @property
    def region(self) -> str:
        """The region: the provider."""
        region = (self.provider or "dfw").strip().lower()
        if region not in ENDPOINT_ARGS_MAP:
            raise ValidationError(f"Unknown Rackspace region '{region[:40]}'; one of "
                                  f"{', '.join(sorted(ENDPOINT_ARGS_MAP))}", param="provider")
        return region

    def _make(self) -> Any:
        kwargs: dict[str, Any] = {"region": self.region, "timeout": self.settings.read_timeout}
        identity = self.settings.option("identity_url")
        if identity:
            kwargs["ex_force_auth_url"] = identity
        return RackspaceNodeDriver(self.credentials.user, self.credentials.password, **kwargs)

    def storage_key(self) -> str:
        """Cloud Files objects are pooled per region (and credentials)."""
        return self.region

    def storage_backend(self) -> Any:
        """libcloud's Cloud Files driver for the region."""
        kwargs: dict[str, Any] = {"region": self.region, "timeout": self.settings.read_timeout}
        identity = self.settings.option("identity_url")
        if identity:
            kwargs["ex_force_auth_url"] = identity
        return CloudFilesStorageDriver(self.credentials.user, self.credentials.password, **kwargs)
