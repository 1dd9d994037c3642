"""``GoogleDriver``: the zones, machine types, images and instances of one Compute Engine project.

* **Credentials**: HTTP Basic, a service account's email as the user and its private key as the
  password (the PEM key, or the whole JSON key file). The server signs a JWT with it and trades
  it for an OAuth2 token at the token URL; the token stays in memory, pooled per credentials.
* **Provider**: the project id; default the driver option ``project``, else the project in the
  service account's email (``NAME@PROJECT.iam.gserviceaccount.com``).
* **Driver options**: ``endpoint`` (the Compute API's base URL, default
  ``https://www.googleapis.com``), ``token_url`` (default
  ``https://accounts.google.com/o/oauth2/token``), ``project``. Operator settings, trusted.
* **Realms**: zones. **Hardware profiles**: machine types (fixed cpu and memory). **Images**: the
  project's own images. **Instances**: id ``ZONE:NAME``, state from GCE's raw status.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from libcloud.common.google import GoogleAuthError, GoogleBaseError

from deltacloud.driver import Driver, Filters, StateMachine
from deltacloud.driver.toolkit import POOL, ErrorTable, measured, pool_key
from deltacloud.errors import (
    AuthenticationError,
    ConflictError,
    DeltacloudError,
    NotFoundError,
    ValidationError,
)
from deltacloud.models import Address, HardwareProfile, HardwareProperty, Image, Instance, LaunchOptions, Realm
from deltacloud_driver_libcloud.google import states
from deltacloud_driver_libcloud.google.connection import DEFAULT_ENDPOINT, DEFAULT_TOKEN_URL, GCE, endpoint_kwargs

#: The features the driver advertises.
FEATURES: tuple[str, ...] = ("user_name",)
ERRORS = ErrorTable(service="Google Compute Engine", codes={})
_BY_STATUS: dict[int, type[DeltacloudError]] = {
    400: ValidationError, 401: AuthenticationError, 403: AuthenticationError, 404: NotFoundError, 409: ConflictError,
}


def _last(link: str) -> str:
    return (link or "").rstrip("/").rsplit("/", 1)[-1]


class GoogleDriver(Driver):
    """Instances, zones, machine types and images of one Compute Engine project."""

    name: ClassVar[str] = "Google Compute Engine"
    state_machine: ClassVar[StateMachine] = states.MACHINE
    features: ClassVar[Sequence[str]] = FEATURES

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """Google's errors by HTTP status; a key that cannot sign is 401; the rest as libcloud's."""
        if isinstance(error, GoogleAuthError):
            return AuthenticationError("Google refused the credentials (a service account's email and its "
                                       "private key, PEM or the JSON key file)")
        if isinstance(error, GoogleBaseError):
            kind = _BY_STATUS.get(int(error.http_code or 0))
            if kind is AuthenticationError:
                return AuthenticationError("Google refused the credentials")
            if kind is not None:
                return kind(str(error.value)[:300])
        return ERRORS.translate(error)

    @property
    def project(self) -> str:
        """The project: the provider, the option ``project``, or the service account's project."""
        given = (self.provider or self.settings.option("project") or "").strip()
        if not given:
            domain = self.credentials.user.partition("@")[2]
            given = domain.split(".", 1)[0] if domain.endswith(".gserviceaccount.com") else ""
        if not given or not all(c.isalnum() or c in "-:." for c in given):
            raise ValidationError("A Google project id is needed as the provider", param="provider")
        return given

    def _make(self) -> Any:
        creds = self.credentials
        return GCE(creds.user, creds.password, project=self.project,
                   token_url=self.settings.option("token_url") or DEFAULT_TOKEN_URL,
                   timeout=self.settings.read_timeout,
                   **endpoint_kwargs(self.settings.option("endpoint") or DEFAULT_ENDPOINT))

    @contextlib.contextmanager
    def backend(self) -> Iterator[Any]:
        """A pooled libcloud GCE driver (its token reused) for this request alone."""
        key = pool_key("google", self.project, self.credentials)
        with self.translating(), measured(), POOL.checkout(key, self._make) as driver:
            yield driver

    def _get(self, path: str) -> Any:
        with self.backend() as driver:
            return driver.connection.request(path, method="GET").object

    # -- realms, profiles, images --------------------------------------------------------------

    def realms(self, filters: Filters) -> list[Realm]:
        """The zones (UP is AVAILABLE)."""
        return [Realm(z["name"], z.get("description") or z["name"],
                      "AVAILABLE" if z.get("status") == "UP" else "UNAVAILABLE")
                for z in self._get("/zones").get("items", [])]

    def hardware_profiles(self, filters: Filters) -> list[HardwareProfile]:
        """The machine types, once per name."""
        found: dict[str, HardwareProfile] = {}
        for scoped in self._get("/aggregated/machineTypes").get("items", {}).values():
            for m in scoped.get("machineTypes", []):
                found.setdefault(m["name"], HardwareProfile(m["name"], (
                    HardwareProperty.fixed("cpu", int(m.get("guestCpus") or 1)),
                    HardwareProperty.fixed("memory", int(m.get("memoryMb") or 0))), name=m["name"]))
        return list(found.values())

    def images(self, filters: Filters) -> list[Image]:
        """The project's own images that are not deprecated."""
        return [Image(i["name"], i["name"], i.get("description") or i["name"], owner_id=self.project,
                      state="AVAILABLE" if i.get("status", "READY") == "READY" else "PENDING",
                      creation_time=i.get("creationTimestamp", ""))
                for i in self._get("/global/images").get("items", []) if "deprecated" not in i]

    # -- instances -----------------------------------------------------------------------------

    def _instance(self, raw: dict[str, Any]) -> Instance:
        zone = _last(raw.get("zone", ""))
        private, public = [], []
        for nic in raw.get("networkInterfaces", []):
            if nic.get("networkIP"):
                private.append(Address(nic["networkIP"]))
            public += [Address(a["natIP"]) for a in nic.get("accessConfigs", []) if a.get("natIP")]
        disks = [d for d in raw.get("disks", []) if d.get("boot")]
        return Instance(f"{zone}:{raw['name']}", name=raw["name"], owner_id=self.project,
                        image_id=_last(disks[0].get("source", "")) if disks else "", realm_id=zone,
                        state=states.deltacloud_state(raw.get("status")),
                        hardware_profile_id=_last(raw.get("machineType", "")),
                        public_addresses=tuple(public), private_addresses=tuple(private),
                        launch_time=raw.get("creationTimestamp", ""), create_image=False)

    def instances(self, filters: Filters) -> list[Instance]:
        """Every zone's instances, from GCE's own answer (its raw status)."""
        if filters.get("id"):
            with contextlib.suppress(NotFoundError):
                return [self.instance(filters["id"])]
            return []
        found: list[Instance] = []
        for scoped in self._get("/aggregated/instances").get("items", {}).values():
            found += [self._instance(raw) for raw in scoped.get("instances", [])]
        return found

    @staticmethod
    def _split(id: str) -> tuple[str, str]:
        zone, sep, name = id.partition(":")
        if not sep or not zone or not name or "/" in id:
            raise NotFoundError(f"Instance '{id[:100]}' not found")
        return zone, name

    def instance(self, id: str) -> Instance:
        """One instance."""
        zone, name = self._split(id)
        return self._instance(self._get(f"/zones/{zone}/instances/{name}"))

    def _act(self, id: str, action: str, method: str = "POST") -> None:
        zone, name = self._split(id)
        with self.backend() as driver:
            path = f"/zones/{zone}/instances/{name}" + (f"/{action}" if action else "")
            driver.connection.async_request(path, method=method, data=None if method == "DELETE" else "ignored")

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        """Create an instance of the project's image in ``realm_id`` with the machine type ``hwp_id``."""
        if not options.realm_id or not options.hardware_profile_id:
            raise ValidationError("Google Compute Engine needs realm_id (a zone) and hwp_id (a machine type)",
                                  param="realm_id" if not options.realm_id else "hwp_id")
        name = options.name or f"dc-{image_id}"[:60]
        with self.backend() as driver:
            node = driver.create_node(name, options.hardware_profile_id, image_id, location=options.realm_id)
        return self.instance(f"{options.realm_id}:{node.name}")

    def start_instance(self, id: str) -> Instance:
        """Start a stopped (TERMINATED) instance."""
        self._act(id, "start")
        return self.instance(id)

    def stop_instance(self, id: str) -> Instance:
        """Stop the instance (GCE keeps it as TERMINATED)."""
        self._act(id, "stop")
        return self.instance(id)

    def reboot_instance(self, id: str) -> Instance:
        """Reset the instance."""
        self._act(id, "reset")
        return self.instance(id)

    def destroy_instance(self, id: str) -> None:
        """Delete the instance."""
        self._act(id, "", method="DELETE")
