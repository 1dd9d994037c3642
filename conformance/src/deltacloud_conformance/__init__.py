"""Conformance kit for Deltacloud: a pytest plugin and a suite that certify a driver or a server over HTTP.

A driver's tests import the suite (``from deltacloud_conformance.suite import *``) and say how
to reach the driver in ``conftest.py``; see ``docs/writing-a-driver.md``.
"""

from deltacloud_conformance.client import ApiResponse, DeltacloudApi
from deltacloud_conformance.lifecycle import Settings
from deltacloud_conformance.requirements import requires_collection, requires_feature

__all__ = ["ApiResponse", "DeltacloudApi", "Settings", "requires_collection", "requires_feature"]
__version__ = "0.1.0"
