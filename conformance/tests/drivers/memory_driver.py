"""In-memory drivers the kit's self-tests run the suite against: a complete one and broken variants.

Each class keeps its own store (a class attribute), so a test can look at it after a run and
see that the suite left nothing behind. Credentials: user ``u``, password ``p``.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from deltacloud.driver import Driver, StateMachine
from deltacloud.errors import AuthenticationError, BackendError, ConflictError, NotFoundError, ValidationError
from deltacloud.models import (
    AttachedVolume,
    HardwareProfile,
    HardwareProperty,
    Image,
    Instance,
    Key,
    LaunchOptions,
    PublicAddress,
    Realm,
    StorageVolume,
)

MACHINE = StateMachine.parse("""
    start -> pending on create
    pending -> running auto
    running -> running on reboot
    running -> stopping on stop
    stopping -> stopped auto
    stopped -> pending on start
    stopped -> finish on destroy
""")
#: A state the instance leaves at its next reading, and where it goes.
AUTOMATIC = {"PENDING": "RUNNING", "STOPPING": "STOPPED"}

PROFILES = (
    HardwareProfile("small", (HardwareProperty.fixed("cpu", 1), HardwareProperty.fixed("memory", 512),
                              HardwareProperty.fixed("architecture", "x86_64"))),
    HardwareProfile("flex", (HardwareProperty.range("cpu", 1, 8), HardwareProperty.enum("memory", [1024, 2048, 4096]),
                             HardwareProperty.fixed("architecture", "x86_64"))),
)


class _Core(Driver):
    """Base collections only: two realms, two images, two profiles, instances in a dict."""

    name = "Memory"
    state_machine = MACHINE
    features: ClassVar[Any] = ("user_name", "realm_filter")
    instances_store: ClassVar[dict[str, Instance]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.instances_store = {}

    def _auth(self) -> None:
        if (self.credentials.user, self.credentials.password) != ("u", "p"):
            raise AuthenticationError("wrong user or password")

    def realms(self, filters: Any) -> list[Realm]:
        self._auth()
        return [Realm("north", "North"), Realm("south", "South")]

    def hardware_profiles(self, filters: Any) -> list[HardwareProfile]:
        return list(PROFILES)

    def images(self, filters: Any) -> list[Image]:
        self._auth()
        return [Image("img-a", "Image A", "Plain", "u", "x86_64", hardware_profiles=("small", "flex")),
                Image("img-b", "Image B", "Other", "someone", "x86_64")]

    def instances(self, filters: Any) -> list[Instance]:
        self._auth()
        store = type(self).instances_store
        for id, inst in list(store.items()):
            if inst.state in AUTOMATIC:
                store[id] = self._with(inst, state=AUTOMATIC[inst.state])
        return list(store.values())

    @staticmethod
    def _with(inst: Instance, **changes: Any) -> Instance:
        fields = {f: getattr(inst, f) for f in Instance.__dataclass_fields__}
        return Instance(**{**fields, **changes})

    def _launch_name(self, options: LaunchOptions, id: str) -> str:
        return options.name or id

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance | list[Instance]:
        self._auth()
        if image_id not in {i.id for i in self.images({})}:
            raise ValidationError(f"Image '{image_id}' does not exist", param="image_id")
        store = type(self).instances_store
        made = []
        for _ in range(options.instance_count):
            id = f"vm{len(store) + 1}"
            while id in store:
                id += "x"
            store[id] = Instance(id, self._launch_name(options, id), "u", image_id, options.realm_id or "north",
                                 "PENDING", options.hardware_profile_id or "small",
                                 options.hardware_profile_overrides, keyname=options.keyname or "")
            made.append(store[id])
        return made[0] if len(made) == 1 else made

    def _act(self, id: str, action: str) -> Instance:
        inst = self.instance(id)
        target = MACHINE.target(inst.state, action)
        if target is None:
            raise ConflictError(f"cannot {action} an instance {inst.state}")
        store = type(self).instances_store
        if target == "finish":
            del store[id]
            return self._with(inst, state="FINISH")
        store[id] = self._with(inst, state=target.upper())
        return store[id]

    def start_instance(self, id: str) -> Instance:
        return self._act(id, "start")

    def stop_instance(self, id: str) -> Instance:
        return self._act(id, "stop")

    def reboot_instance(self, id: str) -> Instance:
        return self._act(id, "reboot")

    def destroy_instance(self, id: str) -> None:
        self._act(id, "destroy")


class CompleteDriver(_Core):
    """Base collections plus keys, advertising user_name, realm_filter, authentication_key, instance_count."""

    features: ClassVar[Any] = ("user_name", "realm_filter", "authentication_key", "instance_count")
    keys_store: ClassVar[dict[str, Key]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.keys_store = {}

    def keys(self, filters: Any) -> list[Key]:
        self._auth()
        return list(type(self).keys_store.values())

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        self._auth()
        if name in type(self).keys_store:
            raise ConflictError(f"key {name} exists")
        fingerprint = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
        type(self).keys_store[name] = Key(name, name, fingerprint=fingerprint, pem="-----BEGIN KEY-----")
        return type(self).keys_store[name]

    def destroy_key(self, id: str) -> None:
        self._auth()
        if type(self).keys_store.pop(id, None) is None:
            raise NotFoundError(f"key {id} not found")


CompleteDriver.keys_store = {}
CompleteDriver.instances_store = {}


class NoKeysDriver(_Core):
    """Base collections only: every keys test must skip, naming the collection."""


class IgnoresNameDriver(CompleteDriver):
    """Declares ``user_name`` but names every instance after its id."""

    def _launch_name(self, options: LaunchOptions, id: str) -> str:
        return id


class NoImagesDriver(Driver):
    """Lacks the images base collection: it must fail to load."""

    state_machine = MACHINE

    def realms(self, filters: Any) -> list[Realm]:
        return [Realm("north", "North")]

    def hardware_profiles(self, filters: Any) -> list[HardwareProfile]:
        return list(PROFILES)

    def instances(self, filters: Any) -> list[Instance]:
        return []

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        raise NotFoundError("no images")

    def destroy_instance(self, id: str) -> None:
        raise NotFoundError(id)

    def start_instance(self, id: str) -> Instance:
        raise NotFoundError(id)

    def stop_instance(self, id: str) -> Instance:
        raise NotFoundError(id)

    def reboot_instance(self, id: str) -> Instance:
        raise NotFoundError(id)


class StuckDriver(CompleteDriver):
    """Cannot destroy its instances: the suite must report what it left behind."""

    def destroy_instance(self, id: str) -> None:
        raise BackendError("the cloud refuses to destroy anything today")


class ActiveDriver(CompleteDriver):
    """Reports its running instances as ACTIVE, a state its own state machine does not know."""

    def instances(self, filters: Any) -> list[Instance]:
        return [self._with(i, state="ACTIVE") if i.state == "RUNNING" else i for i in super().instances(filters)]


class LaunchExtrasDriver(CompleteDriver):
    """Each launch also makes a volume attached to the instance and an address associated with it.

    Both outlive the instance (detached, disassociated), as a volume made from a snapshot does on
    EC2; one volume and one address exist before any launch and must survive the suite.
    """

    volumes_store: ClassVar[dict[str, StorageVolume]] = {"vol-old": StorageVolume("vol-old", 1, "north", "AVAILABLE")}
    addresses_store: ClassVar[dict[str, PublicAddress]] = {"10.0.0.1": PublicAddress("10.0.0.1", "10.0.0.1")}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.volumes_store = {"vol-old": StorageVolume("vol-old", 1, "north", "AVAILABLE")}
        cls.addresses_store = {"10.0.0.1": PublicAddress("10.0.0.1", "10.0.0.1")}

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance | list[Instance]:
        made = super().create_instance(image_id, options)
        cls = type(self)
        out = []
        for inst in made if isinstance(made, list) else [made]:
            vol = StorageVolume(f"vol-{inst.id}", 1, inst.realm_id, "IN-USE", instance_id=inst.id, device="/dev/sdf")
            cls.volumes_store[vol.id] = vol
            ip = f"10.1.0.{len(cls.addresses_store) + 1}"
            cls.addresses_store[ip] = PublicAddress(ip, ip, inst.id)
            cls.instances_store[inst.id] = self._with(inst, storage_volumes=(AttachedVolume(vol.id, "/dev/sdf"),))
            out.append(cls.instances_store[inst.id])
        return out if isinstance(made, list) else out[0]

    def destroy_instance(self, id: str) -> None:
        super().destroy_instance(id)
        cls = type(self)
        for vid, vol in list(cls.volumes_store.items()):
            if vol.instance_id == id:
                cls.volumes_store[vid] = StorageVolume(vid, vol.capacity, vol.realm_id, "AVAILABLE")
        for ip, address in list(cls.addresses_store.items()):
            if address.instance_id == id:
                cls.addresses_store[ip] = PublicAddress(ip, ip)

    def storage_volumes(self, filters: Any) -> list[StorageVolume]:
        self._auth()
        return list(type(self).volumes_store.values())

    def destroy_storage_volume(self, id: str) -> None:
        vol = self.storage_volume(id)
        if vol.instance_id:
            raise ConflictError(f"volume {id} is attached to {vol.instance_id}")
        del type(self).volumes_store[id]

    def addresses(self, filters: Any) -> list[PublicAddress]:
        self._auth()
        return list(type(self).addresses_store.values())

    def destroy_address(self, id: str) -> None:
        address = self.address(id)
        if address.instance_id:
            raise ConflictError(f"address {id} is associated with {address.instance_id}")
        del type(self).addresses_store[id]


class StuckVolumesDriver(LaunchExtrasDriver):
    """Cannot destroy volumes: what the cloud made for an instance is reported as left behind."""

    def destroy_storage_volume(self, id: str) -> None:
        raise BackendError("volumes are read-only today")
