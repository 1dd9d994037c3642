"""XML and JSON writers of addresses, firewalls and load balancers, in the original API's shapes."""

from __future__ import annotations

from typing import Any

from deltacloud.models import Firewall, FirewallRule, LoadBalancer, PublicAddress, RuleSource
from deltacloud.render import register
from deltacloud.render.context import RenderContext, quote_id
from deltacloud.render.parts import Action, actions_json, actions_xml, number, ref
from deltacloud.render.xmlutil import attrs, cdata, elem, esc, link

# -- addresses -----------------------------------------------------------------------------------


def address_actions(a: PublicAddress, ctx: RenderContext) -> list[Action]:
    """Disassociate an associated address; associate or release a free one."""
    href = ctx.href("addresses", a.id)
    actions: list[Action] = []
    if a.instance_id:
        if ctx.offers("addresses", "disassociate"):
            actions.append(("disassociate", f"{href}/disassociate", "post"))
    else:
        if ctx.offers("addresses", "destroy"):
            actions.append(("destroy", href, "delete"))
        if ctx.offers("addresses", "associate"):
            actions.append(("associate", f"{href}/associate", "post"))
    return actions


def address_xml(a: PublicAddress, ctx: RenderContext) -> str:
    """The XML element of one public address."""
    parts = [f"<address href='{esc(ctx.href('addresses', a.id))}' id='{esc(a.id)}'>", elem("ip", a.ip),
             actions_xml(address_actions(a, ctx))]
    if a.instance_id:
        parts.append(f"<instance href='{esc(ctx.href('instances', a.instance_id))}' id='{esc(a.instance_id)}'>"
                     "</instance>")
    parts.append("</address>")
    return "".join(parts)


def address_json(a: PublicAddress, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one public address."""
    return {"id": a.id, "href": ctx.href("addresses", a.id), "ip": a.ip, "associated": bool(a.instance_id),
            "instance": ref(ctx, "instances", a.instance_id, "instance") if a.instance_id else None,
            "actions": actions_json(address_actions(a, ctx))}


# -- firewalls -----------------------------------------------------------------------------------


def _id_link(href: str, id: str, rel: str, method: str) -> str:
    return f"<link href='{esc(href)}' id='{esc(id)}' method='{method}' rel='{rel}' />"


def firewall_actions(f: Firewall, ctx: RenderContext) -> list[Action]:
    """Destroy the firewall, add a rule to it."""
    href = ctx.href("firewalls", f.id)
    actions: list[Action] = []
    if ctx.offers("firewalls", "destroy"):
        actions.append(("destroy", href, "delete"))
    if ctx.offers("firewalls", "add_rule"):
        actions.append(("add_rule", f"{href}/rules", "post"))
    return actions


def _source_xml(s: RuleSource) -> str:
    if s.type == "group":
        return f"<source{attrs(name=s.name, owner=s.owner)} type='group'></source>"
    return f"<source{attrs(address=s.address, family=s.family, prefix=s.prefix)} type='{esc(s.type)}'></source>"


def _source_json(s: RuleSource) -> dict[str, str]:
    if s.type == "group":
        return {"type": "group", "name": s.name, "owner": s.owner}
    return {"type": s.type, "family": s.family, "address": s.address, "prefix": s.prefix}


def _rule_href(f: Firewall, r: FirewallRule, ctx: RenderContext) -> str:
    return f"{ctx.href('firewalls', f.id)}/{quote_id(r.id)}"


def _rule_xml(f: Firewall, r: FirewallRule, ctx: RenderContext) -> str:
    actions = (f"<actions>{_id_link(_rule_href(f, r, ctx), r.id, 'destroy', 'delete')}</actions>"
               if ctx.offers("firewalls", "delete_rule") else "")
    sources = "".join(_source_xml(s) for s in r.sources)
    return (f"<rule id='{esc(r.id)}'>{actions}{elem('allow_protocol', r.protocol)}{elem('port_from', r.port_from)}"
            f"{elem('port_to', r.port_to)}{elem('direction', r.direction)}<rule_action></rule_action>"
            f"<log_rule></log_rule><sources>{sources}</sources></rule>")


def firewall_xml(f: Firewall, ctx: RenderContext) -> str:
    """The XML element of one firewall and its rules."""
    actions = "".join(_id_link(h, f.id, r, m) for r, h, m in firewall_actions(f, ctx))
    rules = "".join(_rule_xml(f, r, ctx) for r in f.rules)
    return (f"<firewall href='{esc(ctx.href('firewalls', f.id))}' id='{esc(f.id)}'>"
            f"{'<actions>' + actions + '</actions>' if actions else ''}"
            f"<name>{cdata(f.name or f.id)}</name><description>{cdata(f.description)}</description>"
            f"{elem('owner_id', f.owner_id)}<rules>{rules}</rules></firewall>")


def firewall_json(f: Firewall, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one firewall and its rules."""
    rules = []
    for r in f.rules:
        rule: dict[str, Any] = {"id": r.id, "allow_protocol": r.protocol, "port_from": number(r.port_from),
                                "port_to": number(r.port_to), "direction": r.direction,
                                "sources": [_source_json(s) for s in r.sources]}
        if ctx.offers("firewalls", "delete_rule"):
            rule["actions"] = actions_json([("destroy", _rule_href(f, r, ctx), "delete")])
        rules.append(rule)
    return {"id": f.id, "href": ctx.href("firewalls", f.id), "name": f.name or f.id, "description": f.description,
            "owner_id": f.owner_id, "rules": rules, "actions": actions_json(firewall_actions(f, ctx))}


# -- load balancers ------------------------------------------------------------------------------


def balancer_actions(b: LoadBalancer, ctx: RenderContext) -> list[Action]:
    """Destroy the load balancer, register an instance, unregister one while any is registered."""
    href = ctx.href("load_balancers", b.id)
    actions: list[Action] = []
    if ctx.offers("load_balancers", "destroy"):
        actions.append(("destroy", href, "delete"))
    if ctx.offers("load_balancers", "register"):
        actions.append(("register", f"{href}/register", "post"))
    if b.instance_ids and ctx.offers("load_balancers", "unregister"):
        actions.append(("unregister", f"{href}/unregister", "post"))
    return actions


def _unregister_href(b: LoadBalancer, instance_id: str, ctx: RenderContext) -> str:
    return f"{ctx.href('load_balancers', b.id, 'unregister')};instance_id={esc(instance_id)}"


def _member_xml(b: LoadBalancer, instance_id: str, ctx: RenderContext, unregister: bool) -> str:
    unlink = link(_unregister_href(b, instance_id, ctx), "unregister") if unregister else ""
    return f"<instance href='{esc(ctx.href('instances', instance_id))}' id='{esc(instance_id)}'>{unlink}</instance>"


def balancer_xml(b: LoadBalancer, ctx: RenderContext) -> str:
    """The XML element of one load balancer."""
    parts = [f"<load_balancer href='{esc(ctx.href('load_balancers', b.id))}' id='{esc(b.id)}'>",
             elem("name", b.name or b.id), actions_xml(balancer_actions(b, ctx)),
             "<public_addresses>" + "".join(elem("address", a) for a in b.public_addresses) + "</public_addresses>"]
    if b.created_at:
        parts.append(elem("created_at", b.created_at))
    parts.append("<realms>" + "".join(f"<realm href='{esc(ctx.href('realms', r))}' id='{esc(r)}'></realm>"
                                      for r in b.realm_ids) + "</realms>")
    parts.append("<listeners>" + "".join(
        f"<listener protocol='{esc(li.protocol)}'>{elem('load_balancer_port', li.load_balancer_port)}"
        f"{elem('instance_port', li.instance_port)}</listener>" for li in b.listeners) + "</listeners>")
    unregister = ctx.offers("load_balancers", "unregister")
    parts.append("<instances>" + "".join(_member_xml(b, i, ctx, unregister) for i in b.instance_ids) + "</instances>")
    parts.append("</load_balancer>")
    return "".join(parts)


def balancer_json(b: LoadBalancer, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one load balancer."""
    unregister = ctx.offers("load_balancers", "unregister")
    return {
        "id": b.id, "href": ctx.href("load_balancers", b.id), "name": b.name or b.id, "created_at": b.created_at,
        "public_addresses": list(b.public_addresses),
        "realms": [ref(ctx, "realms", r, "realm") for r in b.realm_ids],
        "listeners": [{"protocol": li.protocol, "load_balancer_port": number(li.load_balancer_port),
                       "instance_port": number(li.instance_port)} for li in b.listeners],
        "instances": [{**ref(ctx, "instances", i, "instance"),
                       **({"actions": actions_json([("unregister", _unregister_href(b, i, ctx), "post")])}
                          if unregister else {})} for i in b.instance_ids],
        "actions": actions_json(balancer_actions(b, ctx)),
    }


register(PublicAddress, xml=address_xml, json=address_json)
register(Firewall, xml=firewall_xml, json=firewall_json)
register(LoadBalancer, xml=balancer_xml, json=balancer_json)
