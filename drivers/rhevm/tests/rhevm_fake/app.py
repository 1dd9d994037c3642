"""The fake engine as a WSGI application: oVirt's SSO endpoints and the v4 REST routes the driver uses.

Authentication: ``POST /ovirt-engine/sso/oauth/token`` (form ``grant_type=password``,
``scope=ovirt-app-api``, ``username``, ``password``) answers JSON with an ``access_token`` that
expires after ``Engine.token_lifetime`` clock seconds; API calls carry ``Authorization: Bearer``
(or HTTP Basic, which oVirt also accepts). Every error is a ``<fault>`` document.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from rhevm_fake import xml as docs
from rhevm_fake.state import Disk, Engine, Fault, GiB, Template, Vm

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 500: "Internal Server Error"}
_SEARCH = re.compile(r'^\s*(datacenter|name)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))\s*$', re.IGNORECASE)


class FakeEngine:
    """``FakeEngine(engine)`` is a WSGI callable serving ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if path == "/ovirt-engine/sso/oauth/token" and method == "POST":
                return self._token(environ, start_response)
            if path == "/ovirt-engine/services/sso-logout":
                return _send(start_response, 200, json.dumps({}).encode(), "application/json")
            if path == "/ovirt-engine/api" or path.startswith("/ovirt-engine/api/"):
                user = self._authenticate(environ)
                self.engine.requests.append((user, method, path))
                self.engine.wait_if_stalled()
                parts = [p for p in path[len("/ovirt-engine/api"):].split("/") if p]
                status, body = self._route(method, parts, query, _read(environ))
                if body is None:
                    return _send(start_response, status, b"", "text/plain")
                return _send(start_response, status, docs.to_bytes(body), "application/xml")
            raise Fault(404, "Not Found", f"No resource at {path}")
        except Fault as fault:
            headers = [("WWW-Authenticate", 'Basic realm="ENGINE"')] if fault.status == 401 else []
            return _send(start_response, fault.status, docs.to_bytes(docs.fault(fault.reason, fault.detail)),
                         "application/xml", headers)

    # -- authentication ------------------------------------------------------------------------

    def _token(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        form = {k: v[0] for k, v in parse_qs(_read(environ).decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "password" or "ovirt-app-api" not in form.get("scope", ""):
            body = {"error_code": "invalid_request", "error": "grant_type=password and scope=ovirt-app-api needed"}
            return _send(start_response, 400, json.dumps(body).encode(), "application/json")
        try:
            token, expires = self.engine.issue_token(form.get("username", ""), form.get("password", ""))
        except Fault as fault:
            body = {"error_code": "access_denied", "error": f"{fault.detail}: the username or password is incorrect"}
            return _send(start_response, 400, json.dumps(body).encode(), "application/json")
        wall_expiry = time.time() + (expires - self.engine.clock())
        body = {"access_token": token, "scope": "ovirt-app-api", "exp": str(int(wall_expiry * 1000)),
                "token_type": "bearer"}
        return _send(start_response, 200, json.dumps(body).encode(), "application/json")

    def _authenticate(self, environ: dict[str, Any]) -> str:
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            user = self.engine.token_user(value.strip())
            if user is not None:
                return user
            raise Fault(401, "Unauthorized", "The access token is unknown or has expired")
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user, password = "", ""
            if self.engine.check_password(user, password):
                return user
        raise Fault(401, "Unauthorized", "This request requires HTTP authentication")

    # -- routes ----------------------------------------------------------------------------------

    def _route(self, method: str, parts: list[str], query: dict[str, str],
               body: bytes) -> tuple[int, ET.Element | None]:
        engine = self.engine
        if not parts:
            return 200, docs.api_root()
        collection, rest = parts[0], parts[1:]
        if (method, collection) == ("GET", "storagedomains") and not rest:
            return 200, docs.listing("storage_domains",
                                     [docs.storage_domain(i, n) for i, n in engine.storage_domains.items()])
        kinds = {"datacenters": ("data_centers", docs.data_center), "clusters": ("clusters", docs.cluster),
                 "templates": ("templates", docs.template), "disks": ("disks", docs.disk),
                 "vms": ("vms", lambda v: docs.vm(engine, v))}
        if collection not in kinds:
            raise Fault(404, "Not Found", f"No collection '{collection}'")
        kind, render = kinds[collection]
        if method == "GET" and not rest:
            dc_name = _search(query.get("search", ""))
            items = engine.in_data_center(kind, dc_name.get("datacenter"))
            if "name" in dc_name:
                items = [i for i in items if getattr(i, "name", None) == dc_name["name"]]
            return 200, docs.listing(collection if kind != "data_centers" else "data_centers",
                                     [render(i) for i in items])
        if method == "GET" and len(rest) == 1:
            return 200, render(engine.get(kind, rest[0]))
        if collection == "vms":
            return self._vms(method, rest, query, body)
        if collection == "templates" and method == "POST" and not rest:
            doc = _parse(body, "template")
            vm_id = _ref(doc, "vm")
            t = engine.add_template(_required(doc, "name"), vm_id, doc.findtext("description") or "")
            return 201, docs.template(t)
        if collection == "disks" and method == "POST" and not rest:
            doc = _parse(body, "disk")
            d = engine.add_disk(doc.findtext("name") or "disk", _size(doc))
            return 201, docs.disk(d)
        if method == "DELETE" and len(rest) == 1 and collection in ("templates", "disks"):
            (engine.remove_template if collection == "templates" else engine.remove_disk)(rest[0])
            return 200, None
        raise Fault(405, "Method Not Allowed", f"{method} is not allowed here")

    def _vms(self, method: str, rest: list[str], query: dict[str, str],
             body: bytes) -> tuple[int, ET.Element | None]:
        engine = self.engine
        if method == "POST" and not rest:
            doc = _parse(body, "vm")
            topology = doc.find("cpu/topology")
            memory = doc.findtext("memory")
            vm = engine.add_vm(_required(doc, "name"), self._resolve("clusters", doc, "cluster"),
                               self._resolve("templates", doc, "template"),
                               memory=int(memory) if memory else None,
                               cores=_int(topology, "cores"), sockets=_int(topology, "sockets"),
                               custom_script=doc.findtext("initialization/custom_script") or "",
                               description=doc.findtext("description") or "")
            return 201, docs.vm(engine, vm)
        if method == "DELETE" and len(rest) == 1:
            engine.remove_vm(rest[0])
            return 200, None
        if method == "POST" and len(rest) == 2 and rest[1] not in ("nics", "diskattachments"):
            _parse(body, "action")
            vm = engine.vm_action(rest[0], rest[1])
            return 200, docs.action_done(docs.vm(engine, vm))
        if not rest:
            raise Fault(405, "Method Not Allowed", f"{method} is not allowed here")
        vm = engine.get("vms", rest[0])
        assert isinstance(vm, Vm)
        if method == "GET" and rest[1:] == ["nics"]:
            return 200, docs.nics(vm, "reported_devices" in query.get("follow", ""))
        if rest[1:2] == ["diskattachments"]:
            return self._attachments(method, vm, rest[2:], body, "disk" in query.get("follow", "").split(","))
        raise Fault(405, "Method Not Allowed", f"{method} is not allowed here")

    def _resolve(self, kind: str, doc: ET.Element, name: str) -> str:
        """The id a reference ``<name id=…/>`` or ``<name><name>…</name></name>`` points at."""
        value = _ref(doc, name)
        with self.engine.lock:
            items = getattr(self.engine, kind)
            if value in items:
                return value
            return next((i.id for i in items.values() if i.name == value), value)

    def _attachments(self, method: str, vm: Vm, rest: list[str], body: bytes,
                     follow_disk: bool = False) -> tuple[int, ET.Element | None]:
        engine = self.engine
        if method == "GET" and not rest:
            with engine.lock:
                attached = [d for d in engine.disks.values() if d.vm_id == vm.id]
            return 200, docs.listing("disk_attachments", [docs.disk_attachment(d, follow_disk) for d in attached])
        if method == "POST" and not rest:
            doc = _parse(body, "disk_attachment")
            disk_el = doc.find("disk")
            if disk_el is None:
                raise Fault(400, "Incomplete parameters", "DiskAttachment [disk] required for add")
            if disk_el.get("id"):
                disk = engine.attach_disk(disk_el.get("id", ""), vm.id)
            else:
                disk = engine.add_disk(disk_el.findtext("name") or f"{vm.name}_Disk", _size(disk_el))
                disk.vm_id = vm.id
            disk.interface = doc.findtext("interface") or "virtio"
            return 201, docs.disk_attachment(disk)
        if method == "DELETE" and len(rest) == 1:
            engine.detach_disk(vm.id, rest[0])
            return 200, None
        raise Fault(405, "Method Not Allowed", f"{method} is not allowed here")


def _read(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _send(start_response: StartResponse, status: int, body: bytes, content_type: str,
          headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response(f"{status} {_REASONS.get(status, 'Error')}",
                   [("Content-Type", content_type), ("Content-Length", str(len(body))), *(headers or [])])
    return [body]


def _parse(body: bytes, tag: str) -> ET.Element:
    try:
        doc = SafeET.fromstring(body or f"<{tag}/>".encode())
    except (ET.ParseError, DefusedXmlException) as exc:
        raise Fault(400, "Request syntactically incorrect.", f"the body is not XML: {exc}") from None
    if doc.tag != tag:
        raise Fault(400, "Request syntactically incorrect.", f"expected <{tag}>, got <{doc.tag}>")
    return doc


def _required(doc: ET.Element, name: str) -> str:
    value = (doc.findtext(name) or "").strip()
    if not value:
        raise Fault(400, "Incomplete parameters", f"{doc.tag.capitalize()} [{name}] required for add")
    return value


def _ref(doc: ET.Element, name: str) -> str:
    """The id of ``<name id=…/>``, also found by ``<name><name>…</name></name>``."""
    el = doc.find(name)
    if el is None:
        raise Fault(400, "Incomplete parameters", f"{doc.tag.capitalize()} [{name}.id|name] required for add")
    return el.get("id") or el.findtext("name") or ""


def _int(el: ET.Element | None, name: str) -> int | None:
    if el is None:
        return None
    text = el.findtext(name) or el.get(name)
    try:
        return int(text) if text else None
    except ValueError:
        raise Fault(400, "Invalid value", f"'{text}' is not a valid value for {name}") from None


def _size(el: ET.Element) -> int:
    size = _int(el, "provisioned_size")
    if size is None:
        raise Fault(400, "Incomplete parameters", "Disk [provisionedSize] required for add")
    return size


def _search(text: str) -> dict[str, str]:
    """``datacenter=NAME`` or ``name=NAME``; a 400 fault for anything this fake cannot search by."""
    if not text.strip():
        return {}
    match = _SEARCH.match(text)
    if match is None:
        raise Fault(400, "Invalid search", f"Cannot search by '{text}' on this fake engine")
    quoted, plain = match.group(2), match.group(3)
    return {match.group(1).lower(): plain if plain is not None else re.sub(r"\\(.)", r"\1", quoted)}


__all__ = ["Disk", "FakeEngine", "GiB", "Template"]
