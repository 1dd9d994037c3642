"""Parameter validation: raw request values in, typed values out, or a 400 naming the parameter."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from typing import Any

from deltacloud.api.spec import Param
from deltacloud.errors import ValidationError

RawParams = Mapping[str, list[str]]

#: Parameters the server itself reads; never reported as ignored.
META_PARAMS = frozenset({"format", "_method", "force_auth", "commit", "api"})

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_MAX_TEXT = 65536


def _numbered(raw: RawParams, name: str) -> tuple[list[str], list[str]]:
    """Values given as ``name1``, ``name2``… in numeric order, as the original clients sent lists, and their keys.

    A spelling with ``{n}`` in it puts the number there: ``group{n}owner`` reads ``group1owner``….
    """
    head, _, tail = name.partition("{n}")
    pattern = re.compile(re.escape(head) + r"(\d+)" + re.escape(tail))
    found = sorted((int(m.group(1)), key) for key in raw if (m := pattern.fullmatch(key)))
    return [value for _, key in found for value in raw[key] if value != ""], [key for _, key in found]


def _convert(param: Param, values: list[str]) -> Any:
    """One parameter's value in its declared type; ``ValidationError`` naming it when it does not fit."""
    name = param.name
    if param.type == "list":
        return tuple(v for v in values if v != "")
    value = values[-1]
    if len(value) > _MAX_TEXT:
        raise ValidationError(f"Parameter '{name}' is too long", param=name)
    if param.type == "integer":
        try:
            result: Any = int(value)
        except ValueError:
            raise ValidationError(f"Parameter '{name}' must be an integer, not '{value[:40]}'", param=name) from None
    elif param.type == "number":
        try:
            result = float(value)
        except ValueError:
            raise ValidationError(f"Parameter '{name}' must be a number, not '{value[:40]}'", param=name) from None
    elif param.type == "boolean":
        lowered = value.lower()
        if lowered not in _TRUE and lowered not in _FALSE:
            raise ValidationError(f"Parameter '{name}' must be true or false", param=name)
        result = lowered in _TRUE
    elif param.type == "base64":
        try:
            result = base64.b64decode(value.encode("ascii"), validate=False)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise ValidationError(f"Parameter '{name}' must be base64 encoded", param=name) from None
    else:
        result = value
    if param.choices and str(value) not in param.choices:
        raise ValidationError(f"Parameter '{name}' must be one of {', '.join(param.choices)}", param=name)
    if param.minimum is not None and result < param.minimum:
        raise ValidationError(f"Parameter '{name}' must be at least {param.minimum:g}", param=name)
    if param.maximum is not None and result > param.maximum:
        raise ValidationError(f"Parameter '{name}' must be at most {param.maximum:g}", param=name)
    return result


def validate(params: Iterable[Param], raw: RawParams) -> tuple[dict[str, Any], list[str]]:
    """Check ``raw`` against the declared ``params``.

    Returns the typed values of the parameters that were given, and the names of the raw
    parameters that no declaration consumed (reported to clients in a ``Warning`` header,
    never refused). Raises ``ValidationError`` for a missing required or a malformed value.
    """
    values: dict[str, Any] = {}
    consumed: set[str] = set(META_PARAMS)
    for param in params:
        given: list[str] = []
        for spelling in (param.name, *param.aliases):
            if spelling in raw:
                given.extend(raw[spelling])
                consumed.add(spelling)
            if param.type == "list":
                numbered, keys = _numbered(raw, spelling)
                given.extend(numbered)
                consumed.update(keys)
        given_nonempty = [v for v in given if v != ""]
        if not given_nonempty:
            if param.required:
                raise ValidationError(f"Required parameter '{param.name}' is missing", param=param.name)
            continue
        values[param.name] = _convert(param, given_nonempty)
    ignored = sorted(k for k in raw if k not in consumed)
    return values, ignored


#: The longest bucket or blob id in UTF-8 bytes (S3's key limit).
MAX_ID_BYTES = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_object_id(value: str, param: str) -> str:
    """A bucket or blob id that can be one URL path segment; ``ValidationError`` naming ``param`` otherwise."""
    if not value:
        raise ValidationError(f"Parameter '{param}' must not be empty", param=param)
    if value in (".", "..") or "/" in value or _CONTROL.search(value):
        raise ValidationError(f"Parameter '{param}' must not be '.' or '..' nor contain '/' or control characters",
                              param=param)
    if len(value.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        raise ValidationError(f"Parameter '{param}' must be at most {MAX_ID_BYTES} bytes long", param=param)
    return value
