"""``TerremarkDriver``: the vApps, vDCs and catalog of a Terremark vCloud Express account (vCloud API 0.8).

The ``vcloud`` family with libcloud's 0.8 ``TerremarkDriver`` underneath (cookie login at
``/api/v0.8/login``); the state map and machine are ``vcloud``'s (the vApp status codes are the
same). Differences:

* **Provider**: the API's URL, default ``https://services.vcloudexpress.terremark.com``.
* **Credentials**: HTTP Basic, the account's user (an email) and password.
* **Instances**: id the vApp's number (``/api/v0.8/vapp/ID``). **Images**: the catalog's items'
  vApp templates (id the template's number).
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from libcloud.common.types import InvalidCredsError
from libcloud.compute.base import Node, NodeImage, NodeState
from libcloud.compute.drivers.vcloud import TerremarkConnection, fixxpath, get_url_path
from libcloud.compute.drivers.vcloud import TerremarkDriver as LibcloudTerremark
from libcloud.utils.py3 import ET

from deltacloud.errors import NotFoundError, ValidationError
from deltacloud.models import Instance, LaunchOptions, Provider
from deltacloud_driver_libcloud.vcloud.driver import VCloudDriver, _last

PUBLIC = "https://services.vcloudexpress.terremark.com"


class _Connection(TerremarkConnection):
    """libcloud's 0.8 login, reading the status first (a refused login has no XML body to parse)."""

    def _get_auth_token(self) -> None:
        if self.token:
            return
        self.connection.request(method="POST", url="/api/v0.8/login", headers=self._get_auth_headers())
        response = self.connection.getresponse()
        if response.status_code in (401, 403) or "set-cookie" not in response.headers:
            raise InvalidCredsError("Terremark refused the credentials")
        body = ET.XML(response.text)
        self.token = response.headers["set-cookie"]
        self.driver.org = get_url_path(body.find(fixxpath(body, "Org")).get("href"))


class _Terremark(LibcloudTerremark):
    connectionCls = _Connection  # noqa: N815 (libcloud's name)


class TerremarkDriver(VCloudDriver):
    """vApps, vDCs and catalog items of one Terremark vCloud Express account."""

    name: ClassVar[str] = "Terremark"
    providers_known: ClassVar[tuple[Provider, ...]] = (Provider(PUBLIC),)
    default_provider: ClassVar[str | None] = PUBLIC

    def _make(self) -> Any:
        parts = urlsplit(self.provider_url())
        secure = parts.scheme == "https"
        return _Terremark(self.credentials.user, self.credentials.password, secure=secure,
                                 host=parts.hostname, port=parts.port or (443 if secure else 80),
                                 timeout=self.settings.read_timeout)

    def _node(self, driver: Any, id: str) -> Node:
        if not id.isdigit():
            raise NotFoundError(f"Instance '{id[:100]}' not found")
        return Node(id=f"/api/v0.8/vapp/{id}", name=id, state=NodeState.UNKNOWN, public_ips=[], private_ips=[],
                    driver=driver)

    def instance(self, id: str) -> Instance:
        """One vApp."""
        with self.backend() as driver:
            element = self._vapp_element(driver, self._node(driver, id).id)
            if element is None:
                raise NotFoundError(f"Instance '{id}' not found")
            vdc = next((link.get("href") for link in element.iter()
                        if link.get("type") == "application/vnd.vmware.vcloud.vdc+xml"), "")
            return self._instance(id, element, driver._to_node(element), _last(vdc) if vdc else "")

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        """Instantiate a vApp template in the first vDC (or ``realm_id``) and power it on."""
        overrides = dict(options.hardware_profile_overrides)
        with self.backend() as driver:
            vdcs = {_last(v.id): v for v in driver.vdcs}
            if options.realm_id and options.realm_id not in vdcs:
                raise ValidationError(f"Realm '{options.realm_id}' does not exist", param="realm_id")
            images = {_last(i.id): i for i in driver.list_images()}
            if image_id not in images:
                raise ValidationError(f"Image '{image_id}' does not exist", param="image_id")
            memory = int(overrides.get("memory") or 1024)
            size = next((s for s in driver.list_sizes() if s.ram == memory), None)
            if size is None:
                raise ValidationError(f"Memory {memory} MB is not offered", param="hwp_memory")
            kwargs: dict[str, Any] = {"ex_cpus": int(overrides.get("cpu") or 1)}
            if options.realm_id:
                kwargs["ex_vdc"] = vdcs[options.realm_id].name
            node = driver.create_node(name=options.name or f"dc-{image_id}"[:60], size=size,
                                      image=NodeImage(images[image_id].id, images[image_id].name, driver), **kwargs)
        return self.instance(_last(get_url_path(node.id)))

    def _power(self, driver: Any, id: str, action: str) -> None:
        answer = driver.connection.request(f"{self._node(driver, id).id}/power/action/{action}", method="POST")
        driver._wait_for_task_completion(answer.object.get("href"))

    def start_instance(self, id: str) -> Instance:
        """Power on."""
        with self.backend() as driver:
            self._power(driver, id, "powerOn")
        return self.instance(id)

    def stop_instance(self, id: str) -> Instance:
        """Power off."""
        with self.backend() as driver:
            self._power(driver, id, "poweroff")
        return self.instance(id)
