"""Whole documents: the entry point, lists, single objects and errors, in XML, JSON or HTML."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from deltacloud.api.features import DeclaredFeature
from deltacloud.api.spec import Collection
from deltacloud.render import (  # noqa: F401 - importing the writer modules registers them
    JSON_TEXT_WRITERS,
    JSON_WRITERS,
    XML_WRITERS,
    compute,
    instances,
    metrics,
    network,
    networks,
    objectstore,
    volumes,
)
from deltacloud.render.context import RenderContext
from deltacloud.render.fragments import FRAGMENTS
from deltacloud.render.jsonutil import dumps as _dumps
from deltacloud.render.xmlutil import cdata, esc

XML_DECLARATION = "<?xml version='1.0' encoding='utf-8' ?>\n"


@dataclass(frozen=True)
class ApiLink:
    """One collection as the entry point lists it, with the features advertised on it."""

    collection: Collection
    features: tuple[DeclaredFeature, ...]


def _writer(table: dict[type, Any], item: Any) -> Any:
    writer = table.get(type(item))
    if writer is None:
        raise TypeError(f"no writer registered for {type(item).__name__}")
    return writer


def render_api(version: str, links: Sequence[ApiLink], ctx: RenderContext, fmt: str) -> bytes:
    """The entry point document."""
    if fmt == "json":
        return _dumps({"api": api_json(version, links, ctx)})
    if fmt == "html":
        from deltacloud.render import html

        return html.render_api(api_json(version, links, ctx), links, ctx)
    out = [XML_DECLARATION, f"<api driver='{esc(ctx.driver_name)}' version='{esc(version)}'"]
    if ctx.provider:
        out.append(f" provider='{esc(ctx.provider)}'")
    out.append(">\n")
    for link in links:
        out.append(f"  <link href='{esc(ctx.href(link.collection.name))}' rel='{link.collection.name}'>")
        for declared in link.features:
            feature = declared.feature
            out.append(f"\n    <feature name='{feature.name}' rel='{feature.operation}'>")
            out.extend(f"<param name='{p.name}' />" for p in feature.params)
            out.extend(f"<constraint name='{esc(k)}'>{esc(v)}</constraint>" for k, v in declared.constraints.items())
            out.append("</feature>")
        out.append("</link>\n")
    out.append("</api>\n")
    return "".join(out).encode()


def api_json(version: str, links: Sequence[ApiLink], ctx: RenderContext) -> dict[str, Any]:
    """The entry point as JSON data (also what the HTML page is built from).

    ``features`` has 1.1's shape, a list holding one list per feature (one entry per operation
    it extends, params as ``name:type:optional``); ``feature_details`` is the same as flat
    objects with plain parameter names.
    """
    return {
        "version": version, "driver": ctx.driver_name, "provider": ctx.provider or "default",
        "links": [{"rel": link.collection.name, "href": ctx.href(link.collection.name),
                   "features": [[{"name": d.name, "rel": d.feature.operation,
                                  "params": [f"{p.name}:{p.type}:{'required' if p.required else 'optional'}"
                                             for p in d.feature.params],
                                  "constraints": dict(d.constraints)}] for d in link.features],
                   "feature_details": [{"name": d.name, "rel": d.feature.operation,
                                        "params": [p.name for p in d.feature.params],
                                        "constraints": dict(d.constraints)} for d in link.features]}
                  for link in links],
    }


def render_list(items: Sequence[Any], collection: Collection, ctx: RenderContext, fmt: str) -> bytes:
    """A list of a collection's objects (``list_parts`` joined)."""
    return b"".join(list_parts(items, collection, ctx, fmt))


def list_parts(items: Iterable[Any], collection: Collection, ctx: RenderContext, fmt: str,
               scope: Hashable = None) -> Sequence[bytes]:
    """A listing's document as pieces, so a large one can be streamed (``http.streaming``) unjoined.

    In XML and JSON: the head, each object's rendered bytes (reused from ``render.fragments``
    while the object is unchanged; ``scope`` as there, with the collection's name) with the
    separators between them, and the tail. When the fragments are the very list of the scope's
    last listing (the same objects again), the very same ``Pieces`` are returned, so what is
    worked out from them (the ETag, in ``http.streaming``) is kept on them. Other formats, and
    the ``drivers`` collection in JSON (1.1's object keyed by id), are one piece. ``items`` is a
    sequence, or a lazy listing (``http.calls.LazyListing``) read once: with the fragment cache off
    each object is written as it is read, so they need not all be alive at once.
    """
    name = collection.name
    first, items = _peeked(items)
    if first is None or fmt not in ("xml", "json") or (fmt == "json" and name == "drivers"):
        return Pieces((_whole_list(list(items), collection, ctx, fmt),))
    if fmt == "xml":
        parts = FRAGMENTS.render(items, _writer(XML_WRITERS, first), str.encode, fmt, ctx, (name, scope))
    else:
        text = JSON_TEXT_WRITERS.get(type(first))
        if text is not None:  # the same bytes as the JSON writer's objects dumped, written straight
            parts = FRAGMENTS.render(items, text, str.encode, fmt, ctx, (name, scope))
        else:
            parts = FRAGMENTS.render(items, _writer(JSON_WRITERS, first), _dumps, fmt, ctx, (name, scope))
    derived = getattr(parts, "derived", None)  # kept with the fragments (render.fragments.Fragments)
    if derived is not None:
        known = derived.get("document")
        if known is not None:
            return known
    if fmt == "xml":
        head, separator, tail = f"{XML_DECLARATION}<{name}>\n  ".encode(), b"\n  ", f"\n</{name}>\n".encode()
    else:
        head, separator, tail = b"{" + _dumps(name) + b":[", b",", b"]}"
    pieces = [separator] * (2 * len(parts) + 1)
    pieces[0], pieces[-1] = head, tail
    pieces[1:-1:2] = parts
    document = Pieces(pieces)
    if derived is not None:
        derived["document"] = document
    return document


def _peeked(items: Iterable[Any]) -> tuple[Any, Iterable[Any]]:
    """The first of ``items`` (None when there is none) and all of them: a sequence as it is, a lazy one chained."""
    if isinstance(items, Sequence):
        return (items[0] if items else None), items
    objects = iter(items)
    first = next(objects, None)
    return first, (() if first is None else itertools.chain((first,), objects))


class Pieces(tuple[bytes, ...]):
    """A document as its pieces, never changed; what is worked out from them is kept on it (``etag``, ``bounds``)."""

    etag: tuple[str, int] | None = None
    #: Where its streamed chunks begin and end (``http.streaming.chunk_bounds``), once worked out.
    bounds: tuple[int, ...] | None = None
    #: The pieces joined, kept when the document is small enough to go out whole (``http.streaming``).
    whole: bytes | None = None


def _whole_list(items: Sequence[Any], collection: Collection, ctx: RenderContext, fmt: str) -> bytes:
    """The listings ``list_parts`` makes in one piece: empty XML, HTML, JSON of no object or of drivers."""
    if fmt == "xml":
        return f"{XML_DECLARATION}<{collection.name}></{collection.name}>\n".encode()
    if fmt == "html":  # pages are drawn from the models, whatever the JSON shapes
        from deltacloud.render import html

        return html.render_list(items, collection, ctx)
    data = [_writer(JSON_WRITERS, item)(item, ctx) for item in items]
    if fmt == "json" and collection.name == "drivers":  # 1.1: an object keyed by driver id, not a list
        return _dumps({d["id"]: d for d in data})
    return _dumps({collection.name: data})


def render_item(item: Any, collection: Collection, ctx: RenderContext, fmt: str, *, action: bool = False) -> bytes:
    """One object of a collection (or a whole-collection document such as the state machine).

    In JSON an object is wrapped in its singular (``{"instance": {...}}``); the answer to an
    action (``action=True``) is also the bare object, as 1.1 sent it, with the wrapped form as
    one more key. The state machine is 1.1's bare list of states.
    """
    if fmt == "xml":
        return (XML_DECLARATION + _writer(XML_WRITERS, item)(item, ctx) + "\n").encode()
    if fmt == "html":
        from deltacloud.render import html

        return html.render_item(item, collection, ctx)
    data = _writer(JSON_WRITERS, item)(item, ctx)
    if collection.name == "instance_states":
        return _dumps(data["states"])
    if action:
        return _dumps({**data, collection.singular: data})
    return _dumps({collection.singular: data})


#: The ``error`` string of a JSON error document: the name 1.1 gave each kind of failure, by status.
ERROR_NAMES = {
    400: "Deltacloud::Exceptions::ValidationFailure", 401: "Deltacloud::Exceptions::AuthenticationFailure",
    403: "Deltacloud::Exceptions::ForbiddenError", 404: "Deltacloud::Exceptions::ObjectNotFound",
    405: "Deltacloud::Exceptions::MethodNotAllowed", 406: "Deltacloud::Exceptions::UnknownMediaTypeError",
    409: "Deltacloud::Exceptions::Conflict", 500: "Deltacloud::Exceptions::BackendError",
    501: "Deltacloud::Exceptions::NotSupported", 502: "Deltacloud::Exceptions::ProviderError",
    504: "Deltacloud::Exceptions::ProviderTimeout",
}


def render_error(status: int, message: str, url: str, driver: str, provider: str | None, fmt: str) -> bytes:
    """An error document: status, message, driver and provider; never a backtrace or the request's parameters."""
    if fmt == "json":
        # 1.1's keys (code, message, and error naming the kind of failure), then ours beside them.
        return _dumps({"code": status, "message": message, "error": ERROR_NAMES.get(status, "DeltacloudException"),
                       "status": status, "url": url, "driver": driver, "provider": provider or "default"})
    if fmt == "html":
        from deltacloud.render import html

        return html.render_error(status, message, driver, provider)
    return (f"{XML_DECLARATION}<error status='{status}' url='{esc(url)}'>\n"
            f"  <backend driver='{esc(driver)}' provider='{esc(provider or 'default')}'></backend>\n"
            f"  <code>{status}</code>\n  <message>{cdata(message)}</message>\n</error>\n").encode()
