"""TLS to the engine is always verified: an engine with a self-signed certificate is refused (502) until the
operator gives its CA, server-wide (``ca_bundle``) or for this driver only (driver option ``ca_bundle``)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
import requests
from rhevm_fake import FakeEngine, LoopbackServer, seeded, serve
from rhevm_helpers import PASSWORD, USER

from deltacloud import loader
from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a certificate for 127.0.0.1")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "engine.pem", directory / "engine.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_engine(certificate: tuple[Path, Path]) -> Iterator[LoopbackServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = serve(FakeEngine(seeded(users={USER: PASSWORD})), tls=context)
    try:
        yield server
    finally:
        server.stop()


def _realms(config: ServerConfig, engine: LoopbackServer, restore: ServerConfig) -> requests.Response:
    api = serve(create_app(config))
    try:
        return requests.get(f"{api.url}/api/realms", auth=(USER, PASSWORD), timeout=30)
    finally:
        api.stop()
        loader.configure(restore)


def test_an_untrusted_engine_is_refused(tls_engine: LoopbackServer, api_config: ServerConfig) -> None:
    provider = f"{tls_engine.url}/ovirt-engine/api;dc-0001"
    response = _realms(ServerConfig(driver="rhevm", provider=provider), tls_engine, api_config)
    assert response.status_code == 502
    assert "TLS" in ET.fromstring(response.content).findtext("message")


@pytest.mark.parametrize("where", ["server", "driver option"])
def test_a_trusted_engine_answers(tls_engine: LoopbackServer, certificate: tuple[Path, Path],
                                  api_config: ServerConfig, where: str) -> None:
    provider = f"{tls_engine.url}/ovirt-engine/api;dc-0001"
    bundle = str(certificate[0])
    config = (ServerConfig(driver="rhevm", provider=provider, ca_bundle=bundle) if where == "server" else
              ServerConfig(driver="rhevm", provider=provider, driver_options={"rhevm": {"ca_bundle": bundle}}))
    response = _realms(config, tls_engine, api_config)
    assert response.status_code == 200, response.text
    assert [r.get("id") for r in ET.fromstring(response.content).findall("realm")] == ["cl-0001"]
