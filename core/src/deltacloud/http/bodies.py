"""Request parameters from matrix, query string and body; bodies read bounded, JSON without trusting its shape.

``raw_params`` is what every operation validates: matrix parameters, then the query string, then
the body (a form, JSON or XML, parsed by defusedxml).

A body with ``Content-Length`` is read by Falcon's form handler or as bytes; a chunked one
(``Transfer-Encoding: chunked``, when the WSGI server says its input ends by itself, as gunicorn
does) is read here to its end, refused with 413 past ``max_body``. JSON bodies are an object of
parameters; values other than strings keep their JSON kind (``deltacloud.api.params.JsonValue``)
so that validation can refuse ``null`` or ``true`` where a name is due, and nesting too deep for
the parser is a 400, not a crash.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import defusedxml.ElementTree as SafeET
import falcon

from deltacloud.api.params import JsonValue
from deltacloud.errors import PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError
from deltacloud.http.context import MATRIX_PARAMS_KEY

_READ = 64 * 1024


def is_chunked(req: falcon.Request) -> bool:
    """Whether the body is chunked and the WSGI server ends the input at its last chunk."""
    encoding = (req.get_header("Transfer-Encoding") or "").lower()
    return req.content_length is None and "chunked" in encoding and bool(req.env.get("wsgi.input_terminated"))


def read_chunked(req: falcon.Request, max_body: int) -> bytes:
    """A chunked body to its end; 413 as soon as it passes ``max_body`` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = req.stream.read(_READ)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_body:
            raise PayloadTooLargeError(f"Request body larger than {max_body} bytes")
        parts.append(chunk)


def form_params(data: bytes) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body read from bytes (UTF-8, 400 otherwise)."""
    try:
        text = data.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=10_000)
    except (UnicodeDecodeError, ValueError):
        raise ValidationError("Request body is not a valid UTF-8 form") from None
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _value(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, bool):
        return JsonValue("true" if item else "false", "boolean")
    if isinstance(item, int | float):
        return JsonValue(repr(item), "number")
    if item is None:
        return JsonValue("null", "null")
    return JsonValue("[...]" if isinstance(item, list) else "{...}", "array" if isinstance(item, list) else "object")


def json_params(data: bytes) -> dict[str, list[str]]:
    """A JSON object of parameters; a list value is a repeated parameter. 400 for anything else."""
    if not data.strip():
        return {}
    try:
        doc = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ValidationError("Request body is not valid JSON") from None
    if not isinstance(doc, dict):
        raise ValidationError("A JSON request body must be an object of parameters")
    return {key: [_value(x) for x in value] if isinstance(value, list) else [_value(value)]
            for key, value in doc.items()}


def raw_params(req: falcon.Request, max_body: int) -> dict[str, list[str]]:
    """Every request parameter as lists of strings: matrix, query string, then the body (form, JSON or XML)."""
    env = req.env
    if not env.get("QUERY_STRING") and MATRIX_PARAMS_KEY not in env and env.get("REQUEST_METHOD") in ("GET", "HEAD"):
        return {}  # most GETs: nothing to gather
    raw: dict[str, list[str]] = {}
    for key, values in env.get(MATRIX_PARAMS_KEY, {}).items():
        raw.setdefault(key, []).extend(values)
    for key, value in req.params.items():
        raw.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    if req.method in ("POST", "PUT", "PATCH", "DELETE") and ((req.content_length or 0) > 0 or is_chunked(req)):
        if (req.content_length or 0) > max_body:
            raise PayloadTooLargeError(f"Request body larger than {max_body} bytes")
        for key, values in _body_params(req, max_body).items():
            raw.setdefault(key, []).extend(values)
    return raw


def _body_params(req: falcon.Request, max_body: int) -> dict[str, list[str]]:
    media = (req.content_type or "").split(";")[0].strip().lower()
    chunked = is_chunked(req)
    if media == "application/x-www-form-urlencoded" and not chunked:
        form = req.get_media()
        return {k: (v if isinstance(v, list) else [v]) for k, v in form.items()}
    data = read_chunked(req, max_body) if chunked else req.bounded_stream.read()
    if media == "application/x-www-form-urlencoded":
        return form_params(data)
    if media in ("application/json", ""):
        return json_params(data)
    if media in ("application/xml", "text/xml"):
        try:
            root = SafeET.fromstring(data)
        except Exception:  # defusedxml raises several types for malicious or broken XML
            raise ValidationError("Request body is not well-formed, safe XML") from None
        out: dict[str, list[str]] = {}
        for child in root:
            out.setdefault(child.tag, []).append((child.text or "").strip())
        return out
    raise UnsupportedMediaTypeError(f"Cannot read a request body of type '{media}'")
