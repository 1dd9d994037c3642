"""Mock storage volumes and snapshots over HTTP: seed, every operation and status, realms, formats, shapes."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
import yaml

RECORDINGS = Path(__file__).parent / "recordings"
#: Elements we add to the original's documents: links to what can be done, the snapshot's state.
OURS = {"actions", "description", "snapshot_id"}
OURS_SNAPSHOT = {"actions", "description", "state"}


def recorded(cassette: str, method: str, path: str):
    """The XML body the original server answered to ``method path`` in a cassette."""
    for interaction in yaml.safe_load((RECORDINGS / cassette).read_text())["http_interactions"]:
        request = interaction["request"]
        if request["method"] == method and request["uri"].split("?")[0].endswith(path):
            return ET.fromstring(interaction["response"]["body"]["string"])
    raise LookupError(path)


def tags(element, ignore=frozenset()) -> list:
    """Child tags in order, with their own children's tags, leaving out ``ignore``."""
    return [(c.tag, sorted(c.attrib), tags(c, ignore)) for c in element if c.tag not in ignore]


def test_seed_volumes_match_the_original(api, mock_auth):
    ours = ET.fromstring(api.simulate_get("/api/storage_volumes", headers=mock_auth).content)
    theirs = recorded("test_0001_supports_storage_volumes.yml", "get", "/api/storage_volumes")
    assert sorted(v.get("id") for v in ours) == sorted(v.get("id") for v in theirs) == ["vol1", "vol2", "vol3"]
    by_id = {v.get("id"): v for v in ours}
    for volume in theirs:
        mine = by_id[volume.get("id")]
        assert tags(mine, OURS) == tags(volume), volume.get("id")
        assert [(c.tag, (c.text or "").strip()) for c in mine if c.tag in ("name", "device", "realm_id", "state")] \
            == [(c.tag, (c.text or "").strip()) for c in volume if c.tag in ("name", "device", "realm_id", "state")]
    assert by_id["vol3"].find("mount/instance").get("id") == "inst1"
    assert by_id["vol3"].find("capacity").attrib == {"unit": "GB"} and by_id["vol3"].findtext("capacity") == "1"


def test_seed_snapshots_match_the_original(api, mock_auth):
    ours = ET.fromstring(api.simulate_get("/api/storage_snapshots", headers=mock_auth).content)
    theirs = recorded("test_0001_supports_storage_snapshots.yml", "get", "/api/storage_snapshots")
    by_id = {s.get("id"): s for s in ours}
    assert sorted(by_id) == sorted(s.get("id") for s in theirs) == ["snap1", "snap2", "snap3"]
    for snap in theirs:
        assert tags(by_id[snap.get("id")], OURS_SNAPSHOT) == tags(snap)
        assert by_id[snap.get("id")].find("storage_volume").get("id") == snap.find("storage_volume").get("id")
    assert by_id["snap1"].findtext("state") == "COMPLETED"


def test_the_seeded_attachment_shows_on_the_instance(api, mock_auth):
    inst1 = ET.fromstring(api.simulate_get("/api/instances/inst1", headers=mock_auth).content)
    assert [(v.get("id"), v.get("device")) for v in inst1.findall("storage_volumes/storage_volume")] == [
        ("vol3", "/dev/sda1")]


def test_create_attach_detach_destroy(api, mock_auth):
    r = api.simulate_post("/api/storage_volumes", headers=mock_auth,
                          params={"capacity": "10", "realm_id": "us", "name": "data", "description": "scratch"})
    assert r.status_code == 201, r.text
    vol = ET.fromstring(r.content)
    id = vol.get("id")
    assert r.headers["Location"].endswith(f"/api/storage_volumes/{id}") and id == "vol4"
    assert (vol.findtext("name"), vol.findtext("description"), vol.findtext("capacity"), vol.findtext("state"),
            vol.find("realm").get("id")) == ("data", "scratch", "10", "AVAILABLE", "us")
    assert [a.get("rel") for a in vol.find("actions")] == ["attach", "destroy", "create_snapshot"]

    r = api.simulate_post(f"/api/storage_volumes/{id}/attach", headers=mock_auth,
                          params={"instance_id": "inst2", "device": "/dev/sdf"})
    assert r.status_code == 202, r.text
    attached = ET.fromstring(r.content)
    assert attached.findtext("state") == "IN-USE" and attached.findtext("device") == "/dev/sdf"
    assert attached.find("mount/instance").get("id") == "inst2"
    assert attached.find("mount/device").get("name") == "/dev/sdf"
    assert [a.get("rel") for a in attached.find("actions")] == ["detach", "create_snapshot"]
    inst2 = ET.fromstring(api.simulate_get("/api/instances/inst2", headers=mock_auth).content)
    assert [(v.get("id"), v.get("device")) for v in inst2.findall("storage_volumes/storage_volume")] == [
        (id, "/dev/sdf")]

    assert api.simulate_delete(f"/api/storage_volumes/{id}", headers=mock_auth).status_code == 409
    r = api.simulate_post(f"/api/storage_volumes/{id}/detach", headers=mock_auth)
    assert r.status_code == 202 and ET.fromstring(r.content).findtext("state") == "AVAILABLE"
    assert ET.fromstring(r.content).find("mount") is None
    inst2 = ET.fromstring(api.simulate_get("/api/instances/inst2", headers=mock_auth).content)
    assert inst2.findall("storage_volumes/storage_volume") == []
    assert api.simulate_post(f"/api/storage_volumes/{id}/detach", headers=mock_auth).status_code == 409
    assert api.simulate_delete(f"/api/storage_volumes/{id}", headers=mock_auth).status_code == 204
    assert api.simulate_get(f"/api/storage_volumes/{id}", headers=mock_auth).status_code == 404
    assert api.simulate_delete(f"/api/storage_volumes/{id}", headers=mock_auth).status_code == 404


def test_attach_like_the_original_client(api, mock_auth):
    """The recorded request: attach vol1 to inst1 at /dev/sdc with the parameters in the query string."""
    r = api.simulate_post("/api/storage_volumes/vol1/attach?instance_id=inst1&device=%2Fdev%2Fsdc", headers=mock_auth)
    assert r.status_code == 202
    theirs = recorded("test_0005_support_attach_storage_volume.yml", "post", "/api/storage_volumes/vol1/attach")
    ours = ET.fromstring(r.content)
    assert tags(ours, OURS) == tags(theirs)
    assert [(c.tag, c.text) for c in ours if not len(c) and c.tag != "created"] == \
        [(c.tag, c.text) for c in theirs if not len(c) and c.tag != "created"]


@pytest.mark.parametrize(("volume", "params", "status", "words"), [
    ("vol3", {"instance_id": "inst2", "device": "/dev/sdg"}, 409, "already attached to instance 'inst1'"),
    ("vol1", {"instance_id": "inst3", "device": "/dev/sdg"}, 409, "realm 'us' and instance 'inst3' in realm 'eu'"),
    ("vol1", {"instance_id": "inst1", "device": "/dev/sda1"}, 409, "already has volume 'vol3' at /dev/sda1"),
    ("vol1", {"instance_id": "nope", "device": "/dev/sdg"}, 404, "Instance 'nope'"),
    ("nope", {"instance_id": "inst1", "device": "/dev/sdg"}, 404, "Storage volume 'nope'"),
    ("vol1", {"instance_id": "inst1", "device": "not a device"}, 400, "device"),
    ("vol1", {"device": "/dev/sdg"}, 400, "instance_id"),
])
def test_attach_refusals(api, mock_auth, volume, params, status, words):
    r = api.simulate_post(f"/api/storage_volumes/{volume}/attach", headers=mock_auth,
                          params={**params, "format": "json"})
    assert r.status_code == status, r.text
    assert words in r.json["message"]
    vol1 = api.simulate_get("/api/storage_volumes/vol1", headers=mock_auth, params={"format": "json"}).json
    assert vol1["storage_volume"]["state"] == "AVAILABLE"  # nothing changed


def test_volumes_from_snapshots(api, mock_auth):
    r = api.simulate_post("/api/storage_snapshots", headers=mock_auth,
                          params={"volume_id": "vol3", "name": "nightly", "description": "before upgrade"})
    assert r.status_code == 201, r.text
    snap = ET.fromstring(r.content)
    assert snap.get("id") == "snap4" and r.headers["Location"].endswith("/api/storage_snapshots/snap4")
    assert (snap.findtext("name"), snap.findtext("description"), snap.find("storage_volume").get("id")) == (
        "nightly", "before upgrade", "vol3")
    r = api.simulate_post("/api/storage_volumes;snapshot_id=snap4", headers=mock_auth, params={"realm_id": "eu"})
    assert r.status_code == 201, r.text
    made = ET.fromstring(r.content)
    assert (made.findtext("capacity"), made.findtext("snapshot_id"), made.find("realm").get("id")) == ("1", "snap4",
                                                                                                      "eu")
    r = api.simulate_post("/api/storage_volumes", headers=mock_auth, params={"snapshot_id": "snap4", "capacity": "3"})
    assert r.status_code == 201 and ET.fromstring(r.content).findtext("capacity") == "3"
    assert api.simulate_delete("/api/storage_snapshots/snap4", headers=mock_auth).status_code == 204
    assert api.simulate_get("/api/storage_snapshots/snap4", headers=mock_auth).status_code == 404
    assert api.simulate_delete("/api/storage_snapshots/snap4", headers=mock_auth).status_code == 404


@pytest.mark.parametrize(("path", "params", "name"), [
    ("/api/storage_volumes", {"capacity": "0"}, "capacity"),
    ("/api/storage_volumes", {"capacity": "big"}, "capacity"),
    ("/api/storage_volumes", {"capacity": "99999"}, "capacity"),
    ("/api/storage_volumes", {"realm_id": "mars"}, "realm_id"),
    ("/api/storage_volumes", {"snapshot_id": "nope"}, "snapshot_id"),
    ("/api/storage_volumes", {"name": "x" * 300}, "name"),
    ("/api/storage_volumes", {"description": "bad\x00text"}, "description"),
    ("/api/storage_snapshots", {}, "volume_id"),
    ("/api/storage_snapshots", {"volume_id": "nope"}, "volume_id"),
])
def test_create_refusals_name_the_parameter(api, mock_auth, path, params, name):
    r = api.simulate_post(path, headers=mock_auth, params={**params, "format": "json"})
    assert r.status_code == 400, r.text
    assert name in r.json["message"]


def test_smaller_than_the_snapshot_is_refused(api, mock_auth):
    api.simulate_post("/api/storage_volumes", headers=mock_auth, params={"capacity": "5"})  # vol4
    api.simulate_post("/api/storage_snapshots", headers=mock_auth, params={"volume_id": "vol4"})  # snap4
    r = api.simulate_post("/api/storage_volumes", headers=mock_auth,
                          params={"snapshot_id": "snap4", "capacity": "4", "format": "json"})
    assert r.status_code == 400 and "at least 5 GB" in r.json["message"]


def test_json_filters_and_html(api, mock_auth):
    doc = api.simulate_get("/api/storage_volumes", headers=mock_auth, params={"format": "json"}).json
    vol3 = next(v for v in doc["storage_volumes"] if v["id"] == "vol3")
    assert vol3["capacity"] == 1 and vol3["capacity_unit"] == "GB" and vol3["state"] == "IN-USE"
    assert vol3["instance"]["id"] == "inst1" and vol3["device"] == "/dev/sda1" and vol3["realm"]["id"] == "us"
    used = api.simulate_get("/api/storage_volumes", headers=mock_auth, params={"state": "in-use", "format": "json"})
    assert [v["id"] for v in used.json["storage_volumes"]] == ["vol3"]
    assert api.simulate_get("/api/storage_volumes", headers=mock_auth,
                            params={"realm_id": "eu", "format": "json"}).json["storage_volumes"] == []
    assert [s["id"] for s in api.simulate_get("/api/storage_snapshots", headers=mock_auth,
                                              params={"id": "snap2", "format": "json"}).json["storage_snapshots"]] \
        == ["snap2"]
    page = api.simulate_get("/api/storage_volumes/vol1", headers={**mock_auth, "Accept": "text/html"})
    assert page.status_code == 200
    assert 'action="http://falconframework.org/api/storage_volumes/vol1/attach"' in page.text
    assert 'name="instance_id"' in page.text and 'name="device"' in page.text
    listing = api.simulate_get("/api/storage_volumes", headers={**mock_auth, "Accept": "text/html"}).text
    for field in ("capacity", "realm_id", "snapshot_id", "name", "description"):  # name, description: features
        assert f'name="{field}"' in listing, field
    snaps = api.simulate_get("/api/storage_snapshots", headers={**mock_auth, "Accept": "text/html"})
    assert snaps.status_code == 200 and 'name="volume_id"' in snaps.text


def test_destroying_an_instance_detaches_its_volumes(api, mock_auth):
    created = api.simulate_post("/api/instances", headers=mock_auth, params={"image_id": "img1", "format": "json"})
    id = created.json["instance"]["id"]
    api.simulate_get(f"/api/instances/{id}", headers=mock_auth)  # delay 0: RUNNING
    assert api.simulate_post("/api/storage_volumes/vol2/attach", headers=mock_auth,
                             params={"instance_id": id, "device": "/dev/sdb"}).status_code == 202
    api.simulate_post(f"/api/instances/{id}/stop", headers=mock_auth)
    assert api.simulate_delete(f"/api/instances/{id}", headers=mock_auth).status_code == 204
    vol2 = api.simulate_get("/api/storage_volumes/vol2", headers=mock_auth, params={"format": "json"}).json
    assert vol2["storage_volume"]["state"] == "AVAILABLE" and vol2["storage_volume"]["instance"] == {}


def test_attach_snapshot_on_launch(api, mock_auth):
    r = api.simulate_post("/api/instances", headers=mock_auth, params={
        "image_id": "img1", "realm_id": "eu", "snapshot_id": "snap2", "device_name": "/dev/sdh", "format": "json"})
    assert r.status_code == 201, r.text
    instance = r.json["instance"]
    (attached,) = instance["storage_volumes"]
    assert attached["device"] == "/dev/sdh"
    vol = api.simulate_get(f"/api/storage_volumes/{attached['id']}", headers=mock_auth,
                           params={"format": "json"}).json["storage_volume"]
    assert (vol["state"], vol["instance"]["id"], vol["snapshot_id"], vol["realm_id"], vol["device"]) == (
        "IN-USE", instance["id"], "snap2", "eu", "/dev/sdh")
    for params, name in (({"snapshot_id": "nope", "device_name": "/dev/sdh"}, "snapshot_id"),
                         ({"snapshot_id": "snap2"}, "device_name")):
        r = api.simulate_post("/api/instances", headers=mock_auth, params={"image_id": "img1", **params,
                                                                          "format": "json"})
        assert r.status_code == 400 and name in r.json["message"]


def test_storage_needs_credentials(api):
    assert api.simulate_get("/api/storage_volumes").status_code == 401
    assert api.simulate_post("/api/storage_snapshots", params={"volume_id": "vol1"}).status_code == 401
