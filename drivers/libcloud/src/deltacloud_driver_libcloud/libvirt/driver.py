"""``LibvirtDriver``: the domains of a libvirt hypervisor behind the Deltacloud API.

* **Provider**: a libvirt URI the operator allows (``test:///default`` by default; see
  ``connection``). **Credentials**: HTTP Basic, checked as ``connection`` describes.
* **Realm**: the hypervisor host (its host name). **Images**: the volumes of the host's active
  storage pools that no domain uses as a disk, ``POOL:VOLUME``. **Hardware profiles**: ``small``,
  ``medium`` and ``custom`` (CPU and memory ranges up to what the host has).
* **Instances**: domains, id = the domain's UUID. A launch clones the image into a new volume of
  the same pool and defines and boots a domain on it; destroy powers the domain off, undefines
  it and deletes that volume. States come from ``virDomain.state()`` through ``states``.

Domain actions go through libcloud's ``LibvirtNodeDriver``; what libcloud's driver lacks
(define, undefine, volumes, descriptions) goes through its libvirt connection. Listing does not
use libcloud's ``list_nodes``: that runs ``arp`` once per domain to guess addresses, and maps
states lossily.
"""

from __future__ import annotations

import contextlib
import uuid as uuidlib
from collections.abc import Sequence
from typing import Any, ClassVar

from libcloud.compute.base import Node, NodeState

from deltacloud.driver import Driver, Filters, StateMachine
from deltacloud.errors import ConflictError, DeltacloudError, NotFoundError, ValidationError
from deltacloud.models import (
    Address,
    HardwareProfile,
    HardwareProperty,
    Image,
    Instance,
    LaunchOptions,
    Provider,
    Realm,
)
from deltacloud_driver_libcloud.libvirt import connection, states
from deltacloud_driver_libcloud.libvirt.domains import (
    DomainInfo,
    DomainSpec,
    domain_xml,
    parse_domain,
    parse_volume,
    volume_xml,
)

#: The features the driver advertises (pinned by the tests).
FEATURES: tuple[str, ...] = ("user_name",)
#: Fixed sizes offered when the host has room for them: id -> (vcpus, memory MB).
FIXED_PROFILES: dict[str, tuple[int, int]] = {"small": (1, 512), "medium": (2, 2048)}
#: The smallest memory (MB) of the ``custom`` profile, and its default.
CUSTOM_MEMORY = (256, 1024)


def _split_image_id(image_id: str) -> tuple[str, str]:
    pool, sep, volume = image_id.partition(":")
    if not sep or not pool or not volume:
        raise ValidationError(f"Image '{image_id}' does not exist (image ids are POOL:VOLUME)", param="image_id")
    return pool, volume


class LibvirtDriver(Driver):
    """Domains, storage-pool images and the host of one libvirt hypervisor."""

    name: ClassVar[str] = "libvirt"
    state_machine: ClassVar[StateMachine] = states.MACHINE
    features: ClassVar[Sequence[str]] = FEATURES
    providers_known: ClassVar[tuple[Provider, ...]] = tuple(Provider(uri) for uri in connection.DEFAULT_URIS)
    default_provider: ClassVar[str | None] = connection.DEFAULT_URIS[0]

    @classmethod
    def translate_error(cls, exc: BaseException) -> DeltacloudError | None:
        """libvirt and libcloud exceptions that escaped the driver's own translation."""
        return connection.translate(exc)

    def providers(self) -> Sequence[Provider]:
        """The URIs the operator allows."""
        return tuple(Provider(uri) for uri in connection.allowed_uris(getattr(self, "settings", None)))

    # -- the connection ------------------------------------------------------------------------

    def _backend(self) -> Any:
        """libcloud's libvirt driver for this request's URI, after the credentials were checked."""
        settings = getattr(self, "settings", None)
        uri = connection.check_uri(self.provider or connection.DEFAULT_URIS[0], settings)
        creds = self.credentials
        connection.check_credentials(uri, creds, settings)
        return connection.CONNECTIONS.get(uri, creds)

    def _conn(self) -> Any:
        return self._backend().connection

    def _domain(self, id: str) -> Any:
        conn = self._conn()
        with connection.translated():
            try:
                return conn.lookupByUUIDString(id)
            except Exception as exc:  # libvirt answers a malformed UUID with a generic error
                if connection.libvirt is not None and isinstance(exc, connection.libvirt.libvirtError):
                    raise NotFoundError(f"Instance '{id}' not found") from exc
                raise

    def _node(self, domain: Any) -> Node:
        node = Node(id=domain.UUIDString(), name=domain.name(), state=NodeState.UNKNOWN, public_ips=[],
                    private_ips=[], driver=self._backend())
        node._uuid = domain.UUIDString()
        return node

    # -- realms and hardware profiles ----------------------------------------------------------

    def realms(self, filters: Filters) -> list[Realm]:
        """The hypervisor host, the one place domains run."""
        conn = self._conn()
        with connection.translated():
            host = conn.getHostname()
        return [Realm(host, f"libvirt host {host}")]

    def hardware_profiles(self, filters: Filters) -> list[HardwareProfile]:
        """``small`` and ``medium`` where the host has room, and ``custom`` up to the host's CPUs and memory."""
        info = self._host_info()
        memory, cpus = int(info[1]), int(info[2])
        profiles = [HardwareProfile(pid, (HardwareProperty.fixed("cpu", c), HardwareProperty.fixed("memory", m)))
                    for pid, (c, m) in FIXED_PROFILES.items() if c <= cpus and m <= memory]
        low, default = CUSTOM_MEMORY
        top = max(memory, low)
        profiles.append(HardwareProfile("custom", (
            HardwareProperty.range("cpu", 1, cpus),
            HardwareProperty.range("memory", low, top, min(default, top)))))
        return profiles

    def _host_info(self) -> list[Any]:
        conn = self._conn()
        with connection.translated():
            return conn.getInfo()

    # -- images --------------------------------------------------------------------------------

    def images(self, filters: Filters) -> list[Image]:
        """Volumes of active pools that no domain uses as a disk."""
        conn = self._conn()
        arch = str(self._host_info()[0])
        with connection.translated():
            used = self._used_volumes(conn)
            found: list[Image] = []
            for pool in conn.listAllStoragePools():
                if not pool.isActive():
                    continue
                for volume in pool.listAllVolumes():
                    image_id = f"{pool.name()}:{volume.name()}"
                    if image_id in used or volume.path() in used:
                        continue
                    info = parse_volume(volume.XMLDesc())
                    found.append(Image(image_id, volume.name(),
                                       f"{info.format} volume of {info.capacity // (1 << 20)} MiB in pool "
                                       f"{pool.name()}", owner_id=pool.name(), architecture=arch))
        return found

    def _used_volumes(self, conn: Any) -> set[str]:
        used: set[str] = set()
        for domain in conn.listAllDomains():
            info = parse_domain(domain.XMLDesc())
            used.update(info.disk_sources)
            if info.disk_volume:
                used.add(info.disk_volume)
        return used

    # -- instances -----------------------------------------------------------------------------

    def _instance(self, domain: Any, realm: str) -> Instance:
        info: DomainInfo = parse_domain(domain.XMLDesc())
        state = states.deltacloud_state(domain.state()[0])
        profile = info.profile_id or "custom"
        overrides: tuple[tuple[str, str], ...] = ()
        if profile == "custom":
            overrides = (("cpu", str(info.vcpus)), ("memory", str(info.memory_mb)))
        return Instance(info.uuid, name=info.name, owner_id=self.credentials.user, image_id=info.image_id,
                        realm_id=realm, state=state, hardware_profile_id=profile,
                        hardware_profile_overrides=overrides,
                        private_addresses=tuple(Address(mac, "mac") for mac in info.macs), create_image=False)

    def instances(self, filters: Filters) -> list[Instance]:
        """Every domain of the hypervisor (one request's view: libvirt has no owners)."""
        conn = self._conn()
        with connection.translated():
            realm = conn.getHostname()
            if filters.get("id"):
                try:
                    return [self._instance(self._domain(filters["id"]), realm)]
                except NotFoundError:
                    return []
            return [self._instance(domain, realm) for domain in conn.listAllDomains()]

    def instance(self, id: str) -> Instance:
        """One domain by UUID."""
        domain = self._domain(id)
        with connection.translated():
            return self._instance(domain, domain.connect().getHostname())

    def _size(self, options: LaunchOptions) -> tuple[str, int, int]:
        profile_id = options.hardware_profile_id or "small"
        profile = self.hardware_profile(profile_id)
        values = {p.name: p.value for p in profile.properties}
        values.update(dict(options.hardware_profile_overrides))
        return profile_id, int(values["cpu"]), int(float(values["memory"]))

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        """Clone the image into a new volume, define a domain on it and boot it."""
        pool_name, volume_name = _split_image_id(image_id)
        conn = self._conn()
        profile_id, vcpus, memory = self._size(options)
        name = options.name or f"dc-{uuidlib.uuid4().hex[:10]}"
        with connection.translated():
            try:
                pool = conn.storagePoolLookupByName(pool_name)
                source = pool.storageVolLookupByName(volume_name)
            except connection.libvirt.libvirtError as exc:
                raise ValidationError(f"Image '{image_id}' does not exist", param="image_id") from exc
            if image_id in self._used_volumes(conn):
                raise ValidationError(f"Image '{image_id}' does not exist (it is an instance's disk)",
                                      param="image_id")
            if name in {d.name() for d in conn.listAllDomains()}:
                raise ConflictError(f"An instance named '{name}' already exists")
            info = parse_volume(source.XMLDesc())
            suffix = volume_name.rsplit(".", 1)[1] if "." in volume_name else info.format
            disk_name = f"{name}-disk.{suffix}"
            disk = pool.createXMLFrom(volume_xml(disk_name, info.capacity, info.format), source, 0)
            try:
                spec = DomainSpec(name=name, domain_type=self._domain_type(conn), arch=str(conn.getInfo()[0]),
                                  vcpus=vcpus, memory_mb=memory, pool=pool_name, volume=disk_name,
                                  image_id=image_id, profile_id=profile_id, network=self._network(conn))
                domain = conn.defineXML(domain_xml(spec))
                try:
                    self._backend().start_node(self._node(domain))
                except Exception:
                    domain.undefine()
                    raise
            except Exception:
                disk.delete(0)
                raise
            return self._instance(domain, conn.getHostname())

    def _domain_type(self, conn: Any) -> str:
        setting = self.settings.option("domain_type") if getattr(self, "settings", None) else None
        if setting:
            return setting
        return "test" if conn.getType().upper() == "TEST" else "kvm"

    def _network(self, conn: Any) -> str | None:
        setting = self.settings.option("network") if getattr(self, "settings", None) else None
        names = {n.name() for n in conn.listAllNetworks() if n.isActive()}
        if setting:
            return setting
        return "default" if "default" in names else None

    def _act(self, id: str, action: str) -> Instance:
        domain = self._domain(id)
        backend = self._backend()
        with connection.translated():
            code = domain.state()[0]
            if action == "start" and code == states.PAUSED:
                domain.resume()
            elif action == "start" and code == states.PMSUSPENDED:
                domain.pMWakeup(0)
            else:
                getattr(backend, f"{action}_node")(self._node(domain))
            return self._instance(domain, domain.connect().getHostname())

    def start_instance(self, id: str) -> Instance:
        """Boot a shut-off domain, resume a paused one, wake a suspended one."""
        return self._act(id, "start")

    def stop_instance(self, id: str) -> Instance:
        """Ask the guest to shut down (ACPI); the domain is STOPPING until it is off."""
        return self._act(id, "stop")

    def reboot_instance(self, id: str) -> Instance:
        """Ask the guest to reboot."""
        return self._act(id, "reboot")

    def destroy_instance(self, id: str) -> None:
        """Power the domain off, undefine it and delete the disk volume the driver made for it."""
        domain = self._domain(id)
        backend = self._backend()
        with connection.translated():
            info = parse_domain(domain.XMLDesc())
            if domain.isActive():
                backend.destroy_node(self._node(domain))
            domain.undefine()
            if info.disk_volume:
                pool_name, _, volume_name = info.disk_volume.partition(":")
                conn = domain.connect()
                with contextlib.suppress(connection.libvirt.libvirtError):  # already gone: nothing to clean
                    conn.storagePoolLookupByName(pool_name).storageVolLookupByName(volume_name).delete(0)
