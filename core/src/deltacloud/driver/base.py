"""The driver contract: what a cloud driver implements and what the core may call.

One driver object is built per request with that request's credentials and provider. The
base collections (realms, hardware profiles, images, instances) are abstract; every other
collection is optional, and a driver supports it by overriding its methods. The core reads
support from the class (``Driver.supports``), so a driver never declares it twice.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from deltacloud.driver.optional import OptionalCollections, find
from deltacloud.driver.settings import DriverSettings
from deltacloud.driver.statemachine import StateMachine
from deltacloud.errors import AuthenticationError, DeltacloudError, NotSupportedError, ValidationError, translated
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

    What the core sets: ``settings`` (the operator's configuration, once, at load).

    What a driver may override besides the collections: ``translate_error`` (its backend's
    exceptions into core errors), ``provider_endpoints`` (which network endpoints a provider
    string makes the server connect to, for the provider-URL safety rule), ``offers`` (the
    optional collections and features it offers for the request's provider and credentials) and
    ``listing_version`` (a cheap token of a listing, so a poller's GET of an unchanged one needs no listing).

    A listing method returns any iterable: a list, or a generator making each model only when
    asked, which the server reads as it writes the listing (``deltacloud.http.calls``).
    """

    name: ClassVar[str] = ""
    state_machine: ClassVar[StateMachine]
    features: ClassVar[Mapping[str, Mapping[str, Any]] | Sequence[str]] = ()
    providers_known: ClassVar[tuple[Provider, ...]] = ()
    default_provider: ClassVar[str | None] = None
    settings: ClassVar[DriverSettings] = DriverSettings()
    #: Launch parameters whose objects the cloud itself checks when launching (``"image_id"``,
    #: ``"realm_id"``): the core does not look them up first, and the driver answers a missing one
    #: with a ``ValidationError`` naming the parameter. Saves a backend call per launch.
    launch_checks: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, credentials: Credentials | None, provider: str | None = None) -> None:
        self._credentials = credentials
        self.provider = provider or self.default_provider

    # -- configuration and the core's questions ------------------------------------------------

    @classmethod
    def configure(cls, settings: DriverSettings) -> None:
        """Receive the operator's settings; called by the core once per process, when the driver is loaded.

        Overrides may check options and fail with ``ValueError`` naming the bad one.
        """
        cls.settings = settings

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """The core error for an exception of this driver's backend that escaped it; None to leave it.

        Drivers on the backend toolkit usually answer ``ERRORS.translate(error)``.
        """
        return None

    def translating(self) -> contextlib.AbstractContextManager[None]:
        """Run a block whose backend exceptions leave it as core errors (``translate_error``); others pass."""
        return translated(self.translate_error)

    @classmethod
    def provider_endpoints(cls, provider: str) -> Sequence[str]:
        """The network endpoints (URLs or ``host[:port]``) the provider string makes the server connect to.

        The core refuses a client-sent provider whose endpoints are internal addresses. By
        default a provider containing ``://`` is one URL and anything else (a region name) none.
        """
        return [provider] if "://" in provider else []

    def offers(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """The optional collections and the features offered for this provider and these credentials.

        ``None`` (the default) means everything the class implements and declares. A driver
        whose provider lacks a service (an EC2-compatible endpoint without load balancers)
        answers the narrower sets; ``/api``, ``OPTIONS``, the docs and the forms follow them.
        It must not call the cloud: it is asked on every request. When a class does not override it,
        the core takes the class's all without making a driver object (``http.resources.Api.offer``).
        """
        return None, None

    def listing_version(self, collection: str) -> Hashable | None:
        """A cheap token of what the caller's whole listing of ``collection`` would be now; None: not known.

        Offered, it lets the core answer a poller's GET of a listing whose token is the one it last
        answered under with that answer again (a 304 for ``If-None-Match`` with its ETag, else its
        bytes) without listing (``http.revalidate``). The contract: two equal tokens from this method mean the same
        listing, and a token taken before a listing describes that listing or an earlier state,
        never a later one. A change made anywhere (another server process, the cloud's own clock)
        must give a different token at once, so it should come from the backend's own change
        marker (a database's commit counter, an object store's generation), not from a timer. It
        authenticates like the listing would (``AuthenticationError`` for wrong credentials) and
        is asked on every such request, so it must cost far less than the listing: drivers whose
        cloud offers no such marker leave the default, None, and the core lists as before. The
        core keys what it keeps by driver, provider, credentials, format and base URL itself.
        """
        return None

    def provider_url(self, url: str | None = None) -> str:
        """``url``, else the provider, as an absolute http(s) URL; 400 naming ``provider`` when it is not one.

        The provider-URL safety rule has already been applied by the core to client-sent providers.
        """
        value = (url or self.provider or "").strip()
        if not value.lower().startswith(("http://", "https://")):
            raise ValidationError(f"Provider '{value[:100]}' is not an http(s) URL", param="provider")
        return value

    @property
    def optional_credentials(self) -> Credentials | None:
        """The request's credentials, or None when it sent none (unlike ``credentials``, never raises)."""
        return self._credentials

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

