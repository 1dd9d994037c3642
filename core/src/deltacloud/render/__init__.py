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
JsonTextWriter = Callable[[Any, RenderContext], str]

XML_WRITERS: dict[type, XmlWriter] = {}
JSON_WRITERS: dict[type, JsonWriter] = {}
#: Writers of an object's JSON text in listings, for models listed often enough to be worth one:
#: each writes exactly what ``jsonutil.dumps`` writes of the JSON writer's object, without the object.
JSON_TEXT_WRITERS: dict[type, JsonTextWriter] = {}


def register(model: type, *, xml: XmlWriter, json: JsonWriter, json_text: JsonTextWriter | None = None) -> None:
    """Register the XML and JSON writers of ``model`` (and its JSON text writer); HTML is derived from the JSON."""
    XML_WRITERS[model] = xml
    JSON_WRITERS[model] = json
    if json_text is not None:
        JSON_TEXT_WRITERS[model] = json_text


__all__ = ["JSON_TEXT_WRITERS", "JSON_WRITERS", "XML_WRITERS", "RenderContext", "register"]
