"""The gogrid driver against the fake GoGrid over HTTP: collections, quirks, errors, time-driven states.

The fake's clock is manual: a new server gets its id, and a power transition completes, when
a test advances it, never by sleeping.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
import requests
from gogrid_fake import DEFAULT_KEY, DEFAULT_SECRET, serve

from deltacloud.errors import (
    AuthenticationError,
    BackendError,
    BackendUnavailableError,
    NotFoundError,
    ValidationError,
)
from deltacloud.models import Credentials, LaunchOptions
from deltacloud.testing import free_port
from deltacloud_driver_gogrid import GoGridDriver
from deltacloud_driver_gogrid.signing import GoGridSignature, signature


def ids(items: Iterable[Any]) -> list[str]:
    return [item.id for item in items]


def launch(driver: GoGridDriver, name: str = "web1", image: str = "9928", **options: Any):
    return driver.create_instance(image, LaunchOptions(name=name, **options))


# -- realms, profiles, images ----------------------------------------------------------------------

def test_realms_are_the_data_centers(driver) -> None:
    assert [(r.id, r.name, r.state) for r in driver.realms({})] == [
        ("1", "US-West-1", "AVAILABLE"), ("2", "US-East-1", "AVAILABLE"), ("3", "EU-West-1", "AVAILABLE")]


def test_hardware_profiles_are_server_types_with_the_ram_sizes(driver) -> None:
    profiles = driver.hardware_profiles({})
    assert [(p.id, p.name) for p in profiles] == [("web-server", "Web Server"), ("database-server", "Database Server")]
    memory = profiles[0].get_property("memory")
    assert (memory.kind, memory.values, memory.value) == (
        "enum", ("512", "1024", "2048", "4096", "8192", "16384", "24576"), "512")


def test_images_with_architecture_owner_and_profile(driver) -> None:
    images = {i.id: i for i in driver.images({})}
    assert set(images) == {"9928", "11694", "6", "15400"}
    assert (images["9928"].architecture, images["11694"].architecture) == ("i386", "x86_64")
    assert images["6"].description == images["6"].name == "Windows 2003 (32-bit) w/ MSSQL 2005 Workgroup"
    assert images["6"].hardware_profiles == ("database-server",)
    assert images["15400"].owner_id == "Fake Customer" and images["9928"].owner_id == "GoGrid"
    assert driver.image("11694") == images["11694"]


def test_a_missing_image_is_not_found(driver) -> None:
    with pytest.raises(NotFoundError, match="No object found"):
        driver.image("424242")


# -- instances and GoGrid's late ids -----------------------------------------------------------------

def test_a_new_server_is_pending_until_it_has_an_id(driver, fake) -> None:
    created = launch(driver, realm_id="2")
    assert (created.id, created.name, created.state, created.realm_id) == ("web1", "web1", "PENDING", "2")
    assert [a.address for a in created.public_addresses] == ["198.51.100.1"]  # the realm's first free IP
    shown = driver.instance("web1")  # grid/server/get does not find it yet: found in the list
    assert (shown.state, shown.username, shown.password) == ("PENDING", "", "")
    fake.clock.advance(31)
    running = driver.instance("web1")
    assert running.state == "RUNNING" and running.username == "root"
    password = fake.world.passwords[0]["password"]
    assert running.password == password
    assert [(i.id, i.state) for i in driver.instances({})] == [("web1", "RUNNING")]


def test_reads_are_gets_and_changes_are_posts(driver, fake) -> None:
    fake.app.calls.clear()
    driver.instances({})
    assert fake.app.calls == [("GET", "/api/grid/server/list")]  # one call: no password list for a listing
    launch(driver)
    assert fake.app.calls[-1] == ("POST", "/api/grid/server/add")
    assert {method for method, _ in fake.app.calls[1:-1]} == {"GET"}
    fake.settle()
    driver.stop_instance("web1")
    assert fake.app.calls[-1] == ("POST", "/api/grid/server/power")


def test_launch_options_reach_gogrid(driver, fake) -> None:
    created = launch(driver, hardware_profile_id="web-server", hardware_profile_overrides=(("memory", "2048"),),
                     sandbox=True)
    server = fake.world.servers["web1"]
    assert (server.ram["name"], server.sandbox) == ("2GB", True)
    assert (created.hardware_profile_id, created.hardware_profile_overrides) == ("web-server", (("memory", "2048"),))
    db = launch(driver, name="db1", image="6")
    assert db.hardware_profile_id == "database-server" and fake.world.servers["db1"].ram["name"] == "512MB"


@pytest.mark.parametrize("image, options, param", [
    ("9928", {"name": "x" * 21}, "name"),
    ("424242", {}, "image_id"),
    ("9928", {"realm_id": "9"}, "realm_id"),
    ("6", {"hardware_profile_id": "web-server"}, "hwp_id"),
    ("9928", {"hardware_profile_overrides": (("memory", "3000"),)}, "hwp_memory"),
])
def test_launch_refuses_bad_input(driver, image: str, options: dict, param: str) -> None:
    with pytest.raises(ValidationError) as caught:
        driver.create_instance(image, LaunchOptions(**{"name": "web1", **options}))
    assert caught.value.param == param


def test_power_actions_walk_gogrid_states(driver, fake) -> None:
    launch(driver)
    fake.settle()
    assert driver.stop_instance("web1").state == "STOPPING"
    fake.clock.advance(11)
    assert driver.instance("web1").state == "STOPPED"
    assert driver.start_instance("web1").state == "PENDING"
    fake.clock.advance(11)
    assert driver.instance("web1").state == "RUNNING"
    assert driver.reboot_instance("web1").state == "PENDING"
    fake.clock.advance(11)
    assert driver.instance("web1").state == "RUNNING"
    driver.destroy_instance("web1")
    with pytest.raises(NotFoundError):
        driver.instance("web1")
    assert fake.world.ip("192.0.2.1")["state"]["name"] == "Unassigned"


def test_a_missing_instance_is_not_found(driver) -> None:
    with pytest.raises(NotFoundError, match="'nope'"):
        driver.instance("nope")
    with pytest.raises(NotFoundError):
        driver.destroy_instance("nope")


# -- keys, addresses, load balancers ------------------------------------------------------------------

def test_keys_are_the_password_list(driver, fake) -> None:
    assert driver.keys({}) == ()
    launch(driver)
    fake.settle()
    (key,) = driver.keys({})
    assert (key.type, key.username, key.name) == ("password", "root", "root@web1")
    assert key.password == fake.world.passwords[0]["password"]


def test_addresses_are_the_public_ips(driver, fake) -> None:
    launch(driver)
    addresses = {a.ip: a for a in driver.addresses({})}
    assert len(addresses) == 42 and not any(ip.startswith("10.") for ip in addresses)
    assert addresses["192.0.2.1"].instance_id == "web1" and addresses["192.0.2.2"].instance_id == ""


def test_load_balancer_life(driver, fake) -> None:
    launch(driver)
    lb = driver.create_load_balancer("lb1", "1", "HTTP", 80, 8080)
    assert (lb.id, lb.realm_ids, lb.public_addresses) == ("lb1", ("1",), ("192.0.2.2",))
    assert [(li.protocol, li.load_balancer_port, li.instance_port) for li in lb.listeners] == [("HTTP", "80", "8080")]
    registered = driver.register_load_balancer("lb1", "web1")
    assert registered.instance_ids == ("web1",)
    assert fake.world.balancers["lb1"].reals[0][0]["ip"] == "192.0.2.1"
    assert fake.world.balancers["lb1"].reals[0][1] == 8080
    assert driver.load_balancer("lb1").instance_ids == ("web1",)
    assert driver.unregister_load_balancer("lb1", "web1").instance_ids == ()
    with pytest.raises(ValidationError) as caught:
        driver.register_load_balancer("lb1", "nope")
    assert caught.value.param == "instance_id"
    assert ids(driver.load_balancers({})) == ["lb1"]
    driver.destroy_load_balancer("lb1")
    assert driver.load_balancers({}) == ()
    with pytest.raises(NotFoundError):
        driver.load_balancer("lb1")


# -- signatures, credentials and bad answers --------------------------------------------------------

def test_the_signature_is_md5_of_key_secret_and_time() -> None:
    request = requests.Request("GET", "https://gogrid.test/api/grid/server/list", params={"a": "b"}).prepare()
    signed = GoGridSignature("key", "secret", clock=lambda: 1700000000.7)(request)
    assert signed.url == ("https://gogrid.test/api/grid/server/list?a=b&api_key=key&v=1.9&format=json"
                          "&sig=" + signature("key", "secret", 1700000000))
    assert signature("key", "secret", 1700000000) == hashlib.md5(b"keysecret1700000000").hexdigest()
    assert "secret" not in signed.url.split("?")[1].replace("sig=", "")
    assert "hush" not in repr(GoGridSignature("key", "hush"))


def test_wrong_secret_or_stale_clock_is_an_authentication_error(fake) -> None:
    wrong = GoGridDriver(Credentials(DEFAULT_KEY, "not-the-secret"), fake.api_url)
    with pytest.raises(AuthenticationError) as caught:
        wrong.realms({})
    assert "not-the-secret" not in str(caught.value) and "GoGrid refused the credentials" in str(caught.value)
    right = GoGridDriver(Credentials(DEFAULT_KEY, DEFAULT_SECRET), fake.api_url)
    assert right.valid_credentials()
    fake.clock.advance(600)  # GoGrid's clock runs ten minutes ahead of ours: our timestamps are stale
    with pytest.raises(AuthenticationError):
        right.realms({})
    assert not right.valid_credentials()


def test_an_answer_that_is_not_json_is_a_backend_error(answering: Any) -> None:
    maintenance = answering("200 OK", [("Content-Type", "text/html")], b"<html><body>maintenance</body></html>")
    with pytest.raises(BackendError, match="not JSON"):
        GoGridDriver(Credentials(DEFAULT_KEY, DEFAULT_SECRET), maintenance).realms({})


def test_an_unreachable_endpoint_is_a_backend_error() -> None:
    with pytest.raises(BackendError, match="could not be reached"):
        GoGridDriver(Credentials(DEFAULT_KEY, DEFAULT_SECRET), f"http://127.0.0.1:{free_port()}/api").realms({})


@pytest.fixture
def answering() -> Iterator[Any]:
    """Start a server that gives every request one fixed answer: ``answering(status, headers, body)`` -> URL."""
    servers = []

    def start(status: str, headers: list[tuple[str, str]], body: bytes) -> str:
        def app(environ: Any, start_response: Any) -> list[bytes]:
            start_response(status, headers)
            return [body]

        servers.append(serve(app))
        return f"{servers[-1].url}/api"

    yield start
    for server in servers:
        server.stop()


def test_gateway_throttling_is_unavailable_and_a_foreign_json_is_a_backend_error(answering: Any) -> None:
    credentials = Credentials(DEFAULT_KEY, DEFAULT_SECRET)
    throttled = answering("403 Forbidden", [("Content-Type", "text/xml"),
                                            ("X-Mashery-Error-Code", "ERR_403_DEVELOPER_OVER_QPS")],
                          b"<h1>403 Developer Over Qps</h1>")
    with pytest.raises(BackendUnavailableError):
        GoGridDriver(credentials, throttled).realms({})
    foreign = answering("200 OK", [("Content-Type", "text/html")], b'{"servers": []}')
    with pytest.raises(BackendError, match="not its envelope"):
        GoGridDriver(credentials, foreign).instances({})
