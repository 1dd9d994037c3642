"""Parameter validation: raw request values in, typed values out, or a 400 naming the parameter."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from deltacloud.api.spec import Param
from deltacloud.errors import ValidationError

RawParams = Mapping[str, list[str]]

#: Parameters the server itself reads; never reported as ignored.
META_PARAMS = frozenset({"format", "_method", "force_auth", "commit", "api"})

#: Text parameters that may span lines (tab, LF and CR allowed); every other one is a single line.
MULTILINE = frozenset({"description", "public_key", "user_data", "user_files", "blob_data"})
#: Parameters that name an object whose name may become a URL path segment: ``;`` and ``/`` refused too.
NAMES = frozenset({"name", "blob_id", "keyname"})

#: What XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: What a single-line value must not hold besides: line breaks, tab, DEL and the C1 controls.
_LINE_FORBIDDEN = re.compile("[\t\n\r\x7f-\x9f]")
_SURROGATE = re.compile("[\\ud800-\\udfff]")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_NUMBER = re.compile(r"[+-]?([0-9]{1,18}(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?")

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


class JsonValue(str):
    """A request parameter that came from a JSON body as something other than a string.

    ``json_kind`` is ``number``, ``boolean``, ``null``, ``array`` or ``object``; validation accepts
    a number or boolean where the parameter is one, and refuses the rest with a 400.
    """

    json_kind: str

    def __new__(cls, text: str, kind: str) -> JsonValue:
        value = super().__new__(cls, text)
        value.json_kind = kind
        return value


def check_text(name: str, value: str) -> str:
    """``value`` if parameter ``name`` may hold it; ``ValidationError`` naming the parameter otherwise.

    No parameter may hold what XML 1.0 cannot carry (so every document the server writes stays
    readable, whatever was stored), single-line parameters no line break, tab or other control
    character, and names no ``;`` or ``/`` nor be ``.``/``..`` (they must round-trip through a URL).
    A value that came from JSON as ``null``, ``true`` or an object is not text.
    """
    kind = getattr(value, "json_kind", None)
    if kind not in (None, "number"):
        raise ValidationError(f"Parameter '{name}' must be a string, not a JSON {kind}", param=name)
    if _XML_FORBIDDEN.search(value) or (name not in MULTILINE and _LINE_FORBIDDEN.search(value)):
        raise ValidationError(f"Parameter '{name}' must not contain control characters", param=name)
    if name in NAMES and (";" in value or "/" in value or value in (".", "..")):
        raise ValidationError(f"Parameter '{name}' must not contain ';' or '/' nor be '.' or '..'", param=name)
    return value


def _scalar(param: Param, value: str) -> str:
    """A JSON number or boolean is fine where the parameter is one; ``null``, arrays and objects never are."""
    kind = getattr(value, "json_kind", None)
    boolean = param.type == "boolean"
    if kind is None or (kind == "number" and not boolean) or (kind == "boolean" and boolean):
        return str(value)
    raise ValidationError(f"Parameter '{param.name}' must not be a JSON {kind}", param=param.name)


def _convert(param: Param, values: list[str]) -> Any:
    """One parameter's value in its declared type; ``ValidationError`` naming it when it does not fit."""
    name = param.name
    if param.type == "list":
        return tuple(check_text(name, v) for v in values if v != "")
    value = values[-1]
    if len(value) > _MAX_TEXT:
        raise ValidationError(f"Parameter '{name}' is too long", param=name)
    if param.type == "string":
        value = check_text(name, value)
    elif param.type == "file" and _SURROGATE.search(value):  # content, not text: only what UTF-8 cannot encode
        raise ValidationError(f"Parameter '{name}' must be valid Unicode text", param=name)
    value = _scalar(param, value)
    if param.type == "integer":
        if not _INTEGER.fullmatch(value.strip()):
            raise ValidationError(f"Parameter '{name}' must be an integer, not '{_shown(value)}'", param=name)
        result: Any = int(value)
    elif param.type == "number":
        if not _NUMBER.fullmatch(value.strip()):
            raise ValidationError(f"Parameter '{name}' must be a number, not '{_shown(value)}'", param=name)
        result = float(value)
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
    if param.max_length is not None and len(value) > param.max_length:
        raise ValidationError(f"Parameter '{name}' must be at most {param.max_length} characters long", param=name)
    if param.choices and str(value) not in param.choices:
        raise ValidationError(f"Parameter '{name}' must be one of {', '.join(param.choices)}", param=name)
    if param.minimum is not None and result < param.minimum:
        raise ValidationError(f"Parameter '{name}' must be at least {param.minimum:g}", param=name)
    if param.maximum is not None and result > param.maximum:
        raise ValidationError(f"Parameter '{name}' must be at most {param.maximum:g}", param=name)
    return result


def _shown(value: str) -> str:
    """A value quoted back in an error message: short, and only printable ASCII."""
    return value[:40].encode("ascii", "backslashreplace").decode("ascii").replace("'", "\\'")


def warning_header(ignored: Iterable[str]) -> str:
    """The ``Warning`` header listing ignored parameters, whatever their names hold.

    Names are percent-encoded outside printable ASCII (and ``"``, ``\\``, ``%``), so the header
    is always Latin-1, one line, and a valid quoted string.
    """
    names = ", ".join(quote(n.encode("utf-8", "surrogatepass"), safe=_WARNING_SAFE) for n in ignored)
    if len(names) > 200:
        names = re.sub(r"%[0-9A-F]?$", "", names[:200])
    return f'299 - "Ignored parameters: {names}"'


_WARNING_SAFE = "".join(chr(c) for c in range(0x20, 0x7f) if chr(c) not in '"\\%')


def validate(params: Iterable[Param], raw: RawParams) -> tuple[dict[str, Any], list[str]]:
    """Check ``raw`` against the declared ``params``.

    Returns the typed values of the parameters that were given, and the names of the raw
    parameters that no declaration consumed (reported to clients in a ``Warning`` header,
    never refused). Raises ``ValidationError`` for a missing required or a malformed value.
    """
    if not raw:  # nothing given (most GETs): only a required parameter can be wrong
        for param in params:
            if param.required:
                raise ValidationError(f"Required parameter '{param.name}' is missing", param=param.name)
        return {}, []
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
    if value in (".", "..") or "/" in value or ";" in value or _CONTROL.search(value) or _XML_FORBIDDEN.search(value):
        raise ValidationError(f"Parameter '{param}' must not be '.' or '..' nor contain '/', ';' or control "
                              "characters", param=param)
    if len(value.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        raise ValidationError(f"Parameter '{param}' must be at most {MAX_ID_BYTES} bytes long", param=param)
    return value
