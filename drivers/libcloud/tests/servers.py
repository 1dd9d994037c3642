"""Servers the libcloud tests run on loopback: our WSGI app in a thread, and Azurite.

Kept apart from the conftest files so several test directories can share them.
"""

from __future__ import annotations

import shutil
import socketserver
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud.testing import ServerProcess, free_port, start_process

#: Azurite, the Azure Storage emulator, from the npm registry (runs on Node 20 and later).
AZURITE = "azurite@3.37.0"
#: Where the tests install it (ignored by git).
NODE_DIR = Path(__file__).resolve().parents[1] / ".node"
#: Azurite's well-known development account and key (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test output."""


@dataclass
class ApiServer:
    """Our WSGI app serving one driver over real HTTP on loopback."""

    url: str
    server: Any
    thread: threading.Thread

    @classmethod
    def start(cls, config: ServerConfig) -> ApiServer:
        """Serve ``create_app(config)`` on a free loopback port."""
        app = create_app(config)
        server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        return cls(f"http://127.0.0.1:{server.server_port}/api", server, thread)

    def stop(self) -> None:
        """Shut the server down and wait (bounded) for its thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def azurite_binary() -> tuple[Path | None, str]:
    """Azurite's blob server, installed into ``NODE_DIR`` when missing; (None, why) when it cannot be."""
    binary = NODE_DIR / "node_modules" / ".bin" / "azurite-blob"
    if binary.exists():
        return binary, ""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None, "Node.js and npm are needed to install Azurite (Debian's nodejs and npm)"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(NODE_DIR),
                           AZURITE], capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0 or not binary.exists():
        return None, f"npm install {AZURITE} failed: {done.stderr[-500:]}"
    return binary, ""


def start_azurite(binary: Path, directory: Path) -> tuple[str, ServerProcess]:
    """Azurite's blob service on a free loopback port, storing under ``directory``; (URL, process)."""
    failure = ""
    for attempt in range(5):  # the port may be taken between choosing and binding it
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        argv = [str(binary), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", str(directory),
                "--skipApiVersionCheck", "--silent"]
        try:
            # any answer (403 to an unsigned request) means it listens
            return url, start_process(argv, f"{url}/{AZURITE_ACCOUNT}?comp=list", directory / f"azurite{attempt}.log",
                                      timeout=30)
        except RuntimeError as exc:
            failure = str(exc)
    raise RuntimeError(f"Azurite did not start: {failure[-2000:]}")
