"""Time per instance of a listing, in process, at 100, 1,000 and 10,000 instances: cached and uncached.

    .venv/bin/python bench/scaling.py [--counts 100,1000,10000] [--json]

For each count it builds the WSGI app as a ``deltacloudd`` worker does (``overhead.py``'s way), on a
fresh mock store holding that many instances, and takes this thread's CPU time per listing
(``GET /api/instances``, its chunks taken one by one as the server sends them, never joined) less
its time per request of the same listing matching nothing (``?id=none``: the request's fixed cost),
over the count. Both are taken in alternating batches and the median of five kept. *Cached* is the
default server (rendered objects reused while unchanged: what is left per instance is one identity
check and moving the bytes); *uncached* renders every instance every time (``DELTACLOUD_CACHE=off``):
the writers' own cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from overhead import TYPES, call, environ

#: Requests per batch, by count: about the same CPU time per batch.
BATCH = {100: 200, 1000: 40, 10000: 4}


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


def measure(count: int, cached: bool) -> dict[str, float]:
    """Seconds per listing, per empty listing and per instance for ``count`` instances."""
    from deltacloud.render import fragments

    fragments.FRAGMENTS.enabled = fragments.ENTRY_POINTS.enabled = cached
    fragments.FRAGMENTS.clear()
    from deltacloud.config import ServerConfig
    from deltacloud.http import accesslog
    from deltacloud.http.app import create_app

    app = accesslog.AccessLog(create_app(ServerConfig(driver="mock")))
    left = count - call(app, environ("GET", "/api/instances", TYPES["xml"]))[2].count(b"<instance ")
    while left > 0:
        batch = min(100, left)
        status, _, body = call(app, environ("POST", "/api/instances", TYPES["xml"],
                                            body=f"image_id=img1&hwp_id=m1-small&instance_count={batch}".encode()))
        assert status == 201, body[:300]
        left -= batch
    full_env = environ("GET", "/api/instances", TYPES["xml"])
    empty_env = dict(environ("GET", "/api/instances", TYPES["xml"]), QUERY_STRING="id=none")
    status, _, body = call(app, full_env)
    assert status == 200 and body.count(b"<instance ") == count, (status, body.count(b"<instance "))
    repeat = max(1, BATCH.get(count, 4) // (1 if cached else 10))
    full, empty = [], []
    for _ in range(5):
        full.append(_per_request(app, full_env, repeat))
        empty.append(_per_request(app, empty_env, repeat * 4))
    listing, fixed = statistics.median(full), statistics.median(empty)
    return {"listing": listing, "empty": fixed, "per_instance": (listing - fixed) / count}


def main() -> int:
    """Measure each count in a fresh store, cached then uncached; print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="100,1000,10000")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, float]]] = {"cached": {}, "uncached": {}}
    with tempfile.TemporaryDirectory(prefix="dc-scaling-") as tmp:
        os.environ["DELTACLOUD_MOCK_DELAY"] = "0"
        from deltacloud.http import accesslog

        accesslog.configure("off")
        for count in map(int, args.counts.split(",")):
            os.environ["DELTACLOUD_MOCK_STORAGE"] = str(Path(tmp, f"store-{count}"))
            for mode in ("cached", "uncached"):
                results[mode][str(count)] = found = measure(count, mode == "cached")
                if not args.json:
                    print(f"{mode:<9} {count:>6} instances: {found['listing'] * 1e3:9.3f} ms a listing, "
                          f"{found['empty'] * 1e6:6.1f} us an empty one, {found['per_instance'] * 1e6:6.2f} us "
                          "per instance", flush=True)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
