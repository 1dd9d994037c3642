"""What ``bench/run.py`` needs: servers on loopback, wrk, plain HTTP clients, worker memory.

Everything listens on 127.0.0.1 on free ports, in a temporary folder; every load is bounded in
time (wrk's ``-d``) or in count.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from deltacloud.testing import ServerProcess, free_port, server_environment, start_deltacloudd, start_process

HERE = Path(__file__).resolve().parent
AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()
ACCEPT = {"xml": "application/xml", "json": "application/json"}
#: The serving settings of the issue's measurements, given to deltacloudd and the bare app alike.
SERVING = ("--workers", "2", "--threads", "4", "--log", "off")


def ensure_wrk() -> str:
    """The ``wrk`` binary; installed from Debian when missing and root; exits with advice otherwise."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)...", file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, capture_output=True).returncode:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, capture_output=True, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("bench: wrk is needed: install the Debian package (sudo apt-get install wrk) and run again")


@dataclass
class Load:
    """One wrk run: requests per second, and the requests answered with something else than 2xx/3xx."""

    rps: float
    bad: int
    requests: int


def wrk(url: str, seconds: float, *headers: str, threads: int = 2, connections: int = 16) -> Load:
    """Run wrk against ``url`` for ``seconds`` with ``headers`` (``"Name: value"``)."""
    argv = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for header in headers:
        argv += ["-H", header]
    out = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(rps, (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0), total)


def port_of(server: ServerProcess) -> int:
    """The port a started server listens on."""
    return int(server.url.split(":")[2].split("/")[0])


def mock_server(workdir: Path, name: str, *args: str, env: dict[str, str] | None = None) -> ServerProcess:
    """``deltacloudd -i mock`` with a fresh store ``workdir/name`` and no transition delay."""
    environment = server_environment(workdir / "home", DELTACLOUD_MOCK_DELAY="0", **(env or {}))
    environment.pop("DELTACLOUD_MOCK_STORAGE", None)
    return start_deltacloudd(workdir, "--mock-storage", str(workdir / name), *args, env=environment, timeout=60)


def bare_server(workdir: Path, bodies: Path) -> ServerProcess:
    """The bare Falcon app (``bench/bare_app.py``) over ``bodies`` with deltacloudd's settings."""
    port = free_port()
    argv = [sys.executable, str(HERE / "bare_app.py"), "-r", "127.0.0.1", "-p", str(port), "--bodies", str(bodies),
            *SERVING]
    return start_process(argv, f"http://127.0.0.1:{port}/api", workdir / f"bare-{port}.log",
                         server_environment(workdir / "home"), timeout=60)


class Client:
    """One kept-alive HTTP/1.1 connection to a loopback server, reconnecting when the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str
                ) -> tuple[int, dict[str, str], bytes, int]:
        """Status, headers (lower-case names), body and the bytes on the wire of the answer."""
        sent = {"Authorization": AUTH, **{k.replace("_", "-"): v for k, v in headers.items()}}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt:
                    raise
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n{response.msg}"
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data, len(head) + len(data)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def add_instances(port: int, count: int) -> None:
    """Launch ``count`` mock instances through the API, 100 per request (the API's limit)."""
    client = Client(port)
    left = count
    while left > 0:
        batch = min(100, left)
        status, _, body, _ = client.request("POST", "/api/instances",
                                            f"image_id=img1&hwp_id=m1-small&instance_count={batch}".encode())
        assert status == 201, (status, body[:300])
        left -= batch
    client.close()


def memory_kib(pids: list[int], field: str) -> int:
    """The largest ``field`` (``VmRSS``, ``VmHWM``) among the processes ``pids``, in KiB."""
    best = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
        best = max(best, int(found.group(1)) if found else 0)
    return best


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds the processes ``pids`` have used so far (``/proc/<pid>/stat``)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def first_200(argv: list[str], env: dict[str, str], port: int, limit: float = 30.0) -> float:
    """Seconds from launching ``argv`` until ``GET /api`` on ``port`` answers 200; the process is stopped."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while time.perf_counter() - started < limit:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api")
                if connection.getresponse().status == 200:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
            finally:
                connection.close()
        raise RuntimeError(f"no 200 on /api within {limit} s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
