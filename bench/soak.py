"""Soak benchmark: mixed load on ``deltacloudd -i mock`` for a long while; errors and memory drift.

    .venv/bin/python bench/soak.py [--seconds 600] [--clients 8] [--slow 20]

Starts ``deltacloudd -i mock`` (its default serving settings) on a free loopback port with a
fresh store in a temporary folder, then runs ``--clients`` threads of mixed requests for
``--seconds`` (10 minutes by default): the entry point, listings in XML and JSON, conditional
GETs answered 304, instance lifecycles (create, show, stop, destroy), keys, a small blob up and
down, expected 404s and 401s; beside them ``--slow`` connections trickle their headers and are
replaced as they finish. Every 5 seconds it samples the resident memory (``VmRSS``) of the
server's worker processes.

It prints the requests per operation, the errors (an unexpected status, a failed request, or a
traceback in the server's log), the memory drift (median RSS of the last fifth of the run
against the first fifth after warm-up) and the throughput of the last fifth relative to the
first. Targets: 0 errors, drift under 10%. Exit status 1 when a target is missed. Linux only
(``/proc``); not part of CI.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import requests

from deltacloud.testing import ServerProcess, server_environment, start_deltacloudd

AUTH = ("mockuser", "mockpassword")
#: gunicorn's log lines for a worker that timed out, died or was replaced.
_WORKER_EVENT = re.compile(r"WORKER TIMEOUT|Worker \(pid:\d+\) (was sent|exited)|Booting worker", re.IGNORECASE)
SAMPLE_EVERY = 5.0
JSON = {"Accept": "application/json"}


class Load:
    """The mixed requests, their counts and the errors met."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.counts: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        #: The first few failed requests' exceptions, as text (what failed, not only that it did).
        self.failures: list[str] = []
        self.done: list[float] = []  # completion times (monotonic) of every operation
        self.lock = threading.Lock()
        self.serial = itertools.count()
        self.started = time.monotonic()

    def expect(self, op: str, response: requests.Response, *statuses: int) -> requests.Response:
        if response.status_code not in statuses:
            with self.lock:
                self.errors[f"{op}: {response.status_code}"] += 1
        return response

    def run_one(self, session: requests.Session, op: str) -> None:
        getattr(self, f"op_{op}")(session)
        with self.lock:
            self.counts[op] += 1
            self.done.append(time.monotonic())

    def op_entry(self, s: requests.Session) -> None:
        self.expect("entry", s.get(self.url, timeout=30), 200)

    def op_listings(self, s: requests.Session) -> None:
        for collection in ("realms", "hardware_profiles", "images", "instances"):
            self.expect("listings", s.get(f"{self.url}/{collection}", auth=AUTH, timeout=30), 200)
            self.expect("listings", s.get(f"{self.url}/{collection}", auth=AUTH, headers=JSON, timeout=30), 200)

    def op_conditional(self, s: requests.Session) -> None:
        first = self.expect("conditional", s.get(f"{self.url}/images", auth=AUTH, timeout=30), 200)
        etag = first.headers.get("ETag", "")
        self.expect("conditional", s.get(f"{self.url}/images", auth=AUTH, headers={"If-None-Match": etag},
                                         timeout=30), 304)

    def op_lifecycle(self, s: requests.Session) -> None:
        created = self.expect("lifecycle", s.post(f"{self.url}/instances", data={"image_id": "img1"}, auth=AUTH,
                                                  timeout=30), 201)
        if created.status_code != 201:
            return
        instance = created.headers["Location"].rsplit("/", 1)[1]
        self.expect("lifecycle", s.get(f"{self.url}/instances/{instance}", auth=AUTH, timeout=30), 200)
        self.expect("lifecycle", s.post(f"{self.url}/instances/{instance}/stop", auth=AUTH, timeout=30), 202)
        self.expect("lifecycle", s.delete(f"{self.url}/instances/{instance}", auth=AUTH, timeout=30), 204)

    def op_keys(self, s: requests.Session) -> None:
        name = f"soak{next(self.serial)}"
        self.expect("keys", s.post(f"{self.url}/keys", data={"name": name}, auth=AUTH, timeout=30), 201)
        self.expect("keys", s.delete(f"{self.url}/keys/{name}", auth=AUTH, timeout=30), 204)

    def op_blob(self, s: requests.Session) -> None:
        blob = f"{self.url}/buckets/soak/b{next(self.serial)}"
        data = random.randbytes(random.randint(1, 64 * 1024))
        self.expect("blob", s.put(blob, data=data, auth=AUTH, timeout=30,
                                  headers={"Content-Type": "application/octet-stream"}), 200)
        got = self.expect("blob", s.get(f"{blob}/content", auth=AUTH, timeout=30), 200)
        if got.status_code == 200 and got.content != data:
            with self.lock:
                self.errors["blob: content differs"] += 1
        self.expect("blob", s.delete(blob, auth=AUTH, timeout=30), 204)

    def op_expected_errors(self, s: requests.Session) -> None:
        self.expect("expected_errors", s.get(f"{self.url}/instances/nope", auth=AUTH, timeout=30), 404)
        self.expect("expected_errors", s.get(f"{self.url}/instances", auth=("mockuser", "x"), timeout=30), 401)


MIX = ["entry"] * 2 + ["listings"] * 4 + ["conditional"] * 2 + ["lifecycle"] * 2 + ["keys", "blob",
                                                                                       "expected_errors"]


def worker_rss(server: ServerProcess) -> int:
    """Resident memory (bytes) of the server's worker processes together."""
    total = 0
    for pid in server.children():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def trickle(address: tuple[str, int], slots: int, stop: threading.Event) -> None:
    """Keep ``slots`` connections sending a request's headers a byte every 0.5 s; replace finished ones."""
    request = b"GET /api HTTP/1.1\r\nHost: soak\r\nX-Padding: " + b"p" * 40 + b"\r\nConnection: close\r\n\r\n"
    conns: list[list] = []
    while not stop.wait(0.5):
        while len(conns) < slots:
            conns.append([socket.create_connection(address, timeout=10), 0])
        for conn in list(conns):
            sock, sent = conn
            try:
                sock.sendall(request[sent:sent + 1])
            except OSError:
                sock.close()
                conns.remove(conn)
                continue
            conn[1] += 1
            if conn[1] == len(request):
                sock.close()
                conns.remove(conn)
    for sock, _ in conns:
        sock.close()


def client(load: Load, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    answered = [time.monotonic()]  # when this client's session last got an answer

    def note_answer(response: requests.Response, *args: object, **kwargs: object) -> None:
        answered[0] = time.monotonic()

    with requests.Session() as session:
        session.hooks["response"].append(note_answer)
        while time.monotonic() < deadline:
            op = rng.choice(MIX)
            try:
                load.run_one(session, op)
            except requests.RequestException as exc:
                now = time.monotonic()
                with load.lock:
                    load.errors[f"{op}: {type(exc).__name__}"] += 1
                    if len(load.failures) < 5:  # the idle time tells a keep-alive race from a server's close
                        load.failures.append(f"{now - load.started:.1f} s, {now - answered[0]:.2f} s after the "
                                             f"session's last answer, {op}: {exc!r}"[:400])


def _windows(samples: list[tuple[float, int]], start: float, end: float) -> tuple[float, float]:
    """Median RSS of the first fifth (after warm-up) and of the last fifth of the run."""
    fifth = (end - start) / 5
    first = [rss for at, rss in samples if start + fifth / 2 <= at < start + fifth * 1.5] or [samples[0][1]]
    last = [rss for at, rss in samples if at >= end - fifth] or [samples[-1][1]]
    return statistics.median(first), statistics.median(last)


def soak(seconds: float, clients: int, slow: int, report: Callable[[str], None]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = server_environment(workdir / "home", DELTACLOUD_MOCK_DELAY="0")
        server = start_deltacloudd(workdir, "--mock-storage", str(workdir / "store"), "-L", "off", env=env)
        try:
            load = Load(server.url)
            booted = len(server.output())  # the log so far: the start-up, workers booting included
            requests.post(f"{server.url}/buckets", data={"name": "soak"}, auth=AUTH, timeout=30).raise_for_status()
            parts = urlsplit(server.url)
            stop = threading.Event()
            start = time.monotonic()
            deadline = start + seconds
            threads = [threading.Thread(target=client, args=(load, deadline, seed)) for seed in range(clients)]
            trickler = threading.Thread(target=trickle, args=((parts.hostname, parts.port), slow, stop))
            for thread in [*threads, trickler]:
                thread.start()
            samples: list[tuple[float, int]] = []
            while time.monotonic() < deadline:
                samples.append((time.monotonic(), worker_rss(server)))
                time.sleep(min(SAMPLE_EVERY, max(0.0, deadline - time.monotonic())))
            samples.append((time.monotonic(), worker_rss(server)))
            for thread in threads:
                thread.join(timeout=60)
            stop.set()
            trickler.join(timeout=10)
            end = time.monotonic()
            store_bytes = sum(f.stat().st_size for f in (workdir / "store").rglob("*") if f.is_file())
        finally:
            server.stop()
        log = server.output()
        tracebacks = log.count("Traceback")
        if tracebacks:
            load.errors["server log: Traceback"] += tracebacks
        # A worker that stopped or was replaced takes its open connections with it.
        restarts = [line for line in log[booted:].splitlines() if _WORKER_EVENT.search(line)]
        if restarts:
            load.errors["server log: worker stopped or restarted"] += len(restarts)
            load.failures.extend(f"server log: {line}"[:400] for line in restarts[:5])
    first, last = _windows(samples, start, end)
    drift = (last - first) / first if first else 0.0
    fifth = (end - start) / 5
    per_fifth = [sum(1 for at in load.done if start + fifth * i <= at < start + fifth * (i + 1)) for i in range(5)]
    early, late = per_fifth[0], per_fifth[-1]
    errors = sum(load.errors.values())
    report(f"soak: {end - start:.0f} s, {clients} clients, {slow} trickling connections")
    for op, count in sorted(load.counts.items()):
        report(f"  {op:<16}{count:>8}")
    report(f"operations: {sum(load.counts.values())}, errors: {errors}")
    for what, count in load.errors.most_common():
        report(f"  error {what}: {count}")
    for failure in load.failures:
        report(f"  failed request at {failure}")
    report(f"mock store on disk at the end: {store_bytes / 2**20:.1f} MiB")
    report(f"worker memory: {first / 2**20:.1f} MiB early, {last / 2**20:.1f} MiB late, drift {drift:+.1%}")
    medians = [statistics.median([rss for at, rss in samples if start + fifth * i <= at < start + fifth * (i + 1)]
                                 or [0]) for i in range(5)]
    report(f"worker memory per fifth (MiB): {', '.join(f'{m / 2**20:.1f}' for m in medians)}")
    report(f"throughput, last fifth / first fifth: {late / early if early else 0:.2f} "
           f"(each fifth / the first: {', '.join(f'{n / early:.2f}' for n in per_fifth) if early else '-'})")
    return 0 if errors == 0 and drift < 0.10 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="how long to run (default 600)")
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--slow", type=int, default=20, help="trickling connections kept open (default 20)")
    args = parser.parse_args(argv)
    return soak(args.seconds, args.clients, args.slow, print)


if __name__ == "__main__":
    sys.exit(main())
