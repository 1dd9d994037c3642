"""Connection guards of ``deltacloudd``: a deadline for a request's headers, a cap on open connections.

gunicorn's ``asgi`` worker reads requests on its event loop, so a slow client holds no thread
(see ``deltacloud.serve``); it still holds a socket. Two bounds keep sockets from running out:

- a client has ``header_timeout`` seconds from connecting until its request's headers are
  complete, else it gets ``408`` and the connection closes (gunicorn's keep-alive timeout
  already bounds the wait for each later request on the connection);
- a worker keeps at most ``worker_connections`` connections open; one more is closed at once.

A request's body is bounded by gunicorn's own rule: each piece must come within ``--timeout``
seconds of the one before, and by the size limits of ``deltacloud.serve``.

Connections are shared out fairly between the workers: each worker's event loop
(``FairAcceptLoop``) takes one waiting connection per wake-up, where asyncio takes up to a hundred.
With asyncio's batch, a burst of connections (a load balancer's pool, a client library's, wrk's)
often lands whole on the first worker to wake, and kept alive, they stay there: one worker then
serves every request on one core while the others idle, and throughput halves at random.

``GuardedWorker`` is gunicorn's ``asgi`` worker with ``GuardedProtocol`` as its connections'
protocol. The worker builds its connections from the protocol class named in its module, so
``GuardedWorker.init_process`` points that name at ``GuardedProtocol`` in the worker process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from gunicorn.asgi.protocol import ASGIProtocol
from gunicorn.workers import gasgi

from deltacloud.collector import tune_collector

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


#: Connections a worker accepts each time its listening socket wakes it (asyncio's default is 100).
ACCEPTS_PER_WAKE = 1
#: After accepting, a worker holding connections stops watching the listening socket for this long per
#: connection it holds (plus one), at most ``DEFER_MAX`` seconds, so that a less busy worker takes the next.
DEFER_PER_CONNECTION = 0.0005
DEFER_MAX = 0.004


class FairAcceptLoop(asyncio.SelectorEventLoop):
    """asyncio's event loop, sharing a listening socket's connections fairly with the other workers.

    Every worker waits on the same listening socket and every one of them wakes when a connection
    comes. This loop takes ``ACCEPTS_PER_WAKE`` connection per wake-up (asyncio takes up to 100).
    Then, when its worker holds connections (``held()``), it looks away from the socket for
    ``DEFER_PER_CONNECTION`` per connection held (up to ``DEFER_MAX``): a worker holding fewer takes
    the next ones meanwhile, as with nginx's ``accept_mutex``. Coming back, it takes what is waiting,
    up to one more than it holds, so a steady stream of new connections (clients without keep-alive,
    a proxy opening one per request) is accepted as fast as it comes, never one per pause.
    With ``shared=False`` (no other worker to share with) nothing pauses.
    """

    def __init__(self, held: Callable[[], int] = lambda: 0, *, shared: bool = False) -> None:
        super().__init__()
        self._held = held
        self._shared = shared

    def _accept_connection(self, protocol_factory: Any, sock: Any, *args: Any) -> None:
        # args: sslcontext, server, backlog, handshake and shutdown timeouts (asyncio's _start_serving)
        self._accept(protocol_factory, sock, args, ACCEPTS_PER_WAKE)
        if self._shared:  # (held + 1: the one just accepted is not counted until its protocol starts)
            fd = sock.fileno()
            self._remove_reader(fd)  # type: ignore[attr-defined]
            self.call_later(min((self._held() + 1) * DEFER_PER_CONNECTION, DEFER_MAX), self._come_back,
                            protocol_factory, sock, fd, args)

    def _come_back(self, protocol_factory: Any, sock: Any, fd: int, args: tuple[Any, ...]) -> None:
        """Take what the other workers left (up to one more than held), then watch the socket again."""
        if sock.fileno() != fd:  # the server closed meanwhile
            return
        self._accept(protocol_factory, sock, args, self._held() + 1)
        self._add_reader(fd, self._accept_connection, protocol_factory, sock, *args)  # type: ignore[attr-defined]

    def _accept(self, protocol_factory: Any, sock: Any, args: tuple[Any, ...], count: int) -> None:
        settings = list(args)
        if len(settings) > 2:
            settings[2] = count  # the backlog argument: how many to accept now
        else:
            settings += [None] * (2 - len(settings)) + [count]
        super()._accept_connection(protocol_factory, sock, *settings)  # type: ignore[misc]


class GuardedWorker(gasgi.ASGIWorker):
    """gunicorn's ``asgi`` worker serving its connections with ``GuardedProtocol``.

    The header deadline is the application's ``header_timeout`` attribute (``deltacloudd
    --header-timeout``; gunicorn has no setting of its own for it).
    """

    def _setup_event_loop(self) -> None:
        """The worker's loop is always a ``FairAcceptLoop`` (never uvloop, whether installed or not)."""
        self.loop = FairAcceptLoop(lambda: self.nr_conns, shared=self.cfg.workers > 1)
        asyncio.set_event_loop(self.loop)

    def init_process(self) -> None:
        self.header_timeout = float(getattr(self.app, "header_timeout", DEFAULT_HEADER_TIMEOUT))
        tune_collector()  # large listings hold many objects for a while: full collections rarer
        gasgi.ASGIProtocol = GuardedProtocol  # type: ignore[misc]  # the name the worker builds connections from
        super().init_process()
