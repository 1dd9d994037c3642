"""The plain HTML rendering: every document browsable, every operation a form (Jinja2 templates)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import jinja2

from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.render.context import RenderContext


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("deltacloud.render", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env


def operation_fields(op: Operation, collection: Collection, ctx: RenderContext) -> list[Param]:
    """The form fields of an operation: its own parameters plus those of the features the driver advertises."""
    fields = list(op.params)
    names = {p.name for p in fields}
    for declared in ctx.features:
        feature = declared.feature
        if feature.collection == collection.name and feature.operation == op.name:
            fields.extend(p for p in feature.params if p.name not in names)
    return [p for p in fields if p.name != "id" or op.kind != "index"]


def _base(ctx: RenderContext) -> dict[str, Any]:
    return {"ctx": ctx, "api_href": ctx.base}


def render_api(data: dict[str, Any], links: Sequence[Any], ctx: RenderContext) -> bytes:
    """The entry point page."""
    return _env().get_template("api.html").render(api=data, **_base(ctx)).encode("utf-8", "replace")


def render_list(items: list[dict[str, Any]], collection: Collection, ctx: RenderContext) -> bytes:
    """A collection page: a table of its objects and, when supported, the create form."""
    create = collection.operation("create")
    form = None
    if create is not None and ctx.offers(collection.name, create.name):
        form = {"href": ctx.href(collection.name), "fields": operation_fields(create, collection, ctx),
                "title": create.description}
    return _env().get_template("list.html").render(
        collection=collection, items=items, form=form, **_base(ctx)).encode("utf-8", "replace")


def render_item(data: dict[str, Any], collection: Collection, ctx: RenderContext) -> bytes:
    """An object page: its fields and a form per action it offers."""
    if isinstance(data, dict) and "property_details" in data:  # a person wants the kinds and ranges, not 1.1's values
        data = {**{k: v for k, v in data.items() if k != "property_details"}, "properties": data["property_details"]}
    forms = []
    for action in data.get("actions", []) if isinstance(data, dict) else []:
        op = collection.operation(action["rel"])
        fields = operation_fields(op, collection, ctx) if op is not None and op.kind == "action" else []
        forms.append({"rel": action["rel"], "href": action["href"], "method": action["method"], "fields": fields})
    return _env().get_template("item.html").render(
        collection=collection, item=data, forms=forms, **_base(ctx)).encode("utf-8", "replace")


def render_error(status: int, message: str, driver: str, provider: str | None) -> bytes:
    """An error page."""
    return _env().get_template("error.html").render(
        status=status, message=message, driver=driver, provider=provider).encode("utf-8", "replace")


def render_docs(described: list[Any], ctx: RenderContext) -> bytes:
    """The documentation page: collections, operations, methods, URLs and parameters."""
    return _env().get_template("docs.html").render(described=described, **_base(ctx)).encode("utf-8", "replace")
