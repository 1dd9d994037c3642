"""The browser UI: server-rendered pages from the models and the API description (Jinja2 templates).

Pages never read the JSON writers' output. Every link carries the request's driver and provider
as matrix parameters (``/api;driver=ec2;provider=eu-west-1/instances``), so a choice holds across
clicks and a URL can be shared. What the page needs from the request beyond the ``RenderContext``
(its query, the objects forms offer as choices, who is logged in) comes from ``BrowserRequest``,
which the HTTP layer sets for each HTML request.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import jinja2

from deltacloud.api.spec import Collection
from deltacloud.driver.statemachine import StateMachine
from deltacloud.models import Image, Instance
from deltacloud.models.extra import Blob, Bucket, Firewall
from deltacloud.render import html_views as views
from deltacloud.render.context import RenderContext
from deltacloud.render.html_forms import Form, build_form
from deltacloud.render.html_svg import state_machine_svg

#: Rows per page of a collection table.
PAGE_SIZE = 50
#: Query parameters that belong to the page itself, not to the API (left out of the XML/JSON links).
PAGE_PARAMS = ("page", "q", "done", "gone", "confirm")


@dataclass(frozen=True)
class BrowserRequest:
    """What an HTML page knows about its request besides the ``RenderContext``."""

    query: Mapping[str, str] = field(default_factory=dict)
    #: The objects of a collection, for a form's choices (the HTTP layer asks the driver; [] when it cannot).
    lookup: Callable[[str], Sequence[Any]] | None = None
    user: str | None = None
    #: The request's own matrix parameters of the ``api`` segment (``;driver=ec2;provider=...``), kept by every link.
    matrix: str = ""


CURRENT: contextvars.ContextVar[BrowserRequest | None] = contextvars.ContextVar("deltacloud_html", default=None)


def _request() -> BrowserRequest:
    return CURRENT.get() or BrowserRequest()


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("deltacloud.render", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["label"] = views.label
    return env


def matrix(driver: str | None, provider: str | None) -> str:
    """The matrix parameters naming a driver and provider (each left out when None)."""
    out = f";driver={quote(driver, safe='')}" if driver else ""
    if provider:
        out += f";provider={quote(provider, safe='')}"
    return out


def linker(ctx: RenderContext) -> Callable[..., str]:
    """``link(collection, id, segment, **query)``: a URL of this API that keeps the request's driver and provider.

    A page reached with ``/api;driver=ec2;provider=eu-west-1/...`` links with the same matrix
    parameters, so the choice holds across clicks; a page reached without them links without.
    """
    base = ctx.base + _request().matrix

    def link(collection: str | None = None, id: str | None = None, segment: str | None = None, **query: str) -> str:
        url = base
        if collection:
            url += f"/{collection}"
        if id is not None:
            url += f"/{views.quote_segment(id)}"
        if segment is not None:
            url += f"/{views.quote_segment(segment)}"
        if query:
            url += "?" + urlencode(query)
        return url

    return link


def format_links(req: BrowserRequest) -> dict[str, str]:
    """This document as XML and JSON: the same URL and filters, in another format."""
    kept = [(k, v) for k, v in req.query.items() if k not in PAGE_PARAMS and k != "format"]
    return {fmt: "?" + urlencode([*kept, ("format", fmt)]) for fmt in ("xml", "json")}


def _page(template: str, ctx: RenderContext | None, **values: Any) -> bytes:
    req = _request()
    link = linker(ctx) if ctx is not None else None
    return _env().get_template(template).render(
        ctx=ctx, link=link, request=req, formats=format_links(req), **values).encode("utf-8", "replace")


def render_api(data: Mapping[str, Any], links: Sequence[Any], ctx: RenderContext) -> bytes:
    """The entry point: the driver and provider picker, the collections and the features they advertise."""
    req = _request()
    drivers = list(req.lookup("drivers")) if req.lookup is not None else []
    providers = [p.id for d in drivers if d.id == ctx.driver_name for p in d.providers]
    return _page("api.html", ctx, version=data.get("version", ""), links=links, drivers=drivers,
                 providers=providers)


def _listing(items: Sequence[Any], collection: Collection, link: Callable[..., str],
             req: BrowserRequest) -> dict[str, Any]:
    cols = views.columns(collection, items)
    rows = [(item, [views.cell(item, c, link) for c in cols]) for item in items]
    q = req.query.get("q", "").strip().lower()
    if q:
        rows = [(item, cells) for item, cells in rows
                if q in str(getattr(item, "id", "")).lower() or any(q in p.text.lower() for c in cells for p in c)]
    try:
        page = max(int(req.query.get("page", "1")), 1)
    except ValueError:
        page = 1
    pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    kept = {k: v for k, v in req.query.items() if k not in ("page", "done", "gone", "format")}
    return {"columns": cols, "rows": rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "total": len(rows),
            "all": len(items), "page": page, "pages": pages, "q": req.query.get("q", ""),
            "page_href": lambda n: "?" + urlencode({**kept, "page": str(n)})}


def render_list(items: Sequence[Any], collection: Collection, ctx: RenderContext) -> bytes:
    """A collection: a table of its objects (filtered and paged), and the create form when offered."""
    req = _request()
    link = linker(ctx)
    form = None
    create = collection.operation("create")
    if create is not None and ctx.offers(collection.name, create.name):
        form = build_form(create, collection, ctx, link(collection.name), req.lookup, values=req.query
                          if collection.name == "instances" else None)
    return _page("list.html", ctx, collection=collection, form=form, message=_message(collection, None, req),
                 **_listing(items, collection, link, req))


def _message(collection: Collection, item: Any, req: BrowserRequest) -> str:
    """What the last create or action did, from the redirect's ``done`` (a refresh repeats nothing)."""
    done = req.query.get("done", "")
    singular = collection.singular.replace("_", " ")
    if done == "destroyed":
        return f"The {singular} {req.query.get('gone', '')} was destroyed.".replace("  ", " ")
    if done == "deleted":
        return f"{req.query.get('gone', 'It')} was deleted."
    if done == "created":
        return f"The {singular} was created."
    if done == "uploaded":
        return "The blob was uploaded."
    if done and collection.operation(done) is not None:
        state = getattr(item, "state", "")
        now = f"; it is now {state}" if state else ""
        return f"{done.replace('_', ' ').capitalize()}: accepted{now}."
    return ""


def _item_forms(item: Any, collection: Collection, ctx: RenderContext, link: Callable[..., str],
                actions: list[views.Action], req: BrowserRequest) -> list[Form]:
    forms: list[Form] = []
    if isinstance(item, Image) and ctx.offers("instances", "create"):
        from deltacloud import plugins

        instances = next(c for c in plugins.collections() if c.name == "instances")
        op = instances.operation("create")
        assert op is not None
        forms.append(build_form(op, instances, ctx, link("instances"), req.lookup, hidden={"image_id": item.id},
                                title=f"Launch an instance of {item.name or item.id}", submit="Launch"))
    if isinstance(item, Instance) and item.create_image and ctx.offers("images", "create"):
        from deltacloud import plugins

        images = next(c for c in plugins.collections() if c.name == "images")
        op = images.operation("create")
        assert op is not None
        forms.append(build_form(op, images, ctx, link("images"), req.lookup, hidden={"instance_id": item.id},
                                title=f"Make an image of {item.id}", submit="Make image"))
    if isinstance(item, Bucket):
        op = collection.operation("create_blob")
        if op is not None and ctx.offers(collection.name, op.name):
            forms.append(build_form(op, collection, ctx, link("buckets", item.id), req.lookup,
                                    title="Upload a blob", submit="Upload"))
    for action in actions:
        op = collection.operation(action.name)
        if action.fields and op is not None:
            form = build_form(op, collection, ctx, action.href, req.lookup)
            if action.name == "unregister":  # only the members can leave
                members = set(getattr(item, "instance_ids", ()))
                for f in form.fields:
                    if f.name == "instance_id" and f.options:
                        f.options = [o for o in f.options if o[0] in members]
            forms.append(form)
    return forms


def render_item(item: Any, collection: Collection, ctx: RenderContext) -> bytes:
    """An object: a description of it, related objects linked, its allowed actions as buttons at the top."""
    req = _request()
    link = linker(ctx)
    if isinstance(item, StateMachine):
        return _page("states.html", ctx, collection=collection, machine=item,
                     svg=state_machine_svg(item, standalone=False))
    actions = [] if isinstance(item, Blob) else views.actions(item, collection, ctx, link)
    poll = isinstance(item, Instance) and any(
        t.automatic for t in ctx.driver_class.state_machine.transitions_from(item.state.lower()))  # type: ignore[attr-defined]
    rules = []
    if isinstance(item, Firewall) and ctx.offers(collection.name, "delete_rule"):
        rules = [(views.parts("rules", r, link)[0].text, link(collection.name, item.id, r.id)) for r in item.rules]
    blob = None
    if isinstance(item, Blob):
        blob = {"download": link("buckets", item.bucket, item.id) + "/content",
                "bucket": link("buckets", item.bucket), "href": link("buckets", item.bucket, item.id),
                "delete": ctx.offers("buckets", "destroy_blob")}
    return _page("item.html", ctx, collection=collection, item=item, title=_title(item, collection),
                 rows=views.description(item, link), actions=actions, forms=_item_forms(
                     item, collection, ctx, link, actions, req), message=_message(collection, item, req),
                 confirm=req.query.get("confirm") == "destroy", poll=poll, rules=rules, blob=blob)


def _title(item: Any, collection: Collection) -> str:
    singular = "blob" if isinstance(item, Blob) else collection.singular.replace("_", " ")
    return f"{singular} {getattr(item, 'id', '')}".strip()


def render_error(status: int, message: str, driver: str, provider: str | None) -> bytes:
    """An error page (without a request context: the message, and the way back to the entry point)."""
    return _page("error.html", None, status=status, error=message, driver=driver, provider=provider,
                 form=None, back=None)


def render_error_page(status: int, message: str, ctx: RenderContext, form: Form | None, back: str | None) -> bytes:
    """An error page for a browser: what to fix, the form again with what was typed, and the way back."""
    return _page("error.html", ctx, status=status, error=message, driver=ctx.driver_name, provider=ctx.provider,
                 form=form, back=back)


def render_states_svg(machine: StateMachine) -> bytes:
    """The state machine as a standalone SVG document."""
    return state_machine_svg(machine).encode()


def render_docs(described: list[Any], ctx: RenderContext) -> bytes:
    """The documentation: collections, operations, parameters (and the features adding them), statuses, examples."""
    from deltacloud.render.html_docs import docs_context

    return _page("docs.html", ctx, **docs_context(described, ctx, linker(ctx)))
