"""oVirt v4 XML documents of the fake engine's objects (built with ElementTree; parsing is defusedxml's)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rhevm_fake.state import Cluster, DataCenter, Disk, Engine, Template, Vm

API = "/ovirt-engine/api"


def sub(parent: ET.Element, tag: str, text: object | None = None, **attrs: str) -> ET.Element:
    """Append ``<tag attrs>text</tag>`` to ``parent``."""
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = str(text)
    return child


def _object(tag: str, collection: str, id: str, parent: ET.Element | None = None) -> ET.Element:
    attrs = {"href": f"{API}/{collection}/{id}", "id": id}
    return ET.Element(tag, attrs) if parent is None else sub(parent, tag, **attrs)


def _link(parent: ET.Element, tag: str, collection: str, id: str) -> None:
    sub(parent, tag, href=f"{API}/{collection}/{id}", id=id)


def _cpu(parent: ET.Element, cores: int, sockets: int) -> None:
    cpu = sub(parent, "cpu")
    sub(cpu, "architecture", "x86_64")
    topology = sub(cpu, "topology")
    sub(topology, "cores", cores)
    sub(topology, "sockets", sockets)
    sub(topology, "threads", 1)


def data_center(dc: DataCenter) -> ET.Element:
    el = _object("data_center", "datacenters", dc.id)
    sub(el, "name", dc.name)
    sub(el, "description", dc.description)
    sub(el, "local", "false")
    sub(el, "status", "up")
    sub(el, "version", major="4", minor="7")
    return el


def cluster(cl: Cluster) -> ET.Element:
    el = _object("cluster", "clusters", cl.id)
    sub(el, "name", cl.name)
    sub(el, "description", cl.description)
    cpu = sub(el, "cpu")
    sub(cpu, "architecture", "x86_64")
    sub(cpu, "type", "Intel Nehalem Family")
    _link(el, "data_center", "datacenters", cl.data_center_id)
    sub(el, "version", major="4", minor="7")
    return el


def template(t: Template) -> ET.Element:
    el = _object("template", "templates", t.id)
    sub(el, "name", t.name)
    sub(el, "description", t.description)
    sub(el, "status", t.status)
    sub(el, "memory", t.memory)
    _cpu(el, t.cores, t.sockets)
    os = sub(el, "os")
    sub(os, "type", t.os_type)
    sub(el, "type", "server")
    sub(el, "creation_time", t.creation_time)
    if t.cluster_id:
        _link(el, "cluster", "clusters", t.cluster_id)
    return el


def vm(engine: Engine, v: Vm) -> ET.Element:
    el = _object("vm", "vms", v.id)
    actions = sub(el, "actions")
    for action in ("start", "stop", "shutdown", "reboot", "suspend"):
        sub(actions, "link", href=f"{API}/vms/{v.id}/{action}", rel=action)
    sub(el, "name", v.name)
    sub(el, "description", v.description)
    for rel in ("nics", "diskattachments"):
        sub(el, "link", href=f"{API}/vms/{v.id}/{rel}", rel=rel)
    sub(el, "status", v.status)
    sub(el, "memory", v.memory)
    _cpu(el, v.cores, v.sockets)
    os = sub(el, "os")
    sub(os, "type", v.os_type)
    sub(el, "type", "server")
    display = sub(el, "display")
    sub(display, "type", "vnc")
    if v.console_port:
        sub(display, "address", "198.51.100.7")
        sub(display, "port", v.console_port)
    if v.custom_script:
        init = sub(el, "initialization")
        sub(init, "custom_script", v.custom_script)
    _link(el, "cluster", "clusters", v.cluster_id)
    _link(el, "template", "templates", v.template_id)
    sub(el, "creation_time", v.creation_time)
    if v.start_time:
        sub(el, "start_time", v.start_time)
    return el


def nics(v: Vm, follow_devices: bool) -> ET.Element:
    root = ET.Element("nics")
    nic = _object("nic", f"vms/{v.id}/nics", f"{v.id[:8]}-nic1", root)
    sub(nic, "name", "nic1")
    sub(nic, "interface", "virtio")
    mac = sub(nic, "mac")
    sub(mac, "address", v.mac)
    sub(nic, "plugged", "true")
    _link(nic, "vm", "vms", v.id)
    if follow_devices and v.ip:
        devices = sub(nic, "reported_devices")
        device = sub(devices, "reported_device")
        sub(device, "name", "eth0")
        ips = sub(sub(device, "ips"), "ip")
        sub(ips, "address", v.ip)
        sub(ips, "version", "v4")
    return root


def disk(d: Disk) -> ET.Element:
    el = _object("disk", "disks", d.id)
    sub(el, "name", d.name)
    sub(el, "provisioned_size", d.provisioned_size)
    sub(el, "actual_size", d.provisioned_size // 10)
    sub(el, "status", d.status)
    sub(el, "format", "cow")
    sub(el, "storage_type", "image")
    if d.storage_domain_id:
        domains = sub(el, "storage_domains")
        _link(domains, "storage_domain", "storagedomains", d.storage_domain_id)
    return el


def disk_attachment(d: Disk, follow_disk: bool = False) -> ET.Element:
    el = _object("disk_attachment", f"vms/{d.vm_id}/diskattachments", d.id)
    sub(el, "active", "true")
    sub(el, "bootable", "false")
    sub(el, "interface", d.interface)
    if follow_disk:
        el.append(disk(d))
    else:
        _link(el, "disk", "disks", d.id)
    _link(el, "vm", "vms", d.vm_id)
    return el


def storage_domain(id: str, name: str) -> ET.Element:
    el = _object("storage_domain", "storagedomains", id)
    sub(el, "name", name)
    sub(el, "type", "data")
    sub(el, "available", 100 * 1024 ** 3)
    return el


def api_root() -> ET.Element:
    el = ET.Element("api")
    for rel in ("clusters", "datacenters", "disks", "storagedomains", "templates", "vms"):
        sub(el, "link", href=f"{API}/{rel}", rel=rel)
    info = sub(el, "product_info")
    sub(info, "name", "oVirt Engine")
    sub(info, "vendor", "ovirt.org")
    version = sub(info, "version", build="0", major="4", minor="7", revision="0")
    sub(version, "full_version", "4.7.0-fake")
    return el


def fault(reason: str, detail: str) -> ET.Element:
    el = ET.Element("fault")
    sub(el, "reason", reason)
    sub(el, "detail", detail)
    return el


def action_done(vm_element: ET.Element | None = None) -> ET.Element:
    el = ET.Element("action")
    if vm_element is not None:
        el.append(vm_element)
    sub(el, "status", "complete")
    return el


def listing(tag: str, elements: list[ET.Element]) -> ET.Element:
    root = ET.Element(tag)
    root.extend(elements)
    return root


def to_bytes(el: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(el, encoding="utf-8",
                                                                                  xml_declaration=False)
