"""Deltacloud client: the Python library and the ``deltacloudc`` command line for the Deltacloud API.

``Client(url, user, password)`` discovers the API from ``/api``; see ``docs/client.md``. It reads our
server and servers of the original API 1.1 (XML by default, JSON optional), and imports no part of
the server.
"""

from deltacloud_client.client import Client
from deltacloud_client.entrypoint import Collection, EntryPoint, Feature
from deltacloud_client.errors import (
    ActionNotAvailableError,
    AuthenticationError,
    BackendError,
    BackendTimeoutError,
    ClientError,
    ConflictError,
    DeltacloudError,
    ForbiddenError,
    InvalidStateError,
    NotAcceptableError,
    NotFoundError,
    NotSupportedError,
    ProtocolError,
    ServerError,
    UnreachableStateError,
    ValidationError,
    WaitTimeoutError,
)
from deltacloud_client.models import (
    Address,
    Blob,
    Bucket,
    CommandOutput,
    Driver,
    Firewall,
    HardwareProfile,
    Image,
    Instance,
    Key,
    LoadBalancer,
    Metric,
    Realm,
    Resource,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud_client.states import StateMachine, Transition
from deltacloud_client.waiting import Poller

__version__ = "0.1.0"

__all__ = [
    "ActionNotAvailableError",
    "Address",
    "AuthenticationError",
    "BackendError",
    "BackendTimeoutError",
    "Blob",
    "Bucket",
    "Client",
    "ClientError",
    "Collection",
    "CommandOutput",
    "ConflictError",
    "DeltacloudError",
    "Driver",
    "EntryPoint",
    "Feature",
    "Firewall",
    "ForbiddenError",
    "HardwareProfile",
    "Image",
    "Instance",
    "InvalidStateError",
    "Key",
    "LoadBalancer",
    "Metric",
    "NotAcceptableError",
    "NotFoundError",
    "NotSupportedError",
    "Poller",
    "ProtocolError",
    "Realm",
    "Resource",
    "ServerError",
    "StateMachine",
    "StorageSnapshot",
    "StorageVolume",
    "Transition",
    "UnreachableStateError",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
]
