"""Deltacloud's mock driver: a complete cloud kept in a local SQLite file.

Installed as the entry point ``mock`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_mock.driver import MockDriver
from deltacloud_driver_mock.store import Store, Transaction

__all__ = ["MockDriver", "Store", "Transaction"]
