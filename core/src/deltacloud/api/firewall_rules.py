"""Firewall rules as clients send them: protocol, port range and sources, checked before any driver sees them.

Sources come as CIDR blocks (``ip_address1``, ``ip_address2``…; a bare address means one host)
and as other firewalls (``group1``… with ``group1owner``… when the group belongs to another
account). The driver receives ``RuleSource`` tuples it can pass on without further checks.
"""

from __future__ import annotations

import contextlib
import ipaddress
from typing import Any

from deltacloud.api.spec import Param
from deltacloud.driver import Driver
from deltacloud.errors import ValidationError
from deltacloud.models import Firewall, RuleSource

PROTOCOLS = ("tcp", "udp", "icmp")
#: The lowest and highest port of TCP and UDP rules.
PORT_RANGE = (0, 65535)
#: ICMP rules carry the ICMP type in ``port_from`` and the code in ``port_to``; -1 means any.
ICMP_RANGE = (-1, 255)

#: The parameters of ``POST /api/firewalls/<id>/rules``.
RULE_PARAMS = (
    Param("protocol", required=True, choices=PROTOCOLS, description="tcp, udp or icmp"),
    Param("port_from", "integer", minimum=-1, maximum=65535,
          description="First port (required for tcp and udp); for icmp the ICMP type, -1 for any"),
    Param("port_to", "integer", minimum=-1, maximum=65535,
          description="Last port (required for tcp and udp); for icmp the ICMP code, -1 for any"),
    Param("ip_address", "list",
          description="Source CIDR blocks (ip_address1, ip_address2…); a bare address is one host"),
    Param("group", "list", description="Source firewalls (group1, group2…)"),
    Param("group_owner", "list", aliases=("group{n}owner",),
          description="Owner of each source firewall (group1owner…), given for every group or for none"),
)


def ports(protocol: str, port_from: int | None, port_to: int | None) -> tuple[int, int]:
    """The checked port range of a rule; ``ValidationError`` naming the parameter otherwise."""
    if protocol == "icmp":
        low, high = ICMP_RANGE
        checked = []
        for name, value in (("port_from", port_from), ("port_to", port_to)):
            value = -1 if value is None else value
            if not low <= value <= high:
                raise ValidationError(f"Parameter '{name}' of an icmp rule must be between {low} and {high} "
                                      f"(-1 for any), not {value}", param=name)
            checked.append(value)
        return checked[0], checked[1]
    low, high = PORT_RANGE
    for name, value in (("port_from", port_from), ("port_to", port_to)):
        if value is None:
            raise ValidationError(f"Parameter '{name}' is required for {protocol} rules", param=name)
        if not low <= value <= high:
            raise ValidationError(f"Parameter '{name}' must be a port between {low} and {high}, not {value}",
                                  param=name)
    assert port_from is not None and port_to is not None
    if port_from > port_to:
        raise ValidationError(f"Parameter 'port_from' ({port_from}) must not be above 'port_to' ({port_to})",
                              param="port_from")
    return port_from, port_to


def address_source(text: str) -> RuleSource:
    """A CIDR block (``10.0.0.0/8``, ``2001:db8::/32``) or one address as a rule source."""
    value = text.strip()
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        hint = ""
        with contextlib.suppress(ValueError):
            hint = f"; did you mean {ipaddress.ip_network(value, strict=False)}?"
        reason = "has host bits set" if hint else "is not an IP address or CIDR block"
        raise ValidationError(f"Parameter 'ip_address': '{value[:64]}' {reason}{hint}",
                              param="ip_address") from exc
    return RuleSource("address", address=str(network.network_address), prefix=str(network.prefixlen),
                      family=f"ipv{network.version}")


def group_sources(groups: tuple[str, ...], owners: tuple[str, ...]) -> tuple[RuleSource, ...]:
    """Firewalls as rule sources; ``owners`` is empty (the caller's own) or gives one owner per group."""
    if owners and len(owners) != len(groups):
        raise ValidationError(f"Parameter 'group_owner': give an owner for every group or for none "
                              f"({len(groups)} groups, {len(owners)} owners)", param="group_owner")
    sources = []
    for index, name in enumerate(groups):
        name = name.strip()
        if not name:
            raise ValidationError("Parameter 'group': a group name must not be blank", param="group")
        sources.append(RuleSource("group", name=name, owner=owners[index].strip() if owners else ""))
    return tuple(sources)


def rule_sources(values: dict[str, Any]) -> tuple[RuleSource, ...]:
    """Every source of a rule, addresses first, without repeats; at least one is required."""
    sources = [address_source(text) for text in values.get("ip_address", ())]
    sources += group_sources(tuple(values.get("group", ())), tuple(values.get("group_owner", ())))
    if not sources:
        raise ValidationError("A rule needs at least one source: ip_address1… (CIDR blocks) or group1… "
                              "(firewalls)", param="ip_address")
    return tuple(dict.fromkeys(sources))


def add_rule(driver: Driver, id: str, values: dict[str, Any]) -> Firewall:
    """The invoke function of ``POST /api/firewalls/<id>/rules``: check everything, then add the rule."""
    protocol = values["protocol"]
    port_from, port_to = ports(protocol, values.get("port_from"), values.get("port_to"))
    return driver.add_firewall_rule(id, protocol, port_from, port_to, rule_sources(values))
