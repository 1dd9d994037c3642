"""``GoogleStorageDriver``: Google Cloud Storage behind the Deltacloud API (buckets and blobs only).

* **Credentials**: HTTP Basic, an HMAC key of the S3-interoperable XML API: the access id
  (``GOOG…``) as the user and its secret as the password. Requests are signed (``GOOG1``); the
  secret never travels. OAuth (service accounts) is not offered here: a user that is no
  ``GOOG…`` access id is 401.
* **Provider**: the XML API's base URL; without one the driver option ``endpoint``, else
  ``https://storage.googleapis.com``. A client-sent URL is subject to the provider-URL safety rule.
* **Collections**: buckets and blobs through ``LibcloudBuckets``, streamed both ways in bounded
  memory like the other storage families. Compute is not offered: the base collections are
  empty and launching is 501.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from deltacloud.driver.toolkit import ErrorTable
from deltacloud.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from deltacloud.models import Provider
from deltacloud_driver_libcloud.googlestorage.connection import HmacGoogleStorage, endpoint_kwargs
from deltacloud_driver_libcloud.nocompute import NoCompute
from deltacloud_driver_libcloud.storage import LibcloudBuckets

#: The features the driver advertises (pinned by the tests).
FEATURES: tuple[str, ...] = ()
#: Google's XML API, used when neither the provider nor the driver option ``endpoint`` names another.
DEFAULT_ENDPOINT = "https://storage.googleapis.com"
#: What an HMAC access id starts with (Google's interoperability keys).
ACCESS_ID_PREFIX = "GOOG"

ERRORS = ErrorTable(service="Google Cloud Storage", codes={
    "NoSuchBucket": NotFoundError, "NoSuchKey": NotFoundError,
    "BucketAlreadyExists": ConflictError, "BucketAlreadyOwnedByYou": ConflictError, "BucketNotEmpty": ConflictError,
    "InvalidBucketName": ValidationError, "InvalidArgument": ValidationError,
    "SignatureDoesNotMatch": AuthenticationError, "InvalidAccessKeyId": AuthenticationError,
    "InvalidSecurity": AuthenticationError, "MissingSecurityHeader": AuthenticationError,
})


class GoogleStorageDriver(NoCompute, LibcloudBuckets):
    """Buckets and objects of the project an HMAC key belongs to."""

    name: ClassVar[str] = "Google Cloud Storage"
    features: ClassVar[Sequence[str]] = FEATURES
    providers_known: ClassVar[tuple[Provider, ...]] = (Provider(DEFAULT_ENDPOINT),)
    ERRORS: ClassVar[ErrorTable] = ERRORS
    SERVICE: ClassVar[str] = "google-storage"

    def endpoint(self) -> str:
        """The XML API's base URL: the provider, else the driver option ``endpoint``, else Google's."""
        if self.provider:
            return self.provider_url(self.provider)
        return self.provider_url(self.settings.option("endpoint") or DEFAULT_ENDPOINT)

    def storage_key(self) -> str:
        """Pooled libcloud objects are per endpoint (and credentials, which the pool adds)."""
        return self.endpoint()

    def storage_backend(self) -> Any:
        """A libcloud Google Storage driver in HMAC mode for this endpoint; a user that is no access id is 401."""
        creds = self.credentials
        if not creds.user.startswith(ACCESS_ID_PREFIX) or not creds.password:
            raise AuthenticationError("Google Cloud Storage needs an HMAC key: the access id (GOOG...) as the "
                                      "user and its secret as the password (OAuth is not offered)")
        return HmacGoogleStorage(creds.user, creds.password, verify=self.settings.verify,
                                 timeout=self.settings.read_timeout, **endpoint_kwargs(self.endpoint()))
