"""The fake GoGrid as a WSGI application speaking GoGrid's JSON API v1.9.

Every call carries ``api_key``, ``sig``, ``v=1.9`` and ``format=json`` in the query string (a
POST may carry its parameters in a form body too). The signature is the lowercase hex MD5 of
API key + shared secret + Unix time in seconds; any second within ``window`` seconds of the
fake's clock is accepted. What GoGrid answers, the fake answers the same way:

* bad key, signature or timestamp: HTTP 403, body ``<h1>403 Not Authorized</h1>`` as
  ``text/xml`` with ``X-Mashery-Error-Code: ERR_403_NOT_AUTHORIZED`` (GoGrid's API gateway);
* success: 200 and ``{"summary", "status": "success", "method", "list"}``;
* a refused call, or a missing object: 400 and the same envelope with ``"status": "failure"``
  and one ``error`` object;
* JSON bodies are sent as ``text/html``, as GoGrid did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from gogrid_fake import seed
from gogrid_fake.world import NOT_FOUND, Failure, Json, World

API_VERSION = "1.9"
DEFAULT_KEY, DEFAULT_SECRET = "fake-api-key", "fake-shared-secret"
StartResponse = Callable[..., Any]
Handler = Callable[[World, Mapping[str, str]], list[Json]]


def signature(api_key: str, secret: str, when: float) -> str:
    """GoGrid's request signature: hex MD5 of key + secret + Unix seconds."""
    return hashlib.md5(f"{api_key}{secret}{int(when)}".encode()).hexdigest()  # GoGrid v1.9 signs with MD5


def _listing(world: World, params: Mapping[str, str]) -> list[Json]:
    return [s.to_json() for s in world.servers.values()]


def _server_get(world: World, params: Mapping[str, str]) -> list[Json]:
    return [world.server(params).to_json()]


def _image_list(world: World, params: Mapping[str, str]) -> list[Json]:
    images = world.images
    if params.get("state"):
        images = [i for i in images if params["state"].lower() in (i["state"]["name"].lower(), str(i["state"]["id"]))]
    if params.get("isPublic"):
        images = [i for i in images if str(i["isPublic"]).lower() == params["isPublic"].lower()]
    return images


def _image_get(world: World, params: Mapping[str, str]) -> list[Json]:
    value = params.get("id") or params.get("name") or params.get("image") or ""
    return [world.image(value)]


def _ip_list(world: World, params: Mapping[str, str]) -> list[Json]:
    ips = world.ips
    if params.get("ip.type"):
        wanted = params["ip.type"].lower()
        ips = [i for i in ips if wanted in (("public", "1") if i["public"] else ("private", "2"))]
    if params.get("ip.state"):
        wanted = params["ip.state"].lower()
        ips = [i for i in ips if wanted in (i["state"]["name"].lower(), str(i["state"]["id"]))]
    if params.get("datacenter"):
        wanted = params["datacenter"].lower()
        ips = [i for i in ips if wanted in (i["datacenter"]["name"].lower(), str(i["datacenter"]["id"]))]
    return ips


def _lookup(world: World, params: Mapping[str, str]) -> list[Json]:
    lookup = params.get("lookup", "")
    if lookup not in seed.LOOKUPS:
        raise Failure(f"Invalid lookup: {lookup or '(missing)'}")
    return list(seed.LOOKUPS[lookup])


def _password_get(world: World, params: Mapping[str, str]) -> list[Json]:
    for password in world.passwords:
        if params.get("id") == str(password["id"]):
            return [world.password_json(password)]
    raise Failure(NOT_FOUND)


ROUTES: dict[str, Handler] = {
    "/common/lookup/list": _lookup,
    "/grid/server/list": _listing,
    "/grid/server/get": _server_get,
    "/grid/server/add": lambda w, p: [w.add_server(p).to_json()],
    "/grid/server/power": lambda w, p: [w.power(p).to_json()],
    "/grid/server/delete": lambda w, p: [w.delete_server(p).to_json()],
    "/grid/image/list": _image_list,
    "/grid/image/get": _image_get,
    "/grid/ip/list": _ip_list,
    "/support/password/list": lambda w, p: [w.password_json(pw) for pw in w.passwords],
    "/support/grid/password/get": _password_get,
    "/grid/loadbalancer/list": lambda w, p: [lb.to_json() for lb in w.balancers.values()],
    "/grid/loadbalancer/get": lambda w, p: [w.balancer(p).to_json()],
    "/grid/loadbalancer/add": lambda w, p: [w.add_balancer(p).to_json()],
    "/grid/loadbalancer/edit": lambda w, p: [w.edit_balancer(p).to_json()],
    "/grid/loadbalancer/delete": lambda w, p: [w.delete_balancer(p).to_json()],
}


class FakeGoGrid:
    """The WSGI application: one account (``api_key``/``secret``) and its ``World``.

    ``calls`` records each request's method and path (never its parameters), for tests that
    count backend calls.
    """

    def __init__(self, world: World | None = None, api_key: str = DEFAULT_KEY, secret: str = DEFAULT_SECRET,
                 window: float = 300.0, prefix: str = "/api") -> None:
        self.world = world or World()
        self.api_key, self.secret, self.window, self.prefix = api_key, secret, window, prefix
        self.calls: list[tuple[str, str]] = []

    def signed(self, sig: str) -> bool:
        """Whether ``sig`` is this account's signature for a second within the window."""
        now = int(self.world.clock.time())
        return any(sig == signature(self.api_key, self.secret, t)
                   for t in range(now - int(self.window), now + int(self.window) + 1))

    def __call__(self, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request."""
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if method == "POST" and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
            params.update(parse_qsl(body, keep_blank_values=True))
        self.calls.append((method, path))
        if method not in ("GET", "POST") or not path.startswith(self.prefix):
            return _text(start_response, "404 Not Found", "<h1>404 Not Found</h1>")
        if params.get("api_key") != self.api_key or not self.signed(params.get("sig", "")):
            return _text(start_response, "403 Forbidden", "<h1>403 Not Authorized</h1>",
                         [("X-Mashery-Error-Code", "ERR_403_NOT_AUTHORIZED")])
        route = path[len(self.prefix):]
        handler = ROUTES.get(route)
        if handler is None:
            return _text(start_response, "404 Not Found", "<h1>404 Not Found</h1>")
        try:
            if params.get("v") != API_VERSION:
                raise Failure(f"Unsupported API version: {params.get('v') or '(missing)'}")
            if params.get("format", "json") != "json":
                raise Failure(f"Unsupported format: {params['format']}")
            with self.world.lock:
                self.world.settle()
                items = handler(self.world, params)
                body = envelope(route, "success", items)
            return _json(start_response, "200 OK", body)
        except Failure as failure:
            error = {"message": failure.message, "object": "error", "errorcode": failure.errorcode}
            return _json(start_response, "400 Bad Request", envelope(route, "failure", [error]))


def envelope(method: str, status: str, items: list[Json]) -> Json:
    """GoGrid's answer: summary, status, method and the list."""
    summary: Json = {"total": len(items), "start": 0, "numpages": 0, "returned": len(items)}
    if status == "failure":
        del summary["numpages"]
    return {"summary": summary, "status": status, "method": method, "list": items}


def _json(start_response: StartResponse, status: str, body: Json) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "text/html"), ("Content-Length", str(len(data)))])
    return [data]


def _text(start_response: StartResponse, status: str, text: str,
          extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    data = text.encode()
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(data))), *(extra or [])])
    return [data]
