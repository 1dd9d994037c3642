"""TLS to the cloud: always verified, trusting the system's CAs unless the operator names a CA bundle.

The loopback cloud serves HTTPS with a self-signed certificate: untrusted, it is a 502 (and the
read is not retried: a certificate does not get better); with the certificate as the CA bundle
(``ServerConfig.ca_bundle``, the driver option ``ca_bundle``, ``deltacloudd --ca-bundle``) it works.
"""

from __future__ import annotations

import pytest
import requests

JSON = {"Accept": "application/json"}
TIMEOUT = 30


def realms(url: str, auth: tuple[str, str]) -> requests.Response:
    """``GET /api/realms`` as JSON."""
    return requests.get(f"{url}/realms", auth=auth, headers=JSON, timeout=TIMEOUT)


def test_an_untrusted_certificate_is_a_502(start_app, tls_cloud, alice) -> None:
    url = start_app(provider=tls_cloud.url)
    response = realms(url, alice)
    assert response.status_code == 502
    assert response.json()["message"] == ("TinyCloud: the TLS connection failed (certificate not trusted or "
                                          "handshake refused)")
    assert tls_cloud.count() == 0  # the handshake failed: no request reached the cloud


def test_the_servers_ca_bundle_is_trusted(start_app, tls_cloud, alice) -> None:
    url = start_app(provider=tls_cloud.url, ca_bundle=tls_cloud.ca)
    assert realms(url, alice).status_code == 200
    assert tls_cloud.count("GET /realms", user="alice") == 1


def test_the_drivers_own_ca_bundle_option_is_trusted(start_app, tls_cloud, alice) -> None:
    url = start_app(provider=tls_cloud.url, driver_options={"tiny": {"ca_bundle": tls_cloud.ca}})
    assert realms(url, alice).status_code == 200


@pytest.mark.slow
def test_deltacloudd_ca_bundle(start_server, tls_cloud, alice) -> None:
    untrusting = start_server("-P", tls_cloud.url)
    assert realms(untrusting.url, alice).status_code == 502
    trusting = start_server("-P", tls_cloud.url, "--ca-bundle", tls_cloud.ca)
    assert realms(trusting.url, alice).status_code == 200
