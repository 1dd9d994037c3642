"""Domain and volume XML: what the driver reads from libvirt's descriptions and what it defines.

Every description libvirt hands over is parsed with defusedxml. A domain the driver launched
carries its image, hardware profile and disk volume in a ``<metadata>`` element of its own
namespace, so they survive restarts of the server and are read back from libvirt, never from
memory; domains made by other tools have none and show no image.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from deltacloud.driver.toolkit import parse_xml

#: The namespace of the driver's ``<metadata>`` element.
METADATA_NS = "urn:deltacloud:libvirt:instance:1"
_KIB_PER_UNIT = {"b": 1 / 1024, "bytes": 1 / 1024, "k": 1, "kib": 1, "kb": 1000 / 1024, "m": 1024, "mib": 1024,
                 "mb": 1000 * 1000 / 1024, "g": 1024 * 1024, "gib": 1024 * 1024, "gb": 1000 ** 3 / 1024}


@dataclass(frozen=True)
class DomainInfo:
    """What the driver shows of one domain's description."""

    name: str
    uuid: str
    vcpus: int
    memory_mb: int
    image_id: str = ""
    profile_id: str = ""
    disk_volume: str = ""
    macs: tuple[str, ...] = ()
    disk_sources: tuple[str, ...] = ()


def _memory_mb(element: Element | None) -> int:
    if element is None or not (element.text or "").strip():
        return 0
    unit = (element.get("unit") or "KiB").lower()
    return int(int(element.text.strip()) * _KIB_PER_UNIT.get(unit, 1) // 1024)


def parse_domain(xml: str) -> DomainInfo:
    """The parts of a domain description (``virDomain.XMLDesc()``) the driver shows."""
    root = parse_xml(xml, "libvirt")
    vcpu = root.find("vcpu")
    meta = root.find(f"metadata/{{{METADATA_NS}}}instance")

    def meta_text(name: str) -> str:
        found = meta.find(f"{{{METADATA_NS}}}{name}") if meta is not None else None
        return (found.text or "").strip() if found is not None else ""

    sources: list[str] = []
    for source in root.findall("devices/disk/source"):
        if source.get("pool") and source.get("volume"):
            sources.append(f"{source.get('pool')}:{source.get('volume')}")
        elif source.get("file") or source.get("dev"):
            sources.append(source.get("file") or source.get("dev") or "")
    macs = tuple(mac.get("address", "") for mac in root.findall("devices/interface/mac") if mac.get("address"))
    return DomainInfo(
        name=(root.findtext("name") or "").strip(),
        uuid=(root.findtext("uuid") or "").strip(),
        vcpus=int((vcpu.text or "1").strip()) if vcpu is not None else 1,
        memory_mb=_memory_mb(root.find("currentMemory") if root.find("currentMemory") is not None
                             else root.find("memory")),
        image_id=meta_text("image"), profile_id=meta_text("profile"), disk_volume=meta_text("disk"),
        macs=macs, disk_sources=tuple(sources))


@dataclass(frozen=True)
class DomainSpec:
    """Everything a new domain is defined with."""

    name: str
    domain_type: str
    arch: str
    vcpus: int
    memory_mb: int
    pool: str
    volume: str
    image_id: str
    profile_id: str
    network: str | None = None


def domain_xml(spec: DomainSpec) -> str:
    """The ``<domain>`` description of a new domain booting from its own disk volume."""
    network = ""
    if spec.network:
        network = f"<interface type='network'><source network={quoteattr(spec.network)}/></interface>"
    return (
        f"<domain type={quoteattr(spec.domain_type)}>"
        f"<name>{escape(spec.name)}</name>"
        f"<metadata><dc:instance xmlns:dc={quoteattr(METADATA_NS)}>"
        f"<dc:image>{escape(spec.image_id)}</dc:image><dc:profile>{escape(spec.profile_id)}</dc:profile>"
        f"<dc:disk>{escape(spec.pool + ':' + spec.volume)}</dc:disk></dc:instance></metadata>"
        f"<memory unit='MiB'>{spec.memory_mb}</memory><currentMemory unit='MiB'>{spec.memory_mb}</currentMemory>"
        f"<vcpu>{spec.vcpus}</vcpu>"
        f"<os><type arch={quoteattr(spec.arch)}>hvm</type><boot dev='hd'/></os>"
        "<devices>"
        f"<disk type='volume' device='disk'><source pool={quoteattr(spec.pool)} volume={quoteattr(spec.volume)}/>"
        "<target dev='vda' bus='virtio'/></disk>"
        f"{network}"
        "</devices></domain>")


@dataclass(frozen=True)
class VolumeInfo:
    """A storage volume's name, capacity and format."""

    name: str
    capacity: int
    format: str


def parse_volume(xml: str) -> VolumeInfo:
    """Name, capacity (bytes) and format of a volume description (``virStorageVol.XMLDesc()``)."""
    root = parse_xml(xml, "libvirt")
    capacity = root.find("capacity")
    unit = (capacity.get("unit") or "bytes").lower() if capacity is not None else "bytes"
    size = int((capacity.text or "0").strip()) if capacity is not None else 0
    fmt = root.find("target/format")
    return VolumeInfo((root.findtext("name") or "").strip(), int(size * _KIB_PER_UNIT.get(unit, 1 / 1024) * 1024),
                      fmt.get("type", "raw") if fmt is not None else "raw")


def volume_xml(name: str, capacity: int, fmt: str) -> str:
    """The description of a new volume of ``capacity`` bytes in format ``fmt``."""
    return (f"<volume><name>{escape(name)}</name><capacity unit='bytes'>{capacity}</capacity>"
            f"<target><format type={quoteattr(fmt)}/></target></volume>")
