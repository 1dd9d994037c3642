"""The conformance suite's storage-relevant parts against the azure driver over HTTP, on Azurite.

The azure driver offers object storage only (as the original's did): its base collections are
empty and launching is 501, which the suite's compute tests do not accept ("a driver must list
at least one realm"). So this module runs the entry point, format, selection, drivers, error
and bucket/blob tests; ``test_azure.py`` checks the empty compute collections and the 501.
"""

from __future__ import annotations

from deltacloud_conformance.suite.test_collections import TestDrivers  # noqa: F401
from deltacloud_conformance.suite.test_entry_point import TestEntryPoint, TestFormats, TestSelection  # noqa: F401
from deltacloud_conformance.suite.test_errors import TestNotFound, TestUnauthorized  # noqa: F401
from deltacloud_conformance.suite.test_objects import TestBuckets  # noqa: F401


class TestUnauthorized(TestUnauthorized):
    def test_creating_needs_credentials(self, dc_api) -> None:  # type: ignore[override]
        # The suite launches an instance here; a storage-only driver has nothing to launch, so the
        # same check is made on what it can create: a bucket.
        dc_api.post("/buckets", data={"name": "dcconf-unauthorized"}, auth=None).expect(401)
