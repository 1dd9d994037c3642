"""The core collections of the API, declared once: routes, validation, docs and forms come from here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from deltacloud.api import instance_ops
from deltacloud.api.networks import RUN
from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.driver import Driver, StateMachine
from deltacloud.errors import DriverLoadError, NotFoundError
from deltacloud.models import DriverInfo, HardwareProfile, Image, Instance, Key, Realm

ID_FILTER = Param("id", description="Only the object with this id")


class DriverDirectory(Protocol):
    """What the ``drivers`` collection reads: the installed drivers (``deltacloud.loader`` provides it)."""

    def installed_drivers(self) -> Sequence[str]:
        """Names of the installed drivers."""

    def load_driver(self, name: str) -> type[Driver]:
        """The driver class installed under ``name``."""

    def driver_info(self, name: str) -> DriverInfo:
        """What ``/api/drivers`` shows for ``name`` without credentials."""


_directory: list[DriverDirectory] = []


def use_directory(directory: DriverDirectory) -> None:
    """Set where the ``drivers`` collection finds drivers; the loader registers itself when imported.

    The API description sits below the loader in the layers, so it is handed the directory
    rather than importing it.
    """
    _directory[:] = [directory]


def _drivers() -> DriverDirectory:
    if not _directory:
        raise NotFoundError("No driver directory is configured")
    return _directory[0]


def _list_drivers(_driver: Driver, _id: str | None, _values: dict[str, Any]) -> list[DriverInfo]:
    directory, infos = _drivers(), []
    for name in directory.installed_drivers():
        try:
            infos.append(directory.driver_info(name))
        except DriverLoadError:
            continue  # a broken driver is reported when it is named, not in every listing
    return infos


def _show_driver(driver: Driver, id: str, _values: dict[str, Any]) -> DriverInfo:
    directory = _drivers()
    if id not in directory.installed_drivers():
        raise NotFoundError(f"Driver '{id}' is not installed")
    if directory.load_driver(id) is type(driver):
        return DriverInfo(id, type(driver).name or id, tuple(driver.providers()))
    return directory.driver_info(id)


def _instance_states(driver: Driver, _id: str | None, _values: dict[str, Any]) -> StateMachine:
    return type(driver).state_machine


REALMS = Collection(
    "realms", "realm", "Places where instances run: regions, zones, clusters or data centers.",
    (Operation("index", "index", "realms", params=(ID_FILTER,), description="List realms"),
     Operation("show", "show", "realm", description="Show a realm")),
    base=True, model=Realm)

HARDWARE_PROFILES = Collection(
    "hardware_profiles", "hardware_profile", "Sizes instances are launched with: cpu, memory, storage, architecture.",
    (Operation("index", "index", "hardware_profiles", params=(ID_FILTER, Param("architecture")),
               description="List hardware profiles"),
     Operation("show", "show", "hardware_profile", description="Show a hardware profile")),
    base=True, model=HardwareProfile)

IMAGES = Collection(
    "images", "image", "Templates that instances are launched from.",
    (Operation("index", "index", "images", params=(ID_FILTER, Param("architecture")), description="List images"),
     Operation("show", "show", "image", description="Show an image"),
     Operation("create", "create", "create_image", status=201,
               params=(Param("instance_id", required=True, description="The instance to make the image from"),),
               description="Create an image from an instance"),
     Operation("destroy", "destroy", "destroy_image", status=204, description="Delete an image")),
    base=True, model=Image)

_HWP_PARAMS = tuple(Param(f"hwp_{name}", description=f"Override the profile's {name}")
                    for name in instance_ops.OVERRIDABLE)

INSTANCES = Collection(
    "instances", "instance", "Virtual machines, each with the actions its state allows.",
    (Operation("index", "index", "instances",
               params=(ID_FILTER, Param("state", description="Only instances in this state")),
               description="List your instances"),
     Operation("show", "show", "instance", description="Show an instance"),
     Operation("create", "create", "create_instance", status=201,
               params=(Param("image_id", required=True, description="The image to launch"),
                       Param("realm_id", description="The realm to launch in"),
                       Param("hwp_id", description="The hardware profile"), *_HWP_PARAMS),
               description="Launch an instance", invoke=instance_ops.create_instance),
     Operation("destroy", "destroy", "destroy_instance", status=204, description="Destroy an instance",
               invoke=instance_ops.destroy_instance),
     *(Operation(action, "action", f"{action}_instance", status=202, description=f"{action.capitalize()} an instance",
                 invoke=instance_ops.instance_action(action))
       for action in ("start", "stop", "reboot")),
     RUN),
    base=True, model=Instance)

INSTANCE_STATES = Collection(
    "instance_states", "instance_state", "The state machine of this driver's instances.",
    (Operation("index", "index", "instances", auth=False, description="Show the state machine",
               invoke=_instance_states),),
    always=True, model=StateMachine)

KEYS = Collection(
    "keys", "key", "Credentials to log in to instances: key pairs or passwords.",
    (Operation("index", "index", "keys", params=(ID_FILTER,), description="List keys"),
     Operation("show", "show", "key", description="Show a key"),
     Operation("create", "create", "create_key", status=201,
               params=(Param("name", required=True, description="The new key's name"),),
               description="Create a key pair"),
     Operation("destroy", "destroy", "destroy_key", status=204, description="Delete a key")),
    model=Key)

DRIVERS = Collection(
    "drivers", "driver", "The installed drivers and the providers each can reach.",
    (Operation("index", "index", "instances", auth=False, description="List installed drivers",
               invoke=_list_drivers),
     Operation("show", "show", "instances", auth=False, description="Show a driver and its providers",
               invoke=_show_driver)),
    always=True, model=DriverInfo)

#: The core's collections in the order ``/api`` lists them.
CORE_COLLECTIONS: tuple[Collection, ...] = (
    INSTANCE_STATES, HARDWARE_PROFILES, INSTANCES, REALMS, IMAGES, KEYS, DRIVERS)
