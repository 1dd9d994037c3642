"""Entity tags: how an answer's ETag is made and how ``If-None-Match`` is matched against it.

One rule for every path that sets or checks an ETag (the response middleware, streamed listings and
the request coalescer), so a HEAD, a GET and a coalesced copy of the same document agree.
"""

from __future__ import annotations

import hashlib

#: Sent with every ETag: the client may keep the answer, and checks it with the tag before each use.
CACHE_CONTROL = "max-age=0, private, must-revalidate"


def etag_of(data: bytes) -> str:
    """The strong, quoted ETag of ``data``: its MD5 in hex."""
    return '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header value names ``etag`` (``*``, weak tags and bare values too)."""
    if not header:
        return False
    if header == etag:  # what a client that kept the answer sends back, most of the time
        return True
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") in (etag, etag.strip('"')) for tag in header.split(","))
