"""XML and JSON writers of the core models: realms, profiles, images, keys, drivers, the state machine."""

from __future__ import annotations

from typing import Any

from deltacloud.driver import StateMachine
from deltacloud.models import (
    DriverInfo,
    HardwareProfile,
    HardwareProperty,
    Image,
    Key,
    Realm,
)
from deltacloud.render import register
from deltacloud.render.context import RenderContext, quote_id
from deltacloud.render.parts import CLEAN_ID, XmlPrefixes, url_id
from deltacloud.render.xmlutil import attrs, cdata, elem, esc, esc_all

# -- realms ------------------------------------------------------------------------------------

def realm_xml(r: Realm, ctx: RenderContext) -> str:
    """The XML element of one realm."""
    url, id = url_id(r.id)
    name, state, limit = esc_all((r.name, r.state, r.limit))
    limit = f"<limit>{limit}</limit>" if r.limit else ""
    return (f"<realm href='{ctx.derived(XmlPrefixes)['realms']}{url}' id='{id}'>"
            f"<name>{name}</name><state>{state}</state>{limit}</realm>")


def realm_json(r: Realm, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one realm."""
    return {"id": r.id, "href": ctx.href("realms", r.id), "name": r.name, "state": r.state, "limit": r.limit}


# -- hardware profiles -------------------------------------------------------------------------

def _property_xml(p: HardwareProperty, instances: str) -> str:
    head = f"<property{attrs(kind=p.kind, name=p.name, unit=p.unit, value=p.value)}"
    if p.kind == "fixed":
        return head + " />"
    param = f"<param href='{instances}' method='post' name='hwp_{esc(p.name)}' operation='create' />"
    if p.kind == "range":
        body = f"<range first='{esc(p.first)}' last='{esc(p.last)}' />"
    else:
        body = "<enum>" + "".join(f"<entry value='{esc(v)}' />" for v in p.values) + "</enum>"
    return f"{head}>{param}{body}</property>"


def hardware_profile_xml(h: HardwareProfile, ctx: RenderContext) -> str:
    """The XML element of one hardware profile."""
    prefixes = ctx.derived(XmlPrefixes)
    instances = prefixes.base + "/instances"
    props = "".join(_property_xml(p, instances) for p in h.properties)
    url, id = url_id(h.id)
    return (f"<hardware_profile href='{prefixes['hardware_profiles']}{url}' id='{id}'>"
            f"<id>{id}</id>{elem('name', h.display_name)}{props}</hardware_profile>")


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

def image_xml(i: Image, ctx: RenderContext) -> str:
    """The XML element of one image."""
    prefixes = ctx.derived(XmlPrefixes)
    clean = CLEAN_ID.fullmatch(i.id) is not None
    url, id = (i.id, i.id) if clean else (esc(quote_id(i.id)), esc(i.id))
    href = prefixes["images"] + url
    name, description, owner, architecture, state, created, root_type = esc_all(
        (i.name or i.id, i.description, i.owner_id, i.architecture, i.state, i.creation_time, i.root_type))
    created = f"<creation_time>{created}</creation_time>" if i.creation_time else ""
    profiles = ""
    if i.hardware_profiles:
        profiles = "<hardware_profiles>" + "".join(
            f"<hardware_profile href='{prefixes['hardware_profiles']}{u}' id='{e}' rel='hardware_profile'>"
            "</hardware_profile>" for u, e in map(url_id, i.hardware_profiles)) + "</hardware_profiles>"
    # the id escaped twice, as 1.1 did: once in the URL, once as the attribute's text
    actions = (f"<link href='{prefixes.base}/instances;image_id={id if clean else esc(id)}' method='post' "
               "rel='create_instance' />")
    if ctx.offers("images", "destroy"):
        actions += f"<link href='{href}' method='delete' rel='destroy_image' />"
    return (f"<image href='{href}' id='{id}'><name>{name}</name><description>{description}</description>"
            f"<owner_id>{owner}</owner_id><architecture>{architecture}</architecture><state>{state}</state>"
            f"{created}{profiles}<root_type>{root_type}</root_type><actions>{actions}</actions></image>")


def image_json(i: Image, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one image."""
    href = ctx.href("images", i.id)
    actions = [{"rel": "create_instance", "href": f"{ctx.base}/instances;image_id={esc(i.id)}", "method": "post"}]
    if ctx.offers("images", "destroy"):
        actions.append({"rel": "destroy_image", "href": href, "method": "delete"})
    out: dict[str, Any] = {"id": i.id, "href": href, "name": i.name or i.id, "description": i.description,
                           "owner": i.owner_id, "owner_id": i.owner_id, "architecture": i.architecture,
                           "state": i.state}
    if i.creation_time:
        out["creation_time"] = i.creation_time
    out["root_type"] = i.root_type
    profiles = ctx.base + "/hardware_profiles/"
    out["hardware_profiles"] = [{"id": h, "href": profiles + quote_id(h), "rel": "hardware_profile"}
                                for h in i.hardware_profiles]
    out["actions"] = actions
    return out


# -- keys --------------------------------------------------------------------------------------

def key_xml(k: Key, ctx: RenderContext) -> str:
    """The XML element of one key."""
    url, id = url_id(k.id)
    href = ctx.derived(XmlPrefixes)["keys"] + url
    kind, name, state = esc_all((k.type, k.name or k.id, k.state))
    actions = f"<actions><link href='{href}' method='delete' rel='destroy' /></actions>" if ctx.offers(
        "keys", "destroy") else ""
    if k.type == "password":
        secret = f"{elem('username', k.username)}<password>{cdata(k.password)}</password>"
    else:
        pem = f"<pem>{cdata(k.pem)}</pem>" if k.pem else ""
        public_key = f"<public_key>{cdata(k.public_key)}</public_key>" if k.public_key else ""
        secret = f"{elem('fingerprint', k.fingerprint)}{pem}{public_key}"
    return (f"<key href='{href}' id='{id}' type='{kind}'><name>{name}</name>{actions}{secret}"
            f"<state>{state}</state></key>")


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
register(Key, xml=key_xml, json=key_json)
register(DriverInfo, xml=driver_xml, json=driver_json)
register(StateMachine, xml=states_xml, json=states_json)
