"""The ``googlestorage`` driver: Google Cloud Storage buckets and objects in its S3-interoperable HMAC mode.

Installed as the entry point ``googlestorage`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.googlestorage.driver import DEFAULT_ENDPOINT, FEATURES, GoogleStorageDriver

__all__ = ["DEFAULT_ENDPOINT", "FEATURES", "GoogleStorageDriver"]
