"""Models of the optional collections: storage, addresses, firewalls, load balancers, buckets, metrics."""

from __future__ import annotations

from deltacloud.models.frozen import model


@model
class StorageVolume:
    """A block device; ``state`` is AVAILABLE or IN-USE (or a cloud's transitional state, upper case).

    While attached, ``instance_id`` and ``device`` say where. ``capacity`` is in GB.
    """

    id: str
    capacity: str
    realm_id: str
    state: str = "AVAILABLE"
    name: str = ""
    description: str = ""
    created: str = ""
    kind: str = ""
    instance_id: str = ""
    device: str = ""
    snapshot_id: str = ""


@model
class StorageSnapshot:
    """A point-in-time copy of a volume."""

    id: str
    volume_id: str
    state: str = "COMPLETED"
    name: str = ""
    description: str = ""
    created: str = ""


@model
class PublicAddress:
    """An allocatable public IP (an Elastic IP on EC2); ``instance_id`` while associated."""

    id: str
    ip: str
    instance_id: str = ""


@model
class RuleSource:
    """Where a firewall rule admits traffic from: a CIDR block (``type='address'``) or another group."""

    type: str
    address: str = ""
    prefix: str = ""
    family: str = "ipv4"
    name: str = ""
    owner: str = ""


@model
class FirewallRule:
    """One ingress rule: protocol (tcp, udp, icmp), port range and sources.

    ``id`` is the last segment of the rule's URL (``DELETE /api/firewalls/<id>/<rule id>``), so it
    must not contain ``/`` or ``;``.
    """

    id: str
    protocol: str
    port_from: str
    port_to: str
    sources: tuple[RuleSource, ...] = ()
    direction: str = "ingress"


@model
class Firewall:
    """A named set of rules instances are put in (a security group on EC2)."""

    id: str
    name: str
    description: str = ""
    owner_id: str = ""
    rules: tuple[FirewallRule, ...] = ()


@model
class Listener:
    """A load balancer port forwarding to an instance port."""

    protocol: str
    load_balancer_port: str
    instance_port: str


@model
class LoadBalancer:
    """A load balancer in one or more realms, with listeners and registered instances."""

    id: str
    realm_ids: tuple[str, ...] = ()
    listeners: tuple[Listener, ...] = ()
    instance_ids: tuple[str, ...] = ()
    public_addresses: tuple[str, ...] = ()
    created_at: str = ""
    name: str = ""


@model
class Bucket:
    """An object storage container; ``blob_ids`` lists its blobs."""

    id: str
    name: str = ""
    size: int = 0
    blob_ids: tuple[str, ...] = ()
    location: str = ""


@model
class Blob:
    """An object in a bucket; its content is streamed separately (``Driver.blob_data``)."""

    id: str
    bucket: str
    content_length: int = 0
    content_type: str = "application/octet-stream"
    last_modified: str = ""
    user_metadata: tuple[tuple[str, str], ...] = ()


@model
class MetricSample:
    """One sample of one metric property: a timestamp and named values (minimum, maximum, average…)."""

    timestamp: str
    values: tuple[tuple[str, str], ...]


@model
class MetricProperty:
    """A measured property (``cpuUtilization``, ``diskReadBytes``…) with its samples and unit."""

    name: str
    unit: str = ""
    samples: tuple[MetricSample, ...] = ()


@model
class Metric:
    """The metrics of one entity (an instance): ``id`` is the entity's id."""

    id: str
    entity: str
    properties: tuple[MetricProperty, ...] = ()
