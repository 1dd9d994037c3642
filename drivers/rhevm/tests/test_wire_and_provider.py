"""The pure parts: provider strings, the status map, and reading both API versions' XML."""

from __future__ import annotations

import defusedxml.ElementTree as ET
import pytest

from deltacloud.errors import ValidationError
from deltacloud_driver_rhevm import provider, states, wire

V3_VM = """<vm id="v3"><name>old</name><type>desktop</type><status><state>up</state></status>
  <memory>4294967296</memory><cpu><topology sockets="2" cores="2"/></cpu>
  <display><type>spice</type><address>10.0.0.9</address><port>5904</port></display>
  <cluster id="c1"/><template id="t1"/><start_time>2013-03-04T14:39:44</start_time>
  <guest_info><ips><ip address="10.16.120.221"/></ips></guest_info></vm>"""
V3_NICS = '<nics><nic id="n"><mac address="00:1a:4a:10:56:6e"/></nic></nics>'
V4_VM = """<vm id="v4"><name>new</name><status>powering_down</status><memory>1073741824</memory>
  <cpu><topology><cores>1</cores><sockets>2</sockets><threads>1</threads></topology></cpu>
  <cluster id="c2"/><template id="t2"/><creation_time>2026-01-01T00:00:00</creation_time></vm>"""
V4_NICS = """<nics><nic id="n"><mac><address>00:1a:4a:16:01:51</address></mac><reported_devices>
  <reported_device><ips><ip><address>192.0.2.5</address></ip><ip><address>fe80::1</address></ip></ips>
  </reported_device></reported_devices></nic></nics>"""


def test_v3_vm() -> None:
    instance = wire.instance(ET.fromstring(V3_VM), ET.fromstring(V3_NICS), "me")
    assert (instance.state, instance.hardware_profile_id, instance.realm_id, instance.image_id) == (
        "RUNNING", "DESKTOP", "c1", "t1")
    assert dict(instance.hardware_profile_overrides) == {"cpu": "4", "memory": "4096"}
    assert [(a.type, a.address, a.port) for a in instance.public_addresses] == [
        ("ipv4", "10.16.120.221", ""), ("vnc", "10.0.0.9", "5904")]
    assert [a.address for a in instance.private_addresses] == ["00:1a:4a:10:56:6e"]
    assert instance.launch_time == "2013-03-04T14:39:44" and not instance.create_image


def test_v4_vm() -> None:
    instance = wire.instance(ET.fromstring(V4_VM), ET.fromstring(V4_NICS), "me", storage_gb=5)
    assert instance.state == "STOPPING" and instance.hardware_profile_id == "SERVER"
    assert dict(instance.hardware_profile_overrides) == {"cpu": "2", "memory": "1024", "storage": "5"}
    assert [(a.type, a.address) for a in instance.public_addresses] == [("ipv4", "192.0.2.5"), ("ipv6", "fe80::1")]
    assert [a.address for a in instance.private_addresses] == ["00:1a:4a:16:01:51"]


@pytest.mark.parametrize(("status", "state"), [
    ("image_locked", "PENDING"), ("wait_for_launch", "PENDING"), ("powering_up", "PENDING"),
    ("reboot_in_progress", "PENDING"), ("saving_state", "PENDING"), ("restoring_state", "PENDING"),
    ("up", "RUNNING"), ("migrating", "RUNNING"), ("powering_down", "STOPPING"), ("down", "STOPPED"),
    ("suspended", "STOPPED"), ("paused", "STOPPED"), ("not_responding", "STOPPED"), ("unknown", "STOPPED"),
    ("unassigned", "STOPPED"), ("UP", "RUNNING"), ("a_status_of_the_future", "STOPPED"),
])
def test_every_vm_status_maps_to_a_state_of_the_machine(status: str, state: str) -> None:
    assert states.vm_state(status) == state
    assert state.lower() in states.MACHINE.states


def test_templates_and_their_states() -> None:
    v3 = ET.fromstring('<template id="t"><name>n</name><status><state>locked</state></status></template>')
    v4 = ET.fromstring('<template id="t"><name>n</name><status>ok</status><type>desktop</type></template>')
    assert wire.image(v3, "me").state == "PENDING"
    assert (wire.image(v4, "me").state, wire.image(v4, "me").hardware_profiles) == ("AVAILABLE", ("DESKTOP",))


def test_vm_bodies_per_version() -> None:
    v4 = ET.fromstring(wire.vm_body("web", "t", "c", "SERVER", 2, 2048, b"#!/bin/sh", 4))
    assert (v4.findtext("type"), v4.findtext("cpu/topology/cores"), v4.findtext("memory")) == (
        "server", "2", str(2048 * 1024 ** 2))
    assert v4.findtext("initialization/custom_script") == "#!/bin/sh"
    v3 = ET.fromstring(wire.vm_body("web", "t", "c", "SERVER", 2, None, b"data", 3))
    assert v3.find("cpu/topology").get("cores") == "2" and v3.find("memory") is None
    assert v3.findtext("payloads/payload/file/content") == "data"


@pytest.mark.parametrize(("text", "api", "dc", "version", "sso"), [
    ("https://e.example.com/ovirt-engine/api;dc1", "https://e.example.com/ovirt-engine/api", "dc1", 4,
     "https://e.example.com/ovirt-engine/sso/oauth/token"),
    ("https://e.example.com/ovirt-engine/api/", "https://e.example.com/ovirt-engine/api", None, 4,
     "https://e.example.com/ovirt-engine/sso/oauth/token"),
    ("https://rhevm.example.com/api;b9bb", "https://rhevm.example.com/api", "b9bb", 3, None),
    ("http://127.0.0.1:8080/ovirt-engine/api/v3;x", "http://127.0.0.1:8080/ovirt-engine/api/v3", "x", 3, None),
])
def test_provider_strings(text: str, api: str, dc: str | None, version: int, sso: str | None) -> None:
    location = provider.parse(text)
    assert (location.api_url, location.data_center, location.version) == (api, dc, version)
    if sso:
        assert location.sso_url == sso


@pytest.mark.parametrize("text", [None, "", "engine.example.com", "ftp://e/api;d", "https://e/api?x=1;d"])
def test_bad_provider_strings(text: str | None) -> None:
    with pytest.raises(ValidationError) as raised:
        provider.parse(text)
    assert raised.value.param == "provider"


def test_data_center_searches() -> None:
    assert wire.in_data_center("iscsi") == "datacenter=iscsi"
    assert wire.in_data_center('my "big" dc') == 'datacenter="my \\"big\\" dc"'
