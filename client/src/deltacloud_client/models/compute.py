"""Models of the compute collections: instances, images, realms, hardware profiles, keys, metrics, drivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deltacloud_client.models.base import Resource, as_list, ref_id, text


def _addresses(value: Any) -> list[str]:
    found = []
    for item in as_list(value):
        address = item.get("address", item.get("value")) if isinstance(item, dict) else item
        if address not in (None, ""):
            found.append(str(address))
    return found


class Instance(Resource):
    """A virtual machine. Its actions (``start``, ``stop``, ``reboot``, ``destroy``) follow the links it sent."""

    collection = "instances"
    singular = "instance"
    columns = ("name", "state", "image_id", "realm_id", "hardware_profile_id", "public_addresses")

    @property
    def state(self) -> str:
        """The state, upper case (``PENDING``, ``RUNNING``, ``STOPPING``, ``STOPPED``, ``FINISH``...)."""
        return (text(self.data.get("state")) or "").upper()

    @property
    def owner_id(self) -> str | None:
        """The owner (``owner_id`` in XML and our JSON, ``owner`` in the original's JSON)."""
        return text(self.data.get("owner_id", self.data.get("owner")))

    @property
    def image_id(self) -> str | None:
        """The image it was launched from."""
        return ref_id(self.data.get("image"))

    @property
    def realm_id(self) -> str | None:
        """The realm it runs in."""
        return ref_id(self.data.get("realm"))

    @property
    def hardware_profile_id(self) -> str | None:
        """Its hardware profile."""
        return ref_id(self.data.get("hardware_profile"))

    @property
    def hardware_profile_overrides(self) -> dict[str, str]:
        """The profile properties overridden at launch (``hwp_memory`` and so on)."""
        profile = self.data.get("hardware_profile")
        if not isinstance(profile, dict):
            return {}
        return _properties(profile.get("property", profile.get("properties")))

    @property
    def public_addresses(self) -> list[str]:
        """Public addresses (hostnames or IPs)."""
        return _addresses(self.data.get("public_addresses"))

    @property
    def private_addresses(self) -> list[str]:
        """Private addresses."""
        return _addresses(self.data.get("private_addresses"))

    @property
    def storage_volume_ids(self) -> list[str]:
        """Ids of the volumes attached to it."""
        return [v for v in (ref_id(item) for item in as_list(self.data.get("storage_volumes"))) if v]

    @property
    def launch_time(self) -> str | None:
        """When it was launched, if the server says."""
        return text(self.data.get("launch_time")) or None

    def start(self) -> Instance:
        """Start it (refused locally unless it offers ``start``)."""
        return self.perform("start")

    def stop(self) -> Instance:
        """Stop it (refused locally unless it offers ``stop``)."""
        return self.perform("stop")

    def reboot(self) -> Instance:
        """Reboot it (refused locally unless it offers ``reboot``)."""
        return self.perform("reboot")

    def destroy(self) -> None:
        """Destroy it (refused locally unless it offers ``destroy``)."""
        self.perform("destroy")

    def create_image(self, **options: Any) -> Image:
        """Create an image from it (``name``, ``description`` where the driver advertises them)."""
        return self.perform("create_image", instance_id=self.id, **options)

    def run(self, cmd: str, **options: Any) -> CommandOutput:
        """Run a command on it over SSH (``private_key``, ``password``, ``ip``, ``port``), where offered."""
        result = self.perform("run", cmd=cmd, **options)
        data = result.data if isinstance(result, Resource) else {}
        return CommandOutput(text(data.get("command")) or cmd, text(data.get("output")) or "",
                             text(data.get("public_address")))


@dataclass(frozen=True)
class CommandOutput:
    """What ``Instance.run`` answered: the command, its output, and the address it ran on."""

    command: str
    output: str
    public_address: str | None = None


class Image(Resource):
    """A template to launch instances from."""

    collection = "images"
    singular = "image"
    columns = ("name", "owner_id", "architecture", "state", "description")

    @property
    def description(self) -> str | None:
        """The description."""
        return text(self.data.get("description"))

    @property
    def owner_id(self) -> str | None:
        """The owner."""
        return text(self.data.get("owner_id", self.data.get("owner")))

    @property
    def architecture(self) -> str | None:
        """``x86_64``, ``i386``..."""
        return text(self.data.get("architecture"))

    @property
    def state(self) -> str | None:
        """The state (``AVAILABLE``...)."""
        return text(self.data.get("state"))

    @property
    def hardware_profile_ids(self) -> list[str]:
        """Profiles this image may be launched with."""
        return [v for v in (ref_id(item) for item in as_list(self.data.get("hardware_profiles"))) if v]

    def launch(self, **options: Any) -> Instance | list[Instance]:
        """Launch an instance of this image (same options as ``Client.create_instance``)."""
        return self.client.create_instance(self.id, **options)


class Realm(Resource):
    """Where instances run: a region, zone or cluster."""

    collection = "realms"
    singular = "realm"
    columns = ("name", "state", "limit")

    @property
    def state(self) -> str | None:
        """``AVAILABLE`` or ``DOWN``."""
        return text(self.data.get("state"))

    @property
    def limit(self) -> str | None:
        """The realm's limit, when it has one."""
        return text(self.data.get("limit")) or None


@dataclass(frozen=True)
class Property:
    """A hardware profile property: fixed, a range, or an enum; ``param`` is its launch parameter."""

    name: str
    kind: str
    value: str | None
    unit: str | None = None
    first: str | None = None
    last: str | None = None
    values: tuple[str, ...] = field(default_factory=tuple)
    param: str | None = None


def _property(name: str, raw: Any) -> Property:
    if not isinstance(raw, dict):  # the original's JSON: only the default value
        return Property(name, "fixed", None if raw is None else str(raw))
    ranged = raw.get("range") if isinstance(raw.get("range"), dict) else {}
    enum = raw.get("enum")
    if isinstance(enum, dict):  # XML <enum><entry value/></enum> read before the container rule
        enum = enum.get("entry")
    values = tuple(str(e.get("value") if isinstance(e, dict) else e) for e in as_list(enum))
    param = raw.get("param")
    if isinstance(param, list):
        param = param[0] if param else None
    if isinstance(param, dict):
        param = param.get("name")
    return Property(name, str(raw.get("kind", "fixed")), text(raw.get("value")), raw.get("unit"),
                    ranged.get("first"), ranged.get("last"), values, param)


def _properties(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        return {k: str(v.get("value") if isinstance(v, dict) else v) for k, v in raw.items()}
    return {p.get("name", ""): str(p.get("value", "")) for p in as_list(raw) if isinstance(p, dict)}


class HardwareProfile(Resource):
    """A size: fixed, range and enum properties."""

    collection = "hardware_profiles"
    singular = "hardware_profile"
    columns = ("name", "cpu", "memory", "storage", "architecture")

    @property
    def properties(self) -> dict[str, Property]:
        """The properties by name (with kind, range and enum where the server sends them)."""
        raw = self.data.get("property_details") or self.data.get("properties", self.data.get("property"))
        if isinstance(raw, dict):
            return {name: _property(name, value) for name, value in raw.items()}
        return {p["name"]: _property(p["name"], p) for p in as_list(raw) if isinstance(p, dict) and "name" in p}

    def _value(self, name: str) -> str | None:
        prop = self.properties.get(name)
        return prop.value if prop else None

    @property
    def cpu(self) -> str | None:
        """The (default) number of CPUs."""
        return self._value("cpu")

    @property
    def memory(self) -> str | None:
        """The (default) memory in MB."""
        return self._value("memory")

    @property
    def storage(self) -> str | None:
        """The (default) storage in GB."""
        return self._value("storage")

    @property
    def architecture(self) -> str | None:
        """The (default) architecture."""
        return self._value("architecture")


class Key(Resource):
    """A key pair (or a password credential)."""

    collection = "keys"
    singular = "key"
    columns = ("name", "type", "fingerprint", "state")

    @property
    def name(self) -> str | None:
        """The key's name (its id where the server sends no name)."""
        return text(self.data.get("name")) or self.id

    @property
    def type(self) -> str | None:
        """``key`` or ``password``."""
        return text(self.data.get("type", self.data.get("credential_type")))

    @property
    def fingerprint(self) -> str | None:
        """The key's fingerprint."""
        return text(self.data.get("fingerprint"))

    @property
    def pem(self) -> str | None:
        """The private key, when the server sends it (on create)."""
        return text(self.data.get("pem", self.data.get("pem_rsa_key")))

    @property
    def state(self) -> str | None:
        """The key's state, if any."""
        return text(self.data.get("state")) or None


class Metric(Resource):
    """Samples of one instance's metrics."""

    collection = "metrics"
    singular = "metric"
    columns = ("entity", "property_names")

    @property
    def entity(self) -> str | None:
        """The measured instance's name."""
        return text(self.data.get("entity"))

    @property
    def property_names(self) -> list[str]:
        """The names of the measured properties."""
        raw = self.data.get("properties")
        if isinstance(raw, dict):
            return list(raw)
        return [str(p.get("name")) for p in as_list(raw) if isinstance(p, dict)]


class Driver(Resource):
    """An installed driver and its providers."""

    collection = "drivers"
    singular = "driver"
    columns = ("name", "providers")

    @property
    def providers(self) -> list[str]:
        """Provider ids."""
        return [v for v in (ref_id(p) for p in as_list(self.data.get("providers", self.data.get("provider")))) if v]
