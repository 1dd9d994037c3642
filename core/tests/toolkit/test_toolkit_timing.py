"""Backend calls are counted per request, also when requests overlap in one server process.

Requests that make 0, 1 and 4 backend calls run at the same time, in the in-process app and in a
real ``deltacloudd`` (its thread pool); each answer's ``X-Backend-Calls`` and ``Server-Timing``
describe that request alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import requests

JSON = {"Accept": "application/json"}
TIMEOUT = 30
ROUNDS = 4


def overlapping(url: str, auth: tuple[str, str]) -> list[tuple[str, int, str | None, float]]:
    """Run three kinds of request side by side; (kind, status, X-Backend-Calls, backend ms) of each answer."""
    calls: dict[str, Callable[[], requests.Response]] = {
        "none": lambda: requests.get(f"{url}/instance_states", auth=auth, headers=JSON, timeout=TIMEOUT),
        "one": lambda: requests.get(f"{url}/realms", auth=auth, headers=JSON, timeout=TIMEOUT),
        "four": lambda: requests.post(f"{url}/instances", auth=auth, headers=JSON, timeout=TIMEOUT,
                                      data={"image_id": "img1", "realm_id": "r1", "hwp_id": "small"}),
    }
    seen: list[tuple[str, int, str | None, float]] = []
    lock = threading.Lock()

    def run(kind: str) -> None:
        for _ in range(ROUNDS):
            response = calls[kind]()
            timing = dict(part.strip().split(";dur=") for part in response.headers["Server-Timing"].split(","))
            with lock:
                seen.append((kind, response.status_code, response.headers.get("X-Backend-Calls"),
                             float(timing["backend"])))

    threads = [threading.Thread(target=run, args=(kind,)) for kind in calls for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * ROUNDS)
    return seen


def check(seen: list[tuple[str, int, str | None, float]], delay_ms: float) -> None:
    """Each answer counts its own calls, and at least the cloud's delay per call."""
    assert len(seen) == 3 * 2 * ROUNDS
    expected = {"none": None, "one": "1", "four": "4"}
    for kind, status, calls, backend_ms in seen:
        assert status in (200, 201), (kind, status)
        assert calls == expected[kind], (kind, calls)
        if calls is not None:
            assert backend_ms >= int(calls) * delay_ms, (kind, backend_ms)


def test_overlapping_requests_in_the_app(start_app, cloud, alice) -> None:
    url = start_app()
    cloud.delay = 0.02
    check(overlapping(url, alice), 20)
    assert cloud.count("POST /servers") == 2 * ROUNDS


@pytest.mark.slow
def test_overlapping_requests_in_deltacloudd(start_server, cloud, alice) -> None:
    server = start_server("-P", cloud.url)
    cloud.delay = 0.02
    check(overlapping(server.url, alice), 20)
    assert cloud.count("POST /servers") == 2 * ROUNDS
