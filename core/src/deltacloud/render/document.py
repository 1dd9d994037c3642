"""Whole documents: the entry point, lists, single objects and errors, in XML, JSON or HTML."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deltacloud.api.features import DeclaredFeature
from deltacloud.api.spec import Collection
from deltacloud.render import (  # noqa: F401 - importing the writer modules registers them
    JSON_WRITERS,
    XML_WRITERS,
    compute,
    metrics,
    network,
    objectstore,
    volumes,
)
from deltacloud.render.context import RenderContext
from deltacloud.render.xmlutil import cdata, esc

XML_DECLARATION = "<?xml version='1.0' encoding='utf-8' ?>\n"


@dataclass(frozen=True)
class ApiLink:
    """One collection as the entry point lists it, with the features advertised on it."""

    collection: Collection
    features: tuple[DeclaredFeature, ...]


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


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
    """The entry point as JSON data (also what the HTML page is built from)."""
    return {
        "version": version, "driver": ctx.driver_name, "provider": ctx.provider or "default",
        "links": [{"rel": link.collection.name, "href": ctx.href(link.collection.name),
                   "features": [{"name": d.name, "rel": d.feature.operation,
                                 "params": [p.name for p in d.feature.params],
                                 "constraints": dict(d.constraints)} for d in link.features]}
                  for link in links],
    }


def render_list(items: Sequence[Any], collection: Collection, ctx: RenderContext, fmt: str) -> bytes:
    """A list of a collection's objects."""
    if fmt == "xml":
        if not items:
            return f"{XML_DECLARATION}<{collection.name}></{collection.name}>\n".encode()
        write = _writer(XML_WRITERS, items[0])
        body = "\n  ".join(write(item, ctx) for item in items)
        return f"{XML_DECLARATION}<{collection.name}>\n  {body}\n</{collection.name}>\n".encode()
    data = [_writer(JSON_WRITERS, item)(item, ctx) for item in items]
    if fmt == "json":
        return _dumps({collection.name: data})
    from deltacloud.render import html

    return html.render_list(data, collection, ctx)


def render_item(item: Any, collection: Collection, ctx: RenderContext, fmt: str) -> bytes:
    """One object of a collection (or a whole-collection document such as the state machine)."""
    if fmt == "xml":
        return (XML_DECLARATION + _writer(XML_WRITERS, item)(item, ctx) + "\n").encode()
    data = _writer(JSON_WRITERS, item)(item, ctx)
    if fmt == "json":
        # The state machine is a document of its own ({"states": [...]}); objects are wrapped in their singular.
        return _dumps(data if collection.name == "instance_states" else {collection.singular: data})
    from deltacloud.render import html

    return html.render_item(data, collection, ctx)


def render_error(status: int, message: str, url: str, driver: str, provider: str | None, fmt: str) -> bytes:
    """An error document: status, message, driver and provider; never a backtrace or the request's parameters."""
    if fmt == "json":
        return _dumps({"error": {"status": status, "code": status, "message": message, "url": url,
                                 "driver": driver, "provider": provider or "default"},
                       "code": status, "message": message})
    if fmt == "html":
        from deltacloud.render import html

        return html.render_error(status, message, driver, provider)
    return (f"{XML_DECLARATION}<error status='{status}' url='{esc(url)}'>\n"
            f"  <backend driver='{esc(driver)}' provider='{esc(provider or 'default')}'></backend>\n"
            f"  <code>{status}</code>\n  <message>{cdata(message)}</message>\n</error>\n").encode()
