"""Listings: a cheap ETag from their pieces, and large ones streamed, never joined in memory.

``send_document`` takes a document as the pieces ``render.document.list_parts`` makes (the rendered
objects, mostly reused from ``render.fragments``, and what goes between them). For a 200 GET its
ETag is the MD5 of the pieces' SHA-1 digests, and a kept fragment's digest was taken once, when it was
rendered, so an unchanged listing is not hashed again byte by byte: equal ETags still mean equal bytes.
With the fragment cache off nothing is kept, and the ETag is the XXH3 of the bytes, taken in one pass
(a small listing is joined first, as it is sent whole, and hashed in one call). The ETag and length of
an unchanged listing (the very ``Pieces`` of the last one) are kept on its pieces, so a repeated listing
or a poller's conditional GET does not look at them again; so is a small listing's joined body (at most
``CHUNK_BYTES``: at most as much again as its fragments). A matching ``If-None-Match`` is a 304. The
body goes out as ``resp.stream`` in chunks of about ``CHUNK_BYTES`` with its ``Content-Length``, so a
10,000-instance listing never exists as one 10 MB string. A HEAD gets the GET's headers. Other methods
and statuses get ``resp.data`` (the middleware's ETag, if any).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import falcon

from deltacloud.http.etags import CACHE_CONTROL, etag_matches, etag_of, etag_of_parts
from deltacloud.render.document import Pieces
from deltacloud.render.fragments import FRAGMENTS

#: About how much each streamed chunk holds.
CHUNK_BYTES = 256 * 1024


def chunk_bounds(parts: Sequence[bytes], size: int) -> tuple[int, ...]:
    """Where the chunks of ``parts`` begin and end: a chunk ends with the part that brings it to ``size`` bytes."""
    bounds = [0]
    held = 0
    for index, length in enumerate(map(len, parts), 1):
        held += length
        if held >= size:
            bounds.append(index)
            held = 0
    if bounds[-1] != len(parts):
        bounds.append(len(parts))
    return tuple(bounds)


def _chunks(parts: Sequence[bytes], bounds: tuple[int, ...]) -> Iterator[bytes]:
    for start, end in itertools.pairwise(bounds):
        yield b"".join(parts[start:end])


def send_document(req: falcon.Request, resp: falcon.Response, parts: Sequence[bytes]) -> None:
    """Answer with the document ``parts`` make: a 200 GET with its ETag (or 304) in chunks, else whole.

    A 200 HEAD gets the same ETag and ``Content-Length`` as the GET would, and no body.
    """
    if req.method not in ("GET", "HEAD") or resp.status not in (200, "200 OK", falcon.HTTP_200):
        resp.data = b"".join(parts)
        return
    known = getattr(parts, "etag", None)  # kept on an unchanged listing's pieces (render.document.Pieces)
    whole = getattr(parts, "whole", None)  # the same for a small one's joined bytes
    if known is None:
        total = sum(map(len, parts))
        if FRAGMENTS.enabled:  # from the pieces' digests, most kept with their fragments
            known = (etag_of(b"".join([FRAGMENTS.digest(part) for part in parts])), total)
        else:  # nothing kept: the bytes themselves, joined first (and hashed in one call) when small
            if total <= CHUNK_BYTES:
                whole = b"".join(parts)
            known = (etag_of_parts(parts if whole is None else (whole,)), total)
        if isinstance(parts, Pieces):
            parts.etag = known
    etag, total = known
    resp.set_header("ETag", etag)
    resp.set_header("Cache-Control", CACHE_CONTROL)
    if etag_matches(req.env.get("HTTP_IF_NONE_MATCH"), etag):
        resp.status = falcon.HTTP_304
        resp.content_type = None
        return
    resp.content_length = total
    if req.method == "HEAD":
        return
    if total <= CHUNK_BYTES:
        if whole is None:
            whole = b"".join(parts)
            if isinstance(parts, Pieces):
                parts.whole = whole
        resp.stream = [whole]
        return
    bounds = getattr(parts, "bounds", None)  # kept on an unchanged listing's pieces, like its ETag
    if bounds is None:
        bounds = chunk_bounds(parts, CHUNK_BYTES)
        if isinstance(parts, Pieces):
            parts.bounds = bounds
    resp.stream = _chunks(parts, bounds)
