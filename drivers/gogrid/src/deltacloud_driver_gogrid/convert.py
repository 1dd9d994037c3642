"""GoGrid JSON objects -> Deltacloud models. Pure functions, no I/O.

* realms are the data centers of the ``ip.datacenter`` lookup (id = GoGrid's data center id);
* hardware profiles are the server types of the ``server.type`` lookup (id ``web-server``,
  ``database-server``), each with the RAM sizes of the ``server.ram`` lookup as a memory enum:
  in GoGrid an image decides the server type and the RAM is chosen at launch;
* an instance's id is its name: GoGrid names are unique per account and a new server has no id
  for minutes, while its name is known at once (Deltacloud's original driver did the same);
* keys are the entries of the password list, as password-type keys;
* load balancers keep the listener's protocol and instance port in their description
  (``dc-listener:HTTP:8080``), since GoGrid has no place for either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from deltacloud.models import (
    Address,
    HardwareProfile,
    HardwareProperty,
    Image,
    Instance,
    Key,
    Listener,
    LoadBalancer,
    PublicAddress,
    Realm,
)
from deltacloud_driver_gogrid.states import deltacloud_state

Json = Mapping[str, Any]
_SIXTY_FOUR = re.compile(r"64[- ]?bit|x64|x86_64|amd64", re.IGNORECASE)
_LISTENER = re.compile(r"dc-listener:(HTTP|TCP):(\d+)")


def name_of(value: Any) -> str:
    """The ``name`` of a nested option object (``""`` when absent)."""
    return str(value.get("name") or "") if isinstance(value, Mapping) else ""


def slug(name: str) -> str:
    """A server type's profile id: ``"Web Server"`` -> ``"web-server"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def ram_mb(name: str) -> int:
    """A RAM option's size in MB: ``"512MB"`` -> 512, ``"2GB"`` -> 2048 (0 when unreadable)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([MG])B\s*", name, re.IGNORECASE)
    if not match:
        return 0
    size = float(match.group(1)) * (1024 if match.group(2).upper() == "G" else 1)
    return int(size)


def realm(datacenter: Json) -> Realm:
    """A data center option as a realm."""
    return Realm(str(datacenter["id"]), name_of(datacenter) or str(datacenter["id"]))


def hardware_profiles(types: Iterable[Json], rams: Iterable[Json]) -> tuple[HardwareProfile, ...]:
    """One profile per server type, memory an enum of the RAM sizes (smallest first, the default)."""
    sizes = sorted({ram_mb(name_of(r)) for r in rams} - {0})
    if not sizes:
        return ()
    return tuple(HardwareProfile(slug(name_of(t)), (HardwareProperty.enum("memory", sizes),), name=name_of(t))
                 for t in types if name_of(t))


def architecture(image: Json) -> str:
    """``x86_64`` or ``i386``: from the image's architecture option, else from its description or name."""
    arch = image.get("architecture")
    text = f"{arch.get('name') or ''} {arch.get('description') or ''}".strip() if isinstance(arch, Mapping) else ""
    if not text:
        text = f"{image.get('description') or ''} {image.get('friendlyName') or ''} {image.get('name') or ''}"
    return "x86_64" if _SIXTY_FOUR.search(text) else "i386"


def image(data: Json) -> Image:
    """A server image; its hardware profile is its server type's."""
    friendly = str(data.get("friendlyName") or data.get("name") or data["id"])
    state = name_of(data.get("state"))
    server_type = name_of(data.get("type"))
    return Image(str(data["id"]), name=friendly, description=str(data.get("description") or friendly),
                 owner_id=name_of(data.get("owner")), architecture=architecture(data),
                 state="AVAILABLE" if state.lower() in ("available", "") else state.upper(),
                 hardware_profiles=(slug(server_type),) if server_type else ())


def instance(server: Json, owner: str, password: Json | None = None) -> Instance:
    """A server as an instance (id = name), with its root password when GoGrid has one for it."""
    ip = server.get("ip") or {}
    address = (Address(str(ip["ip"])),) if ip.get("ip") else ()
    public = bool(ip.get("public", True))
    memory = ram_mb(name_of(server.get("ram")))
    image = server.get("image") or {}
    return Instance(
        str(server["name"]), name=str(server["name"]), owner_id=owner,
        image_id=str(image.get("id", "")), realm_id=str((server.get("datacenter") or {}).get("id", "")),
        state=deltacloud_state(server), hardware_profile_id=slug(name_of(server.get("type"))),
        hardware_profile_overrides=(("memory", str(memory)),) if memory else (),
        public_addresses=address if public else (), private_addresses=() if public else address,
        username=str(password.get("username") or "") if password else "",
        password=str(password.get("password") or "") if password else "",
        create_image=False)


def key(password: Json) -> Key:
    """A password-list entry as a password key, named after its user and server."""
    server = name_of(password.get("server"))
    username = str(password.get("username") or "")
    return Key(str(password["id"]), name=f"{username}@{server}" if server else username, type="password",
               username=username, password=str(password.get("password") or ""))


def address(ip: Json, servers_by_ip: Mapping[str, str]) -> PublicAddress:
    """A public IP; ``instance_id`` is the name of the server that holds it."""
    return PublicAddress(str(ip["ip"]), str(ip["ip"]), servers_by_ip.get(str(ip["ip"]), ""))


def listener_marker(protocol: str, instance_port: int) -> str:
    """What the driver writes into a new load balancer's description."""
    return f"dc-listener:{protocol}:{instance_port}"


def load_balancer(data: Json, servers_by_ip: Mapping[str, str]) -> LoadBalancer:
    """A GoGrid load balancer (id = name); instances are the servers behind its real IPs."""
    virtual = data.get("virtualip") or {}
    port = str(virtual.get("port", ""))
    reals = data.get("realiplist") or []
    marker = _LISTENER.search(str(data.get("description") or ""))
    if marker:
        protocol, instance_port = marker.group(1), marker.group(2)
    else:
        protocol, instance_port = "TCP", str(reals[0].get("port", port)) if reals else port
    instances = tuple(dict.fromkeys(servers_by_ip[ip] for ip in (str((r.get("ip") or {}).get("ip")) for r in reals)
                                    if ip in servers_by_ip))
    virtual_ip = (virtual.get("ip") or {}).get("ip")
    return LoadBalancer(str(data["name"]), realm_ids=(str((data.get("datacenter") or {}).get("id", "")),),
                        listeners=(Listener(protocol, port, instance_port),), instance_ids=instances,
                        public_addresses=(str(virtual_ip),) if virtual_ip else (), name=str(data["name"]))
