"""Models of the network collections: addresses, firewalls, load balancers, networks, subnets, interfaces."""

from __future__ import annotations

from typing import Any

from deltacloud_client.models.base import Resource, as_list, ref_id, text


class Address(Resource):
    """A public IP address; ``associate`` and ``disassociate`` follow its links."""

    collection = "addresses"
    singular = "address"
    columns = ("ip", "instance_id")

    @property
    def ip(self) -> str:
        """The address itself."""
        return text(self.data.get("ip")) or self.id

    @property
    def instance_id(self) -> str | None:
        """The instance it is associated with, if any."""
        return ref_id(self.data.get("instance"))

    def associate(self, instance_id: str) -> Address:
        """Associate it with an instance."""
        return self.perform("associate", instance_id=instance_id)

    def disassociate(self) -> Address:
        """Take it off its instance."""
        return self.perform("disassociate")


class Firewall(Resource):
    """A firewall (security group) and its rules."""

    collection = "firewalls"
    singular = "firewall"
    columns = ("name", "description", "owner_id", "rule_ids")

    @property
    def description(self) -> str | None:
        """The description."""
        return text(self.data.get("description"))

    @property
    def owner_id(self) -> str | None:
        """The owner."""
        return text(self.data.get("owner_id"))

    @property
    def rules(self) -> list[dict[str, Any]]:
        """The rules as the server sent them (``allow_protocol``, ``port_from``, ``port_to``, ``sources``)."""
        return [r for r in as_list(self.data.get("rules")) if isinstance(r, dict)]

    @property
    def rule_ids(self) -> list[str]:
        """Ids of the rules."""
        return [str(r.get("id")) for r in self.rules]

    def add_rule(self, protocol: str, port_from: int | str, port_to: int | str,
                 addresses: list[str] | None = None, groups: list[tuple[str, str]] | None = None) -> Firewall:
        """Add a rule for ``addresses`` (CIDRs) and/or ``groups`` (``(name, owner)`` pairs)."""
        params: dict[str, Any] = {"protocol": protocol, "port_from": port_from, "port_to": port_to}
        for number, address in enumerate(addresses or [], start=1):
            params[f"ip_address{number}"] = address
        for number, (group, owner) in enumerate(groups or [], start=1):
            params[f"group{number}"] = group
            params[f"group{number}owner"] = owner
        rel = "add_rule" if self.offers("add_rule") else "update"
        result = self.perform(rel, **params)
        return result if isinstance(result, Firewall) else self.refresh()

    def delete_rule(self, rule_id: str) -> None:
        """Delete one rule through its own ``destroy`` link."""
        for rule in self.rules:
            if str(rule.get("id")) == rule_id:
                for link in as_list(rule.get("actions")):
                    if isinstance(link, dict) and link.get("rel") == "destroy":
                        self.client.transport.request((link.get("method") or "delete"), link["href"])
                        return
        raise self.client.not_found(f"Firewall '{self.id}' has no rule '{rule_id}'", self.href)


class LoadBalancer(Resource):
    """A load balancer; ``register`` and ``unregister`` instances."""

    collection = "load_balancers"
    singular = "load_balancer"
    columns = ("name", "realm_ids", "instance_ids", "public_addresses")

    @property
    def instance_ids(self) -> list[str]:
        """Ids of the registered instances."""
        return [v for v in (ref_id(i) for i in as_list(self.data.get("instances"))) if v]

    @property
    def realm_ids(self) -> list[str]:
        """Realms it serves."""
        return [v for v in (ref_id(r) for r in as_list(self.data.get("realms", self.data.get("realm")))) if v]

    @property
    def public_addresses(self) -> list[str]:
        """Its public addresses."""
        found = []
        for item in as_list(self.data.get("public_addresses")):
            value = item.get("address", item.get("value")) if isinstance(item, dict) else item
            if value:
                found.append(str(value))
        return found

    def register(self, instance_id: str) -> LoadBalancer:
        """Register an instance."""
        result = self.perform("register", instance_id=instance_id)
        return result if isinstance(result, LoadBalancer) else self.refresh()

    def unregister(self, instance_id: str) -> LoadBalancer:
        """Unregister an instance."""
        if self.offers("unregister"):
            result = self.perform("unregister", instance_id=instance_id)
        else:  # the original puts an unregister link on each registered instance
            result = None
            for entry in as_list(self.data.get("instances")):
                links = as_list(entry.get("link")) if isinstance(entry, dict) else []
                if ref_id(entry) == instance_id and links:
                    href = links[0].get("href", "")
                    answer = self.client.transport.request("POST", href, data={"instance_id": instance_id})
                    result = self.client.model_from(answer, default=self.collection)
                    break
            else:
                self.link("unregister")  # refuse locally: nothing to unregister
        return result if isinstance(result, LoadBalancer) else self.refresh()


class Network(Resource):
    """A network (the original 1.1.3 API only)."""

    collection = "networks"
    singular = "network"
    columns = ("name", "state")

    @property
    def state(self) -> str | None:
        """The state."""
        return text(self.data.get("state"))


class Subnet(Resource):
    """A subnet (the original 1.1.3 API only)."""

    collection = "subnets"
    singular = "subnet"
    columns = ("name", "state", "address_block")

    @property
    def state(self) -> str | None:
        """The state."""
        return text(self.data.get("state"))

    @property
    def address_block(self) -> str | None:
        """The CIDR."""
        return text(self.data.get("address_block"))


class NetworkInterface(Resource):
    """A network interface (the original 1.1.3 API only)."""

    collection = "network_interfaces"
    singular = "network_interface"
    columns = ("name", "instance_id", "network_id")

    @property
    def instance_id(self) -> str | None:
        """The instance it belongs to."""
        return ref_id(self.data.get("instance"))

    @property
    def network_id(self) -> str | None:
        """The network it is in."""
        return ref_id(self.data.get("network"))
