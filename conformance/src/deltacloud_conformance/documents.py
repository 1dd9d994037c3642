"""Reading Deltacloud documents: the entry point, the state machine, items in XML and JSON.

Only what the suite compares is extracted; everything else stays an ``Element`` or a dict so
tests can look at it directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Collections every driver offers; the suite never skips them.
BASE_COLLECTIONS: tuple[str, ...] = ("realms", "hardware_profiles", "images", "instances", "instance_states",
                                     "drivers")
#: Collections a driver may offer; their tests run only when ``/api`` lists them.
OPTIONAL_COLLECTIONS: tuple[str, ...] = ("keys", "storage_volumes", "storage_snapshots", "addresses", "firewalls",
                                         "load_balancers", "buckets", "metrics")
#: The singular element name of each collection's items.
SINGULAR: dict[str, str] = {
    "realms": "realm", "hardware_profiles": "hardware_profile", "images": "image", "instances": "instance",
    "drivers": "driver", "keys": "key", "storage_volumes": "storage_volume", "storage_snapshots": "storage_snapshot",
    "addresses": "address", "firewalls": "firewall", "load_balancers": "load_balancer", "buckets": "bucket",
    "metrics": "metric", "networks": "network", "subnets": "subnet", "network_interfaces": "network_interface",
}


@dataclass(frozen=True)
class AdvertisedFeature:
    """A feature as ``/api`` lists it under a collection's link."""

    name: str
    collection: str
    operation: str
    params: tuple[str, ...]
    constraints: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EntryPoint:
    """The ``/api`` document: driver, version, provider, links and features."""

    driver: str
    version: str
    provider: str
    links: Mapping[str, str]
    features: tuple[AdvertisedFeature, ...]

    @property
    def feature_names(self) -> frozenset[str]:
        """The names of every advertised feature."""
        return frozenset(f.name for f in self.features)

    def feature(self, name: str) -> AdvertisedFeature | None:
        """The advertised feature ``name``, or None."""
        return next((f for f in self.features if f.name == name), None)

    def has(self, collection: str) -> bool:
        """Whether ``collection`` is linked from the entry point."""
        return collection in self.links


def entry_point_from_xml(root: Any) -> EntryPoint:
    """Read an ``<api>`` element."""
    assert root.tag == "api", f"the entry point's root element is <{root.tag}>, not <api>"
    links: dict[str, str] = {}
    features = []
    for link in root.findall("link"):
        rel, href = link.get("rel"), link.get("href")
        assert rel and href, f"<link> without rel or href: {attributes(link)}"
        assert rel not in links, f"collection {rel!r} linked twice from /api"
        links[rel] = href
        for feature in link.findall("feature"):
            params = tuple(p.get("name") or "" for p in feature.findall("param"))
            constraints = {c.get("name") or "": (c.text or "") for c in feature.findall("constraint")}
            features.append(AdvertisedFeature(feature.get("name") or "", rel, feature.get("rel") or "", params,
                                              constraints))
    return EntryPoint(root.get("driver") or "", root.get("version") or "", root.get("provider") or "", links,
                      tuple(features))


def entry_point_from_json(doc: Any) -> EntryPoint:
    """Read the JSON entry point ``{"api": {...}}``."""
    assert isinstance(doc, dict) and isinstance(doc.get("api"), dict), f"not a JSON entry point: {doc!r:.300}"
    api = doc["api"]
    links: dict[str, str] = {}
    features = []
    for link in api.get("links", []):
        assert isinstance(link, dict) and "rel" in link and "href" in link, f"a JSON link without rel or href: {link!r}"
        links[link["rel"]] = link["href"]
        for feature in _json_features(link):
            params = tuple(_param_name(p) for p in feature.get("params", []))
            constraints = {k: str(v) for k, v in (feature.get("constraints") or {}).items()}
            features.append(AdvertisedFeature(feature.get("name", ""), link["rel"], feature.get("rel", ""), params,
                                              constraints))
    provider = api.get("provider") or ""
    return EntryPoint(api.get("driver", ""), api.get("version", ""), "" if provider == "default" else provider,
                      links, tuple(features))


def _json_features(link: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A JSON link's features: 1.1's list of lists (one list per feature, one entry per operation) or flat objects."""
    features = link.get("features") or []
    assert isinstance(features, list), f"the features of link {link.get('rel')!r} are not a list: {features!r:.200}"
    flat: list[Mapping[str, Any]] = []
    for entry in features:
        for feature in entry if isinstance(entry, list) else [entry]:
            assert isinstance(feature, dict), f"a feature of {link.get('rel')!r} is not an object: {feature!r:.200}"
            flat.append(feature)
    return flat


def _param_name(param: Any) -> str:
    """A feature parameter's name: from ``{"name": ...}``, ``"name"`` or 1.1's ``"name:type:optional"``."""
    if isinstance(param, dict):
        return str(param.get("name", ""))
    return str(param).split(":", 1)[0]


def attributes(element: Any) -> dict[str, str]:
    """An element's attributes as a plain dict (for messages)."""
    return dict(element.attrib)


def leaf_texts(element: Any) -> dict[str, str]:
    """Text of each childless, attribute-less child element: ``{"name": "...", "state": "RUNNING"}``."""
    return {child.tag: (child.text or "").strip() for child in element if len(child) == 0 and not child.attrib}


def json_scalars(item: Mapping[str, Any]) -> dict[str, str]:
    """The scalar members of a JSON object, as strings."""
    return {k: str(v) for k, v in item.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


def ref_id(element: Any, tag: str) -> str:
    """The ``id`` attribute of ``element``'s child ``tag`` ('' when absent)."""
    child = element.find(tag)
    return "" if child is None else (child.get("id") or "")


def xml_actions(element: Any) -> dict[str, tuple[str, str]]:
    """``{rel: (method, href)}`` of an item's ``<actions><link>``s."""
    actions = element.find("actions")
    if actions is None:
        return {}
    return {link.get("rel"): ((link.get("method") or "").lower(), link.get("href") or "")
            for link in actions.findall("link")}


def items_of(root: Any, collection: str) -> list[Any]:
    """The item elements of a list document, asserting its shape."""
    assert root.tag == collection, f"list of {collection} has root <{root.tag}>"
    singular = SINGULAR.get(collection, collection[:-1])
    children = list(root)
    strays = [c.tag for c in children if c.tag != singular]
    assert not strays, f"<{collection}> holds elements other than <{singular}>: {strays}"
    return children


def json_items(doc: Any, collection: str) -> list[dict[str, Any]]:
    """The items of a JSON listing ``{"<collection>": [...]}``; drivers also as 1.1's ``{"<id>": {...}}``."""
    assert isinstance(doc, dict), f"JSON listing of {collection} is not an object: {doc!r:.200}"
    items = doc.get(collection)
    if collection == "drivers" and not isinstance(items, list):
        assert all(isinstance(v, dict) for v in doc.values()), f"JSON drivers are not {{id: {{...}}}}: {doc!r:.200}"
        return [{"id": k, **v} for k, v in doc.items()]
    assert isinstance(items, list), f"JSON listing is not {{{collection!r}: [...]}}: {doc!r:.200}"
    assert all(isinstance(i, dict) for i in items), f"JSON {collection} holds items that are not objects"
    return items


def ids(elements: Iterable[Any]) -> list[str]:
    """The ``id`` attributes of ``elements``, in order."""
    return [e.get("id") or "" for e in elements]


@dataclass(frozen=True)
class Transition:
    """One transition of ``/api/instance_states``."""

    source: str
    target: str
    action: str | None


@dataclass(frozen=True)
class Machine:
    """The instance state machine a server publishes."""

    transitions: tuple[Transition, ...]

    @property
    def states(self) -> tuple[str, ...]:
        """Every state named, in order of appearance."""
        seen: dict[str, None] = {}
        for t in self.transitions:
            seen.setdefault(t.source)
            seen.setdefault(t.target)
        return tuple(seen)

    def actions_for(self, state: str) -> tuple[str, ...]:
        """Client actions allowed from ``state`` (any case), ``create`` excluded."""
        state = state.lower()
        return tuple(dict.fromkeys(t.action for t in self.transitions
                                   if t.source == state and t.action and t.action != "create"))

    def client_actions(self) -> tuple[str, ...]:
        """Every client action of the machine."""
        return tuple(dict.fromkeys(t.action for t in self.transitions if t.action and t.action != "create"))

    def target(self, state: str, action: str) -> str | None:
        """Where ``action`` leads from ``state``."""
        return next((t.target for t in self.transitions if t.source == state.lower() and t.action == action), None)

    def automatic_from(self, state: str) -> tuple[str, ...]:
        """States the cloud moves to by itself from ``state``."""
        return tuple(t.target for t in self.transitions if t.source == state.lower() and t.action is None)

    def settles_into(self, state: str) -> frozenset[str]:
        """``state`` and every state reachable from it by automatic transitions only."""
        seen, todo = {state.lower()}, [state.lower()]
        while todo:
            for nxt in self.automatic_from(todo.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)

    def is_transient(self, state: str) -> bool:
        """Whether the cloud leaves ``state`` by itself."""
        return bool(self.automatic_from(state))


def machine_from_xml(root: Any) -> Machine:
    """Read ``<states><state name><transition action|auto to/></state></states>``."""
    assert root.tag == "states", f"/api/instance_states has root <{root.tag}>, not <states>"
    transitions = []
    for state in root.findall("state"):
        for t in state.findall("transition"):
            auto = (t.get("auto") or "").lower() == "true"
            action = None if auto else t.get("action")
            assert auto or action, f"transition from {state.get('name')} has neither action nor auto='true'"
            transitions.append(Transition(state.get("name") or "", t.get("to") or "", action))
    return Machine(tuple(transitions))
