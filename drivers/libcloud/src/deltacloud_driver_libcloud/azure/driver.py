"""``AzureDriver``: Azure Blob Storage behind the Deltacloud API (buckets and blobs only).

* **Credentials**: HTTP Basic, the storage account name as the user and its access key (base64,
  as the portal shows it) as the password.
* **Provider**: ``public`` (the default: ``https://ACCOUNT.blob.core.windows.net``) or the URL of
  a blob endpoint: a sovereign cloud's (``https://ACCOUNT.blob.core.chinacloudapi.cn``) or
  Azurite's (``http://127.0.0.1:10000``, where the account is the first path segment).
* **Collections**: buckets (containers) and blobs, streamed both ways in bounded memory (4 MiB
  blocks up, 256 KiB chunks down). Compute is not offered: Azure's classic service API is
  retired and its Resource Manager needs Active Directory, which no local emulator provides.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from libcloud.storage.drivers.azure_blobs import AZURE_STORAGE_HOST_SUFFIX, AzureBlobsStorageDriver

from deltacloud.driver.toolkit import ErrorTable
from deltacloud.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from deltacloud.models import Provider
from deltacloud_driver_libcloud.nocompute import NoCompute
from deltacloud_driver_libcloud.storage import LibcloudBuckets

#: The features the driver advertises (pinned by the tests).
FEATURES: tuple[str, ...] = ()
PUBLIC = "public"

ERRORS = ErrorTable(service="Azure Storage", codes={
    "ContainerNotFound": NotFoundError, "BlobNotFound": NotFoundError, "ResourceNotFound": NotFoundError,
    "ContainerAlreadyExists": ConflictError, "ContainerBeingDeleted": ConflictError,
    "InvalidResourceName": ValidationError, "OutOfRangeInput": ValidationError,
    "AuthenticationFailed": AuthenticationError, "InvalidAuthenticationInfo": AuthenticationError,
})


class AzureDriver(NoCompute, LibcloudBuckets):
    """Containers and blobs of one Azure storage account."""

    name: ClassVar[str] = "Azure"
    features: ClassVar[Sequence[str]] = FEATURES
    providers_known: ClassVar[tuple[Provider, ...]] = (Provider(PUBLIC),)
    default_provider: ClassVar[str | None] = PUBLIC
    ERRORS: ClassVar[ErrorTable] = ERRORS
    SERVICE: ClassVar[str] = "azure-blobs"

    def _endpoint(self) -> dict[str, Any]:
        provider = (self.provider or PUBLIC).strip()
        if provider == PUBLIC:
            return {}
        url = self.provider_url(provider)
        parts = urlsplit(url)
        host = parts.hostname or ""
        secure = parts.scheme == "https"
        if host.endswith(f".{AZURE_STORAGE_HOST_SUFFIX}"):
            return {"secure": secure}  # the public cloud under its own name: libcloud builds the host
        return {"host": host, "port": parts.port or (443 if secure else 80), "secure": secure}

    def check_credentials(self) -> None:
        """List at most one container: a wrong key is refused by Azure, an unknown account is not found."""
        with self.storage() as backend:
            response = backend.connection.request("/", params={"comp": "list", "maxresults": "1"})
        if response.status == 404:
            raise AuthenticationError("Azure Storage refused the credentials: no such storage account")

    def storage_backend(self) -> Any:
        """A libcloud Azure blobs driver for this account and endpoint; a key that is not base64 is 401."""
        creds = self.credentials
        endpoint = self._endpoint()
        try:
            base64.b64decode(creds.password, validate=True)  # libcloud would ignore what follows the padding
            return AzureBlobsStorageDriver(creds.user, creds.password, timeout=self.settings.read_timeout,
                                           **endpoint)
        except (binascii.Error, ValueError, TypeError):
            raise AuthenticationError("Azure Storage refused the credentials: the password must be the "
                                      "account's base64 access key") from None
