"""The driver contract: what a cloud driver implements and what the core may call.

One driver object is built per request with that request's credentials and provider. The
base collections (realms, hardware profiles, images, instances) are abstract; every other
collection is optional, and a driver supports it by overriding its methods. The core reads
support from the class (``Driver.supports``), so a driver never declares it twice.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from deltacloud.driver.optional import OptionalCollections, find
from deltacloud.driver.statemachine import StateMachine
from deltacloud.errors import AuthenticationError, NotSupportedError
from deltacloud.models import (
    Credentials,
    HardwareProfile,
    Image,
    Instance,
    Key,
    LaunchOptions,
    Provider,
    Realm,
)

Filters = Mapping[str, str]


class Driver(OptionalCollections, abc.ABC):
    """Base class of every cloud driver.

    Class attributes a driver sets:

    * ``name``: the human name (``"EC2"``); the entry point name is the id clients use.
    * ``state_machine``: the instances' ``StateMachine``; every client action in it needs
      the matching ``<action>_instance`` method.
    * ``features``: feature names from ``deltacloud.features.CATALOGUE``, or a mapping of
      names to constraints such as ``{"user_name": {"max_length": 50}}``.
    * ``providers_known``: the providers listed without credentials; ``default_provider``.
    """

    name: ClassVar[str] = ""
    state_machine: ClassVar[StateMachine]
    features: ClassVar[Mapping[str, Mapping[str, Any]] | Sequence[str]] = ()
    providers_known: ClassVar[tuple[Provider, ...]] = ()
    default_provider: ClassVar[str | None] = None

    def __init__(self, credentials: Credentials | None, provider: str | None = None) -> None:
        self._credentials = credentials
        self.provider = provider or self.default_provider

    # -- credentials ---------------------------------------------------------------------------

    @property
    def credentials(self) -> Credentials:
        """The request's credentials; raises ``AuthenticationError`` (401) when there are none.

        Reading them lazily means operations that need no cloud call (static hardware
        profiles, say) work without authentication, as in the original API.
        """
        if self._credentials is None:
            raise AuthenticationError("Authentication required")
        return self._credentials

    def valid_credentials(self) -> bool:
        """Whether the cloud accepts the credentials; by default, whether realms can be listed."""
        try:
            self.realms({})
        except AuthenticationError:
            return False
        return True

    @classmethod
    def supports(cls, method: str) -> bool:
        """Whether this driver implements ``method`` (overrides the base class's placeholder)."""
        impl = getattr(cls, method, None)
        if impl is None:
            return False
        return getattr(impl, "__isabstractmethod__", False) is False and getattr(Driver, method, None) is not impl

    def providers(self) -> Sequence[Provider]:
        """The providers this driver can connect to; drivers may ask the cloud."""
        return self.providers_known

    # -- base collections ----------------------------------------------------------------------

    @abc.abstractmethod
    def realms(self, filters: Filters) -> Iterable[Realm]:
        """List realms; ``filters`` may narrow the listing (the core filters again by id)."""

    def realm(self, id: str) -> Realm:
        """One realm; by default found in ``realms``."""
        return find(self.realms({"id": id}), id, "Realm")

    @abc.abstractmethod
    def hardware_profiles(self, filters: Filters) -> Iterable[HardwareProfile]:
        """List hardware profiles."""

    def hardware_profile(self, id: str) -> HardwareProfile:
        """One hardware profile; by default found in ``hardware_profiles``."""
        return find(self.hardware_profiles({"id": id}), id, "Hardware profile")

    @abc.abstractmethod
    def images(self, filters: Filters) -> Iterable[Image]:
        """List images; ``filters`` may hold ``owner_id``, ``architecture`` and ``id``."""

    def image(self, id: str) -> Image:
        """One image; by default found in ``images``."""
        return find(self.images({"id": id}), id, "Image")

    @abc.abstractmethod
    def instances(self, filters: Filters) -> Iterable[Instance]:
        """List the caller's instances; ``filters`` may hold ``state``, ``realm_id`` and ``id``."""

    def instance(self, id: str) -> Instance:
        """One instance; by default found in ``instances``."""
        return find(self.instances({"id": id}), id, "Instance")

    @abc.abstractmethod
    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance | Sequence[Instance]:
        """Launch an instance (or ``options.instance_count`` of them) from ``image_id``."""

    @abc.abstractmethod
    def destroy_instance(self, id: str) -> None:
        """Destroy an instance; the core has checked that its state allows it."""

    def start_instance(self, id: str) -> Instance:
        """Start a stopped instance."""
        raise NotSupportedError("This driver cannot start instances")

    def stop_instance(self, id: str) -> Instance:
        """Stop a running instance."""
        raise NotSupportedError("This driver cannot stop instances")

    def reboot_instance(self, id: str) -> Instance:
        """Reboot a running instance."""
        raise NotSupportedError("This driver cannot reboot instances")

    # -- images: optional create and destroy ---------------------------------------------------

    def create_image(self, instance_id: str, name: str | None = None, description: str | None = None) -> Image:
        """Make an image from an instance."""
        raise NotSupportedError("This driver cannot create images")

    def destroy_image(self, id: str) -> None:
        """Delete an image."""
        raise NotSupportedError("This driver cannot destroy images")

    # -- keys (optional collection) ------------------------------------------------------------

    def keys(self, filters: Filters) -> Iterable[Key]:
        """List keys."""
        raise NotSupportedError("This driver has no keys")

    def key(self, id: str) -> Key:
        """One key; by default found in ``keys``."""
        return find(self.keys({"id": id}), id, "Key")

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Create a key pair, or import ``public_key`` (feature ``import_key``)."""
        raise NotSupportedError("This driver cannot create keys")

    def destroy_key(self, id: str) -> None:
        """Delete a key."""
        raise NotSupportedError("This driver cannot destroy keys")

