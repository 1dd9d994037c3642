"""What a browser gets on top of the API: Post/Redirect/Get, forms that keep their input, the SVG diagram.

``BrowserPages`` is a Falcon middleware placed after ``RequestSelection``. For an HTML request it
hands the page renderer its query, the user and a ``lookup`` of other collections' objects (for the
forms' selects). After a form POST that worked it answers 303 to the object's page with a ``done``
message, so a refresh repeats nothing; after one that failed it shows the message with the form
again, filled in as sent. ``GET /api/instance_states?format=svg`` is the state machine as SVG.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import falcon

from deltacloud.errors import DeltacloudError
from deltacloud.http.calls import call_driver
from deltacloud.http.context import MATRIX_KEY, RequestState
from deltacloud.http.resources import Api, render_context
from deltacloud.render import html
from deltacloud.render.html_forms import build_form

log = logging.getLogger("deltacloud")
_TOKEN = "deltacloud.html_token"


def _state(req: falcon.Request) -> RequestState | None:
    return getattr(req.context, "deltacloud", None)


def _status(resp: falcon.Response) -> int:
    return resp.status if isinstance(resp.status, int) else int(str(resp.status).split()[0])


class BrowserPages:
    """Falcon middleware: the browser's request context, PRG after forms, error pages with the form."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Give HTML pages their query and lookups; answer the state machine as SVG."""
        state = _state(req)
        if state is None:
            return
        if req.path == "/api/instance_states" and (req.get_param("format") or "").lower() == "svg":
            if hasattr(req.context, "unacceptable"):
                del req.context.unacceptable  # svg is this URL's own format
            assert state.loaded is not None
            resp.content_type = "image/svg+xml"
            resp.data = html.render_states_svg(state.loaded.cls.state_machine)
            resp.complete = True
            return
        if state.fmt != "html":
            return
        query = {k: (v[-1] if isinstance(v, list) else v) for k, v in req.params.items()}
        user = state.credentials.user if state.credentials is not None else None
        chosen = req.env.get(MATRIX_KEY, {})
        token = html.CURRENT.set(html.BrowserRequest(query=query, lookup=self._lookup(state), user=user,
                                                     matrix=html.matrix(chosen.get("driver"), chosen.get("provider"))))
        req.env[_TOKEN] = token

    def _lookup(self, state: RequestState) -> Any:
        cache: dict[str, Sequence[Any]] = {}

        def lookup(name: str) -> Sequence[Any]:
            if name not in cache:
                cache[name] = self._objects(state, name)
            return cache[name]

        return lookup

    def _objects(self, state: RequestState, name: str) -> Sequence[Any]:
        """The objects of collection ``name`` for a form's choices; [] when the driver cannot list them now."""
        collection = self.api.collections.get(name)
        op = collection.index if collection is not None else None
        if op is None or collection is None:
            return []
        try:
            if not self.api.operation_supported(op, collection, state):
                return []
            found = call_driver(state.driver(), op, None, {}, state)
        except DeltacloudError:
            return []
        except Exception:  # a choice list is a convenience: the form falls back to a text field
            log.exception("listing %s for a form failed", name)
            return []
        return found if isinstance(found, list) else []

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        """After an HTML form POST: 303 to the object's page, or the error with the form again."""
        token = req.env.pop(_TOKEN, None)
        try:
            state = _state(req)
            if state is None or state.fmt != "html" or req.method != "POST" or not req.path.startswith("/api/"):
                return
            status = _status(resp)
            if status < 300 or status == 303:
                self._redirect(req, resp, status)
            elif status >= 400:
                self._error_form(req, resp, status)
        finally:
            if token is not None:
                html.CURRENT.reset(token)

    def _redirect(self, req: falcon.Request, resp: falcon.Response, status: int) -> None:
        ctx = render_context(req)
        link = html.linker(ctx)
        segments = req.path.split("/")[2:]  # after "api"
        collection = segments[0]
        if len(segments) == 1:  # a create: the new object's page
            target = _keep_matrix(resp.location, ctx) if resp.location else link(collection)
            done = "created"
        elif status == 303 and len(segments) == 2:  # a destroy from a form
            target, done = link(collection), "destroyed"
        elif collection == "buckets" and len(segments) == 2:  # a blob upload: the blob's page
            target = _keep_matrix(resp.location, ctx) if resp.location else link(collection, segments[1])
            done = "uploaded"
        elif status in (204, 303):  # a sub-object deleted (a firewall rule, a blob): back to its owner
            target, done = link(collection, segments[1]), "deleted"
        else:  # an action: back to the object acted on, named as the description names it (``rules``: add_rule)
            target, done = link(collection, segments[1]), self._action_name(collection, segments[-1])
        query = {"done": done}
        if done in ("destroyed", "deleted"):
            query["gone"] = segments[-1]
        resp.status = falcon.HTTP_303
        resp.location = target + "?" + urlencode(query)
        resp.data = None
        resp.text = None
        resp.content_type = "text/plain"

    def _action_name(self, collection: str, segment: str) -> str:
        described = self.api.collections.get(collection)
        found = [op for op, _ in self.api.member_actions(described, segment)] if described is not None else []
        return next((op.name for op in found if op.http_method == "POST"), segment)

    def _error_form(self, req: falcon.Request, resp: falcon.Response, status: int) -> None:
        message = getattr(req.context, "error_message", None)
        if message is None:
            return
        ctx = render_context(req)
        link = html.linker(ctx)
        segments = req.path.split("/")[2:]
        collection = self.api.collections.get(segments[0])
        op = None
        back = link()
        if collection is not None:
            back = link(collection.name) if len(segments) == 1 else link(collection.name, segments[1])
            if len(segments) == 1:
                op = collection.operation("create")
            elif len(segments) == 3:
                op = next((o for o, _ in self.api.member_actions(collection, segments[2]) if o.http_method == "POST"),
                          None)
        form = None
        values = _sent_values(req)
        if op is not None and values is not None and "_method" not in values and status not in (401, 404):
            href = link(collection.name) if len(segments) == 1 else link(collection.name, segments[1], segments[2])
            try:
                form = build_form(op, collection, ctx, href, html.CURRENT.get().lookup if html.CURRENT.get() else None,
                                  values=values)
            except DeltacloudError:
                form = None
        resp.data = html.render_error_page(status, message, ctx, form, back)


def _keep_matrix(location: str, ctx: Any) -> str:
    """An absolute URL of this API with the request's driver and provider put back in."""
    if location.startswith(ctx.base + "/"):
        return html.linker(ctx)() + location[len(ctx.base):]
    return location


def _sent_values(req: falcon.Request) -> dict[str, Any] | None:
    """What the form sent (a urlencoded body, already read), for showing it again; None when unknown."""
    if not (req.content_type or "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        media = req.get_media()
    except Exception:  # an unreadable body was the error itself
        return None
    if not isinstance(media, dict):
        return None
    return {k: v for k, v in media.items() if k != "password"}
