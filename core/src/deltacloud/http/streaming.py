"""Listings: a cheap ETag from their pieces, and large ones streamed, never joined in memory.

``send_document`` takes a document as the pieces ``render.listing.list_parts`` makes (the rendered
objects, mostly reused from ``render.fragments``, and what goes between them). For a 200 GET its
ETag is the MD5 of the pieces' MD5 digests, and a kept fragment's digest was taken once, when it was
rendered, so an unchanged listing is not hashed again byte by byte: equal ETags still mean equal
bytes. A matching ``If-None-Match`` is a 304. The body goes out as ``resp.stream`` in chunks of
about ``CHUNK_BYTES`` with its ``Content-Length``, so a 10,000-instance listing never exists as
one 10 MB string. Other methods and statuses get ``resp.data`` (the middleware's ETag, if any).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import falcon

from deltacloud.render.fragments import FRAGMENTS

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
    """Answer with the document ``parts`` make: a 200 GET with its ETag (or 304) in chunks, else whole."""
    if req.method != "GET" or resp.status not in (200, "200 OK", falcon.HTTP_200):
        resp.data = b"".join(parts)
        return
    digest = FRAGMENTS.digest
    etag = '"' + hashlib.md5(b"".join([digest(part) for part in parts]), usedforsecurity=False).hexdigest() + '"'
    resp.set_header("ETag", etag)
    resp.set_header("Cache-Control", "max-age=0, private, must-revalidate")
    if _matches(req.get_header("If-None-Match"), etag):
        resp.status = falcon.HTTP_304
        resp.content_type = None
        return
    resp.content_length = total = sum(map(len, parts))
    resp.stream = [b"".join(parts)] if total <= CHUNK_BYTES else _chunks(parts, CHUNK_BYTES)
