"""XML and JSON writers of instances: their links, addresses, profile overrides, volumes and actions."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from deltacloud.driver import StateMachine
from deltacloud.models import PROPERTY_UNITS, Address, Instance
from deltacloud.render import register
from deltacloud.render.context import RenderContext, quote_id, quote_matrix
from deltacloud.render.jsonutil import JSON_PLAIN, dumps, inner
from deltacloud.render.parts import CLEAN_ID, auth_type, refs_xml, url_id
from deltacloud.render.xmlutil import cdata, elem, esc, esc_all

#: The end of an action link after the instance's href, by action (the state machine's actions).
_LINK_TAILS = {"destroy": "' method='delete' rel='destroy' />",
               **{a: f"/{a}' method='post' rel='{a}' />" for a in ("reboot", "stop", "start")}}


class _InstanceLinks:
    """What an instance's XML takes from its context alone: escaped URL prefixes, offers, authentication."""

    __slots__ = ("auth", "create_image", "firewalls", "id_links", "images", "instances", "interfaces", "profiles",
                 "realms", "run", "state_links", "volumes")

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
        #: Each state's action links as the pieces between the instance's hrefs (``_state_links``).
        self.state_links: dict[str, tuple[str, ...]] = {}
        #: By state and ``create_image``: all the action links of an instance whose id goes in them as
        #: it is, as the pieces around each place of the id (``_id_links``).
        self.id_links: dict[tuple[str, bool], tuple[str, ...]] = {}


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


def _state_links(actions: tuple[str, ...]) -> tuple[str, ...]:
    """The ``<link>``s of ``actions`` as the pieces around each place of the href: ``href.join(pieces)`` writes them."""
    tails = [_LINK_TAILS.get(a) or f"/{esc(a)}' method='post' rel='{esc(a)}' />" for a in actions]
    return ("<link href='", *[tail + "<link href='" for tail in tails[:-1]], tails[-1]) if tails else ("",)


#: Stands for the id in the links ``_id_links`` makes (no escaped prefix or action name holds it).
_ID = "\x00"


def _id_links(i: Instance, at: _InstanceLinks, machine: StateMachine, write: Any) -> tuple[str, ...]:
    """``write(i, at, machine)`` (the links with ``_ID`` for the id) split around the id, kept on ``at``."""
    key = (i.state, bool(i.create_image))
    pieces = at.id_links.get(key)
    if pieces is None:
        pieces = tuple(write(i, at, machine).split(_ID))
        if len(at.id_links) < 128:  # the driver's states, not any text a cloud may send
            at.id_links[key] = pieces
    return pieces


def _id_actions_xml(i: Instance, at: _InstanceLinks, machine: StateMachine) -> str:
    links = (at.instances + _ID).join(_state_links(machine.actions_for(i.state)))
    if at.run:
        links += f"<link href='{at.instances}{_ID}/run;id={_ID}' method='post' rel='run' />"
    if i.create_image and at.create_image is not None:
        links += f"<link href='{at.create_image}{_ID}' method='post' rel='create_image' />"
    return links


def _actions_xml(i: Instance, href: str, clean: bool, at: _InstanceLinks, machine: StateMachine) -> str:
    """The ``<link>``s of ``instance_actions``, from the instance's escaped href; ``clean``: its id is ``CLEAN_ID``."""
    if clean and "=" not in i.id:  # the id as it is in every link (the run link's matrix value too): one join
        return i.id.join(_id_links(i, at, machine, _id_actions_xml))
    pieces = at.state_links.get(i.state)
    if pieces is None:
        pieces = _state_links(machine.actions_for(i.state))
        if len(at.state_links) < 64:  # the driver's states, not any text a cloud may send
            at.state_links[i.state] = pieces
    links = href.join(pieces)
    if at.run:
        matrix = i.id if clean and "=" not in i.id else esc(quote_matrix(i.id))
        links += f"<link href='{href}/run;id={matrix}' method='post' rel='run' />"
    if i.create_image and at.create_image is not None:
        # the id escaped twice, as 1.1 did: once in the URL, once as the attribute's text
        twice = i.id if clean else esc(esc(i.id))
        links += f"<link href='{at.create_image}{twice}' method='post' rel='create_image' />"
    return links


#: The port of an address written without one.
_NO_PORT = (None, "")


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
    public, private = i.public_addresses, i.private_addresses
    if len(public) == 1 == len(private) and public[0].port in _NO_PORT and private[0].port in _NO_PORT:
        # the usual shape (one address each, no port): its texts and theirs looked at in one search
        name, owner, state, launch, keyname, public_kind, public_at, private_kind, private_at = esc_all((
            i.name, i.owner_id, i.state, i.launch_time, i.keyname,
            public[0].type or "unavailable", public[0].address, private[0].type or "unavailable", private[0].address))
        addresses = (f"<public_addresses><address type='{public_kind}'>{public_at}</address></public_addresses>"
                     f"<private_addresses><address type='{private_kind}'>{private_at}</address></private_addresses>")
    else:
        name, owner, state, launch, keyname = esc_all((i.name, i.owner_id, i.state, i.launch_time, i.keyname))
        addresses = (f"<public_addresses>{_addresses_xml(public)}</public_addresses>"
                     f"<private_addresses>{_addresses_xml(private)}</private_addresses>")
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
            f"{addresses}{firewalls}"
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


class _InstanceJsonText(_InstanceLinks):
    """The same for an instance's JSON text: the URL prefixes as they stand inside a JSON string."""

    __slots__ = ()

    #: How the prefixes are written: between the quotes of a JSON string.
    escape = staticmethod(inner)


def _state_actions_json(actions: tuple[str, ...]) -> tuple[str, ...]:
    """The JSON objects of ``actions`` as the pieces around each place of the href (``href.join(pieces)``)."""
    around = [('{"rel":"destroy","href":"', '","method":"delete"}') if a == "destroy" else
              (f'{{"rel":"{inner(a)}","href":"', f'/{inner(a)}","method":"post"}}') for a in actions]
    if not around:
        return ("",)
    return (around[0][0], *[before[1] + "," + after[0] for before, after in pairwise(around)], around[-1][1])


#: Ids written as they are (``CLEAN_ID``), NUL, then texts with nothing to escape: an instance written straight.
_PLAIN_INSTANCE_JSON = re.compile(f"{CLEAN_ID.pattern}\x00{JSON_PLAIN}")


def _id_actions_json(i: Instance, at: _InstanceLinks, machine: StateMachine) -> str:
    objects = [(at.instances + _ID).join(_state_actions_json(machine.actions_for(i.state)))]
    if at.run:
        objects.append(f'{{"rel":"run","href":"{at.instances}{_ID}/run;id={_ID}","method":"post"}}')
    if i.create_image and at.create_image is not None:
        objects.append(f'{{"rel":"create_image","href":"{at.create_image}{_ID}","method":"post"}}')
    return ",".join([o for o in objects if o])


def _addresses_text_json(addresses: tuple[Address, ...]) -> str:
    return ",".join([f'{{"type":"{a.type}","address":"{a.address}"}}' for a in addresses])


def _instance_text_json(i: Instance, at: _InstanceLinks, machine: StateMachine) -> str | None:
    """``instance_json`` as JSON text, for an instance whose ids need no quoting and whose texts no escaping.

    None for any other (an id to quote, an ``=`` in the id of an instance with a run link, which
    quotes it, a text to escape, a value that is not text, an address with a port, a
    ``create_image`` that is not a bool): ``instance_json_text`` dumps those.
    """
    create_image = i.create_image and at.create_image is not None
    if create_image is not True and create_image is not False:
        return None
    public, private = i.public_addresses, i.private_addresses
    overrides = i.hardware_profile_overrides
    if len(overrides) > 1:  # a name given twice: its last value in its first place, as the dict has it
        overrides = tuple(dict(overrides).items())
    try:  # the ids, then NUL, then the texts: one look at them all (_PLAIN_INSTANCE_JSON)
        texts = [i.id, i.image_id, i.realm_id, i.hardware_profile_id]
        if i.firewalls or i.network_interfaces or i.storage_volumes:
            texts += (*i.firewalls, *i.network_interfaces, *[v.id for v in i.storage_volumes])
        texts += ("\x00" + i.name, i.owner_id, i.state, i.launch_time, i.keyname, i.username, i.password)
        if len(public) == 1 == len(private):  # the usual shape: one address each
            first, second = public[0], private[0]
            texts += (first.type, first.address, second.type, second.address)
            if first.port or second.port:
                return None
            addresses = (f'"public_addresses":[{{"type":"{first.type}","address":"{first.address}"}}],'
                         f'"private_addresses":[{{"type":"{second.type}","address":"{second.address}"}}]')
        else:
            for a in public + private:
                if a.port:
                    return None
                texts += (a.type, a.address)
            addresses = (f'"public_addresses":[{_addresses_text_json(public)}],'
                         f'"private_addresses":[{_addresses_text_json(private)}]')
        for name, value in overrides:
            texts += (name, value)
        if i.storage_volumes:
            texts += [v.device for v in i.storage_volumes]
        if _PLAIN_INSTANCE_JSON.fullmatch(",".join(texts)) is None:
            return None
    except TypeError:  # a value that is not text
        return None
    if at.run and "=" in i.id:  # its run link quotes it
        return None
    href = at.instances + i.id
    actions = i.id.join(_id_links(i, at, machine, _id_actions_json))
    image = (f'"image":{{"id":"{i.image_id}","href":"{at.images}{i.image_id}","rel":"image"}},'
             if i.image_id else "")
    launch = f'"launch_time":"{i.launch_time}","create_time":"{i.launch_time}",' if i.launch_time else ""
    volumes = ",".join([f'{{"id":"{v.id}","href":"{at.volumes}{v.id}","rel":"storage_volume","device":"{v.device}"}}'
                        for v in i.storage_volumes]) if i.storage_volumes else ""
    firewalls = ",".join([f'{{"id":"{f}","href":"{at.firewalls}{f}","rel":"firewall"}}'
                          for f in i.firewalls]) if i.firewalls else ""
    if at.interfaces is None:
        interfaces = ""
    elif i.network_interfaces:
        interfaces = ",".join([f'{{"id":"{n}","href":"{at.interfaces}{n}","rel":"network_interface"}}'
                               for n in i.network_interfaces])
        interfaces = f',"network_interfaces":[{interfaces}]'
    else:
        interfaces = ',"network_interfaces":[]'
    if at.auth == "key" or (at.auth and i.keyname):
        authentication = f',"authentication_type":"key","authentication":{{"keyname":"{i.keyname}"}}'
    elif at.auth == "password":
        login = f'"user":"{i.username}","password":"{i.password}"' if i.username or i.password else ""
        authentication = f',"authentication_type":"password","authentication":{{{login}}}'
    else:
        authentication = ""
    properties = ",".join([f'"{name}":"{value}"' for name, value in overrides]) if overrides else ""
    return (f'{{"id":"{i.id}","href":"{href}","name":"{i.name}","owner_id":"{i.owner_id}","owner":"{i.owner_id}",'
            f'{image}"realm":{{"id":"{i.realm_id}","href":"{at.realms}{i.realm_id}","rel":"realm"}},'
            f'"state":"{i.state}","hardware_profile":{{"id":"{i.hardware_profile_id}",'
            f'"href":"{at.profiles}{i.hardware_profile_id}","rel":"hardware_profile","properties":{{{properties}}}}},'
            f'"actions":[{actions}],{launch}{addresses},"storage_volumes":[{volumes}],'
            f'"firewalls":[{firewalls}],"create_image":{"true" if create_image else "false"}{interfaces}'
            f'{authentication}}}')


def instance_json_text(i: Instance, ctx: RenderContext) -> str:
    """``instance_json`` as the JSON text ``jsonutil.dumps`` writes of it; written straight for the usual instance."""
    at = ctx.derived(_InstanceJsonText)
    text = _instance_text_json(i, at, ctx.driver_class.state_machine)  # type: ignore[attr-defined]
    return dumps(instance_json(i, ctx)).decode() if text is None else text


register(Instance, xml=instance_xml, json=instance_json, json_text=instance_json_text)
