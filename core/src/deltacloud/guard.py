"""Connection guards of ``deltacloudd``: a deadline for a request's headers, a cap on open connections.

gunicorn's ``asgi`` worker reads requests on its event loop, so a slow client holds no thread
(see ``deltacloud.serve``); it still holds a socket. Two bounds keep sockets from running out:

- a client has ``header_timeout`` seconds from connecting until its request's headers are
  complete, else it gets ``408`` and the connection closes (gunicorn's keep-alive timeout
  already bounds the wait for each later request on the connection);
- a worker keeps at most ``worker_connections`` connections open; one more is closed at once.

A request's body is bounded by gunicorn's own rule: each piece must come within ``--timeout``
seconds of the one before, and by the size limits of ``deltacloud.serve``.

``GuardedWorker`` is gunicorn's ``asgi`` worker with ``GuardedProtocol`` as its connections'
protocol. The worker builds its connections from the protocol class named in its module, so
``GuardedWorker.init_process`` points that name at ``GuardedProtocol`` in the worker process.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gunicorn.asgi.protocol import ASGIProtocol
from gunicorn.workers import gasgi

#: Seconds from connecting until a request's headers must be complete (``deltacloudd --header-timeout``).
DEFAULT_HEADER_TIMEOUT = 30.0
#: Seconds an idle connection waits for its next request (``deltacloudd --keepalive``). gunicorn's own
#: 2 s suits a server behind a proxy; clients talking to us directly (scripts, pollers, the conformance
#: kit between two tests) often pause longer, and a close that crosses their next request on the wire
#: fails that request. Idle connections hold no thread, and ``--max-connections`` bounds them.
DEFAULT_KEEPALIVE = 15


class GuardedProtocol(ASGIProtocol):
    """gunicorn's HTTP protocol with a header deadline and the connection cap."""

    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        worker = self.worker
        if worker.nr_conns > worker.worker_connections:
            self.log.debug("closing a connection: %d open, the limit is %d", worker.nr_conns,
                           worker.worker_connections)
            transport.abort()
            return
        timeout = getattr(worker, "header_timeout", DEFAULT_HEADER_TIMEOUT)
        self._header_deadline = worker.loop.call_later(timeout, self._headers_too_slow)

    def _on_headers_complete(self) -> Any:
        self._cancel_header_deadline()
        return super()._on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._closed or self._current_request is not None:
            return
        self._send_error_response(408, "Request headers not complete in time\n")
        self._close_transport()
        self._request_ready.set()  # wake the connection's task so it sees the close


class GuardedWorker(gasgi.ASGIWorker):
    """gunicorn's ``asgi`` worker serving its connections with ``GuardedProtocol``.

    The header deadline is the application's ``header_timeout`` attribute (``deltacloudd
    --header-timeout``; gunicorn has no setting of its own for it).
    """

    def init_process(self) -> None:
        self.header_timeout = float(getattr(self.app, "header_timeout", DEFAULT_HEADER_TIMEOUT))
        gasgi.ASGIProtocol = GuardedProtocol  # type: ignore[misc]  # the name the worker builds connections from
        super().init_process()
