"""XML and JSON writers of the core models: realms, profiles, images, instances, keys, drivers, states."""

from __future__ import annotations

from typing import Any

from deltacloud.driver import StateMachine
from deltacloud.models import (
    PROPERTY_UNITS,
    Address,
    DriverInfo,
    HardwareProfile,
    HardwareProperty,
    Image,
    Instance,
    Key,
    Realm,
)
from deltacloud.render import register
from deltacloud.render.context import RenderContext, quote_id, quote_matrix
from deltacloud.render.parts import CLEAN_ID, XmlPrefixes, auth_type, refs_xml, url_id
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


# -- instances ---------------------------------------------------------------------------------

#: The end of an action link after the instance's href, by action (the state machine's actions).
_LINK_TAILS = {"destroy": "' method='delete' rel='destroy' />",
               **{a: f"/{a}' method='post' rel='{a}' />" for a in ("reboot", "stop", "start")}}


class _InstanceLinks:
    """What an instance's XML takes from its context alone: escaped URL prefixes, offers, authentication."""

    __slots__ = ("auth", "create_image", "firewalls", "images", "instances", "interfaces", "profiles", "realms",
                 "run", "volumes")

    #: How the prefixes are written: escaped for an XML attribute.
    escape = staticmethod(esc)

    def __init__(self, ctx: RenderContext) -> None:
        base = self.escape(ctx.base)
        self.instances = f"{base}/instances/"
        self.images = f"{base}/images/"
        self.realms = f"{base}/realms/"
        self.profiles = f"{base}/hardware_profiles/"
        self.firewalls = f"{base}/firewalls/"
        self.volumes = f"{base}/storage_volumes/"
        self.interfaces = f"{base}/network_interfaces/" if ctx.offers("network_interfaces", "index") else None
        self.run = ctx.offers("instances", "run")
        self.create_image = f"{base}/images;instance_id=" if ctx.offers("images", "create") else None
        self.auth = auth_type(ctx)


class _InstanceUrls(_InstanceLinks):
    """The same for an instance's JSON: the URL prefixes as they are."""

    __slots__ = ()

    #: How the prefixes are written: as they are.
    escape = staticmethod(str)


def instance_actions(i: Instance, ctx: RenderContext) -> list[tuple[str, str, str]]:
    """``(rel, href, method)`` of each action the instance's state allows, then create_image."""
    at = ctx.derived(_InstanceUrls)
    return _actions(i, at.instances + quote_id(i.id), at, ctx.driver_class.state_machine)  # type: ignore[attr-defined]


def _actions(i: Instance, href: str, at: _InstanceLinks, machine: StateMachine) -> list[tuple[str, str, str]]:
    actions = [("destroy", href, "delete") if action == "destroy" else (action, f"{href}/{action}", "post")
               for action in machine.actions_for(i.state)]
    if at.run:
        # 1.1 offered run in every state, with the id repeated as a matrix parameter; clients follow the link.
        actions.append(("run", f"{href}/run;id={quote_matrix(i.id)}", "post"))
    if i.create_image and at.create_image is not None:
        actions.append(("create_image", at.create_image + esc(i.id), "post"))
    return actions


def _actions_xml(i: Instance, href: str, clean: bool, at: _InstanceLinks, machine: StateMachine) -> str:
    """The ``<link>``s of ``instance_actions``, from the instance's escaped href; ``clean``: its id is ``CLEAN_ID``."""
    links = ""
    for action in machine.actions_for(i.state):
        tail = _LINK_TAILS.get(action) or f"/{esc(action)}' method='post' rel='{esc(action)}' />"
        links += f"<link href='{href}{tail}"
    if at.run:
        matrix = i.id if clean and "=" not in i.id else esc(quote_matrix(i.id))
        links += f"<link href='{href}/run;id={matrix}' method='post' rel='run' />"
    if i.create_image and at.create_image is not None:
        # the id escaped twice, as 1.1 did: once in the URL, once as the attribute's text
        twice = i.id if clean else esc(esc(i.id))
        links += f"<link href='{at.create_image}{twice}' method='post' rel='create_image' />"
    return links


def _addresses_xml(addresses: tuple[Address, ...]) -> str:
    out = ""
    for a in addresses:
        kind, address = esc_all((a.type or "unavailable", a.address))
        port = "" if a.port is None or a.port == "" else f" port='{esc(a.port)}'"
        out += f"<address type='{kind}'{port}>{address}</address>"
    return out


def _overrides_xml(overrides: tuple[tuple[str, str], ...]) -> str:
    """The ``hwp_*`` values as fixed properties; attributes as ``attrs`` writes them (empty ones left out)."""
    out = ""
    for n, v in overrides:
        name = "" if n is None or n == "" else f" name='{esc(n)}'"
        value = "" if v is None or v == "" else f" value='{esc(v)}'"
        out += f"<property kind='fixed'{name}{value} unit='{PROPERTY_UNITS.get(n, 'label')}' />"
    return out


def _volumes_xml(i: Instance, prefix: str) -> str:
    out = ""
    for v in i.storage_volumes:
        url, id = url_id(v.id)
        device = "" if v.device is None or v.device == "" else f" device='{esc(v.device)}'"
        out += f"<storage_volume href='{prefix}{url}' id='{id}'{device} />"
    return out


def _authentication_xml(i: Instance, auth: str | None, keyname: object) -> str:
    if auth == "key" or (auth and i.keyname):
        # 1.1 wrote <login><keyname> when the instance had a key name, even an empty one; we always do.
        return f"<authentication type='key'><login><keyname>{keyname}</keyname></login></authentication>"
    if auth == "password":
        login = (f"<login>{elem('username', i.username)}<password>{cdata(i.password)}</password></login>"
                 if i.username or i.password else "")
        return f"<authentication type='password'>{login}</authentication>"
    return ""


def instance_xml(i: Instance, ctx: RenderContext) -> str:
    """The XML element of one instance."""
    at = ctx.derived(_InstanceLinks)
    try:  # one look at the four ids: most need neither quoting nor escaping
        clean_ids = CLEAN_ID.fullmatch(",".join((i.id, i.image_id, i.realm_id, i.hardware_profile_id))) is not None
    except TypeError:  # an id that is not text: each on its own
        clean_ids = False
    if clean_ids:
        clean = True
        id_url = id_attr = i.id
        image_url = image_id = i.image_id
        realm_url = realm_id = i.realm_id
        profile_url = profile_id = i.hardware_profile_id
    else:
        clean = CLEAN_ID.fullmatch(i.id) is not None
        id_url, id_attr = (i.id, i.id) if clean else (esc(quote_id(i.id)), esc(i.id))
        image_url, image_id = url_id(i.image_id) if i.image_id else ("", "")
        realm_url, realm_id = url_id(i.realm_id)
        profile_url, profile_id = url_id(i.hardware_profile_id)
    href = at.instances + id_url
    # an instance whose image is unknown (a libvirt domain defined outside any cloud) has no <image>
    image = f"<image href='{at.images}{image_url}' id='{image_id}'></image>" if i.image_id else ""
    name, owner, state, launch, keyname = esc_all((i.name, i.owner_id, i.state, i.launch_time, i.keyname))
    overrides = _overrides_xml(i.hardware_profile_overrides) if i.hardware_profile_overrides else ""
    actions = _actions_xml(i, href, clean, at, ctx.driver_class.state_machine)  # type: ignore[attr-defined]
    launch = f"<launch_time>{launch}</launch_time>" if i.launch_time else ""
    firewalls = f"<firewalls>{refs_xml('firewall', at.firewalls, i.firewalls)}</firewalls>" if i.firewalls else ""
    volumes = _volumes_xml(i, at.volumes) if i.storage_volumes else ""
    interfaces = ("" if at.interfaces is None else "<network_interfaces>" + refs_xml(
        "network_interface", at.interfaces, i.network_interfaces, "></network_interface>") + "</network_interfaces>")
    return (f"<instance href='{href}' id='{id_attr}'><name>{name}</name><owner_id>{owner}</owner_id>"
            f"{image}<realm href='{at.realms}{realm_url}' id='{realm_id}'></realm><state>{state}</state>"
            f"<hardware_profile href='{at.profiles}{profile_url}' id='{profile_id}'>{overrides}</hardware_profile>"
            f"<actions>{actions}</actions>{launch}"
            f"<public_addresses>{_addresses_xml(i.public_addresses)}</public_addresses>"
            f"<private_addresses>{_addresses_xml(i.private_addresses)}</private_addresses>{firewalls}"
            f"<storage_volumes>{volumes}</storage_volumes>{_authentication_xml(i, at.auth, keyname)}{interfaces}"
            "</instance>")


def _addresses_json(addresses: tuple[Address, ...]) -> list[dict[str, str]]:
    return [{"type": a.type, "address": a.address, "port": a.port} if a.port else {"type": a.type, "address": a.address}
            for a in addresses]


def instance_json(i: Instance, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one instance."""
    at = ctx.derived(_InstanceUrls)
    href = at.instances + quote_id(i.id)
    out: dict[str, Any] = {"id": i.id, "href": href, "name": i.name, "owner_id": i.owner_id, "owner": i.owner_id}
    if i.image_id:
        out["image"] = {"id": i.image_id, "href": at.images + quote_id(i.image_id), "rel": "image"}
    out["realm"] = {"id": i.realm_id, "href": at.realms + quote_id(i.realm_id), "rel": "realm"}
    out["state"] = i.state
    out["hardware_profile"] = {"id": i.hardware_profile_id, "href": at.profiles + quote_id(i.hardware_profile_id),
                               "rel": "hardware_profile", "properties": dict(i.hardware_profile_overrides)}
    out["actions"] = [{"rel": r, "href": h, "method": m}
                      for r, h, m in _actions(i, href, at, ctx.driver_class.state_machine)]  # type: ignore[attr-defined]
    if i.launch_time:
        out["launch_time"] = out["create_time"] = i.launch_time
    out["public_addresses"] = _addresses_json(i.public_addresses)
    out["private_addresses"] = _addresses_json(i.private_addresses)
    out["storage_volumes"] = [{"id": v.id, "href": at.volumes + quote_id(v.id), "rel": "storage_volume",
                               "device": v.device} for v in i.storage_volumes]
    out["firewalls"] = [{"id": f, "href": at.firewalls + quote_id(f), "rel": "firewall"} for f in i.firewalls]
    out["create_image"] = i.create_image and at.create_image is not None
    if at.interfaces is not None:
        out["network_interfaces"] = [{"id": n, "href": at.interfaces + quote_id(n), "rel": "network_interface"}
                                     for n in i.network_interfaces]
    if at.auth == "key" or (at.auth and i.keyname):
        out["authentication_type"] = "key"
        out["authentication"] = {"keyname": i.keyname}
    elif at.auth == "password":
        out["authentication_type"] = "password"
        out["authentication"] = {"user": i.username, "password": i.password} if i.username or i.password else {}
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
register(Instance, xml=instance_xml, json=instance_json)
register(Key, xml=key_xml, json=key_json)
register(DriverInfo, xml=driver_xml, json=driver_json)
register(StateMachine, xml=states_xml, json=states_json)
