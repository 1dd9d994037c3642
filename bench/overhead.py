"""The app's own cost per request, in process: deltacloudd's WSGI app against the bare app, same bytes.

    .venv/bin/python bench/overhead.py [--instances 50] [--requests 2000] [--profile json|xml|304|api]

Builds the WSGI app as a ``deltacloudd`` worker does (``AccessLog(create_app(config))``, the mock on a
fresh store in a temporary folder) and the bare Falcon app of ``bench/bare_app.py`` over the very
bytes it answered, then hands each the same environ (as ``deltacloud.serve`` makes it) many times,
reading and closing the answer as the server does. It prints microseconds per request of each side
for the listing in XML and JSON, a conditional GET answered 304, and ``/api``: the part of a request
the serving front (shared by both sides) does not explain. No sockets, no threads: on a loaded
machine these figures move far less than wrk's. ``--profile`` prints cProfile's top functions of one
figure.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

AUTH = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()
TYPES = {"xml": "application/xml", "json": "application/json"}


def environ(method: str, path: str, accept: str, *extra: tuple[str, str], body: bytes = b"") -> dict[str, Any]:
    """A request environ shaped like ``deltacloud.serve.ThreadedWSGI``'s."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "RAW_URI": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "3001", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True, "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "HTTP_HOST": "127.0.0.1:3001", "HTTP_ACCEPT": accept, "HTTP_AUTHORIZATION": AUTH,
        "CONTENT_LENGTH": str(len(body)),
    }
    if body:
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    env.update(extra)
    return env


def call(app: Callable[..., Any], env: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """Hand ``env`` to ``app``; status, headers and body, the iterable read and closed like the server does."""
    answer: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer[:] = [int(status.split()[0]), {k.lower(): v for k, v in headers}]
        return lambda data: None

    env = dict(env, **{"wsgi.input": io.BytesIO(env["wsgi.input"].getvalue())})
    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer[0], answer[1], body


def mock_app(instances: int, users: str = "") -> Callable[..., Any]:
    """The app as a worker builds it (``AccessLog(create_app(...))``), the mock's store holding ``instances``.

    The store is ``$DELTACLOUD_MOCK_STORAGE``; instances are added through the API, 100 per request.
    ``users`` is the mock's ``users`` option (``name:password,...``): more users, each with a store of their own.
    This process's garbage collector is set as a worker sets its own (``deltacloud.collector``).
    """
    from deltacloud.collector import tune_collector
    from deltacloud.config import ServerConfig
    from deltacloud.http import accesslog
    from deltacloud.http.app import create_app

    tune_collector()
    options = {"mock": {"users": users}} if users else {}
    app = accesslog.AccessLog(create_app(ServerConfig(driver="mock", driver_options=options)))
    left = instances - call(app, environ("GET", "/api/instances", TYPES["xml"]))[2].count(b"<instance ")
    while left > 0:
        batch = min(100, left)
        status, _, body = call(app, environ("POST", "/api/instances", TYPES["xml"],
                                            body=f"image_id=img1&hwp_id=m1-small&instance_count={batch}".encode()))
        assert status == 201, body[:300]
        left -= batch
    return app


def per_request(app: Callable[..., Any], env: dict[str, Any], requests: int) -> float:
    """CPU microseconds per request (this thread's time, less moved by other processes): median of 5 batches."""
    batch = max(1, requests // 5)
    samples = []
    for _ in range(5):
        started = time.thread_time()
        for _ in range(batch):
            call(app, env)
        samples.append((time.thread_time() - started) / batch * 1e6)
    return statistics.median(samples)


def main() -> int:
    """Build both apps, time each figure, print the table (and a profile when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", choices=("xml", "json", "304", "api"))
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dc-overhead-") as tmp:
        os.environ.update(DELTACLOUD_MOCK_STORAGE=str(Path(tmp, "store")), DELTACLOUD_MOCK_DELAY="0")
        from bare_app import make_app

        from deltacloud.http import accesslog

        accesslog.configure("off")
        app = mock_app(args.instances)
        figures = {"xml": ("/api/instances", "xml"), "json": ("/api/instances", "json"),
                   "304": ("/api/instances", "xml"), "api": ("/api", "xml")}
        bodies = Path(tmp, "bodies")
        bodies.mkdir()
        requests: dict[str, dict[str, Any]] = {}
        for name, (path, fmt) in figures.items():
            status, headers, body = call(app, environ("GET", path, TYPES[fmt]))
            assert status == 200, (path, status)
            stored = Path(bodies, f"{path.lstrip('/').replace('/', '~')}.{fmt}")
            stored.write_bytes(body)
            stored.with_name(stored.name + ".etag").write_text(headers["etag"])
            extra = (("HTTP_IF_NONE_MATCH", headers["etag"]),) if name == "304" else ()
            requests[name] = environ("GET", path, TYPES[fmt], *extra)
        bare = make_app(bodies)
        if args.profile:
            env = requests[args.profile]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                call(app, env)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            return 0
        print(f"{args.instances} instances, {args.requests} requests per figure, us per request")
        print(f"{'figure':<8} {'deltacloud':>11} {'bare':>8} {'extra':>8}")
        for name, env in requests.items():
            ours_status = call(app, env)[0]
            bare_status = call(bare, env)[0]
            assert ours_status == bare_status, (name, ours_status, bare_status)
            ours, theirs = per_request(app, env, args.requests), per_request(bare, env, args.requests)
            print(f"{name:<8} {ours:>11.1f} {theirs:>8.1f} {ours - theirs:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
