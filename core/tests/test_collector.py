"""``deltacloud.collector``: each serving worker makes full collections rarer, the young generations as Python's."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from gunicorn.workers import gasgi

from deltacloud.collector import FULL_EVERY, tune_collector
from deltacloud.guard import GuardedWorker


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    """This process's thresholds, set back after the test."""
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_only_the_full_collection_threshold_changes(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(500, 7, 10)
    tune_collector()
    assert gc.get_threshold() == (500, 7, FULL_EVERY) and FULL_EVERY > 10


def test_a_worker_tunes_its_collector_as_it_starts(thresholds: tuple[int, int, int],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    monkeypatch.setattr(gasgi.ASGIWorker, "init_process", lambda self: started.append(self))
    monkeypatch.setattr(gasgi, "ASGIProtocol", gasgi.ASGIProtocol)  # init_process points it at GuardedProtocol
    gc.set_threshold(700, 10, 10)
    worker = GuardedWorker.__new__(GuardedWorker)
    worker.app = object()
    worker.init_process()
    assert started == [worker] and gc.get_threshold() == (700, 10, FULL_EVERY)


def test_garbage_cycles_are_still_collected_with_the_tuned_thresholds() -> None:
    """Cycles that reached the oldest generation still go, only later (a fresh interpreter, tuned as a worker).

    Each batch holds 20,000 cycles long enough for them to grow old, drops them, then makes 60,000
    short-lived ones; by the end of twenty batches the first ten batches' cycles are gone and at
    most the last few batches' are left.
    """
    script = textwrap.dedent("""
        import weakref
        from deltacloud.collector import tune_collector
        tune_collector()
        class Node:
            __slots__ = ("other", "__weakref__")
        def cycle():
            a, b = Node(), Node()
            a.other, b.other = b, a  # only the collector frees them
            return a
        batches = []
        for batch in range(20):
            held = [cycle() for _ in range(20000)]
            batches.append(weakref.ref(held[0]))
            del held
            for _ in range(60000):
                cycle()
        print(sum(ref() is not None for ref in batches[:10]), sum(ref() is not None for ref in batches))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    first_half, everything = map(int, out.stdout.split())
    assert first_half == 0, "old cycles are still alive: the collector no longer finds them"
    assert everything <= 6
