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
