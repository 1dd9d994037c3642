"""How ``deltacloudd`` serves: an event loop reads whole requests, a bounded thread pool runs the app.

gunicorn's ``asgi`` worker parses HTTP on an asyncio event loop. ``ThreadedWSGI`` is the ASGI
application it runs: it receives a request's body on the loop (in memory up to
``SPOOL_BYTES``, then in a temporary file), refuses it with 413 past its limit, and only then
hands the *complete* request to one of ``threads`` threads that call the WSGI application
(Falcon). A client that trickles its headers or its body therefore costs a socket and a few
bytes, never a thread: 200 such clients do not delay anyone else. The way back is as short: an
answer of up to ``WHOLE_BYTES`` goes to the loop once, whole, when the app is done (one wake-up of
the loop, no thread waiting on a client); only a larger one streams, its thread waiting for the
loop to take each piece.

Bodies are bounded by route: blob uploads (``PUT``/``POST`` under ``/api/buckets/B[/BLOB]``) by
``max_upload``, every other body by ``max_body``. A ``Content-Length`` over the limit is refused
before a byte is read; a chunked body as soon as it passes the limit. The app sees every body
with a ``CONTENT_LENGTH`` (chunked ones de-chunked), so it reads chunked and sized bodies alike.

Before a request takes a thread it takes a slot of its backend's ``Bulkhead``, so a backend
that hangs holds at most its share of the threads and the others keep answering.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import IO, Any
from urllib.parse import unquote_to_bytes

from deltacloud.bulkhead import Bulkhead, backend_key
from deltacloud.deadlines import SendDeadlines
from deltacloud.http.context import split_matrix
from deltacloud.pool import ThreadPool

#: Request bodies up to this size stay in memory; larger ones go to a temporary file.
SPOOL_BYTES = 1024 * 1024
#: After refusing a body that is too large, how much more of it is read and dropped, and for how
#: long, so that the client, still sending, gets to read the 413 instead of a reset connection.
LINGER_BYTES = 8 * 1024 * 1024
LINGER_SECONDS = 2.0

#: A response of at most this many bytes is sent by the loop in one go once the app is done (one
#: hand-off between its thread and the loop, instead of a round trip per piece); a larger one streams.
WHOLE_BYTES = 256 * 1024

#: Default bound of a blob upload's body: 5 GiB, the largest single PUT S3 accepts.
DEFAULT_MAX_UPLOAD = 5 * 1024**3

_BLOB_PATH = re.compile(r"^/api/buckets/[^/]+(/[^/]+)?/?$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def is_blob_upload(method: str, path: str) -> bool:
    """Whether ``method path`` (matrix parameters already stripped) may carry a blob's bytes."""
    return method in ("PUT", "POST") and bool(_BLOB_PATH.match(path))


def _header_map(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Request headers as a WSGI environ fragment: ``HTTP_*``, ``CONTENT_TYPE``, repeated ones joined."""
    environ: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1")
        if "_" in name:  # X_Forwarded_For would pass for X-Forwarded-For once in the environ: dropped
            continue
        key = name.upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class BodyTooLargeError(Exception):
    """A request body over its limit (answered with 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body larger than {limit} bytes")
        self.limit = limit


class ThreadedWSGI:
    """An ASGI application that runs a WSGI ``app`` in ``threads`` threads, on complete requests only.

    ``script_name`` is the path prefix the API is mounted under (``SCRIPT_NAME``); requests
    outside it get 404. ``send_timeout`` bounds how long a thread waits for a client to take
    a chunk of the response (a client that stops reading is disconnected after it).
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], *, threads: int, max_body: int,
                 max_upload: int = DEFAULT_MAX_UPLOAD, backend_share: float = 0.5, script_name: str = "",
                 send_timeout: float = 60.0, multiprocess: bool = False) -> None:
        self.app = app
        self.threads = threads
        self.max_body = max_body
        self.max_upload = max_upload
        self.script_name = script_name.rstrip("/")
        self.send_timeout = send_timeout
        self.multiprocess = multiprocess
        self.bulkhead = Bulkhead(threads, backend_share)
        self.pool = ThreadPool(threads)  # threads start as requests need them, in the worker process
        self.deadlines = SendDeadlines(send_timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # in-flight requests finish first
                await asyncio.get_running_loop().run_in_executor(None, self.pool.shutdown, True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        path = unquote_to_bytes(raw_path).decode("latin-1")
        if self.script_name:
            if path != self.script_name and not path.startswith(self.script_name + "/"):
                await _error(send, 404, f"No such resource: {path[:200]}", path, {}, {})
                return
            path = path[len(self.script_name):]
        clean, api_params, _ = split_matrix(path)
        headers = _header_map(scope["headers"])
        limit = self.max_upload if is_blob_upload(method, clean) else self.max_body
        try:
            body, size = await self._read_body(headers, receive, limit)
        except BodyTooLargeError as exc:
            await _error(send, 413, str(exc), clean, api_params, headers)
            await _linger(receive)
            return
        except ConnectionError:
            return  # the client left before its request was complete
        environ = self._environ(scope, method, path, headers, body, size)
        key = backend_key(api_params, headers)
        loop = asyncio.get_running_loop()
        try:
            await self.bulkhead.acquire(key)
        except BaseException:
            body.close()
            raise
        # The slot and the body are released when the thread is done, not when this task is: a
        # client that gives up must not free its backend's slot while a thread still waits on it.
        done: asyncio.Future[list[Message]] = loop.create_future()

        def settle(outcome: list[Message] | BaseException) -> None:  # on the loop, the thread done
            self.bulkhead.release(key)
            if not done.done():  # else this task was cancelled meanwhile
                if isinstance(outcome, BaseException):
                    done.set_exception(outcome)
                else:
                    done.set_result(outcome)

        def run() -> None:
            outcome: list[Message] | BaseException
            try:
                outcome = self._run(environ, send, loop)
            except BaseException as exc:  # raised again in this task, as before the thread
                outcome = exc
            body.close()
            loop.call_soon_threadsafe(settle, outcome)

        try:
            self.pool.submit(run)
        except BaseException:
            self.bulkhead.release(key)
            body.close()
            raise
        messages = await done
        task = asyncio.current_task()
        assert task is not None  # (an ASGI app runs in a task)
        self.deadlines.start(task, loop)
        try:
            for message in messages:
                await send(message)
        except asyncio.CancelledError:
            if not self.deadlines.expired(task):
                raise
            # else the client stopped reading for send_timeout: the connection is dropped
        finally:
            self.deadlines.forget(task)

    async def _read_body(self, headers: dict[str, str], receive: Receive, limit: int) -> tuple[IO[bytes], int]:
        """The whole body, spooled; ``BodyTooLargeError`` past ``limit``, ``ConnectionError`` on a disconnect."""
        declared = headers.get("CONTENT_LENGTH", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLargeError(limit)
        message = await receive()
        if message["type"] != "http.disconnect" and not message.get("more_body", False):
            # the whole body in one message (most requests, and every one without a body): kept as it came
            whole = message.get("body", b"")
            if len(whole) > limit:
                raise BodyTooLargeError(limit)
            return io.BytesIO(whole), len(whole)
        body: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by the caller)
        size = 0
        try:
            while True:
                if message["type"] == "http.disconnect":
                    raise ConnectionError("client disconnected")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise BodyTooLargeError(limit)
                if chunk:
                    body.write(chunk)
                if not message.get("more_body", False):
                    break
                message = await receive()
        except BaseException:
            body.close()
            raise
        body.seek(0)
        return body, size

    def _environ(self, scope: Scope, method: str, path: str, headers: dict[str, str], body: IO[bytes],
                 size: int) -> dict[str, Any]:
        server = scope.get("server") or ("127.0.0.1", 0)
        client = scope.get("client") or ("", 0)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": self.script_name,
            "PATH_INFO": path,
            # Still percent-encoded, so matrix parameters may carry URLs (";provider=https%3A%2F%2F...").
            "RAW_URI": (scope.get("raw_path") or b"").decode("latin-1"),
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1]),
            "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
            "REMOTE_ADDR": str(client[0]),
            "REMOTE_PORT": str(client[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.input": body,
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": self.multiprocess,
            "wsgi.run_once": False,
        }
        environ.update(headers)
        environ.pop("HTTP_TRANSFER_ENCODING", None)  # the body is whole now, and its length known
        environ["CONTENT_LENGTH"] = str(size)
        return environ

    def _run(self, environ: dict[str, Any], send: Send, loop: asyncio.AbstractEventLoop) -> list[Message]:
        """Call the WSGI app in this thread; return the messages left for the loop to send.

        A response of at most ``WHOLE_BYTES`` comes back whole (its start and its body), so the
        thread hands it over once and never waits on the client. A larger one is streamed: its first
        ``WHOLE_BYTES`` in one piece, then piece by piece as the app yields them, the thread waiting
        for the loop to take each (``send_timeout`` at most); its last piece comes back.
        """
        started: list[tuple[int, list[tuple[bytes, bytes]]]] = []
        sent = [False]

        def deliver(message: Message) -> None:
            future = asyncio.run_coroutine_threadsafe(send(message), loop)
            try:
                future.result(timeout=self.send_timeout)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise ConnectionError("client stopped reading") from None

        def start_response(status: str, response_headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            if exc_info is not None and sent[0]:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [(int(status.split(" ", 1)[0]),
                           [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response_headers])]
            return write

        def start() -> Message:
            status, response_headers = started[0]
            return {"type": "http.response.start", "status": status, "headers": response_headers}

        def write(data: bytes) -> None:
            if not sent[0]:
                deliver(start())
                sent[0] = True
            if data:
                deliver({"type": "http.response.body", "body": data, "more_body": True})

        # The last piece is held back until the app's iterable is closed (which writes the access
        # line), so a client that has the whole answer can rely on it being logged.
        result = self.app(environ, start_response)
        close = getattr(result, "close", None)
        try:
            held: list[bytes] = []
            size = 0
            for chunk in result:
                if not chunk:
                    continue
                if sent[0]:
                    write(held.pop())
                elif size + len(chunk) > WHOLE_BYTES:
                    write(b"".join(held))
                    held.clear()
                held.append(chunk)
                size += len(chunk)
            if close is not None:
                close, closing = None, close
                closing()
            last = {"type": "http.response.body", "body": b"".join(held), "more_body": False}
            return [last] if sent[0] else [start(), last]
        except (ConnectionError, OSError):
            return []  # the client is gone; nothing to answer
        finally:
            if close is not None:
                close()


async def _linger(receive: Receive) -> None:
    """Read and drop what is left of a refused body, within ``LINGER_BYTES`` and ``LINGER_SECONDS``.

    Closing at once while the client still sends makes its kernel answer our close with a reset,
    which can throw away the 413 before the client reads it (a lingering close, as nginx does).
    """

    async def drain() -> None:
        dropped = 0
        while dropped < LINGER_BYTES:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                return
            dropped += len(message.get("body", b""))

    with contextlib.suppress(TimeoutError, ConnectionError):
        await asyncio.wait_for(drain(), LINGER_SECONDS)


async def _error(send: Send, status: int, message: str, path: str, api_params: dict[str, str],
                 headers: dict[str, str]) -> None:
    """An error document from the front itself, before the app is involved; the connection closes after it."""
    from deltacloud.http.negotiation import choose_format
    from deltacloud.http.resources import CONTENT_TYPES
    from deltacloud.render.document import render_error

    try:
        fmt = choose_format(None, headers.get("HTTP_ACCEPT"))
    except Exception:  # an unproducible Accept still gets the error, as XML
        fmt = "xml"
    driver = api_params.get("driver") or headers.get("HTTP_X_DELTACLOUD_DRIVER") or ""
    provider = api_params.get("provider") or headers.get("HTTP_X_DELTACLOUD_PROVIDER") or None
    body = render_error(status, message, path, driver, provider, fmt)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", CONTENT_TYPES[fmt].encode()),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body, "more_body": False})
