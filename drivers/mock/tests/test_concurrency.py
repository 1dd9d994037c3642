"""Several processes sharing one storage directory never lose, duplicate or half-seed anything."""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter
from contextlib import closing

import pytest

from deltacloud.errors import ConflictError, DeltacloudError, NotFoundError
from deltacloud.models import Credentials, LaunchOptions
from deltacloud_driver_mock import MockDriver

CREDENTIALS = Credentials("mockuser", "mockpassword")
PROCESSES = 4
TIMEOUT = 60

ctx = multiprocessing.get_context("fork")  # children inherit the test's environment and imports


def run_processes(target, *args, processes=PROCESSES):
    """Run ``target(barrier, queue, index, *args)`` in parallel processes; their results, one per process."""
    barrier = ctx.Barrier(processes)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_guarded, args=(target, barrier, queue, i, *args)) for i in range(processes)]
    for proc in procs:
        proc.start()
    try:
        results = [queue.get(timeout=TIMEOUT) for _ in procs]
    finally:
        for proc in procs:
            proc.join(TIMEOUT)
            if proc.is_alive():
                proc.kill()
                proc.join()
    errors = [r[1] for r in results if r[0] == "error"]
    assert not errors, "\n".join(errors)
    assert all(proc.exitcode == 0 for proc in procs)
    return [r[1] for r in results]


def _guarded(target, barrier, queue, index, *args):
    try:
        queue.put(("ok", target(barrier, index, *args)))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def _create_many(barrier, index, count):
    driver = MockDriver(CREDENTIALS)
    barrier.wait(TIMEOUT)
    return [driver.create_instance("img1", LaunchOptions(name=f"p{index}")).id for _ in range(count)]


def _create_batch(barrier, index, count):
    driver = MockDriver(CREDENTIALS)
    barrier.wait(TIMEOUT)
    return [i.id for i in driver.create_instance("img2", LaunchOptions(instance_count=count))]


def _list_everything(barrier, index):
    barrier.wait(TIMEOUT)
    driver = MockDriver(CREDENTIALS)  # first use of the fresh database happens here, in every process at once
    return (len(driver.images({})), len(driver.instances({})), len(driver.keys({})))


def _first_use_creates(barrier, index):
    barrier.wait(TIMEOUT)
    return MockDriver(CREDENTIALS).create_instance("img3", LaunchOptions()).id


def _try(barrier, index, action, *args):
    driver = MockDriver(CREDENTIALS)
    barrier.wait(TIMEOUT)
    try:
        result = getattr(driver, action)(*args)
    except (ConflictError, NotFoundError) as exc:
        return type(exc).__name__
    except DeltacloudError as exc:  # anything else is a failure of the test
        return f"unexpected {exc!r}"
    return "ok" if result is None or not hasattr(result, "id") else f"ok:{result.id}"


def test_concurrent_creates_are_all_kept_with_unique_ids(driver, ids):
    driver.images({})  # the parent seeds first and keeps a connection open across the fork
    per_process = 15
    created = run_processes(_create_many, per_process)
    flat = [i for chunk in created for i in chunk]
    assert len(flat) == PROCESSES * per_process
    assert len(set(flat)) == len(flat)
    expected = {f"inst{n}" for n in range(4, 4 + PROCESSES * per_process)}
    assert set(flat) == expected
    listed = ids(driver.instances({}))
    assert sorted(listed[4:]) == sorted(expected) and listed[:4] == ["inst0", "inst1", "inst2", "inst3"]
    names = Counter(i.name for i in driver.instances({}) if i.id in expected)
    assert names == {f"p{n}": per_process for n in range(PROCESSES)}


def test_concurrent_batches_do_not_interleave_ids(driver):
    driver.images({})
    batches = run_processes(_create_batch, 5)
    for batch in batches:  # each batch was allocated inside one write transaction
        numbers = [int(i.removeprefix("inst")) for i in batch]
        assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert sorted(n for b in batches for n in b) == sorted(f"inst{n}" for n in range(4, 4 + PROCESSES * 5))


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_first_use_seeds_exactly_once(storage, round_):
    assert not storage.exists()
    results = run_processes(_list_everything)
    assert results == [(3, 4, 1)] * PROCESSES
    import sqlite3

    with closing(sqlite3.connect(storage / "mock.db")) as conn:
        counts = dict(conn.execute("SELECT kind, count(*) FROM documents GROUP BY kind"))
        markers = conn.execute("SELECT count(*) FROM meta WHERE key = 'seeded'").fetchone()[0]
    assert counts["images"] == 3 and counts["instances"] == 4 and counts["keys"] == 1 and counts["blobs"] == 5
    assert markers == 1


def test_concurrent_first_use_with_writes(storage, make_driver, ids):
    created = run_processes(_first_use_creates)
    assert sorted(created) == [f"inst{n}" for n in range(4, 4 + PROCESSES)]
    assert ids(make_driver().instances({})) [:4] == ["inst0", "inst1", "inst2", "inst3"]
    assert len(make_driver().instances({})) == 4 + PROCESSES


def test_one_destroy_wins(driver, ids):
    driver.stop_instance("inst2")
    outcomes = Counter(run_processes(_try, "destroy_instance", "inst2"))
    assert outcomes["ok"] == 1
    assert outcomes["ok"] + outcomes["NotFoundError"] == PROCESSES
    assert "inst2" not in ids(driver.instances({}))


def test_one_stop_wins(driver):
    outcomes = Counter(run_processes(_try, "stop_instance", "inst1"))
    assert outcomes == {"ok:inst1": 1, "ConflictError": PROCESSES - 1}
    assert driver.instance("inst1").state == "STOPPED"


def test_one_key_of_a_name(driver):
    outcomes = Counter(run_processes(_try, "create_key", "race"))
    assert outcomes == {"ok:race": 1, "ConflictError": PROCESSES - 1}
    assert [k.id for k in driver.keys({})] == ["test-key", "race"]
