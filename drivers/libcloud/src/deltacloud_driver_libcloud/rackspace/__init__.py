"""The ``rackspace`` driver: Rackspace Cloud Servers (OpenStack) through libcloud's Rackspace driver.

Installed as the entry point ``rackspace`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.rackspace.driver import FEATURES, RackspaceDriver

__all__ = ["FEATURES", "RackspaceDriver"]
