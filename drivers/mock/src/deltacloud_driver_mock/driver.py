"""``MockDriver``: a complete cloud kept in a local SQLite file, the reference driver.

Everything but the static realms and hardware profiles lives in the store shared by every
server process using the same storage directory; instances are private to their owner.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

from deltacloud.api.instance_ops import check_overrides
from deltacloud.driver import Driver, Filters, StateMachine
from deltacloud.driver.settings import DriverSettings
from deltacloud.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from deltacloud.models import CommandOutput, Credentials, HardwareProfile, Image, Instance, Key, LaunchOptions, Realm
from deltacloud_driver_mock import catalog, keymaterial, launch, lifecycle, records
from deltacloud_driver_mock.addresses import AddressesMixin
from deltacloud_driver_mock.balancers import BalancersMixin
from deltacloud_driver_mock.clock import SYSTEM_CLOCK, Clock, clock_option
from deltacloud_driver_mock.decoded import DecodedModels
from deltacloud_driver_mock.firewalls import FirewallsMixin
from deltacloud_driver_mock.metrics import MetricsMixin
from deltacloud_driver_mock.networking import NetworkingMixin
from deltacloud_driver_mock.objectstore import ObjectStoreMixin
from deltacloud_driver_mock.relations import forget_instance
from deltacloud_driver_mock.seed import seed_documents
from deltacloud_driver_mock.settings import storage_directory, transition_delay
from deltacloud_driver_mock.storage import StorageMixin
from deltacloud_driver_mock.store import Condition, Store
from deltacloud_driver_mock.users import check, parse_users, store_directory, user_seed

#: The default user's credentials (more users: the driver option ``users``, see ``users.py``).
USER, PASSWORD = "mockuser", "mockpassword"

IMAGES, INSTANCES, KEYS = "images", "instances", "keys"

#: The images' and instances' decoded models, kept per process (see ``decoded``).
IMAGE_MODELS: DecodedModels[Image] = DecodedModels(records.image_from_json)
INSTANCE_MODELS: DecodedModels[records.StoredInstance] = DecodedModels(records.StoredInstance)

# Names that become ids, and so URL path segments: no slash, no control characters.
_BAD_NAME = re.compile(r"[/\x00-\x1f\x7f]")
_MAX_NAME = 255


@functools.lru_cache(maxsize=256)
def _stores(users_option: str | None, root: Path, user: str | None,
            generation: int) -> tuple[MappingProxyType[str, str], Store, Store]:
    """The users, the images' store and ``user``'s store, worked out once per distinct settings and user.

    A driver is made per request; ``generation`` (``Store.generation``) changes when every store is
    closed, so a store closed since is opened again.
    """
    users = parse_users(users_option)
    images_store = Store.open(root, seed_documents)
    directory = store_directory(root, user, users)
    store = images_store if directory == root else Store.open(directory, lambda: user_seed(str(user), seed_documents()))
    return users, images_store, store


def _checked_name(value: str, param: str, what: str) -> str:
    if not value or not value.strip():
        raise ValidationError(f"The {what} name must not be empty", param=param)
    if len(value) > _MAX_NAME or _BAD_NAME.search(value):
        raise ValidationError(f"The {what} name must be at most {_MAX_NAME} characters, without '/' or control "
                              f"characters", param=param)
    return value


class MockDriver(StorageMixin, ObjectStoreMixin, AddressesMixin, FirewallsMixin, BalancersMixin, MetricsMixin,
                 NetworkingMixin, Driver):
    """The mock cloud: user ``mockuser``, password ``mockpassword``.

    Storage: ``$DELTACLOUD_MOCK_STORAGE`` (a directory) or the user's data directory; the
    automatic transitions take ``$DELTACLOUD_MOCK_DELAY`` seconds (default 2).
    """

    name: ClassVar[str] = "Mock"
    state_machine: ClassVar[StateMachine] = lifecycle.MACHINE
    features: ClassVar[Sequence[str]] = (
        "user_name", "user_data", "authentication_key", "realm_filter", "instance_count",
        "import_key", "image_name", "image_description", "owner_id", "bucket_location",
        "firewalls", "metrics", "register_to_load_balancer", "volume_name", "volume_description", "attach_snapshot",
    )

    #: What "now" is for the state machine: the wall clock unless the driver option ``clock`` names a
    #: clock file; in-process tests may set a ``clock.ManualClock`` here.
    clock: ClassVar[Clock] = SYSTEM_CLOCK

    @classmethod
    def configure(cls, settings: DriverSettings) -> None:
        """Check the driver options ``users`` (``NAME:PASSWORD,...``) and ``clock`` when the driver is loaded."""
        parse_users(settings.option("users"))
        cls.clock = clock_option(settings.option("clock"))
        super().configure(settings)

    def __init__(self, credentials: Credentials | None, provider: str | None = None) -> None:
        super().__init__(credentials, provider)
        user = credentials.user if credentials is not None else None
        #: ``images_store``: images are everybody's, they live in the default user's store.
        self.users, self.images_store, self.store = _stores(self.settings.option("users"), storage_directory(), user,
                                                            Store.generation)
        self.delay = transition_delay()

    # -- credentials ---------------------------------------------------------------------------

    def _user(self) -> str:
        """The authenticated user; ``AuthenticationError`` unless the credentials are the mock's."""
        return check(self.users, self.credentials)

    # -- realms and hardware profiles ----------------------------------------------------------

    def realms(self, filters: Filters) -> list[Realm]:
        """The two fixed realms, ``us`` and ``eu``."""
        self._user()
        wanted = filters.get("id")
        return [r for r in catalog.REALMS if wanted is None or r.id == wanted]

    def hardware_profiles(self, filters: Filters) -> list[HardwareProfile]:
        """The static profiles in index order; needs no credentials."""
        wanted = filters.get("id")
        return [p for p in catalog.HARDWARE_PROFILES if wanted is None or p.id == wanted]

    # -- images --------------------------------------------------------------------------------

    def images(self, filters: Filters) -> list[Image]:
        """Every image; ``filters`` may narrow by ``id``, ``architecture`` and ``owner_id``."""
        self._user()
        fields = {name: filters[name] for name in ("architecture", "owner_id") if filters.get(name) is not None}
        bodies = self.images_store.bodies(IMAGES, id=filters.get("id"), fields=fields)
        complete = filters.get("id") is None and not fields
        return IMAGE_MODELS.models((str(self.images_store.path), IMAGES), bodies, complete=complete)

    def create_image(self, instance_id: str, name: str | None = None, description: str | None = None) -> Image:
        """Make an image of one of the caller's instances; its id is ``name`` (generated when missing)."""
        user = self._user()
        if name is not None:
            _checked_name(name, "name", "image")
        now = self.clock.now()
        inst = self.store.get(INSTANCES, instance_id)
        if inst is None or inst["owner_id"] != user:
            raise NotFoundError(f"Instance '{instance_id}' not found")
        if not inst.get("create_image", True):
            raise ConflictError(f"No image can be created from instance '{instance_id}'")
        with self.images_store.transaction() as tx:  # images are shared: the default user's store
            image_id = name or tx.next_free_id(IMAGES, "img")
            source = tx.get(IMAGES, inst["image_id"])
            if source is not None:
                architecture = source.get("architecture") or ""
            else:  # the instance's image was deleted since: fall back on its hardware profile
                architecture = catalog.architecture_of(inst["hardware_profile_id"])
            doc = records.new_image(image_id, user, architecture, description or "", now)
            if not tx.insert(IMAGES, doc, owner=user):
                raise ConflictError(f"Image '{image_id}' already exists")
        return records.image(doc)

    def destroy_image(self, id: str) -> None:
        """Delete one of the caller's images."""
        user = self._user()
        with self.images_store.transaction() as tx:
            doc = tx.get(IMAGES, id)
            if doc is None:
                raise NotFoundError(f"Image '{id}' not found")
            if doc.get("owner_id") != user:
                raise ForbiddenError(f"Image '{id}' belongs to another user")
            tx.delete(IMAGES, id)

    # -- instances -----------------------------------------------------------------------------

    def instances(self, filters: Filters) -> Iterable[Instance]:
        """The caller's instances; ``id``, ``state`` and ``realm_id`` filters are applied in SQL.

        A list, except with every cache off: then a generator decoding each stored text only as
        it is asked for, so the server writes a large listing as it is read (``http.calls``).
        """
        user = self._user()
        now = self.clock.now()
        fields = {"realm_id": filters["realm_id"]} if filters.get("realm_id") is not None else None
        where: list[Condition] = []
        if filters.get("state") is not None:
            where.append((f"{lifecycle.EFFECTIVE_STATE_SQL} = ?", (now, filters["state"].upper())))
        scope = (str(self.store.path), user)
        whole = filters.get("id") is None and not fields and not where
        if whole and INSTANCE_MODELS.enabled:  # the whole listing: read only if changed
            stored = INSTANCE_MODELS.listing(scope, self.store.version(),
                                             lambda: self.store.bodies(INSTANCES, owner=user))
            return records.instances_at(stored, now)  # the clock's transitions: followed on every listing
        bodies = self.store.bodies(INSTANCES, id=filters.get("id"), owner=user, fields=fields, where=where)
        if not INSTANCE_MODELS.enabled:  # DELTACLOUD_CACHE=off: each text decoded straight to its model, nothing kept
            return (records.instance_at(body, now) for body in bodies)
        return [s.at(now) for s in INSTANCE_MODELS.models(scope, bodies, complete=False)]

    def listing_version(self, collection: str) -> Hashable | None:
        """For ``instances``: this thread's database state with the time its listing's transitions were worked out.

        Known only once the whole listing was read under the same database state (``decoded``) and
        while no automatic transition fell due since (``records.settled_since``); else None.
        """
        if collection != "instances":
            return None
        user = self._user()
        version = self.store.version()
        stored = INSTANCE_MODELS.kept((str(self.store.path), user), version)
        since = records.settled_since(stored, self.clock.now()) if stored is not None else None
        return None if since is None else (version, since)

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance | list[Instance]:
        """Launch ``options.instance_count`` instances of ``image_id``; a list when more than one.

        New instances are PENDING and become RUNNING after the configured delay.
        """
        user = self._user()
        count = options.instance_count
        if count < 1:
            raise ValidationError("Parameter 'instance_count' must be at least 1", param="instance_count")
        profile_id = options.hardware_profile_id or catalog.DEFAULT_PROFILE
        profile = catalog.PROFILES_BY_ID.get(profile_id)
        if profile is None:
            raise ValidationError(f"Hardware profile '{profile_id}' does not exist", param="hwp_id")
        overrides = dict(check_overrides(profile, dict(options.hardware_profile_overrides)))
        now = self.clock.now()
        name = options.name or f"i-{int(now)}"
        docs = []
        if not self.images_store.exists(IMAGES, image_id):
            raise ValidationError(f"Image '{image_id}' does not exist", param="image_id")
        with self.store.transaction() as tx:
            if options.keyname and not tx.exists(KEYS, options.keyname):
                raise ValidationError(f"Key '{options.keyname}' does not exist", param="keyname")
            place = launch.placement(tx, options)
            for _ in range(count):
                doc = records.new_instance(
                    tx.next_free_id(INSTANCES, "inst"), name=name, owner=user, image_id=image_id,
                    realm_id=place.realm_id, profile_id=profile.id, overrides=overrides, keyname=options.keyname,
                    user_data=options.user_data, now=now)
                doc = lifecycle.create(place.prepare(tx, doc), now, self.delay)
                tx.insert(INSTANCES, doc, owner=user)
                place.join(tx, doc)
                docs.append(doc)
        created = [records.instance(doc, doc["state"]) for doc in docs]
        return created[0] if count == 1 else created

    def _act(self, id: str, action: str) -> dict[str, Any]:
        """Apply a client action to one of the caller's instances, atomically; the new document."""
        user = self._user()
        now = self.clock.now()
        with self.store.transaction() as tx:
            doc = tx.get(INSTANCES, id)
            if doc is None or doc["owner_id"] != user:
                raise NotFoundError(f"Instance '{id}' not found")
            doc = lifecycle.apply(doc, action, now, self.delay)
            if doc["state"] == "FINISH":
                tx.delete(INSTANCES, id)
                forget_instance(tx, id)
            else:
                tx.put(INSTANCES, doc, owner=user)
        return doc

    def start_instance(self, id: str) -> Instance:
        """Start a STOPPED instance: PENDING, then RUNNING after the delay."""
        doc = self._act(id, "start")
        return records.instance(doc, doc["state"])

    def stop_instance(self, id: str) -> Instance:
        """Stop a RUNNING instance: STOPPING, then STOPPED after the delay."""
        doc = self._act(id, "stop")
        return records.instance(doc, doc["state"])

    def reboot_instance(self, id: str) -> Instance:
        """Reboot a RUNNING instance; it stays RUNNING."""
        doc = self._act(id, "reboot")
        return records.instance(doc, doc["state"])

    def destroy_instance(self, id: str) -> None:
        """Destroy a STOPPED instance; it leaves the listing."""
        self._act(id, "destroy")

    def run_on_instance(self, id: str, cmd: str, private_key: str | None = None, password: str | None = None,
                        ip: str | None = None, port: int | None = None) -> CommandOutput:
        """Pretend to run ``cmd`` on a RUNNING instance of the caller's, as the original mock did: nothing runs."""
        user = self._user()
        doc = self.store.get(INSTANCES, id)
        if doc is None or doc["owner_id"] != user:
            raise NotFoundError(f"Instance '{id}' not found")
        state = lifecycle.effective_state(doc, self.clock.now())
        if state != "RUNNING":
            raise ConflictError(f"Instance '{id}' is {state}: commands run only on a RUNNING instance")
        address = ip or next((a["address"] for a in doc.get("public_addresses") or []), "")
        return CommandOutput(id, cmd, f"mock: '{cmd}' would have run on {address}:{port or 22}\n", address)

    def user_data(self, id: str) -> bytes | None:
        """The user data one of the caller's instances was launched with (mock only; for tests and debugging)."""
        user = self._user()
        doc = self.store.get(INSTANCES, id)
        if doc is None or doc["owner_id"] != user:
            raise NotFoundError(f"Instance '{id}' not found")
        return records.user_data(doc)

    # -- keys ----------------------------------------------------------------------------------

    def keys(self, filters: Filters) -> list[Key]:
        """Every key pair; ``filters`` may narrow by ``id``."""
        self._user()
        return [records.key(doc) for doc in self.store.list(KEYS, id=filters.get("id"))]

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Create a key pair called ``name``, or import ``public_key`` (OpenSSH format) under that name."""
        user = self._user()
        _checked_name(name, "name", "key")
        if public_key is not None and public_key.strip():
            try:
                fingerprint, text = keymaterial.import_public_key(public_key)
            except ValueError as exc:
                raise ValidationError(f"Parameter 'public_key' is not a valid public key: {exc}",
                                      param="public_key") from None
            doc = records.new_key(name, fingerprint, public_key=text)
        else:
            fingerprint, pem = keymaterial.generate()
            doc = records.new_key(name, fingerprint, pem=pem)
        with self.store.transaction() as tx:
            if not tx.insert(KEYS, doc, owner=user):
                raise ConflictError(f"Key '{name}' already exists")
        return records.key(doc)

    def destroy_key(self, id: str) -> None:
        """Delete a key pair."""
        self._user()
        with self.store.transaction() as tx:
            if not tx.delete(KEYS, id):
                raise NotFoundError(f"Key '{id}' not found")
