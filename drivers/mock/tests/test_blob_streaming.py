"""Blob bodies stream through the core and the mock: the memory a large upload and download take, measured.

The WSGI app is called directly (``falcon.testing`` would buffer the body) with a request
body generated on the fly; ``tracemalloc`` records the peak of Python allocations, where
every chunk of the blob would show. Over real HTTP, see ``test_blob_live.py``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import falcon.testing

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app

_spec = importlib.util.spec_from_file_location("mock_blobdata", Path(__file__).with_name("blobdata.py"))
blobdata = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("mock_blobdata", blobdata)
_spec.loader.exec_module(blobdata)

SIZE = 256 * blobdata.MIB
#: What the whole request may allocate at its peak, far below the blob's size (chunks are 1 MiB).
ALLOWED = 8 * blobdata.MIB


def _call(app, method: str, path: str, headers: dict[str, str], body=None) -> tuple[str, dict, Iterable[bytes]]:
    environ = falcon.testing.create_environ(path=path, method=method, headers=headers)
    if body is not None:
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = body, str(body.size)
    started: dict = {}

    def start_response(status, response_headers, exc_info=None):
        started.update(status=status, headers={k.lower(): v for k, v in response_headers})

    result = app(environ, start_response)
    return started["status"], started["headers"], result


def test_a_blob_far_larger_than_the_memory_allowed_streams_both_ways(storage, mock_auth):
    app = create_app(ServerConfig(driver="mock"))
    warm_up = blobdata.Generated(3 * blobdata.MIB)  # first use of the store and driver, kept out of the figures
    assert _call(app, "PUT", "/api/buckets/bucket1/small", mock_auth, warm_up)[0].startswith("200")
    result = _call(app, "GET", "/api/buckets/bucket1/small/content", mock_auth)[2]
    assert len(b"".join(result)) == 3 * blobdata.MIB
    result.close()
    body = blobdata.Generated(SIZE)
    tracemalloc.start()
    try:
        status, _, result = _call(app, "PUT", "/api/buckets/bucket1/huge",
                                  {**mock_auth, "Content-Type": "application/x-huge"}, body)
        document = b"".join(result)
        upload_peak = tracemalloc.get_traced_memory()[1]
        assert status.startswith("200"), document
        assert body.position == SIZE

        tracemalloc.reset_peak()
        status, headers, result = _call(app, "GET", "/api/buckets/bucket1/huge/content", mock_auth)
        received, digest = 0, hashlib.md5(usedforsecurity=False)
        try:
            for chunk in result:
                received += len(chunk)
                digest.update(chunk)
        finally:
            result.close()
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status.startswith("200") and headers["content-type"] == "application/x-huge"
    assert int(headers["content-length"]) == received == SIZE
    assert digest.hexdigest() == body.digest.hexdigest()
    print(f"\n{SIZE // blobdata.MIB} MiB blob: peak Python allocations {upload_peak / blobdata.MIB:.1f} MiB up, "
          f"{download_peak / blobdata.MIB:.1f} MiB down")
    assert upload_peak < ALLOWED, upload_peak
    assert download_peak < ALLOWED, download_peak


class _Form:
    """A multipart body generated on the fly: ``head``, ``file`` (a ``Generated``), then ``tail``."""

    def __init__(self, head: bytes, file: blobdata.Generated, tail: bytes) -> None:
        self._pieces = [head, file, tail]
        self.size = len(head) + file.size + len(tail)

    def read(self, size: int = -1) -> bytes:
        while self._pieces:
            piece = self._pieces[0]
            data = piece.read(size) if isinstance(piece, blobdata.Generated) else piece[:size if size >= 0 else None]
            if not isinstance(piece, blobdata.Generated):
                self._pieces[0] = piece[len(data):]
            if data:
                return data
            self._pieces.pop(0)
        return b""


def test_a_large_form_upload_with_metadata_after_the_file_is_spooled_in_bounded_memory(storage, mock_auth):
    """Fields after the file part (as some encoders order them) are read before storing: the file is spooled."""
    app = create_app(ServerConfig(driver="mock"))
    size = SIZE // 2
    sep = b"--dcconfBoundary7c1e5f0a9\r\n"
    head = (sep + b'Content-Disposition: form-data; name="blob_data"; filename="big"\r\n'
            b"Content-Type: application/x-big\r\n\r\n")
    tail = (b"\r\n" + sep + b'Content-Disposition: form-data; name="blob_id"\r\n\r\nspooled\r\n'
            + sep + b'Content-Disposition: form-data; name="meta_name1"\r\n\r\norder\r\n'
            + sep + b'Content-Disposition: form-data; name="meta_value1"\r\n\r\nlast\r\n'
            + b"--dcconfBoundary7c1e5f0a9--\r\n")
    file = blobdata.Generated(size)
    body = _Form(head, file, tail)
    assert _call(app, "GET", "/api/buckets/bucket1", mock_auth)[0].startswith("200")  # warm up the store
    tracemalloc.start()
    try:
        form_type = "multipart/form-data; boundary=dcconfBoundary7c1e5f0a9"
        status, _, result = _call(app, "POST", "/api/buckets/bucket1", {**mock_auth, "Content-Type": form_type}, body)
        document = b"".join(result)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status.startswith("201"), document
    shown = b"".join(_call(app, "GET", "/api/buckets/bucket1/spooled", {**mock_auth, "Accept": "application/xml"})[2])
    assert b"<content_length>%d</content_length>" % size in shown and b"CDATA[last]" in shown
    print(f"\n{size // blobdata.MIB} MiB form upload, metadata after the file: peak {peak / blobdata.MIB:.1f} MiB")
    assert peak < ALLOWED, peak
