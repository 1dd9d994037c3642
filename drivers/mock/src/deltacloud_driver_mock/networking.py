"""The mock's networks, subnets and network interfaces, seeded as the original mock's were.

Networks and subnets are shared by every user; an interface belongs to its instance's owner.
Relations are stored on both sides (a network lists its subnets, an instance its interfaces) and
written in one transaction. Interfaces get the next free host address of their subnet's block.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from deltacloud.driver import Filters
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import Network, NetworkInterface, Subnet
from deltacloud_driver_mock.relations import MockParts, instance_of, put_instance, text_param
from deltacloud_driver_mock.store import Transaction

NETWORKS, SUBNETS, INTERFACES = "networks", "subnets", "network_interfaces"
#: The address block of a network created without one.
DEFAULT_BLOCK = "172.16.0.0/16"


def network(doc: dict[str, Any]) -> Network:
    """The model of a network document."""
    return Network(doc["id"], doc.get("name") or doc["id"], doc.get("state") or "UP",
                   tuple(doc.get("address_blocks") or ()), tuple(doc.get("subnet_ids") or ()))


def subnet(doc: dict[str, Any]) -> Subnet:
    """The model of a subnet document."""
    return Subnet(doc["id"], doc["network_id"], doc["address_block"], doc.get("name") or doc["id"],
                  doc.get("type") or "PRIVATE", doc.get("state") or "UP")


def interface(doc: dict[str, Any]) -> NetworkInterface:
    """The model of a network interface document."""
    return NetworkInterface(doc["id"], doc["instance_id"], doc["network_id"], doc.get("name") or doc["id"],
                            doc.get("subnet_id") or "", doc.get("ip_address") or "")


def _block(value: str, param: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(value.strip(), strict=True)
    except ValueError:
        raise ValidationError(f"Parameter '{param}': '{value[:60]}' is not an address block such as 10.0.0.0/16",
                              param=param) from None


def _name(value: str | None) -> str:
    name = text_param(value, "name", "name")
    if len(name) > 255:
        raise ValidationError("The name must be at most 255 characters", param="name")
    return name


def _free_address(tx: Transaction, block: str, network_id: str) -> str:
    """The first host address of ``block`` no interface of the network holds; 409 when all are taken."""
    taken = {d.get("ip_address") for d in tx.list(INTERFACES, fields={"network_id": network_id})}
    hosts = ipaddress.ip_network(block).hosts()
    next(hosts, None)  # the first host is the gateway
    for host in hosts:
        if str(host) not in taken:
            return str(host)
    raise ConflictError(f"No free address left in {block}")


class NetworkingMixin(MockParts):
    """Networks, subnets and network interfaces."""

    # -- networks --------------------------------------------------------------------------------

    def networks(self, filters: Filters) -> list[Network]:
        """Every network."""
        self._user()
        return [network(d) for d in self.store.list(NETWORKS, id=filters.get("id"))]

    def network(self, id: str) -> Network:
        """One network."""
        self._user()
        doc = self.store.get(NETWORKS, id)
        if doc is None:
            raise NotFoundError(f"Network '{id}' not found")
        return network(doc)

    def create_network(self, address_block: str | None = None, name: str | None = None) -> Network:
        """A new network of ``address_block`` (``172.16.0.0/16`` when none), without subnets."""
        self._user()
        block = str(_block(address_block, "address_block")) if address_block is not None else DEFAULT_BLOCK
        with self.store.transaction() as tx:
            id = tx.next_free_id(NETWORKS, "net")
            doc = {"id": id, "name": _name(name) or id, "state": "UP", "address_blocks": [block], "subnet_ids": []}
            tx.insert(NETWORKS, doc)
        return network(doc)

    def destroy_network(self, id: str) -> None:
        """Delete a network that has no subnets left."""
        self._user()
        with self.store.transaction() as tx:
            doc = tx.get(NETWORKS, id)
            if doc is None:
                raise NotFoundError(f"Network '{id}' not found")
            if doc.get("subnet_ids"):
                raise ConflictError(f"Network '{id}' still has subnets: {', '.join(doc['subnet_ids'])}")
            tx.delete(NETWORKS, id)

    # -- subnets ---------------------------------------------------------------------------------

    def subnets(self, filters: Filters) -> list[Subnet]:
        """Every subnet."""
        self._user()
        return [subnet(d) for d in self.store.list(SUBNETS, id=filters.get("id"))]

    def subnet(self, id: str) -> Subnet:
        """One subnet."""
        self._user()
        doc = self.store.get(SUBNETS, id)
        if doc is None:
            raise NotFoundError(f"Subnet '{id}' not found")
        return subnet(doc)

    def create_subnet(self, network_id: str, address_block: str, name: str | None = None,
                      type: str | None = None) -> Subnet:
        """A new subnet of ``network_id``: inside one of its blocks, overlapping none of its subnets."""
        self._user()
        block = _block(address_block, "address_block")
        with self.store.transaction() as tx:
            net = tx.get(NETWORKS, network_id)
            if net is None:
                raise ValidationError(f"Network '{network_id}' does not exist", param="network_id")
            if not any(block.version == outer.version and block.subnet_of(outer)  # type: ignore[arg-type]
                       for outer in map(ipaddress.ip_network, net.get("address_blocks") or ())):
                raise ConflictError(f"{block} is not inside the blocks of network '{network_id}': "
                                    f"{', '.join(net.get('address_blocks') or ())}")
            for other in tx.list(SUBNETS, fields={"network_id": network_id}):
                if block.overlaps(ipaddress.ip_network(other["address_block"])):  # type: ignore[arg-type]
                    raise ConflictError(f"{block} overlaps subnet '{other['id']}' ({other['address_block']})")
            id = tx.next_free_id(SUBNETS, "subnet")
            doc = {"id": id, "name": _name(name) or id, "network_id": network_id, "address_block": str(block),
                   "type": (type or "PRIVATE").upper(), "state": "UP"}
            tx.insert(SUBNETS, doc)
            tx.put(NETWORKS, dict(net, subnet_ids=[*(net.get("subnet_ids") or []), id]))
        return subnet(doc)

    def destroy_subnet(self, id: str) -> None:
        """Delete a subnet no interface is on."""
        self._user()
        with self.store.transaction() as tx:
            doc = tx.get(SUBNETS, id)
            if doc is None:
                raise NotFoundError(f"Subnet '{id}' not found")
            users = [d["id"] for d in tx.list(INTERFACES, fields={"subnet_id": id})]
            if users:
                raise ConflictError(f"Subnet '{id}' still has network interfaces: {', '.join(users)}")
            net = tx.get(NETWORKS, doc["network_id"])
            if net is not None:
                tx.put(NETWORKS, dict(net, subnet_ids=[s for s in net.get("subnet_ids") or [] if s != id]))
            tx.delete(SUBNETS, id)

    # -- network interfaces ------------------------------------------------------------------------

    def network_interfaces(self, filters: Filters) -> list[NetworkInterface]:
        """The interfaces of the caller's instances."""
        user = self._user()
        return [interface(d) for d in self.store.list(INTERFACES, id=filters.get("id"), owner=user)]

    def network_interface(self, id: str) -> NetworkInterface:
        """One interface of the caller's instances."""
        user = self._user()
        doc = self.store.get(INTERFACES, id)
        if doc is None or doc.get("owner_id") != user:
            raise NotFoundError(f"Network interface '{id}' not found")
        return interface(doc)

    def create_network_interface(self, instance_id: str, network_id: str,
                                 name: str | None = None) -> NetworkInterface:
        """Connect an instance to a network (its first subnet) or to a subnet, at the next free address."""
        user = self._user()
        with self.store.transaction() as tx:
            try:
                inst = instance_of(tx, instance_id, user)
            except NotFoundError:
                raise ValidationError(f"Instance '{instance_id}' does not exist", param="instance_id") from None
            sub = tx.get(SUBNETS, network_id)
            net = tx.get(NETWORKS, sub["network_id"] if sub is not None else network_id)
            if net is None:
                raise ValidationError(f"Network '{network_id}' does not exist", param="network_id")
            if sub is None and net.get("subnet_ids"):
                sub = tx.get(SUBNETS, net["subnet_ids"][0])
            block = sub["address_block"] if sub is not None else (net.get("address_blocks") or [DEFAULT_BLOCK])[0]
            id = tx.next_free_id(INTERFACES, "nic")
            doc = {"id": id, "name": _name(name) or id, "instance_id": instance_id, "network_id": net["id"],
                   "subnet_id": sub["id"] if sub is not None else None,
                   "ip_address": _free_address(tx, block, net["id"]), "owner_id": user}
            tx.insert(INTERFACES, doc, owner=user)
            inst["network_interfaces"] = [*(inst.get("network_interfaces") or []), id]
            put_instance(tx, inst)
        return interface(doc)

    def destroy_network_interface(self, id: str) -> None:
        """Disconnect an interface of one of the caller's instances."""
        user = self._user()
        with self.store.transaction() as tx:
            doc = tx.get(INTERFACES, id)
            if doc is None or doc.get("owner_id") != user:
                raise NotFoundError(f"Network interface '{id}' not found")
            inst = tx.get("instances", doc["instance_id"])
            if inst is not None:
                inst["network_interfaces"] = [n for n in inst.get("network_interfaces") or [] if n != id]
                put_instance(tx, inst)
            tx.delete(INTERFACES, id)
