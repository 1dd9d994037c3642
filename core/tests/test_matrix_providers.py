"""A provider that is a URL rides a matrix parameter when percent-encoded (``;provider=https%3A%2F%2F…``).

WSGI hands the app a decoded path, where the URL's slashes would split it into segments; the
server reads matrix parameters from the path as the client sent it (``RAW_URI``). Through a real
``deltacloudd``: the encoded provider arrives whole, and as a client-sent loopback URL it meets the
provider-URL safety rule (400), unless the operator allows private providers.
"""

from __future__ import annotations

import http.client
from urllib.parse import quote

import pytest
from defusedxml import ElementTree

from deltacloud.testing import deltacloudd_fixture

pytestmark = pytest.mark.slow

deltacloudd = deltacloudd_fixture()
PROVIDER = "http://127.0.0.1:9/engine/api;dc-1"


def get(url: str, path: str) -> http.client.HTTPResponse:
    host = url.split("//", 1)[1].split("/", 1)[0]
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("GET", path, headers={"Authorization": "Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk"})
    return connection.getresponse()


def test_an_encoded_url_provider_in_a_matrix_parameter_arrives_whole(deltacloudd):
    server = deltacloudd.start("--allow-private-providers")
    response = get(server.url, f"/api;driver=mock;provider={quote(PROVIDER, safe='')}/realms")
    assert response.status == 200, response.read()[:300]
    assert response.getheader("X-Deltacloud-Provider") == PROVIDER
    assert ElementTree.fromstring(response.read()).tag == "realms"


def test_the_same_provider_sent_by_a_client_meets_the_safety_rule(deltacloudd):
    server = deltacloudd.start()
    response = get(server.url, f"/api;driver=mock;provider={quote(PROVIDER, safe='')}/realms")
    body = ElementTree.fromstring(response.read())
    assert response.status == 400 and "provider" in body.findtext("message").lower()
