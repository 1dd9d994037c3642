"""The rhevm driver through our API over HTTP, on a fake engine whose clock the tests move.

Each test gets a fresh engine and sends it as the provider (``X-Deltacloud-Provider``); the
server allows loopback providers, as an operator would for a lab engine.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import defusedxml.ElementTree as ET
import pytest
import requests
from rhevm_fake import LoopbackServer, serve
from rhevm_fake.objects import Cluster, DataCenter
from rhevm_helpers import OTHER_PASSWORD, OTHER_USER, PASSWORD, USER, FakeSite

from deltacloud import loader
from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app


class Client:
    """Our API for one engine and one user."""

    def __init__(self, url: str, provider: str, auth: tuple[str, str] = (USER, PASSWORD)) -> None:
        self.url, self.auth = url, auth
        self.headers = {"X-Deltacloud-Provider": provider}

    def call(self, method: str, path: str, **data: str) -> requests.Response:
        return requests.request(method, f"{self.url}/api{path}", data=data or None, auth=self.auth,
                                headers=self.headers, timeout=30)

    def xml(self, path: str) -> ET.Element:
        response = self.call("GET", path)
        assert response.status_code == 200, response.text
        return ET.fromstring(response.content)

    def state(self, id: str) -> str:
        return self.xml(f"/instances/{id}").findtext("state")


@pytest.fixture
def api(api_server: LoopbackServer, fake: FakeSite) -> Client:
    return Client(api_server.url, fake.provider())


def _launch(api: Client, **params: str) -> ET.Element:
    response = api.call("POST", "/instances", image_id="tpl-0001", **params)
    assert response.status_code == 201, response.text
    return ET.fromstring(response.content)


def _actions(root: ET.Element) -> set[str]:
    return {link.get("rel") for link in root.findall("actions/link")}


def test_pending_running_stopping_stopped(api: Client, fake: FakeSite) -> None:
    id = _launch(api, name="web").get("id")
    assert api.state(id) == "PENDING" and fake.engine.vms[id].status == "image_locked"
    fake.clock.advance(2.5)
    stopped = api.xml(f"/instances/{id}")
    assert stopped.findtext("state") == "STOPPED" and _actions(stopped) >= {"start", "destroy"}
    assert api.call("POST", f"/instances/{id}/start").status_code == 202
    fake.clock.advance(1.5)
    assert api.state(id) == "PENDING" and fake.engine.vms[id].status == "powering_up"
    fake.clock.advance(2.5)
    running = api.xml(f"/instances/{id}")
    assert running.findtext("state") == "RUNNING" and _actions(running) == {"stop", "reboot"}
    addresses = {(a.get("type"), a.text) for a in running.findall("public_addresses/address")}
    assert ("ipv4", fake.engine.vms[id].ip) in addresses and any(t == "vnc" for t, _ in addresses)
    assert api.call("POST", f"/instances/{id}/stop").status_code == 202
    assert api.state(id) == "STOPPING"
    assert fake.engine.vms[id].status == "powering_down"  # a graceful shutdown, not a power-off
    fake.clock.advance(2.5)
    assert api.state(id) == "STOPPED"
    assert api.call("DELETE", f"/instances/{id}").status_code == 204
    assert api.call("GET", f"/instances/{id}").status_code == 404 and id not in fake.engine.vms


def test_reboot_passes_through_pending(api: Client, fake: FakeSite) -> None:
    id = _launch(api).get("id")
    fake.clock.advance(2.5)
    api.call("POST", f"/instances/{id}/start")
    fake.clock.advance(5)
    assert api.call("POST", f"/instances/{id}/reboot").status_code == 202
    assert api.state(id) == "PENDING" and fake.engine.vms[id].status == "reboot_in_progress"
    fake.clock.advance(2.5)
    assert api.state(id) == "RUNNING"


def test_the_state_machine_is_published(api: Client) -> None:
    states = {s.get("name"): {(t.get("to"), t.get("action") or "auto") for t in s.findall("transition")}
              for s in api.xml("/instance_states").findall("state")}
    assert states["pending"] == {("stopped", "auto"), ("running", "auto")}
    assert states["running"] == {("stopping", "stop"), ("pending", "reboot")}
    assert states["stopping"] == {("stopped", "auto")}
    assert ("finish", "destroy") in states["stopped"]


def test_engine_conflicts_are_409(api: Client, fake: FakeSite) -> None:
    id = _launch(api).get("id")
    fake.clock.advance(2.5)
    with fake.engine.lock:  # STOPPED for us, but the engine will not run it
        fake.engine.vms[id].status, fake.engine.vms[id].due = "not_responding", None
    refused = api.call("POST", f"/instances/{id}/start")
    assert refused.status_code == 409
    assert "Cannot run VM" in ET.fromstring(refused.content).findtext("message")


def test_launch_options_reach_the_engine(api: Client, fake: FakeSite) -> None:
    script = b"#cloud-config\nhostname: web\n"
    root = _launch(api, name="x" * 50, realm_id="cl-0001", hwp_id="SERVER", hwp_cpu="2", hwp_memory="2048",
                   user_data=base64.b64encode(script).decode())
    vm = fake.engine.vms[root.get("id")]
    assert (vm.name, vm.cores * vm.sockets, vm.memory, vm.custom_script) == ("x" * 50, 2, 2048 * 1024 ** 2,
                                                                              script.decode())
    shown = {p.get("name"): p.get("value") for p in root.findall("hardware_profile/property")}
    assert shown["cpu"] == "2" and shown["memory"] == "2048"


@pytest.mark.parametrize(("params", "named"), [
    ({"name": "x" * 51}, "name"),
    ({"hwp_id": "SERVER", "hwp_memory": "64"}, "hwp_memory"),
    ({"hwp_id": "SERVER", "hwp_cpu": "64"}, "hwp_cpu"),
    ({"realm_id": "cl-0002"}, "realm_id"),  # a cluster of the other data center
])
def test_bad_launches_are_400(api: Client, fake: FakeSite, params: dict[str, str], named: str) -> None:
    response = api.call("POST", "/instances", image_id="tpl-0001", **params)
    assert response.status_code == 400 and named in ET.fromstring(response.content).findtext("message")
    assert fake.engine.vms == {}


def test_missing_image_is_400(api: Client) -> None:
    response = api.call("POST", "/instances", image_id="no-such-template")
    assert response.status_code == 400 and "image_id" in response.text


def test_images_from_stopped_instances_and_in_use(api: Client, fake: FakeSite) -> None:
    id = _launch(api).get("id")
    fake.clock.advance(2.5)
    made = api.call("POST", "/images", instance_id=id, name="golden", description="made by a test")
    assert made.status_code == 201, made.text
    image = ET.fromstring(made.content)
    assert (image.findtext("name"), image.findtext("description"), image.findtext("state")) == (
        "golden", "made by a test", "PENDING")
    fake.clock.advance(2.5)
    assert api.xml(f"/images/{image.get('id')}").findtext("state") == "AVAILABLE"
    in_use = api.call("DELETE", "/images/tpl-0001")
    assert in_use.status_code == 409 and "being used" in ET.fromstring(in_use.content).findtext("message")
    assert api.call("DELETE", f"/images/{image.get('id')}").status_code == 204


def test_no_image_of_a_running_instance(api: Client, fake: FakeSite) -> None:
    id = _launch(api).get("id")
    fake.clock.advance(2.5)
    api.call("POST", f"/instances/{id}/start")
    fake.clock.advance(5)
    assert "create_image" not in _actions(api.xml(f"/instances/{id}"))
    assert api.call("POST", "/images", instance_id=id, name="hot").status_code == 409


def test_bad_credentials_are_401_without_the_password(api: Client, fake: FakeSite) -> None:
    api.auth = (USER, "not-the-password")
    refused = api.call("GET", "/realms")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
    assert "not-the-password" not in refused.text
    assert fake.engine.tokens_issued == 0


def test_one_token_per_user_reused_and_refreshed_when_expired(api: Client, fake: FakeSite) -> None:
    for _ in range(3):
        api.xml("/realms")
    assert fake.engine.tokens_issued == 1
    fake.clock.advance(fake.engine.token_lifetime + 1)  # the engine expires it; our cache cannot know
    assert [r.get("id") for r in api.xml("/realms").findall("realm")] == ["cl-0001"]
    assert fake.engine.tokens_issued == 2
    api.xml("/images")
    assert fake.engine.tokens_issued == 2


def test_tokens_never_serve_another_user(api: Client, fake: FakeSite) -> None:
    alice = Client(api.url, fake.provider(), (OTHER_USER, OTHER_PASSWORD))
    api.xml("/realms")
    seen = len(fake.engine.requests)
    alice.xml("/realms")
    api.xml("/images")
    assert fake.engine.tokens_issued == 2
    users = [user for user, _, _ in fake.engine.requests[seen:]]
    assert users == [OTHER_USER] * users.count(OTHER_USER) + [USER] * users.count(USER) and OTHER_USER in users


@pytest.mark.parametrize("provider", ["{api}", "{api};no-such-dc", "ftp://example.com/api;dc-0001"])
def test_bad_providers_are_400(api: Client, fake: FakeSite, provider: str) -> None:
    api.headers["X-Deltacloud-Provider"] = provider.format(api=fake.api)
    response = api.call("GET", "/realms")
    assert response.status_code == 400 and "provider" in ET.fromstring(response.content).findtext("message")


def test_drivers_lists_the_data_centers(api: Client, fake: FakeSite) -> None:
    providers = [p.get("id") for p in api.xml("/drivers/rhevm").findall("provider")]
    assert providers == [fake.provider("dc-0001"), fake.provider("dc-0002")]
    api.headers["X-Deltacloud-Provider"] = fake.provider("dc-0002")
    assert [r.findtext("name") for r in api.xml("/realms").findall("realm")] == ["lab-cluster"]
    assert {i.get("id") for i in api.xml("/images").findall("image")} >= {"tpl-0002"}


def test_an_engine_that_is_gone_is_502(api: Client, fake: FakeSite) -> None:
    fake.server.stop()
    response = api.call("GET", "/realms")
    assert response.status_code == 502 and ET.fromstring(response.content).tag == "error"


@pytest.fixture
def impatient(fake: FakeSite, api_config: ServerConfig) -> Iterator[Client]:
    """Our API with a 0.4 s backend timeout (the session's settings come back after the test)."""
    server = serve(create_app(ServerConfig(driver="rhevm", backend_timeout=0.4, allow_private_providers=True)))
    try:
        yield Client(server.url, fake.provider())
    finally:
        server.stop()
        loader.configure(api_config)


def test_an_engine_that_stops_answering_is_504(impatient: Client, fake: FakeSite) -> None:
    impatient.xml("/realms")  # a token is cached: the silence hits the API call itself
    fake.engine.stall(30)
    try:
        response = impatient.call("GET", "/realms")
    finally:
        fake.engine.unstall()
    assert response.status_code == 504
    assert "did not answer in time" in ET.fromstring(response.content).findtext("message")


# ("..") is left out: the HTTP client resolves it before sending (/api/instances/.. arrives as /api/).
@pytest.mark.parametrize("odd", ["a%3Fsearch%3Dx", "a%20b", "x" * 120])
def test_odd_ids_are_404_and_never_reach_the_engine(api: Client, fake: FakeSite, odd: str) -> None:
    seen = len(fake.engine.requests)
    for collection in ("instances", "images", "storage_volumes"):
        response = api.call("GET", f"/{collection}/{odd}")
        assert response.status_code == 404, (collection, response.text)
    paths = [path for _, _, path in fake.engine.requests[seen:]]
    assert all(path.rsplit("/", 1)[-1] in ("datacenters", "clusters", "vms", "diskattachments") for path in paths)


def test_a_data_center_name_with_spaces(api: Client, fake: FakeSite) -> None:
    with fake.engine.lock:
        fake.engine.data_centers["dc-0003"] = DataCenter("dc-0003", 'the "big" lab')
        fake.engine.clusters["cl-0003"] = Cluster("cl-0003", "big-cluster", "dc-0003")
    api.headers["X-Deltacloud-Provider"] = fake.provider("dc-0003")
    assert [r.get("id") for r in api.xml("/realms").findall("realm")] == ["cl-0003"]


def test_an_engine_without_sso_is_a_502_with_a_hint(api: Client, fake: FakeSite) -> None:
    api.headers["X-Deltacloud-Provider"] = f"{fake.server.url}/elsewhere/api;dc-0001"  # no SSO next to it
    response = api.call("GET", "/realms")
    assert response.status_code == 502 and "has no SSO" in ET.fromstring(response.content).findtext("message")
