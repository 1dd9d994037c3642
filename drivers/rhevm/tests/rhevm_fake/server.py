"""A threaded WSGI server on 127.0.0.1 for the fake engine and the replay server."""

from __future__ import annotations

import socketserver
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test output."""


@dataclass
class LoopbackServer:
    """A WSGI app served on a loopback port by a background thread."""

    server: Any
    thread: threading.Thread

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server.server_port)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https`` when it serves TLS)."""
        scheme = "https" if isinstance(self.server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def serve(app: Any, port: int = 0, quiet: bool = True, tls: ssl.SSLContext | None = None) -> LoopbackServer:
    """Serve ``app`` on ``127.0.0.1:port`` (0: any free port) from a daemon thread, over TLS with ``tls``."""
    server = make_server("127.0.0.1", port, app, server_class=_ThreadingWSGIServer,
                         handler_class=_QuietHandler if quiet else WSGIRequestHandler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return LoopbackServer(server, thread)
