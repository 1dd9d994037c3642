"""The threads of a ``deltacloudd`` worker that run the WSGI app: a queue of jobs and the threads that take them.

``deltacloud.serve.ThreadedWSGI`` hands each complete request to these threads as a job that
reports its own outcome to the event loop, so nothing here needs a future. That is why this is
not ``concurrent.futures.ThreadPoolExecutor``: its ``submit`` makes a ``Future`` (with its
``Condition`` and lock), takes two locks and tries a semaphore, which measured about a sixth
of the loop's own work on a request. Here a job costs one put on a ``queue.SimpleQueue`` (C, no
lock of ours) and one get in the thread that takes it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

#: A job: a callable taking nothing; what it returns is dropped.
Job = Callable[[], object]


class ThreadPool:
    """``size`` threads running the jobs given to ``submit``, in the order given.

    The threads start with the first job (waiting on an empty queue, they cost no processor
    time) and are daemons. A job that raises is logged and the thread goes on with the next.
    ``shutdown`` lets every job already submitted finish first.
    """

    def __init__(self, size: int, name: str = "deltacloud") -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one thread, not {size}")
        self.size = size
        self.name = name
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, job: Job) -> None:
        """Run ``job`` in one of the threads as soon as one is free; RuntimeError after ``shutdown``."""
        if self._closed:
            raise RuntimeError("the pool is shut down")
        if not self._threads:
            self._start()
        self._jobs.put(job)

    def shutdown(self, wait: bool = True) -> None:
        """Let the jobs submitted so far finish, then stop the threads; with ``wait``, until they have."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        for _ in threads:
            self._jobs.put(None)  # one stop for each thread, behind every job already queued
        if wait:
            for thread in threads:
                thread.join()

    def _start(self) -> None:
        with self._lock:
            if self._threads or self._closed:
                return
            for index in range(self.size):
                thread = threading.Thread(target=self._work, name=f"{self.name}_{index}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        take = self._jobs.get
        while (job := take()) is not None:
            try:
                job()
            except Exception:  # a job reports its own outcome; one that failed to must not stop the thread
                log.exception("a job of the pool %s failed", self.name)
