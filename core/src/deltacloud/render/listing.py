"""A listing's document as pieces, so a large one can be streamed (``http.streaming``) unjoined.

``list_parts(items, collection, ctx, fmt)`` gives, for XML and JSON, the head, each object's
rendered bytes (reused from ``render.fragments`` while the object is unchanged) with the
separators between them, and the tail: their concatenation is exactly ``render_list``'s
document (``core/tests/test_caches.py`` checks the bytes and the ETag). Other formats and the
``drivers`` collection are one piece, ``render_list`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deltacloud.api.spec import Collection
from deltacloud.render import JSON_WRITERS, XML_WRITERS
from deltacloud.render.context import RenderContext
from deltacloud.render.document import XML_DECLARATION, _dumps, _writer, render_list
from deltacloud.render.fragments import FRAGMENTS


def _between(parts: list[bytes], separator: bytes) -> list[bytes]:
    """``parts`` with ``separator`` between each two (what ``separator.join(parts)`` would write)."""
    out = [separator] * (2 * len(parts) - 1) if parts else []
    out[::2] = parts
    return out


def list_parts(items: Sequence[Any], collection: Collection, ctx: RenderContext, fmt: str) -> list[bytes]:
    """``render_list``'s document as pieces (one per object in XML and JSON)."""
    if fmt == "xml" and items:
        parts = FRAGMENTS.render(items, _writer(XML_WRITERS, items[0]), str.encode, fmt, ctx)
        return [f"{XML_DECLARATION}<{collection.name}>\n  ".encode(), *_between(parts, b"\n  "),
                f"\n</{collection.name}>\n".encode()]
    if fmt == "json" and collection.name != "drivers" and items:
        parts = FRAGMENTS.render(items, _writer(JSON_WRITERS, items[0]), _dumps, fmt, ctx)
        return [b"{" + _dumps(collection.name) + b":[", *_between(parts, b","), b"]}"]
    return [render_list(items, collection, ctx, fmt)]
