"""Launching through the tiny driver: features that do what they say, and references checked once.

* ``user_name`` with ``{"max_length": 5}`` refuses a longer name with a 400 naming ``name``;
  ``user_files`` and ``user_iso`` reach the driver's ``LaunchOptions`` (and the cloud);
  a constraint the core does not know fails the driver at load.
* The image, realm and hardware profile of a launch are each looked up at most once (and
  handed to the driver), and not at all when the driver's ``launch_checks`` name them.
"""

from __future__ import annotations

import base64
import gzip
import subprocess
import sys

import pytest
import requests

from deltacloud import loader
from deltacloud.errors import DriverLoadError
from deltacloud.testing import free_port, installed_entry_point, server_environment

JSON = {"Accept": "application/json"}
TIMEOUT = 30


def launch(url: str, auth: tuple[str, str], data: dict | list) -> requests.Response:
    """``POST /api/instances`` as a form."""
    return requests.post(f"{url}/instances", auth=auth, headers=JSON, data=data, timeout=TIMEOUT)


def b64(data: bytes) -> str:
    """Base64 text of ``data``."""
    return base64.b64encode(data).decode()


# -- features that do what they say -----------------------------------------------------------


def test_a_name_longer_than_max_length_is_a_400_naming_it(start_app, cloud, alice) -> None:
    url = start_app()
    response = launch(url, alice, {"image_id": "img1", "name": "sixsix"})
    assert response.status_code == 400
    assert response.json()["message"] == "Parameter 'name' must be at most 5 characters long"
    assert cloud.count("POST /servers") == 0
    response = launch(url, alice, {"image_id": "img1", "name": "fives"})
    assert response.status_code == 201, response.text
    assert response.json()["instance"]["name"] == "fives"


def test_user_files_and_user_iso_reach_the_driver(start_app, cloud, kit, alice) -> None:
    url = start_app()
    iso = gzip.compress(b"an ISO image, or what passes for one")
    data = [("image_id", "img1"), ("user_files", f"/etc/motd={b64(b'hello')}"),
            ("user_files", f"/root/.ssh/authorized_keys={b64(b'ssh-ed25519 AAAA k')}"), ("user_iso", b64(iso))]
    response = launch(url, alice, data)
    assert response.status_code == 201, response.text
    options = kit.LAUNCHES[-1]
    assert options.user_files == (("/etc/motd", b"hello"), ("/root/.ssh/authorized_keys", b"ssh-ed25519 AAAA k"))
    assert options.user_iso == iso
    server = cloud.servers[response.json()["instance"]["id"]]
    assert server["files"] == [["/etc/motd", b64(b"hello")], ["/root/.ssh/authorized_keys", b64(b"ssh-ed25519 AAAA k")]]
    assert base64.b64decode(server["iso"]) == iso


@pytest.mark.parametrize(("field", "value"), [
    ("user_files", "etc/motd=aGVsbG8="),   # not an absolute path
    ("user_files", "/etc/motd"),           # no content
    ("user_files", "/etc/motd=not base64!"),
    ("user_iso", "not base64!"),
])
def test_malformed_files_are_a_400_naming_the_parameter(start_app, cloud, kit, alice, field, value) -> None:
    url = start_app()
    response = launch(url, alice, {"image_id": "img1", field: value})
    assert response.status_code == 400
    assert f"'{field}'" in response.json()["message"]
    assert cloud.count("POST /servers") == 0 and kit.LAUNCHES == []


def test_an_unknown_constraint_fails_the_driver_at_load(kit, tmp_path) -> None:
    with installed_entry_point(tmp_path, "tinybad", "tiny_http_driver:TinyBadConstraintDriver"), \
            pytest.raises(DriverLoadError) as refused:
        loader.load("tinybad")
    assert "Driver 'tinybad' gives feature 'user_name' unknown constraints min_length" in str(refused.value)
    assert "known: max_length" in str(refused.value)


@pytest.mark.slow
def test_deltacloudd_refuses_a_driver_with_an_unknown_constraint(kit, tmp_path) -> None:
    with installed_entry_point(tmp_path, "tinybad", "tiny_http_driver:TinyBadConstraintDriver"):
        result = subprocess.run([sys.executable, "-m", "deltacloud.cli", "-i", "tinybad", "-r", "127.0.0.1", "-p",
                                 str(free_port())], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                                env=server_environment(tmp_path / "home", PYTHONPATH=str(tmp_path)))
    assert result.returncode == 2, result.stderr
    assert "unknown constraints min_length" in result.stderr and "Traceback" not in result.stderr


# -- references checked once per create -------------------------------------------------------


def test_each_reference_is_looked_up_once_and_handed_to_the_driver(start_app, cloud, kit, alice) -> None:
    url = start_app()
    response = launch(url, alice, {"image_id": "img1", "realm_id": "r2", "hwp_id": "big"})
    assert response.status_code == 201, response.text
    assert sorted(cloud.routes()) == ["GET /images/img1", "GET /profiles/big", "GET /realms/r2", "POST /servers"]
    assert dict(kit.LOOKUPS) == {"image": 1, "realm": 1, "hardware_profile": 1}
    assert response.headers["X-Backend-Calls"] == "4"
    options = kit.LAUNCHES[-1]
    assert (options.image.id, options.realm.id, options.hardware_profile.id) == ("img1", "r2", "big")


def test_references_in_launch_checks_are_left_to_the_cloud(start_app, cloud, kit, alice) -> None:
    url = start_app(driver="tinycheck")
    response = launch(url, alice, {"image_id": "img1", "realm_id": "r2", "hwp_id": "big"})
    assert response.status_code == 201, response.text
    assert sorted(cloud.routes()) == ["GET /profiles/big", "POST /servers"]  # the profile is not in launch_checks
    assert dict(kit.LOOKUPS) == {"hardware_profile": 1}
    assert response.headers["X-Backend-Calls"] == "2"
    options = kit.LAUNCHES[-1]
    assert options.image is None and options.realm is None and options.hardware_profile.id == "big"
    response = launch(url, alice, {"image_id": "img1"})  # no realm, no profile: the launch alone
    assert response.status_code == 201 and response.headers["X-Backend-Calls"] == "1"


@pytest.mark.parametrize(("field", "values"), [
    ("image_id", {"image_id": "nope"}),
    ("realm_id", {"image_id": "img1", "realm_id": "nowhere"}),
])
def test_a_missing_reference_is_a_400_naming_it_either_way(start_app, cloud, kit, alice, field, values) -> None:
    checked_by_core = start_app()
    response = launch(checked_by_core, alice, values)
    assert response.status_code == 400
    assert f"Parameter '{field}'" in response.json()["message"]
    assert cloud.count("POST /servers") == 0  # refused before the launch
    checked_by_cloud = start_app(driver="tinycheck")
    response = launch(checked_by_cloud, alice, values)
    assert response.status_code == 400
    assert f"Parameter '{field}'" in response.json()["message"]
    assert cloud.count("POST /servers") == 1  # the launch itself was the check
    assert cloud.servers == {}
