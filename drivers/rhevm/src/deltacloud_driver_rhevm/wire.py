"""oVirt's XML (v4, and RHEV-M 3.x where it differs) read into Deltacloud models, and the bodies the driver sends.

Where the versions differ: v3 nests a status as ``<status><state>up</state></status>`` and
v4 writes ``<status>up</status>``; v3 puts numbers in attributes (``<topology cores="2"/>``,
``<mac address="…"/>``) and v4 in child elements; v3 reports guest addresses in
``<guest_info><ips>`` and v4 in the NICs' ``<reported_devices>``. Each reader here accepts both.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from deltacloud.models import Address, AttachedVolume, Image, Instance, Realm, StorageVolume
from deltacloud_driver_rhevm.profiles import profile_of
from deltacloud_driver_rhevm.states import template_state, vm_state

MiB = 1024 ** 2
GiB = 1024 ** 3
#: What an engine id looks like (UUIDs, in practice): anything else is never sent in a URL path.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def is_id(value: str | None) -> bool:
    """Whether ``value`` can be an engine object's id (and is safe as a URL path segment)."""
    return bool(value) and _ID.match(value or "") is not None


def in_data_center(name: str) -> str:
    """The engine's search for objects of the data center ``name`` (quoted when it has spaces or quotes)."""
    if re.fullmatch(r"[^\s\"]+", name):
        return f"datacenter={name}"
    return 'datacenter="' + name.replace('"', '\\"') + '"'


def text(el: ET.Element | None, path: str, default: str = "") -> str:
    """Stripped text at ``path`` below ``el`` (``default`` when absent or empty)."""
    if el is None:
        return default
    found = el.findtext(path)
    return found.strip() if found and found.strip() else default


def value(el: ET.Element | None, name: str, default: str = "") -> str:
    """``name`` as an attribute (v3) or a child element (v4)."""
    if el is None:
        return default
    return el.get(name) or text(el, name, default)


def status(el: ET.Element) -> str:
    """An object's status: ``<status><state>x</state></status>`` (v3) or ``<status>x</status>`` (v4)."""
    holder = el.find("status")
    if holder is None:
        return ""
    return text(holder, "state") or (holder.text or "").strip()


def ref(el: ET.Element, name: str) -> str:
    """The id of the linked object ``<name id="…"/>``."""
    found = el.find(name)
    return found.get("id", "") if found is not None else ""


def cpus(el: ET.Element) -> int:
    """Virtual CPUs: cores * sockets * threads of ``<cpu><topology>``."""
    topology = el.find("cpu/topology")
    count = 1
    for name in ("cores", "sockets", "threads"):
        number = value(topology, name, "1")
        count *= int(number) if number.isdigit() else 1
    return count


def memory_mb(el: ET.Element) -> int:
    """``<memory>`` (bytes) in MB."""
    number = text(el, "memory", "0")
    return int(number) // MiB if number.isdigit() else 0


def realm(cluster: ET.Element) -> Realm:
    """A cluster as a realm."""
    return Realm(cluster.get("id", ""), text(cluster, "name"), "AVAILABLE")


def image(template: ET.Element, owner: str) -> Image:
    """A template as an image; its profile is the one of its type (server or desktop)."""
    return Image(
        id=template.get("id", ""), name=text(template, "name"), description=text(template, "description"),
        owner_id=owner, architecture=text(template, "cpu/architecture", "x86_64").lower(),
        state=template_state(status(template)), creation_time=text(template, "creation_time"),
        hardware_profiles=(profile_of(text(template, "type", "server")),))


def addresses(vm: ET.Element, nics: ET.Element | None) -> tuple[tuple[Address, ...], tuple[Address, ...]]:
    """(public, private) addresses: guest IPs and the console (vnc) as public, NIC MACs as private."""
    ips = [ip.get("address", "") for ip in vm.findall("guest_info/ips/ip")]  # v3
    macs = []
    for nic in (nics.findall("nic") if nics is not None else []):
        mac = value(nic.find("mac"), "address")
        if mac:
            macs.append(mac)
        for ip in nic.findall("reported_devices/reported_device/ips/ip"):  # v4
            ips.append(value(ip, "address"))
    public = [Address(ip, "ipv6" if ":" in ip else "ipv4") for ip in dict.fromkeys(ips) if ip]
    console, port = text(vm, "display/address"), text(vm, "display/port")
    if console:
        public.append(Address(console, "vnc", port))
    return tuple(public), tuple(Address(mac, "mac") for mac in dict.fromkeys(macs))


def instance(vm: ET.Element, nics: ET.Element | None, owner: str, storage_gb: int | None = None,
             volumes: tuple[AttachedVolume, ...] = ()) -> Instance:
    """A VM as an instance; ``storage_gb`` and ``volumes`` are its disks when the driver read them (v4)."""
    public, private = addresses(vm, nics)
    overrides = [("cpu", str(cpus(vm))), ("memory", str(memory_mb(vm)))]
    if storage_gb:
        overrides.append(("storage", str(storage_gb)))
    return Instance(
        id=vm.get("id", ""), name=text(vm, "name"), owner_id=owner, image_id=ref(vm, "template"),
        realm_id=ref(vm, "cluster"), state=vm_state(status(vm)),
        hardware_profile_id=profile_of(text(vm, "type", "server")), hardware_profile_overrides=tuple(overrides),
        public_addresses=public, private_addresses=private,
        launch_time=text(vm, "start_time") or text(vm, "creation_time"), storage_volumes=volumes,
        create_image=status(vm) in ("down", ""))


def disk_gb(disk: ET.Element) -> int:
    """A disk's provisioned size in GB (rounded up)."""
    size = text(disk, "provisioned_size") or text(disk, "size", "0")
    return -(-int(size) // GiB) if size.isdigit() else 0


def volume(disk: ET.Element, realm_id: str, attachment: tuple[str, str] | None) -> StorageVolume:
    """A disk as a storage volume; ``attachment`` is (VM id, device) when it is attached."""
    state = {"ok": "AVAILABLE", "locked": "PENDING", "illegal": "ERROR"}.get(status(disk), "AVAILABLE")
    if attachment and state == "AVAILABLE":
        state = "IN-USE"
    return StorageVolume(id=disk.get("id", ""), capacity=str(disk_gb(disk)), realm_id=realm_id, state=state,
                         name=text(disk, "name") or text(disk, "alias"), description=text(disk, "description"),
                         kind=text(disk, "format"), instance_id=attachment[0] if attachment else "",
                         device=attachment[1] if attachment else "")


# -- bodies ----------------------------------------------------------------------------------------

def _sub(parent: ET.Element, tag: str, content: object | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if content is not None:
        child.text = str(content)
    return child


def vm_body(name: str, template_id: str, cluster_id: str, profile: str, cpu: int | None, memory_mb: int | None,
            user_data: bytes | None, version: int) -> bytes:
    """The ``<vm>`` that creates an instance. User data goes in as cloud-init's custom script (v4) or a
    floppy payload (v3), as the original driver did."""
    vm = ET.Element("vm")
    _sub(vm, "name", name)
    _sub(vm, "template", id=template_id)
    _sub(vm, "cluster", id=cluster_id)
    _sub(vm, "type", profile.lower() if version >= 4 else profile.upper())
    if memory_mb:
        _sub(vm, "memory", memory_mb * MiB)
    if cpu:
        topology = _sub(_sub(vm, "cpu"), "topology")
        if version >= 4:
            _sub(topology, "cores", cpu)
            _sub(topology, "sockets", 1)
        else:
            topology.set("cores", str(cpu))
            topology.set("sockets", "1")
    if user_data:
        script = user_data.decode("utf-8", "replace")
        if version >= 4:
            _sub(_sub(vm, "initialization"), "custom_script", script)
        else:
            payload = _sub(_sub(vm, "payloads"), "payload", type="floppy")
            _sub(_sub(payload, "file", name="deltacloud-user-data.txt"), "content", script)
    return ET.tostring(vm, encoding="utf-8")


def element(tag: str, children: Iterable[tuple[str, object]] = (), **attrs: str) -> bytes:
    """A small request body ``<tag attrs><child>text</child>…</tag>``."""
    root = ET.Element(tag, attrs)
    for name, content in children:
        _sub(root, name, content)
    return ET.tostring(root, encoding="utf-8")
