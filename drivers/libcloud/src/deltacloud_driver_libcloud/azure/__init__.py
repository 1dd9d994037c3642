"""The ``azure`` driver: Azure Blob Storage (or Azurite) through libcloud's Azure blobs driver.

Installed as the entry point ``azure`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.azure.driver import FEATURES, AzureDriver

__all__ = ["FEATURES", "AzureDriver"]
