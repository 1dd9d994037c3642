"""Renderers: models in, bytes out, one module per format.

Writers are registered per model class (``register``), so a collection added later brings
its own writers without touching the renderers' dispatch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deltacloud.render.context import RenderContext

XmlWriter = Callable[[Any, RenderContext], str]
JsonWriter = Callable[[Any, RenderContext], dict[str, Any]]

XML_WRITERS: dict[type, XmlWriter] = {}
JSON_WRITERS: dict[type, JsonWriter] = {}


def register(model: type, *, xml: XmlWriter, json: JsonWriter) -> None:
    """Register the XML and JSON writers of ``model``; HTML is derived from the JSON shape."""
    XML_WRITERS[model] = xml
    JSON_WRITERS[model] = json


__all__ = ["JSON_WRITERS", "XML_WRITERS", "RenderContext", "register"]
