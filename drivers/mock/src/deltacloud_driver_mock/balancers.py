"""The mock's load balancers: one realm, listeners, and the instances of that realm registered with them."""

from __future__ import annotations

import re
import time
from typing import Any

from deltacloud.driver import Filters
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import LoadBalancer
from deltacloud_driver_mock import catalog, records_extra
from deltacloud_driver_mock.records import timestamp
from deltacloud_driver_mock.relations import BALANCERS, MockParts, instance_of
from deltacloud_driver_mock.store import Transaction

#: Load balancer names, which are their ids: letters, digits and inner hyphens, at most 32 (as on EC2).
NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")


def _check_realm(lb: dict[str, Any], inst: dict[str, Any]) -> None:
    if inst["realm_id"] not in lb["realm_ids"]:
        raise ConflictError(f"Instance '{inst['id']}' is in realm '{inst['realm_id']}' and load balancer "
                            f"'{lb['id']}' balances in {', '.join(lb['realm_ids'])}: only instances of its "
                            "realms can be registered")


def register(tx: Transaction, lb: dict[str, Any], inst: dict[str, Any]) -> dict[str, Any]:
    """``lb`` with ``inst`` registered, written; the realms must match and it must not be registered yet."""
    _check_realm(lb, inst)
    if inst["id"] in lb["instance_ids"]:
        raise ConflictError(f"Instance '{inst['id']}' is already registered with load balancer '{lb['id']}'")
    lb = dict(lb, instance_ids=[*lb["instance_ids"], inst["id"]])
    tx.put(BALANCERS, lb, owner=lb.get("owner_id"))
    return lb


class BalancersMixin(MockParts):
    """Load balancers, shared by every user of the store; their ids are their names."""

    def load_balancers(self, filters: Filters) -> list[LoadBalancer]:
        """Every load balancer; ``filters`` may narrow by ``id``."""
        self._user()
        return [records_extra.balancer(d) for d in self.store.list(BALANCERS, id=filters.get("id"))]

    def load_balancer(self, id: str) -> LoadBalancer:
        """One load balancer."""
        self._user()
        doc = self.store.get(BALANCERS, id)
        if doc is None:
            raise NotFoundError(f"Load balancer '{id}' not found")
        return records_extra.balancer(doc)

    def create_load_balancer(self, name: str, realm_id: str, listener_protocol: str,
                             listener_balancer_port: int, listener_instance_port: int) -> LoadBalancer:
        """A load balancer in ``realm_id`` with one listener and no instances."""
        user = self._user()
        if not NAME.match(name):
            raise ValidationError("The load balancer name must be 1 to 32 letters, digits or inner hyphens",
                                  param="name")
        if realm_id not in catalog.REALMS_BY_ID:
            raise ValidationError(f"Realm '{realm_id}' does not exist", param="realm_id")
        doc = {"id": name, "name": name, "realm_ids": [realm_id], "instance_ids": [], "owner_id": user,
               "listeners": [{"protocol": listener_protocol, "load_balancer_port": listener_balancer_port,
                              "instance_port": listener_instance_port}],
               "public_addresses": [f"{name.lower()}.{realm_id}.elb.mock"], "created_at": timestamp(time.time())}
        with self.store.transaction() as tx:
            if not tx.insert(BALANCERS, doc, owner=user):
                raise ConflictError(f"Load balancer '{name}' already exists")
        return records_extra.balancer(doc)

    def _balancer(self, tx: Transaction, id: str) -> dict[str, Any]:
        doc = tx.get(BALANCERS, id)
        if doc is None:
            raise NotFoundError(f"Load balancer '{id}' not found")
        return doc

    def register_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Register one of the caller's instances of the load balancer's realm."""
        user = self._user()
        with self.store.transaction() as tx:
            lb = register(tx, self._balancer(tx, id), instance_of(tx, instance_id, user))
        return records_extra.balancer(lb)

    def unregister_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Unregister a registered instance."""
        user = self._user()
        with self.store.transaction() as tx:
            lb = self._balancer(tx, id)
            instance_of(tx, instance_id, user)
            if instance_id not in lb["instance_ids"]:
                raise ConflictError(f"Instance '{instance_id}' is not registered with load balancer '{id}'")
            lb = dict(lb, instance_ids=[i for i in lb["instance_ids"] if i != instance_id])
            tx.put(BALANCERS, lb, owner=lb.get("owner_id"))
        return records_extra.balancer(lb)

    def destroy_load_balancer(self, id: str) -> None:
        """Delete a load balancer; its instances carry on."""
        self._user()
        with self.store.transaction() as tx:
            if not tx.delete(BALANCERS, id):
                raise NotFoundError(f"Load balancer '{id}' not found")
