"""``deltacloudd -i rhevm`` against the real RHEV-M 3.1 recordings replayed on loopback.

What the API shows is compared with what the recorded engine answered, read here straight from
the cassettes (not through the driver), and every request the driver made must have been
recorded: the driver is proven on a real engine's output, not only on our fake's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
import requests
from rhevm_fake import LoopbackServer, serve
from rhevm_replay import DATA_CENTER, PASSWORD, RECORDINGS, USER, Replay, load

from deltacloud.testing import ServerProcess, start_deltacloudd

pytestmark = pytest.mark.slow

TEMPLATE = "da12fc7e-8f0c-4ebb-a524-5e99b3214d75"  # used by recorded VMs: cannot be deleted
VM_UP = "4b4f9b94-3f85-45f3-9284-adf3deb72601"
VM_DOWN = "ce7ecfe2-c402-4284-b5e7-a2ad6a905c3b"
#: How the test reads the recorded statuses (independently of the driver's table).
RECORDED_STATES = {"up": "RUNNING", "down": "STOPPED", "image_locked": "PENDING"}


def recorded(cassette: str, path: str, query: tuple[tuple[str, str], ...] = ()) -> ET.Element:
    """The XML the engine answered to GET ``path`` in ``cassette``."""
    for (method, got_path, got_query), answer in load(RECORDINGS / cassette):
        if (method, got_path, got_query) == ("GET", path, query):
            return ET.fromstring(answer.body)
    raise AssertionError(f"{path} is not in {cassette}")


class Site:
    def __init__(self, replay: Replay, engine: LoopbackServer, server: ServerProcess) -> None:
        self.replay, self.engine, self.server = replay, engine, server

    def get(self, path: str, auth: tuple[str, str] = (USER, PASSWORD)) -> requests.Response:
        return requests.get(f"{self.server.url}{path}", auth=auth, timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The replayed engine and ``deltacloudd -i rhevm -P <replay>/api;<data center>``."""
    # The create-and-destroy cassette first: its answers (the VM down, then deleted) are the ones replayed.
    first = "test_0005_must_allow_to_create_a_new_instance_and_destroy_it.yml"
    replay = Replay([first, *sorted(p.name for p in RECORDINGS.glob("test_*.yml") if p.name != first)])
    engine = serve(replay)
    workdir = Path(tmp_path_factory.mktemp("replay"))
    try:
        server = start_deltacloudd(workdir, "-P", f"{engine.url}/api;{DATA_CENTER}", driver="rhevm", timeout=30)
    except BaseException:
        engine.stop()
        raise
    try:
        yield Site(replay, engine, server)
    finally:
        server.stop()
        engine.stop()


@pytest.fixture(autouse=True)
def _only_recorded_requests(site: Site) -> Iterator[None]:
    yield
    assert site.replay.unmatched == [], f"the driver asked what the engine never answered: {site.replay.unmatched}"


def test_no_storage_volumes_on_a_version_3_engine(site: Site) -> None:
    links = {link.get("rel") for link in ET.fromstring(site.get("").content).findall("link")}
    assert {"realms", "images", "instances", "hardware_profiles"} <= links and "storage_volumes" not in links


def test_realms_are_the_recorded_clusters(site: Site) -> None:
    clusters = recorded("test_0002_must_return_list_of_realms.yml", "/api/clusters",
                        (("search", "datacenter=iscsi"),))
    realms = ET.fromstring(site.get("/realms").content)
    assert [(r.get("id"), r.findtext("name")) for r in realms.findall("realm")] == [
        (c.get("id"), c.findtext("name")) for c in clusters.findall("cluster")]


def test_images_are_the_recorded_templates(site: Site) -> None:
    templates = recorded("test_0002_must_return_list_of_images.yml", "/api/templates",
                         (("search", "datacenter=iscsi"),)).findall("template")
    images = {i.get("id"): i for i in ET.fromstring(site.get("/images").content).findall("image")}
    assert len(templates) == 20 and set(images) == {t.get("id") for t in templates}
    for template in templates:
        image = images[template.get("id")]
        assert image.findtext("name") == template.findtext("name")
        assert (image.findtext("description") or "") == (template.findtext("description") or "")
        assert image.findtext("state") == "AVAILABLE" and template.findtext("status/state") == "ok"


def test_instances_are_the_recorded_vms(site: Site) -> None:
    vms = recorded("test_0002_must_return_list_of_instances.yml", "/api/vms",
                   (("search", "datacenter=iscsi"),)).findall("vm")
    instances = {i.get("id"): i for i in ET.fromstring(site.get("/instances").content).findall("instance")}
    assert len(vms) == 20 and set(instances) == {vm.get("id") for vm in vms}
    for vm in vms:
        instance = instances[vm.get("id")]
        assert instance.findtext("name") == vm.findtext("name")
        assert instance.findtext("state") == RECORDED_STATES[vm.findtext("status/state")]
        assert instance.find("image").get("id") == vm.find("template").get("id")
        assert instance.find("realm").get("id") == vm.find("cluster").get("id")
        props = {p.get("name"): p.get("value") for p in instance.findall("hardware_profile/property")}
        topology = vm.find("cpu/topology")
        assert props["cpu"] == str(int(topology.get("cores")) * int(topology.get("sockets")))
        assert props["memory"] == str(int(vm.findtext("memory")) // 1024 ** 2)
        shown = {a.text for a in instance.findall("public_addresses/address")}
        assert {ip.get("address") for ip in vm.findall("guest_info/ips/ip")} <= shown
        if vm.findtext("display/address"):
            console = [a for a in instance.findall("public_addresses/address") if a.get("type") == "vnc"]
            assert [(a.text, a.get("port")) for a in console] == [(vm.findtext("display/address"),
                                                                   vm.findtext("display/port"))]


def test_one_instance_with_its_nic(site: Site) -> None:
    nics = recorded("test_0004_must_allow_to_retrieve_single_instance.yml", f"/api/vms/{VM_UP}/nics")
    instance = ET.fromstring(site.get(f"/instances/{VM_UP}").content)
    assert instance.findtext("state") == "RUNNING"
    macs = [a.text for a in instance.findall("private_addresses/address") if a.get("type") == "mac"]
    assert macs == [nic.find("mac").get("address") for nic in nics.findall("nic")]
    assert {a.get("rel") for a in instance.findall("actions/link")} == {"stop", "reboot"}


def test_hardware_profiles_bound_the_recorded_vms(site: Site) -> None:
    profiles = ET.fromstring(site.get("/hardware_profiles").content)
    server = next(p for p in profiles.findall("hardware_profile") if p.get("id") == "SERVER")
    ranges = {p.get("name"): p.find("range") for p in server.findall("property") if p.get("kind") == "range"}
    for instance in ET.fromstring(site.get("/instances").content).findall("instance"):
        props = {p.get("name"): float(p.get("value")) for p in instance.findall("hardware_profile/property")
                 if p.get("name") in ("cpu", "memory")}
        for name, value in props.items():
            assert float(ranges[name].get("first")) <= value <= float(ranges[name].get("last"))


def test_providers_are_the_recorded_data_centers(site: Site) -> None:
    centers = recorded("test_0002_must_support_listing_of_available_providers.yml", "/api/datacenters",
                       (("search", ""),)).findall("data_center")
    providers = ET.fromstring(site.get("/drivers/rhevm").content).findall("provider")
    assert [p.get("id") for p in providers] == [f"{site.engine.url}/api;{dc.get('id')}" for dc in centers]


def test_create_and_destroy_as_recorded(site: Site) -> None:
    created = requests.post(f"{site.server.url}/instances", data={"image_id": TEMPLATE}, auth=(USER, PASSWORD),
                            timeout=30)
    assert created.status_code == 201, created.text
    instance = ET.fromstring(created.content)
    assert instance.findtext("state") == "PENDING"  # image_locked, as the engine answered
    assert created.headers["Location"].endswith(f"/instances/{instance.get('id')}")
    gone = requests.delete(f"{site.server.url}/instances/{VM_DOWN}", auth=(USER, PASSWORD), timeout=30)
    assert gone.status_code == 204, gone.text


def test_errors_of_the_recorded_engine(site: Site) -> None:
    in_use = requests.delete(f"{site.server.url}/images/{TEMPLATE}", auth=(USER, PASSWORD), timeout=30)
    assert in_use.status_code == 409
    assert "being used by the following VMs" in ET.fromstring(in_use.content).findtext("message")
    assert site.get("/instances/unknown").status_code == 404
    assert site.get("/images/ami-aaaaaaaa").status_code == 404
    refused = site.get("/realms", auth=(USER, "unknown"))
    assert refused.status_code == 401 and "unknown" not in refused.text
