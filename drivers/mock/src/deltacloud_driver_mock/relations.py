"""What ties the mock's collections to instances: lookups inside a transaction and clean-up on destroy.

A relation is stored on both sides (a volume names its instance, the instance lists the
volume) and both sides are written in the same transaction, so readers never see half of it.
"""

from __future__ import annotations

import re
from typing import Any

from deltacloud.errors import NotFoundError, ValidationError
from deltacloud_driver_mock.store import Store, Transaction

INSTANCES = "instances"
VOLUMES, SNAPSHOTS, ADDRESSES = "storage_volumes", "storage_snapshots", "addresses"
FIREWALLS, BALANCERS = "firewalls", "load_balancers"
INTERFACES = "network_interfaces"

#: A condition on documents whose JSON list ``$.<field>`` holds the bound value.
LIST_HOLDS = "EXISTS (SELECT 1 FROM json_each(body, ?) WHERE value = ?)"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_TEXT = 1024


class MockParts:
    """What the collection mixins use of ``MockDriver``: its store, delay and the authenticated user."""

    store: Store
    delay: float

    def _user(self) -> str:  # pragma: no cover - MockDriver defines it
        raise NotImplementedError


def instance_of(tx: Transaction, id: str, user: str) -> dict[str, Any]:
    """The caller's instance ``id``; ``NotFoundError`` when it does not exist or is someone else's."""
    doc = tx.get(INSTANCES, id)
    if doc is None or doc.get("owner_id") != user:
        raise NotFoundError(f"Instance '{id}' not found")
    return doc


def put_instance(tx: Transaction, doc: dict[str, Any]) -> None:
    """Write an instance document back under its owner."""
    tx.put(INSTANCES, doc, owner=doc["owner_id"])


def holding(tx: Transaction, kind: str, field: str, value: str) -> list[dict[str, Any]]:
    """Documents of ``kind`` whose list ``field`` contains ``value``."""
    return tx.list(kind, where=[(LIST_HOLDS, (f"$.{field}", value))])


def text_param(value: str | None, param: str, what: str) -> str:
    """A free-text parameter (a description): at most ``MAX_TEXT`` characters, no control characters."""
    if value is None:
        return ""
    if len(value) > MAX_TEXT or _CONTROL.search(value):
        raise ValidationError(f"The {what} must be at most {MAX_TEXT} characters, without control characters",
                              param=param)
    return value


def restore_public_addresses(doc: dict[str, Any]) -> None:
    """Give an instance back the public addresses an associated IP replaced."""
    if doc.get("address_id"):
        doc["public_addresses"] = doc.pop("hostname_public_addresses", None) or []
        doc["address_id"] = None


def forget_instance(tx: Transaction, instance_id: str) -> None:
    """An instance is gone: detach its volumes, free its address, take it out of load balancers, drop its NICs."""
    for vol in tx.list(VOLUMES, fields={"instance_id": instance_id}):
        tx.put(VOLUMES, dict(vol, state="AVAILABLE", instance_id=None, device=None), owner=vol.get("owner_id"))
    for addr in tx.list(ADDRESSES, fields={"instance_id": instance_id}):
        tx.put(ADDRESSES, dict(addr, instance_id=None), owner=addr.get("owner_id"))
    for lb in holding(tx, BALANCERS, "instance_ids", instance_id):
        lb["instance_ids"] = [i for i in lb["instance_ids"] if i != instance_id]
        tx.put(BALANCERS, lb, owner=lb.get("owner_id"))
    for nic in tx.list(INTERFACES, fields={"instance_id": instance_id}):
        tx.delete(INTERFACES, nic["id"])
