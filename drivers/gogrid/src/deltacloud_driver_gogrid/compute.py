"""Realms, hardware profiles, images and instances on GoGrid (the base collections).

A new server is added with a free public IP of the chosen realm (GoGrid requires one) and
has no id for a while: ``grid/server/get`` does not find it by name until then, so showing an
instance falls back to the server list, where it is listed without an id (PENDING).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from deltacloud.driver import Driver
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import HardwareProfile, Image, Instance, LaunchOptions, Realm
from deltacloud_driver_gogrid import convert, states
from deltacloud_driver_gogrid.client import GoGridApi, Json

Filters = Mapping[str, str]
#: GoGrid's longest server name.
MAX_NAME = 20


class ComputeMixin(Driver):
    """The base collections; ``api()`` is the driver's."""

    def api(self) -> GoGridApi:  # pragma: no cover - the driver class provides it
        """A client of GoGrid for this request."""
        raise NotImplementedError

    # -- realms, profiles, images --------------------------------------------------------------

    def realms(self, filters: Filters) -> tuple[Realm, ...]:
        """The data centers of the ``ip.datacenter`` lookup."""
        return tuple(convert.realm(dc) for dc in self.api().lookup("ip.datacenter"))

    def hardware_profiles(self, filters: Filters) -> tuple[HardwareProfile, ...]:
        """One profile per server type, with the RAM sizes as a memory enum."""
        api = self.api()
        return convert.hardware_profiles(api.lookup("server.type"), api.lookup("server.ram"))

    def images(self, filters: Filters) -> tuple[Image, ...]:
        """The available server images (public ones and the account's own)."""
        return tuple(convert.image(i) for i in self.api().read("grid/image/list", {"state": "Available"}))

    def image(self, id: str) -> Image:
        """One image, by ``grid/image/get`` (a miss is GoGrid's 400, a 404 here)."""
        return convert.image(self.api().read("grid/image/get", {"id": id})[0])

    # -- instances -----------------------------------------------------------------------------

    def instances(self, filters: Filters) -> tuple[Instance, ...]:
        """Every server of the account (one call; authentication shows on a single instance)."""
        owner = self.credentials.user
        return tuple(convert.instance(s, owner) for s in self.api().read("grid/server/list"))

    def instance(self, id: str) -> Instance:
        """One server by name, with its root password; a server without its id yet from the list."""
        api = self.api()
        server = self._server(api, id)
        password = None
        if server.get("id") is not None:
            password = next((p for p in api.read("support/password/list")
                             if (p.get("server") or {}).get("id") == server["id"]), None)
        return convert.instance(server, self.credentials.user, password)

    @staticmethod
    def _server(api: GoGridApi, name: str) -> Json:
        try:
            return api.read("grid/server/get", {"name": name})[0]
        except NotFoundError:
            found = next((s for s in api.read("grid/server/list") if s.get("name") == name), None)
            if found is None:
                raise NotFoundError(f"Instance '{name}' not found") from None
            return found

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        """``grid/server/add`` with a free public IP of the realm; the new server is PENDING."""
        if options.password:
            raise ValidationError("GoGrid chooses the root password itself; the instance shows it once the "
                                  "server is up (leave 'password' out)", param="password")
        api = self.api()
        name = options.name or f"dc-{secrets.token_hex(4)}"
        if len(name) > MAX_NAME:
            raise ValidationError(f"GoGrid server names have at most {MAX_NAME} characters", param="name")
        try:
            image = api.read("grid/image/get", {"id": image_id})[0]
        except NotFoundError:
            raise ValidationError(f"Image '{image_id}' does not exist", param="image_id") from None
        realm_id = self._realm_id(api, options.realm_id)
        profile = convert.slug(convert.name_of(image.get("type")))
        if options.hardware_profile_id and options.hardware_profile_id != profile:
            raise ValidationError(f"Image '{image_id}' makes {convert.name_of(image.get('type'))} servers: "
                                  f"use the hardware profile '{profile}'", param="hwp_id")
        params = {"name": name, "image": str(image["id"]), "server.ram": self._ram(api, options),
                  "ip": self._free_ip(api, realm_id)}
        if options.sandbox:
            params["isSandbox"] = "true"
        return convert.instance(api.write("grid/server/add", params)[0], self.credentials.user)

    @staticmethod
    def _realm_id(api: GoGridApi, wanted: str | None) -> str:
        realms = [str(dc["id"]) for dc in api.lookup("ip.datacenter")]
        if wanted is None:
            return realms[0]
        if wanted not in realms:
            raise ValidationError(f"Realm '{wanted}' does not exist", param="realm_id")
        return wanted

    @staticmethod
    def _ram(api: GoGridApi, options: LaunchOptions) -> str:
        rams = sorted(api.lookup("server.ram"), key=lambda r: convert.ram_mb(convert.name_of(r)))
        memory = dict(options.hardware_profile_overrides).get("memory")
        for ram in rams:
            if memory is None or str(convert.ram_mb(convert.name_of(ram))) == str(memory):
                return convert.name_of(ram)
        raise ValidationError(f"GoGrid has no server with {memory} MB", param="hwp_memory")

    @staticmethod
    def _free_ip(api: GoGridApi, realm_id: str) -> str:
        free = free_public_ips(api, realm_id)
        if not free:
            raise ConflictError(f"No free public IP left in realm '{realm_id}'")
        return free[0]

    def _power(self, id: str, action: str) -> Instance:
        server = self.api().write("grid/server/power", {"name": id, "power": states.POWER[action]})[0]
        return convert.instance(server, self.credentials.user)

    def start_instance(self, id: str) -> Instance:
        """``power=start``: Starting (PENDING), then On."""
        return self._power(id, "start")

    def stop_instance(self, id: str) -> Instance:
        """``power=stop``: Stopping, then Off."""
        return self._power(id, "stop")

    def reboot_instance(self, id: str) -> Instance:
        """``power=restart``."""
        return self._power(id, "reboot")

    def destroy_instance(self, id: str) -> None:
        """``grid/server/delete`` by name (GoGrid frees the server's IP)."""
        self.api().write("grid/server/delete", {"name": id})


def free_public_ips(api: GoGridApi, realm_id: str) -> list[str]:
    """The unassigned public IPs of a data center."""
    ips: Iterable[Any] = api.read("grid/ip/list", {"ip.type": "Public", "ip.state": "Unassigned",
                                                   "datacenter": realm_id})
    return [str(ip["ip"]) for ip in ips if ip.get("ip")]
