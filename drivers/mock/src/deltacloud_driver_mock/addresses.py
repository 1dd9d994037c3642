"""The mock's public addresses: allocated from 192.168.0.0/16, each associated with one instance at most.

An associated address becomes its instance's only public address; the instance's own
hostnames come back when the address is disassociated (or the instance is destroyed).
"""

from __future__ import annotations

import ipaddress

from deltacloud.driver import Filters
from deltacloud.errors import ConflictError, NotFoundError
from deltacloud.models import PublicAddress
from deltacloud_driver_mock import records_extra
from deltacloud_driver_mock.relations import (
    ADDRESSES,
    MockParts,
    instance_of,
    put_instance,
    restore_public_addresses,
)

#: The block new addresses come from (the seed holds 192.168.0.1 to .4).
POOL = ipaddress.ip_network("192.168.0.0/16")


class AddressesMixin(MockParts):
    """Public addresses, shared by every user of the store."""

    def addresses(self, filters: Filters) -> list[PublicAddress]:
        """Every allocated address; ``filters`` may narrow by ``id``."""
        self._user()
        return [records_extra.address(d) for d in self.store.list(ADDRESSES, id=filters.get("id"))]

    def address(self, id: str) -> PublicAddress:
        """One address."""
        self._user()
        doc = self.store.get(ADDRESSES, id)
        if doc is None:
            raise NotFoundError(f"Address '{id}' not found")
        return records_extra.address(doc)

    def create_address(self) -> PublicAddress:
        """Allocate the next free address of the pool; ``ConflictError`` when the pool is used up."""
        user = self._user()
        with self.store.transaction() as tx:
            while True:
                number = tx.next_number(ADDRESSES)
                if number >= POOL.num_addresses - 1:
                    raise ConflictError("No public address is left to allocate; release one first")
                ip = str(POOL.network_address + number)
                if not tx.exists(ADDRESSES, ip):
                    break
            doc = {"id": ip, "instance_id": None, "owner_id": user}
            tx.insert(ADDRESSES, doc, owner=user)
        return records_extra.address(doc)

    def associate_address(self, id: str, instance_id: str) -> PublicAddress:
        """Associate a free address with an instance that has none; it becomes the instance's public address."""
        user = self._user()
        with self.store.transaction() as tx:
            doc = tx.get(ADDRESSES, id)
            if doc is None:
                raise NotFoundError(f"Address '{id}' not found")
            inst = instance_of(tx, instance_id, user)
            if doc.get("instance_id"):
                raise ConflictError(f"Address '{id}' is already associated with instance '{doc['instance_id']}';"
                                    " disassociate it first")
            if inst.get("address_id"):
                raise ConflictError(f"Instance '{instance_id}' already has address '{inst['address_id']}'; "
                                    "disassociate that first")
            inst["hostname_public_addresses"] = inst.get("public_addresses") or []
            inst["public_addresses"] = [{"address": id, "type": "ipv4"}]
            inst["address_id"] = id
            doc = dict(doc, instance_id=instance_id)
            tx.put(ADDRESSES, doc, owner=doc.get("owner_id"))
            put_instance(tx, inst)
        return records_extra.address(doc)

    def disassociate_address(self, id: str) -> PublicAddress:
        """Take an address back from its instance, which gets its own public addresses back."""
        self._user()
        with self.store.transaction() as tx:
            doc = tx.get(ADDRESSES, id)
            if doc is None:
                raise NotFoundError(f"Address '{id}' not found")
            if not doc.get("instance_id"):
                raise ConflictError(f"Address '{id}' is not associated with an instance")
            inst = tx.get("instances", doc["instance_id"])
            if inst is not None and inst.get("address_id") == id:
                restore_public_addresses(inst)
                put_instance(tx, inst)
            doc = dict(doc, instance_id=None)
            tx.put(ADDRESSES, doc, owner=doc.get("owner_id"))
        return records_extra.address(doc)

    def destroy_address(self, id: str) -> None:
        """Release a free address (an associated one must be disassociated first)."""
        self._user()
        with self.store.transaction() as tx:
            doc = tx.get(ADDRESSES, id)
            if doc is None:
                raise NotFoundError(f"Address '{id}' not found")
            if doc.get("instance_id"):
                raise ConflictError(f"Address '{id}' is associated with instance '{doc['instance_id']}'; "
                                    "disassociate it first")
            tx.delete(ADDRESSES, id)
