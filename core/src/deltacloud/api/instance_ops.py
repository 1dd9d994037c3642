"""How instance operations reach the driver: launch options, profile overrides, state checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from deltacloud.driver import Driver
from deltacloud.errors import MethodNotAllowedError, NotFoundError, ValidationError
from deltacloud.models import HardwareProfile, Instance, LaunchOptions

#: The ``hwp_*`` parameters, one per hardware profile property a client may override.
OVERRIDABLE = ("cpu", "memory", "storage", "architecture")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _same(a: str, b: str) -> bool:
    """Equal as numbers when both are numbers (``1024`` and ``1024.0``), else as text."""
    na, nb = _number(a), _number(b)
    return na == nb if na is not None and nb is not None else a == b


def check_overrides(profile: HardwareProfile, overrides: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Validate ``hwp_*`` values against ``profile``: inside its range, one of its enum, or its fixed value.

    Raises ``ValidationError`` naming the ``hwp_*`` parameter and what the profile allows.
    """
    checked = []
    for name, value in overrides.items():
        param = f"hwp_{name}"
        prop = profile.get_property(name)
        if prop is None:
            raise ValidationError(f"Hardware profile '{profile.id}' has no property '{name}' ({param})", param=param)
        if prop.kind == "fixed":
            if not _same(value, prop.value):
                raise ValidationError(f"Parameter '{param}' must be {prop.value} for hardware profile "
                                      f"'{profile.id}', not '{value}'", param=param)
        elif prop.kind == "range":
            number = _number(value)
            if number is None or not float(prop.first) <= number <= float(prop.last):
                raise ValidationError(f"Parameter '{param}' must be between {prop.first} and {prop.last} for "
                                      f"hardware profile '{profile.id}', not '{value}'", param=param)
        elif not any(_same(value, choice) for choice in prop.values):
            raise ValidationError(f"Parameter '{param}' must be one of {', '.join(prop.values)} for hardware "
                                  f"profile '{profile.id}', not '{value}'", param=param)
        checked.append((name, value))
    return tuple(checked)


def _referenced(driver: Driver, param: str, id: str, what: str) -> Any:
    """The object ``id`` names, found through the driver; a 400 naming ``param`` when it does not exist."""
    try:
        return getattr(driver, what)(id)
    except NotFoundError:
        raise ValidationError(f"Parameter '{param}': {what.replace('_', ' ')} '{id}' does not exist",
                              param=param) from None


def user_files(values: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    """``PATH=BASE64`` items as (path, content) pairs; a 400 naming ``user_files`` for a malformed one."""
    files = []
    for item in values:
        path, sep, encoded = item.partition("=")
        if not sep or not path.startswith("/"):
            raise ValidationError("Parameter 'user_files': each item must be /ABSOLUTE/PATH=BASE64_CONTENT",
                                  param="user_files")
        try:
            files.append((path, base64.b64decode(encoded.encode("ascii"), validate=True)))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise ValidationError(f"Parameter 'user_files': the content of {path[:100]} is not base64",
                                  param="user_files") from None
    return tuple(files)


def create_instance(driver: Driver, _id: str | None, values: dict[str, Any]) -> Instance | list[Instance]:
    """Check the references once, build the launch options from validated parameters, and launch.

    The image, realm and hardware profile are looked up here, once, unless the driver's cloud
    checks them itself at launch (``Driver.launch_checks``); what was found travels to the driver
    in the launch options.
    """
    overrides = {name: str(values[f"hwp_{name}"]) for name in OVERRIDABLE if f"hwp_{name}" in values}
    hwp_id = values.get("hwp_id")
    checks = type(driver).launch_checks
    checked: tuple[tuple[str, str], ...] = ()
    profile = None
    if hwp_id is not None:
        profile = _referenced(driver, "hwp_id", hwp_id, "hardware_profile")
        checked = check_overrides(profile, overrides)
    elif overrides:
        raise ValidationError("Parameter 'hwp_id' is required with hwp_* overrides", param="hwp_id")
    image = None if "image_id" in checks else _referenced(driver, "image_id", values["image_id"], "image")
    realm_id = values.get("realm_id")
    realm = None if realm_id is None or "realm_id" in checks else _referenced(driver, "realm_id", realm_id, "realm")
    options = LaunchOptions(
        realm_id=values.get("realm_id"),
        hardware_profile_id=hwp_id,
        hardware_profile_overrides=checked,
        name=values.get("name"),
        keyname=values.get("keyname"),
        user_data=values.get("user_data"),
        password=values.get("password"),
        firewalls=tuple(values.get("firewalls", ())),
        instance_count=values.get("instance_count", 1),
        load_balancer_id=values.get("load_balancer_id"),
        snapshot_id=values.get("snapshot_id"),
        device_name=values.get("device_name"),
        metrics=bool(values.get("metrics", False)),
        sandbox=bool(values.get("sandbox", False)),
        user_files=user_files(values.get("user_files", ())),
        user_iso=values.get("user_iso"),
        image=image,
        realm=realm,
        hardware_profile=profile,
    )
    result = driver.create_instance(values["image_id"], options)
    return result if isinstance(result, Instance) else list(result)


def _check_state(driver: Driver, id: str, action: str) -> Instance:
    """The instance, after making sure its state allows ``action`` (405 with ``Allow`` otherwise)."""
    instance = driver.instance(id)
    machine = type(driver).state_machine
    if not machine.allows(instance.state, action):
        allowed = machine.actions_for(instance.state)
        raise MethodNotAllowedError(
            f"Instance '{id}' is {instance.state}: '{action}' is not allowed; allowed: {', '.join(allowed) or 'none'}",
            allowed=["GET", "HEAD", "OPTIONS"] if action == "destroy" else ["OPTIONS"])
    return instance


def instance_action(action: str):
    """The invoke function of an instance action (``start``, ``stop``, ``reboot``)."""

    def invoke(driver: Driver, id: str, _values: dict[str, Any]) -> Instance:
        _check_state(driver, id, action)
        result = getattr(driver, f"{action}_instance")(id)
        return result if isinstance(result, Instance) else driver.instance(id)

    return invoke


def destroy_instance(driver: Driver, id: str, _values: dict[str, Any]) -> None:
    """Destroy an instance whose state allows it."""
    _check_state(driver, id, "destroy")
    driver.destroy_instance(id)
