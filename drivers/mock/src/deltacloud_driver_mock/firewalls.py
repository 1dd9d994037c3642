"""The mock's firewalls: named sets of ingress rules that instances are launched in.

The core has checked a rule's protocol, ports and sources; here a group source must name an
existing firewall of the caller's (another owner's groups are taken on trust, as a cloud
would), and the same rule cannot be added twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from deltacloud.driver import Filters
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import Firewall, RuleSource
from deltacloud_driver_mock import records_extra
from deltacloud_driver_mock.relations import FIREWALLS, INSTANCES, MockParts, holding, text_param
from deltacloud_driver_mock.store import Transaction

_MAX_NAME = 255


def check_firewalls(tx: Transaction, names: Sequence[str]) -> list[str]:
    """The firewalls an instance is launched in, each existing; ``ValidationError`` naming ``firewalls``."""
    missing = [name for name in names if not tx.exists(FIREWALLS, name)]
    if missing:
        raise ValidationError(f"Parameter 'firewalls': no firewall {', '.join(repr(n) for n in missing)}",
                              param="firewalls")
    return list(dict.fromkeys(names))


class FirewallsMixin(MockParts):
    """Firewalls and their rules, shared by every user of the store."""

    def firewalls(self, filters: Filters) -> list[Firewall]:
        """Every firewall; ``filters`` may narrow by ``id``."""
        self._user()
        return [records_extra.firewall(d) for d in self.store.list(FIREWALLS, id=filters.get("id"))]

    def firewall(self, id: str) -> Firewall:
        """One firewall with its rules."""
        self._user()
        doc = self.store.get(FIREWALLS, id)
        if doc is None:
            raise NotFoundError(f"Firewall '{id}' not found")
        return records_extra.firewall(doc)

    def create_firewall(self, name: str, description: str) -> Firewall:
        """A firewall without rules; its id is its name."""
        user = self._user()
        if not name.strip() or len(name) > _MAX_NAME or "/" in name or ";" in name or name != name.strip():
            raise ValidationError(f"The firewall name must be 1 to {_MAX_NAME} characters, without '/', ';' or "
                                  "surrounding spaces", param="name")
        text_param(name, "name", "firewall name")
        doc = {"id": name, "name": name, "description": text_param(description, "description", "description"),
               "owner_id": user, "rules": []}
        with self.store.transaction() as tx:
            if not tx.insert(FIREWALLS, doc, owner=user):
                raise ConflictError(f"Firewall '{name}' already exists")
        return records_extra.firewall(doc)

    def add_firewall_rule(self, id: str, protocol: str, port_from: int, port_to: int,
                          sources: tuple[RuleSource, ...]) -> Firewall:
        """Add an ingress rule; its id spells it, so adding the same rule twice is a conflict."""
        user = self._user()
        with self.store.transaction() as tx:
            doc = tx.get(FIREWALLS, id)
            if doc is None:
                raise NotFoundError(f"Firewall '{id}' not found")
            owned = []
            for source in sources:
                if source.type == "group" and source.owner in ("", user):
                    if not tx.exists(FIREWALLS, source.name):
                        raise ValidationError(f"Parameter 'group': no firewall '{source.name}'", param="group")
                    source = RuleSource("group", name=source.name, owner=user)
                owned.append(source)
            rule_id = records_extra.rule_id(user, protocol, port_from, port_to, tuple(owned))
            if any(r["id"] == rule_id for r in doc["rules"]):
                raise ConflictError(f"Firewall '{id}' already has this rule ({rule_id})")
            doc["rules"].append({"id": rule_id, "protocol": protocol, "port_from": port_from, "port_to": port_to,
                                 "direction": "ingress", "sources": [records_extra.source_doc(s) for s in owned]})
            tx.put(FIREWALLS, doc, owner=doc.get("owner_id"))
        return records_extra.firewall(doc)

    def delete_firewall_rule(self, id: str, rule_id: str) -> None:
        """Delete one rule of a firewall."""
        self._user()
        with self.store.transaction() as tx:
            doc = tx.get(FIREWALLS, id)
            if doc is None:
                raise NotFoundError(f"Firewall '{id}' not found")
            rules = [r for r in doc["rules"] if r["id"] != rule_id]
            if len(rules) == len(doc["rules"]):
                raise NotFoundError(f"Firewall '{id}' has no rule '{rule_id}'")
            tx.put(FIREWALLS, dict(doc, rules=rules), owner=doc.get("owner_id"))

    def destroy_firewall(self, id: str) -> None:
        """Delete a firewall that no instance is in and no other firewall's rule names."""
        self._user()
        with self.store.transaction() as tx:
            if not tx.exists(FIREWALLS, id):
                raise NotFoundError(f"Firewall '{id}' not found")
            users = [d["id"] for d in holding(tx, INSTANCES, "firewalls", id)]
            if users:
                raise ConflictError(f"Firewall '{id}' is in use by instances {', '.join(users)}")
            naming = [d["id"] for d in tx.list(FIREWALLS) if d["id"] != id and any(
                s.get("type") == "group" and s.get("name") == id for r in d["rules"] for s in r["sources"])]
            if naming:
                raise ConflictError(f"Firewall '{id}' is a source of rules of {', '.join(naming)}")
            tx.delete(FIREWALLS, id)
