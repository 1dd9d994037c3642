"""Finding and loading drivers: stevedore over the entry point group ``deltacloud.drivers``.

Entry points are scanned once per process; each driver class is loaded and checked against
the contract once, the first time it is named.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from types import MappingProxyType

from stevedore import DriverManager

from deltacloud import plugins
from deltacloud.api.base import use_directory
from deltacloud.api.features import DeclaredFeature, declare
from deltacloud.config import ServerConfig
from deltacloud.driver import Driver, StateMachine
from deltacloud.driver.settings import DriverSettings
from deltacloud.errors import DriverLoadError, UnknownDriverError
from deltacloud.models import DriverInfo

DRIVER_GROUP = "deltacloud.drivers"


@dataclass(frozen=True)
class LoadedDriver:
    """A driver class checked against the contract, with its advertised features resolved."""

    name: str
    cls: type[Driver]
    features: tuple[DeclaredFeature, ...]


@functools.cache
def installed_drivers() -> tuple[str, ...]:
    """Names of the installed drivers, sorted (names are what clients send).

    Read from the entry points' metadata alone: no driver is imported until it is used, so an
    installed but unused driver costs nothing at start-up, and one whose import fails still counts
    as installed (naming it gives its load error).
    """
    from importlib.metadata import entry_points

    return tuple(sorted({ep.name for ep in entry_points(group=DRIVER_GROUP)}))


def load_driver(name: str) -> type[Driver]:
    """The driver class installed under ``name``; ``UnknownDriverError`` (400) naming the installed ones."""
    return load(name).cls


@functools.cache
def load(name: str) -> LoadedDriver:
    """Load and check the driver ``name`` once per process."""
    if name not in installed_drivers():
        raise UnknownDriverError(
            f"Driver '{name}' is not installed; installed drivers: {', '.join(installed_drivers()) or 'none'}",
            param="driver")
    try:
        cls = DriverManager(DRIVER_GROUP, name, invoke_on_load=False, on_load_failure_callback=_reraise).driver
    except Exception as exc:  # stevedore wraps import errors in many ways
        raise DriverLoadError(f"Driver '{name}' could not be imported: {type(exc).__name__}: {exc}") from exc
    features = check_driver(name, cls)
    extra = plugins.extra_features(name, cls)
    if extra:
        features += declare(tuple(n for n in extra if n not in {f.name for f in features}), f"a plugin for {name}")
    plugins.register_driver(name, cls)
    _apply_settings(name, cls)
    return LoadedDriver(name, cls, features)


_config: list[ServerConfig] = [ServerConfig()]
_configured: dict[str, type[Driver]] = {}


def configure(config: ServerConfig) -> None:
    """Use ``config``'s backend settings and driver options; drivers already loaded receive them if they changed."""
    _config[0] = config
    for name, cls in list(_configured.items()):
        if cls.settings != settings_for(name):
            _apply_settings(name, cls)


def settings_for(name: str) -> DriverSettings:
    """The settings the driver ``name`` receives from the server's configuration."""
    config = _config[0]
    return DriverSettings(options=MappingProxyType(dict(config.driver_options.get(name, {}))),
                          connect_timeout=config.connect_timeout, read_timeout=config.backend_timeout,
                          ca_bundle=config.ca_bundle, allow_private_providers=config.allow_private_providers,
                          provider=config.provider if name == config.driver else None)


def _apply_settings(name: str, cls: type[Driver]) -> None:
    try:
        cls.configure(settings_for(name))
    except ValueError as exc:
        raise DriverLoadError(f"Driver '{name}' refused its configuration: {exc}") from exc
    _configured[name] = cls


def check_driver(name: str, cls: object) -> tuple[DeclaredFeature, ...]:
    """Check ``cls`` against the driver contract; ``DriverLoadError`` says precisely what is wrong."""
    if not (isinstance(cls, type) and issubclass(cls, Driver)):
        raise DriverLoadError(f"Driver '{name}' is {cls!r}, not a subclass of deltacloud.driver.Driver")
    if inspect.isabstract(cls):
        missing = sorted(getattr(cls, "__abstractmethods__", ()))
        raise DriverLoadError(
            f"Driver '{name}' does not implement the base collections: missing {', '.join(missing)}")
    machine = getattr(cls, "state_machine", None)
    if not isinstance(machine, StateMachine):
        raise DriverLoadError(f"Driver '{name}' has no state_machine (a deltacloud.statemachine.StateMachine)")
    for transition in machine.transitions:
        action = transition.action
        if action and action != "create" and not cls.supports(f"{action}_instance"):
            raise DriverLoadError(
                f"Driver '{name}' allows '{action}' in its state machine but has no {action}_instance method")
    return declare(cls.features, f"Driver '{name}'")


def driver_info(name: str) -> DriverInfo:
    """What ``/api/drivers`` shows for ``name`` without credentials."""
    cls = load_driver(name)
    return DriverInfo(name, cls.name or name.capitalize(), tuple(cls.providers_known))


def _reraise(_manager: object, _entrypoint: object, exception: Exception) -> None:
    """Loading the one named driver must report why it failed, not just that it did."""
    raise exception


class _LoaderDirectory:
    """The loader as the ``drivers`` collection's directory of installed drivers."""

    installed_drivers = staticmethod(installed_drivers)
    load_driver = staticmethod(load_driver)
    driver_info = staticmethod(driver_info)


use_directory(_LoaderDirectory())
