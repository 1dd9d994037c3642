"""``deltacloud.pool.ThreadPool``: the threads that run a worker's requests, driven with real threads."""

from __future__ import annotations

import logging
import threading

import pytest

from deltacloud.pool import ThreadPool

WAIT = 10  # seconds any wait in these tests may take at most (they take milliseconds)


def test_jobs_run_in_the_order_given() -> None:
    pool = ThreadPool(1)
    ran: list[int] = []
    for n in range(50):
        pool.submit(lambda n=n: ran.append(n))
    pool.shutdown(wait=True)
    assert ran == list(range(50))


def test_as_many_jobs_run_at_once_as_there_are_threads() -> None:
    pool = ThreadPool(3)
    together = threading.Barrier(3, timeout=WAIT)
    met: list[str] = []
    for _ in range(3):
        pool.submit(lambda: met.append(threading.current_thread().name) if together.wait() >= 0 else None)
    pool.shutdown(wait=True)
    assert sorted(met) == ["deltacloud_0", "deltacloud_1", "deltacloud_2"]


def test_threads_start_with_the_first_job_not_before() -> None:
    before = threading.active_count()
    pool = ThreadPool(4, name="lazy")
    assert threading.active_count() == before
    done = threading.Event()
    pool.submit(done.set)
    assert done.wait(WAIT)
    assert len([t for t in threading.enumerate() if t.name.startswith("lazy_")]) == 4
    pool.shutdown(wait=True)
    assert not [t for t in threading.enumerate() if t.name.startswith("lazy_")]


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


def test_shutdown_lets_submitted_jobs_finish_then_refuses_more() -> None:
    pool = ThreadPool(2)
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
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(lambda: None)


def test_a_pool_needs_a_thread() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        ThreadPool(0)
