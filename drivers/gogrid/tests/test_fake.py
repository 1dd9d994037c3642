"""The fake GoGrid itself, over HTTP: signatures and their window, envelopes, delays, power, IPs, balancers.

These pin the fake to what the recordings show GoGrid doing, so the driver's tests against the
fake mean something. Time moves only through the fake's manual clock.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import requests
import yaml

from deltacloud.testing import free_port, start_process

HERE = Path(__file__).parent


def recorded_body(cassette: str, index: int = 0) -> dict:
    """The JSON body of one recorded answer."""
    interactions = yaml.safe_load((HERE / "recordings" / cassette).read_text())["http_interactions"]
    return json.loads(interactions[index]["response"]["body"]["string"])


def add(fake, name: str = "web1", ip: str = "192.0.2.1", **extra: str) -> requests.Response:
    return fake.client.call("/grid/server/add", name=name, image="9928", ip=ip, **{"server.ram": "1GB"}, **extra)


# -- signatures ------------------------------------------------------------------------------------

def test_a_signed_call_answers_with_the_success_envelope_as_text_html(fake) -> None:
    response = fake.client.call("/common/lookup/list", lookup="ip.datacenter")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html"
    assert response.json() == recorded_body("test_0002_must_return_list_of_realms.yml")


@pytest.mark.parametrize("skew", [-290, 0, 290])
def test_a_signature_within_the_window_is_accepted(fake, skew: float) -> None:
    assert fake.client.call("/grid/server/list", skew=skew).status_code == 200


@pytest.mark.parametrize("skew", [-400, 400])
def test_a_stale_or_future_timestamp_is_refused_like_gogrid(fake, skew: float) -> None:
    response = fake.client.call("/grid/server/list", skew=skew)
    assert (response.status_code, response.text) == (403, "<h1>403 Not Authorized</h1>")
    assert response.headers["X-Mashery-Error-Code"] == "ERR_403_NOT_AUTHORIZED"
    assert response.headers["Content-Type"] == "text/xml"


def test_a_wrong_signature_or_key_is_refused(fake) -> None:
    assert fake.client.call("/grid/server/list", sig="0" * 32).status_code == 403
    assert fake.client.call("/grid/server/list", api_key="unknown").status_code == 403
    assert fake.client.call("/grid/server/list", sig="").status_code == 403


def test_the_window_follows_the_fake_clock(fake) -> None:
    fake.clock.advance(600)
    assert fake.client.call("/grid/server/list").status_code == 200  # signed at the fake's time
    assert fake.client.call("/grid/server/list", skew=-600).status_code == 403  # signed at the real time


def test_version_and_unknown_calls(fake) -> None:
    response = fake.client.call("/grid/server/list", v="1.5")
    assert response.status_code == 400 and response.json()["status"] == "failure"
    assert fake.client.call("/grid/nothing/list").status_code == 404
    unknown = fake.client.call("/common/lookup/list", lookup="nope")
    assert unknown.status_code == 400 and "Invalid lookup" in unknown.json()["list"][0]["message"]


# -- servers ---------------------------------------------------------------------------------------

def test_a_new_server_has_no_id_and_is_off_until_the_delay_passes(fake) -> None:
    response = add(fake)
    assert response.status_code == 200
    created = response.json()["list"][0]
    assert "id" not in created and created["state"]["name"] == "Off" and created["name"] == "web1"
    missing = fake.client.call("/grid/server/get", name="web1")
    assert missing.status_code == 400
    assert missing.json() == recorded_body("instances_test_class-6.yml")  # GoGrid's answer, byte for byte
    listed = fake.client.ok("/grid/server/list")
    assert [("id" in s, s["state"]["name"]) for s in listed] == [(False, "Off")]
    assert fake.client.ok("/support/password/list") == []

    fake.clock.advance(29)
    assert fake.client.call("/grid/server/get", name="web1").status_code == 400
    fake.clock.advance(2)
    server = fake.client.ok("/grid/server/get", name="web1")[0]
    assert isinstance(server["id"], int) and server["state"]["name"] == "On"
    assert fake.client.ok("/grid/server/get", id=str(server["id"]))[0]["name"] == "web1"
    passwords = fake.client.ok("/support/password/list")
    assert [(p["username"], p["server"]["name"], p["object"]) for p in passwords] == [("root", "web1", "password")]
    assert passwords[0]["password"]


def test_server_shape_matches_the_recording(fake) -> None:
    add(fake)
    fake.settle()
    ours = fake.client.ok("/grid/server/get", name="web1")[0]
    recorded = recorded_body("instances_test_class-5.yml")["list"][0]
    assert set(recorded) - set(ours) == {"cores"}  # every recorded field but the core count
    assert set(ours["ip"]) == set(recorded["ip"]) and set(ours["image"]) == set(recorded["image"])


def test_add_takes_the_ip_and_delete_frees_it(fake) -> None:
    add(fake)
    assert add(fake, name="web2").status_code == 400  # the same IP again
    assigned = fake.client.ok("/grid/ip/list", **{"ip.state": "Assigned"})
    assert [ip["ip"] for ip in assigned] == ["192.0.2.1"]
    assert fake.client.call("/grid/server/delete", name="web1").status_code == 400  # no id yet
    fake.settle()
    deleted = fake.client.ok("/grid/server/delete", name="web1")
    assert deleted[0]["name"] == "web1"
    assert fake.client.ok("/grid/server/list") == [] and fake.client.ok("/support/password/list") == []
    assert fake.client.ok("/grid/ip/list", **{"ip.state": "Assigned"}) == []


@pytest.mark.parametrize("params, message", [
    ({"name": "x" * 21}, "longer than 20"),
    ({"ip": "10.1.0.1"}, "not an unassigned public IP"),
    ({"image": "424242"}, "No object found"),
    ({"server.ram": "3GB"}, "Invalid server.ram"),
])
def test_add_refuses_bad_input_with_the_failure_envelope(fake, params: dict, message: str) -> None:
    query = {"name": "web1", "image": "9928", "ip": "192.0.2.1", "server.ram": "512MB", **params}
    response = fake.client.call("/grid/server/add", **query)
    assert response.status_code == 400
    assert response.json()["status"] == "failure" and message in response.json()["list"][0]["message"]


def test_power_passes_through_transitional_states(fake) -> None:
    add(fake)
    fake.settle()
    for command, during, after in (("stop", "Stopping", "Off"), ("start", "Starting", "On"),
                                   ("restart", "Restarting", "On")):
        server = fake.client.ok("/grid/server/power", name="web1", power=command)[0]
        assert server["state"]["name"] == during
        busy = fake.client.call("/grid/server/power", name="web1", power=command)
        assert busy.status_code == 400 and "busy" in busy.json()["list"][0]["message"]
        fake.clock.advance(11)
        assert fake.client.ok("/grid/server/get", name="web1")[0]["state"]["name"] == after
    assert fake.client.call("/grid/server/power", name="web1", power="explode").status_code == 400


def test_post_with_a_form_body_works_like_get(fake) -> None:
    query = {"api_key": fake.client.api_key, "v": "1.9", "format": "json",
             "sig": fake.client.call("/grid/server/list").request.url.split("sig=")[1].split("&")[0]}
    response = requests.post(f"{fake.api_url}/grid/server/add", params=query, timeout=10,
                             data={"name": "web1", "image": "centos5.6_32_base", "server.ram": "1",
                                   "ip": "192.0.2.5", "isSandbox": "true"})
    assert response.status_code == 200, response.text
    assert response.json()["list"][0]["isSandbox"] is True


# -- lookups, images, IPs, balancers ----------------------------------------------------------------

def test_lookups_match_the_recordings(fake) -> None:
    assert fake.client.ok("/common/lookup/list", lookup="server.ram") == recorded_body(
        "test_0002_must_return_list_of_hardware_profiles.yml", 1)["list"]
    assert fake.client.ok("/common/lookup/list", lookup="server.type") == recorded_body(
        "test_0002_must_return_list_of_hardware_profiles.yml", 0)["list"]


def test_images_list_and_get(fake) -> None:
    images = fake.client.ok("/grid/image/list", state="Available")
    assert {i["id"] for i in images} == {9928, 11694, 6, 15400}
    assert any("description" not in i for i in images)  # as some real images had none
    assert [i["id"] for i in fake.client.ok("/grid/image/list", isPublic="false")] == [15400]
    assert fake.client.ok("/grid/image/get", id="9928")[0]["architecture"]["name"] == "32-bit"
    assert fake.client.call("/grid/image/get", id="unknown").json() == recorded_body(
        "test_0004_must_return_an_empty_array_for_nonexistent_image.yml")


def test_ip_list_filters(fake) -> None:
    public_west = fake.client.ok("/grid/ip/list", **{"ip.type": "Public", "datacenter": "1"})
    assert len(public_west) == 14 and all(ip["public"] and ip["datacenter"]["id"] == 1 for ip in public_west)
    assert len(fake.client.ok("/grid/ip/list", **{"ip.type": "2"})) == 12
    assert len(fake.client.ok("/grid/ip/list", **{"ip.state": "Unassigned"})) == 54


def test_load_balancers_add_edit_delete(fake) -> None:
    lb = fake.client.ok("/grid/loadbalancer/add", name="lb1", **{
        "virtualip.ip": "192.0.2.9", "virtualip.port": "80", "realiplist.0.ip": "192.0.2.10",
        "realiplist.0.port": "8080"})[0]
    assert (lb["name"], lb["virtualip"]["port"], lb["object"]) == ("lb1", 80, "loadbalancer")
    assert [(r["ip"]["ip"], r["port"]) for r in lb["realiplist"]] == [("192.0.2.10", 8080)]
    taken = fake.client.call("/grid/loadbalancer/add", name="lb2", **{"virtualip.ip": "192.0.2.9",
                                                                      "virtualip.port": "80"})
    assert taken.status_code == 400
    edited = fake.client.ok("/grid/loadbalancer/edit", name="lb1")[0]
    assert edited["realiplist"] == []
    assert fake.client.ok("/grid/loadbalancer/get", id=str(lb["id"]))[0]["name"] == "lb1"
    fake.client.ok("/grid/loadbalancer/delete", name="lb1")
    assert fake.client.ok("/grid/loadbalancer/list") == []
    assert fake.client.call("/grid/loadbalancer/get", name="lb1").status_code == 400


# -- runnable alone --------------------------------------------------------------------------------

def test_the_fake_runs_alone_with_python_m(tmp_path: Path) -> None:
    port = free_port()
    process = start_process([sys.executable, "-m", "gogrid_fake", "--port", str(port), "--id-delay", "0"],
                            f"http://127.0.0.1:{port}/api/grid/server/list", tmp_path / "fake.log", cwd=HERE)
    try:
        response = requests.get(f"http://127.0.0.1:{port}/api/grid/server/list", timeout=10)
        assert response.status_code == 403  # unsigned
        assert "fake GoGrid at" in process.output()
    finally:
        process.stop()
