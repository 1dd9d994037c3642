"""Request coalescing over real HTTP: ``deltacloudd --coalesce`` shares one backend call among identical GETs.

The counting driver (``fixtures/counting_driver.py``) writes one line per backend call to a file
and takes 0.3 s per call, so concurrent pollers overlap; the file is the backend's own count.
"""

from __future__ import annotations

import base64
import concurrent.futures
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltacloud.testing import Deltaclouds, ServerProcess, installed_entry_point

FIXTURES = Path(__file__).parent / "fixtures"
POLLERS = 12


@pytest.fixture
def counting(tmp_path: Path) -> Iterator[Path]:
    """The counting driver installed as the entry point ``counting``; yields its directory."""
    shutil.copy(FIXTURES / "counting_driver.py", tmp_path / "counting_driver.py")
    with installed_entry_point(tmp_path, "counting", "counting_driver:CountingDriver"):
        yield tmp_path


def _start(deltacloudd: Deltaclouds, directory: Path, *args: str) -> tuple[ServerProcess, Path]:
    log = directory / "calls.log"
    log.write_text("")
    server = deltacloudd.start("--log", "off", "--threads", "32", *args, driver="counting", pythonpath=[directory],
                               env={"COUNTING_LOG": str(log), "COUNTING_DELAY": "0.3"})
    return server, log


def _headers(user: str, **extra: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:p".encode()).decode(), **extra}


def _get(url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def _together(calls: list[tuple[str, dict[str, str]]]) -> list[tuple[int, bytes, dict[str, str]]]:
    """All the GETs at once: each thread waits at a barrier, then sends its request."""
    barrier = threading.Barrier(len(calls), timeout=30)

    def one(call: tuple[str, dict[str, str]]) -> tuple[int, bytes, dict[str, str]]:
        barrier.wait()
        return _get(*call)

    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def _calls(log: Path, what: str = "instances") -> list[str]:
    return [line.split()[1] for line in log.read_text().splitlines() if line.split()[0] == what]


def _create(server: ServerProcess, user: str) -> None:
    request = urllib.request.Request(f"{server.url}/instances", data=b"image_id=i1", headers=_headers(user))
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def test_identical_concurrent_gets_share_one_backend_call(deltacloudd, counting):
    server, log = _start(deltacloudd, counting, "--coalesce", "5")
    _create(server, "alice")
    answers = _together([(f"{server.url}/instances", _headers("alice"))] * POLLERS)
    assert [status for status, _, _ in answers] == [200] * POLLERS
    assert len({body for _, body, _ in answers}) == 1
    assert b"alice-vm1" in answers[0][1]
    assert _calls(log) == ["alice"]


def test_without_the_flag_every_get_calls_the_backend(deltacloudd, counting):
    server, log = _start(deltacloudd, counting)
    answers = _together([(f"{server.url}/instances", _headers("alice"))] * POLLERS)
    assert [status for status, _, _ in answers] == [200] * POLLERS
    assert _calls(log) == ["alice"] * POLLERS


def test_answers_are_never_shared_across_credentials(deltacloudd, counting):
    server, log = _start(deltacloudd, counting, "--coalesce", "5")
    _create(server, "alice")
    _create(server, "bob")
    users = ["alice", "bob"] * (POLLERS // 2)
    answers = _together([(f"{server.url}/instances", _headers(user)) for user in users])
    for user, (status, body, _) in zip(users, answers, strict=True):
        other = "bob" if user == "alice" else "alice"
        assert status == 200 and f"{user}-vm1".encode() in body and f"{other}-vm1".encode() not in body
    assert sorted(_calls(log)) == ["alice", "bob"]
    wrong = _get(f"{server.url}/instances", {"Authorization": "Basic " + base64.b64encode(b"alice:x").decode()})
    assert wrong[0] == 401  # the same user with another password does not get alice's answer


def test_a_change_through_the_server_is_visible_in_the_next_answer(deltacloudd, counting):
    server, log = _start(deltacloudd, counting, "--coalesce", "30")
    assert b"alice-vm1" not in _get(f"{server.url}/instances", _headers("alice"))[1]
    assert b"alice-vm1" not in _get(f"{server.url}/instances", _headers("alice"))[1]
    assert _calls(log) == ["alice"]  # the second answer was the kept one
    _create(server, "alice")
    assert b"alice-vm1" in _get(f"{server.url}/instances", _headers("alice"))[1]
    assert _calls(log) == ["alice", "alice"]


def test_each_poller_gets_its_own_304(deltacloudd, counting):
    server, log = _start(deltacloudd, counting, "--coalesce", "5")
    first = _get(f"{server.url}/instances", _headers("alice"))
    assert first[0] == 200
    etag = first[2]["etag"]
    half = POLLERS // 2
    answers = _together([(f"{server.url}/instances", _headers("alice", **{"If-None-Match": etag}))] * half
                        + [(f"{server.url}/instances", _headers("alice"))] * half)
    assert [status for status, _, _ in answers] == [304] * half + [200] * half
    assert all(body == b"" for _, body, _ in answers[:half])
    assert all(headers["etag"] == etag for _, _, headers in answers)
    assert _calls(log) == ["alice"]


def test_other_formats_and_collections_are_other_requests(deltacloudd, counting):
    server, log = _start(deltacloudd, counting, "--coalesce", "5")
    answers = _together([(f"{server.url}/instances", _headers("alice")),
                         (f"{server.url}/instances", _headers("alice", Accept="application/json")),
                         (f"{server.url}/images", _headers("alice"))])
    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert answers[0][1].startswith(b"<?xml") and answers[1][1].startswith(b"{")
    assert _calls(log) == ["alice", "alice"] and _calls(log, "images") == ["alice"]
