"""The ``google`` driver: Google Compute Engine through libcloud's GCE driver.

Installed as the entry point ``google`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.google.driver import FEATURES, GoogleDriver

__all__ = ["FEATURES", "GoogleDriver"]
