"""Deadlines for sending answers, all watched by one timer: a client that stops reading is dropped.

``deltacloud.serve.ThreadedWSGI`` sends an answer on the event loop; the send waits only when the
client does not read (the connection's write buffer is full). Such a send must not wait forever, so
each is bounded. ``asyncio.timeout`` around every send did it with a timer made, scheduled and
cancelled per request, about a seventh of the loop's own work on a request. ``SendDeadlines`` keeps
one timer per loop instead, running only while some answer is being sent: a send notes when it
began (a dict entry), and the timer, every quarter of the limit (at most every second), cancels the
task of each send older than the limit. A send therefore ends between ``seconds`` and
``seconds * 1.25`` (at most one second more) after it began.
"""

from __future__ import annotations

import asyncio

#: The longest pause between two looks at the sends in progress, in seconds.
MAX_CHECK_EVERY = 1.0


class SendDeadlines:
    """The sends in progress on one event loop, each cancelled once older than ``seconds``.

    Use from the loop's thread only::

        deadlines.start(task, loop)
        try:
            ...  # await the sends
        except asyncio.CancelledError:
            if not deadlines.expired(task):
                raise  # cancelled by someone else
        finally:
            deadlines.forget(task)
    """

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError(f"a deadline must be positive, not {seconds}")
        self.seconds = seconds
        self.every = min(MAX_CHECK_EVERY, seconds / 4)
        self._began: dict[asyncio.Task[object], float] = {}
        self._expired: set[asyncio.Task[object]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, task: asyncio.Task[object], loop: asyncio.AbstractEventLoop) -> None:
        """``task`` begins sending now."""
        self._began[task] = loop.time()
        if self._timer is None or self._loop is not loop:  # (a loop that was closed took its timer with it)
            self._loop = loop
            self._timer = loop.call_later(self.every, self._check)

    def forget(self, task: asyncio.Task[object]) -> None:
        """``task`` is done sending (whether it finished, failed or was cancelled)."""
        self._began.pop(task, None)
        self._expired.discard(task)

    def expired(self, task: asyncio.Task[object]) -> bool:
        """Whether ``task`` was cancelled for its deadline; if so its cancellation is withdrawn (``uncancel``).

        When it was also cancelled by someone else, False: that cancellation goes on.
        """
        if task not in self._expired:
            return False
        self._expired.discard(task)
        return task.uncancel() == 0

    def __len__(self) -> int:
        """How many sends are in progress."""
        return len(self._began)

    @property
    def watching(self) -> bool:
        """Whether the timer runs (only while some send is in progress, and one look after)."""
        return self._timer is not None

    def _check(self) -> None:
        loop = self._loop
        self._timer = None
        if loop is None:
            return
        oldest = loop.time() - self.seconds
        for task, began in list(self._began.items()):
            if began <= oldest:
                del self._began[task]
                self._expired.add(task)
                task.cancel()
        if self._began:
            self._timer = loop.call_later(self.every, self._check)
