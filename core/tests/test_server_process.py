"""``deltacloudd`` as a real process: gunicorn serving the mock driver over loopback HTTP and HTTPS."""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from defusedxml import ElementTree

from deltacloud.testing import Deltaclouds, ServerProcess
from deltacloud_driver_mock.clock import FileClock

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
START_TIMEOUT = 15.0  # seconds for a server to answer /api
DELAY = 30  # seconds on the mock's clock an automatic transition takes


@pytest.fixture
def start_server(deltacloudd: Deltaclouds) -> Callable[..., ServerProcess]:
    """Start ``deltacloudd -i mock`` on a free loopback port with its own mock store; stopped at teardown."""

    def start(*extra: str, scheme: str = "http", verify: str | None = None, **env: str) -> ServerProcess:
        context = ssl.create_default_context(cafile=verify) if verify else None
        return deltacloudd.start("--threads", "2", *extra, scheme=scheme, ssl_context=context, env=env,
                                 timeout=START_TIMEOUT)

    return start


def _xml(response: requests.Response) -> ElementTree.Element:
    assert response.headers["Content-Type"].startswith("application/xml"), response.headers
    return ElementTree.fromstring(response.content)


def _state(server: ServerProcess, instance: str) -> str:
    response = requests.get(f"{server.url}/instances/{instance}", auth=AUTH, timeout=5)
    assert response.status_code == 200, response.text
    return _xml(response).findtext("state") or ""


def _advance(server: ServerProcess, clock: FileClock, instance: str, during: str, after: str) -> None:
    """``instance`` stays ``during`` until the clock has moved by the whole delay, then it is ``after``."""
    assert _state(server, instance) == during
    clock.advance(DELAY - 1)
    assert _state(server, instance) == during
    clock.advance(1)
    assert _state(server, instance) == after


def _action(server: ServerProcess, instance: str, action: str, allowed: set[str]) -> None:
    response = requests.post(f"{server.url}/instances/{instance}/{action}", auth=AUTH, timeout=5)
    assert response.status_code == 202, response.text
    element = _xml(response)
    assert element.get("id") == instance
    assert element.findtext("state") in allowed


def test_lifecycle_over_http(start_server: Callable[..., ServerProcess], tmp_path: Path) -> None:
    """Each automatic transition takes DELAY on the mock's clock (a file the test advances): no waiting."""
    clock = FileClock.create(tmp_path / "clock")
    server = start_server("--driver-option", f"mock.clock={clock.path}", DELTACLOUD_MOCK_DELAY=str(DELAY))
    assert "deltacloudd: driver mock on " + server.url in server.output()

    listing = requests.get(f"{server.url}/instances", auth=AUTH, timeout=5)
    assert listing.status_code == 200
    ids = {element.get("id") for element in _xml(listing).findall("instance")}
    assert {"inst0", "inst1", "inst2", "inst3"} <= ids

    created = requests.post(f"{server.url}/instances", data={"image_id": "img1", "hwp_id": "m1-small"},
                            auth=AUTH, timeout=5)
    assert created.status_code == 201, created.text
    new = _xml(created).get("id")
    assert new and new not in ids
    assert created.headers["Location"].endswith(f"/api/instances/{new}")
    assert _xml(created).findtext("state") == "PENDING"
    _advance(server, clock, new, "PENDING", "RUNNING")

    for action, during, after in (("stop", "STOPPING", "STOPPED"), ("start", "PENDING", "RUNNING"),
                                  ("stop", "STOPPING", "STOPPED")):
        _action(server, new, action, {during})
        _advance(server, clock, new, during, after)

    destroyed = requests.delete(f"{server.url}/instances/{new}", auth=AUTH, timeout=5)
    assert destroyed.status_code == 204, destroyed.text
    gone = requests.get(f"{server.url}/instances/{new}", auth=AUTH, timeout=5)
    assert gone.status_code == 404
    after = {element.get("id") for element in _xml(requests.get(f"{server.url}/instances", auth=AUTH,
                                                                timeout=5)).findall("instance")}
    assert new not in after

    # The access log records requests, never the credentials that came with them.
    log = server.output()
    assert "method=POST path=/api/instances status=201 " in log
    assert "mockpassword" not in log
    assert "bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk" not in log  # base64 of mockuser:mockpassword
    assert "mockuser" not in log


def test_wrong_credentials_get_401_with_a_challenge(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server()
    for auth in [("mockuser", "wrong"), None]:
        response = requests.get(f"{server.url}/instances", auth=auth, timeout=5)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert "wrong" not in server.output()


def test_two_servers_side_by_side(start_server: Callable[..., ServerProcess], deltacloudd: Deltaclouds) -> None:
    first = start_server()
    second = start_server()
    assert first.url != second.url
    for server in (first, second):
        assert server.process.poll() is None
        response = requests.get(f"{server.url}/realms", auth=AUTH, timeout=5)
        assert response.status_code == 200
        assert {element.get("id") for element in _xml(response).findall("realm")} >= {"us", "eu"}
    assert "control socket" not in first.output().lower()
    assert "control socket" not in second.output().lower()
    assert (deltacloudd.workdir / "home").is_dir()  # the servers' private HOME, without gunicorn's socket
    assert not (deltacloudd.workdir / "home" / ".gunicorn").exists()


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, from ``openssl`` or else ``cryptography``."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if shutil.which("openssl"):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=60)
        return cert, key
    x509 = pytest.importorskip("cryptography.x509", reason="neither openssl nor cryptography to make a certificate")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


def test_https_with_a_self_signed_certificate(start_server: Callable[..., ServerProcess], tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server = start_server("--ssl-cert", str(cert), "--ssl-key", str(key), scheme="https", verify=str(cert))
    assert server.url.startswith("https://")
    assert f"deltacloudd: driver mock on {server.url}" in server.output()

    response = requests.get(server.url, verify=str(cert), timeout=5)
    assert response.status_code == 200
    # Links are built from the request's own scheme.
    assert "https://127.0.0.1:" in response.text
    listing = requests.get(f"{server.url}/instances", auth=AUTH, verify=str(cert), timeout=5)
    assert listing.status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url.replace("https://", "http://"), timeout=5)
