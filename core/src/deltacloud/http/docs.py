"""Documentation derived from the API description: ``/api/docs`` (HTML) and ``/api/openapi.json``.

Both describe what the request's driver supports, with the parameters its features add, so
they can never drift from the routes and validation built from the same description.
"""

from __future__ import annotations

import json
import re
from typing import Any

import falcon

from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.config import API_VERSION
from deltacloud.errors import NotFoundError
from deltacloud.http.openapi_schemas import responses
from deltacloud.http.resources import Api, operation_params, render_context, state_of
from deltacloud.render.html import render_docs

_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "integer": {"type": "integer"}, "number": {"type": "number"},
    "boolean": {"type": "boolean"}, "list": {"type": "array", "items": {"type": "string"}},
    "base64": {"type": "string", "contentEncoding": "base64"}, "file": {"type": "string", "format": "binary"},
}


def _schema(param: Param) -> dict[str, Any]:
    schema = dict(_SCHEMAS.get(param.type, {"type": "string"}))
    if param.choices:
        schema["enum"] = list(param.choices)
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    return schema


def _operation(op: Operation, collection: Collection, params: list[Param], path: str) -> dict[str, Any]:
    path_params = re.findall(r"{(\w+)}", path)
    spec: dict[str, Any] = {
        "operationId": f"{collection.name}_{op.name}", "summary": op.description, "tags": [collection.name],
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                       for name in path_params],
        "responses": responses(op, collection),
    }
    headers = [p for p in params if p.source == "header"]
    # A family of headers (``X-Deltacloud-Blobmeta-<key>``) is no header name: described, not declared.
    spec["parameters"] += [{"name": p.name, "in": "header", "required": p.required, "schema": _schema(p),
                            "description": p.description} for p in headers if "<" not in p.name]
    families = [f"{p.name}: {p.description}" for p in headers if "<" in p.name]
    if families:
        spec["description"] = "Headers: " + "; ".join(families)
    params = [p for p in params if p.source != "header"]
    if op.http_method in ("GET", "DELETE", "HEAD"):
        spec["parameters"] += [{"name": p.name, "in": "query", "required": p.required, "schema": _schema(p),
                                "description": p.description} for p in params]
    elif op.body and not params:  # the body is the content itself (a raw blob upload), streamed
        spec["requestBody"] = {"content": {op.body: {"schema": {"type": "string", "format": "binary"}}}}
    elif params:
        body = {"type": "object", "properties": {p.name: {**_schema(p), "description": p.description} for p in params},
                "required": [p.name for p in params if p.required]}
        content = {"application/x-www-form-urlencoded": {"schema": body}, "application/json": {"schema": body}}
        if op.body:  # a form with a file part, streamed (multipart/form-data) comes first
            content = {op.body: {"schema": body}, **content}
        spec["requestBody"] = {"content": content}
    if not op.auth:
        spec["security"] = []
    elif collection.name == "hardware_profiles" and op.http_method == "GET":
        spec["security"] = [{"basic": []}, {}]  # static data: drivers may serve it without credentials
    return spec


def describe(api: Api, req: falcon.Request) -> list[tuple[Collection, list[tuple[Operation, list[Param]]]]]:
    """The collections and operations the request's driver supports, each with its parameters."""
    state = state_of(req)
    described = []
    for collection in api.collections.values():
        if not api.supported(collection, state):
            continue
        ops = [(op, operation_params(op, collection, state)) for op in collection.operations
               if api.operation_supported(op, collection, state)]
        described.append((collection, ops))
    return described


def openapi(api: Api, req: falcon.Request) -> dict[str, Any]:
    """An OpenAPI 3.1 document of the API as the request's driver offers it."""
    ctx = render_context(req)
    paths: dict[str, dict[str, Any]] = {}
    for collection, ops in describe(api, req):
        for op, params in ops:
            path = f"/{collection.name}{op.url_template}"
            paths.setdefault(path, {})[op.http_method.lower()] = _operation(op, collection, params, path)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Deltacloud API ({ctx.driver_name} driver)", "version": API_VERSION},
        "servers": [{"url": ctx.base}],
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
        "security": [{"basic": []}],
        "tags": [{"name": c.name, "description": c.description} for c, _ in describe(api, req)],
        "paths": paths,
    }


class OpenApiResource:
    """``/api/openapi.json``."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = "application/json"
        resp.data = json.dumps(openapi(self.api, req), separators=(",", ":")).encode()


class DocsResource:
    """``/api/docs``, ``/api/docs/<collection>`` and ``/api/docs/<collection>/<operation>``: documentation (HTML)."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def on_get(self, req: falcon.Request, resp: falcon.Response, collection: str | None = None,
               operation: str | None = None) -> None:
        described = describe(self.api, req)
        if collection is not None:
            described = [entry for entry in described if entry[0].name == collection]
            if not described:
                raise NotFoundError(f"No documentation for '{collection}': not a collection of this driver")
        if operation is not None:
            described = [(c, [(op, params) for op, params in ops if op.name == operation]) for c, ops in described]
            if not described[0][1]:
                raise NotFoundError(f"No documentation for '{collection}/{operation}': not an operation this "
                                    "driver offers")
        resp.content_type = "text/html; charset=utf-8"
        resp.data = render_docs(described, render_context(req))
