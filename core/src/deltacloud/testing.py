"""Helpers for tests: drivers as real entry points, and real server processes on loopback.

``installed_entry_point`` writes a minimal ``.dist-info`` into a directory on ``sys.path``,
so stevedore and ``importlib.metadata`` find the driver exactly as they find a packaged one.
``start_deltacloudd`` runs the real ``deltacloudd`` on a free loopback port and waits for it;
``Deltaclouds`` (and the pytest fixture ``deltacloudd_fixture`` makes of it) is how tests use it.
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stevedore import ExtensionManager

from deltacloud import loader, plugins

_DIST_COUNTER = [0]


def clear_caches() -> None:
    """Forget the drivers scanned and loaded so far, and the plugin manager (after entry points changed)."""
    loader.installed_drivers.cache_clear()
    loader.load.cache_clear()
    ExtensionManager.ENTRY_POINT_CACHE.clear()
    plugins.plugin_manager.cache_clear()


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


def load_module(path: Path, name: str) -> Any:
    """The Python file at ``path`` imported as module ``name``: a test's sibling, which no package holds."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: Environment variables that would change what a test server does, removed from its environment.
_SERVER_ENV_NOISE = ("API_DRIVER", "API_PROVIDER", "XDG_RUNTIME_DIR", "SCRIPT_NAME", "DELTACLOUD_USER",
                     "DELTACLOUD_PASSWORD")


def server_environment(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment for a test server: a private ``HOME`` (made), unbuffered output, no stray settings."""
    home.mkdir(parents=True, exist_ok=True)
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


class Deltaclouds:
    """Real ``deltacloudd`` processes of one test (or module): started on demand, all stopped by ``stop_all``.

    The one way tests start a server: each gets a free loopback port, a private ``HOME``, its log
    in ``workdir`` and, for the mock, a store of its own (``store<n>``) and no
    transition delay unless the test asks for one. Start failures go to ``fail`` (``pytest.fail``
    in the fixture) with the server's output.
    """

    def __init__(self, workdir: Path, fail: Callable[[str], Any] | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.servers: list[ServerProcess] = []
        self._fail = fail

    def start(self, *args: str, driver: str = "mock", env: Mapping[str, str] | None = None,
              mock_delay: str = "0", pythonpath: Sequence[Path] = (), timeout: float = 20.0,
              scheme: str = "http", ssl_context: ssl.SSLContext | None = None) -> ServerProcess:
        """Start ``deltacloudd -i DRIVER ARGS``; wait until ``/api`` answers.

        ``env`` adds variables to the server's environment; ``pythonpath`` puts directories first on
        its ``sys.path`` (where ``installed_entry_point`` wrote a plugin or driver). For the mock,
        ``--mock-storage`` defaults to a fresh directory and ``DELTACLOUD_MOCK_DELAY`` to ``mock_delay``.
        """
        argv = list(args)
        extra = dict(env or {})
        if driver == "mock":
            extra.setdefault("DELTACLOUD_MOCK_DELAY", mock_delay)
            if "--mock-storage" not in argv:
                argv += ["--mock-storage", str(self.workdir / f"store{len(self.servers)}")]
        if pythonpath:
            paths = [str(p) for p in pythonpath] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
            extra["PYTHONPATH"] = os.pathsep.join(paths)
        environment = server_environment(self.workdir / "home", **extra)
        if "--mock-storage" in argv:
            environment.pop("DELTACLOUD_MOCK_STORAGE", None)
        try:
            server = start_deltacloudd(self.workdir, *argv, driver=driver, env=environment, scheme=scheme,
                                       timeout=timeout, ssl_context=ssl_context)
        except RuntimeError as exc:
            if self._fail is None:
                raise
            self._fail(str(exc))
            raise
        self.servers.append(server)
        return server

    def stop_all(self) -> None:
        """Stop every server started here."""
        for server in self.servers:
            server.stop()


def deltacloudd_fixture(name: str = "deltacloudd", scope: str = "function") -> Any:
    """A pytest fixture ``name`` yielding a ``Deltaclouds`` whose servers are stopped at teardown.

    The shared way to a real server: a test module or ``conftest.py`` declares
    ``deltacloudd = deltacloudd_fixture()`` (or ``servers = deltacloudd_fixture("servers", "module")``)
    and its tests call ``deltacloudd.start(...)``.
    """
    import pytest  # only tests use this; the core does not depend on pytest

    @pytest.fixture(name=name, scope=scope)
    def _servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deltaclouds]:
        servers = Deltaclouds(tmp_path_factory.mktemp(name), fail=pytest.fail)
        try:
            yield servers
        finally:
            servers.stop_all()

    return _servers
