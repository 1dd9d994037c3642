"""XML and JSON writers of networks, subnets, network interfaces and a command's output, in 1.1's shapes."""

from __future__ import annotations

from typing import Any

from deltacloud.models import CommandOutput, Network, NetworkInterface, Subnet
from deltacloud.render import register
from deltacloud.render.context import RenderContext
from deltacloud.render.parts import Action, actions_json, actions_xml
from deltacloud.render.xmlutil import cdata, elem, esc


def _destroy(ctx: RenderContext, collection: str, id: str) -> list[Action]:
    return [("destroy", ctx.href(collection, id), "delete")] if ctx.offers(collection, "destroy") else []


def _link(ctx: RenderContext, collection: str, id: str) -> dict[str, str]:
    """A reference as 1.1 wrote them in this part of the API: id and href, no rel."""
    return {"id": id, "href": ctx.href(collection, id)}


def _element(tag: str, ctx: RenderContext, collection: str, id: str, rel: str | None = None, text: bool = False) -> str:
    rel_attr = f" rel='{rel}'" if rel else ""
    return (f"<{tag} href='{esc(ctx.href(collection, id))}' id='{esc(id)}'{rel_attr}>{esc(id) if text else ''}"
            f"</{tag}>")


# -- networks ----------------------------------------------------------------------------------

def network_xml(n: Network, ctx: RenderContext) -> str:
    """The XML element of one network."""
    blocks = "".join(elem("address_block", b) for b in n.address_blocks)
    subnets = "".join(_element("subnet", ctx, "subnets", s) for s in n.subnet_ids)
    return (f"<network href='{esc(ctx.href('networks', n.id))}' id='{esc(n.id)}'>{elem('name', n.name or n.id)}"
            f"{elem('state', n.state)}<address_blocks>{blocks}</address_blocks><subnets>{subnets}</subnets>"
            f"{actions_xml(_destroy(ctx, 'networks', n.id))}</network>")


def network_json(n: Network, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one network."""
    return {"id": n.id, "name": n.name or n.id, "href": ctx.href("networks", n.id), "state": n.state,
            "address_blocks": list(n.address_blocks), "subnets": [_link(ctx, "subnets", s) for s in n.subnet_ids],
            "actions": actions_json(_destroy(ctx, "networks", n.id))}


# -- subnets -----------------------------------------------------------------------------------

def subnet_xml(s: Subnet, ctx: RenderContext) -> str:
    """The XML element of one subnet."""
    return (f"<subnet href='{esc(ctx.href('subnets', s.id))}' id='{esc(s.id)}'>{elem('name', s.name or s.id)}"
            f"{elem('state', s.state)}{elem('type', s.type)}{elem('address_block', s.address_block)}"
            f"{_element('network', ctx, 'networks', s.network_id, text=True)}"
            f"{actions_xml(_destroy(ctx, 'subnets', s.id))}</subnet>")


def subnet_json(s: Subnet, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one subnet."""
    return {"id": s.id, "name": s.name or s.id, "href": ctx.href("subnets", s.id), "type": s.type,
            "state": s.state, "address_block": s.address_block, "network": _link(ctx, "networks", s.network_id),
            "actions": actions_json(_destroy(ctx, "subnets", s.id))}


# -- network interfaces --------------------------------------------------------------------------

def network_interface_xml(n: NetworkInterface, ctx: RenderContext) -> str:
    """The XML element of one network interface: its network, and its subnet when it is on one."""
    subnet = _element("subnet", ctx, "subnets", n.subnet_id, rel="subnet", text=True) if n.subnet_id else ""
    return (f"<network_interface href='{esc(ctx.href('network_interfaces', n.id))}' id='{esc(n.id)}'>"
            f"{elem('name', n.name or n.id)}{elem('ip_address', n.ip_address)}"
            f"{_element('network', ctx, 'networks', n.network_id, rel='network', text=True)}{subnet}"
            f"{_element('instance', ctx, 'instances', n.instance_id, text=True)}"
            f"{actions_xml(_destroy(ctx, 'network_interfaces', n.id))}</network_interface>")


def network_interface_json(n: NetworkInterface, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one network interface."""
    return {"id": n.id, "name": n.name or n.id, "href": ctx.href("network_interfaces", n.id),
            "network": _link(ctx, "networks", n.network_id),
            "subnet": _link(ctx, "subnets", n.subnet_id) if n.subnet_id else None,
            "instance": _link(ctx, "instances", n.instance_id), "ip_address": n.ip_address,
            "actions": actions_json(_destroy(ctx, "network_interfaces", n.id))}


# -- a command's output ----------------------------------------------------------------------------

def command_output_xml(c: CommandOutput, ctx: RenderContext) -> str:
    """1.1's answer to ``run``: the instance, the address used, the command and its output."""
    return (f"<instance href='{esc(ctx.href('instances', c.instance_id))}' id='{esc(c.instance_id)}'>"
            f"{elem('public_address', c.public_address)}<command>{cdata(c.command)}</command>"
            f"<output>{cdata(c.output)}</output></instance>")


def command_output_json(c: CommandOutput, ctx: RenderContext) -> dict[str, Any]:
    """The JSON form of a command's output."""
    return {"id": c.instance_id, "href": ctx.href("instances", c.instance_id), "public_address": c.public_address,
            "command": c.command, "output": c.output}


register(Network, xml=network_xml, json=network_json)
register(Subnet, xml=subnet_xml, json=subnet_json)
register(NetworkInterface, xml=network_interface_xml, json=network_interface_json)
register(CommandOutput, xml=command_output_xml, json=command_output_json)
