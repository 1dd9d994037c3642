"""Helpers for tests: drivers as real entry points, and real server processes on loopback.

``installed_entry_point`` writes a minimal ``.dist-info`` into a directory on ``sys.path``,
so stevedore and ``importlib.metadata`` find the driver exactly as they find a packaged one.
``start_deltacloudd`` runs the real ``deltacloudd`` on a free loopback port and waits for it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stevedore import ExtensionManager

from deltacloud import loader

_DIST_COUNTER = [0]


def clear_caches() -> None:
    """Forget the drivers scanned and loaded so far (after entry points changed)."""
    loader.installed_drivers.cache_clear()
    loader.load.cache_clear()
    ExtensionManager.ENTRY_POINT_CACHE.clear()


@contextlib.contextmanager
def installed_entry_point(directory: Path, name: str, target: str,
                          group: str = loader.DRIVER_GROUP) -> Iterator[None]:
    """Make ``name = target`` an entry point of ``group`` while the block runs.

    ``directory`` must be writable; it is put on ``sys.path`` so ``target``'s module may live there too.
    """
    _DIST_COUNTER[0] += 1
    dist = Path(directory) / f"deltacloud_test_{name}_{_DIST_COUNTER[0]}-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: deltacloud-test-{name}\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\n{name} = {target}\n")
    sys.path.insert(0, str(directory))
    clear_caches()
    try:
        yield
    finally:
        sys.path.remove(str(directory))
        module = target.split(":")[0]
        sys.modules.pop(module, None)
        clear_caches()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: Environment variables that would change what a test server does, removed from its environment.
_SERVER_ENV_NOISE = ("API_DRIVER", "API_PROVIDER", "XDG_RUNTIME_DIR", "SCRIPT_NAME", "DELTACLOUD_USER",
                     "DELTACLOUD_PASSWORD")


def server_environment(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment for a test server: a private ``HOME``, unbuffered output, no stray settings."""
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_ENV_NOISE}
    env.update(HOME=str(home), PYTHONUNBUFFERED="1", **extra)
    return env


@dataclass
class ServerProcess:
    """A server started by ``start_process``: its process, the URL it answers and its log file."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        """Everything the process has written so far."""
        return self.log.read_text(errors="replace")

    def children(self) -> list[int]:
        """Process ids of its children (gunicorn's workers), read from ``/proc``."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if stat.rsplit(")", 1)[1].split()[1] == str(self.process.pid):
                    pids.append(int(entry.name))
        return pids

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_process(argv: list[str], url: str, log: Path, env: dict[str, str] | None = None,
                  cwd: Path | None = None, timeout: float = 15.0,
                  ssl_context: ssl.SSLContext | None = None) -> ServerProcess:
    """Start ``argv`` and wait (at most ``timeout`` seconds) until ``url`` answers any HTTP status.

    Raises ``RuntimeError`` with the process's output when it exits early or never answers; the
    process is stopped in that case.
    """
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    server = ServerProcess(process, url, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited with {process.returncode}:\n{server.output()}")
        try:
            urllib.request.urlopen(url, timeout=1, context=ssl_context).close()
            return server
        except urllib.error.HTTPError:
            return server  # it answers, if only with an error: it is up
        except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{server.output()}")


def start_deltacloudd(workdir: Path, *args: str, driver: str = "mock", env: dict[str, str] | None = None,
                      scheme: str = "http", timeout: float = 15.0,
                      ssl_context: ssl.SSLContext | None = None) -> ServerProcess:
    """Start ``deltacloudd -i DRIVER ARGS`` on a free loopback port, logging to ``workdir``; wait until /api answers.

    ``env`` defaults to ``server_environment(workdir / "home")``; pass ``--mock-storage`` in ``args``
    to give the mock a store of its own.
    """
    port = free_port()
    argv = [sys.executable, "-m", "deltacloud.cli", "-i", driver, "-r", "127.0.0.1", "-p", str(port), *args]
    log = workdir / f"deltacloudd-{port}.log"
    return start_process(argv, f"{scheme}://127.0.0.1:{port}/api", log,
                         env if env is not None else server_environment(workdir / "home"), cwd=workdir,
                         timeout=timeout, ssl_context=ssl_context)
