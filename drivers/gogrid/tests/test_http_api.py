"""GoGrid through our API over HTTP, on the fake with a manual clock: the quirks as clients see them.

A server without its id yet, the published state machine, refused signatures and stale
timestamps as clean 401s, GoGrid's "no object" 400 as 404, the password keys.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from gogrid_fake import DEFAULT_KEY

from deltacloud_conformance.client import DeltacloudApi
from deltacloud_driver_gogrid.states import MACHINE


def machine_of(states: Element) -> set[tuple[str, str, str]]:
    """``(from, to, action or 'auto')`` for every transition of an ``<states>`` document."""
    return {(state.get("name"), t.get("to"), t.get("action") or "auto")
            for state in states.findall("state") for t in state.findall("transition")}


def actions_of(instance: Element) -> set[str]:
    return {link.get("rel") for link in instance.findall("actions/link")}


def test_the_state_machine_is_published(api: DeltacloudApi) -> None:
    published = machine_of(api.xml("/instance_states"))
    declared = {(t.source, t.target, t.action or "auto") for t in MACHINE.transitions}
    assert published == declared
    assert ("running", "stopping", "stop") in published and ("stopping", "stopped", "auto") in published
    assert ("pending", "finish", "destroy") not in published  # GoGrid cannot delete a server without its id


def test_a_server_without_its_id_is_pending_without_actions(api: DeltacloudApi, fake) -> None:
    created = api.post("/instances", data={"image_id": "9928", "realm_id": "3", "name": "web1"}).expect(201)
    assert created.header("location").endswith("/instances/web1")
    instance = api.xml("/instances/web1")
    assert (instance.findtext("state"), actions_of(instance)) == ("PENDING", set())
    assert instance.find("authentication").get("type") == "password"
    assert instance.find("authentication/login") is None  # GoGrid has made no password yet
    assert api.post("/instances/web1/stop").status == 405
    assert api.delete("/instances/web1").status == 405
    fake.clock.advance(31)
    instance = api.xml("/instances/web1")
    assert (instance.findtext("state"), actions_of(instance)) == ("RUNNING", {"reboot", "stop", "destroy"})
    assert instance.findtext("authentication/login/username") == "root"
    assert instance.findtext("authentication/login/password") == fake.world.passwords[0]["password"]
    assert instance.findtext("public_addresses/address") == "203.0.113.1"


def test_stop_start_and_destroy_through_the_api(api: DeltacloudApi, fake) -> None:
    launch = {"image_id": "11694", "name": "web1", "hwp_id": "web-server", "hwp_memory": "4096"}
    api.post("/instances", data=launch).expect(201)
    fake.clock.advance(31)
    assert fake.world.servers["web1"].ram["name"] == "4GB"
    stopping = api.post("/instances/web1/stop").expect(200, 202).xml()
    assert stopping.findtext("state") == "STOPPING"
    fake.clock.advance(11)
    assert api.xml("/instances/web1").findtext("state") == "STOPPED"
    api.delete("/instances/web1").expect(204)
    assert api.get("/instances/web1").status == 404
    assert fake.world.servers == {}


def test_refused_signatures_and_stale_timestamps_are_clean_401s(api: DeltacloudApi, fake) -> None:
    wrong = api.get("/realms", auth=(DEFAULT_KEY, "not-the-secret"))
    assert wrong.status == 401 and wrong.header("www-authenticate").startswith("Basic")
    assert "not-the-secret" not in wrong.text and "<h1>" not in wrong.text
    assert api.get("/realms").status == 200
    fake.clock.advance(400)  # GoGrid's clock ahead of ours by more than its window
    stale = api.get("/realms")
    assert stale.status == 401 and "GoGrid refused the credentials" in stale.text


def test_missing_objects_are_404(api: DeltacloudApi) -> None:
    for path in ("/instances/nope", "/images/424242", "/load_balancers/nope", "/realms/9",
                 "/hardware_profiles/nope"):
        response = api.get(path)
        assert response.status == 404, f"{path}: {response.status} {response.text}"
        assert response.text.startswith("<?xml") and "<error status='404'" in response.text


def test_keys_are_password_keys_and_instances_filter_by_realm(api: DeltacloudApi, fake) -> None:
    api.post("/instances", data={"image_id": "9928", "realm_id": "2", "name": "east"}).expect(201)
    api.post("/instances", data={"image_id": "9928", "realm_id": "1", "name": "west"}).expect(201)
    fake.settle()
    east = api.xml("/instances", params={"realm_id": "2"})
    assert [i.get("id") for i in east.findall("instance")] == ["east"]
    keys = api.xml("/keys").findall("key")
    assert sorted(k.findtext("name") for k in keys) == ["root@east", "root@west"]
    assert {k.get("type") for k in keys} == {"password"}
    assert api.post("/keys", data={"name": "mine"}).status == 405


def test_bad_launches_are_400_naming_the_parameter(api: DeltacloudApi) -> None:
    too_long = api.post("/instances", data={"image_id": "9928", "name": "n" * 21})
    assert too_long.status == 400 and "name" in too_long.text
    missing_image = api.post("/instances", data={"image_id": "424242"})
    assert missing_image.status == 400 and "image_id" in missing_image.text
    wrong_type = api.post("/instances", data={"image_id": "6", "hwp_id": "web-server"})
    assert wrong_type.status == 400 and "database-server" in wrong_type.text
