"""What a person reads about an object: its identifying columns, its description and its actions.

Everything here reads the models (and the API description), never the JSON writers' output, so
the pages keep working whatever shape the wire formats take.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from deltacloud.api.spec import Collection
from deltacloud.models import HardwareProfile, HardwareProperty, Instance
from deltacloud.render.context import RenderContext


@dataclass(frozen=True)
class Part:
    """One piece of a shown value: text, and the page it links to (when it names an object)."""

    text: str
    href: str | None = None


@dataclass(frozen=True)
class Action:
    """A button: an operation on an object, where it is sent, and whether it asks first or takes fields."""

    name: str
    label: str
    href: str
    delete: bool = False
    fields: bool = False


#: Attributes that name objects of another collection.
REFERENCES = {
    "image_id": "images", "realm_id": "realms", "hardware_profile_id": "hardware_profiles",
    "instance_id": "instances", "volume_id": "storage_volumes", "snapshot_id": "storage_snapshots",
    "keyname": "keys", "firewalls": "firewalls", "realm_ids": "realms", "instance_ids": "instances",
    "network_id": "networks", "subnet_id": "subnets", "network_interfaces": "network_interfaces",
    "storage_volumes": "storage_volumes", "load_balancer_id": "load_balancers",
}
#: What identifies an object of a collection in a table, besides its id.
COLUMNS: dict[str, tuple[str, ...]] = {
    "instances": ("name", "state", "image_id", "realm_id", "hardware_profile_id", "public_addresses"),
    "images": ("name", "description", "architecture", "state"),
    "hardware_profiles": ("name", "cpu", "memory", "storage", "architecture"),
    "realms": ("name", "state", "limit"),
    "keys": ("type", "fingerprint", "state"),
    "storage_volumes": ("name", "capacity", "realm_id", "state", "instance_id"),
    "storage_snapshots": ("name", "volume_id", "state", "created"),
    "addresses": ("ip", "instance_id"),
    "firewalls": ("name", "description", "rules"),
    "load_balancers": ("name", "realm_ids", "listeners", "instance_ids"),
    "buckets": ("name", "size", "location"),
    "drivers": ("name", "providers"),
}
#: Never shown: secrets a listing must not spread (a new key's page shows its private key once).
HIDDEN = frozenset({"password", "create_image", "id"})
LABELS = {"hardware_profile_id": "hardware profile", "hwp_id": "hardware profile", "keyname": "key",
          "hardware_profile_overrides": "overrides",
          "capacity": "capacity (GB)", "pem": "private key", "user_metadata": "metadata",
          "content_length": "size (bytes)", "size": "size (bytes)"}

Link = Callable[..., str]
DASH = "\u2013"  # between the bounds of a range


def label(name: str) -> str:
    """A field's name as a person reads it: ``realm_id`` is "realm", ``instance_ids`` "instances"."""
    if name in LABELS:
        return LABELS[name]
    for suffix, replacement in (("_ids", "s"), ("_id", "")):
        if name.endswith(suffix) and name != "owner_id":
            name = name[: -len(suffix)] + replacement
    return name.replace("_", " ")


def is_empty(value: Any) -> bool:
    """Nothing worth a row: None, an empty string or an empty tuple."""
    return value is None or value == "" or value == () or value == []


def property_text(prop: HardwareProperty) -> str:
    """A hardware property as text: ``2``, ``1 to 6 (default 1)`` or ``850, 1024 (default 850)``, with its unit."""
    unit = "" if prop.unit in ("label", "count") else f" {prop.unit}"
    if prop.kind == "range":
        return f"{prop.first}{DASH}{prop.last}{unit} (default {prop.value})"
    if prop.kind == "enum":
        return f"{', '.join(prop.values)}{unit} (default {prop.value})"
    return f"{prop.value}{unit}"


def parts(name: str, value: Any, link: Link, item: Any = None) -> list[Part]:
    """A field's value as text pieces, objects of other collections linked."""
    target = REFERENCES.get(name)
    if name == "blob_ids" and item is not None:
        return [Part(b, link("buckets", item.id, b)) for b in value]
    if isinstance(value, tuple | list):
        out: list[Part] = []
        for v in value:
            nested = target or not dataclasses.is_dataclass(v)
            out.extend(parts(name, v, link, item) if nested else [_object_part(v, link)])
        return out
    if dataclasses.is_dataclass(value):
        return [_object_part(value, link)]
    if target and isinstance(value, str):
        return [Part(value, link(target, value))]
    return [Part(str(value))]


def _object_part(value: Any, link: Link) -> Part:
    kind = type(value).__name__
    if kind == "Address":
        return Part(value.address + (f":{value.port}" if value.port else ""))
    if kind == "AttachedVolume":
        return Part(value.id + (f" on {value.device}" if value.device else ""), link("storage_volumes", value.id))
    if kind == "Listener":
        return Part(f"{value.protocol} {value.load_balancer_port} → {value.instance_port}")
    if kind == "HardwareProperty":
        return Part(f"{value.name}: {property_text(value)}")
    if kind == "FirewallRule":
        sources = ", ".join(s.name or f"{s.address}/{s.prefix}" for s in value.sources)
        return Part(f"{value.protocol} {value.port_from}{DASH}{value.port_to} from {sources or 'anywhere'}")
    if kind == "Provider":
        return Part(value.id)
    shown = [f"{f.name}={getattr(value, f.name)}" for f in dataclasses.fields(value)
             if not is_empty(getattr(value, f.name))]
    return Part(", ".join(shown))


def cell(item: Any, column: str, link: Link) -> list[Part]:
    """One table cell of ``item``; profile columns read the profile's properties."""
    if isinstance(item, HardwareProfile) and column != "name":
        prop = item.get_property(column)
        return [Part(property_text(prop))] if prop is not None else []
    if column == "rules":
        return [Part(str(len(item.rules)))]
    if column == "listeners":
        return parts(column, item.listeners, link)
    value = getattr(item, column, None)
    if is_empty(value) or (column == "name" and value == getattr(item, "id", None)):
        return []
    return parts(column, value, link, item)


def columns(collection: Collection, items: Sequence[Any]) -> list[str]:
    """The columns shown for a collection: its identifying ones that at least one object fills."""
    wanted = COLUMNS.get(collection.name)
    if wanted is None:
        model = collection.model or (type(items[0]) if items else None)
        names = [f.name for f in dataclasses.fields(model)] if model and dataclasses.is_dataclass(model) else []
        wanted = tuple(n for n in ("name", "state", "description") if n in names)
    return [c for c in wanted if any(cell(item, c, lambda *a: "") for item in items)]


def description(item: Any, link: Link) -> list[tuple[str, list[Part]]]:
    """An object's non-empty fields, as (label, value pieces) rows; secrets and repeats of the id left out."""
    rows = []
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        if f.name in HIDDEN or is_empty(value) or (f.name == "name" and value == getattr(item, "id", None)):
            continue
        if isinstance(item, HardwareProfile) and f.name == "properties":
            rows.extend((p.name, [Part(property_text(p))]) for p in value)
            continue
        if f.name == "hardware_profile_overrides":
            rows.append((label(f.name), [Part(f"{k} = {v}") for k, v in value]))
            continue
        if f.name == "user_metadata":
            rows.append((label(f.name), [Part(f"{k}: {v}") for k, v in value]))
            continue
        rows.append((label(f.name), parts(f.name, value, link, item)))
    return rows


def actions(item: Any, collection: Collection, ctx: RenderContext, link: Link) -> list[Action]:
    """The actions this object allows now, as the API description and the driver offer them."""
    out: list[Action] = []
    if isinstance(item, Instance):
        machine = ctx.driver_class.state_machine  # type: ignore[attr-defined]
        for name in machine.actions_for(item.state):
            op = collection.operation(name)
            if op is not None and ctx.offers(collection.name, name):
                href = link(collection.name, item.id, None if name == "destroy" else name)
                out.append(Action(name, name.replace("_", " "), href, delete=name == "destroy"))
        for name in ("run",):
            op = collection.operation(name)
            if op is not None and ctx.offers(collection.name, name):
                out.append(Action(name, name, link(collection.name, item.id, name), fields=True))
        return out
    item_id = getattr(item, "id", None)
    if item_id is None:
        return out
    for op in collection.operations:
        if op.kind != "action" or not ctx.offers(collection.name, op.name) or op.http_method != "POST":
            continue
        if collection.name == "buckets":
            continue  # blob operations are on the bucket page as the upload form and each blob's links
        segment = op.url_template.strip("/").split("/")[-1]
        if segment.startswith("{"):
            continue
        if not _fits(item, op.name):
            continue
        out.append(Action(op.name, op.name.replace("_", " "), link(collection.name, item_id, segment),
                          fields=bool(op.params)))
    if collection.operation("destroy") and ctx.offers(collection.name, "destroy"):
        out.append(Action("destroy", "destroy", link(collection.name, item_id), delete=True))
    return out


#: Actions that need the object to be attached to an instance (True) or free (False).
_ATTACHED = {"attach": False, "associate": False, "detach": True, "disassociate": True}


def _fits(item: Any, action: str) -> bool:
    """Whether an attach-like action fits the object now: attach a free volume, detach an attached one."""
    if action == "unregister":
        return bool(getattr(item, "instance_ids", ()))
    needs = _ATTACHED.get(action)
    if needs is None or not hasattr(item, "instance_id"):
        return True
    return bool(item.instance_id) == needs


def quote_segment(value: str) -> str:
    """One path segment, percent-encoded as the routes read it back."""
    return quote(value, safe="@:.-_~!$&'()*+,=")
