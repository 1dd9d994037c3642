"""The provider-URL safety rule, both ways, over real HTTP.

A provider a client sends (``X-Deltacloud-Provider`` or ``;provider=``) that names a loopback,
private or link-local address is a 400, before any connection: the loopback cloud sees nothing.
The operator's ``-P`` provider, the driver's ``providers_known`` and ``allow_private_providers``
(``ServerConfig``, ``deltacloudd --allow-private-providers``, ``DELTACLOUD_ALLOW_PRIVATE_PROVIDERS=1``)
let the same loopback provider through. Only 127.0.0.1 ever receives traffic: the private
addresses are refused before any, and the tiny driver itself refuses to connect anywhere else.
"""

from __future__ import annotations

import pytest
import requests

from deltacloud.driver.safety import REFUSED

JSON = {"Accept": "application/json"}
TIMEOUT = 30

#: Providers naming internal networks; none of them is ever connected to (see the module's docstring).
PRIVATE = ["10.1.2.3:80", "172.16.0.9:443", "192.168.1.1:8080", "169.254.169.254:80", "[::1]:80", "localhost:80",
           "0.0.0.0:80", "[fe80::1]:80", "[::ffff:10.0.0.1]:80", "http://10.0.0.1/", "https://169.254.169.254/latest/",
           "http://[::1]:8080/", "api.localhost:80",
           # loopback in the numeric forms the C library reads without asking DNS
           "127.1:80", "2130706433:80", "0x7f000001:80", "http://user@127.0.0.1:80/"]


def via_header(url: str, provider: str, auth: tuple[str, str], path: str = "/realms") -> requests.Response:
    """A request naming its provider in ``X-Deltacloud-Provider``."""
    return requests.get(f"{url}{path}", auth=auth, headers={**JSON, "X-Deltacloud-Provider": provider},
                        timeout=TIMEOUT)


def via_matrix(url: str, provider: str, auth: tuple[str, str], path: str = "/realms") -> requests.Response:
    """A request naming its provider in the ``;provider=`` matrix parameter of ``/api``."""
    return requests.get(f"{url};provider={provider}{path}", auth=auth, headers=JSON, timeout=TIMEOUT)


def assert_refused(response: requests.Response) -> None:
    """A 400 with the one refusal message, whatever the address (it tells nothing about what listens there)."""
    assert response.status_code == 400, response.text
    assert response.json()["message"] == REFUSED


@pytest.mark.parametrize("send", [via_header, via_matrix])
def test_a_client_sent_loopback_provider_is_refused_without_traffic(start_app, cloud, alice, send) -> None:
    url = start_app()
    assert_refused(send(url, cloud.hostport, alice))
    assert_refused(send(url, cloud.hostport, alice, path=""))  # /api itself
    assert cloud.count() == 0


def test_a_client_sent_loopback_url_is_refused_without_traffic(start_app, cloud, alice) -> None:
    url = start_app(provider=None)  # the operator configured no provider: the cloud's URL comes from the client
    for provider in (cloud.url, f"http://localhost:{cloud.port}/", f"http://[::ffff:127.0.0.1]:{cloud.port}/"):
        assert_refused(via_header(url, provider, alice))
    assert_refused(requests.post(f"{url}/keys", auth=alice, data={"name": "k"}, timeout=TIMEOUT,
                                 headers={**JSON, "X-Deltacloud-Provider": cloud.url}))
    assert cloud.count() == 0 and cloud.keys == {}


@pytest.mark.parametrize("provider", PRIVATE)
def test_private_networks_are_refused_alike(start_app, cloud, alice, provider) -> None:
    url = start_app()
    assert_refused(via_header(url, provider, alice))
    if "/" not in provider:  # a URL does not fit in a path segment
        assert_refused(via_matrix(url, provider, alice))
    assert cloud.count() == 0


def test_the_operators_provider_is_trusted(start_app, cloud, alice) -> None:
    url = start_app(provider=cloud.url)
    assert requests.get(f"{url}/realms", auth=alice, headers=JSON, timeout=TIMEOUT).status_code == 200
    assert via_header(url, cloud.url, alice).status_code == 200  # the client naming the operator's own provider
    assert cloud.count("GET /realms") == 2


@pytest.mark.parametrize("send", [via_header, via_matrix])
def test_allow_private_providers_lets_a_client_name_loopback(start_app, cloud, alice, send) -> None:
    url = start_app(provider=None, allow_private_providers=True)
    response = send(url, cloud.hostport, alice)
    assert response.status_code == 200, response.text
    assert response.headers["X-Deltacloud-Provider"] == cloud.hostport
    assert cloud.count("GET /realms", user="alice") == 1


def test_a_provider_the_driver_knows_is_trusted(start_app, cloud, alice) -> None:
    url = start_app(provider=None, driver_options={"tiny": {"known": cloud.hostport}})
    assert via_matrix(url, cloud.hostport, alice).status_code == 200
    assert via_header(url, cloud.hostport, alice).status_code == 200
    assert cloud.count("GET /realms") == 2
    other = f"127.0.0.1:{cloud.port + 1 if cloud.port < 65535 else cloud.port - 1}"
    assert_refused(via_header(url, other, alice))  # only the listed provider, not its neighbours
    assert cloud.count() == 2


@pytest.mark.slow
def test_deltacloudd_refuses_then_allows_with_the_flag_or_the_environment(start_server, cloud, alice) -> None:
    refusing = start_server("-P", cloud.url)
    assert requests.get(f"{refusing.url}/realms", auth=alice, headers=JSON, timeout=TIMEOUT).status_code == 200
    assert_refused(via_matrix(refusing.url, cloud.hostport, alice))
    assert cloud.count() == 1
    by_flag = start_server("--allow-private-providers")
    assert via_matrix(by_flag.url, cloud.hostport, alice).status_code == 200
    by_env = start_server(DELTACLOUD_ALLOW_PRIVATE_PROVIDERS="1")
    assert via_header(by_env.url, cloud.hostport, alice).status_code == 200
    assert cloud.count() == 3


def test_a_public_address_passes_the_rule(start_app, cloud, alice) -> None:
    """The rule refuses internal networks only: a public address reaches the driver (whose test guard stops it)."""
    url = start_app()
    response = via_header(url, "1.1.1.1:80", alice)
    assert response.status_code == 502  # not the rule's 400: the tiny driver's own loopback-only guard
    assert response.json()["message"] == "TinyCloud test driver talks to 127.0.0.1 only"
    assert cloud.count() == 0


def test_a_provider_that_is_not_a_url_is_a_400(start_app, cloud, alice) -> None:
    url = start_app()
    response = via_header(url, "http://[::1", alice)
    assert response.status_code == 400
    assert "provider" in response.json()["message"]
    assert cloud.count() == 0
