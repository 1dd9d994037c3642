"""The app factory: ``create_app(config)`` builds the Falcon WSGI app from the API description."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

import falcon

from deltacloud import loader, plugins
from deltacloud.api.spec import Collection
from deltacloud.config import API_VERSION, ServerConfig, caching_enabled
from deltacloud.driver import timing
from deltacloud.driver.memo import IdentityMemo
from deltacloud.errors import AuthenticationError, DeltacloudError, DriverLoadError, NotAcceptableError
from deltacloud.http import coalesce, entry_answers
from deltacloud.http.browser import BrowserPages
from deltacloud.http.context import RequestState, parse_basic, select_driver, selection_headers, trusted_provider
from deltacloud.http.docs import DocsResource, OpenApiResource
from deltacloud.http.entry_answers import EntryAnswers
from deltacloud.http.etags import CACHE_CONTROL, etag_matches, etag_of
from deltacloud.http.front import Front
from deltacloud.http.negotiation import choose_format
from deltacloud.http.objectstore import bucket_routes
from deltacloud.http.resources import (
    CONTENT_TYPES,
    ActionResource,
    Api,
    CollectionResource,
    MemberResource,
    render_context,
    state_of,
)
from deltacloud.http.revalidate import Revalidator
from deltacloud.render.document import ApiLink, render_api, render_error
from deltacloud.render.fragments import ENTRY_POINTS, context_key

log = logging.getLogger("deltacloud")
_CACHEABLE = frozenset({"GET", "HEAD"})
_OK = (200, "200 OK", falcon.HTTP_200)


class RequestSelection:
    """Middleware: format, driver, provider and credentials for each request; response headers after it."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Choose driver, provider, format and credentials before routing."""
        env = req.env  # the headers straight from the environ: Falcon's get_header would rebuild each key
        state = RequestState()
        req.context.deltacloud = state
        name, provider, from_client = select_driver(env, env.get("HTTP_X_DELTACLOUD_DRIVER"),
                                                    env.get("HTTP_X_DELTACLOUD_PROVIDER"), self.config)
        state.driver_name, state.provider = name, provider
        timing.start()
        try:
            state.fmt = choose_format(req.get_param("format") if env.get("QUERY_STRING") else None,
                                      env.get("HTTP_ACCEPT"))
        except NotAcceptableError as exc:  # refused in process_resource, unless the resource ignores Accept
            req.context.unacceptable = exc
        state.loaded = loader.load(name)
        state.provider_trusted = trusted_provider(state.loaded, provider, from_client)
        state.credentials = parse_basic(env.get("HTTP_AUTHORIZATION"))

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        """Refuse an unproducible format (406), except for resources that serve the user's own bytes."""
        unacceptable = getattr(req.context, "unacceptable", None)
        if unacceptable is not None and not getattr(resource, "ignores_accept", False):
            raise unacceptable

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        """Add the driver, timing and caching headers; answer 304 to a matching If-None-Match."""
        state: RequestState | None = getattr(req.context, "deltacloud", None)
        if state is None:
            return
        headers = selection_headers(state.driver_name or self.config.driver, state.provider, state.started,
                                    state.backend_seconds, timing.total())
        resp.set_headers(headers)
        data = resp.data
        if data and req.method in _CACHEABLE and resp.status in _OK:
            kept = getattr(req.context, "kept_etag", None)  # a kept document's tag (EntryPoint)
            etag = kept[1] if kept is not None and kept[0] is data else etag_of(data)
            resp.set_header("ETag", etag)
            resp.set_header("Cache-Control", CACHE_CONTROL)
            if etag_matches(req.env.get("HTTP_IF_NONE_MATCH"), etag):
                resp.status = falcon.HTTP_304
                resp.data = None
                resp.content_type = None
        if req.method == "HEAD" and resp.data:
            resp.content_length = len(resp.data)
            resp.data = None


class EntryPoint:
    """``/api``: the collections the driver supports and the features it advertises."""

    def __init__(self, api: Api) -> None:
        self.api = api
        #: ETags of the kept documents, by their identity.
        self._tags: IdentityMemo[tuple[bytes, str]] = IdentityMemo(256)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        state = state_of(req)
        assert state.loaded is not None
        if req.query_string and req.get_param_as_bool("force_auth", default=False):
            if state.credentials is None:
                raise AuthenticationError("Authentication required")
            started = time.perf_counter()
            valid = state.driver().valid_credentials()
            state.backend_seconds += time.perf_counter() - started
            if not valid:
                raise AuthenticationError("Authentication failed")
        offer = self.api.offer(state)
        resp.content_type = CONTENT_TYPES[state.fmt]
        ctx = render_context(req)

        def document() -> bytes:
            links = [ApiLink(c, tuple(f for f in offer.features if f.feature.collection == c.name))
                     for c in self.api.collections.values() if c.name in offer.collections]
            return render_api(API_VERSION, links, ctx, state.fmt)

        # The same offer (of this app's API) and context make the same document.
        if state.fmt == "html" or not ENTRY_POINTS.enabled:
            resp.data = document()
            return
        resp.data = data = ENTRY_POINTS.get(offer, (state.fmt, context_key(ctx)), document)
        known = self._tags.get(id(data))
        if known is None:
            known = self._tags.put(id(data), (data, etag_of(data)), data)
        req.context.kept_etag = known  # the middleware's ETag, not hashed again
        entry_answers.keep(req, state, data, known[1], resp.content_type)  # the next such GET: before routing

    on_head = on_get

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Switch driver and provider from a form: redirect to ``/api;driver=X;provider=Y``.

        A browser gets 303 (its next request is a GET, and going back repeats nothing); other
        clients get 1.1's 301.
        """
        form = req.get_media() if (req.content_type or "").startswith("application/x-www-form") else {}
        driver = (form.get("driver") or req.get_param("driver") or state_of(req).driver_name).strip()
        provider = (form.get("provider") or req.get_param("provider") or "").strip()
        loader.load(driver)  # an unknown driver is a 400 naming the installed ones
        target = f"{req.root_path}/api;driver={quote(driver, safe='')}" + (
            f";provider={quote(provider, safe='')}" if provider else "")
        if state_of(req).fmt == "html":
            raise falcon.HTTPSeeOther(target)
        raise falcon.HTTPMovedPermanently(target)

    def on_options(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.set_header("Allow", "GET, HEAD, OPTIONS, POST")


def _error_format(req: falcon.Request) -> tuple[str, str, str | None]:
    state: RequestState | None = getattr(req.context, "deltacloud", None)
    if state is None:
        return "xml", "", None
    return state.fmt, state.driver_name, state.provider


def _send_error(req: falcon.Request, resp: falcon.Response, status: int, message: str,
                headers: dict[str, str] | None = None) -> None:
    fmt, driver, provider = _error_format(req)
    req.context.error_message = message  # an HTML form's error page shows it with the form (http.browser)
    resp.status = status
    resp.content_type = CONTENT_TYPES[fmt]
    resp.data = render_error(status, message, req.path, driver, provider, fmt)
    for key, value in (headers or {}).items():
        resp.set_header(key, value)


def handle_deltacloud_error(req: falcon.Request, resp: falcon.Response, ex: DeltacloudError, params: Any) -> None:
    """Any ``DeltacloudError``: its status, its message, its headers (401 adds the Basic challenge)."""
    headers = dict(ex.headers)
    if ex.status == 401:
        driver = _error_format(req)[1] or "deltacloud"
        headers["WWW-Authenticate"] = f'Basic realm="Deltacloud API ({driver})"'
    _send_error(req, resp, ex.status, ex.message, headers)


def handle_http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError, params: Any) -> None:
    """Falcon's own errors (unknown route, unsupported method, unreadable body) in our error format."""
    if isinstance(ex, falcon.HTTPMovedPermanently | falcon.HTTPFound | falcon.HTTPSeeOther):
        raise ex
    status = int(str(ex.status).split()[0]) if not isinstance(ex.status, int) else ex.status
    message = ex.description or ex.title or "Error"
    if status == 404 and not ex.description:
        message = f"No such resource: {req.path}"
    _send_error(req, resp, status, message, dict(ex.headers or {}))


def handle_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception, params: Any) -> None:
    """Anything else: a 500 that says nothing about the internals; the traceback goes to the log only."""
    if isinstance(ex, falcon.HTTPStatus):
        raise ex
    driver = _error_format(req)[1]
    if isinstance(ex, DriverLoadError):
        log.error("driver %s failed to load: %s", driver, ex)
        _send_error(req, resp, 500, f"Driver '{driver}' failed to load; see the server log")
        return
    log.exception("unexpected error on %s %s (driver %s)", req.method, req.path, driver)
    _send_error(req, resp, 500, "Internal server error; see the server log")


#: Core collections served by resources of their own (the API description cannot name falcon resources).
OWN_ROUTES = {"buckets": bucket_routes}


def generic_routes(api: Api, collection: Collection) -> dict[str, Any]:
    """The routes every collection gets unless it brings its own (``Collection.routes``, ``OWN_ROUTES``)."""
    base = f"/api/{collection.name}"
    return {base: CollectionResource(api, collection), f"{base}/{{id}}": MemberResource(api, collection),
            f"{base}/{{id}}/{{action}}": ActionResource(api, collection)}


def create_app(config: ServerConfig | None = None) -> Any:
    """Build the WSGI application: Falcon routes for every collection, behind ``Front`` (and the coalescer, if on).

    ``Front`` gets a ``Revalidator`` and ``EntryAnswers`` unless every cache is off or a plugin adjusted the app.
    """
    config = config or ServerConfig()
    loader.configure(config)
    api = Api(plugins.collections(), config.max_body_bytes)
    app = falcon.App(middleware=[RequestSelection(config), BrowserPages(api)], cors_enable=False)
    app.req_options.strip_url_path_trailing_slash = True  # /api/ and /api/instances/ as 1.1 served them
    app.resp_options.secure_cookies_by_default = True
    app.add_route("/api", EntryPoint(api))
    app.add_route("/api/docs", DocsResource(api))
    app.add_route("/api/docs/{collection}", DocsResource(api))
    app.add_route("/api/docs/{collection}/{operation}", DocsResource(api))
    app.add_route("/api/openapi.json", OpenApiResource(api))
    for collection in api.collections.values():
        own = collection.routes or OWN_ROUTES.get(collection.name)
        routes = own(api, collection) if own else generic_routes(api, collection)
        for template, resource in routes.items():
            app.add_route(template, resource)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(DeltacloudError, handle_deltacloud_error)
    adjusted = plugins.configure_app(app, config)
    shortcuts = caching_enabled() and not adjusted  # answers before routing would skip a plugin's middleware
    wsgi = Front(coalesce.wrap(app, config.coalesce_seconds), config.forwarded_allow_ips,
                 Revalidator() if shortcuts else None, EntryAnswers() if shortcuts else None)
    wsgi.falcon_app = app  # type: ignore[attr-defined]
    return wsgi
