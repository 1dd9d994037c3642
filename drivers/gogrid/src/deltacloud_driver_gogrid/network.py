"""Keys (GoGrid's password list), addresses (its IP list) and load balancers.

Load balancers are named by the client and their id is the name. GoGrid keeps a virtual IP and
port and a list of real IP/port pairs; registering an instance adds its IP with the listener's
instance port, unregistering removes it (``grid/loadbalancer/edit`` replaces the whole list).
"""

from __future__ import annotations

from collections.abc import Mapping

from deltacloud.driver import Driver
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import Key, LoadBalancer, PublicAddress
from deltacloud_driver_gogrid import convert
from deltacloud_driver_gogrid.client import GoGridApi, Json
from deltacloud_driver_gogrid.compute import ComputeMixin, free_public_ips

Filters = Mapping[str, str]


def servers_by_ip(api: GoGridApi) -> dict[str, str]:
    """Server names by their IP address."""
    return {str((s.get("ip") or {}).get("ip")): str(s["name"]) for s in api.read("grid/server/list")}


class NetworkMixin(ComputeMixin, Driver):
    """The optional collections GoGrid offers."""

    # -- keys ----------------------------------------------------------------------------------

    def keys(self, filters: Filters) -> tuple[Key, ...]:
        """The password list: one password key per server login GoGrid made."""
        return tuple(convert.key(p) for p in self.api().read("support/password/list"))

    # -- addresses -----------------------------------------------------------------------------

    def addresses(self, filters: Filters) -> tuple[PublicAddress, ...]:
        """The account's public IPs; ``instance_id`` names the server holding one."""
        api = self.api()
        holders = servers_by_ip(api)
        return tuple(convert.address(ip, holders) for ip in api.read("grid/ip/list", {"ip.type": "Public"}))

    # -- load balancers ------------------------------------------------------------------------

    def load_balancers(self, filters: Filters) -> tuple[LoadBalancer, ...]:
        """Every load balancer of the account."""
        api = self.api()
        holders = servers_by_ip(api)
        return tuple(convert.load_balancer(lb, holders) for lb in api.read("grid/loadbalancer/list"))

    def load_balancer(self, id: str) -> LoadBalancer:
        """One load balancer by name."""
        api = self.api()
        return convert.load_balancer(self._balancer(api, id), servers_by_ip(api))

    @staticmethod
    def _balancer(api: GoGridApi, name: str) -> Json:
        return api.read("grid/loadbalancer/get", {"name": name})[0]

    def create_load_balancer(self, name: str, realm_id: str, listener_protocol: str,
                             listener_balancer_port: int, listener_instance_port: int) -> LoadBalancer:
        """``grid/loadbalancer/add`` on a free public IP of the realm, no real IPs yet."""
        api = self.api()
        if realm_id not in {str(dc["id"]) for dc in api.lookup("ip.datacenter")}:
            raise ValidationError(f"Realm '{realm_id}' does not exist", param="realm_id")
        free = free_public_ips(api, realm_id)
        if not free:
            raise ConflictError(f"No free public IP left in realm '{realm_id}' for a virtual IP")
        created = api.write("grid/loadbalancer/add", {
            "name": name, "description": convert.listener_marker(listener_protocol, listener_instance_port),
            "virtualip.ip": free[0], "virtualip.port": str(listener_balancer_port)})[0]
        return convert.load_balancer(created, {})

    def _edit(self, id: str, instance_id: str, register: bool) -> LoadBalancer:
        api = self.api()
        lb = self._balancer(api, id)
        try:
            address = str((self._server(api, instance_id).get("ip") or {}).get("ip"))
        except NotFoundError:
            raise ValidationError(f"Instance '{instance_id}' does not exist", param="instance_id") from None
        port = convert.load_balancer(lb, {}).listeners[0].instance_port
        reals = [(str((r.get("ip") or {}).get("ip")), str(r.get("port"))) for r in lb.get("realiplist") or []]
        reals = [pair for pair in reals if pair[0] != address]
        if register:
            reals.append((address, port))
        params = {"name": id}
        for n, (ip, real_port) in enumerate(reals):
            params[f"realiplist.{n}.ip"], params[f"realiplist.{n}.port"] = ip, real_port
        edited = api.write("grid/loadbalancer/edit", params)[0]
        return convert.load_balancer(edited, servers_by_ip(api))

    def register_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Add the instance's IP, on the listener's instance port."""
        return self._edit(id, instance_id, register=True)

    def unregister_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Remove the instance's IP."""
        return self._edit(id, instance_id, register=False)

    def destroy_load_balancer(self, id: str) -> None:
        """``grid/loadbalancer/delete`` by name (GoGrid frees the virtual IP)."""
        self.api().write("grid/loadbalancer/delete", {"name": id})
