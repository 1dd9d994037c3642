"""Run a WSGI application on 127.0.0.1 in a background thread (a real HTTP server, threaded)."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log (it would print the signed query strings)."""


@dataclass
class LoopbackServer:
    """A running server: its base URL (``http://127.0.0.1:PORT``) and how to stop it."""

    url: str
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait (bounded) for the thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def serve(app: Any, port: int = 0) -> LoopbackServer:
    """Serve ``app`` on ``127.0.0.1:port`` (0: a free port) until ``stop()``."""
    server = make_server("127.0.0.1", port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return LoopbackServer(f"http://127.0.0.1:{server.server_port}", server, thread)
