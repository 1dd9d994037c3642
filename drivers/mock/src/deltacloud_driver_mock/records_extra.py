"""Stored documents of the optional collections to models and back.

Document shapes (JSON objects with an ``id``):

* ``storage_volumes``: realm_id, capacity (GB, a number), state (AVAILABLE or IN-USE), created,
  instance_id and device (null while detached), name, description, snapshot_id.
* ``storage_snapshots``: storage_volume_id, capacity (of the volume, GB), state, created, name,
  description.
* ``addresses``: instance_id (null while free). The id is the address.
* ``firewalls``: name, description, owner_id, rules (list of ``{id, protocol, port_from,
  port_to, direction, sources: [{type, address, prefix, family, name, owner}]}``).
* ``load_balancers``: name, realm_ids, listeners (``{protocol, load_balancer_port,
  instance_port}``), instance_ids, public_addresses, created_at.

Instances carry the other side of the relations: ``storage_volumes`` (``{id, device}``),
``firewalls`` (ids), ``address_id`` with ``hostname_public_addresses`` (the addresses an
associated IP replaced), ``metrics`` (detailed monitoring on).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from deltacloud.models import (
    Firewall,
    FirewallRule,
    Listener,
    LoadBalancer,
    PublicAddress,
    RuleSource,
    StorageSnapshot,
    StorageVolume,
)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def volume(doc: Mapping[str, Any]) -> StorageVolume:
    """The model of a volume document."""
    return StorageVolume(
        id=doc["id"], capacity=_text(doc.get("capacity")), realm_id=doc.get("realm_id") or "",
        state=doc.get("state") or "AVAILABLE", name=doc.get("name") or doc["id"],
        description=doc.get("description") or "", created=doc.get("created") or "",
        instance_id=doc.get("instance_id") or "", device=doc.get("device") or "",
        snapshot_id=doc.get("snapshot_id") or "")


def snapshot(doc: Mapping[str, Any]) -> StorageSnapshot:
    """The model of a snapshot document."""
    return StorageSnapshot(
        id=doc["id"], volume_id=doc.get("storage_volume_id") or "", state=doc.get("state") or "COMPLETED",
        name=doc.get("name") or doc["id"], description=doc.get("description") or "",
        created=doc.get("created") or "")


def address(doc: Mapping[str, Any]) -> PublicAddress:
    """The model of an address document; the id is the IP."""
    return PublicAddress(id=doc["id"], ip=doc["id"], instance_id=doc.get("instance_id") or "")


def source_doc(source: RuleSource) -> dict[str, str]:
    """A rule source as stored."""
    return {"type": source.type, "address": source.address, "prefix": source.prefix, "family": source.family,
            "name": source.name, "owner": source.owner}


def firewall(doc: Mapping[str, Any]) -> Firewall:
    """The model of a firewall document with its rules."""
    rules = tuple(
        FirewallRule(id=r["id"], protocol=r["protocol"], port_from=str(r["port_from"]), port_to=str(r["port_to"]),
                     sources=tuple(RuleSource(**s) for s in r.get("sources") or ()),
                     direction=r.get("direction") or "ingress")
        for r in doc.get("rules") or ())
    return Firewall(id=doc["id"], name=doc.get("name") or doc["id"], description=doc.get("description") or "",
                    owner_id=doc.get("owner_id") or "", rules=rules)


def rule_id(owner: str, protocol: str, port_from: int, port_to: int, sources: tuple[RuleSource, ...]) -> str:
    """A rule's id, which spells the whole rule (as EC2 rule ids did in the original API).

    ``mockuser~tcp~22~22~@address,ipv4,0.0.0.0,0``. Names and owners are percent-encoded, so a
    group called ``a/b`` or ``a;b`` cannot break the rule's URL.
    """
    parts = [f"@group,{_safe(s.owner)},{_safe(s.name)}" if s.type == "group"
             else f"@address,{s.family},{s.address},{s.prefix}" for s in sources]
    return f"{_safe(owner)}~{protocol}~{port_from}~{port_to}~{','.join(parts)}"


def _safe(text: str) -> str:
    return quote(text, safe="-_.:")


def balancer(doc: Mapping[str, Any]) -> LoadBalancer:
    """The model of a load balancer document."""
    return LoadBalancer(
        id=doc["id"], name=doc.get("name") or doc["id"], realm_ids=tuple(doc.get("realm_ids") or ()),
        listeners=tuple(Listener(li["protocol"], str(li["load_balancer_port"]), str(li["instance_port"]))
                        for li in doc.get("listeners") or ()),
        instance_ids=tuple(doc.get("instance_ids") or ()), public_addresses=tuple(doc.get("public_addresses") or ()),
        created_at=doc.get("created_at") or "")
