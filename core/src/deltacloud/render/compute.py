"""XML and JSON writers of the core models: realms, profiles, images, instances, keys, drivers, states."""

from __future__ import annotations

import re
from typing import Any

from deltacloud.driver import StateMachine
from deltacloud.models import Address, DriverInfo, HardwareProfile, HardwareProperty, Image, Instance, Key, Realm
from deltacloud.render import register
from deltacloud.render.context import RenderContext
from deltacloud.render.parts import known
from deltacloud.render.xmlutil import attrs, cdata, elem, esc, link


def _ref(ctx: RenderContext, collection: str, id: str) -> dict[str, str]:
    return {"id": id, "href": ctx.href(collection, id), "rel": collection[:-1]}


# -- realms ------------------------------------------------------------------------------------

def realm_xml(r: Realm, ctx: RenderContext) -> str:
    """The XML element of one realm."""
    limit = elem("limit", r.limit) if r.limit else ""
    return (f"<realm href='{esc(ctx.href('realms', r.id))}' id='{esc(r.id)}'>"
            f"{elem('name', r.name)}{elem('state', r.state)}{limit}</realm>")


def realm_json(r: Realm, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one realm."""
    return {"id": r.id, "href": ctx.href("realms", r.id), "name": r.name, "state": r.state, "limit": r.limit}


# -- hardware profiles -------------------------------------------------------------------------

def _property_xml(p: HardwareProperty, ctx: RenderContext) -> str:
    head = f"<property{attrs(kind=p.kind, name=p.name, unit=p.unit, value=p.value)}"
    if p.kind == "fixed":
        return head + " />"
    param = (f"<param href='{esc(ctx.href('instances'))}' method='post' name='hwp_{esc(p.name)}' "
             "operation='create' />")
    if p.kind == "range":
        body = f"<range first='{esc(p.first)}' last='{esc(p.last)}' />"
    else:
        body = "<enum>" + "".join(f"<entry value='{esc(v)}' />" for v in p.values) + "</enum>"
    return f"{head}>{param}{body}</property>"


def hardware_profile_xml(h: HardwareProfile, ctx: RenderContext) -> str:
    """The XML element of one hardware profile."""
    props = "".join(_property_xml(p, ctx) for p in h.properties)
    return (f"<hardware_profile href='{esc(ctx.href('hardware_profiles', h.id))}' id='{esc(h.id)}'>"
            f"{elem('id', h.id)}{elem('name', h.display_name)}{props}</hardware_profile>")


def _property_json(p: HardwareProperty) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": p.kind, "unit": p.unit, "value": p.value}
    if p.kind == "range":
        out["range"] = {"first": p.first, "last": p.last}
    elif p.kind == "enum":
        out["enum"] = list(p.values)
    if p.kind != "fixed":
        out["param"] = f"hwp_{p.name}"
    return out


def hardware_profile_json(h: HardwareProfile, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one hardware profile.

    ``properties`` maps each property to its default value, as 1.1 did; ``property_details``
    keeps what 1.1's JSON lost: kind, unit, range or enum, and the ``hwp_*`` parameter.
    """
    return {"id": h.id, "href": ctx.href("hardware_profiles", h.id), "name": h.display_name,
            "properties": {p.name: p.value for p in h.properties},
            "property_details": {p.name: _property_json(p) for p in h.properties}}


# -- images ------------------------------------------------------------------------------------

def _image_actions(i: Image, ctx: RenderContext) -> list[tuple[str, str, str]]:
    actions = [("create_instance", f"{ctx.href('instances')};image_id={esc(i.id)}", "post")]
    if ctx.offers("images", "destroy"):
        actions.append(("destroy_image", ctx.href("images", i.id), "delete"))
    return actions


def image_xml(i: Image, ctx: RenderContext) -> str:
    """The XML element of one image."""
    parts = [f"<image href='{esc(ctx.href('images', i.id))}' id='{esc(i.id)}'>", elem("name", i.name or i.id),
             elem("description", i.description), elem("owner_id", i.owner_id), elem("architecture", i.architecture),
             elem("state", i.state)]
    if i.creation_time:
        parts.append(elem("creation_time", i.creation_time))
    if i.hardware_profiles:
        parts.append("<hardware_profiles>" + "".join(
            f"<hardware_profile href='{esc(ctx.href('hardware_profiles', h))}' id='{esc(h)}' "
            "rel='hardware_profile'></hardware_profile>" for h in i.hardware_profiles) + "</hardware_profiles>")
    parts.append(elem("root_type", i.root_type))
    parts.append("<actions>" + "".join(link(h, r, m) for r, h, m in _image_actions(i, ctx)) + "</actions></image>")
    return "".join(parts)


def image_json(i: Image, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one image."""
    return {"id": i.id, "href": ctx.href("images", i.id), "name": i.name or i.id, "description": i.description,
            "owner": i.owner_id, "owner_id": i.owner_id, "architecture": i.architecture, "state": i.state,
            **known(creation_time=i.creation_time), "root_type": i.root_type,
            "hardware_profiles": [_ref(ctx, "hardware_profiles", h) for h in i.hardware_profiles],
            "actions": [{"rel": r, "href": h, "method": m} for r, h, m in _image_actions(i, ctx)]}


# -- instances ---------------------------------------------------------------------------------

def instance_actions(i: Instance, ctx: RenderContext) -> list[tuple[str, str, str]]:
    """``(rel, href, method)`` of each action the instance's state allows, then create_image."""
    machine: StateMachine = ctx.driver_class.state_machine  # type: ignore[attr-defined]
    actions = []
    for action in machine.actions_for(i.state):
        if action == "destroy":
            actions.append(("destroy", ctx.href("instances", i.id), "delete"))
        else:
            actions.append((action, ctx.href("instances", i.id, action), "post"))
    if ctx.offers("instances", "run"):
        # 1.1 offered run in every state, with the id repeated as a matrix parameter; clients follow the link.
        actions.append(("run", f"{ctx.href('instances', i.id, 'run')};id={_quote_matrix(i.id)}", "post"))
    if i.create_image and ctx.offers("images", "create"):
        actions.append(("create_image", f"{ctx.href('images')};instance_id={esc(i.id)}", "post"))
    return actions


_PLAIN_MATRIX = re.compile(r"[A-Za-z0-9@:.\-_~!$&'()*+,]*")


def _quote_matrix(value: str) -> str:
    if _PLAIN_MATRIX.fullmatch(value):  # nothing to quote (most ids)
        return value
    from urllib.parse import quote

    return quote(value, safe="@:.-_~!$&'()*+,")


def _addresses_xml(tag: str, addresses: tuple[Address, ...]) -> str:
    return f"<{tag}>" + "".join(
        f"<address{attrs(type=a.type or 'unavailable', port=a.port)}>{esc(a.address)}</address>"
        for a in addresses) + f"</{tag}>"


def _auth_type(ctx: RenderContext) -> str | None:
    if "authentication_password" in ctx.feature_names:
        return "password"
    if "authentication_key" in ctx.feature_names:
        return "key"
    return None


def instance_xml(i: Instance, ctx: RenderContext) -> str:
    """The XML element of one instance."""
    href = ctx.href("instances", i.id)
    overrides = "".join(f"<property{attrs(kind='fixed', name=n, value=v, unit=HardwareProperty(n, 'fixed', v).unit)}"
                        " />" for n, v in i.hardware_profile_overrides)
    # an instance whose image is unknown (a libvirt domain defined outside any cloud) has no <image>
    image = f"<image href='{esc(ctx.href('images', i.image_id))}' id='{esc(i.image_id)}'></image>" if i.image_id else ""
    parts = [f"<instance href='{esc(href)}' id='{esc(i.id)}'>", elem("name", i.name), elem("owner_id", i.owner_id),
             image,
             f"<realm href='{esc(ctx.href('realms', i.realm_id))}' id='{esc(i.realm_id)}'></realm>",
             elem("state", i.state),
             f"<hardware_profile href='{esc(ctx.href('hardware_profiles', i.hardware_profile_id))}' "
             f"id='{esc(i.hardware_profile_id)}'>{overrides}</hardware_profile>",
             "<actions>" + "".join(link(h, r, m) for r, h, m in instance_actions(i, ctx)) + "</actions>"]
    if i.launch_time:
        parts.append(elem("launch_time", i.launch_time))
    parts.append(_addresses_xml("public_addresses", i.public_addresses))
    parts.append(_addresses_xml("private_addresses", i.private_addresses))
    if i.firewalls:
        parts.append("<firewalls>" + "".join(f"<firewall href='{esc(ctx.href('firewalls', f))}' id='{esc(f)}' />"
                                             for f in i.firewalls) + "</firewalls>")
    parts.append("<storage_volumes>" + "".join(
        f"<storage_volume href='{esc(ctx.href('storage_volumes', v.id))}' id='{esc(v.id)}'"
        f"{attrs(device=v.device)} />" for v in i.storage_volumes) + "</storage_volumes>")
    auth = _auth_type(ctx)
    if auth == "key" or (auth and i.keyname):
        # 1.1 wrote <login><keyname> when the instance had a key name, even an empty one; we always do.
        parts.append(f"<authentication type='key'><login>{elem('keyname', i.keyname)}</login></authentication>")
    elif auth == "password":
        login = (f"<login>{elem('username', i.username)}<password>{cdata(i.password)}</password></login>"
                 if i.username or i.password else "")
        parts.append(f"<authentication type='password'>{login}</authentication>")
    if ctx.offers("network_interfaces", "index"):
        parts.append("<network_interfaces>" + "".join(
            f"<network_interface href='{esc(ctx.href('network_interfaces', n))}' id='{esc(n)}'></network_interface>"
            for n in i.network_interfaces) + "</network_interfaces>")
    parts.append("</instance>")
    return "".join(parts)


def instance_json(i: Instance, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one instance."""
    out: dict[str, Any] = {
        "id": i.id, "href": ctx.href("instances", i.id), "name": i.name, "owner_id": i.owner_id, "owner": i.owner_id,
        **({"image": _ref(ctx, "images", i.image_id)} if i.image_id else {}),
        "realm": _ref(ctx, "realms", i.realm_id), "state": i.state,
        "hardware_profile": {**_ref(ctx, "hardware_profiles", i.hardware_profile_id),
                             "properties": dict(i.hardware_profile_overrides)},
        "actions": [{"rel": r, "href": h, "method": m} for r, h, m in instance_actions(i, ctx)],
        **known(launch_time=i.launch_time, create_time=i.launch_time),
        "public_addresses": [{"type": a.type, "address": a.address, **({"port": a.port} if a.port else {})}
                             for a in i.public_addresses],
        "private_addresses": [{"type": a.type, "address": a.address, **({"port": a.port} if a.port else {})}
                              for a in i.private_addresses],
        "storage_volumes": [{**_ref(ctx, "storage_volumes", v.id), "device": v.device} for v in i.storage_volumes],
        "firewalls": [_ref(ctx, "firewalls", f) for f in i.firewalls],
        "create_image": i.create_image and ctx.offers("images", "create"),
    }
    if ctx.offers("network_interfaces", "index"):
        out["network_interfaces"] = [_ref(ctx, "network_interfaces", n) for n in i.network_interfaces]
    auth = _auth_type(ctx)
    if auth == "key" or (auth and i.keyname):
        out["authentication_type"] = "key"
        out["authentication"] = {"keyname": i.keyname}
    elif auth == "password":
        out["authentication_type"] = "password"
        out["authentication"] = {"user": i.username, "password": i.password} if i.username or i.password else {}
    return out


# -- keys --------------------------------------------------------------------------------------

def key_xml(k: Key, ctx: RenderContext) -> str:
    """The XML element of one key."""
    href = ctx.href("keys", k.id)
    parts = [f"<key href='{esc(href)}' id='{esc(k.id)}' type='{esc(k.type)}'>", elem("name", k.name or k.id)]
    if ctx.offers("keys", "destroy"):
        parts.append(f"<actions>{link(href, 'destroy', 'delete')}</actions>")
    if k.type == "password":
        parts.append(f"{elem('username', k.username)}<password>{cdata(k.password)}</password>")
    else:
        parts.append(elem("fingerprint", k.fingerprint))
        if k.pem:
            parts.append(f"<pem>{cdata(k.pem)}</pem>")
        if k.public_key:
            parts.append(f"<public_key>{cdata(k.public_key)}</public_key>")
    parts.append(f"{elem('state', k.state)}</key>")
    return "".join(parts)


def key_json(k: Key, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one key."""
    out: dict[str, Any] = {"id": k.id, "href": ctx.href("keys", k.id), "name": k.name or k.id,
                           "credential_type": k.type, "type": k.type, "state": k.state}
    # 1.1 sent username and password (null for a key pair) and fingerprint and pem_rsa_key on every key.
    if k.type == "password":
        out.update(username=k.username, password=k.password, fingerprint=None, pem_rsa_key=None)
    else:
        out.update(username=None, password=None, fingerprint=k.fingerprint, pem_rsa_key=k.pem,
                   public_key=k.public_key)
    if ctx.offers("keys", "destroy"):
        out["actions"] = [{"rel": "destroy", "href": ctx.href("keys", k.id), "method": "delete"}]
    return out


# -- drivers and the state machine --------------------------------------------------------------

def driver_xml(d: DriverInfo, ctx: RenderContext) -> str:
    """The XML element of one driver and its providers."""
    providers = "".join(
        f"<provider id='{esc(p.id)}'>" + "".join(f"<entrypoint kind='{esc(k)}'>{cdata(u)}</entrypoint>"
                                                 for k, u in p.entrypoints) + "</provider>"
        for p in d.providers)
    head = f"<driver href='{esc(ctx.href('drivers', d.id))}' id='{esc(d.id)}'>"
    return f"{head}{elem('name', d.name)}{providers}</driver>"


def driver_json(d: DriverInfo, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one driver and its providers."""
    return {"id": d.id, "href": ctx.href("drivers", d.id), "name": d.name,
            "providers": [{"id": p.id, "entrypoints": dict(p.entrypoints)} for p in d.providers]}


def states_xml(m: StateMachine, _ctx: RenderContext) -> str:
    """The XML of the state machine."""
    out = ["<states>"]
    for state in m.states:
        out.append(f"<state name='{state}'>")
        for t in m.transitions_from(state):
            out.append(f"<transition{attrs(action=t.action, auto='true' if t.automatic else None)} to='{t.target}'>"
                       "</transition>")
        out.append("</state>")
    out.append("</states>")
    return "".join(out)


def states_json(m: StateMachine, _ctx: RenderContext) -> dict[str, Any]:
    """The JSON of the state machine."""
    return {"states": [{"name": s, "transitions": [
        {"to": t.target, **({"auto": "true"} if t.automatic else {"action": t.action})}
        for t in m.transitions_from(s)]} for s in m.states]}


register(Realm, xml=realm_xml, json=realm_json)
register(HardwareProfile, xml=hardware_profile_xml, json=hardware_profile_json)
register(Image, xml=image_xml, json=image_json)
register(Instance, xml=instance_xml, json=instance_json)
register(Key, xml=key_xml, json=key_json)
register(DriverInfo, xml=driver_xml, json=driver_json)
register(StateMachine, xml=states_xml, json=states_json)
