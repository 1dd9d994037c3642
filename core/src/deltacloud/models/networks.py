"""Models of the networking collections 1.1 offered: networks, their subnets, instances' interfaces.

Also the answer to running a command on an instance (``POST /api/instances/<id>/run``).
"""

from __future__ import annotations

from deltacloud.models.frozen import model


@model
class Network:
    """A private network: its address blocks (CIDR) and the ids of its subnets. ``state`` is UP or DOWN."""

    id: str
    name: str = ""
    state: str = "UP"
    address_blocks: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()


@model
class Subnet:
    """A part of a network (one CIDR block); ``type`` is PRIVATE or PUBLIC."""

    id: str
    network_id: str
    address_block: str
    name: str = ""
    type: str = "PRIVATE"
    state: str = "UP"


@model
class NetworkInterface:
    """An instance's interface on a network (and one of its subnets), with its address."""

    id: str
    instance_id: str
    network_id: str
    name: str = ""
    subnet_id: str = ""
    ip_address: str = ""


@model
class CommandOutput:
    """What running ``command`` on an instance printed, and the address it was run at."""

    instance_id: str
    command: str
    output: str
    public_address: str = ""
