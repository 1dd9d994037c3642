"""What is particular to the libvirt driver, over HTTP, checked against libvirt itself.

The server runs in this process, so ``host`` below is the very libvirt connection the server
uses: the tests read and change the hypervisor through the binding, independently of the
driver's code, and see what the API makes of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from deltacloud.models import Credentials
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_driver_libcloud.libvirt import states
from deltacloud_driver_libcloud.libvirt.connection import CONNECTIONS

from .conftest import NODE_URI


@pytest.fixture
def host(api_server: Any) -> Any:
    """The server's own libvirt connection to the test host."""
    return CONNECTIONS.get(NODE_URI, Credentials("test", "test")).connection


@pytest.fixture
def launched(api: DeltacloudApi) -> Iterator[Any]:
    """A running instance launched through the API from the qcow2 image; destroyed after the test."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    created = api.post("/instances", data={"image_id": "images:debian-12.qcow2", "hwp_id": "custom",
                                           "hwp_cpu": "2", "hwp_memory": "768", "name": name}).expect(201)
    root = created.xml()
    yield root
    api.delete(f"/instances/{root.get('id')}").expect(204, 404)


def test_launch_clones_the_image_into_a_volume_of_its_own(api: DeltacloudApi, host: Any, launched: Any) -> None:
    name = launched.findtext("name")
    domain = host.lookupByName(name)
    assert domain.UUIDString() == launched.get("id")
    assert domain.info()[3] == 2 and domain.info()[2] == 768 * 1024  # vcpus, memory KiB
    pool = host.storagePoolLookupByName("images")
    assert f"{name}-disk.qcow2" in pool.listVolumes()
    images = {i.get("id") for i in api.xml("/images").findall("image")}
    assert images == {"images:debian-12.qcow2", "images:alpine-3.raw"}, "an instance's disk is no image"
    shown = api.xml(f"/instances/{launched.get('id')}")
    assert shown.find("image").get("id") == "images:debian-12.qcow2"
    assert shown.find("hardware_profile").get("id") == "custom"


def test_destroy_undefines_the_domain_and_deletes_its_disk(api: DeltacloudApi, host: Any, launched: Any) -> None:
    name = launched.findtext("name")
    api.delete(f"/instances/{launched.get('id')}").expect(204)
    assert name not in [d.name() for d in host.listAllDomains()]
    assert f"{name}-disk.qcow2" not in host.storagePoolLookupByName("images").listVolumes()
    api.get(f"/instances/{launched.get('id')}").expect(404)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.suspend(), "STOPPED"),
    (lambda d: d.shutdown(), "STOPPED"),
    (lambda d: None, "RUNNING"),
])
def test_states_come_from_libvirt_not_from_libcloud(api: DeltacloudApi, host: Any, launched: Any,
                                                    change: Any, expected: str) -> None:
    domain = host.lookupByName(launched.findtext("name"))
    change(domain)
    shown = api.xml(f"/instances/{launched.get('id')}")
    assert shown.findtext("state") == expected == states.deltacloud_state(domain.state()[0])
    if expected == "STOPPED":  # libcloud calls both TERMINATED; here start brings either back
        assert shown.find("actions/link[@rel='start']") is not None
        api.post(f"/instances/{launched.get('id')}/start").expect(202)
        assert domain.state()[0] == states.RUNNING


def test_a_name_taken_is_409(api: DeltacloudApi, launched: Any) -> None:
    again = api.post("/instances", data={"image_id": "images:alpine-3.raw", "name": launched.findtext("name")})
    again.expect(409)


def test_a_uri_the_operator_did_not_allow_is_400(api: DeltacloudApi) -> None:
    refused = api.get("/realms", headers={"X-Deltacloud-Provider": "qemu:///system"}).expect(400)
    assert "uris" in (refused.xml().findtext("message") or "")


def test_test_default_serves_its_seeded_domain(api: DeltacloudApi) -> None:
    other = {"X-Deltacloud-Provider": "test:///default"}
    names = [i.findtext("name") for i in api.xml("/instances", headers=other).findall("instance")]
    assert "test" in names


def test_what_libvirt_cannot_do_is_a_clean_error(api: DeltacloudApi, launched: Any) -> None:
    api.get("/keys").expect(404)
    api.get("/buckets").expect(404)
    refused = api.post("/images", data={"instance_id": launched.get("id")})
    assert refused.status in (405, 501), refused.describe()
