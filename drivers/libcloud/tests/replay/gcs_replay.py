"""Google Cloud Storage's recorded XML API answers (libcloud's ``storage/fixtures/google_storage``) on loopback.

The S3-interoperable XML API as libcloud's HMAC mode uses it. Every request must carry a
``GOOG1 ACCESS_ID:SIGNATURE`` header whose HMAC-SHA1 signature the replay recomputes itself
(Google's documented string to sign) with ``SECRET``; anything else is 403
``SignatureDoesNotMatch``, as Google answers. Then:

* ``GET /``: the recorded bucket listing (``list_containers.xml``: ``test1``, ``test2``).
* ``HEAD /BUCKET``: 200 for a recorded bucket, 404 otherwise.
* ``GET /test1``: the recorded object listing (``list_container_objects.xml``: ``1.zip``);
  ``GET /test2``: the recorded empty listing.
* ``HEAD`` and ``GET /test1/1.zip``: the recording lists the object but holds neither its headers
  nor its content, so the replay answers with the listing's size, ETag and LastModified, and adds
  rules of its own: the content type guessed from the name, one user metadata header
  (``x-goog-meta-source: libcloud-recording``) and ``content(size)`` as the body.

Anything else is 404 ``NoSuchKey``. Writes are not replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import re
import ssl
import threading
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from wsgiref.simple_server import make_server
from xml.etree import ElementTree

from .replay import FIXTURES, REPLAY_PASSWORD, ReplayServer, _QuietHandler, _send, _ThreadingWSGIServer

RECORDINGS = FIXTURES / "storage" / "fixtures" / "google_storage"
#: The HMAC key the replay accepts (an access id is 20 characters starting with GOOG).
ACCESS_ID, SECRET = "GOOGREPLAY0123456789", REPLAY_PASSWORD
#: Which recorded object listing answers for which recorded bucket.
LISTINGS = {"test1": "list_container_objects.xml", "test2": "list_container_objects_empty.xml"}
_NS = "{http://doc.s3.amazonaws.com/2006-03-01}"


def content(size: int) -> bytes:
    """The body the replay serves for an object of ``size`` bytes (the recording holds none)."""
    pattern = bytes(range(251))
    return (pattern * (size // len(pattern) + 1))[:size]


def recorded_buckets() -> list[str]:
    """The bucket names of the recorded listing."""
    root = ElementTree.fromstring((RECORDINGS / "list_containers.xml").read_bytes())
    return [name.text or "" for name in root.iter(f"{_NS}Name")]


def recorded_objects(bucket: str) -> dict[str, dict[str, str]]:
    """The recorded listing of ``bucket``: name to its Size, ETag and LastModified."""
    root = ElementTree.fromstring((RECORDINGS / LISTINGS[bucket]).read_bytes())
    return {c.findtext(f"{_NS}Key") or "": {field: c.findtext(f"{_NS}{field}") or ""
                                             for field in ("Size", "ETag", "LastModified")}
            for c in root.iter(f"{_NS}Contents")}


def signature(secret: str, method: str, headers: dict[str, str], path: str) -> str:
    """Google's HMAC signature: base64 HMAC-SHA1 over verb, MD5, type, date, x-goog headers, resource."""
    lines = [method, headers.get("content-md5", ""), headers.get("content-type", ""), headers.get("date", "")]
    lines += [f"{k}:{v.strip()}" for k, v in sorted(headers.items()) if k.startswith("x-goog-")]
    digest = hmac.new(secret.encode(), "\n".join([*lines, path]).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


#: The environ key of the Content-Type header as sent (wsgiref's CONTENT_TYPE defaults to text/plain).
RAW_CONTENT_TYPE = "replay.content_type"


class _Handler(_QuietHandler):
    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[RAW_CONTENT_TYPE] = self.headers.get("content-type", "")
        return environ


def _error(start_response: Callable[..., Any], status: int, code: str) -> list[bytes]:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code></Error>".encode()
    return _send(start_response, status, body)


class GcsReplay:
    """The WSGI app: the signature checked, then the recorded answers."""

    def __init__(self) -> None:
        self.base = ""
        #: (method, path, Host header) of every request received.
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "") or "/"
        self.calls.append((method, path, environ.get("HTTP_HOST", "")))
        headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get(RAW_CONTENT_TYPE, "")
        scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        access_id, _, sig = given.partition(":")
        expected = signature(SECRET, method, headers, path)
        if scheme != "GOOG1" or access_id != ACCESS_ID or not hmac.compare_digest(sig, expected):
            return _error(start_response, 403, "SignatureDoesNotMatch")
        if method not in ("GET", "HEAD"):
            return _error(start_response, 404, "NoSuchKey")
        if path == "/" and method == "GET":
            return _send(start_response, 200, (RECORDINGS / "list_containers.xml").read_bytes())
        match = re.fullmatch(r"/([^/]+)/?(.*)", path)
        bucket, key = (match.group(1), match.group(2)) if match else ("", "")
        if bucket not in recorded_buckets():
            return _error(start_response, 404, "NoSuchBucket")
        if not key:
            data = b"" if method == "HEAD" else (RECORDINGS / LISTINGS[bucket]).read_bytes()
            return _send(start_response, 200, data, {"Content-Type": "application/xml"})
        recorded = recorded_objects(bucket).get(key)
        if recorded is None:
            return _error(start_response, 404, "NoSuchKey")
        return self._object(start_response, method, key, recorded)

    @staticmethod
    def _object(start_response: Callable[..., Any], method: str, key: str,
                recorded: dict[str, str]) -> list[bytes]:
        size = int(recorded["Size"])
        modified = datetime.fromisoformat(recorded["LastModified"].replace("Z", "+00:00"))
        start_response("200 OK", [
            ("Content-Type", mimetypes.guess_type(key)[0] or "application/octet-stream"),
            ("Content-Length", str(size)), ("ETag", recorded["ETag"]),
            ("Last-Modified", format_datetime(modified, usegmt=True)),
            ("x-goog-meta-source", "libcloud-recording"),
        ])
        return [] if method == "HEAD" else [content(size)]


def start(tls: ssl.SSLContext | None = None) -> ReplayServer:
    """Serve a ``GcsReplay`` on a free loopback port, in a thread (over TLS with ``tls``)."""
    app = GcsReplay()
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    app.base = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return ReplayServer(app.base, app, server, thread)  # type: ignore[arg-type]
