"""What a launch adds to new instances beyond the image and profile: firewalls, a load balancer, metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deltacloud.errors import ValidationError
from deltacloud.models import LaunchOptions
from deltacloud_driver_mock import balancers, catalog
from deltacloud_driver_mock.firewalls import check_firewalls
from deltacloud_driver_mock.relations import BALANCERS
from deltacloud_driver_mock.store import Transaction


@dataclass
class Placement:
    """Where new instances go and what they join, checked inside the launch's transaction."""

    realm_id: str
    firewalls: list[str]
    balancer: dict[str, Any] | None
    metrics: bool

    def prepare(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A new instance's document with its firewalls and monitoring set."""
        return dict(doc, firewalls=list(self.firewalls), metrics=self.metrics)

    def join(self, tx: Transaction, doc: dict[str, Any]) -> None:
        """Register a stored new instance with the load balancer, if the launch named one."""
        if self.balancer is not None:
            self.balancer = balancers.register(tx, self.balancer, doc)


def placement(tx: Transaction, options: LaunchOptions) -> Placement:
    """Check the firewalls and load balancer a launch names; the realm defaults to the balancer's.

    ``ValidationError`` names ``firewalls``, ``load_balancer_id`` or ``realm_id``.
    """
    if options.realm_id is not None and options.realm_id not in catalog.REALMS_BY_ID:
        raise ValidationError(f"Realm '{options.realm_id}' does not exist", param="realm_id")
    firewalls = check_firewalls(tx, options.firewalls)
    lb = None
    if options.load_balancer_id:
        lb = tx.get(BALANCERS, options.load_balancer_id)
        if lb is None:
            raise ValidationError(f"Load balancer '{options.load_balancer_id}' does not exist",
                                  param="load_balancer_id")
    realm_id = options.realm_id or (lb["realm_ids"][0] if lb else catalog.DEFAULT_REALM)
    if lb is not None and realm_id not in lb["realm_ids"]:
        raise ValidationError(f"Parameter 'load_balancer_id': load balancer '{lb['id']}' balances in "
                              f"{', '.join(lb['realm_ids'])}, not in realm '{realm_id}'", param="load_balancer_id")
    return Placement(realm_id, firewalls, lb, options.metrics)
