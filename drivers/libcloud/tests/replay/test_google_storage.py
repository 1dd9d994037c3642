"""``deltacloudd -i googlestorage`` on a replay of libcloud's recorded Google Cloud Storage answers.

The driver signs every request in the S3-interoperable HMAC mode (``GOOG1``); the replay
recomputes the signature with the secret it knows and refuses any other (403, as Google does),
then serves the recorded bucket and object listings read from the installed libcloud. The
endpoint is the replay's (driver option ``endpoint``), dead-end proxies catch any request that
would leave the machine, and the replay's log shows where every request went. The object's
content and its user metadata header are the replay's own (the recording has neither);
writes are not replayed.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from deltacloud.testing import ServerProcess, server_environment, start_deltacloudd
from deltacloud_driver_libcloud.googlestorage import FEATURES
from deltacloud_driver_libcloud.googlestorage.connection import HmacGoogleStorage

from . import gcs_replay
from .replay import ReplayServer

AUTH = (gcs_replay.ACCESS_ID, gcs_replay.SECRET)
JSON = {"Accept": "application/json"}
DEAD_END = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    """The recorded XML API answers on a loopback port."""
    server = gcs_replay.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def deltacloudd(replay: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``deltacloudd -i googlestorage`` with its endpoint on the replay and proxies that lead nowhere."""
    workdir = tmp_path_factory.mktemp("googlestorage")
    env = {**server_environment(workdir / "home"), "HTTP_PROXY": DEAD_END, "HTTPS_PROXY": DEAD_END,
           "http_proxy": DEAD_END, "https_proxy": DEAD_END, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    server = start_deltacloudd(workdir, "--driver-option", f"googlestorage.endpoint={replay.url}",
                               driver="googlestorage", env=env, timeout=30)
    try:
        yield server
    finally:
        server.stop()


def _get(server: ServerProcess, path: str, auth: tuple[str, str] = AUTH) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=JSON, auth=auth, timeout=60)


def test_buckets_and_blobs_match_the_recording(deltacloudd: ServerProcess, replay: ReplayServer) -> None:
    buckets = _get(deltacloudd, "/buckets")
    assert buckets.status_code == 200, buckets.text
    assert sorted(b["id"] for b in buckets.json()["buckets"]) == sorted(gcs_replay.recorded_buckets())
    for name in gcs_replay.recorded_buckets():
        shown = _get(deltacloudd, f"/buckets/{name}")
        assert shown.status_code == 200, shown.text
        recorded = gcs_replay.recorded_objects(name)
        assert int(shown.json()["bucket"]["size"]) == len(recorded), shown.text
        assert all(key in shown.text for key in recorded), shown.text
    assert gcs_replay.recorded_objects("test1"), "the recording lists an object in test1"
    hosts = {host for _, _, host in replay.app.calls}
    assert hosts == {replay.url.removeprefix("http://")}, hosts  # every request reached the replay, nothing else


def test_a_blobs_content_and_metadata_come_back(deltacloudd: ServerProcess) -> None:
    (key, recorded), = gcs_replay.recorded_objects("test1").items()
    head = requests.head(f"{deltacloudd.url}/buckets/test1/{key}", auth=AUTH, timeout=60)
    assert head.status_code == 204, head.text
    assert head.headers.get("x-deltacloud-blobmeta-source") == "libcloud-recording", head.headers
    blob = _get(deltacloudd, f"/buckets/test1/{key}")
    assert blob.status_code == 200, blob.text
    shown = blob.json()["blob"]
    assert int(shown["content_length"]) == int(recorded["Size"]), shown
    assert shown["content_type"] == "application/zip", shown
    with requests.get(f"{deltacloudd.url}/buckets/test1/{key}/content", auth=AUTH, stream=True, timeout=60) as got:
        assert got.status_code == 200
        body = b"".join(got.iter_content(64 * 1024))
    assert body == gcs_replay.content(int(recorded["Size"]))


def test_a_wrong_secret_is_401_and_a_missing_bucket_404(deltacloudd: ServerProcess) -> None:
    wrong = _get(deltacloudd, "/buckets", auth=(gcs_replay.ACCESS_ID, "not-the-secret"))
    assert wrong.status_code == 401, wrong.text
    assert "not-the-secret" not in wrong.text
    assert _get(deltacloudd, "/buckets/no-such-bucket").status_code == 404
    assert _get(deltacloudd, "/buckets/test1/no-such-blob").status_code == 404
    oauth = _get(deltacloudd, "/buckets", auth=("robot@demo.iam.gserviceaccount.com", "a key"))
    assert oauth.status_code == 401 and "HMAC" in oauth.text, oauth.text
    assert gcs_replay.SECRET not in deltacloudd.output() and "not-the-secret" not in deltacloudd.output()


def test_a_client_sent_loopback_endpoint_is_refused(deltacloudd: ServerProcess, replay: ReplayServer) -> None:
    """The endpoint is the operator's; a client may not point the server at its own networks."""
    answer = requests.get(f"{deltacloudd.url}/buckets", auth=AUTH, timeout=60,
                          headers={**JSON, "X-Deltacloud-Provider": replay.url})
    assert answer.status_code == 400 and "provider" in answer.text, answer.text


def test_storage_only(deltacloudd: ServerProcess) -> None:
    for collection in ("realms", "images", "instances"):
        listing = _get(deltacloudd, f"/{collection}")
        assert listing.status_code == 200 and listing.json()[collection] == [], listing.text
    launch = requests.post(f"{deltacloudd.url}/instances", data={"image_id": "anything"}, auth=AUTH,
                           headers=JSON, timeout=60)
    # no image exists, so the core refuses the launch before the driver's 501 (as for azure)
    assert launch.status_code in (400, 501) and "image" in launch.text, launch.text
    assert FEATURES == ()


def test_the_connection_takes_host_port_and_the_ca_bundle(tmp_path: Path) -> None:
    """libcloud's own class would make host and port an auth type and a token file; ours connects there."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    driver = HmacGoogleStorage(*AUTH, host="127.0.0.1", port=8443, secure=True, verify=str(bundle))
    assert driver.connection.connection.host == "https://127.0.0.1:8443"
    assert driver.connection.connection.verification == str(bundle)
    default = HmacGoogleStorage(*AUTH, verify=True)
    assert default.connection.connection.host == "https://storage.googleapis.com"
    assert default.connection.connection.verify is True


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (no CA trusts it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "replay.pem", directory / "replay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_is_verified_with_the_servers_ca_settings(tmp_path: Path) -> None:
    """An https endpoint whose certificate no CA vouches for is refused; with the operator's bundle it works."""
    cert, key = _self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    replay = gcs_replay.start(tls)
    servers: list[ServerProcess] = []
    try:
        for name, extra in (("untrusted", []), ("trusted", ["--driver-option", f"googlestorage.ca_bundle={cert}"])):
            workdir = tmp_path / name
            workdir.mkdir()
            servers.append(start_deltacloudd(workdir, "--driver-option", f"googlestorage.endpoint={replay.url}",
                                             *extra, driver="googlestorage", timeout=30))
        untrusted, trusted = (requests.get(f"{server.url}/buckets", auth=AUTH, timeout=60,
                                           headers={**JSON, "Connection": "close"}) for server in servers)
        assert untrusted.status_code == 502 and "TLS" in untrusted.text, untrusted.text
        assert trusted.status_code == 200, trusted.text
        assert sorted(b["id"] for b in trusted.json()["buckets"]) == sorted(gcs_replay.recorded_buckets())
    finally:
        for server in servers:
            server.stop()
        replay.stop()
