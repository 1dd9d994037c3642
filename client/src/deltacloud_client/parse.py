"""Read API documents, XML or JSON, into plain dictionaries of one shape.

XML elements become dictionaries: attributes are keys, a leaf child is its text, a child with
attributes is a dictionary (its text under ``"value"``), repeated children become lists, and the
known containers (``actions``, address lists, ``rules``, ...) always become lists. JSON is taken
as it is, unwrapped from its ``{"instance": {...}}`` envelope. The typed models read both, so the
differences between our server and the original (``owner`` or ``owner_id``, properties as strings
or as dictionaries) are settled there, not here.

All XML is parsed with defusedxml.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from deltacloud_client.errors import ProtocolError

#: Elements whose children are always a list, even with one child.
LIST_CONTAINERS = frozenset({
    "actions", "public_addresses", "private_addresses", "hardware_profiles", "storage_volumes",
    "network_interfaces", "firewalls", "rules", "sources", "listeners", "instances", "enum",
    "providers", "subnets", "samples", "addresses",
})

#: Elements that are always a list when they repeat, even once.
REPEATED = frozenset({"property", "blob", "entry", "sample", "transition", "feature", "param", "link", "provider"})


def element(el: Element) -> Any:
    """One XML element as a string (a bare leaf), a dictionary, or a list (a known container)."""
    attrs: dict[str, Any] = dict(el.attrib)
    children = list(el)
    text = (el.text or "").strip()
    if el.tag in LIST_CONTAINERS and not attrs:
        return [element(child) for child in children]
    if el.tag == "user_metadata":
        return {child.get("key", ""): (child.text or "").strip() for child in children}
    if not children:
        if not attrs:
            return text
        if text:
            attrs["value"] = text
        return attrs
    seen: set[str] = set()
    lists: set[str] = set()
    for child in children:
        tag, value = child.tag, element(child)
        if tag in REPEATED or tag in seen:
            if tag not in lists:
                attrs[tag] = [attrs[tag]] if tag in seen else []
                lists.add(tag)
            attrs[tag].append(value)
        elif tag not in attrs or value not in ("", None):
            attrs[tag] = value
        seen.add(tag)
    return attrs


def parse_xml(body: bytes | str) -> tuple[str, Any]:
    """Parse an XML document: its root's tag, and its content read by :func:`element`.

    A list document (``<instances>``) gives a list of its children's dictionaries.
    """
    try:
        root = ElementTree.fromstring(body)
    except Exception as exc:  # defusedxml raises ParseError or its own refusals
        raise ProtocolError(f"The server sent XML that cannot be read: {exc}") from exc
    if root.tag in ("api", "error", "states"):
        return root.tag, root
    children = list(root)
    tags = {child.tag for child in children}
    if root.tag.endswith("s") and not root.attrib and len(tags) <= 1 and root.tag not in tags:
        return root.tag, [element(child) for child in children]
    return root.tag, element(root)


def parse_json(body: bytes | str) -> Any:
    """Parse a JSON document (no unwrapping)."""
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ProtocolError(f"The server sent JSON that cannot be read: {exc}") from exc


def unwrap(document: Any, singular: str, plural: str) -> Any:
    """The item or the list inside a JSON document, whichever wrapper it came in.

    Accepts ``{"instance": {...}}``, ``{"instances": [...]}``, a bare list, and the original's
    unwrapped action answers (the item itself).
    """
    if isinstance(document, dict):
        if plural in document and isinstance(document[plural], list):
            return document[plural]
        if singular in document and isinstance(document[singular], dict):
            return document[singular]
    return document


def sniff(content_type: str | None, body: bytes) -> str:
    """``xml``, ``json``, ``html`` or ``text``: by ``Content-Type``, else by the body's first bytes.

    Some recorded answers of the original server carry no ``Content-Type`` at all.
    """
    if is_json(content_type):
        return "json"
    if is_xml(content_type):
        return "xml"
    start = body.lstrip()[:64].lower()
    if start.startswith((b"<!doctype html", b"<html")) or (media_type(content_type) == "text/html"
                                                           and start.startswith(b"<")):
        return "html"
    if media_type(content_type) == "text/html":
        return "text"  # the original's plain-text errors are labelled text/html
    if start.startswith(b"<"):
        return "xml"
    if start.startswith((b"{", b"[")) and not content_type:
        return "json"
    return "text"


def media_type(content_type: str | None) -> str:
    """The bare media type of a ``Content-Type`` header, lower case."""
    return (content_type or "").split(";")[0].strip().lower()


def is_xml(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` names XML."""
    kind = media_type(content_type)
    return kind.endswith("/xml") or kind.endswith("+xml")


def is_json(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` names JSON."""
    kind = media_type(content_type)
    return kind.endswith("/json") or kind.endswith("+json")
