"""How ``ThreadedWSGI`` hands an answer from its thread to the event loop.

A small answer goes over once, whole, after the app is done (its close, which writes the access
line, before a byte is sent); a large one streams while the app still produces it; a client that
stops reading costs at most ``send_timeout``; the backend's slot is held until the thread is done.
Driven in process with a real loop and real threads, the ASGI side played by the test.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from deltacloud.serve import WHOLE_BYTES, ThreadedWSGI

SCOPE = {"type": "http", "method": "GET", "path": "/api", "raw_path": b"/api", "query_string": b"",
         "headers": [(b"host", b"127.0.0.1")], "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000),
         "http_version": "1.1", "scheme": "http"}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def _serve(app: Callable[..., Any], send: Callable[[Any], Any], **options: Any) -> ThreadedWSGI:
    """Run one request through a fresh ``ThreadedWSGI`` on a fresh loop; the server is returned for a look."""
    server = ThreadedWSGI(app, threads=2, max_body=1024, **options)

    async def scenario() -> None:
        await server(dict(SCOPE), _receive, send)

    try:
        asyncio.run(scenario())
    finally:
        server.pool.shutdown(wait=True)
    return server


class Pieces:
    """A WSGI body that records, in ``log``, when each piece is taken and when it is closed."""

    def __init__(self, pieces: list[bytes], log: list[str], before: Callable[[int], None] | None = None) -> None:
        self.pieces, self.log, self.before = pieces, log, before

    def __iter__(self) -> Iterator[bytes]:
        for index, piece in enumerate(self.pieces):
            if self.before is not None:
                self.before(index)
            self.log.append(f"piece {index}")
            yield piece

    def close(self) -> None:
        self.log.append("closed")


def test_a_small_answer_goes_over_once_and_after_the_close() -> None:
    log: list[str] = []
    sent: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Pieces:
        start_response("200 OK", [("Content-Type", "application/xml")])
        return Pieces([b"<api>", b"", b"</api>"], log)

    async def send(message: dict[str, Any]) -> None:
        log.append(message["type"])
        sent.append(message)

    _serve(app, send)
    assert log == ["piece 0", "piece 1", "piece 2", "closed", "http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200 and sent[0]["headers"] == [(b"content-type", b"application/xml")]
    assert sent[1] == {"type": "http.response.body", "body": b"<api></api>", "more_body": False}


def test_a_large_answer_streams_while_the_app_still_produces_it() -> None:
    log: list[str] = []
    bodies: list[tuple[bytes, bool]] = []
    first_out = threading.Event()
    piece = b"x" * (WHOLE_BYTES // 2 + 1)  # two of them are over the bound

    def before(index: int) -> None:
        if index == 3:  # the app waits here until the first part is with the client (bounded)
            assert first_out.wait(10), "nothing was sent before the app finished"

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Pieces:
        start_response("200 OK", [])
        return Pieces([piece, piece, piece, piece, b"end"], log, before)

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            bodies.append((message["body"], message["more_body"]))
            first_out.set()

    _serve(app, send)
    assert b"".join(body for body, _ in bodies) == piece * 4 + b"end"
    assert [more for _, more in bodies] == [True] * (len(bodies) - 1) + [False]
    assert bodies[0] == (piece, True)  # what fitted in the bound, in one part
    assert bodies[-1] == (b"end", False) and log[-1] == "closed"


def test_a_client_that_stops_reading_costs_at_most_the_send_timeout() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [])
        return [b"answer"]

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            await asyncio.Event().wait()  # never taken

    started = time.monotonic()
    server = _serve(app, send, send_timeout=0.2)
    assert time.monotonic() - started < 5
    assert server.bulkhead.in_use(("", "")) == 0


def test_the_apps_failure_reaches_the_request_and_frees_the_slot() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise LookupError("broken app")

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("nothing is sent for a failed app")

    server = ThreadedWSGI(app, threads=1, max_body=1024)

    async def scenario() -> None:
        with pytest.raises(LookupError, match="broken app"):
            await server(dict(SCOPE), _receive, send)
        assert server.bulkhead.in_use(("", "")) == 0

    asyncio.run(scenario())
    server.pool.shutdown(wait=True)


def test_a_request_given_up_keeps_its_slot_until_the_thread_is_done() -> None:
    running, finish = threading.Event(), threading.Event()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        running.set()
        assert finish.wait(10)
        start_response("200 OK", [])
        return [b"late"]

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("the request was given up: nothing is sent")

    server = ThreadedWSGI(app, threads=1, max_body=1024)

    async def scenario() -> tuple[int, int]:
        task = asyncio.create_task(server(dict(SCOPE), _receive, send))
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, running.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        held = server.bulkhead.in_use(("", ""))
        finish.set()
        for _ in range(200):  # bounded: the thread ends at once
            if server.bulkhead.in_use(("", "")) == 0:
                break
            await asyncio.sleep(0.01)
        return held, server.bulkhead.in_use(("", ""))

    assert asyncio.run(scenario()) == (1, 0)
    server.pool.shutdown(wait=True)


def _body_request(messages: list[dict[str, Any]], max_body: int = 1024) -> tuple[list[bytes], list[dict[str, Any]]]:
    """The body the app read, and what was sent, for a POST whose body comes as ``messages``."""
    read: list[bytes] = []
    sent: list[dict[str, Any]] = []
    pending = list(messages)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        read.append(environ["wsgi.input"].read())
        assert environ["CONTENT_LENGTH"] == str(len(read[0]))
        start_response("201 Created", [])
        return [b"made"]

    async def receive() -> dict[str, Any]:
        return pending.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    server = ThreadedWSGI(app, threads=1, max_body=max_body)
    scope = {**SCOPE, "method": "POST", "path": "/api/keys", "raw_path": b"/api/keys"}
    asyncio.run(server(scope, receive, send))
    server.pool.shutdown(wait=True)
    return read, sent


def test_a_body_in_one_message_reaches_the_app_as_it_came() -> None:
    read, sent = _body_request([{"type": "http.request", "body": b"name=k1", "more_body": False}])
    assert read == [b"name=k1"] and sent[0]["status"] == 201


def test_a_body_in_pieces_reaches_the_app_joined() -> None:
    pieces = [{"type": "http.request", "body": p, "more_body": True} for p in (b"name", b"=", b"k")]
    read, sent = _body_request([*pieces, {"type": "http.request", "body": b"2", "more_body": False}])
    assert read == [b"name=k2"] and sent[0]["status"] == 201


@pytest.mark.parametrize("pieces", [1, 3], ids=["one message", "pieces"])
def test_a_body_over_the_limit_without_a_length_is_refused(pieces: int) -> None:
    size = 100 // pieces + 1
    messages = [{"type": "http.request", "body": b"x" * size, "more_body": n < pieces - 1} for n in range(pieces)]
    read, sent = _body_request([*messages, {"type": "http.disconnect"}], max_body=99)
    assert read == [] and sent[0]["status"] == 413


def test_a_request_cancelled_while_its_answer_is_sent_stays_cancelled() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [])
        return [b"answer"]

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            await asyncio.Event().wait()  # the client does not read

    server = ThreadedWSGI(app, threads=1, max_body=1024, send_timeout=30)

    async def scenario() -> None:
        task = asyncio.create_task(server(dict(SCOPE), _receive, send))
        for _ in range(500):  # bounded: the answer is being sent within milliseconds
            if len(server.deadlines):
                break
            await asyncio.sleep(0.01)
        task.cancel()  # the connection is lost, say: not the send's deadline
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    server.pool.shutdown(wait=True)
