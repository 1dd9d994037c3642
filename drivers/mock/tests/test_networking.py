"""Mock networks, subnets and network interfaces; instances' interfaces; run; attach without a device."""

from __future__ import annotations

import defusedxml.ElementTree as ET
import pytest


def _json(api, auth, path, **params):
    r = api.simulate_get(path, headers={**auth, "Accept": "application/json"}, params=params)
    assert r.status_code == 200, r.text
    return r.json


def test_seeded_networks_subnets_and_interfaces(api, mock_auth):
    networks = _json(api, mock_auth, "/api/networks")["networks"]
    assert [(n["id"], n["name"], n["state"], n["address_blocks"]) for n in networks] == [
        ("net1", "network1", "UP", ["192.168.0.0/16"]), ("net2", "network2", "UP", ["10.0.0.0/8"])]
    assert [s["id"] for s in networks[0]["subnets"]] == ["subnet1", "subnet2"]
    assert networks[0]["subnets"][0]["href"].endswith("/api/subnets/subnet1")
    subnet = _json(api, mock_auth, "/api/subnets/subnet3")["subnet"]
    assert (subnet["address_block"], subnet["type"], subnet["network"]["id"]) == ("10.1.0.0/16", "PRIVATE", "net2")
    nics = {n["id"]: n for n in _json(api, mock_auth, "/api/network_interfaces")["network_interfaces"]}
    assert set(nics) == {"nic1", "nicinst3"}
    assert (nics["nicinst3"]["instance"]["id"], nics["nicinst3"]["network"]["id"], nics["nicinst3"]["subnet"]["id"],
            nics["nicinst3"]["ip_address"]) == ("inst3", "net1", "subnet2", "192.168.2.189")
    xml = ET.fromstring(api.simulate_get("/api/network_interfaces/nic1", headers=mock_auth).content)
    assert (xml.tag, xml.findtext("ip_address"), xml.find("network").get("id"), xml.find("instance").get("id")) == (
        "network_interface", "192.168.1.2", "net1", "inst1")
    network = ET.fromstring(api.simulate_get("/api/networks/net2", headers=mock_auth).content)
    assert [b.text for b in network.findall("address_blocks/address_block")] == ["10.0.0.0/8"]
    assert network.find("actions/link").get("rel") == "destroy"


def test_instances_show_their_interfaces(api, mock_auth):
    doc = ET.fromstring(api.simulate_get("/api/instances", headers=mock_auth).content)
    nics = {i.get("id"): [n.get("id") for n in i.findall("network_interfaces/network_interface")]
            for i in doc.findall("instance")}
    assert nics == {"inst0": [], "inst1": ["nic1"], "inst2": [], "inst3": ["nicinst3"]}
    inst1 = _json(api, mock_auth, "/api/instances/inst1")["instance"]
    assert [n["id"] for n in inst1["network_interfaces"]] == ["nic1"]


def test_create_and_destroy_in_order(api, mock_auth):
    post = lambda path, **params: api.simulate_post(path, headers=mock_auth, params=params)  # noqa: E731
    delete = lambda path: api.simulate_delete(path, headers=mock_auth)  # noqa: E731
    net = post("/api/networks", address_block="10.20.0.0/16", name="lab")
    assert net.status_code == 201 and net.headers["location"].endswith("/api/networks/net3")
    sub = post("/api/subnets", network_id="net3", address_block="10.20.1.0/24")
    assert sub.status_code == 201, sub.text
    subnet_id = ET.fromstring(sub.content).get("id")
    assert subnet_id == "subnet5"
    assert [s.get("id") for s in ET.fromstring(
        api.simulate_get("/api/networks/net3", headers=mock_auth).content).findall("subnets/subnet")] == ["subnet5"]
    # 1.1's clients name the parameters 'instance' and 'network'; a network means its first subnet
    nic = post("/api/network_interfaces", instance="inst2", network="net3")
    assert nic.status_code == 201, nic.text
    nic_doc = ET.fromstring(nic.content)
    assert (nic_doc.findtext("ip_address"), nic_doc.find("subnet").get("id")) == ("10.20.1.2", "subnet5")
    second = ET.fromstring(post("/api/network_interfaces", instance_id="inst0", network_id="subnet5").content)
    assert second.findtext("ip_address") == "10.20.1.3"
    inst2 = ET.fromstring(api.simulate_get("/api/instances/inst2", headers=mock_auth).content)
    assert [n.get("id") for n in inst2.findall("network_interfaces/network_interface")] == [nic_doc.get("id")]
    assert delete(f"/api/subnets/{subnet_id}").status_code == 409
    assert delete("/api/networks/net3").status_code == 409
    for created in (nic_doc.get("id"), second.get("id")):
        assert delete(f"/api/network_interfaces/{created}").status_code == 204
    assert ET.fromstring(api.simulate_get("/api/instances/inst2", headers=mock_auth).content).find(
        "network_interfaces/network_interface") is None
    assert delete(f"/api/subnets/{subnet_id}").status_code == 204
    assert delete("/api/networks/net3").status_code == 204
    assert api.simulate_get("/api/networks/net3", headers=mock_auth).status_code == 404


@pytest.mark.parametrize(("path", "params", "status", "words"), [
    ("/api/networks", {"address_block": "10.0.0.1/8"}, 400, "address_block"),
    ("/api/subnets", {"network_id": "nope", "address_block": "10.9.0.0/16"}, 400, "network_id"),
    ("/api/subnets", {"network_id": "net2", "address_block": "172.16.0.0/16"}, 409, "not inside"),
    ("/api/subnets", {"network_id": "net2", "address_block": "10.1.2.0/24"}, 409, "overlaps subnet 'subnet3'"),
    ("/api/subnets", {"network_id": "net2"}, 400, "address_block"),
    ("/api/network_interfaces", {"instance_id": "nope", "network_id": "net1"}, 400, "instance_id"),
    ("/api/network_interfaces", {"instance_id": "inst1", "network_id": "nope"}, 400, "network_id"),
])
def test_refusals(api, mock_auth, path, params, status, words):
    r = api.simulate_post(path, headers=mock_auth, params=params)
    assert r.status_code == status and words in r.text, r.text


def test_destroying_an_instance_drops_its_interfaces(api, mock_auth):
    assert api.simulate_post("/api/instances/inst1/stop", headers=mock_auth).status_code == 202
    assert api.simulate_delete("/api/instances/inst1", headers=mock_auth).status_code == 204
    assert api.simulate_get("/api/network_interfaces/nic1", headers=mock_auth).status_code == 404


def test_run_on_a_running_instance(api, mock_auth):
    inst = ET.fromstring(api.simulate_get("/api/instances/inst2", headers=mock_auth).content)
    run = next(a for a in inst.find("actions") if a.get("rel") == "run")
    assert run.get("href").endswith("/api/instances/inst2/run;id=inst2")  # as 1.1 wrote it; clients follow it
    r = api.simulate_post("/api/instances/inst2/run;id=inst2", headers=mock_auth, params={"cmd": "uptime"})
    assert r.status_code == 200, r.text
    out = ET.fromstring(r.content)
    assert (out.tag, out.get("id"), out.findtext("command"), out.findtext("public_address")) == (
        "instance", "inst2", "uptime", "img1.inst2.public.com")
    assert "uptime" in out.findtext("output")
    as_json = api.simulate_post("/api/instances/inst2/run", headers={**mock_auth, "Accept": "application/json"},
                                params={"cmd": "ls"}).json
    assert as_json["command"] == "ls" and as_json["instance"]["command"] == "ls"
    assert api.simulate_post("/api/instances/inst2/run", headers=mock_auth).status_code == 400  # no cmd
    assert api.simulate_post("/api/instances/inst2/stop", headers=mock_auth).status_code == 202
    refused = api.simulate_post("/api/instances/inst2/run", headers=mock_auth, params={"cmd": "ls"})
    assert refused.status_code == 409 and "RUNNING" in refused.text
    assert api.simulate_post("/api/instances/nope/run", headers=mock_auth, params={"cmd": "ls"}).status_code == 404


def test_attach_without_a_device_picks_a_free_one(api, mock_auth):
    """1.1's Ruby client attaches without a device; the mock picks /dev/sdf, then the next free one."""
    for volume, device in (("vol1", "/dev/sdf"), ("vol2", "/dev/sdg")):
        r = api.simulate_post(f"/api/storage_volumes/{volume}/attach", headers=mock_auth,
                              params={"instance_id": "inst2"})
        assert r.status_code == 202, r.text
        assert ET.fromstring(r.content).findtext("device") == device
    inst2 = ET.fromstring(api.simulate_get("/api/instances/inst2", headers=mock_auth).content)
    assert {(v.get("id"), v.get("device")) for v in inst2.findall("storage_volumes/storage_volume")} == {
        ("vol1", "/dev/sdf"), ("vol2", "/dev/sdg")}


def test_trailing_slash_and_operation_docs(api, mock_auth):
    assert api.simulate_get("/api/").status_code == 200
    assert api.simulate_get("/api/instances/", headers=mock_auth).status_code == 200
    docs = api.simulate_get("/api/docs/instances/create", headers={"Accept": "text/html"})
    assert docs.status_code == 200 and "hwp_cpu" in docs.text and "reboot" not in docs.text.lower()
    assert api.simulate_get("/api/docs/instances/nope").status_code == 404
    assert api.simulate_get("/api/docs/networks/create").status_code == 200
