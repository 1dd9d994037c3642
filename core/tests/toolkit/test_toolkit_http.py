"""The backend toolkit over real HTTP: the tiny driver behind the real app, in front of a loopback JSON cloud.

Pooling per credentials, connect and read timeouts from the settings, reads retried with backoff
but writes never, and backend time in ``Server-Timing`` and ``X-Backend-Calls``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from deltacloud.driver.toolkit.retry import BACKOFF, READ_ATTEMPTS

JSON = {"Accept": "application/json"}
TIMEOUT = 30  # seconds a test client waits for the API (never reached by a passing test)


def get(url: str, auth: tuple[str, str], **kwargs) -> requests.Response:
    """A GET of the API as JSON."""
    return requests.get(url, auth=auth, headers=JSON, timeout=TIMEOUT, **kwargs)


def post(url: str, auth: tuple[str, str], data: dict[str, str]) -> requests.Response:
    """A form POST to the API, answered as JSON."""
    return requests.post(url, auth=auth, headers=JSON, data=data, timeout=TIMEOUT)


def timed(call) -> tuple[requests.Response, float]:
    """A response and the seconds it took."""
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.fixture
def full_backlog() -> Iterator[str]:
    """A loopback URL whose listening socket never accepts and whose queue is full: connecting hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    probe = socket.socket()
    probe.settimeout(0.5)
    try:
        probe.connect(("127.0.0.1", port))
        hangs = False
    except (TimeoutError, OSError):
        hangs = True
    finally:
        probe.close()
    try:
        if not hangs:
            pytest.skip("this kernel accepts connections beyond a full listen queue: no hanging connect on loopback")
        yield f"http://127.0.0.1:{port}/"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


# -- pooling per credentials ------------------------------------------------------------------


def test_one_user_reuses_one_pooled_session(start_app, cloud, kit, alice) -> None:
    url = start_app()
    for _ in range(4):
        assert get(f"{url}/realms", alice).status_code == 200
    assert cloud.count("GET /realms", user="alice") == 4
    assert kit.POOL.created == 1
    assert len(cloud.users_per_connection()) == 1  # one kept-alive connection served all four


def test_two_users_never_share_a_session(start_app, cloud, kit, alice, bob) -> None:
    url = start_app()
    for _ in range(3):
        assert get(f"{url}/realms", alice).status_code == 200
        assert get(f"{url}/images", bob).status_code == 200
    assert kit.POOL.created == 2
    connections = cloud.users_per_connection()
    assert all(len(users) == 1 for users in connections.values()), connections
    assert {user for users in connections.values() for user in users} == {"alice", "bob"}


def test_a_changed_password_gets_a_session_of_its_own(start_app, cloud, kit, alice) -> None:
    url = start_app()
    assert get(f"{url}/realms", alice).status_code == 200
    assert get(f"{url}/realms", ("alice", "an-old-password")).status_code == 401
    assert get(f"{url}/realms", alice).status_code == 200
    assert kit.POOL.created == 2
    ids = [s.connection for s in cloud.seen]
    assert ids[0] == ids[2] != ids[1]


def test_concurrent_users_stay_apart(start_app, cloud, kit, alice, bob) -> None:
    url = start_app()
    cloud.delay = 0.05  # requests overlap
    statuses: list[int] = []

    def run(auth: tuple[str, str]) -> None:
        for _ in range(3):
            statuses.append(get(f"{url}/realms", auth).status_code)

    threads = [threading.Thread(target=run, args=(auth,)) for auth in (alice, bob, alice, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert statuses == [200] * 12
    connections = cloud.users_per_connection()
    assert all(len(users) == 1 for users in connections.values()), connections
    assert kit.POOL.created == len(connections) >= 2


# -- timeouts ---------------------------------------------------------------------------------


def test_a_hanging_read_is_a_504_after_one_read_timeout(start_app, cloud, alice) -> None:
    url = start_app(backend_timeout=0.3)
    cloud.script("GET /realms", "hang", "hang", "hang")
    response, seconds = timed(lambda: get(f"{url}/realms", alice))
    assert response.status_code == 504
    assert "TinyCloud did not answer in time" in response.json()["message"]
    assert cloud.count("GET /realms") == 1  # a timeout is not tried again: the client waits one timeout, not three
    assert seconds < cloud.hang_seconds / 2  # the API gave up long before the cloud would have answered


def test_a_hanging_write_is_one_request_and_a_504(start_app, cloud, alice) -> None:
    url = start_app(backend_timeout=0.3)
    cloud.script("POST /keys", "hang")
    response, seconds = timed(lambda: post(f"{url}/keys", alice, {"name": "k1"}))
    assert response.status_code == 504
    assert cloud.count("POST /keys") == 1  # a write is never repeated
    assert seconds < cloud.hang_seconds / 2


def test_the_read_timeout_is_the_configured_one(start_app, cloud, alice) -> None:
    """The same hanging write under two settings: the shorter timeout answers sooner (relative, not absolute)."""
    measured = []
    for timeout in (0.2, 1.5):
        url = start_app(backend_timeout=timeout)
        cloud.script("POST /keys", "hang")
        response, seconds = timed(lambda: post(f"{url}/keys", alice, {"name": "k1"}))  # noqa: B023
        assert response.status_code == 504
        measured.append(seconds)
    assert measured[0] < measured[1]


def test_a_connect_that_hangs_is_a_504_after_the_connect_timeout(start_app, full_backlog, alice) -> None:
    url = start_app(provider=full_backlog, connect_timeout=0.2, backend_timeout=60)
    response, seconds = timed(lambda: get(f"{url}/realms", alice))
    assert response.status_code == 504
    assert "did not answer in time" in response.json()["message"]
    assert seconds < 60 / 2  # the connect timeout ended it, not the read timeout


# -- retries: reads with backoff, writes never ------------------------------------------------


def test_a_read_that_gets_503_then_200_succeeds(start_app, cloud, alice) -> None:
    url = start_app()
    cloud.script("GET /realms", (503, {"error": {"code": "Slow.Down", "message": "busy"}}, {}))
    response = get(f"{url}/realms", alice)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["realms"]] == ["r1", "r2"]
    assert cloud.count("GET /realms") == 2
    assert response.headers["X-Backend-Calls"] == "2"
    first, second = (s.at for s in cloud.seen)
    assert second - first >= BACKOFF  # it waited before trying again


def test_reads_back_off_and_give_up_with_the_clouds_retry_after(start_app, cloud, alice) -> None:
    url = start_app()
    busy = {"error": {"code": "Slow.Down", "message": "busy"}}
    cloud.script("GET /images", (503, busy, {"Retry-After": "0"}), (502, b"bad gateway", {}),
                 (503, busy, {"Retry-After": "7"}))
    response = get(f"{url}/images", alice)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert cloud.count("GET /images") == READ_ATTEMPTS
    times = [s.at for s in cloud.seen]
    assert times[1] - times[0] >= BACKOFF and times[2] - times[1] >= 2 * BACKOFF  # exponential backoff


def test_a_write_that_gets_503_is_not_repeated(start_app, cloud, alice) -> None:
    url = start_app()
    cloud.script("POST /keys", (503, {"error": {"code": "Slow.Down", "message": "busy"}}, {"Retry-After": "7"}))
    response = post(f"{url}/keys", alice, {"name": "k1"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert cloud.count("POST /keys") == 1
    assert response.headers["X-Backend-Calls"] == "1"
    assert cloud.keys == {}


# -- Server-Timing and X-Backend-Calls --------------------------------------------------------


def test_backend_time_and_calls_are_reported(start_app, cloud, alice) -> None:
    url = start_app()
    cloud.delay = 0.15
    response = get(f"{url}/realms", alice)
    assert response.status_code == 200
    timing = dict(part.strip().split(";dur=") for part in response.headers["Server-Timing"].split(","))
    assert float(timing["backend"]) >= 150  # at least the time the cloud took
    assert float(timing["backend"]) <= float(timing["total"])
    assert response.headers["X-Backend-Calls"] == "1" and cloud.count() == 1


def test_no_backend_calls_no_backend_time(start_app, cloud, alice) -> None:
    url = start_app()
    response = get(f"{url}/instance_states", alice)
    assert response.status_code == 200
    assert "X-Backend-Calls" not in response.headers
    assert cloud.count() == 0
