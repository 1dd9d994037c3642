"""``deltacloudd -i google`` on a replay of libcloud's recorded Compute Engine answers.

The whole service-account flow runs: the server signs a JWT with the key sent as the Basic
password, the replay checks the signature with the matching public key and issues a token, and
the recorded zones, machine types, images and instances are listed with GCE's raw status mapped.
Both Google endpoints are the replay's (driver options ``endpoint`` and ``token_url``); proxies
that lead nowhere catch any request that would leave the machine, and the replay's log shows
every call. Launches and actions are not replayed (a recording cannot change what is listed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from deltacloud.testing import ServerProcess, server_environment, start_deltacloudd

from . import gce_replay
from .replay import ReplayServer

EMAIL = f"replay@{gce_replay.PROJECT}.iam.gserviceaccount.com"
JSON = {"Accept": "application/json"}


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    """The service account's private key (made for the test)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def replay(key: rsa.RSAPrivateKey) -> Iterator[ReplayServer]:
    """The recorded GCE answers and the token endpoint on a loopback port."""
    server = gce_replay.start(EMAIL, key.public_key())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deltacloudd's working directory (its HOME is ``home`` below it)."""
    return tmp_path_factory.mktemp("google")


@pytest.fixture(scope="module")
def deltacloudd(replay: ReplayServer, workdir: Path) -> Iterator[ServerProcess]:
    """``deltacloudd -i google`` with both Google endpoints on the replay, and dead-end proxies."""
    env = {**server_environment(workdir / "home"), "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY":
           "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    server = start_deltacloudd(workdir, "--driver-option", f"google.endpoint={replay.url}",
                               "--driver-option", f"google.token_url={replay.url}/o/oauth2/token",
                               driver="google", env=env, timeout=30)
    try:
        yield server
    finally:
        server.stop()


def _get(server: ServerProcess, path: str, auth: tuple[str, str]) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=JSON, auth=auth, timeout=30)


@pytest.mark.slow
def test_what_deltacloudd_lists(deltacloudd: ServerProcess, replay: ReplayServer, key: rsa.RSAPrivateKey,
                                workdir: Path) -> None:
    auth = (EMAIL, _pem(key))
    realms = {r["id"]: r["state"] for r in _get(deltacloudd, "/realms", auth).json()["realms"]}
    assert len(realms) == 6 and realms["us-central1-a"] == "AVAILABLE", realms
    profiles = {p["id"]: p for p in _get(deltacloudd, "/hardware_profiles", auth).json()["hardware_profiles"]}
    assert "n1-standard-1" in profiles and len(profiles) > 5, sorted(profiles)
    images = [i["id"] for i in _get(deltacloudd, "/images", auth).json()["images"]]
    assert images and set(images) == {"custom-image"}, images
    instances = {i["id"]: i for i in _get(deltacloudd, "/instances", auth).json()["instances"]}
    states = {k: v["state"] for k, v in instances.items()}
    assert len(states) == 8 and states["us-central2-a:libcloud-demo-multiple-nodes-001"] == "STOPPED", states
    assert states["us-central1-a:node-name"] == "RUNNING"
    assert instances["us-central1-a:node-name"]["realm"]["id"] == "us-central1-a", instances["us-central1-a:node-name"]
    shown = _get(deltacloudd, "/instances/us-central1-a:node-name", auth).json()["instance"]
    assert shown["name"] == "node-name" and shown["state"] == "RUNNING"
    hosts = {host.rsplit(":", 1)[0] for _method, host, _path in replay.app.calls}
    assert hosts == {"127.0.0.1"}, f"a request named another host: {hosts}"
    assert ("POST", replay.url.split("//")[1], "/o/oauth2/token") in replay.app.calls
    as_json = json.dumps({"type": "service_account", "client_email": EMAIL, "private_key": _pem(key)})
    assert _get(deltacloudd, "/realms", (EMAIL, as_json)).status_code == 200, "the JSON key file as the password"
    assert not list((workdir / "home").glob(".google_libcloud_auth*")), "the token was cached on disk"


@pytest.mark.slow
def test_errors(deltacloudd: ServerProcess, key: rsa.RSAPrivateKey) -> None:
    other = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    refused = _get(deltacloudd, "/instances", (EMAIL, other))
    assert refused.status_code == 401 and "PRIVATE KEY" not in refused.text, refused.text
    assert _get(deltacloudd, "/instances", (EMAIL, "not a key")).status_code == 401
    assert _get(deltacloudd, "/instances/us-central1-a:no-such-node", (EMAIL, _pem(key))).status_code == 404
    assert _get(deltacloudd, "/instances/not-an-id", (EMAIL, _pem(key))).status_code == 404
