"""The compute writers write exactly what the frozen reference writers wrote, for thousands of generated models.

Models and contexts come from ``random.Random(seed)``: ids and texts that need escaping or URL
quoting, unicode, characters XML forbids, empty and ``None`` fields, addresses with ports, volumes,
firewalls, network interfaces, hardware profile overrides, each authentication type, offers and
features present or not, base URLs with special characters, several state machines. XML must be
the same string; JSON the same document, key order included.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import pytest

from deltacloud.api.features import declare
from deltacloud.driver import StateMachine
from deltacloud.models import (
    Address,
    AttachedVolume,
    HardwareProfile,
    HardwareProperty,
    Image,
    Instance,
    Key,
    Realm,
)
from deltacloud.render import compute, instances
from deltacloud.render.context import RenderContext
from deltacloud.render.jsonutil import dumps
from deltacloud.testing import load_module

#: The frozen reference writers (a sibling module, not in a package).
REF = load_module(Path(__file__).with_name("test_writer_reference.py"), "writer_reference_oracle")
CASES = 3000
#: Instances written in a row with one context: what the writers keep on a context (the action links
#: of each state) is reused, as in a listing, and must fit every instance it is reused for.
CONTEXT_CASES = 8

#: Texts that exercise every branch of escaping and quoting.
TEXTS = ("", "inst0", "i-0abc123", "a b", "a&b", "it's", 'say "hi"', "<tag>", "x>y", "caf\u00e9", "\u65e5\u672c",
         "bell\x07", "nul\x00", "tab\tnl\nret\r", "\ufffe\uffff", "a/b", "q?x=1#f", "100%",
         "semi;colon", "eq=ual", "~!$()*+,@:", "]]>", "a]]>b]]>", "\U0001f600", "  ", "&amp;")
MACHINES = (
    StateMachine.parse("""start -> pending on create
        pending -> running auto
        running -> running on reboot
        running -> stopping on stop
        stopping -> stopped auto
        stopped -> pending on start
        stopped -> finish on destroy"""),
    StateMachine.parse("""running -> finish on destroy
        running -> running on reboot
        pending -> error auto
        error -> finish on destroy
        stopped -> running on start"""),
    StateMachine(()),
)
STATES = ("RUNNING", "running", "Stopped", "STOPPED", "PENDING", "ERROR", "FINISH", "UNKNOWN", "")
OFFERS = (("instances", "run"), ("images", "create"), ("images", "destroy"), ("network_interfaces", "index"),
          ("keys", "destroy"), ("instances", "index"))
FEATURES = ((), ("authentication_key",), ("authentication_password",),
            ("authentication_key", "authentication_password"), ("user_name", "user_data"))
BASES = ("http://127.0.0.1:3001/api", "https://example.com:8443/prefix/api", "http://h/a&b'c/api",
         "http://h/<x>/api", "http://h/caf\u00e9/api", "", 'http://h/q"\\/api')


def _drivers() -> list[type]:
    classes: list[type] = [type(f"Driver{n}", (), {"state_machine": m}) for n, m in enumerate(MACHINES)]
    mock = pytest.importorskip("deltacloud_driver_mock", reason="the mock driver is not installed")
    return [*classes, mock.MockDriver]


def _text(rng: random.Random, empty: float = 0.1, none: float = 0.0) -> Any:
    roll = rng.random()
    if roll < none:
        return None
    if roll < none + empty:
        return ""
    if roll > 0.995:
        return "lone\ud800surrogate"  # XML writes U+FFFD; URLs percent-encode it (surrogatepass)
    if rng.random() < 0.3:
        return rng.choice(TEXTS) + rng.choice(TEXTS)
    return rng.choice(TEXTS)


def _some(rng: random.Random, make: Any, most: int = 3) -> tuple[Any, ...]:
    return tuple(make() for _ in range(rng.randint(0, most)))


def _address(rng: random.Random) -> Address:
    kind = rng.choice(("ipv4", "ipv6", "hostname", "mac", "vnc", "", None))
    port = rng.choice(("", "", "22", "5900", _text(rng), None, 0, 8080))
    return Address(_text(rng, empty=0.05), kind, port)  # type: ignore[arg-type]


def _instance(rng: random.Random) -> Instance:
    overrides = _some(rng, lambda: (rng.choice(("memory", "cpu", "storage", "architecture", "gpu", *TEXTS[:6])),
                                    _text(rng)))
    return Instance(
        id=_text(rng, empty=0.03), name=_text(rng, none=0.05), owner_id=_text(rng, none=0.03),
        image_id=_text(rng, empty=0.2), realm_id=_text(rng), state=rng.choice(STATES),
        hardware_profile_id=_text(rng), hardware_profile_overrides=overrides,
        public_addresses=_some(rng, lambda: _address(rng)), private_addresses=_some(rng, lambda: _address(rng)),
        launch_time=_text(rng, empty=0.4, none=0.05), keyname=_text(rng, empty=0.4, none=0.03),
        username=_text(rng, empty=0.4), password=_text(rng, empty=0.4, none=0.03),
        storage_volumes=_some(rng, lambda: AttachedVolume(_text(rng), rng.choice(("", "/dev/sdb", _text(rng), None)))),
        firewalls=_some(rng, lambda: _text(rng)), create_image=rng.random() < 0.7,
        network_interfaces=_some(rng, lambda: _text(rng)))


def _property(rng: random.Random) -> HardwareProperty:
    name = rng.choice(("memory", "cpu", "storage", "architecture", *TEXTS[:8]))
    kind = rng.choice(("fixed", "range", "enum"))
    return HardwareProperty(name, kind, _text(rng), _text(rng), _text(rng), _some(rng, lambda: _text(rng)))


def _others(rng: random.Random) -> list[Any]:
    return [
        Realm(_text(rng), _text(rng), rng.choice(("AVAILABLE", "UNAVAILABLE", _text(rng))), _text(rng, empty=0.5)),
        HardwareProfile(_text(rng), _some(rng, lambda: _property(rng), 4), _text(rng, empty=0.5)),
        Image(_text(rng), _text(rng, empty=0.3), _text(rng), _text(rng), _text(rng), rng.choice(STATES),
              _text(rng, empty=0.5), _some(rng, lambda: _text(rng)), rng.choice(("transient", "persistent", ""))),
        Key(_text(rng), _text(rng, empty=0.3), rng.choice(("key", "password", "")), _text(rng),
            _text(rng, empty=0.4), _text(rng, empty=0.4), _text(rng), _text(rng, empty=0.3), _text(rng)),
    ]


def _context(rng: random.Random, drivers: list[type]) -> RenderContext:
    driver = rng.choice(drivers)
    offered = frozenset(o for o in OFFERS if rng.random() < 0.6)
    if getattr(driver, "__module__", "").startswith("deltacloud_driver_mock") and rng.random() < 0.5:
        offered = None  # the class's own offer, as contexts made outside a request have
    return RenderContext(rng.choice(BASES), "d", driver, declare(rng.choice(FEATURES), "d"), offered=offered)


def _outcome(write: Any, model: Any, ctx: RenderContext) -> tuple[str, Any]:
    """What ``write`` does: its output (JSON as text, key order included), or the exception it raises.

    A writer that raises must raise what the reference raises (none is expected: a lone surrogate
    in an id is percent-encoded in URLs, written as U+FFFD in text).
    """
    try:
        out = write(model, ctx)
    except Exception as exc:  # the exception's type is the outcome compared
        return "raises", type(exc)
    return ("xml", out) if isinstance(out, str) else ("json", json.dumps(out))


XML = {Realm: (compute.realm_xml, REF.ref_realm_xml), HardwareProfile: (compute.hardware_profile_xml,
                                                                      REF.ref_hardware_profile_xml),
       Image: (compute.image_xml, REF.ref_image_xml), Key: (compute.key_xml, REF.ref_key_xml),
       Instance: (instances.instance_xml, REF.ref_instance_xml)}
JSON = {Image: (compute.image_json, REF.ref_image_json), Instance: (instances.instance_json, REF.ref_instance_json)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_instances_are_written_as_the_reference_wrote_them(seed: int) -> None:
    rng = random.Random(seed)
    drivers = _drivers()
    for case in range(CASES):
        if case % CONTEXT_CASES == 0:
            ctx = _context(rng, drivers)
        i = _instance(rng)
        for live, reference in ((instances.instance_xml, REF.ref_instance_xml),
                                (instances.instance_json, REF.ref_instance_json)):
            expected = _outcome(reference, i, ctx)
            assert _outcome(live, i, ctx) == expected, f"seed {seed} case {case}: {i!r} {ctx!r}"


def test_instances_with_one_public_and_one_private_address_are_written_as_the_reference_wrote_them() -> None:
    """The usual shape (one address each, no port) has a way of its own in the writer: the same bytes."""
    rng = random.Random(6)
    drivers = _drivers()
    for case in range(CASES):
        addresses = [dataclasses.replace(_address(rng), port=rng.choice(("", None, "", None, 0, "22"))) for _ in "ab"]
        i = dataclasses.replace(_instance(rng), public_addresses=(addresses[0],), private_addresses=(addresses[1],))
        if case % CONTEXT_CASES == 0:
            ctx = _context(rng, drivers)
        expected = _outcome(REF.ref_instance_xml, i, ctx)
        assert _outcome(instances.instance_xml, i, ctx) == expected, f"case {case}: {i!r} {ctx!r}"


@pytest.mark.parametrize("seed", [4, 5])
def test_images_realms_profiles_keys_are_written_as_the_reference_wrote_them(seed: int) -> None:
    rng = random.Random(seed)
    drivers = _drivers()
    for case in range(CASES // 2):
        ctx = _context(rng, drivers)
        for model in _others(rng):
            for live, reference in (XML[type(model)], JSON.get(type(model), XML[type(model)])):
                expected = _outcome(reference, model, ctx)
                assert _outcome(live, model, ctx) == expected, f"seed {seed} case {case}: {model!r} {ctx!r}"


#: Ids ``instance_json_text`` writes as they are, and texts with nothing to escape in JSON.
PLAIN_IDS = ("inst0", "i-0abc123", "eq=ual", "~!$()*+,@:", "x.y_z", "")
PLAIN_TEXTS = ("Mock Instance", "caf\u00e9", "it's", "<tag>", "a&b", "\U0001f600", "2024-01-01T00:00:00Z", "",
               "x\x7fy", "\u2028", "/")


def _plain_instance(rng: random.Random) -> Instance:
    """An instance like most clouds list (ids and texts with nothing to quote or escape), now and then one odd value."""
    def pick(choices: tuple[Any, ...], none: float = 0.0) -> Any:  # about one in thirty: any generated text
        return rng.choice(choices) if rng.random() > 0.03 else _text(rng, none=none)

    def address(a: Address) -> Address:
        return Address(pick(PLAIN_TEXTS), pick(("ipv4", "hostname", ""), 0.2),
                       pick(("", None, 0, "", None, 0, "22"), 0.2))

    def some(make: Any) -> tuple[Any, ...]:
        return tuple(make() for _ in range(rng.choice((0, 0, 1, 2))))

    i = _instance(rng)
    return dataclasses.replace(
        i, id=pick(PLAIN_IDS), image_id=pick(PLAIN_IDS), realm_id=pick(PLAIN_IDS), hardware_profile_id=pick(PLAIN_IDS),
        name=pick(PLAIN_TEXTS, 0.2), owner_id=pick(PLAIN_TEXTS, 0.2), state=rng.choice(STATES),
        create_image=pick((True, True, False, 0)), launch_time=pick(PLAIN_TEXTS, 0.2), keyname=pick(PLAIN_TEXTS, 0.2),
        username=pick(PLAIN_TEXTS), password=pick(PLAIN_TEXTS, 0.2),
        public_addresses=tuple(map(address, i.public_addresses)),
        private_addresses=tuple(map(address, i.private_addresses if rng.random() < 0.5 else i.private_addresses[:1])),
        hardware_profile_overrides=some(lambda: (pick(("memory", "cpu", "memory")), pick(PLAIN_TEXTS))),
        storage_volumes=some(lambda: AttachedVolume(pick(PLAIN_IDS), pick(("/dev/sdb", ""), 0.2))),
        firewalls=some(lambda: pick(PLAIN_IDS)), network_interfaces=some(lambda: pick(PLAIN_IDS)))


def _reference_text(i: Instance, ctx: RenderContext) -> Any:
    """The reference JSON object of ``i`` as the documents write it, or the type of what it raises."""
    try:
        return dumps(REF.ref_instance_json(i, ctx)).decode()
    except Exception as exc:  # the exception's type is the outcome compared
        return type(exc)


@pytest.mark.parametrize("seed", [7, 8])
def test_instances_json_text_is_the_reference_object_as_written(seed: int) -> None:
    """Listings write an instance's JSON text straight (``instance_json_text``): the very bytes of the object dumped."""
    rng = random.Random(seed)
    drivers = _drivers()
    straight = 0
    for case in range(CASES):
        if case % CONTEXT_CASES == 0:
            ctx = _context(rng, drivers)
        i = _plain_instance(rng) if case % 3 else _instance(rng)
        expected = _reference_text(i, ctx)
        try:
            got: Any = instances.instance_json_text(i, ctx)
        except Exception as exc:  # the exception's type is the outcome compared
            got = type(exc)
        assert got == expected, f"seed {seed} case {case}: {i!r} {ctx!r}"
        at = ctx.derived(instances._InstanceJsonText)
        straight += instances._instance_text_json(i, at, ctx.driver_class.state_machine) is not None
    # both ways are compared: plain instances written straight, the others dumped
    assert CASES * 0.15 < straight < CASES * 0.6, straight


def test_the_generated_cases_reach_every_branch() -> None:
    """The generator is not vacuous: its instances escape, quote, authenticate and link in every way."""
    rng = random.Random(1)
    drivers = _drivers()
    marks = ("&amp;", "&lt;", "&apos;", "&quot;", "\ufffd", "%20", "%2F", "type='password'", "type='key'",
             "<![CDATA[", "rel='run'", "rel='create_image'", "rel='destroy'", "rel='reboot'", "port='",
             "<network_interfaces>", "<firewalls>", "device='", "<launch_time>", "unit='MB'",
             "type='unavailable'", "<image href", "https://example.com", "caf\u00e9")
    missing = set(marks)
    written = 0
    for _ in range(CASES):
        outcome, xml = _outcome(REF.ref_instance_xml, _instance(rng), _context(rng, drivers))
        if outcome != "xml":
            continue
        written += 1
        missing = {mark for mark in missing if mark not in xml}
    assert not missing, f"never generated: {sorted(missing)}"
    assert written > CASES * 0.8, f"only {written} of {CASES} instances could be written at all"


def test_an_id_with_a_lone_surrogate_is_written_not_refused() -> None:
    """No URL can carry a lone surrogate as UTF-8: it is percent-encoded in hrefs, U+FFFD in text (was a 500)."""
    from defusedxml import ElementTree

    ctx = RenderContext("http://h/api", "d", _drivers()[0], offered=frozenset())
    i = Instance(id="i\ud800x", name="n", owner_id="o", image_id="img", realm_id="r", state="RUNNING",
                 hardware_profile_id="m1")
    root = ElementTree.fromstring(instances.instance_xml(i, ctx))
    assert root.get("href") == "http://h/api/instances/i%ED%A0%80x" and root.get("id") == "i\ufffdx"
    assert instances.instance_json(i, ctx)["href"] == "http://h/api/instances/i%ED%A0%80x"


def test_blob_and_firewall_rule_ids_with_a_lone_surrogate_are_written_not_refused() -> None:
    """The ids quoted inside a parent's href (a bucket's blobs, a firewall's rules) are quoted as object ids are."""
    from defusedxml import ElementTree

    from deltacloud.models import Bucket, Firewall, FirewallRule
    from deltacloud.render import network, objectstore

    ctx = RenderContext("http://h/api", "d", _drivers()[0], offered=frozenset())
    bucket = ElementTree.fromstring(objectstore.bucket_xml(Bucket("b", blob_ids=("x\ud800y",)), ctx))
    assert bucket.find("blob").get("href") == "http://h/api/buckets/b/x%ED%A0%80y"
    rule = FirewallRule("r\ud800", "tcp", "22", "22")
    ctx = RenderContext("http://h/api", "d", _drivers()[0], offered=frozenset({("firewalls", "delete_rule")}))
    firewall = ElementTree.fromstring(network.firewall_xml(Firewall("f", "f", rules=(rule,)), ctx))
    hrefs = [link.get("href") for link in firewall.iter("link")]
    assert hrefs == ["http://h/api/firewalls/f/r%ED%A0%80"], hrefs
