"""The rackspace driver over HTTP on the replay of libcloud's recorded identity and Nova answers.

The catalog's ``cloudServersOpenStack`` endpoint of the region is what the driver must pick;
the replay serves the same recorded Nova answers there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from deltacloud.config import ServerConfig

from ..servers import ApiServer
from .replay import CLOUDFILES_ROUTES, OPENSTACK_ROUTES, REPLAY_PASSWORD, REPLAY_USER, ReplayServer

AUTH = (REPLAY_USER, REPLAY_PASSWORD)
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our API (rackspace, region dfw) with the identity service replaced by the replay."""
    replay = ReplayServer.start([*OPENSTACK_ROUTES, *CLOUDFILES_ROUTES])
    server = ApiServer.start(ServerConfig(driver="rackspace", provider="dfw",
                                          driver_options={"rackspace": {"identity_url": replay.url}}))
    try:
        yield server.url
    finally:
        server.stop()
        replay.stop()


def test_listings_in_a_region(api: str) -> None:
    get = lambda path: requests.get(f"{api}{path}", auth=AUTH, headers=JSON, timeout=30)  # noqa: E731
    assert [r["id"] for r in get("/realms").json()["realms"]] == ["dfw"]
    instances = {i["id"]: i["state"] for i in get("/instances").json()["instances"]}
    assert instances == {"12065": "PENDING", "12064": "RUNNING"}
    assert len(get("/hardware_profiles").json()["hardware_profiles"]) == 8
    providers = [p["id"] for p in get("/drivers/rackspace").json()["driver"]["providers"]]
    assert {"dfw", "lon", "syd"} <= set(providers)


def test_an_unknown_region_is_400_and_a_wrong_key_401(api: str) -> None:
    unknown = requests.get(f"{api}/realms", auth=AUTH, headers={**JSON, "X-Deltacloud-Provider": "mars"}, timeout=30)
    assert unknown.status_code == 400 and "dfw" in unknown.text
    wrong = requests.get(f"{api}/instances", auth=(REPLAY_USER, "wrong"), headers=JSON, timeout=30)
    assert wrong.status_code == 401 and "wrong" not in wrong.text


def test_cloud_files_containers_are_buckets(api: str) -> None:
    ord_ = {**JSON, "X-Deltacloud-Provider": "ord"}
    get = lambda path: requests.get(f"{api}{path}", auth=AUTH, headers=ord_, timeout=30)  # noqa: E731
    assert sorted(b["id"] for b in get("/buckets").json()["buckets"]) == ["container1", "container2", "container3"]
    bucket = get("/buckets/container1").json()["bucket"]
    assert int(bucket["size"]) == 4, bucket  # the four objects of the recorded container listing
    shown = get("/buckets/container1").text
    assert all(name in shown for name in ("foo test 1", "foo test 2", "foo tes 3", "foo test 3")), shown
    assert get("/buckets/no-such-container").status_code == 404
