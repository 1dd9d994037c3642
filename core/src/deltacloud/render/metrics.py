"""XML and JSON writers of metrics: one element per measured property, holding its samples."""

from __future__ import annotations

import re
from typing import Any

from deltacloud.models import Metric, MetricProperty
from deltacloud.render import register
from deltacloud.render.context import RenderContext
from deltacloud.render.parts import number
from deltacloud.render.xmlutil import elem, esc

#: Property names the original wrote as element names; any other is written as ``<property name=…>``.
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _property_xml(p: MetricProperty) -> str:
    tag, head = (p.name, f"<{p.name}>") if _XML_NAME.match(p.name) and not p.name.lower().startswith("xml") else (
        "property", f"<property name='{esc(p.name)}'>")
    unit = elem("unit", p.unit) if p.unit else ""
    # 1.1 repeated the unit in every sample, as one more property.
    sample_unit = f"<property name='unit' value='{esc(p.unit)}' />" if p.unit else ""
    samples = "".join(
        "<sample>" + f"<property name='timestamp' value='{esc(s.timestamp)}' />"
        + "".join(f"<property name='{esc(k)}' value='{esc(v)}' />" for k, v in s.values) + sample_unit + "</sample>"
        for s in p.samples)
    return f"{head}{unit}{samples}</{tag}>"


def metric_xml(m: Metric, ctx: RenderContext) -> str:
    """The XML element of one instance's metrics."""
    properties = "".join(_property_xml(p) for p in m.properties)
    return (f"<metric href='{esc(ctx.href('metrics', m.id))}' id='{esc(m.id)}'>{elem('entity', m.entity)}"
            f"<properties>{properties}</properties></metric>")


def _values_json(p: MetricProperty) -> list[dict[str, Any]] | None:
    """1.1's ``values``: one object per sample (its values, timestamp and unit); null when there is none."""
    if not p.samples:
        return None
    unit = {"unit": p.unit} if p.unit else {}
    return [{**{k: number(v) for k, v in s.values}, "timestamp": number(s.timestamp), **unit} for s in p.samples]


def metric_json(m: Metric, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one instance's metrics: 1.1's ``values`` per property, and our ``samples`` beside."""
    return {"id": m.id, "href": ctx.href("metrics", m.id), "entity": m.entity,
            "properties": [{"name": p.name, "values": _values_json(p), "unit": p.unit,
                            "samples": [{"timestamp": s.timestamp, **{k: number(v) for k, v in s.values}}
                                        for s in p.samples]} for p in m.properties]}


register(Metric, xml=metric_xml, json=metric_json)
