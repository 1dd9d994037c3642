"""libcloud's EC2 objects turned into the core's models.

libcloud parses the EC2 answers (``_to_node``, ``_to_image``…); these functions pick what
Deltacloud shows. States always come from EC2's own strings (``extra['status']``,
``extra['state']``), never from libcloud's lossy enums.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from deltacloud.models import (
    Address,
    AttachedVolume,
    Firewall,
    FirewallRule,
    Image,
    Instance,
    Key,
    PublicAddress,
    Realm,
    RuleSource,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud_driver_ec2.states import deltacloud_state

#: The tag that holds a user-given name (feature ``user_name``, volume and snapshot names).
NAME_TAG = "Name"

_IMAGE_STATES = {"available": "AVAILABLE", "pending": "PENDING", "failed": "ERROR", "error": "ERROR",
                 "deregistered": "DELETED", "invalid": "ERROR", "transient": "PENDING"}
_VOLUME_STATES = {"available": "AVAILABLE", "in-use": "IN-USE", "creating": "CREATING", "deleting": "DELETING",
                  "deleted": "DELETED", "error": "ERROR"}
_SNAPSHOT_STATES = {"completed": "COMPLETED", "pending": "PENDING", "error": "ERROR"}


def _time(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value in (None, "None") else str(value)


def clean(value: Any) -> str:
    """libcloud's extra dicts hold ``'None'`` strings for missing elements."""
    return "" if value is None or value == "None" else str(value)


def realm(zone: Any) -> Realm:
    """An availability zone (libcloud ``ExEC2AvailabilityZone``) as a realm."""
    state = "AVAILABLE" if zone.zone_state == "available" else "UNAVAILABLE"
    return Realm(zone.name, zone.name, state)


def instance(node: Any, owner_id: str) -> Instance:
    """A libcloud ``Node`` parsed from DescribeInstances/RunInstances as an instance."""
    extra = node.extra
    public = [Address(ip) for ip in node.public_ips if ip]
    if clean(extra.get("dns_name")):
        public.append(Address(extra["dns_name"], "hostname"))
    private = [Address(ip) for ip in node.private_ips if ip]
    if clean(extra.get("private_dns")):
        private.append(Address(extra["private_dns"], "hostname"))
    volumes = tuple(AttachedVolume(m["ebs"]["volume_id"], m.get("device_name") or "")
                    for m in extra.get("block_device_mapping", ()) if clean(m.get("ebs", {}).get("volume_id")))
    raw_state = clean(extra.get("status"))
    return Instance(
        id=node.id,
        name=(extra.get("tags") or {}).get(NAME_TAG) or node.id,
        owner_id=owner_id,
        image_id=clean(extra.get("image_id")),
        realm_id=clean(extra.get("availability")),
        state=deltacloud_state(raw_state),
        hardware_profile_id=clean(extra.get("instance_type")),
        public_addresses=tuple(public),
        private_addresses=tuple(private),
        launch_time=clean(extra.get("launch_time")),
        keyname=clean(extra.get("key_name")),
        storage_volumes=volumes,
        firewalls=tuple(g["group_id"] or g["group_name"] for g in extra.get("groups", ())),
        create_image=clean(extra.get("root_device_type")) == "ebs" and raw_state in ("running", "stopped"),
    )


def image(node_image: Any) -> Image:
    """A libcloud ``NodeImage`` as an image."""
    extra = node_image.extra
    state = clean(extra.get("state"))
    return Image(
        id=node_image.id,
        name=node_image.name or node_image.id,
        description=clean(extra.get("description")),
        owner_id=clean(extra.get("owner_id")),
        architecture=clean(extra.get("architecture")),
        state=_IMAGE_STATES.get(state, state.upper() or "AVAILABLE"),
        creation_time=_time(extra.get("creation_date")),
        root_type="persistent" if clean(extra.get("root_device_type")) == "ebs" else "transient",
    )


def key(pair: Any) -> Key:
    """A libcloud ``KeyPair`` as a key; ``pem`` only right after creation."""
    return Key(pair.name, pair.name, "key", (pair.fingerprint or "").strip(), pem=pair.private_key or "",
               state="AVAILABLE")


def volume(vol: Any) -> StorageVolume:
    """A libcloud ``StorageVolume`` as a storage volume."""
    extra = vol.extra
    status = clean(extra.get("state")) or clean(extra.get("status"))
    attached = clean(extra.get("instance_id"))
    state = _VOLUME_STATES.get(status, status.upper())
    tags = extra.get("tags") or {}
    return StorageVolume(
        id=vol.id,
        capacity=str(vol.size),
        realm_id=clean(extra.get("zone")),
        state=state or ("IN-USE" if attached else "AVAILABLE"),
        name=tags.get(NAME_TAG, ""),
        description=tags.get("Description", ""),
        created=_time(extra.get("create_time")),
        kind=clean(extra.get("volume_type")),
        instance_id=attached,
        device=clean(extra.get("device")),
        snapshot_id=clean(extra.get("snapshot_id")),
    )


def snapshot(snap: Any) -> StorageSnapshot:
    """A libcloud ``VolumeSnapshot`` as a storage snapshot."""
    extra = snap.extra
    state = clean(extra.get("state"))
    tags = extra.get("tags") or {}
    return StorageSnapshot(
        id=snap.id,
        volume_id=clean(extra.get("volume_id")),
        state=_SNAPSHOT_STATES.get(state, state.upper()),
        name=tags.get(NAME_TAG, ""),
        description=clean(extra.get("description")),
        created=_time(snap.created),
    )


def address(eip: Any) -> PublicAddress:
    """A libcloud ``ElasticIP`` as a public address; its id is the IP itself."""
    return PublicAddress(eip.ip, eip.ip, clean(eip.instance_id))


def rule_sources(rule: dict[str, Any]) -> tuple[RuleSource, ...]:
    """The sources of one libcloud security group rule: CIDR blocks, then groups."""
    sources = []
    for cidr in rule.get("cidr_ips") or ():
        if not cidr:
            continue
        address_, _, prefix = cidr.partition("/")
        sources.append(RuleSource("address", address=address_, prefix=prefix or "32",
                                  family="ipv6" if ":" in address_ else "ipv4"))
    for pair in rule.get("group_pairs") or ():
        sources.append(RuleSource("group", name=clean(pair.get("group_name")) or clean(pair.get("group_id")),
                                  owner=clean(pair.get("user_id"))))
    return tuple(sources)


def rule_id(protocol: str, port_from: str, port_to: str, sources: tuple[RuleSource, ...]) -> str:
    """A stable, URL-safe id of one ingress permission: protocol, ports and a digest of its sources."""
    key = "|".join(sorted(f"{s.type}:{s.address}/{s.prefix}:{s.name}:{s.owner}" for s in sources))
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{protocol}~{port_from}~{port_to}~{digest}"


def _port(value: Any) -> str:
    text = clean(value)
    return text if text else "-1"


def firewall(group: Any) -> Firewall:
    """A libcloud ``EC2SecurityGroup`` as a firewall with its ingress rules; its id is the group id."""
    rules = []
    for raw in group.ingress_rules:
        protocol = "all" if clean(raw.get("protocol")) in ("-1", "") else raw["protocol"]
        port_from, port_to = _port(raw.get("from_port")), _port(raw.get("to_port"))
        sources = rule_sources(raw)
        rules.append(FirewallRule(rule_id(protocol, port_from, port_to, sources), protocol, port_from, port_to,
                                  sources))
    extra = group.extra or {}
    return Firewall(group.id, group.name, clean(extra.get("description")), clean(extra.get("owner_id")),
                    tuple(rules))
