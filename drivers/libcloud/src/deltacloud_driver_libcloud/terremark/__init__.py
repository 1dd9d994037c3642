"""The ``terremark`` driver: Terremark's vCloud Express (vCloud API 0.8) through libcloud's Terremark driver.

Installed as the entry point ``terremark`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.terremark.driver import TerremarkDriver

__all__ = ["TerremarkDriver"]
