"""The conformance suite against the gogrid driver, over HTTP, on the fake GoGrid.

``conftest.py`` points the suite at our server (``dc_api``), which runs the gogrid driver
against a fake GoGrid on loopback with short id and power delays on the real clock.
"""

from __future__ import annotations

import pytest

from deltacloud_conformance.choices import Offer
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.lifecycle import Instances
from deltacloud_conformance.suite import *  # noqa: F403
from deltacloud_conformance.suite import TestInstanceFeatures as _TestInstanceFeatures
from deltacloud_conformance.suite.test_features import authentication


@pytest.fixture(scope="session")
def dc_launch_images() -> list[str]:
    """Every image of the fake (four); named so that a run against a real account stays small."""
    return ["9928", "11694", "6", "15400"]


class TestInstanceFeatures(_TestInstanceFeatures):
    def test_password_authentication(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer) -> None:
        """GoGrid makes the root password itself: a launch shows password authentication, the root
        login once GoGrid has made it, and a password chosen by the client is refused with 400
        (the suite's own test expects it to be accepted, which would ignore it silently)."""
        created = dc_instances.launch(dc_offer.any_launch())
        kind, _login = authentication(created)
        assert kind == "password", f"the instance shows authentication {kind!r}"
        dc_instances.wait_stable(created.get("id"))
        kind, login = authentication(dc_instances.show(created.get("id")).expect(200).xml())
        assert (kind, login.get("username")) == ("password", "root") and login.get("password"), login
        refused = dc_instances.create({**dc_offer.any_launch(), "password": "Dcconf-Pa55word!"}).expect(400)
        assert "GoGrid chooses the root password itself" in refused.text
