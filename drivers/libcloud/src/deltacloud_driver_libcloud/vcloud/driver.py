"""``VCloudDriver``: the vApps, vDCs and templates of one vCloud Director organisation.

* **Provider**: the vCloud Director URL (``https://vcd.example.com``; a port may follow). A
  client-sent URL is subject to the provider-URL safety rule.
* **Credentials**: HTTP Basic, ``user@organisation`` and the password, as vCloud takes them.
* **Realms**: the organisation's virtual data centers (vDCs), by id. **Images**: vApp templates.
  **Hardware profile**: ``custom``, CPUs and memory from the values libcloud's vCloud 1.5 driver
  accepts. **Instances**: vApps (id ``vapp-…``), their state mapped by ``states`` from the raw
  status; start deploys and powers on, stop shuts down and undeploys, destroy deletes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from libcloud.common.exceptions import BaseHTTPError
from libcloud.compute.base import Node, NodeImage, NodeState
from libcloud.compute.drivers.vcloud import (
    VIRTUAL_CPU_VALS_1_5,
    VIRTUAL_MEMORY_VALS,
    VCloud_1_5_NodeDriver,
    fixxpath,
    get_url_path,
)

from deltacloud.driver import Driver, Filters, StateMachine
from deltacloud.driver.toolkit import POOL, ErrorTable, measured, pool_key
from deltacloud.errors import AuthenticationError, DeltacloudError, NotFoundError, ValidationError
from deltacloud.models import Address, HardwareProfile, HardwareProperty, Image, Instance, LaunchOptions, Realm
from deltacloud_driver_libcloud.vcloud import states

#: The features the driver advertises.
FEATURES: tuple[str, ...] = ("user_name",)
_VAPP = "application/vnd.vmware.vcloud.vApp+xml"

ERRORS = ErrorTable(service="vCloud Director", codes={
    "ACCESS_TO_RESOURCE_IS_FORBIDDEN": NotFoundError, "BAD_REQUEST": ValidationError,
    "UNAUTHORIZED": AuthenticationError,
})


def _last(href: str) -> str:
    return get_url_path(href).rstrip("/").rsplit("/", 1)[-1]


class VCloudDriver(Driver):
    """vApps, vDCs and vApp templates of one vCloud Director organisation."""

    name: ClassVar[str] = "vCloud"
    state_machine: ClassVar[StateMachine] = states.MACHINE
    features: ClassVar[Sequence[str]] = FEATURES

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """libcloud exceptions that escaped the driver's own translation."""
        return ERRORS.translate(error)

    def _make(self) -> Any:
        parts = urlsplit(self.provider_url())
        secure = parts.scheme == "https"
        return VCloud_1_5_NodeDriver(self.credentials.user, self.credentials.password, secure=secure,
                                     host=parts.hostname, port=parts.port or (443 if secure else 80),
                                     timeout=self.settings.read_timeout)

    @contextlib.contextmanager
    def backend(self) -> Iterator[Any]:
        """A pooled libcloud vCloud driver (its session token reused) for this request alone."""
        key = pool_key("vcloud", self.provider, self.credentials)
        with ERRORS.translating(), measured(), POOL.checkout(key, self._make) as driver:
            yield driver

    # -- realms, profiles, images --------------------------------------------------------------

    def realms(self, filters: Filters) -> list[Realm]:
        """The organisation's vDCs."""
        with self.backend() as driver:
            return [Realm(_last(vdc.id), vdc.name) for vdc in driver.vdcs]

    def hardware_profiles(self, filters: Filters) -> list[HardwareProfile]:
        """One profile: the CPU counts and memory sizes a vApp's VM may get."""
        return [HardwareProfile("custom", (HardwareProperty.enum("cpu", list(VIRTUAL_CPU_VALS_1_5)),
                                           HardwareProperty.enum("memory", list(VIRTUAL_MEMORY_VALS), 1024)))]

    def images(self, filters: Filters) -> list[Image]:
        """The vApp templates of the vDCs and catalogs."""
        with self.backend() as driver:
            found = driver.list_images()
        return [Image(_last(i.id), i.name, i.name) for i in found]

    # -- instances -----------------------------------------------------------------------------

    def _vapps(self, driver: Any) -> Iterator[tuple[str, Any, Any, str]]:
        """(id, vApp element, libcloud node, realm id) of every vApp the organisation may see.

        The id is that of the vDC's reference, the address the vApp was read from.
        """
        for vdc in driver.vdcs:
            root = driver.connection.request(get_url_path(vdc.id)).object
            for entity in root.findall(fixxpath(root, "ResourceEntities/ResourceEntity")):
                if entity.get("type") != _VAPP or not entity.get("name"):
                    continue
                element = self._vapp_element(driver, entity.get("href"))
                if element is not None:
                    yield _last(entity.get("href")), element, driver._to_node(element), _last(vdc.id)

    @staticmethod
    def _vapp_element(driver: Any, href: str) -> Any | None:
        try:
            return driver.connection.request(get_url_path(href), headers={"Content-Type": _VAPP}).object
        except BaseHTTPError as exc:
            if exc.code in (403, 404):  # removed since the vDC listing, or not ours to see
                return None
            raise

    def _instance(self, id: str, element: Any, node: Any, realm: str) -> Instance:
        return Instance(id, name=node.name, owner_id=self.credentials.user, image_id="",
                        realm_id=realm, state=states.deltacloud_state(element.get("status")),
                        hardware_profile_id="custom",
                        public_addresses=tuple(Address(ip) for ip in node.public_ips),
                        private_addresses=tuple(Address(ip) for ip in node.private_ips), create_image=False)

    def instances(self, filters: Filters) -> list[Instance]:
        """Every vApp of every vDC, its state from the raw status."""
        with self.backend() as driver:
            return [self._instance(*found) for found in self._vapps(driver)]

    def _node(self, driver: Any, id: str) -> Node:
        if not id.startswith("vapp-"):
            raise NotFoundError(f"Instance '{id}' not found")
        return Node(id=f"/api/vApp/{id}", name=id, state=NodeState.UNKNOWN, public_ips=[], private_ips=[],
                    driver=driver)

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        """Instantiate a vApp template in the first vDC (or ``realm_id``), deployed and powered on."""
        overrides = dict(options.hardware_profile_overrides)
        with self.backend() as driver:
            vdcs = {_last(v.id): v for v in driver.vdcs}
            vdc = vdcs.get(options.realm_id or "") or next(iter(vdcs.values()), None)
            if vdc is None or (options.realm_id and options.realm_id not in vdcs):
                raise ValidationError(f"Realm '{options.realm_id}' does not exist", param="realm_id")
            images = {_last(i.id): i for i in driver.list_images()}
            if image_id not in images:
                raise ValidationError(f"Image '{image_id}' does not exist", param="image_id")
            kwargs: dict[str, Any] = {"ex_vdc": vdc.name}
            if "cpu" in overrides:
                kwargs["ex_vm_cpu"] = int(overrides["cpu"])
            if "memory" in overrides:
                kwargs["ex_vm_memory"] = int(overrides["memory"])
            image = NodeImage(images[image_id].id, images[image_id].name, driver)
            node = driver.create_node(name=options.name or f"dc-{image_id}"[:60], image=image, **kwargs)
            return self.instance(_last(node.id))

    def instance(self, id: str) -> Instance:
        """One vApp."""
        with self.backend() as driver:
            element = self._vapp_element(driver, f"/api/vApp/{self._node(driver, id).name}")
            if element is None:
                raise NotFoundError(f"Instance '{id}' not found")
            node = driver._to_node(element)
            vdc = next((link.get("href") for link in element.findall(fixxpath(element, "Link"))
                        if link.get("type") == "application/vnd.vmware.vcloud.vdc+xml"), "")
            return self._instance(id, element, node, _last(vdc) if vdc else "")

    def start_instance(self, id: str) -> Instance:
        """Deploy and power on."""
        with self.backend() as driver:
            driver.ex_deploy_node(self._node(driver, id))
        return self.instance(id)

    def stop_instance(self, id: str) -> Instance:
        """Shut the guests down and undeploy."""
        with self.backend() as driver:
            driver.ex_undeploy_node(self._node(driver, id))
        return self.instance(id)

    def reboot_instance(self, id: str) -> Instance:
        """Reset the vApp."""
        with self.backend() as driver:
            driver.reboot_node(self._node(driver, id))
        return self.instance(id)

    def destroy_instance(self, id: str) -> None:
        """Undeploy (shutting down) and delete the vApp."""
        with self.backend() as driver:
            driver.destroy_node(self._node(driver, id))
