"""The REFERENCE writers: a frozen copy of the compute XML/JSON writers as they were before issue 12's speed-up.

``test_writer_oracle`` renders thousands of generated models with both these and the live writers of
``deltacloud.render.compute`` and requires the same bytes. Nothing here may be "improved": it is the
behaviour the fast writers must keep. The one test of this module pins the reference itself to a
document written out by hand, so the copy cannot drift unnoticed either.

One deliberate change since: an id holding a lone surrogate is percent-encoded in URLs
(``errors="surrogatepass"``) where ``quote`` used to raise, which failed the whole answer with a 500.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any
from urllib.parse import quote as _quote

from deltacloud.api.features import declare
from deltacloud.driver import StateMachine
from deltacloud.models import Address, AttachedVolume, HardwareProfile, HardwareProperty, Image, Instance, Key, Realm
from deltacloud.render.context import RenderContext, _class_offers

# -- xmlutil and context, as they were -----------------------------------------------------------

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;"})
_PLAIN_ID = re.compile(r"[A-Za-z0-9@:.\-_~!$&'()*+,=]*")
_ID_SAFE = "@:.-_~!$&'()*+,="
quote = partial(_quote, errors="surrogatepass")
_PLAIN_MATRIX = re.compile(r"[A-Za-z0-9@:.\-_~!$&'()*+,]*")


def ref_esc(value: object) -> str:
    """The original ``esc``: forbidden characters to U+FFFD, then the five XML escapes."""
    text = str(value)
    return _FORBIDDEN.sub("\ufffd", text).translate(_ESCAPES)


def ref_cdata(value: object) -> str:
    """The original ``cdata``."""
    return "<![CDATA[" + _FORBIDDEN.sub("\ufffd", str(value)).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def ref_attrs(**values: object) -> str:
    """The original ``attrs``."""
    return "".join(f" {k}='{ref_esc(v)}'" for k, v in values.items() if v is not None and v != "")


def ref_elem(tag: str, text: object) -> str:
    """The original ``elem``."""
    return f"<{tag}>{ref_esc(text)}</{tag}>"


def ref_link(href: str, rel: str, method: str = "post") -> str:
    """The original ``link``."""
    return f"<link href='{ref_esc(href)}' method='{method}' rel='{ref_esc(rel)}' />"


def ref_href(ctx: RenderContext, collection: str, id: str | None = None, action: str | None = None) -> str:
    """The original ``RenderContext.href``."""
    url = f"{ctx.base}/{collection}"
    if id is not None:
        url = f"{url}/{id if _PLAIN_ID.fullmatch(id) else quote(id, safe=_ID_SAFE)}"
    if action is not None:
        url = f"{url}/{action}"
    return url


def ref_offers(ctx: RenderContext, collection: str, operation: str) -> bool:
    """The original ``RenderContext.offers``."""
    if ctx.offered is None:
        return _class_offers(ctx.driver_class, collection, operation)
    return (collection, operation) in ctx.offered


def _ref_ref(ctx: RenderContext, collection: str, id: str) -> dict[str, str]:
    return {"id": id, "href": ref_href(ctx, collection, id), "rel": collection[:-1]}


def _known(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


# -- the writers, as they were -------------------------------------------------------------------

def ref_realm_xml(r: Realm, ctx: RenderContext) -> str:
    """The original ``realm_xml``."""
    limit = ref_elem("limit", r.limit) if r.limit else ""
    return (f"<realm href='{ref_esc(ref_href(ctx, 'realms', r.id))}' id='{ref_esc(r.id)}'>"
            f"{ref_elem('name', r.name)}{ref_elem('state', r.state)}{limit}</realm>")


def _ref_property_xml(p: HardwareProperty, ctx: RenderContext) -> str:
    head = f"<property{ref_attrs(kind=p.kind, name=p.name, unit=p.unit, value=p.value)}"
    if p.kind == "fixed":
        return head + " />"
    param = (f"<param href='{ref_esc(ref_href(ctx, 'instances'))}' method='post' name='hwp_{ref_esc(p.name)}' "
             "operation='create' />")
    if p.kind == "range":
        body = f"<range first='{ref_esc(p.first)}' last='{ref_esc(p.last)}' />"
    else:
        body = "<enum>" + "".join(f"<entry value='{ref_esc(v)}' />" for v in p.values) + "</enum>"
    return f"{head}>{param}{body}</property>"


def ref_hardware_profile_xml(h: HardwareProfile, ctx: RenderContext) -> str:
    """The original ``hardware_profile_xml``."""
    props = "".join(_ref_property_xml(p, ctx) for p in h.properties)
    return (f"<hardware_profile href='{ref_esc(ref_href(ctx, 'hardware_profiles', h.id))}' id='{ref_esc(h.id)}'>"
            f"{ref_elem('id', h.id)}{ref_elem('name', h.display_name)}{props}</hardware_profile>")


def _ref_image_actions(i: Image, ctx: RenderContext) -> list[tuple[str, str, str]]:
    actions = [("create_instance", f"{ref_href(ctx, 'instances')};image_id={ref_esc(i.id)}", "post")]
    if ref_offers(ctx, "images", "destroy"):
        actions.append(("destroy_image", ref_href(ctx, "images", i.id), "delete"))
    return actions


def ref_image_xml(i: Image, ctx: RenderContext) -> str:
    """The original ``image_xml``."""
    parts = [f"<image href='{ref_esc(ref_href(ctx, 'images', i.id))}' id='{ref_esc(i.id)}'>",
             ref_elem("name", i.name or i.id), ref_elem("description", i.description),
             ref_elem("owner_id", i.owner_id), ref_elem("architecture", i.architecture), ref_elem("state", i.state)]
    if i.creation_time:
        parts.append(ref_elem("creation_time", i.creation_time))
    if i.hardware_profiles:
        parts.append("<hardware_profiles>" + "".join(
            f"<hardware_profile href='{ref_esc(ref_href(ctx, 'hardware_profiles', h))}' id='{ref_esc(h)}' "
            "rel='hardware_profile'></hardware_profile>" for h in i.hardware_profiles) + "</hardware_profiles>")
    parts.append(ref_elem("root_type", i.root_type))
    parts.append("<actions>" + "".join(ref_link(h, r, m) for r, h, m in _ref_image_actions(i, ctx))
                 + "</actions></image>")
    return "".join(parts)


def ref_image_json(i: Image, ctx: RenderContext) -> dict[str, Any]:
    """The original ``image_json``."""
    return {"id": i.id, "href": ref_href(ctx, "images", i.id), "name": i.name or i.id, "description": i.description,
            "owner": i.owner_id, "owner_id": i.owner_id, "architecture": i.architecture, "state": i.state,
            **_known(creation_time=i.creation_time), "root_type": i.root_type,
            "hardware_profiles": [_ref_ref(ctx, "hardware_profiles", h) for h in i.hardware_profiles],
            "actions": [{"rel": r, "href": h, "method": m} for r, h, m in _ref_image_actions(i, ctx)]}


def ref_instance_actions(i: Instance, ctx: RenderContext) -> list[tuple[str, str, str]]:
    """The original ``instance_actions``."""
    actions = []
    for action in ctx.driver_class.state_machine.actions_for(i.state):  # type: ignore[attr-defined]
        if action == "destroy":
            actions.append(("destroy", ref_href(ctx, "instances", i.id), "delete"))
        else:
            actions.append((action, ref_href(ctx, "instances", i.id, action), "post"))
    if ref_offers(ctx, "instances", "run"):
        matrix = i.id if _PLAIN_MATRIX.fullmatch(i.id) else quote(i.id, safe="@:.-_~!$&'()*+,")
        actions.append(("run", f"{ref_href(ctx, 'instances', i.id, 'run')};id={matrix}", "post"))
    if i.create_image and ref_offers(ctx, "images", "create"):
        actions.append(("create_image", f"{ref_href(ctx, 'images')};instance_id={ref_esc(i.id)}", "post"))
    return actions


def _ref_addresses_xml(tag: str, addresses: tuple[Address, ...]) -> str:
    return f"<{tag}>" + "".join(
        f"<address{ref_attrs(type=a.type or 'unavailable', port=a.port)}>{ref_esc(a.address)}</address>"
        for a in addresses) + f"</{tag}>"


def _ref_auth_type(ctx: RenderContext) -> str | None:
    names = {f.name for f in ctx.features}
    if "authentication_password" in names:
        return "password"
    if "authentication_key" in names:
        return "key"
    return None


def ref_instance_xml(i: Instance, ctx: RenderContext) -> str:
    """The original ``instance_xml``."""
    href = ref_href(ctx, "instances", i.id)
    overrides = "".join(
        f"<property{ref_attrs(kind='fixed', name=n, value=v, unit=HardwareProperty(n, 'fixed', v).unit)} />"
        for n, v in i.hardware_profile_overrides)
    image = (f"<image href='{ref_esc(ref_href(ctx, 'images', i.image_id))}' id='{ref_esc(i.image_id)}'></image>"
             if i.image_id else "")
    parts = [f"<instance href='{ref_esc(href)}' id='{ref_esc(i.id)}'>", ref_elem("name", i.name),
             ref_elem("owner_id", i.owner_id), image,
             f"<realm href='{ref_esc(ref_href(ctx, 'realms', i.realm_id))}' id='{ref_esc(i.realm_id)}'></realm>",
             ref_elem("state", i.state),
             f"<hardware_profile href='{ref_esc(ref_href(ctx, 'hardware_profiles', i.hardware_profile_id))}' "
             f"id='{ref_esc(i.hardware_profile_id)}'>{overrides}</hardware_profile>",
             "<actions>" + "".join(ref_link(h, r, m) for r, h, m in ref_instance_actions(i, ctx)) + "</actions>"]
    if i.launch_time:
        parts.append(ref_elem("launch_time", i.launch_time))
    parts.append(_ref_addresses_xml("public_addresses", i.public_addresses))
    parts.append(_ref_addresses_xml("private_addresses", i.private_addresses))
    if i.firewalls:
        parts.append("<firewalls>" + "".join(
            f"<firewall href='{ref_esc(ref_href(ctx, 'firewalls', f))}' id='{ref_esc(f)}' />"
            for f in i.firewalls) + "</firewalls>")
    parts.append("<storage_volumes>" + "".join(
        f"<storage_volume href='{ref_esc(ref_href(ctx, 'storage_volumes', v.id))}' id='{ref_esc(v.id)}'"
        f"{ref_attrs(device=v.device)} />" for v in i.storage_volumes) + "</storage_volumes>")
    auth = _ref_auth_type(ctx)
    if auth == "key" or (auth and i.keyname):
        parts.append(f"<authentication type='key'><login>{ref_elem('keyname', i.keyname)}</login></authentication>")
    elif auth == "password":
        login = (f"<login>{ref_elem('username', i.username)}<password>{ref_cdata(i.password)}</password></login>"
                 if i.username or i.password else "")
        parts.append(f"<authentication type='password'>{login}</authentication>")
    if ref_offers(ctx, "network_interfaces", "index"):
        parts.append("<network_interfaces>" + "".join(
            f"<network_interface href='{ref_esc(ref_href(ctx, 'network_interfaces', n))}' id='{ref_esc(n)}'>"
            "</network_interface>" for n in i.network_interfaces) + "</network_interfaces>")
    parts.append("</instance>")
    return "".join(parts)


def ref_instance_json(i: Instance, ctx: RenderContext) -> dict[str, Any]:
    """The original ``instance_json``."""
    out: dict[str, Any] = {
        "id": i.id, "href": ref_href(ctx, "instances", i.id), "name": i.name, "owner_id": i.owner_id,
        "owner": i.owner_id,
        **({"image": _ref_ref(ctx, "images", i.image_id)} if i.image_id else {}),
        "realm": _ref_ref(ctx, "realms", i.realm_id), "state": i.state,
        "hardware_profile": {**_ref_ref(ctx, "hardware_profiles", i.hardware_profile_id),
                             "properties": dict(i.hardware_profile_overrides)},
        "actions": [{"rel": r, "href": h, "method": m} for r, h, m in ref_instance_actions(i, ctx)],
        **_known(launch_time=i.launch_time, create_time=i.launch_time),
        "public_addresses": [{"type": a.type, "address": a.address, **({"port": a.port} if a.port else {})}
                             for a in i.public_addresses],
        "private_addresses": [{"type": a.type, "address": a.address, **({"port": a.port} if a.port else {})}
                              for a in i.private_addresses],
        "storage_volumes": [{**_ref_ref(ctx, "storage_volumes", v.id), "device": v.device}
                            for v in i.storage_volumes],
        "firewalls": [_ref_ref(ctx, "firewalls", f) for f in i.firewalls],
        "create_image": i.create_image and ref_offers(ctx, "images", "create"),
    }
    if ref_offers(ctx, "network_interfaces", "index"):
        out["network_interfaces"] = [_ref_ref(ctx, "network_interfaces", n) for n in i.network_interfaces]
    auth = _ref_auth_type(ctx)
    if auth == "key" or (auth and i.keyname):
        out["authentication_type"] = "key"
        out["authentication"] = {"keyname": i.keyname}
    elif auth == "password":
        out["authentication_type"] = "password"
        out["authentication"] = {"user": i.username, "password": i.password} if i.username or i.password else {}
    return out


def ref_key_xml(k: Key, ctx: RenderContext) -> str:
    """The original ``key_xml``."""
    href = ref_href(ctx, "keys", k.id)
    parts = [f"<key href='{ref_esc(href)}' id='{ref_esc(k.id)}' type='{ref_esc(k.type)}'>",
             ref_elem("name", k.name or k.id)]
    if ref_offers(ctx, "keys", "destroy"):
        parts.append(f"<actions>{ref_link(href, 'destroy', 'delete')}</actions>")
    if k.type == "password":
        parts.append(f"{ref_elem('username', k.username)}<password>{ref_cdata(k.password)}</password>")
    else:
        parts.append(ref_elem("fingerprint", k.fingerprint))
        if k.pem:
            parts.append(f"<pem>{ref_cdata(k.pem)}</pem>")
        if k.public_key:
            parts.append(f"<public_key>{ref_cdata(k.public_key)}</public_key>")
    parts.append(f"{ref_elem('state', k.state)}</key>")
    return "".join(parts)


# -- the reference pinned to a document written out by hand --------------------------------------

class _Driver:
    """A driver class as far as the writers look at it: its state machine."""

    state_machine = StateMachine.parse("running -> stopping on stop\nstopped -> finish on destroy")


def test_reference_writes_the_documented_instance() -> None:
    ctx = RenderContext("http://h/api", "d", _Driver, declare(("authentication_key",), "d"),
                        offered=frozenset({("instances", "run"), ("images", "create")}))
    i = Instance("a b&c", "n<1>", "me", "img", "r", "RUNNING", "hp", (("memory", "2"),),
                 (Address("1.2.3.4", port="22"),), (), "t0", storage_volumes=(AttachedVolume("v", "/dev/x"),))
    assert ref_instance_xml(i, ctx) == (
        "<instance href='http://h/api/instances/a%20b&amp;c' id='a b&amp;c'><name>n&lt;1&gt;</name>"
        "<owner_id>me</owner_id><image href='http://h/api/images/img' id='img'></image>"
        "<realm href='http://h/api/realms/r' id='r'></realm><state>RUNNING</state>"
        "<hardware_profile href='http://h/api/hardware_profiles/hp' id='hp'>"
        "<property kind='fixed' name='memory' value='2' unit='MB' /></hardware_profile><actions>"
        "<link href='http://h/api/instances/a%20b&amp;c/stop' method='post' rel='stop' />"
        "<link href='http://h/api/instances/a%20b&amp;c/run;id=a%20b&amp;c' method='post' rel='run' />"
        "<link href='http://h/api/images;instance_id=a b&amp;amp;c' method='post' rel='create_image' />"
        "</actions><launch_time>t0</launch_time><public_addresses><address type='ipv4' port='22'>1.2.3.4"
        "</address></public_addresses><private_addresses></private_addresses><storage_volumes>"
        "<storage_volume href='http://h/api/storage_volumes/v' id='v' device='/dev/x' /></storage_volumes>"
        "<authentication type='key'><login><keyname></keyname></login></authentication></instance>")
