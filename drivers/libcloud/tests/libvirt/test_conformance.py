"""The conformance suite against the libvirt driver over HTTP, on libvirt's test hypervisor.

The fixtures that point the suite at our server and pin the advertised features are in
``conftest.py``.
"""

from __future__ import annotations

from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import EntryPoint
from deltacloud_conformance.suite import *  # noqa: F403
from deltacloud_conformance.suite import TestSelection as _TestSelection


class TestSelection(_TestSelection):
    def test_provider_selection(self, dc_api: DeltacloudApi, dc_entry: EntryPoint,
                                dc_provider: str | None) -> None:
        # A libvirt URI always holds '://', which cannot travel in a ;provider= matrix parameter
        # (a path segment); the same checks go through the X-Deltacloud-Provider header.
        listed = [p.get("id") or "" for p in dc_api.xml(f"/drivers/{dc_entry.driver}").findall("provider")]
        assert listed, "the libvirt driver lists the URIs the operator allows"
        for provider in listed:
            response = dc_api.get("/", headers={"X-Deltacloud-Provider": provider}).expect(200)
            assert response.xml().get("provider") == provider, response.describe()
            assert response.header("x-deltacloud-provider") == provider
            realms = dc_api.get("/realms", headers={"X-Deltacloud-Provider": provider}).expect(200)
            assert realms.xml().findall("realm"), realms.describe()
