"""The threads of a ``deltacloudd`` worker that run the WSGI app: a job goes to the thread idle most recently.

``deltacloud.serve.ThreadedWSGI`` hands each complete request to these threads as a job that
reports its own outcome to the event loop, so nothing here needs a future. That is why this is
not ``concurrent.futures.ThreadPoolExecutor``: its ``submit`` makes a ``Future`` (with its
``Condition`` and lock), takes two locks and tries a semaphore, which measured about a sixth
of the loop's own work on a request. Here a job costs one uncontended lock and one put on the
chosen thread's own ``queue.SimpleQueue``.

Which thread runs a job matters too. Each idle thread waits on a queue of its own, and a job goes
to the thread that became idle last: under light load one thread serves every request, with its
data still in the processor's caches, and a thread is started only when every other one is busy
(as ``ThreadPoolExecutor`` does). Handing jobs out in turn instead made every thread allocate the
large listings once, and the C allocator keeps an arena per thread: the worker's peak memory for a
listing of 10,000 instances doubled (``bench/run.py --only sizes``).
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

#: A job: a callable taking nothing; what it returns is dropped.
Job = Callable[[], object]
#: Where an idle thread waits for its next job (None: stop).
Mailbox = queue.SimpleQueue[Job | None]


class ThreadPool:
    """At most ``size`` threads running the jobs given to ``submit``, in the order given.

    A thread starts only when a job comes and no thread is idle; threads are daemons. A job that
    raises is logged and its thread goes on with the next. ``shutdown`` lets every job already
    submitted finish first.
    """

    def __init__(self, size: int, name: str = "deltacloud") -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one thread, not {size}")
        self.size = size
        self.name = name
        self._lock = threading.Lock()
        self._idle: list[Mailbox] = []  # the thread idle most recently last
        self._backlog: collections.deque[Job] = collections.deque()  # jobs waiting for a thread
        self._threads: list[threading.Thread] = []
        self._closed = False

    @property
    def started(self) -> int:
        """How many threads have been started."""
        return len(self._threads)

    @property
    def idle(self) -> int:
        """How many threads wait for a job."""
        return len(self._idle)

    def submit(self, job: Job) -> None:
        """Run ``job`` in a thread as soon as one is free; RuntimeError after ``shutdown``."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            if self._idle:
                mailbox = self._idle.pop()
            elif len(self._threads) < self.size:
                mailbox = queue.SimpleQueue()
                thread = threading.Thread(target=self._work, args=(mailbox,), daemon=True,
                                          name=f"{self.name}_{len(self._threads)}")
                thread.start()
                self._threads.append(thread)
            else:
                self._backlog.append(job)  # every thread busy: the first to finish takes it
                return
        mailbox.put(job)

    def shutdown(self, wait: bool = True) -> None:
        """Let the jobs submitted so far finish, then stop the threads; with ``wait``, until they have."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            threads = list(self._threads)
        for mailbox in idle:
            mailbox.put(None)  # busy threads stop by themselves once the backlog is empty
        if wait:
            for thread in threads:
                thread.join()

    def _work(self, mailbox: Mailbox) -> None:
        job = mailbox.get()
        while job is not None:
            try:
                job()
            except Exception:  # a job reports its own outcome; one that failed to must not stop the thread
                log.exception("a job of the pool %s failed", self.name)
            with self._lock:
                if self._backlog:
                    job = self._backlog.popleft()
                    continue
                if self._closed:
                    return
                self._idle.append(mailbox)
            job = mailbox.get()
