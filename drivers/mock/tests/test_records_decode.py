"""Oracle test of the mock's instance decoding: the fast ``records`` path against a plain reference.

``reference_instance`` below is the straightforward decoding (the specification: one keyword per
field, ``.get(...) or default`` fallbacks). Generated documents (optional keys present, null, empty
or absent; non-ASCII, empty and escaped strings; several addresses, volumes and overrides) must
give models equal to it, field by field and with the same types (tuple, not list; bool, not int).
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import pytest

from deltacloud.models import Address, AttachedVolume, Instance
from deltacloud_driver_mock import records
from deltacloud_driver_mock.lifecycle import effective_state

DOCUMENTS = 3000
#: Texts that stress the JSON scanner and the ``or`` fallbacks: empty, non-ASCII, escapes, astral.
WORDS = ["", "web", "Grüße", "日本語", "\u00e9t\u00e9", "a\"quoted\"", "back\\slash", "tab\there", "line\nbreak",
         "emoji \U0001f600", "\u2028sep", "0", " ", "ipv6", "hostname"]


def reference_instance(doc: Mapping[str, Any], state: str) -> Instance:
    """The model of an instance document, decoded the plain way (the behaviour to keep)."""
    def addresses(items: list[Mapping[str, Any]]) -> tuple[Address, ...]:
        return tuple(Address(a["address"], a.get("type", "ipv4")) for a in items)

    return Instance(
        id=doc["id"],
        name=doc.get("name") or "",
        owner_id=doc["owner_id"],
        image_id=doc["image_id"],
        realm_id=doc["realm_id"],
        state=state,
        hardware_profile_id=doc["hardware_profile_id"],
        hardware_profile_overrides=tuple((k, str(v)) for k, v in (doc.get("hardware_profile_overrides") or {}).items()),
        public_addresses=addresses(doc.get("public_addresses") or []),
        private_addresses=addresses(doc.get("private_addresses") or []),
        launch_time=doc.get("launch_time") or "",
        keyname=doc.get("keyname") or "",
        storage_volumes=tuple(AttachedVolume(v["id"], v.get("device") or "") for v in doc.get("storage_volumes") or []),
        firewalls=tuple(doc.get("firewalls") or ()),
        create_image=bool(doc.get("create_image", True)),
        network_interfaces=tuple(doc.get("network_interfaces") or ()),
    )


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type, all the way down (``==`` alone takes ``1`` for ``True``, a list for nothing)."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS) + (str(rng.randrange(1000)) if rng.random() < 0.5 else "")


def _optional(rng: random.Random, doc: dict[str, Any], key: str, present: Any, empty: Any) -> None:
    """Set ``key`` to a value, to its empty value, to null, or leave it out."""
    roll = rng.random()
    if roll < 0.55:
        doc[key] = present
    elif roll < 0.75:
        doc[key] = empty
    elif roll < 0.85:
        doc[key] = None
    # else: absent, as in documents stored before the key existed


def generated(rng: random.Random, n: int) -> dict[str, Any]:
    """One instance document as the mock may have stored it, old shapes included."""
    doc: dict[str, Any] = {"id": f"inst{n}{_word(rng)}", "owner_id": _word(rng), "image_id": _word(rng),
                           "realm_id": _word(rng), "state": rng.choice(["RUNNING", "PENDING", "STOPPED", "Ä"]),
                           "hardware_profile_id": rng.choice(["m1-small", "m1-large", "", "ü"])}

    def address() -> dict[str, Any]:
        item: dict[str, Any] = {"address": _word(rng)}
        if rng.random() < 0.8:  # no type: ipv4
            item["type"] = rng.choice(["hostname", "ipv4", "ipv6", "", None])
        return item

    def volume() -> dict[str, Any]:
        item: dict[str, Any] = {"id": _word(rng)}
        if rng.random() < 0.7:  # no device: ""
            item["device"] = rng.choice(["/dev/sda1", "", None, "/dev/vdé"])
        return item

    override_values = ["2048", "", "é", 2048, 1.5, True, 0, None]
    _optional(rng, doc, "name", _word(rng), "")
    _optional(rng, doc, "hardware_profile_overrides",
              {rng.choice(["memory", "cpu", "storage", "architecture", "ß"]) + str(i): rng.choice(override_values)
               for i in range(rng.randrange(1, 4))}, {})
    _optional(rng, doc, "public_addresses", [address() for _ in range(rng.randrange(1, 4))], [])
    _optional(rng, doc, "private_addresses", [address() for _ in range(rng.randrange(1, 4))], [])
    _optional(rng, doc, "launch_time", "2024-05-01T12:00:00Z", "")
    _optional(rng, doc, "keyname", _word(rng), "")
    _optional(rng, doc, "storage_volumes", [volume() for _ in range(rng.randrange(1, 4))], [])
    _optional(rng, doc, "firewalls", [_word(rng) for _ in range(rng.randrange(1, 4))], [])
    _optional(rng, doc, "network_interfaces", [_word(rng) for _ in range(rng.randrange(1, 3))], [])
    if rng.random() < 0.8:  # absent: True
        doc["create_image"] = rng.choice([True, False, None, 0, 1])
    _optional(rng, doc, "next_state", rng.choice(["RUNNING", "STOPPED"]), "")
    _optional(rng, doc, "next_at", rng.choice([0.0, 5.0, 1.7e9, 12]), 0)
    _optional(rng, doc, "user_data", "aGVsbG8=", "")
    _optional(rng, doc, "address_id", "192.168.0.1", "")
    return dict(rng.sample(sorted(doc.items()), len(doc)))  # key order varies too


def documents() -> list[dict[str, Any]]:
    """The generated documents, the same on every run, plus the seed's instances and a new instance."""
    rng = random.Random(12)
    seed = json.loads(Path(records.__file__).with_name("seed.json").read_text(encoding="utf-8"))
    fresh = records.new_instance("i1", name="n", owner="u", image_id="img1", realm_id="us", profile_id="m1-small",
                                 overrides={"memory": "2048"}, keyname=None, user_data=b"x", now=1.7e9)
    return [*seed["documents"]["instances"], fresh, *(generated(rng, n) for n in range(DOCUMENTS))]


def test_instance_equals_the_reference_for_every_generated_document() -> None:
    """``records.instance(doc, state)`` gives exactly the reference model, in any state."""
    docs = documents()
    assert sum("public_addresses" not in d for d in docs) > 100, "old documents are covered"
    for doc in docs:
        for state in (doc["state"], "STOPPED"):
            expected = reference_instance(doc, state)
            assert same(records.instance(doc, state), expected), doc


#: Ways a document's text may be written: as the store writes it, and what json.loads reads as well.
DUMPS = [
    lambda d: json.dumps(d, separators=(",", ":")),  # as the store writes it
    lambda d: json.dumps(d, ensure_ascii=False, separators=(",", ":")),
    lambda d: json.dumps(d, indent=1),
    lambda d: " \n" + json.dumps(d) + "\t\n",  # surrounding space: json.loads' own rules
]


@pytest.mark.parametrize("dumps", DUMPS)
def test_stored_instance_equals_the_reference_for_every_text(dumps: Any) -> None:
    """``StoredInstance(text)``: the model and its due transition match the reference for any valid text."""
    for doc in documents():
        stored = records.StoredInstance(dumps(doc))
        assert same(stored.model, reference_instance(doc, doc["state"])), doc
        assert stored.next_at == doc.get("next_at")
        later = (doc.get("next_at") or 0) + 1
        settled = reference_instance(doc, doc.get("next_state") or doc["state"]) if doc.get("next_at") is not None \
            else reference_instance(doc, doc["state"])
        assert same(stored.at(later), settled), doc


def _outcome(make: Any, *args: Any) -> Any:
    """What ``make(*args)`` gives, or the type of what it raises."""
    try:
        return make(*args)
    except Exception as exc:  # the exception's type is the outcome compared
        return type(exc)


@pytest.mark.parametrize("dumps", DUMPS)
def test_instance_at_equals_the_reference_for_every_text(dumps: Any) -> None:
    """``instance_at(text, now)`` (listings with every cache off) is the reference model in its state at ``now``.

    The usual document is decoded typed, straight into its model; any other (a value of another
    type, a key missing, a transition due) as a dict: both ways are compared, and both are taken.
    """
    typed = 0
    docs = documents()
    for doc in docs:
        text = dumps(doc)
        for now in (0.0, 6.0, 2e9):
            state = _outcome(lambda d, t: effective_state(d, t) or d["state"], doc, now)
            expected = state if isinstance(state, type) else reference_instance(doc, state)
            got = _outcome(records.instance_at, text, now)
            assert got is expected if isinstance(expected, type) else same(got, expected), (doc, now)
        typed += isinstance(_outcome(records._TYPED.decode, text), msgspec.Struct)
    assert len(docs) // 10 < typed < len(docs) * 0.9, typed


def test_stored_instance_accepts_bytes_like_json_loads() -> None:
    """A text given as UTF-8 bytes decodes as ``json.loads`` would decode it."""
    doc = documents()[0]
    body = json.dumps(doc, ensure_ascii=False).encode()
    assert same(records.StoredInstance(body).model, reference_instance(doc, doc["state"]))  # type: ignore[arg-type]


@pytest.mark.parametrize("body", ["", "   ", '{"id": "x"} junk', '{"id": "x",}', '\ufeff{"id": "x"}', "{"])
def test_stored_instance_rejects_what_json_loads_rejects(body: str) -> None:
    """Malformed text fails with the very error ``json.loads`` gives, message included."""
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(body)
    with pytest.raises(json.JSONDecodeError) as got:
        records.StoredInstance(body)
    assert str(got.value) == str(expected.value)
    with pytest.raises(json.JSONDecodeError) as listed:
        records.instance_at(body, 0.0)
    assert str(listed.value) == str(expected.value)



@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", '"\\ud800 lone"', '"\\udfff"'])
def test_texts_orjson_refuses_decode_as_json_loads_decodes_them(value: str) -> None:
    """What Python's json reads and orjson does not (NaN, out-of-range numbers, lone surrogates) still decodes."""
    body = ('{"id":"i1","name":"n","owner_id":"u","image_id":"img1","realm_id":"us","state":"RUNNING",'
            f'"hardware_profile_id":"m1-small","hardware_profile_overrides":{{"memory":{value}}},"launch_time":""}}')
    doc = json.loads(body)
    assert same(records.StoredInstance(body).model, reference_instance(doc, "RUNNING"))
    expected = str(doc["hardware_profile_overrides"]["memory"])
    assert records.instance_at(body, 0).hardware_profile_overrides == (("memory", expected),)
