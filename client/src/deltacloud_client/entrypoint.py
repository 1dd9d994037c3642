"""The API's entry point (``GET /api``): version, driver, provider, collections and their features.

Both forms are read: the XML ``<api>`` with ``<link rel href><feature name rel><param name/>``, and
the JSON ``{"api": {"links": [{"rel", "href", "features"}]}}``, where the original sends each
feature as a one-item list and each param as ``"name:string:optional"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element


@dataclass(frozen=True)
class Feature:
    """A feature the server advertises on a collection: its name, operation and parameters."""

    name: str
    operation: str
    params: tuple[str, ...] = ()
    constraints: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Collection:
    """A collection the server advertises: its name (``rel``), URL and features."""

    name: str
    href: str
    features: tuple[Feature, ...] = ()

    def feature(self, name: str) -> Feature | None:
        """The feature called ``name``, or ``None``."""
        return next((f for f in self.features if f.name == name), None)


@dataclass(frozen=True)
class EntryPoint:
    """What ``/api`` said: the version, driver, provider and the collections by name."""

    url: str
    version: str
    driver: str | None
    provider: str | None
    collections: dict[str, Collection]


def _param_name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value).split(":")[0]


def _json_feature(raw: Any, default_rel: str = "") -> Feature:
    if isinstance(raw, list):  # the original wraps each feature in a list
        raw = raw[0] if raw else {}
    params = tuple(_param_name(p) for p in raw.get("params") or [])
    constraints = raw.get("constraints") or {}
    return Feature(str(raw.get("name", "")), str(raw.get("rel", default_rel)), params,
                   {str(k): str(v) for k, v in dict(constraints).items()})


def from_json(url: str, document: dict[str, Any]) -> EntryPoint:
    """Read the JSON entry point."""
    api = document.get("api", document)
    collections = {}
    for link in api.get("links") or []:
        features = tuple(_json_feature(f) for f in link.get("features") or [])
        collections[link["rel"]] = Collection(link["rel"], link["href"], features)
    return EntryPoint(url, str(api.get("version", "")), api.get("driver"), api.get("provider"), collections)


def from_xml(url: str, root: Element) -> EntryPoint:
    """Read the XML entry point."""
    collections = {}
    for link in root.findall("link"):
        features = []
        for feature in link.findall("feature"):
            params = tuple(p.get("name", "") for p in feature.findall("param"))
            constraints = {c.get("name", ""): (c.text or "").strip() for c in feature.findall("constraint")}
            features.append(Feature(feature.get("name", ""), feature.get("rel", ""), params, constraints))
        rel = link.get("rel", "")
        collections[rel] = Collection(rel, link.get("href", ""), tuple(features))
    return EntryPoint(url, root.get("version", ""), root.get("driver"), root.get("provider"), collections)
