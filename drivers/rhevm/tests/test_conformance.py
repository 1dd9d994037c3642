"""The conformance suite against the rhevm driver, over HTTP on loopback, on the live fake engine.

The fixtures pointing the suite at our server (``dc_api``), the engine's credentials, the pinned
features and the user data reader live in ``conftest.py``.
"""

from __future__ import annotations

from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.suite import *  # noqa: F403


def test_each_data_center_shows_its_clusters(dc_api: DeltacloudApi) -> None:
    """Each listed provider (a URL with ``;DATA_CENTER_ID``) selects its own data center's clusters.

    The kit's ``test_provider_selection`` checks the selection itself (the matrix parameter
    percent-encoded, and the header).
    """
    listed = [p.get("id") or "" for p in dc_api.xml("/drivers/rhevm").findall("provider")]
    assert len(listed) == 2, f"the engine has two data centers, /api/drivers/rhevm lists {listed}"
    realms = []
    for provider in listed:
        listing = dc_api.get("/realms", headers={"X-Deltacloud-Provider": provider}).expect(200).xml()
        realms.append(sorted(r.get("id") for r in listing.findall("realm")))
    assert realms[0] != realms[1] and all(realms), f"both data centers show the same clusters: {realms}"
