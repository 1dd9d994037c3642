"""Large listings are streamed: the document's pieces go out in chunks, never joined in memory.

``send_document`` takes a document as the pieces ``render.document.list_parts`` makes (the
rendered objects, mostly reused from ``render.fragments``). Up to ``STREAM_BYTES`` it is joined
into ``resp.data`` as before (the middleware adds the ETag). Past that, the ETag is the same
MD5 the middleware would compute, taken over the pieces in order, and ``Content-Length`` their
sum; a matching ``If-None-Match`` is a 304, and otherwise ``resp.stream`` yields the pieces in
chunks of about ``CHUNK_BYTES``. So a 10,000-instance listing never exists as one 10 MB string.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import falcon

#: Documents larger than this are streamed.
STREAM_BYTES = 1024 * 1024
#: About how much each streamed chunk holds.
CHUNK_BYTES = 256 * 1024


def _chunks(parts: Sequence[bytes], size: int) -> Iterator[bytes]:
    pending: list[bytes] = []
    held = 0
    for part in parts:
        pending.append(part)
        held += len(part)
        if held >= size:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") in (etag, etag.strip('"')) for tag in header.split(","))


def send_document(req: falcon.Request, resp: falcon.Response, parts: Sequence[bytes]) -> None:
    """Answer with the document ``parts`` make: whole when small or not a 200 GET, streamed when large."""
    total = sum(len(part) for part in parts)
    status = resp.status
    if total <= STREAM_BYTES or req.method != "GET" or status not in (200, "200 OK", falcon.HTTP_200):
        resp.data = b"".join(parts)
        return
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part)
    etag = f'"{digest.hexdigest()}"'
    resp.set_header("ETag", etag)
    resp.set_header("Cache-Control", "max-age=0, private, must-revalidate")
    if _matches(req.get_header("If-None-Match"), etag):
        resp.status = falcon.HTTP_304
        resp.content_type = None
        return
    resp.content_length = total
    resp.stream = _chunks(parts, CHUNK_BYTES)
