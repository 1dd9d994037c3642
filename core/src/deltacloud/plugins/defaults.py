"""The core's own hook implementations, registered last so plugins come first."""

from __future__ import annotations

import logging
import socket
from typing import Any

from deltacloud.api.base import CORE_COLLECTIONS, DRIVERS
from deltacloud.api.metrics import METRIC_COLLECTIONS
from deltacloud.api.network import NETWORK_COLLECTIONS
from deltacloud.api.networks import NETWORKING_COLLECTIONS
from deltacloud.api.objectstore import OBJECT_STORE_COLLECTIONS
from deltacloud.api.spec import Collection
from deltacloud.api.volumes import VOLUME_COLLECTIONS
from deltacloud.errors import BackendError, BackendTimeoutError, DeltacloudError
from deltacloud.plugins.hookspecs import hookimpl

log = logging.getLogger("deltacloud")


@hookimpl(trylast=True)
def deltacloud_collections() -> list[Collection]:
    """The core collections: compute first, then storage, networking and monitoring, drivers last."""
    compute = [c for c in CORE_COLLECTIONS if c is not DRIVERS]
    return [*compute, *VOLUME_COLLECTIONS, *OBJECT_STORE_COLLECTIONS, *NETWORK_COLLECTIONS, *NETWORKING_COLLECTIONS,
            *METRIC_COLLECTIONS, DRIVERS]


@hookimpl(trylast=True)
def deltacloud_translate_error(error: Exception, driver_name: str) -> DeltacloudError | None:
    """Network timeouts become 504, connection failures 502; anything else is left to the app (500)."""
    if isinstance(error, TimeoutError | socket.timeout):
        return BackendTimeoutError(f"The {driver_name} backend did not answer in time")
    if isinstance(error, ConnectionError | OSError):
        log.warning("backend connection failed for driver %s: %s", driver_name, type(error).__name__)
        return BackendError(f"The {driver_name} backend could not be reached")
    return None


@hookimpl(trylast=True)
def deltacloud_configure_app(app: Any, config: Any) -> None:
    """Nothing to adjust by default."""
