"""Absolute links behind a reverse proxy: ``X-Forwarded-*`` from trusted proxies only.

Every ``href`` and ``Location`` is built from the request's scheme, host and script name
(``http.resources.render_context``). Behind nginx those are the proxy's hop to us, not what the
client typed, so the proxy tells us (``X-Forwarded-Proto``, ``X-Forwarded-Host``,
``X-Forwarded-Port``, ``X-Forwarded-Prefix``) and ``apply_forwarded`` writes them into the WSGI
environ before anything reads it (``http.front.Front``). The headers are believed only when the peer's address is in
``allow`` (``deltacloudd --forwarded-allow-ips``, loopback by default, ``*`` for any): anyone
else's ``X-Forwarded-*`` are removed, so a client talking to the server directly cannot make
links point elsewhere. A proxy that appends to ``X-Forwarded-*`` lists: the first value is
the client's side, the one we use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Peers whose forwarded headers are believed when the operator names none (gunicorn's default too).
DEFAULT_ALLOW = ("127.0.0.1", "::1")

_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX",
            "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_SSL", "HTTP_X_FORWARDED_PROTOCOL")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,=:@%-]+)*$")


def parse_allow(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Peer addresses from ``"127.0.0.1, ::1"`` (or a sequence); ``*`` trusts every peer."""
    if text is None:
        return DEFAULT_ALLOW
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(item.strip() for item in items if item.strip())


def _first(value: str) -> str:
    return value.split(",", 1)[0].strip()


def apply_forwarded(environ: dict[str, Any], allow: tuple[str, ...]) -> None:
    """Rewrite ``wsgi.url_scheme``, ``HTTP_HOST`` and ``SCRIPT_NAME`` from a trusted proxy's headers.

    From an untrusted peer the ``X-Forwarded-*`` headers are dropped instead. Values that are not
    a scheme, host, port or path are ignored (the request's own stay), never an error.
    """
    for key in _HEADERS:
        if key in environ:
            break
    else:
        return
    if "*" not in allow and environ.get("REMOTE_ADDR", "") not in allow:
        for key in _HEADERS:
            environ.pop(key, None)
        return
    proto = _first(environ.get("HTTP_X_FORWARDED_PROTO", "")).lower()
    if proto in ("http", "https"):
        environ["wsgi.url_scheme"] = proto
    host = _first(environ.get("HTTP_X_FORWARDED_HOST", ""))
    if host and _HOST.match(host):
        environ["HTTP_HOST"] = host
    port = _first(environ.get("HTTP_X_FORWARDED_PORT", ""))
    if port.isdigit() and 0 < int(port) < 65536:
        name = _HOST.match(environ.get("HTTP_HOST", ""))
        if name:
            default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
            environ["HTTP_HOST"] = name.group(1) + ("" if port == default else f":{port}")
            environ["SERVER_PORT"] = port
    prefix = _first(environ.get("HTTP_X_FORWARDED_PREFIX", "")).rstrip("/")
    if prefix and _PREFIX.match(prefix) and ".." not in prefix:
        environ["SCRIPT_NAME"] = prefix + environ.get("SCRIPT_NAME", "")
