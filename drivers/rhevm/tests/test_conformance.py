"""The conformance suite against the rhevm driver, over HTTP on loopback, on the live fake engine.

The fixtures pointing the suite at our server (``dc_api``), the engine's credentials, the pinned
features and the user data reader live in ``conftest.py``.
"""

from __future__ import annotations

from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.suite import *  # noqa: F403
from deltacloud_conformance.suite import TestSelection as _TestSelection


class TestSelection(_TestSelection):
    def test_provider_selection(self, dc_api: DeltacloudApi, dc_entry: object, dc_provider: str | None) -> None:
        """A rhevm provider is a URL with ``;DATA_CENTER_ID``, which cannot travel as a ``;provider=`` matrix
        parameter (its own ``;`` and ``://``): select each listed data center with the header instead, and
        check that each one shows its own clusters."""
        listed = [p.get("id") or "" for p in dc_api.xml("/drivers/rhevm").findall("provider")]
        assert len(listed) == 2, f"the engine has two data centers, /api/drivers/rhevm lists {listed}"
        realms = []
        for provider in listed:
            headers = {"X-Deltacloud-Provider": provider}
            response = dc_api.get("/", headers=headers).expect(200)
            assert response.header("x-deltacloud-provider") == provider
            listing = dc_api.get("/realms", headers=headers).expect(200).xml()
            realms.append(sorted(r.get("id") for r in listing.findall("realm")))
        assert realms[0] != realms[1] and all(realms), f"both data centers show the same clusters: {realms}"
