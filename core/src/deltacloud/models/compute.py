"""The models drivers return: plain frozen dataclasses, never XML or dicts.

Renderers turn these into XML, JSON and HTML; a driver never builds a representation.
The optional collections' models are in ``deltacloud.models.extra``; import both from ``deltacloud.models``.
"""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from deltacloud.models.frozen import model

PropertyKind = Literal["fixed", "range", "enum"]

#: Units of the hardware profile properties, as the original API published them.
PROPERTY_UNITS: dict[str, str] = {
    "cpu": "count",
    "memory": "MB",
    "storage": "GB",
    "architecture": "label",
    "root_type": "label",
}


@model
class Credentials:
    """HTTP Basic credentials of one request; the password never shows in ``repr``."""

    user: str
    password: str = field(repr=False)


@model
class Realm:
    """A place where instances run: a region, zone, cluster or data center."""

    id: str
    name: str
    state: str = "AVAILABLE"
    limit: str = ""


@model
class HardwareProperty:
    """One property of a hardware profile: fixed, a numeric range, or an enum of values.

    ``value`` is the fixed value or the default; ``first``/``last`` bound a range;
    ``values`` lists an enum's choices. Values are kept as the strings the API shows.
    """

    name: str
    kind: PropertyKind
    value: str
    first: str = ""
    last: str = ""
    values: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        """The unit the API shows for this property (``MB``, ``GB``, ``count``, ``label``)."""
        return PROPERTY_UNITS.get(self.name, "label")

    @classmethod
    def fixed(cls, name: str, value: object) -> HardwareProperty:
        """A property with one possible value."""
        return cls(name, "fixed", _text(value))

    @classmethod
    def range(cls, name: str, first: object, last: object, default: object | None = None) -> HardwareProperty:
        """A numeric property between ``first`` and ``last``; the default is ``first`` unless given."""
        return cls(name, "range", _text(first if default is None else default), _text(first), _text(last))

    @classmethod
    def enum(cls, name: str, values: tuple[object, ...] | list[object],
             default: object | None = None) -> HardwareProperty:
        """A property with a list of choices; the default is the first unless given."""
        texts = tuple(_text(v) for v in values)
        return cls(name, "enum", _text(default) if default is not None else texts[0], values=texts)


@model
class HardwareProfile:
    """A size an instance can be launched with, made of properties in declaration order."""

    id: str
    properties: tuple[HardwareProperty, ...] = ()
    name: str = ""

    def get_property(self, name: str) -> HardwareProperty | None:
        """The property called ``name``, or None when the profile does not have it."""
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None

    @property
    def display_name(self) -> str:
        """The profile's name, falling back to its id."""
        return self.name or self.id


@model
class Image:
    """A template instances are launched from."""

    id: str
    name: str = ""
    description: str = ""
    owner_id: str = ""
    architecture: str = ""
    state: str = "AVAILABLE"
    creation_time: str = ""
    hardware_profiles: tuple[str, ...] = ()
    root_type: str = "transient"


@model
class Address:
    """An address of an instance; ``type`` is ipv4, ipv6, hostname, mac or vnc."""

    address: str
    type: str = "ipv4"
    port: str = ""


@model
class AttachedVolume:
    """A storage volume attached to an instance, as listed on the instance."""

    id: str
    device: str = ""


@model
class Instance:
    """A virtual machine. ``state`` is one of the driver's state machine states, upper case.

    ``hardware_profile_overrides`` holds the ``hwp_*`` values the instance was launched with.
    ``create_image`` says whether an image can be made from it. Authentication is either a
    ``keyname`` or a ``username``/``password`` pair.
    """

    id: str
    name: str
    owner_id: str
    image_id: str
    realm_id: str
    state: str
    hardware_profile_id: str
    hardware_profile_overrides: tuple[tuple[str, str], ...] = ()
    public_addresses: tuple[Address, ...] = ()
    private_addresses: tuple[Address, ...] = ()
    launch_time: str = ""
    keyname: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    storage_volumes: tuple[AttachedVolume, ...] = ()
    firewalls: tuple[str, ...] = ()
    create_image: bool = True
    #: Ids of the instance's network interfaces (collection ``network_interfaces``).
    network_interfaces: tuple[str, ...] = ()


@model
class Key:
    """A credential to log in to instances: an SSH key pair (``type='key'``) or a password."""

    id: str
    name: str = ""
    type: str = "key"
    fingerprint: str = ""
    pem: str = field(default="", repr=False)
    public_key: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    state: str = ""


@model
class Provider:
    """One place a driver can connect to, e.g. an EC2 region, with its endpoints by kind."""

    id: str
    entrypoints: tuple[tuple[str, str], ...] = ()


@model
class DriverInfo:
    """An installed driver as ``/api/drivers`` lists it."""

    id: str
    name: str
    providers: tuple[Provider, ...] = ()


@model
class LaunchOptions:
    """Everything but the image that a client may ask for when it creates an instance.

    The core fills this from the request after validating it: hardware profile overrides are
    checked against the profile, ``user_data`` and ``user_iso`` are already base64-decoded,
    ``user_files`` are (path, content) pairs, and the fields of features the driver does not
    advertise are left at their defaults. ``image``, ``realm`` and ``hardware_profile`` are the
    objects the core looked up to check the references (None for the references the driver
    checks itself, see ``Driver.launch_checks``): a driver uses them rather than asking again.
    """

    realm_id: str | None = None
    hardware_profile_id: str | None = None
    hardware_profile_overrides: tuple[tuple[str, str], ...] = ()
    name: str | None = None
    keyname: str | None = None
    user_data: bytes | None = None
    password: str | None = field(default=None, repr=False)
    firewalls: tuple[str, ...] = ()
    instance_count: int = 1
    load_balancer_id: str | None = None
    snapshot_id: str | None = None
    device_name: str | None = None
    metrics: bool = False
    sandbox: bool = False
    user_files: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    user_iso: bytes | None = field(default=None, repr=False)
    image: Image | None = None
    realm: Realm | None = None
    hardware_profile: HardwareProfile | None = None


def _text(value: object) -> str:
    """Render a property value the way the API shows it: ``1`` not ``1.0``, ``1740.8`` kept."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
