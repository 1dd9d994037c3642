"""``OpenStackDriver``: the servers, flavors, images and key pairs of an OpenStack cloud (Nova).

* **Provider**: the Keystone URL, ending in ``/v3`` (password authentication, the default) or
  ``/v2.0`` (Keystone v2). A client-sent URL is subject to the provider-URL safety rule.
* **Credentials**: HTTP Basic, ``user+project`` (or just ``user`` when the operator set the
  driver option ``project``) and the password, as the original Deltacloud took them.
* **Driver options**: ``region`` (default ``RegionOne``), ``project``, ``domain`` (v3, default
  ``Default``), ``service_name`` (the catalog's compute service, default ``nova``).
* **Realm**: the region. **Hardware profiles**: flavors (fixed cpu, memory, storage). **Images**:
  Nova's image list. **Instances**: servers, their state mapped by ``states`` from Nova's raw
  status. **Keys**: key pairs (create, import, destroy).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from libcloud.compute.base import Node, NodeImage, NodeSize, NodeState
from libcloud.compute.drivers.openstack import OpenStack_1_1_NodeDriver

from deltacloud.driver import Driver, Filters, StateMachine
from deltacloud.driver.toolkit import POOL, ErrorTable, measured, pool_key
from deltacloud.errors import AuthenticationError, DeltacloudError, NotFoundError, ValidationError
from deltacloud.models import (
    Address,
    HardwareProfile,
    HardwareProperty,
    Image,
    Instance,
    Key,
    LaunchOptions,
    Realm,
)
from deltacloud_driver_libcloud.openstack import states

#: The features the driver advertises.
FEATURES: tuple[str, ...] = ("user_name", "authentication_key", "user_data", "import_key")

ERRORS = ErrorTable(service="OpenStack", codes={
    "itemNotFound": NotFoundError, "badRequest": ValidationError, "unauthorized": AuthenticationError,
})


def _auth(provider: str) -> tuple[str, str]:
    """The Keystone root URL and libcloud's auth version for a provider URL."""
    url = provider.rstrip("/")
    if url.endswith("/v2.0"):
        return url[: -len("/v2.0")], "2.0_password"
    if url.endswith("/v3"):
        return url[: -len("/v3")], "3.x_password"
    return url, "3.x_password"


class OpenStackDriver(Driver):
    """Servers, flavors, images and key pairs of one OpenStack project in one region."""

    name: ClassVar[str] = "OpenStack"
    state_machine: ClassVar[StateMachine] = states.MACHINE
    features: ClassVar[Sequence[str]] = FEATURES
    ERRORS: ClassVar[ErrorTable] = ERRORS

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """libcloud exceptions that escaped the driver's own translation."""
        return cls.ERRORS.translate(error)

    @property
    def region(self) -> str:
        """The region (driver option ``region``)."""
        return self.settings.option("region") or "RegionOne"

    def _user_project(self) -> tuple[str, str | None]:
        user, plus, project = self.credentials.user.partition("+")
        return user, (project if plus else self.settings.option("project"))

    def _make(self) -> Any:
        root, version = _auth(self.provider_url())
        user, project = self._user_project()
        kwargs: dict[str, Any] = {
            "ex_force_auth_url": root, "ex_force_auth_version": version, "ex_tenant_name": project,
            "ex_force_service_region": self.region,
            "ex_force_service_name": self.settings.option("service_name") or "nova",
            "timeout": self.settings.read_timeout,
        }
        if version.startswith("3"):
            kwargs["ex_domain_name"] = self.settings.option("domain") or "Default"
        return OpenStack_1_1_NodeDriver(user, self.credentials.password, **kwargs)

    @contextlib.contextmanager
    def backend(self) -> Iterator[Any]:
        """A pooled libcloud OpenStack driver (its Keystone token reused) for this request alone."""
        key = pool_key("openstack", self.provider, self.credentials, self.region)
        with self.ERRORS.translating(), measured(), POOL.checkout(key, self._make) as driver:
            yield driver

    def _node(self, driver: Any, id: str) -> Node:
        return Node(id=id, name=id, state=NodeState.UNKNOWN, public_ips=[], private_ips=[], driver=driver)

    # -- base collections ----------------------------------------------------------------------

    def realms(self, filters: Filters) -> list[Realm]:
        """The region (after checking the credentials with one flavor listing)."""
        with self.backend() as driver:
            driver.connection.request("/flavors")
        return [Realm(self.region, f"{self.name} region {self.region}")]

    def hardware_profiles(self, filters: Filters) -> list[HardwareProfile]:
        """The flavors."""
        with self.backend() as driver:
            sizes = driver.list_sizes()
        return [HardwareProfile(str(s.id), (HardwareProperty.fixed("cpu", s.extra.get("vcpus") or s.vcpus or 1),
                                            HardwareProperty.fixed("memory", s.ram),
                                            HardwareProperty.fixed("storage", s.disk)), name=s.name)
                for s in sizes]

    def images(self, filters: Filters) -> list[Image]:
        """Nova's images."""
        with self.backend() as driver:
            found = driver.list_images()
        return [Image(str(i.id), i.name, i.extra.get("description") or i.name,
                      owner_id=str(i.extra.get("tenantId") or i.extra.get("owner") or ""),
                      architecture=str((i.extra.get("metadata") or {}).get("architecture") or ""),
                      state="AVAILABLE" if str(i.extra.get("status", "")).upper() == "ACTIVE" else "PENDING",
                      creation_time=str(i.extra.get("created") or ""))
                for i in found]

    def _instance(self, server: dict[str, Any]) -> Instance:
        public: list[Address] = []
        private: list[Address] = []
        for label, values in (server.get("addresses") or {}).items():
            for value in values:
                kind = "ipv6" if value.get("version") == 6 else "ipv4"
                floating = value.get("OS-EXT-IPS:type") == "floating" or label in ("public", "internet")
                with contextlib.suppress(ValueError):
                    floating = floating or ipaddress.ip_address(value.get("addr", "")).is_global
                (public if floating else private).append(Address(value.get("addr", ""), kind))
        return Instance(str(server["id"]), name=server.get("name", ""),
                        owner_id=str(server.get("user_id") or self.credentials.user),
                        image_id=str((server.get("image") or {}).get("id") or ""),
                        realm_id=server.get("OS-EXT-AZ:availability_zone") or self.region,
                        state=states.deltacloud_state(server.get("status")),
                        hardware_profile_id=str((server.get("flavor") or {}).get("id") or ""),
                        public_addresses=tuple(public), private_addresses=tuple(private),
                        launch_time=server.get("created", ""), keyname=server.get("key_name") or "",
                        create_image=False)

    def instances(self, filters: Filters) -> list[Instance]:
        """The project's servers, from Nova's own answer (its raw status, not libcloud's)."""
        if filters.get("id"):
            try:
                return [self.instance(filters["id"])]
            except NotFoundError:
                return []
        with self.backend() as driver:
            answer = driver.connection.request("/servers/detail").object
        return [self._instance(s) for s in answer.get("servers", [])]

    def instance(self, id: str) -> Instance:
        """One server."""
        with self.backend() as driver:
            answer = driver.connection.request(f"/servers/{id}").object
        return self._instance(answer["server"])

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        """Boot a server of the image and flavor (``hwp_id``, else the smallest)."""
        profiles = {p.id: p for p in self.hardware_profiles({})}
        if options.hardware_profile_id and options.hardware_profile_id not in profiles:
            raise ValidationError(f"Hardware profile '{options.hardware_profile_id}' does not exist", param="hwp_id")
        if not any(i.id == image_id for i in self.images({"id": image_id})):
            raise ValidationError(f"Image '{image_id}' does not exist", param="image_id")
        flavor = options.hardware_profile_id or min(
            profiles, key=lambda p: int(profiles[p].get_property("memory").value))  # type: ignore[union-attr]
        kwargs: dict[str, Any] = {}
        if options.keyname:
            kwargs["ex_keyname"] = options.keyname
        if options.user_data:
            kwargs["ex_userdata"] = options.user_data.decode("utf-8", "replace")
        with self.backend() as driver:
            size = NodeSize(flavor, flavor, 0, 0, 0, 0, driver)
            node = driver.create_node(name=options.name or f"dc-{image_id}"[:60], size=size,
                                      image=NodeImage(image_id, image_id, driver), **kwargs)
        return self.instance(str(node.id))

    def start_instance(self, id: str) -> Instance:
        """os-start."""
        with self.backend() as driver:
            driver.ex_start_node(self._node(driver, id))
        return self.instance(id)

    def stop_instance(self, id: str) -> Instance:
        """os-stop."""
        with self.backend() as driver:
            driver.ex_stop_node(self._node(driver, id))
        return self.instance(id)

    def reboot_instance(self, id: str) -> Instance:
        """A soft reboot."""
        with self.backend() as driver:
            driver.reboot_node(self._node(driver, id))
        return self.instance(id)

    def destroy_instance(self, id: str) -> None:
        """Delete the server."""
        with self.backend() as driver:
            driver.destroy_node(self._node(driver, id))

    # -- keys ----------------------------------------------------------------------------------

    @staticmethod
    def _key(pair: Any) -> Key:
        return Key(pair.name, pair.name, "key", pair.fingerprint or "", pem=pair.private_key or "",
                   public_key=pair.public_key or "")

    def keys(self, filters: Filters) -> list[Key]:
        """The project's key pairs."""
        with self.backend() as driver:
            return [self._key(p) for p in driver.list_key_pairs()]

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Create a key pair (the private key is shown once), or import ``public_key``."""
        with self.backend() as driver:
            if public_key:
                return self._key(driver.import_key_pair_from_string(name, public_key))
            return self._key(driver.create_key_pair(name))

    def destroy_key(self, id: str) -> None:
        """Delete a key pair."""
        with self.backend() as driver:
            driver.delete_key_pair(driver.get_key_pair(id))
