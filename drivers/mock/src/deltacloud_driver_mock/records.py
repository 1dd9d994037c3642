"""Stored documents to models and back: the mock's JSON shapes in one place.

Document shapes (all JSON objects with an ``id``):

* ``images``: name, description, owner_id, architecture, state, creation_time.
* ``instances``: name, owner_id, image_id, realm_id, state, next_state, next_at,
  hardware_profile_id, hardware_profile_overrides (object), public_addresses and
  private_addresses (lists of ``{address, type}``), keyname, create_image, storage_volumes
  (lists of ``{id, device}``), user_data (base64 text or null), launch_time; and the relations
  of ``records_extra``: firewalls, address_id, hostname_public_addresses, metrics.
* ``keys``: name, type, fingerprint, pem, public_key.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
import orjson

from deltacloud.driver import IdentityMemo
from deltacloud.models import Address, AttachedVolume, Image, Instance, Key
from deltacloud_driver_mock.catalog import PROFILE_IDS
from deltacloud_driver_mock.lifecycle import effective_state


def timestamp(now: float) -> str:
    """``now`` (epoch seconds) as ISO 8601 UTC, e.g. ``2024-05-01T12:00:00Z``."""
    return datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def image(doc: Mapping[str, Any]) -> Image:
    """The model of an image document; every image offers every hardware profile."""
    return Image(
        id=doc["id"],
        name=doc.get("name") or doc["id"],
        description=doc.get("description") or "",
        owner_id=doc.get("owner_id") or "",
        architecture=doc.get("architecture") or "",
        state=doc.get("state") or "AVAILABLE",
        creation_time=doc.get("creation_time") or "",
        hardware_profiles=PROFILE_IDS,
    )


def image_from_json(body: str) -> Image:
    """The model of a stored image's JSON text (``decoded.DecodedModels`` keeps it per distinct text)."""
    return image(_loads(body))


def new_image(id: str, owner: str, architecture: str, description: str, now: float) -> dict[str, Any]:
    """The document of an image just made from an instance."""
    return {"id": id, "name": id, "description": description, "owner_id": owner, "architecture": architecture,
            "state": "AVAILABLE", "creation_time": timestamp(now)}


#: The order ``instance`` passes ``Instance``'s fields in (positional: cheaper than keywords).
_INSTANCE_FIELDS = ("id", "name", "owner_id", "image_id", "realm_id", "state", "hardware_profile_id",
                    "hardware_profile_overrides", "public_addresses", "private_addresses", "launch_time",
                    "keyname", "username", "password", "storage_volumes", "firewalls", "create_image",
                    "network_interfaces")
if tuple(f.name for f in dataclasses.fields(Instance)) != _INSTANCE_FIELDS:  # never pass a value to the wrong field
    raise ImportError("deltacloud.models.Instance changed its fields: update records.instance")

def _loads(body: str) -> Any:
    """``json.loads(body)``, read by orjson (about half the time); what orjson refuses goes to ``json.loads``.

    orjson refuses some texts Python reads (NaN, Infinity, numbers out of a double's range, lone
    surrogates): ``json.loads`` reads those, and rejects what is not JSON with its own error. orjson
    reads an integer beyond 64 bits as a float; no stored instance holds one (the values are text,
    profile values checked against their ranges, the time a float).
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def _addresses(items: list[Mapping[str, str]]) -> tuple[Address, ...]:
    if len(items) == 1:  # the usual case (one public, one private): no list built
        one = items[0]
        return (Address(one["address"], one.get("type", "ipv4")),)
    return tuple([Address(a["address"], a.get("type", "ipv4")) for a in items])


def instance(doc: Mapping[str, Any], state: str) -> Instance:
    """The model of an instance document, shown in ``state`` (the caller derives it from the clock).

    Optional keys absent, null or empty give the field's empty value; ``create_image`` absent is True.
    Written for speed (a listing without caches decodes every instance): one lookup per key, no
    tuple built for the usual empty lists, and ``Instance`` called positionally in the order of
    ``_INSTANCE_FIELDS``, which import checks against the model.
    """
    get = doc.get
    overrides = get("hardware_profile_overrides")
    public = get("public_addresses")
    private = get("private_addresses")
    volumes = get("storage_volumes")
    firewalls = get("firewalls")
    interfaces = get("network_interfaces")
    return Instance(
        doc["id"],
        get("name") or "",
        doc["owner_id"],
        doc["image_id"],
        doc["realm_id"],
        state,
        doc["hardware_profile_id"],
        tuple([(k, str(v)) for k, v in overrides.items()]) if overrides else (),
        _addresses(public) if public else (),
        _addresses(private) if private else (),
        get("launch_time") or "",
        get("keyname") or "",
        "",  # username and password: the mock's instances log in with keys
        "",
        tuple([AttachedVolume(v["id"], v.get("device") or "") for v in volumes]) if volumes else (),
        tuple(firewalls) if firewalls else (),
        bool(get("create_image", True)),
        tuple(interfaces) if interfaces else (),
    )


class _AddressDocument(msgspec.Struct):
    address: str
    type: str | None = "ipv4"


class _VolumeDocument(msgspec.Struct):
    id: str
    device: str | None = ""


class _InstanceDocument(msgspec.Struct):
    """An instance document as the mock writes it, typed: what ``instance_at`` decodes without a dict.

    Each field has the type the mock writes and the default ``instance`` gives when the key is
    absent; a document that does not fit (a value of another type, a key missing, text msgspec
    does not read) is decoded as a dict instead, so the model is the same either way.
    """

    id: str
    owner_id: str
    image_id: str
    realm_id: str
    state: str
    hardware_profile_id: str
    name: str | None = ""
    hardware_profile_overrides: dict[str, str] | None = None
    public_addresses: list[_AddressDocument] | None = None
    private_addresses: list[_AddressDocument] | None = None
    launch_time: str | None = ""
    keyname: str | None = ""
    storage_volumes: list[_VolumeDocument] | None = None
    firewalls: list[str] | None = None
    create_image: bool | None = True
    network_interfaces: list[str] | None = None
    next_at: float | None = None


_TYPED = msgspec.json.Decoder(_InstanceDocument)


def _address_models(items: list[_AddressDocument]) -> tuple[Address, ...]:
    if len(items) == 1:  # the usual case (one public, one private): no list built
        return (Address(items[0].address, items[0].type),)  # type: ignore[arg-type]
    return tuple([Address(a.address, a.type) for a in items])  # type: ignore[arg-type]


def instance_at(body: str, now: float) -> Instance:
    """The model of a stored instance's JSON text at time ``now`` (``StoredInstance(body).at(now)``), nothing kept.

    For listings made with every cache off: no ``StoredInstance`` is made, so a listing of many
    instances holds fewer objects for the garbage collector to go through while it is built. The
    usual document (``_InstanceDocument``, no transition due) is decoded into its model straight, at
    about half the cost of a dict and ``instance``; any other through them.
    """
    try:
        doc = _TYPED.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        doc = None
    if doc is None or (doc.next_at is not None and doc.next_at <= now):
        decoded = _loads(body)
        return instance(decoded, effective_state(decoded, now) or decoded["state"])
    overrides, public, private = doc.hardware_profile_overrides, doc.public_addresses, doc.private_addresses
    volumes, firewalls, interfaces = doc.storage_volumes, doc.firewalls, doc.network_interfaces
    return Instance(
        doc.id,
        doc.name or "",
        doc.owner_id,
        doc.image_id,
        doc.realm_id,
        doc.state,
        doc.hardware_profile_id,
        tuple(overrides.items()) if overrides else (),
        _address_models(public) if public else (),
        _address_models(private) if private else (),
        doc.launch_time or "",
        doc.keyname or "",
        "",  # username and password: the mock's instances log in with keys
        "",
        tuple([AttachedVolume(v.id, v.device or "") for v in volumes]) if volumes else (),
        tuple(firewalls) if firewalls else (),
        bool(doc.create_image),
        tuple(interfaces) if interfaces else (),
    )


class StoredInstance:
    """A stored instance's JSON text decoded: its model now, and once its automatic transition is due.

    The settled model is decoded the first time it is asked for; ``decoded.DecodedModels`` keeps
    one of these per distinct text, so a listing decodes only the instances that changed.
    """

    __slots__ = ("_next_state", "_settled", "model", "next_at")

    def __init__(self, body: str) -> None:
        doc = _loads(body)
        self._next_state: str | None = doc.get("next_state")
        self._settled: Instance | None = None
        self.model = instance(doc, doc["state"])
        self.next_at: float | None = doc.get("next_at")

    def at(self, now: float) -> Instance:
        """The instance at time ``now``: its due automatic transition applied (``lifecycle.effective_state``)."""
        if self.next_at is None or self.next_at > now:
            return self.model
        if self._settled is None:  # the same instance in its next state: nothing else differs
            self._settled = dataclasses.replace(self.model, state=self._next_state or self.model.state)
        return self._settled


#: Kept listings' models between two transitions: id of the stored list -> (list, since, due, models).
#: ``instances_at`` by the listing's list: (when worked out, when next due, the models).
_SETTLED: IdentityMemo[tuple[float, float, list[Instance]]] = IdentityMemo(64)  # about one per thread and user


def instances_at(stored: Sequence[StoredInstance], now: float) -> list[Instance]:
    """``[s.at(now) for s in stored]``, reusing the models of a kept listing until its next transition is due.

    A listing kept unchanged (``decoded.DecodedModels.listing`` returns the same list) shows the
    same models from the time they were worked out until the clock reaches the earliest
    ``next_at`` still ahead among them; then they are worked out again, so a transition shows in
    the very listing made once it is due (and a clock set back is worked out again too).
    """
    known = _SETTLED.get(id(stored))
    if known is not None and known[0] <= now < known[1]:
        return list(known[2])
    models = [s.at(now) for s in stored]
    due = min((s.next_at for s in stored if s.next_at is not None and s.next_at > now), default=math.inf)
    _SETTLED.put(id(stored), (now, due, models), stored)
    return list(models)


def settled_since(stored: Sequence[StoredInstance], now: float) -> float | None:
    """When the models ``instances_at(stored, now)`` returns were worked out, if kept and still right at ``now``.

    None when they are not kept or a transition fell due since (the next listing works them out
    again). Equal answers for the same ``stored`` list mean the same models.
    """
    known = _SETTLED.get(id(stored))
    return known[0] if known is not None and known[0] <= now < known[1] else None


def new_instance(id: str, *, name: str, owner: str, image_id: str, realm_id: str, profile_id: str,
                 overrides: Mapping[str, str], keyname: str | None, user_data: bytes | None,
                 now: float) -> dict[str, Any]:
    """The document of a new instance, before the state machine puts it in its first state."""
    return {
        "id": id,
        "name": name,
        "owner_id": owner,
        "image_id": image_id,
        "realm_id": realm_id,
        "state": "START",
        "hardware_profile_id": profile_id,
        "hardware_profile_overrides": dict(overrides),
        "public_addresses": [{"address": f"{image_id}.{id}.public.com", "type": "hostname"}],
        "private_addresses": [{"address": f"{image_id}.{id}.private.com", "type": "hostname"}],
        "keyname": keyname or "",
        "create_image": True,
        "storage_volumes": [],
        "network_interfaces": [],
        "user_data": base64.b64encode(user_data).decode("ascii") if user_data is not None else None,
        "launch_time": timestamp(now),
    }


def user_data(doc: Mapping[str, Any]) -> bytes | None:
    """The user data an instance was launched with, decoded, or None."""
    text = doc.get("user_data")
    return base64.b64decode(text) if text is not None else None


def key(doc: Mapping[str, Any]) -> Key:
    """The model of a key document."""
    return Key(
        id=doc["id"],
        name=doc.get("name") or doc["id"],
        type=doc.get("type") or "key",
        fingerprint=doc.get("fingerprint") or "",
        pem=doc.get("pem") or "",
        public_key=doc.get("public_key") or "",
    )


def new_key(name: str, fingerprint: str, pem: str = "", public_key: str = "") -> dict[str, Any]:
    """The document of a new key pair (generated: ``pem`` set; imported: ``public_key`` set)."""
    return {"id": name, "name": name, "type": "key", "fingerprint": fingerprint, "pem": pem, "public_key": public_key}
