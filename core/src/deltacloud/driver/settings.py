"""What the operator configured for a driver, handed to the driver class once, when it is loaded.

``deltacloudd --driver-option NAME.KEY=VALUE`` (repeatable) or a config file (``--config``) set
a driver's options; the backend timeouts, the CA bundle and whether client-sent providers may
point at private networks are server-wide settings every driver sees here too. Drivers read
``cls.settings`` (or ``self.settings``) instead of the environment or module globals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class DriverSettings:
    """One driver's configuration: its own options and the server-wide backend settings.

    ``connect_timeout`` and ``read_timeout`` bound every backend exchange (seconds);
    ``ca_bundle`` is a PEM file of trusted CAs (TLS is always verified; the option ``ca_bundle``
    overrides it per driver); ``allow_private_providers`` lets providers sent by clients point
    at loopback, private and link-local networks; ``provider`` is the operator's ``-P`` when this
    driver is the server's default one.
    """

    options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    ca_bundle: str | None = None
    allow_private_providers: bool = False
    #: The provider the operator gave this driver (``deltacloudd -i NAME -P PROVIDER``): trusted as it is.
    provider: str | None = None

    def option(self, key: str, default: str | None = None) -> str | None:
        """The driver option ``key`` as given, or ``default``."""
        return self.options.get(key, default)

    def flag(self, key: str, default: bool = False) -> bool:
        """The driver option ``key`` read as a boolean (``1/true/yes/on``, ``0/false/no/off``)."""
        value = self.options.get(key)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"driver option '{key}' must be a boolean, not {value!r}")

    @property
    def verify(self) -> bool | str:
        """What TLS verification uses: the CA bundle (driver option first), else the system's trust store."""
        return self.option("ca_bundle") or self.ca_bundle or True
