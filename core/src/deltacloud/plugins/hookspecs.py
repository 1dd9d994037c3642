"""The hooks plugins (and drivers) may implement; every name starts with ``deltacloud_``.

The core's own behaviour ships as ``trylast`` implementations in ``deltacloud.plugins.defaults``,
so a plugin overrides or extends it simply by registering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from deltacloud.api.spec import Collection
    from deltacloud.config import ServerConfig
    from deltacloud.errors import DeltacloudError

hookspec = pluggy.HookspecMarker("deltacloud")
hookimpl = pluggy.HookimplMarker("deltacloud")


@hookspec
def deltacloud_collections() -> list[Collection]:
    """Contribute collections to the API description (the core contributes its own)."""


@hookspec
def deltacloud_features(driver_name: str, driver_class: type) -> list[str]:
    """Contribute feature names advertised for a driver, in addition to the ones it declares."""


@hookspec(firstresult=True)
def deltacloud_translate_error(error: Exception, driver_name: str) -> DeltacloudError | None:
    """Turn a backend exception into a ``DeltacloudError``; the first non-None answer wins."""


@hookspec
def deltacloud_configure_app(app: Any, config: ServerConfig) -> None:
    """Adjust the Falcon app after the core has built it (extra routes, middleware)."""
