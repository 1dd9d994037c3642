"""Time per instance of a listing, in process, at 100, 1,000 and 10,000 instances: cached and uncached.

    .venv/bin/python bench/scaling.py [--counts 100,1000,10000] [--json]

For each count it builds the WSGI app as a ``deltacloudd`` worker does (``overhead.py``'s way), on a
fresh mock store holding that many instances, and takes this thread's CPU time per listing
(``GET /api/instances``, its chunks taken one by one as the server sends them, never joined) less
its time per request of the same listing for a user who has no instances (the request's fixed
cost, reused or not exactly as the full listing is), over the count. Both are taken in
alternating batches, five in each of three phases per count spread over the run, and the least of
the fifteen kept (other work on the machine only ever adds time; a slowdown of a few seconds hits
one phase of a count, not all of its batches). *Cached* is the default server (an unchanged
listing's kept bytes: what is left per instance is moving them); *uncached* is a process of its own with
``DELTACLOUD_CACHE=off`` (every cache off, the mock's decoded documents too): each instance read,
decoded and written every time.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from overhead import TYPES, call, environ, mock_app

#: The user whose listing is the reference: the same request, the same path through the server, no instances.
EMPTY = ("nobody", "nothing")
EMPTY_AUTH = "Basic " + base64.b64encode(f"{EMPTY[0]}:{EMPTY[1]}".encode()).decode()
#: Requests per batch, by count, cached and uncached: about the same CPU time per batch.
BATCH = {100: 200, 1000: 40, 10000: 4}
UNCACHED_BATCH = {100: 40, 1000: 4, 10000: 2}
#: Phases of each count, spread over the run, and batches of each kind per phase; the least is kept.
PHASES = 3
BATCHES = 5


def _per_request(app: Any, env: dict[str, Any], repeat: int) -> float:
    """This thread's CPU seconds per request; the answer's chunks are taken one by one, as the server sends them."""

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return None

    started = time.thread_time()
    for _ in range(repeat):
        result = app(dict(env), start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return (time.thread_time() - started) / repeat


def _prepared(count: int, store: Path) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The app over a fresh store of ``count`` instances at ``store``, and its full and empty listings' requests."""
    os.environ["DELTACLOUD_MOCK_STORAGE"] = str(store)
    app = mock_app(count, users=f"{EMPTY[0]}:{EMPTY[1]}")
    full_env = environ("GET", "/api/instances", TYPES["xml"])
    empty_env = environ("GET", "/api/instances", TYPES["xml"], ("HTTP_AUTHORIZATION", EMPTY_AUTH))
    status, _, body = call(app, full_env)
    assert status == 200 and body.count(b"<instance ") == count, (status, body.count(b"<instance "))
    status, _, body = call(app, empty_env)
    assert status == 200 and b"<instance " not in body, (status, body[:300])
    return app, full_env, empty_env


def measure(counts: list[int], cached: bool, root: Path) -> dict[str, dict[str, float]]:
    """Seconds per listing, per empty listing and per instance for each count.

    Each count is measured in ``PHASES`` phases spread over the run (every count's phase, then
    every count's again), ``BATCHES`` batches a phase after one untimed listing (what the other
    counts pushed out of the processor's caches comes back first); the least batch of each kind
    is kept. A slowdown of the machine lasting a few seconds then hits one phase of a count, not
    all of its batches (other work only ever adds time).
    """
    prepared = {count: _prepared(count, root / f"store-{count}") for count in counts}
    samples: dict[int, tuple[list[float], list[float]]] = {count: ([], []) for count in counts}
    for _ in range(PHASES):
        for count, (app, full_env, empty_env) in prepared.items():
            os.environ["DELTACLOUD_MOCK_STORAGE"] = str(root / f"store-{count}")  # read at each request by the mock
            repeat = (BATCH if cached else UNCACHED_BATCH).get(count, 2)
            _per_request(app, full_env, 1)
            _per_request(app, empty_env, 1)
            for _ in range(BATCHES):
                samples[count][0].append(_per_request(app, full_env, repeat))
                samples[count][1].append(_per_request(app, empty_env, repeat * 4))
    results = {}
    for count, (full, empty) in samples.items():
        listing, fixed = min(full), min(empty)
        results[str(count)] = {"listing": listing, "empty": fixed, "per_instance": (listing - fixed) / count}
    return results


def _this_process(counts: list[int], show: bool) -> dict[str, dict[str, float]]:
    """Each count measured here, cached or not as ``DELTACLOUD_CACHE`` says (read when the caches are made)."""
    from deltacloud.config import caching_enabled

    cached = caching_enabled()
    with tempfile.TemporaryDirectory(prefix="dc-scaling-") as tmp:
        os.environ["DELTACLOUD_MOCK_DELAY"] = "0"
        from deltacloud.http import accesslog

        accesslog.configure("off")
        results = measure(counts, cached, Path(tmp))
    if show:
        for count, found in results.items():
            print(f"{'cached' if cached else 'uncached':<9} {int(count):>6} instances: {found['listing'] * 1e3:9.3f} "
                  f"ms a listing, {found['empty'] * 1e6:6.1f} us an empty one, "
                  f"{found['per_instance'] * 1e6:6.2f} us per instance", flush=True)
    return results


def main() -> int:
    """Measure each count in a fresh store, cached here, then uncached in a process of its own; print or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="100,1000,10000")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    parser.add_argument("--here", action="store_true", help="only this process's mode (DELTACLOUD_CACHE as set)")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    if args.here:
        print(json.dumps(_this_process(counts, show=False)))
        return 0
    os.environ.pop("DELTACLOUD_CACHE", None)
    results = {"cached": _this_process(counts, show=not args.json)}
    argv = [sys.executable, __file__, "--here", "--counts", args.counts]
    env = dict(os.environ, DELTACLOUD_CACHE="off")  # every cache off, the mock's too, from the start
    results["uncached"] = json.loads(subprocess.run(argv, env=env, capture_output=True, text=True, check=True,
                                                    timeout=900).stdout)
    if args.json:
        print(json.dumps(results))
    else:
        for count, found in results["uncached"].items():
            print(f"uncached  {int(count):>6} instances: {found['listing'] * 1e3:9.3f} ms a listing, "
                  f"{found['empty'] * 1e6:6.1f} us an empty one, {found['per_instance'] * 1e6:6.2f} us per instance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
