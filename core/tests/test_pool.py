"""``deltacloud.pool.ThreadPool``: the threads that run a worker's requests, driven with real threads."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from deltacloud.pool import ThreadPool

WAIT = 10  # seconds any wait in these tests may take at most (they take milliseconds)


def _until(condition: object) -> None:
    """Wait (bounded) until ``condition()`` holds."""
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.001)


def test_jobs_run_in_the_order_given() -> None:
    pool = ThreadPool(1)
    ran: list[int] = []
    for n in range(50):
        pool.submit(lambda n=n: ran.append(n))
    pool.shutdown(wait=True)
    assert ran == list(range(50))


def test_one_job_at_a_time_keeps_to_one_thread() -> None:
    pool = ThreadPool(4)
    names: list[str] = []
    assert pool.started == 0  # nothing before the first job
    for _ in range(20):
        done = threading.Event()
        pool.submit(lambda done=done: (names.append(threading.current_thread().name), done.set()))
        assert done.wait(WAIT)
        _until(lambda: pool.idle == 1)
    pool.shutdown(wait=True)
    assert set(names) == {"deltacloud_0"} and pool.started == 1


def test_as_many_jobs_run_at_once_as_there_are_threads_the_rest_wait() -> None:
    pool = ThreadPool(3)
    together = threading.Barrier(3, timeout=WAIT)
    gate = threading.Event()
    met: list[str] = []
    later: list[int] = []
    for _ in range(3):
        pool.submit(lambda: met.append(threading.current_thread().name) if together.wait() >= 0 else None)
    for n in range(5):
        pool.submit(lambda n=n: later.append(n) if gate.wait(WAIT) else None)
    _until(lambda: len(met) == 3)
    assert sorted(met) == ["deltacloud_0", "deltacloud_1", "deltacloud_2"] and pool.started == 3
    gate.set()
    pool.shutdown(wait=True)
    assert sorted(later) == list(range(5)) and pool.started == 3


def test_a_job_goes_to_the_thread_idle_most_recently() -> None:
    pool = ThreadPool(2)
    first, second = threading.Event(), threading.Event()
    pool.submit(lambda: first.wait(WAIT))  # deltacloud_0
    pool.submit(lambda: second.wait(WAIT))  # deltacloud_1
    _until(lambda: pool.started == 2)
    second.set()
    _until(lambda: pool.idle == 1)
    first.set()
    _until(lambda: pool.idle == 2)  # deltacloud_0 idle last
    ran = threading.Event()
    names: list[str] = []
    pool.submit(lambda: (names.append(threading.current_thread().name), ran.set()))
    assert ran.wait(WAIT)
    pool.shutdown(wait=True)
    assert names == ["deltacloud_0"]


def test_a_failing_job_is_logged_and_the_thread_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    pool = ThreadPool(1, name="failing")
    after = threading.Event()

    def broken() -> None:
        raise LookupError("job broke")

    with caplog.at_level(logging.ERROR, logger="deltacloud.pool"):
        pool.submit(broken)
        pool.submit(after.set)
        assert after.wait(WAIT)
    pool.shutdown(wait=True)
    assert "a job of the pool failing failed" in caplog.text and "job broke" in caplog.text
    assert pool.started == 1


def test_shutdown_lets_submitted_jobs_finish_then_refuses_more() -> None:
    pool = ThreadPool(2, name="stopping")
    gate = threading.Event()
    finished: list[int] = []
    for n in range(6):
        pool.submit(lambda n=n: finished.append(n) if gate.wait(WAIT) else None)
    stopper = threading.Thread(target=pool.shutdown)
    stopper.start()
    gate.set()
    stopper.join(WAIT)
    assert not stopper.is_alive()
    assert sorted(finished) == list(range(6))
    assert not [t for t in threading.enumerate() if t.name.startswith("stopping_")]
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(lambda: None)


def test_shutdown_stops_idle_threads() -> None:
    pool = ThreadPool(3, name="idling")
    for _ in range(3):
        pool.submit(lambda: time.sleep(0.05))
    _until(lambda: pool.idle == pool.started)
    pool.shutdown(wait=True)
    assert not [t for t in threading.enumerate() if t.name.startswith("idling_")]


def test_a_pool_needs_a_thread() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        ThreadPool(0)
