"""``RhevmDriver``: a RHEV-M / oVirt engine's data center behind the Deltacloud API.

Realms are the data center's clusters, images its templates, instances its VMs, storage
volumes its disks (oVirt 4). The provider names the engine and the data center
(``https://engine/ovirt-engine/api;DATA_CENTER_ID``, see ``provider``); credentials are the
engine's ``user@domain`` and password (see ``engine`` for SSO and token reuse).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import ClassVar

from deltacloud.driver import Driver, Filters, StateMachine
from deltacloud.errors import DeltacloudError, NotFoundError, ValidationError
from deltacloud.models import AttachedVolume, HardwareProfile, Image, Instance, LaunchOptions, Provider, Realm
from deltacloud_driver_rhevm import engine, provider, states, wire
from deltacloud_driver_rhevm.profiles import PROFILES
from deltacloud_driver_rhevm.volumes import VolumesMixin

#: What the driver advertises (pinned by the tests).
FEATURES: dict[str, dict[str, int]] = {"user_name": {"max_length": 50}, "user_data": {}, "image_name": {},
                                       "image_description": {}}
#: The longest instance name accepted (the ``user_name`` feature's constraint, enforced here).
MAX_NAME = FEATURES["user_name"]["max_length"]


class RhevmDriver(VolumesMixin, Driver):
    """Clusters, templates, VMs and disks of one data center of an oVirt / RHEV-M engine."""

    name: ClassVar[str] = "RHEV-M"
    state_machine: ClassVar[StateMachine] = states.MACHINE
    features: ClassVar[dict[str, dict[str, int]]] = FEATURES

    # -- the engine ------------------------------------------------------------------------------

    @property
    def location(self) -> provider.Location:
        """The engine and data center of the request's provider (400 when there is none)."""
        return provider.parse(self.provider_url())

    def client(self) -> engine.EngineClient:
        """The engine's API for this request's credentials."""
        return engine.EngineClient(self, self.location)

    def data_center(self, api: engine.EngineClient) -> tuple[str, str]:
        """(id, name) of the provider's data center; 400 naming ``provider`` without one or for an unknown one."""
        wanted = api.location.data_center
        if not wanted:
            raise ValidationError("The rhevm provider needs a data center: ENGINE_API_URL;DATA_CENTER_ID "
                                  "(GET /api/drivers/rhevm lists them)", param="provider")
        for dc in api.get("/datacenters", search="").findall("data_center"):
            if dc.get("id") == wanted:
                return wanted, wire.text(dc, "name")
        raise ValidationError(f"The engine has no data center '{wanted[:64]}'", param="provider")

    @classmethod
    def provider_endpoints(cls, provider_string: str) -> Sequence[str]:
        """The engine's API URL (the data center after ``;`` is not an endpoint)."""
        return [provider_string.split(";")[0]] if "://" in provider_string else []

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """Transport failures that escaped the backend (none should) as 502/504."""
        return engine.ERRORS.translate(error)

    def offers(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """Storage volumes only on oVirt 4 (the v3 disks API is not supported)."""
        try:
            v3 = provider.parse(self.provider).version < 4
        except ValidationError:
            return None, None
        return (frozenset(), None) if v3 else (None, None)

    def providers(self) -> Sequence[Provider]:
        """The engine's data centers, each a provider ``API_URL;DATA_CENTER_ID`` (needs credentials)."""
        if not self.provider or self.optional_credentials is None:
            return (Provider(self.provider),) if self.provider else ()
        api = self.client()
        root = api.get("/datacenters", search="")
        return tuple(Provider(api.location.with_data_center(dc.get("id", "")),
                              (("compute", api.location.api_url),)) for dc in root.findall("data_center"))

    def _owner(self) -> str:
        return self.credentials.user

    # -- realms, profiles, images ------------------------------------------------------------

    def realms(self, filters: Filters) -> list[Realm]:
        api = self.client()
        _, dc_name = self.data_center(api)
        return [wire.realm(c) for c in api.get("/clusters", search=wire.in_data_center(dc_name)).findall("cluster")]

    def hardware_profiles(self, filters: Filters) -> tuple[HardwareProfile, ...]:
        return PROFILES

    def images(self, filters: Filters) -> list[Image]:
        api = self.client()
        _, dc_name = self.data_center(api)
        root = api.get("/templates", search=wire.in_data_center(dc_name))
        return [wire.image(t, self._owner()) for t in root.findall("template")]

    def image(self, id: str) -> Image:
        return wire.image(self._get(self.client(), "templates", id, "Image"), self._owner())

    def create_image(self, instance_id: str, name: str | None = None, description: str | None = None) -> Image:
        api = self.client()
        vm = self._get(api, "vms", instance_id, "Instance")
        body = ET.Element("template")
        ET.SubElement(body, "name").text = name or f"{wire.text(vm, 'name')}-image"
        if description:
            ET.SubElement(body, "description").text = description
        ET.SubElement(body, "vm", id=instance_id)
        created = api.send("POST", "/templates", ET.tostring(body, encoding="utf-8"))
        if created is None:
            raise NotFoundError("The engine answered no template")
        return wire.image(created, self._owner())

    def destroy_image(self, id: str) -> None:
        api = self.client()
        self._get(api, "templates", id, "Image")
        api.send("DELETE", f"/templates/{id}")

    # -- instances -------------------------------------------------------------------------------

    def _get(self, api: engine.EngineClient, collection: str, id: str, what: str) -> ET.Element:
        if not wire.is_id(id):
            raise NotFoundError(f"{what} '{id[:64]}' not found")
        return api.get(f"/{collection}/{id}")

    def _instance(self, api: engine.EngineClient, vm: ET.Element) -> Instance:
        id = vm.get("id", "")
        v4 = api.location.version >= 4
        nics = api.get(f"/vms/{id}/nics", **({"follow": "reported_devices"} if v4 else {}))
        if not v4:
            return wire.instance(vm, nics, self._owner())
        attachments = api.get(f"/vms/{id}/diskattachments", follow="disk").findall("disk_attachment")
        storage = sum(wire.disk_gb(a.find("disk")) for a in attachments if a.find("disk") is not None)
        volumes = tuple(AttachedVolume(wire.ref(a, "disk"), wire.text(a, "logical_name")) for a in attachments)
        return wire.instance(vm, nics, self._owner(), storage, volumes)

    def instances(self, filters: Filters) -> list[Instance]:
        api = self.client()
        if filters.get("id"):
            try:
                return [self.instance(filters["id"])]
            except NotFoundError:
                return []
        _, dc_name = self.data_center(api)
        return [self._instance(api, vm) for vm in api.get("/vms", search=wire.in_data_center(dc_name)).findall("vm")]

    def instance(self, id: str) -> Instance:
        api = self.client()
        return self._instance(api, self._get(api, "vms", id, "Instance"))

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        if options.name is not None and not 0 < len(options.name) <= MAX_NAME:
            raise ValidationError(f"name must be 1 to {MAX_NAME} characters", param="name")
        api = self.client()
        dc_id, dc_name = self.data_center(api)
        try:
            template = self._get(api, "templates", image_id, "Image")
        except NotFoundError:
            raise ValidationError(f"Image '{image_id[:64]}' does not exist", param="image_id") from None
        listing = api.get("/clusters", search=wire.in_data_center(dc_name))
        clusters = [c.get("id", "") for c in listing.findall("cluster")]
        cluster = options.realm_id or (clusters[0] if clusters else "")
        if cluster not in clusters:
            raise ValidationError(f"Realm '{cluster[:64]}' is not a cluster of data center {dc_id}",
                                  param="realm_id")
        overrides = dict(options.hardware_profile_overrides)
        profile = options.hardware_profile_id or wire.image(template, "").hardware_profiles[0]
        name = options.name or f"inst-{wire.text(template, 'name')[:20]}-{_suffix()}"
        body = wire.vm_body(name, image_id, cluster, profile, _int(overrides.get("cpu")),
                            _int(overrides.get("memory")), options.user_data, api.location.version)
        vm = api.send("POST", "/vms", body)
        if vm is None:
            raise NotFoundError("The engine answered no VM")
        storage = _int(overrides.get("storage"))
        if storage and api.location.version >= 4:
            self.add_data_disk(api, dc_name, vm.get("id", ""), f"{name}_data", storage)
        return self._instance(api, vm)

    def _act(self, id: str, action: str) -> Instance:
        api = self.client()
        self._get(api, "vms", id, "Instance")
        api.send("POST", f"/vms/{id}/{action}", wire.element("action"))
        return self.instance(id)

    def start_instance(self, id: str) -> Instance:
        return self._act(id, "start")

    def stop_instance(self, id: str) -> Instance:
        """A graceful shutdown (ACPI), as Deltacloud's stop always was on RHEV-M; not a power-off."""
        return self._act(id, "shutdown")

    def reboot_instance(self, id: str) -> Instance:
        return self._act(id, "reboot")

    def destroy_instance(self, id: str) -> None:
        api = self.client()
        self._get(api, "vms", id, "Instance")
        api.send("DELETE", f"/vms/{id}")


def _int(text: str | None) -> int | None:
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def _suffix() -> str:
    import secrets

    return secrets.token_hex(3)
