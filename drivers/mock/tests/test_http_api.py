"""The mock driver through the HTTP API (falcon.testing): seed data, lifecycle, keys, images, formats."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
import yaml

# Golden responses of the original Deltacloud 1.1.1 server (VCR cassettes, from shared/reference/recordings).
RECORDINGS = Path(__file__).parent / "recordings"


def _recorded_body(cassette: str, path: str) -> str:
    data = yaml.safe_load((RECORDINGS / cassette).read_text())
    for interaction in data["http_interactions"]:
        if interaction["request"]["uri"].endswith(path):
            return interaction["response"]["body"]["string"]
    raise LookupError(path)


def _shape(element) -> tuple:
    """An element's structure: tag, attribute names and children, ignoring text and hrefs' hosts."""
    return (element.tag, tuple(sorted(element.attrib)), tuple(_shape(child) for child in element))


def test_seed_instances_as_xml(api, mock_auth):
    r = api.simulate_get("/api/instances", headers=mock_auth)
    assert r.status_code == 200 and r.headers["content-type"] == "application/xml"
    doc = ET.fromstring(r.content)
    instances = {i.get("id"): i for i in doc.findall("instance")}
    assert set(instances) == {"inst0", "inst1", "inst2", "inst3"}
    inst1 = instances["inst1"]
    assert inst1.findtext("name") == "MockUserInstance"
    assert inst1.findtext("owner_id") == "mockuser"
    assert inst1.find("image").get("id") == "img3"
    assert inst1.find("realm").get("id") == "us"
    assert inst1.findtext("state") == "RUNNING"
    assert [a.get("rel") for a in inst1.find("actions")] == ["reboot", "stop", "run", "create_image"]
    assert inst1.find("public_addresses/address").get("type") == "hostname"
    override = instances["inst0"].find("hardware_profile/property")
    assert (override.get("name"), override.get("value")) == ("memory", "12288")
    assert instances["inst3"].find("realm").get("id") == "eu"
    assert "create_image" not in [a.get("rel") for a in instances["inst3"].find("actions")]


def test_hardware_profiles_match_the_original_shapes(api):
    ours = ET.fromstring(api.simulate_get("/api/hardware_profiles").content)
    recorded = ET.fromstring(_recorded_body("test_0001_supports_hardware_profiles.yml", "/api/hardware_profiles"))
    assert [p.get("id") for p in ours] == [p.get("id") for p in recorded]
    assert _shape(ours) == _shape(recorded)
    for mine, theirs in zip(ours, recorded, strict=True):
        assert [(p.get("name"), p.get("kind"), p.get("value"), p.get("unit")) for p in mine.findall("property")] == \
               [(p.get("name"), p.get("kind"), p.get("value"), p.get("unit")) for p in theirs.findall("property")]


def test_realms_and_images_match_the_original(api, mock_auth):
    realms = ET.fromstring(api.simulate_get("/api/realms", headers=mock_auth).content)
    recorded = ET.fromstring(_recorded_body("test_0001_supports_realms.yml", "/api/realms"))
    assert _shape(realms) == _shape(recorded)
    assert [(r.get("id"), r.findtext("name")) for r in realms] == [("us", "United States"), ("eu", "Europe")]
    image = ET.fromstring(api.simulate_get("/api/images/img1", headers=mock_auth).content)
    recorded_image = ET.fromstring(_recorded_body("test_0001_support_original_body.yml", "/api/images/img1"))
    assert _shape(image) == _shape(recorded_image)
    assert image.findtext("description") == "Fedora 10"


def test_instance_states_publish_the_time_driven_machine(api):
    states = ET.fromstring(api.simulate_get("/api/instance_states").content)
    transitions = {(s.get("name"), t.get("action"), t.get("auto"), t.get("to")) for s in states for t in s}
    assert ("pending", None, "true", "running") in transitions
    assert ("running", "stop", None, "stopping") in transitions
    assert ("stopping", None, "true", "stopped") in transitions
    assert ("stopped", "destroy", None, "finish") in transitions


def test_entry_point_advertises_the_mock_features(api):
    doc = api.simulate_get("/api", params={"format": "json"}).json["api"]
    features = {f["name"] for link in doc["links"] for group in link["features"] for f in group}
    assert {"user_name", "user_data", "authentication_key", "realm_filter", "instance_count", "import_key",
            "image_name", "image_description", "owner_id"} <= features
    assert {"keys", "instances", "images", "realms", "hardware_profiles"} <= {link["rel"] for link in doc["links"]}


def test_lifecycle_create_stop_start_destroy(api, mock_auth):
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "hwp_id": "m1-large", "hwp_memory": "8192",
                                  "realm_id": "eu", "name": "box", "keyname": "test-key"})
    assert r.status_code == 201, r.text
    created = ET.fromstring(r.content)
    id = created.get("id")
    assert r.headers["Location"].endswith(f"/api/instances/{id}")
    assert created.findtext("name") == "box" and created.find("realm").get("id") == "eu"
    assert created.findtext("authentication/login/keyname") == "test-key"
    assert created.findtext("state") in ("PENDING", "RUNNING")
    shown = ET.fromstring(api.simulate_get(f"/api/instances/{id}", headers=mock_auth).content)
    assert shown.findtext("state") == "RUNNING"  # delay 0: the automatic transition is done on the next read
    assert api.simulate_delete(f"/api/instances/{id}", headers=mock_auth).status_code == 405
    r = api.simulate_post(f"/api/instances/{id}/stop", headers=mock_auth)
    assert r.status_code == 202 and ET.fromstring(r.content).findtext("state") in ("STOPPING", "STOPPED")
    assert api.simulate_post(f"/api/instances/{id}/stop", headers=mock_auth).status_code == 405
    r = api.simulate_post(f"/api/instances/{id}/start", headers=mock_auth)
    assert r.status_code == 202
    api.simulate_post(f"/api/instances/{id}/stop", headers=mock_auth)
    assert api.simulate_delete(f"/api/instances/{id}", headers=mock_auth).status_code == 204
    assert api.simulate_get(f"/api/instances/{id}", headers=mock_auth).status_code == 404
    ids = [i.get("id") for i in ET.fromstring(api.simulate_get("/api/instances", headers=mock_auth).content)]
    assert id not in ids


def test_instance_count_and_filters(api, mock_auth):
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img2", "realm_id": "eu", "instance_count": "3", "format": "json"})
    assert r.status_code == 201 and len(r.json["instances"]) == 3
    eu = api.simulate_get("/api/instances", headers=mock_auth, params={"realm_id": "eu", "format": "json"})
    assert {i["realm"]["id"] for i in eu.json["instances"]} == {"eu"} and len(eu.json["instances"]) == 4
    running = api.simulate_get("/api/instances", headers=mock_auth, params={"state": "RUNNING", "format": "json"})
    assert {i["state"] for i in running.json["instances"]} == {"RUNNING"}


@pytest.mark.parametrize(("params", "name"), [
    ({"image_id": "img1", "hwp_id": "m1-large", "hwp_cpu": "7"}, "hwp_cpu"),
    ({"image_id": "img1", "hwp_id": "m1-large", "hwp_storage": "900"}, "hwp_storage"),
    ({"image_id": "img1", "hwp_id": "m1-small", "hwp_memory": "4096"}, "hwp_memory"),
    ({"image_id": "nope"}, "image_id"),
    ({"image_id": "img1", "keyname": "nokey"}, "keyname"),
    ({"hwp_id": "m1-small"}, "image_id"),
])
def test_bad_launch_parameters(api, mock_auth, params, name):
    r = api.simulate_post("/api/instances", headers=mock_auth, params=params)
    assert r.status_code == 400
    assert name in ET.fromstring(r.content).findtext("message")


def test_keys_create_import_destroy(api, mock_auth):
    r = api.simulate_post("/api/keys", headers=mock_auth, params={"name": "k1"})
    assert r.status_code == 201 and r.headers["Location"].endswith("/api/keys/k1")
    key = ET.fromstring(r.content)
    assert key.get("type") == "key" and key.findtext("fingerprint") and key.findtext("pem")
    assert api.simulate_post("/api/keys", headers=mock_auth, params={"name": "k1"}).status_code == 409
    public = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 user@host"
    r = api.simulate_post("/api/keys", headers=mock_auth, params={"name": "k2", "public_key": public})
    assert r.status_code == 201
    assert ET.fromstring(r.content).findtext("fingerprint").count(":") == 15
    assert api.simulate_delete("/api/keys/k1", headers=mock_auth).status_code == 204
    assert api.simulate_get("/api/keys/k1", headers=mock_auth).status_code == 404
    assert api.simulate_post("/api/keys", headers=mock_auth).status_code == 400


def test_images_create_from_instance_and_destroy(api, mock_auth):
    r = api.simulate_post("/api/images;instance_id=inst1", headers=mock_auth, params={"name": "snap-img",
                                                                                     "description": "mine"})
    assert r.status_code == 201, r.text
    image = ET.fromstring(r.content)
    assert image.get("id") == "snap-img" and image.findtext("description") == "mine"
    assert image.findtext("owner_id") == "mockuser"
    mine = api.simulate_get("/api/images", headers=mock_auth, params={"owner_id": "mockuser", "format": "json"})
    assert {"img3", "snap-img"} <= {i["id"] for i in mine.json["images"]}
    assert all(i["owner_id"] == "mockuser" for i in mine.json["images"])
    assert api.simulate_delete("/api/images/snap-img", headers=mock_auth).status_code == 204
    assert api.simulate_post("/api/images", headers=mock_auth, params={"instance_id": "inst3"}).status_code == 409
    assert api.simulate_delete("/api/images/img1", headers=mock_auth).status_code == 403


def test_wrong_credentials(api):
    import base64

    bad = {"Authorization": "Basic " + base64.b64encode(b"mockuser:nope").decode()}
    r = api.simulate_get("/api/instances", headers=bad)
    assert r.status_code == 401 and "WWW-Authenticate" in r.headers
    assert api.simulate_get("/api", params={"force_auth": "1"}, headers=bad).status_code == 401


def test_a_json_client_of_the_original_api_works(api, mock_auth):
    """Read /api in JSON, follow the links, list everything, launch img1 on m1-small and stop it."""
    headers = {**mock_auth, "Accept": "application/json"}
    links = {link["rel"]: link["href"] for link in api.simulate_get("/api", headers=headers).json["api"]["links"]}
    base = "http://falconframework.org"
    for rel in ("images", "realms", "hardware_profiles", "instances"):
        listing = api.simulate_get(links[rel].removeprefix(base), headers=headers)
        assert listing.status_code == 200 and listing.json[rel], rel
    created = api.simulate_post(links["instances"].removeprefix(base) + "?image_id=img1&hwp_id=m1-small",
                                headers=headers)
    assert created.status_code == 201
    instance = created.json["instance"]
    api.simulate_get(instance["href"].removeprefix(base), headers=headers)  # PENDING -> RUNNING (delay 0)
    shown = api.simulate_get(instance["href"].removeprefix(base), headers=headers).json["instance"]
    stop = next(a for a in shown["actions"] if a["rel"] == "stop")
    stopped = api.simulate_post(stop["href"].removeprefix(base), headers=headers)
    assert stopped.status_code == 202 and stopped.json["instance"]["state"] in ("STOPPING", "STOPPED")


def test_every_document_renders_as_html(api, mock_auth):
    for path in ("/api", "/api/instances", "/api/instances/inst1", "/api/images", "/api/images/img1", "/api/realms",
                 "/api/hardware_profiles/m1-large", "/api/keys", "/api/keys/test-key", "/api/instance_states",
                 "/api/drivers", "/api/drivers/mock"):
        r = api.simulate_get(path, headers={**mock_auth, "Accept": "text/html"})
        assert r.status_code == 200, path
        assert r.text.startswith("<!DOCTYPE html>") and "</html>" in r.text, path
    page = api.simulate_get("/api/instances", headers={**mock_auth, "Accept": "text/html"}).text
    for field in ("image_id", "hwp_id", "realm_id", "keyname", "user_data", "instance_count"):
        assert f'name="{field}"' in page
