"""Generic Falcon resources: one set of classes serves every collection of the API description."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import falcon

from deltacloud.api.offer import Offer, make_offer
from deltacloud.api.params import validate, warning_header
from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.driver import Driver
from deltacloud.driver.memo import IdentityMemo
from deltacloud.driver.statemachine import ACTIONS
from deltacloud.errors import (
    AuthenticationError,
    DeltacloudError,
    MethodNotAllowedError,
    NotFoundError,
    ValidationError,
)
from deltacloud.http import revalidate
from deltacloud.http.bodies import raw_params
from deltacloud.http.calls import call_driver, is_listing
from deltacloud.http.context import RequestState
from deltacloud.http.streaming import send_document
from deltacloud.render.context import RenderContext, shared_context
from deltacloud.render.document import list_parts, render_item

CONTENT_TYPES = {"xml": "application/xml", "json": "application/json", "html": "text/html; charset=utf-8"}


def state_of(req: falcon.Request) -> RequestState:
    """The request's selection made by the middleware."""
    return req.context.deltacloud


def render_context(req: falcon.Request) -> RenderContext:
    """Where hrefs point, which driver renders and what it offers, from the request and its driver."""
    state = state_of(req)
    assert state.loaded is not None
    base = f"{req.scheme}://{req.netloc}{req.root_path}/api"
    offer = state.offer
    if offer is None:
        return shared_context(base, state.driver_name, state.loaded.cls, state.loaded.features, state.provider)
    return shared_context(base, state.driver_name, state.loaded.cls, offer.features, state.provider,
                          offered=offer.operations)


def operation_params(op: Operation, collection: Collection, state: RequestState) -> tuple[Param, ...]:
    """The parameters ``op`` accepts for this driver: its own plus those of the features it offers.

    Worked out once per operation and offer (both long-lived: compared by identity).
    """
    assert state.loaded is not None
    declared_features = state.offer.features if state.offer is not None else state.loaded.features
    key = (id(op), id(declared_features), collection.name)
    known = _OPERATION_PARAMS.get(key)
    if known is not None:
        return known
    params = list(op.params)
    for declared in declared_features:
        feature = declared.feature
        if feature.collection == collection.name and feature.operation == op.name:
            params.extend(declared.params)
    return _OPERATION_PARAMS.put(key, tuple(params), op, declared_features)


#: ``operation_params`` by operation, features and collection name.
_OPERATION_PARAMS: IdentityMemo[tuple[Param, ...]] = IdentityMemo(1024)


class Api:
    """Shared by every resource of one app: the collections and the server's settings.

    It is the one place that decides what a driver offers (``offer``): the entry point, the
    routes, ``OPTIONS``, the docs, the forms and the renderers' action links all read it.
    """

    def __init__(self, collections: Iterable[Collection], max_body: int) -> None:
        self.collections = {c.name: c for c in collections}
        self.max_body = max_body
        self._member_actions = {name: _member_actions(c) for name, c in self.collections.items()}
        self._offers: dict[tuple[Any, ...], Offer] = {}

    def offer(self, state: RequestState) -> Offer:
        """What the request's driver offers for its provider and credentials; worked out once per narrowing."""
        if state.offer is not None:
            return state.offer
        assert state.loaded is not None
        cls = state.loaded.cls
        if cls.offers is Driver.offers and state.provider_trusted:
            collections, features = None, None  # the class's all, whoever asks: no driver object needed
        else:
            collections, features = state.driver().offers()
        key = (state.loaded.name, cls, collections, features)
        offer = self._offers.get(key)
        if offer is None:
            offer = self._offers[key] = make_offer(self.collections.values(), state.loaded.cls, state.loaded.features,
                                                   collections, features)
        state.offer = offer
        return offer

    def supported(self, collection: Collection, state: RequestState) -> bool:
        """Whether the request's driver offers ``collection``."""
        return collection.name in self.offer(state).collections

    def require(self, collection: Collection, state: RequestState) -> None:
        """A 404 unless the request's driver offers ``collection`` (for this provider and credentials)."""
        if not self.supported(collection, state):
            raise NotFoundError(f"Collection '{collection.name}' is not supported by driver '{state.driver_name}'")

    def operation_supported(self, op: Operation, collection: Collection, state: RequestState) -> bool:
        """Whether the request's driver offers ``op`` of ``collection``."""
        return (collection.name, op.name) in self.offer(state).operations

    def execute(self, req: falcon.Request, resp: falcon.Response, collection: Collection, kind: str,
                id: str | None = None, name: str | None = None, method: str | None = None) -> None:
        """Validate, call the driver, render: the one path every operation takes.

        For a member action, ``name`` is the last path segment and ``method`` the HTTP method it
        came with (the request's unless an HTML form overrode it).
        """
        state = state_of(req)
        self.require(collection, state)
        op, path_values = self._find(collection, kind, name, state, id, method or req.method)
        try:
            values, ignored = validate(operation_params(op, collection, state), raw_params(req, self.max_body))
            values.update(path_values)
            if ignored:
                resp.set_header("Warning", warning_header(ignored))
            driver = state.driver()
            revalidating = revalidate.listing_key(req, state, op, values, ignored)
            if revalidating is not None:  # a poller's listing: its version first, for the next poll
                version = revalidate.version_of(driver, collection.name, state)
            result = call_driver(driver, op, id, values, state, lazy=True)  # a lazy listing read as written
        except ValidationError:
            check_credentials(op, state)
            raise
        self._respond(req, resp, collection, op, result)
        if revalidating is not None:
            revalidate.keep(revalidating, req, resp, version, state, collection.name)

    def member_actions(self, collection: Collection, segment: str) -> list[tuple[Operation, str | None]]:
        """The actions ``/<collection>/<id>/<segment>`` addresses, each with the placeholder ``segment`` fills.

        Actions whose path names ``segment`` win; otherwise those whose path takes any segment
        (``/{id}/{rule_id}``), with the placeholder's name (``rule_id``).
        """
        literal, wildcards = self._member_actions[collection.name]
        if segment in literal:
            return [(op, None) for op in literal[segment]]
        return list(wildcards)

    def _find(self, collection: Collection, kind: str, name: str | None, state: RequestState,
              id: str | None, method: str) -> tuple[Operation, dict[str, str]]:
        op: Operation | None
        path_values: dict[str, str] = {}
        if kind == "action":
            candidates = self.member_actions(collection, name or "")
            if not candidates:
                raise NotFoundError(f"'{name}' is not an action on {collection.name}")
            op, placeholder = next(((o, p) for o, p in candidates if o.http_method == method
                                    and self.operation_supported(o, collection, state)), (None, None))
            if op is not None and placeholder is not None:
                path_values[placeholder] = name or ""
        else:
            op = collection.operations_by_kind.get(kind)
        if op is None or not self.operation_supported(op, collection, state):
            allowed = self.allowed_methods(collection, state, member=id is not None, action=name)
            what = f"{method} '{name}'" if kind == "action" else kind
            raise MethodNotAllowedError(
                f"Driver '{state.driver_name}' does not support {what} on {collection.name}", allowed=allowed)
        return op, path_values

    def allowed_methods(self, collection: Collection, state: RequestState, *, member: bool,
                        action: str | None = None) -> list[str]:
        """The HTTP methods the driver supports on a collection, member or action URL."""
        methods = {"OPTIONS"}
        if action is not None:
            methods.update(op.http_method for op, _ in self.member_actions(collection, action)
                           if self.operation_supported(op, collection, state))
        for op in collection.operations if action is None else ():
            if not self.operation_supported(op, collection, state):
                continue
            if op.on_member == member and op.kind != "action":
                methods.add(op.http_method)
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods)

    def _respond(self, req: falcon.Request, resp: falcon.Response, collection: Collection, op: Operation,
                 result: Any) -> None:
        state = state_of(req)
        if op.status == 204 or result is None:
            if state.fmt == "html" and req.method == "POST":
                # An HTML form deleted something: show the collection instead of leaving the browser on a dead page.
                resp.status = falcon.HTTP_303
                resp.location = render_context(req).href(collection.name)
                return
            resp.status = 204
            return
        resp.status = op.status
        ctx = render_context(req)
        resp.content_type = CONTENT_TYPES[state.fmt]
        if is_listing(result):
            user = state.credentials.user if state.credentials else None  # the user's listings keep their fragments
            send_document(req, resp, list_parts(result, collection, ctx, state.fmt, user))  # large ones streamed
            first = result[0] if isinstance(result, list) and result else None
        else:
            resp.data = render_item(result, collection, ctx, state.fmt, action=op.kind == "action")
            first = result
        if op.status == 201 and first is not None and hasattr(first, "id"):
            resp.location = ctx.href(collection.name, first.id)


def check_credentials(op: Operation | None, state: RequestState) -> None:
    """Before a 400 is answered: a 401 instead when the operation (None: any) needs credentials the cloud refuses.

    Only asked on the way to a 400, so valid requests cost no extra backend call.
    """
    if op is not None and not op.auth:
        return
    if state.credentials is None:
        raise AuthenticationError("Authentication required")
    try:
        valid = state.driver().valid_credentials()
    except DeltacloudError:
        return  # the cloud cannot say now: the client's mistake is still worth reporting
    if not valid:
        raise AuthenticationError("Authentication failed")


class CollectionResource:
    """``/api/<collection>``: index (GET) and create (POST)."""

    def __init__(self, api: Api, collection: Collection) -> None:
        self.api, self.collection = api, collection

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.api.execute(req, resp, self.collection, "index")

    on_head = on_get

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.api.execute(req, resp, self.collection, "create")

    def on_options(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.api.require(self.collection, state_of(req))
        resp.set_header("Allow", ", ".join(self.api.allowed_methods(self.collection, state_of(req), member=False)))
        resp.status = 200


class MemberResource:
    """``/api/<collection>/<id>``: show (GET) and destroy (DELETE, or POST with ``_method=delete``)."""

    def __init__(self, api: Api, collection: Collection) -> None:
        self.api, self.collection = api, collection

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.api.execute(req, resp, self.collection, "show", id)

    on_head = on_get

    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.api.execute(req, resp, self.collection, "destroy", id)

    def on_post(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        if _method_override(req) == "delete":
            self.api.execute(req, resp, self.collection, "destroy", id)
            return
        allowed = self.api.allowed_methods(self.collection, state_of(req), member=True)
        raise MethodNotAllowedError(f"POST is not allowed on a member of {self.collection.name}", allowed=allowed)

    def on_options(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.api.require(self.collection, state_of(req))  # also works out the offer the parameters follow
        op = self.collection.operation(id)
        if op is not None:  # OPTIONS /api/<collection>/<operation>: its parameters, as the original did
            params = operation_params(op, self.collection, state_of(req))
            resp.set_header("Allow", ",".join(
                f"{p.name}:{p.type}:{'required' if p.required else 'optional'}" for p in params))
        else:
            methods = self.api.allowed_methods(self.collection, state_of(req), member=True)
            resp.set_header("Allow", ", ".join(_by_state(self.collection, state_of(req), id, methods, "DELETE")))
        resp.status = 200


class ActionResource:
    """``/api/<collection>/<id>/<action>``: a member action (POST), or one addressed by DELETE.

    The last segment names the action (``stop``, ``rules``) or, for an action declared with a
    placeholder path such as ``/{id}/{rule_id}``, is a sub-object's id (``DELETE
    /api/firewalls/<id>/<rule_id>``). HTML forms send DELETE as POST with ``_method=delete``.
    """

    def __init__(self, api: Api, collection: Collection) -> None:
        self.api, self.collection = api, collection

    def on_post(self, req: falcon.Request, resp: falcon.Response, id: str, action: str) -> None:
        method = "DELETE" if _method_override(req) == "delete" else "POST"
        self.api.execute(req, resp, self.collection, "action", id, action, method=method)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str, action: str) -> None:
        self.api.execute(req, resp, self.collection, "action", id, action, method="DELETE")

    def on_options(self, req: falcon.Request, resp: falcon.Response, id: str, action: str) -> None:
        """The methods this action URL answers for this object now (an instance's state narrows them)."""
        state = state_of(req)
        self.api.require(self.collection, state)
        methods = self.api.allowed_methods(self.collection, state, member=True, action=action)
        resp.set_header("Allow", ", ".join(_by_state(self.collection, state, id, methods, "POST", action)))
        resp.status = 200


def _by_state(collection: Collection, state: RequestState, id: str, methods: list[str], method: str,
              action: str = "destroy") -> list[str]:
    """``methods`` without ``method`` when the instance's state does not allow ``action`` (so no 405 follows)."""
    if collection.name != "instances" or method not in methods:
        return methods
    driver = state.driver()
    machine = type(driver).state_machine
    if action not in ACTIONS:  # not a state-machine action (a sub-object, say): the state does not decide
        return methods
    if machine.allows(driver.instance(id).state, action):
        return methods
    return [m for m in methods if m != method]


def _action_segment(op: Operation) -> str | None:
    """The last path segment of a member action (``stop``, ``rules``, ``{rule_id}``); None for other operations."""
    if op.kind != "action":
        return None
    parts = op.url_template.strip("/").split("/")
    return parts[1] if len(parts) == 2 and parts[0] == "{id}" else None


def _member_actions(collection: Collection) -> tuple[dict[str, list[Operation]], list[tuple[Operation, str]]]:
    """A collection's member actions by literal last segment, and those whose last segment is a placeholder."""
    literal: dict[str, list[Operation]] = {}
    wildcards: list[tuple[Operation, str]] = []
    for op in collection.actions():
        segment = _action_segment(op)
        if segment is None:
            continue
        if segment.startswith("{") and segment.endswith("}"):
            wildcards.append((op, segment[1:-1]))
        else:
            literal.setdefault(segment, []).append(op)
    return literal, wildcards


def _method_override(req: falcon.Request) -> str:
    """The ``_method`` an HTML form sends to stand for DELETE."""
    value = req.get_param("_method")
    if value is None and (req.content_type or "").startswith("application/x-www-form-urlencoded"):
        form = req.get_media()
        value = form.get("_method") if isinstance(form, dict) else None
    return (value or "").lower() if isinstance(value, str) else ""

