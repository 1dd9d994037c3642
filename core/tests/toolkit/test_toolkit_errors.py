"""The tiny driver's error table over real HTTP: the cloud's own codes become the core's statuses.

Every answer is also checked for the user's secret, which must never show, nor in the server log.
"""

from __future__ import annotations

import logging
import socket

import pytest
import requests

from deltacloud.driver.toolkit import DEFAULT_RETRY_AFTER

JSON = {"Accept": "application/json"}
TIMEOUT = 30


def create_key(url: str, auth: tuple[str, str]) -> requests.Response:
    """``POST /api/keys``: one write to the cloud, never retried, so each scripted reply is used once."""
    return requests.post(f"{url}/keys", auth=auth, headers=JSON, data={"name": "k1"}, timeout=TIMEOUT)


def no_secret(response: requests.Response, secret: str) -> None:
    """The secret is in neither the body nor any header of an answer."""
    assert secret not in response.text
    assert all(secret not in value for value in response.headers.values())


@pytest.mark.parametrize(("http_status", "code", "expected"), [
    (403, "Auth.Denied", 401),     # the code wins over the cloud's HTTP status
    (400, "Access.Denied", 403),
    (400, "Key.Missing", 404),     # a glob pattern of the table ("*.Missing")
    (500, "Name.Taken", 409),
    (422, "Bad.Name", 400),
    (404, "", 404),                # no code: the HTTP status decides
    (409, "", 409),
    (500, "Something.Odd", 502),   # neither code nor status known: the cloud failed
])
def test_the_clouds_codes_map_through_the_table(start_app, cloud, alice, caplog, http_status, code,
                                                expected) -> None:
    url = start_app()
    cloud.script("POST /keys", (http_status, {"error": {"code": code, "message": "as the cloud says"}}, {}))
    with caplog.at_level(logging.DEBUG):
        response = create_key(url, alice)
    assert response.status_code == expected, response.text
    message = response.json()["message"]
    assert "TinyCloud" in message
    if expected not in (401,):
        assert code in message
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
    no_secret(response, alice[1])
    assert alice[1] not in caplog.text
    assert cloud.count("POST /keys") == 1


def test_throttling_is_503_with_the_clouds_retry_after(start_app, cloud, alice) -> None:
    url = start_app()
    cloud.script("POST /keys", (400, {"error": {"code": "Slow.Down", "message": "rate exceeded"}},
                                {"Retry-After": "9"}))
    response = create_key(url, alice)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "9"
    assert "retry later" in response.json()["message"]
    no_secret(response, alice[1])


def test_throttling_without_a_retry_after_gets_the_default(start_app, cloud, alice) -> None:
    url = start_app()
    cloud.script("POST /keys", (429, b"", {}))
    response = create_key(url, alice)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(DEFAULT_RETRY_AFTER)


def test_refused_credentials_are_401_without_the_password(start_app, cloud, alice) -> None:
    url = start_app()
    wrong = ("alice", "wrong-Pa55word-xyz")
    response = requests.get(f"{url}/realms", auth=wrong, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 401
    assert response.json()["message"] == "TinyCloud refused the credentials (Auth.Denied)"
    no_secret(response, wrong[1])
    assert cloud.count("GET /realms", user="alice") == 1  # a refusal is not retried


def test_a_cloud_echoing_the_secret_does_not_leak_it(start_app, cloud, alice, caplog) -> None:
    url = start_app()
    echo = f"signature of alice:{alice[1]} does not match"
    cloud.script("POST /keys", (400, {"error": {"code": "Bad.Signature", "message": echo}}, {}))
    with caplog.at_level(logging.DEBUG):
        response = create_key(url, alice)
    assert response.status_code == 400
    assert "Bad.Signature" in response.json()["message"]
    no_secret(response, alice[1])
    assert alice[1] not in caplog.text
    cloud.script("GET /realms", (200, f"<p>hello alice:{alice[1]}</p>".encode(), {"Content-Type": "text/html"}))
    response = requests.get(f"{url}/realms", auth=alice, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 502 and "not JSON" in response.json()["message"]
    no_secret(response, alice[1])


def test_a_body_that_is_not_json_is_a_502_naming_the_cloud(start_app, cloud, alice) -> None:
    url = start_app()
    cloud.script("GET /realms", (200, b"<html><body>Down for maintenance</body></html>", {"Content-Type": "text/html"}))
    response = requests.get(f"{url}/realms", auth=alice, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 502
    message = response.json()["message"]
    assert message.startswith("TinyCloud answered something that is not JSON")
    assert "Down for maintenance" in message  # a short quote helps the operator
    no_secret(response, alice[1])


def test_connection_refused_is_a_502(start_app, alice, caplog) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = start_app(provider=f"http://127.0.0.1:{port}/")
    with caplog.at_level(logging.DEBUG):
        response = requests.get(f"{url}/realms", auth=alice, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 502
    assert response.json()["message"] == "TinyCloud could not be reached"
    no_secret(response, alice[1])
    assert alice[1] not in caplog.text


def test_a_missing_object_is_404_and_an_invalid_request_400(start_app, cloud, alice) -> None:
    """The cloud's own answers (no script): an unknown instance, a DELETE of an unknown key."""
    url = start_app()
    response = requests.get(f"{url}/instances/s404", auth=alice, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 404
    assert response.json()["message"] == "TinyCloud: Server.Missing: Server s404 does not exist"
    response = requests.delete(f"{url}/keys/k404", auth=alice, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 404
    assert cloud.count("DELETE /keys/k404") == 1


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_is_neither_followed_nor_taken_for_an_answer(start_app, cloud, alice, status) -> None:
    url = start_app()
    cloud.script("GET /realms", (status, [], {"Location": f"{cloud.url}elsewhere"}))
    response = requests.get(f"{url}/realms", auth=alice, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 502
    assert response.json()["message"] == f"TinyCloud redirected (HTTP {status}) instead of answering"
    assert cloud.routes() == ["GET /realms"]  # not followed


def test_driver_translating_uses_the_drivers_own_translation() -> None:
    """``Driver.translating``: the driver's ``translate_error`` decides; core errors and the rest pass unchanged."""
    from deltacloud.driver import Driver
    from deltacloud.errors import BackendError, NotFoundError

    class Translating(Driver):  # only what translating() needs: the abstract collections are never called
        @classmethod
        def translate_error(cls, error: Exception) -> BackendError | None:
            return BackendError(f"cloud said {error}") if isinstance(error, OSError) else None

    Translating.__abstractmethods__ = frozenset()
    driver = Translating(None)
    with pytest.raises(BackendError, match="cloud said boom") as raised, driver.translating():
        raise OSError("boom")
    assert isinstance(raised.value.__cause__, OSError)
    with pytest.raises(NotFoundError), driver.translating():
        raise NotFoundError("gone")
    with pytest.raises(KeyError), driver.translating():
        raise KeyError("not the cloud's")
