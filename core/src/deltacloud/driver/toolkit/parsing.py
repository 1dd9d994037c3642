"""Reading what clouds answer: XML through defusedxml, JSON, with a clear 502 when a body is not what was promised."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from deltacloud.errors import BackendError

_NS = re.compile(r"^\{[^}]*\}")
#: How much of an unreadable body an error message quotes (never more: it may be large or sensitive).
_QUOTE = 60


def local_name(tag: str) -> str:
    """An element tag without its namespace (``{urn:x}vm`` -> ``vm``)."""
    return _NS.sub("", tag)


def _start(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text[:_QUOTE] + ("…" if len(text) > _QUOTE else "")


def parse_xml(body: bytes | str, service: str) -> Element:
    """The root element of an XML answer, parsed safely; ``BackendError`` (502) when it is not XML."""
    try:
        return SafeET.fromstring(body)
    except DefusedXmlException:
        raise BackendError(f"{service} answered XML with forbidden constructs (entities or DTDs)") from None
    except SafeET.ParseError:
        raise BackendError(f"{service} answered something that is not XML: {_start(body)!r}") from None


def parse_json(body: bytes | str, service: str) -> Any:
    """The value of a JSON answer; ``BackendError`` (502) when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise BackendError(f"{service} answered something that is not JSON: {_start(body)!r}") from None


def child(element: Element | None, path: str) -> Element | None:
    """The element at ``path`` (slash-separated local names, any namespace) under ``element``, or None."""
    current = element
    for part in path.split("/"):
        if current is None:
            return None
        current = next((c for c in current if local_name(c.tag) == part), None)
    return current


def children(element: Element | None, name: str) -> list[Element]:
    """The direct children of ``element`` named ``name`` (any namespace)."""
    if element is None:
        return []
    return [c for c in element if local_name(c.tag) == name]


def text_of(element: Element | None, path: str, default: str = "") -> str:
    """The stripped text at ``path`` under ``element`` (see ``child``), or ``default``."""
    found = child(element, path)
    if found is None or found.text is None:
        return default
    return found.text.strip()


def expect(value: Any, kind: type | tuple[type, ...], what: str, service: str) -> Any:
    """``value`` when it is of ``kind``; otherwise a 502 saying which part of the answer was wrong."""
    if not isinstance(value, kind):
        raise BackendError(f"{service} answered an unexpected shape: {what} is {type(value).__name__}")
    return value
